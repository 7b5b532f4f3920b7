"""Signaling throughput of a Duet fleet through HAProxy (bench/fleet/run.sh).

For SECONDS, WORKERS concurrent loops each run room cycles: two
participants, each with its own WebSocket to ws://ENDPOINT/room/<id> (or
straight to one Janus with --direct), create a session, attach, join the
room (the second one checks that it met the first), leave, and close.
Prints rooms/s and the join latency (median, p95) as one TSV line:

  label  rooms  seconds  rooms_per_s  join_ms_median  join_ms_p95  errors
"""

import argparse
import asyncio
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
sys.path.insert(0, os.path.join(repo, "tests", "soak"))
sys.path.insert(0, os.path.join(repo, "tests", "integration"))
sys.path.insert(0, os.path.join(repo, "bench", "lib"))

import benchlib  # noqa: E402
import wsjanus  # noqa: E402


async def participant(url, room, joins):
    conn = await wsjanus.Connection.open(url)
    session = await conn.session()
    handle = await session.attach()
    started = time.monotonic()
    joined = await handle.request({"request": "join", "room": room})
    joins.append((time.monotonic() - started) * 1000)
    return conn, handle, joined


async def cycle(url_of, room, joins):
    a_conn, a, first = await participant(url_of(room), room, joins)
    b_conn, b, second = await participant(url_of(room), room, joins)
    peer = (second.data or {}).get("peer") or {}
    ok = first.name == "joined" and second.name == "joined" and peer.get("id") == first.data.get("id")
    await b.request({"request": "leave"})
    await a.request({"request": "leave"})
    await b_conn.close()
    await a_conn.close()
    return ok


async def worker(n, url_of, deadline, counters, joins):
    i = 0
    while time.monotonic() < deadline:
        room = "bench-%d-%d-%d" % (os.getpid(), n, i)
        i += 1
        try:
            ok = await cycle(url_of, room, joins)
        except Exception:  # noqa: BLE001 - counted
            ok = False
        counters["rooms" if ok else "errors"] += 1


async def main(args):
    if args.direct:
        def url_of(room):
            return "ws://%s" % args.endpoint
    else:
        def url_of(room):
            return "ws://%s/room/%s" % (args.endpoint, room)
    counters = {"rooms": 0, "errors": 0}
    joins = []
    started = time.monotonic()
    deadline = started + args.seconds
    await asyncio.gather(*(worker(n, url_of, deadline, counters, joins) for n in range(args.workers)))
    took = time.monotonic() - started
    print("%s\t%d\t%.1f\t%.1f\t%.2f\t%.2f\t%d" % (
        args.label, counters["rooms"], took, counters["rooms"] / took, benchlib.median(joins) or 0,
        benchlib.percentile(joins, 95) or 0, counters["errors"]), flush=True)
    return counters["errors"] == 0 and counters["rooms"] > 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="127.0.0.1:8000", help="HAProxy (or Janus WebSocket with --direct)")
    parser.add_argument("--direct", action="store_true", help="straight to one Janus, no /room/<id> prefix")
    parser.add_argument("--label", default="run")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=20)
    sys.exit(0 if asyncio.run(main(parser.parse_args())) else 1)
