#!/usr/bin/env bash
# Call setup time in Chromium, Duet vs Janus's VideoCall plugin, in the same
# run: the end-to-end set-up of tests/e2e (Janus with both plugins, the page
# server, headless Chromium, all in a private network namespace) drives
# setup-bench.mjs, which takes turns between three flows (Duet on the demo
# page, Duet and VideoCall on bench/setup/minimal.html); summary.py prints
# the table. See bench/setup/README.md for what is measured.
#
# Usage:
#   bench/setup/run.sh [--calls N]   N calls per flow (default 12) after one
#                                    uncounted warm-up call each; writes
#                                    bench/results/setup.tsv and setup.txt
#   bench/setup/run.sh --smoke       1 call per flow, no warm-up, no waiting
#                                    for Chromium to settle; results only in
#                                    the output folder (a few seconds)
#   --flows a,b                      only these flows (duet, duet-minimal,
#                                    videocall; the ratios need videocall)
#   --results NAME                   write bench/results/NAME.tsv and NAME.txt
#                                    (default setup)
# Output folder: out/bench-setup/<date-time> (or $DUET_E2E_OUT): Janus log,
# page logs, the TSV. Last line "N passed, N failed"; non-zero exit if a call
# did not set up. Needs root, like tests/e2e/run.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	sed -n '2,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

command="bench/setup/run.sh${*:+ $*}"
calls=12 warmup=1 settle=5000 smoke=0 flows=duet,duet-minimal,videocall results=setup
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 calls=1 warmup=0 settle=0 ;;
	--calls) [ $# -ge 2 ] || usage; calls=$2; shift ;;
	--flows) [ $# -ge 2 ] || usage; flows=$2; shift ;;
	--results) [ $# -ge 2 ] || usage; results=$2; shift ;;
	*) usage ;;
	esac
	shift
done

out=${DUET_E2E_OUT:-$repo/out/bench-setup/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tsv=$out/setup.tsv
rm -f "$tsv"

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s%N)
DUET_E2E_OUT=$out DUET_E2E_JANUS_ARGS="${DUET_E2E_JANUS_ARGS:-} --videocall" \
	"$repo/tests/e2e/run.sh" --exec node "$here/setup-bench.mjs" \
	--calls "$calls" --warmup "$warmup" --flows "$flows" --settle-max-ms "$settle" --tsv "$tsv"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))

if [ ! -s "$tsv" ]; then
	echo "bench/setup: no results (see $out: janus/janus.log, chromium.log, logs/)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

summary=$out/setup.txt
python3 "$here/summary.py" "$tsv" >"$summary"
rc=$?
printf 'bench/setup: %s calls per flow in %d.%d s; output in %s\n\n' \
	"$calls" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100)) "$out"
cat "$summary"
if [ "$smoke" = 0 ]; then
	mkdir -p "$repo/bench/results"
	cp "$tsv" "$repo/bench/results/$results.tsv"
	{
		echo "$command: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
		echo
		cat "$summary"
	} >"$repo/bench/results/$results.txt"
fi
exit $rc
