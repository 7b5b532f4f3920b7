"""Churn soak of Duet through the real Janus, over the WebSocket API.

Run it through tests/soak/run.sh (it needs the private network namespace).

Phase "churn": Janus with the plugin; a warm-up of room cycles, then
Janus's RSS is read; then --rooms room cycles (bounded by --seconds) at
--concurrency rooms at once, mixing clean calls with abrupt endings
(tests/soak/cycles.py); then, once the held seats have expired and the
abandoned sessions timed out, `list` (plugin and Admin API) and Janus's
session list must be empty and RSS within 10 % of the warm-up reading
(both trimmed through gdb; where gdb cannot call into Janus, the idle RSS
after the churn's second half within 10 % of the one after its first).
Beside each half of the churn, --noisy rooms (default 10) redial in a
loop as fast as the core lets them (issue 12's noisy neighbours): each of
their outcomes must be one the contract allows, and the churn's cycles
beside them are checked as always.

Phase "valgrind": the same Janus binary under valgrind memcheck with a
short workload, stopped with SIGINT; any leak ("definitely", "indirectly"
or "possibly" lost) or invalid access with a frame in Duet's own code
fails; the findings of Janus and its libraries are counted only.

Offers and answers are real aiortc SDP, made once up front (without
candidates, so that no ICE check ever runs: media need not flow). Every
check prints PASS/FAIL; the last line is "N passed, N failed".
"""

import argparse
import asyncio
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path[:0] = [os.path.join(REPO, "tests", "integration"), os.path.join(REPO, "bench", "lib")]

import benchlib  # noqa: E402
import janus_client as jc  # noqa: E402
import requests  # noqa: E402
import vgreport  # noqa: E402
import webrtc  # noqa: E402
from cycles import CYCLES, SCHEDULE, Room, Seat, Settings, Stats, noisy  # noqa: E402
from janus_server import JanusServer  # noqa: E402

DUET_CONFIG = """\
general: {
	auto_create = true
	max_rooms = 0
	reconnect_window = %d
	events = false
	rec_dir = "@DIR@/recordings"
}
"""


class Checks:
    """Pass/fail checks, printed as they are made."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, " (%s)" % detail if detail else ""), flush=True)
        return ok


# --- SDP ----------------------------------------------------------------
def without_candidates(jsep):
    lines = jsep["sdp"].split("\r\n")
    kept = [line for line in lines if not line.startswith(("a=candidate:", "a=end-of-candidates"))]
    return {"type": jsep["type"], "sdp": "\r\n".join(kept)}


def sdp_pool(size):
    """`size` (offer, answer) pairs from real aiortc peers, candidates removed."""
    pool = []
    for _ in range(size):
        caller, callee = webrtc.Peer(), webrtc.Peer()
        # Neither side learns a candidate of the other: no ICE check starts
        # (its retries would outlive the closed peers and only make noise).
        offer = without_candidates(caller.offer())
        answer = without_candidates(callee.answer(offer))
        pool.append((offer, answer))
        caller.close()
        callee.close()
    return pool


# --- running rooms ------------------------------------------------------
def schedule(kinds):
    """The cycle kinds in order: the whole mix, or only those named."""
    if not kinds:
        return SCHEDULE
    wanted = kinds.split(",")
    unknown = [k for k in wanted if k not in CYCLES]
    if unknown:
        raise SystemExit("unknown cycle kinds: %s (known: %s)" % (", ".join(unknown), ", ".join(CYCLES)))
    return wanted

async def run_room(index, settings, pool, slot, stats):
    kind = settings.schedule[index % len(settings.schedule)]
    room = Room(index, "soak-%d" % index, settings, pool, slot)
    error = None
    try:
        # A whole cycle, timers included, must end within this bound.
        bound = 12 * settings.patience + settings.session_timeout + settings.window
        await asyncio.wait_for(CYCLES[kind](room), bound)
    except Exception as exc:
        error = exc
    finally:
        await room.close()
    stats.record(room.name, kind, error)


async def run_rooms(first, count, settings, pool, concurrency, seconds, stats):
    """Cycle `count` rooms (fewer if `seconds` run out), `concurrency` at once."""
    slot = asyncio.Semaphore(concurrency)
    deadline = time.monotonic() + seconds if seconds else None
    tasks = []
    for index in range(first, first + count):
        await slot.acquire()
        if deadline is not None and time.monotonic() >= deadline:
            slot.release()
            break
        tasks.append(asyncio.create_task(run_room(index, settings, pool, slot, stats)))
    await asyncio.gather(*tasks)
    return len(tasks)


# --- looking at Janus ---------------------------------------------------
def admin_rooms():
    return jc.admin_plugin({"request": "list"}).get("rooms")


def admin_sessions():
    answer = jc.admin({"janus": "list_sessions"})
    return answer.get("sessions")


async def plugin_rooms(settings):
    """`list` on the plugin API, through a handle of its own."""
    seat = await Seat(settings).open()
    try:
        event = await seat.ask({"request": "list"})
        return event.data.get("rooms") if event.data.get("duet") == "success" else event.data
    finally:
        await seat.close()


async def wait_empty(timeout):
    """Wait until no room and no Janus session is left; returns (rooms, sessions)."""
    deadline = time.monotonic() + timeout
    while True:
        rooms, sessions = await asyncio.to_thread(admin_rooms), await asyncio.to_thread(admin_sessions)
        if (not rooms and not sessions) or time.monotonic() >= deadline:
            return rooms, sessions
        await asyncio.sleep(0.5)


def drain_time(settings):
    """Longest a seat or a session may legitimately outlive its cycle."""
    return settings.session_timeout + 2 + settings.window + 2 * settings.patience


async def check_empty(checks, settings, label):
    rooms, sessions = await wait_empty(drain_time(settings))
    checks.check(rooms == [], "%s: Admin API list is empty" % label, "%d rooms left: %s" % (len(rooms or []), (rooms or [])[:5]))
    checks.check(sessions == [], "%s: no Janus session left" % label, "%d sessions left" % len(sessions or []))
    listed = await plugin_rooms(settings)
    checks.check(listed == [], "%s: plugin list is empty" % label, "got %s" % (listed if listed != [] else "[]"))


def report_stats(checks, stats, label):
    print("%s: rooms cycled %d, ok by kind %s" % (label, stats.rooms, dict(sorted(stats.ok.items()))))
    if stats.abrupt:
        print("%s: abrupt endings %s" % (label, dict(sorted(stats.abrupt.items()))))
    for room, kind, message in stats.failures:
        print("  unexpected in %s (%s): %s" % (room, kind, message[:400]))
    failed = sum(stats.failed.values())
    checks.check(failed == 0, "%s: every cycle went as the contract says" % label, "%d unexpected outcomes" % failed)


def settled_rss(pid):
    """RSS in KiB once Janus is idle: the lowest of a few readings."""
    readings = []
    for _ in range(5):
        time.sleep(0.4)
        readings.append(benchlib.rss_kib(pid))
    return min(readings)


def malloc_trim(server):
    """Have glibc give freed heap memory back to the system, in the idle
    Janus, through gdb; returns malloc's own totals {system, in_use} in KiB
    (before the trim), or None without gdb.

    Janus starts a thread per PeerConnection and glibc gives threads their
    own arenas (16 on 2 cores); memory freed there stays resident, so the
    raw RSS of a leak-free Janus creeps up with the churn (measured: about
    +1.3 KiB per room, while malloc's in-use bytes grow by about 0.1 KiB
    per room and the trimmed RSS stays within a few %). Trimming both
    readings compares what is really held."""
    if shutil.which("gdb") is None:
        return None
    out = os.path.join(server.dir, "janus.stdout")  # malloc_stats writes to Janus's stderr
    start = os.path.getsize(out)
    calls = ["call (void)malloc_stats()", "call (int)malloc_trim(0)"]
    command = ["gdb", "-p", str(server.pid()), "-batch", "-nx"] + [arg for c in calls for arg in ("-ex", c)]
    try:
        subprocess.run(command, capture_output=True, timeout=120, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        print("gdb could not call into Janus (%s): comparing untrimmed RSS" % exc)
        return None
    with open(out) as f:
        f.seek(start)
        text = f.read()
    totals = re.search(r"Total \(incl\. mmap\):\s*system bytes\s*=\s*(\d+)\s*in use bytes\s*=\s*(\d+)", text)
    if totals is None:
        print("no malloc_stats totals in %s: comparing untrimmed RSS" % out)
        return None
    return {"system": int(totals.group(1)) // 1024, "in_use": int(totals.group(2)) // 1024}


class one_malloc_arena:
    """Starts the churn's Janus with one malloc arena, so that memory freed
    by its per-PeerConnection threads goes back to the main heap, which
    free() trims, instead of staying resident in up to 16 thread arenas.
    Where gdb cannot call malloc_trim in Janus (on some virtual machines
    gdb fails with "Couldn't write extended state status"), the untrimmed
    RSS then holds less slack (measured: +9 % over 1,900 rooms instead of
    +23 %; check_rss says what it is compared with then)."""

    def __enter__(self):
        self.saved = os.environ.get("GLIBC_TUNABLES")
        os.environ["GLIBC_TUNABLES"] = "glibc.malloc.arena_max=1"

    def __exit__(self, *exc):
        if self.saved is None:
            os.environ.pop("GLIBC_TUNABLES", None)
        else:
            os.environ["GLIBC_TUNABLES"] = self.saved


def idle_memory(server, label):
    """Janus's memory at rest: raw RSS, malloc's totals, RSS after a trim."""
    pid = server.pid()
    memory = {"raw": settled_rss(pid)}
    heap = malloc_trim(server)
    if heap is not None:
        memory.update(heap)
        memory["trimmed"] = settled_rss(pid)
        print(
            "%s: RSS %d KiB (malloc holds %d KiB, %d KiB in use), %d KiB after malloc_trim"
            % (label, memory["raw"], memory["system"], memory["in_use"], memory["trimmed"]),
            flush=True,
        )
    else:
        print("%s: RSS %d KiB (no gdb: untrimmed)" % (label, memory["raw"]), flush=True)
    return memory


async def trace_rss(pid, stats, started, every=10):
    """Print Janus's RSS now and then while the churn runs (live sessions
    included, so only a trend: the check compares idle readings)."""
    while True:
        await asyncio.sleep(every)
        print(
            "churn: %5.0f s, %5d rooms done, RSS %d KiB" % (time.monotonic() - started, stats.rooms, benchlib.rss_kib(pid)),
            flush=True,
        )


# --- phase: churn -------------------------------------------------------
async def churn(args, checks, pool, workdir):
    settings = Settings(window=args.window, session_timeout=args.session_timeout, patience=10)
    settings.schedule = schedule(args.kinds)
    server = JanusServer(
        os.path.join(workdir, "churn"),
        DUET_CONFIG % settings.window,
        ["--session-timeout", str(settings.session_timeout), "--debug-level", "3"],
    )
    with one_malloc_arena():
        server.start()
    try:
        await churn_phases(args, checks, pool, settings, server)
    finally:
        alive = server.alive()
        checks.check(alive, "churn: Janus still running at the end", "" if alive else server.log_tail())
        server.stop()


async def churn_phases(args, checks, pool, settings, server):
    pid = server.pid()
    print("churn: Janus pid %d, RSS at start %d KiB" % (pid, benchlib.rss_kib(pid)), flush=True)
    warm_stats = Stats()
    await run_rooms(0, args.warmup, settings, pool, args.concurrency, 0, warm_stats)
    report_stats(checks, warm_stats, "warm-up")
    await check_empty(checks, settings, "warm-up")
    warm = idle_memory(server, "after warm-up")

    stats = Stats()
    started = time.monotonic()
    monitor = asyncio.create_task(trace_rss(pid, stats, started))
    # The same noise beside both halves: the RSS check compares their ends.
    noise = Noise(args.noisy, settings, pool, "first half")
    half = await run_rooms(args.warmup, args.rooms // 2, settings, pool, args.concurrency, args.seconds / 2, stats)
    await noise.end(checks)
    await check_empty(checks, settings, "churn, first half")
    mid = idle_memory(server, "after the first half of the churn")
    noise = Noise(args.noisy, settings, pool, "second half")
    await run_rooms(args.warmup + half, args.rooms - half, settings, pool, args.concurrency, args.seconds / 2, stats)
    await noise.end(checks)
    monitor.cancel()
    elapsed = time.monotonic() - started
    print("churn: %d rooms in %.1f s, %.1f rooms/s" % (stats.rooms, elapsed, stats.rooms / elapsed), flush=True)
    report_stats(checks, stats, "churn")
    target = args.min_rooms if args.min_rooms is not None else args.rooms
    checks.check(stats.rooms >= target, "churn: at least %d rooms cycled" % target, "%d" % stats.rooms)
    await check_empty(checks, settings, "churn")
    after = idle_memory(server, "after churn")
    check_rss(checks, warm, mid, after)


class Noise:
    """Noisy neighbours (issue 12) beside half of the churn: rooms that
    redial in a loop (cycles.noisy), each offer forwarded while the peer's
    PeerConnection may still be closing. Every outcome must be one the
    contract allows; the normal cycles beside them are checked as always."""

    def __init__(self, count, settings, pool, label):
        self.count = count
        self.label = label
        self.stop = asyncio.Event()
        self.counts = collections.Counter()
        self.stats = Stats()
        self.tasks = [asyncio.create_task(self.room(i, settings, pool)) for i in range(count)]
        if count:
            print("churn, %s: %d noisy rooms redialling beside it" % (label, count), flush=True)

    async def room(self, index, settings, pool):
        room = Room(index, "noisy-%d" % index, settings, pool, None)
        error = None
        try:
            await noisy(room, self.stop, self.counts)
        except Exception as exc:
            error = exc
        finally:
            await room.close()
        self.stats.record(room.name, "noisy", error)

    async def end(self, checks):
        if not self.count:
            return
        self.stop.set()
        await asyncio.gather(*self.tasks)
        print("noisy, %s: %s" % (self.label, dict(sorted(self.counts.items()))), flush=True)
        for room, kind, message in self.stats.failures:
            print("  %s (%s): %s" % (room, kind, message))
        failed = sum(self.stats.failed.values())
        checks.check(failed == 0, "noisy, %s: every redial went as the contract says" % self.label, "%d rooms failed" % failed)
        redials = self.counts["redials"]
        checks.check(redials >= 2 * self.count, "noisy, %s: the noisy rooms redialled" % self.label, "%d redials" % redials)


def growth(before, after):
    return 100.0 * (after - before) / before


def check_rss(checks, warm, mid, after):
    """RSS after the churn within 10 % of RSS after the warm-up, both
    trimmed, when gdb could trim them. Without gdb, raw RSS holds malloc's
    slack, which grows with the first rooms and then settles, while a leak
    grows with every room: then the second half of the churn must stay
    within 10 % of the idle reading after the first half."""
    if "trimmed" in warm and "trimmed" in after:
        for name, key in [("RSS", "raw"), ("malloc in use", "in_use"), ("RSS after malloc_trim", "trimmed")]:
            print("churn: %s %d -> %d KiB (%+.1f %%)" % (name, warm[key], after[key], growth(warm[key], after[key])))
        change = growth(warm["trimmed"], after["trimmed"])
        checks.check(change <= 10.0, "churn: trimmed RSS after within 10 % of RSS after warm-up", "%+.1f %%" % change)
        return
    print("churn: RSS %d (warm-up) -> %d (first half) -> %d KiB (%+.1f %% over the second half)"
          % (warm["raw"], mid["raw"], after["raw"], growth(mid["raw"], after["raw"])))
    change = growth(mid["raw"], after["raw"])
    checks.check(change <= 10.0, "churn: raw RSS after the second half within 10 % of after the first", "%+.1f %%" % change)


# --- phase: valgrind ----------------------------------------------------
class ValgrindJanus(JanusServer):
    """The same Janus, started under valgrind memcheck by this script (not
    by janus-env.sh, whose start and stop waits are too short for it)."""

    process = None  # the valgrind process, once started

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        config = os.path.join(self.dir, "duet-initial.jcfg")
        with open(config, "w") as f:
            f.write(self.duet_config.replace("@DIR@", self.dir))
        self._env("config", self.dir, "--duet-config", config, *self.extra_args)
        self.xml = os.path.join(self.dir, "valgrind.xml")
        command = [
            "valgrind", "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible", "--num-callers=40",
            "--keep-debuginfo=yes", "--child-silent-after-fork=yes",
            "--xml=yes", "--xml-file=" + self.xml, "--log-file=" + os.path.join(self.dir, "valgrind.log"),
            os.environ.get("JANUS_BIN", "janus"), "-C", os.path.join(self.dir, "janus.jcfg"), "-F", self.dir,
            "-L", self.log_path, "-N",
        ]  # fmt: skip
        with open(os.path.join(self.dir, "janus.stdout"), "w") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        with open(os.path.join(self.dir, "janus.pid"), "w") as f:
            f.write("%d\n" % self.process.pid)
        self.running = True
        self._wait_ready(180)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Janus under valgrind exited at start:\n" + self.log_tail())
            try:
                requests.get(jc.JANUS_URL + "/info", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError("Janus under valgrind did not answer within %d s" % timeout)

    def stop(self, timeout=600):
        """SIGINT, then wait for Janus's shutdown and valgrind's leak search."""
        if not self.running or self.process is None:
            return None
        self.running = False
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            os.unlink(os.path.join(self.dir, "janus.pid"))


async def valgrind(args, checks, pool, workdir):
    settings = Settings(window=2, session_timeout=10, patience=60)
    settings.schedule = schedule(args.kinds)
    server = ValgrindJanus(
        os.path.join(workdir, "valgrind"),
        DUET_CONFIG % settings.window,
        ["--session-timeout", str(settings.session_timeout), "--debug-level", "3"],
    )
    started = time.monotonic()
    try:
        server.start()
        print("valgrind: Janus ready after %.1f s" % (time.monotonic() - started), flush=True)
        stats = Stats()
        await run_rooms(0, args.valgrind_rooms, settings, pool, args.valgrind_concurrency, 0, stats)
        report_stats(checks, stats, "valgrind")
        await check_empty(checks, settings, "valgrind")
    finally:
        status = server.stop()
    print("valgrind: whole run %.1f s" % (time.monotonic() - started), flush=True)
    checks.check(status == 0, "valgrind: Janus stopped cleanly on SIGINT", "exit status %s" % status)
    judge_valgrind(checks, server.xml)


def judge_valgrind(checks, xml):
    try:
        report = vgreport.Report(xml)
    except (OSError, vgreport.ET.ParseError) as exc:
        checks.check(False, "valgrind: log readable", "%s: %s" % (xml, exc))
        return
    checks.check(report.finished, "valgrind: run finished (leak search done)")
    print("valgrind: all findings (Janus and libraries included):")
    for line in report.summary() or ["none"]:
        print("  " + line)
    for label, found in (("leak", report.duet_leaks()), ("memory error", report.duet_errors())):
        for finding in found[:10]:
            print(finding.describe())
        checks.check(not found, "valgrind: no %s with a frame in Duet" % label, "%d records" % len(found))
    print("valgrind: log %s" % xml)


# --- main ---------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=2000, help="room cycles after the warm-up (default 2000)")
    parser.add_argument("--seconds", type=float, default=0, help="stop starting rooms after this long (0: no bound)")
    parser.add_argument("--min-rooms", type=int, help="rooms that must have been cycled (default: --rooms)")
    parser.add_argument("--warmup", type=int, default=200, help="room cycles before RSS is read (default 200)")
    parser.add_argument("--concurrency", type=int, default=16, help="rooms driven at once (default 16)")
    parser.add_argument("--window", type=int, default=1, help="rooms' reconnect_window in seconds (default 1)")
    parser.add_argument("--session-timeout", type=int, default=4, help="Janus session_timeout (default 4)")
    parser.add_argument("--valgrind", action="store_true", help="also run the valgrind memcheck phase")
    parser.add_argument("--valgrind-only", action="store_true", help="run only the valgrind phase")
    parser.add_argument("--valgrind-rooms", type=int, default=40, help="room cycles under valgrind (default 40)")
    parser.add_argument("--valgrind-concurrency", type=int, default=4)
    parser.add_argument("--noisy", type=int, default=10, help="noisy rooms beside each half of the churn (default 10)")
    parser.add_argument("--kinds", help="only these cycle kinds, comma-separated (default: the whole mix)")
    parser.add_argument("--keep", action="store_true", help="keep the Janus folders even when everything passed")
    return parser.parse_args(argv)


async def main_async(args, checks, pool, workdir):
    if not args.valgrind_only:
        await churn(args, checks, pool, workdir)
    if args.valgrind or args.valgrind_only:
        await valgrind(args, checks, pool, workdir)


def main(argv):
    args = parse_args(argv)
    checks = Checks()
    workdir = tempfile.mkdtemp(prefix="duet-soak-")
    started = time.monotonic()
    try:
        asyncio.run(main_async(args, checks, sdp_pool(4), workdir))
    except Exception as exc:  # a phase that could not run at all
        checks.check(False, "soak ran to the end", "%s: %s" % (type(exc).__name__, exc))
    print("soak: %.1f s in all; Janus folders in %s" % (time.monotonic() - started, workdir))
    if checks.failed == 0 and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
