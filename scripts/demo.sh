#!/usr/bin/env bash
# Duet — the one-command demo.
#
# On a Debian bookworm machine, as root:
#     scripts/demo.sh
# installs what is missing, builds the plugin, starts Janus with it and serves
# the demo page, then prints the address to open in two browser tabs (or two
# windows) of the same machine. Ctrl-C stops everything it started.
#
# Options / environment:
#   --port N          port of the page server (default 8080; env DUET_DEMO_PORT)
#   --interface ADDR  address Janus offers for media (default: this machine's
#                     address on the default route; env DUET_INTERFACE)
#   --no-build        use the plugin as it is (env DUET_PLUGIN names another .so)
#   --instances N     run a fleet instead of one Janus: N instances behind HAProxy
#                     on 127.0.0.1:8000 (rooms hashed to instances by
#                     /room/<id>), rooms shared through Redis on 127.0.0.1:6390,
#                     written by scripts/fleet-config.sh, started by
#                     tests/lib/fleet-env.sh; the page gets ?fleet=http://localhost:8000
#                     (the React example, which has no ?fleet=, needs one Janus)
#   DUET_PLUGIN       the plugin to load (default plugins/.libs/libjanus_duet.so)
#
# What runs, all bound to this machine:
#   Janus         HTTP 127.0.0.1:8088/janus, WebSocket 127.0.0.1:8188,
#                 Admin API 127.0.0.1:7088/admin and ws://127.0.0.1:7188 (secret "duetadmin"),
#                 configuration in a fresh temporary folder (never /etc/janus),
#                 via tests/lib/janus-env.sh
#   page server   http://localhost:PORT/  (Debian's python3 http.server on
#                 127.0.0.1: html/ plus /javascript/ = /usr/share/javascript,
#                 where Debian's janus.js and adapter.js live, /duet-client/ =
#                 client/ (the library the page uses) and /react/ = the React
#                 example, examples/react/)
#
# Why an --interface: Janus never gathers ICE candidates on loopback, so even
# for two tabs on one machine it must offer a real interface address; the
# browser reaches it from its own address on that interface. Nothing needs to
# be reachable from outside for this.
#
# ---------------------------------------------------------------------------
# Using it from other machines (HTTPS)
# ---------------------------------------------------------------------------
# Browsers give the camera and microphone only to secure pages: http://localhost
# is one, http://<your-ip> is not. To let someone on another machine join:
#
# 1. Serve the page over HTTPS (any web server with a certificate; e.g. nginx
#    or Apache, with /javascript/ aliased to /usr/share/javascript — Debian's
#    javascript-common package does exactly that for Apache).
#
# 2. Give Janus the certificate too, and open its secure transports. In the
#    Janus configuration folder (janus-env.sh writes one per run; copy it or
#    edit /etc/janus for a permanent setup):
#      janus.jcfg:
#        certificates: {
#            cert_pem = "/etc/letsencrypt/live/duet.example.org/fullchain.pem"
#            cert_key = "/etc/letsencrypt/live/duet.example.org/privkey.pem"
#        }
#        general: { interface = "<the public address>" }   # or nat: { nat_1_1_mapping = ... } behind NAT
#        nat: { ice_enforce_list = "<the public interface>" }
#        media: { min_nack_queue = 1000 }   # retransmissions on slow links (docs/adaptation.md)
#      janus.transport.websockets.jcfg:
#        general: { wss = true  wss_port = 8989  wss_ip = "0.0.0.0" }
#        certificates: { cert_pem = "...fullchain.pem"  cert_key = "...privkey.pem" }
#      janus.transport.http.jcfg:
#        general: { https = true  secure_port = 8089  secure_ip = "0.0.0.0" }
#        certificates: { cert_pem = "...fullchain.pem"  cert_key = "...privkey.pem" }
#    (The DTLS certificate for the media itself Janus makes on its own; the
#    same certificates: section in janus.jcfg can pin one instead.)
#
# 3. The page picks wss://<host>:8989 and https://<host>:8089/janus by itself
#    when it is loaded over https:// (see defaultServers() in
#    client/src/call.js); ?janus=<url> overrides, e.g.
#    https://duet.example.org/?room=1234&janus=wss://duet.example.org/janus-ws
#    when a reverse proxy forwards WebSockets to Janus. html/config.js holds
#    the same settings (servers, iceServers, janus.js flavour) for a deployment.
#
# 4. Open UDP 20000-20999 (rtp_port_range) and the transport ports in the
#    firewall. No STUN or TURN is needed when browsers can reach Janus
#    directly (media always goes to Janus); for browsers on networks that
#    block UDP, put a TURN server in html/config.js's iceServers (or
#    ?ice=turn:...&iceuser=...&icepass=...). The default is none.
# ---------------------------------------------------------------------------
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
port=${DUET_DEMO_PORT:-8080}
interface=${DUET_INTERFACE:-}
build=1
instances=0

while [ $# -gt 0 ]; do
	case "$1" in
	--port) port=$2; shift ;;
	--interface) interface=$2; shift ;;
	--no-build) build=0 ;;
	--instances) instances=$2; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- 1. packages ------------------------------------------------------------
packages=(janus janus-dev libjs-janus-gateway libjs-webrtc-adapter
	libglib2.0-dev libjansson-dev libnice-dev libhiredis-dev
	autoconf automake libtool pkg-config make gcc curl python3 iproute2)
[ "$instances" -gt 0 ] && packages+=(haproxy redis-server)
# node and npm build the duet-client library and the React example (any
# node >= 18 will do; Debian's nodejs and npm packages when none is installed).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "demo.sh: missing packages: ${missing[*]} — run as root (or apt-get install them first)" >&2
		exit 1
	fi
	say "Installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# --- 2. the plugin ------------------------------------------------------------
plugin=${DUET_PLUGIN:-$repo/plugins/.libs/libjanus_duet.so}
if [ -z "${DUET_PLUGIN:-}" ] && [ "$build" = 1 ]; then
	say "Building the plugin"
	(
		cd "$repo"
		if [ ! -f Makefile ]; then autoreconf -fi && ./configure; fi
		make -j"$(nproc)"
	)
fi
if [ ! -f "$plugin" ]; then
	echo "demo.sh: no plugin at $plugin" >&2
	exit 1
fi

# --- 2b. the JavaScript: duet-client's browser build and the React example --
if [ "$build" = 1 ] || [ ! -f "$repo/client/dist/duet-client.js" ] || [ ! -f "$repo/examples/react/dist/app.js" ]; then
	say "Building duet-client and the React example"
	(
		cd "$repo"
		[ -d node_modules/janus-gateway ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
		npm run build
	)
fi

# --- 3. the address Janus offers for media ---------------------------------
# The interface of the default route, else the first global IPv4 address.
iface=""
if [ -z "$interface" ]; then
	iface=$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')
	if [ -n "$iface" ]; then
		interface=$(ip -4 -o addr show dev "$iface" scope global | awk '{sub(/\/.*/, "", $4); print $4; exit}')
	fi
	if [ -z "$interface" ]; then
		read -r iface interface < <(ip -4 -o addr show scope global | awk '{sub(/\/.*/, "", $4); print $2, $4; exit}') || true
	fi
fi
if [ -z "$interface" ]; then
	echo "demo.sh: this machine has no non-loopback IPv4 address, and Janus cannot do ICE on loopback only;" >&2
	echo "         pass --interface ADDR with an address of one of its interfaces" >&2
	exit 1
fi
if [ -z "$iface" ]; then
	iface=$(ip -4 -o addr show | awk -v a="$interface" '{sub(/\/.*/, "", $4); if ($4 == a) { print $2; exit }}')
fi

# --- 4. start Janus and the page server -------------------------------------
ports=(8088 8188 7088 7188)
if [ "$instances" -gt 0 ]; then
	ports=(8000 6390)
	for i in $(seq 1 "$instances"); do ports+=($((8100 + i)) $((8200 + i)) $((8300 + i))); done
fi
for p in "${ports[@]}" "$port"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "demo.sh: port $p on 127.0.0.1 is already in use (another Janus or demo running?)" >&2
		exit 1
	fi
done

workdir=$(mktemp -d /tmp/duet-demo.XXXXXX)
server_pid=""
cleanup() {
	trap - INT TERM EXIT
	echo
	say "Stopping"
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ "$instances" -gt 0 ]; then
		"$repo/tests/lib/fleet-env.sh" stop "$workdir" || true
	else
		DUET_PLUGIN="$plugin" "$repo/tests/lib/janus-env.sh" stop "$workdir" || true
	fi
	rm -rf "$workdir"
}
trap cleanup INT TERM EXIT

page_query=""
if [ "$instances" -gt 0 ]; then
	say "Starting $instances Janus instances behind HAProxy, with Redis (media on $interface${iface:+, interface $iface})"
	"$repo/scripts/fleet-config.sh" --out "$workdir" --instances "$instances" --plugin "$plugin" \
		--interface "$interface" --ice-enforce "${iface:-$interface}" --redis-url redis://127.0.0.1:6390/0
	"$repo/tests/lib/fleet-env.sh" start "$workdir" --redis 6390
	page_query="?fleet=http://localhost:8000"
else
	say "Starting Janus (media on $interface${iface:+, interface $iface})"
	DUET_PLUGIN="$plugin" "$repo/tests/lib/janus-env.sh" start "$workdir" \
		--interface "$interface" --ice-enforce "${iface:-$interface}" --min-nack-queue 1000
fi

say "Serving the page on http://localhost:$port/"
/usr/bin/python3 - "$repo/html" "$port" <<'EOF' &
# A tiny static server: html/ at /, Debian's /usr/share/javascript at
# /javascript/, the duet-client package at /duet-client/, the React example at /react/.
import functools, http.server, os, sys

root, port = sys.argv[1], int(sys.argv[2])
repo = os.path.dirname(root)
mounts = [("/javascript/", "/usr/share/javascript"),
          ("/duet-client/", os.path.join(repo, "client")),
          ("/react/", os.path.join(repo, "examples/react"))]

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map, **{".js": "text/javascript", ".mjs": "text/javascript"})

    def translate_path(self, path):
        for prefix, base in mounts:
            if path.startswith(prefix):
                return self._under(base, path[len(prefix) - 1:])
        return super().translate_path(path)

    def _under(self, base, path):
        saved = self.directory
        self.directory = base
        try:
            return super().translate_path(path)
        finally:
            self.directory = saved

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, fmt, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root))
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
EOF
server_pid=$!
for _ in $(seq 1 50); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
	kill -0 "$server_pid" 2>/dev/null || { echo "demo.sh: the page server did not start" >&2; exit 1; }
	sleep 0.1
done

if [ "$instances" -gt 0 ]; then
	# The React example connects to one Janus on the default ports (it has no
	# ?fleet=), which a fleet does not run.
	react="The React example needs one Janus: run scripts/demo.sh without --instances."
	logs="Janus logs: $workdir/duet-*/janus.log; HAProxy: $workdir/haproxy.log
    The fleet's rooms: scripts/duet-fleet --fleet $workdir/fleet.tsv list"
else
	react="The React example: http://localhost:$port/react/  in two tabs (room 1234)."
	logs="Janus log: $workdir/janus.log"
fi
cat <<EOF

  Duet is running.

    Open   http://localhost:$port/$page_query   in a browser tab: it makes a room and
    shows an invite link; open that link in a second tab or window.
    (?janusjs=debian runs it on Debian's janus.js; ?simulcast=1 simulcasts.)

    $react

    $logs
    Press Ctrl-C to stop Janus and the page server.

EOF
wait "$server_pid"
