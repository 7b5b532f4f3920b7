#!/usr/bin/env bash
# Run a command inside a fresh private network namespace.
#
# Janus never gathers ICE candidates on loopback, so every test that sets up
# a PeerConnection runs Janus, the page server, the browser and the test
# runner inside a namespace of its own that holds a veth pair with test
# addresses (10.99.0.1 on v0, 10.99.0.2 on v1). Nothing can leave it: the
# namespace has no route to any other network.
#
# Usage: tests/lib/netns.sh <command> [args...]
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "netns.sh: creating a network namespace needs root (unshare -n); run the tests as root" >&2
	exit 2
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 <command> [args...]" >&2
	exit 2
fi

exec unshare -n sh -c '
	set -e
	ip link set lo up
	ip link add v0 type veth peer name v1
	ip addr add 10.99.0.1/24 dev v0
	ip addr add 10.99.0.2/24 dev v1
	ip link set v0 up
	ip link set v1 up
	exec "$@"' sh "$@"
