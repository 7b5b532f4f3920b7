#!/usr/bin/env bash
# Copies the repository's source files (tracked and new ones, no build
# outputs, no fuzz corpus) into a folder, for builds that must not touch the
# working tree: Duet against another Janus (tests/janus14), the Debian
# package (tests/package). Without git, everything but the build outputs.
#
# Usage: tests/lib/copy-tree.sh <dest>
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# = 1 ] || { echo "usage: $0 <dest>" >&2; exit 2; }
mkdir -p "$1"
dest=$(cd "$1" && pwd)
cd "$repo"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard -z | grep -zv '^tests/fuzz/corpus/' |
		tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$dest"
else
	tar --exclude=./out --exclude=./node_modules --exclude=.libs --exclude='*.o' --exclude='*.lo' \
		--exclude=./Makefile --exclude=./config.status --exclude=./tests/fuzz/corpus -cf - . | tar -xf - -C "$dest"
fi
