#!/usr/bin/env bash
# The suites that run against Janus 1.4.1 (plugin API 106), the current
# upstream release, built from source: the rest of the test command runs
# against Debian's Janus 1.1.2 (API 102).
#
#   1. scripts/janus-source.sh builds Janus 1.4.1 once into a folder outside
#      the repository (or reuses it) and prints its prefix;
#   2. Duet is built against it in out/janus14/ (a copy of the source tree,
#      configured through pkg-config janus-gateway, with warnings as
#      errors), so the in-tree build for Debian's Janus is left alone;
#   3. the integration suite (tests/integration) and the Chromium
#      end-to-end call test (tests/e2e 01-call: a call with media both ways)
#      run with that plugin in that Janus (JANUS_BIN, JANUS_LIB).
#
# Usage: tests/janus14/run.sh [integration|e2e]...   (default: both)
# Prints "N passed, N failed" (both parts together) as its last line.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/out/janus14
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(integration e2e)
mkdir -p "$out"

fail_setup() {
	echo "janus14: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

prefix=$("$repo/scripts/janus-source.sh" | tail -1) || fail_setup "could not build Janus 1.4.1"
[ -x "$prefix/bin/janus" ] || fail_setup "no Janus in $prefix"
echo "janus14: $("$prefix/bin/janus" --version 2>/dev/null | head -1) in $prefix"

# A copy of the source tree: the in-tree build stays Debian's.
src=$out/src
"$repo/tests/lib/copy-tree.sh" "$src" || fail_setup "could not copy the source tree"
(
	cd "$src" && autoreconf -fi &&
		PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" ./configure --enable-werror &&
		make -j"$(nproc)"
) >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; fail_setup "building Duet against Janus 1.4.1 failed (see $out/build.log)"; }
grep -E '^configure: building for' "$out/build.log"
grep -q 'plugin API 106' "$out/build.log" || fail_setup "configure did not pick Janus 1.4.1's headers (API 106)"

export DUET_PLUGIN=$src/plugins/.libs/libjanus_duet.so
export JANUS_BIN=$prefix/bin/janus
export JANUS_LIB=$prefix/lib/janus

passed=0
failed=0
add() {
	local log=$1 rc=$2 line p=0 f=0
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	fi
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
}

for part in "${parts[@]}"; do
	case "$part" in
	integration)
		echo "-- integration suite against Janus 1.4.1"
		"$repo/tests/integration/run.sh" 2>&1 | tee "$out/integration.log" | tail -15
		add "$out/integration.log" "${PIPESTATUS[0]}"
		;;
	e2e)
		echo "-- end-to-end call (01-call) against Janus 1.4.1"
		rm -rf "$out/e2e"
		DUET_E2E_OUT=$out/e2e "$repo/tests/e2e/run.sh" 01-call 2>&1 | tee "$out/e2e.log" | tail -15
		add "$out/e2e.log" "${PIPESTATUS[0]}"
		;;
	*) echo "janus14: unknown part $part"; failed=$((failed + 1)) ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
