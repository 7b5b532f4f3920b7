"""Offer/answer signaling, hangup, configure and messages.

The SDP comes from aiortc. Covers the caller's `offer` reaching the callee
as an `offer` event with Janus's JSEP, the `answer` coming back, real ICE
completing (webrtcup on both handles), renegotiation from either side,
trickle, the JSEP errors (462, 463), the call-state errors (461, 464
including glare), JSEPs attached to other requests being ignored, `hangup`
(in and outside a call), a PeerConnection closing (`hangup` reason
`closed`), `configure` results and validation, and `message` relaying.
"""

import pytest

import webrtc
from duet import assert_error, assert_fields, assert_ok, establish_call


def sdp_kinds(sdp):
    return [line.split()[0][2:] for line in sdp.splitlines() if line.startswith("m=")]


def test_offer_and_answer_are_forwarded_with_jsep(duet):
    callee, caller = duet.pair()
    data = assert_ok(caller.offer(), "offering")
    assert data["room"] == caller.room
    offer = callee.wait("offer")
    assert offer.data["room"] == callee.room
    assert offer.data["from"] == caller.id
    assert offer.data["renegotiation"] is False
    assert offer.jsep["type"] == "offer"
    assert sdp_kinds(offer.jsep["sdp"]) == ["audio", "video", "application"]
    data = assert_ok(callee.answer(offer), "answered")
    assert data["room"] == callee.room
    answer = caller.wait("answer")
    assert answer.data["room"] == caller.room
    assert answer.data["from"] == callee.id
    assert answer.jsep["type"] == "answer"
    assert sdp_kinds(answer.jsep["sdp"]) == ["audio", "video", "application"]
    caller.peer.accept(answer.jsep)
    # ICE and DTLS complete on both PeerConnections (aiortc <-> Janus)
    caller.handle.wait_core("webrtcup", 10)
    callee.handle.wait_core("webrtcup", 10)
    # the caller did not get its own offer back, nor the callee the answer
    caller.assert_no_event("offer", within=0)
    callee.assert_no_event("answer", within=0)


def test_in_call_after_answer(duet):
    callee, caller = duet.pair()
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    parts = callee.participants()
    assert not parts[callee.id]["in_call"] and not parts[caller.id]["in_call"]
    assert_ok(callee.answer(offer), "answered")
    parts = callee.participants()
    assert parts[callee.id]["in_call"] and parts[caller.id]["in_call"]


def test_trickle_candidates_are_accepted(duet):
    callee, caller = duet.pair()
    jsep = caller.peer.offer()
    candidates = webrtc.candidates(jsep["sdp"])
    assert candidates, "aiortc gathered no host candidate"
    assert_ok(caller.call({"request": "offer"}, jsep), "offering")
    for candidate in candidates:
        assert caller.handle.trickle(candidate)["janus"] == "ack"
    assert caller.handle.trickle(None)["janus"] == "ack"
    offer = callee.wait("offer")
    assert_ok(callee.answer(offer), "answered")
    caller.peer.accept(caller.wait("answer").jsep)
    caller.handle.wait_core("webrtcup", 10)


def test_renegotiation_from_either_side(duet):
    callee, caller = duet.pair()
    establish_call(caller, callee)
    # the caller renegotiates
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    assert offer.data["renegotiation"] is True and offer.data["from"] == caller.id
    assert_ok(callee.answer(offer), "answered")
    caller.peer.accept(caller.wait("answer").jsep)
    # then the callee does
    assert_ok(callee.offer(), "offering")
    offer = caller.wait("offer")
    assert offer.data["renegotiation"] is True and offer.data["from"] == callee.id
    assert_ok(caller.answer(offer), "answered")
    answer = callee.wait("answer")
    assert answer.data["from"] == caller.id and answer.jsep["type"] == "answer"
    callee.peer.accept(answer.jsep)
    parts = caller.participants()
    assert parts[caller.id]["in_call"] and parts[callee.id]["in_call"]


def test_offer_alone_is_461(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.offer(), 461)


def test_offer_without_jsep_is_462(duet):
    callee, caller = duet.pair()
    assert_error(caller.call({"request": "offer"}), 462)
    callee.assert_no_event("offer", within=0.3)


def test_answer_without_jsep_is_462_and_offer_stays_pending(duet):
    callee, caller = duet.pair()
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    assert_error(callee.call({"request": "answer"}), 462)
    caller.assert_no_event("answer", within=0.2)
    assert_ok(callee.answer(offer), "answered")
    assert caller.wait("answer").jsep["type"] == "answer"


def test_offer_carrying_an_answer_is_463(duet):
    callee, caller = duet.pair()
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    # The callee's handle was offered by Janus, so the core lets an answer
    # JSEP through; the plugin must refuse it on an `offer` request.
    answer_jsep = callee.peer.answer(offer.jsep)
    assert_error(callee.call({"request": "offer"}, answer_jsep), 463)
    caller.assert_no_event(within=0.3)
    assert not callee.participants()[callee.id]["in_call"]


def test_answer_carrying_an_offer_is_463(duet):
    callee, caller = duet.pair()
    assert_error(callee.call({"request": "answer"}, callee.peer.offer()), 463)
    caller.assert_no_event(within=0.3)


def test_answer_without_pending_offer_is_464(duet):
    callee, caller = duet.pair()
    establish_call(caller, callee)
    # the callee answers again, with the same (core-acceptable) answer
    assert_error(callee.call({"request": "answer"}, callee.last_answer), 464)
    caller.assert_no_event("answer", within=0.3)


def test_glare_second_offer_is_464(duet):
    callee, caller = duet.pair()
    establish_call(caller, callee)
    # both renegotiate at once: the caller's offer is pending when the
    # callee's arrives
    assert_ok(caller.offer(), "offering")
    pending = callee.wait("offer")
    assert pending.data["renegotiation"] is True
    assert_error(callee.offer(), 464)
    caller.assert_no_event("offer", within=0.3)


def test_jsep_on_other_requests_is_ignored(duet):
    callee, caller = duet.pair()
    jsep = caller.peer.offer()
    data = assert_ok(caller.call({"request": "message", "text": "with jsep"}, jsep), "sent")
    assert data["room"] == caller.room
    assert callee.wait("message").data["text"] == "with jsep"
    callee.assert_no_event("offer", within=0.3)
    assert not callee.participants()[callee.id]["in_call"]


def test_hangup_in_call(duet):
    callee, caller = duet.pair()
    establish_call(caller, callee, wait_up=True)
    data = assert_ok(caller.hangup(), "hungup")
    assert data["room"] == caller.room
    event = callee.wait("hangup")
    assert_fields(event.data, room=callee.room, reason="hangup", **{"from": caller.id})
    # Janus closes both PeerConnections of the pair
    caller.handle.wait_core("hangup")
    callee.handle.wait_core("hangup")
    callee.assert_no_event("hangup", within=0.5)  # one hangup, not a second "closed" one
    parts = callee.participants()
    assert parts.keys() == {caller.id, callee.id}
    assert all(p["connected"] and not p["in_call"] for p in parts.values())
    # both stay in the room and may call again (new PeerConnections)
    caller.peer.reset()
    callee.peer.reset()
    offer, _ = establish_call(caller, callee)
    assert offer.data["renegotiation"] is False
    assert callee.participants()[callee.id]["in_call"] is True


def test_hangup_outside_call_tells_peer_nothing(duet):
    callee, caller = duet.pair()
    data = assert_ok(caller.hangup(), "hungup")
    assert data["room"] == caller.room
    callee.assert_no_event(within=0.5)
    # alone in a room too
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_ok(p.hangup(), "hungup")


def test_callee_may_hang_up(duet):
    callee, caller = duet.pair()
    establish_call(caller, callee)
    assert_ok(callee.hangup(), "hungup")
    event = caller.wait("hangup")
    assert event.data["from"] == callee.id and event.data["reason"] == "hangup"


@pytest.mark.parametrize("how", ["janus-hangup", "dtls-close"])
def test_peerconnection_closing_hangs_up_the_peer(duet, how):
    callee, caller = duet.pair()
    establish_call(caller, callee, wait_up=True)
    if how == "janus-hangup":
        callee.handle.hangup_webrtc()  # Janus API "hangup" on the callee's handle
    else:
        callee.peer.close()  # aiortc closes: DTLS close_notify reaches Janus
    event = caller.wait("hangup", timeout=10)
    assert event.data["room"] == caller.room
    assert event.data["from"] == callee.id
    assert event.data["reason"] == "closed"
    caller.handle.wait_core("hangup")  # the other PeerConnection is closed too
    parts = caller.participants()
    assert parts.keys() == {caller.id, callee.id}
    assert not parts[caller.id]["in_call"] and not parts[callee.id]["in_call"]


def test_configure_result(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    data = assert_ok(p.configure(), "configured")
    assert data["room"] == p.room
    assert (data["audio"], data["video"], data["data"], data["recording"]) == (True, True, True, False)
    assert isinstance(data["bitrate"], int)
    data = assert_ok(p.configure(audio=False, bitrate=256000), "configured")
    assert (data["audio"], data["video"], data["data"], data["bitrate"], data["recording"]) == (
        False,
        True,
        True,
        256000,
        False,
    )
    data = assert_ok(p.configure(video=False, data=False), "configured")
    assert (data["audio"], data["video"], data["data"], data["bitrate"]) == (False, False, False, 256000)
    data = assert_ok(p.configure(audio=True, video=True, data=True, bitrate=0), "configured")
    assert (data["audio"], data["video"], data["data"], data["bitrate"]) == (True, True, True, 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"audio": "no"},
        {"video": 0},
        {"data": "false"},
        {"bitrate": 1000.5},
        {"bitrate": -5},
        {"bitrate": 100000001},
        {"record": "yes"},
        {"filename": 5},
        {"filename": "f" * 257},
    ],
    ids=lambda f: "-".join("%s=%s" % (k, str(v)[:8]) for k, v in f.items()),
)
def test_configure_invalid_field_is_454(duet, fields):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.configure(**fields), 454)
    data = assert_ok(p.configure(), "configured")
    assert (data["audio"], data["video"], data["data"], data["recording"]) == (True, True, True, False)


def test_configure_with_jsep_is_configured_and_no_offer(duet):
    callee, caller = duet.pair()
    assert_ok(caller.call({"request": "configure", "audio": True}, caller.peer.offer()), "configured")
    callee.assert_no_event("offer", within=0.3)


def test_message_is_relayed(duet):
    callee, caller = duet.pair()
    text = "hello \u2713 \"quoted\" \\ {json}"
    data = assert_ok(caller.message(text), "sent")
    assert data["room"] == caller.room
    event = callee.wait("message")
    assert_fields(event.data, room=callee.room, text=text, **{"from": caller.id})
    caller.assert_no_event("message", within=0.2)
    assert_ok(callee.message("back"), "sent")
    assert caller.wait("message").data["from"] == callee.id


def test_message_alone_is_461(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.message("anyone?"), 461)


def test_message_text_limits(duet):
    callee, caller = duet.pair()
    longest = "x" * 65536
    assert_ok(caller.message(longest), "sent")
    assert callee.wait("message").data["text"] == longest
    assert_error(caller.message("x" * 65537), 454)
    assert_error(caller.message("\u20ac" * 21846), 454)  # 21,846 characters, 65,538 bytes
    assert_error(caller.call({"request": "message"}), 453)
    assert_error(caller.call({"request": "message", "text": None}), 453)
    assert_error(caller.call({"request": "message", "text": 5}), 454)
    callee.assert_no_event("message", within=0.3)
