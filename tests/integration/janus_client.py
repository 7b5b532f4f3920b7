"""A small synchronous client for the Janus HTTP API and Admin API.

Sessions long-poll for events in a background thread and route every event
to the handle named by its `sender`. A handle keeps two queues: plugin
events (`janus: "event"`, with `plugindata`) and core events (`webrtcup`,
`media`, `hangup`, `detached`, ...).

Plugin requests come in three flavours:
- `Handle.sync(body)`: the request must be answered synchronously (a
  `success` with plugindata); returns `plugindata.data`.
- `Handle.send(body)`: the request must be acknowledged (`ack`); returns the
  transaction, whose answer `Handle.reply(tx)` waits for.
- `Handle.call(body)`: send + reply; `Handle.ask(body)` accepts either kind.

Errors of the Janus core (top-level `janus: "error"`) raise `JanusError`.
"""

import itertools
import json
import threading
import time
import uuid

import requests

JANUS_URL = "http://127.0.0.1:8088/janus"
ADMIN_URL = "http://127.0.0.1:7088/admin"
ADMIN_SECRET = "duetadmin"
DUET = "janus.plugin.duet"

DEFAULT_TIMEOUT = 5.0
_tx_counter = itertools.count(1)


def new_transaction():
    return "tx%d-%s" % (next(_tx_counter), uuid.uuid4().hex[:8])


class JanusError(Exception):
    """A top-level error answered by the Janus core (not by the plugin)."""

    def __init__(self, response):
        err = response.get("error", {})
        self.code = err.get("code")
        self.reason = err.get("reason")
        self.response = response
        super().__init__("Janus core error %s: %s" % (self.code, self.reason))


class Event:
    """One message from Janus: a plugin event, or a sync plugin answer."""

    def __init__(self, raw, sync=False):
        self.raw = raw
        self.sync = sync
        self.tx = raw.get("transaction")
        self.jsep = raw.get("jsep")
        plugindata = raw.get("plugindata") or {}
        self.plugin = plugindata.get("plugin")
        self.data = plugindata.get("data")
        self.name = self.data.get("duet") if isinstance(self.data, dict) else None
        self.received = time.monotonic()

    def __repr__(self):
        text = json.dumps(self.data)
        if len(text) > 300:
            text = text[:300] + "..."
        return "<Event %s%s %s>" % (
            "sync " if self.sync else "",
            "jsep:%s" % self.jsep.get("type") if self.jsep else "",
            text,
        )


def _post(http, url, message, timeout=10):
    message.setdefault("transaction", new_transaction())
    response = http.post(url, data=json.dumps(message), timeout=timeout)
    response.raise_for_status()
    return response.json()


class Session:
    """A Janus session with a background long-poll routing events by sender."""

    def __init__(self, url=JANUS_URL):
        self.url = url
        self.http = requests.Session()
        answer = _post(self.http, url, {"janus": "create"})
        if answer.get("janus") != "success":
            raise JanusError(answer)
        self.id = answer["data"]["id"]
        self.session_url = "%s/%d" % (url, self.id)
        self.handles = {}  # attached handles by id
        self.attached = []  # every handle attached, detached ones too
        self.unrouted = []
        self.lock = threading.Lock()
        self.closed = False
        self.poller = threading.Thread(target=self._poll, name="poll-%d" % self.id, daemon=True)
        self.poller.start()

    def post(self, message, url=None):
        return _post(self.http, url or self.session_url, message)

    def attach(self, plugin=DUET):
        answer = self.post({"janus": "attach", "plugin": plugin})
        if answer.get("janus") != "success":
            raise JanusError(answer)
        handle = Handle(self, answer["data"]["id"], plugin)
        with self.lock:
            self.handles[handle.id] = handle
            self.attached.append(handle)
            early = [m for m in self.unrouted if m.get("sender") == handle.id]
            self.unrouted = [m for m in self.unrouted if m.get("sender") != handle.id]
        for message in early:
            handle.deliver(message)
        return handle

    def destroy(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.post({"janus": "destroy"})
        except requests.RequestException:
            pass

    def _poll(self):
        http = requests.Session()
        while not self.closed:
            try:
                response = http.get(self.session_url, params={"maxev": 10, "rid": int(time.time() * 1000)}, timeout=40)
                messages = response.json()
            except (requests.RequestException, ValueError):
                if self.closed:
                    return
                time.sleep(0.1)
                continue
            if isinstance(messages, dict):
                messages = [messages]
            for message in messages:
                kind = message.get("janus")
                if kind == "keepalive":
                    continue
                if kind == "error":
                    # No such session: it was destroyed (by us, or by a timeout).
                    self.closed = True
                    return
                sender = message.get("sender")
                with self.lock:
                    handle = self.handles.get(sender)
                    if handle is None:
                        self.unrouted.append(message)
                if handle is not None:
                    handle.deliver(message)


class Handle:
    """A plugin handle: requests, and the events Janus sent to it."""

    def __init__(self, session, handle_id, plugin):
        self.session = session
        self.id = handle_id
        self.plugin = plugin
        self.url = "%s/%d" % (session.session_url, handle_id)
        self.cond = threading.Condition()
        self.events = []  # unconsumed pushed plugin events (no transaction)
        self.answers = {}  # transaction -> Event (async answers)
        self.core = []  # core events: webrtcup, media, hangup, detached, ...
        self.history = []  # every plugin event, consumed or not

    # --- incoming -------------------------------------------------------
    def deliver(self, message):
        with self.cond:
            if message.get("janus") == "event":
                event = Event(message)
                self.history.append(event)
                if event.tx:
                    self.answers[event.tx] = event
                else:
                    self.events.append(event)
            else:
                self.core.append(message)
            self.cond.notify_all()

    # --- requests -------------------------------------------------------
    def post(self, message):
        return _post(self.session.http, self.url, message)

    def message(self, body, jsep=None, transaction=None):
        """Send a raw `message`; returns Janus's immediate response."""
        message = {"janus": "message", "body": body, "transaction": transaction or new_transaction()}
        if jsep is not None:
            message["jsep"] = jsep
        return self.post(message)

    def sync(self, body, jsep=None):
        """A request that must be answered synchronously; returns its data."""
        answer = self.message(body, jsep)
        kind = answer.get("janus")
        if kind == "error":
            raise JanusError(answer)
        assert kind == "success", "expected a synchronous answer to %r, got %r" % (body, answer)
        assert answer["plugindata"]["plugin"] == self.plugin
        return answer["plugindata"]["data"]

    def send(self, body, jsep=None):
        """A request that must be acknowledged; returns its transaction."""
        tx = new_transaction()
        answer = self.message(body, jsep, tx)
        kind = answer.get("janus")
        if kind == "error":
            raise JanusError(answer)
        assert kind == "ack", "expected an ack for %r, got %r" % (body, answer)
        return tx

    def reply(self, tx, timeout=DEFAULT_TIMEOUT):
        """Wait for the event answering transaction `tx`."""
        with self.cond:
            if not self.cond.wait_for(lambda: tx in self.answers, timeout):
                raise AssertionError("no answer for transaction %s within %.1fs" % (tx, timeout))
            return self.answers.pop(tx)

    def call(self, body, jsep=None, timeout=DEFAULT_TIMEOUT):
        """An asynchronous request: ack, then the event with its transaction."""
        return self.reply(self.send(body, jsep), timeout)

    def ask(self, body, jsep=None, timeout=DEFAULT_TIMEOUT):
        """A request of either kind; returns an Event (sync answers have .sync)."""
        tx = new_transaction()
        answer = self.message(body, jsep, tx)
        kind = answer.get("janus")
        if kind == "error":
            raise JanusError(answer)
        if kind == "success":
            return Event(answer, sync=True)
        assert kind == "ack", "unexpected response %r" % answer
        return self.reply(tx, timeout)

    def trickle(self, candidate):
        """Trickle one candidate (dict) or the end of candidates (None)."""
        if candidate is None:
            candidate = {"completed": True}
        answer = self.post({"janus": "trickle", "candidate": candidate})
        if answer.get("janus") == "error":
            raise JanusError(answer)
        return answer

    def hangup_webrtc(self):
        """Janus API `hangup`: close this handle's PeerConnection."""
        answer = self.post({"janus": "hangup"})
        if answer.get("janus") == "error":
            raise JanusError(answer)
        return answer

    def detach(self):
        answer = self.post({"janus": "detach"})
        if answer.get("janus") == "error":
            raise JanusError(answer)
        with self.session.lock:
            self.session.handles.pop(self.id, None)
        return answer

    # --- pushed events --------------------------------------------------
    def wait_event(self, name=None, timeout=DEFAULT_TIMEOUT, predicate=None):
        """Remove and return the first pushed event named `name` (or any)."""

        def find():
            for i, event in enumerate(self.events):
                if (name is None or event.name == name) and (predicate is None or predicate(event)):
                    return i
            return None

        with self.cond:
            found = self.cond.wait_for(lambda: find() is not None, timeout)
            if not found:
                raise AssertionError(
                    "handle %d: no %r event within %.1fs; pending: %r" % (self.id, name, timeout, self.events)
                )
            return self.events.pop(find())

    def pending(self, name=None):
        with self.cond:
            return [e for e in self.events if name is None or e.name == name]

    def assert_no_event(self, name=None, within=0.5):
        """Fail if a pushed event (named `name`, or any) arrives within `within` s."""
        deadline = time.monotonic() + within
        with self.cond:
            while True:
                found = [e for e in self.events if name is None or e.name == name]
                assert not found, "handle %d: unexpected event(s) %r" % (self.id, found)
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)

    def drain(self):
        with self.cond:
            events, self.events = self.events, []
            return events

    def wait_core(self, kind, timeout=DEFAULT_TIMEOUT):
        """Wait for a core event such as "hangup" or "webrtcup"; returns it (not removed)."""
        with self.cond:
            ok = self.cond.wait_for(lambda: any(m.get("janus") == kind for m in self.core), timeout)
            if not ok:
                raise AssertionError("handle %d: no core %r within %.1fs; got %r" % (self.id, kind, timeout, self.core))
            return next(m for m in self.core if m.get("janus") == kind)

    def core_events(self, kind):
        with self.cond:
            return [m for m in self.core if m.get("janus") == kind]


# --- Admin API ----------------------------------------------------------
_admin_http = threading.local()


def _admin_session():
    if not hasattr(_admin_http, "session"):
        _admin_http.session = requests.Session()
    return _admin_http.session


def admin(message, path=""):
    """POST an Admin API request (the secret is added); returns the response."""
    message = dict(message)
    message["admin_secret"] = ADMIN_SECRET
    return _post(_admin_session(), ADMIN_URL + path, message)


def admin_plugin(request, plugin=DUET):
    """Admin API `message_plugin`; returns the plugin's `response` object."""
    answer = admin({"janus": "message_plugin", "plugin": plugin, "request": request})
    if answer.get("janus") != "success":
        raise JanusError(answer)
    return answer["response"]


def handle_info(handle):
    """Admin API `handle_info` of a handle; returns the whole `info`."""
    answer = admin({"janus": "handle_info"}, "/%d/%d" % (handle.session.id, handle.id))
    if answer.get("janus") != "success":
        raise JanusError(answer)
    return answer["info"]


def server_info():
    return requests.get(JANUS_URL + "/info", timeout=5).json()
