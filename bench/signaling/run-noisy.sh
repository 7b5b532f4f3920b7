#!/usr/bin/env bash
# Noisy neighbours (issue 12): normal rooms' step latencies while other
# rooms redial in a loop. See bench/signaling/README.md, "Noisy neighbours".
#
# Usage: bench/signaling/run-noisy.sh [--noisy 0,10,100] [--noise-on same,other] [--k 20] [--batches 5] [--runs 3] [--out DIR] [--smoke]
# DUET_PLUGIN picks the plugin (default: the build's). The last line is
# "N passed, N failed" (normal calls).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DUET_PLUGIN=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
if [ ! -f "$DUET_PLUGIN" ]; then
	echo "run-noisy.sh: plugin not found: $DUET_PLUGIN" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
"$repo/tests/lib/netns.sh" /usr/bin/python3 "$here/noisy.py" "$@"
status=$?
[ "$status" -gt 1 ] && echo "0 passed, 1 failed"
exit "$status"
