"""Real SDP offers and answers from aiortc, for tests that run synchronously.

aiortc is asyncio-based; every RTCPeerConnection lives on one event loop
running in a background thread, and `Peer` wraps the few operations the
tests need (make an offer, answer an offer, apply an answer, close).

A peer has an audio and a video transceiver and a data channel. By default
the transceivers carry no track (signaling tests need no media); with
`media=True` they send aiortc's own generated test media (silence and a
green picture), which the media tests use to see packets relayed.
No STUN/TURN server is configured: only host candidates are gathered.
"""

import asyncio
import threading

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtp import RTCP_PSFB_APP, RTCP_PSFB_PLI, RtcpPacket, RtcpPsfbPacket, unpack_remb_fci

# Test instrumentation: keep every RTCP packet a DTLS transport receives
# (in transport._duet_rtcp), so that tests can see Janus's PLI and REMB.
_original_handle_rtcp_data = RTCDtlsTransport._handle_rtcp_data


async def _recording_handle_rtcp_data(self, data):
    try:
        self.__dict__.setdefault("_duet_rtcp", []).extend(RtcpPacket.parse(data))
    except ValueError:
        pass
    await _original_handle_rtcp_data(self, data)


RTCDtlsTransport._handle_rtcp_data = _recording_handle_rtcp_data

_loop = None
_loop_lock = threading.Lock()


def loop():
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            _loop.set_exception_handler(_quiet_closing_errors)
            threading.Thread(target=_loop.run_forever, name="aiortc", daemon=True).start()
        return _loop


def _quiet_closing_errors(loop, context):
    """Drop the noise of aiortc tasks that fail because their PeerConnection
    was closed before it connected; report anything else as asyncio would."""
    exc = context.get("exception")
    if exc is not None and type(exc).__name__ in ("InvalidStateError", "ConnectionError", "CancelledError"):
        return
    loop.default_exception_handler(context)


def run(coro, timeout=15):
    """Run a coroutine on the aiortc loop and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coro, loop()).result(timeout)


class Peer:
    """One aiortc RTCPeerConnection (replaced by `reset()` after a hangup)."""

    def __init__(self, media=False):
        self.media = media
        self.pc = None
        self.channel = None
        self.received = []  # data-channel messages received
        self.reset()

    def reset(self):
        """Close the current PeerConnection (if any) and make a fresh one."""
        self.close()

        async def make():
            return RTCPeerConnection(RTCConfiguration(iceServers=[]))

        self.pc = run(make())
        self.channel = None
        pc = self.pc

        @pc.on("datachannel")
        def on_datachannel(channel):
            self.channel = channel
            channel.on("message", self.received.append)

    def _add_media(self):
        pc = self.pc
        if self.media:
            pc.addTrack(AudioStreamTrack())
            pc.addTrack(VideoStreamTrack())
        else:
            pc.addTransceiver("audio", "sendrecv")
            pc.addTransceiver("video", "sendrecv")
        self.channel = pc.createDataChannel("duet")
        self.channel.on("message", self.received.append)

    def offer(self):
        """createOffer + setLocalDescription; returns the JSEP to send."""

        async def make():
            if not self.pc.getTransceivers():
                self._add_media()
            offer = await self.pc.createOffer()
            await self.pc.setLocalDescription(offer)
            return self.pc.localDescription

        desc = run(make())
        return {"type": desc.type, "sdp": without_audio_level(desc.sdp)}

    def answer(self, jsep):
        """setRemoteDescription(offer) + createAnswer; returns the JSEP to send."""
        assert jsep and jsep.get("type") == "offer", "not an offer: %r" % (jsep,)

        async def make():
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type="offer"))
            if self.media:
                # addTrack reuses the offered (recvonly) transceivers: sendrecv
                kinds = {t.kind for t in self.pc.getTransceivers() if t.sender.track is None}
                if "audio" in kinds:
                    self.pc.addTrack(AudioStreamTrack())
                if "video" in kinds:
                    self.pc.addTrack(VideoStreamTrack())
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            return self.pc.localDescription

        desc = run(make())
        return {"type": desc.type, "sdp": desc.sdp}

    def accept(self, jsep):
        """setRemoteDescription(answer) on the offering side."""
        assert jsep and jsep.get("type") == "answer", "not an answer: %r" % (jsep,)
        run(self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type="answer")))

    def feedback(self):
        """Payload-specific RTCP feedback received so far, in order:
        ("pli", media_ssrc) and ("remb", bitrate, ssrcs) tuples."""
        result = []
        transports = {id(s.transport): s.transport for s in self.pc.getSenders() if s.transport} if self.pc else {}
        for transport in transports.values():
            for packet in list(transport.__dict__.get("_duet_rtcp", [])):
                if not isinstance(packet, RtcpPsfbPacket):
                    continue
                if packet.fmt == RTCP_PSFB_PLI:
                    result.append(("pli", packet.media_ssrc))
                elif packet.fmt == RTCP_PSFB_APP:
                    try:
                        bitrate, ssrcs = unpack_remb_fci(packet.fci)
                    except ValueError:
                        continue
                    result.append(("remb", bitrate, ssrcs))
        return result

    @property
    def connection_state(self):
        return self.pc.connectionState if self.pc else "closed"

    def open_channel(self, label="duet"):
        """Open a data channel of our own (also on the answering side)."""

        async def make():
            channel = self.pc.createDataChannel(label)
            channel.on("message", self.received.append)
            return channel

        self.channel = run(make())
        return self.channel

    def send_data(self, message):
        """Send text (str) or binary (bytes) on our data channel."""

        async def send():
            self.channel.send(message)

        run(send())

    def close(self):
        if self.pc is not None:
            pc, self.pc = self.pc, None
            try:
                run(pc.close())
            except Exception:  # closing is best effort
                pass


def without_audio_level(sdp):
    """Drop the ssrc-audio-level extmap from an aiortc offer.

    aiortc 1.4 keeps one header-extension map per bundled transport, and its
    offers use id 2 for audio-level on the audio m-line and for
    abs-send-time on the video one; when Janus sends audio with the 1-byte
    audio-level extension, aiortc parses it as abs-send-time and its
    receive loop dies (struct.error). Without audio-level in the offer
    Janus never adds it. (The same happens with Janus's own VideoCall.)
    """
    lines = [line for line in sdp.split("\r\n") if not (line.startswith("a=extmap:") and "ssrc-audio-level" in line)]
    return "\r\n".join(lines)


def candidates(sdp):
    """The a=candidate lines of an SDP, as Janus trickle candidate objects."""
    result = []
    mid = None
    for line in sdp.splitlines():
        if line.startswith("a=mid:"):
            mid = line[6:]
        elif line.startswith("a=candidate:"):
            result.append({"candidate": line[2:], "sdpMid": mid, "sdpMLineIndex": 0})
    return result
