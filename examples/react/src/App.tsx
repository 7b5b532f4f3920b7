// The tutorial's app on Duet: two videos, room "1234"; whoever joins second
// calls the one waiting. useDuetCall does the signaling the socket.io
// version did by hand (join_room, offer, answer, candidates).
import { useEffect, useRef } from 'react';
import { useDuetCall } from 'duet-client/react';

function Video({ stream, muted = false }: { stream: MediaStream | null; muted?: boolean }) {
	const ref = useRef<HTMLVideoElement>(null);
	useEffect(() => {
		if (ref.current) ref.current.srcObject = stream;
	}, [stream]);
	return <video ref={ref} autoPlay playsInline muted={muted} width={320} height={240} />;
}

export default function App({ room = '1234' }: { room?: string }) {
	const { state, peer, localStream, remoteStream, muted, error, call } = useDuetCall(room, { display: 'React' });
	return (
		<main>
			<h1>Room {room}</h1>
			<p id="status">{state === 'in-call' ? `In call with ${peer?.id}` : state}</p>
			<Video stream={localStream} muted />
			<Video stream={remoteStream} />
			<p>
				<button onClick={() => (muted.audio ? call?.unmute('audio') : call?.mute('audio'))}>
					{muted.audio ? 'Unmute' : 'Mute'}
				</button>
				<button onClick={() => (muted.video ? call?.unmute('video') : call?.mute('video'))}>
					{muted.video ? 'Camera on' : 'Camera off'}
				</button>
				<button onClick={() => call?.hangup()}>Hang up</button>
			</p>
			{error && <p role="alert">{error.message}</p>}
		</main>
	);
}
