"""A small asyncio client for the Janus WebSocket API, for the churn soak.

The integration suite's client (tests/integration/janus_client.py) is
synchronous and long-polls over HTTP with a thread per session; the soak
needs hundreds of sessions at once, so it talks to Janus over WebSockets
from one event loop instead. One `Connection` is one WebSocket (one
"browser"); it may carry several sessions. Replies are routed by
transaction, pushed events by the handle that sent them (`sender`).

Plugin requests:
- `Handle.request(body, jsep)` sends a `message` and returns the plugin's
  answer as an `Event`: the synchronous `success`, or for an asynchronous
  request the event carrying the same transaction after Janus's `ack`.
- `Handle.wait_event(name)` removes and returns the first pushed event
  (no transaction) with that `duet` name.

A top-level Janus error (`janus: "error"`) raises `JanusError`; a closed
WebSocket raises `ConnectionClosed` in every pending request.
"""

import asyncio
import json

import websockets

from janus_client import DUET, Event, new_transaction

WS_URL = "ws://127.0.0.1:8188"


def _brief(message):
    """A request named for error messages: its Janus verb and plugin request."""
    body = message.get("body")
    return "%s%s" % (message.get("janus"), " %s" % body.get("request") if isinstance(body, dict) else "")


class JanusError(Exception):
    """A top-level error answered by the Janus core."""

    def __init__(self, reply):
        error = reply.get("error", {})
        self.code = error.get("code")
        self.reply = reply
        super().__init__("Janus core error %s: %s" % (self.code, error.get("reason")))


class ConnectionClosed(Exception):
    """The WebSocket closed while a request was waiting for its answer."""


class _Pending:
    """What a transaction waits for: the immediate reply, then (after an
    `ack`) the plugin event carrying the same transaction."""

    def __init__(self):
        loop = asyncio.get_running_loop()
        self.reply = loop.create_future()
        self.event = loop.create_future()


class Connection:
    """One WebSocket to Janus; routes everything it receives."""

    def __init__(self, ws):
        self.ws = ws
        self.pending = {}  # transaction -> _Pending
        self.handles = {}  # handle id -> Handle
        self.reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url=WS_URL, timeout=10):
        ws = await asyncio.wait_for(
            websockets.connect(url, subprotocols=["janus-protocol"], max_size=None, ping_interval=None),
            timeout,
        )
        return cls(ws)

    async def close(self):
        """Close the WebSocket: for Janus, the transport went away."""
        await self.ws.close()
        await self.reader

    async def send(self, message, timeout, then_event=False):
        """Send one Janus request; returns (reply, _Pending). With
        `then_event`, an `ack` means the answer follows as an event."""
        tx = new_transaction()
        message["transaction"] = tx
        pending = self.pending[tx] = _Pending()
        try:
            await self.ws.send(json.dumps(message))
            reply = await asyncio.wait_for(asyncio.shield(pending.reply), timeout)
        except asyncio.TimeoutError:
            self.pending.pop(tx, None)
            raise TimeoutError("no reply to %s within %.0f s" % (_brief(message), timeout)) from None
        except websockets.ConnectionClosed as exc:
            self.pending.pop(tx, None)
            raise ConnectionClosed(str(exc)) from None
        except BaseException:
            self.pending.pop(tx, None)
            raise
        if reply.get("janus") == "error":
            self.pending.pop(tx, None)
            raise JanusError(reply)
        if not (then_event and reply.get("janus") == "ack"):
            self.pending.pop(tx, None)
        return reply, pending

    async def session(self, timeout=10):
        """Create a Janus session on this connection."""
        reply, _ = await self.send({"janus": "create"}, timeout)
        return Session(self, reply["data"]["id"])

    async def _read(self):
        try:
            async for text in self.ws:
                self._route(json.loads(text))
        except websockets.ConnectionClosed:
            pass
        finally:
            self._fail_pending()

    def _route(self, message):
        tx = message.get("transaction")
        pending = self.pending.get(tx) if tx else None
        if message.get("janus") == "event" and pending is not None:
            self.pending.pop(tx, None)
            if not pending.event.done():
                pending.event.set_result(message)
            # The plugin may answer before the core has sent its ack: the
            # answer implies the ack, and the late ack finds nobody waiting.
            if not pending.reply.done():
                pending.reply.set_result({"janus": "ack", "transaction": tx})
            return
        if pending is not None:
            if not pending.reply.done():
                pending.reply.set_result(message)
            return
        handle = self.handles.get(message.get("sender"))
        if handle is not None:
            handle.deliver(message)

    def _fail_pending(self):
        for pending in self.pending.values():
            for future in (pending.reply, pending.event):
                if not future.done():
                    future.set_exception(ConnectionClosed("WebSocket closed"))
                    future.exception()  # retrieved: nobody may be waiting any more
        self.pending.clear()


class Session:
    """A Janus session; keeps itself alive until destroyed or abandoned."""

    def __init__(self, connection, session_id):
        self.connection = connection
        self.id = session_id
        self.keepalive_task = None

    def keep_alive(self, every):
        """Send a keepalive every `every` seconds (Janus times out idle sessions)."""
        self.keepalive_task = asyncio.get_running_loop().create_task(self._keepalive(every))

    async def _keepalive(self, every):
        try:
            while True:
                await asyncio.sleep(every)
                await self.connection.send({"janus": "keepalive", "session_id": self.id}, 30)
        except (ConnectionClosed, JanusError, asyncio.TimeoutError):
            pass  # the session or its connection is gone: nothing to keep alive

    def abandon(self):
        """Stop the keepalives and say nothing more: Janus will time it out."""
        if self.keepalive_task is not None:
            self.keepalive_task.cancel()
            self.keepalive_task = None

    async def attach(self, plugin=DUET, timeout=10):
        reply, _ = await self.connection.send({"janus": "attach", "session_id": self.id, "plugin": plugin}, timeout)
        handle = Handle(self, reply["data"]["id"])
        self.connection.handles[handle.id] = handle
        return handle

    async def destroy(self, timeout=10):
        """Janus `destroy`: the session and its handles go, without `leave`."""
        self.abandon()
        await self.connection.send({"janus": "destroy", "session_id": self.id}, timeout)


class Handle:
    """A plugin handle: requests, and the events Janus pushed to it."""

    def __init__(self, session, handle_id):
        self.session = session
        self.id = handle_id
        self.events = []  # pushed plugin events not consumed yet
        self.core = []  # core events: webrtcup, hangup, detached, ...
        self.arrived = asyncio.Event()

    def deliver(self, message):
        if message.get("janus") == "event" and message.get("transaction"):
            return  # the late answer of a request that gave up waiting
        if message.get("janus") == "event":
            self.events.append(Event(message))
        else:
            self.core.append(message)
        self.arrived.set()

    async def request(self, body, jsep=None, timeout=10):
        """A plugin request of either kind; returns the answering Event."""
        message = {"janus": "message", "session_id": self.session.id, "handle_id": self.id, "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        reply, pending = await self.session.connection.send(message, timeout, then_event=True)
        if reply.get("janus") == "success":
            return Event(reply, sync=True)
        if reply.get("janus") != "ack":
            raise AssertionError("unexpected reply to %r: %r" % (body, reply))
        try:
            return Event(await asyncio.wait_for(pending.event, timeout))
        except asyncio.TimeoutError:
            raise TimeoutError("no answer to %s within %.0f s" % (_brief(message), timeout)) from None
        finally:
            self.session.connection.pending.pop(reply.get("transaction"), None)

    async def detach(self, timeout=10):
        await self.session.connection.send(
            {"janus": "detach", "session_id": self.session.id, "handle_id": self.id}, timeout
        )

    async def wait_core(self, name, timeout=10):
        """Remove and return the first core event `name` (`hangup`, ...);
        None if none came within `timeout`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for i, message in enumerate(self.core):
                if message.get("janus") == name:
                    return self.core.pop(i)
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def wait_event(self, name, timeout=10):
        """Remove and return the first pushed event named `name`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.name == name:
                    return self.events.pop(i)
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError("no %r event within %.0f s; pending: %r" % (name, timeout, self.events))
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except asyncio.TimeoutError:
                pass
