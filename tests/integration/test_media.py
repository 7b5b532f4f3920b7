"""Media relayed through Janus between two aiortc peers.

Both peers send aiortc's generated audio and video; the test checks that
the Admin API counters (`stats`, handle info) grow for both participants,
that the callee's aiortc really receives RTP, that a data-channel message
crosses, that `configure audio:false` stops relaying the caller's audio
while its video still flows, and that `record` writes .mjr files into the
room's rec_dir. One call serves all checks to keep the suite fast.
"""

import glob
import os
import time

import janus_client as jc
import webrtc
from duet import assert_ok, establish_call


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
            raise AssertionError(message)
        time.sleep(0.2)


def inbound_packets(peer, kind):
    async def stats():
        report = await peer.pc.getStats()
        return sum(s.packetsReceived for s in report.values() if s.type == "inbound-rtp" and s.kind == kind)

    return webrtc.run(stats())


def test_media_and_data_are_relayed(duet, janus):
    room = duet.room_id()
    callee, caller = duet.participant(media=True), duet.participant(media=True)
    callee.must_join(room)
    caller.must_join(room)
    callee.wait("peer_joined")
    establish_call(caller, callee, wait_up=True)

    # counters grow on both sides
    def flowing():
        stats = room_stats(room)
        return all(stats[p.id][k]["packets"] > 10 for p in (caller, callee) for k in ("audio", "video")) and stats

    stats = wait_until(flowing, 10, "media not relayed: %r" % (room_stats(room),))
    assert all(stats[p.id]["video"]["bytes"] > 1000 for p in (caller, callee))
    assert wait_until(lambda: inbound_packets(callee.peer, "video") > 10, 5, "callee received no video")
    assert wait_until(lambda: inbound_packets(caller.peer, "audio") > 10, 5, "caller received no audio")
    info = jc.handle_info(caller.handle)["plugin_specific"]
    assert info["state"] == "in_call" and info["stats"]["audio"]["packets"] > 0

    # a data-channel message crosses
    wait_until(lambda: caller.peer.channel and caller.peer.channel.readyState == "open", 5, "data channel not open")
    caller.peer.send_data("ping over sctp")
    wait_until(lambda: "ping over sctp" in callee.peer.received, 5, "data-channel message not relayed")
    assert room_stats(room)[caller.id]["data"]["packets"] >= 1

    # configure audio:false stops relaying the caller's audio, not its video
    assert assert_ok(caller.configure(audio=False), "configured")["audio"] is False
    time.sleep(0.3)
    before = room_stats(room)[caller.id]
    time.sleep(1.0)
    after = room_stats(room)[caller.id]
    assert after["audio"]["packets"] - before["audio"]["packets"] <= 1, (before, after)
    assert after["video"]["packets"] > before["video"]["packets"], (before, after)
    assert assert_ok(caller.configure(audio=True), "configured")["audio"] is True
    wait_until(
        lambda: room_stats(room)[caller.id]["audio"]["packets"] > after["audio"]["packets"] + 5,
        5,
        "audio not relayed again after configure audio:true",
    )

    # recording writes .mjr files into rec_dir
    rec_dir = os.path.join(janus.dir, "recordings")
    before_files = set(glob.glob(os.path.join(rec_dir, "**", "*.mjr"), recursive=True))
    assert assert_ok(caller.configure(record=True, filename="duet-media"), "configured")["recording"] is True
    time.sleep(1.0)
    assert assert_ok(caller.configure(record=False), "configured")["recording"] is False
    files = set(glob.glob(os.path.join(rec_dir, "**", "*.mjr"), recursive=True)) - before_files
    assert files, "no .mjr written in %s" % rec_dir
    assert any(os.path.getsize(f) > 1000 for f in files), {f: os.path.getsize(f) for f in files}
