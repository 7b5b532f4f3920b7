#!/usr/bin/env python3
"""Summary of a call setup benchmark run (bench/setup/run.sh).

Reads the TSV written by setup-bench.mjs and prints:
  - per plugin: calls set up, min / median / p90 / max setup time (ms);
  - the ratio Duet / VideoCall of the medians (< 1: Duet is faster);
  - the median time after t0 at which each phase happened, per plugin, so
    that a difference can be traced to the step it comes from;
  - last, "N passed, N failed" (one per call attempted).
Exits non-zero if any call failed.

Usage: summary.py <setup.tsv>
"""

import csv
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

PLUGINS = ("duet", "videocall")
PHASES = (
    ("joined_ms", "caller's join/register answered"),
    ("offer_sent_ms", "caller's offer created (sent)"),
    ("offer_in_ms", "offer at the callee"),
    ("answer_sent_ms", "callee's answer created (sent)"),
    ("answer_in_ms", "answer at the caller"),
    ("up_caller_ms", "caller's PeerConnection up (webrtcup)"),
    ("up_callee_ms", "callee's PeerConnection up (webrtcup)"),
    ("frame_caller_ms", "first remote frame, caller"),
    ("frame_callee_ms", "first remote frame, callee"),
)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def values(rows, plugin, column):
    return [float(r[column]) for r in rows if r["plugin"] == plugin and r["ok"] == "1" and r[column] != "-"]


def ms(x):
    return "-" if x is None else "%.0f" % x


def setup_table(rows):
    lines = ["| plugin | calls set up | min ms | median ms | p90 ms | max ms |", "|---|---|---|---|---|---|"]
    for plugin in PLUGINS:
        v = values(rows, plugin, "setup_ms")
        tried = sum(1 for r in rows if r["plugin"] == plugin)
        lines.append(
            "| %s | %d/%d | %s | %s | %s | %s |"
            % (
                plugin,
                len(v),
                tried,
                ms(min(v) if v else None),
                ms(benchlib.median(v)),
                ms(benchlib.percentile(v, 90)),
                ms(max(v) if v else None),
            )
        )
    return lines


def ratio_line(rows):
    duet = benchlib.median(values(rows, "duet", "setup_ms"))
    videocall = benchlib.median(values(rows, "videocall", "setup_ms"))
    if not duet or not videocall:
        return "ratio Duet/VideoCall of the medians: - (a plugin set up no call)"
    return "ratio Duet/VideoCall of the medians: %.2f" % (duet / videocall)


def phase_table(rows):
    lines = ["| phase (median ms after t0) | duet | videocall |", "|---|---|---|"]
    for column, text in PHASES:
        cells = [ms(benchlib.median(values(rows, p, column))) for p in PLUGINS]
        lines.append("| %s | %s |" % (text, " | ".join(cells)))
    return lines


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = read_rows(sys.argv[1])
    print("\n".join(setup_table(rows)))
    print()
    print(ratio_line(rows))
    print()
    print("\n".join(phase_table(rows)))
    passed = sum(1 for r in rows if r["ok"] == "1")
    failed = len(rows) - passed
    print()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
