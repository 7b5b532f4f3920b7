// 19. A shaped link (issue 11): the receiver's downlink is 500 kbit/s
// (tests/lib/shape.sh), the sender plays a 640x480 clip with detail and
// motion (so that it would send ~1.7 Mbit/s). Within 20 s of the call
// coming up, the receiver must decode frames continuously (at least
// 10 frames in each of 5 consecutive 1-s samples) while the sender's
// outbound video bitrate over those 5 s is under the link rate; and what
// Duet measured the receiver's leg to deliver (handle info `delivered`,
// from its transport-wide feedback) is within the link rate. Without
// adaptation the sender kept sending ~1.7 Mbit/s and the receiver's video
// froze.
//
// Each side is a Chromium process of its own (tests/e2e/lib/chromium.mjs),
// the receiver as Unix user duetrx (shape.sh shapes by socket owner), the
// sender as duettx; the call is the demo page's usual flow (startCall).
import { e2e, uniqueRoom, startCall, handlesIn, assert } from './lib/duet.mjs';
import { launchChromium, ensureClip } from './lib/chromium.mjs';
import { shape } from './lib/shape.mjs';
import { sample } from './lib/rtcstats.mjs';
import { OUT } from './lib/duet.mjs';
import path from 'node:path';
import { after } from 'node:test';

const LINK_KBIT = 500;
const BOUND_MS = 20000;
const RUN = 5;          // consecutive 1-s samples
const MIN_FRAMES = 10;  // decoded frames in each

// The two Chromium processes and the shaping outlive the test body, so that
// a failed test's screenshots (taken by e2e() after it) still work.
const procs = [];
after(async () => {
	for (const p of procs) await p.close();
	shape('clear');
});

e2e('a receiver on a 500 kbit/s downlink keeps decoding; the sender comes under the link rate', async (open) => {
	const clip = ensureClip();
	shape('init');
	shape('set', '--down', LINK_KBIT);
	console.log(shape('probe', 'down', LINK_KBIT));
	for (const [side, user] of [['rx', 'duetrx'], ['tx', 'duettx']]) {
		procs.push(await launchChromium({ user, video: clip, log: path.join(OUT, `chromium-19-${side}.log`) }));
	}
	const room = uniqueRoom('shaped');
	const rx = await open('Ana', room, { browser: procs[0].browser });
	const tx = await open('Ben', room, { browser: procs[1].browser });
	await startCall(rx, tx);

	const deadline = Date.now() + BOUND_MS;
	const seconds = [];
	let prev = null;
	let ok = false;
	while (!ok && Date.now() < deadline + 1000) {
		await rx.page.waitForTimeout(1000);
		const [r, t] = await Promise.all([sample(rx.page, 'duet'), sample(tx.page, 'duet')]);
		if (prev && r && t && r.inV && prev.r.inV && t.outV && prev.t.outV) {
			seconds.push({
				frames: r.inV.framesDecoded - prev.r.inV.framesDecoded,
				txKbit: (t.outV.bytesSent - prev.t.outV.bytesSent) * 8 / (t.t - prev.t.t),
				lost: r.inV.packetsLost - prev.r.inV.packetsLost,
				height: r.inV.frameHeight,
			});
			const last = seconds.slice(-RUN);
			ok = last.length === RUN && last.every((s) => s.frames >= MIN_FRAMES)
				&& last.reduce((sum, s) => sum + s.txKbit, 0) / RUN < LINK_KBIT;
		}
		prev = { r, t };
	}
	const table = seconds.map((s, i) => `${i + 1}s: ${s.frames} frames, ${s.height}p, `
		+ `sender ${s.txKbit.toFixed(0)} kbit/s, ${s.lost} packets lost`).join('\n  ');
	console.log(`per second after the call came up:\n  ${table}`);
	assert.ok(ok, `within ${BOUND_MS / 1000} s, no ${RUN} s in a row with >= ${MIN_FRAMES} decoded frames each `
		+ `and the sender under ${LINK_KBIT} kbit/s:\n  ${table}`);
	const ana = (await handlesIn(room)).find((h) => h.display === 'Ana');
	assert.ok(ana.delivered > 50000 && ana.delivered < LINK_KBIT * 1000 * 1.15,
		`the receiver's leg delivered ${ana.delivered} bit/s on a ${LINK_KBIT} kbit/s link`);
}, { timeout: 120000 });
