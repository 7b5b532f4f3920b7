#!/usr/bin/env bash
# Fleet benchmarks (issue 15): signaling throughput through HAProxy with 1
# and 3 Janus instances, against one Janus reached directly (the cost of
# the extra hop). See bench/fleet/README.md.
#
# Usage: bench/fleet/run.sh [--smoke] [--seconds S] [--workers W] [--runs N]
#
# Runs inside a private network namespace (tests/lib/netns.sh); each
# configuration is a fresh fleet (scripts/fleet-config.sh, with Redis, as
# deployed). Table: bench/results/fleet-signaling.tsv (--smoke: only
# printed). The last line printed is "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
seconds=10 workers=20 runs=3 smoke=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 seconds=2 workers=4 runs=1 ;;
	--seconds) seconds=$2; shift ;;
	--workers) workers=$2; shift ;;
	--runs) runs=$2; shift ;;
	*) echo "usage: $0 [--smoke] [--seconds S] [--workers W] [--runs N]" >&2; exit 2 ;;
	esac
	shift
done
if [ "${FLEET_INSIDE:-}" != 1 ]; then
	ulimit -n 65536 2>/dev/null || true
	exec env FLEET_INSIDE=1 "$repo/tests/lib/netns.sh" "$0" "$@"
fi

out=$(mktemp -d /tmp/duet-bench-fleet.XXXXXX)
table=$out/fleet-signaling.tsv
printf 'label\trooms\tseconds\trooms_per_s\tjoin_ms_median\tjoin_ms_p95\terrors\n' >"$table"
passed=0 failed=0
bench() {
	if /usr/bin/python3 "$here/signaling.py" --seconds "$seconds" --workers "$workers" "$@" >>"$table"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	tail -1 "$table"
}
for n in 1 3; do
	dir=$out/fleet-$n
	"$repo/scripts/fleet-config.sh" --out "$dir" --instances "$n" --plugin "$plugin" --interface 10.99.0.1 \
		--ice-enforce v0 --redis-url redis://127.0.0.1:6379/0 --debug-level 3 >/dev/null
	"$repo/tests/lib/fleet-env.sh" start "$dir" --redis 6379 || { failed=$((failed + 1)); continue; }
	for _ in $(seq 1 "$runs"); do
		[ "$n" = 1 ] && bench --direct --endpoint 127.0.0.1:8201 --label "direct, 1 instance"
		bench --label "haproxy, $n instance(s)"
	done
	"$repo/tests/lib/fleet-env.sh" stop "$dir"
done
if [ "$smoke" = 0 ]; then
	cp "$table" "$repo/bench/results/fleet-signaling.tsv"
fi
rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
