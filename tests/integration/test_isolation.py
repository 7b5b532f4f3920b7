"""Rooms in use at the same time stay isolated.

Two pairs in two rooms signal, message, hang up and leave concurrently;
every event a handle receives names its own room and comes from its own
peer, and no event of one room reaches the other room's handles. Handles
of different rooms may share one Janus session: events are routed by
`sender`. Errors and a full room in one room leave the other untouched.
"""

import threading

from duet import assert_error, assert_ok, establish_call


def history_rooms(participant):
    return {event.data.get("room") for event in participant.handle.history if not event.tx}


def test_two_rooms_at_once_stay_isolated(duet):
    a1, b1 = duet.pair()
    a2, b2 = duet.pair()
    assert a1.room != a2.room
    errors = []

    def scenario(callee, caller, tag):
        try:
            establish_call(caller, callee)
            assert_ok(caller.message("from " + tag), "sent")
            assert callee.wait("message").data["text"] == "from " + tag
            assert_ok(callee.message("back " + tag), "sent")
            assert caller.wait("message").data["text"] == "back " + tag
            assert_ok(caller.hangup(), "hungup")
            assert callee.wait("hangup").data["from"] == caller.id
        except Exception as exc:  # reported by the main thread
            errors.append((tag, exc))

    threads = [
        threading.Thread(target=scenario, args=(a1, b1, "one")),
        threading.Thread(target=scenario, args=(a2, b2, "two")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors

    assert a1.participants().keys() == {a1.id, b1.id}
    assert a2.participants().keys() == {a2.id, b2.id}
    # leaving room one tells nobody in room two
    assert_ok(b1.leave(), "left")
    assert a1.wait("peer_left").data["peer"]["id"] == b1.id
    a2.assert_no_event(within=0.3)
    b2.assert_no_event(within=0)
    for p, room in ((a1, a1.room), (b1, a1.room), (a2, a2.room), (b2, a2.room)):
        assert history_rooms(p) == {room}, (p, [e.data for e in p.handle.history])
    peers = {a1: b1.id, b1: a1.id, a2: b2.id, b2: a2.id}
    for p, peer_id in peers.items():
        for event in p.handle.history:
            if "from" in event.data:
                assert event.data["from"] == peer_id, event


def test_handles_of_two_rooms_on_one_session(duet):
    session = duet.session()
    mine1, mine2 = duet.participant(session=session), duet.participant(session=session)
    other1, other2 = duet.participant(), duet.participant()
    room1, room2 = duet.room_id(), duet.room_id()
    mine1.must_join(room1)
    mine2.must_join(room2)
    other1.must_join(room1)
    other2.must_join(room2)
    assert mine1.wait("peer_joined").data["peer"]["id"] == other1.id
    assert mine2.wait("peer_joined").data["peer"]["id"] == other2.id
    assert_ok(other1.message("to room one"), "sent")
    assert mine1.wait("message").data["text"] == "to room one"
    mine2.assert_no_event("message", within=0.3)
    assert_ok(other2.message("to room two"), "sent")
    assert mine2.wait("message").data["text"] == "to room two"
    mine1.assert_no_event("message", within=0.3)


def test_full_room_and_errors_do_not_touch_other_room(duet):
    a1, b1 = duet.pair()
    a2, b2 = duet.pair()
    intruder = duet.participant()
    assert_error(intruder.join(a1.room), 457)
    assert_error(b1.call({"request": "offer"}), 462)
    assert_error(b1.message("x" * 70000), 454)
    h = duet.handle()
    assert_error(h.sync({"request": "kick", "room": a1.room, "id": a2.id}), 465)
    assert_error(h.sync({"request": "destroy", "room": a1.room}), 458)
    for p in (a2, b2):
        p.assert_no_event(within=0.2)
    assert a2.participants().keys() == {a2.id, b2.id}
    assert a1.participants().keys() == {a1.id, b1.id}


def test_same_participant_id_in_two_rooms(duet):
    room1, room2 = duet.room_id(), duet.room_id()
    x1, x2 = duet.participant(), duet.participant()
    assert x1.must_join(room1, id="same").data["id"] == "same"
    assert x2.must_join(room2, id="same").data["id"] == "same"
    y1 = duet.participant()
    y1.must_join(room1)
    assert x1.wait("peer_joined").data["peer"]["id"] == y1.id
    x2.assert_no_event(within=0.3)
    assert_ok(y1.message("only room one"), "sent")
    assert x1.wait("message").data["from"] == y1.id
    x2.assert_no_event(within=0.3)
