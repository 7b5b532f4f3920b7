"""Noisy neighbours: do rooms that redial in a loop slow the other rooms down?

Run through bench/signaling/run-noisy.sh (network namespace); README.md,
"Noisy neighbours", says what it measures. One Janus with Duet; for each
number of noisy rooms N (default 0, 10, 100) and each run:

- N noisy rooms redial in a loop as fast as they are answered: B sends
  `hangup` and `offer` back to back without waiting (its offer reaches A
  while A's PeerConnection is being closed, and B's own new PeerConnection
  goes with the close its hangup asked for, so the core refuses A's answer
  to it); A answers the offer when it comes, again. Refusals and failed
  cycles are counted, and the loop goes on.
- meanwhile, batches of K normal rooms (default 20) do the timed flow of
  flows.py (join, join, offer, answer, leave); the table has the p50 and
  p99 of every step over all the normal rooms of the run.

The noisy rooms run in a process of their own (a Python event loop that
parses their replies would otherwise delay the normal rooms' timers, and
that is the driver's cost, not Janus's). With `--noise-on same,other` each
N also runs with the noisy rooms on a second Janus beside the first (its
own process, same machine): a control that keeps the machine's load and
removes everything the two kinds of rooms could share inside Janus.

The goal (issue 12): the normal rooms' p50/p99 with N noisy rooms within
1.1x of the same run with none. Prints the table, writes noisy.tsv and
noisy-raw.tsv, and ends with "N passed, N failed" (normal calls).
"""

import argparse
import asyncio
import multiprocessing
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_signaling as bs  # noqa: E402
import flows  # noqa: E402
import sdp_pool  # noqa: E402
from flows import DUET, ask, duet_event, pushed  # noqa: E402
from janus_ws import JanusError  # noqa: E402

import benchlib  # noqa: E402  (bench/lib, on the path through bench_signaling)


async def redial_once(a, b, pair, counts, timeout):
    """B hangs up and offers again at once; A answers the offer if it comes."""
    offer, answer = pair
    hangup_tx = await b.send({"request": "hangup"}, None, timeout)
    try:
        offer_tx = await b.send({"request": "offer"}, offer, timeout)
    except JanusError:  # the core refused the JSEP itself
        offer_tx = None
    await b.reply(hangup_tx, timeout)
    message = (await b.reply(offer_tx, timeout))[0] if offer_tx else {}
    counts["redials"] += 1
    if duet_event(message) != "offering":
        counts["refused"] += 1  # the core or Duet refused this offer
        return
    await a.wait(pushed("offer", duet_event), 5)
    answer_tx = await a.send({"request": "answer"}, answer, timeout)
    reply, _ = await a.reply(answer_tx, timeout)
    if duet_event(reply) != "answered":
        # B's new PeerConnection went with the close its own hangup asked
        # for (it offered before `hungup`): the core refuses the answer.
        counts["refused"] += 1


async def redial(a, b, room, pair, stop, counts, timeout):
    """One noisy room: join, then redial in a loop until stopped. A cycle
    that fails (an error, nothing in time) is counted and the loop goes on."""
    await ask(a, {"request": "join", "room": room}, "joined", duet_event, timeout)
    await ask(b, {"request": "join", "room": room}, "joined", duet_event, timeout)
    while not stop.is_set():
        try:
            await redial_once(a, b, pair, counts, timeout)
        except (TimeoutError, JanusError) as error:
            counts["errors"] += 1
            if len(counts["first_errors"]) < 3:
                counts["first_errors"].append("%s: %s" % (type(error).__name__, error))
            await asyncio.sleep(0.05)
        a.inbox.clear()
        b.inbox.clear()


async def normal_batch(crowd_handles, k, tag, pool, timeout, times, tally):
    results = await asyncio.gather(
        *(
            flows.duet_call(crowd_handles[2 * i], crowd_handles[2 * i + 1], "%s-%d" % (tag, i), pool[i % len(pool)], timeout)
            for i in range(k)
        ),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            tally["failed"] += 1
            tally["errors"].append("%s: %s" % (type(result).__name__, result))
            continue
        tally["passed"] += 1
        for step, value in result[0].items():
            times.setdefault(step, []).append(value)


def new_counts():
    return {"redials": 0, "refused": 0, "errors": 0, "first_errors": []}


async def noise(n_noisy, url, tag, pool, args, started, stop):
    """N noisy rooms on the Janus at `url` until `stop` is set; their counts."""
    noisy = await bs.Crowd().connect(2 * n_noisy, args.per_conn, url)
    await noisy.attach(DUET, 2 * n_noisy)
    halt = asyncio.Event()
    counts = new_counts()
    tasks = [
        asyncio.ensure_future(
            redial(noisy.handles[2 * i], noisy.handles[2 * i + 1], "%s-%d" % (tag, i),
                   pool[i % len(pool)], halt, counts, args.timeout)
        )
        for i in range(n_noisy)
    ]
    started.set()
    while not stop.is_set():
        await asyncio.sleep(0.1)
    halt.set()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    failed = [d for d in done if isinstance(d, BaseException)]
    counts["errors"] += len(failed)
    counts["first_errors"] += ["%s: %s" % (type(e).__name__, e) for e in failed[:3]]
    await noisy.close()
    return counts


def noise_process(n_noisy, url, tag, pool, args, started, stop, results):
    """The noisy rooms' own process (multiprocessing, spawned)."""
    results.put(asyncio.run(noise(n_noisy, url, tag, pool, args, started, stop)))


async def start_noise(n_noisy, url, tag, pool, args):
    """Starts the noisy rooms' process; returns once their handles are
    attached and their loops started."""
    context = multiprocessing.get_context("spawn")
    started, stop, results = context.Event(), context.Event(), context.Queue()
    process = context.Process(target=noise_process, args=(n_noisy, url, tag, pool, args, started, stop, results))
    process.start()
    loop = asyncio.get_running_loop()
    if not await loop.run_in_executor(None, started.wait, args.timeout * 4):
        raise RuntimeError("the noisy rooms did not start")
    return process, stop, results


async def stop_noise(noise_handle):
    """Stops the noisy rooms; their counts."""
    process, stop, results = noise_handle
    stop.set()
    counts = await asyncio.get_running_loop().run_in_executor(None, results.get, True, 120)
    process.join()
    return counts


async def one_run(noise_url, where, n_noisy, run, pool, args, tally):
    """One run: N noisy rooms on the Janus at `noise_url` (`where` it is:
    same or other), and the batches of normal rooms on the first Janus."""
    tag = "r%dn%d%s" % (run, n_noisy, where[0])
    noise_handle = await start_noise(n_noisy, noise_url, "noisy-" + tag, pool, args) if n_noisy else None
    await asyncio.sleep(args.warmup if n_noisy else 0)
    times = {}
    for batch in range(args.batches):
        crowd = await bs.Crowd().connect(2 * args.k, args.per_conn)
        await crowd.attach(DUET, 2 * args.k)
        await normal_batch(crowd.handles, args.k, "n-%sb%d" % (tag, batch), pool, args.timeout, times, tally)
        await crowd.close()
    counts = await stop_noise(noise_handle) if noise_handle else new_counts()
    for error in counts["first_errors"]:
        print("  noisy room error: %s" % error)
    metrics = {"redials": counts["redials"], "refused": counts["refused"], "noisy_errors": counts["errors"]}
    for step, values in times.items():
        metrics[step + "_p50_ms"] = 1000.0 * benchlib.percentile(values, 50)
        metrics[step + "_p99_ms"] = 1000.0 * benchlib.percentile(values, 99)
    return metrics


def columns(args):
    """(label, N, where the noise goes): the baseline first."""
    result = [("0", 0, "same")] if 0 in args.noisy else []
    for n in args.noisy:
        if n:
            result += [(str(n) if where == "same" else "%d@other" % n, n, where) for where in args.noise_on]
    return result


ROWS = ["join1", "join2", "offer", "answer", "leave", "setup"]


async def main(args):
    basedir = tempfile.mkdtemp(prefix="duet-bench-noisy-")
    pool = await sdp_pool.make_pool(args.pool)
    pool = [(sdp_pool.without_candidates(o), sdp_pool.without_candidates(a)) for o, a in pool]
    low, high = (int(x) for x in args.rtp_port_range.split("-"))
    middle = (low + high) // 2
    janus = bs.Janus(basedir, 0, args, rtp_port_range="%d-%d" % (low, middle))
    other = None
    if "other" in args.noise_on:
        other = bs.Janus(basedir, 1, args, port_offset=10, rtp_port_range="%d-%d" % (middle + 1, high))
    records = []
    tally = {"passed": 0, "failed": 0, "errors": []}
    try:
        janus.start()
        if other:
            other.start()
        for run in range(args.runs):
            for label, n_noisy, where in columns(args):
                noise_url = (other if where == "other" else janus).ws_url
                await janus.settle()
                if other:
                    await other.settle()
                metrics = await one_run(noise_url, where, n_noisy, run, pool, args, tally)
                print("run %d noisy=%s %s" % (run + 1, label, " ".join(
                    "%s=%.1f" % (m, v) for m, v in sorted(metrics.items()) if m.endswith("ms") and "p" in m
                    and m.split("_")[0] in ("setup",)) + "  redials=%d refused=%d" % (metrics["redials"], metrics["refused"])),
                    flush=True)
                for metric, value in metrics.items():
                    records.append((label, run, metric, value))
    finally:
        janus.stop()
        if other:
            other.stop()
    report(records, args)
    for error in tally["errors"][:5]:
        print("error:", error)
    shutil.rmtree(basedir, ignore_errors=True)
    print("%d passed, %d failed" % (tally["passed"], tally["failed"]))
    return 1 if tally["failed"] else 0


def median(values):
    return benchlib.percentile(values, 50) if values else float("nan")


def report(records, args):
    def values(label, metric):
        return [v for (ll, _, m, v) in records if ll == label and m == metric]

    labels = [label for label, _, _ in columns(args)]
    base_label = "0" if "0" in labels else None
    header = ["step", "stat"] + ["noisy=%s" % l for l in labels] + ["ratio %s/0" % l for l in labels if l != "0"]
    lines = ["\t".join(header)]
    print("\nNormal rooms (K=%d x %d batches a run), median of %d runs, ms" % (args.k, args.batches, args.runs))
    print("N@other: the noisy rooms on a second Janus on the same machine (the control)")
    print("  ".join("%-12s" % h for h in header))
    for step in ROWS:
        for stat in ("p50", "p99"):
            metric = "%s_%s_ms" % (step, stat)
            med = {label: median(values(label, metric)) for label in labels}
            base = med[base_label] if base_label else float("nan")
            ratios = ["%.2f" % (med[l] / base) if base and base == base else "-" for l in labels if l != "0"]
            row = [step, stat] + ["%.1f" % med[l] for l in labels] + ratios
            lines.append("\t".join(row))
            print("  ".join("%-12s" % c for c in row))
    for extra in ("redials", "refused", "noisy_errors"):
        row = [extra, "sum/run"] + ["%.0f" % median(values(l, extra)) for l in labels]
        lines.append("\t".join(row))
        print("  ".join("%-12s" % c for c in row))
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "noisy.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(args.out, "noisy-raw.tsv"), "w") as f:
        f.write("noisy\trun\tmetric\tvalue\n")
        for record in records:
            f.write("\t".join(str(x) for x in record) + "\n")
    print("results in %s" % args.out)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--noisy", default="0,10,100", help="noisy rooms, comma-separated (0 first: the baseline)")
    parser.add_argument("--noise-on", default="same",
                        help="where the noisy rooms run: same (the normal rooms' Janus), other (a second Janus, "
                        "the control), or both, comma-separated")
    parser.add_argument("--k", type=int, default=20, help="normal rooms per batch")
    parser.add_argument("--batches", type=int, default=5, help="batches of normal rooms per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of noise before the first batch")
    parser.add_argument("--per-conn", type=int, default=10)
    parser.add_argument("--pool", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--rtp-port-range", default="10000-60000")
    parser.add_argument("--debug-level", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="noisy 0,10 on the same Janus and on the other; one run of one batch; results in a "
                        "temporary folder unless --out says otherwise")
    parser.add_argument("--out", default=None, help="default: bench/results/noisy")
    args = parser.parse_args(argv)
    if args.smoke:
        args.noisy, args.runs, args.batches, args.warmup = "0,10", 1, 1, 1.0
        args.noise_on = "same,other"
    if args.out is None:
        smoke_out = os.path.join(tempfile.gettempdir(), "duet-bench-noisy-smoke")
        args.out = smoke_out if args.smoke else os.path.join(bs.REPO, "bench", "results", "noisy")
    args.noisy = [int(n) for n in str(args.noisy).split(",") if n != ""]
    args.noise_on = [w for w in args.noise_on.split(",") if w]
    if not args.noise_on or set(args.noise_on) - {"same", "other"}:
        parser.error("--noise-on: same, other, or same,other")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args(sys.argv[1:]))))
