"""Issue 6, benchmark 3: Janus CPU per call with real media, Duet vs VideoCall.

Runs inside tests/lib/netns.sh (bench/cpu/run.sh does that). One Janus is
started with both Duet and Janus's own VideoCall plugin loaded. For every
run and every number of calls K, it sets up K calls through Duet, then K
through VideoCall (the order alternates, so that a drift of the machine's
load does not always favour the same plugin), each call between two cheap
aiortc peers (peers.py) sending pre-encoded VP8 + Opus both ways. Once every
call is connected and media flows both ways, it waits a warm-up, then reads
over a steady window:

- Janus's CPU seconds (utime + stime of every thread, /proc/<pid>/stat),
  turned into CPU seconds per call-minute = delta / K / (window / 60);
- the peers' own CPU (this process), to tell when the peers saturate;
- RTP packets sent by every peer and received by its partner (delivered);
- one-way transit of the packets (peers.Probe).

Raw samples go to <out>/cpu-samples.tsv, the summary (medians with
min..max over the runs, ratio Duet/VideoCall per run) to <out>/cpu.tsv and
to standard output. With --smoke the last line is "N passed, N failed":
one check per plugin and direction that audio and video arrived.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path[:0] = [os.path.join(REPO, "tests", "integration"), os.path.join(REPO, "bench", "lib")]

import benchlib  # noqa: E402
import calls  # noqa: E402
import peers  # noqa: E402
from janus_server import JanusServer  # noqa: E402

PLUGINS = ("duet", "videocall")
# "direct": the same peers connected to each other without Janus, for the
# transit baseline (what Janus adds) at the same load of the peer process.
DIRECT = "direct"
# "together": K calls through Duet and K through VideoCall at the same time,
# each plugin charged with the CPU of its own handles' threads in Janus, so
# that both see the very same moment of a noisy machine.
TOGETHER = "together"
MODES = PLUGINS + (DIRECT, TOGETHER)
# The peers keep up with about 16 calls on this machine (see README).
TOGETHER_MAX_CALLS = 16
ROWS = PLUGINS + (DIRECT,) + tuple("%s:%s" % (TOGETHER, p) for p in PLUGINS)
# The peers are one Python thread doing the media: past this share of a
# core, or when their packets spend this long in transit on a veth (their
# event loop is behind), they no longer keep the pace of a real call.
PEER_SATURATED_CORES = 0.85
PEER_SATURATED_TRANSIT_MS = 50
# Below this share of packets delivered a batch is flagged "lossy".
MIN_DELIVERED = 0.98
SAMPLE_COLUMNS = (
    "run plugin calls window_s janus_cpu_s cpu_per_call_min handles_per_call_min us_per_packet "
    "janus_cores peer_cores janus_wait peer_wait "
    "sent received delivered transit_med_ms transit_p95_ms flow_ok saturated lossy"
).split()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="1 call per plugin, ~3 s of media, checks that media flows")
    p.add_argument("--calls", default="1,2,4,8,16", help="comma-separated numbers of concurrent calls")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=float, default=20.0, help="measurement window per batch")
    p.add_argument("--warmup", type=float, default=4.0, help="seconds of media before the window")
    p.add_argument("--out", help="folder for cpu.tsv and cpu-samples.tsv (default bench/results)")
    p.add_argument(
        "--modes", default=",".join(MODES), help="duet, videocall, direct (no Janus), together (Duet and VideoCall at once)"
    )
    p.add_argument("--workdir", help="folder for Janus's configuration and log (default: a temporary one)")
    args = p.parse_args(argv)
    args.calls = [int(x) for x in args.calls.split(",") if x]
    if args.smoke:
        args.calls, args.runs, args.seconds, args.warmup, args.modes = [1], 1, 3.0, 1.0, "duet,videocall"
    args.modes = tuple(m for m in args.modes.split(",") if m)
    unknown = set(args.modes) - set(MODES)
    if unknown:
        p.error("unknown mode(s): %s" % ", ".join(sorted(unknown)))
    return args


class Group:
    """K calls through one plugin (or direct) within a batch."""

    def __init__(self, mode, k, clip, tag):
        self.mode, self.k, self.tag = mode, k, "%s-%s" % (tag, mode)
        self.pairs = [(peers.BenchPeer(clip), peers.BenchPeer(clip)) for _ in range(k)]
        self.sessions = []

    @property
    def peers(self):
        return [p for pair in self.pairs for p in pair]

    @property
    def probes(self):
        return [p.probe for p in self.peers]

    def set_up_call(self, i):
        caller, callee = self.pairs[i]
        peers.pair(caller, callee)
        self.sessions.extend(calls.SETUP[self.mode](caller, callee, "%s-%d" % (self.tag, i)))

    def handle_threads(self):
        """The names Janus gives its handles' loop threads ('hloop ' and the
        first 9 digits of the handle id: a thread name has 15 characters)."""
        return {"hloop %s" % str(h.id)[:9] for s in self.sessions for h in s.attached}

    def tear_down(self):
        calls.close(self.sessions)
        for p in self.peers:
            p.close()


class Batch:
    """The groups measured together: one, or Duet's and VideoCall's side by side."""

    def __init__(self, modes, k, clip, tag):
        self.groups = [Group(mode, k, clip, tag) for mode in modes]

    @property
    def peers(self):
        return [p for g in self.groups for p in g.peers]

    def set_up(self):
        work = [(g, i) for i in range(self.groups[0].k) for g in self.groups]
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(work), 8)) as pool:
            futures = [pool.submit(g.set_up_call, i) for g, i in work]
            errors = []
            for future in futures:
                try:
                    future.result()
                except Exception as exc:  # the others' sessions still need tear_down
                    errors.append(exc)
        if errors:
            raise errors[0]

    def flowing(self):
        return all(p.connected and all(p.probe.received[k] > 0 for k in peers.KINDS) for p in self.peers)

    def wait_flowing(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.flowing():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def tear_down(self):
        for g in self.groups:
            g.tear_down()


def directions_ok(before, after):
    """Per peer: did both kinds arrive during the window?"""
    return [all(a[k] > b[k] for k in peers.KINDS) for b, a in zip(before, after)]


def thread_cpu(pid):
    """{thread name: CPU seconds} of pid's threads; names that repeat are summed."""
    result = {}
    for name, seconds, _ in benchlib.thread_times(pid):
        result[name] = result.get(name, 0.0) + seconds
    return result


def clocks(janus_pid):
    """CPU and run-queue wait seconds of Janus and of this (peer) process,
    and the CPU seconds of each Janus thread."""
    me = os.getpid()
    return {
        "time": time.monotonic(),
        "janus": benchlib.cpu_seconds(janus_pid),
        "janus_wait": benchlib.run_delay_seconds(janus_pid),
        "peer": benchlib.cpu_seconds(me),
        "peer_wait": benchlib.run_delay_seconds(me),
        "threads": thread_cpu(janus_pid),
    }


def threads_delta(start, end, names):
    """CPU seconds that the threads `names` used between two clocks()."""
    return sum(end["threads"][n] - start["threads"][n] for n in names if n in start["threads"] and n in end["threads"])


# Packets of the window still in flight when it closes count as delivered
# if they arrive within this time.
GRACE_SECONDS = 1.0


def measure(mode, k, args, clip, janus_pid, tag):
    """One batch; returns its samples, one per group (SAMPLE_COLUMNS but run)."""
    batch = Batch(PLUGINS if mode == TOGETHER else (mode,), k, clip, tag)
    try:
        batch.set_up()
        flowing = batch.wait_flowing(30)
        time.sleep(args.warmup)
        groups = [(g, g.probes, g.handle_threads()) for g in batch.groups]
        before = [peers.start_window(probes) for g, probes, names in groups]
        start = clocks(janus_pid)
        time.sleep(args.seconds)
        after = [peers.stop_window(probes) for g, probes, names in groups]
        end = clocks(janus_pid)
        time.sleep(GRACE_SECONDS)
        results = [peers.window_results(probes) for g, probes, names in groups]
    finally:
        batch.tear_down()
    delta = {name: end[name] - start[name] for name in start if name != "threads"}
    samples = []
    for (g, probes, names), b, a, (sent, delivered, transits) in zip(groups, before, after, results):
        handles = threads_delta(start, end, names)
        directions = directions_ok(b, a)
        samples.append(sample_of(mode, g.mode, k, delta, handles, sent, delivered, transits, flowing, directions))
    return samples


def sample_of(mode, plugin, k, delta, handles, sent, delivered, transits, flowing, directions):
    """The figures of one group. Alone in its batch, a group is charged with
    the whole of Janus's CPU; side by side, with its handles' threads only."""
    window = delta["time"]
    together = mode == TOGETHER
    janus = handles if together else delta["janus"]
    sample = {
        "plugin": "%s:%s" % (TOGETHER, plugin) if together else plugin,
        "calls": k,
        "window_s": window,
        "janus_cpu_s": janus,
        "cpu_per_call_min": janus / k / (window / 60.0),
        "handles_per_call_min": handles / k / (window / 60.0),
        # per RTP packet the peers sent: the same cost, whatever the peers' pace
        "us_per_packet": 1e6 * janus / sent if sent else 0.0,
        "janus_cores": delta["janus"] / window,
        "peer_cores": delta["peer"] / window,
        # waiting for a CPU, in the same unit: how contended the machine was
        "janus_wait": delta["janus_wait"] / window,
        "peer_wait": delta["peer_wait"] / window,
        "sent": sent,
        "received": delivered,
        "delivered": delivered / sent if sent else 0.0,
        "transit_med_ms": 1000 * (benchlib.median(transits) or 0.0),
        "transit_p95_ms": 1000 * (benchlib.percentile(transits, 95) or 0.0),
        "flow_ok": int(flowing and all(directions)),
        "directions": directions,
    }
    sample["saturated"] = int(
        sample["peer_cores"] >= PEER_SATURATED_CORES or sample["transit_med_ms"] > PEER_SATURATED_TRANSIT_MS
    )
    sample["lossy"] = int(sample["delivered"] < MIN_DELIVERED)
    return sample


def fmt(value):
    return "%.4f" % value if isinstance(value, float) else str(value)


def write_tsv(path, columns, rows):
    with open(path, "w") as f:
        f.write("\t".join(columns) + "\n")
        for row in rows:
            f.write("\t".join(fmt(row[c]) for c in columns) + "\n")


def print_sample(s):
    print(
        "run %d  %-9s K=%-3d  %.3f CPU s/call-min  cores: janus %.2f (waiting %.2f), peers %.2f (waiting %.2f)  "
        "delivered %.4f  transit %.2f ms%s%s"
        % (s["run"], s["plugin"], s["calls"], s["cpu_per_call_min"], s["janus_cores"], s["janus_wait"],
           s["peer_cores"], s["peer_wait"], s["delivered"], s["transit_med_ms"],
           "  SATURATED" if s["saturated"] else "", "  LOSSY" if s["lossy"] else ""),
        flush=True,
    )  # fmt: skip


def batch_order(args, run, i, k):
    """The modes of one K in this run, rotated so that no plugin always goes
    first; direct (the transit baseline) only at K=1, where the peers' event
    loop is idle enough for transit to show the network path; together (2K
    calls) only up to TOGETHER_MAX_CALLS calls in all."""
    modes = [m for m in args.modes if (m != DIRECT or k == 1) and (m != TOGETHER or 2 * k <= TOGETHER_MAX_CALLS)]
    shift = (run + i) % max(len(modes), 1)
    return modes[shift:] + modes[:shift]


def run_all(args, janus, out):
    """Every batch; returns (samples, failures). Samples are written to
    cpu-samples.tsv as they come, so that an interrupted run keeps them."""
    samples, failures = [], []
    clip = peers.Clip(peers.make_clip(os.path.join(tempfile.gettempdir(), "duet-cpu-clip.webm")))
    for run in range(1, args.runs + 1):
        for i, k in enumerate(args.calls):
            batch = []
            for mode in batch_order(args, run, i, k):
                tag = "r%d-k%d-%d" % (run, k, int(time.time()))
                try:
                    measured = measure(mode, k, args, clip, benchlib.janus_pid(janus.dir), tag)
                except Exception as exc:  # a batch the peers could not set up or keep up with
                    failures.append((run, mode, k, exc))
                    print("run %d  %-9s K=%-3d  FAILED: %r" % (run, mode, k, exc), flush=True)
                    continue
                finally:
                    if not janus.alive():
                        raise SystemExit("Janus died during %s %s; see %s" % (tag, mode, janus.log_path))
                for sample in measured:
                    sample["run"] = run
                    print_sample(sample)
                batch.extend(measured)
            samples.extend(batch)
            write_tsv(os.path.join(out, "cpu-samples.tsv"), SAMPLE_COLUMNS, samples)
            stop = any(s["saturated"] for s in batch) or any(f[0] == run and f[2] == k for f in failures)
            if stop and not args.smoke:
                print("run %d: the peers saturate or fail at K=%d; larger K skipped in this run" % (run, k), flush=True)
                break
    return samples, failures


SUMMARY_COLUMNS = (
    "calls plugin n cpu_per_call_min cpu_per_call_min_lo cpu_per_call_min_hi ratio ratio_lo ratio_hi "
    "handles_per_call_min us_per_packet us_per_packet_lo us_per_packet_hi "
    "janus_cores peer_cores delivered delivered_lo transit_med_ms transit_p95_ms added_ms added_ms_lo added_ms_hi "
    "janus_wait peer_wait saturated_runs lossy_runs"
).split()
NAN = float("nan")


def per_run(samples, k, a, b, value):
    """value(sample of a, sample of b) for every run that measured both at K=k."""
    by_run = {}
    for s in samples:
        if s["calls"] == k:
            by_run.setdefault(s["run"], {})[s["plugin"]] = s
    return [value(r[a], r[b]) for r in by_run.values() if a in r and b in r]


def put_spread(row, name, values):
    """row[name], row[name_lo], row[name_hi]: median, min and max (NaN if none)."""
    if not values:
        values = [NAN]
    row[name], row[name + "_lo"], row[name + "_hi"] = benchlib.median(values), min(values), max(values)


def duet_ratios(samples, k, row):
    """Duet / VideoCall CPU per call-minute of the same run and K, on Duet's
    rows: alternate batches, or the same batch (together)."""
    if not row.endswith("duet"):
        return []
    other = row.replace("duet", "videocall")
    return per_run(samples, k, row, other, lambda d, v: d["cpu_per_call_min"] / v["cpu_per_call_min"])


def summarize(samples):
    """One row per (K, mode): medians and min..max over the runs."""
    rows = []
    for k in sorted({s["calls"] for s in samples}):
        for plugin in ROWS:
            group = [s for s in samples if s["calls"] == k and s["plugin"] == plugin]
            if not group:
                continue
            col = lambda name: [s[name] for s in group]  # noqa: E731
            row = {"calls": k, "plugin": plugin, "n": len(group)}
            row["saturated_runs"], row["lossy_runs"] = sum(col("saturated")), sum(col("lossy"))
            put_spread(row, "cpu_per_call_min", col("cpu_per_call_min"))
            put_spread(row, "ratio", duet_ratios(samples, k, plugin))
            put_spread(row, "us_per_packet", col("us_per_packet") if plugin != DIRECT else [])
            added = per_run(samples, k, plugin, DIRECT, lambda p, d: p["transit_med_ms"] - d["transit_med_ms"])
            put_spread(row, "added_ms", added if plugin != DIRECT else [])
            for name in ("handles_per_call_min", "janus_cores", "peer_cores", "janus_wait", "peer_wait",
                         "delivered", "transit_med_ms", "transit_p95_ms"):
                row[name] = benchlib.median(col(name))
            row["delivered_lo"] = min(col("delivered"))
            rows.append(row)
    return rows


def cell(row, name, digits=2):
    """'median (min..max)' of a summary column, '-' when not measured."""
    value, low, high = row[name], row[name + "_lo"], row[name + "_hi"]
    if value != value:  # NaN: not measured
        return "-"
    return "%.*f (%.*f..%.*f)" % (digits, value, digits, low, digits, high)


def notes(row):
    text = []
    if row["saturated_runs"]:
        text.append("peers saturated in %d run(s)" % row["saturated_runs"])
    if row["lossy_runs"]:
        text.append("lossy in %d run(s)" % row["lossy_runs"])
    return "; ".join(text)


def print_table(rows):
    print()
    print("| calls | mode | Janus CPU s per call-minute | Duet/VideoCall | of which handle threads "
          "| Janus CPU µs per packet | cores: Janus, peers | waiting: Janus, peers | delivered (min) "
          "| transit ms median, p95 | added by Janus, ms | notes |")
    print("|---:|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        direct = row["plugin"] == DIRECT
        print(
            "| %d | %s | %s | %s | %s | %s | %.2f, %.2f | %.2f, %.2f | %.4f (%.4f) | %.2f, %.2f | %s | %s |"
            % (row["calls"], row["plugin"], "-" if direct else cell(row, "cpu_per_call_min"), cell(row, "ratio"),
               "-" if direct else "%.2f" % row["handles_per_call_min"], cell(row, "us_per_packet", 1),
               row["janus_cores"], row["peer_cores"], row["janus_wait"], row["peer_wait"],
               row["delivered"], row["delivered_lo"], row["transit_med_ms"], row["transit_p95_ms"],
               cell(row, "added_ms"), notes(row))
        )  # fmt: skip
    print("\nmedians (min..max) over the runs. Janus CPU: the whole Janus process over the window, except on")
    print("together: rows (K calls of each plugin at once), where each plugin has the CPU of its handles' threads.")
    print("cores: CPU used, waiting: time runnable but waiting for a CPU (other load), per second of window.")
    print("Duet/VideoCall and added transit (plugin minus direct, i.e. peers without Janus) pair batches of one run.")


def plot(out):
    """cpu-per-call.png from cpu.tsv, by plot.gp; False if gnuplot failed."""
    png = os.path.join(out, "cpu-per-call.png")
    script = "datafile='%s'; outfile='%s'" % (os.path.join(out, "cpu.tsv"), png)
    if subprocess.run(["gnuplot", "-e", script, os.path.join(HERE, "plot.gp")]).returncode != 0:
        print("plot: gnuplot failed")
        return False
    print("plot: %s" % png)
    return True


def smoke_verdict(samples, failures):
    """One check per plugin and direction; a failed batch fails both."""
    passed, failed = 0, 2 * len(failures)
    for s in samples:
        for name, ok in zip(("caller", "callee"), s["directions"]):
            if ok and s["flow_ok"]:
                passed += 1
            else:
                failed += 1
                print("FAIL: %s: the %s received no audio or video" % (s["plugin"], name))
    return passed, failed


def main(argv):
    args = parse_args(argv)
    out = args.out or (tempfile.mkdtemp(prefix="duet-cpu-smoke.") if args.smoke else os.path.join(REPO, "bench", "results"))
    os.makedirs(out, exist_ok=True)
    workdir = args.workdir or tempfile.mkdtemp(prefix="duet-cpu-janus.")
    peers.install_hooks()
    janus = JanusServer(workdir, extra_args=["--videocall", "--rtp-port-range", "20000-29999"])
    janus.start()
    started = time.monotonic()
    try:
        samples, failures = run_all(args, janus, out)
    finally:
        janus.stop()
    summary = summarize(samples)
    write_tsv(os.path.join(out, "cpu.tsv"), SUMMARY_COLUMNS, summary)
    print_table(summary)
    plotted = plot(out)
    print("results in %s (%.0f s); Janus folder %s" % (out, time.monotonic() - started, workdir))
    if args.smoke:
        passed, failed = smoke_verdict(samples, failures)
        passed, failed = (passed + 1, failed) if plotted else (passed, failed + 1)
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    return 0 if plotted else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
