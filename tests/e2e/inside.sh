#!/usr/bin/env bash
# The part of tests/e2e/run.sh that runs inside the network namespace:
# starts Janus, the page server and Chromium, runs the tests, stops it all.
# Usage (from run.sh only): inside.sh <out-dir> [--bench N | --exec CMD... | PATTERN...]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$1
shift
page_port=8000

server_pid="" chromium_pid="" profile=""
cleanup() {
	[ -n "$chromium_pid" ] && kill "$chromium_pid" 2>/dev/null && wait "$chromium_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	"$repo/tests/lib/janus-env.sh" stop "$out/janus" >/dev/null 2>&1
	[ -n "$profile" ] && rm -rf "$profile"
	chromium_pid="" server_pid="" profile=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

fail_setup() {
	echo "e2e: $*" >&2
	cleanup
	echo "0 passed, 1 failed"
	exit 1
}

# Janus with this build's plugin and the tests' Duet configuration (room xyz
# has a PIN), plus any janus-env.sh options in DUET_E2E_JANUS_ARGS (split on
# spaces; e.g. --videocall for the call setup benchmark).
# shellcheck disable=SC2086
"$repo/tests/lib/janus-env.sh" start "$out/janus" --duet-config "$here/duet.jcfg" \
	--debug-level "${DUET_E2E_JANUS_DEBUG:-4}" ${DUET_E2E_JANUS_ARGS:-} \
	|| fail_setup "Janus did not start (see $out/janus/janus.log)"

node "$here/lib/serve.mjs" "$page_port" 127.0.0.1 >"$out/page-server.log" 2>&1 &
server_pid=$!

# Chromium: the flags in chromium.flags (shared with lib/chromium.mjs).
profile=$(mktemp -d /tmp/duet-e2e-chromium.XXXXXX)
mapfile -t chromium_flags < <(grep -v -e '^#' -e '^$' "$here/chromium.flags")
/usr/bin/chromium "${chromium_flags[@]}" --user-data-dir="$profile" \
	about:blank >"$out/chromium.log" 2>&1 &
chromium_pid=$!

cdp_port=""
for _ in $(seq 1 200); do
	if [ -s "$profile/DevToolsActivePort" ]; then cdp_port=$(head -1 "$profile/DevToolsActivePort"); break; fi
	kill -0 "$chromium_pid" 2>/dev/null || break
	sleep 0.05
done
[ -n "$cdp_port" ] || fail_setup "Chromium did not start (see $out/chromium.log)"
for _ in $(seq 1 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$page_port/" && break
	sleep 0.05
done

export DUET_CDP="http://127.0.0.1:$cdp_port"
export DUET_BASE_URL="http://127.0.0.1:$page_port"
export DUET_E2E_OUT="$out"
export DUET_REPO="$repo"

if [ "${1:-}" = "--exec" ]; then
	shift
	"$@"
	rc=$?
	cleanup
	exit $rc
fi
if [ "${1:-}" = "--bench" ]; then
	node "$here/setup-bench.mjs" "${2:-10}"
	rc=$?
	cleanup
	exit $rc
fi

# The test files, or those whose name contains one of the patterns.
files=()
for f in "$here"/[0-9]*.test.mjs; do
	if [ $# -eq 0 ]; then files+=("$f"); continue; fi
	for pat in "$@"; do
		case "$(basename "$f")" in *"$pat"*) files+=("$f"); break ;; esac
	done
done
[ ${#files[@]} -gt 0 ] || fail_setup "no test file matches: $*"

start=$(date +%s)
node --test --test-concurrency=1 --test-timeout=180000 \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$out/results.tap" \
	"${files[@]}"
rc=$?
cleanup

passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out/results.tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out/results.tap" | tail -1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$out/results.tap" | tail -1)
passed=${passed:-0}
failed=$(( ${failed:-0} + ${cancelled:-0} ))
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "e2e: output in $out ($(( $(date +%s) - start )) s)"
echo "$passed passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ]
