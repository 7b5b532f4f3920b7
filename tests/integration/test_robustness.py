"""Malformed requests and races must not crash Janus or corrupt rooms.

Every request name of the plugin API and of the Admin API is sent with
each of its fields set to odd JSON values (null, booleans, negative and
huge integers, fractions, empty and long strings, arrays, objects), from a
handle that sits in a paired room. Afterwards Janus must be alive (checked
by the `janus` fixture), the room must look exactly as before, and the
pair must still be able to talk. Concurrent joins of one room must seat
exactly two participants.
"""

import threading

import janus_client as jc
from duet import assert_error, assert_ok

ODD_VALUES = [
    None,
    True,
    False,
    -1,
    0,
    2**63 - 1,
    -(2**63),
    1.5,
    "",
    "x" * 5000,
    "bad id!",
    "\u00e9\u20ac\U0001F600",
    [],
    ["a", 1, None],
    {},
    {"nested": {"deep": [1, 2, 3]}},
]

FIELDS = {
    "create": ["room", "description", "pin", "secret", "is_private", "bitrate", "record", "rec_dir", "reconnect_window", "permanent", "admin_key"],
    "edit": ["room", "secret", "new_description", "new_pin", "new_secret", "new_is_private", "new_bitrate", "new_record", "new_reconnect_window", "permanent"],
    "destroy": ["room", "secret", "permanent"],
    "exists": ["room"],
    "list": ["room"],
    "listparticipants": ["room"],
    "kick": ["room", "secret", "id"],
    "allowed": ["room", "secret", "action", "allowed"],
    "join": ["room", "display", "pin", "token", "id", "reconnect_token"],
    "offer": ["room"],
    "answer": ["room"],
    "configure": ["audio", "video", "data", "bitrate", "record", "filename"],
    "message": ["text"],
    "hangup": ["room"],
    "stats": ["room"],
}


def odd_bodies(names):
    for name in names:
        for field in FIELDS[name]:
            for value in ODD_VALUES:
                yield {"request": name, field: value}


def test_odd_values_on_the_plugin_api(duet):
    room = duet.create_room(secret="keep-me", pin="1234")
    first, second = duet.pair(room, callee_fields={"pin": "1234"}, caller_fields={"pin": "1234"})
    before = first.participants()
    names = [n for n in FIELDS if n not in ("stats",)]
    for body in odd_bodies(names):
        answer = second.ask(body)
        assert isinstance(answer.data, dict) and answer.data.get("duet"), (body, answer.raw)
        if answer.data.get("duet") == "event":
            assert isinstance(answer.data.get("error_code"), int), (body, answer.data)
    # no body carries the secret or a JSEP, and none is a leave: the room is as before
    assert assert_ok(first.sync({"request": "exists", "room": room}), "success")["exists"] is True
    after = first.participants()
    assert after.keys() == before.keys()
    for pid in before:
        assert after[pid]["connected"] and after[pid]["display"] == before[pid]["display"]
    assert_ok(second.message("survived"), "sent")
    first.wait("message", predicate=lambda e: e.data["text"] == "survived")


def test_odd_values_on_the_admin_api(duet):
    first, second = duet.pair()
    before = first.participants()
    for body in odd_bodies(["list", "listparticipants", "create", "edit", "kick", "allowed", "stats", "destroy"]):
        if body["request"] in ("destroy", "kick", "edit", "allowed") and "room" not in body:
            body["room"] = duet.room_id()  # never the pair's room
        response = jc.admin_plugin(body)
        assert isinstance(response, dict) and response.get("duet"), (body, response)
    assert first.participants() == before
    assert_ok(second.message("still fine"), "sent")
    first.wait("message", predicate=lambda e: e.data["text"] == "still fine")


def test_odd_request_values(duet):
    h = duet.handle()
    for value in ODD_VALUES:
        if isinstance(value, str) or value is None:
            continue
        assert_error(h.sync({"request": value}), 454)
    assert_error(h.sync({"request": "x" * 5000}), 452)
    assert_error(h.sync({"request": "\u00e9"}), 452)


def test_concurrent_joins_seat_exactly_two(duet):
    room = duet.room_id()
    participants = [duet.participant() for _ in range(5)]
    results = [None] * len(participants)
    barrier = threading.Barrier(len(participants))

    def join(i):
        barrier.wait()
        results[i] = participants[i].join(room)

    threads = [threading.Thread(target=join, args=(i,)) for i in range(len(participants))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    joined = [p for p, r in zip(participants, results) if r is not None and r.name == "joined"]
    refused = [r for r in results if r is not None and r.name != "joined"]
    assert len(joined) == 2, [r.data for r in results if r is not None]
    assert len(refused) == 3
    for answer in refused:
        assert_error(answer, 457)
    assert joined[0].participants().keys() == {p.id for p in joined}
    peers = [r.data["peer"] for r in results if r is not None and r.name == "joined"]
    assert sum(p is None for p in peers) == 1  # the first seated saw nobody


def test_concurrent_takeovers_leave_one_owner(duet):
    room = duet.create_room(reconnect_window=5)
    first, second = duet.pair(room)
    contenders = [duet.participant() for _ in range(3)]
    results = [None] * len(contenders)
    barrier = threading.Barrier(len(contenders))

    def take(i):
        barrier.wait()
        results[i] = contenders[i].join(room, id=second.id, reconnect_token=second.token)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(contenders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    winners = [c for c, r in zip(contenders, results) if r is not None and r.name == "joined"]
    assert len(winners) == 1, [r.data for r in results if r is not None]
    for result in results:
        if result is not None and result.name != "joined":
            assert_error(result, 458)
    parts = first.participants()
    assert parts.keys() == {first.id, second.id} and parts[second.id]["connected"] is True
    assert_ok(winners[0].message("mine"), "sent")
    assert first.wait("message").data["from"] == second.id
