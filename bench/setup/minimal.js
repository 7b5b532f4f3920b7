/*
 * Minimal call page of the call setup benchmark (bench/setup/minimal.html):
 * the least a page must do to set up a 1:1 call with Debian's janus.js,
 * through Janus's own VideoCall plugin (?plugin=videocall, the default) or
 * through Duet (?plugin=duet). The same page for both, so that the two
 * plugins can be compared with nothing else different; it makes the call
 * the way the Duet demo page (its duet-client library, client/src/) does:
 *
 *   - "Enter" opens camera and microphone while the first request travels
 *     (VideoCall: register; Duet: join);
 *   - the second participant offers as soon as that request is answered
 *     (VideoCall: "call" to the name typed in "Call"; Duet: "offer" when the
 *     join result names a peer already in the room);
 *   - the first one answers at once (VideoCall: "accept"; Duet: "answer"),
 *     with the camera it opened when it entered;
 *   - the first remote video frame presented is noted with
 *     requestVideoFrameCallback.
 *
 * With ?simulcast=1 the participant that offers sends its camera as
 * janus.js's simulcast layers (bench/network's duet-simulcast system).
 *
 * Unlike the demo page, it has no layout to switch, no styles to speak of,
 * no preview to re-attach, no live figures: a Duet call on this page
 * against one on the demo page shows what the demo page itself costs.
 *
 * window.vcbench.timings() gives the same names as the tests' page hooks
 * (tests/e2e/lib/page-hooks.js, window.__duetTest.timings()):
 * joinSentAt (the first request), joinedAt (its result), callStartedAt,
 * offerCreatedAt, offerReceivedAt, answerCreatedAt, answerReceivedAt,
 * webrtcUpAt, firstRemoteFrameAt — wall-clock ms comparable across pages.
 */
/* global Janus, adapter */
'use strict';

(function () {
	const $ = (id) => document.getElementById(id);

	/**
	 * What differs between the plugins: the requests, and which event means
	 * what. kind(msg) names an event 'entered', 'offer', 'answer', 'hangup'
	 * or '' (anything else); enteredWithPeer(msg, target) says whether this
	 * participant is the one to offer.
	 */
	const DIALECTS = {
		videocall: {
			plugin: 'janus.plugin.videocall',
			enter: (name) => ({ request: 'register', username: name }),
			offer: (target) => ({ request: 'call', username: target }),
			answer: () => ({ request: 'accept' }),
			kind: (msg) => ({ registered: 'entered', incomingcall: 'offer', accepted: 'answer', hangup: 'hangup' }[
				(msg.result || {}).event] || ''),
			enteredWithPeer: (msg, target) => target !== '',
		},
		duet: {
			plugin: 'janus.plugin.duet',
			enter: (name, target) => ({ request: 'join', room: target, display: name }),
			offer: () => ({ request: 'offer' }),
			answer: () => ({ request: 'answer' }),
			kind: (msg) => ({ joined: 'entered', offer: 'offer', answer: 'answer', hangup: 'hangup' }[msg.duet] || ''),
			enteredWithPeer: (msg) => !!msg.peer,
		},
	};

	const page = {
		dialect: null,
		janus: null,
		handle: null,
		target: '',          // VideoCall: whom to call ('' = wait); Duet: the room
		preview: null,       // Promise of the camera+mic stream opened on entering
		remoteStream: new MediaStream(),
		firstFrameArmed: false,
		state: 'connecting',
		timings: {},
	};

	/** Wall-clock milliseconds with sub-ms precision, comparable across pages. */
	function now() { return performance.timeOrigin + performance.now(); }

	function setState(state, text) {
		page.state = state;
		$('status').textContent = text || state;
	}

	function fail(text) {
		console.error(text);
		setState('failed', text);
	}

	/* ---------- connecting ---------- */

	function init() {
		const name = new URLSearchParams(location.search).get('plugin') || 'videocall';
		page.dialect = DIALECTS[name];
		if (!page.dialect) { fail(`unknown plugin ${name}`); return; }
		$('plugin-name').textContent = page.dialect.plugin;
		window.vcbench = {
			timings: () => Object.assign({}, page.timings),
			state: () => page.state,
			pc: () => (page.handle && page.handle.webrtcStuff ? page.handle.webrtcStuff.pc : null),
		};
		$('enter-form').addEventListener('submit', (e) => {
			e.preventDefault();
			enter($('name-input').value.trim(), $('target-input').value.trim());
		});
		Janus.init({
			debug: ['error'],
			dependencies: Janus.useDefaultDependencies({ adapter }),
			callback: connect,
		});
	}

	function connect() {
		// The same transports, in the same order, as the Duet demo page on http://.
		const host = location.hostname;
		page.janus = new Janus({
			server: [`ws://${host}:8188`, `http://${host}:8088/janus`],
			iceServers: [],          // media goes to Janus itself: never STUN/TURN
			success: attach,
			error: (err) => fail(`Janus: ${err}`),
		});
	}

	function attach() {
		page.janus.attach({
			plugin: page.dialect.plugin,
			opaqueId: 'setup-bench-' + Janus.randomString(12),
			success: (handle) => {
				page.handle = handle;
				$('enter-button').disabled = false;
				setState('ready', 'connected');
			},
			error: (err) => fail(`attach: ${err}`),
			onmessage: onMessage,
			onlocaltrack: onLocalTrack,
			onremotetrack: onRemoteTrack,
			webrtcState: onWebrtc,
		});
	}

	/* ---------- the call flow ---------- */

	function enter(name, target) {
		page.target = target;
		setState('entering', `entering as ${name}…`);
		page.timings = { joinSentAt: now() };
		startPreview();
		send(page.dialect.enter(name, target));
	}

	function send(message, jsep) {
		console.debug('bench ->', JSON.stringify(message), jsep ? `(+${jsep.type})` : '');
		page.handle.send({
			message,
			jsep: jsep || undefined,
			error: (err) => fail(`${message.request}: ${err}`),
		});
	}

	function onMessage(msg, jsep) {
		console.debug('bench <-', JSON.stringify(msg), jsep ? `(+${jsep.type})` : '');
		if (msg.error_code) {
			fail(`error ${msg.error_code}: ${msg.error}`);
			return;
		}
		switch (page.dialect.kind(msg)) {
		case 'entered':
			page.timings.joinedAt = now();
			if (page.dialect.enteredWithPeer(msg, page.target)) offer().catch((err) => fail(`offer: ${err}`));
			else setState('waiting', 'waiting for a call');
			break;
		case 'offer':
			answer(jsep).catch((err) => fail(`answer: ${err}`));
			break;
		case 'answer':
			// VideoCall also tells the callee "accepted", without a JSEP.
			if (jsep) acceptAnswer(jsep).catch((err) => fail(`accepting the answer: ${err}`));
			break;
		case 'hangup':
			page.handle.hangup(false);
			setState('ended', 'call ended');
			break;
		default:
			break;
		}
	}

	async function offer() {
		page.timings.callStartedAt = now();
		setState('calling', 'calling…');
		const tracks = await captureTracks();
		tracks[1].simulcast = new URLSearchParams(location.search).get('simulcast') === '1';
		const jsep = await janusPromise('createOffer', { tracks });
		page.timings.offerCreatedAt = now();
		send(page.dialect.offer(page.target), jsep);
	}

	async function answer(offerJsep) {
		page.timings.callStartedAt = now();
		setState('calling', 'answering…');
		const tracks = await captureTracks();
		page.timings.offerReceivedAt = now();
		const jsep = await janusPromise('createAnswer', { jsep: offerJsep, tracks });
		page.timings.answerCreatedAt = now();
		send(page.dialect.answer(), jsep);
	}

	async function acceptAnswer(answerJsep) {
		page.timings.answerReceivedAt = now();
		await janusPromise('handleRemoteJsep', { jsep: answerJsep });
	}

	function onWebrtc(up) {
		if (!up) return;
		page.timings.webrtcUpAt = page.timings.webrtcUpAt || now();
		setState('in-call', 'in call');
	}

	/** A janus.js handle method taking success/error callbacks, as a Promise. */
	function janusPromise(method, options) {
		return new Promise((resolve, reject) => {
			page.handle[method](Object.assign({}, options, { success: resolve, error: reject }));
		});
	}

	/* ---------- camera, microphone and video elements ---------- */

	/** Open camera and microphone (the constraints of the Duet demo page) and show the preview. */
	function startPreview() {
		page.preview = navigator.mediaDevices.getUserMedia({
			audio: true,
			video: { width: { ideal: 640 }, height: { ideal: 480 } },
		}).then((stream) => {
			$('local-video').srcObject = new MediaStream(stream.getVideoTracks());
			return stream;
		}, (err) => {
			fail(`camera: ${err}`);
			return null;
		});
	}

	/** The preview's tracks handed to janus.js, or a fresh capture if there is none. */
	async function captureTracks() {
		const stream = page.preview ? await page.preview : null;
		page.preview = null;
		if (!stream) {
			return [{ type: 'audio', capture: true, recv: true }, { type: 'video', capture: true, recv: true }];
		}
		return [
			{ type: 'audio', capture: stream.getAudioTracks()[0], recv: true },
			{ type: 'video', capture: stream.getVideoTracks()[0], recv: true },
		];
	}

	function onLocalTrack(track, on) {
		// The preview already shows this very track: nothing to re-attach.
		const shown = $('local-video').srcObject;
		if (on && track.kind === 'video' && !(shown && shown.getVideoTracks()[0] === track)) {
			$('local-video').srcObject = new MediaStream([track]);
		}
	}

	function onRemoteTrack(track, mid, on) {
		for (const t of page.remoteStream.getTracks()) {
			if (t === track || (on && t.kind === track.kind)) page.remoteStream.removeTrack(t);
		}
		if (on && track.readyState !== 'ended') page.remoteStream.addTrack(track);
		const tracks = page.remoteStream.getTracks();
		$('remote-video').srcObject = tracks.length ? new MediaStream(tracks) : null;
		if (on && track.kind === 'video') armFirstFrame();
	}

	/** Note when the first remote video frame is presented (not merely received). */
	function armFirstFrame() {
		const video = $('remote-video');
		if (page.firstFrameArmed || page.timings.firstRemoteFrameAt || !video.requestVideoFrameCallback) return;
		page.firstFrameArmed = true;
		video.requestVideoFrameCallback((presented) => {
			page.firstFrameArmed = false;
			if (!page.timings.firstRemoteFrameAt) page.timings.firstRemoteFrameAt = performance.timeOrigin + presented;
		});
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
