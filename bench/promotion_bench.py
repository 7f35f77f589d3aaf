"""Parses attempted and failed while a model is promoted under steady load, and the time from
"retrain" to "serving".

    .venv/bin/python bench/promotion_bench.py [--rate 25] [--ports 5013,5014] [--skip-training]

Starts two Rasa servers of its own (ports 5013 and 5014; never the shared 5005) from
models/nlu.tar.gz, a database and Redis key prefix of its own, and a steady load of parses
through the app's Rasa client (RASA_URL naming both servers) for the whole run. Then:

1. retrain → serving: the retrain job (rasa data validate, rasa train, the comparison on every
   held-out set through a temporary server) and the promotion into both servers, timed from the
   moment "retrain" is pressed to the moment both servers answer with the new model
   (--skip-training registers a copy of the current model as the candidate instead);
2. a rollback to the first model, under the same load.

A parse "fails" when the client raises (the bot would have answered with the keyword rules).
Needs PostgreSQL (TEST_PG_ADMIN_URL) and Redis (TEST_REDIS_URL) like the tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import psycopg  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.nlu.draining import Draining  # noqa: E402
from bot.nlu.examples import examples_from_yaml  # noqa: E402
from bot.nlu.rasa_client import RasaClient, RasaUnavailable  # noqa: E402
from bot.services import build_services  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from bot.storage.review import ModelVersion, serving_model  # noqa: E402
from bot.training.evaluation import HELDOUT_FILE  # noqa: E402
from bot.training.promotion import promote, rollback  # noqa: E402
from bot.training.retrain import register_serving, retrain_job, start_retrain  # noqa: E402
from tests.rasa_servers import start_rasa, stop_rasa  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Load:
    """A steady rate of parses through the app's client, counting attempts and failures per window."""

    def __init__(self, client: RasaClient, texts: list[str], rate: float) -> None:
        self.client, self.texts, self.rate = client, texts, rate
        self.counts: Counter = Counter()
        self.window = "warm-up"
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.errors: list[str] = []

    def run(self, workers: int = 4) -> list[threading.Thread]:
        """Start the load; each worker keeps its share of the rate."""
        threads = [threading.Thread(target=self._work, args=(i, workers), daemon=True) for i in range(workers)]
        for thread in threads:
            thread.start()
        return threads

    def _work(self, index: int, workers: int) -> None:
        interval = workers / self.rate
        next_at = time.monotonic() + index * interval / workers
        sent = index
        while not self.stopping.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            window = self.window
            try:
                self.client.parse(self.texts[sent % len(self.texts)])
                failed = False
            except RasaUnavailable as error:
                failed = True
                with self.lock:
                    self.errors.append(f"{window}: {error}")
            sent += workers
            with self.lock:
                self.counts[(window, "attempted")] += 1
                self.counts[(window, "failed")] += failed

    def figures(self, window: str) -> tuple[int, int]:
        """(attempted, failed) in one window."""
        return self.counts[(window, "attempted")], self.counts[(window, "failed")]


class NoDraining(Draining):
    """Servers stay in the rotation while they load: what promoting without draining does."""

    def mark(self, url: str) -> None:
        """Nothing: the server keeps getting parses."""

    def clear(self, url: str) -> None:
        """Nothing to undo."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=25.0, help="parses per second (≥ 20)")
    parser.add_argument("--ports", default="5013,5014", help="ports of the bench's own Rasa servers")
    parser.add_argument("--skip-training", action="store_true", help="promote a copy of the current model")
    parser.add_argument(
        "--no-drain",
        action="store_true",
        help="for comparison: leave each server in the rotation while it loads (a plain PUT /model)",
    )
    args = parser.parse_args()

    token = Settings.from_env().rasa_token or uuid.uuid4().hex
    work = PROJECT_ROOT / "var" / "bench-promotion"
    shutil.rmtree(work, ignore_errors=True)
    models = work / "models"
    models.mkdir(parents=True)
    shutil.copyfile(PROJECT_ROOT / "models" / "nlu.tar.gz", models / "nlu.tar.gz")
    database = f"lfd_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{database}"
    upgrade(database_url)
    ports = [int(port) for port in args.ports.split(",")]
    try:
        urls = [start_rasa(port, models / "nlu.tar.gz", token) for port in ports]
        settings = dataclasses.replace(
            Settings(),
            database_url=database_url,
            redis_url=REDIS_URL,
            key_prefix=f"lfdbench:{uuid.uuid4().hex[:6]}:",
            rasa_url=",".join(urls),
            rasa_token=token,
            nlu_models_dir=str(models),
            nlu_reviewed_file=str(work / "reviewed.yml"),
            nlu_eval_ports="5015-5019",
        )
        services = build_services(settings)
        run(services, args, urls)
        for key in services.redis.scan_iter(f"{settings.key_prefix}*"):
            services.redis.delete(key)
    finally:
        for port in ports:
            stop_rasa(port)
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(services, args, urls: list[str]) -> None:
    settings = services.settings
    draining = (NoDraining if args.no_drain else Draining)(services.redis, settings.key_prefix)
    client = services.classifier.rasa  # the app's own client: RASA_URL with both servers
    texts = [example.text for example in examples_from_yaml(HELDOUT_FILE)]
    load = Load(client, texts, args.rate)
    threads = load.run()
    time.sleep(5)

    load.window = "retrain→serving"
    started = time.monotonic()
    with services.db.session() as session:
        first = register_serving(session, settings).version
    if args.skip_training:
        with services.db.session() as session:
            candidate = ModelVersion(
                version="bench-copy",
                model_file=str(Path(settings.nlu_models_dir) / "copy.tar.gz"),
                status="ready",
                stage="done",
                trained_by="bench",
            )
            shutil.copyfile(Path(settings.nlu_models_dir) / "nlu.tar.gz", candidate.model_file)
            session.add(candidate)
        version = "bench-copy"
    else:
        (Path(settings.nlu_reviewed_file)).write_text(
            'version: "3.1"\nnlu:\n- intent: property_complaint\n  examples: |\n    - 楼道里的声控灯坏了半年\n',
            encoding="utf-8",
        )
        queued = start_retrain_inline(services)
        version = queued
    trained = time.monotonic()
    load.window = "promotion"
    promotion_started = time.monotonic()
    with services.db.session() as session:
        report = promote(session, settings, draining, version, "bench", override_reason="bench")
    serving_at = time.monotonic()

    load.window = "after"
    time.sleep(3)
    load.window = "rollback"
    rollback_started = time.monotonic()
    with services.db.session() as session:
        rollback(session, settings, draining, first, "bench")
    rolled_back = time.monotonic()
    load.window = "end"
    time.sleep(2)
    load.stopping.set()
    for thread in threads:
        thread.join()
    with services.db.session() as session:
        assert serving_model(session).version == first

    print(
        f"Rasa servers: {', '.join(urls)}; load {args.rate:.0f} parses/s through the app's client"
        + ("; servers NOT drained while loading" if args.no_drain else "")
    )
    print(f"{'window':<18}{'seconds':>9}{'attempted':>11}{'failed':>8}{'parses/s':>10}")
    retrain_attempted = load.figures("retrain→serving")[0] + load.figures("promotion")[0]
    retrain_failed = load.figures("retrain→serving")[1] + load.figures("promotion")[1]
    rows = (
        ("retrain→serving", serving_at - started, retrain_attempted, retrain_failed),
        ("promotion", serving_at - promotion_started, *load.figures("promotion")),
        ("rollback", rolled_back - rollback_started, *load.figures("rollback")),
    )
    for window, seconds, attempted, failed in rows:
        print(f"{window:<18}{seconds:>9.1f}{attempted:>11}{failed:>8}{attempted / seconds:>10.1f}")
    print(
        f"time from retrain to serving: {serving_at - started:.1f} s "
        f"(training and comparison {trained - started:.1f} s, promotion {serving_at - promotion_started:.1f} s; "
        f"per server: {', '.join(f'{s:.1f} s' for s in report.per_server.values())})"
    )
    for error in load.errors[:10]:
        print("  failed:", error)


def start_retrain_inline(services) -> str:
    """Queue the retrain as the console's button does, and run the job here (no separate worker)."""
    candidate = start_retrain(services, "bench")
    retrain_job(services, candidate.id)
    with services.db.session() as session:
        model = session.get(ModelVersion, candidate.id)
        if model.status != "ready":
            raise SystemExit(f"training failed: {model.error}\n{model.log[-3000:]}")
        return model.version


if __name__ == "__main__":
    main()
