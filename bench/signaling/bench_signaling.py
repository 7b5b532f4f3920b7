"""Signaling throughput of Duet and of Janus's VideoCall on one real Janus.

Run through bench/signaling/run.sh (it provides the network namespace);
see bench/signaling/README.md for what is measured and how to read it.

Two parts:
- calls: K concurrent rooms each set up one call (flows.py) over the
  WebSocket API, Duet and VideoCall alternating on the same Janus, several
  runs; per run the calls set up per second, p50/p99 latency of every step,
  and Janus CPU per call.
- idle: Janus RSS per idle room, one fresh Janus per measurement: N rooms of
  one waiting Duet participant, or N registered VideoCall users.

Prints the tables and writes signaling.tsv, signaling-idle.tsv and
signaling-raw.tsv; the last line is "N passed, N failed" (calls and idle
participants that did or did not get through).
"""

import argparse
import asyncio
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "bench", "lib"))

import benchlib  # noqa: E402
import flows  # noqa: E402
import sdp_pool  # noqa: E402
from flows import DUET, VIDEOCALL  # noqa: E402
from janus_ws import WS_URL, Connection, now, traffic  # noqa: E402

JANUS_ENV = os.path.join(REPO, "tests", "lib", "janus-env.sh")
NAMES = {DUET: "Duet", VIDEOCALL: "VideoCall"}


# --- Janus ------------------------------------------------------------------


class Janus:
    """A private Janus (tests/lib/janus-env.sh) with Duet and VideoCall loaded."""

    def __init__(self, basedir, index, args, port_offset=0, rtp_port_range=None):
        self.dir = os.path.join(basedir, "janus-%d" % index)
        self.options = [
            "--videocall",
            "--rtp-port-range",
            rtp_port_range or args.rtp_port_range,
            "--session-timeout",
            "0",
            "--debug-level",
            str(args.debug_level),
            "--port-offset",
            str(port_offset),
        ]
        self.ws_url = "ws://127.0.0.1:%d/" % (8188 + port_offset)
        self.pid = None

    def start(self):
        subprocess.run([JANUS_ENV, "start", self.dir, *self.options], check=True)
        self.pid = benchlib.janus_pid(self.dir)

    def stop(self):
        subprocess.run([JANUS_ENV, "stop", self.dir], check=True)

    def threads(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
        return 0

    async def settle(self, threads=None, limit=30.0):
        """Wait until Janus is nearly idle and down to `threads` threads (or,
        without `threads`, until its thread count stops changing): the ICE
        agents and handle threads of the last batch end in the background."""
        deadline = now() + limit
        last = self.threads()
        while now() < deadline:
            before = benchlib.cpu_seconds(self.pid)
            await asyncio.sleep(0.2)
            busy = benchlib.cpu_seconds(self.pid) - before
            count = self.threads()
            steady = count <= threads if threads is not None else count == last
            if steady and busy <= 0.02:
                return
            last = count


def threads_by_name(pid):
    """{name: (threads, CPU seconds)} of Janus's live threads: "hloop 123"
    (a handle's ICE loop) counts as "hloop"; "janus" covers the main and
    core threads and VideoCall's handler, which has no name of its own."""
    result = {}
    for name, seconds, _ in benchlib.thread_times(pid):
        name = re.sub(r" \d+$", "", name)
        count, total = result.get(name, (0, 0.0))
        result[name] = (count + 1, total + seconds)
    return result


# --- participants -------------------------------------------------------------


class Crowd:
    """Participants: one session + handle each, spread over WebSocket
    connections of `per_conn` participants."""

    def __init__(self):
        self.connections = []
        self.handles = []

    async def connect(self, count, per_conn, url=WS_URL):
        n_conns = max(1, -(-count // per_conn))
        self.connections = await asyncio.gather(*(Connection().open(url) for _ in range(n_conns)))
        return self

    async def attach(self, plugin, count):
        conns = self.connections
        self.handles = await asyncio.gather(*(conns[i % len(conns)].new_handle(plugin) for i in range(count)))
        return self

    async def close(self):
        await asyncio.gather(*(h.destroy() for h in self.handles), return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.connections))


# --- the calls part -----------------------------------------------------------


class Batch:
    """The pooled results of `reps` batches of K concurrent calls."""

    def __init__(self):
        self.times = {step: [] for step in flows.STEPS + ("setup",)}
        self.ok = 0
        self.failed = 0
        self.errors = []
        self.wall = 0.0  # summed over reps: batch start to last call set up
        self.janus_cpu = 0.0
        self.client_cpu = 0.0
        self.sent = 0  # messages to Janus during the timed part
        self.received = 0  # and from it
        self.threads = {}  # Janus thread -> CPU seconds in the timed part

    def add(self, results, start):
        last_up = start
        for result in results:
            if isinstance(result, BaseException):
                self.failed += 1
                self.errors.append("%s: %s" % (type(result).__name__, result))
                continue
            times, up = result
            self.ok += 1
            last_up = max(last_up, up)
            for step, value in times.items():
                self.times[step].append(value)
        self.wall += last_up - start

    def add_threads(self, before, after):
        """CPU of Janus's threads in the timed part, by name (threads_by_name).
        A name some of whose threads ended meanwhile (the core's request
        pool retires idle ones) is left out: their time went with them. The
        Janus CPU row has the total, threads that ended included."""
        for name, (count, seconds) in after.items():
            had, before_seconds = before.get(name, (0, 0.0))
            if count >= had:
                self.threads[name] = self.threads.get(name, 0.0) + seconds - before_seconds
        # The row to compare: each plugin's request thread plus the core's
        # (VideoCall's handler is one of the "janus" threads).
        both = sum(self.threads.get(name, 0.0) for name in ("duet worker", "janus"))
        self.threads["duet worker + janus"] = both

    def metrics(self):
        """{metric: value} of this batch; latencies in ms."""
        calls = self.ok + self.failed
        result = {
            "calls_per_s": self.ok / self.wall if self.wall > 0 else 0.0,
            "janus_cpu_ms_per_call": 1000.0 * self.janus_cpu / calls,
            "client_cpu_ms_per_call": 1000.0 * self.client_cpu / calls,
            "sent_per_call": self.sent / calls,
            "received_per_call": self.received / calls,
        }
        for step in ("setup",) + flows.STEPS:
            values = self.times[step]
            if values:
                result[step + "_p50_ms"] = 1000.0 * benchlib.percentile(values, 50)
                result[step + "_p99_ms"] = 1000.0 * benchlib.percentile(values, 99)
        return result


async def one_batch(janus, plugin, k, tag, pool, args, batch):
    """K concurrent calls of `plugin`, sessions made before and destroyed
    after the timed part."""
    crowd = await Crowd().connect(2 * k, args.per_conn)
    await crowd.attach(plugin, 2 * k)
    call = flows.CALL[plugin]
    if plugin == DUET and args.duet_single_leave:
        call = functools.partial(flows.duet_call, both_leave=False)
    handles = crowd.handles
    threads_before = threads_by_name(janus.pid)
    cpu_before = benchlib.cpu_seconds(janus.pid)
    client_before = time.process_time()
    sent, received = traffic["sent"], traffic["received"]
    start = now()
    results = await asyncio.gather(
        *(
            call(handles[2 * i], handles[2 * i + 1], "%s-%d" % (tag, i), pool[i % len(pool)], args.timeout)
            for i in range(k)
        ),
        return_exceptions=True,
    )
    cpu = benchlib.cpu_seconds(janus.pid) - cpu_before
    batch.add_threads(threads_before, threads_by_name(janus.pid))
    batch.janus_cpu += cpu
    batch.client_cpu += time.process_time() - client_before
    batch.sent += traffic["sent"] - sent
    batch.received += traffic["received"] - received
    batch.add(results, start)
    await crowd.close()


async def measure_calls(janus, plugin, k, run, pool, args, idle_threads):
    """One run of K for one plugin: `reps` batches (several for small K, so
    that a run has enough samples), Janus settled before each."""
    reps = 1 if args.smoke else max(1, -(-args.min_calls // k))
    batch = Batch()
    for rep in range(reps):
        await janus.settle(idle_threads)
        tag = "r%dk%d%s%d" % (run, k, "d" if plugin == DUET else "v", rep)
        await one_batch(janus, plugin, k, tag, pool, args, batch)
    return batch


async def calls_part(basedir, args, pool, records, tally):
    janus = Janus(basedir, 0, args)
    janus.start()
    try:
        # A first call on each plugin, not counted: lazily started threads
        # and first-use allocations are not part of any run.
        for plugin in args.plugins:
            await one_batch(janus, plugin, 1, "warmup", pool, args, Batch())
        await janus.settle()
        idle_threads = janus.threads()
        for run in range(args.runs):
            # Alternate which plugin goes first, so that neither always
            # meets the leftovers of the other.
            order = args.plugins if run % 2 == 0 else args.plugins[::-1]
            for k in args.ks:
                for plugin in order:
                    batch = await measure_calls(janus, plugin, k, run, pool, args, idle_threads)
                    tally.count(plugin, "calls K=%d" % k, batch.ok, batch.failed, batch.errors)
                    for metric, value in batch.metrics().items():
                        records.append(("calls", k, run, NAMES[plugin], metric, value))
                    calls = batch.ok + batch.failed
                    for thread, seconds in batch.threads.items():
                        records.append(("threads", k, run, NAMES[plugin], thread, 1000.0 * seconds / calls))
                    print(
                        "run %d K=%d %-9s %7.1f calls/s  setup p50 %6.1f ms  failed %d"
                        % (
                            run + 1,
                            k,
                            NAMES[plugin],
                            batch.metrics()["calls_per_s"],
                            batch.metrics().get("setup_p50_ms", float("nan")),
                            batch.failed,
                        ),
                        flush=True,
                    )
    finally:
        janus.stop()


# --- the idle part ------------------------------------------------------------


async def measure_idle(janus, plugin, count, args):
    """RSS before the participants exist, after their sessions and handles,
    and after they joined/registered; returns (metrics, ok, failed, errors)."""
    crowd = await Crowd().connect(count, args.per_conn)
    await janus.settle()
    rss_empty = benchlib.rss_kib(janus.pid)
    await crowd.attach(plugin, count)
    await janus.settle()
    rss_attached = benchlib.rss_kib(janus.pid)
    results = await join_all(crowd.handles, flows.IDLE[plugin], args)
    await janus.settle()
    rss_joined = benchlib.rss_kib(janus.pid)
    errors = ["%s: %s" % (type(r).__name__, r) for r in results if isinstance(r, BaseException)]
    await crowd.close()
    metrics = {
        "rss_per_room_kib": (rss_joined - rss_empty) / count,
        "rss_per_join_kib": (rss_joined - rss_attached) / count,
        "rss_per_session_kib": (rss_attached - rss_empty) / count,
        "rss_empty_mib": rss_empty / 1024.0,
    }
    return metrics, count - len(errors), len(errors), errors


async def join_all(handles, idle, args):
    """Every handle joins (or registers), at most `idle_inflight` at a time:
    a burst of ten thousand requests would make the core's request thread
    pool grow, and those threads' stacks would count as room memory."""
    gate = asyncio.Semaphore(args.idle_inflight)

    async def one(i, handle):
        async with gate:
            await idle(handle, "idle-%d" % i, args.timeout)

    return await asyncio.gather(*(one(i, h) for i, h in enumerate(handles)), return_exceptions=True)


async def idle_part(basedir, args, records, tally):
    index = 1
    for run in range(args.idle_runs):
        order = args.plugins if run % 2 == 0 else args.plugins[::-1]
        for plugin in order:
            # A fresh Janus for every measurement: neither plugin's heap
            # starts out shaped by the other's.
            janus = Janus(basedir, index, args)
            index += 1
            janus.start()
            try:
                metrics, ok, failed, errors = await measure_idle(janus, plugin, args.idle, args)
            finally:
                janus.stop()
            tally.count(plugin, "idle", ok, failed, errors)
            for metric, value in metrics.items():
                records.append(("idle", args.idle, run, NAMES[plugin], metric, value))
            print(
                "idle run %d %-9s %d participants: %.2f KiB per room (%.2f KiB the join alone)"
                % (run + 1, NAMES[plugin], args.idle, metrics["rss_per_room_kib"], metrics["rss_per_join_kib"]),
                flush=True,
            )


# --- results ------------------------------------------------------------------


class Tally:
    """Calls and idle participants that got through, or not."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def count(self, plugin, what, ok, failed, errors):
        self.passed += ok
        self.failed += failed
        for error in errors[:3]:
            print("FAILED %s %s: %s" % (NAMES[plugin], what, error), flush=True)


CALL_ROWS = [
    ("calls_per_s", "calls set up / s"),
    ("setup_p50_ms", "set-up p50 ms (join A .. B has answer)"),
    ("setup_p99_ms", "set-up p99 ms"),
    ("join1_p50_ms", "join A / register A p50 ms"),
    ("join1_p99_ms", "join A / register A p99 ms"),
    ("join2_p50_ms", "join B / register B p50 ms"),
    ("join2_p99_ms", "join B / register B p99 ms"),
    ("offer_p50_ms", "offer / call -> peer p50 ms"),
    ("offer_p99_ms", "offer / call -> peer p99 ms"),
    ("answer_p50_ms", "answer / accept -> peer p50 ms"),
    ("answer_p99_ms", "answer / accept -> peer p99 ms"),
    ("leave_p50_ms", "leave / hangup p50 ms"),
    ("leave_p99_ms", "leave / hangup p99 ms"),
    ("janus_cpu_ms_per_call", "Janus CPU ms per call"),
    ("client_cpu_ms_per_call", "client CPU ms per call"),
    ("sent_per_call", "messages to Janus per call"),
    ("received_per_call", "messages from Janus per call"),
]

IDLE_ROWS = [
    ("rss_per_room_kib", "Janus RSS per idle room, KiB (session + handle + join)"),
    ("rss_per_join_kib", "  of which the join / register, KiB"),
    ("rss_per_session_kib", "  of which the session + handle, KiB"),
    ("rss_empty_mib", "Janus RSS before, MiB"),
]


def samples(records, part, k, plugin, metric):
    """{run: value} of one metric."""
    return {r[2]: r[5] for r in records if r[0] == part and r[1] == k and r[3] == plugin and r[4] == metric}


def summary_rows(records, part, k, rows):
    """(metric, label, duet values, videocall values, ratios) per metric;
    a ratio is Duet / VideoCall of the same run."""
    result = []
    for metric, label in rows:
        duet = samples(records, part, k, "Duet", metric)
        vc = samples(records, part, k, "VideoCall", metric)
        ratios = [duet[run] / vc[run] for run in duet if run in vc and vc[run]]
        if duet or vc:
            result.append((metric, label, list(duet.values()), list(vc.values()), ratios))
    return result


def thread_rows(records, k):
    """summary_rows of the per-thread CPU, busiest threads first; threads
    that took under 0.01 ms per call on both sides are left out."""
    names = {r[4] for r in records if r[0] == "threads" and r[1] == k}
    rows = [(name, name) for name in names]
    result = summary_rows(records, "threads", k, rows)
    result = [row for row in result if max(row[2] + row[3]) >= 0.01]
    return sorted(result, key=lambda row: -max(benchlib.median(row[2]) or 0, benchlib.median(row[3]) or 0))


def print_table(title, rows):
    print()
    print(title)
    width = max(len(label) for _, label, *_ in rows)
    print("%-*s  %-26s %-26s %s" % (width, "", "Duet", "VideoCall", "Duet/VideoCall"))
    for _, label, duet, vc, ratios in rows:
        print(
            "%-*s  %-26s %-26s %s"
            % (width, label, benchlib.spread(duet), benchlib.spread(vc), benchlib.spread(ratios))
        )


def tsv_line(*fields):
    return "\t".join("%.4g" % f if isinstance(f, float) else str(f) for f in fields) + "\n"


def stats(values):
    if not values:
        return ("", "", "")
    return (benchlib.median(values), min(values), max(values))


def write_summary(path, records, part, keys, rows):
    with open(path, "w") as f:
        f.write(
            tsv_line(
                "k" if part == "calls" else "rooms",
                "metric",
                "duet_median",
                "duet_min",
                "duet_max",
                "videocall_median",
                "videocall_min",
                "videocall_max",
                "ratio_median",
                "ratio_min",
                "ratio_max",
                "runs",
            )
        )
        for k in keys:
            for metric, _, duet, vc, ratios in summary_rows(records, part, k, rows):
                f.write(tsv_line(k, metric, *stats(duet), *stats(vc), *stats(ratios), len(ratios)))


def report(records, args, out_dir):
    for k in args.ks:
        runs = len(samples(records, "calls", k, "Duet", "calls_per_s"))
        rows = summary_rows(records, "calls", k, CALL_ROWS)
        if rows:
            print_table("K = %d concurrent rooms: median (min..max) of %d runs" % (k, runs), rows)
    if args.threads:
        for k in args.ks:
            print_table("K = %d: Janus CPU ms per call by thread, median (min..max)" % k, thread_rows(records, k))
    if args.idle:
        rows = summary_rows(records, "idle", args.idle, IDLE_ROWS)
        if rows:
            print_table("%d idle rooms / registered users, fresh Janus each" % args.idle, rows)
    os.makedirs(out_dir, exist_ok=True)
    write_summary(os.path.join(out_dir, "signaling.tsv"), records, "calls", args.ks, CALL_ROWS)
    if args.idle:
        write_summary(os.path.join(out_dir, "signaling-idle.tsv"), records, "idle", [args.idle], IDLE_ROWS)
    with open(os.path.join(out_dir, "signaling-raw.tsv"), "w") as f:
        f.write(tsv_line("part", "k", "run", "plugin", "metric", "value"))
        for record in records:
            f.write(tsv_line(*record))


# --- main -------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds: K=1,10, one run, 100 idle rooms")
    parser.add_argument("--ks", default="1,100,1000", help="concurrent rooms per batch, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs of each K and plugin")
    parser.add_argument("--min-calls", type=int, default=20, help="repeat small batches up to this many calls a run")
    parser.add_argument("--idle", type=int, default=10000, help="idle rooms / users (0: skip)")
    parser.add_argument("--idle-runs", type=int, default=3)
    parser.add_argument("--idle-inflight", type=int, default=100, help="idle joins in flight at once")
    parser.add_argument("--per-conn", type=int, default=10, help="participants per WebSocket connection")
    parser.add_argument("--pool", type=int, default=16, help="aiortc offer/answer pairs made up front")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a step may take before it failed")
    parser.add_argument("--rtp-port-range", default="10000-60000")
    parser.add_argument("--debug-level", type=int, default=4, help="Janus log level")
    parser.add_argument("--plugins", default="duet,videocall", help="which sides to run (e.g. one, to profile it)")
    parser.add_argument(
        "--candidates", action="store_true", help="keep aiortc's host candidates in the SDP (Janus then checks them)"
    )
    parser.add_argument("--threads", action="store_true", help="also print Janus CPU per call by thread")
    parser.add_argument(
        "--duet-single-leave", action="store_true", help="diagnostic: Duet's A does not leave (as many requests as VideoCall)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the Janus folders (configuration, janus.log)")
    parser.add_argument("--out", help="folder for the TSV files (default bench/results; --smoke: a temporary one)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.ks, args.runs, args.idle, args.idle_runs, args.pool, args.timeout = "1,10", 1, 100, 1, 4, 10.0
    args.ks = [int(k) for k in str(args.ks).split(",") if k]
    args.plugins = tuple("janus.plugin." + p.strip().lower() for p in args.plugins.split(","))
    return args


async def main(args, pool):
    basedir = tempfile.mkdtemp(prefix="duet-bench-signaling-")
    out_dir = args.out or (os.path.join(basedir, "results") if args.smoke else os.path.join(REPO, "bench", "results"))
    records = []
    tally = Tally()
    started = now()
    if args.ks and args.runs:
        await calls_part(basedir, args, pool, records, tally)
    if args.idle:
        await idle_part(basedir, args, records, tally)
    report(records, args, out_dir)
    print("\ntook %.1f s" % (now() - started))
    if tally.failed or args.keep:
        print("Janus folders (logs) kept in %s" % basedir)
    else:
        shutil.rmtree(basedir, ignore_errors=True)
    if tally.failed or not out_dir.startswith(basedir):
        print("results in %s" % out_dir)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


def run(argv):
    # The SDP is made on an event loop of its own: aiortc's closed
    # PeerConnections leave STUN retry timers behind, which die with it.
    args = parse_args(argv)
    sdp = asyncio.run(sdp_pool.make_pool(args.pool))
    if not args.candidates:
        sdp = [(sdp_pool.without_candidates(o), sdp_pool.without_candidates(a)) for o, a in sdp]
    try:
        return asyncio.run(main(args, sdp))
    except Exception:
        # Janus died, a port was taken, ...: still end with the summary line.
        traceback.print_exc()
        print("0 passed, 1 failed")
        return 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
