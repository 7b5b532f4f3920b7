"""Cheap WebRTC peers for the CPU benchmark: aiortc sending pre-encoded media.

A browser-like call carries VP8 video and Opus audio. Encoding and decoding
them live would cost the peers far more CPU than Janus spends relaying the
packets, and the machine has two cores shared by Janus and every peer. So:

- the sender never encodes: a short VP8 + Opus WebM clip (made once by
  ffmpeg) is demuxed once into memory, and `ClipTrack` hands aiortc its
  encoded frames in real time; aiortc only packetizes them into RTP (its
  encoders' `pack`, the path of `MediaPlayer(decode=False)`), encrypts
  with SRTP and sends;
- the receiver never decodes: aiortc's per-packet receive handler (jitter
  buffer, NACK generator, bandwidth estimator, decoder queue) is replaced by
  a counter, after aiortc has already done the SRTP and RTP parsing.

`Probe` (one per peer) counts RTP packets sent and received, and
measures one-way transit: the sender notes when each packet is
handed to SRTP, keyed by its payload, and the partner's receiver looks the
payload up when the packet arrives. The payload is the key because Janus
relays it untouched while its core rewrites the SSRC, the header
extensions and (through its RTP switching context) the sequence numbers
and timestamps. Both peers live in this process, on one clock.
"""

import asyncio
import fractions
import os
import subprocess
import time

import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtp import is_rtcp

import webrtc  # tests/integration: the aiortc event loop thread, SDP helpers

# webrtc.py keeps every RTCP packet a peer receives for the media tests; the
# benchmark's peers must not grow a list forever, so undo that here.
RTCDtlsTransport._handle_rtcp_data = webrtc._original_handle_rtcp_data

CLIP_SECONDS = 10
KINDS = ("audio", "video")
MIME = {"audio": "audio/opus", "video": "video/VP8"}
# How late (seconds) a frame may be sent before the track skips ahead.
MAX_LATE = 0.1
# How long a reading of the probes may wait for a busy aiortc loop.
LOOP_TIMEOUT = 60


def make_clip(path):
    """Write a 10 s 640x480 30 fps VP8 (~500 kbit/s) + Opus (20 ms frames)
    WebM made from ffmpeg's test pattern and pink noise (so that no two
    audio packets are alike: packets are known by their payload), unless it exists."""
    if os.path.exists(path):
        return path
    tmp = path + ".part.webm"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc=size=640x480:rate=30",
         "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:amplitude=0.3",
         "-t", str(CLIP_SECONDS),
         "-c:v", "libvpx", "-b:v", "500k", "-deadline", "realtime", "-cpu-used", "8",
         "-g", "150", "-auto-alt-ref", "0",
         "-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-application", "voip",
         tmp],
        check=True,
    )  # fmt: skip
    os.replace(tmp, path)
    return path


class Clip:
    """The clip's encoded frames in memory: per kind a list of (seconds, bytes)."""

    def __init__(self, path):
        self.frames = {kind: [] for kind in KINDS}
        with av.open(path) as container:
            for packet in container.demux():
                if packet.size == 0 or packet.pts is None:
                    continue
                kind = packet.stream.type
                self.frames[kind].append((float(packet.pts * packet.time_base), bytes(packet)))
        self.duration = CLIP_SECONDS


class EncodedFrame:
    """What aiortc's encoders' `pack` reads from an av.Packet: the bytes, pts
    and time_base (lighter than making an av.Packet per frame)."""

    __slots__ = ("data", "pts", "time_base")
    TIME_BASE = fractions.Fraction(1, 1000000)

    def __init__(self, data, seconds):
        self.data = data
        self.pts = int(seconds * 1000000)
        self.time_base = self.TIME_BASE

    def __bytes__(self):
        return self.data


class ClipTrack(MediaStreamTrack):
    """Plays one kind of the clip in a loop at its real pace, encoded."""

    def __init__(self, clip, kind):
        super().__init__()
        self.kind = kind
        self.frames = clip.frames[kind]
        self.duration = clip.duration
        self.index = 0
        self.start = None

    async def recv(self):
        loop = asyncio.get_running_loop()
        if self.start is None:
            self.start = loop.time()
        lap, i = divmod(self.index, len(self.frames))
        seconds, data = self.frames[i]
        seconds += lap * self.duration
        self.index += 1
        wait = self.start + seconds - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -MAX_LATE:
            # This process was held back (a busy machine). A live encoder
            # would not send the frames it missed in one burst, which only
            # overflows the receivers' socket buffers: carry on from now.
            self.start -= wait
        return EncodedFrame(data, seconds)


def rtp_payload(data):
    """The payload of a plain RTP packet (RFC 3550 header, CSRCs, extension;
    aiortc never pads)."""
    offset = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:
        offset += 4 + 4 * int.from_bytes(data[offset + 2 : offset + 4], "big")
    return data[offset:]


class Probe:
    """Packet counters and transit times of one peer.

    Every RTP packet a peer sends is noted in `sent_at` under its payload
    until the partner receives it. Packets first sent while `measuring` (the
    window) are counted in `window_sent`, and those of them the partner
    receives, whenever that is, in `window_delivered`, with their transit
    time; so loss is exact per packet, not a difference of two counters
    read while packets are in flight.
    """

    def __init__(self):
        self.partner = None  # the Probe of the peer at the other end of the call
        self.media_ssrcs = set()  # our senders' SSRCs
        self.received = dict.fromkeys(KINDS, 0)  # every packet received, per kind
        self.sent_at = {}  # RTP payload -> (perf_counter() at send, sent in the window?)
        self.measuring = False
        self.window_sent = 0
        self.window_delivered = 0
        self.transits = []  # seconds, of the window's delivered packets

    def on_send(self, data):
        if int.from_bytes(data[8:12], "big") not in self.media_ssrcs:
            return
        payload = rtp_payload(data)
        if payload in self.sent_at:
            return  # a retransmission (Janus asked for it with a NACK)
        if len(self.sent_at) > 20000:
            self.sent_at.clear()  # payloads of packets lost long ago
        self.sent_at[payload] = (time.perf_counter(), self.measuring)
        if self.measuring:
            self.window_sent += 1

    def on_receive(self, kind, packet):
        now = time.perf_counter()
        self.received[kind] += 1
        sender = self.partner
        entry = sender.sent_at.pop(packet.payload, None) if sender else None
        if entry is not None and entry[1]:
            sender.window_delivered += 1
            sender.transits.append(now - entry[0])

    def start_window(self):
        self.window_sent = self.window_delivered = 0
        self.transits = []
        self.measuring = True


def on_loop(probes, action):
    """Run action(probe) for every probe at one instant of the aiortc loop
    (which updates the probes); returns every probe's `received` then."""

    async def run():
        for p in probes:
            action(p)
        return [dict(p.received) for p in probes]

    return webrtc.run(run(), LOOP_TIMEOUT)


def start_window(probes):
    return on_loop(probes, Probe.start_window)


def stop_window(probes):
    return on_loop(probes, lambda p: setattr(p, "measuring", False))


def window_results(probes):
    """(packets sent in the window, how many of them were delivered, their
    transit times in seconds), read on the aiortc loop."""

    async def read():
        sent = sum(p.window_sent for p in probes)
        delivered = sum(p.window_delivered for p in probes)
        return sent, delivered, [t for p in probes for t in p.transits]

    return webrtc.run(read(), LOOP_TIMEOUT)


_original_send_rtp = RTCDtlsTransport._send_rtp


async def _counting_send_rtp(self, data):
    probe = self.__dict__.get("_bench_probe")
    if probe is not None and not is_rtcp(data):
        probe.on_send(data)
    await _original_send_rtp(self, data)


async def _counting_handle_rtp_packet(self, packet, arrival_time_ms):
    """Replaces aiortc's receive path: count, time, drop (no decoding)."""
    probe = self.transport.__dict__.get("_bench_probe")
    if probe is not None:
        probe.on_receive(self.track.kind, packet)


def install_hooks():
    """Make every aiortc peer of this process a cheap, counting one."""
    RTCDtlsTransport._send_rtp = _counting_send_rtp
    RTCRtpReceiver._handle_rtp_packet = _counting_handle_rtp_packet


def _codec(kind):
    return [c for c in RTCRtpSender.getCapabilities(kind).codecs if c.mimeType == MIME[kind]]


class BenchPeer:
    """One aiortc PeerConnection sending the clip's audio and video."""

    def __init__(self, clip):
        self.clip = clip
        self.probe = Probe()
        self.pc = webrtc.run(self._make())

    @staticmethod
    async def _make():
        return RTCPeerConnection(RTCConfiguration(iceServers=[]))

    def _add_tracks(self):
        """Send both kinds, VP8 and Opus only (the clip's codecs), reusing
        transceivers an offer made; and attach the probe to the transport."""
        for kind in KINDS:
            self.pc.addTrack(ClipTrack(self.clip, kind))
        for transceiver in self.pc.getTransceivers():
            transceiver.setCodecPreferences(_codec(transceiver.kind))

    def _attach_probe(self):
        for transceiver in self.pc.getTransceivers():
            sender = transceiver.sender
            self.probe.media_ssrcs.add(sender._ssrc)
            sender.transport.__dict__["_bench_probe"] = self.probe

    def offer(self):
        async def make():
            self._add_tracks()
            await self.pc.setLocalDescription(await self.pc.createOffer())
            self._attach_probe()
            return self.pc.localDescription

        desc = webrtc.run(make())
        return {"type": desc.type, "sdp": webrtc.without_audio_level(desc.sdp)}

    def answer(self, jsep):
        async def make():
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type=jsep["type"]))
            self._add_tracks()
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            self._attach_probe()
            return self.pc.localDescription

        desc = webrtc.run(make())
        return {"type": desc.type, "sdp": desc.sdp}

    def accept(self, jsep):
        webrtc.run(self.pc.setRemoteDescription(RTCSessionDescription(sdp=jsep["sdp"], type=jsep["type"])))

    @property
    def connected(self):
        return self.pc.connectionState == "connected"

    def close(self):
        try:
            webrtc.run(self.pc.close())
        except Exception:  # closing is best effort
            pass


def pair(a, b):
    """Tell two peers' probes that they are the two ends of one call."""
    a.probe.partner, b.probe.partner = b.probe, a.probe
