"""The room cycles of the churn soak: one coroutine per room, each a short
life of two participants (two WebSockets, like two browser tabs) ending
either cleanly or abruptly.

Every reply and every awaited event is checked; anything else raises
`Unexpected`. A cycle holds a concurrency slot while it drives Janus and
gives it back before it only waits for a timer (a held seat expiring, a
session timing out), so that slow endings do not throttle the churn.

Kinds (`SCHEDULE` repeats them in this proportion):
- clean: join, join, offer/answer, `message` both ways, leave, leave;
  clean_hangup adds a `hangup` and a second call; full adds a third
  participant meeting 457 ROOM_FULL.
- destroy / ws_close / detach / timeout: in a call, one side's session is
  destroyed without `leave`, its WebSocket closed, its handle detached, or
  its session abandoned to Janus's session timeout; the other side must see
  `peer_disconnected`, then `peer_left` with reason `timeout` when the
  room's reconnect window ends.
- reconnect: a created room (long window); one side's WebSocket closes, a
  new one takes the seat back with the reconnect token and calls again;
  the room is destroyed at the end.
- leave_race / answer_race: a `leave` sent at the same moment as the
  peer's `offer` (or `answer`).
- both_gone: in a call, both sessions vanish at once (one destroyed, one
  WebSocket closed); only the final emptiness checks see the result.
"""

import asyncio
import collections

from wsjanus import Connection, JanusError

SCHEDULE = (
    ["clean"] * 6
    + ["clean_hangup"] * 2
    + ["full", "destroy", "destroy", "ws_close", "ws_close", "detach", "detach"]
    + ["leave_race", "answer_race", "both_gone", "reconnect", "timeout"]
)

# What each kind ends abruptly, for the figures.
ABRUPT = {
    "destroy": ["session destroy"],
    "ws_close": ["transport disconnect"],
    "detach": ["handle detach"],
    "timeout": ["session timeout"],
    "reconnect": ["transport disconnect"],
    "leave_race": ["leave racing an offer"],
    "answer_race": ["leave racing an answer"],
    "both_gone": ["session destroy", "transport disconnect"],
}


class Unexpected(Exception):
    """A reply or event that the contract does not allow here."""


class Settings:
    """Timers of the Janus under test, and how long to wait for things."""

    def __init__(self, window, session_timeout, patience):
        self.window = window  # the rooms' reconnect_window (duet config)
        self.session_timeout = session_timeout  # Janus's session_timeout
        self.keepalive = max(1.0, session_timeout / 3)
        self.patience = patience  # seconds to wait for a reply or an event
        self.schedule = SCHEDULE  # the kinds of the rooms, in turn


class Stats:
    """Outcomes of the cycles, by kind."""

    def __init__(self):
        self.ok = collections.Counter()
        self.failed = collections.Counter()
        self.abrupt = collections.Counter()
        self.failures = []  # (room, kind, message), the first few kept

    def record(self, room, kind, error):
        if error is None:
            self.ok[kind] += 1
            for ending in ABRUPT.get(kind, []):
                self.abrupt[ending] += 1
            return
        self.failed[kind] += 1
        if len(self.failures) < 20:
            self.failures.append((room, kind, "%s: %s" % (type(error).__name__, error)))

    @property
    def rooms(self):
        return sum(self.ok.values()) + sum(self.failed.values())


def expect(event, name, **fields):
    """`event` is the Duet answer/event `name` with these field values."""
    data = event.data
    if not isinstance(data, dict) or data.get("duet") != name or "error_code" in data:
        raise Unexpected("expected %r, got %r" % (name, data))
    for key, value in fields.items():
        if data.get(key) != value:
            raise Unexpected("%s: %s=%r, expected %r" % (name, key, data.get(key), value))
    return data


def expect_error(event, *codes):
    data = event.data
    if not isinstance(data, dict) or data.get("error_code") not in codes:
        raise Unexpected("expected error %s, got %r" % ("/".join(map(str, codes)), data))


def peer_id(data):
    peer = data.get("peer")
    return peer.get("id") if isinstance(peer, dict) else peer


async def sees(seat, name, peer, patience=None, **fields):
    """`seat` gets the pushed event `name` about participant id `peer`."""
    data = expect(await seat.wait(name, patience), name, **fields)
    if peer_id(data) != peer:
        raise Unexpected("%s names %r, expected %s" % (name, data.get("peer"), peer))
    return data


class Seat:
    """One participant: its own WebSocket, Janus session and Duet handle."""

    def __init__(self, settings):
        self.settings = settings
        self.connection = self.session = self.handle = None
        self.id = self.token = None

    async def open(self):
        self.connection = await Connection.open(timeout=self.settings.patience)
        self.session = await self.connection.session(self.settings.patience)
        self.session.keep_alive(self.settings.keepalive)
        self.handle = await self.session.attach(timeout=self.settings.patience)
        return self

    async def ask(self, body, jsep=None):
        return await self.handle.request(body, jsep, self.settings.patience)

    async def wait(self, name, patience=None):
        return await self.handle.wait_event(name, patience or self.settings.patience)

    async def join(self, room, **fields):
        data = expect(await self.ask(dict({"request": "join", "room": room}, **fields)), "joined", room=room)
        self.id, self.token = data["id"], data["reconnect_token"]
        return data

    async def close(self):
        """Destroy the session (if still there) and close the WebSocket."""
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        try:
            await self.session.destroy(self.settings.patience)
        except Exception:  # already gone: destroyed, timed out or disconnected
            pass
        await connection.close()


class Room:
    """One room's cycle: its seats (closed at the end whatever happens) and
    its concurrency slot."""

    def __init__(self, index, name, settings, pool, slot):
        self.index = index
        self.name = name
        self.settings = settings
        self.pool = pool  # list of (offer jsep, answer jsep)
        self.slot = slot
        self.released = slot is None  # a noisy room holds no slot
        self.seats = []
        self.created = None  # (seat, secret) of a room this cycle created

    async def seat(self):
        seat = Seat(self.settings)
        self.seats.append(seat)
        return await seat.open()

    def release(self):
        """Give the concurrency slot back (only timers left to wait for)."""
        if not self.released:
            self.released = True
            self.slot.release()

    async def close(self):
        """Destroy a room the cycle created but did not get to destroy (so
        that one failed cycle does not also fail the emptiness checks), then
        close every seat."""
        self.release()
        if self.created is not None:
            seat, secret = self.created
            try:
                await seat.ask({"request": "destroy", "room": self.name, "secret": secret})
            except Exception:
                pass
        for seat in self.seats:
            try:
                await seat.close()
            except Exception:
                pass

    def sdp(self):
        return self.pool[self.index % len(self.pool)]


async def pair(room):
    """Two participants in the room: (first, second); second will offer."""
    first, second = await room.seat(), await room.seat()
    data = await first.join(room.name, display="first")
    if data["peer"] is not None:
        raise Unexpected("first in %s but joined.peer=%r" % (room.name, data["peer"]))
    data = await second.join(room.name, display="second")
    if peer_id(data) != first.id:
        raise Unexpected("joined.peer=%r, expected %s" % (data["peer"], first.id))
    await sees(first, "peer_joined", second.id)
    return first, second


async def call(room, caller, callee, renegotiation=False):
    """caller offers, callee answers; both sides' replies and events checked."""
    offer, answer = room.sdp()
    expect(await caller.ask({"request": "offer"}, offer), "offering")
    event = await callee.wait("offer")
    expect(event, "offer", **{"from": caller.id, "renegotiation": renegotiation})
    if not event.jsep or event.jsep.get("type") != "offer":
        raise Unexpected("offer event without an offer JSEP: %r" % (event.jsep,))
    expect(await callee.ask({"request": "answer"}, answer), "answered")
    event = await caller.wait("answer")
    expect(event, "answer", **{"from": callee.id})
    if not event.jsep or event.jsep.get("type") != "answer":
        raise Unexpected("answer event without an answer JSEP: %r" % (event.jsep,))


async def chat(sender, receiver, text):
    expect(await sender.ask({"request": "message", "text": text}), "sent")
    expect(await receiver.wait("message"), "message", text=text, **{"from": sender.id})


async def both_leave(first, second):
    expect(await second.ask({"request": "leave"}), "left")
    await sees(first, "peer_left", second.id, reason="leave")
    expect(await first.ask({"request": "leave"}), "left")


# The Janus core (1.1.2, and upstream as of 2026) frees a PeerConnection's
# ICE agent asynchronously after it told the client `hangup`; an offer on
# that handle before the agent is gone gets a new agent that the old one's
# close callback then unrefs: a segfault in the core (docs/api.md, "Known
# issues of the Janus core"). So a client offers again on a handle only once
# the core said its PeerConnection is gone, and a little later.
CORE_AGENT_SETTLE = 0.1


async def pc_gone(seat, patience=None):
    """Until the core has freed `seat`'s PeerConnection (its `hangup`), and
    CORE_AGENT_SETTLE more; False if the core said nothing (no PeerConnection)."""
    gone = await seat.handle.wait_core("hangup", patience or seat.settings.patience) is not None
    await asyncio.sleep(CORE_AGENT_SETTLE)
    return gone


async def clean(room):
    first, second = await pair(room)
    await call(room, second, first)
    await chat(first, second, "hello from " + first.id)
    await chat(second, first, "hello from " + second.id)
    await both_leave(first, second)


async def clean_hangup(room):
    first, second = await pair(room)
    await call(room, second, first)
    expect(await second.ask({"request": "hangup"}), "hungup")
    expect(await first.wait("hangup"), "hangup", reason="hangup", **{"from": second.id})
    await pc_gone(first)
    await call(room, first, second)  # the other way round this time
    await chat(second, first, "again")
    await both_leave(first, second)


# --- noisy neighbours (issue 12) ------------------------------------------
# Redial outcomes the contract allows, besides the plain ones: the core
# refuses an offer (490) while it still frees the PeerConnection B's hangup
# closed; Duet answers 463 when the core refused the JSEP it forwarded on
# the peer's side (A's answer, when B's new PeerConnection went with the
# close B's own hangup asked for), and 464 to an offer that crosses the
# previous call's end.
REDIAL_REFUSALS = (463, 464)


async def redial_step(seat, body, jsep, counts, key):
    """One request of a redial; a refusal the contract allows is counted."""
    try:
        event = await seat.ask(body, jsep)
    except JanusError as error:
        if error.code != 490:
            raise
        counts[key + " refused by the core"] += 1
        return None
    if isinstance(event.data, dict) and "error_code" in event.data:
        expect_error(event, *REDIAL_REFUSALS)
        counts[key + " refused by Duet"] += 1
        return None
    return event


async def hangup_settled(b, counts):
    """B hangs up; returns once the core has freed B's PeerConnection. A's,
    which Duet closes too, may still be closing when B's next offer is
    forwarded to it: that is what Duet must handle."""
    b.handle.core.clear()
    replied = await redial_step(b, {"request": "hangup"}, None, counts, "hangup")
    if replied is not None:
        expect(replied, "hungup")
    if not await pc_gone(b, 1.0):
        counts["hangup without a PeerConnection"] += 1


async def redial_once(room, a, b, counts):
    """B hangs up and offers again as soon as the core lets it; A answers
    the offer if it comes. Every answer is one the contract allows."""
    offer, answer = room.sdp()
    await hangup_settled(b, counts)
    offered = await redial_step(b, {"request": "offer"}, offer, counts, "offer")
    counts["redials"] += 1
    if offered is None:
        return
    expect(offered, "offering")
    expect(await a.wait("offer"), "offer", **{"from": b.id})
    answered = await redial_step(a, {"request": "answer"}, answer, counts, "answer")
    if answered is not None:
        expect(answered, "answered")


async def noisy(room, stop, counts):
    """A room that redials in a loop until `stop` is set, then leaves."""
    a, b = await pair(room)
    while not stop.is_set():
        await redial_once(room, a, b, counts)
        a.handle.events.clear()
        b.handle.events.clear()
    expect(await b.ask({"request": "leave"}), "left")
    expect(await a.ask({"request": "leave"}), "left")


async def full(room):
    first, second = await pair(room)
    third = await room.seat()
    expect_error(await third.ask({"request": "join", "room": room.name}), 457)
    await call(room, second, first)
    await both_leave(first, second)


async def vanish(seat, how):
    """End `seat` abruptly: no `leave`, the way `how` says."""
    if how == "destroy":
        await seat.session.destroy(seat.settings.patience)
    elif how == "ws_close":
        await seat.connection.close()
    elif how == "detach":
        await seat.handle.detach(seat.settings.patience)
    elif how == "timeout":
        seat.session.abandon()


async def seat_expires(room, stay, gone):
    """`stay` sees its peer's seat held, then freed when the window ends."""
    settings = room.settings
    wait = settings.patience + (settings.session_timeout + 2 if gone.session.keepalive_task is None else 0)
    await sees(stay, "peer_disconnected", gone.id, wait, reconnect_window=settings.window)
    await sees(stay, "peer_left", gone.id, settings.window + settings.patience, reason="timeout")


async def abrupt(room, how):
    first, second = await pair(room)
    await call(room, second, first)
    await chat(first, second, "bye?")
    # Alternate which side vanishes: the caller or the callee.
    stay, gone = (first, second) if room.index // len(room.settings.schedule) % 2 else (second, first)
    await vanish(gone, how)
    room.release()
    await seat_expires(room, stay, gone)
    expect(await stay.ask({"request": "leave"}), "left")


async def reconnect(room):
    window = max(30, room.settings.window)
    opener = await room.seat()
    expect(
        await opener.ask({"request": "create", "room": room.name, "secret": "s", "reconnect_window": window}),
        "created",
        room=room.name,
    )
    room.created = (opener, "s")
    first, second = await pair(room)
    await call(room, second, first)
    await second.connection.close()
    await sees(first, "peer_disconnected", second.id, reconnect_window=window)
    back = await room.seat()
    data = await back.join(room.name, id=second.id, reconnect_token=second.token)
    if back.id != second.id or back.token == second.token or peer_id(data) != first.id:
        raise Unexpected("takeover joined %r" % (data,))
    await sees(first, "peer_reconnected", second.id)
    await call(room, back, first)
    await chat(first, back, "welcome back")
    await both_leave(first, back)
    room.created = None
    expect(await opener.ask({"request": "destroy", "room": room.name, "secret": "s"}), "destroyed")


async def leave_race(room):
    """The callee leaves while the caller's offer is on its way."""
    first, second = await pair(room)
    offer, _ = room.sdp()
    offered, left = await asyncio.gather(second.ask({"request": "offer"}, offer), first.ask({"request": "leave"}))
    expect(left, "left")
    if offered.data.get("duet") != "offering":
        expect_error(offered, 461)  # the peer had gone already
    await sees(second, "peer_left", first.id, reason="leave")
    expect(await second.ask({"request": "leave"}), "left")


async def answer_race(room):
    """The caller leaves while the callee's answer is on its way."""
    first, second = await pair(room)
    offer, answer = room.sdp()
    expect(await second.ask({"request": "offer"}, offer), "offering")
    expect(await first.wait("offer"), "offer")
    answered, left = await asyncio.gather(
        first.ask({"request": "answer"}, answer), second.ask({"request": "leave"}), return_exceptions=True
    )
    expect(left, "left")
    if isinstance(answered, JanusError):
        # The leave closed this side's PeerConnection before the core took
        # the answer: the core refuses it itself (469 no offer to answer,
        # 471 no PeerConnection any more, 465 when the close is under way
        # while the core parses it).
        if answered.code not in (465, 469, 471):
            raise answered
    elif isinstance(answered, BaseException):
        raise answered
    elif answered.data.get("duet") != "answered":
        expect_error(answered, 461, 464)  # the peer or its offer had gone already
    await sees(first, "peer_left", second.id, reason="leave")
    expect(await first.ask({"request": "leave"}), "left")


async def both_gone(room):
    first, second = await pair(room)
    await call(room, second, first)
    await asyncio.gather(vanish(first, "destroy"), vanish(second, "ws_close"))


async def destroy(room):
    await abrupt(room, "destroy")


async def ws_close(room):
    await abrupt(room, "ws_close")


async def detach(room):
    await abrupt(room, "detach")


async def timeout(room):
    await abrupt(room, "timeout")


CYCLES = {
    "clean": clean,
    "clean_hangup": clean_hangup,
    "full": full,
    "destroy": destroy,
    "ws_close": ws_close,
    "detach": detach,
    "timeout": timeout,
    "reconnect": reconnect,
    "leave_race": leave_race,
    "answer_race": answer_race,
    "both_gone": both_gone,
}
