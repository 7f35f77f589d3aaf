"""One resident floods a running webhook; do everyone else's replies still come in time?

One openid sends `--flood` long messages from 8 threads as fast as it can (bounded to
`--duration` seconds); meanwhile `--residents` others each send a short message every 0.5 s.
Prints, for the others: requests, p50/p99/max latency and replies later than 5 s; and how the
flood was answered (replies asking to slow down). Loopback URLs only.

    .venv/bin/python bench/flood.py --url http://127.0.0.1:8610/wechat --flood 300 --duration 10
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.simulator import build_request, new_msg_id, parse_reply, text_xml  # noqa: E402

LONG = "楼上邻居天天半夜跺脚还拖椅子，吵得我们全家睡不着，说了好几次都不听，物业也不管，" * 12


def _post(session: requests.Session, url: str, token: str, openid: str, text: str) -> tuple[float, str]:
    params, body = build_request(text_xml(openid, text, new_msg_id()), token)
    started = time.monotonic()
    try:
        response = session.post(f"{url}?{urlencode(params)}", data=body, timeout=15)
        reply = (parse_reply(response.content, token) or {}).get("Content", "")
    except requests.RequestException:
        reply = "<failed>"
    return time.monotonic() - started, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--flood", type=int, default=300, help="messages from the flooding resident (at most 2000)")
    parser.add_argument("--residents", type=int, default=20, help="other residents (at most 100)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds (at most 60)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if urlparse(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit("loopback URLs only")
    token = os.environ.get("WECHAT_TOKEN", "bench-token")
    ends = time.monotonic() + min(args.duration, 60.0)
    flood_replies, others = [], []
    lock = threading.Lock()

    def flooder(_):
        session = requests.Session()
        if time.monotonic() < ends:
            result = _post(session, args.url, token, "o_flooding_resident_0001", LONG)
            with lock:
                flood_replies.append(result)

    def resident(index: int) -> None:
        session = requests.Session()
        while time.monotonic() < ends:
            result = _post(session, args.url, token, f"o_flood_other_{index:04d}", "你好")
            with lock:
                others.append(result)
            time.sleep(0.5)

    neighbours = [threading.Thread(target=resident, args=(i,)) for i in range(min(args.residents, 100))]
    for thread in neighbours:
        thread.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(flooder, range(min(args.flood, 2000))))
    for thread in neighbours:
        thread.join()
    latencies = sorted(latency for latency, _ in others)
    figures = {
        "flood_sent": len(flood_replies),
        "flood_asked_to_slow_down": sum(1 for _, reply in flood_replies if "稍等" in reply),
        "others_requests": len(latencies),
        "others_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "others_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "others_max_ms": round(latencies[-1] * 1000, 1),
        "others_over_5s": sum(1 for latency in latencies if latency > 5.0),
        "others_failed": sum(1 for _, reply in others if reply == "<failed>"),
    }
    print(" ".join(f"{key} {value}" for key, value in figures.items()))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
