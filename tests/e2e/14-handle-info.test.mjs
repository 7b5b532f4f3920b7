// 14. An operator's view of a live browser call: the Admin API's handle info
// (query_session) of both handles shows the room, the participant, the
// state and the settings, and its counters grow while media flows, and
// what each leg delivered is measured from the browser's transport-wide
// feedback; the plugin's "stats" request agrees.
import { e2e, uniqueRoom, startCall, expectMedia, admin, handlesIn, assert } from './lib/duet.mjs';

e2e('handle info and stats of a live call count the media', async (open) => {
	const room = uniqueRoom('info');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	await expectMedia(a, b);

	const before = await handlesIn(room);
	assert.deepEqual(before.map((h) => h.display), ['Ana', 'Ben']);
	for (const h of before) {
		assert.equal(h.state, 'in_call');
		assert.deepEqual([h.audio, h.video, h.data, h.recording], [true, true, true, false]);
		assert.equal(JSON.stringify(h).includes('token'), false, 'no reconnect token in handle info');
	}
	await a.page.waitForTimeout(1500);   // let media flow between the two samples
	const after = await handlesIn(room);
	for (let i = 0; i < 2; i++) {
		for (const kind of ['audio', 'video']) {
			const grew = after[i].stats[kind].packets - before[i].stats[kind].packets;
			assert.ok(grew > (kind === 'video' ? 10 : 30), `${after[i].display}'s ${kind} packets grew by ${grew}`);
			assert.ok(after[i].stats[kind].bytes > before[i].stats[kind].bytes);
		}
		// The browser's transport-wide feedback reaches the plugin: what each
		// leg delivered is measured (an unshaped loopback call: ~0.1-3 Mbit/s).
		const d = after[i].delivered;
		assert.ok(d > 50000 && d < 20e6, `${after[i].display}'s leg delivered ${d} bit/s`);
	}

	const stats = (await admin({ janus: 'message_plugin', plugin: 'janus.plugin.duet', request: { request: 'stats' } })).response;
	const entry = stats.rooms.find((r) => r.room === room);
	assert.equal(entry.participants.length, 2);
	for (const p of entry.participants) {
		assert.ok(p.video.packets > 0 && p.audio.packets > 0);
		assert.ok(p.bitrate > 50000, `bitrate now ${p.bitrate} bit/s`);
	}
	assert.ok(stats.totals.video.packets >= entry.participants.reduce((n, p) => n + p.video.packets, 0));
});
