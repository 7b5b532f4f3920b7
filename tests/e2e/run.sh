#!/usr/bin/env bash
# End-to-end tests: the real demo page (html/) against the real plugin, in
# Debian's Chromium, all inside a private network namespace (tests/lib/netns.sh):
# Janus media on 10.99.0.1 (veth v0), its HTTP/WebSocket transports and the
# page server on 127.0.0.1, one headless Chromium driven over CDP by
# playwright-core, each peer in its own browser context (window).
#
# Usage:
#   tests/e2e/run.sh [PATTERN...]     run the tests (all, or the files whose
#                                     name contains a PATTERN, e.g. 03 or chat)
#   tests/e2e/run.sh --bench N        measure the call setup time over N calls
#   tests/e2e/run.sh --exec CMD...    run CMD in the same set-up (debugging aid;
#                                     DUET_CDP, DUET_BASE_URL, DUET_E2E_OUT set)
#
# Needs root (for the namespace), /usr/bin/chromium, node >= 20 and the npm
# packages of package-lock.json (installed with `npm ci` when missing; no
# browser is ever downloaded). Environment:
#   DUET_PLUGIN     the plugin to test (default plugins/.libs/libjanus_duet.so)
#   DUET_E2E_OUT    output folder (default out/e2e/<date-time>): logs,
#                   screenshots, Janus log, TAP results
#   DUET_E2E_JANUS_DEBUG  Janus debug_level (default 4; 5-7 for more)
#   DUET_E2E_JANUS_ARGS   more tests/lib/janus-env.sh options, space-separated
#                   (e.g. --videocall: also load Janus's VideoCall plugin)
# Prints "N passed, N failed" as its last line; exits non-zero on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the end-to-end tests need root (they create a network namespace)" >&2
	echo "0 passed, 1 failed"
	exit 2
fi
plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
if [ ! -f "$plugin" ]; then
	echo "run.sh: plugin not found: $plugin (build it: autoreconf -fi && ./configure && make; or set DUET_PLUGIN)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
	echo "run.sh: /usr/bin/chromium is missing (apt-get install chromium)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
for pkg in playwright-core janus-gateway esbuild react janode; do
	if [ ! -f "$repo/node_modules/$pkg/package.json" ]; then
		echo "run.sh: installing the npm packages (npm ci)" >&2
		(cd "$repo" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >&2)
		break
	fi
done
# The pages use duet-client's browser build and the React example's bundle (esbuild, about a second).
(cd "$repo" && npm run --silent build >&2) || { echo "run.sh: npm run build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

out=${DUET_E2E_OUT:-$repo/out/e2e/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export DUET_PLUGIN=$(readlink -f "$plugin")

exec "$repo/tests/lib/netns.sh" "$here/inside.sh" "$out" "$@"
