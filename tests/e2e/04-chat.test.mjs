// 4. Chat text typed in A appears in B (and back), as text, never as HTML.
import { e2e, uniqueRoom, startCall, assert } from './lib/duet.mjs';

e2e('chat messages go from one page to the other', async (open) => {
	const room = uniqueRoom('chat');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);

	const text = 'Hello Ben — ça va? <b>not bold</b>';
	await a.page.fill('#chat-input', text);
	await a.page.press('#chat-input', 'Enter');
	await b.sees('#chat-log .msg.peer', text);
	await a.sees('#chat-log .msg.me', text);
	assert.equal(await b.page.locator('#chat-log b').count(), 0, 'chat text must not be rendered as HTML');
	assert.equal(await b.text('#chat-log .msg.peer .who'), 'Ana');

	await b.page.fill('#chat-input', 'Fine, thanks');
	await b.click('#chat-send');
	await a.sees('#chat-log .msg.peer', 'Fine, thanks');

	// A live call with a conversation: the screenshots of the docs.
	await a.sees('#remote-stats', /fps/);
	await b.sees('#remote-stats', /fps/);
	await a.screenshot('call-chat-Ana');
	await b.screenshot('call-chat-Ben');
});
