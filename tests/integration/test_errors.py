"""Request bodies, field types and the error precedence of the spec.

Body-level errors answer synchronously: `{}` (or any body without
`request`) is 453, a non-string `request` 454, an unknown one 452; request
names are case-insensitive. 450 (no body) and 451 (body not an object)
cannot reach the plugin over the Janus API: the core requires `body` to be
a JSON object and answers with its own top-level errors (456/467), which
is asserted here too, so that a change in that behaviour is noticed.

Field rules: JSON null counts as absent, a fraction where an integer is
expected is 454, wrong types are 454. Then the precedence: fields
(453/454) before lookups (455/465) before authorization (458) before
membership/capacity (459/460/456/457) before the JSEP (462/463) before the
call state (461/464). Every error has the shape
{"duet": "event", "error_code": N, "error": "..."}.
"""

import pytest

import janus_client as jc
from duet import assert_error, assert_ok


@pytest.mark.parametrize(
    "body,code",
    [
        ({}, 453),
        ({"room": "r1"}, 453),
        ({"request": None}, 453),
        ({"request": 5}, 454),
        ({"request": ["join"]}, 454),
        ({"request": {"name": "join"}}, 454),
        ({"request": True}, 454),
        ({"request": "nope"}, 452),
        ({"request": ""}, 452),
        ({"request": "join "}, 452),
        ({"request": 5, "room": "bad room!"}, 454),
    ],
    ids=["empty", "no-request", "null", "number", "array", "object", "bool", "unknown", "empty-string", "trailing-space", "number-first"],
)
def test_body_level_errors_answer_synchronously(duet, body, code):
    h = duet.handle()
    assert_error(h.sync(body), code)


def test_core_rejects_missing_or_non_object_body(duet):
    """450/451 cannot be produced over HTTP: Janus answers before the plugin."""
    h = duet.handle()
    for message in ({"janus": "message"}, {"janus": "message", "body": "text"}, {"janus": "message", "body": [1]}):
        answer = h.post(message)
        assert answer["janus"] == "error", answer
        assert "plugindata" not in answer
        assert answer["error"]["code"] in (456, 467), answer
    # the handle still works
    assert_ok(h.sync({"request": "list"}), "success")


@pytest.mark.parametrize("name", ["LIST", "List", "lIsT"])
def test_request_names_are_case_insensitive_sync(duet, name):
    h = duet.handle()
    assert isinstance(assert_ok(h.sync({"request": name}), "success")["rooms"], list)


def test_request_names_are_case_insensitive_async(duet):
    room = duet.room_id()
    first, second = duet.participant(), duet.participant()
    assert_ok(first.call({"request": "JOIN", "room": room}), "joined")
    assert_ok(second.call({"request": "Join", "room": room}), "joined")
    assert_ok(second.call({"request": "MESSAGE", "text": "hi"}), "sent")
    assert_ok(first.call({"request": "Offer"}, first.peer.offer()), "offering")
    assert_ok(first.call({"request": "HangUp"}), "hungup")
    assert_ok(first.call({"request": "LEAVE"}), "left")
    assert_ok(second.sync({"request": "Exists", "room": room}), "success")


def test_error_shape_of_async_requests(duet):
    p = duet.participant()
    event = p.handle.call({"request": "join"})
    assert not event.sync and event.tx
    assert event.data["duet"] == "event"
    assert event.data["error_code"] == 453
    assert isinstance(event.data["error"], str) and event.data["error"]
    assert event.jsep is None


@pytest.mark.parametrize(
    "body",
    [
        {"request": "create", "bitrate": 1.5},
        {"request": "create", "reconnect_window": 0.5},
        {"request": "exists", "room": 12.5},
        {"request": "listparticipants", "room": 7.25},
    ],
    ids=["create-bitrate", "create-window", "exists-room", "listparticipants-room"],
)
def test_fraction_for_integer_is_454(duet, body):
    assert_error(duet.handle().sync(body), 454)


def test_fraction_in_async_requests_is_454(duet):
    p = duet.participant()
    assert_error(p.join(3.5), 454)
    p.must_join(duet.room_id())
    assert_error(p.configure(bitrate=64000.5), 454)


def test_null_counts_as_absent(duet):
    h = duet.handle()
    created = assert_ok(
        h.sync(
            {
                "request": "create",
                "room": None,
                "description": None,
                "pin": None,
                "secret": None,
                "is_private": None,
                "bitrate": None,
                "record": None,
                "rec_dir": None,
                "reconnect_window": None,
                "permanent": None,
            }
        ),
        "created",
    )
    room = created["room"]
    rooms = {r["room"]: r for r in assert_ok(h.sync({"request": "list"}), "success")["rooms"]}
    assert rooms[room]["pin_required"] is False  # listed: not private
    p = duet.participant()
    data = p.must_join(room, display=None, pin=None, token=None, id=None, reconnect_token=None).data
    assert data["display"] == "" and isinstance(data["id"], str) and data["id"]
    assert_error(p.call({"request": "message", "text": None}), 453)
    data = assert_ok(p.configure(audio=None, video=None, data=None, bitrate=None, record=None), "configured")
    assert (data["audio"], data["video"], data["data"], data["recording"]) == (True, True, True, False)
    assert_error(h.sync({"request": "kick", "room": room, "id": None}), 453)


# --- precedence ---------------------------------------------------------


def test_fields_before_lookups(duet):
    h = duet.handle()
    unknown = duet.room_id()
    # a missing field and an unknown room: 453
    assert_error(h.sync({"request": "kick", "room": unknown}), 453)
    assert_error(h.sync({"request": "kick", "room": unknown, "secret": "s"}), 453)
    # a wrong type and an unknown room: 454
    assert_error(h.sync({"request": "kick", "room": unknown, "secret": "s", "id": 7}), 454)
    assert_error(h.sync({"request": "edit", "room": unknown, "secret": "s", "new_bitrate": 0.5}), 454)
    # both present and well-typed: the lookup
    assert_error(h.sync({"request": "kick", "room": unknown, "secret": "s", "id": "x"}), 455)


def test_lookups_before_authorization(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="right")
    first, second = duet.pair(room)
    # unknown participant, wrong or missing secret: 465
    assert_error(h.sync({"request": "kick", "room": room, "secret": "wrong", "id": "nobody"}), 465)
    assert_error(h.sync({"request": "kick", "room": room, "id": "nobody"}), 465)
    assert_error(h.sync({"request": "kick", "room": room, "secret": "right", "id": "nobody"}), 465)
    # unknown room without secret: 455, not 458
    assert_error(h.sync({"request": "edit", "room": duet.room_id(), "new_description": "x"}), 455)
    # a known participant and a wrong/missing secret: 458
    assert_error(h.sync({"request": "kick", "room": room, "secret": "wrong", "id": second.id}), 458)
    assert_error(h.sync({"request": "kick", "room": room, "id": second.id}), 458)
    assert first.participants().keys() == {first.id, second.id}


def test_types_before_authorization(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="right", description="same")
    assert_error(h.sync({"request": "edit", "room": room, "secret": "wrong", "new_bitrate": "fast"}), 454)
    assert_error(h.sync({"request": "edit", "room": room, "secret": 5}), 454)


def test_authorization_before_capacity(duet):
    room = duet.create_room(pin="1111")
    first, second = duet.pair(room, callee_fields={"pin": "1111"}, caller_fields={"pin": "1111"})
    third = duet.participant()
    assert_error(third.join(room, pin="0000"), 458)
    assert_error(third.join(room), 458)
    assert_error(third.join(room, pin="1111"), 457)


def test_authorization_before_already_joined(duet):
    guarded = duet.create_room(pin="1111")
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.join(guarded), 458)
    assert_error(p.join(guarded, pin="1111"), 459)
    assert_error(p.call({"request": "join"}), 453)


def test_fields_before_capacity_and_membership(duet):
    first, second = duet.pair()
    third = duet.participant()
    assert_error(third.join(first.room, display=7), 454)
    assert_error(first.join(first.room, display=7), 454)  # already joined, but the type comes first


def test_create_type_before_taken(duet):
    h = duet.handle()
    room = duet.create_room(h)
    assert_error(h.sync({"request": "create", "room": room, "bitrate": 0.5}), 454)
    assert_error(h.sync({"request": "create", "room": room}), 456)


def test_membership_before_jsep(duet):
    p = duet.participant()
    assert_error(p.call({"request": "offer"}), 460)
    assert_error(p.call({"request": "answer"}), 460)


def test_jsep_before_call_state(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.call({"request": "offer"}), 462)  # alone, and no JSEP
    callee, caller = duet.pair()
    assert_error(callee.call({"request": "answer"}), 462)  # no pending offer, and no JSEP


def test_text_type_before_call_state(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.message("y" * 70000), 454)  # alone, and too long
    assert_error(p.call({"request": "message"}), 453)  # alone, and no text


def test_errors_change_nothing(duet):
    first, second = duet.pair(callee_fields={"display": "A"}, caller_fields={"display": "B"})
    before = first.participants()
    for body in (
        {"request": "join", "room": first.room},
        {"request": "offer"},
        {"request": "answer"},
        {"request": "message", "text": 1},
        {"request": "configure", "bitrate": -1},
    ):
        event = second.ask(body)
        assert event.data.get("error_code"), (body, event.data)
    assert first.participants() == before
    first.assert_no_event(within=0.3)


def test_unknown_request_does_not_disturb_the_session(duet):
    first, second = duet.pair()
    assert_error(second.sync({"request": "dance"}), 452)
    assert_ok(second.message("still here"), "sent")
    assert first.wait("message").data["text"] == "still here"


def test_core_jsep_checks_come_first(duet):
    """An unparsable SDP or an answer on a never-offered handle is the core's."""
    first, second = duet.pair()
    with pytest.raises(jc.JanusError) as bad_sdp:
        second.handle.send({"request": "offer"}, {"type": "offer", "sdp": "v=0\r\nnot sdp\r\n"})
    assert bad_sdp.value.code == 465
    with pytest.raises(jc.JanusError) as unexpected:
        second.handle.send({"request": "answer"}, {"type": "answer", "sdp": first.peer.offer()["sdp"]})
    assert unexpected.value.code == 469
    first.assert_no_event(within=0.3)
