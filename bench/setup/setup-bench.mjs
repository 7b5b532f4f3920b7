// Call setup time, Duet vs VideoCall, in one Chromium against one Janus
// (run inside the e2e set-up by bench/setup/run.sh; see README.md there).
//
// Each call uses fresh rooms / usernames and two fresh browser contexts:
//   Duet       Ana joins a room and waits; Ben joins it; Ben's page offers,
//              Ana's answers (html/, the demo page);
//   VideoCall  Ana registers and waits; Ben registers and then calls Ana
//              with an offer, Ana accepts with an answer
//              (bench/setup/videocall.html).
// t0 = the moment Ben's page sends its first request (Duet "join",
// VideoCall "register"), t1 = the later of the two first remote video
// frames presented (requestVideoFrameCallback on each page); the result is
// t1 - t0, measured by setupTime() of tests/e2e/lib/duet.mjs for both.
//
// Usage: node setup-bench.mjs --calls N --tsv FILE [--warmup K]
// Writes one TSV row per call (failed calls too, with ok=0) and prints a
// line per call. Exits non-zero if any counted call failed.
import fs from 'node:fs';
import { Peer, uniqueRoom, setupTime, disconnect } from '../../tests/e2e/lib/duet.mjs';
import { VideoCallPeer } from './videocall-peer.mjs';

// The phases after t0, from both pages' timings (caller = Ben, callee = Ana).
const PHASES = [
	['joined_ms', 'caller', 'joinedAt'],
	['offer_sent_ms', 'caller', 'offerCreatedAt'],
	['offer_in_ms', 'callee', 'offerReceivedAt'],
	['answer_sent_ms', 'callee', 'answerCreatedAt'],
	['answer_in_ms', 'caller', 'answerReceivedAt'],
	['up_caller_ms', 'caller', 'webrtcUpAt'],
	['up_callee_ms', 'callee', 'webrtcUpAt'],
	['frame_caller_ms', 'caller', 'firstRemoteFrameAt'],
	['frame_callee_ms', 'callee', 'firstRemoteFrameAt'],
];
const COLUMNS = ['call', 'plugin', 'ok', 'setup_ms', ...PHASES.map(([name]) => name)];

function parseArgs(argv) {
	const opts = { calls: 12, warmup: 0, tsv: null };
	for (let i = 0; i < argv.length; i += 2) {
		const [key, value] = [argv[i], argv[i + 1]];
		if (key === '--calls') opts.calls = Number(value);
		else if (key === '--warmup') opts.warmup = Number(value);
		else if (key === '--tsv') opts.tsv = value;
		else throw new Error(`unknown option ${key}`);
	}
	if (!opts.tsv || !(opts.calls >= 1)) throw new Error('usage: setup-bench.mjs --calls N --tsv FILE [--warmup K]');
	return opts;
}

/** One Duet call; resolves with both pages' timings and the setup time. */
async function duetCall() {
	const room = uniqueRoom('setup');
	const ana = await Peer.open('Ana', room);
	const ben = await Peer.open('Ben', room);
	try {
		await ana.join();
		await ana.status(/Waiting for someone/);
		await ben.join();
		const ms = await setupTime(ana, ben);
		return { ms, caller: await ben.timings(), callee: await ana.timings() };
	} finally {
		await ana.close();
		await ben.close();
	}
}

/** One VideoCall call, the same steps on the VideoCall page. */
async function videoCallCall() {
	const id = uniqueRoom('');
	const ana = await VideoCallPeer.open(`ana${id}`);
	const ben = await VideoCallPeer.open(`ben${id}`);
	try {
		await ana.register();
		await ana.state('waiting');
		await ben.register(ana.name);
		const ms = await setupTime(ana, ben);
		return { ms, caller: await ben.timings(), callee: await ana.timings() };
	} finally {
		await ana.close();
		await ben.close();
	}
}

const FLOWS = { duet: duetCall, videocall: videoCallCall };

/** A TSV row: the setup time and each phase in ms after t0 ('-' if unknown). */
function row(call, plugin, result) {
	if (!result) return [call, plugin, 0, '-', ...PHASES.map(() => '-')];
	const t0 = result.caller.joinSentAt;
	const phase = ([, side, key]) => {
		const t = result[side][key];
		return typeof t === 'number' ? (t - t0).toFixed(1) : '-';
	};
	return [call, plugin, 1, result.ms.toFixed(1), ...PHASES.map(phase)];
}

async function runOne(plugin, label) {
	try {
		const result = await FLOWS[plugin]();
		console.log(`${label} ${plugin}: ${result.ms.toFixed(0)} ms`);
		return result;
	} catch (err) {
		console.log(`${label} ${plugin}: FAILED: ${err.message}`);
		return null;
	}
}

/** Pair i runs Duet first when i is even, VideoCall first when odd (no order bias). */
function order(i) { return i % 2 === 0 ? ['duet', 'videocall'] : ['videocall', 'duet']; }

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	for (let i = 0; i < opts.warmup; i++) {
		for (const plugin of order(i)) await runOne(plugin, `warm-up ${i + 1}/${opts.warmup}`);
	}
	const rows = [COLUMNS];
	let failed = 0;
	for (let i = 0; i < opts.calls; i++) {
		for (const plugin of order(i)) {
			const result = await runOne(plugin, `call ${i + 1}/${opts.calls}`);
			if (!result) failed++;
			rows.push(row(i + 1, plugin, result));
		}
	}
	await disconnect();
	fs.writeFileSync(opts.tsv, rows.map((r) => r.join('\t')).join('\n') + '\n');
	process.exitCode = failed ? 1 : 0;
}

await main();
