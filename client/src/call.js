/*
 * call.js - DuetCall: one 1:1 call in a Duet room, the contract's flow
 * built in.
 *
 *   join        (with the seat saved in `storage` for this room: take it back)
 *   the second joiner (or the one who took its seat back) offers; the other
 *   answers; either side may renegotiate (screen share, ICE restart)
 *   glare       our offer refused with 464 (or by the core) while the peer's
 *               offer arrives: answer the peer's
 *   reconnect   the transport drops: a new session joins the same seat with
 *               the reconnect token and offers again
 *
 * States: connecting, joining, waiting (alone), paired (peer there, no
 * call), calling, in-call, ended (hung up; both stay), peer-dropped (seat
 * held), reconnecting, left, kicked, destroyed, replaced, failed.
 */
import { Emitter } from './emitter.js';
import { DuetError, ErrorCode } from './errors.js';
import { Session } from './session.js';
import { SeatStore, defaultStorage } from './storage.js';

const GONE = ['left', 'kicked', 'destroyed', 'replaced', 'failed'];

/** Janus's default endpoints next to a page at `location`: WebSocket first, HTTP long poll second. */
export function defaultServers(location = globalThis.location) {
	const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
	return location.protocol === 'https:'
		? [`wss://${host}:8989`, `https://${host}:8089/janus`]
		: [`ws://${host}:8188`, `http://${host}:8088/janus`];
}

const now = () => performance.timeOrigin + performance.now();

export class DuetCall extends Emitter {
	/**
	 * Connect to Janus, attach to Duet and (when `room` is given) join it.
	 * Resolves with the call once joined; rejects with a DuetError.
	 */
	static async connect(options = {}) {
		const call = new this(options);
		await call.open();
		if (options.room !== undefined && options.room !== null) await call.join(options);
		return call;
	}

	constructor(options = {}) {
		super();
		const Janus = options.Janus || globalThis.Janus;
		this.options = Object.assign({ server: defaultServers(), iceServers: [], reconnect: true, autoCall: true }, options, { Janus });
		this.seats = new SeatStore(options.storage === undefined ? defaultStorage() : options.storage);
		this.state = 'connecting';
		this.info = {};
		this.room = null;
		this.id = null;
		this.display = '';
		this.peer = null;
		this.muted = { audio: false, video: false };
		this.settings = null;       // the last `configured` answer
		this.screenSharing = false;
		this.localStream = new MediaStream();
		this.remoteStream = new MediaStream();
		this.glares = 0;
		this.session = null;
		this._queue = Promise.resolve();
		this._preview = null;
		this._offerSeq = 0;
		this._remoteOfferAt = 0;
		this._joinOptions = null;
	}

	/* ---------------------------------------------------------------- */
	/* Connection                                                        */

	/** Open the Janus session and attach to the plugin (connect() does this). */
	async open() {
		this._set('connecting');
		try {
			this.session = await this._newSession();
		} catch (err) {
			this._set('failed', { error: err });
			throw err;
		}
		this._set('ready');
		return this;
	}

	async _newSession() {
		const o = this.options;
		const session = new Session({
			Janus: o.Janus, adapter: o.adapter || globalThis.adapter, server: o.server, iceServers: o.iceServers,
			token: o.janusToken, apisecret: o.apisecret, debug: o.debug,
		});
		this._bind(session);
		try {
			await session.open();
		} catch (err) {
			session.close();
			throw err;
		}
		return session;
	}

	_bind(s) {
		const mine = (fn) => (...args) => { if (this.session === s) fn(...args); };
		s.on('event', mine((msg, jsep) => this._onEvent(msg, jsep)));
		s.on('error', mine((err) => this.emit('error', err)));
		s.on('webrtc', mine((up, reason) => this._onWebrtc(up, reason)));
		s.on('lost', mine((err) => this._onLost(err)));
		s.on('detached', mine(() => { if (!GONE.includes(this.state) && this.state !== 'reconnecting') this._onLost(DuetError.client('The Duet handle was detached.', 'attach')); }));
		s.on('localtrack', mine((track, on) => this._onLocalTrack(track, on)));
		s.on('remotetrack', mine((track, mid, on) => this._onRemoteTrack(track, on)));
		s.on('slowlink', mine((uplink, lost, mid) => this.emit('slowLink', { source: 'janus', uplink, lost, mid })));
		s.on('ice', mine((state) => this.emit('ice', state)));
		s.on('cleanup', mine(() => this._onCleanup()));
	}

	/** Whether the next call sends the camera as simulcast layers. */
	get simulcast() { return !!this.options.simulcast; }

	set simulcast(on) { this.options.simulcast = !!on; }

	/** The Janus address in use (the first of `server` that answered). */
	get server() { return this.session ? this.session.serverUrl : null; }

	/** The call's RTCPeerConnection (null between calls). */
	get peerConnection() { return this.session ? this.session.peerConnection : null; }

	/* ---------------------------------------------------------------- */
	/* Joining and leaving                                               */

	/** Join `room` (taking back the seat saved for it, if any). Resolves with the `joined` event. */
	async join({ room, display, pin, token } = this.options) {
		if (room === undefined || room === null) throw DuetError.client('join needs a room.', 'join');
		this._joinOptions = { room: String(room), display, pin, token };
		this._set('joining', { room: String(room) });
		this._startPreview();
		let joined;
		try {
			joined = await this._join(this._joinOptions);
		} catch (err) {
			this._stopPreview();
			this._set('ready', { error: err, room: String(room) });
			throw err;
		}
		await this._afterJoin(joined);
		return joined;
	}

	async _join({ room, display, pin, token }) {
		const body = { request: 'join', room };
		if (display) body.display = display;
		if (pin) body.pin = pin;
		if (token) body.token = token;
		const seat = await this.seats.load(room);
		if (seat) { body.id = seat.id; body.reconnect_token = seat.reconnect_token; }
		try {
			return await this.request(body);
		} catch (err) {
			// A saved seat that is not ours any more (stale token): join as new.
			if (!seat || err.source !== 'duet' || err.code !== ErrorCode.UNAUTHORIZED) throw err;
			await this.seats.clear();
			delete body.id;
			delete body.reconnect_token;
			return this.request(body);
		}
	}

	async _afterJoin(joined) {
		this.room = String(joined.room);
		this.id = joined.id;
		this.display = joined.display || '';
		await this.seats.save({ room: this.room, id: joined.id, reconnect_token: joined.reconnect_token, display: this.display });
		this._setPeer(joined.peer || null);
		// A join relays everything again: bring the server in line with our mute state.
		for (const kind of ['audio', 'video']) {
			if (this.muted[kind]) await this.configure({ [kind]: false }).catch((err) => this.emit('error', err));
		}
		if (this.peer && this.options.autoCall) {
			this.call().catch((err) => this.emit('error', err));
		} else {
			this._set(this.peer ? 'paired' : 'waiting');
		}
	}

	/** Leave the room for good (the seat is given up). */
	async leave() {
		try {
			if (this.session && this.room) await this.request({ request: 'leave' });
		} finally {
			await this.seats.clear();
			this._closeMedia();
			this._stopPreview();
			this._setPeer(null);
			const room = this.room;
			this.room = null;
			this._set('left', { room });
		}
	}

	/** Leave (when in a room) and close the Janus session. */
	async close() {
		if (this.room && !GONE.includes(this.state)) await this.leave().catch(() => {});
		this._stopPreview();
		const s = this.session;
		this.session = null;
		if (s) await s.close();
	}

	/* ---------------------------------------------------------------- */
	/* Requests                                                          */

	/** Any request of the plugin; resolves with its answer's body. */
	async request(body, jsep) {
		if (!this.session) throw DuetError.client('Not connected.', body && body.request);
		const { data } = await this.session.request(body, jsep);
		return data;
	}

	/** configure: relay or drop audio/video/data, bitrate cap, recording, simulcast layers wanted. */
	async configure(settings) {
		const res = await this.request(Object.assign({ request: 'configure' }, settings));
		this.settings = res;
		this.emit('configured', res);
		return res;
	}

	async mute(kind) { return this._setMuted(kind, true); }

	async unmute(kind) { return this._setMuted(kind, false); }

	/** Stops sending `kind` here (track.enabled) and at the server (configure), together. */
	async _setMuted(kind, muted) {
		if (kind !== 'audio' && kind !== 'video') throw DuetError.client(`mute: kind must be "audio" or "video", not ${kind}`, 'configure');
		this.muted[kind] = muted;
		this._applyMute();
		this.emit('muted', Object.assign({}, this.muted));
		if (this.room && this.session && !GONE.includes(this.state)) await this.configure({ [kind]: !muted });
		return Object.assign({}, this.muted);
	}

	_applyMute() {
		const tracks = new Set(this.localStream.getTracks());
		const pc = this.peerConnection;
		if (pc) pc.getSenders().forEach((s) => s.track && tracks.add(s.track));
		for (const t of tracks) {
			if (t.kind === 'audio' || t.kind === 'video') t.enabled = !this.muted[t.kind];
		}
	}

	/** A chat message to the peer (461 NO_PEER when alone). */
	async send(text) {
		const res = await this.request({ request: 'message', text });
		this.emit('message', { from: 'me', text, at: new Date() });
		return res;
	}

	/** End the media with the peer; both stay in the room. */
	async hangup() {
		const res = await this.request({ request: 'hangup' });
		this._closeMedia();
		this._set('ended', { reason: 'hangup', by: 'me' });
		return res;
	}

	/* ---------------------------------------------------------------- */
	/* Offer / answer                                                    */

	/**
	 * Offers, answers and renegotiations run one at a time: janus.js has one
	 * PeerConnection per handle. A task that fails does not stop the next.
	 */
	_serial(task) {
		const run = this._queue.then(task);
		this._queue = run.catch(() => {});
		return run;
	}

	/** Start a call (capture camera and microphone, offer). The second joiner does this by itself. */
	call() { return this._serial(() => this._call()); }

	async _call() {
		this._set('calling', { role: 'caller' });
		if (this.session.hasMedia && this.peerConnection) this._closeMedia();
		await this._offer({ tracks: await this._captureTracks() });
	}

	async _offer(options) {
		await this.session.settled();
		const startedAt = now();
		const jsep = await this.session.createOffer(options);
		if (this.options.beforeOffer) await this.options.beforeOffer(jsep);
		try {
			await this.request({ request: 'offer' }, jsep);
		} catch (err) {
			// Glare: the peer offered at the same moment and won. The plugin says
			// 464; when the peer's offer had already reached our handle the core
			// refuses ours first. The peer's offer comes (or came): answer it.
			const glare = (err.source === 'duet' && err.code === ErrorCode.WRONG_STATE)
				|| (err.source === 'janus' && await this._peerOfferedSince(startedAt, 3000));
			if (!glare) throw err;
			this.glares++;
			this.emit('glare', { error: err });
		}
	}

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

	async _answer(msg, jsep) {
		const pc = this.peerConnection;
		if (!msg.renegotiation || !pc) {
			this._set('calling', { role: 'callee' });
			// A new call answers from a new PeerConnection, unless our own offer
			// just lost a glare (the browser rolls it back and answers).
			const glare = pc && pc.signalingState === 'have-local-offer';
			if (!msg.renegotiation && !glare && this.session.hasMedia && pc) this._closeMedia();
		}
		const tracks = this.peerConnection ? [] : await this._captureTracks();
		const answer = await this.session.createAnswer(jsep, { tracks });
		await this.request({ request: 'answer' }, answer);
		this._applyMute();
		this._syncScreen();
	}

	/** Renegotiate with an ICE restart (same PeerConnection). */
	restartIce() {
		return this._serial(async () => {
			if (!this.peerConnection) throw DuetError.client('There is no call to restart.', 'offer');
			await this._offer({ iceRestart: true, tracks: [] });
		});
	}

	/** Send the screen instead of the camera (on = true) or the camera again. */
	shareScreen(on = true) {
		return this._serial(async () => {
			if (!this.peerConnection) throw DuetError.client('Start a call before sharing the screen.', 'offer');
			const track = on
				? { type: 'screen', capture: { frameRate: { ideal: 15 } }, replace: true }
				: this._videoTrackSpec({ replace: true });
			await this._offer({ tracks: [track] });
			this._applyMute();
			this._syncScreen();
		});
	}

	/** Use the next camera (or `deviceId`); resolves with the deviceId now used. */
	async switchCamera(deviceId) {
		const cams = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
		const current = this.localStream.getVideoTracks()[0];
		const currentId = current && current.getSettings().deviceId;
		if (!deviceId) {
			const i = cams.findIndex((d) => d.deviceId === currentId);
			deviceId = cams.length ? cams[(i + 1) % cams.length].deviceId : undefined;
		}
		if (!deviceId) throw DuetError.client('No camera to switch to.', 'configure');
		this._cameraId = deviceId;
		return this._serial(async () => {
			if (this.peerConnection && !this.screenSharing) {
				await this._offer({ tracks: [this._videoTrackSpec({ replace: true })] });
				this._applyMute();
			} else if (!this.peerConnection && this._preview) {
				this._stopPreview();
				this._startPreview();
			}
			return deviceId;
		});
	}

	_videoTrackSpec(extra) {
		const capture = this._cameraId ? { deviceId: { exact: this._cameraId } } : this._videoConstraints();
		return Object.assign({ type: 'video', capture, recv: true, simulcast: !!this.options.simulcast }, extra);
	}

	_videoConstraints() { return (this.options.media && this.options.media.video) || { width: { ideal: 640 }, height: { ideal: 480 } }; }

	_syncScreen() {
		const pc = this.peerConnection;
		const sender = pc && pc.getSenders().find((s) => s.track && s.track.kind === 'video');
		const sharing = !!(sender && sender.track && sender.track.getSettings().displaySurface);
		if (sharing !== this.screenSharing) { this.screenSharing = sharing; this.emit('screen', sharing); }
	}

	/* ---------------------------------------------------------------- */
	/* Pushed events                                                     */

	_onEvent(msg, jsep) {
		this.emit('event', msg, jsep);
		switch (msg.duet) {
		case 'peer_joined': this._setPeer(msg.peer); this._set('paired', { joined: true }); break;
		case 'offer': this._onOffer(msg, jsep); break;
		case 'answer':
			this._serial(() => this.session.acceptAnswer(jsep))
				.then(() => { this._applyMute(); this._syncScreen(); })
				.catch((err) => this.emit('error', DuetError.client(`The browser refused the answer: ${err}`, 'answer', err)));
			break;
		case 'hangup':
			this._closeMedia();
			if (!['left', 'kicked'].includes(msg.reason)) this._set('ended', { reason: msg.reason, by: 'peer' });
			break;
		case 'peer_disconnected':
			this._closeMedia();
			if (msg.peer) this._setPeer(msg.peer);
			this._set('peer-dropped', { window: msg.reconnect_window });
			break;
		case 'peer_reconnected': if (msg.peer) this._setPeer(msg.peer); this._set('paired', { reconnected: true }); break;
		case 'peer_left': this._onPeerLeft(msg); break;
		case 'message': this.emit('message', { from: 'peer', text: msg.text, at: new Date() }); break;
		case 'kicked': this._gone('kicked'); break;
		case 'destroyed': this._gone('destroyed'); break;
		case 'simulcast': this.emit('simulcast', { substream: msg.substream, temporal: msg.temporal }); break;
		case 'slow_link': this.emit('slowLink', { source: 'duet', media: msg.media, uplink: msg.uplink }); break;
		default: break;
		}
	}

	_onOffer(msg, jsep) {
		this._remoteOfferAt = now();
		// Answer only the newest offer: an older one still queued is stale.
		const seq = ++this._offerSeq;
		this._serial(() => (seq === this._offerSeq ? this._answer(msg, jsep) : undefined))
			.catch((err) => this.emit('error', err instanceof DuetError ? err : DuetError.client(String(err), 'answer', err)));
	}

	_onPeerLeft(msg) {
		this._closeMedia();
		if (msg.reason === 'replaced' && msg.peer && msg.peer.id === this.id) {
			// Another page took our seat with our token: this one is out.
			this._stopPreview();
			this._set('replaced');
			return;
		}
		const left = this.peer || msg.peer;
		this._setPeer(null);
		this._set('waiting', { left, reason: msg.reason });
	}

	async _gone(state) {
		this._closeMedia();
		this._stopPreview();
		await this.seats.clear();
		this._set(state, { room: this.room });
	}

	_onWebrtc(up, reason) {
		if (up) { this._set('in-call'); return; }
		if (['in-call', 'calling'].includes(this.state)) this._set('ended', { reason: 'closed', by: 'server', detail: reason });
	}

	/* ---------------------------------------------------------------- */
	/* Reconnection                                                      */

	async _onLost(err) {
		if (GONE.includes(this.state) || this.state === 'reconnecting' || !this.session) return;
		const old = this.session;
		this.session = null;   // what the old session still reports is ignored from now on
		const rejoin = !!(this.room && this._joinOptions && this.options.reconnect !== false);
		this._set(rejoin ? 'reconnecting' : 'failed', { error: err, lost: true });
		this._closeMediaOf(old);
		old.close();
		this.remoteStream = new MediaStream();
		this.emit('remoteStream', this.remoteStream);
		if (!rejoin) return;
		const attempts = typeof this.options.reconnect === 'number' ? this.options.reconnect : 6;
		for (let i = 0; i < attempts && this.state === 'reconnecting'; i++) {
			await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** i, 4000)));
			let session = null;
			try {
				session = await this._newSession();
				this.session = session;
				const joined = await this._join(this._joinOptions);
				this._startPreview();
				await this._afterJoin(joined);
				this.emit('reconnected', { attempts: i + 1 });
				return;
			} catch (e) {
				if (session) { this.session = null; session.close(); }
				if (e.source === 'duet') { this._set('failed', { error: e, lost: true }); return; }
			}
		}
		if (this.state === 'reconnecting') this._set('failed', { error: err, lost: true });
	}

	/* ---------------------------------------------------------------- */
	/* Media                                                             */

	_closeMedia() { this._closeMediaOf(this.session); }

	_closeMediaOf(session) {
		if (session && session.hasMedia) session.closeMedia();
	}

	_onLocalTrack(track, on) {
		replaceTrack(this.localStream, track, on);
		if (on) track.enabled = !this.muted[track.kind];
		this.localStream = new MediaStream(this.localStream.getTracks());
		this.emit('localStream', this.localStream);
	}

	_onRemoteTrack(track, on) {
		replaceTrack(this.remoteStream, track, on);
		this.remoteStream = new MediaStream(this.remoteStream.getTracks());
		this.emit('remoteStream', this.remoteStream);
	}

	_onCleanup() {
		this.remoteStream = new MediaStream();
		this.emit('remoteStream', this.remoteStream);
		if (this.screenSharing) { this.screenSharing = false; this.emit('screen', false); }
		// janus.js stopped the call's tracks: keep a camera preview while in the room.
		if (this.room && !GONE.includes(this.state)) this._startPreview();
		else { this.localStream = new MediaStream(); this.emit('localStream', this.localStream); }
	}

	/** Capture camera and microphone once (while the join travels); shown as the local stream. */
	_startPreview() {
		if (this._preview) {
			this._preview.then((s) => s && this._showPreview(s));
			return this._preview;
		}
		const audio = (this.options.media && this.options.media.audio) || true;
		const video = this._cameraId ? { deviceId: { exact: this._cameraId } } : this._videoConstraints();
		const preview = navigator.mediaDevices.getUserMedia({ audio, video }).then((stream) => {
			if (this._preview !== preview) { stream.getTracks().forEach((t) => t.stop()); return null; }
			this._showPreview(stream);
			return stream;
		}, (err) => {
			if (this._preview === preview) this._preview = null;
			this.emit('error', DuetError.client(`Camera/microphone: ${err.message || err}`, 'getUserMedia', err));
			return null;
		});
		this._preview = preview;
		return preview;
	}

	_showPreview(stream) {
		if (this.peerConnection) return;
		stream.getTracks().forEach((t) => { t.enabled = !this.muted[t.kind]; });
		this.localStream = new MediaStream(stream.getTracks());
		this.emit('localStream', this.localStream);
	}

	_stopPreview() {
		const preview = this._preview;
		this._preview = null;
		if (preview) preview.then((s) => s && s.getTracks().forEach((t) => t.stop()));
	}

	/** Tracks for a new PeerConnection: the preview's (handed to janus.js), or a fresh capture. */
	async _captureTracks() {
		const stream = this._preview ? await this._preview : null;
		this._preview = null;
		const live = stream && stream.getTracks().length === 2 && stream.getTracks().every((t) => t.readyState === 'live');
		const video = this._videoTrackSpec({});
		if (live) video.capture = stream.getVideoTracks()[0];
		return [
			{ type: 'audio', capture: live ? stream.getAudioTracks()[0] : ((this.options.media && this.options.media.audio) || true), recv: true },
			video,
		];
	}

	/* ---------------------------------------------------------------- */

	_setPeer(peer) {
		const changed = JSON.stringify(peer) !== JSON.stringify(this.peer);
		this.peer = peer;
		if (changed) this.emit('peer', peer);
	}

	_set(state, info = {}) {
		this.state = state;
		this.info = info;
		this.emit('state', state, info);
	}
}

function replaceTrack(stream, track, on) {
	for (const t of stream.getTracks()) {
		if (t === track || (on && t.kind === track.kind)) stream.removeTrack(t);
	}
	if (on && track.readyState !== 'ended') stream.addTrack(track);
}
