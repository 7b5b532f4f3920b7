#!/usr/bin/env bash
# Shaped-link benchmark: Duet, Janus's VideoCall plugin and a direct P2P
# call on the same shaped links, in the same run, alternating call by call.
# The e2e set-up of tests/e2e (Janus with both plugins, the page server, a
# private network namespace) drives network-bench.mjs, which starts two
# Chromium processes (sender as user duettx, receiver as duetrx), shapes the
# receiver's downlink or the sender's uplink with tests/lib/shape.sh, and
# samples getStats on both sides; summary.py prints the table, plot.gp draws
# the bitrates over time. See bench/network/README.md.
#
# Usage:
#   bench/network/run.sh                 every profile, 3 calls per system and
#                                        profile; writes bench/results/network.tsv,
#                                        network.txt, network.png (~35 min)
#   bench/network/run.sh --smoke         one short call per system, unconstrained
#                                        and 1000 kbit/s; no results files (< 90 s)
#   --calls N                            calls per system and profile
#   --profiles a,b                       unconstrained, down1000, down500, down300,
#                                        down500-loss3, step300, up500
#   --systems a,b                        duet, videocall, p2p
#   --window S / --warmup S              measurement window (20) / warm-up (6), s
#   --results NAME                       write bench/results/NAME.{tsv,txt,png}
#   --min-nack-queue MS                  Janus's media.min_nack_queue (1000, as
#                                        docs/adaptation.md advises; 0: Janus's own, 200)
# Output folder: out/bench-network/<date-time> (or $DUET_E2E_OUT): calls.tsv,
# series.tsv, one plot per profile, Janus and Chromium logs. Last line
# "N passed, N failed" (a call passes when it set up and its receiver
# decoded frames); non-zero exit if any failed. Needs root.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	sed -n '2,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

command="bench/network/run.sh${*:+ $*}"
smoke=0 results=network args=() nack_queue=1000
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--calls | --profiles | --systems | --window | --warmup)
		[ $# -ge 2 ] || usage; args+=("$1" "$2"); shift ;;
	--results) [ $# -ge 2 ] || usage; results=$2; shift ;;
	--min-nack-queue) [ $# -ge 2 ] || usage; nack_queue=$2; shift ;;
	*) usage ;;
	esac
	shift
done
if [ "$smoke" = 1 ]; then
	args=(--calls 1 --profiles "unconstrained,down1000" --warmup 2 --window 4 "${args[@]}")
fi

out=${DUET_E2E_OUT:-$repo/out/bench-network/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/calls.tsv" "$out/series.tsv"

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
janus_args="${DUET_E2E_JANUS_ARGS:-} --videocall"
nack_label="Janus's own (200 ms)"
if [ "$nack_queue" != 0 ]; then
	janus_args="$janus_args --min-nack-queue $nack_queue"
	nack_label="$nack_queue ms"
fi
DUET_E2E_OUT=$out DUET_E2E_JANUS_ARGS="$janus_args" \
	"$repo/tests/e2e/run.sh" --exec node "$here/network-bench.mjs" --out "$out" "${args[@]}" \
	| tee "$out/run.log"
rc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

if [ ! -s "$out/calls.tsv" ]; then
	echo "bench/network: no results (see $out: run.log, janus/janus.log, chromium-*.log)" >&2
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/run.log" | tail -1 | grep . || echo "0 passed, 1 failed"
	exit 1
fi

python3 "$here/summary.py" "$out/calls.tsv" >"$out/network.txt"
(cd "$out" && gnuplot -e "series='series.tsv'" "$here/plot.gp" 2>"$out/plot.log") \
	|| echo "bench/network: the plot failed (see $out/plot.log)" >&2
echo
printf 'bench/network: %s in %d min %d s; output in %s\n\n' "${args[*]:-full run}" $((elapsed / 60)) $((elapsed % 60)) "$out"
cat "$out/network.txt"
if [ "$smoke" = 0 ]; then
	mkdir -p "$repo/bench/results"
	cp "$out/calls.tsv" "$repo/bench/results/$results.tsv"
	cp "$out/series.tsv" "$repo/bench/results/$results-series.tsv"
	[ -f "$out/network-step300.png" ] && cp "$out/network-step300.png" "$repo/bench/results/$results.png"
	{
		echo "$command: $(date -u +%Y-%m-%dT%H:%MZ), $((elapsed / 60)) min, $(nproc) CPUs, load average $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
		# No absolute path: results are committed and read on other machines.
		plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
		echo "plugin: ${plugin#"$repo"/} ($(cd "$repo" && git describe --always --dirty 2>/dev/null)); Janus min_nack_queue: $nack_label"
		echo
		cat "$out/network.txt"
	} >"$repo/bench/results/$results.txt"
fi
grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/run.log" | tail -1
exit "$rc"
