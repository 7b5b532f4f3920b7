#!/usr/bin/env python3
"""Summary of a media path micro-benchmark run (bench/media/run.sh).

Reads the raw rows media_bench printed (one per measured point and
repetition) and:
  - prints a table per packet kind: for each rooms count, thread count and
    target (duet, videocall, floor), the median and min..max of ns/packet
    (CLOCK_MONOTONIC, thread time per packet) and of CPU ns/packet (the
    thread's own CPU time: on a busy machine it stays close to what a quiet
    one would show while the wall figure grows), packets/s (all threads),
    the plugin's cost above the floor (difference of the medians),
    allocations per packet (the largest seen) and whether every repetition
    relayed what it should have;
  - writes the same as a TSV (--tsv) and the series gnuplot draws (--dat);
  - last, "N passed, N failed" (one per point and repetition).
Exits non-zero if a Duet or floor point failed (VideoCall's are reported).

Usage: report.py RAW.tsv [--tsv OUT.tsv] [--dat OUT.dat]
"""

import argparse
import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

TARGETS = ("duet", "videocall", "floor")
PACKETS = ("rtp", "rtcp")
# The series of the plot, in the order plot.gp expects its data blocks.
SERIES = (("duet", 1), ("duet", 2), ("videocall", 1), ("videocall", 2), ("floor", 1), ("floor", 2))


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def groups(rows):
    """{(packets, rooms, threads, target): [rows]}"""
    out = {}
    for r in rows:
        key = (r["packets"], int(r["rooms"]), int(r["threads"]), r["target"])
        out.setdefault(key, []).append(r)
    return out


def column(rows, name):
    return [float(r[name]) for r in rows]


def summarize(key, rows, floor_rows):
    wall = column(rows, "ns_per_packet")
    cpu = column(rows, "cpu_ns_per_packet")
    rate = column(rows, "packets_per_s")
    above = "-"
    if floor_rows and key[3] != "floor":
        above = "%.1f" % (benchlib.median(wall) - benchlib.median(column(floor_rows, "ns_per_packet")))
        above += " (CPU %.1f)" % (benchlib.median(cpu) - benchlib.median(column(floor_rows, "cpu_ns_per_packet")))
    return {
        "packets": key[0],
        "rooms": key[1],
        "threads": key[2],
        "target": key[3],
        "reps": len(rows),
        "ns_median": benchlib.median(wall),
        "ns_min": min(wall),
        "ns_max": max(wall),
        "cpu_ns_median": benchlib.median(cpu),
        "cpu_ns_min": min(cpu),
        "cpu_ns_max": max(cpu),
        "packets_per_s_median": benchlib.median(rate),
        "above_floor": above,
        "allocs_per_packet_max": max(column(rows, "allocs_per_packet")),
        "ok": all(r["ok"] == "1" for r in rows),
        "ns": benchlib.spread(wall),
        "cpu_ns": benchlib.spread(cpu),
    }


def summaries(rows):
    by_key = groups(rows)
    order = sorted(by_key, key=lambda k: (PACKETS.index(k[0]), k[1], k[2], TARGETS.index(k[3])))
    return [summarize(k, by_key[k], by_key.get((k[0], k[1], k[2], "floor"))) for k in order]


def table(items, packets):
    lines = [
        "| rooms | threads | target | ns/packet median (min..max) | CPU ns/packet median (min..max) "
        "| packets/s (all threads) | above floor, ns | allocs/packet | ok |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in items:
        if s["packets"] != packets:
            continue
        lines.append(
            "| %d | %d | %s | %s | %s | %.3g M | %s | %g | %s |"
            % (
                s["rooms"],
                s["threads"],
                s["target"],
                s["ns"],
                s["cpu_ns"],
                s["packets_per_s_median"] / 1e6,
                s["above_floor"],
                s["allocs_per_packet_max"],
                "yes" if s["ok"] else "NO",
            )
        )
    return lines


TSV_COLUMNS = (
    "packets",
    "rooms",
    "threads",
    "target",
    "reps",
    "ns_median",
    "ns_min",
    "ns_max",
    "cpu_ns_median",
    "cpu_ns_min",
    "cpu_ns_max",
    "packets_per_s_median",
    "allocs_per_packet_max",
    "ok",
)


def write_tsv(items, path):
    with open(path, "w") as f:
        f.write("\t".join(TSV_COLUMNS) + "\n")
        for s in items:
            cells = []
            for c in TSV_COLUMNS:
                v = s[c]
                cells.append("%.2f" % v if isinstance(v, float) else str(int(v) if isinstance(v, bool) else v))
            f.write("\t".join(cells) + "\n")


def write_dat(items, path):
    """One block per (packets, series), separated by two blank lines, in the
    order of PACKETS x SERIES; a series that was not run is a NaN row, so
    that plot.gp can always address the same block numbers."""
    with open(path, "w") as f:
        for packets in PACKETS:
            for target, threads in SERIES:
                f.write("# %s %s, %d thread(s): rooms ns median min max, CPU ns median min max\n" % (packets, target, threads))
                points = [s for s in items if (s["packets"], s["target"], s["threads"]) == (packets, target, threads)]
                if not points:
                    f.write("1 NaN NaN NaN NaN NaN NaN\n")
                for s in sorted(points, key=lambda s: s["rooms"]):
                    f.write(
                        "%d %.2f %.2f %.2f %.2f %.2f %.2f\n"
                        % (s["rooms"], s["ns_median"], s["ns_min"], s["ns_max"], s["cpu_ns_median"], s["cpu_ns_min"], s["cpu_ns_max"])
                    )
                f.write("\n\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("raw")
    parser.add_argument("--tsv")
    parser.add_argument("--dat")
    args = parser.parse_args()
    rows = read_rows(args.raw)
    items = summaries(rows)
    for packets in PACKETS:
        if any(s["packets"] == packets for s in items):
            print("%s packets:\n" % packets.upper())
            print("\n".join(table(items, packets)))
            print()
    if args.tsv:
        write_tsv(items, args.tsv)
    if args.dat:
        write_dat(items, args.dat)
    passed = sum(1 for r in rows if r["ok"] == "1")
    print("%d passed, %d failed" % (passed, len(rows) - passed))
    fatal = [r for r in rows if r["ok"] != "1" and r["target"] != "videocall"]
    return 1 if fatal or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
