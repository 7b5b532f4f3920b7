// 14. An operator's view of a live browser call: the Admin API's handle info
// (query_session) of both handles shows the room, the participant, the
// state and the settings, and its counters grow while media flows; the
// plugin's "stats" request agrees.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

async function admin(body, path = '') {
	const res = await fetch(`http://127.0.0.1:7088/admin${path}`, {
		method: 'POST',
		body: JSON.stringify({ ...body, admin_secret: 'duetadmin', transaction: `hi-${Date.now()}-${Math.random()}` }),
	});
	return res.json();
}

// The plugin-specific handle info of every Duet handle in `room`.
async function handlesIn(room) {
	const found = [];
	for (const session of (await admin({ janus: 'list_sessions' })).sessions) {
		for (const handle of (await admin({ janus: 'list_handles' }, `/${session}`)).handles) {
			const info = (await admin({ janus: 'handle_info' }, `/${session}/${handle}`)).info;
			if (info && info.plugin === 'janus.plugin.duet' && info.plugin_specific.room === room)
				found.push(info.plugin_specific);
		}
	}
	return found.sort((x, y) => x.display.localeCompare(y.display));
}

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
