// Test instrumentation, injected by the tests into every page they open
// (context.addInitScript, before any script of the page runs); no shipped
// page carries it. It watches from outside what a page does, whatever
// library it uses:
//   - every RTCPeerConnection made (window.__duetTest.pc(): the live one);
//   - the Janus traffic on WebSockets: when the page sent join/offer/answer,
//     when joined/offer/answer/webrtcup arrived (call setup timings), and how
//     many of its offers were refused (glare);
//   - dropSockets(): close the page's WebSockets (a transport drop);
//   - holdOffers()/releaseOffers(): keep the page's offer requests on the
//     wire until released (to make two offers meet at Janus: glare);
//   - the first remote video frame presented (requestVideoFrameCallback on
//     the page's remote <video>: #remote-video or [data-remote-video]).
(() => {
	const now = () => performance.timeOrigin + performance.now();
	const t = {
		pcs: [],
		timings: {},
		glares: 0,
		offerTx: new Set(),
		holding: false,
		held: [],
		sockets: [],
	};
	const first = (name, at = now()) => { if (t.timings[name] === undefined) t.timings[name] = at; };

	const OrigPC = window.RTCPeerConnection;
	if (OrigPC) {
		window.RTCPeerConnection = class extends OrigPC {
			constructor(...args) { super(...args); t.pcs.push(this); }
		};
	}

	const OrigWS = window.WebSocket;
	window.WebSocket = class extends OrigWS {
		constructor(...args) {
			super(...args);
			t.sockets.push(this);
			super.addEventListener('message', (ev) => onIncoming(ev.data));
		}

		send(data) {
			const msg = parse(data);
			const req = msg && msg.janus === 'message' && msg.body ? msg.body.request : null;
			if (req === 'join') first('joinSentAt');
			if (req === 'offer') { first('offerCreatedAt'); t.offerTx.add(msg.transaction); }
			if (req === 'answer') first('answerCreatedAt');
			if (req === 'offer' && t.holding) { t.held.push(() => super.send(data)); return; }
			super.send(data);
		}
	};

	function onIncoming(text) {
		const msg = parse(text);
		if (!msg) return;
		const data = msg.plugindata && msg.plugindata.data;
		if (msg.janus === 'webrtcup') first('webrtcUpAt');
		if (data && data.duet === 'joined') first('joinedAt');
		if (data && data.duet === 'offer') first('offerReceivedAt');
		if (data && data.duet === 'answer') first('answerReceivedAt');
		if (t.offerTx.has(msg.transaction) && (msg.janus === 'error' || (data && data.error_code))) t.glares++;
	}

	function parse(text) {
		try { return typeof text === 'string' ? JSON.parse(text) : null; } catch (e) { return null; }
	}

	// The first remote video frame shown.
	let armed = false;
	setInterval(() => {
		const video = document.querySelector('#remote-video, [data-remote-video]');
		if (!video || armed || t.timings.firstRemoteFrameAt || !video.requestVideoFrameCallback) return;
		armed = true;
		video.requestVideoFrameCallback((ts) => { armed = false; first('firstRemoteFrameAt', performance.timeOrigin + ts); });
	}, 20);

	window.__duetTest = {
		pc: () => [...t.pcs].reverse().find((pc) => pc.signalingState !== 'closed') || null,
		timings: () => Object.assign({}, t.timings),
		resetTimings: () => { t.timings = {}; },
		glares: () => t.glares,
		holdOffers: () => { t.holding = true; },
		offerHeld: () => t.held.length > 0,
		// Cut the page's WebSocket connections, as a network drop would.
		dropSockets: () => { const n = t.sockets.filter((s) => s.readyState === 1).length; t.sockets.forEach((s) => s.close()); return n; },
		releaseOffers: () => { t.holding = false; const h = t.held; t.held = []; h.forEach((f) => f()); },
	};
})();
