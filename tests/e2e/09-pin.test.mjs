// 9. A wrong PIN shows the error and takes no seat: room xyz (PIN 1234, from
// tests/e2e/duet.jcfg) still has room for two who know the PIN.
import { e2e, assert } from './lib/duet.mjs';

e2e('a wrong PIN is refused and joins nothing', async (open) => {
	const room = 'xyz';
	const w = await open('Wes', room);
	await w.join({ pin: '0000' });
	await w.sees('#join-error', /Wrong PIN/);
	assert.match(await w.text('#join-error'), /error 458/);
	assert.equal(await w.page.isVisible('#call-panel'), false);

	const noPin = await open('Nia', room);
	await noPin.join();
	await noPin.sees('#join-error', /Wrong PIN/);

	// The refused ones hold no seat: Ana is alone, Ben makes it a call.
	const a = await open('Ana', room);
	await a.join({ pin: '1234' });
	await a.status(/Waiting for someone to join room xyz/);
	const b = await open('Ben', room);
	await b.join({ pin: '1234' });
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);

	// Leave, so the configured room is empty for the next run against this Janus.
	await a.click('#leave-button');
	await b.click('#leave-button');
	await a.sees('#join-title', /You left room xyz/);
	await b.sees('#join-title', /You left room xyz/);
});
