/*
 * core.js - duet-client without janus.js: for pages that load janus.js
 * themselves (e.g. Debian's /javascript/janus-gateway/janus.js) and pass it
 * in as DuetCall.connect({ Janus }), or leave it on window.Janus.
 */
export { DuetCall, defaultServers } from './call.js';
export { DuetError, ErrorCode } from './errors.js';
export { memoryStorage, defaultStorage, SEAT_KEY } from './storage.js';
export { PLUGIN } from './session.js';
