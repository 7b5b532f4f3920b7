/*
 * One side of a direct call for the shaped-link benchmark (p2p.html): the
 * camera and microphone with the constraints of the Duet demo page and of
 * bench/setup/minimal.js (640x480 ideal), one RTCPeerConnection without
 * any STUN/TURN server, no SDP munging. Offer and answer are complete
 * (ICE gathering finished), since the benchmark passes them over CDP
 * instead of trickling candidates:
 *
 *   sdp = await window.p2p.offer()         on the caller
 *   sdp = await window.p2p.answer(offer)   on the callee
 *   await window.p2p.accept(answer)        on the caller
 *   window.p2p.pc                          for getStats()
 */
'use strict';

(function () {
	const $ = (id) => document.getElementById(id);
	const p2p = { pc: null, state: () => (p2p.pc ? p2p.pc.connectionState : 'new') };
	window.p2p = p2p;

	async function start() {
		const stream = await navigator.mediaDevices.getUserMedia({
			audio: true,
			video: { width: { ideal: 640 }, height: { ideal: 480 } },
		});
		$('local-video').srcObject = new MediaStream(stream.getVideoTracks());
		const pc = new RTCPeerConnection({ iceServers: [] });
		p2p.pc = pc;
		for (const track of stream.getTracks()) pc.addTrack(track, stream);
		const remote = new MediaStream();
		pc.ontrack = (e) => {
			remote.addTrack(e.track);
			$('remote-video').srcObject = new MediaStream(remote.getTracks());
		};
		pc.onconnectionstatechange = () => { $('status').textContent = pc.connectionState; };
		return pc;
	}

	/** Resolves when the PeerConnection has gathered all its candidates. */
	function gathered(pc) {
		if (pc.iceGatheringState === 'complete') return Promise.resolve();
		return new Promise((resolve) => {
			pc.addEventListener('icegatheringstatechange', () => {
				if (pc.iceGatheringState === 'complete') resolve();
			});
		});
	}

	p2p.offer = async () => {
		const pc = await start();
		await pc.setLocalDescription(await pc.createOffer());
		await gathered(pc);
		return pc.localDescription.sdp;
	};

	p2p.answer = async (sdp) => {
		const pc = await start();
		await pc.setRemoteDescription({ type: 'offer', sdp });
		await pc.setLocalDescription(await pc.createAnswer());
		await gathered(pc);
		return pc.localDescription.sdp;
	};

	p2p.accept = async (sdp) => {
		await p2p.pc.setRemoteDescription({ type: 'answer', sdp });
	};
})();
