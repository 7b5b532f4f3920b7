// 6. Leave on A: B shows that A left; a fresh page C joins the same room and
// B and C are in a call (C in a phone-sized window).
import { e2e, uniqueRoom, startCall, expectMedia } from './lib/duet.mjs';

e2e('after one leaves, a newcomer gets a call with the one who stayed', async (open) => {
	const room = uniqueRoom('leave');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);

	await a.click('#leave-button');
	await b.status(/Ana left — waiting for someone to join room/);
	await a.sees('#join-title', /You left room/);
	await b.page.locator('#invite').waitFor({ state: 'visible' });

	// The newcomer is on a phone-sized screen.
	const c = await open('Cai', room, { mobile: true });
	await c.join();
	await Promise.all([b.status(/In call with Cai/), c.status(/In call with Ben/)]);
	await expectMedia(b, c);
	await c.sees('#remote-stats', /fps/);
	await c.screenshot('call-phone-Cai');
});
