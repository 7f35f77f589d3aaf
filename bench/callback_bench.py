"""Load the running service's WeChat callback with signed text messages and report throughput and latency.

Not a test: run it by hand against a local service (see bench/README.md). It only talks to loopback
addresses, stops after ``--requests`` messages or ``--duration`` seconds (whichever comes first), and
never runs longer than MAX_DURATION_SECONDS.

    .venv/bin/python bench/callback_bench.py --url http://127.0.0.1:8000/wechat --concurrency 16 --requests 3000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings  # noqa: E402  (after the path fix so the script runs from anywhere)
from devtools.simulator import BadReplyError, build_request, new_msg_id, parse_reply, text_xml  # noqa: E402

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_REQUESTS = 200_000
MAX_DURATION_SECONDS = 600.0
WECHAT_DEADLINE_SECONDS = 5.0

# What residents actually send: greetings, FAQ-like questions, the three triage areas, one-word turns.
MESSAGES = [
    "你好",
    "在吗",
    "楼上天天半夜蹦迪，吵得睡不着，么样搞",
    "楼上卫生间漏水到我家天花板了，找他们不理",
    "邻居在楼道堆了好多纸箱，消防通道都堵了",
    "小区电梯坏了一个星期了物业也不修",
    "物业费涨价没有开业主大会，合理吗",
    "老板拖欠了三个月工资不给，怎么办",
    "没签劳动合同能要双倍工资吗",
    "离婚孩子抚养权怎么判",
    "房东不退押金怎么办",
    "借钱给朋友没打借条能要回来吗",
    "法律援助怎么申请",
    "工作室几点开门",
    "谢谢",
    "转人工",
    "我的工单进度",
    "好的",
    "不用了",
    "😭😭 冇得办法了",
]


@dataclass
class Results:
    """What the workers measured; appended to under one lock."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, outcome: str, error: str | None = None) -> None:
        """Add one request's latency and outcome (and error kind, if any)."""
        with self.lock:
            self.latencies.append(latency)
            self.outcomes[outcome] += 1
            if error:
                self.errors[error] += 1


@dataclass
class BenchConfig:
    """Everything a worker needs to build and send requests."""

    url: str
    token: str
    aes_key: str | None
    appid: str | None
    openids: list[str]
    total: int
    deadline: float
    timeout: float


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (WECHAT_TOKEN / WECHAT_AES_KEY / WECHAT_APPID come from the environment)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}/wechat")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=3000, help="stop after this many messages")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    parser.add_argument("--openids", type=int, default=500, help="how many distinct residents to spread over")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request HTTP timeout, seconds")
    parser.add_argument("--plaintext", action="store_true", help="ignore WECHAT_AES_KEY and send plaintext")
    parser.add_argument("--json", action="store_true", help="also print the summary as one JSON line")
    return parser.parse_args(argv)


def check_loopback(url: str) -> None:
    """Refuse to load anything but this machine."""
    host = urlsplit(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(f"refusing to benchmark {host!r}: only loopback addresses are allowed")


def build_config(args: argparse.Namespace) -> BenchConfig:
    """Validate the options and read the signing secrets from the environment."""
    check_loopback(args.url)
    if not 1 <= args.concurrency <= 256:
        raise SystemExit("--concurrency must be between 1 and 256")
    settings = Settings.from_env()
    duration = min(args.duration or MAX_DURATION_SECONDS, MAX_DURATION_SECONDS)
    run_id = secrets.token_hex(3)
    # 28 characters like a real openid; a fresh run id so earlier runs' dialogue state does not leak in.
    openids = [f"oBench{run_id}{n:016d}"[:28].ljust(28, "0") for n in range(max(1, args.openids))]
    return BenchConfig(
        url=args.url,
        token=settings.wechat_token,
        aes_key=None if args.plaintext else (settings.wechat_aes_key or None),
        appid=settings.wechat_appid,
        openids=openids,
        total=min(args.requests, MAX_REQUESTS),
        deadline=time.monotonic() + duration,
        timeout=args.timeout,
    )


def send_one(http: requests.Session, config: BenchConfig, number: int, results: Results) -> None:
    """Sign (and encrypt) one text message, POST it, check the reply, record the outcome."""
    openid = config.openids[number % len(config.openids)]
    xml = text_xml(openid, MESSAGES[number % len(MESSAGES)], new_msg_id())
    params, body = build_request(xml, config.token, config.aes_key, config.appid)
    started = time.perf_counter()
    try:
        response = http.post(
            config.url, params=params, data=body, timeout=config.timeout, headers={"Content-Type": "text/xml"}
        )
    except requests.Timeout:
        results.record(time.perf_counter() - started, "error", "timeout")
        return
    except requests.ConnectionError:
        results.record(time.perf_counter() - started, "error", "connection")
        return
    latency = time.perf_counter() - started
    if response.status_code != 200:
        results.record(latency, "error", f"http_{response.status_code}")
        return
    try:
        reply = parse_reply(response.content, config.token, config.aes_key, config.appid, params)
    except BadReplyError:
        results.record(latency, "error", "bad_reply")
        return
    late = "over_5s" if latency > WECHAT_DEADLINE_SECONDS else None
    results.record(latency, "no_reply" if reply is None else f"reply_{reply.get('MsgType')}", late)


def worker(config: BenchConfig, numbers: itertools.count, numbers_lock: threading.Lock, results: Results) -> None:
    """Send messages until the shared count or the deadline runs out; one Session per thread."""
    with requests.Session() as http:
        while time.monotonic() < config.deadline:
            with numbers_lock:
                number = next(numbers)
            if number >= config.total:
                return
            send_one(http, config, number, results)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def summarise(results: Results, elapsed: float, concurrency: int, encrypted: bool) -> dict:
    """Throughput, latency percentiles (ms) and counts."""
    ordered = sorted(results.latencies)
    return {
        "requests": len(ordered),
        "concurrency": concurrency,
        "safe_mode": encrypted,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(len(ordered) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": round(percentile(ordered, 0.50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else float("nan"),
        "outcomes": dict(results.outcomes),
        "errors": dict(results.errors),
    }


def print_summary(summary: dict) -> None:
    """Human-readable report."""
    mode = "safe mode (AES)" if summary["safe_mode"] else "plaintext"
    print(f"{summary['requests']} messages in {summary['seconds']} s at concurrency {summary['concurrency']}, {mode}")
    print(f"throughput: {summary['messages_per_second']} messages/s")
    print(
        f"latency ms: p50 {summary['p50_ms']}  p95 {summary['p95_ms']}  p99 {summary['p99_ms']}  "
        f"max {summary['max_ms']}"
    )
    print("outcomes:   " + ", ".join(f"{k} {v}" for k, v in sorted(summary["outcomes"].items())))
    print("errors:     " + (", ".join(f"{k} {v}" for k, v in sorted(summary["errors"].items())) or "none"))


def run(config: BenchConfig, concurrency: int) -> dict:
    """Start the workers, wait for them, and summarise."""
    results, numbers, numbers_lock = Results(), itertools.count(), threading.Lock()
    threads = [
        threading.Thread(target=worker, args=(config, numbers, numbers_lock, results), daemon=True)
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: each worker stops at the deadline plus at most one request timeout.
        thread.join(timeout=max(0.0, config.deadline - time.monotonic()) + config.timeout + 5)
    return summarise(results, time.perf_counter() - started, concurrency, config.aes_key is not None)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when any request failed."""
    args = parse_args(argv)
    config = build_config(args)
    summary = run(config, args.concurrency)
    print_summary(summary)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["errors"].keys() - {"over_5s"} else 0


if __name__ == "__main__":
    sys.exit(main())
