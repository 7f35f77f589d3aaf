"""The job queue: RQ on Redis in production, a thread pool for the embedded single process.

Every job function takes the worker's services as its first argument: `func(services, *args)`.
The services are built once per worker process and handed to each job by the queue, so no job
reaches for a process-global.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

import redis
from rq import Queue, Retry, SimpleWorker, Worker
from rq.job import Job

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

# Back-off between attempts of a failed job (seconds): WeChat's rate limits (45009) and
# short outages clear within minutes; after the last attempt the outcome is "failed".
RETRY_INTERVALS = [5, 30, 120, 600]
# RQ's default is 10 minutes between clean-ups of its registries; a minute is plenty.
MAINTENANCE_INTERVAL_S = 60
# An idle worker wakes this often (RQ's default waits 405 s for a job): each wake-up restarts a
# scheduler (which runs the retries' back-off) that died when Redis went away under it.
IDLE_WAKE_S = 5
# Training a model and loading it into every Rasa server take minutes, not RQ's default 3.
LONG_JOB_TIMEOUT_S = 3600


class RetryLater(Exception):
    """Raised by a job that should be attempted again after a back-off."""


class ServicesJob(Job):
    """An RQ job whose function receives the worker's services first."""

    services: "Services | None" = None

    def _execute(self) -> Any:
        if self.services is None:
            raise RuntimeError("job run outside a worker that has services")
        return self.func(self.services, *self.args, **self.kwargs)


class _ServicesWorkerMixin:
    services: "Services"

    def perform_job(self, job: Job, queue: Queue) -> bool:
        job.services = self.services
        return super().perform_job(job, queue)

    def main_work_horse(self, job: Job, queue: Queue):
        # A forked work horse must not share the parent's database connections.
        self.services.db.engine.dispose(close=False)
        return super().main_work_horse(job, queue)


class ServicesWorker(_ServicesWorkerMixin, Worker):
    """RQ's forking worker, handing its services to every job, that keeps its scheduler running."""

    @property
    def dequeue_timeout(self) -> int:
        return IDLE_WAKE_S

    def heartbeat(self, *args, **kwargs):
        """RQ's heartbeat, then the scheduler started again if it has died (RQ itself looks only
        at its clean-ups, so the retries' back-off stopped for up to 75 s after a Redis restart)."""
        result = super().heartbeat(*args, **kwargs)
        in_transaction = kwargs.get("pipeline") is not None or len(args) > 1
        # A worker asked to stop has stopped its scheduler on purpose: starting it again would
        # leave a process behind that the stopping worker waits for.
        if not in_transaction and not self._stop_requested:
            restart_dead_scheduler(self.scheduler)
        return result


def restart_dead_scheduler(scheduler) -> bool:
    """Start the worker's RQ scheduler again when it held the lock and its process has died;
    a worker whose scheduler never got the lock tries to take it (another worker's may have died)."""
    if scheduler is None:
        return False
    process = scheduler._process
    if process is not None and process.is_alive():
        return False
    scheduler.acquire_locks(auto_start=True)
    return scheduler._process is not None and scheduler._process is not process


class ServicesSimpleWorker(_ServicesWorkerMixin, SimpleWorker):
    """RQ's in-process worker (burst runs, tests), handing its services to every job."""


class RedisJobs:
    """Jobs on an RQ queue, run by `flask --app webhook worker` processes."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.queue = Queue(f"{prefix}jobs", connection=client, job_class=ServicesJob)
        self.services: "Services | None" = None

    def bind(self, services: "Services") -> None:
        """The services that this process's workers hand to jobs."""
        self.services = services

    def enqueue(self, func: Callable, *args) -> None:
        """Queue `func(services, *args)` with retries and back-off."""
        self.queue.enqueue(func, *args, retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS))

    def enqueue_long(self, func, *args, timeout: int = LONG_JOB_TIMEOUT_S) -> None:
        """Queue `func(services, *args)` that must run once (training, promotion): no retries, a long limit."""
        self.queue.enqueue(func, *args, job_timeout=timeout)

    def work(self, burst: bool = False) -> None:
        """Run a worker on this queue until stopped (or until empty with burst)."""
        worker_class = ServicesSimpleWorker if burst else ServicesWorker
        worker = worker_class(
            [self.queue],
            connection=self.queue.connection,
            job_class=ServicesJob,
            maintenance_interval=MAINTENANCE_INTERVAL_S,
        )
        worker.services = self.services
        worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


class ThreadJobs:
    """Jobs run in this process's threads: the embedded default when there is no Redis."""

    def __init__(self, workers: int = 2, retry_intervals: list[float] | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self.retry_intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals
        self.services: "Services | None" = None

    def bind(self, services: "Services") -> None:
        """The services handed to every job."""
        self.services = services

    def enqueue(self, func: Callable, *args) -> None:
        """Run `func(services, *args)` in the background, retrying with back-off."""
        future = self.pool.submit(self._run, func, args)
        future.add_done_callback(_log_failure)

    def enqueue_long(self, func: Callable, *args, timeout: int = 0) -> None:
        """Run `func(services, *args)` once in the background (no retries)."""
        self.pool.submit(func, self.services, *args).add_done_callback(_log_failure)

    def _run(self, func: Callable, args: tuple) -> None:
        for delay in [0, *self.retry_intervals]:
            time.sleep(delay)
            try:
                func(self.services, *args)
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
