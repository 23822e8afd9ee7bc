#!/usr/bin/env python3
"""Slowloris for tests/heavy/load.sh: hold many connections open on a server
by sending an HTTP request that never ends, a header line every few seconds.

  slowloris.py HOST PORT --conns N --sources 127.0.0.2,127.0.0.3 --seconds S
               [--interval I]

Connections are spread over the source addresses in turn (each a client of
its own to the server's per-address limit). Prints one JSON object: how
many connected, were refused, were still open at the end, and were closed
by the server on the way.
"""
import argparse
import json
import resource
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
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, a.conns + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    sources = a.sources.split(",")
    socks, refused = [], 0
    for i in range(a.conns):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        try:
            s.bind((sources[i % len(sources)], 0))
            s.connect((a.host, a.port))
            # a request line and one header, never the blank line
            s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\n" % a.host.encode())
            s.setblocking(False)
            socks.append(s)
        except OSError:
            refused += 1
            s.close()
    connected = len(socks)
    closed = 0
    end = time.monotonic() + a.seconds
    n = 0
    while time.monotonic() < end and socks:
        time.sleep(min(a.interval, max(0.0, end - time.monotonic())))
        alive = []
        for s in socks:
            try:
                # the server closed (or answered, e.g. 408/503): it is done with us
                if s.recv(4096, socket.MSG_PEEK) is not None:
                    closed += 1
                    s.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
                s.close()
                continue
            try:
                s.send(b"X-Slow-%d: x\r\n" % n)
                alive.append(s)
            except OSError:
                closed += 1
                s.close()
        socks = alive
        n += 1
    print(json.dumps({"connected": connected, "refused": refused, "open_at_end": len(socks),
                      "closed_by_server": closed}))
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
