"""The call flows the signaling benchmark times, for Duet and for VideoCall.

Both flows do the same work in the same order, with the same SDP:

| step    | Duet                                   | VideoCall                                  |
|---------|----------------------------------------|--------------------------------------------|
| join1   | A `join` -> A's `joined`               | A `register` -> A's `registered`           |
| join2   | B `join` -> B's `joined`               | B `register` -> B's `registered`           |
| offer   | B `offer` + JSEP -> A gets `offer`     | B `call` A + JSEP -> A gets `incomingcall` |
| answer  | A `answer` + JSEP -> B gets `answer`   | A `accept` + JSEP -> B gets `accepted`     |
| leave   | B `leave` -> B's `left`                | B `hangup` -> B's `hangup`                 |

The second to arrive (B) offers, as the Duet contract has it (it learns the
first one from its own `joined`); in VideoCall the caller must also know
the callee's name, so the same order fits both. A step is timed from just
before its request is sent to the arrival of the event that ends it (for
offer and answer: the event pushed to the other side, with its JSEP). The
call is set up when B has the answer. After the timed leave, Duet's A
leaves as well (untimed) so that its auto-created room goes away; in
VideoCall nothing more is needed (the sessions are destroyed afterwards in
both cases).

The idle flows only join (Duet: a room of its own) or register (VideoCall).
"""

from janus_ws import now, plugin_data

DUET = "janus.plugin.duet"
VIDEOCALL = "janus.plugin.videocall"
STEPS = ("join1", "join2", "offer", "answer", "leave")


class StepFailed(Exception):
    """A step got an error or the wrong answer, or nothing in time."""


def duet_event(message):
    return plugin_data(message).get("duet")


def videocall_event(message):
    return (plugin_data(message).get("result") or {}).get("event")


async def ask(handle, body, expect, event_name, timeout, jsep=None):
    """Send an async request and wait for the event answering it.

    Returns (latency, arrival time); raises StepFailed unless the answer is
    the event named `expect`.
    """
    start = now()
    tx = await handle.send(body, jsep, timeout)
    try:
        message, arrived = await handle.reply(tx, timeout)
    except TimeoutError:
        raise StepFailed("%s: no answer within %ss" % (body["request"], timeout)) from None
    if event_name(message) != expect:
        raise StepFailed("%s answered %r" % (body["request"], plugin_data(message)))
    return arrived - start, arrived


def pushed(expect, event_name):
    """Predicate: a plugin event without transaction, named `expect`, with a JSEP."""
    return lambda m: (
        m.get("janus") == "event" and "transaction" not in m and m.get("jsep") and event_name(m) == expect
    )


async def forward(sender, body, jsep, receiver, expect, event_name, timeout):
    """`sender` sends a request with a JSEP; wait for `receiver` to get it.

    Returns (latency, arrival time of the receiver's event).
    """
    start = now()
    tx = await sender.send(body, jsep, timeout)
    try:
        _, arrived = await receiver.wait(pushed(expect, event_name), timeout)
    except TimeoutError:
        # The sender's own answer says why (an error, usually).
        own = [plugin_data(m) for m, _ in sender.inbox if m.get("transaction") == tx]
        raise StepFailed("%s: the peer got no %r within %ss; own answer %r" % (body["request"], expect, timeout, own))
    return arrived - start, arrived


async def duet_call(a, b, room, pair, timeout, both_leave=True):
    """One Duet room: join, join, offer, answer, leave. Returns step latencies
    (plus `setup`, first request to call set up) and the set-up moment.
    Without `both_leave` A stays (a diagnostic: the flow then has as many
    requests as VideoCall's; A's seat is held when its session goes)."""
    offer, answer = pair
    times = {}
    start = now()
    times["join1"], _ = await ask(a, {"request": "join", "room": room}, "joined", duet_event, timeout)
    times["join2"], _ = await ask(b, {"request": "join", "room": room}, "joined", duet_event, timeout)
    times["offer"], _ = await forward(b, {"request": "offer"}, offer, a, "offer", duet_event, timeout)
    times["answer"], up = await forward(a, {"request": "answer"}, answer, b, "answer", duet_event, timeout)
    times["setup"] = up - start
    times["leave"], _ = await ask(b, {"request": "leave"}, "left", duet_event, timeout)
    if both_leave:
        await ask(a, {"request": "leave"}, "left", duet_event, timeout)
    return times, up


async def videocall_call(a, b, room, pair, timeout):
    """One VideoCall pair: register, register, call, accept, hangup."""
    offer, answer = pair
    name_a, name_b = room + "-a", room + "-b"
    times = {}
    start = now()
    times["join1"], _ = await ask(a, {"request": "register", "username": name_a}, "registered", videocall_event, timeout)
    times["join2"], _ = await ask(b, {"request": "register", "username": name_b}, "registered", videocall_event, timeout)
    call = {"request": "call", "username": name_a}
    times["offer"], _ = await forward(b, call, offer, a, "incomingcall", videocall_event, timeout)
    times["answer"], up = await forward(a, {"request": "accept"}, answer, b, "accepted", videocall_event, timeout)
    times["setup"] = up - start
    times["leave"], _ = await ask(b, {"request": "hangup"}, "hangup", videocall_event, timeout)
    return times, up


async def duet_idle(handle, name, timeout):
    """One waiting participant alone in a room of its own."""
    await ask(handle, {"request": "join", "room": name}, "joined", duet_event, timeout)


async def videocall_idle(handle, name, timeout):
    """One registered VideoCall user."""
    await ask(handle, {"request": "register", "username": name}, "registered", videocall_event, timeout)


CALL = {DUET: duet_call, VIDEOCALL: videocall_call}
IDLE = {DUET: duet_idle, VIDEOCALL: videocall_idle}
