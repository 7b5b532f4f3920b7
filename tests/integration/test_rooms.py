"""Room management on the plugin API.

Covers `create` (given, generated and integer ids, field validation and
boundaries, 456), `exists`, `list` (contents, private rooms hidden,
pin_required, counts), `listparticipants` (contents, connected/in_call),
`edit` and `destroy` with secrets (458 for wrong/missing secrets and for
rooms without a secret, 455 for unknown rooms), and the life of rooms:
auto-created rooms vanish when empty, created rooms stay.
"""

import re

import pytest

from duet import assert_error, assert_fields, assert_no_secrets, assert_ok, establish_call

ROOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def list_rooms(handle):
    data = assert_ok(handle.sync({"request": "list"}), "success")
    assert isinstance(data["rooms"], list), data
    return {entry["room"]: entry for entry in data["rooms"]}


def exists(handle, room):
    data = assert_ok(handle.sync({"request": "exists", "room": room}), "success")
    assert data["room"] == str(room), data
    assert isinstance(data["exists"], bool), data
    return data["exists"]


def test_create_with_id_is_listed_and_exists(duet):
    h = duet.handle()
    room = duet.room_id()
    assert exists(h, room) is False
    data = assert_ok(h.sync({"request": "create", "room": room, "description": "Support desk", "secret": "s3"}), "created")
    assert data["room"] == room
    assert exists(h, room) is True
    entry = list_rooms(h)[room]
    assert_fields(entry, room=room, description="Support desk", pin_required=False, participants=0, in_call=False)


def test_create_without_room_generates_a_string_id(duet):
    h = duet.handle()
    first = assert_ok(h.sync({"request": "create"}), "created")["room"]
    second = assert_ok(h.sync({"request": "create", "room": None}), "created")["room"]
    for room in (first, second):
        assert isinstance(room, str) and ROOM_ID.match(room), room
        assert exists(h, room) is True
    assert first != second


def test_integer_room_is_accepted_and_reported_as_string(duet):
    h = duet.handle()
    number = duet.int_room()
    data = assert_ok(h.sync({"request": "create", "room": number}), "created")
    assert data["room"] == str(number)
    assert exists(h, number) is True
    assert exists(h, str(number)) is True
    assert str(number) in list_rooms(h)
    p = duet.participant()
    assert p.must_join(number).data["room"] == str(number)
    assert p.participants().keys() == {p.id}


def test_create_taken_room_is_456(duet):
    h = duet.handle()
    room = duet.create_room(h, description="first")
    assert_error(h.sync({"request": "create", "room": room, "description": "second"}), 456)
    assert list_rooms(h)[room]["description"] == "first"
    number = duet.int_room()
    duet.create_room(h, room=str(number))
    assert_error(h.sync({"request": "create", "room": number}), 456)


@pytest.mark.parametrize(
    "fields",
    [
        {"bitrate": 1.5},
        {"bitrate": -1},
        {"bitrate": 100000001},
        {"bitrate": "1000"},
        {"reconnect_window": 2.5},
        {"reconnect_window": -1},
        {"reconnect_window": 3601},
        {"is_private": "yes"},
        {"record": 1},
        {"permanent": "true"},
        {"pin": 1234},
        {"secret": True},
        {"pin": "p" * 257},
        {"secret": "s" * 257},
        {"description": "d" * 1025},
        {"rec_dir": 5},
    ],
    ids=lambda f: "-".join("%s=%s" % (k, str(v)[:10]) for k, v in f.items()),
)
def test_create_invalid_field_is_454_and_creates_nothing(duet, fields):
    h = duet.handle()
    room = duet.room_id()
    assert_error(h.sync(dict({"request": "create", "room": room}, **fields)), 454)
    assert exists(h, room) is False


@pytest.mark.parametrize(
    "room",
    ["bad room", "a" * 65, "", "room/1", "caf\u00e9", -1, 1.5, True, ["r"], {"r": 1}],
    ids=["space", "65-chars", "empty", "slash", "non-ascii", "negative", "fraction", "bool", "array", "object"],
)
def test_create_invalid_room_id_is_454(duet, room):
    h = duet.handle()
    before = set(list_rooms(h))
    assert_error(h.sync({"request": "create", "room": room}), 454)
    assert set(list_rooms(h)) <= before


def test_create_accepts_boundary_values(duet):
    h = duet.handle()
    room = ("B_" + duet.room_id() + "x" * 64)[:64]
    data = assert_ok(
        h.sync(
            {
                "request": "create",
                "room": room,
                "description": "\u00e9" * 512,  # 1024 bytes
                "pin": "p" * 256,
                "secret": "s" * 256,
                "bitrate": 100000000,
                "reconnect_window": 3600,
                "is_private": False,
                "record": False,
            }
        ),
        "created",
    )
    assert data["room"] == room
    entry = list_rooms(h)[room]
    assert_fields(entry, description="\u00e9" * 512, pin_required=True)
    zero = assert_ok(h.sync({"request": "create", "bitrate": 0, "reconnect_window": 0, "room": 0}), "created")
    assert zero["room"] == "0"
    assert exists(h, "0") is True


def test_private_room_is_hidden_from_list_but_exists(duet):
    h = duet.handle()
    room = duet.create_room(h, is_private=True, description="hidden")
    assert room not in list_rooms(h)
    assert exists(h, room) is True
    p = duet.participant()
    p.must_join(room)
    assert room not in list_rooms(h)


def test_pin_required_and_empty_pin_means_none(duet):
    h = duet.handle()
    with_pin = duet.create_room(h, pin="1234")
    empty_pin = duet.create_room(h, pin="", secret="")
    rooms = list_rooms(h)
    assert rooms[with_pin]["pin_required"] is True
    assert rooms[empty_pin]["pin_required"] is False
    duet.participant().must_join(empty_pin)
    # An empty secret is no secret: the room cannot be edited on the plugin API.
    assert_error(h.sync({"request": "edit", "room": empty_pin, "secret": "", "new_description": "x"}), 458)


def test_list_counts_participants_and_calls(duet):
    h = duet.handle()
    room = duet.create_room(h, description="counts")
    assert_fields(list_rooms(h)[room], participants=0, in_call=False)
    callee, caller = duet.pair(room)
    assert_fields(list_rooms(h)[room], participants=2, in_call=False)
    establish_call(caller, callee)
    assert_fields(list_rooms(h)[room], participants=2, in_call=True)


def test_listparticipants_contents(duet):
    first, second = duet.pair(callee_fields={"display": "Alice"}, caller_fields={"display": "Bob"})
    data = assert_ok(first.sync({"request": "listparticipants", "room": first.room}), "success")
    assert data["room"] == first.room
    by_id = {p["id"]: p for p in data["participants"]}
    assert set(by_id) == {first.id, second.id}
    assert_fields(by_id[first.id], display="Alice", connected=True, in_call=False)
    assert_fields(by_id[second.id], display="Bob", connected=True, in_call=False)
    establish_call(second, first)
    parts = first.participants()
    assert parts[first.id]["in_call"] is True and parts[second.id]["in_call"] is True


def test_listparticipants_errors(duet):
    h = duet.handle()
    assert_error(h.sync({"request": "listparticipants"}), 453)
    assert_error(h.sync({"request": "listparticipants", "room": duet.room_id()}), 455)
    assert_error(h.sync({"request": "listparticipants", "room": "no such room!"}), 454)


def test_list_and_listparticipants_reveal_no_secrets(duet):
    h = duet.handle()
    room = duet.create_room(h, pin="pin-7f3a", secret="secret-9c2e", description="guarded")
    first, second = duet.pair(room, callee_fields={"pin": "pin-7f3a"}, caller_fields={"pin": "pin-7f3a"})
    rooms = h.sync({"request": "list"})
    participants = h.sync({"request": "listparticipants", "room": room})
    info = h.sync({"request": "exists", "room": room})
    for answer in (rooms, participants, info):
        assert_no_secrets(answer, "pin-7f3a", "secret-9c2e", first.token, second.token)


def test_exists_errors(duet):
    h = duet.handle()
    assert_error(h.sync({"request": "exists"}), 453)
    assert_error(h.sync({"request": "exists", "room": None}), 453)
    assert_error(h.sync({"request": "exists", "room": "x" * 65}), 454)
    assert exists(h, duet.room_id()) is False


def test_edit_changes_room(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="old-secret", description="before")
    data = assert_ok(
        h.sync(
            {
                "request": "edit",
                "room": room,
                "secret": "old-secret",
                "new_description": "after",
                "new_pin": "4321",
                "new_is_private": True,
                "new_bitrate": 500000,
                "new_reconnect_window": 5,
                "new_record": False,
            }
        ),
        "edited",
    )
    assert data["room"] == room
    assert room not in list_rooms(h)
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "old-secret", "new_is_private": False}), "edited")
    assert_fields(list_rooms(h)[room], description="after", pin_required=True)
    p = duet.participant()
    assert_error(p.join(room), 458)
    assert_error(p.join(room, pin="1234"), 458)
    p.must_join(room, pin="4321")
    # new_secret replaces the secret
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "old-secret", "new_secret": "new-secret"}), "edited")
    assert_error(h.sync({"request": "edit", "room": room, "secret": "old-secret", "new_description": "x"}), 458)
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "new-secret", "new_description": "y"}), "edited")
    assert list_rooms(h)[room]["description"] == "y"


def test_edit_new_pin_empty_removes_pin(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s", pin="1111")
    assert_ok(h.sync({"request": "edit", "room": room, "secret": "s", "new_pin": ""}), "edited")
    assert list_rooms(h)[room]["pin_required"] is False
    duet.participant().must_join(room)


def test_edit_wrong_or_missing_secret_is_458_and_changes_nothing(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="right", description="same")
    assert_error(h.sync({"request": "edit", "room": room, "new_description": "changed"}), 458)
    assert_error(h.sync({"request": "edit", "room": room, "secret": "wrong", "new_description": "changed"}), 458)
    assert_error(h.sync({"request": "edit", "room": room, "secret": None, "new_description": "changed"}), 458)
    assert list_rooms(h)[room]["description"] == "same"


@pytest.mark.parametrize(
    "fields",
    [{"new_bitrate": 1.5}, {"new_bitrate": -2}, {"new_reconnect_window": 4000}, {"new_is_private": "no"}, {"new_pin": 5}],
    ids=["bitrate-fraction", "bitrate-negative", "window-too-big", "private-string", "pin-number"],
)
def test_edit_invalid_field_is_454(duet, fields):
    h = duet.handle()
    room = duet.create_room(h, secret="s", description="same")
    assert_error(h.sync(dict({"request": "edit", "room": room, "secret": "s"}, **fields)), 454)
    assert list_rooms(h)[room]["description"] == "same"


def test_edit_and_destroy_unknown_room_is_455(duet):
    h = duet.handle()
    room = duet.room_id()
    assert_error(h.sync({"request": "edit", "room": room, "secret": "s", "new_description": "x"}), 455)
    assert_error(h.sync({"request": "destroy", "room": room, "secret": "s"}), 455)
    # a missing secret is an authorization matter, checked after the lookup
    assert_error(h.sync({"request": "destroy", "room": room}), 455)


def test_room_without_secret_cannot_be_managed_on_plugin_api(duet):
    h = duet.handle()
    created = duet.create_room(h, description="no secret")
    member = duet.participant()
    member.must_join(created)
    auto, other = duet.pair()
    for room, pid in ((created, member.id), (auto.room, auto.id)):
        for secret in ({}, {"secret": "anything"}):
            assert_error(h.sync(dict({"request": "edit", "room": room, "new_description": "x"}, **secret)), 458)
            assert_error(h.sync(dict({"request": "destroy", "room": room}, **secret)), 458)
            assert_error(h.sync(dict({"request": "kick", "room": room, "id": pid}, **secret)), 458)
            assert_error(h.sync(dict({"request": "allowed", "room": room, "action": "enable"}, **secret)), 458)
        assert exists(h, room) is True
    assert list_rooms(h)[created]["description"] == "no secret"
    assert auto.participants().keys() == {auto.id, other.id}


def test_destroy_notifies_participants_and_removes_room(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s")
    first, second = duet.pair(room)
    data = assert_ok(h.sync({"request": "destroy", "room": room, "secret": "s"}), "destroyed")
    assert data["room"] == room
    for p in (first, second):
        event = p.wait("destroyed")
        assert event.data["room"] == room
    assert exists(h, room) is False
    assert room not in list_rooms(h)
    # the participants are out of the room: they may join again (the room is new)
    assert_error(first.leave(), 460)
    first.must_join(room)
    assert first.participants().keys() == {first.id}


def test_destroy_wrong_secret_is_458_and_keeps_room(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s")
    first, second = duet.pair(room)
    assert_error(h.sync({"request": "destroy", "room": room, "secret": "nope"}), 458)
    assert_error(h.sync({"request": "destroy", "room": room}), 458)
    assert exists(h, room) is True
    first.assert_no_event("destroyed", within=0.3)
    assert first.participants().keys() == {first.id, second.id}


def test_auto_created_room_vanishes_when_empty(duet):
    h = duet.handle()
    first, second = duet.pair()
    room = first.room
    assert exists(h, room) is True
    assert_fields(list_rooms(h)[room], participants=2)
    assert_ok(first.leave(), "left")
    assert exists(h, room) is True
    assert_ok(second.leave(), "left")
    assert exists(h, room) is False
    assert room not in list_rooms(h)


def test_created_room_stays_when_empty(duet):
    h = duet.handle()
    room = duet.create_room(h, secret="s")
    p = duet.participant()
    p.must_join(room)
    assert_ok(p.leave(), "left")
    assert exists(h, room) is True
    assert_fields(list_rooms(h)[room], participants=0, in_call=False)
