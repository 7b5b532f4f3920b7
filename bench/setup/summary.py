#!/usr/bin/env python3
"""Summary of a call setup benchmark run (bench/setup/run.sh).

Reads the TSV written by setup-bench.mjs and prints:
  - per flow (duet = the demo page, duet-minimal and videocall = the
    minimal page): calls set up, min / median / p90 / max setup time (ms);
  - the ratio of each Duet flow's median to VideoCall's (< 1: faster);
  - the median time after t0 at which each phase happened, per flow, so
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

BASELINE = "videocall"
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


def flows(rows):
    """The flows in the order they first appear."""
    return list(dict.fromkeys(r["flow"] for r in rows))


def values(rows, flow, column):
    return [float(r[column]) for r in rows if r["flow"] == flow and r["ok"] == "1" and r[column] != "-"]


def ms(x):
    return "-" if x is None else "%.0f" % x


def setup_table(rows):
    lines = ["| flow | calls set up | min ms | median ms | p90 ms | max ms |", "|---|---|---|---|---|---|"]
    for flow in flows(rows):
        v = values(rows, flow, "setup_ms")
        tried = sum(1 for r in rows if r["flow"] == flow)
        lines.append(
            "| %s | %d/%d | %s | %s | %s | %s |"
            % (
                flow,
                len(v),
                tried,
                ms(min(v) if v else None),
                ms(benchlib.median(v)),
                ms(benchlib.percentile(v, 90)),
                ms(max(v) if v else None),
            )
        )
    return lines


def ratio_lines(rows):
    base = benchlib.median(values(rows, BASELINE, "setup_ms"))
    lines = []
    for flow in flows(rows):
        if flow == BASELINE:
            continue
        mine = benchlib.median(values(rows, flow, "setup_ms"))
        ratio = "%.2f" % (mine / base) if mine and base else "- (no call set up)"
        lines.append("ratio %s/%s of the medians: %s" % (flow, BASELINE, ratio))
    return lines


def phase_table(rows):
    names = flows(rows)
    lines = ["| phase (median ms after t0) | %s |" % " | ".join(names), "|---|%s" % ("---|" * len(names))]
    for column, text in PHASES:
        cells = [ms(benchlib.median(values(rows, f, column))) for f in names]
        lines.append("| %s | %s |" % (text, " | ".join(cells)))
    return lines


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = read_rows(sys.argv[1])
    print("\n".join(setup_table(rows)))
    print()
    print("\n".join(ratio_lines(rows)))
    print()
    print("\n".join(phase_table(rows)))
    passed = sum(1 for r in rows if r["ok"] == "1")
    failed = len(rows) - passed
    print()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
