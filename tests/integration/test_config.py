"""The plugin's configuration file, each test on a Janus of its own.

Covers `auto_create = false` (455, and its precedence), `max_rooms` (466,
counting configured, created and auto-created rooms), `admin_key` (458 on
`create`, not needed on the Admin API), rooms from `room-<id>` sections
(description, pin, secret, is_private, numeric ids), `permanent` create /
edit / destroy across Janus restarts (the configuration file is rewritten),
the general `reconnect_window` default, and event-handler notifications
(`events = true` with Janus's sample HTTP event handler).
"""

import http.server
import json
import socket
import threading
import time

import pytest

import janus_client as jc
from duet import assert_error, assert_fields, assert_ok, establish_call

NO_AUTO_CREATE = """
general: {
	auto_create = false
	rec_dir = "@DIR@/recordings"
}
"""

MAX_ROOMS = """
general: {
	max_rooms = 3
	rec_dir = "@DIR@/recordings"
}
room-configured: {
	description = "counts too"
}
"""

ADMIN_KEY = """
general: {
	admin_key = "key-8d1f"
	rec_dir = "@DIR@/recordings"
}
"""

CONFIG_ROOMS = """
general: {
	rec_dir = "@DIR@/recordings"
}
room-desk: {
	description = "Support desk"
	pin = "0000"
	secret = "adminpwd"
	is_private = false
	bitrate = 1000000
	record = false
}
room-hidden: {
	description = "Hidden"
	is_private = true
	secret = "h-secret"
}
room-4321: {
	description = "Numeric"
}
"""

PERMANENT = """
general: {
	rec_dir = "@DIR@/recordings"
}
"""

SHORT_WINDOW = """
general: {
	reconnect_window = 1
	rec_dir = "@DIR@/recordings"
}
"""

EVENTS = """
general: {
	events = true
	rec_dir = "@DIR@/recordings"
}
"""

NO_EVENTS = """
general: {
	events = false
	rec_dir = "@DIR@/recordings"
}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


EVH_PORT = free_port()


def rooms_of(handle, admin=False):
    data = jc.admin_plugin({"request": "list"}) if admin else handle.sync({"request": "list"})
    return {entry["room"]: entry for entry in assert_ok(data, "success")["rooms"]}


def exists(handle, room):
    return assert_ok(handle.sync({"request": "exists", "room": room}), "success")["exists"]


# --- auto_create = false -------------------------------------------------


@pytest.mark.duet_config(NO_AUTO_CREATE)
def test_no_auto_create_unknown_room_is_455(duet):
    p = duet.participant()
    room = duet.room_id()
    assert_error(p.join(room), 455)
    assert_error(p.join(room, pin="1234"), 455)  # lookup before authorization
    assert_error(p.join(room, display=5), 454)  # types before lookup
    assert exists(duet.handle(), room) is False
    duet.create_room(room=room)
    p.must_join(room)
    assert_ok(p.leave(), "left")
    assert exists(duet.handle(), room) is True  # created rooms stay


# --- max_rooms -----------------------------------------------------------


@pytest.mark.duet_config(MAX_ROOMS, fresh=True)
def test_max_rooms_counts_every_room(duet):
    h = duet.handle()
    assert exists(h, "configured") is True
    created = duet.create_room(h)
    auto = duet.participant()
    auto.must_join(duet.room_id())  # the third room, auto-created
    extra = duet.room_id()
    assert_error(h.sync({"request": "create", "room": extra}), 466)
    assert_error(h.sync({"request": "create"}), 466)
    assert_error(h.sync({"request": "create", "room": created}), 456)  # taken comes before the limit
    assert_error(h.sync({"request": "create", "room": extra, "bitrate": 0.5}), 454)
    assert_error(duet.participant().join(duet.room_id()), 466)
    assert_error(jc.admin_plugin({"request": "create", "room": extra}), 466)
    assert exists(h, extra) is False
    assert len(rooms_of(h, admin=True)) == 3
    # an auto-created room going away frees a place
    assert_ok(auto.leave(), "left")
    duet.create_room(h, room=extra)
    assert_error(h.sync({"request": "create"}), 466)
    assert_ok(jc.admin_plugin({"request": "destroy", "room": created}), "destroyed")
    duet.participant().must_join(duet.room_id())


# --- admin_key -----------------------------------------------------------


@pytest.mark.duet_config(ADMIN_KEY)
def test_admin_key_is_needed_to_create(duet):
    h = duet.handle()
    room = duet.room_id()
    assert_error(h.sync({"request": "create", "room": room}), 458)
    assert_error(h.sync({"request": "create", "room": room, "admin_key": None}), 458)
    assert_error(h.sync({"request": "create", "room": room, "admin_key": "wrong"}), 458)
    assert_error(h.sync({"request": "create", "room": room, "admin_key": 5}), 454)
    assert exists(h, room) is False
    data = assert_ok(h.sync({"request": "create", "room": room, "admin_key": "key-8d1f"}), "created")
    assert data["room"] == room
    # authorization comes before "taken"
    assert_error(h.sync({"request": "create", "room": room, "admin_key": "wrong"}), 458)
    assert_error(h.sync({"request": "create", "room": room, "admin_key": "key-8d1f"}), 456)
    # the Admin API needs no admin_key
    other = duet.room_id()
    assert_ok(jc.admin_plugin({"request": "create", "room": other}), "created")
    assert exists(h, other) is True


@pytest.mark.duet_config(ADMIN_KEY)
def test_admin_key_never_listed(duet):
    h = duet.handle()
    duet.create_room(h, admin_key="key-8d1f")
    text = json.dumps([rooms_of(h), rooms_of(h, admin=True), jc.admin_plugin({"request": "stats"})])
    assert "key-8d1f" not in text


# --- rooms from the configuration file ----------------------------------


@pytest.mark.duet_config(CONFIG_ROOMS)
def test_configured_rooms(duet):
    h = duet.handle()
    rooms = rooms_of(h)
    assert_fields(rooms["desk"], description="Support desk", pin_required=True, participants=0, in_call=False)
    assert_fields(rooms["4321"], description="Numeric", pin_required=False)
    assert "hidden" not in rooms
    assert_fields(rooms_of(h, admin=True)["hidden"], description="Hidden")
    assert exists(h, "hidden") is True
    assert exists(h, 4321) is True
    text = json.dumps([rooms, rooms_of(h, admin=True)])
    assert "adminpwd" not in text and "h-secret" not in text and '"0000"' not in text


@pytest.mark.duet_config(CONFIG_ROOMS)
def test_configured_room_pin_and_life(duet):
    p = duet.participant()
    assert_error(p.join("desk"), 458)
    assert_error(p.join("desk", pin="1111"), 458)
    p.must_join("desk", pin="0000")
    assert_ok(p.leave(), "left")
    assert exists(duet.handle(), "desk") is True  # configured rooms are not auto-created ones
    q = duet.participant()
    assert q.must_join(4321).data["room"] == "4321"


@pytest.mark.duet_config(CONFIG_ROOMS)
def test_configured_room_secret(duet):
    h = duet.handle()
    assert_error(h.sync({"request": "edit", "room": "desk", "secret": "nope", "new_description": "x"}), 458)
    assert_ok(h.sync({"request": "edit", "room": "desk", "secret": "adminpwd", "new_description": "Desk 2"}), "edited")
    assert rooms_of(h)["desk"]["description"] == "Desk 2"
    assert_error(h.sync({"request": "destroy", "room": "hidden", "secret": "adminpwd"}), 458)
    assert_error(h.sync({"request": "destroy", "room": "4321", "secret": ""}), 458)  # no secret configured
    assert_ok(h.sync({"request": "destroy", "room": "hidden", "secret": "h-secret"}), "destroyed")
    assert exists(h, "hidden") is False


# --- permanent rooms ------------------------------------------------------


def config_has_room(janus, room):
    return ("room-%s" % room) in janus.read_config()


@pytest.mark.duet_config(PERMANENT, fresh=True)
def test_permanent_create_edit_destroy_survive_restart(duet, janus):
    h = duet.handle()
    keep = duet.room_id()
    gone = duet.room_id()
    assert_ok(
        h.sync(
            {
                "request": "create",
                "room": keep,
                "description": "kept",
                "pin": "pp",
                "secret": "ss",
                "reconnect_window": 3,
                "permanent": True,
            }
        ),
        "created",
    )
    assert_ok(h.sync({"request": "create", "room": gone, "description": "not kept"}), "created")
    assert config_has_room(janus, keep)
    assert not config_has_room(janus, gone)

    janus.restart()
    h = duet.handle()
    assert exists(h, keep) is True
    assert exists(h, gone) is False
    assert_fields(rooms_of(h)[keep], description="kept", pin_required=True)
    p = duet.participant()
    assert_error(p.join(keep), 458)
    p.must_join(keep, pin="pp")
    assert_ok(p.leave(), "left")

    # edit with permanent rewrites the file; without it, the change is not kept
    assert_ok(h.sync({"request": "edit", "room": keep, "secret": "ss", "new_description": "edited", "permanent": True}), "edited")
    assert "edited" in janus.read_config()
    assert_ok(h.sync({"request": "edit", "room": keep, "secret": "ss", "new_description": "volatile"}), "edited")
    janus.restart()
    h = duet.handle()
    assert rooms_of(h)[keep]["description"] == "edited"

    # destroy without permanent: gone until the next restart
    assert_ok(h.sync({"request": "destroy", "room": keep, "secret": "ss"}), "destroyed")
    assert config_has_room(janus, keep)
    janus.restart()
    h = duet.handle()
    assert exists(h, keep) is True

    # destroy with permanent removes it from the file
    assert_ok(h.sync({"request": "destroy", "room": keep, "secret": "ss", "permanent": True}), "destroyed")
    assert not config_has_room(janus, keep)
    janus.restart()
    assert exists(duet.handle(), keep) is False


@pytest.mark.duet_config(PERMANENT)
def test_permanent_via_admin_api(duet, janus):
    room = duet.room_id()
    assert_ok(jc.admin_plugin({"request": "create", "room": room, "permanent": True, "description": "adm"}), "created")
    assert config_has_room(janus, room)
    janus.restart()
    assert exists(duet.handle(), room) is True
    assert_ok(jc.admin_plugin({"request": "destroy", "room": room, "permanent": True}), "destroyed")
    assert not config_has_room(janus, room)


# --- general reconnect_window -----------------------------------------------


@pytest.mark.duet_config(SHORT_WINDOW)
def test_general_reconnect_window_is_the_default(duet):
    first, second = duet.pair()  # an auto-created room
    second.handle.detach()
    event = first.wait("peer_disconnected")
    assert event.data["reconnect_window"] == 1
    assert first.wait("peer_left", timeout=5).data["reason"] == "timeout"
    room = duet.create_room()
    a, b = duet.pair(room)
    b.session.destroy()
    assert a.wait("peer_disconnected").data["reconnect_window"] == 1


@pytest.mark.duet_config(SHORT_WINDOW)
def test_auto_created_room_vanishes_when_last_seat_times_out(duet):
    h = duet.handle()
    p = duet.participant()
    p.must_join(duet.room_id())
    p.handle.detach()
    assert exists(h, p.room) is True  # the seat is held
    deadline = time.monotonic() + 5
    while exists(h, p.room) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert exists(h, p.room) is False


# --- event handlers --------------------------------------------------------


class Collector(http.server.BaseHTTPRequestHandler):
    events = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if isinstance(payload, list):
            Collector.events.extend(payload)
        elif payload is not None:
            Collector.events.append(payload)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def evh_collector():
    Collector.events = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", EVH_PORT), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Collector
    server.shutdown()
    server.server_close()


def duet_notifications(collector):
    result = []
    for item in collector.events:
        event = item.get("event") or {}
        if event.get("plugin") == jc.DUET:
            result.append(event.get("data") or {})
    return result


@pytest.mark.duet_config(EVENTS, extra_args=("--evh", "http://127.0.0.1:%d/" % EVH_PORT))
def test_event_handler_notifications(evh_collector, duet):
    h = duet.handle()
    room = duet.create_room(h, secret="evh-secret", pin="evh-pin")
    first, second = duet.pair(room, callee_fields={"pin": "evh-pin"}, caller_fields={"pin": "evh-pin"})
    establish_call(second, first)
    assert_ok(second.configure(bitrate=100000), "configured")
    assert_ok(second.hangup(), "hungup")
    assert_ok(second.leave(), "left")
    third = duet.participant()
    third.must_join(room, pin="evh-pin")
    assert_ok(h.sync({"request": "kick", "room": room, "secret": "evh-secret", "id": third.id}), "success")
    assert_ok(h.sync({"request": "destroy", "room": room, "secret": "evh-secret"}), "destroyed")

    wanted = {"created", "joined", "offer", "answer", "configured", "hangup", "left", "kicked", "destroyed"}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        names = {n.get("event") for n in duet_notifications(evh_collector)}
        if wanted <= names:
            break
        time.sleep(0.1)
    notes = [n for n in duet_notifications(evh_collector) if n.get("room") == room]
    names = {n.get("event") for n in notes}
    assert wanted <= names, "missing notifications %s; got %r" % (wanted - names, notes)
    by_name = {}
    for note in notes:
        by_name.setdefault(note["event"], []).append(note)
    assert {n["id"] for n in by_name["joined"]} >= {first.id, second.id, third.id}
    assert all("id" not in n for n in by_name["created"] + by_name["destroyed"])
    assert any(n.get("id") == second.id and n.get("reason") == "leave" for n in by_name["left"]), by_name["left"]
    assert any(n.get("id") == third.id for n in by_name["kicked"]), by_name["kicked"]
    # and they arrive in the order things happened
    order = [n["event"] for n in notes]
    left_by_leave = next(i for i, n in enumerate(notes) if n["event"] == "left" and n.get("reason") == "leave")
    steps = [order.index("created"), order.index("joined"), order.index("offer"), order.index("answer"),
             order.index("configured"), order.index("hangup"), left_by_leave, order.index("kicked"),
             order.index("destroyed")]
    assert steps == sorted(steps), "notifications out of order: %r" % order
    text = json.dumps(evh_collector.events)
    for secret in ("evh-secret", "evh-pin", first.token, second.token, third.token):
        assert secret not in text, "%r leaked to the event handler" % secret


@pytest.mark.duet_config(NO_EVENTS, extra_args=("--evh", "http://127.0.0.1:%d/" % EVH_PORT))
def test_events_false_sends_no_notifications(evh_collector, duet):
    room = duet.create_room(secret="s")
    first, second = duet.pair(room)
    establish_call(second, first)
    assert_ok(second.leave(), "left")
    assert_ok(duet.handle().sync({"request": "destroy", "room": room, "secret": "s"}), "destroyed")
    time.sleep(1.0)
    assert duet_notifications(evh_collector) == []
