"""What issue 12 fixed, against the real Janus.

- Permanent create / edit / destroy while janus.plugin.duet.jcfg cannot be
  written (Janus runs in a mount namespace of its own where its folder is
  read-only, readonly-janus.sh): each answers an error and changes nothing,
  in memory or on disk; a restart shows the old state.
- A participant that turned its audio off, left and joined again is
  relayed again (settings belong to the seat, not to the handle).
- kick / destroy racing an offer that waits for the peer's close: nothing
  of the room reaches a participant after its `kicked` / `destroyed`.
- Files: a rec_dir given through the plugin API must lie inside
  general.rec_dir once `..` and symbolic links are resolved; a filename
  is a plain file name; the Admin API is not confined.
"""

import os
import time

import pytest

import janus_client as jc
from duet import assert_error, assert_ok, establish_call
from test_media import room_stats, wait_until

CONFIG = """
general: {
	rec_dir = "@DIR@/recordings"
	max_rooms = 0
}
room-from-the-file: {
	description = "was there before"
	secret = "s3"
}
"""


def rooms():
    return {r["room"]: r for r in assert_ok(jc.admin_plugin({"request": "list"}), "success")["rooms"]}


@pytest.mark.duet_config(CONFIG, fresh=True)
def test_permanent_requests_fail_cleanly_on_a_read_only_folder(janus, duet):
    before = janus.read_config()
    janus.restart(readonly=True)
    handle = duet.handle()
    # create: an error, no room
    assert_error(handle.ask({"request": "create", "room": "ro-new", "permanent": True}), 499)
    assert "ro-new" not in rooms()
    # edit: an error, nothing applied
    answer = handle.ask(
        {"request": "edit", "room": "from-the-file", "secret": "s3", "new_description": "changed", "permanent": True}
    )
    assert_error(answer, 499)
    assert rooms()["from-the-file"]["description"] == "was there before"
    # destroy: an error, the room stays, its participant is told nothing
    someone = duet.participant()
    someone.must_join("from-the-file")
    answer = handle.ask({"request": "destroy", "room": "from-the-file", "secret": "s3", "permanent": True})
    assert_error(answer, 499)
    assert "from-the-file" in rooms()
    someone.assert_no_event("destroyed", within=0.5)
    # what does not persist still works
    assert_ok(handle.ask({"request": "create", "room": "ro-temp"}), "created")
    assert janus.alive()
    assert janus.read_config() == before
    # a restart (writable again) shows the old state
    janus.restart()
    now = rooms()
    assert set(now) == {"from-the-file"}
    assert now["from-the-file"]["description"] == "was there before"
    assert_ok(jc.admin_plugin({"request": "create", "room": "rw-new", "permanent": True}), "created")
    assert "room-rw-new" in janus.read_config()


def test_rejoin_after_audio_off_relays_audio_again(janus, duet):
    room = duet.room_id()
    callee, caller = duet.participant(media=True), duet.participant(media=True)
    callee.must_join(room)
    caller.must_join(room)
    callee.wait("peer_joined")
    establish_call(caller, callee, wait_up=True)
    assert assert_ok(caller.configure(audio=False), "configured")["audio"] is False
    assert_ok(caller.leave(), "left")
    callee.wait("peer_left")
    caller.peer.reset()
    callee.peer.reset()
    caller.must_join(room)
    callee.wait("peer_joined")
    assert assert_ok(caller.configure(), "configured")["audio"] is True
    establish_call(caller, callee, wait_up=True)
    wait_until(
        lambda: room_stats(room)[caller.id]["audio"]["packets"] > 10,
        8,
        lambda: "the caller's audio is not relayed after leave and join: %r" % room_stats(room),
    )


def events_after(handle, name):
    """The plugin events the handle got after the first one named `name`."""
    names = [e.name for e in handle.history]
    assert name in names, "no %r event: %r" % (name, names)
    return handle.history[names.index(name) + 1 :]


def racing_offer(duet):
    """A call, then the caller hangs up and offers again at once: its offer
    waits for the callee's close (the core closes on its next second)."""
    callee, caller = duet.pair()
    establish_call(caller, callee)
    caller.peer.reset()
    callee.peer.reset()
    hangup_tx = caller.handle.send({"request": "hangup"})
    offer_tx = caller.handle.send({"request": "offer"}, caller.peer.offer())
    return callee, caller, hangup_tx, offer_tx


@pytest.mark.parametrize("how", ["kick", "destroy"])
def test_nothing_after_kicked_or_destroyed_when_racing_an_offer(janus, duet, how):
    for _ in range(3):
        callee, caller, hangup_tx, offer_tx = racing_offer(duet)
        time.sleep(0.05)  # the offer reached the worker and waits for the callee's close
        if how == "kick":
            assert_ok(jc.admin_plugin({"request": "kick", "room": callee.room, "id": callee.id}), "success")
            last = "kicked"
        else:
            assert_ok(jc.admin_plugin({"request": "destroy", "room": callee.room}), "destroyed")
            last = "destroyed"
        callee.wait(last, timeout=5)
        caller.handle.reply(hangup_tx, timeout=5)
        caller.handle.reply(offer_tx, timeout=5)
        time.sleep(1.5)  # whatever was parked had time to go out
        late = events_after(callee.handle, last)
        assert not late, "%s got %r after %s" % (callee, [(e.name, e.data) for e in late], last)
        if how == "destroy":
            assert not events_after(caller.handle, "destroyed")


CONFINED = """
general: {
	rec_dir = "@DIR@/recordings"
}
"""


@pytest.mark.duet_config(CONFINED)
def test_rec_dir_and_filename_are_confined(janus, duet):
    base = os.path.join(janus.dir, "recordings")
    os.makedirs(os.path.join(base, "calls"), exist_ok=True)
    link = os.path.join(base, "out")
    if not os.path.islink(link):
        os.symlink("/etc", link)
    handle = duet.handle()

    def create(rec_dir, admin=False):
        body = {"request": "create", "room": duet.room_id(), "rec_dir": rec_dir}
        return jc.admin_plugin(body) if admin else handle.ask(body)

    for outside in ["/etc", base + "/../x", base + "/out", base + "/out/deeper", base + "-sibling", base + "x",
                    base + "/calls/../../x", "", "relative/dir"]:
        assert_error(create(outside), 454)
    for inside in [base, base + "/calls", base + "/calls/new", base + "/./calls", base + "/calls/../calls"]:
        assert_ok(create(inside), "created")
    # the Admin API may name any folder
    assert_ok(create("/tmp", admin=True), "created")
    # filename: a plain file name
    room = duet.create_room(rec_dir=base)
    someone = duet.participant()
    someone.must_join(room)
    for name in ["a/b", "../x", ".hidden", "..", "bad\u0001name", "tab\tname", "del\u007f"]:
        assert_error(someone.configure(record=True, filename=name), 454)
        assert someone.participants()[someone.id]["connected"]
    info = jc.handle_info(someone.handle)
    assert info["plugin_specific"]["recording"] is False
    assert assert_ok(someone.configure(record=True, filename="call-1"), "configured")["recording"] is True
    assert_ok(someone.configure(record=False), "configured")


def test_transport_gone_while_an_offer_waits(janus, duet):
    """The caller's session goes while its offer waits for the callee's close:
    the callee is told in order (an offer, if any, before the call's end),
    and the room goes on."""
    callee, caller, hangup_tx, offer_tx = racing_offer(duet)
    time.sleep(0.05)
    caller.session.destroy()
    callee.wait("peer_disconnected", timeout=5)
    names = [e.name for e in callee.handle.history]
    if "offer" in names[names.index("hangup"):]:
        late = names.index("offer", names.index("hangup"))
        assert "hangup" in names[late:], "an offer after the call ended: %r" % names
    assert janus.alive()
    listed = callee.participants()
    assert listed[callee.id]["connected"] and not listed[caller.id]["connected"]
    assert_ok(callee.leave(), "left")
