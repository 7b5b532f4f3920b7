#!/bin/sh
# Runs janus (arguments as given by tests/lib/janus-env.sh) in a mount
# namespace of its own in which its -F folder, where janus.plugin.duet.jcfg
# lives, is read-only; only janus.log stays writable. For the tests of
# permanent requests whose configuration file cannot be written
# (test_lifecycle.py): JANUS_BIN=<this file> janus-env.sh start <dir>.
# Nothing outside the namespace sees the read-only mount.
dir=
prev=
for arg in "$@"; do
	[ "$prev" = -F ] && dir=$arg
	prev=$arg
done
[ -n "$dir" ] || { echo "readonly-janus.sh: no -F folder" >&2; exit 2; }
export DUET_REAL_JANUS_BIN=${DUET_REAL_JANUS_BIN:-janus}
exec unshare -m --propagation private sh -c '
	set -e
	dir=$1
	shift
	touch "$dir/janus.log"
	mount --bind "$dir" "$dir"
	mount -o remount,bind,ro "$dir"
	mount --bind "$dir/janus.log" "$dir/janus.log"
	mount -o remount,bind,rw "$dir/janus.log"
	exec "$DUET_REAL_JANUS_BIN" "$@"' sh "$dir" "$@"
