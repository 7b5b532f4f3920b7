#!/usr/bin/env bash
# Run the Duet integration suite against a real Janus.
#
# Usage: tests/integration/run.sh [pytest args...]
#   e.g. tests/integration/run.sh -k takeover -x
#
# Runs every test inside a private network namespace (tests/lib/netns.sh),
# where Janus (tests/lib/janus-env.sh) gathers candidates on veth v0
# (10.99.0.1). DUET_PLUGIN names the plugin to load (default: the build's
# plugins/.libs/libjanus_duet.so). Needs root and the Debian packages in
# tests/integration/DEPS. The last line printed is "N passed, N failed"
# (", N skipped" when some were skipped); the exit code is non-zero when
# anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DUET_PLUGIN=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
python=/usr/bin/python3

if [ ! -f "$DUET_PLUGIN" ]; then
	echo "run.sh: plugin not found: $DUET_PLUGIN (build it first, or set DUET_PLUGIN)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

results=$(mktemp -d /tmp/duet-it-results.XXXXXX)
trap 'rm -rf "$results"' EXIT

cd "$repo"
"$repo/tests/lib/netns.sh" "$python" -m pytest "$repo/tests/integration" \
	-c "$here/pytest.ini" --rootdir "$here" -q -p no:cacheprovider \
	--junitxml "$results/junit.xml" "$@"
status=$?

"$python" - "$results/junit.xml" "$status" <<'PY'
import sys
import xml.etree.ElementTree as ET

path, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
try:
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            failed += 1
        elif "skipped" in tags:
            skipped += 1
        else:
            passed += 1
except (OSError, ET.ParseError):
    pass
if status not in (0, 1, 5) and failed == 0:
    failed = 1  # pytest itself failed (usage error, internal error, interrupted)
line = "%d passed, %d failed" % (passed, failed)
if skipped:
    line += ", %d skipped" % skipped
print(line)
sys.exit(1 if failed else 0)
PY
