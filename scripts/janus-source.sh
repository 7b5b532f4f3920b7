#!/usr/bin/env bash
# Builds Janus 1.4.1 from its release source, once, into a folder outside
# the repository, and prints that folder (its prefix: bin/janus,
# include/janus, lib/janus/{plugins,transports,events},
# lib/pkgconfig/janus-gateway.pc).
#
# The source tarball is, in this order:
#   1. $JANUS_SOURCE_TARBALL, when set;
#   2. ../shared/vendor/janus-gateway-1.4.1.tar.gz next to the repository
#      (where it exists, e.g. in CI);
#   3. downloaded from upstream (GitHub archive of tag v1.4.1) into the
#      cache folder.
# Its sha256 is verified in every case. The build lands in
# $DUET_JANUS_PREFIX (default: $XDG_CACHE_HOME/duet/janus-1.4.1, i.e.
# ~/.cache/duet/janus-1.4.1) and is reused when it is already there and was
# built from a tarball with the same checksum. The build dependencies are
# Debian packages (scripts/install-deps.sh installs them); it takes about a
# minute on two cores.
#
# Usage: scripts/janus-source.sh [--force]   (--force: rebuild even if present)
# Prints the prefix as its last line of output (stdout); progress goes to stderr.
set -euo pipefail

version=1.4.1
sha256=5d61ff95f63f807f180fb5ae988e7d893b9df8133e63caef7f3b8aa12ed63d5b
url=https://github.com/meetecho/janus-gateway/archive/refs/tags/v$version.tar.gz

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/duet
prefix=${DUET_JANUS_PREFIX:-$cache/janus-$version}
force=0
[ "${1:-}" = --force ] && force=1

say() { echo "janus-source: $*" >&2; }
die() {
	say "$*"
	exit 1
}

built() {
	[ -x "$prefix/bin/janus" ] && [ -f "$prefix/include/janus/plugins/plugin.h" ] &&
		[ "$(cat "$prefix/.duet-source-sha256" 2>/dev/null)" = "$sha256" ]
}

verify() {
	local file=$1 sum
	sum=$(sha256sum "$file" | cut -d' ' -f1)
	[ "$sum" = "$sha256" ] || die "$file: sha256 $sum, expected $sha256"
}

# The tarball, verified; prints its path.
tarball() {
	local vendored=$repo/../shared/vendor/janus-gateway-$version.tar.gz
	if [ -n "${JANUS_SOURCE_TARBALL:-}" ]; then
		[ -f "$JANUS_SOURCE_TARBALL" ] || die "JANUS_SOURCE_TARBALL: no such file: $JANUS_SOURCE_TARBALL"
		verify "$JANUS_SOURCE_TARBALL"
		echo "$JANUS_SOURCE_TARBALL"
	elif [ -f "$vendored" ]; then
		verify "$vendored"
		readlink -f "$vendored"
	else
		local file=$cache/janus-gateway-$version.tar.gz
		if [ ! -f "$file" ]; then
			say "downloading $url"
			mkdir -p "$cache"
			curl -fSL --retry 3 -o "$file.part" "$url" || die "download failed: $url"
			mv "$file.part" "$file"
		fi
		verify "$file"
		echo "$file"
	fi
}

build() {
	local src work
	src=$(tarball)
	work=$(mktemp -d "${TMPDIR:-/tmp}/duet-janus-build.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	say "building Janus $version from $src into $prefix (about a minute)"
	tar -xzf "$src" -C "$work"
	cd "$work/janus-gateway-$version"
	sh autogen.sh >"$work/autogen.log" 2>&1 || { tail -20 "$work/autogen.log" >&2; die "autogen.sh failed"; }
	./configure --prefix="$prefix" --disable-docs --disable-rabbitmq --disable-mqtt \
		--disable-nanomsg >"$work/configure.log" 2>&1 ||
		{ tail -30 "$work/configure.log" >&2; die "configure failed"; }
	make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; die "make failed"; }
	rm -rf "$prefix"
	make install >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; die "make install failed"; }
	echo "$sha256" >"$prefix/.duet-source-sha256"
	say "built: $("$prefix/bin/janus" --version 2>/dev/null | head -1)"
}

mkdir -p "$(dirname "$prefix")"
# One build at a time, also across concurrent test runs.
exec 9>"$(dirname "$prefix")/.janus-$version.lock"
flock 9
if [ "$force" = 1 ] || ! built; then
	(build)
	built || die "the build in $prefix is incomplete"
else
	say "reusing $prefix"
fi
echo "$prefix"
