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

_loop = None
_loop_lock = threading.Lock()


def loop():
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="aiortc", daemon=True).start()
        return _loop


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
        return {"type": desc.type, "sdp": desc.sdp}

    def answer(self, jsep):
        """setRemoteDescription(offer) + createAnswer; returns the JSEP to send."""
        assert jsep and jsep.get("type") == "offer", "not an offer: %r" % (jsep,)

        async def make():
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type="offer"))
            if self.media:
                for transceiver in self.pc.getTransceivers():
                    if transceiver.sender.track is None and transceiver.kind in ("audio", "video"):
                        track = AudioStreamTrack() if transceiver.kind == "audio" else VideoStreamTrack()
                        transceiver.sender.replaceTrack(track)
            answer = await self.pc.createAnswer()
            await self.pc.setLocalDescription(answer)
            return self.pc.localDescription

        desc = run(make())
        return {"type": desc.type, "sdp": desc.sdp}

    def accept(self, jsep):
        """setRemoteDescription(answer) on the offering side."""
        assert jsep and jsep.get("type") == "answer", "not an answer: %r" % (jsep,)
        run(self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type="answer")))

    @property
    def connection_state(self):
        return self.pc.connectionState if self.pc else "closed"

    def send_data(self, text):
        async def send():
            self.channel.send(text)

        run(send())

    def close(self):
        if self.pc is not None:
            pc, self.pc = self.pc, None
            try:
                run(pc.close())
            except Exception:  # closing is best effort
                pass


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
