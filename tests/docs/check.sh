#!/usr/bin/env bash
# Checks that the repository stands on its own and that the API reference
# covers the code:
#   1. no file refers to something outside the repository or to a path of
#      a particular machine (a "shared" folder next to the repository, the
#      /work, /root or /home trees, a temporary file not named with the
#      project's own "duet-" prefix), except the one documented lookup of
#      the Janus source tarball (scripts/janus-source.sh);
#   2. docs/api.md names every request of the request table
#      (plugins/duet/routes.c), every field those requests take, and every
#      error code (plugins/duet/errors.h).
# Usage: tests/docs/check.sh   Prints "N passed, N failed" as its last line.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

passed=0
failed=0
result() {
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok: $1"
	else
		failed=$((failed + 1))
		echo "FAILED: $1"
	fi
}

# The files of the repository: tracked and new ones (not ignored build
# outputs), text only; without git, every file outside the build outputs.
files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -co --exclude-standard
	else
		find . -type f -not -path './out/*' -not -path './node_modules/*' -not -path './.git/*' | sed 's|^\./||'
	fi
}

# 1. References outside the repository. The patterns are built from parts
# so that this file does not match itself.
shared='\.\./'shared'|(^|[^a-z])'shared/'(spec|notes|vendor)'
machine='/'work/'|/'root/'|/'home/'|/'tmp/'([^d$]|d[^u]|du[^e]|due[^t])'
allowed='\.\./'sha'red/vendor/janus-gateway-'
hits=$(files | grep -v '^tests/fuzz/corpus/' | while read -r f; do
	[ -f "$f" ] && grep -IHnE "$shared|$machine" "$f" | grep -vE "$allowed"
done)
if [ -n "$hits" ]; then
	echo "References to files outside the repository or to paths of one machine:"
	echo "$hits" | cut -c1-200
fi
result "no references outside the repository" "$([ -z "$hits" ] && echo 0 || echo 1)"

# 2. The API reference covers the request table and the error codes.
api=docs/api.md
missing=""
requests=$(sed -n 's/^[[:space:]]*{"\([a-z_]*\)",[[:space:]]*\(A\)\{0,1\}SYNC.*/\1/p' plugins/duet/routes.c)
# The table is read by its layout; finding too few rows means the layout changed.
[ "$(wc -w <<<"$requests")" -ge 10 ] || missing="$missing (routes.c: request table not found)"
for name in $requests; do
	grep -q "^#.*\`$name\`" "$api" || missing="$missing request:$name"
done
for field in $(grep -oE '\{"[a-z_]+", DUET_P_|(STRING|BOOL|INT)\("[a-z_]+"' plugins/duet/routes.c |
	sed -E 's/.*"([a-z_]+)".*/\1/' | sort -u); do
	grep -q "\`$field\`" "$api" || missing="$missing field:$field"
done
for code in $(grep -oE '= 4[0-9][0-9]' plugins/duet/errors.h | tr -dc '0-9\n'); do
	grep -qE "^\| $code \|" "$api" || missing="$missing error:$code"
done
[ -z "$missing" ] || echo "docs/api.md does not document:$missing"
result "docs/api.md covers every request, field and error code" "$([ -z "$missing" ] && echo 0 || echo 1)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
