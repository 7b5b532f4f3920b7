"""Permanent rooms survive Janus being killed in the middle of writing them.

Every `permanent` request rewrites janus.plugin.duet.jcfg by saving the
whole configuration to a temporary file and renaming it over the old one.
This test keeps Janus writing in a tight loop (permanent create and
destroy through the Admin API), kills it with SIGKILL mid-loop, and starts
it again on the same folder: the file must still parse, and it must hold
exactly the rooms whose writes were acknowledged (give or take the one
request that was in flight when Janus died). Two calls are up meanwhile.
"""

import os
import re
import signal
import threading
import time

import pytest

import janus_client as jc
from duet import establish_call

CONFIG = """
general: {
	rec_dir = "@DIR@/recordings"
	max_rooms = 0
}
room-from-the-file: {
	description = "was there before"
}
"""


def write_loop(acked, stop):
    """Creates rooms permanently, destroying every third one, until stopped or Janus dies."""
    n = 0
    while not stop.is_set():
        room = "crash-%d" % n
        try:
            answer = jc.admin_plugin({"request": "create", "room": room, "permanent": True, "description": "r%d" % n})
            if answer.get("duet") == "created":
                acked[room] = True
            if n % 3 == 2:
                victim = "crash-%d" % (n - 1)
                answer = jc.admin_plugin({"request": "destroy", "room": victim, "permanent": True})
                if answer.get("duet") == "destroyed":
                    acked[victim] = False
        except Exception:  # Janus is gone
            return
        n += 1


@pytest.mark.duet_config(CONFIG, fresh=True)
def test_config_survives_kill_during_writes(janus, duet):
    # Calls are going on too (one in a room of the file, one in an
    # auto-created room): they die with Janus and leave nothing in the file.
    for room in ("from-the-file", duet.room_id()):
        callee, caller = duet.pair(room)
        establish_call(caller, callee)
    acked, stop = {}, threading.Event()
    writer = threading.Thread(target=write_loop, args=(acked, stop), daemon=True)
    writer.start()
    deadline = time.monotonic() + 10
    while len(acked) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(janus.pid(), signal.SIGKILL)
    writer.join(timeout=15)
    stop.set()
    assert len(acked) >= 40, "the write loop did not get going: %d writes" % len(acked)

    janus.restart()
    log = open(janus.log_path, errors="replace").read()
    loaded = re.findall(r"Duet plugin initialized \((\d+) rooms from the configuration\)", log)
    assert loaded, "the plugin did not start after the kill:\n" + janus.log_tail()
    rooms = {r["room"] for r in jc.admin_plugin({"request": "list"})["rooms"]}
    assert "from-the-file" in rooms
    expected = {room for room, present in acked.items() if present}
    gone = {room for room, present in acked.items() if not present}
    # The request in flight at the kill may or may not have reached the file.
    missing = expected - rooms
    extra = (rooms - expected - {"from-the-file"}) | (rooms & gone)
    assert len(missing) + len(extra) <= 1, "missing %s, unexpected %s" % (sorted(missing), sorted(extra))
    assert int(loaded[-1]) == len(rooms)
