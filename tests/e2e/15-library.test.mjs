// 15. The duet-client package on its own: a test page (pages/library.html)
// that imports only the package's browser build and drives DuetCall.
// - a call between two such pages, media both ways;
// - mute('video') disables the local track and the peer's frames stop;
//   unmute brings them back; mute('audio') likewise for audio packets;
// - requests sent at once each get their own answer (matched by
//   transaction, not by arrival order), errors as typed DuetErrors;
// - a third page gets ROOM_FULL as a DuetError (code 457);
// - a reload takes the seat back (same id), and so does a transport drop;
// - hanging up and calling again at once, five times: each offer goes out
//   100 ms or more after the core's hangup (a JSEP in that window crashes
//   Janus), and the call comes back each time.
import { e2e, uniqueRoom, expectMedia, assert } from './lib/duet.mjs';

const page = (room, name, extra = '') => ({ path: `/test/library.html?room=${encodeURIComponent(room)}&display=${name}${extra}` });
// The outcome of the page's own join; right after a (re)load the page's
// module has not set it yet, so wait for it.
const joined = async (p) => {
	await p.page.waitForFunction(() => window.joined !== undefined, null, { timeout: 20000 });
	return p.page.evaluate(() => window.joined);
};
const state = (p) => p.page.evaluate(() => window.call && window.call.state);

async function waitState(p, want, timeout = 20000) {
	try {
		await p.page.waitForFunction((w) => window.call && window.call.state === w, want, { timeout });
	} catch (e) {
		throw new Error(`${p.name}: state never became ${want}; it is ${await state(p)}; events ${JSON.stringify(await p.page.evaluate(() => window.events.slice(-8)))}`);
	}
}

async function inCall(a, b) {
	const j = await joined(a);
	assert.deepEqual(j, { ok: true, id: j && j.id });
	await Promise.all([waitState(a, 'in-call'), waitState(b, 'in-call')]);
}

/** Ana opens a new room and waits, Ben joins it: both in a call. */
async function twoInCall(open, prefix) {
	const room = uniqueRoom(prefix);
	const a = await open('Ana', room, page(room, 'Ana'));
	await waitState(a, 'waiting');
	const b = await open('Ben', room, page(room, 'Ben'));
	await inCall(a, b);
	return { a, b };
}

e2e('two pages using only duet-client are in a call; mute stops the local track and the peer\'s media', async (open) => {
	const { a, b } = await twoInCall(open, 'lib');
	await expectMedia(a, b);
	assert.equal(await b.page.evaluate(() => window.call.peer.display), 'Ana');

	// Video: the camera track is disabled here and the peer's frames stop.
	const muted = await a.page.evaluate(async () => {
		await window.call.mute('video');
		const senders = window.call.peerConnection.getSenders().filter((s) => s.track && s.track.kind === 'video');
		return { local: window.call.localStream.getVideoTracks().map((t) => t.enabled), sent: senders.map((s) => s.track.enabled), relayed: window.call.settings.video };
	});
	assert.deepEqual(muted, { local: [false], sent: [false], relayed: false });
	await b.expectStopped('frames');
	await b.expectFlowing('audio');
	await a.page.evaluate(() => window.call.unmute('video'));
	await b.expectFlowing('frames');

	// Audio likewise.
	await a.page.evaluate(() => window.call.mute('audio'));
	assert.equal(await a.page.evaluate(() => window.call.localStream.getAudioTracks()[0].enabled), false);
	await b.expectStopped('audio');
	await a.page.evaluate(() => window.call.unmute('audio'));
	await b.expectFlowing('audio');

	// Chat through the library.
	await a.page.evaluate(() => window.call.send('hello from Ana'));
	await b.page.waitForFunction(() => window.events.some((e) => e.name === 'message' && e.args[0].from === 'peer' && e.args[0].text === 'hello from Ana'));
});

e2e('requests sent at once get their own answers; errors are typed DuetErrors', async (open) => {
	const room = uniqueRoom('libreq');
	const a = await open('Ana', room, page(room, 'Ana'));
	await waitState(a, 'waiting');
	const results = await a.page.evaluate(async (r) => {
		const c = window.call;
		const settle = (p) => p.then((v) => ({ ok: v }), (e) => ({ err: { code: e.code, source: e.source, codeName: e.codeName, request: e.request, isDuetError: e instanceof window.lib.DuetError } }));
		return Promise.all([
			settle(c.send('nobody here')),                                  // async: 461 NO_PEER
			settle(c.request({ request: 'exists', room: r })),                // sync: true
			settle(c.configure({ bitrate: 256000 })),                          // async: configured
			settle(c.request({ request: 'exists', room: 'no-such-room-x' })), // sync: false
			settle(c.request({ request: 'no_such_request' })),                 // 452
			settle(c.request({ request: 'join', room: r })),                   // async: 459 already joined
			settle(c.configure({ bitrate: 'fast' })),                          // async: 454
		]);
	}, room);
	assert.equal(results[0].err.code, 461);
	assert.equal(results[0].err.codeName, 'NO_PEER');
	assert.equal(results[0].err.source, 'duet');
	assert.equal(results[0].err.isDuetError, true);
	assert.equal(results[1].ok.exists, true);
	assert.equal(results[2].ok.duet, 'configured');
	assert.equal(results[2].ok.bitrate, 256000);
	assert.equal(results[3].ok.exists, false);
	assert.equal(results[4].err.code, 452);
	assert.equal(results[5].err.code, 459);
	assert.equal(results[5].err.request, 'join');
	assert.equal(results[6].err.code, 454);

	// A third page in a full room: connect rejects with ROOM_FULL.
	const b = await open('Ben', room, page(room, 'Ben'));
	await inCall(a, b);
	const c = await open('Cai', room, page(room, 'Cai'));
	const res = await joined(c);
	assert.deepEqual({ ok: res.ok, code: res.error.code, codeName: res.error.codeName, source: res.error.source, isDuetError: res.error.isDuetError, name: res.error.name },
		{ ok: false, code: 457, codeName: 'ROOM_FULL', source: 'duet', isDuetError: true, name: 'DuetError' });
	assert.equal(await c.page.evaluate(() => window.lib.ErrorCode.ROOM_FULL), 457);
});

e2e('a reload takes the seat back, and so does a dropped transport', async (open) => {
	const { a, b } = await twoInCall(open, 'libseat');
	const id = (await joined(b)).id;

	await b.page.reload();
	await inCall(b, a);
	assert.equal((await joined(b)).id, id, 'same seat after the reload');
	await expectMedia(a, b);
	assert.ok(await a.page.evaluate(() => window.events.some((e) => e.name === 'event' && e.args[0].duet === 'peer_reconnected')));

	// The WebSocket drops: the library opens a new session and takes the seat back.
	assert.ok(await b.page.evaluate(() => window.__duetTest.dropSockets()) >= 1);
	await b.page.waitForFunction(() => window.events.some((e) => e.name === 'reconnected'), null, { timeout: 30000 });
	await Promise.all([waitState(a, 'in-call'), waitState(b, 'in-call')]);
	assert.equal(await b.page.evaluate(() => window.call.id), id, 'same seat after the transport came back');
	await expectMedia(a, b);
});

e2e('calling right after hanging up waits for the core\'s hangup: five redials, Janus stays up', async (open) => {
	const { a, b } = await twoInCall(open, 'libredial');
	// When the core said hangup (janus.js webrtcState false) and when each
	// offer request went out, on Ana's page.
	await a.page.evaluate(() => {
		const s = window.call.session;
		window.marks = [];
		s.on('webrtc', (up) => { if (!up) window.marks.push(['hangup', performance.now()]); });
		const request = s.request.bind(s);
		s.request = (body, jsep) => {
			if (body.request === 'offer') window.marks.push(['offer', performance.now()]);
			return request(body, jsep);
		};
	});
	for (let i = 0; i < 5; i++) {
		await a.page.evaluate(async () => { await window.call.hangup(); await window.call.call(); });
		await Promise.all([waitState(a, 'in-call'), waitState(b, 'in-call')]);
	}
	await expectMedia(a, b);
	const marks = await a.page.evaluate(() => window.marks);
	const offers = marks.filter(([what]) => what === 'offer');
	assert.equal(offers.length, 5, JSON.stringify(marks));
	for (const [, at] of offers) {
		const hangups = marks.filter(([what, t]) => what === 'hangup' && t < at);
		assert.ok(hangups.length > 0 && at - hangups[hangups.length - 1][1] >= 100, JSON.stringify(marks));
	}
});

e2e('simulcast: true sends the camera as three layers', async (open) => {
	const room = uniqueRoom('libsim');
	const a = await open('Ana', room, page(room, 'Ana'));
	await waitState(a, 'waiting');
	const b = await open('Ben', room, page(room, 'Ben', '&simulcast=1'));   // Ben joins second: he offers
	await b.page.waitForFunction(() => window.call && window.call.peerConnection
		&& window.call.peerConnection.getSenders().some((s) => s.track && s.track.kind === 'video'), null, { timeout: 20000 });
	const layers = await b.page.evaluate(() => {
		const sender = window.call.peerConnection.getSenders().find((s) => s.track && s.track.kind === 'video');
		return sender.getParameters().encodings.map((e) => e.rid);
	});
	assert.deepEqual(layers, ['h', 'm', 'l']);
	assert.equal(await b.page.evaluate(() => window.call.simulcast), true);
	assert.equal(await a.page.evaluate(() => window.call.simulcast), false);
});
