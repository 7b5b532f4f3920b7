#!/usr/bin/env bash
# Writes the configuration of a Duet fleet: N Janus instances (one or
# several hosts) behind one HAProxy that keeps every room on one instance.
#
# Usage: scripts/fleet-config.sh --out DIR [options]
#
#   --out DIR            where to write (created); see "What it writes"
#   --instances N        number of Janus instances (default 3)
#   --hosts A,B,...      addresses the instances listen on, used in turn
#                        (default 127.0.0.1: all on this host)
#   --interface ADDR     address each Janus writes in its SDP (default: its
#                        host's address; on one host, give the real one)
#   --ice-enforce LIST   nat.ice_enforce_list (default: none)
#   --redis-url URL      general.redis_url of every instance (default none:
#                        rooms made by create stay on their instance)
#   --listen ADDR:PORT   where HAProxy listens (default 127.0.0.1:8000)
#   --base-port P        instance i (1..N) gets HTTP P+i, WebSocket P+100+i,
#                        Admin API P+200+i (default 8100)
#   --rtp-base P         instance i gets UDP P+(i-1)*1000 .. +999 (default 20000)
#   --plugin FILE        the plugin each instance loads (default Debian's
#                        plugins folder + libjanus_duet.so)
#   --duet-config FILE   extra lines for janus.plugin.duet.jcfg's general
#                        section (e.g. admin_key = "..."), copied as they are
#   --admin-secret S     prefix of the Admin API secrets (default: random);
#                        instance i's secret is S-i
#   --check-inter MS     HAProxy health-check interval (default 400)
#   --debug-level N      Janus log level (default 4)
#   --evh URL            enable Janus's sample HTTP event handler on every
#                        instance (plugin events), posting to URL; each
#                        notification's "emitter" names its instance (duet-<i>)
#
# What it writes (DIR):
#   haproxy.cfg          the balancer: /room/<id>/... -> an instance, chosen by
#                        consistent hashing of <id>, prefix stripped; the same
#                        instance for HTTP (/room/<id>/janus/...) and
#                        WebSocket (ws://.../room/<id>); /janus/info checked
#                        every --check-inter ms, out after 2 failures
#   fleet.tsv            one line per instance: name host http ws admin secret dir
#                        (what scripts/duet-fleet reads)
#   duet-<i>/            instance i's Janus configuration folder (janus.jcfg
#                        with server_name "duet-<i>", which event handlers
#                        receive as "emitter"; transports; the plugin's
#                        config; plugins/ and transports/ with links to the
#                        modules). Start it with
#                        janus -C DIR/duet-<i>/janus.jcfg -F DIR/duet-<i>
#
# Media never goes through HAProxy: each Janus offers its own address and
# RTP port range (open them in the firewall). docs/deployment.md has the rest.
set -euo pipefail

janus_lib=/usr/lib/x86_64-linux-gnu/janus
out=""
instances=3
hosts=127.0.0.1
interface=""
ice_enforce=""
redis_url=""
listen=127.0.0.1:8000
base_port=8100
rtp_base=20000
plugin=$janus_lib/plugins/libjanus_duet.so
duet_extra=""
secret_prefix=""
check_inter=400
debug_level=4
evh_url=""

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift ;;
	--instances) instances=$2; shift ;;
	--hosts) hosts=$2; shift ;;
	--interface) interface=$2; shift ;;
	--ice-enforce) ice_enforce=$2; shift ;;
	--redis-url) redis_url=$2; shift ;;
	--listen) listen=$2; shift ;;
	--base-port) base_port=$2; shift ;;
	--rtp-base) rtp_base=$2; shift ;;
	--plugin) plugin=$(readlink -f "$2"); shift ;;
	--duet-config) duet_extra=$(cat "$2"); shift ;;
	--admin-secret) secret_prefix=$2; shift ;;
	--check-inter) check_inter=$2; shift ;;
	--debug-level) debug_level=$2; shift ;;
	--evh) evh_url=$2; shift ;;
	-h | --help) usage ;;
	*) echo "fleet-config.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
[ -n "$out" ] || usage
case "$instances" in '' | *[!0-9]* | 0) echo "fleet-config.sh: --instances must be 1 or more" >&2; exit 2 ;; esac
[ -n "$secret_prefix" ] || secret_prefix=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir -p "$out"
out=$(cd "$out" && pwd)
IFS=, read -r -a host_list <<<"$hosts"

host_of() { echo "${host_list[$(( ($1 - 1) % ${#host_list[@]} ))]}"; }

write_janus() {
	local i=$1 dir=$2 host=$3 http=$4 ws=$5 admin=$6 secret=$7
	local rtp_lo=$((rtp_base + (i - 1) * 1000)) ice_line=""
	[ -z "$ice_enforce" ] || ice_line="ice_enforce_list = \"$ice_enforce\""
	mkdir -p "$dir/plugins" "$dir/transports" "$dir/events" "$dir/loggers" "$dir/recordings"
	ln -sf "$plugin" "$dir/plugins/libjanus_duet.so"
	ln -sf "$janus_lib/transports/libjanus_http.so" "$dir/transports/"
	ln -sf "$janus_lib/transports/libjanus_websockets.so" "$dir/transports/"
	cat >"$dir/janus.jcfg" <<EOF
# Duet fleet instance $i of $instances (scripts/fleet-config.sh)
general: {
	configs_folder = "$dir"
	plugins_folder = "$dir/plugins"
	transports_folder = "$dir/transports"
	events_folder = "$dir/events"
	loggers_folder = "$dir/loggers"
	debug_level = $debug_level
	server_name = "duet-$i"	# the "emitter" of its event-handler notifications
	admin_secret = "$secret"
	interface = "${interface:-$host}"
	session_timeout = 60
	protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/proc", "/sbin", "/sys", "/usr" ]
}
media: {
	ipv6 = false
	rtp_port_range = "$rtp_lo-$((rtp_lo + 999))"
	# A second of sent video for retransmissions: on a slow receiver's
	# link, Janus's 200 ms is gone before its NACK comes (docs/adaptation.md).
	min_nack_queue = 1000
}
nat: {
	ignore_mdns = true
	$ice_line
}
plugins: {
}
transports: {
}
events: {
	broadcast = $([ -n "$evh_url" ] && echo true || echo false)
}
EOF
	if [ -n "$evh_url" ]; then
		ln -sf "$janus_lib/events/libjanus_sampleevh.so" "$dir/events/"
		cat >"$dir/janus.eventhandler.sampleevh.jcfg" <<EOF
general: {
	enabled = true
	events = "plugins"
	grouping = true
	json = "compact"
	backend = "$evh_url"
}
EOF
	fi
	cat >"$dir/janus.transport.http.jcfg" <<EOF
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = $http
	ip = "$host"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $admin
	admin_ip = "$host"
	admin_https = false
}
cors: {
}
EOF
	cat >"$dir/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "compact"
	ws = true
	ws_port = $ws
	ws_ip = "$host"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF
	cat >"$dir/janus.plugin.duet.jcfg" <<EOF
general: {
	auto_create = true
	rec_dir = "$dir/recordings"
${redis_url:+	redis_url = \"$redis_url\"}
$duet_extra
}
EOF
}

servers_http=""
servers_ws=""
printf '# name\thost\thttp\tws\tadmin\tsecret\tdir\n' >"$out/fleet.tsv"
for i in $(seq 1 "$instances"); do
	host=$(host_of "$i")
	http=$((base_port + i)) ws=$((base_port + 100 + i)) admin=$((base_port + 200 + i))
	secret=$secret_prefix-$i
	write_janus "$i" "$out/duet-$i" "$host" "$http" "$ws" "$admin" "$secret"
	printf 'duet-%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$host" "$http" "$ws" "$admin" "$secret" "$out/duet-$i" >>"$out/fleet.tsv"
	# The same names, ids and weights in both backends: the same ring, so a
	# room's HTTP and WebSocket clients meet on one instance; the WebSocket
	# servers track the HTTP ones' checks, so both rings change together.
	servers_http+="	server duet-$i $host:$http id $i weight 100 check"$'\n'
	servers_ws+="	server duet-$i $host:$ws id $i weight 100 track duet_http/duet-$i"$'\n'
done

cat >"$out/haproxy.cfg" <<EOF
# Duet fleet: $instances Janus instance(s) behind one HAProxy (scripts/fleet-config.sh).
# A client puts its room into the path: HTTP long-poll http://HOST/room/<id>/janus
# (janus.js appends /<session>/<handle>), WebSocket ws://HOST/room/<id>. The room
# is hashed consistently (the same room, the same instance, as long as it is up),
# and /room/<id> is stripped before the request reaches Janus.
global
	maxconn 8000
	stats socket $out/haproxy.sock mode 600 level user	# "show stat": which instances are up
	# no log target: add "log /dev/log local0" on a real host

defaults
	mode http
	timeout connect 1s
	timeout client 70s	# longer than a 30 s long-poll
	timeout server 70s
	timeout tunnel 1h	# an open WebSocket
	timeout http-keep-alive 10s
	option redispatch	# a request for a dead instance goes to the next one
	retries 2
	default-server inter ${check_inter}ms fastinter ${check_inter}ms downinter 1s fall 2 rise 2

frontend duet
	bind $listen
	http-request deny deny_status 404 unless { path_reg ^/room/[A-Za-z0-9_-]{1,64}(/|\$) }
	http-request set-var(txn.room) path,field(3,/)
	http-request set-path %[path,regsub(^/room/[^/]+/?,/)]
	use_backend duet_ws if { hdr(upgrade) -i websocket }
	default_backend duet_http

backend duet_http
	balance hash var(txn.room)
	hash-type consistent sdbm avalanche
	option httpchk GET /janus/info
	http-check expect status 200
$servers_http
backend duet_ws
	balance hash var(txn.room)
	hash-type consistent sdbm avalanche
$servers_ws
EOF
echo "fleet-config.sh: $instances instance(s) in $out (haproxy.cfg, fleet.tsv, duet-1..$instances/)"
