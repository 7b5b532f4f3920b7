"""Media relayed through Janus between two aiortc peers.

Both peers send aiortc's generated audio and video in one call that the
tests of this file share (set up once, to keep the suite fast). Covers the
Admin API counters (`stats`, handle info) growing for both participants,
the peers' aiortc really receiving RTP, data-channel messages (text and
binary) crossing, `configure audio:false` stopping the relay of the
caller's audio while its video still flows, and `record` writing .mjr
files into the room's rec_dir.
"""

import glob
import json
import os
import subprocess
import time

import pytest

import janus_client as jc
import webrtc
from duet import Duet, assert_ok, establish_call


def room_stats(room):
    data = assert_ok(jc.admin_plugin({"request": "stats"}), "success")
    for entry in data["rooms"]:
        if entry["room"] == room:
            return {p["id"]: p for p in entry["participants"]}
    raise AssertionError("room %s not in stats: %r" % (room, data))


def wait_until(check, timeout, message):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(0.2)


def inbound_packets(peer, kind):
    async def stats():
        report = await peer.pc.getStats()
        return sum(s.packetsReceived for s in report.values() if s.type == "inbound-rtp" and s.kind == kind)

    return webrtc.run(stats())


ROOM_BITRATE = 600000


class Call:
    def __init__(self, janus, duet, room, caller, callee):
        self.janus, self.duet, self.room, self.caller, self.callee = janus, duet, room, caller, callee


@pytest.fixture(scope="module")
def call(janus_manager):
    janus = janus_manager.get()
    duet = Duet("media")
    try:
        room = duet.create_room(bitrate=ROOM_BITRATE)
        callee, caller = duet.participant(media=True), duet.participant(media=True)
        callee.must_join(room)
        caller.must_join(room)
        callee.wait("peer_joined")
        establish_call(caller, callee, wait_up=True)
        yield Call(janus, duet, room, caller, callee)
        duet.check_events()
    finally:
        duet.close()


def test_rtp_is_relayed_both_ways(call, janus):
    caller, callee = call.caller, call.callee

    def flowing():
        stats = room_stats(call.room)
        return all(stats[p.id][k]["packets"] > 10 for p in (caller, callee) for k in ("audio", "video")) and stats

    stats = wait_until(flowing, 10, lambda: "media not relayed: %r" % (room_stats(call.room),))
    assert all(stats[p.id]["video"]["bytes"] > 1000 for p in (caller, callee))
    wait_until(lambda: inbound_packets(callee.peer, "video") > 10, 5, "callee's aiortc received no video")
    wait_until(lambda: inbound_packets(caller.peer, "audio") > 10, 5, "caller's aiortc received no audio")
    info = jc.handle_info(caller.handle)["plugin_specific"]
    assert info["state"] == "in_call"
    assert info["stats"]["audio"]["packets"] > 0 and info["stats"]["video"]["bytes"] > 0
    # the current received rate, in bits per second (sampled periodically)
    stats = wait_until(
        lambda: (lambda s: s if all(s[p.id]["bitrate"] > 0 for p in (caller, callee)) else None)(room_stats(call.room)),
        5,
        lambda: "stats bitrate stays 0: %r" % (room_stats(call.room),),
    )
    # counters are cumulative
    later = wait_until(
        lambda: (lambda s: s if s[caller.id]["video"]["packets"] > stats[caller.id]["video"]["packets"] else None)(
            room_stats(call.room)
        ),
        5,
        "video counter does not grow",
    )
    assert later[caller.id]["audio"]["packets"] >= stats[caller.id]["audio"]["packets"]


def test_data_channel_messages_are_relayed(call, janus):
    caller, callee = call.caller, call.callee
    # Like janus.js, the answering side opens a channel of its own: Janus
    # reports a handle's data channel usable (data_ready) only once its SCTP
    # association has carried data.
    wait_until(lambda: caller.peer.channel and caller.peer.channel.readyState == "open", 5, "data channel not open")
    callee.peer.open_channel("duet-callee")
    wait_until(lambda: callee.peer.channel.readyState == "open", 5, "callee data channel not open")
    callee.peer.send_data("pong over sctp")
    wait_until(lambda: "pong over sctp" in caller.peer.received, 5, "callee's data-channel message not relayed")
    caller.peer.send_data("ping over sctp")
    caller.peer.send_data(b"\x00\x01\xfe\xff")
    wait_until(lambda: "ping over sctp" in callee.peer.received, 5, "caller's text message not relayed")
    wait_until(lambda: b"\x00\x01\xfe\xff" in callee.peer.received, 5, "caller's binary message not relayed")
    stats = room_stats(call.room)
    assert stats[caller.id]["data"]["packets"] >= 2
    assert stats[callee.id]["data"]["packets"] >= 1


def test_configure_data_off_stops_data_relay(call, janus):
    caller, callee = call.caller, call.callee
    wait_until(lambda: callee.peer.channel and callee.peer.channel.readyState == "open", 5, "no data channel")
    assert assert_ok(caller.configure(data=False), "configured")["data"] is False
    try:
        caller.peer.send_data("dropped")
        time.sleep(0.5)
        assert "dropped" not in callee.peer.received
    finally:
        assert assert_ok(caller.configure(data=True), "configured")["data"] is True
    caller.peer.send_data("relayed again")
    wait_until(lambda: "relayed again" in callee.peer.received, 5, "data not relayed after configure data:true")


def test_configure_audio_off_stops_audio_relay(call, janus):
    caller = call.caller
    assert assert_ok(caller.configure(audio=False), "configured")["audio"] is False
    try:
        time.sleep(0.3)
        before = room_stats(call.room)[caller.id]
        time.sleep(1.0)
        after = room_stats(call.room)[caller.id]
        assert after["audio"]["packets"] - before["audio"]["packets"] <= 1, (before, after)
        assert after["video"]["packets"] > before["video"]["packets"], (before, after)
    finally:
        assert assert_ok(caller.configure(audio=True), "configured")["audio"] is True
    wait_until(
        lambda: room_stats(call.room)[caller.id]["audio"]["packets"] > after["audio"]["packets"] + 5,
        5,
        "audio not relayed again after configure audio:true",
    )


def test_recording_writes_mjr_files(call, janus):
    caller = call.caller
    rec_dir = os.path.join(call.janus.dir, "recordings")
    pattern = os.path.join(rec_dir, "**", "*.mjr")
    before = set(glob.glob(pattern, recursive=True))
    data = assert_ok(caller.configure(record=True, filename="duet-media"), "configured")
    try:
        assert data["recording"] is True, data
        assert jc.handle_info(caller.handle)["plugin_specific"]["recording"] is True
        time.sleep(1.0)
    finally:
        data = assert_ok(caller.configure(record=False), "configured")
    assert data["recording"] is False
    files = set(glob.glob(pattern, recursive=True)) - before
    assert files, "no .mjr written in %s" % rec_dir
    assert any(os.path.getsize(f) > 1000 for f in files), {f: os.path.getsize(f) for f in files}
    assert_playable(files)


def assert_playable(files):
    """janus-pp-rec turns the recordings into media files."""
    extensions = {"opus": ".opus", "vp8": ".webm", "vp9": ".webm", "h264": ".mp4", "text": ".srt"}
    converted = 0
    for path in sorted(files):
        with open(path, "rb") as f:
            head = f.read(4096)
        assert head.startswith(b"MJR00002"), (path, head[:16])
        length = int.from_bytes(head[8:10], "big")
        info = json.loads(head[10 : 10 + length])
        target = path[:-4] + extensions.get(info.get("c"), ".mkv")
        result = subprocess.run(["janus-pp-rec", path, target], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (path, result.stdout[-2000:], result.stderr[-2000:])
        assert os.path.exists(target) and os.path.getsize(target) > 0, target
        converted += 1
    assert converted


def test_keyframe_requested_when_both_up(call, janus):
    for p in (call.caller, call.callee):
        wait_until(
            lambda: any(f[0] == "pli" for f in p.peer.feedback()),
            5,
            lambda: "no PLI reached %s: %r" % (p, p.peer.feedback()),
        )


def remb_after(peer, start):
    return [f[1] for f in peer.peer.feedback()[start:] if f[0] == "remb"]


def test_remb_applies_the_lower_cap(call, janus):
    caller, callee = call.caller, call.callee
    # the room's cap alone
    wait_until(lambda: remb_after(callee, 0), 5, "no REMB reached the callee (room bitrate %d)" % ROOM_BITRATE)
    assert 0 < remb_after(callee, 0)[-1] <= ROOM_BITRATE, remb_after(callee, 0)
    # a participant cap below the room's
    start = len(caller.peer.feedback())
    assert assert_ok(caller.configure(bitrate=250000), "configured")["bitrate"] == 250000
    try:
        wait_until(lambda: remb_after(caller, start), 5, "no REMB after configure bitrate")
        assert 0 < remb_after(caller, start)[-1] <= 250000, remb_after(caller, start)
        # a participant cap above the room's: the room's wins
        start = len(caller.peer.feedback())
        assert_ok(caller.configure(bitrate=5000000), "configured")
        wait_until(lambda: remb_after(caller, start), 5, "no REMB after configure bitrate")
        assert 0 < remb_after(caller, start)[-1] <= ROOM_BITRATE, remb_after(caller, start)
    finally:
        assert_ok(caller.configure(bitrate=0), "configured")


def test_room_with_record_records_its_participants(janus):
    duet = Duet("record")
    try:
        # a folder of the room's own, inside general.rec_dir (the plugin API is confined to it)
        rec_dir = os.path.join(janus.dir, "recordings", "room-recordings")
        os.makedirs(rec_dir, exist_ok=True)
        room = duet.create_room(record=True, rec_dir=rec_dir)
        callee, caller = duet.participant(media=True), duet.participant(media=True)
        callee.must_join(room)
        caller.must_join(room)
        callee.wait("peer_joined")
        establish_call(caller, callee, wait_up=True)
        assert jc.handle_info(caller.handle)["plugin_specific"]["recording"] is True
        time.sleep(1.5)
        assert_ok(caller.hangup(), "hungup")
        time.sleep(0.3)
        files = set(glob.glob(os.path.join(rec_dir, "**", "*.mjr"), recursive=True))
        assert len(files) >= 2, "expected audio and video recordings of both in %s, got %r" % (rec_dir, files)
        assert_playable(files)
    finally:
        duet.close()
