"""Duet-specific test helpers: participants, calls and error assertions.

A `Participant` is one Janus session with one `janus.plugin.duet` handle
and one aiortc peer, like one browser tab of the socket.io tutorial. The
`Duet` factory (the `duet` fixture) makes participants and rooms and cleans
everything up when the test ends.
"""

import itertools
import json
import re
import time

import janus_client as jc
import webrtc

_room_counter = itertools.count(1)


def assert_error(answer, code):
    """`answer` (Event or data dict) is a Duet error with `code`."""
    data = answer.data if isinstance(answer, jc.Event) else answer
    assert isinstance(data, dict) and data.get("duet") == "event" and data.get("error_code") == code, (
        "expected Duet error %d, got %r" % (code, data)
    )
    assert isinstance(data.get("error"), str) and data["error"], "error without a reason: %r" % (data,)


def assert_ok(answer, name):
    """`answer` (Event or data dict) is a success named `name`."""
    data = answer.data if isinstance(answer, jc.Event) else answer
    assert isinstance(data, dict) and data.get("duet") == name and "error_code" not in data, (
        "expected %r, got %r" % (name, data)
    )
    return data


def assert_fields(obj, /, **expected):
    """Each key of `expected` is in `obj` with that value."""
    for key, value in expected.items():
        assert key in obj, "%r missing in %r" % (key, obj)
        assert obj[key] == value, "%s: expected %r, got %r (in %r)" % (key, value, obj[key], obj)


def assert_no_secrets(obj, *secrets):
    """None of `secrets` (strings) appears anywhere in `obj` (serialized)."""
    text = json.dumps(obj)
    for secret in secrets:
        assert secret not in text, "secret %r leaked in %s" % (secret, text[:2000])
    for key in ("reconnect_token", "pin", "secret", "admin_key", "token"):
        assert '"%s"' % key not in text, "key %r present in %s" % (key, text[:2000])


class Participant:
    """One session + one Duet handle + one aiortc peer."""

    def __init__(self, session, handle, media=False):
        self.session = session
        self.handle = handle
        self.peer = webrtc.Peer(media=media)
        self.room = None
        self.id = None
        self.display = None
        self.token = None
        self.last_answer = None

    def __repr__(self):
        return "<Participant %s in %s>" % (self.id, self.room)

    # --- requests -------------------------------------------------------
    def ask(self, body, jsep=None, timeout=jc.DEFAULT_TIMEOUT):
        return self.handle.ask(body, jsep, timeout)

    def sync(self, body):
        return self.handle.sync(body)

    def call(self, body, jsep=None, timeout=jc.DEFAULT_TIMEOUT):
        return self.handle.call(body, jsep, timeout)

    def join(self, room, **fields):
        """`join`; on success remembers room, id, display and token."""
        event = self.call(dict({"request": "join", "room": room}, **fields))
        if event.name == "joined":
            self.room = event.data.get("room")
            self.id = event.data.get("id")
            self.display = event.data.get("display")
            self.token = event.data.get("reconnect_token")
        return event

    def must_join(self, room, **fields):
        event = self.join(room, **fields)
        assert_ok(event, "joined")
        return event

    def offer(self, **fields):
        """`offer` with a fresh aiortc offer."""
        return self.call(dict({"request": "offer"}, **fields), self.peer.offer())

    def answer(self, offer_event, **fields):
        """`answer` to the `offer` event received (the JSEP is kept in last_answer)."""
        self.last_answer = self.peer.answer(offer_event.jsep)
        return self.call(dict({"request": "answer"}, **fields), self.last_answer)

    def leave(self):
        return self.call({"request": "leave"})

    def hangup(self):
        return self.call({"request": "hangup"})

    def message(self, text):
        return self.call({"request": "message", "text": text})

    def configure(self, **fields):
        return self.call(dict({"request": "configure"}, **fields))

    # --- events ---------------------------------------------------------
    def wait(self, name, timeout=jc.DEFAULT_TIMEOUT, predicate=None):
        return self.handle.wait_event(name, timeout, predicate)

    def assert_no_event(self, name=None, within=0.5):
        self.handle.assert_no_event(name, within)

    def drain(self):
        return self.handle.drain()

    def participants(self):
        """listparticipants of own room, as {id: entry}."""
        data = assert_ok(self.sync({"request": "listparticipants", "room": self.room}), "success")
        return {p["id"]: p for p in data["participants"]}

    def close(self):
        self.peer.close()
        self.session.destroy()


def establish_call(caller, callee, wait_up=False):
    """caller offers, callee answers; returns (offer event, answer event)."""
    assert_ok(caller.offer(), "offering")
    offer = callee.wait("offer")
    assert offer.jsep and offer.jsep["type"] == "offer", offer
    assert_ok(callee.answer(offer), "answered")
    answer = caller.wait("answer")
    assert answer.jsep and answer.jsep["type"] == "answer", answer
    caller.peer.accept(answer.jsep)
    if wait_up:
        caller.handle.wait_core("webrtcup", 10)
        callee.handle.wait_core("webrtcup", 10)
    return offer, answer


class Duet:
    """Factory of participants and room ids for one test; cleans up after it."""

    def __init__(self, name):
        self.prefix = re.sub(r"[^A-Za-z0-9]+", "-", name.replace("test_", "")).strip("-")[:40] or "t"
        self.participants = []
        self.sessions = []

    def room_id(self):
        return "%s-%d" % (self.prefix, next(_room_counter))

    def int_room(self):
        return int(time.time() * 1000) % 10**9 * 100 + next(_room_counter) % 100

    def session(self):
        session = jc.Session()
        self.sessions.append(session)
        return session

    def participant(self, media=False, session=None):
        session = session or self.session()
        participant = Participant(session, session.attach(), media=media)
        self.participants.append(participant)
        return participant

    def pair(self, room=None, caller_fields=None, callee_fields=None):
        """Two participants in a (new, auto-created unless given) room.

        Returns (first, second): the first joined first (it will be the
        callee), the second knows the first as `peer`.
        """
        room = room or self.room_id()
        first, second = self.participant(), self.participant()
        first.must_join(room, **(callee_fields or {}))
        second.must_join(room, **(caller_fields or {}))
        first.wait("peer_joined")
        return first, second

    def handle(self, plugin=jc.DUET):
        """A bare handle on its own session (no aiortc peer)."""
        return self.session().attach(plugin)

    def create_room(self, handle=None, **fields):
        """`create` a room (id generated unless given); returns its id."""
        handle = handle or self.handle()
        fields.setdefault("room", self.room_id())
        data = assert_ok(handle.sync(dict({"request": "create"}, **fields)), "created")
        return data["room"]

    def check_events(self):
        """Invariants of every Duet event this test's handles received.

        Every pushed event and every successful async answer names itself
        in "duet" and has the room as a string; ids in "from"/"peer" are
        strings; a reconnect token appears only in `joined`.
        """
        for session in self.sessions:
            for handle in session.attached:
                if handle.plugin != jc.DUET:
                    continue
                for event in handle.history:
                    data = event.data
                    assert isinstance(data, dict) and isinstance(data.get("duet"), str), event
                    if data["duet"] == "event" and "error_code" in data:
                        continue
                    assert isinstance(data.get("room"), str) and data["room"], "event without room: %r" % (data,)
                    if "from" in data:
                        assert isinstance(data["from"], str), data
                    if isinstance(data.get("peer"), dict):
                        assert isinstance(data["peer"].get("id"), str), data
                    if data["duet"] != "joined":
                        assert "reconnect_token" not in json.dumps(data), data

    def close(self):
        for participant in self.participants:
            participant.peer.close()
        for session in self.sessions:
            session.destroy()
