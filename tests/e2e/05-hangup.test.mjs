// 5. Hang up: both pages show the call ended; call again: media flows again.
import { e2e, uniqueRoom, startCall, expectMedia } from './lib/duet.mjs';

e2e('hang up ends the call on both sides, call again restores it', async (open) => {
	const room = uniqueRoom('hangup');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	await expectMedia(a, b);

	await a.click('#hangup-button');
	await Promise.all([a.status(/Call ended — you hung up/), b.status(/Call ended — Ana hung up/)]);
	await b.page.locator('#call-button').waitFor({ state: 'visible' });

	await a.click('#call-button');
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
	await expectMedia(a, b);

	// And the other way round: Ben hangs up, Ben calls again.
	await b.click('#hangup-button');
	await Promise.all([b.status(/Call ended — you hung up/), a.status(/Call ended — Ben hung up/)]);
	await b.click('#call-button');
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
	await expectMedia(a, b);
});
