/*
 * Live call figures from RTCPeerConnection.getStats(): resolution, frame
 * rate, bitrate (from byte counters between two samples) and round-trip time.
 * The bitrate needs two samples, so keep one CallStats per PeerConnection and
 * call sample() periodically.
 */
export class CallStats {
	constructor(pc) {
		this.pc = pc;
		this.prev = null;   // {time, inBytes, outBytes} of the last sample
	}

	async sample() {
		const report = await this.pc.getStats();
		const fig = {
			in: { video: null, audio: null },
			out: { video: null },
			rttMs: null,
		};
		let inBytes = 0, outBytes = 0;
		report.forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'video') {
				fig.in.video = {
					width: s.frameWidth, height: s.frameHeight,
					fps: s.framesPerSecond, framesDecoded: s.framesDecoded || 0,
					packets: s.packetsReceived || 0,
				};
			} else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
				fig.in.audio = { packets: s.packetsReceived || 0 };
			} else if (s.type === 'outbound-rtp' && s.kind === 'video') {
				fig.out.video = { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond };
			} else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded'
					&& typeof s.currentRoundTripTime === 'number') {
				fig.rttMs = s.currentRoundTripTime * 1000;
			}
			if (s.type === 'inbound-rtp') inBytes += s.bytesReceived || 0;
			if (s.type === 'outbound-rtp') outBytes += s.bytesSent || 0;
		});
		const time = performance.now();
		if (this.prev && time > this.prev.time) {
			const secs = (time - this.prev.time) / 1000;
			fig.in.kbps = Math.max(0, (inBytes - this.prev.inBytes) * 8 / 1000 / secs);
			fig.out.kbps = Math.max(0, (outBytes - this.prev.outBytes) * 8 / 1000 / secs);
		}
		this.prev = { time, inBytes, outBytes };
		return fig;
	}
}

/** "640×480 · 20 fps · 950 kbit/s" from one direction's figures. */
export function describe(video, kbps) {
	const parts = [];
	if (video && video.width) parts.push(`${video.width}×${video.height}`);
	if (video && typeof video.fps === 'number') parts.push(`${Math.round(video.fps)} fps`);
	if (typeof kbps === 'number') parts.push(kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`);
	return parts.join(' · ');
}
