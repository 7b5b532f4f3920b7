#!/usr/bin/env python3
"""UDP probe of a shaped link (tests/lib/shape.sh probe): measures the rate
and the random loss that a shaped direction really delivers, with the same
socket owners as the media it stands for.

  down: the receiving socket belongs to the impaired user (DUET_SHAPE_RX_USER,
        like the receiving Chromium); it says hello first, so that its flow's
        conntrack entry gets the shaping mark; the sender is the sender user
        (like the other browser of a direct call; Janus, root, matches the
        same "anyone but the impaired user" rule).
  up:   the sending socket belongs to the sender user (DUET_SHAPE_TX_USER,
        like the sending Chromium); the receiver is root.

Phase 1 sends 1,200-byte datagrams at twice the expected rate (or 20 Mbit/s
when the direction is unlimited) for `seconds`, and reports what arrived
per second between the first and the last datagram (the bfifo's backlog
drains after the sender stops, so the measure spans the whole arrival).
Phase 2 (only with --loss) sends at 0.8x the rate for twice as long, where the queue never
fills, and reports the share that did not arrive: the random loss.

Usage: udp-probe.py down|up --kbit K [--loss] [--seconds S]
Prints one line: "probe <dir>: <rate> kbit/s[, loss <p> %]".
Addresses: 10.99.0.1 and 10.99.0.2 of tests/lib/netns.sh (local, over lo).
"""

import argparse
import json
import os
import pwd
import socket
import struct
import sys
import time

SIZE = 1200
A, B = "10.99.0.1", "10.99.0.2"


def drop_to(user):
    """Become `user` (in a forked child) so that the sockets made next are theirs."""
    pw = pwd.getpwnam(user)
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)


def blast(sock, dest, kbit, seconds):
    """Send paced datagrams carrying a sequence number; return how many were sent."""
    interval = SIZE * 8 / (kbit * 1000.0)
    payload = bytearray(SIZE)
    start = time.monotonic()
    n = 0
    while True:
        due = start + n * interval
        now = time.monotonic()
        if now - start >= seconds:
            return n
        if due > now:
            time.sleep(min(due - now, 0.002))
            continue
        struct.pack_into("!I", payload, 0, n)
        try:
            sock.sendto(payload, dest)
        except (BlockingIOError, OSError):
            pass  # a full local queue is loss too
        n += 1


def receive(sock, quiet=0.6):
    """Datagrams until `quiet` s pass with none: (count, bytes, first, last arrival)."""
    sock.settimeout(quiet)
    count = nbytes = 0
    first = last = None
    while True:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return count, nbytes, first, last
        now = time.monotonic()
        if len(data) < SIZE:
            continue  # a hello
        first = first or now
        last = now
        count += 1
        nbytes += len(data)


def in_child(user, fn):
    """Run fn() in a forked child as `user`; returns a function that waits and gives fn's result."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            drop_to(user)
            os.write(w, json.dumps(fn()).encode())
        finally:
            os._exit(0)
    os.close(w)

    def result():
        data = b""
        while True:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        return json.loads(data.decode()) if data else None

    return result


def run_phase(direction, kbit, seconds, rx_user, tx_user):
    """One phase; returns (received, bytes, first, last arrival, sent)."""
    if direction == "down":
        # The sender is the sender user (like a direct call's; Janus's root
        # packets match the same rule); the receiving socket is the impaired
        # user's and says hello first, which marks the flow.
        port_r, port_w = os.pipe()

        def send():
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((A, 0))
            os.write(port_w, str(sock.getsockname()[1]).encode())
            sock.settimeout(3)
            _, peer = sock.recvfrom(100)
            return blast(sock, peer, kbit, seconds)

        sent = in_child(tx_user, send)
        os.close(port_w)
        tx_port = int(os.read(port_r, 100).decode())
        os.close(port_r)

        def recv():
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((B, 0))
            for _ in range(3):
                sock.sendto(b"hi", (A, tx_port))
            return receive(sock)

        received = in_child(rx_user, recv)
        return tuple(received()) + (sent(),)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind((B, 0))
    dest = rx.getsockname()

    def send_up():
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((A, 0))
        return blast(sock, dest, kbit, seconds)

    sent = in_child(tx_user, send_up)
    received = receive(rx)
    return received + (sent(),)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("direction", choices=("down", "up"))
    ap.add_argument("--kbit", type=float, default=0, help="the shaped rate; 0 = unlimited")
    ap.add_argument("--loss", action="store_true", help="also measure random loss below the rate")
    ap.add_argument("--seconds", type=float, default=1.5)
    a = ap.parse_args()
    rx_user = os.environ.get("DUET_SHAPE_RX_USER", "duetrx")
    tx_user = os.environ.get("DUET_SHAPE_TX_USER", "duettx")
    send_kbit = a.kbit * 2 if a.kbit else 20000
    count, nbytes, first, last, sent = run_phase(a.direction, send_kbit, a.seconds, rx_user, tx_user)
    if count < 2:
        print("probe %s: nothing arrived (%d of %d datagrams)" % (a.direction, count, sent))
        return 1
    rate = (nbytes - SIZE) * 8 / (last - first) / 1000
    text = "probe %s: %.0f kbit/s received (sent %.0f kbit/s" % (a.direction, rate, send_kbit)
    text += ", unlimited)" if not a.kbit else ", shaped to %.0f)" % a.kbit
    if a.loss and a.kbit:
        count, _, _, _, sent = run_phase(a.direction, a.kbit * 0.8, 2 * a.seconds, rx_user, tx_user)
        text += ", loss %.1f %% at 0.8x the rate (%d of %d lost)" % (100.0 * (sent - count) / max(sent, 1),
                                                                       sent - count, sent)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
