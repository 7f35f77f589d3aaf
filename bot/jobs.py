"""The job queue: RQ on Redis in production, a thread pool for the embedded single process.

Every job function takes the worker's services as its first argument: `func(services, *args)`.
The services are built once per worker process and handed to each job by the queue, so no job
reaches for a process-global. The queue itself knows of the services only what `ServicesLike`
says: bot.services builds a queue, so this module must not import it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, cast

import redis
from rq import Queue, Retry, SimpleWorker, Worker
from rq.job import Job
from rq.scheduler import RQScheduler
from rq.utils import import_attribute

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
# While Redis is away a worker asks again this often: jobs run again within a second of its return.
REDIS_RETRY_S = 0.5


class RetryLater(Exception):
    """Raised by a job that should be attempted again after a back-off."""


class ServicesLike(Protocol):
    """What the queue hands to every job: the full services, which each job function takes."""


# A job function, `func(services, *args)`.
JobFunction = Callable[..., object]


class Jobs(Protocol):
    """A job queue: runs `func(services, *args)` in the background with the services it is bound to."""

    def bind(self, services: ServicesLike) -> None:
        """The services handed to every job."""

    def enqueue(self, func: JobFunction | str, *args: object) -> None:
        """Run `func(services, *args)` (or the function of that dotted path) soon, retrying with back-off."""

    def enqueue_long(self, func: JobFunction, *args: object, timeout: int = ...) -> None:
        """Run `func(services, *args)` once (training, promotion): no retries, a long time limit."""

    def work(self, burst: bool = False, after_outage: Callable[[], None] | None = None) -> None:
        """Run queued jobs until stopped (or until none is left with `burst`); after a Redis
        outage, call `after_outage()`."""


# Job functions whose module moved when bot/ was split into packages: a job queued (or scheduled
# for a retry) by the previous release names the old path. Remove one release after the move.
MOVED_JOB_MODULES = {
    "bot.tickets": "bot.cases.tickets",
    "bot.recovery": "bot.pipeline.recovery",
    "bot.retrain": "bot.training.retrain",
    "bot.media": "bot.wechat.attachments",
    "bot.outbox": "bot.wechat.outbox",
}


def current_func_name(func_name: str) -> str:
    """The job function's path today, for a job queued under a module's old path."""
    module, _, name = func_name.rpartition(".")
    return f"{MOVED_JOB_MODULES.get(module, module)}.{name}"


class ServicesJob(Job):
    """An RQ job whose function receives the worker's services first."""

    services: ServicesLike | None = None

    @property
    def func(self) -> Any:
        if self.func_name is None or self.instance is not None:
            return super().func
        return import_attribute(current_func_name(self.func_name))

    def _execute(self) -> Any:
        if self.services is None:
            raise RuntimeError("job run outside a worker that has services")
        return self.func(self.services, *self.args, **self.kwargs)


class _ServicesWorkerMixin(Worker):
    services: ServicesLike | None = None

    def perform_job(self, job: Job, queue: Queue) -> bool:
        if isinstance(job, ServicesJob):  # always, with job_class=ServicesJob
            job.services = self.services
        return super().perform_job(job, queue)


class ServicesWorker(_ServicesWorkerMixin, SimpleWorker):
    """RQ's worker, handing its services to every job, that keeps its scheduler running and waits
    out a Redis restart instead of backing off for up to a minute. Jobs run in the worker's own
    process: a forked process a job cost ~26 ms of CPU and a new database connection (a new
    PostgreSQL backend) against ~3 ms here, and a job that dies mid-send leaves its message claimed
    for the sweep as before (bot/wechat/outbox.py requeue_stuck); RQ still ends a job at its timeout."""

    # RQ doubles its wait after each failed dequeue, up to 60 s: jobs ran a minute late.
    max_connection_wait_time = REDIS_RETRY_S
    after_outage: Callable[[], None] | None = None
    # Redis's run_id changes when it restarts: a worker whose job outlasted the outage never met
    # an error, yet messages queued meanwhile got no job.
    _redis_run_id: str | None = None
    _run_id_checked = 0.0

    @property
    def dequeue_timeout(self) -> int:
        return IDLE_WAKE_S

    def heartbeat(self, *args, **kwargs):
        """RQ's heartbeat (waiting for Redis when it is away), then the scheduler started again
        if it has died (RQ itself looks only at its clean-ups, so the retries' back-off stopped for
        up to 75 s after a Redis restart)."""
        in_transaction = kwargs.get("pipeline") is not None or len(args) > 1
        if in_transaction:
            return super().heartbeat(*args, **kwargs)
        try:
            result = super().heartbeat(*args, **kwargs)
        except redis.ConnectionError:
            wait_for_redis(self.connection, lambda: stopping(self))
            self._redis_run_id = None  # this outage is dealt with here
            self._after_outage()
            result = super().heartbeat(*args, **kwargs)
        self._notice_restart()
        # A worker asked to stop has stopped its scheduler on purpose: starting it again would
        # leave a process behind that the stopping worker waits for.
        if not stopping(self):
            restart_dead_scheduler(self.scheduler)
        return result

    def _notice_restart(self) -> None:
        if time.monotonic() - self._run_id_checked < IDLE_WAKE_S:
            return
        self._run_id_checked = time.monotonic()
        # redis-py types each command's reply as the async client's too; this client is synchronous.
        server = cast(dict[str, Any], self.connection.info("server"))
        run_id = server.get("run_id")
        if self._redis_run_id is not None and run_id != self._redis_run_id:
            log.warning("Redis restarted while this worker was busy")
            self._after_outage()
        self._redis_run_id = run_id

    def _after_outage(self) -> None:
        if self.after_outage is not None:
            self.after_outage()


def stopping(worker: Worker) -> bool:
    """True once the worker was asked to stop (TERM, INT), busy or not."""
    return worker._stop_requested or worker._shutdown_requested_date is not None


def wait_for_redis(client: redis.Redis, stop_asked: Callable[[], bool] = lambda: False) -> float:
    """Block until Redis answers (or `stop_asked()`), asking every REDIS_RETRY_S; logs once each
    way and returns the seconds waited."""
    began = time.monotonic()
    log.error("Redis unavailable; the worker waits for it (asking every %.1f s)", REDIS_RETRY_S)
    while not stop_asked():
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(REDIS_RETRY_S)
    waited = time.monotonic() - began
    log.warning("Redis answers again after %.1f s; the worker goes on", waited)
    return waited


# Delete a lock only while it still names one of the given holders.
_RELEASE_IF_HELD_BY = (
    "local holder = redis.call('get', KEYS[1]) "
    "for _, pid in ipairs(ARGV) do if holder == pid then return redis.call('del', KEYS[1]) end end return 0"
)


def release_dead_schedulers_lock(scheduler: RQScheduler, pid: int) -> None:
    """Free the scheduler locks that this worker's dead scheduler (process `pid`) still holds. RQ
    names the worker's pid in them (the scheduler's own once it takes them again); one that died
    because Redis went away left them, kept by the append-only file, for RQ's 61 s: no scheduled
    job and no retry ran meanwhile."""
    for name in scheduler._queue_names:
        scheduler.connection.eval(_RELEASE_IF_HELD_BY, 1, scheduler.get_locking_key(name), str(os.getpid()), str(pid))


def restart_dead_scheduler(scheduler: RQScheduler | None) -> bool:
    """Start the worker's RQ scheduler again when it held the lock and its process has died;
    a worker whose scheduler never got the lock tries to take it (another worker's may have died)."""
    if scheduler is None:
        return False
    process = scheduler._process
    if process is not None and process.is_alive():
        return False
    if process is not None:
        release_dead_schedulers_lock(scheduler, process.pid)
    scheduler.acquire_locks(auto_start=True)
    return scheduler._process is not None and scheduler._process is not process


class ServicesSimpleWorker(_ServicesWorkerMixin, SimpleWorker):
    """RQ's in-process worker (burst runs, tests), handing its services to every job."""

    def run_maintenance_tasks(self) -> None:
        """RQ's clean-ups, never starting a scheduler process: a burst run enqueues the due jobs
        itself, and a scheduler forked just before the run ends can take the stop signal before it
        installs its own handler and run on, leaving the worker waiting for it for ever."""
        scheduler, self.scheduler = self.scheduler, None
        try:
            super().run_maintenance_tasks()
        finally:
            self.scheduler = scheduler


class RedisJobs:
    """Jobs on an RQ queue, run by `flask --app webhook worker` processes."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.queue = Queue(f"{prefix}jobs", connection=client, job_class=ServicesJob)
        self.services: ServicesLike | None = None

    def bind(self, services: ServicesLike) -> None:
        """The services that this process's workers hand to jobs."""
        self.services = services

    def enqueue(self, func: JobFunction | str, *args: object) -> None:
        """Queue `func(services, *args)` (or the function of that path) with retries and back-off."""
        retry = Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)
        # RQ types `func` as a type variable constrained to a path or a callable, so a value that is
        # either one is refused, though RQ takes both.
        self.queue.enqueue(func, *args, retry=retry)  # type: ignore[type-var]

    def enqueue_long(self, func: JobFunction, *args: object, timeout: int = LONG_JOB_TIMEOUT_S) -> None:
        """Queue `func(services, *args)` that must run once (training, promotion): no retries, a long limit."""
        self.queue.enqueue(func, *args, job_timeout=timeout)

    def work(self, burst: bool = False, after_outage: Callable[[], None] | None = None) -> None:
        """Run a worker on this queue until stopped (or until empty with burst); across a Redis
        restart it waits for Redis and goes on, then calls `after_outage()`."""
        while True:
            worker = self._worker(burst, after_outage)
            try:
                worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
            except redis.RedisError:
                pass  # RQ's farewell (its death in Redis) could not reach a Redis that is gone
            if burst or stopping(worker):
                return
            # RQ quits on a Redis error met mid-job ("found an unhandled exception, quitting"):
            # a new worker takes over once Redis answers, the job in hand finishing meanwhile.
            time.sleep(REDIS_RETRY_S)  # whatever made it quit, never a busy loop
            wait_for_redis(self.queue.connection)
            scheduler = worker.scheduler
            if scheduler is not None and scheduler._process is not None:
                release_dead_schedulers_lock(scheduler, scheduler._process.pid)
            if after_outage is not None:
                after_outage()

    def _worker(self, burst: bool, after_outage: Callable[[], None] | None) -> Worker:
        worker_class = ServicesSimpleWorker if burst else ServicesWorker
        worker = worker_class(
            [self.queue],
            connection=self.queue.connection,
            job_class=ServicesJob,
            maintenance_interval=MAINTENANCE_INTERVAL_S,
        )
        worker.services = self.services
        if isinstance(worker, ServicesWorker):  # a burst run outlives no outage
            worker.after_outage = after_outage
        return worker


class ThreadJobs:
    """Jobs run in this process's threads: the embedded default when there is no Redis."""

    def __init__(self, workers: int = 2, retry_intervals: list[float] | None = None) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self.retry_intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals
        self.services: ServicesLike | None = None

    def bind(self, services: ServicesLike) -> None:
        """The services handed to every job."""
        self.services = services

    def enqueue(self, func: JobFunction | str, *args: object) -> None:
        """Run `func(services, *args)` (or the function of that path) in the background, retrying with back-off."""
        future = self.pool.submit(self._run, func, args)
        future.add_done_callback(_log_failure)

    def enqueue_long(self, func: JobFunction, *args: object, timeout: int = 0) -> None:
        """Run `func(services, *args)` once in the background (no retries)."""
        self.pool.submit(func, self.services, *args).add_done_callback(_log_failure)

    def _run(self, func: JobFunction | str, args: tuple[object, ...]) -> None:
        if isinstance(func, str):  # a job named by its path, as RQ takes it
            func = import_attribute(current_func_name(func))
        for delay in [0, *self.retry_intervals]:
            time.sleep(delay)
            try:
                func(self.services, *args)
                return
            except RetryLater as error:
                log.warning("job %s will be retried: %s", func.__name__, error)
        log.error("job %s gave up after %d attempts", func.__name__, len(self.retry_intervals) + 1)

    def work(self, burst: bool = False, after_outage: Callable[[], None] | None = None) -> None:
        """Nothing to run separately: jobs already run in this process."""
        log.info("embedded job queue: jobs run inside the web process; no worker needed")


def _log_failure(future: Future[Any]) -> None:
    # A job that crashed must leave a trace, as a failed RQ job does in its registry.
    if future.exception() is not None:
        log.error("job failed", exc_info=future.exception())
