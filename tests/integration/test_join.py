"""Joining and leaving rooms.

Covers `joined` (first participant: `peer` null; second: `peer` is the
first, who gets `peer_joined`), ids (generated strings, proposed ids,
validation), display names (default, 128-byte limit), the room-full rule
(457 and nothing changes), a second join on one handle (459), pins (458),
the `allowed` token list, integer room ids, `leave` (`left`, the peer gets
`peer_left` with reason `leave`) and requests before joining (460).
"""

import pytest

from duet import assert_error, assert_no_secrets, assert_ok


def test_first_join_has_no_peer(duet):
    p = duet.participant()
    room = duet.room_id()
    data = assert_ok(p.join(room, display="Alice"), "joined")
    assert data["room"] == room
    assert isinstance(data["id"], str) and data["id"]
    assert data["display"] == "Alice"
    assert isinstance(data["reconnect_token"], str) and len(data["reconnect_token"]) >= 8
    assert "peer" in data and data["peer"] is None


def test_second_join_learns_first_and_first_gets_peer_joined(duet):
    room = duet.room_id()
    first, second = duet.participant(), duet.participant()
    first.must_join(room, display="Alice")
    data = assert_ok(second.join(room, display="Bob"), "joined")
    assert data["room"] == room
    assert data["peer"] == {"id": first.id, "display": "Alice"}
    assert second.id != first.id
    assert second.token != first.token
    event = first.wait("peer_joined")
    assert event.data["room"] == room
    assert event.data["peer"] == {"id": second.id, "display": "Bob"}
    assert_no_secrets(event.data, second.token, first.token)
    assert event.jsep is None


def test_third_joiner_gets_457_and_nothing_changes(duet):
    first, second = duet.pair()
    third = duet.participant()
    assert_error(third.join(first.room, display="Carol"), 457)
    assert first.participants().keys() == {first.id, second.id}
    first.assert_no_event(within=0.3)
    second.assert_no_event(within=0)
    # the failed join left the third handle free to join elsewhere
    third.must_join(duet.room_id())


def test_second_join_on_a_handle_is_459(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_error(p.join(p.room), 459)
    assert_error(p.join(duet.room_id()), 459)
    assert p.participants().keys() == {p.id}


def test_display_defaults_to_empty_and_null_is_absent(duet):
    room = duet.room_id()
    first, second = duet.participant(), duet.participant()
    assert first.must_join(room).data["display"] == ""
    data = second.must_join(room, display=None).data
    assert data["display"] == ""
    assert data["peer"] == {"id": first.id, "display": ""}


def test_display_limit_is_128_bytes(duet):
    room = duet.room_id()
    p = duet.participant()
    assert_error(p.join(room, display="\u00e9" * 64 + "a"), 454)  # 65 characters, 129 bytes
    assert_error(p.join(room, display="x" * 129), 454)
    assert_error(p.join(room, display=5), 454)
    assert_error(p.join(room, display=["Alice"]), 454)
    assert p.must_join(room, display="\u00e9" * 64).data["display"] == "\u00e9" * 64  # 128 bytes


@pytest.mark.parametrize(
    "room",
    ["bad room", "a" * 65, "", "caf\u00e9", "room.1", -5, 2.5, False, None],
    ids=["space", "65-chars", "empty", "non-ascii", "dot", "negative", "fraction", "bool", "null"],
)
def test_join_invalid_room(duet, room):
    p = duet.participant()
    assert_error(p.join(room), 453 if room is None else 454)
    p.must_join(duet.room_id())


def test_join_room_id_of_64_characters(duet):
    room = (duet.room_id() + "_" + "Z" * 64)[:64]
    p = duet.participant()
    assert p.must_join(room).data["room"] == room


def test_join_integer_room(duet):
    number = duet.int_room()
    first, second = duet.participant(), duet.participant()
    assert first.must_join(number).data["room"] == str(number)
    data = second.must_join(str(number)).data
    assert data["room"] == str(number)
    assert data["peer"]["id"] == first.id
    assert first.wait("peer_joined").data["room"] == str(number)


def test_pin(duet):
    room = duet.create_room(pin="2468")
    p = duet.participant()
    assert_error(p.join(room), 458)
    assert_error(p.join(room, pin=None), 458)
    assert_error(p.join(room, pin="1357"), 458)
    assert_error(p.join(room, pin=2468), 454)
    p.must_join(room, pin="2468")


def test_proposed_id_is_used(duet):
    room = duet.room_id()
    p = duet.participant()
    pid = "alice_" + room[-6:].replace("-", "_")
    assert p.must_join(room, id=pid).data["id"] == pid
    assert p.participants().keys() == {pid}


def test_proposed_id_not_in_room_ignores_reconnect_token(duet):
    room = duet.room_id()
    p = duet.participant()
    data = p.must_join(room, id="fresh-seat", reconnect_token="not-a-real-token").data
    assert data["id"] == "fresh-seat"
    assert data["reconnect_token"] != "not-a-real-token"


@pytest.mark.parametrize("pid", ["bad id", "x" * 65, "", 7, "\u00fc"], ids=["space", "65-chars", "empty", "integer", "non-ascii"])
def test_proposed_id_validation(duet, pid):
    p = duet.participant()
    room = duet.room_id()
    assert_error(p.join(room, id=pid), 454)
    p.must_join(room)


def test_proposed_id_taken_without_token_is_458(duet):
    first, second = duet.pair()
    third = duet.participant()
    assert_error(third.join(first.room, id=first.id), 458)
    assert first.participants().keys() == {first.id, second.id}
    first.assert_no_event(within=0.3)


def test_leave_notifies_peer(duet):
    first, second = duet.pair(callee_fields={"display": "Alice"}, caller_fields={"display": "Bob"})
    data = assert_ok(second.leave(), "left")
    assert data["room"] == first.room
    event = first.wait("peer_left")
    assert event.data["room"] == first.room
    assert event.data["peer"] == {"id": second.id, "display": "Bob"}
    assert event.data["reason"] == "leave"
    assert first.participants().keys() == {first.id}
    # leaving twice: not in a room any more
    assert_error(second.leave(), 460)
    # and the handle may join again
    data = second.must_join(first.room).data
    assert data["peer"]["id"] == first.id
    first.wait("peer_joined")


def test_requests_before_join_are_460(duet):
    p = duet.participant()
    assert_error(p.call({"request": "offer"}), 460)
    assert_error(p.call({"request": "answer"}), 460)
    assert_error(p.call({"request": "message", "text": "hi"}), 460)
    assert_error(p.call({"request": "leave"}), 460)


def test_allowed_list(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s")

    def allowed(**fields):
        return h.sync(dict({"request": "allowed", "room": room, "secret": "s"}, **fields))

    data = assert_ok(allowed(action="enable"), "success")
    assert data["room"] == room and data["allowed"] == []
    p = duet.participant()
    assert_error(p.join(room), 458)
    assert_error(p.join(room, token="tok-a"), 458)
    data = assert_ok(allowed(action="add", allowed=["tok-a", "tok-b"]), "success")
    assert sorted(data["allowed"]) == ["tok-a", "tok-b"]
    assert_error(p.join(room, token="tok-c"), 458)
    assert_error(p.join(room, token=5), 454)
    p.must_join(room, token="tok-a")
    data = assert_ok(allowed(action="remove", allowed=["tok-b"]), "success")
    assert data["allowed"] == ["tok-a"]
    q = duet.participant()
    assert_error(q.join(room, token="tok-b"), 458)
    data = assert_ok(allowed(action="disable"), "success")
    assert data["room"] == room and "allowed" not in data
    q.must_join(room, token="whatever")  # a token is ignored while the list is off


def test_allowed_errors(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s")

    def allowed(**fields):
        return h.sync(dict({"request": "allowed", "room": room}, **fields))

    assert_error(allowed(secret="s"), 453)  # no action
    assert_error(allowed(secret="s", action="shuffle"), 454)
    assert_error(allowed(secret="s", action="add"), 453)  # no list
    assert_error(allowed(secret="s", action="add", allowed="tok"), 454)
    assert_error(allowed(secret="s", action="add", allowed=[1, 2]), 454)
    assert_error(allowed(secret="s", action="add", allowed=["t" * 257]), 454)
    assert_error(allowed(secret="s", action="add", allowed=["t%d" % i for i in range(1025)]), 454)
    assert_error(allowed(secret="wrong", action="enable"), 458)
    assert_error(allowed(action="enable"), 458)
    assert_error(h.sync({"request": "allowed", "room": duet.room_id(), "secret": "s", "action": "enable"}), 455)
    # none of the failures enabled the list
    duet.participant().must_join(room)
    data = assert_ok(allowed(secret="s", action="add", allowed=["t%d" % i for i in range(1024)]), "success")
    assert "allowed" not in data or len(data["allowed"]) == 1024
