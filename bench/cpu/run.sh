#!/usr/bin/env bash
# Issue 6, benchmark 3: Janus CPU per call with real media, Duet vs VideoCall.
#
# Usage: bench/cpu/run.sh [--smoke] [--calls 1,2,4,8,16] [--runs N] [--seconds S]
#                         [--warmup S] [--modes duet,videocall,direct] [--out DIR]
#
# Runs bench/cpu/cpubench.py inside a private network namespace
# (tests/lib/netns.sh), where it starts its own Janus with Duet and
# VideoCall loaded, and plots the summary with gnuplot (plot.gp).
# Writes <out>/cpu.tsv (summary), <out>/cpu-samples.tsv (every batch) and
# <out>/cpu-per-call.png; <out> is bench/results, or a temporary folder
# with --smoke. --smoke (1 call per plugin, ~3 s of media) ends with
# "N passed, N failed" and exits non-zero when media did not flow both
# ways through either plugin. Needs root, the build's plugin
# (DUET_PLUGIN to override) and tests/integration/DEPS.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DUET_PLUGIN=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}

if [ ! -f "$DUET_PLUGIN" ]; then
	echo "run.sh: plugin not found: $DUET_PLUGIN (run scripts/build.sh first)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# A smoke run's files go to a temporary folder, never over the results.
out=""
smoke=0
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift ;;
	--smoke) smoke=1; args+=("$1") ;;
	*) args+=("$1") ;;
	esac
	shift
done
if [ -z "$out" ]; then
	if [ "$smoke" = 1 ]; then
		out=$(mktemp -d /tmp/duet-cpu-smoke.XXXXXX)
	else
		out=$repo/bench/results
	fi
fi
mkdir -p "$out"

"$repo/tests/lib/netns.sh" /usr/bin/python3 "$here/cpubench.py" --out "$out" "${args[@]}" 2>&1 | tee "$out/cpu-run.txt"
exit "${PIPESTATUS[0]}"
