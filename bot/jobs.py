"""The job queue: RQ on Redis in production, a thread pool for the embedded single process."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import redis
from rq import Queue, Retry, SimpleWorker, Worker

log = logging.getLogger(__name__)

# Back-off between attempts of a failed job (seconds): WeChat's rate limits (45009) and
# short outages clear within minutes; after the last attempt the outcome is "failed".
RETRY_INTERVALS = [5, 30, 120, 600]
# Training a model and loading it into every Rasa server take minutes, not RQ's default 3.
LONG_JOB_TIMEOUT_S = 3600


class RetryLater(Exception):
    """Raised by a job that should be attempted again after a back-off."""


class RedisJobs:
    """Jobs on an RQ queue, run by `flask --app webhook worker` processes."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.queue = Queue(f"{prefix}jobs", connection=client)

    def enqueue(self, func, *args) -> None:
        """Queue `func(*args)` with retries and back-off."""
        self.queue.enqueue(func, *args, retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS))

    def enqueue_long(self, func, *args, timeout: int = LONG_JOB_TIMEOUT_S) -> None:
        """Queue a long job that must run once (training, promotion): no retries, a long time limit."""
        self.queue.enqueue(func, *args, job_timeout=timeout)

    def work(self, burst: bool = False) -> None:
        """Run a worker on this queue until stopped (or until empty with burst)."""
        worker_class = SimpleWorker if burst else Worker
        worker = worker_class([self.queue], connection=self.queue.connection)
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


class ThreadJobs:
    """Jobs run in this process's threads: the embedded default when there is no Redis."""

    def __init__(self, workers: int = 2, retry_intervals: list[float] | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self.retry_intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals

    def enqueue(self, func, *args) -> None:
        """Run `func(*args)` in the background, retrying with back-off."""
        future = self.pool.submit(self._run, func, args)
        future.add_done_callback(_log_failure)

    def enqueue_long(self, func, *args, timeout: int = 0) -> None:
        """Run a long job once in the background (no retries)."""
        self.pool.submit(func, *args).add_done_callback(_log_failure)

    def _run(self, func, args) -> None:
        for delay in [0, *self.retry_intervals]:
            time.sleep(delay)
            try:
                func(*args)
                return
            except RetryLater as error:
                log.warning("job %s will be retried: %s", func.__name__, error)
        log.error("job %s gave up after %d attempts", func.__name__, len(self.retry_intervals) + 1)

    def work(self, burst: bool = False) -> None:
        """Nothing to run separately: jobs already run in this process."""
        log.info("embedded job queue: jobs run inside the web process; no worker needed")


def _log_failure(future) -> None:
    # A job that crashed must leave a trace, as a failed RQ job does in its registry.
    if future.exception() is not None:
        log.error("job failed", exc_info=future.exception())
