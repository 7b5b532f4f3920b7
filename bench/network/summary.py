#!/usr/bin/env python3
"""Summary of a shaped-link benchmark run (bench/network/run.sh).

Reads calls.tsv (one row per call, written by network-bench.mjs) and
prints one table per profile, one row per system, each figure as the
median over the calls with (min..max) beside it: the receiver's decoded
fps, share of the window frozen (from the presented frames; from
freezeCount/totalFreezesDuration), frame height, video packet loss,
jitter-buffer delay per frame, received video bitrate, audio concealment;
the sender's sent video bitrate, its encoder target and send estimate and
its most common quality-limitation reason; for the step profile, the
seconds until fluid video after the drop and until full quality after the
recovery ("never": not within the phase). Calls that did not set up count
in "calls" only.

Usage: summary.py <calls.tsv>
"""

import csv
import math
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import benchlib  # noqa: E402

COLUMNS = (
    ("rx_fps", "fps"),
    ("frozen_pct", "frozen %"),
    ("frozen_stats_pct", "frozen % (stats)"),
    ("height", "height"),
    ("loss_pct", "loss %"),
    ("jb_ms", "jitter buf ms/frame"),
    ("rx_kbps", "rx kbit/s"),
    ("audio_concealed_pct", "audio concealed %"),
    ("tx_kbps", "tx kbit/s"),
    ("tx_target_kbps", "tx target kbit/s"),
    ("tx_bwe_kbps", "tx estimate kbit/s"),
)
STEP_COLUMNS = (("fluid_s", "fluid after drop, s"), ("recover_s", "full after recovery, s"))
DESCRIPTIONS = {
    "unconstrained": "no shaping",
    "down1000": "receiver's downlink 1000 kbit/s",
    "down500": "receiver's downlink 500 kbit/s",
    "down300": "receiver's downlink 300 kbit/s",
    "down500-loss3": "receiver's downlink 500 kbit/s + 3 % random loss",
    "step300": "receiver's downlink unconstrained, 300 kbit/s from 10 s to 25 s of the 50-s window, then unconstrained"
    " (figures of the 300 kbit/s part)",
    "up500": "sender's uplink 500 kbit/s",
}


def number(text):
    if text in ("", "-"):
        return None
    return math.inf if text == "inf" else float(text)


def cell(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return "-"
    if math.inf not in values:
        return benchlib.spread(values)
    # "never" (inf) among the values: the middle value (the upper one of an even count).
    mid = values[len(values) // 2]
    text = lambda x: "never" if x == math.inf else benchlib.spread([x]).split(" ")[0]  # noqa: E731
    return "%s (%s..%s)" % (text(mid), text(values[0]), text(values[-1]))


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    profiles = list(dict.fromkeys(r["profile"] for r in rows))
    for profile in profiles:
        mine = [r for r in rows if r["profile"] == profile]
        step = any(r["fluid_s"] not in ("", "-") for r in mine)
        cols = COLUMNS + (STEP_COLUMNS if step else ())
        probe = Counter(r["probe_kbps"] for r in mine).most_common(1)[0][0]
        print("### %s: %s (UDP probe: %s kbit/s)" % (profile, DESCRIPTIONS.get(profile, ""), probe))
        print()
        print("| system | calls | " + " | ".join(name for _, name in cols) + " | limited by | negotiated |")
        print("|---|---|" + "---|" * len(cols) + "---|---|")
        for system in dict.fromkeys(r["system"] for r in mine):
            calls = [r for r in mine if r["system"] == system]
            measured = [r for r in calls if r["rx_fps"] not in ("", "-")]
            decoded = sum(1 for r in calls if r["ok"] == "1")
            cells = [cell([number(r[key]) for r in measured]) for key, _ in cols]
            qlr = Counter(r["tx_qlr"] for r in measured).most_common(1)
            nego = Counter(r["negotiated"] for r in measured).most_common(1)
            print("| %s | %d/%d | %s | %s | %s |" % (system, decoded, len(calls), " | ".join(cells),
                                                 qlr[0][0] if qlr else "-", nego[0][0] if nego else "-"))
        print()
    total = len(rows)
    ok = sum(1 for r in rows if r["ok"] == "1")
    print("calls: %d, of which %d set up and decoded frames" % (total, ok))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
