// The shaped-link benchmark's figures from one call's samples (see
// network-bench.mjs for how they are taken and README.md for what each
// means). A call result r has r.samples = [{ wall, link, rx, tx }] (rx/tx:
// rtcstats.mjs samples, cumulative counters), r.windowStart (wall ms),
// r.windowS and r.steps ([[seconds into the window, shaping], ...]).

const FRAME_MS = 1000 / 30;   // the clip's frame interval
const FLUID_MIN_FPS = 10;     // below this a stretch is not fluid, whatever the reference
const FLUID_MAX_GAP_MS = 300; // nor with a presented-frame gap above this
const HOLD_S = 3;             // "fluid again" / "full quality" must then hold this long

const median = (xs) => {
	const v = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
	if (!v.length) return null;
	const k = (v.length - 1) / 2;
	return (v[Math.floor(k)] + v[Math.ceil(k)]) / 2;
};

function mostCommon(xs) {
	const n = {};
	for (const x of xs) if (x) n[x] = (n[x] || 0) + 1;
	return Object.keys(n).sort((a, b) => n[b] - n[a])[0] || '';
}

/**
 * Milliseconds frozen between `start` and `end` from the presented frames'
 * times: WebRTC's definition (a frame interval longer than max(3 x avg,
 * avg + 150 ms), avg over the last 30 intervals that were not freezes),
 * with avg capped at 150 ms so that a picture crawling at 2 fps counts
 * as frozen; the whole gap counts. No frame at all: all frozen.
 */
export function frozenMs(frames, start, end) {
	let prev = start;
	let frozen = 0;
	const recent = [];
	let avg = FRAME_MS;
	for (const f of [...frames.filter((x) => x > start && x <= end), end]) {
		const gap = f - prev;
		if (gap > Math.max(3 * avg, avg + 150)) {
			frozen += gap;
		} else {
			recent.push(gap);
			if (recent.length > 30) recent.shift();
			avg = Math.min(150, recent.reduce((a, b) => a + b, 0) / recent.length);
		}
		prev = f;
	}
	return frozen;
}

/** Per 500-ms interval (between consecutive samples): rates, fps, height; t = its end, s after the window start. */
export function intervals(r) {
	const out = [];
	let lastFrame = null;
	for (let i = 1; i < r.samples.length; i++) {
		const [a, b] = [r.samples[i - 1], r.samples[i]];
		const iv = { t: (b.wall - r.windowStart) / 1000, link: b.link, frames: b.rx ? b.rx.frames : [] };
		if (a.rx && b.rx && a.rx.inV && b.rx.inV) {
			const dt = (b.rx.t - a.rx.t) / 1000;
			iv.rxKbps = (b.rx.inV.bytesReceived - a.rx.inV.bytesReceived) * 8 / dt / 1000;
			iv.fps = (b.rx.inV.framesDecoded - a.rx.inV.framesDecoded) / dt;
			iv.renderedFps = iv.frames.length / dt;
			iv.height = iv.fps > 0 ? b.rx.inV.frameHeight : null;
			let gap = 0;
			let prev = lastFrame === null ? a.rx.t : lastFrame;
			for (const f of [...iv.frames, b.rx.t]) { gap = Math.max(gap, f - prev); prev = f; }
			iv.maxGapMs = gap;
			// What the receiver lost, asked for again, and got as keyframes in the interval (counts).
			const count = (k) => (b.rx.inV[k] || 0) - (a.rx.inV[k] || 0);
			iv.rxLost = count('packetsLost');
			iv.rxNacks = count('nackCount');
			iv.rxKeyRequests = count('pliCount') + count('firCount');
			iv.rxKeyframes = count('keyFramesDecoded');
		}
		if (iv.frames.length) lastFrame = iv.frames[iv.frames.length - 1];
		if (a.tx && b.tx && a.tx.outV && b.tx.outV) {
			const dt = (b.tx.t - a.tx.t) / 1000;
			iv.txKbps = (b.tx.outV.bytesSent - a.tx.outV.bytesSent) * 8 / dt / 1000;
			iv.txTargetKbps = b.tx.outV.targetBitrate / 1000;
			iv.txBweKbps = b.tx.pair ? b.tx.pair.availableOutgoingBitrate / 1000 : null;
			iv.qlr = b.tx.outV.qualityLimitationReason;
			iv.txLayers = layersOf(a.tx.outV, b.tx.outV, dt);
		}
		out.push(iv);
	}
	return out;
}

/**
 * The sender's encodings in an interval, lowest first: "240p30@150" per
 * encoding sending (height, frames/s, kbit/s), joined by "/".
 */
function layersOf(a, b, dt) {
	if (!a.layers || !b.layers) return '';
	return b.layers.map((l) => {
		const before = a.layers.find((x) => x.rid === l.rid);
		if (!before || l.bytesSent <= before.bytesSent) return null;
		const fps = (l.framesEncoded - before.framesEncoded) / dt;
		const kbps = (l.bytesSent - before.bytesSent) * 8 / dt / 1000;
		return { h: l.frameHeight, text: `${l.frameHeight}p${fps.toFixed(0)}@${kbps.toFixed(0)}` };
	}).filter((x) => x).sort((x, y) => x.h - y.h).map((x) => x.text).join('/');
}

/** The samples between `from` and `to` (wall ms), both sides present. */
function within(r, from, to) {
	return r.samples.filter((s) => s.wall >= from && s.wall <= to && s.rx && s.tx);
}

/**
 * The figures of a call's window (for a profile with steps: of its shaped
 * part, between the first and the second step).
 */
export function windowMetrics(r) {
	let from = r.windowStart;
	let to = r.windowStart + r.windowS * 1000;
	if (r.steps.length >= 2) [from, to] = [r.windowStart + r.steps[0][0] * 1000, r.windowStart + r.steps[1][0] * 1000];
	return rangeMetrics(r, from, to);
}

function rangeMetrics(r, from, to) {
	const s = within(r, from, to);
	const m = {};
	if (s.length < 2) return m;
	const [a, b] = [s[0], s[s.length - 1]];
	const d = (side, kind, key) => (b[side][kind] && a[side][kind] ? b[side][kind][key] - a[side][kind][key] : null);
	const dtRx = (b.rx.t - a.rx.t) / 1000;
	const dtTx = (b.tx.t - a.tx.t) / 1000;
	const frames = s.slice(1).flatMap((x) => x.rx.frames);
	if (a.rx.inV && b.rx.inV) {
		m.fps = d('rx', 'inV', 'framesDecoded') / dtRx;
		m.renderedFps = frames.length / dtRx;
		m.frozenPct = 100 * frozenMs(frames, a.rx.t, b.rx.t) / (b.rx.t - a.rx.t);
		m.frozenStatsPct = 100 * d('rx', 'inV', 'totalFreezesDuration') / dtRx;
		const lost = d('rx', 'inV', 'packetsLost');
		const got = d('rx', 'inV', 'packetsReceived');
		m.lossPct = lost + got > 0 ? 100 * lost / (lost + got) : null;
		const emitted = d('rx', 'inV', 'jitterBufferEmittedCount');
		m.jbMs = emitted > 0 ? 1000 * d('rx', 'inV', 'jitterBufferDelay') / emitted : null;
		m.rxKbps = d('rx', 'inV', 'bytesReceived') * 8 / dtRx / 1000;
		const heights = [];
		for (let i = 1; i < s.length; i++) {
			if (s[i].rx.inV && s[i - 1].rx.inV && s[i].rx.inV.framesDecoded > s[i - 1].rx.inV.framesDecoded) {
				heights.push(s[i].rx.inV.frameHeight);
			}
		}
		m.height = median(heights);
	} else {
		m.fps = 0;
		m.renderedFps = 0;
		m.frozenPct = 100;
	}
	if (a.rx.inA && b.rx.inA) {
		const total = d('rx', 'inA', 'totalSamplesReceived');
		m.concealedPct = total > 0 ? 100 * d('rx', 'inA', 'concealedSamples') / total : null;
	}
	if (a.tx.outV && b.tx.outV) {
		m.txKbps = d('tx', 'outV', 'bytesSent') * 8 / dtTx / 1000;
		m.txTargetKbps = median(s.map((x) => x.tx.outV && x.tx.outV.targetBitrate / 1000));
		m.txBweKbps = median(s.map((x) => x.tx.pair && x.tx.pair.availableOutgoingBitrate / 1000));
		m.qlr = mostCommon(s.map((x) => x.tx.outV && x.tx.outV.qualityLimitationReason));
	}
	return m;
}

/**
 * The step profile's two times, from the 500-ms intervals:
 *   fluid:   after the drop (first step), seconds until the end of the last
 *            interval that was not fluid (rendered fps below max(10, 0.4 x
 *            the fps before the drop), or a presented-frame gap over 300 ms),
 *            provided fluid video then holds for 3 s before the link comes
 *            back; 0 if it never stopped being fluid; Infinity if it never
 *            became fluid for 3 s;
 *   recover: the same after the link comes back (second step), for full
 *            quality: fluid, at least the frame height before the drop, and
 *            a received bitrate over the last 2 s of at least 0.7 x the one
 *            before the drop.
 */
export function stepMetrics(r) {
	const [dropS, restoreS] = [r.steps[0][0], r.steps[1][0]];
	const ref = rangeMetrics(r, r.windowStart, r.windowStart + dropS * 1000);
	const ivs = intervals(r);
	const minFps = Math.max(FLUID_MIN_FPS, 0.4 * (ref.fps || 0));
	const fluid = (iv) => iv.renderedFps >= minFps && iv.maxGapMs <= FLUID_MAX_GAP_MS;
	const full = (iv, i) => {
		const last = ivs.slice(Math.max(0, i - 3), i + 1).filter((x) => x.rxKbps !== undefined);
		const kbps = last.reduce((sum, x) => sum + x.rxKbps, 0) / Math.max(1, last.length);
		return fluid(iv) && iv.height >= (ref.height || 0) && kbps >= 0.7 * (ref.rxKbps || 0);
	};
	const settle = (good, startS, endS) => {
		let lastBad = null;
		ivs.forEach((iv, i) => {
			if (iv.t > startS && iv.t <= endS && !good(iv, i)) lastBad = iv.t;
		});
		if (lastBad === null) return 0;
		return endS - lastBad >= HOLD_S ? lastBad - startS : Infinity;
	};
	return { fluid: settle(fluid, dropS, restoreS), recover: settle(full, restoreS, r.windowS) };
}
