/*
 * session.js - one Janus session with one handle on janus.plugin.duet,
 * through janus.js. Requests are Promises settled by their own answer,
 * matched by Janus transaction (tap.js): a sync request by its success
 * response, an async one by the event that carries its transaction. Plugin
 * events without a transaction of ours are pushed events, emitted as
 * 'event'. WebRTC callbacks of janus.js are emitted under their own names.
 */
import { Emitter } from './emitter.js';
import { DuetError } from './errors.js';
import { Tap } from './tap.js';

export const PLUGIN = 'janus.plugin.duet';
const REQUEST_TIMEOUT_MS = 20000;
// The Janus core frees a closed PeerConnection's ICE agent asynchronously,
// after it has sent the handle's "hangup"; a JSEP reaching the core in
// between gets a new agent that the old one's close then frees, and Janus
// crashes (1.1.2 to 1.4.1; docs/api.md, "Known issues of the Janus core").
// So after a call ends, a new offer goes out only once the core's hangup
// came, plus CORE_SETTLE_MS; if none comes within CORE_HANGUP_WAIT_MS (the
// core had nothing to close), it goes anyway.
const CORE_SETTLE_MS = 100;
const CORE_HANGUP_WAIT_MS = 2000;

let initPromise = null;
const taps = new WeakMap();   // Janus -> Tap

/** Janus.init once per Janus object; resolves with its Tap. */
function initJanus(Janus, adapter, debug) {
	if (taps.has(Janus)) return Promise.resolve(taps.get(Janus));
	if (!initPromise || initPromise.Janus !== Janus) {
		const p = new Promise((resolve) => {
			const options = { debug: debug ? 'all' : ['error'], callback: resolve };
			if (typeof Janus.useDefaultDependencies === 'function') {
				options.dependencies = Janus.useDefaultDependencies(adapter ? { adapter } : undefined);
			}
			Janus.init(options);
		}).then(() => {
			const tap = new Tap().install(Janus);
			taps.set(Janus, tap);
			return tap;
		});
		p.Janus = Janus;
		initPromise = p;
	}
	return initPromise;
}

export class Session extends Emitter {
	constructor({ Janus, adapter, server, iceServers, token, apisecret, debug, opaqueId }) {
		super();
		if (!Janus) throw DuetError.client('No janus.js: pass connect({ Janus }) or use the package entry that bundles it.', 'connect');
		this.Janus = Janus;
		this.adapter = adapter;
		this.server = server;
		this.iceServers = iceServers || [];
		this.token = token;
		this.apisecret = apisecret;
		this.debug = debug;
		this.opaqueId = opaqueId;
		this.janus = null;
		this.handle = null;
		this.tap = null;
		this.pending = new Map();   // transaction -> {request, resolve, reject, timer}
		this.closed = false;
		this._corePc = false;       // a JSEP went through the core since its last hangup
		this._settleAt = 0;         // no new offer before this (Date.now() ms)
		this._onCoreHangup = null;  // resolves settled()'s wait for the core's hangup
	}

	async open() {
		this.tap = await initJanus(this.Janus, this.adapter, this.debug);
		if (!this.Janus.isWebrtcSupported()) throw DuetError.client('This browser does not support WebRTC.', 'connect');
		await new Promise((resolve, reject) => {
			let up = false;
			this.janus = new this.Janus({
				server: this.server,
				iceServers: this.iceServers,
				token: this.token,
				apisecret: this.apisecret,
				success: () => { up = true; resolve(); },
				error: (err) => {
					const e = DuetError.fromJanus(err, 'connect');
					e.source = 'janus';
					if (!up) reject(e);
					else if (!this.closed) this.emit('lost', e);
				},
				destroyed: () => this.emit('destroyed'),
			});
		});
		this.handle = await this._attach();
	}

	_attach() {
		return new Promise((resolve, reject) => {
			this.janus.attach({
				plugin: PLUGIN,
				opaqueId: this.opaqueId || `duet-${this.Janus.randomString(12)}`,
				token: this.token,
				success: resolve,
				error: (err) => reject(DuetError.fromJanus(err, 'attach')),
				onmessage: (data, jsep) => this._onMessage(data, jsep),
				onlocaltrack: (track, on) => this.emit('localtrack', track, on),
				onremotetrack: (track, mid, on) => this.emit('remotetrack', track, mid, on),
				webrtcState: (up, reason) => { if (!up) this._coreHungUp(); this.emit('webrtc', up, reason); },
				iceState: (state) => this.emit('ice', state),
				mediaState: (kind, on, mid) => this.emit('media', kind, on, mid),
				slowLink: (uplink, lost, mid) => this.emit('slowlink', uplink, lost, mid),
				oncleanup: () => this.emit('cleanup'),
				ondetached: () => this.emit('detached'),
			});
		});
	}

	/** The address janus.js is talking to (the first of `server` that answered). */
	get serverUrl() { return this.janus ? this.janus.getServer() : null; }

	get peerConnection() {
		const stuff = this.handle && this.handle.webrtcStuff;
		return (stuff && stuff.pc) || null;
	}

	/** Whether janus.js holds a PeerConnection or local media that closeMedia() would end. */
	get hasMedia() {
		const stuff = this.handle && this.handle.webrtcStuff;
		return !!(stuff && (stuff.pc || stuff.myStream));
	}

	/**
	 * Send `body` (with `jsep`) to the plugin. Resolves with {data, jsep} of
	 * its own answer; rejects with a DuetError (the plugin's error answer,
	 * a core error, or a timeout).
	 */
	request(body, jsep) {
		return new Promise((resolve, reject) => {
			const name = body && body.request;
			if (!this.handle || this.closed) {
				reject(DuetError.client('Not connected to the Duet plugin.', name));
				return;
			}
			if (jsep) this._corePc = true;
			const entry = { request: name, resolve, reject, tx: null, timer: null, done: false };
			const settle = (data, answerJsep) => {
				if (entry.done) return;
				entry.done = true;
				clearTimeout(entry.timer);
				if (entry.tx) this.pending.delete(entry.tx);
				if (data && data.error_code) reject(DuetError.fromAnswer(data, name));
				else resolve({ data: data || {}, jsep: answerJsep });
			};
			const fail = (err) => {
				if (entry.done) return;
				entry.done = true;
				clearTimeout(entry.timer);
				if (entry.tx) this.pending.delete(entry.tx);
				reject(err);
			};
			entry.settle = settle;
			const tx = this.tap.capture(() => this.handle.send({
				message: body,
				jsep: jsep || undefined,
				success: (data) => { if (data !== undefined && data !== null) settle(data); },   // no data: an ack
				error: (err) => fail(DuetError.fromJanus(err, name)),
			}));
			if (entry.done) return;
			if (!tx) {
				fail(DuetError.client('janus.js sent the request in a way duet-client cannot follow.', name));
				return;
			}
			entry.tx = tx;
			this.pending.set(tx, entry);
			entry.timer = setTimeout(() => fail(DuetError.client(`No answer to "${name}" within ${REQUEST_TIMEOUT_MS / 1000} s.`, name)), REQUEST_TIMEOUT_MS);
		});
	}

	_onMessage(data, jsep) {
		if (jsep) this._corePc = true;
		const tx = this.tap.transactionOf(data);
		const entry = tx ? this.pending.get(tx) : undefined;
		if (entry) { entry.settle(data, jsep); return; }
		if (data && data.error_code) { this.emit('error', DuetError.fromAnswer(data, undefined)); return; }
		this.emit('event', data || {}, jsep);
	}

	createOffer(options) {
		return new Promise((resolve, reject) => {
			this.handle.createOffer(Object.assign({}, options, { success: resolve, error: reject }));
		});
	}

	createAnswer(jsep, options) {
		return new Promise((resolve, reject) => {
			this.handle.createAnswer(Object.assign({ jsep }, options, { success: resolve, error: reject }));
		});
	}

	acceptAnswer(jsep) {
		return new Promise((resolve, reject) => {
			this.handle.handleRemoteJsep({ jsep, success: resolve, error: reject });
		});
	}

	replaceTracks(tracks) {
		return new Promise((resolve, reject) => {
			this.handle.replaceTracks({ tracks, success: resolve, error: reject });
		});
	}

	/** Close our PeerConnection locally (Janus has closed, or will close, its side). */
	closeMedia() { if (this.handle) this.handle.hangup(false); }

	/** The core's hangup of this handle's PeerConnection (janus.js webrtcState false). */
	_coreHungUp() {
		this._corePc = false;
		this._settleAt = Date.now() + CORE_SETTLE_MS;
		const resolve = this._onCoreHangup;
		this._onCoreHangup = null;
		if (resolve) resolve();
	}

	/**
	 * Resolves when a new offer may go to the core: at once while a
	 * PeerConnection is up (a renegotiation) or none ever was; after a call
	 * ended, once the core's hangup came (CORE_SETTLE_MS after it).
	 */
	async settled() {
		if (this._corePc && !this.hasMedia) {
			await new Promise((resolve) => {
				this._onCoreHangup = resolve;
				setTimeout(resolve, CORE_HANGUP_WAIT_MS);
			});
		}
		const wait = this._settleAt - Date.now();
		if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	}

	/** Destroy the Janus session (and with it the handle); pending requests fail. */
	close() {
		this.closed = true;
		for (const entry of this.pending.values()) {
			clearTimeout(entry.timer);
			entry.reject(DuetError.client('The connection to Janus was closed.', entry.request));
		}
		this.pending.clear();
		return new Promise((resolve) => {
			if (!this.janus) { resolve(); return; }
			try {
				this.janus.destroy({ success: resolve, error: resolve, notifyDestroyed: false, cleanupHandles: true });
			} catch (e) {
				resolve();
			}
			setTimeout(resolve, 3000);
		});
	}
}
