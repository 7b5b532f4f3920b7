/*
 * duet-client: TypeScript declarations for the Duet plugin's API
 * (janus.plugin.duet) and for DuetCall. Every request, answer and event of
 * the contract is here; client/check-requests.mjs keeps the request names in
 * step with the plugin's request table (plugins/duet/routes.c).
 */

/* ------------------------------------------------------------------ */
/* Common field types                                                  */

/** A room id: 1-64 of A-Z a-z 0-9 - _; a non-negative integer means its decimal string. */
export type RoomId = string | number;
/** A participant id: 1-64 of A-Z a-z 0-9 - _. */
export type ParticipantId = string;

export interface PeerInfo {
	id: ParticipantId;
	display: string;
}

export interface Counter {
	packets: number;
	bytes: number;
}

/* ------------------------------------------------------------------ */
/* Requests (the body of a Janus "message" to the plugin)             */

export interface CreateRequest {
	request: 'create';
	room?: RoomId;
	description?: string;
	pin?: string;
	secret?: string;
	is_private?: boolean;
	bitrate?: number;
	record?: boolean;
	rec_dir?: string;
	reconnect_window?: number;
	adaptive?: boolean;
	permanent?: boolean;
	admin_key?: string;
}

export interface EditRequest {
	request: 'edit';
	room: RoomId;
	secret?: string;
	new_description?: string;
	new_pin?: string;
	new_secret?: string;
	new_is_private?: boolean;
	new_bitrate?: number;
	new_record?: boolean;
	new_reconnect_window?: number;
	new_adaptive?: boolean;
	permanent?: boolean;
}

export interface DestroyRequest {
	request: 'destroy';
	room: RoomId;
	secret?: string;
	permanent?: boolean;
}

export interface ExistsRequest {
	request: 'exists';
	room: RoomId;
}

export interface ListRequest {
	request: 'list';
}

export interface ListParticipantsRequest {
	request: 'listparticipants';
	room: RoomId;
}

export interface KickRequest {
	request: 'kick';
	room: RoomId;
	secret?: string;
	id: ParticipantId;
}

export interface AllowedRequest {
	request: 'allowed';
	room: RoomId;
	secret?: string;
	action: 'enable' | 'disable' | 'add' | 'remove';
	allowed?: string[];
}

/** Admin API only (message_plugin). */
export interface StatsRequest {
	request: 'stats';
}

export interface JoinRequest {
	request: 'join';
	room: RoomId;
	display?: string;
	pin?: string;
	token?: string;
	id?: ParticipantId;
	reconnect_token?: string;
}

/** Must carry a JSEP offer. */
export interface OfferRequest {
	request: 'offer';
}

/** Must carry a JSEP answer to the pending offer. */
export interface AnswerRequest {
	request: 'answer';
}

export interface ConfigureSettings {
	audio?: boolean;
	video?: boolean;
	data?: boolean;
	/** REMB cap, bits/s, 0-100000000 (0 = none). */
	bitrate?: number;
	record?: boolean;
	filename?: string;
	/** Highest simulcast substream wanted (0-2, default 2). */
	substream?: 0 | 1 | 2;
	/** Highest simulcast temporal layer wanted (0-2, default 2). */
	temporal?: 0 | 1 | 2;
}

export interface ConfigureRequest extends ConfigureSettings {
	request: 'configure';
}

export interface MessageRequest {
	request: 'message';
	text: string;
}

export interface HangupRequest {
	request: 'hangup';
}

export interface LeaveRequest {
	request: 'leave';
}

/** Every request, by name. */
export interface RequestMap {
	create: CreateRequest;
	edit: EditRequest;
	destroy: DestroyRequest;
	exists: ExistsRequest;
	list: ListRequest;
	listparticipants: ListParticipantsRequest;
	kick: KickRequest;
	allowed: AllowedRequest;
	stats: StatsRequest;
	join: JoinRequest;
	offer: OfferRequest;
	answer: AnswerRequest;
	configure: ConfigureRequest;
	message: MessageRequest;
	hangup: HangupRequest;
	leave: LeaveRequest;
}
export type RequestName = keyof RequestMap;
export type DuetRequest = RequestMap[RequestName];

/* ------------------------------------------------------------------ */
/* Answers                                                             */

export interface CreatedAnswer { duet: 'created'; room: string; permanent?: boolean }
export interface EditedAnswer { duet: 'edited'; room: string; permanent?: boolean }
export interface DestroyedAnswer { duet: 'destroyed'; room: string; permanent?: boolean }
export interface ExistsAnswer { duet: 'success'; room: string; exists: boolean }
export interface RoomSummary {
	room: string;
	description: string;
	pin_required: boolean;
	participants: number;
	in_call: boolean;
}
export interface ListAnswer { duet: 'success'; rooms: RoomSummary[] }
export interface ParticipantSummary {
	id: ParticipantId;
	display: string;
	connected: boolean;
	in_call: boolean;
}
export interface ListParticipantsAnswer { duet: 'success'; room: string; participants: ParticipantSummary[] }
export interface KickAnswer { duet: 'success' }
export interface AllowedAnswer { duet: 'success'; room: string; allowed?: string[] }
export interface ParticipantStats {
	id: ParticipantId;
	audio: Counter;
	video: Counter;
	data: Counter;
	/** bits/s received from this participant now */
	bitrate: number;
	/** bits/s its leg can receive, as the plugin estimates (0: unknown) */
	estimate?: number;
}
export interface StatsAnswer {
	duet: 'success';
	totals: { rooms: number; participants: number; audio: Counter; video: Counter; data: Counter };
	rooms: { room: string; participants: ParticipantStats[] }[];
}
export interface JoinedAnswer {
	duet: 'joined';
	room: string;
	id: ParticipantId;
	display: string;
	reconnect_token: string;
	peer: PeerInfo | null;
}
export interface OfferingAnswer { duet: 'offering'; room: string }
export interface AnsweredAnswer { duet: 'answered'; room: string }
export interface ConfiguredAnswer {
	duet: 'configured';
	room?: string;
	audio: boolean;
	video: boolean;
	data: boolean;
	bitrate: number;
	recording: boolean;
	substream?: number;
	temporal?: number;
}
export interface SentAnswer { duet: 'sent'; room: string }
export interface HungupAnswer { duet: 'hungup'; room: string }
export interface LeftAnswer { duet: 'left'; room: string }

/** The answer of each request. */
export interface AnswerMap {
	create: CreatedAnswer;
	edit: EditedAnswer;
	destroy: DestroyedAnswer;
	exists: ExistsAnswer;
	list: ListAnswer;
	listparticipants: ListParticipantsAnswer;
	kick: KickAnswer;
	allowed: AllowedAnswer;
	stats: StatsAnswer;
	join: JoinedAnswer;
	offer: OfferingAnswer;
	answer: AnsweredAnswer;
	configure: ConfiguredAnswer;
	message: SentAnswer;
	hangup: HungupAnswer;
	leave: LeftAnswer;
}

/** An error answer (either kind of request). */
export interface ErrorAnswer { duet: 'event'; error_code: ErrorCodeValue; error: string }

/* ------------------------------------------------------------------ */
/* Events pushed to a participant                                      */

export interface Jsep { type: 'offer' | 'answer'; sdp: string }

export interface PeerJoinedEvent { duet: 'peer_joined'; room: string; peer: PeerInfo }
export interface OfferEvent { duet: 'offer'; room: string; from: ParticipantId; renegotiation: boolean }
export interface AnswerEvent { duet: 'answer'; room: string; from: ParticipantId }
export interface HangupEvent { duet: 'hangup'; room: string; from?: ParticipantId; reason: 'hangup' | 'closed' | 'left' | 'kicked' }
export interface PeerDisconnectedEvent { duet: 'peer_disconnected'; room: string; peer: PeerInfo; reconnect_window: number }
export interface PeerReconnectedEvent { duet: 'peer_reconnected'; room: string; peer: PeerInfo }
export interface PeerLeftEvent {
	duet: 'peer_left';
	room: string;
	peer: PeerInfo;
	reason: 'leave' | 'kicked' | 'disconnected' | 'timeout' | 'replaced';
}
export interface MessageEvent { duet: 'message'; room: string; from: ParticipantId; text: string }
export interface KickedEvent { duet: 'kicked'; room: string }
export interface SimulcastEvent { duet: 'simulcast'; room: string; substream: number; temporal: number }
export interface SlowLinkEvent { duet: 'slow_link'; room: string; media: 'audio' | 'video'; uplink: boolean }
export interface RoomDestroyedEvent { duet: 'destroyed'; room: string }

export interface EventMap {
	peer_joined: PeerJoinedEvent;
	offer: OfferEvent;
	answer: AnswerEvent;
	hangup: HangupEvent;
	peer_disconnected: PeerDisconnectedEvent;
	peer_reconnected: PeerReconnectedEvent;
	peer_left: PeerLeftEvent;
	message: MessageEvent;
	kicked: KickedEvent;
	simulcast: SimulcastEvent;
	slow_link: SlowLinkEvent;
	destroyed: RoomDestroyedEvent;
}
export type DuetEvent = EventMap[keyof EventMap];

/* ------------------------------------------------------------------ */
/* Errors                                                              */

export declare const ErrorCode: {
	readonly NO_MESSAGE: 450;
	readonly INVALID_JSON: 451;
	readonly INVALID_REQUEST: 452;
	readonly MISSING_ELEMENT: 453;
	readonly INVALID_ELEMENT: 454;
	readonly NO_SUCH_ROOM: 455;
	readonly ROOM_EXISTS: 456;
	readonly ROOM_FULL: 457;
	readonly UNAUTHORIZED: 458;
	readonly ALREADY_JOINED: 459;
	readonly NOT_JOINED: 460;
	readonly NO_PEER: 461;
	readonly MISSING_SDP: 462;
	readonly INVALID_SDP: 463;
	readonly WRONG_STATE: 464;
	readonly NO_SUCH_PARTICIPANT: 465;
	readonly LIMIT_REACHED: 466;
	readonly UNKNOWN_ERROR: 499;
};
export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

/** Who answered with the error: the plugin, the Janus core/transport, or this library/the browser. */
export type ErrorSource = 'duet' | 'janus' | 'client';

export declare class DuetError extends Error {
	constructor(code: number, message: string, details?: { request?: string; source?: ErrorSource; cause?: unknown });
	readonly name: 'DuetError';
	/** source 'duet': one of ErrorCode; 'janus': Janus's own code; 'client': 0. */
	code: number;
	source: ErrorSource;
	/** The request that failed, when known. */
	request?: string;
	/** "ROOM_FULL" etc. for Duet errors. */
	readonly codeName: ErrorCodeName | undefined;
	static fromAnswer(data: ErrorAnswer, request?: string): DuetError;
	static fromJanus(err: unknown, request?: string): DuetError;
	static client(message: string, request?: string, cause?: unknown): DuetError;
	static readonly NO_MESSAGE: 450;
	static readonly INVALID_JSON: 451;
	static readonly INVALID_REQUEST: 452;
	static readonly MISSING_ELEMENT: 453;
	static readonly INVALID_ELEMENT: 454;
	static readonly NO_SUCH_ROOM: 455;
	static readonly ROOM_EXISTS: 456;
	static readonly ROOM_FULL: 457;
	static readonly UNAUTHORIZED: 458;
	static readonly ALREADY_JOINED: 459;
	static readonly NOT_JOINED: 460;
	static readonly NO_PEER: 461;
	static readonly MISSING_SDP: 462;
	static readonly INVALID_SDP: 463;
	static readonly WRONG_STATE: 464;
	static readonly NO_SUCH_PARTICIPANT: 465;
	static readonly LIMIT_REACHED: 466;
	static readonly UNKNOWN_ERROR: 499;
}

/* ------------------------------------------------------------------ */
/* DuetCall                                                            */

/** Web Storage (sessionStorage, localStorage) or anything with the same three methods, sync or async. */
export interface SeatStorage {
	getItem(key: string): string | null | Promise<string | null>;
	setItem(key: string, value: string): void | Promise<void>;
	removeItem(key: string): void | Promise<void>;
}

/** What the storage keeps under SEAT_KEY. */
export interface Seat {
	room: string;
	id: ParticipantId;
	reconnect_token: string;
	display: string;
}

export interface DuetCallOptions {
	/** Janus endpoint(s): ws(s):// or http(s)://…/janus; several are tried in order. Default: defaultServers(location). */
	server?: string | string[];
	/** STUN/TURN servers for the PeerConnection (RTCIceServer[]). Default: [] (media goes to Janus). */
	iceServers?: RTCIceServer[];
	room?: RoomId;
	display?: string;
	pin?: string;
	/** The room's `allowed` token. */
	token?: string;
	/** Janus token_auth token (attach). */
	janusToken?: string;
	/** Janus API secret. */
	apisecret?: string;
	/** Send the camera as three simulcast layers. */
	simulcast?: boolean;
	/** Where the seat is kept for a reload (default sessionStorage; null: nowhere). */
	storage?: SeatStorage | null;
	/** janus.js to use (e.g. Debian's script-tag build, window.Janus). Default: the bundled npm janus-gateway. */
	Janus?: unknown;
	/** webrtc-adapter for janus.js. Default: the bundled one (or window.adapter with an injected Janus). */
	adapter?: unknown;
	/** Take the seat back when the transport drops: false, or the number of attempts (default 6). */
	reconnect?: boolean | number;
	/** The second joiner offers by itself (default true). */
	autoCall?: boolean;
	/** getUserMedia constraints of camera and microphone. */
	media?: { audio?: boolean | MediaTrackConstraints; video?: MediaTrackConstraints };
	/** janus.js console logging. */
	debug?: boolean;
	/** Called with each offer before it is sent (e.g. to hold it). */
	beforeOffer?: (jsep: Jsep) => void | Promise<void>;
}

export type CallState =
	| 'connecting' | 'ready' | 'joining' | 'waiting' | 'paired' | 'calling' | 'in-call'
	| 'ended' | 'peer-dropped' | 'reconnecting' | 'left' | 'kicked' | 'destroyed' | 'replaced' | 'failed';

export interface StateInfo {
	room?: string;
	error?: DuetError | Error;
	role?: 'caller' | 'callee';
	reason?: string;
	by?: 'me' | 'peer' | 'server';
	left?: PeerInfo | null;
	joined?: boolean;
	reconnected?: boolean;
	window?: number;
	lost?: boolean;
	detail?: unknown;
}

export interface ChatMessage { from: 'me' | 'peer'; text: string; at: Date }
export interface MuteState { audio: boolean; video: boolean }
export interface SlowLinkInfo {
	/** 'duet': the plugin's slow_link event; 'janus': janus.js's own slowLink callback. */
	source: 'duet' | 'janus';
	uplink: boolean;
	media?: 'audio' | 'video';
	lost?: number;
	mid?: string;
}

export interface CallEvents {
	state: (state: CallState, info: StateInfo) => void;
	peer: (peer: PeerInfo | null) => void;
	localStream: (stream: MediaStream) => void;
	remoteStream: (stream: MediaStream) => void;
	message: (message: ChatMessage) => void;
	error: (error: DuetError) => void;
	muted: (muted: MuteState) => void;
	configured: (settings: ConfiguredAnswer) => void;
	screen: (sharing: boolean) => void;
	simulcast: (layer: { substream: number; temporal: number }) => void;
	slowLink: (info: SlowLinkInfo) => void;
	glare: (info: { error: DuetError }) => void;
	reconnected: (info: { attempts: number }) => void;
	ice: (state: string) => void;
	/** Every pushed plugin event, raw. */
	event: (event: DuetEvent, jsep?: Jsep) => void;
}

export declare class DuetCall {
	/** Connect, attach and (with `room`) join; resolves once joined. */
	static connect(options?: DuetCallOptions): Promise<DuetCall>;
	constructor(options?: DuetCallOptions);
	readonly state: CallState;
	readonly info: StateInfo;
	readonly room: string | null;
	readonly id: ParticipantId | null;
	readonly display: string;
	readonly peer: PeerInfo | null;
	readonly muted: MuteState;
	readonly settings: ConfiguredAnswer | null;
	readonly screenSharing: boolean;
	/** Whether the next call sends the camera as simulcast layers (the `simulcast` option). */
	simulcast: boolean;
	readonly localStream: MediaStream;
	readonly remoteStream: MediaStream;
	/** Offers of ours that lost a glare. */
	readonly glares: number;
	/** The Janus address in use. */
	readonly server: string | null;
	readonly peerConnection: RTCPeerConnection | null;

	on<E extends keyof CallEvents>(event: E, handler: CallEvents[E]): () => void;
	once<E extends keyof CallEvents>(event: E, handler: CallEvents[E]): () => void;
	off<E extends keyof CallEvents>(event: E, handler: CallEvents[E]): void;

	open(): Promise<this>;
	join(options?: { room: RoomId; display?: string; pin?: string; token?: string }): Promise<JoinedAnswer>;
	leave(): Promise<void>;
	close(): Promise<void>;
	call(): Promise<void>;
	hangup(): Promise<HungupAnswer>;
	mute(kind: 'audio' | 'video'): Promise<MuteState>;
	unmute(kind: 'audio' | 'video'): Promise<MuteState>;
	configure(settings: ConfigureSettings): Promise<ConfiguredAnswer>;
	send(text: string): Promise<SentAnswer>;
	switchCamera(deviceId?: string): Promise<string>;
	shareScreen(on?: boolean): Promise<void>;
	restartIce(): Promise<void>;
	/** Any request; resolves with its answer. */
	request<B extends DuetRequest>(body: B, jsep?: Jsep): Promise<AnswerMap[B['request']]>;
}

export declare function defaultServers(location?: { hostname: string; protocol: string }): string[];
export declare function memoryStorage(): SeatStorage;
export declare function defaultStorage(): SeatStorage | null;
export declare const SEAT_KEY: 'duet.seat';
export declare const PLUGIN: 'janus.plugin.duet';
/** The bundled janus.js (npm janus-gateway). */
export declare const Janus: unknown;
