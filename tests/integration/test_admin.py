"""The Admin API: `message_plugin` and handle info.

Covers `list` (private rooms included), `listparticipants`, `create`,
`edit`, `destroy`, `kick` and `allowed` without room secrets (also on
rooms that have none, like auto-created ones), `stats` (shape and
counters), unknown or plugin-only requests (452), lookups (455/465), and
`handle_info`'s plugin-specific part (room, id, display, state
idle/waiting/paired/in_call, settings, counters). No answer ever reveals a
pin, secret or reconnect token.
"""

import pytest

import janus_client as jc
from duet import assert_error, assert_fields, assert_no_secrets, assert_ok, establish_call


def admin(request):
    return jc.admin_plugin(request)


def admin_rooms():
    data = assert_ok(admin({"request": "list"}), "success")
    return {entry["room"]: entry for entry in data["rooms"]}


def plugin_exists(duet, room):
    return duet.handle().sync({"request": "exists", "room": room})["exists"]


def test_admin_list_includes_private_rooms(duet):
    h = duet.handle()
    private = duet.create_room(h, is_private=True, description="private", pin="p-1")
    public = duet.create_room(h, description="public")
    rooms = admin_rooms()
    assert_fields(rooms[private], description="private", pin_required=True, participants=0, in_call=False)
    assert_fields(rooms[public], description="public", pin_required=False)
    plugin_rooms = {r["room"] for r in h.sync({"request": "list"})["rooms"]}
    assert private not in plugin_rooms and public in plugin_rooms


def test_admin_listparticipants(duet):
    first, second = duet.pair(callee_fields={"display": "A"}, caller_fields={"display": "B"})
    data = assert_ok(admin({"request": "listparticipants", "room": first.room}), "success")
    assert data["room"] == first.room
    by_id = {p["id"]: p for p in data["participants"]}
    assert set(by_id) == {first.id, second.id}
    assert_fields(by_id[first.id], display="A", connected=True, in_call=False)
    assert_error(admin({"request": "listparticipants", "room": duet.room_id()}), 455)
    assert_error(admin({"request": "listparticipants"}), 453)


def test_admin_create_edit_destroy_without_secret(duet):
    room = duet.room_id()
    data = assert_ok(admin({"request": "create", "room": room, "secret": "adm-secret", "description": "by admin"}), "created")
    assert data["room"] == room
    assert plugin_exists(duet, room)
    assert_error(admin({"request": "create", "room": room}), 456)
    assert_ok(admin({"request": "edit", "room": room, "new_description": "edited by admin"}), "edited")
    assert admin_rooms()[room]["description"] == "edited by admin"
    # the secret still guards the plugin API
    h = duet.handle()
    assert_error(h.sync({"request": "destroy", "room": room}), 458)
    p = duet.participant()
    p.must_join(room)
    data = assert_ok(admin({"request": "destroy", "room": room}), "destroyed")
    assert data["room"] == room
    assert p.wait("destroyed").data["room"] == room
    assert not plugin_exists(duet, room)
    assert_error(admin({"request": "destroy", "room": room}), 455)


def test_admin_generated_room(duet):
    data = assert_ok(admin({"request": "create"}), "created")
    assert isinstance(data["room"], str) and data["room"]
    assert plugin_exists(duet, data["room"])


def test_admin_manages_auto_created_room(duet):
    first, second = duet.pair()
    assert_ok(admin({"request": "edit", "room": first.room, "new_description": "auto"}), "edited")
    assert admin_rooms()[first.room]["description"] == "auto"
    data = assert_ok(admin({"request": "allowed", "room": first.room, "action": "enable"}), "success")
    assert data["allowed"] == []
    data = assert_ok(admin({"request": "kick", "room": first.room, "id": second.id}), "success")
    assert data["room"] == first.room
    second.wait("kicked")
    assert first.wait("peer_left").data["reason"] == "kicked"
    # the allowed list is on: a newcomer without a token is refused
    assert_error(duet.participant().join(first.room), 458)
    assert_ok(admin({"request": "allowed", "room": first.room, "action": "add", "allowed": ["adm-tok"]}), "success")
    duet.participant().must_join(first.room, token="adm-tok")
    assert_ok(admin({"request": "destroy", "room": first.room}), "destroyed")
    first.wait("destroyed")


def test_admin_kick_errors(duet):
    first, second = duet.pair()
    assert_error(admin({"request": "kick", "room": first.room, "id": "nobody"}), 465)
    assert_error(admin({"request": "kick", "room": first.room}), 453)
    assert_error(admin({"request": "kick", "room": duet.room_id(), "id": first.id}), 455)
    assert first.participants().keys() == {first.id, second.id}


@pytest.mark.parametrize("name", ["dance", "join", "offer", "answer", "message", "exists", "leave", ""])
def test_admin_unknown_request_is_452(duet, name):
    assert_error(admin({"request": name}), 452)


def test_admin_body_errors(duet):
    assert_error(admin({}), 453)
    assert_error(admin({"request": 1}), 454)


def test_admin_answers_reveal_no_secrets(duet):
    room = duet.create_room(pin="adm-pin-1", secret="adm-secret-1", is_private=True)
    first, second = duet.pair(room, callee_fields={"pin": "adm-pin-1"}, caller_fields={"pin": "adm-pin-1"})
    for request in (
        {"request": "list"},
        {"request": "listparticipants", "room": room},
        {"request": "stats"},
    ):
        assert_no_secrets(admin(request), "adm-pin-1", "adm-secret-1", first.token, second.token)
    for p in (first, second):
        assert_no_secrets(jc.handle_info(p.handle), "adm-pin-1", "adm-secret-1", first.token, second.token)


def counters_ok(counters):
    for kind in ("audio", "video", "data"):
        assert isinstance(counters.get(kind), dict), "no %r counters in %r" % (kind, counters)
        assert isinstance(counters[kind]["packets"], int) and counters[kind]["packets"] >= 0, counters
        assert isinstance(counters[kind]["bytes"], int) and counters[kind]["bytes"] >= 0, counters


def test_admin_stats_shape(duet):
    first, second = duet.pair()
    data = assert_ok(admin({"request": "stats"}), "success")
    totals = data["totals"]
    assert isinstance(totals["rooms"], int) and totals["rooms"] >= 1
    assert isinstance(totals["participants"], int) and totals["participants"] >= 2
    counters_ok(totals)
    assert totals["participants"] == sum(len(r["participants"]) for r in data["rooms"]), data
    rooms = {r["room"]: r for r in data["rooms"]}
    entry = rooms[first.room]
    by_id = {p["id"]: p for p in entry["participants"]}
    assert set(by_id) == {first.id, second.id}
    for p in by_id.values():
        counters_ok(p)
        assert isinstance(p["bitrate"], int) and p["bitrate"] >= 0
        assert p["audio"]["packets"] == 0  # no media has flowed in this room


def test_admin_stats_of_held_seat(duet):
    """A seat held after a disconnection is still a participant: same entry shape."""
    room = duet.create_room(reconnect_window=30)
    first, second = duet.pair(room)
    second.handle.detach()
    first.wait("peer_disconnected")
    data = assert_ok(admin({"request": "stats"}), "success")
    entry = {r["room"]: r for r in data["rooms"]}[room]
    by_id = {p["id"]: p for p in entry["participants"]}
    assert set(by_id) == {first.id, second.id}
    counters_ok(by_id[second.id])
    assert isinstance(by_id[second.id].get("bitrate"), int), by_id[second.id]


def plugin_info(participant):
    info = jc.handle_info(participant.handle)
    assert info["plugin"] == jc.DUET
    return info["plugin_specific"]


def test_handle_info_states(duet):
    first = duet.participant()
    assert plugin_info(first)["state"] == "idle"
    room = duet.room_id()
    first.must_join(room, display="Alice")
    info = plugin_info(first)
    assert_fields(info, room=room, id=first.id, display="Alice", state="waiting")
    second = duet.participant()
    second.must_join(room)
    first.wait("peer_joined")
    assert plugin_info(first)["state"] == "paired"
    establish_call(second, first)
    info = plugin_info(first)
    assert info["state"] == "in_call"
    assert_fields(info, audio=True, video=True, data=True, recording=False)
    assert isinstance(info["bitrate"], int)
    counters_ok(info["stats"])
    assert_ok(second.hangup(), "hungup")
    assert plugin_info(first)["state"] == "paired"
    assert_ok(second.leave(), "left")
    assert plugin_info(first)["state"] == "waiting"
    assert plugin_info(second)["state"] == "idle"


def test_handle_info_follows_configure(duet):
    p = duet.participant()
    p.must_join(duet.room_id())
    assert_ok(p.configure(video=False, bitrate=300000), "configured")
    info = plugin_info(p)
    assert_fields(info, audio=True, video=False, data=True, bitrate=300000)
