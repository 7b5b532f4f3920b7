"""A small asyncio client of the Janus WebSocket API, for benchmarks.

One `Connection` is one WebSocket (subprotocol "janus-protocol") that can
carry many Janus sessions: Janus sends a session's events on the connection
that created it, so a few hundred connections serve ten thousand
participants without running out of file descriptors.

A `Handle` is one plugin handle of its own session (one session + one
handle per participant, like one browser tab). Messages arriving for it
are kept, with the moment they were read off the socket, until a waiter
takes them; timings therefore stop when Janus's message reached the
client, not when the benchmark coroutine got round to looking at it.

Replies that name a transaction (`ack`, `success`, `error`) answer the
request that sent it; everything else that names a `sender` (plugin
events, with or without a transaction, and core events such as `hangup`)
goes to that handle.
"""

import asyncio
import itertools
import json
import time

import websockets

WS_URL = "ws://127.0.0.1:8188/"
_transactions = itertools.count(1)

# Messages sent to and received from Janus by every connection, so that a
# benchmark can say how many a call took.
traffic = {"sent": 0, "received": 0}


class JanusError(Exception):
    """Janus answered a request with a top-level error."""


def now():
    return time.perf_counter()


class Connection:
    """One WebSocket to Janus; routes replies by transaction, events by sender."""

    def __init__(self):
        self.ws = None
        self.replies = {}  # transaction -> Future of the first reply
        self.handles = {}  # handle id -> Handle
        self.reader = None

    async def open(self, url=WS_URL):
        # No pings (Janus does not need them and they would add traffic) and
        # no size limit (an SDP event is a few KiB, a long list can be more).
        self.ws = await websockets.connect(
            url, subprotocols=["janus-protocol"], max_size=None, ping_interval=None, compression=None
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())
        return self

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    async def request(self, message, timeout=60):
        """Send `message` (a transaction is added); return Janus's first reply."""
        tx = "t%d" % next(_transactions)
        message["transaction"] = tx
        future = asyncio.get_running_loop().create_future()
        self.replies[tx] = future
        traffic["sent"] += 1
        await self.ws.send(json.dumps(message))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.replies.pop(tx, None)

    async def _read(self):
        try:
            async for raw in self.ws:
                traffic["received"] += 1
                self._route(json.loads(raw), now())
        except websockets.ConnectionClosed:
            pass
        finally:
            # Whoever still waits for a reply will not get one.
            for future in self.replies.values():
                if not future.done():
                    future.set_exception(JanusError("connection closed"))

    def _route(self, message, arrived):
        kind = message.get("janus")
        future = self.replies.get(message.get("transaction"))
        if future is not None and kind in ("ack", "success", "error") and not future.done():
            future.set_result(message)
            return
        handle = self.handles.get(message.get("sender"))
        if handle is not None:
            handle.deliver(message, arrived)

    async def new_handle(self, plugin):
        """Create a session and attach `plugin` to it."""
        answer = await self.request({"janus": "create"})
        if answer.get("janus") != "success":
            raise JanusError("create: %r" % answer)
        session_id = answer["data"]["id"]
        answer = await self.request({"janus": "attach", "session_id": session_id, "plugin": plugin})
        if answer.get("janus") != "success":
            raise JanusError("attach: %r" % answer)
        handle = Handle(self, session_id, answer["data"]["id"])
        self.handles[handle.id] = handle
        return handle


class Handle:
    """One participant: a session with one plugin handle."""

    def __init__(self, connection, session_id, handle_id):
        self.connection = connection
        self.session_id = session_id
        self.id = handle_id
        self.inbox = []  # (message, arrival time) not yet taken by a waiter
        self.waiters = []  # (predicate, Future)

    def deliver(self, message, arrived):
        for i, (predicate, future) in enumerate(self.waiters):
            if not future.done() and predicate(message):
                del self.waiters[i]
                future.set_result((message, arrived))
                return
        self.inbox.append((message, arrived))

    async def wait(self, predicate, timeout):
        """The first message (and its arrival time) for which predicate holds."""
        for i, (message, arrived) in enumerate(self.inbox):
            if predicate(message):
                del self.inbox[i]
                return message, arrived
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self.waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            if entry in self.waiters:
                self.waiters.remove(entry)

    async def send(self, body, jsep=None, timeout=60):
        """A plugin `message`; returns its transaction once Janus acked it.

        A synchronous plugin answer (`success`) or a core `error` instead of
        the ack raises JanusError: every request timed here is asynchronous.
        """
        message = {"janus": "message", "session_id": self.session_id, "handle_id": self.id, "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        reply = await self.connection.request(message, timeout)
        if reply.get("janus") != "ack":
            raise JanusError("%s: %r" % (body.get("request"), reply))
        return reply["transaction"]

    async def reply(self, tx, timeout):
        """The plugin event answering transaction tx, and when it arrived."""
        return await self.wait(lambda m: m.get("transaction") == tx and m.get("janus") == "event", timeout)

    async def destroy(self, timeout=60):
        """Destroy the session (which detaches the handle)."""
        self.connection.handles.pop(self.id, None)
        await self.connection.request({"janus": "destroy", "session_id": self.session_id}, timeout)


def plugin_data(message):
    """plugindata.data of a plugin event, or {}."""
    return (message.get("plugindata") or {}).get("data") or {}
