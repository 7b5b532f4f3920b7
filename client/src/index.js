/*
 * index.js - duet-client: DuetCall with the npm janus-gateway (janus.js ES
 * module) and webrtc-adapter built in. connect({ Janus }) still takes
 * another janus.js (e.g. Debian's script-tag build).
 */
import Janus from 'janus-gateway';
import adapter from 'webrtc-adapter';
import { DuetCall as CoreCall } from './call.js';

export { defaultServers } from './call.js';
export { DuetError, ErrorCode } from './errors.js';
export { memoryStorage, defaultStorage, SEAT_KEY } from './storage.js';
export { PLUGIN } from './session.js';

export class DuetCall extends CoreCall {
	constructor(options = {}) {
		super(Object.assign({}, options, {
			Janus: options.Janus || Janus,
			adapter: options.adapter || (options.Janus ? undefined : adapter),
		}));
	}
}

export { Janus };
