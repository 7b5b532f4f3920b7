#!/usr/bin/env bash
# Signaling throughput of Duet against Janus's VideoCall on one real Janus
# (issue 6, benchmark 2). See bench/signaling/README.md.
#
# Usage: bench/signaling/run.sh [--smoke] [--ks 1,100,1000] [--runs N] [--idle 10000]
#                               [--idle-runs N] [--per-conn N] [--out DIR] ...
#   (bench_signaling.py --help lists every option)
#
# Everything runs inside a private network namespace (tests/lib/netns.sh),
# so Janus's ports never meet anyone else's. Without --out the tables go to
# bench/results/signaling*.tsv (with --smoke: a temporary folder, removed
# when nothing failed). The last line printed is "N passed, N failed"; the
# exit code is non-zero when any call or idle participant failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DUET_PLUGIN=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}

if [ ! -f "$DUET_PLUGIN" ]; then
	echo "run.sh: plugin not found: $DUET_PLUGIN (build it first: bash scripts/build.sh)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# Thousands of handles: Janus and the client both need many descriptors
# (WebSockets, ICE sockets); Janus inherits this limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

"$repo/tests/lib/netns.sh" /usr/bin/python3 "$here/bench_signaling.py" "$@"
status=$?
if [ "$status" -gt 1 ]; then
	# The driver died before its own summary line.
	echo "0 passed, 1 failed"
fi
exit "$status"
