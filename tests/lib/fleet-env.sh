#!/usr/bin/env bash
# Start and stop a Duet fleet written by scripts/fleet-config.sh: Redis
# (optional), the Janus instances and HAProxy, all as children of this
# machine (tests, the demo's --instances, the fleet benchmark).
#
# Usage:
#   fleet-env.sh start <dir> [--redis PORT]   start everything, wait until ready
#   fleet-env.sh stop <dir>                   stop everything started in <dir>
#   fleet-env.sh kill <dir> <i>               SIGKILL instance i (a crash)
#   fleet-env.sh start-instance <dir> <i>     start instance i again
#   fleet-env.sh redis-stop <dir>             stop Redis (SIGKILL)
#   fleet-env.sh redis-start <dir>            start Redis again
#
# Pids and logs stay in <dir>: duet-<i>/janus.{pid,log}, haproxy.{pid,log},
# redis.{pid,log,port}. JANUS_BIN names the janus binary (default janus).
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# Columns of fleet.tsv: name host http ws admin secret dir
instance() { awk -F'\t' -v n="duet-$2" '$1 == n' "$1/fleet.tsv"; }
instance_count() { grep -c '^duet-' "$1/fleet.tsv"; }

wait_http() {
	local url=$1 pid=$2 what=$3 i
	for i in $(seq 1 200); do
		curl -sf -o /dev/null --max-time 1 "$url" && return 0
		kill -0 "$pid" 2>/dev/null || { echo "fleet-env.sh: $what exited during start" >&2; return 1; }
		sleep 0.05
	done
	echo "fleet-env.sh: $what did not answer $url within 10 s" >&2
	return 1
}

start_instance() {
	local dir=$1 i=$2 name host http ws admin secret idir pid
	IFS=$'\t' read -r name host http ws admin secret idir < <(instance "$dir" "$i")
	[ -n "$idir" ] || { echo "fleet-env.sh: no instance $i in $dir/fleet.tsv" >&2; return 1; }
	${JANUS_BIN:-janus} -C "$idir/janus.jcfg" -F "$idir" -L "$idir/janus.log" -N >"$idir/janus.stdout" 2>&1 &
	pid=$!
	echo "$pid" >"$idir/janus.pid"
	wait_http "http://$host:$http/janus/info" "$pid" "$name"
}

stop_pid() {
	local file=$1 signal=${2:-INT} pid i
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	rm -f "$file"
	kill -"$signal" "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		# Dead but not reaped yet (its parent may be gone): dead all the same.
		[ "$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" != Z ] || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
}

redis_start() {
	local dir=$1 port
	port=$(cat "$dir/redis.port")
	redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
		--logfile "$dir/redis.log" --daemonize no >/dev/null 2>&1 &
	echo $! >"$dir/redis.pid"
	for _ in $(seq 1 100); do
		redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "fleet-env.sh: Redis did not start on port $port" >&2
	return 1
}

start() {
	local dir=$1 redis_port="" i listen
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--redis) redis_port=$2; shift ;;
		*) usage ;;
		esac
		shift
	done
	if [ -n "$redis_port" ]; then
		echo "$redis_port" >"$dir/redis.port"
		redis_start "$dir"
	fi
	for i in $(seq 1 "$(instance_count "$dir")"); do
		start_instance "$dir" "$i"
	done
	haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
	echo $! >"$dir/haproxy.pid"
	listen=$(awk '/^\tbind /{print $2; exit}' "$dir/haproxy.cfg")
	wait_http "http://$listen/room/ready/janus/info" "$(cat "$dir/haproxy.pid")" HAProxy
}

stop() {
	local dir=$1 i idir
	stop_pid "$dir/haproxy.pid" TERM
	for i in $(seq 1 "$(instance_count "$dir")"); do
		idir=$(instance "$dir" "$i" | cut -f7)
		stop_pid "$idir/janus.pid" INT &
	done
	stop_pid "$dir/redis.pid" TERM
	wait
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$(cd "$2" && pwd)
shift 2
case "$cmd" in
start) start "$dir" "$@" ;;
stop) stop "$dir" ;;
kill) stop_pid "$(instance "$dir" "$1" | cut -f7)/janus.pid" KILL ;;
start-instance) start_instance "$dir" "$1" ;;
redis-stop) stop_pid "$dir/redis.pid" KILL ;;
redis-start) redis_start "$dir" ;;
*) usage ;;
esac
