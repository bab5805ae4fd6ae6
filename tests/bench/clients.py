#!/usr/bin/env python3
"""Loopback clients for bench_appaccept.

short N PORT  N clients one after another, as fast as connect() returns: each connects, sends a
              line and closes. Prints the seconds it took.
idle N PORT   N connections opened and held, idle, until stdin closes. Prints 'open N' once all
              are connected.
"""
import socket
import sys
import time


def main():
    mode, n, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start = time.monotonic()
    if mode == "short":
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            s.sendall(b"hello %d\n" % i)
            s.close()
        print("%.3f" % (time.monotonic() - start), flush=True)
        return
    held = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(n)]
    print("open %d" % len(held), flush=True)
    sys.stdin.read()
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
