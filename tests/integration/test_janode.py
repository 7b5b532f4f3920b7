"""Duet through Meetecho's own Node client, janode (examples/node-admin).

The example creates a room with a PIN, lists rooms, has a guest refused
with a wrong PIN and then joined, lists participants, reads `stats`
through the Admin API (janode's admin WebSocket connection), kicks the
guest (who gets `kicked`) and destroys the room. Each step prints
"step: json"; this test runs it against the real Janus and checks every
line. Skipped when node or the npm packages (npm ci) are missing.
"""

import json
import os
import shutil
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "node-admin")


def run_example(room):
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(REPO, "node_modules", "janode")):
        pytest.skip("node or node_modules/janode missing (run npm ci)")
    out = subprocess.run(
        [node, "admin.mjs", "--room", room, "--pin", "2468", "--secret", "s3cret",
         "--admin", "ws://127.0.0.1:7188", "--admin-secret", "duetadmin"],
        cwd=EXAMPLE, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    steps = {}
    for line in out.stdout.splitlines():
        step, _, value = line.partition(": ")
        steps[step] = json.loads(value)
    return steps


def test_janode_operates_duet(janus):
    room = "janode-ops"
    s = run_example(room)
    assert s["created"] == {"duet": "created", "room": room, "permanent": False}
    assert s["rooms"] == [{"room": room, "description": "Support desk", "pin_required": True,
                           "participants": 0, "in_call": False}]
    assert s["wrong-pin"] == {"error_code": 458}
    guest = s["joined"]["id"]
    assert s["joined"] == {"room": room, "id": guest, "display": "guest", "peer": None}
    assert s["participants"] == [{"id": guest, "display": "guest", "connected": True, "in_call": False}]
    mine = s["stats"]["room"]
    assert mine["room"] == room and [p["id"] for p in mine["participants"]] == [guest]
    assert s["stats"]["totals"]["participants"] >= 1 and s["stats"]["totals"]["rooms"] >= 1
    assert s["admin-sessions"]["count"] >= 2
    assert s["kick"]["duet"] == "success"
    assert s["guest-got"] == {"duet": "kicked", "room": room}
    assert s["participants-after"] == []
    assert s["destroyed"]["duet"] == "destroyed"
    assert "2468" not in json.dumps(s) and "s3cret" not in json.dumps(s)
