"""Network adaptation, simulcast negotiation and keyframes, against the real Janus.

- `configure` takes `substream`/`temporal` (0-2, 454 otherwise) and answers
  them; `create`/`edit` take `adaptive`, which handle info shows.
- Handle info and Admin `stats` carry `estimate`; with packet loss put on
  the server's downlinks (iptables in the test's own network namespace),
  the estimate of each receiver becomes a number under what it was sent,
  the REMB its sender gets follows it, and the participants get
  `slow_link` about their downlink (uplink false).
- A simulcast offer (rids h/m/l) is forwarded to the peer as one plain
  video stream, and the answer the offerer gets accepts its layers.
- In an adaptive room the offer forwarded to the peer has Opus RED first
  in its audio m-line; in another room it is forwarded as written.
- The sender gets a keyframe request when its video relay is turned back
  on and when its recording starts.
Chromium proves the media side of simulcast (tests/e2e/16-simulcast).
"""

import re
import subprocess
import time

import pytest

import janus_client as jc
from duet import Duet, assert_error, assert_ok, establish_call
from test_media import room_stats, wait_until


def plugin_info(participant):
    return jc.handle_info(participant.handle)["plugin_specific"]


# ---- fields ------------------------------------------------------------


@pytest.mark.parametrize("field,value", [("substream", 3), ("substream", -1), ("temporal", 7), ("temporal", 1.5),
                                         ("substream", "2"), ("temporal", True)])
def test_configure_layers_validated(duet, field, value):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.configure(**{field: value}), 454)
    answer = assert_ok(p.configure(), "configured")
    assert (answer["substream"], answer["temporal"]) == (2, 2), answer


def test_configure_layers_answered(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    answer = assert_ok(p.configure(substream=0, temporal=1), "configured")
    assert (answer["substream"], answer["temporal"]) == (0, 1), answer
    answer = assert_ok(p.configure(temporal=2), "configured")
    assert (answer["substream"], answer["temporal"]) == (0, 2), answer


def test_adaptive_on_create_and_edit(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s3cret", adaptive=False)
    p = duet.participant()
    p.must_join(room)
    info = plugin_info(p)
    assert info["adaptive"] is False and info["estimate"] == 0, info
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "s3cret", "new_adaptive": True}), "edited")
    assert plugin_info(p)["adaptive"] is True
    assert_error(h.sync({"request": "create", "adaptive": "yes"}), 454)
    assert_error(h.sync({"request": "edit", "room": room, "secret": "s3cret", "new_adaptive": 1}), 454)
    # Auto-created rooms adapt by default.
    q = duet.participant()
    q.must_join(duet.room_id())
    assert plugin_info(q)["adaptive"] is True


# ---- a call on lossy downlinks ------------------------------------------

JANUS_PORTS = "20000:20999"


def iptables(*args):
    subprocess.run(["iptables-legacy", *args], check=True, capture_output=True)


@pytest.fixture
def lossy_downlinks():
    """A function that starts dropping 40 % of what Janus sends (its media
    ports), nothing it receives; called once the call is up (a lossy DTLS
    handshake may take longer than the test waits); removed afterwards."""
    rule = ["OUTPUT", "-p", "udp", "--sport", JANUS_PORTS, "-m", "statistic", "--mode", "random",
            "--probability", "0.4", "-j", "DROP"]
    inserted = []

    def start():
        iptables("-I", *rule)
        inserted.append(True)

    try:
        yield start
    finally:
        if inserted:
            iptables("-D", *rule)


def remb_after(peer, start):
    return [f[1] for f in peer.peer.feedback()[start:] if f[0] == "remb"]


def test_estimate_follows_a_lossy_downlink(janus, lossy_downlinks):
    duet = Duet("lossy")
    try:
        room = duet.room_id()
        callee, caller = duet.participant(media=True), duet.participant(media=True)
        callee.must_join(room)
        caller.must_join(room)
        callee.wait("peer_joined")
        establish_call(caller, callee, wait_up=True)
        lossy_downlinks()
        start = len(caller.peer.feedback())
        # The callee's reports show the loss: its estimate becomes known...
        estimate = wait_until(lambda: plugin_info(callee)["estimate"], 15,
                              lambda: "no estimate for the callee: %r" % plugin_info(callee))
        assert 0 < estimate < 10000000, estimate
        # ... and is in the Admin API's stats too.
        stats = room_stats(room)
        assert stats[plugin_info(callee)["id"]]["estimate"] > 0, stats
        # The caller (its sender) is held to it with REMB.
        wait_until(lambda: [r for r in remb_after(caller, start) if r < 10000000], 10,
                   lambda: "no limiting REMB reached the caller: %r" % remb_after(caller, start))
        # The core saw many NACKs from both: a slow link on what they receive.
        event = callee.wait("slow_link", timeout=15)
        assert event.data["uplink"] is False and event.data["media"] in ("audio", "video"), event.data
        assert event.data["room"] == room
        duet.check_events()
    finally:
        duet.close()


def test_no_estimate_without_adaptation(janus, lossy_downlinks):
    duet = Duet("lossy-off")
    try:
        room = duet.create_room(adaptive=False)
        callee, caller = duet.participant(media=True), duet.participant(media=True)
        callee.must_join(room)
        caller.must_join(room)
        callee.wait("peer_joined")
        establish_call(caller, callee, wait_up=True)
        lossy_downlinks()
        time.sleep(5)
        assert plugin_info(callee)["estimate"] == 0
    finally:
        duet.close()


# ---- simulcast negotiation ----------------------------------------------

RID_EXT = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
RRID_EXT = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"


def simulcast_offer(sdp):
    """aiortc's offer with three rid layers on its video section, as a
    browser with three sendEncodings writes it."""
    head, video = sdp.split("m=video", 1)
    video_lines = ("m=video" + video).rstrip("\r\n").split("\r\n")
    extra = ["a=extmap:10 " + RID_EXT, "a=extmap:11 " + RRID_EXT,
             "a=rid:h send", "a=rid:m send", "a=rid:l send", "a=simulcast:send h;m;l"]
    # Before the next m-section (the data channel), if any.
    rest = ""
    for i, line in enumerate(video_lines[1:], 1):
        if line.startswith("m="):
            rest = "\r\n".join(video_lines[i:]) + "\r\n"
            video_lines = video_lines[:i]
            break
    return head + "\r\n".join(video_lines + extra) + "\r\n" + rest


def section(sdp, kind):
    match = re.search(r"m=%s .*?(?=\r\nm=|\Z)" % kind, sdp, re.S)
    assert match, "no %s section in %s" % (kind, sdp)
    return match.group(0)


def test_simulcast_offer_is_negotiated(duet):
    callee, caller = duet.pair()
    offer_sdp = simulcast_offer(caller.peer.offer()["sdp"])
    assert_ok(caller.ask({"request": "offer"}, {"type": "offer", "sdp": offer_sdp}), "offering")
    offer = callee.wait("offer")
    forwarded = section(offer.jsep["sdp"], "video")
    for absent in ("a=simulcast", "a=rid:", RID_EXT, RRID_EXT):
        assert absent not in forwarded, "%r forwarded to the peer:\n%s" % (absent, forwarded)
    assert_ok(callee.answer(offer), "answered")
    answer = section(caller.wait("answer").jsep["sdp"], "video")
    assert "a=extmap:10 " + RID_EXT in answer, answer
    assert re.search(r"a=simulcast: ?recv [hml];[hml];[hml]", answer), answer
    for rid in "hml":
        assert "a=rid:%s recv" % rid in answer, answer


def test_plain_offer_is_answered_without_simulcast(duet):
    callee, caller = duet.pair()
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    assert_ok(callee.answer(offer), "answered")
    answer = caller.wait("answer").jsep["sdp"]
    assert "a=simulcast" not in answer and RID_EXT not in section(answer, "video"), answer


# ---- audio redundancy ---------------------------------------------------


def red_offer(sdp):
    """aiortc's offer with Opus RED offered after Opus, as Chromium writes it."""
    opus = re.search(r"a=rtpmap:(\d+) opus/48000/2", sdp).group(1)
    head, audio = sdp.split("m=audio", 1)
    m_line, rest = audio.split("\r\n", 1)
    red = "a=rtpmap:63 red/48000/2\r\na=fmtp:63 %s/%s\r\n" % (opus, opus)
    return head + "m=audio" + m_line + " 63\r\n" + red + rest


def audio_formats(sdp):
    return section(sdp, "audio").split("\r\n", 1)[0].split(" ")[3:]


@pytest.mark.parametrize("adaptive", [True, False])
def test_red_first_in_adaptive_offers(duet, adaptive):
    """In an adaptive room the peer is offered Opus RED first, so that both
    browsers send their audio with redundancy; otherwise the offer is
    forwarded as written. The answer comes back as the peer wrote it."""
    room = duet.create_room(duet.handle(), adaptive=adaptive)
    callee, caller = duet.pair(room)
    offer_sdp = red_offer(caller.peer.offer()["sdp"])
    given = audio_formats(offer_sdp)
    assert given[-1] == "63" and given[0] != "63", given
    assert_ok(caller.ask({"request": "offer"}, {"type": "offer", "sdp": offer_sdp}), "offering")
    offer = callee.wait("offer")
    forwarded = audio_formats(offer.jsep["sdp"])
    assert forwarded == (["63"] + given[:-1] if adaptive else given), forwarded
    assert "a=rtpmap:63 red/48000/2" in section(offer.jsep["sdp"], "audio")
    assert_ok(callee.answer(offer), "answered")
    caller.wait("answer")


# ---- keyframes ----------------------------------------------------------


@pytest.fixture(scope="module")
def media_call(janus_manager, tmp_path_factory):
    janus_manager.get()
    duet = Duet("keyframes")
    try:
        # Any folder, through the Admin API (a client's rec_dir must lie in
        # the configured one).
        rec_dir = str(tmp_path_factory.mktemp("keyframes"))
        room = duet.room_id()
        assert_ok(jc.admin_plugin({"request": "create", "room": room, "rec_dir": rec_dir}), "created")
        callee, caller = duet.participant(media=True), duet.participant(media=True)
        callee.must_join(room)
        caller.must_join(room)
        callee.wait("peer_joined")
        establish_call(caller, callee, wait_up=True)
        time.sleep(1.5)  # past the keyframes of the call's start
        yield caller, callee
    finally:
        duet.close()


def plis_after(participant, start):
    return [f for f in participant.peer.feedback()[start:] if f[0] == "pli"]


def quiet(participant, seconds=1.5, attempts=8):
    """Waits until no PLI reached the participant for `seconds` (a receiver
    may ask for keyframes itself after a change); returns the feedback count."""
    for _ in range(attempts):
        start = len(participant.peer.feedback())
        time.sleep(seconds)
        if not plis_after(participant, start):
            return len(participant.peer.feedback())
    raise AssertionError("keyframe requests never stopped: %r" % participant.peer.feedback()[-10:])


def test_keyframe_when_recording_starts(media_call, janus):
    caller, _ = media_call
    start = quiet(caller)
    assert_ok(caller.configure(record=True), "configured")
    try:
        wait_until(lambda: plis_after(caller, start), 1.5, "no PLI reached the caller when its recording started")
    finally:
        assert_ok(caller.configure(record=False), "configured")


def test_keyframe_when_video_relay_comes_back(media_call, janus):
    caller, _ = media_call
    assert_ok(caller.configure(video=False), "configured")
    start = quiet(caller)
    assert_ok(caller.configure(video=True), "configured")
    wait_until(lambda: plis_after(caller, start), 1.5, "no PLI reached the caller when its video came back")
