#!/usr/bin/env bash
# Installs what building and testing Duet needs on Debian bookworm (root).
# Only missing packages are installed; `npm ci` runs when node_modules is
# out of date. Usage: scripts/install-deps.sh [--no-browser]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	# build
	autoconf automake libtool pkg-config make gcc
	libglib2.0-dev libjansson-dev libnice-dev janus-dev libhiredis-dev
	# fuzzing and sanitizers (libFuzzer, TSan)
	clang libclang-rt-14-dev
	# run and test
	janus janus-tools libjs-janus-gateway libjs-webrtc-adapter ffmpeg
	curl iproute2 iptables util-linux python3 python3-pytest python3-aiortc
	python3-requests python3-websockets python3-aiohttp
	# a fleet: rooms shared through Redis, room affinity through HAProxy
	redis-server haproxy
	# soak under valgrind (gdb: malloc_trim in the idle Janus), benchmark plots
	valgrind gdb gnuplot-nox
	# browser tests
	chromium nodejs npm
	# Janus 1.4.1 built from source (scripts/janus-source.sh, tests/janus14)
	libmicrohttpd-dev libssl-dev libsrtp2-dev libsofia-sip-ua-dev libopus-dev
	libogg-dev libcurl4-openssl-dev liblua5.3-dev libconfig-dev gengetopt
	libwebsockets-dev libusrsctp-dev git
	# the Debian package (tests/package)
	dpkg-dev debhelper fakeroot lintian
	# npm ci: janode (examples/node-admin) depends on unix-dgram, a native
	# addon built at install time with node-gyp
	g++ make
)
if [ "${1:-}" = --no-browser ]; then
	packages=("${packages[@]/chromium/}")
fi
if [ -f tests/integration/DEPS ]; then
	while read -r pkg; do
		[ -n "$pkg" ] && [ "${pkg#\#}" = "$pkg" ] && packages+=("$pkg")
	done <tests/integration/DEPS
fi

missing=()
for pkg in "${packages[@]}"; do
	[ -n "$pkg" ] || continue
	# node and npm may come from elsewhere than Debian: a working binary is enough.
	case "$pkg" in
	nodejs) command -v node >/dev/null && continue ;;
	npm) command -v npm >/dev/null && continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ -f package-lock.json ] && command -v npm >/dev/null; then
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
		npm ci --no-audit --no-fund --loglevel=error
		touch node_modules
	fi
fi
