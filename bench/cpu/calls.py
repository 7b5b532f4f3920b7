"""Call set-up through Duet and through Janus's own VideoCall plugin.

Each function takes two BenchPeers and a unique name, makes two Janus
sessions with one handle each on the plugin, and runs that plugin's
signaling until both PeerConnections have their remote descriptions.
It returns the sessions (destroying them hangs the call up).

Duet (the contract's names): join, join, offer, answer.
VideoCall (plugins/janus_videocall.c of Janus 1.1.2): register, register,
call (with the offer), accept (with the answer); default settings, no `set`.
Direct: the peers' offer and answer go straight to each other, no Janus.
"""

import janus_client as jc  # tests/integration

VIDEOCALL = "janus.plugin.videocall"


class SignalingError(AssertionError):
    pass


def _expect(ok, what, event):
    if not ok:
        raise SignalingError("%s: got %r" % (what, event))


def _handles(plugin):
    sessions = [jc.Session(), jc.Session()]
    return sessions, [s.attach(plugin) for s in sessions]


def duet_call(caller, callee, name):
    """callee joins first (it gets the offer), caller joins and offers."""
    sessions, (callee_h, caller_h) = _handles(jc.DUET)
    try:
        for handle in (callee_h, caller_h):
            joined = handle.call({"request": "join", "room": name})
            _expect(joined.name == "joined", "join", joined)
        callee_h.wait_event("peer_joined", 10)
        offering = caller_h.call({"request": "offer"}, caller.offer(), timeout=10)
        _expect(offering.name == "offering", "offer", offering)
        offer = callee_h.wait_event("offer", 10)
        answered = callee_h.call({"request": "answer"}, callee.answer(offer.jsep), timeout=10)
        _expect(answered.name == "answered", "answer", answered)
        caller.accept(caller_h.wait_event("answer", 10).jsep)
        return sessions
    except BaseException:
        close(sessions)
        raise


def _videocall_event(event):
    data = event.data or {}
    return (data.get("result") or {}).get("event")


def _wait_videocall(handle, name):
    return handle.wait_event(None, 10, lambda e: _videocall_event(e) == name)


def videocall_call(caller, callee, name):
    """Both register; the caller calls the callee, which accepts."""
    sessions, (callee_h, caller_h) = _handles(VIDEOCALL)
    users = {callee_h: name + "-callee", caller_h: name + "-caller"}
    try:
        for handle, user in users.items():
            registered = handle.call({"request": "register", "username": user})
            _expect(_videocall_event(registered) == "registered", "register", registered)
        body = {"request": "call", "username": users[callee_h]}
        calling = caller_h.call(body, caller.offer(), timeout=10)
        _expect(_videocall_event(calling) == "calling", "call", calling)
        incoming = _wait_videocall(callee_h, "incomingcall")
        accepted = callee_h.call({"request": "accept"}, callee.answer(incoming.jsep), timeout=10)
        _expect(_videocall_event(accepted) == "accepted", "accept", accepted)
        caller.accept(_wait_videocall(caller_h, "accepted").jsep)
        return sessions
    except BaseException:
        close(sessions)
        raise


def direct_call(caller, callee, name):
    """No Janus: the two peers connect to each other (the transit baseline)."""
    callee_answer = callee.answer(caller.offer())
    caller.accept(callee_answer)
    return []


def close(sessions):
    for session in sessions:
        session.destroy()


SETUP = {"duet": duet_call, "videocall": videocall_call, "direct": direct_call}
