#!/usr/bin/env bash
# The fleet suite (tests/fleet/fleet_test.py): 3 Janus instances with Duet
# behind HAProxy, rooms shared through Redis, all inside a private network
# namespace (tests/lib/netns.sh). Needs root, haproxy and redis-server.
#
# Usage: tests/fleet/run.sh [--rooms N]   (default 1000 rooms)
# DUET_PLUGIN names the plugin (default: the build's plugins/.libs/libjanus_duet.so).
# The last line printed is "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
rooms=1000
[ "${1:-}" = --rooms ] && rooms=$2

for tool in haproxy redis-server "$plugin"; do
	if ! command -v "$tool" >/dev/null && [ ! -f "$tool" ]; then
		echo "run.sh: $tool not found (scripts/install-deps.sh installs haproxy and redis-server; build the plugin)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
done

if [ "${FLEET_INSIDE:-}" != 1 ]; then
	exec env FLEET_INSIDE=1 "$repo/tests/lib/netns.sh" "$0" "$@"
fi

dir=$(mktemp -d /tmp/duet-fleet.XXXXXX)
"$repo/scripts/fleet-config.sh" --out "$dir" --instances 3 --plugin "$plugin" \
	--interface 10.99.0.1 --ice-enforce v0 --redis-url redis://127.0.0.1:6379/0 \
	--evh http://127.0.0.1:9099/ >/dev/null
trap '"$repo/tests/lib/fleet-env.sh" stop "$dir"' EXIT
if ! "$repo/tests/lib/fleet-env.sh" start "$dir" --redis 6379; then
	echo "0 passed, 1 failed"
	exit 1
fi
FLEET_DIR=$dir FLEET_ROOMS=$rooms /usr/bin/python3 "$here/fleet_test.py"
status=$?
trap - EXIT
"$repo/tests/lib/fleet-env.sh" stop "$dir"
if [ "$status" = 0 ]; then
	rm -rf "$dir"
else
	echo "fleet folder (configurations, janus.log of each instance, haproxy.log): $dir"
fi
exit $status
