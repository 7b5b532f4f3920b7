/* duet-client/react: the useDuetCall hook. */
import type { CallState, DuetCall, DuetCallOptions, DuetError, MuteState, PeerInfo, RoomId } from './index.js';

export interface DuetCallSnapshot {
	/** The call, once created (null before the first effect ran). */
	call: DuetCall | null;
	state: CallState;
	peer: PeerInfo | null;
	localStream: MediaStream | null;
	remoteStream: MediaStream | null;
	muted: MuteState;
	error: DuetError | Error | null;
}

/** Joins `room` while the component is mounted (a new room: leave, join the new one). */
export declare function useDuetCall(room: RoomId | null | undefined, options?: Omit<DuetCallOptions, 'room'>): DuetCallSnapshot;
