// 20. Simulcast end to end (issue 11): a sender with the library's
// `simulcast: true` and a 1280x720 camera. Duet answers it with simulcast
// accepted, so its three encodings really go out (outbound bytesSent grows
// for each rid); the receiver gets one layer, the top one (its frame height
// is the sender's top encoding's), on one continuous stream; `configure`
// `substream: 0` brings it down to the lowest layer (the frame height falls
// to the sender's lowest encoding's) and a `simulcast` event says so.
import { e2e, uniqueRoom, assert } from './lib/duet.mjs';

const page = (room, name, extra = '') => ({ path: `/test/library.html?room=${encodeURIComponent(room)}&display=${name}${extra}` });

async function waitState(p, want, timeout = 20000) {
	await p.page.waitForFunction((w) => window.call && window.call.state === w, want, { timeout });
}

/** The sender's outbound video per rid: {rid: {bytes, height}}. */
function outbound(p) {
	return p.page.evaluate(async () => {
		const out = {};
		(await window.call.peerConnection.getStats()).forEach((s) => {
			if (s.type === 'outbound-rtp' && s.kind === 'video') out[s.rid || '-'] = { bytes: s.bytesSent || 0, height: s.frameHeight || 0 };
		});
		return out;
	});
}

/** The receiver's inbound video: frame height, frames decoded, SSRCs seen. */
function inbound(p) {
	return p.page.evaluate(async () => {
		const v = [];
		(await window.call.peerConnection.getStats()).forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'video') v.push({ height: s.frameHeight || 0, frames: s.framesDecoded || 0, ssrc: s.ssrc });
		});
		return v;
	});
}

async function poll(what, check, timeout, describe) {
	const end = Date.now() + timeout;
	let last;
	while (Date.now() < end) {
		last = await what();
		if (check(last)) return last;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`${describe}: last seen ${JSON.stringify(last)}`);
}

e2e('a simulcasting sender sends three layers; the receiver gets the top one, and substream 0 on request', async (open) => {
	const room = uniqueRoom('simulcast');
	const rx = await open('Ana', room, page(room, 'Ana'));
	await waitState(rx, 'waiting');
	const tx = await open('Ben', room, page(room, 'Ben', '&simulcast=1&hd=1'));
	await Promise.all([waitState(rx, 'in-call'), waitState(tx, 'in-call')]);

	// Every encoding goes out: bytesSent grows for h, m and l.
	const first = await poll(() => outbound(tx), (o) => ['h', 'm', 'l'].every((r) => o[r] && o[r].bytes > 0), 20000, 'the three encodings never all sent');
	const later = await poll(() => outbound(tx), (o) => ['h', 'm', 'l'].every((r) => o[r].bytes > first[r].bytes + 20000), 20000, 'an encoding stopped growing');
	console.log(`sender encodings: ${JSON.stringify(later)}`);

	// The receiver decodes one stream, at the top layer's height.
	const top = await poll(async () => ({ o: await outbound(tx), i: await inbound(rx) }),
		({ o, i }) => i.length === 1 && i[0].frames > 30 && o.h.height > o.l.height && i[0].height === o.h.height,
		30000, 'the receiver never decoded the top layer');
	console.log(`top layer: receiver ${top.i[0].height}p, sender h/m/l ${top.o.h.height}/${top.o.m.height}/${top.o.l.height}p`);

	// Down to the lowest layer on request, with a simulcast event.
	const answer = await rx.page.evaluate(() => window.call.configure({ substream: 0 }));
	assert.equal(answer.substream, 0);
	await rx.page.waitForFunction(() => window.events.some((e) => e.name === 'simulcast' && e.args[0].substream === 0), null, { timeout: 15000 });
	const low = await poll(async () => ({ o: await outbound(tx), i: await inbound(rx) }),
		({ o, i }) => i.length === 1 && i[0].height > 0 && i[0].height <= o.l.height && i[0].height < top.i[0].height,
		15000, 'the receiver\'s frame height never fell to the lowest layer');
	console.log(`after substream 0: receiver ${low.i[0].height}p (lowest layer ${low.o.l.height}p)`);
	// Still one continuous stream, still decoding.
	const frames = low.i[0].frames;
	await poll(() => inbound(rx), (i) => i.length === 1 && i[0].frames > frames + 20, 10000, 'frames stopped after the switch');
}, { timeout: 150000 });
