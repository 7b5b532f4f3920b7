#!/usr/bin/env bash
# The media path micro-benchmark (issue 6, benchmark 1): the built Duet
# plugin (plugins/.libs/libjanus_duet.so) dlopen()ed on the benchmark's own
# stub core, pairs in 1, 100, 1,000 and 10,000 rooms, pre-built RTP and
# RTCP pushed through incoming_rtp / incoming_rtcp from 1 and 2 threads;
# the floor (the same loop calling the core's relay directly) and Janus's
# VideoCall plugin (when installed) measured the same way. See
# bench/media/README.md.
#
# Usage:
#   bench/media/run.sh             5 repetitions of 1 s per point; writes
#                                  bench/results/media.tsv, media.txt,
#                                  media-raw.tsv, media-plot.dat,
#                                  media-ns-per-packet.png (wall clock) and
#                                  media-cpu-ns-per-packet.png (thread CPU)
#   bench/media/run.sh --smoke     1 and 100 rooms, 1 repetition of 0.1 s
#                                  (a few seconds); results only in the
#                                  output folder
#   --reps N, --seconds S          override the repetitions / time per point
#   --no-videocall                 Duet and the floor only
# Output folder: out/bench-media/<date-time> (or $DUET_BENCH_OUT). Last line
# "N passed, N failed" (one per point and repetition); non-zero exit if Duet
# relayed other than every packet it should have, or allocated in the loop.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

smoke=0 reps=5 seconds=1 warmup=0.2 rooms=1,100,1000,10000 videocall=1
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 reps=1 seconds=0.1 warmup=0.02 rooms=1,100 ;;
	--reps) [ $# -ge 2 ] || usage; reps=$2; shift ;;
	--seconds) [ $# -ge 2 ] || usage; seconds=$2; shift ;;
	--no-videocall) videocall=0 ;;
	*) usage ;;
	esac
	shift
done

duet_so=$repo/plugins/.libs/libjanus_duet.so
videocall_so=/usr/lib/x86_64-linux-gnu/janus/plugins/libjanus_videocall.so
[ -f "$duet_so" ] || bash "$repo/scripts/build.sh" >/dev/null

# The benchmark core is built -O2 without sanitizers; -rdynamic exports the
# core symbols (and malloc & co) to the plugin being dlopen()ed.
bin=$here/build/media_bench
mkdir -p "$here/build"
# shellcheck disable=SC2046
gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	$(pkg-config --cflags glib-2.0 jansson) -I/usr/include/janus -rdynamic \
	-o "$bin" "$here/media_bench.c" "$here/core.c" "$here/core_videocall.c" "$here/alloc.c" \
	$(pkg-config --libs glib-2.0 jansson) -ldl -lpthread

out=${DUET_BENCH_OUT:-$repo/out/bench-media/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
raw=$out/media-raw.tsv
args=(--rooms "$rooms" --threads "1,2" --seconds "$seconds" --warmup "$warmup" --reps "$reps")

start=$(date +%s)
status=0
"$bin" --plugin "$duet_so" --name duet --floor "${args[@]}" >"$raw" || status=$?
if [ "$videocall" = 1 ] && [ -f "$videocall_so" ]; then
	# Only the rows: the header is already there. A VideoCall failure is
	# reported in the table, not fatal.
	"$bin" --plugin "$videocall_so" --name videocall "${args[@]}" | tail -n +2 >>"$raw" || true
fi
if [ "$status" -gt 1 ]; then
	echo "bench/media: the Duet run did not complete (exit $status)" >&2
	exit 1
fi

python3 "$here/report.py" "$raw" --tsv "$out/media.tsv" --dat "$out/media-plot.dat" >"$out/media.txt" || status=1
gnuplot -e "data='$out/media-plot.dat'; out='$out/media-ns-per-packet.png'; col=2; what='ns/packet (wall clock)'" \
	"$here/plot.gp"
gnuplot -e "data='$out/media-plot.dat'; out='$out/media-cpu-ns-per-packet.png'; col=5; what='CPU ns/packet (thread time)'" \
	"$here/plot.gp"

if [ "$smoke" = 0 ]; then
	results=$repo/bench/results
	mkdir -p "$results"
	cp "$out/media.tsv" "$out/media.txt" "$raw" "$out/media-plot.dat" \
		"$out/media-ns-per-packet.png" "$out/media-cpu-ns-per-packet.png" "$results/"
fi

printf 'bench/media: %s repetition(s) of %s s per point in %d s; output in %s\n\n' \
	"$reps" "$seconds" $(($(date +%s) - start)) "$out"
cat "$out/media.txt"
exit $status
