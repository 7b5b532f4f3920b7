/*
 * Duet signaling: everything the page says to Janus and the Duet plugin.
 *
 * Two layers, no DOM in either:
 *   DuetSignaling  wraps janus.js: one Janus session, one handle attached to
 *                  "janus.plugin.duet", requests as Promises, pushed plugin
 *                  events and WebRTC callbacks as emitted events.
 *   DuetCall       the call flow of the API (docs/api.md): join,
 *                  the second joiner offers, the first answers, renegotiation,
 *                  hangup/leave, taking a seat back after a reload. It emits
 *                  "state" whenever what the UI should show changes.
 *
 * duet-ui.js listens to DuetCall and never talks to janus.js itself.
 */
/* global Janus, adapter */
'use strict';

(function (global) {

	// Janus answers an async request with an event named after it.
	const RESULT_OF = {
		join: 'joined',
		offer: 'offering',
		answer: 'answered',
		configure: 'configured',
		message: 'sent',
		hangup: 'hungup',
		leave: 'left',
	};

	/** Minimal event emitter: on(name, fn), off(name, fn), emit(name, ...args). */
	class Emitter {
		constructor() { this._handlers = {}; }
		on(name, fn) { (this._handlers[name] = this._handlers[name] || []).push(fn); return this; }
		off(name, fn) { this._handlers[name] = (this._handlers[name] || []).filter((f) => f !== fn); }
		emit(name, ...args) {
			for (const fn of (this._handlers[name] || []).slice()) {
				try { fn(...args); } catch (e) { console.error('handler for', name, 'failed:', e); }
			}
		}
	}

	/**
	 * An error answered by the Duet plugin ({"duet":"event","error_code":N})
	 * or by the Janus core / transport (then `core` is true).
	 */
	class DuetError extends Error {
		constructor(code, message, request, core) {
			super(message);
			this.name = 'DuetError';
			this.code = code;
			this.request = request;
			this.core = !!core;
		}
	}

	/**
	 * The default Janus endpoints for a page served from `location`: the
	 * WebSocket transport first, the HTTP (long-poll) transport as fallback.
	 * Janus's own HTTPS/WSS ports are used when the page itself is on HTTPS
	 * (browsers refuse ws:// from an https:// page).
	 */
	function defaultServers(location) {
		const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
		if (location.protocol === 'https:') {
			return [`wss://${host}:8989`, `https://${host}:8089/janus`];
		}
		return [`ws://${host}:8188`, `http://${host}:8088/janus`];
	}

	class DuetSignaling extends Emitter {
		constructor({ servers, debug }) {
			super();
			this.servers = servers;
			this.debug = debug;
			this.janus = null;
			this.handle = null;
			this._pending = [];   // async requests waiting for their result event, oldest first
		}

		/** Create the Janus session and attach to the Duet plugin. */
		connect() {
			return new Promise((resolve, reject) => {
				Janus.init({
					debug: this.debug ? 'all' : ['error'],
					dependencies: Janus.useDefaultDependencies({ adapter }),
					callback: () => {
						if (!Janus.isWebrtcSupported()) {
							reject(new DuetError(0, 'This browser does not support WebRTC.', 'connect', true));
							return;
						}
						let attached = false;
						this.janus = new Janus({
							server: this.servers,
							iceServers: [],          // Media goes to Janus itself: never STUN/TURN.
							success: () => this._attach().then((h) => { attached = true; resolve(h); }, reject),
							error: (err) => {
								const e = new DuetError(0, String(err), 'connect', true);
								// Before the handle exists this is a failed connect; after, a lost server.
								if (!attached) reject(e); else this.emit('connection-lost', e);
							},
							destroyed: () => this.emit('destroyed-session'),
						});
					},
				});
			});
		}

		_attach() {
			return new Promise((resolve, reject) => {
				this.janus.attach({
					plugin: 'janus.plugin.duet',
					opaqueId: 'duet-' + Janus.randomString(12),
					success: (handle) => { this.handle = handle; resolve(handle); },
					error: (err) => reject(new DuetError(0, String(err), 'attach', true)),
					onmessage: (msg, jsep) => this._onMessage(msg, jsep),
					onlocaltrack: (track, on) => this.emit('localtrack', track, on),
					onremotetrack: (track, mid, on) => this.emit('remotetrack', track, mid, on),
					webrtcState: (up, reason) => this.emit('webrtc', up, reason),
					iceState: (state) => this.emit('ice', state),
					mediaState: (kind, on, mid) => this.emit('media', kind, on, mid),
					slowLink: (uplink, lost) => this.emit('slowlink', uplink, lost),
					oncleanup: () => this.emit('cleanup'),
					ondetached: () => this.emit('detached'),
				});
			});
		}

		/**
		 * Send a request to the plugin; resolves with its result body.
		 * Sync requests resolve from the transaction's success response; async
		 * ones when their result event arrives. The plugin answers a handle's
		 * requests in order, so an error event belongs to the oldest request
		 * still waiting (the events carry no transaction janus.js would show us).
		 */
		request(body, jsep) {
			return new Promise((resolve, reject) => {
				if (!this.handle) {
					reject(new DuetError(0, 'Not connected to the Duet plugin.', body.request, true));
					return;
				}
				const expect = RESULT_OF[body.request];
				const entry = expect ? { request: body.request, expect, resolve, reject } : null;
				// Queue before sending: over HTTP the event may overtake the ack.
				if (entry) this._pending.push(entry);
				console.debug('duet ->', JSON.stringify(body), jsep ? `(+${jsep.type})` : '');
				this.handle.send({
					message: body,
					jsep: jsep || undefined,
					success: (data) => {
						if (!data) return;           // ack: the result comes as an event
						console.debug('duet <- (sync)', JSON.stringify(data));
						if (entry) this._drop(entry); // answered synchronously after all
						if (data.error_code) reject(new DuetError(data.error_code, data.error, body.request));
						else resolve(data);
					},
					error: (err) => {
						console.debug('duet <- (core error)', String(err));
						if (entry) this._drop(entry);
						// janus.js gives "<code> <reason>" for core errors.
						const m = /^(\d+)\s+(.*)$/.exec(String(err));
						reject(new DuetError(m ? +m[1] : 0, m ? m[2] : String(err), body.request, true));
					},
				});
			});
		}

		_drop(entry) { this._pending = this._pending.filter((e) => e !== entry); }

		_onMessage(msg, jsep) {
			console.debug('duet <-', JSON.stringify(msg), jsep ? `(+${jsep.type})` : '');
			if (msg.error_code) {
				const entry = this._pending.shift();
				const err = new DuetError(msg.error_code, msg.error, entry ? entry.request : undefined);
				if (entry) entry.reject(err);
				else this.emit('error', err);
				return;
			}
			const entry = this._pending.find((e) => e.expect === msg.duet);
			if (entry) {
				this._drop(entry);
				entry.resolve(msg, jsep);
				return;
			}
			this.emit('event', msg, jsep);
		}

		/** janus.js offer/answer helpers as Promises. */
		createOffer(options) {
			return new Promise((resolve, reject) => {
				this.handle.createOffer(Object.assign({}, options, { success: resolve, error: reject }));
			});
		}

		createAnswer(jsep, tracks) {
			return new Promise((resolve, reject) => {
				this.handle.createAnswer({ jsep, tracks, success: resolve, error: reject });
			});
		}

		acceptAnswer(jsep) {
			return new Promise((resolve, reject) => {
				this.handle.handleRemoteJsep({ jsep, success: resolve, error: reject });
			});
		}

		/** Close our PeerConnection locally (Janus has closed, or will close, its side). */
		closeMedia() { if (this.handle) this.handle.hangup(false); }

		/** Whether janus.js holds a PeerConnection or local media that closeMedia() would end. */
		hasMedia() {
			const stuff = this.handle && this.handle.webrtcStuff;
			return !!(stuff && (stuff.pc || stuff.myStream));
		}

		peerConnection() {
			return this.handle && this.handle.webrtcStuff ? this.handle.webrtcStuff.pc : null;
		}

		/** Leave for good: destroys the session (and with it the handle). */
		disconnect() {
			return new Promise((resolve) => {
				if (!this.janus) { resolve(); return; }
				this.janus.destroy({ success: resolve, error: resolve, notifyDestroyed: false });
			});
		}
	}

	/* ---------------------------------------------------------------- */

	const SEAT_KEY = 'duet.seat';

	/**
	 * The call flow. `state` is one of:
	 *   connecting-server, ready (not in a room), joining,
	 *   waiting (alone in the room), paired (peer there, no call yet),
	 *   calling (offer/answer/ICE in progress), in-call, ended (hung up),
	 *   peer-dropped (peer's connection vanished, seat held),
	 *   left, kicked, destroyed, replaced, failed (fatal)
	 * and `info` says why (e.g. {reason:'hangup', by:'peer'}).
	 */
	class DuetCall extends Emitter {
		constructor({ servers, debug }) {
			super();
			this.sig = new DuetSignaling({ servers, debug });
			this.state = 'connecting-server';
			this.info = {};
			this.room = null;
			this.me = null;            // {id, display}
			this.peer = null;          // {id, display}
			this.relay = { audio: true, video: true };  // what configure last set
			this.screen = false;       // sharing the screen instead of the camera
			this.timings = {};         // call-setup instrumentation, read by the tests
			this._bindEvents();
		}

		_bindEvents() {
			const s = this.sig;
			s.on('event', (msg, jsep) => this._onEvent(msg, jsep));
			s.on('error', (err) => this.emit('error', err));
			s.on('webrtc', (up, reason) => this._onWebrtc(up, reason));
			s.on('connection-lost', (err) => this._set('failed', { error: err, lost: true }));
			s.on('detached', () => {
				if (!['failed', 'left'].includes(this.state)) this._set('failed', { detached: true });
			});
			s.on('localtrack', (t, on) => this.emit('localtrack', t, on));
			s.on('remotetrack', (t, mid, on) => this.emit('remotetrack', t, mid, on));
			s.on('cleanup', () => {
				this.emit('cleanup');
				// janus.js stopped the call's tracks; keep a preview while in the room.
				if (this.me && !['left', 'kicked', 'destroyed', 'replaced', 'failed'].includes(this.state)) this._startPreview();
			});
			s.on('ice', (state) => this.emit('ice', state));
		}

		_set(state, info) {
			this.state = state;
			this.info = info || {};
			this.emit('state', state, this.info);
		}

		async connect() {
			try {
				await this.sig.connect();
				this._set('ready');
			} catch (err) {
				this._set('failed', { error: err });
				throw err;
			}
		}

		/* ---------- joining and leaving ---------- */

		/** Join `room`; with a saved seat for it, take that seat back. */
		async join({ room, display, pin }) {
			const body = { request: 'join', room };
			if (display) body.display = display;
			if (pin) body.pin = pin;
			const seat = DuetCall.savedSeat();
			if (seat && seat.room === room) {
				body.id = seat.id;
				body.reconnect_token = seat.reconnect_token;
			}
			this._set('joining', { room });
			this.timings = { joinSentAt: now() };
			// Open camera and microphone while the join travels: the preview shows
			// at once, and the call that follows need not wait for getUserMedia.
			this._startPreview();
			let joined;
			try {
				joined = await this.sig.request(body);
			} catch (err) {
				this._stopPreview();
				this._set('ready', { error: err, room });
				throw err;
			}
			this.timings.joinedAt = now();
			this.room = String(joined.room);
			this.me = { id: joined.id, display: joined.display || '' };
			this.peer = joined.peer || null;
			DuetCall.saveSeat({ room: this.room, id: joined.id, reconnect_token: joined.reconnect_token });
			// A fresh join relays both kinds again (also after taking a seat back).
			this.relay = { audio: true, video: true };
			if (this.peer) {
				// We are the second one in: the contract makes us the caller.
				this.call().catch((err) => this.emit('error', err));
			} else {
				this._set('waiting');
			}
			return joined;
		}

		async leave() {
			try {
				await this.sig.request({ request: 'leave' });
			} finally {
				DuetCall.clearSeat();
				this.sig.closeMedia();
				this._stopPreview();
				this.peer = null;
				this._set('left', { room: this.room });
			}
		}

		/* ---------- offer / answer ---------- */

		/**
		 * Offers, answers and renegotiations run one at a time: janus.js has one
		 * PeerConnection per handle, and two of them interleaved (our "call
		 * again" while the peer's offer arrives) would corrupt it. A task that
		 * fails does not stop the ones queued after it.
		 */
		_serial(task) {
			const run = (this._queue || Promise.resolve()).then(task);
			this._queue = run.catch(() => {});
			return run;
		}

		/** Start a call: capture camera+mic and send the offer. */
		call() { return this._serial(() => this._call()); }

		async _call() {
			this._newCallTimings();
			this._set('calling', { role: 'caller' });
			// A stale PeerConnection (a call that ended without us hearing) would make
			// this a renegotiation; a new call starts from a clean one. With nothing to
			// close, closing would only make janus.js report a cleanup, and the page
			// drop and re-attach the camera preview in the middle of the call setup.
			if (this.sig.hasMedia()) this.sig.closeMedia();
			await this._offer({ tracks: await this._captureTracks() });
		}

		async _offer(options) {
			const startedAt = now();
			const jsep = await this.sig.createOffer(options);
			this.timings.offerCreatedAt = this.timings.offerCreatedAt || now();
			// Test hook: the glare test holds both pages' offers and lets them go together.
			if (this.offerGate) await this.offerGate;
			try {
				await this.sig.request({ request: 'offer' }, jsep);
			} catch (err) {
				// Glare: the peer offered at the same moment and its offer won. The
				// plugin says so with 464; when the peer's offer had already been
				// pushed to our handle, the Janus core itself refuses ours first
				// (490 "Error setting ICE locally"). Either way the peer's "offer"
				// event comes, or came while ours was being made, and answering it
				// recovers.
				if (err.code === 464 || (err.core && await this._peerOfferedSince(startedAt, 3000))) {
					this.glares = (this.glares || 0) + 1;
					this.emit('notice', 'Both of you started the call at once — answering the other side.');
					return;
				}
				throw err;
			}
		}

		async _answer(msg, jsep) {
			const pc = this.sig.peerConnection();
			const fresh = !msg.renegotiation || !pc;
			if (fresh) {
				this._newCallTimings();
				this._set('calling', { role: 'callee' });
				// A new call answers from a new PeerConnection; except when our own
				// offer lost a glare: then this one answers (the browser rolls our
				// offer back), keeping the ICE credentials and DTLS certificate Janus
				// may already have seen in that offer.
				const glare = pc && pc.signalingState === 'have-local-offer';
				if (!msg.renegotiation && !glare && this.sig.hasMedia()) this.sig.closeMedia();
			}
			// A PeerConnection that already sends keeps its tracks; a new one captures.
			const tracks = this.sig.peerConnection() ? [] : await this._captureTracks();
			this.timings.offerReceivedAt = this.timings.offerReceivedAt || now();
			const answer = await this.sig.createAnswer(jsep, tracks);
			this.timings.answerCreatedAt = this.timings.answerCreatedAt || now();
			await this.sig.request({ request: 'answer' }, answer);
			// A renegotiated screen share may have been stopped by our own reply:
			// keep the "sharing" flag in line with what the sender really sends.
			this._syncScreenFlag();
		}

		/** Whether the peer's offer arrives (or arrived) after `since`, waiting up to `ms`. */
		_peerOfferedSince(since, ms) {
			return new Promise((resolve) => {
				const deadline = now() + ms;
				const check = () => {
					if (this._remoteOfferAt >= since) resolve(true);
					else if (now() > deadline) resolve(false);
					else setTimeout(check, 50);
				};
				check();
			});
		}

		/** Renegotiate: an ICE restart on the same PeerConnection. */
		restartIce() {
			return this._serial(async () => {
				if (!this.sig.peerConnection()) throw new DuetError(0, 'There is no call to reconnect.', 'offer', true);
				await this._offer({ iceRestart: true, tracks: [] });
			});
		}

		/** Renegotiate: replace the camera by the screen (or back). */
		shareScreen(on) {
			return this._serial(async () => {
				if (!this.sig.peerConnection()) throw new DuetError(0, 'Start a call before sharing your screen.', 'offer', true);
				const track = on
					? { type: 'screen', capture: { frameRate: { ideal: 15 } }, replace: true }
					: { type: 'video', capture: true, replace: true };
				await this._offer({ tracks: [track] });
				this._syncScreenFlag();
			});
		}

		_syncScreenFlag() {
			const pc = this.sig.peerConnection();
			const sender = pc && pc.getSenders().find((s) => s.track && s.track.kind === 'video');
			// Only display-capture tracks have a displaySurface setting.
			const sharing = !!(sender && sender.track && sender.track.getSettings().displaySurface);
			if (sharing !== this.screen) { this.screen = sharing; this.emit('screen', sharing); }
		}

		/* ---------- in-call requests ---------- */

		async hangup() {
			await this.sig.request({ request: 'hangup' });
			this.sig.closeMedia();
			this._set('ended', { reason: 'hangup', by: 'me' });
		}

		/** Relay (true) or drop (false) our audio or video at the plugin. */
		async setRelay(kind, on) {
			const res = await this.sig.request({ request: 'configure', [kind]: on });
			// The result carries the resulting settings; trust them over our wish.
			this.relay[kind] = typeof res[kind] === 'boolean' ? res[kind] : on;
			this.emit('relay', this.relay);
			return this.relay;
		}

		async sendChat(text) {
			await this.sig.request({ request: 'message', text });
			this.emit('chat', { from: 'me', text, at: new Date() });
		}

		/* ---------- pushed events ---------- */

		_onEvent(msg, jsep) {
			switch (msg.duet) {
			case 'peer_joined':
				this.peer = msg.peer;
				this._set('paired', { joined: true });   // the newcomer offers; we wait
				break;
			case 'offer': {
				this._remoteOfferAt = now();
				// Answer only the newest offer: one still waiting in the queue when a
				// newer one arrives is stale, and answering it can only fail.
				const seq = this._offerSeq = (this._offerSeq || 0) + 1;
				this._serial(() => (seq === this._offerSeq ? this._answer(msg, jsep) : undefined))
					.catch((err) => this.emit('error', err));
				break;
			}
			case 'answer':
				this.timings.answerReceivedAt = this.timings.answerReceivedAt || now();
				this._serial(() => this.sig.acceptAnswer(jsep))
					.then(() => this._syncScreenFlag())
					.catch((err) => this.emit('error', new DuetError(0, 'The browser rejected the answer: ' + err, 'answer', true)));
				break;
			case 'hangup':
				this.sig.closeMedia();
				// Leave/kick/disconnect are told separately (peer_left, ...); "hangup"
				// or "closed" ends the call and both stay in the room.
				if (!['left', 'kicked'].includes(msg.reason)) this._set('ended', { reason: msg.reason, by: 'peer' });
				break;
			case 'peer_disconnected':
				this.sig.closeMedia();
				if (msg.peer) this.peer = msg.peer;
				this._set('peer-dropped', { window: msg.reconnect_window });
				break;
			case 'peer_reconnected':
				if (msg.peer) this.peer = msg.peer;
				this._set('paired', { reconnected: true });   // the returning side offers
				break;
			case 'peer_left':
				this.sig.closeMedia();
				if (msg.reason === 'replaced' && this.me && msg.peer && msg.peer.id === this.me.id) {
					// Another tab took our seat with our token: this page is out.
					this._stopPreview();
					this._set('replaced');
					break;
				}
				this._set('waiting', { left: this.peer || msg.peer, reason: msg.reason });
				this.peer = null;
				break;
			case 'message':
				this.emit('chat', { from: 'peer', text: msg.text, at: new Date() });
				break;
			case 'kicked':
				this.sig.closeMedia();
				this._stopPreview();
				DuetCall.clearSeat();
				this._set('kicked', { room: this.room });
				break;
			case 'destroyed':
				this.sig.closeMedia();
				this._stopPreview();
				DuetCall.clearSeat();
				this._set('destroyed', { room: this.room });
				break;
			default:
				console.debug('Duet: unhandled event', msg);
			}
		}

		_onWebrtc(up, reason) {
			if (up) {
				this.timings.webrtcUpAt = this.timings.webrtcUpAt || now();
				this._set('in-call');
				return;
			}
			// Janus closed our PeerConnection. The plugin's own event (hangup,
			// peer_disconnected, ...) normally says why and arrives too; this only
			// keeps the UI from claiming a call that is gone if it does not.
			if (['in-call', 'calling'].includes(this.state)) {
				this._set('ended', { reason: 'closed', by: 'server', detail: reason });
			}
		}

		/* ---------- helpers ---------- */

		/** Per-call instrumentation starts again; the join times stay. */
		_newCallTimings() {
			const { joinSentAt, joinedAt } = this.timings;
			this.timings = { joinSentAt, joinedAt, callStartedAt: now() };
		}

		/** Start capturing camera and microphone (once); emits "preview" with the stream. */
		_startPreview() {
			if (this._preview) {
				// Already capturing: show it again (a cleanup may have blanked the UI).
				this._preview.then((stream) => { if (stream) this.emit('preview', stream); });
				return this._preview;
			}
			const preview = navigator.mediaDevices.getUserMedia({
				audio: true,
				video: { width: { ideal: 640 }, height: { ideal: 480 } },
			}).then((stream) => {
				if (this._preview !== preview) { stream.getTracks().forEach((t) => t.stop()); return null; }
				this.emit('preview', stream);
				return stream;
			}, (err) => {
				if (this._preview === preview) this._preview = null;
				this.emit('error', err);
				return null;
			});
			this._preview = preview;
			return preview;
		}

		_stopPreview() {
			const preview = this._preview;
			this._preview = null;
			if (preview) preview.then((stream) => stream && stream.getTracks().forEach((t) => t.stop()));
			this.emit('preview', null);
		}

		/**
		 * The tracks for a new PeerConnection: the preview's, handed over to
		 * janus.js (which stops them when the call ends), or a fresh capture.
		 */
		async _captureTracks() {
			const stream = this._preview ? await this._preview : null;
			this._preview = null;
			const live = stream && stream.getTracks().length === 2
				&& stream.getTracks().every((t) => t.readyState === 'live');
			if (!live) return DuetCall.cameraTracks();
			return [
				{ type: 'audio', capture: stream.getAudioTracks()[0], recv: true },
				{ type: 'video', capture: stream.getVideoTracks()[0], recv: true },
			];
		}

		static cameraTracks() {
			return [
				{ type: 'audio', capture: true, recv: true },
				{ type: 'video', capture: true, recv: true },
			];
		}

		static savedSeat() {
			try { return JSON.parse(sessionStorage.getItem(SEAT_KEY)); } catch (e) { return null; }
		}

		static saveSeat(seat) { sessionStorage.setItem(SEAT_KEY, JSON.stringify(seat)); }

		static clearSeat() { sessionStorage.removeItem(SEAT_KEY); }
	}

	/** Wall-clock milliseconds with sub-ms precision, comparable across pages. */
	function now() { return performance.timeOrigin + performance.now(); }

	global.Duet = { DuetSignaling, DuetCall, DuetError, defaultServers, now };
})(window);
