"""Latency of POST /model/parse over HTTP against the running Rasa server, and the server's memory.

    .venv/bin/python bench/rasa_latency.py [--requests 300] [--warmup 10]

Reads RASA_URL / RASA_TOKEN like the app (token from var/rasa_token when unset). Messages are the
held-out set's texts, sent one after another (one Rasa worker parses one message at a time, so
this is the per-message cost a resident sees, without queueing).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.config import Settings  # noqa: E402
from bot.nlu.examples import examples_from_yaml  # noqa: E402
from bot.training.evaluation import HELDOUT_FILE, percentile  # noqa: E402


def server_rss_mib(port: int) -> float | None:
    """Resident memory of the server started by scripts/rasa_serve.sh and its children, in MiB."""
    pid_file = PROJECT_ROOT / "var" / f"rasa-{port}.pid"
    if not pid_file.exists():
        return None
    pids = [int(pid_file.read_text().strip())]
    pids += child_pids(pids[0])
    return sum(rss_kib(pid) for pid in pids) / 1024


def child_pids(pid: int) -> list[int]:
    """All descendants of a process (Sanic may fork workers)."""
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    if not children_file.exists():
        return []
    children = [int(child) for child in children_file.read_text().split()]
    return children + [grandchild for child in children for grandchild in child_pids(child)]


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def main() -> int:
    """Send the requests and print the percentiles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests (bounded)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests first")
    args = parser.parse_args()

    settings = Settings.from_env()
    url = settings.rasa_url.rstrip("/") + "/model/parse"
    params = {"token": settings.rasa_token} if settings.rasa_token else {}
    texts = [example.text for example in examples_from_yaml(HELDOUT_FILE)] or ["楼上漏水到我家了"]
    session = requests.Session()

    def send(text: str) -> float:
        started = time.perf_counter()
        response = session.post(url, params=params, json={"text": text}, timeout=10)
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    try:
        for index in range(args.warmup):
            send(texts[index % len(texts)])
        timings = sorted(send(texts[index % len(texts)]) for index in range(args.requests))
    except requests.RequestException as error:
        print(f"Rasa not answering at {url}: {error}", file=sys.stderr)
        return 1

    port = urlsplit(settings.rasa_url).port or 80
    rss = server_rss_mib(port)
    print(f"POST /model/parse, {len(timings)} sequential requests, {len(texts)} distinct held-out texts")
    print(
        f"p50 {percentile(timings, 50):.1f} ms   p95 {percentile(timings, 95):.1f} ms   "
        f"p99 {percentile(timings, 99):.1f} ms   max {timings[-1]:.1f} ms"
    )
    print(f"Rasa server RSS: {rss:.0f} MiB" if rss is not None else "Rasa server RSS: unknown (no pid file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
