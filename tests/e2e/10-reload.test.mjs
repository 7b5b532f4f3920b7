// 10. A page that goes away without leaving keeps its seat: the peer sees
// "connection dropped — holding the seat", and when the page comes back
// (same tab, so sessionStorage keeps {room, id, reconnect_token}) it takes
// the seat back by itself and offers again.
import { e2e, uniqueRoom, startCall, expectMedia, BASE_URL, assert } from './lib/duet.mjs';

e2e('a page that comes back takes its seat back', async (open) => {
	const room = uniqueRoom('reload');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	const seat = await b.page.evaluate(() => JSON.parse(sessionStorage.getItem('duet.seat')));
	assert.equal(seat.room, room);
	assert.ok(seat.id && seat.reconnect_token, 'the page keeps its id and reconnect token');

	// Ben's tab navigates away: his Janus session goes, his seat is held.
	await b.page.goto('about:blank');
	await a.status(/Ben's connection dropped — holding the seat/);

	// ... and back: the page rejoins with the token, without a click.
	await b.page.goto(`${BASE_URL}/?room=${room}`);
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
	assert.equal(await b.page.evaluate(() => JSON.parse(sessionStorage.getItem('duet.seat')).id), seat.id, 'same seat (same id) as before');
	await expectMedia(a, b);

	// A plain reload works the same way.
	await b.page.reload();
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
	assert.equal(await b.page.evaluate(() => JSON.parse(sessionStorage.getItem('duet.seat')).id), seat.id);
	await expectMedia(a, b);
});

e2e('a seat not taken back within the window is freed', async (open) => {
	const room = 'shortseat';   // reconnect_window = 2 in tests/e2e/duet.jcfg
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);

	await b.page.goto('about:blank');
	await a.status(/Ben's connection dropped — holding the seat for 2 s/);
	await a.status(/Ben's connection did not come back — waiting for someone to join room shortseat/);

	const c = await open('Cai', room);
	await c.join();
	await Promise.all([a.status(/In call with Cai/), c.status(/In call with Ana/)]);
	await expectMedia(a, c);

	// Leave, so the configured room is empty for the next run against this Janus.
	await a.click('#leave-button');
	await c.click('#leave-button');
	await c.sees('#join-title', /You left room shortseat/);
});
