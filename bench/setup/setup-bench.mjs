// Call setup time, Duet vs VideoCall, in one Chromium against one Janus
// (run inside the e2e set-up by bench/setup/run.sh; see README.md there).
//
// Three flows, each call in fresh rooms / usernames and two fresh browser
// contexts (Ana enters first and waits; Ben enters second and offers; Ana
// answers):
//   duet          the Duet demo page (html/): Ana joins, Ben joins, Ben's
//                 page offers, Ana's answers;
//   duet-minimal  the same Duet requests from bench/setup/minimal.html;
//   videocall     Janus's VideoCall plugin from bench/setup/minimal.html:
//                 Ana registers, Ben registers and calls Ana with an offer,
//                 Ana accepts with an answer.
// t0 = the moment Ben's page sends its first request (Duet "join",
// VideoCall "register"), t1 = the later of the two first remote video
// frames presented (requestVideoFrameCallback on each page); the result is
// t1 - t0, measured by setupTime() of tests/e2e/lib/duet.mjs for all.
//
// Usage: node setup-bench.mjs --calls N --tsv FILE [--warmup K] [--flows a,b]
//                              [--settle-max-ms MS]   (0: do not wait; default 5000)
// Writes one TSV row per call (failed calls too, with ok=0) and prints a
// line per call. Exits non-zero if any counted call failed.
import fs from 'node:fs';
import { Peer, uniqueRoom, setupTime, disconnect, browser } from '../../tests/e2e/lib/duet.mjs';
import { MinimalPeer } from './minimal-peer.mjs';

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
const COLUMNS = ['call', 'flow', 'ok', 'setup_ms', ...PHASES.map(([name]) => name)];

function parseArgs(argv) {
	const opts = { calls: 12, warmup: 0, tsv: null, flows: Object.keys(FLOWS), settleMaxMs };
	for (let i = 0; i < argv.length; i += 2) {
		const [key, value] = [argv[i], argv[i + 1]];
		if (key === '--calls') opts.calls = Number(value);
		else if (key === '--warmup') opts.warmup = Number(value);
		else if (key === '--tsv') opts.tsv = value;
		else if (key === '--flows') opts.flows = value.split(',');
		else if (key === '--settle-max-ms') opts.settleMaxMs = Number(value);
		else throw new Error(`unknown option ${key}`);
	}
	if (!opts.tsv || !(opts.calls >= 1) || !opts.flows.every((f) => FLOWS[f])) {
		throw new Error(`usage: setup-bench.mjs --calls N --tsv FILE [--warmup K] [--flows ${Object.keys(FLOWS).join(',')}]`
			+ ' [--settle-max-ms MS]');
	}
	return opts;
}

// Chromium is "settled" when all its processes together used less than
// this share of one core over a sample; we wait at most settleMaxMs.
const SETTLE_SHARE = 0.15;
const SETTLE_SAMPLE_MS = 200;
let settleMaxMs = 5000;
let cdpSession = null;

async function chromiumCpuSeconds() {
	if (!cdpSession) cdpSession = await (await browser()).newBrowserCDPSession();
	const { processInfo } = await cdpSession.send('SystemInfo.getProcessInfo');
	return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
}

/**
 * Wait until Chromium is idle. Every new browser context is a new window,
 * and Chromium loads a window's WebUI (the omnibox popup) in a renderer of
 * its own: about a second of CPU in the two seconds after the window opens.
 * Both participants' windows open just before the call, so without this
 * wait that work would land inside the measured setup, more of it the
 * faster a page loads. The same wait precedes every flow's first request.
 */
async function settle() {
	if (settleMaxMs <= 0) return;
	const deadline = Date.now() + settleMaxMs;
	let before = await chromiumCpuSeconds();
	while (Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, SETTLE_SAMPLE_MS));
		const after = await chromiumCpuSeconds();
		if ((after - before) * 1000 < SETTLE_SHARE * SETTLE_SAMPLE_MS) return;
		before = after;
	}
}

/** One Duet call on the demo page; resolves with both pages' timings and the setup time. */
async function duetCall() {
	const room = uniqueRoom('setup');
	const ana = await Peer.open('Ana', room);
	const ben = await Peer.open('Ben', room);
	try {
		await settle();
		await ana.join();
		await ana.status(/Waiting for someone/);
		await ben.join();
		return await measure(ana, ben);
	} finally {
		await ana.close();
		await ben.close();
	}
}

/** One call on the minimal page: the same steps, through `plugin`. */
async function minimalCall(plugin) {
	const id = uniqueRoom('');
	const ana = await MinimalPeer.open(`ana${id}`, plugin);
	const ben = await MinimalPeer.open(`ben${id}`, plugin);
	// VideoCall: Ana waits, Ben calls her by name. Duet: both join one room.
	const room = `setup${id}`;
	try {
		await settle();
		await ana.enter(plugin === 'duet' ? room : '');
		await ana.state('waiting');
		await ben.enter(plugin === 'duet' ? room : ana.name);
		return await measure(ana, ben);
	} finally {
		await ana.close();
		await ben.close();
	}
}

async function measure(callee, caller) {
	const ms = await setupTime(callee, caller);
	return { ms, caller: await caller.timings(), callee: await callee.timings() };
}

const FLOWS = {
	duet: duetCall,
	'duet-minimal': () => minimalCall('duet'),
	videocall: () => minimalCall('videocall'),
};

/** A TSV row: the setup time and each phase in ms after t0 ('-' if unknown). */
function row(call, flow, result) {
	if (!result) return [call, flow, 0, '-', ...PHASES.map(() => '-')];
	const t0 = result.caller.joinSentAt;
	const phase = ([, side, key]) => {
		const t = result[side][key];
		return typeof t === 'number' ? (t - t0).toFixed(1) : '-';
	};
	return [call, flow, 1, result.ms.toFixed(1), ...PHASES.map(phase)];
}

async function runOne(flow, label) {
	try {
		const result = await FLOWS[flow]();
		console.log(`${label} ${flow}: ${result.ms.toFixed(0)} ms`);
		return result;
	} catch (err) {
		console.log(`${label} ${flow}: FAILED: ${err.message}`);
		return null;
	}
}

/** Round i runs the flows rotated by i, so that none always goes first (no order bias). */
function order(flows, i) { return flows.map((_, k) => flows[(k + i) % flows.length]); }

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	settleMaxMs = opts.settleMaxMs;
	for (let i = 0; i < opts.warmup; i++) {
		for (const flow of order(opts.flows, i)) await runOne(flow, `warm-up ${i + 1}/${opts.warmup}`);
	}
	const rows = [COLUMNS];
	let failed = 0;
	for (let i = 0; i < opts.calls; i++) {
		for (const flow of order(opts.flows, i)) {
			const result = await runOne(flow, `call ${i + 1}/${opts.calls}`);
			if (!result) failed++;
			rows.push(row(i + 1, flow, result));
		}
	}
	await disconnect();
	fs.writeFileSync(opts.tsv, rows.map((r) => r.join('\t')).join('\n') + '\n');
	process.exitCode = failed ? 1 : 0;
}

await main();
