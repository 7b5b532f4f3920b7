// 12. The page falls back from the WebSocket transport to HTTP long-polling:
// Ana's page gets a WebSocket address where nothing listens first, then
// Janus's HTTP transport; Ben's page uses the defaults (WebSocket). The call,
// the chat and a hangup work across the two transports.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

e2e('a page on the HTTP transport calls a page on the WebSocket transport', async (open) => {
	const room = uniqueRoom('http');
	const servers = '&janus=' + encodeURIComponent('ws://127.0.0.1:1') + '&janus=' + encodeURIComponent('http://127.0.0.1:8088/janus');
	const a = await open('Ana', room, { query: servers });
	const b = await open('Ben', room);
	assert.equal(await a.page.getAttribute('#server-state', 'data-server'), 'http://127.0.0.1:8088/janus');
	assert.match(await b.page.getAttribute('#server-state', 'data-server'), /^ws:/);

	await startCall(a, b);
	await expectMedia(a, b);
	await b.page.fill('#chat-input', 'over WebSocket');
	await b.page.press('#chat-input', 'Enter');
	await a.sees('#chat-log .msg.peer', 'over WebSocket');
	await a.page.fill('#chat-input', 'over HTTP');
	await a.page.press('#chat-input', 'Enter');
	await b.sees('#chat-log .msg.peer', 'over HTTP');
	await a.click('#hangup-button');
	await Promise.all([a.status(/Call ended/), b.status(/Call ended — Ana hung up/)]);
});
