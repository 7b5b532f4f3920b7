/*
 * VideoCall benchmark page (bench/setup/videocall.html): a 1:1 call through
 * Janus's own VideoCall plugin (janus.plugin.videocall) with Debian's
 * janus.js, made the same way the Duet demo page makes its call
 * (html/js/duet-signaling.js), so that bench/setup/ times both flows alike:
 *
 *   - "Register" opens camera and microphone while the register request
 *     travels (Duet's page does so with its join);
 *   - with a name in "Call", the page calls it with an offer as soon as it
 *     is registered (Duet: the second one in offers as soon as joined);
 *   - an incoming call is accepted at once with an answer made from the
 *     camera opened at registration (Duet: the first one answers the offer
 *     with the camera opened at its join);
 *   - the first remote video frame presented is noted with
 *     requestVideoFrameCallback.
 *
 * window.vcbench.timings() gives the same names as window.duet.timings():
 * joinSentAt (the register request), joinedAt (registered), callStartedAt,
 * offerCreatedAt, offerReceivedAt, answerCreatedAt, answerReceivedAt,
 * webrtcUpAt, firstRemoteFrameAt — wall-clock ms comparable across pages.
 */
/* global Janus, adapter */
'use strict';

(function () {
	const $ = (id) => document.getElementById(id);

	const page = {
		janus: null,
		handle: null,
		callee: '',          // whom to call once registered ('' = wait for a call)
		preview: null,       // Promise of the camera+mic stream opened at registration
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
		window.vcbench = {
			timings: () => Object.assign({}, page.timings),
			state: () => page.state,
			pc: () => (page.handle && page.handle.webrtcStuff ? page.handle.webrtcStuff.pc : null),
		};
		$('register-form').addEventListener('submit', (e) => {
			e.preventDefault();
			register($('name-input').value.trim(), $('callee-input').value.trim());
		});
		Janus.init({
			debug: ['error'],
			dependencies: Janus.useDefaultDependencies({ adapter }),
			callback: connect,
		});
	}

	function connect() {
		// The same transports, in the same order, as the Duet page on http://.
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
			plugin: 'janus.plugin.videocall',
			opaqueId: 'vcbench-' + Janus.randomString(12),
			success: (handle) => {
				page.handle = handle;
				$('register-button').disabled = false;
				setState('ready', 'connected: register');
			},
			error: (err) => fail(`attach: ${err}`),
			onmessage: onMessage,
			onlocaltrack: onLocalTrack,
			onremotetrack: onRemoteTrack,
			webrtcState: onWebrtc,
		});
	}

	/* ---------- the call flow ---------- */

	function register(name, callee) {
		page.callee = callee;
		setState('registering', `registering as ${name}…`);
		page.timings = { joinSentAt: now() };
		startPreview();
		send({ request: 'register', username: name });
	}

	function send(message, jsep) {
		console.debug('videocall ->', JSON.stringify(message), jsep ? `(+${jsep.type})` : '');
		page.handle.send({
			message,
			jsep: jsep || undefined,
			error: (err) => fail(`${message.request}: ${err}`),
		});
	}

	function onMessage(msg, jsep) {
		console.debug('videocall <-', JSON.stringify(msg), jsep ? `(+${jsep.type})` : '');
		if (msg.error_code) {
			fail(`VideoCall error ${msg.error_code}: ${msg.error}`);
			return;
		}
		const result = msg.result || {};
		switch (result.event) {
		case 'registered':
			page.timings.joinedAt = now();
			if (page.callee) call(page.callee).catch((err) => fail(`call: ${err}`));
			else setState('waiting', `registered as ${result.username}: waiting for a call`);
			break;
		case 'incomingcall':
			accept(result.username, jsep).catch((err) => fail(`accept: ${err}`));
			break;
		case 'accepted':
			// The caller's "accepted" carries the answer; the callee's carries none.
			if (jsep) acceptAnswer(jsep).catch((err) => fail(`answer: ${err}`));
			break;
		case 'hangup':
			page.handle.hangup(false);
			setState('ended', `call ended: ${result.reason || ''}`);
			break;
		default:
			break;
		}
	}

	async function call(callee) {
		page.timings.callStartedAt = now();
		setState('calling', `calling ${callee}…`);
		const tracks = await captureTracks();
		const offer = await janusPromise('createOffer', { tracks });
		page.timings.offerCreatedAt = now();
		send({ request: 'call', username: callee }, offer);
	}

	async function accept(caller, offer) {
		page.timings.callStartedAt = now();
		setState('calling', `answering ${caller}…`);
		const tracks = await captureTracks();
		page.timings.offerReceivedAt = now();
		const answer = await janusPromise('createAnswer', { jsep: offer, tracks });
		page.timings.answerCreatedAt = now();
		send({ request: 'accept' }, answer);
	}

	async function acceptAnswer(answer) {
		page.timings.answerReceivedAt = now();
		await janusPromise('handleRemoteJsep', { jsep: answer });
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

	/** Open camera and microphone (the constraints of the Duet page) and show the preview. */
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
		if (on && track.kind === 'video') $('local-video').srcObject = new MediaStream([track]);
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
