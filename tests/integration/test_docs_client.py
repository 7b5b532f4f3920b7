"""A client written from docs/api.md alone.

This test uses none of the suite's helpers (janus_client.py, duet.py): only
HTTP requests shaped as docs/api.md says ("Talking to Duet through Janus"
and the request sections), against the real Janus. It makes a room with
`create`, joins it from two handles of two sessions, checks the answers and
events the page documents (`joined` with `peer`, `peer_joined`,
`listparticipants`), sends a `message` one way and reads the `message`
event on the other side, then `leave`s and `destroy`s. If it fails while
the rest of the suite passes, the documentation is what is wrong.
"""

import itertools
import time

import requests

JANUS = "http://127.0.0.1:8088/janus"
_tx = itertools.count(1)


class DocsSession:
    """A Janus session with one handle attached to janus.plugin.duet."""

    def __init__(self):
        self.http = requests.Session()
        created = self.post(JANUS, {"janus": "create"})
        assert created["janus"] == "success", created
        self.url = "%s/%d" % (JANUS, created["data"]["id"])
        attached = self.post(self.url, {"janus": "attach", "plugin": "janus.plugin.duet"})
        assert attached["janus"] == "success", attached
        self.handle = "%s/%d" % (self.url, attached["data"]["id"])
        self.inbox = []

    def post(self, url, message):
        message = dict(message, transaction="docs-%d" % next(_tx))
        return self.http.post(url, json=message, timeout=10).json()

    def sync(self, body):
        """A synchronous request: its answer is in plugindata.data."""
        answer = self.post(self.handle, {"janus": "message", "body": body})
        assert answer["janus"] == "success", answer
        assert answer["plugindata"]["plugin"] == "janus.plugin.duet"
        return answer["plugindata"]["data"]

    def call(self, body):
        """An asynchronous request: ack, then an event with its transaction."""
        message = {"janus": "message", "body": body, "transaction": "docs-%d" % next(_tx)}
        ack = self.http.post(self.handle, json=message, timeout=10).json()
        assert ack["janus"] == "ack", ack
        return self.event(lambda e: e.get("transaction") == message["transaction"])

    def event(self, match, timeout=10):
        """The first plugin event (long poll on the session) that matches."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for event in self.inbox:
                if match(event):
                    self.inbox.remove(event)
                    return event["plugindata"]["data"]
            got = self.http.get(self.url, params={"maxev": 10}, timeout=40).json()
            for event in got if isinstance(got, list) else [got]:
                if event.get("janus") == "event" and "plugindata" in event:
                    self.inbox.append(event)
        raise AssertionError("no matching event within %s s; got %r" % (timeout, self.inbox))

    def pushed(self, name):
        return self.event(lambda e: "transaction" not in e and e["plugindata"]["data"].get("duet") == name)

    def close(self):
        self.post(self.url, {"janus": "destroy"})


def test_a_client_written_from_the_docs(janus):
    ann, bo = DocsSession(), DocsSession()
    try:
        created = ann.sync({"request": "create", "description": "docs", "secret": "s3cret", "pin": "42"})
        assert created["duet"] == "created"
        room = created["room"]
        assert isinstance(room, str) and room

        joined = ann.call({"request": "join", "room": room, "display": "Ann", "pin": "42"})
        assert joined["duet"] == "joined" and joined["room"] == room and joined["peer"] is None
        assert joined["display"] == "Ann" and joined["reconnect_token"]
        joined_bo = bo.call({"request": "join", "room": room, "display": "Bo", "pin": "42"})
        assert joined_bo["duet"] == "joined"
        assert joined_bo["peer"] == {"id": joined["id"], "display": "Ann"}
        assert ann.pushed("peer_joined")["peer"] == {"id": joined_bo["id"], "display": "Bo"}

        listed = ann.sync({"request": "listparticipants", "room": room})
        assert [(p["id"], p["connected"]) for p in listed["participants"]] == [
            (joined["id"], True),
            (joined_bo["id"], True),
        ]

        assert ann.call({"request": "message", "text": "hello from the docs"}) == {"duet": "sent", "room": room}
        message = bo.pushed("message")
        assert message == {"duet": "message", "room": room, "from": joined["id"], "text": "hello from the docs"}

        wrong = bo.sync({"request": "destroy", "room": room, "secret": "nope"})
        assert wrong["duet"] == "event" and wrong["error_code"] == 458

        assert bo.call({"request": "leave"}) == {"duet": "left", "room": room}
        left = ann.pushed("peer_left")
        assert left["peer"]["id"] == joined_bo["id"] and left["reason"] == "leave"
        assert ann.sync({"request": "destroy", "room": room, "secret": "s3cret"}) == {
            "duet": "destroyed",
            "room": room,
        }
        assert ann.pushed("destroyed") == {"duet": "destroyed", "room": room}
        assert ann.sync({"request": "exists", "room": room})["exists"] is False
    finally:
        ann.close()
        bo.close()
