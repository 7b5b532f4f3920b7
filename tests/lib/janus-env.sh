#!/usr/bin/env bash
# Start and stop a private Janus instance for tests and demos.
#
# Every run gets its own folder holding the whole Janus configuration
# (never /etc/janus), a plugins folder with only the plugins under test,
# a transports folder with only HTTP and WebSocket, and the log. Janus
# listens on loopback only: HTTP 127.0.0.1:8088, WebSocket 127.0.0.1:8188,
# Admin API 127.0.0.1:7088/admin (and WebSocket 127.0.0.1:7188). Media candidates use the veth address
# 10.99.0.1 made by tests/lib/netns.sh (pass --interface to change it).
#
# Usage:
#   janus-env.sh start <dir> [options]   write config into <dir>, start Janus, wait until ready
#   janus-env.sh stop <dir>              stop the Janus started in <dir>
#   janus-env.sh config <dir> [options]  only write the configuration
#
# Options:
#   --duet-config <file>   use <file> as janus.plugin.duet.jcfg (default: the one
#                          already in <dir>, else a minimal one)
#   --videocall            also load Janus's own VideoCall plugin
#   --evh <url>            enable the sample HTTP event handler, posting to <url>
#   --token-auth <secret>  enable Janus signed-token auth with this secret
#   --stored-tokens        enable Janus stored-token auth (add tokens via the Admin API)
#   --interface <addr>     address Janus writes in its SDP (default 10.99.0.1)
#   --ice-enforce <list>   ice_enforce_list (default v0)
#   --debug-level <n>      Janus log level (default 4)
#   --session-timeout <s>  Janus session timeout (default 60)
#   --rtp-port-range <a-b> UDP ports for media (default 20000-20999)
#   --min-nack-queue <ms>  how long the core keeps sent video for retransmission
#                          at least (default: Janus's own, 200)
#   --port-offset <n>      add n to the four ports above (a second Janus beside
#                          the first, e.g. 10: HTTP 8098, WebSocket 8198, ...)
#
# Environment: DUET_PLUGIN is the plugin to load (default: this build's
# plugins/.libs/libjanus_duet.so); JANUS_BIN the janus binary (default janus,
# Debian's); JANUS_LIB the folder holding that Janus's plugins/, transports/
# and events/ (default: PREFIX/lib/janus when JANUS_BIN is PREFIX/bin/janus
# and that folder exists, as in a Janus built from source, else Debian's
# /usr/lib/x86_64-linux-gnu/janus).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
janus_lib=${JANUS_LIB:-}
if [ -z "$janus_lib" ] && [ -n "${JANUS_BIN:-}" ] && [ -d "$(dirname "$JANUS_BIN")/../lib/janus/transports" ]; then
	janus_lib=$(cd "$(dirname "$JANUS_BIN")/../lib/janus" && pwd)
fi
janus_lib=${janus_lib:-/usr/lib/x86_64-linux-gnu/janus}
admin_secret=duetadmin

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

write_core_config() {
	local dir=$1
	cat >"$dir/janus.jcfg" <<EOF
general: {
	configs_folder = "$dir"
	plugins_folder = "$dir/plugins"
	transports_folder = "$dir/transports"
	events_folder = "$dir/events"
	loggers_folder = "$dir/loggers"
	debug_level = $debug_level
	admin_secret = "$admin_secret"
	interface = "$interface"
	session_timeout = $session_timeout
	protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/proc", "/sbin", "/sys", "/usr" ]
$auth_lines
}
media: {
	ipv6 = false
	rtp_port_range = "$rtp_port_range"
	# Lost packets per second that make the core report a slow link (0,
	# Janus's default, never does); Duet passes it on as slow_link.
	slowlink_threshold = 4
$nack_lines
}
nat: {
	nice_debug = false
	ice_enforce_list = "$ice_enforce"
	ignore_mdns = true
}
plugins: {
}
transports: {
}
events: {
	broadcast = $broadcast
}
EOF
}

write_transport_config() {
	local dir=$1
	cat >"$dir/janus.transport.http.jcfg" <<EOF
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = $((8088 + port_offset))
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $((7088 + port_offset))
	admin_ip = "127.0.0.1"
	admin_https = false
}
cors: {
}
EOF
	cat >"$dir/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "compact"
	ws = true
	ws_port = $((8188 + port_offset))
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = true
	admin_ws_port = $((7188 + port_offset))
	admin_ws_ip = "127.0.0.1"
	admin_wss = false
}
EOF
}

write_plugin_config() {
	local dir=$1
	if [ -n "$duet_config" ]; then
		cp "$duet_config" "$dir/janus.plugin.duet.jcfg"
	elif [ ! -f "$dir/janus.plugin.duet.jcfg" ]; then
		# A restart in the same folder keeps the plugin's configuration,
		# so that rooms written by "permanent" requests survive it.
		cat >"$dir/janus.plugin.duet.jcfg" <<EOF
general: {
	auto_create = true
	rec_dir = "$dir/recordings"
}
EOF
	fi
	if [ "$videocall" = 1 ]; then
		printf 'general: {\n\tevents = false\n}\n' >"$dir/janus.plugin.videocall.jcfg"
	fi
}

write_event_handler_config() {
	local dir=$1
	[ -n "$evh_url" ] || return 0
	ln -sf "$janus_lib/events/libjanus_sampleevh.so" "$dir/events/"
	cat >"$dir/janus.eventhandler.sampleevh.jcfg" <<EOF
general: {
	enabled = true
	events = "plugins"
	grouping = false
	json = "compact"
	backend = "$evh_url"
}
EOF
}

link_modules() {
	local dir=$1
	mkdir -p "$dir/plugins" "$dir/transports" "$dir/events" "$dir/loggers" "$dir/recordings"
	if [ ! -f "$plugin" ]; then
		echo "janus-env.sh: plugin not found: $plugin (build it first, or set DUET_PLUGIN)" >&2
		exit 1
	fi
	ln -sf "$(readlink -f "$plugin")" "$dir/plugins/libjanus_duet.so"
	if [ "$videocall" = 1 ]; then
		ln -sf "$janus_lib/plugins/libjanus_videocall.so" "$dir/plugins/"
	fi
	ln -sf "$janus_lib/transports/libjanus_http.so" "$dir/transports/"
	ln -sf "$janus_lib/transports/libjanus_websockets.so" "$dir/transports/"
}

write_config() {
	local dir=$1
	mkdir -p "$dir"
	link_modules "$dir"
	write_core_config "$dir"
	write_transport_config "$dir"
	write_plugin_config "$dir"
	write_event_handler_config "$dir"
}

wait_ready() {
	local dir=$1 pid=$2 i
	for i in $(seq 1 200); do
		if curl -sf -o /dev/null "http://127.0.0.1:$((8088 + port_offset))/janus/info"; then
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "janus-env.sh: Janus exited during start; last lines of $dir/janus.log:" >&2
			tail -20 "$dir/janus.log" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "janus-env.sh: Janus did not answer on 127.0.0.1:$((8088 + port_offset)) within 10 s" >&2
	return 1
}

start() {
	local dir=$1
	write_config "$dir"
	${JANUS_BIN:-janus} -C "$dir/janus.jcfg" -F "$dir" -L "$dir/janus.log" -N >"$dir/janus.stdout" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/janus.pid"
	wait_ready "$dir" "$pid"
}

stop() {
	local dir=$1 pid i
	[ -f "$dir/janus.pid" ] || return 0
	pid=$(cat "$dir/janus.pid")
	rm -f "$dir/janus.pid"
	kill -INT "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2

plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
duet_config=""
videocall=0
evh_url=""
auth_lines=""
interface=10.99.0.1
ice_enforce=v0
debug_level=4
session_timeout=60
rtp_port_range=20000-20999
nack_lines=
port_offset=0
broadcast=false
while [ $# -gt 0 ]; do
	case "$1" in
	--duet-config) duet_config=$(readlink -f "$2"); shift ;;
	--videocall) videocall=1 ;;
	--evh) evh_url=$2; broadcast=true; shift ;;
	--token-auth) auth_lines="	token_auth = true
	token_auth_secret = \"$2\""; shift ;;
	--stored-tokens) auth_lines="	token_auth = true" ;;
	--interface) interface=$2; shift ;;
	--ice-enforce) ice_enforce=$2; shift ;;
	--debug-level) debug_level=$2; shift ;;
	--session-timeout) session_timeout=$2; shift ;;
	--rtp-port-range) rtp_port_range=$2; shift ;;
	--min-nack-queue) nack_lines="	min_nack_queue = $2"; shift ;;
	--port-offset) port_offset=$2; shift ;;
	*) usage ;;
	esac
	shift
done

case "$cmd" in
start) start "$dir" ;;
stop) stop "$dir" ;;
config) write_config "$dir" ;;
*) usage ;;
esac
