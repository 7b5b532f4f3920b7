#!/usr/bin/env bash
# Shape one Unix user's UDP links inside the test's own network namespace
# (tests/lib/netns.sh), for the shaped-link benchmark (bench/network) and
# the end-to-end tests. Nothing here may run outside such a namespace: the
# qdisc and the iptables rules are the namespace's own and vanish with it.
#
# Where the packets go: Janus's media address (10.99.0.1, veth v0) and the
# browsers' candidates (10.99.0.1, 10.99.0.2) are all local addresses of
# the namespace, so every media packet, Janus's and a direct call's, is
# routed over lo (`ip route get 10.99.0.1 from 10.99.0.2` says "local";
# the veth pair carries none of it). So the shaping sits on lo:
#
#   htb root 1: on lo, default 0: anything not classified (TCP: CDP, HTTP,
#   WebSocket; other UDP) takes htb's direct path, unlimited;
#   class 1:10  the impaired user's downlink, bfifo of ~250 ms at its rate;
#   class 1:20  the sender user's uplink, the same.
#
# iptables-legacy, table mangle (netem and tc actions do not exist here):
#   OUTPUT      UDP sent by the impaired user (DUET_SHAPE_RX_USER, default
#               duetrx) marks its flow's conntrack entry (CONNMARK 0x1);
#   POSTROUTING UDP of marked flows sent by anyone else (Janus, the other
#               browser) = that user's downlink: random DROP (statistic)
#               if a loss is set, then CLASSIFY 1:10; UDP sent by the
#               sender user (DUET_SHAPE_TX_USER, default duettx) = its
#               uplink: DROP if a loss is set, CLASSIFY 1:20.
# A direction that is "off" keeps its class (at 10 Gbit/s) but classifies
# nothing into it; a rate change in the middle of a call is a `tc class
# change` and a rebuild of chain DUET_SHAPE.
#
# Usage (as root, inside the namespace):
#   shape.sh users                     create the two users if missing
#   shape.sh init                      qdisc, classes (both off), rules
#   shape.sh set [--down KBIT|off] [--down-loss PCT] [--up KBIT|off] [--up-loss PCT]
#                                      change rates and loss (others kept
#                                      for rates; loss not given = 0)
#   shape.sh probe down|up [KBIT] [--loss]   UDP probe, prints the rate measured
#   shape.sh show                      classes and rules with counters
#   shape.sh clear                     remove qdisc and rules
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dev=${DUET_SHAPE_DEV:-lo}
rx_user=${DUET_SHAPE_RX_USER:-duetrx}
tx_user=${DUET_SHAPE_TX_USER:-duettx}
ipt=iptables-legacy
off_kbit=10000000   # "off": 10 Gbit/s
mark=0x1

die() { echo "shape.sh: $*" >&2; exit 1; }

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

ensure_user() {
	local user=$1
	id -u "$user" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" \
		|| die "could not create user $user"
}

# The bfifo limit for ~250 ms at `kbit` (at least 4 full packets, at most 4 MB).
fifo_bytes() {
	local b=$(($1 * 1000 / 8 / 4))
	[ "$b" -ge 6000 ] || b=6000
	[ "$b" -le 4000000 ] || b=4000000
	echo "$b"
}

# htb's burst: 10 ms at the rate, at least two packets (lo's MTU is 64 KB,
# so htb's own default would let a 64 KB burst through).
burst_bytes() {
	local b=$(($1 * 1000 / 8 / 100))
	[ "$b" -ge 3200 ] || b=3200
	echo "$b"
}

# class <add|change> <minor> <kbit>
class() {
	local verb=$1 minor=$2 kbit=$3 burst
	burst=$(burst_bytes "$kbit")
	tc class "$verb" dev "$dev" parent 1: classid "1:$minor" htb rate "${kbit}kbit" ceil "${kbit}kbit" \
		burst "$burst" cburst "$burst" quantum 1514
	tc qdisc "$verb" dev "$dev" parent "1:$minor" handle "$minor:" bfifo limit "$(fifo_bytes "$kbit")"
}

# Whether class 1:<minor> is shaped (its rate is not the "off" rate).
shaped() {
	! tc class show dev "$dev" classid "1:$1" | grep -q 'rate 10Gbit'
}

# The rules of chain DUET_SHAPE for the given loss percentages (0 = none).
# CLASSIFY does not end the chain and the last one wins: a direction that
# is off classifies nothing (its packets take the direct path), and when
# both are shaped a direct call's sender->receiver packets, which are both
# the sender's uplink and the receiver's downlink, go to the downlink's class.
rules() {
	local down_loss=$1 up_loss=$2 rx tx
	rx=$(id -u "$rx_user") tx=$(id -u "$tx_user")
	$ipt -t mangle -F DUET_SHAPE
	local down_match=(-p udp -m connmark --mark "$mark" -m owner ! --uid-owner "$rx")
	local up_match=(-p udp -m owner --uid-owner "$tx")
	if [ "$up_loss" != 0 ]; then
		$ipt -t mangle -A DUET_SHAPE "${up_match[@]}" -m statistic --mode random \
			--probability "$(awk -v p="$up_loss" 'BEGIN{printf "%.4f", p/100}')" -j DROP
	fi
	if shaped 20; then
		$ipt -t mangle -A DUET_SHAPE "${up_match[@]}" -j CLASSIFY --set-class 1:20
	fi
	if [ "$down_loss" != 0 ]; then
		$ipt -t mangle -A DUET_SHAPE "${down_match[@]}" -m statistic --mode random \
			--probability "$(awk -v p="$down_loss" 'BEGIN{printf "%.4f", p/100}')" -j DROP
	fi
	if shaped 10; then
		$ipt -t mangle -A DUET_SHAPE "${down_match[@]}" -j CLASSIFY --set-class 1:10
	fi
}

init() {
	command -v $ipt >/dev/null || die "$ipt is missing (apt-get install iptables)"
	ensure_user "$rx_user"
	ensure_user "$tx_user"
	clear_all
	tc qdisc add dev "$dev" root handle 1: htb default 0
	class add 10 "$off_kbit"
	class add 20 "$off_kbit"
	$ipt -t mangle -N DUET_SHAPE
	$ipt -t mangle -A OUTPUT -p udp -m owner --uid-owner "$(id -u "$rx_user")" -j CONNMARK --set-mark "$mark"
	$ipt -t mangle -A POSTROUTING -j DUET_SHAPE
	rules 0 0
}

clear_all() {
	tc qdisc del dev "$dev" root 2>/dev/null || true
	$ipt -t mangle -F 2>/dev/null || true
	$ipt -t mangle -X DUET_SHAPE 2>/dev/null || true
}

kbit_of() { [ "$1" = off ] && echo "$off_kbit" || echo "$1"; }

set_shape() {
	local down="" up="" down_loss=0 up_loss=0
	while [ $# -gt 0 ]; do
		case "$1" in
		--down) down=$(kbit_of "$2"); shift ;;
		--up) up=$(kbit_of "$2"); shift ;;
		--down-loss) down_loss=$2; shift ;;
		--up-loss) up_loss=$2; shift ;;
		*) usage ;;
		esac
		shift
	done
	[ -z "$down" ] || class change 10 "$down"
	[ -z "$up" ] || class change 20 "$up"
	rules "$down_loss" "$up_loss"
}

probe() {
	local dir=${1:-} kbit=0 loss=()
	shift || true
	case "$dir" in down | up) ;; *) usage ;; esac
	while [ $# -gt 0 ]; do
		case "$1" in
		--loss) loss=(--loss) ;;
		off) kbit=0 ;;
		*) kbit=$1 ;;
		esac
		shift
	done
	DUET_SHAPE_RX_USER=$rx_user DUET_SHAPE_TX_USER=$tx_user \
		python3 "$here/udp-probe.py" "$dir" --kbit "$kbit" "${loss[@]}"
}

show() {
	tc -s class show dev "$dev"
	$ipt -t mangle -L -v -n
}

[ "$(id -u)" = 0 ] || die "needs root (run inside the test's network namespace)"
[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
users) ensure_user "$rx_user"; ensure_user "$tx_user" ;;
init) init ;;
set) set_shape "$@" ;;
probe) probe "$@" ;;
show) show ;;
clear) clear_all ;;
*) usage ;;
esac
