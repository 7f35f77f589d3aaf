"""Slow request bodies against a running webhook: do normal messages still get answered in time?

Opens `--slow` connections that declare a body and send only part of it, a byte now and then,
and holds them for `--duration` seconds; meanwhile sends signed normal messages one after
another and measures their latency. Loopback URLs only; bounded in connections and time.

    .venv/bin/python bench/slow_bodies.py --url http://127.0.0.1:8610/wechat --slow 40 --duration 20
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.simulator import new_msg_id, post_signed, text_xml  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def hold_slow_connection(host: str, port: int, path: str, stop: threading.Event, opened: list, trickle: bool) -> None:
    """Declare a 4 KB body, send 20 bytes, then (with `trickle`) one byte every 2 s until told to stop."""
    try:
        connection = socket.create_connection((host, port), timeout=5)
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n".encode()
            + b"<xml><ToUserName>gh"
        )
        opened.append(1)
        while not stop.wait(2.0):
            if trickle:
                connection.sendall(b"x")
    except OSError:
        return  # the server closed it: that is the point
    finally:
        try:
            connection.close()
        except (OSError, UnboundLocalError):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--slow", type=int, default=40, help="slow connections (at most 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (at most 120)")
    parser.add_argument("--stall", action="store_true", help="send nothing after the first 20 bytes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = urlparse(args.url)
    if url.hostname not in LOOPBACK:
        sys.exit("loopback URLs only")
    token = os.environ.get("WECHAT_TOKEN", "bench-token")
    stop, opened = threading.Event(), []
    slow = [
        threading.Thread(
            target=hold_slow_connection,
            args=(url.hostname, url.port, url.path, stop, opened, not args.stall),
            daemon=True,
        )
        for _ in range(min(args.slow, 200))
    ]
    for thread in slow:
        thread.start()
    time.sleep(1.0)  # let them take their places first
    latencies, failures = [], 0
    ends = time.monotonic() + min(args.duration, 120.0)
    session = requests.Session()
    while time.monotonic() < ends:
        xml = text_xml(f"o_slowbench_{len(latencies) % 20:04d}", "你好", new_msg_id())
        ok, seconds = post_signed(session, args.url, xml, token, timeout=10)
        latencies.append(seconds)
        failures += not ok
        time.sleep(0.2)
    stop.set()
    ordered = sorted(latencies)
    figures = {
        "slow_connections": len(opened),
        "normal_requests": len(latencies),
        "failed": failures,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "over_5s": sum(1 for latency in ordered if latency > 5.0),
    }
    print(" ".join(f"{key} {value}" for key, value in figures.items()))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
