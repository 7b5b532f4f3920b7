// The shaped-link benchmark's calls (run inside the e2e set-up by
// bench/network/run.sh; README.md there says what is measured and why).
//
// Two Chromium processes of their own (tests/e2e/lib/chromium.mjs), both
// playing the same y4m clip as camera: the sender as Unix user duettx, the
// receiver as duetrx, whose UDP downlink (or the sender's uplink)
// tests/lib/shape.sh shapes. Per profile, a UDP probe checks the shaping;
// then calls alternate between the systems, call by call:
//   duet       Duet through Janus (bench/setup/minimal.html?plugin=duet);
//   videocall  Janus's VideoCall plugin (the same page, ?plugin=videocall);
//   p2p        a direct call (bench/network/p2p.html), no Janus.
// Each call: set up (the sender offers), warm-up, then a measurement
// window; getStats on both sides every 500 ms throughout.
//
// Usage: node network-bench.mjs --out DIR [--calls N] [--profiles a,b]
//          [--systems a,b] [--window S] [--warmup S] [--smoke]
// Writes DIR/calls.tsv (one row per call), DIR/series.tsv (every sample),
// prints a line per call. Exits non-zero if a call did not set up or its
// receiver decoded no frame.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, ensureClip } from '../../tests/e2e/lib/chromium.mjs';
import { shape } from '../../tests/e2e/lib/shape.mjs';
import { installFrameClock, sample, negotiated } from '../../tests/e2e/lib/rtcstats.mjs';
import { BASE_URL } from '../../tests/e2e/lib/duet.mjs';
import { MinimalPeer } from '../setup/minimal-peer.mjs';
import { windowMetrics, stepMetrics, intervals } from './metrics.mjs';

const SAMPLE_MS = 500;

// Shaping per profile: the receiver's downlink (down) or the sender's uplink
// (up), kbit/s or 'off', loss in %; steps: [seconds into the window, shaping].
const PROFILES = {
	unconstrained: { shaping: { down: 'off', up: 'off' } },
	down1000: { shaping: { down: 1000 } },
	down500: { shaping: { down: 500 } },
	down300: { shaping: { down: 300 } },
	'down500-loss3': { shaping: { down: 500, downLoss: 3 } },
	step300: { shaping: { down: 'off' }, steps: [[10, { down: 300 }], [25, { down: 'off' }]], window: 50 },
	up500: { shaping: { up: 500 } },
};
// duet-simulcast: Duet with the sender sending janus.js's three simulcast
// layers (the receiver gets the one its estimate fits).
const SYSTEMS = ['duet', 'duet-simulcast', 'videocall', 'p2p'];

function parseArgs(argv) {
	const o = { calls: 3, profiles: Object.keys(PROFILES), systems: SYSTEMS, window: 20, warmup: 6, out: null, smoke: false };
	for (let i = 0; i < argv.length; i++) {
		const [k, v] = [argv[i], argv[i + 1]];
		if (k === '--smoke') { o.smoke = true; continue; }
		i++;
		if (k === '--calls') o.calls = Number(v);
		else if (k === '--profiles') o.profiles = v.split(',');
		else if (k === '--systems') o.systems = v.split(',');
		else if (k === '--window') o.window = Number(v);
		else if (k === '--warmup') o.warmup = Number(v);
		else if (k === '--out') o.out = v;
		else throw new Error(`unknown option ${k}`);
	}
	const bad = o.profiles.filter((p) => !PROFILES[p]).concat(o.systems.filter((s) => !SYSTEMS.includes(s)));
	if (!o.out || !(o.calls >= 1) || bad.length) {
		throw new Error(`usage: network-bench.mjs --out DIR [--calls N] [--profiles ${Object.keys(PROFILES)}]`
			+ ` [--systems ${SYSTEMS}] [--window S] [--warmup S] [--smoke]${bad.length ? ` (unknown: ${bad})` : ''}`);
	}
	return o;
}

/** Apply a shaping ({down, downLoss, up, upLoss}); directions not named are left as they are. */
function applyShaping(s) {
	const args = [];
	if (s.down !== undefined) args.push('--down', s.down);
	if (s.downLoss) args.push('--down-loss', s.downLoss);
	if (s.up !== undefined) args.push('--up', s.up);
	if (s.upLoss) args.push('--up-loss', s.upLoss);
	shape('set', ...args);
}

/** Check a profile's shaping with the UDP probe; returns the measured kbit/s (or '-'). */
function probe(profile) {
	const s = profile.shaping;
	const dir = s.up !== undefined && s.up !== 'off' ? 'up' : 'down';
	const kbit = dir === 'up' ? s.up : s.down;
	const line = shape('probe', dir, kbit === undefined ? 'off' : kbit, ...((s.downLoss || s.upLoss) ? ['--loss'] : []));
	console.log(`  ${line}`);
	const m = line.match(/: (\d+) kbit\/s/);
	return m ? Number(m[1]) : '-';
}

/* ---------- one call per system: set up, then the pages to sample ---------- */

let seq = 0;

async function minimalCall(plugin, browsers, txQuery = '') {
	const id = `${Date.now().toString(36)}${++seq}`;
	const rx = await MinimalPeer.open(`rx${id}`, plugin, { browser: browsers.rx });
	const tx = await MinimalPeer.open(`tx${id}`, plugin, { browser: browsers.tx, query: txQuery });
	const close = async () => { await rx.close(); await tx.close(); };
	try {
		// The receiver enters first and waits; the sender enters (Duet: joins
		// the room; VideoCall: calls the receiver) and offers.
		await rx.enter(plugin === 'duet' ? `net${id}` : '');
		await rx.state('waiting');
		await tx.enter(plugin === 'duet' ? `net${id}` : rx.name);
		await Promise.all([rx.state('in-call'), tx.state('in-call')]);
	} catch (err) {
		await close();
		throw err;
	}
	return { rx: rx.page, tx: tx.page, which: 'minimal', close };
}

async function p2pCall(browsers) {
	const pages = {};
	const contexts = [];
	for (const side of ['rx', 'tx']) {
		const context = await browsers[side].newContext({ viewport: { width: 1280, height: 860 } });
		contexts.push(context);
		pages[side] = await context.newPage();
		await pages[side].goto(`${BASE_URL}/bench/network/p2p.html`);
	}
	const close = async () => { for (const c of contexts) await c.close().catch(() => {}); };
	try {
		const offer = await pages.tx.evaluate(() => window.p2p.offer());
		const answer = await pages.rx.evaluate((sdp) => window.p2p.answer(sdp), offer);
		await pages.tx.evaluate((sdp) => window.p2p.accept(sdp), answer);
		for (const side of ['rx', 'tx']) {
			await pages[side].waitForFunction(() => window.p2p.state() === 'connected', null, { timeout: 20000 });
		}
	} catch (err) {
		await close();
		throw err;
	}
	return { rx: pages.rx, tx: pages.tx, which: 'p2p', close };
}

function setUp(system, browsers) {
	if (system === 'p2p') return p2pCall(browsers);
	return system === 'duet-simulcast' ? minimalCall('duet', browsers, '&simulcast=1') : minimalCall(system, browsers);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One call: set up, warm-up, window, with samples of both sides every
 * 500 ms from set-up to the end, and the profile's steps applied on time.
 */
async function runCall(system, profileName, opts, browsers) {
	const profile = PROFILES[profileName];
	const windowS = profile.window ? Math.max(profile.window, opts.window) : opts.window;
	applyShaping({ up: 'off', down: 'off', ...profile.shaping });
	let call;
	try {
		call = await setUp(system, browsers);
	} catch (err) {
		return { ok: false, error: `set-up failed: ${err.message.split('\n')[0]}` };
	}
	try {
		await installFrameClock(call.rx);
		const nego = await negotiated(call.rx, call.which);
		const t0 = Date.now();
		const windowStart = t0 + opts.warmup * 1000;
		const end = windowStart + windowS * 1000;
		const steps = (profile.steps || []).map(([s, shaping]) => ({ at: windowStart + s * 1000, shaping }));
		let link = linkRate(profile.shaping);
		const samples = [];
		for (let i = 0; ; i++) {
			const due = t0 + i * SAMPLE_MS;
			if (due > end) break;
			await sleep(Math.max(0, due - Date.now()));
			while (steps.length && steps[0].at <= Date.now()) {
				const step = steps.shift();
				applyShaping(step.shaping);
				link = linkRate(step.shaping);
			}
			const [rx, tx] = await Promise.all([sample(call.rx, call.which), sample(call.tx, call.which)]);
			samples.push({ wall: Date.now(), link, rx, tx });
		}
		return { ok: true, nego, samples, windowStart, windowS, steps: profile.steps || [] };
	} catch (err) {
		return { ok: false, error: `during the call: ${err.message.split('\n')[0]}` };
	} finally {
		await call.close();
	}
}

/** The shaped rate that matters for the plot: the downlink's, else the uplink's (kbit/s, 0 = none). */
function linkRate(s) {
	if (s.down !== undefined && s.down !== 'off') return s.down;
	if (s.up !== undefined && s.up !== 'off') return s.up;
	return 0;
}

/* ---------- output ---------- */

const CALL_COLUMNS = ['profile', 'system', 'call', 'ok', 'negotiated', 'probe_kbps', 'rx_fps', 'rx_rendered_fps',
	'frozen_pct', 'frozen_stats_pct', 'height', 'loss_pct', 'jb_ms', 'rx_kbps', 'audio_concealed_pct',
	'tx_kbps', 'tx_target_kbps', 'tx_bwe_kbps', 'tx_qlr', 'fluid_s', 'recover_s', 'error'];
const SERIES_COLUMNS = ['profile', 'system', 'call', 't_s', 'link_kbps', 'tx_kbps', 'tx_target_kbps', 'tx_bwe_kbps',
	'rx_kbps', 'rx_fps', 'rx_rendered_fps', 'rx_height', 'tx_qlr', 'rx_lost', 'rx_nacks', 'rx_key_requests', 'rx_keyframes', 'tx_layers'];

function fmt(x, digits = 1) {
	if (x === null || x === undefined || Number.isNaN(x)) return '-';
	if (typeof x === 'string') return x;
	if (x === Infinity) return 'inf';
	return x.toFixed(digits);
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	fs.mkdirSync(o.out, { recursive: true });
	const clip = ensureClip();
	shape('init');
	const browsers = {};
	const launched = [];
	try {
		for (const [side, user] of [['tx', 'duettx'], ['rx', 'duetrx']]) {
			const c = await launchChromium({ user, video: clip, log: path.join(o.out, `chromium-${side}.log`) });
			launched.push(c);
			browsers[side] = c.browser;
		}
		const rows = [CALL_COLUMNS];
		const series = [SERIES_COLUMNS];
		let passed = 0;
		let failed = 0;
		for (const profileName of o.profiles) {
			console.log(`profile ${profileName}:`);
			applyShaping({ up: 'off', down: 'off', ...PROFILES[profileName].shaping });
			const probed = probe(PROFILES[profileName]);
			for (let c = 0; c < o.calls; c++) {
				// Rotate the order every call, so that no system always goes first.
				const order = o.systems.map((_, k) => o.systems[(k + c) % o.systems.length]);
				for (const system of order) {
					const r = await runCall(system, profileName, o, browsers);
					const label = `  call ${c + 1}/${o.calls} ${system}`;
					if (!r.ok) {
						failed++;
						console.log(`${label}: FAILED: ${r.error}`);
						rows.push([profileName, system, c + 1, 0, '-', probed, ...CALL_COLUMNS.slice(6, -1).map(() => '-'), r.error]);
						continue;
					}
					const m = windowMetrics(r);
					const st = r.steps.length ? stepMetrics(r) : { fluid: null, recover: null };
					const decoded = r.samples.some((s) => s.rx && s.rx.inV && s.rx.inV.framesDecoded > 0);
					if (decoded) passed++; else failed++;
					console.log(`${label}: ${r.nego}; ${fmt(m.fps)} fps decoded, ${fmt(m.frozenPct)} % frozen, `
						+ `${fmt(m.height, 0)}p, loss ${fmt(m.lossPct)} %, rx ${fmt(m.rxKbps, 0)} kbit/s, `
						+ `tx ${fmt(m.txKbps, 0)} kbit/s (${m.qlr || '-'})`
						+ (r.steps.length ? `, fluid after ${fmt(st.fluid)} s, full after ${fmt(st.recover)} s` : '')
						+ (decoded ? '' : ' — NO FRAME DECODED'));
					rows.push([profileName, system, c + 1, decoded ? 1 : 0, r.nego, probed, fmt(m.fps), fmt(m.renderedFps),
						fmt(m.frozenPct), fmt(m.frozenStatsPct), fmt(m.height, 0), fmt(m.lossPct), fmt(m.jbMs),
						fmt(m.rxKbps, 0), fmt(m.concealedPct, 2), fmt(m.txKbps, 0), fmt(m.txTargetKbps, 0),
						fmt(m.txBweKbps, 0), m.qlr || '-', fmt(st.fluid), fmt(st.recover), decoded ? '' : 'no frame decoded']);
					for (const iv of intervals(r)) {
						series.push([profileName, system, c + 1, fmt(iv.t, 2), iv.link, fmt(iv.txKbps, 0), fmt(iv.txTargetKbps, 0),
							fmt(iv.txBweKbps, 0), fmt(iv.rxKbps, 0), fmt(iv.fps), fmt(iv.renderedFps), fmt(iv.height, 0), iv.qlr || '-',
							fmt(iv.rxLost, 0), fmt(iv.rxNacks, 0), fmt(iv.rxKeyRequests, 0), fmt(iv.rxKeyframes, 0), iv.txLayers || '-']);
					}
				}
			}
		}
		fs.writeFileSync(path.join(o.out, 'calls.tsv'), rows.map((r) => r.join('\t')).join('\n') + '\n');
		fs.writeFileSync(path.join(o.out, 'series.tsv'), series.map((r) => r.join('\t')).join('\n') + '\n');
		console.log(`${passed} passed, ${failed} failed`);
		process.exitCode = failed ? 1 : 0;
	} finally {
		for (const c of launched) await c.close();
		shape('clear');
	}
}

await main();
