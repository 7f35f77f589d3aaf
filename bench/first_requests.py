"""The first requests after a start: how long residents wait while the web processes load.

Starts `scripts/serve.sh` as production runs it (PostgreSQL database and Redis key prefix of this
run's own, gunicorn one process a core, a queue worker, the fake WeChat API; the NLU server is this
machine's Rasa on RASA_URL, or the keyword rules with `--keywords`), and the moment serve.sh prints
"serve: webhook on" sends residents' first messages from `--connections` threads for `--seconds`,
signed as WeChat signs them. Prints, per start, the latency of the first request, the slowest,
p50/p99, and how many took more than 5 s (WeChat's window) or failed. Loopback only.

    .venv/bin/python bench/first_requests.py --starts 3
    .venv/bin/python bench/first_requests.py --starts 3 --keywords
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import REDIS_URL, bench_database  # noqa: E402
from devtools.simulator import new_msg_id, post_signed, text_xml  # noqa: E402

TOKEN = "first-requests-token"
MESSAGES = [
    "你好",
    "楼上天天半夜跺脚",
    "法律援助怎么申请",
    "物业费涨价没有开业主大会，合理吗",
    "老板拖欠了三个月工资不给，怎么办",
]
READY_LINE = "serve: webhook on"


def one_start(args, database_url: str) -> dict:
    """Start serve.sh, fire the moment it says it is on, stop it; the latencies seen."""
    prefix = f"lfdfirst:{uuid.uuid4().hex[:8]}:"
    env = {k: v for k, v in os.environ.items() if k not in ("WECHAT_SECRET", "WECHAT_AES_KEY", "PROXY_PORT")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        KEY_PREFIX=prefix,
        PORT=str(args.port),
        FAKE_WECHAT_PORT=str(args.port + 1),
        WECHAT_TOKEN=TOKEN,
        RASA_SERVERS="0",
        JOURNAL_DIR=f"/tmp/first-requests-{prefix.split(':')[1]}",
    )
    if args.keywords:
        env["NLU_BACKEND"] = "keywords"
    else:
        env["RASA_URL"] = args.rasa_url
    began = time.monotonic()
    serve = subprocess.Popen(
        [args.serve],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for line in serve.stdout:
            if READY_LINE in line:
                break
        else:
            raise RuntimeError("serve.sh ended before saying the webhook is on")
        announced = time.monotonic() - began
        threading.Thread(target=lambda: [None for _ in serve.stdout], daemon=True).start()  # keep its pipe drained
        latencies, failures = fire(args)
    finally:
        os.killpg(serve.pid, 15)
        serve.wait(timeout=60)
    ordered = sorted(seconds for _, seconds in latencies)
    return {
        "announced_after_s": round(announced, 1),
        "requests": len(latencies) + failures,
        "first_ms": round(min(latencies)[1] * 1000) if latencies else None,
        "max_ms": round(ordered[-1] * 1000) if ordered else None,
        "p50_ms": round(statistics.median(ordered) * 1000) if ordered else None,
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000) if ordered else None,
        "over_5s": sum(1 for seconds in ordered if seconds > 5.0),
        "failed": failures,
    }


def fire(args) -> tuple[list[tuple[float, float]], int]:
    """Residents' first messages from every thread for `--seconds`: (sent at, seconds) each, and failures."""
    url = f"http://127.0.0.1:{args.port}/wechat"
    latencies: list[tuple[float, float]] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def resident(index: int) -> None:
        http = requests.Session()
        count = 0
        while time.monotonic() < stop:
            count += 1
            xml = text_xml(
                f"o_first_{index:02d}_{count:04d}_{uuid.uuid4().hex[:6]}", MESSAGES[count % len(MESSAGES)], new_msg_id()
            )
            sent = time.monotonic()
            ok, seconds = post_signed(http, url, xml, TOKEN, timeout=30)
            with lock:
                if ok:
                    latencies.append((sent, seconds))
                else:
                    failures[0] += 1
            if not ok:
                time.sleep(0.5)  # refused or failed: WeChat would try again, not hammer

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8720, help="PORT; the fake WeChat API on PORT+1")
    parser.add_argument("--keywords", action="store_true", help="the keyword rules instead of Rasa")
    parser.add_argument("--serve", default="scripts/serve.sh", help="the start script (another tree's, to compare)")
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    args = parser.parse_args()
    with bench_database() as database_url:
        for start in range(1, min(args.starts, 10) + 1):
            print(f"start {start}: {one_start(args, database_url)}", flush=True)


if __name__ == "__main__":
    main()
