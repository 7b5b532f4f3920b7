/*
 * react.js - useDuetCall(room, options): a DuetCall for a React component.
 * Joins `room` on mount (and when room changes), leaves on unmount, and
 * re-renders with the call's state, peer, streams and last error.
 */
import { useEffect, useRef, useState } from 'react';
import { DuetCall } from './index.js';

export function useDuetCall(room, options = {}) {
	const [snapshot, setSnapshot] = useState({ state: 'connecting', peer: null, localStream: null, remoteStream: null, error: null, muted: { audio: false, video: false } });
	const callRef = useRef(null);
	const optionsRef = useRef(options);
	optionsRef.current = options;

	useEffect(() => {
		if (room === undefined || room === null || room === '') return undefined;
		let cancelled = false;
		const update = (patch) => { if (!cancelled) setSnapshot((s) => Object.assign({}, s, patch)); };
		const call = new DuetCall(Object.assign({}, optionsRef.current, { room }));
		callRef.current = call;
		call.on('state', (state) => update({ state }));
		call.on('peer', (peer) => update({ peer }));
		call.on('localStream', (localStream) => update({ localStream }));
		call.on('remoteStream', (remoteStream) => update({ remoteStream }));
		call.on('muted', (muted) => update({ muted }));
		call.on('error', (error) => update({ error }));
		// Unmounted while connecting: close again once open (close() before open() has nothing to close yet).
		call.open().then(() => (cancelled ? call.close() : call.join(Object.assign({}, optionsRef.current, { room }))))
			.catch((error) => update({ error }));
		return () => {
			cancelled = true;
			callRef.current = null;
			call.close();
		};
	}, [room]);

	return Object.assign({ call: callRef.current }, snapshot);
}
