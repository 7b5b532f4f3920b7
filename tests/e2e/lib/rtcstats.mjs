// getStats() samples of a page's PeerConnection, for the shaped-link
// benchmark (bench/network) and the shaped-link end-to-end test: the
// cumulative counters of the video and audio received and of the video
// sent, the candidate pair's send estimate, and the remote video frames
// presented since the previous sample (requestVideoFrameCallback).
//
// `which` names where the page keeps its PeerConnection: 'duet' (the demo
// page, the tests' page hooks' pc()), 'minimal' (bench/setup/minimal.html,
// window.vcbench.pc()), 'p2p' (bench/network/p2p.html, window.p2p.pc).

/** Start noting every presented frame of #remote-video (call once the call is up). */
export async function installFrameClock(page) {
	await page.evaluate(() => {
		if (window.__frameClock) return;
		const clock = { frames: [] };
		window.__frameClock = clock;
		const video = document.getElementById('remote-video');
		const onFrame = (now) => {
			clock.frames.push(performance.timeOrigin + now);
			video.requestVideoFrameCallback(onFrame);
		};
		video.requestVideoFrameCallback(onFrame);
	});
}

/**
 * One sample: { t (wall ms of the report), frames: [presented wall ms since
 * the last sample], inV, inA, outV, pair } with cumulative counters; null
 * if the page has no PeerConnection.
 */
export async function sample(page, which) {
	return page.evaluate(async (w) => {
		const pc = w === 'duet' ? (window.__duetTest && window.__duetTest.pc()) || (window.duet && window.duet.pc())
			: w === 'minimal' ? window.vcbench && window.vcbench.pc() : window.p2p && window.p2p.pc;
		const clock = window.__frameClock;
		const frames = clock ? clock.frames.splice(0) : [];
		if (!pc) return null;
		const report = await pc.getStats();
		const s = { t: performance.timeOrigin + performance.now(), frames, inV: null, inA: null, outV: null, pair: null, codec: '' };
		const codecs = {};
		report.forEach((r) => { if (r.type === 'codec') codecs[r.id] = r.mimeType; });
		report.forEach((r) => {
			if (r.type === 'inbound-rtp' && r.kind === 'video') {
				s.inV = {
					framesDecoded: r.framesDecoded || 0, framesReceived: r.framesReceived || 0,
					framesDropped: r.framesDropped || 0, frameHeight: r.frameHeight || 0,
					packetsLost: r.packetsLost || 0, packetsReceived: r.packetsReceived || 0,
					bytesReceived: r.bytesReceived || 0, jitterBufferDelay: r.jitterBufferDelay || 0,
					jitterBufferEmittedCount: r.jitterBufferEmittedCount || 0, freezeCount: r.freezeCount || 0,
					totalFreezesDuration: r.totalFreezesDuration || 0, nackCount: r.nackCount || 0,
					pliCount: r.pliCount || 0, firCount: r.firCount || 0, keyFramesDecoded: r.keyFramesDecoded || 0,
				};
				s.codec = codecs[r.codecId] || '';
			} else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
				s.inA = {
					concealedSamples: r.concealedSamples || 0, totalSamplesReceived: r.totalSamplesReceived || 0,
					packetsLost: r.packetsLost || 0, packetsReceived: r.packetsReceived || 0,
					packetsDiscarded: r.packetsDiscarded || 0,
				};
			} else if (r.type === 'outbound-rtp' && r.kind === 'video') {
				const o = s.outV || { bytesSent: 0, retransmittedBytesSent: 0, framesEncoded: 0, frameHeight: 0,
					targetBitrate: 0, qualityLimitationReason: '', nackCount: 0 };
				o.bytesSent += r.bytesSent || 0;
				o.retransmittedBytesSent += r.retransmittedBytesSent || 0;
				o.framesEncoded += r.framesEncoded || 0;
				o.frameHeight = Math.max(o.frameHeight, r.frameHeight || 0);
				o.targetBitrate += r.targetBitrate || 0;
				o.nackCount += r.nackCount || 0;
				o.qualityLimitationReason = o.qualityLimitationReason || r.qualityLimitationReason || '';
				// Each encoding on its own (a simulcasting sender has one per rid).
				o.layers = o.layers || [];
				o.layers.push({ rid: r.rid || '', bytesSent: r.bytesSent || 0, framesEncoded: r.framesEncoded || 0,
					frameHeight: r.frameHeight || 0 });
				s.outV = o;
			} else if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
				s.pair = { availableOutgoingBitrate: r.availableOutgoingBitrate || 0, rtt: r.currentRoundTripTime || 0 };
			}
		});
		return s;
	}, which);
}

/**
 * What the page negotiated: 'VP8 twcc remb opus' when VP8 is the first
 * codec of both descriptions' video section and both transport-cc and
 * goog-remb feedback are in both for it (otherwise the missing parts show),
 * and Opus the first of the remote description's audio section, the codec
 * the page sends its audio with ('red': Opus with redundancy).
 */
export async function negotiated(page, which) {
	const sdps = await page.evaluate((w) => {
		const pc = w === 'duet' ? (window.__duetTest && window.__duetTest.pc()) || (window.duet && window.duet.pc())
			: w === 'minimal' ? window.vcbench && window.vcbench.pc() : window.p2p && window.p2p.pc;
		if (!pc || !pc.localDescription || !pc.remoteDescription) return null;
		return [pc.localDescription.sdp, pc.remoteDescription.sdp];
	}, which);
	if (!sdps) return 'none';
	const each = sdps.map((sdp) => {
		const video = sdp.split(/\r?\nm=/).find((m) => m.startsWith('video')) || '';
		const pts = (video.split('\n')[0].split(' ').slice(3)).map((p) => p.trim());
		const codec = (video.match(new RegExp(`a=rtpmap:${pts[0]} ([^/]+)/`)) || [])[1] || '?';
		const fb = (kind) => new RegExp(`a=rtcp-fb:${pts[0]} ${kind}`).test(video);
		return { codec, twcc: fb('transport-cc'), remb: fb('goog-remb') };
	});
	const codec = each[0].codec === each[1].codec ? each[0].codec : `${each[0].codec}/${each[1].codec}`;
	const audio = sdps[1].split(/\r?\nm=/).find((m) => m.startsWith('audio')) || '';
	const audioPt = (audio.split('\n')[0].split(' ')[3] || '').trim();
	const audioCodec = (audio.match(new RegExp(`a=rtpmap:${audioPt} ([^/]+)/`)) || [])[1] || 'none';
	return [codec, each.every((e) => e.twcc) ? 'twcc' : 'no-twcc', each.every((e) => e.remb) ? 'remb' : 'no-remb',
		audioCodec.toLowerCase()].join(' ');
}
