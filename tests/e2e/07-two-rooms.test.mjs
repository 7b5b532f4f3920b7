// 7. Two rooms at once (four pages) stay isolated: each pair is in a call
// with its own peer, media flows in both, chat stays in its room.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

e2e('two rooms at once stay isolated', async (open) => {
	const red = uniqueRoom('red');
	const blue = uniqueRoom('blue');
	const a = await open('Ana', red);
	const b = await open('Ben', red);
	const c = await open('Cai', blue);
	const d = await open('Dee', blue);
	await Promise.all([startCall(a, b), startCall(c, d)]);
	await expectMedia(a, b, c, d);

	await a.page.fill('#chat-input', 'only for the red room');
	await a.page.press('#chat-input', 'Enter');
	await b.sees('#chat-log .msg.peer', 'only for the red room');
	await c.page.fill('#chat-input', 'only for the blue room');
	await c.page.press('#chat-input', 'Enter');
	await d.sees('#chat-log .msg.peer', 'only for the blue room');
	assert.equal(await c.page.locator('#chat-log .msg.peer').count(), 0);
	assert.equal(await d.page.locator('#chat-log .msg.peer', { hasText: 'red' }).count(), 0);
	assert.equal(await a.page.locator('#chat-log .msg.peer').count(), 0);

	// Hanging up in one room leaves the other call alone.
	await a.click('#hangup-button');
	await b.status(/Call ended/);
	await c.status(/In call with Dee/);
	await d.status(/In call with Cai/);
	await expectMedia(c, d);
});
