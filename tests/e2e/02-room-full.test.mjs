// 2. A third page gets "room full" in the UI and the call goes on.
import { e2e, uniqueRoom, startCall, assert } from './lib/duet.mjs';

e2e('a third page is told the room is full', async (open) => {
	const room = uniqueRoom('full');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);

	const c = await open('Cai', room);
	await c.join();
	await c.sees('#join-error', /is full/);
	assert.match(await c.text('#join-error'), /error 457/);
	assert.equal(await c.page.isVisible('#call-panel'), false, 'the third page must not show a call');

	// The two in the call are not disturbed.
	await a.status(/In call with Ben/);
	await b.status(/In call with Ana/);
	await b.expectFlowing('frames');
});
