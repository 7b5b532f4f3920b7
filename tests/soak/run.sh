#!/usr/bin/env bash
# Churn soak of Duet through the real Janus (tests/soak/soak.py), run
# inside a private network namespace (tests/lib/netns.sh). Needs root.
#
# Usage: tests/soak/run.sh [--short] [soak.py options...]
#   --short       the test command's form: a 150-room warm-up, then 2,000
#                 rooms' cycles, no more than 40 s of them (a loaded machine
#                 cycles fewer: at least 500 must be done); meanwhile, in a
#                 namespace of its own, the valgrind variant with 20 rooms
#                 (each cycle kind once)
#   --valgrind    also run the valgrind memcheck variant (after the churn)
#   --rooms N     room cycles after the warm-up (default 2000)
#   --seconds S   stop starting rooms after S seconds
#   --help        every soak.py option
# e.g. tests/soak/run.sh --rooms 20000 --seconds 900 --valgrind --valgrind-rooms 100
#
# DUET_PLUGIN names the plugin to load (default: the build's
# plugins/.libs/libjanus_duet.so). The last line printed is
# "N passed, N failed"; the exit code is non-zero when anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DUET_PLUGIN=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}

if [ ! -f "$DUET_PLUGIN" ]; then
	echo "run.sh: plugin not found: $DUET_PLUGIN (build it first, or set DUET_PLUGIN)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
cd "$repo" || exit 1

soak() {
	"$repo/tests/lib/netns.sh" /usr/bin/python3 "$here/soak.py" "$@"
}

# Adds up the "N passed, N failed" last lines of the given outputs; a
# missing line (the driver crashed) counts as one failure.
total() {
	local passed=0 failed=0 file line
	for file in "$@"; do
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$file" | tail -1)
		if [ -z "$line" ]; then
			failed=$((failed + 1))
			continue
		fi
		passed=$((passed + ${line%% passed*}))
		line=${line#*, }
		failed=$((failed + ${line%% failed*}))
	done
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

short=0
args=()
for arg in "$@"; do
	if [ "$arg" = --short ]; then
		short=1
	else
		args+=("$arg")
	fi
done

results=$(mktemp -d /tmp/duet-soak-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

if [ "$short" = 0 ]; then
	soak "${args[@]}" | tee "$results/soak.out"
	total "$results/soak.out" >/dev/null
	status=$?
	# A crash of the driver itself leaves no "N passed, N failed" line.
	tail -1 "$results/soak.out" | grep -qE '^[0-9]+ passed, [0-9]+ failed$' || echo "0 passed, 1 failed"
	exit $status
fi

# Short form: valgrind's Janus is slow to start and needs about one core,
# so it runs beside the churn (each phase has its own namespace, hence its
# own ports) rather than after it.
soak --valgrind-only --valgrind-rooms 20 "${args[@]}" >"$results/valgrind.out" 2>&1 &
valgrind_pid=$!
soak --rooms 2000 --seconds 40 --min-rooms 500 --warmup 150 "${args[@]}" 2>&1 | tee "$results/churn.out"
wait "$valgrind_pid"
echo "-- valgrind variant (ran beside the churn)"
cat "$results/valgrind.out"
total "$results/churn.out" "$results/valgrind.out"
