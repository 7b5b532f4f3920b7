#!/usr/bin/env bash
# Failover time of a Duet fleet (issue 15): two Chromium pages in a call
# through HAProxy, the instance holding the room SIGKILLed N times in a row;
# each time, from the kill to the first new video frame on both pages.
# It is the end-to-end test tests/e2e/21-fleet-failover.test.mjs with
# DUET_FLEET_FAILOVERS=N; it prints "failover K: T ms" and the median.
#
# Usage: bench/fleet/failover.sh [N]   (default 5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${DUET_E2E_OUT:-$repo/out/bench-fleet-failover}
mkdir -p "$out"
DUET_E2E_OUT=$out DUET_FLEET_FAILOVERS=${1:-5} "$repo/tests/e2e/run.sh" 21-fleet
cp "$out/fleet-failover.json" "$repo/bench/results/fleet-failover.json"
