"""What one resident's first message costs the web process and the worker, in process.

    .venv/bin/python bench/message_cost.py [--count 600] [--profile 25]
    RASA_URL=http://127.0.0.1:5005 .venv/bin/python bench/message_cost.py   # with real Rasa

Sends the held-out first messages (bench/make_requests.py's traffic, each from a new resident)
through the app's callback one at a time, the answer computed in the calling thread, then runs the
jobs they queued with a burst worker. Prints, a message: CPU milliseconds of the callback and of
the worker's jobs, SQL statements, Redis commands, jobs queued. With --profile N, the N functions
with the most CPU of their own, and the N with the most in total, under cProfile. CPU is counted
with time.process_time, so another job on the machine changes it little; the figures
say where the throughput of bench/run_callback_bench.sh goes, not what it is."""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import pstats
import sys
import time
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import redis
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import APPID, REDIS_URL, TOKEN, bench_services  # noqa: E402
from bench.make_requests import first_messages  # noqa: E402
from bot.config import Settings  # noqa: E402
from devtools.simulator import build_request, new_msg_id, text_xml  # noqa: E402
from webhook import create_app  # noqa: E402


class InlineExecutor:
    """Runs a submitted call at once in the caller's thread, so cProfile sees all of it."""

    def submit(self, func, *args) -> Future:  # noqa: ANN001
        """The call's result as a finished future."""
        future: Future = Future()
        try:
            future.set_result(func(*args))
        except Exception as error:  # handed to the caller, as a pool would
            future.set_exception(error)
        return future


def redis_commands(client: redis.Redis) -> int:
    """Commands the Redis server has processed since it started (all clients)."""
    return int(client.info("stats")["total_commands_processed"])


def post(client, openid: str, text: str) -> None:  # noqa: ANN001
    """One signed callback, as WeChat sends it; fails loudly on anything but 200."""
    params, body = build_request(text_xml(openid, text, new_msg_id()), TOKEN, None, APPID)
    response = client.post("/wechat", query_string=params, data=body, content_type="text/xml")
    assert response.status_code == 200, response.status_code


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="messages measured (after 60 to warm up)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    rasa_url = os.environ.get("RASA_URL", "")
    # The token as the app reads it (RASA_TOKEN, else the development file scripts/rasa_serve.sh wrote).
    rasa = {"nlu_backend": "rasa", "rasa_url": rasa_url, "rasa_token": Settings.from_env().rasa_token}
    overrides = rasa if rasa_url else {}
    texts = first_messages()
    with bench_services(**overrides) as (services, _fake):
        app = create_app(dataclasses.replace(services.settings), services)
        app.extensions["reply_budget"].pool = InlineExecutor()
        client = app.test_client()
        statements = Counter[str]()
        event.listen(
            services.db.engine,
            "before_cursor_execute",
            lambda _c, _cur, sql, *_rest: statements.update([sql.split(None, 1)[0].upper()]),
        )
        counter = redis.Redis.from_url(REDIS_URL)
        for number in range(60):
            post(client, f"oWarm{number:012d}", texts[number % len(texts)])
        services.jobs.work(burst=True)
        statements.clear()
        queued_before = len(services.jobs.queue)
        commands_before = redis_commands(counter)
        profile = cProfile.Profile(time.process_time) if args.profile else None
        started = time.process_time()
        if profile:
            profile.enable()
        for number in range(args.count):
            post(client, f"oCost{number:012d}", texts[(60 + number) % len(texts)])
        if profile:
            profile.disable()
        web_cpu = time.process_time() - started
        web_statements = sum(statements.values())
        kinds = dict(statements)
        commands = redis_commands(counter) - commands_before
        queued = len(services.jobs.queue) - queued_before
        statements.clear()
        started = time.process_time()
        services.jobs.work(burst=True)
        worker_cpu = time.process_time() - started
        per = 1000 / args.count
        print(f"messages: {args.count} ({'Rasa ' + rasa_url if rasa_url else 'keyword rules'})")
        print(f"callback CPU: {web_cpu * per:.2f} ms a message")
        print(f"SQL statements: {web_statements / args.count:.2f} a message {kinds}")
        print(f"Redis commands (whole server, callback): {commands / args.count:.2f} a message")
        print(f"jobs queued: {queued / args.count:.2f} a message")
        worker_statements = sum(statements.values()) / args.count
        print(f"worker CPU: {worker_cpu * per:.2f} ms a message; its SQL statements {worker_statements:.2f}")
        if profile:
            stats = pstats.Stats(profile)
            stats.sort_stats("tottime").print_stats(args.profile)
            # The project's own functions by the CPU under them: where the cost is decided.
            stats.sort_stats("cumulative").print_stats(r"/(bot|webhook)/", args.profile)


if __name__ == "__main__":
    main()
