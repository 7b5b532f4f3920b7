"""The fleet suite: 3 Janus instances behind HAProxy, rooms shared through Redis.

Run by tests/fleet/run.sh inside a private network namespace, with the
fleet started by tests/lib/fleet-env.sh from scripts/fleet-config.sh's
output (FLEET_DIR). Each check prints "ok"/"FAIL" and the last line is
"N passed, N failed".

1. affinity: ROOMS rooms, each joined through HAProxy by one participant over
   WebSocket (ws://LB/room/<id>) and one over HTTP long-poll
   (http://LB/room/<id>/janus): the second one's `joined` names the first as
   its peer (they met on one instance), every instance's Admin API holds its
   rooms with both participants, and the rooms spread within +-10 % of even.
   Event-handler notifications of each room carry, as "emitter", the
   name of the instance that holds it (server_name duet-<i>).
2. fleet command: scripts/duet-fleet list shows what the Admin APIs hold.
3. failover: a room created with a pin on the instance that owns it is
   joinable with its pin, and refused without, after that instance is killed.
4. Redis stopped: clear 499 errors, rooms in use keep working, no crash,
   and everything works again when Redis is back.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

import aiohttp
import aiohttp.web

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(repo, "tests", "soak"))
sys.path.insert(0, os.path.join(repo, "tests", "integration"))

import wsjanus  # noqa: E402

FLEET = os.environ["FLEET_DIR"]
LB = os.environ.get("FLEET_LB", "127.0.0.1:8000")
ROOMS = int(os.environ.get("FLEET_ROOMS", "1000"))
PARALLEL = 40
EVH_PORT = int(os.environ.get("FLEET_EVH_PORT", "9099"))
results = []
notifications = []  # what the instances' event handlers posted


def check(name, ok, detail=""):
    results.append(ok)
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""), flush=True)
    return ok


def instances():
    rows = []
    with open(os.path.join(FLEET, "fleet.tsv")) as f:
        for line in f:
            if not line.startswith("#"):
                name, host, http, ws, admin, secret, folder = line.rstrip("\n").split("\t")
                rows.append(dict(name=name, host=host, http=int(http), admin=int(admin), secret=secret, dir=folder))
    return rows


def admin(inst, request):
    body = {"janus": "message_plugin", "plugin": "janus.plugin.duet", "transaction": "t",
            "admin_secret": inst["secret"], "request": request}
    req = urllib.request.Request("http://%s:%d/admin" % (inst["host"], inst["admin"]), json.dumps(body).encode())
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)["response"]


def alive(inst):
    try:
        urllib.request.urlopen("http://%s:%d/janus/info" % (inst["host"], inst["http"]), timeout=2).read()
        return True
    except OSError:
        return False


def fleet_env(*args):
    subprocess.run([os.path.join(repo, "tests", "lib", "fleet-env.sh"), args[0], FLEET] + list(args[1:]), check=True)


def haproxy_status(name):
    """HAProxy's view of an instance in both backends, e.g. {"UP"} or {"DOWN"}."""
    import socket
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(os.path.join(FLEET, "haproxy.sock"))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    rows = [line.split(",") for line in data.decode().splitlines() if line and not line.startswith("#")]
    return {row[17].split()[0] for row in rows if len(row) > 17 and row[1] == name}


def owner(room):
    """The instance HAProxy sends the room to now (Janus's server-name)."""
    with urllib.request.urlopen("http://%s/room/%s/janus/info" % (LB, room), timeout=3) as r:
        return json.load(r)["server-name"]


# --- an HTTP long-poll participant ----------------------------------------
class HttpParticipant:
    def __init__(self, http, room):
        self.http = http
        self.base = "http://%s/room/%s/janus" % (LB, room)

    async def post(self, url, message):
        message.setdefault("transaction", "tx%d" % id(message))
        async with self.http.post(url, data=json.dumps(message)) as r:
            return await r.json(content_type=None)

    async def open(self):
        self.session = (await self.post(self.base, {"janus": "create"}))["data"]["id"]
        self.surl = "%s/%d" % (self.base, self.session)
        self.handle = (await self.post(self.surl, {"janus": "attach", "plugin": "janus.plugin.duet"}))["data"]["id"]

    async def request(self, body, timeout=10):
        """A plugin request; returns plugindata.data of its answer."""
        tx = "tx-%d-%s" % (self.handle, body["request"])
        reply = await self.post("%s/%d" % (self.surl, self.handle), {"janus": "message", "body": body, "transaction": tx})
        if reply.get("janus") == "success":
            return reply["plugindata"]["data"]
        assert reply.get("janus") == "ack", reply
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self.http.get(self.surl, params={"maxev": "10", "rid": str(time.time())}) as r:
                events = await r.json(content_type=None)
            for event in events if isinstance(events, list) else [events]:
                if event.get("transaction") == tx and event.get("janus") == "event":
                    return event["plugindata"]["data"]
        raise AssertionError("no answer to %r" % body)

    async def close(self):
        try:
            await self.post(self.surl, {"janus": "destroy"})
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass


async def ws_participant(room):
    conn = await wsjanus.Connection.open("ws://%s/room/%s" % (LB, room))
    session = await conn.session()
    handle = await session.attach()
    return conn, handle


# --- 1. affinity and spread -------------------------------------------------
ids = {}  # room -> id of its WebSocket participant


async def one_room(http, room, sem, kept, failures):
    async with sem:
        try:
            conn, handle = await ws_participant(room)
            first = await handle.request({"request": "join", "room": room, "display": "ws"})
            second = HttpParticipant(http, room)
            await second.open()
            joined = await second.request({"request": "join", "room": room, "display": "http"})
            kept.append((conn, second))
            ids[room] = first.data["id"]
            peer = joined.get("peer") or {}
            if first.name != "joined" or joined.get("duet") != "joined" or peer.get("id") != first.data["id"]:
                failures.append("%s: %r / %r" % (room, first.data, joined))
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failures.append("%s: %r" % (room, exc))


async def affinity():
    kept, failures = [], []
    sem = asyncio.Semaphore(PARALLEL)
    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=PARALLEL * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=40)) as http:
        rooms = ["fleet-%04d" % i for i in range(ROOMS)]
        await asyncio.gather(*(one_room(http, r, sem, kept, failures) for r in rooms))
        took = time.monotonic() - started
        check("%d rooms joined through HAProxy, WebSocket + HTTP participant of each met" % ROOMS,
              not failures, "%.1f s; %s" % (took, "; ".join(failures[:3])))
        per = {}
        complete = 0
        for inst in instances():
            held = [r for r in admin(inst, {"request": "list"})["rooms"] if r["room"].startswith("fleet-")]
            per[inst["name"]] = len(held)
            complete += sum(1 for r in held if r["participants"] == 2)
        check("every room on exactly one instance with both participants (Admin APIs)",
              complete == ROOMS and sum(per.values()) == ROOMS, "%d complete, %r" % (complete, per))
        even = ROOMS / len(per)
        spread = max(abs(n - even) / even for n in per.values())
        check("rooms spread within +-10 % of even", spread <= 0.10, "%r, worst %.1f %%" % (per, spread * 100))
        await check_emitters(holders())
        fleet_list()
        for conn, second in kept:
            await second.close()
            await conn.close()


def holders():
    """{room: instance name} from every Admin API."""
    where = {}
    for inst in instances():
        for r in admin(inst, {"request": "list"})["rooms"]:
            where[r["room"]] = inst["name"]
    return where


async def collector():
    """An HTTP server for the sample event handler of every instance."""
    async def post(request):
        body = await request.json()
        notifications.extend(body if isinstance(body, list) else [body])
        return aiohttp.web.Response(text="ok")

    app = aiohttp.web.Application()
    app.router.add_post("/", post)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", EVH_PORT).start()
    return runner


async def check_emitters(where):
    deadline = time.monotonic() + 5
    joined = []
    while time.monotonic() < deadline:
        joined = [n for n in notifications if (n.get("event") or {}).get("plugin") == "janus.plugin.duet"
                  and n["event"].get("data", {}).get("event") == "joined"
                  and n["event"]["data"].get("room", "").startswith("fleet-")]
        if len(joined) >= 2 * ROOMS:
            break
        await asyncio.sleep(0.2)
    wrong = [n for n in joined if n.get("emitter") != where.get(n["event"]["data"]["room"])]
    check("event-handler notifications name their instance as emitter",
          len(joined) >= 2 * ROOMS and not wrong,
          "%d joined notifications, %d with another emitter %s" % (len(joined), len(wrong), wrong[:1]))


# --- 2. the fleet command ---------------------------------------------------
def fleet_list():
    out = subprocess.run([os.path.join(repo, "scripts", "duet-fleet"), "--fleet", os.path.join(FLEET, "fleet.tsv"),
                          "--json", "list"], capture_output=True, text=True)
    listed = {(r["instance"], r["room"], r["participants"]) for r in json.loads(out.stdout)["rooms"]}
    truth = set()
    for inst in instances():
        for r in admin(inst, {"request": "list"})["rooms"]:
            truth.add((inst["name"], r["room"], r["participants"]))
    check("duet-fleet list shows what the Admin APIs hold (instance of each room)",
          out.returncode == 0 and listed == truth and len(truth) >= ROOMS, "%d rooms" % len(listed))
    text = subprocess.run([os.path.join(repo, "scripts", "duet-fleet"), "--fleet", os.path.join(FLEET, "fleet.tsv"),
                           "stats"], capture_output=True, text=True)
    check("duet-fleet stats answers for every instance",
          text.returncode == 0 and all(("%s:" % i["name"]) in text.stdout for i in instances()))
    room = "fleet-0000"
    kick = subprocess.run([os.path.join(repo, "scripts", "duet-fleet"), "--fleet", os.path.join(FLEET, "fleet.tsv"),
                           "kick", room, ids.get(room, "?")], capture_output=True, text=True)
    left = [r["participants"] for inst in instances() for r in admin(inst, {"request": "list"})["rooms"]
            if r["room"] == room]
    check("duet-fleet kick finds the room's instance and kicks", kick.returncode == 0 and left == [1],
          "%s %r" % (kick.stdout.strip()[:200], left))


# --- 3. a room with a pin after its instance is killed ----------------------
async def join_once(room, **fields):
    conn, handle = await ws_participant(room)
    try:
        return (await handle.request(dict({"request": "join", "room": room}, **fields))).data
    finally:
        await conn.close()


async def failover():
    room = "pinned-1"
    conn, handle = await ws_participant(room)
    created = (await handle.request({"request": "create", "room": room, "pin": "2468", "secret": "s"})).data
    await conn.close()
    first = owner(room)
    check("create through HAProxy", created.get("duet") == "created", "%r on %s" % (created, first))
    index = int(first.split("-")[1])
    killed = time.monotonic()
    fleet_env("kill", str(index))
    while haproxy_status(first) != {"DOWN"} and time.monotonic() - killed < 10:
        time.sleep(0.02)
    down = time.monotonic() - killed
    second = owner(room)
    check("HAProxy takes the dead instance out within ~2 s (both backends), the room moves",
          down < 2.0 and second != first, "%s DOWN after %.2f s, room now on %s" % (first, down, second))
    refused = await join_once(room)
    wrong = await join_once(room, pin="1111")
    joined = await join_once(room, pin="2468")
    check("after the kill: without the pin 458, wrong pin 458, with the pin joined (from Redis)",
          refused.get("error_code") == 458 and wrong.get("error_code") == 458 and joined.get("duet") == "joined",
          "%r / %r / %r" % (refused, wrong, joined))
    fleet_env("start-instance", str(index))
    back = time.monotonic()
    while haproxy_status(first) != {"UP"} and time.monotonic() - back < 10:
        time.sleep(0.05)
    check("the restarted instance takes its rooms back", owner(room) == first, "UP after %.2f s" % (time.monotonic() - back))


# --- 4. Redis stopped and back ----------------------------------------------
async def redis_outage():
    # A room in use before the outage, and one created (not in use).
    conn, handle = await ws_participant("busy-1")
    await handle.request({"request": "join", "room": "busy-1"})
    conn2, handle2 = await ws_participant("made-1")
    await handle2.request({"request": "create", "room": "made-1", "pin": "1"})
    fleet_env("redis-stop")
    create = (await handle2.request({"request": "create", "room": "made-2"})).data
    join_new = await join_once("never-seen-1")
    busy = await join_once("busy-1")
    ok = (create.get("error_code") == 499 and "unreachable" in create.get("error", "")
          and join_new.get("error_code") == 499 and busy.get("duet") == "joined")
    check("Redis stopped: create and a join of an unknown room 499 (clear message); a room in use works",
          ok, "%r / %r / %r" % (create, join_new, busy))
    check("no instance crashed", all(alive(i) for i in instances()))
    fleet_env("redis-start")
    deadline = time.monotonic() + 5
    create = {}
    while time.monotonic() < deadline:
        create = (await handle2.request({"request": "create", "room": "made-2"})).data
        if create.get("duet") == "created":
            break
        await asyncio.sleep(0.1)
    recovered = 5 - (deadline - time.monotonic())
    joined = await join_once("made-1", pin="1")
    check("Redis back: create works again, rooms made before are joinable",
          create.get("duet") == "created" and joined.get("duet") == "joined",
          "%.2f s; %r / %r" % (recovered, create, joined))
    await conn.close()
    await conn2.close()


async def main():
    runner = await collector()
    await affinity()
    await failover()
    await redis_outage()
    check("every instance still running", all(alive(i) for i in instances()))
    await runner.cleanup()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as exc:  # noqa: BLE001 - a crash of the driver is a failure
        import traceback

        traceback.print_exc()
        check("the suite ran to the end", False, repr(exc))
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)
