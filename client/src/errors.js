/*
 * errors.js - DuetError: every failure the library reports, typed.
 *
 * `source` says who answered: 'duet' (the plugin: `code` is one of the
 * contract's codes, ErrorCode below), 'janus' (the Janus core or its
 * transport: `code` is Janus's own top-level code, which may share a number
 * with a Duet code), or 'client' (this library or the browser: `code` is 0).
 */

/** Duet's error codes (docs/api.md, "Errors"). */
export const ErrorCode = Object.freeze({
	NO_MESSAGE: 450,
	INVALID_JSON: 451,
	INVALID_REQUEST: 452,
	MISSING_ELEMENT: 453,
	INVALID_ELEMENT: 454,
	NO_SUCH_ROOM: 455,
	ROOM_EXISTS: 456,
	ROOM_FULL: 457,
	UNAUTHORIZED: 458,
	ALREADY_JOINED: 459,
	NOT_JOINED: 460,
	NO_PEER: 461,
	MISSING_SDP: 462,
	INVALID_SDP: 463,
	WRONG_STATE: 464,
	NO_SUCH_PARTICIPANT: 465,
	LIMIT_REACHED: 466,
	UNKNOWN_ERROR: 499,
});

const NAMES = Object.fromEntries(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export class DuetError extends Error {
	/**
	 * @param {number} code     the contract's code (source 'duet'), Janus's (source 'janus') or 0
	 * @param {string} message  the server's words, or ours
	 * @param {{request?: string, source?: 'duet'|'janus'|'client', cause?: unknown}} [details]
	 */
	constructor(code, message, { request, source = 'duet', cause } = {}) {
		super(message, cause === undefined ? undefined : { cause });
		this.name = 'DuetError';
		this.code = code;
		this.source = source;
		this.request = request;
	}

	/** The contract's name of the code ("ROOM_FULL"), for Duet errors; undefined otherwise. */
	get codeName() { return this.source === 'duet' ? NAMES[this.code] : undefined; }

	/** An error answer of the plugin: {"duet": "event", "error_code": N, "error": "..."}. */
	static fromAnswer(data, request) {
		return new DuetError(data.error_code, data.error || NAMES[data.error_code] || 'error', { request, source: 'duet' });
	}

	/** janus.js reports core errors as "<code> <reason>". */
	static fromJanus(err, request) {
		const m = /^(\d+)\s+(.*)$/s.exec(String(err));
		return new DuetError(m ? Number(m[1]) : 0, m ? m[2] : String(err), { request, source: 'janus' });
	}

	static client(message, request, cause) {
		return new DuetError(0, message, { request, source: 'client', cause });
	}
}

for (const [name, code] of Object.entries(ErrorCode)) DuetError[name] = code;
