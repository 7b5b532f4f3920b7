"""Leaving without `leave`, taking a seat back, kicks and destroys.

Covers: a handle detached (or its session destroyed) without `leave`
(`peer_disconnected`, the seat held with `connected: false` and the room
full, then `peer_left` reason `timeout`); a reconnect window of 0
(`peer_left` reason `disconnected` only); taking the seat back with the
reconnect token (`peer_reconnected`, fresh token, display kept, old token
dead, 458 for a wrong/missing token with nothing changed); a takeover of a
live handle (`peer_left` reason `replaced` to the old handle); the
remaining participant's PeerConnection being closed by Janus; `kick`
(`kicked`, `peer_left` reason `kicked`, 465) and `leave`/`kick`/`destroy`
during a call. Rooms use reconnect windows of 0-2 s to keep this fast.
"""

import time

from duet import assert_error, assert_fields, assert_ok, establish_call


def room_with_window(duet, window, **fields):
    return duet.create_room(reconnect_window=window, secret="s", **fields)


def test_detach_holds_seat_then_times_out(duet):
    room = room_with_window(duet, 1)
    first, second = duet.pair(room, callee_fields={"display": "Alice"}, caller_fields={"display": "Bob"})
    second.handle.detach()
    gone = time.monotonic()
    event = first.wait("peer_disconnected")
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob"}, reconnect_window=1)
    parts = first.participants()
    assert parts.keys() == {first.id, second.id}
    assert parts[second.id]["connected"] is False and parts[first.id]["connected"] is True
    # the held seat keeps the room full
    third = duet.participant()
    assert_error(third.join(room), 457)
    event = first.wait("peer_left", timeout=5)
    elapsed = time.monotonic() - gone
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob"}, reason="timeout")
    assert 0.7 <= elapsed <= 3.5, "seat released after %.2fs with a 1 s window" % elapsed
    assert first.participants().keys() == {first.id}
    assert third.must_join(room).data["peer"]["id"] == first.id


def test_session_destroy_is_a_disconnection(duet):
    room = room_with_window(duet, 1)
    first, second = duet.pair(room)
    second.session.destroy()
    assert first.wait("peer_disconnected").data["peer"]["id"] == second.id
    assert first.wait("peer_left", timeout=5).data["reason"] == "timeout"


def test_peer_held_counts_as_alone(duet):
    """While the peer's seat is held there is nobody to signal (461)."""
    room = room_with_window(duet, 30)
    first, second = duet.pair(room)
    second.handle.detach()
    first.wait("peer_disconnected")
    assert_error(first.message("anyone?"), 461)
    assert_error(first.offer(), 461)
    assert_ok(first.hangup(), "hungup")


def test_window_zero_frees_seat_at_once(duet):
    room = room_with_window(duet, 0)
    first, second = duet.pair(room, caller_fields={"display": "Bob"})
    second.handle.detach()
    event = first.wait("peer_left")
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob"}, reason="disconnected")
    assert first.participants().keys() == {first.id}
    first.assert_no_event("peer_disconnected", within=0.3)
    duet.participant().must_join(room)


def test_edited_window_applies(duet):
    h = duet.handle()
    room = room_with_window(duet, 60)
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "s", "new_reconnect_window": 0}), "edited")
    first, second = duet.pair(room)
    second.handle.detach()
    assert first.wait("peer_left").data["reason"] == "disconnected"


def test_reconnect_within_window(duet):
    room = room_with_window(duet, 2)
    first, second = duet.pair(room, callee_fields={"display": "Alice"}, caller_fields={"display": "Bob"})
    old_token = second.token
    second.handle.detach()
    first.wait("peer_disconnected")
    back = duet.participant()
    data = assert_ok(back.join(room, id=second.id, reconnect_token=old_token), "joined")
    assert data["id"] == second.id
    assert data["display"] == "Bob"  # kept when the takeover names none
    assert data["peer"] == {"id": first.id, "display": "Alice"}
    assert isinstance(data["reconnect_token"], str) and data["reconnect_token"] != old_token
    event = first.wait("peer_reconnected")
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob"})
    parts = first.participants()
    assert parts.keys() == {first.id, second.id}
    assert parts[second.id]["connected"] is True
    # the window passes: nobody leaves
    first.assert_no_event("peer_left", within=2.5)
    # the old token is dead, the new one works (a takeover of the live seat)
    assert_error(duet.participant().join(room, id=second.id, reconnect_token=old_token), 458)
    again = duet.participant()
    again.must_join(room, id=second.id, reconnect_token=back.token, display="Bobby")
    assert again.display == "Bobby"
    assert back.wait("peer_left").data["reason"] == "replaced"


def test_wrong_or_missing_token_is_458_and_changes_nothing(duet):
    room = room_with_window(duet, 2)
    first, second = duet.pair(room)
    second.handle.detach()
    first.wait("peer_disconnected")
    intruder = duet.participant()
    assert_error(intruder.join(room, id=second.id, reconnect_token="wrong"), 458)
    assert_error(intruder.join(room, id=second.id), 458)
    assert_error(intruder.join(room, id=second.id, reconnect_token=first.token), 458)
    parts = first.participants()
    assert parts.keys() == {first.id, second.id} and parts[second.id]["connected"] is False
    first.assert_no_event("peer_reconnected", within=0.2)
    # the real token still works
    duet.participant().must_join(room, id=second.id, reconnect_token=second.token)
    first.wait("peer_reconnected")


def test_takeover_of_live_handle(duet):
    room = room_with_window(duet, 5)
    first, second = duet.pair(room, callee_fields={"display": "Alice"}, caller_fields={"display": "Bob"})
    new = duet.participant()
    data = assert_ok(new.join(room, id=second.id, reconnect_token=second.token, display="Bob2"), "joined")
    assert data["id"] == second.id and data["display"] == "Bob2"
    assert data["reconnect_token"] != second.token
    assert data["peer"] == {"id": first.id, "display": "Alice"}
    event = second.wait("peer_left")
    assert_fields(event.data, room=room, reason="replaced")
    assert event.data["peer"]["id"] == second.id
    event = first.wait("peer_reconnected")
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob2"})
    first.assert_no_event("peer_left", within=0.3)
    first.assert_no_event("peer_disconnected", within=0)
    parts = first.participants()
    assert parts.keys() == {first.id, second.id}
    assert parts[second.id]["connected"] is True and parts[second.id]["display"] == "Bob2"
    # the old handle is out of the room
    assert_error(second.message("still there?"), 460)
    assert_error(second.leave(), 460)
    assert first.participants().keys() == {first.id, second.id}
    # the new handle is the seat now
    assert_ok(new.message("it's me"), "sent")
    assert first.wait("message").data["from"] == second.id


def test_takeover_in_call_closes_old_peerconnection(duet):
    room = room_with_window(duet, 5)
    first, second = duet.pair(room)
    establish_call(second, first, wait_up=True)
    new = duet.participant()
    new.must_join(room, id=second.id, reconnect_token=second.token)
    assert second.wait("peer_left").data["reason"] == "replaced"
    second.handle.wait_core("hangup")
    first.wait("peer_reconnected")
    parts = first.participants()
    assert not parts[first.id]["in_call"] and not parts[second.id]["in_call"]
    # the one who came back offers again
    first.peer.reset()
    offer, _ = establish_call(new, first)
    assert offer.data["from"] == second.id
    assert first.participants()[first.id]["in_call"] is True


def test_disconnection_in_call_closes_remaining_peerconnection(duet):
    room = room_with_window(duet, 2)
    first, second = duet.pair(room)
    establish_call(second, first, wait_up=True)
    second.handle.detach()
    first.wait("peer_disconnected")
    first.handle.wait_core("hangup")  # Janus closed the remaining PeerConnection
    parts = first.participants()
    assert parts[first.id]["in_call"] is False and parts[second.id]["in_call"] is False
    back = duet.participant()
    back.must_join(room, id=second.id, reconnect_token=second.token)
    first.wait("peer_reconnected")
    first.peer.reset()
    establish_call(back, first)
    assert first.participants()[second.id]["in_call"] is True


def test_seat_given_up_is_not_taken_back(duet):
    room = room_with_window(duet, 0)
    first, second = duet.pair(room)
    second.handle.detach()
    first.wait("peer_left")
    newcomer = duet.participant()
    newcomer.must_join(room)
    late = duet.participant()
    assert_error(late.join(room, id=second.id, reconnect_token=second.token), 457)


def test_kick_of_held_seat(duet):
    room = room_with_window(duet, 30)
    first, second = duet.pair(room)
    second.handle.detach()
    first.wait("peer_disconnected")
    assert_ok(duet.handle().sync({"request": "kick", "room": room, "secret": "s", "id": second.id}), "success")
    event = first.wait("peer_left")
    assert_fields(event.data, room=room, reason="kicked")
    assert event.data["peer"]["id"] == second.id
    assert first.participants().keys() == {first.id}
    duet.participant().must_join(room)  # the seat is free
    assert_error(duet.participant().join(room, id=second.id, reconnect_token=second.token), 457)


def test_kick(duet):
    room = room_with_window(duet, 5)
    first, second = duet.pair(room, caller_fields={"display": "Bob"})
    h = duet.handle()
    data = assert_ok(h.sync({"request": "kick", "room": room, "secret": "s", "id": second.id}), "success")
    assert data["room"] == room
    assert second.wait("kicked").data["room"] == room
    event = first.wait("peer_left")
    assert_fields(event.data, room=room, peer={"id": second.id, "display": "Bob"}, reason="kicked")
    assert first.participants().keys() == {first.id}
    assert_error(h.sync({"request": "kick", "room": room, "secret": "s", "id": second.id}), 465)
    assert_error(second.message("hello?"), 460)
    assert_error(second.leave(), 460)


def test_leave_in_call(duet):
    first, second = duet.pair()
    establish_call(second, first, wait_up=True)
    assert_ok(second.leave(), "left")
    event = first.wait("hangup")
    assert_fields(event.data, room=first.room, reason="left", **{"from": second.id})
    assert first.wait("peer_left").data["reason"] == "leave"
    first.handle.wait_core("hangup")
    second.handle.wait_core("hangup")
    assert first.participants()[first.id]["in_call"] is False


def test_kick_in_call(duet):
    room = room_with_window(duet, 5)
    first, second = duet.pair(room)
    establish_call(second, first, wait_up=True)
    assert_ok(duet.handle().sync({"request": "kick", "room": room, "secret": "s", "id": second.id}), "success")
    second.wait("kicked")
    event = first.wait("hangup")
    assert_fields(event.data, room=room, reason="kicked", **{"from": second.id})
    assert first.wait("peer_left").data["reason"] == "kicked"
    second.handle.wait_core("hangup")
    first.handle.wait_core("hangup")


def test_destroy_in_call(duet):
    room = room_with_window(duet, 5)
    first, second = duet.pair(room)
    establish_call(second, first, wait_up=True)
    assert_ok(duet.handle().sync({"request": "destroy", "room": room, "secret": "s"}), "destroyed")
    for p in (first, second):
        assert p.wait("destroyed").data["room"] == room
        p.handle.wait_core("hangup")  # lost their media
