/*
 * emitter.js - the small event emitter behind DuetCall.on/off/once.
 * A handler that throws is reported on the console and does not stop the others.
 */
export class Emitter {
	constructor() { this._handlers = new Map(); }

	on(name, fn) {
		if (!this._handlers.has(name)) this._handlers.set(name, []);
		this._handlers.get(name).push(fn);
		return () => this.off(name, fn);
	}

	off(name, fn) {
		const list = this._handlers.get(name);
		if (list) this._handlers.set(name, list.filter((f) => f !== fn));
	}

	once(name, fn) {
		const off = this.on(name, (...args) => { off(); fn(...args); });
		return off;
	}

	emit(name, ...args) {
		for (const fn of (this._handlers.get(name) || []).slice()) {
			try { fn(...args); } catch (e) { console.error(`duet-client: a "${name}" handler failed:`, e); }
		}
	}
}
