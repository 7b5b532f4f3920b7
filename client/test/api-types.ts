// Type test (tsc --noEmit): uses every request, answer and event type of
// duet-client through the package's own entry points, so a change in the
// declarations that breaks a user's code fails the test command.
import { DuetCall, DuetError, ErrorCode, memoryStorage, defaultServers, SEAT_KEY, PLUGIN } from 'duet-client';
import type {
	RequestMap, AnswerMap, RequestName, DuetEvent, EventMap, CallState, ConfiguredAnswer, JoinedAnswer,
	StatsAnswer, ErrorAnswer, Seat,
} from 'duet-client';
import { useDuetCall } from 'duet-client/react';

// One literal of every request; the compiler checks each against its type.
const requests: { [N in RequestName]: RequestMap[N] } = {
	create: { request: 'create', room: 'r1', description: 'd', pin: '1', secret: 's', is_private: false, bitrate: 0, record: false, rec_dir: 'x', reconnect_window: 15, adaptive: true, permanent: false, admin_key: 'k' },
	edit: { request: 'edit', room: 'r1', secret: 's', new_description: 'n', new_pin: '', new_secret: 's2', new_is_private: true, new_bitrate: 1, new_record: false, new_reconnect_window: 0, new_adaptive: false, permanent: false },
	destroy: { request: 'destroy', room: 1234, secret: 's', permanent: false },
	exists: { request: 'exists', room: 'r1' },
	list: { request: 'list' },
	listparticipants: { request: 'listparticipants', room: 'r1' },
	kick: { request: 'kick', room: 'r1', secret: 's', id: 'p1' },
	allowed: { request: 'allowed', room: 'r1', secret: 's', action: 'add', allowed: ['t'] },
	stats: { request: 'stats' },
	join: { request: 'join', room: 'r1', display: 'Ana', pin: '1', token: 't', id: 'p1', reconnect_token: 'rt' },
	offer: { request: 'offer' },
	answer: { request: 'answer' },
	configure: { request: 'configure', audio: true, video: false, data: true, bitrate: 500000, record: false, filename: 'f', substream: 0, temporal: 2 },
	message: { request: 'message', text: 'hi' },
	hangup: { request: 'hangup' },
	leave: { request: 'leave' },
};

// Every event, handled by name with its own fields.
function describe(e: DuetEvent): string {
	switch (e.duet) {
	case 'peer_joined': return e.peer.display;
	case 'offer': return `${e.from} ${e.renegotiation}`;
	case 'answer': return e.from;
	case 'hangup': return e.reason;
	case 'peer_disconnected': return `${e.peer.id} ${e.reconnect_window}`;
	case 'peer_reconnected': return e.peer.id;
	case 'peer_left': return e.reason;
	case 'message': return e.text;
	case 'kicked': return e.room;
	case 'simulcast': return `${e.substream}/${e.temporal}`;
	case 'slow_link': return `${e.media} ${e.uplink}`;
	case 'destroyed': return e.room;
	default: { const never: never = e; return never; }
	}
}
const eventNames: (keyof EventMap)[] = ['peer_joined', 'offer', 'answer', 'hangup', 'peer_disconnected', 'peer_reconnected', 'peer_left', 'message', 'kicked', 'simulcast', 'slow_link', 'destroyed'];

export async function demo(): Promise<void> {
	const call = await DuetCall.connect({
		server: defaultServers({ hostname: 'localhost', protocol: 'http:' }),
		iceServers: [{ urls: 'turn:turn.example.org', username: 'u', credential: 'c' }],
		room: '1234', display: 'Ana', pin: '0000', token: 't', simulcast: true, storage: memoryStorage(), reconnect: 3,
	});
	call.on('state', (s: CallState, info) => console.log(s, info.reason));
	call.on('peer', (p) => console.log(p?.display));
	call.on('localStream', (s: MediaStream) => s.getTracks());
	call.on('remoteStream', (s: MediaStream) => s.getTracks());
	call.on('message', (m) => console.log(m.from, m.text, m.at.getTime()));
	call.on('error', (e: DuetError) => { if (e.code === ErrorCode.ROOM_FULL || e.code === DuetError.UNAUTHORIZED) console.log(e.codeName, e.source); });
	call.on('simulcast', ({ substream, temporal }) => console.log(substream + temporal));
	call.on('slowLink', (i) => console.log(i.source, i.uplink, i.media));
	call.on('muted', (m) => console.log(m.audio, m.video));
	call.on('configured', (c: ConfiguredAnswer) => console.log(c.bitrate, c.recording));
	call.on('screen', (on: boolean) => console.log(on));
	call.on('glare', (g) => console.log(g.error.code));
	call.on('reconnected', (r) => console.log(r.attempts));
	call.on('ice', (s: string) => console.log(s));
	call.on('event', (e) => console.log(describe(e)));
	await call.mute('audio');
	await call.unmute('video');
	await call.switchCamera();
	await call.shareScreen(true);
	const sent = await call.send('hello');
	const conf = await call.configure({ substream: 1, temporal: 0, bitrate: 300000 });
	const joined: JoinedAnswer = await call.request(requests.join);
	const stats: StatsAnswer = await call.request(requests.stats);
	const exists = await call.request({ request: 'exists', room: 'r1' });
	const list = await call.request({ request: 'list' });
	console.log(sent.duet, conf.substream, joined.reconnect_token, stats.totals.rooms, exists.exists, list.rooms[0]?.pin_required);
	const answers: { [N in RequestName]?: AnswerMap[N] } = { hangup: await call.hangup() };
	await call.leave();
	await call.close();
	const err: ErrorAnswer = { duet: 'event', error_code: 457, error: 'Room full' };
	const seat: Seat = { room: '1234', id: 'p1', reconnect_token: 'x', display: '' };
	console.log(answers, err, seat, SEAT_KEY, PLUGIN, eventNames, call.peerConnection?.signalingState, call.server, call.glares);
}

export function useIt(): string {
	const { state, peer, localStream, remoteStream, muted, error, call } = useDuetCall('1234', { display: 'Ana', simulcast: true });
	return `${state} ${peer?.id} ${localStream?.id} ${remoteStream?.id} ${muted.audio} ${error?.message} ${call?.state}`;
}
