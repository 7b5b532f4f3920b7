#!/usr/bin/env bash
# Churn soak of Duet through the real Janus (tests/soak/soak.py), run
# inside a private network namespace (tests/lib/netns.sh). Needs root.
#
# Usage: tests/soak/run.sh [--short] [--valgrind] [soak.py options...]
#   --short       the test command's form: a 150-room warm-up, then 2,000
#                 rooms' cycles, no more than 40 s of them (a loaded machine
#                 cycles fewer: at least 500 must be done), then the
#                 valgrind variant with 20 rooms (each cycle kind once)
#   --valgrind    also run the valgrind memcheck variant
#   --rooms N     room cycles after the warm-up (default 2000)
#   --seconds S   stop starting rooms after S seconds
#   --help        every soak.py option
# e.g. tests/soak/run.sh --rooms 20000 --seconds 600 --valgrind --valgrind-rooms 100
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

args=()
for arg in "$@"; do
	if [ "$arg" = --short ]; then
		args+=(--rooms 2000 --seconds 40 --min-rooms 500 --warmup 150 --valgrind --valgrind-rooms 20)
	else
		args+=("$arg")
	fi
done

cd "$repo" || exit 1
"$repo/tests/lib/netns.sh" /usr/bin/python3 "$here/soak.py" "${args[@]}"
status=$?
# A crash of the driver itself leaves no "N passed, N failed" line.
if [ $status -gt 1 ]; then
	echo "0 passed, 1 failed"
fi
exit $status
