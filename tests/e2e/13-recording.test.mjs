// 13. A recorded call becomes one video: a room created with record = true
// (through the Admin API, recordings in this run's output folder), a call of
// about ten seconds, then scripts/call-recording.sh turns the .mjr files
// into one side-by-side WebM with both voices; ffprobe checks it.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { e2e, uniqueRoom, startCall, expectMedia, assert, OUT } from './lib/duet.mjs';

const SCRIPT = new URL('../../scripts/call-recording.sh', import.meta.url).pathname;

async function admin(request) {
	const res = await fetch('http://127.0.0.1:7088/admin', {
		method: 'POST',
		body: JSON.stringify({ janus: 'message_plugin', plugin: 'janus.plugin.duet', admin_secret: 'duetadmin',
			transaction: `rec-${Date.now()}`, request }),
	});
	return (await res.json()).response;
}

function probe(file) {
	const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries',
		'format=duration:stream=codec_type,width,height', '-of', 'json', file]);
	return JSON.parse(out.toString());
}

e2e('a recorded call becomes one video with both participants and both voices', async (open) => {
	const room = uniqueRoom('rec');
	const dir = path.join(OUT, 'recordings', room);
	fs.mkdirSync(dir, { recursive: true });
	assert.equal((await admin({ request: 'create', room, record: true, rec_dir: dir })).duet, 'created');

	const a = await open('Ana', room);
	const b = await open('Ben', room);
	const calling = Date.now();
	await startCall(a, b);
	const started = Date.now();
	await expectMedia(a, b);
	// The call being recorded: its length is what the output is checked against.
	await a.page.waitForTimeout(Math.max(0, 10000 - (Date.now() - started)));
	const ended = Date.now();
	await a.click('#hangup-button');
	await Promise.all([a.status(/Call ended/), b.status(/Call ended/)]);
	const over = Date.now();

	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mjr'));
	for (const kind of ['audio', 'video'])
		assert.equal(files.filter((f) => f.endsWith(`-${kind}.mjr`)).length, 2, `two ${kind} recordings in ${files}`);
	const output = path.join(OUT, `${room}.webm`);
	execFileSync('bash', [SCRIPT, output, dir], { stdio: 'inherit' });

	const info = probe(output);
	const kinds = info.streams.map((s) => s.codec_type).sort();
	assert.deepEqual(kinds, ['audio', 'video']);
	assert.equal(info.streams.find((s) => s.codec_type === 'video').width, 1280, 'two 640-wide pictures side by side');
	// Media flowed at least from "in call" to the hang-up click, and at most
	// from the start of the call to both pages showing it ended.
	const duration = parseFloat(info.format.duration);
	const least = (ended - started) / 1000;
	const most = (over - calling) / 1000;
	console.log(`call in progress ${least.toFixed(1)} s (window ${most.toFixed(1)} s), merged video: ${duration.toFixed(1)} s`);
	assert.ok(duration >= least - 1 && duration <= most + 1,
		`merged video lasts ${duration} s; the call ran ${least} s within a ${most} s window`);
	await admin({ request: 'destroy', room });
});
