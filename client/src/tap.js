/*
 * tap.js - lets every plugin answer be matched to its request by Janus
 * transaction, with janus.js of any era (Debian's 1.1.2 script, the npm
 * janus-gateway 1.4.x ES module).
 *
 * janus.js hands a plugin event to onmessage(data, jsep) without the
 * transaction it carried, and picks the transaction of a request itself.
 * Both pass through the two transport functions janus.js calls as
 * Janus.newWebSocket and Janus.httpAPICall; wrapping them (once per Janus
 * object) shows us the transaction of each request as janus.js sends it and
 * of each event before janus.js dispatches it:
 *   outgoing  handle.send() runs synchronously down to ws.send / the HTTP
 *             POST, so the request being sent is the one in `sending`.
 *   incoming  WebSocket: our wrapper runs janus.js's message handler, and
 *             the onmessage it calls, with `current` set to that message's
 *             transaction. HTTP long poll: janus.js hands onmessage the very
 *             plugindata.data object we saw, so a WeakMap keys it.
 */
const TAPPED = Symbol.for('duet-client.tapped');

export class Tap {
	constructor() {
		this.sending = null;            // {onTransaction(tx)} while handle.send() runs
		this.current = undefined;       // transaction of the WebSocket message being dispatched
		this.byData = new WeakMap();    // plugindata.data -> transaction (HTTP)
	}

	/** The transaction of the event whose data janus.js is handing to onmessage now. */
	transactionOf(data) {
		if (data && typeof data === 'object' && this.byData.has(data)) return this.byData.get(data);
		return this.current;
	}

	/** Run `send` (which calls handle.send) and return the transaction janus.js used. */
	capture(send) {
		let tx;
		this.sending = { onTransaction: (t) => { tx = t; } };
		try {
			send();
		} finally {
			this.sending = null;
		}
		return tx;
	}

	outgoing(request) {
		if (this.sending && request && request.janus === 'message' && request.transaction) {
			this.sending.onTransaction(request.transaction);
			this.sending = null;
		}
	}

	/** Install on a Janus object (after Janus.init). Safe to call again. */
	install(Janus) {
		if (Janus[TAPPED]) return Janus[TAPPED];
		const tap = this;
		const newWebSocket = Janus.newWebSocket;
		Janus.newWebSocket = function (server, protocol) {
			const ws = newWebSocket.call(this, server, protocol);
			const send = ws.send.bind(ws);
			ws.send = (text) => { tap.outgoing(parse(text)); send(text); };
			const add = ws.addEventListener.bind(ws);
			ws.addEventListener = (type, fn, options) => add(type, type !== 'message' ? fn : (event) => {
				const json = parse(event.data);
				tap.current = json ? json.transaction : undefined;
				try { return fn(event); } finally { tap.current = undefined; }
			}, options);
			return ws;
		};
		const httpAPICall = Janus.httpAPICall;
		Janus.httpAPICall = function (url, options) {
			if (options && options.body) tap.outgoing(options.body);
			if (options && typeof options.success === 'function') {
				const success = options.success;
				options = Object.assign({}, options, {
					success: (json) => { tap.note(json); return success(json); },
				});
			}
			return httpAPICall.call(this, url, options);
		};
		Janus[TAPPED] = tap;
		return tap;
	}

	note(json) {
		if (Array.isArray(json)) { json.forEach((j) => this.note(j)); return; }
		const data = json && json.plugindata && json.plugindata.data;
		if (data && typeof data === 'object' && json.transaction) this.byData.set(data, json.transaction);
	}
}

function parse(text) {
	try { return typeof text === 'string' ? JSON.parse(text) : null; } catch (e) { return null; }
}
