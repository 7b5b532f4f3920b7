#!/usr/bin/env bash
# The Debian package: builds janus-plugin-duet_<version>_<arch>.deb with
# dpkg-buildpackage from a copy of the source tree (out/package/), checks it
# with lintian (no error and no warning), installs it into this machine's
# Janus (Debian's janus package), starts a stock janus with its stock
# configuration (copied into a private folder, inside a private network
# namespace) and checks that /janus/info lists janus.plugin.duet, then
# purges the package and checks that nothing of it is left.
#
# Usage: tests/package/run.sh     (root; Debian bookworm with janus installed)
# Prints "N passed, N failed" as its last line (one check per step).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/out/package
pkg=janus-plugin-duet
passed=0
failed=0

check() {
	local name=$1
	shift
	if "$@" >"$out/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok: $name"
		return 0
	fi
	failed=$((failed + 1))
	echo "FAILED: $name (last lines of $out/$name.log):"
	tail -20 "$out/$name.log"
	return 1
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

# Janus's stock configuration, in a private folder: only the configuration
# and log folders differ (the namespace keeps its ports to itself).
stock_janus() {
	local dir pid rc=1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/duet-package-janus.XXXXXX")
	cp /etc/janus/*.jcfg "$dir/"
	sed -i "s|^\(\s*\)configs_folder = .*|\1configs_folder = \"$dir\"|" "$dir/janus.jcfg"
	janus -C "$dir/janus.jcfg" -F "$dir" -L "$dir/janus.log" -N >"$dir/stdout" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		if curl -sf http://127.0.0.1:8088/janus/info >"$dir/info.json"; then
			rc=0
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ "$rc" = 0 ]; then
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["plugins"].get("janus.plugin.duet"); print("janus", d["version_string"], "lists", p); sys.exit(0 if p else 1)' "$dir/info.json"
		rc=$?
	fi
	[ "$rc" = 0 ] || tail -30 "$dir/janus.log"
	rm -rf "$dir"
	return "$rc"
}
# (Run inside the namespace: tests/lib/netns.sh "$0" --stock-janus.)
if [ "${1:-}" = --stock-janus ]; then
	stock_janus
	exit
fi

if [ "$(id -u)" != 0 ]; then
	echo "package: installing the package and the network namespace need root" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
deb=$out/${pkg}_${version}_$arch.deb

# 1. Build from a copy of the tracked and new files (no build outputs).
build() {
	"$repo/tests/lib/copy-tree.sh" "$out/src" || return 1
	(cd "$out/src" && dpkg-buildpackage -us -uc -b) && [ -f "$deb" ]
}
rm -rf "$out"
mkdir -p "$out"
check build build || finish
dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Depends|Recommends):'

# The dependency pins the Janus plugin API of the headers it was built with:
# janus (>= the janus-dev version), janus (<< the first release with another API).
api_dependency() {
	local api depends
	api=$(sed -n 's/^#define[[:space:]]*JANUS_PLUGIN_API_VERSION[[:space:]]*\([0-9]*\).*/\1/p' /usr/include/janus/plugins/plugin.h)
	depends=$(dpkg-deb -f "$deb" Depends)
	echo "API $api: $depends"
	grep -qE "(^|, )janus \(>= [0-9.]+\), janus \(<< [0-9.]+~\)" <<<"$depends" &&
		dpkg-deb -f "$deb" Description | grep -q "Janus plugin API $api"
}
check depends api_dependency
cat "$out/depends.log"
dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '(\.so|\.jcfg|api\.md|index\.html)$'

# 2. lintian: no error, no warning (informational tags are listed only).
lint() {
	lintian --fail-on error,warning "$out/${pkg}_${version}_$arch.changes"
}
check lintian lint
cat "$out/lintian.log"

# 3. Install it into this machine's Janus, then a stock janus must list it.
install_deb() {
	flock /tmp/duet-apt.lock dpkg -i "$deb" &&
		[ -f "/etc/janus/janus.plugin.duet.jcfg" ] &&
		dpkg -L "$pkg" | grep -q '/janus/plugins/libjanus_duet.so$'
}
check install install_deb || finish

check stock-janus "$repo/tests/lib/netns.sh" "$0" --stock-janus
grep '^janus ' "$out/stock-janus.log"

# 4. Purge: the plugin and its configuration file are gone.
purge() {
	flock /tmp/duet-apt.lock dpkg --purge "$pkg" &&
		! dpkg -s "$pkg" >/dev/null 2>&1 &&
		[ ! -e /etc/janus/janus.plugin.duet.jcfg ] &&
		! ls /usr/lib/*/janus/plugins/libjanus_duet.so >/dev/null 2>&1
}
check purge purge
finish
