"""The job queue's worker keeps RQ's scheduler (the retries' back-off) running, and itself running
across a Redis restart."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
import redis
from rq import Queue
from rq.scheduler import RQScheduler

from bot.config import PROJECT_ROOT
from bot.jobs import IDLE_WAKE_S, RedisJobs, ServicesWorker, restart_dead_scheduler
from tests.conftest import REDIS_URL

# Every test here needs Redis: the shared one through `queue`, or (a worker across a Redis restart)
# a redis-server of this module's own.
pytestmark = pytest.mark.needs_services


@pytest.fixture
def queue(key_prefix):
    return RedisJobs(redis.Redis.from_url(REDIS_URL), key_prefix).queue


def _stop(scheduler: RQScheduler) -> None:
    if scheduler._process is not None and scheduler._process.is_alive():
        scheduler._process.kill()
        scheduler._process.join(5)
    scheduler.release_locks()


def test_a_scheduler_that_died_is_started_again(queue: Queue):
    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks(auto_start=True)
    try:
        first = scheduler._process
        first.kill()  # as when Redis went away under it
        first.join(5)
        assert restart_dead_scheduler(scheduler) is True
        assert scheduler._process is not first and scheduler._process.is_alive()
    finally:
        _stop(scheduler)


def test_a_running_scheduler_is_left_alone(queue: Queue):
    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks(auto_start=True)
    try:
        running = scheduler._process
        assert restart_dead_scheduler(scheduler) is False
        assert scheduler._process is running
    finally:
        _stop(scheduler)


def test_no_second_scheduler_while_another_worker_holds_the_lock(queue: Queue):
    holder = RQScheduler([queue], connection=queue.connection)
    holder.acquire_locks(auto_start=True)
    other = RQScheduler([queue], connection=queue.connection)
    try:
        assert restart_dead_scheduler(other) is False
        assert other._process is None
    finally:
        _stop(holder)


@pytest.mark.parametrize("stopping", [False, True])
def test_the_workers_heartbeat_restarts_its_scheduler_unless_it_is_stopping(queue: Queue, stopping):
    worker = ServicesWorker([queue], connection=queue.connection)
    worker.scheduler = RQScheduler([queue], connection=queue.connection)
    worker.scheduler.acquire_locks(auto_start=True)
    try:
        dead = worker.scheduler._process
        dead.kill()
        dead.join(5)
        worker._stop_requested = stopping
        worker.heartbeat()
        assert (worker.scheduler._process is not dead) is (not stopping)
    finally:
        _stop(worker.scheduler)


def test_an_idle_worker_wakes_within_seconds(queue: Queue):
    worker = ServicesWorker([queue], connection=queue.connection)
    assert worker.dequeue_timeout == IDLE_WAKE_S <= 10


# --- a Redis restart under a real worker process (a redis-server of this test's own) ----------

REDIS_PORT = 6409
_WORKER = """
import sys, types
sys.path[:0] = [{root!r}, {root!r} + "/tests"]  # the busy job below is this module's
import redis
from bot.jobs import RedisJobs
jobs = RedisJobs(redis.Redis(port={port}), "restart:")
engine = types.SimpleNamespace(dispose=lambda close=False: None)
jobs.bind(types.SimpleNamespace(db=types.SimpleNamespace(engine=engine)))
jobs.work(after_outage=lambda: print("after outage", flush=True))
"""


def busy(services, seconds: float) -> None:
    """Job: keep the worker busy."""
    time.sleep(seconds)


def _start_redis(directory) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            str(directory / "redis.log"),
        ]
    )
    client = redis.Redis(port=REDIS_PORT)
    for _ in range(100):
        try:
            client.ping()
            return server
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def _finished_after(job, since: float, seconds: float = 20) -> float | None:
    """Seconds from `since` until the job had run (a job of `print`: nothing to import)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if job.get_status(refresh=True) == "finished":
            return time.time() - since
        time.sleep(0.1)
    return None


@pytest.fixture
def restartable_redis(tmp_path):
    """A redis-server of this test's own (append-only file, as in production), and its directory."""
    holder = {"server": _start_redis(tmp_path)}
    yield holder, tmp_path
    try:
        redis.Redis(port=REDIS_PORT).shutdown(nosave=True)
    except redis.RedisError:
        pass
    holder["server"].wait(10)


@pytest.mark.parametrize("busy_for", [0.0, 1.5], ids=["idle", "busy"])
def test_a_worker_stays_through_a_redis_restart_and_runs_jobs_within_seconds(restartable_redis, busy_for):
    holder, directory = restartable_redis
    queue = RedisJobs(redis.Redis(port=REDIS_PORT), "restart:").queue
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER.format(root=str(PROJECT_ROOT), port=REDIS_PORT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _finished_after(queue.enqueue(print, "warm"), time.time(), 30) is not None
        if busy_for:  # a job ends while Redis is away: RQ quit there ("found an unhandled exception")
            queue.enqueue(busy, busy_for)
        time.sleep(0.5)
        redis.Redis(port=REDIS_PORT).shutdown(nosave=False)
        holder["server"].wait(10)
        time.sleep(3)
        holder["server"] = _start_redis(directory)
        back = time.time()
        queued = queue.enqueue(print, "queued")
        scheduled = queue.enqueue_in(timedelta(seconds=1), print, "scheduled")
        assert _finished_after(queued, back) < 10
        assert _finished_after(scheduled, back) < 10  # RQ's scheduler runs again too
        assert worker.poll() is None, "the worker quit"
        # A worker busy through the whole outage meets no error: it notices the restart at its
        # next look at Redis's run id. It looks at most every IDLE_WAKE_S, at a heartbeat, and an idle
        # worker's heartbeat comes every IDLE_WAKE_S: a look just missed comes one wait later.
        time.sleep(max(0.0, back + 2 * IDLE_WAKE_S + 1 - time.time()))
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    # Logged once, not per retry — or not at all when the whole outage fell inside a job and the
    # worker noticed the restart afterwards ("Redis restarted while this worker was busy").
    assert output.count("Redis unavailable; the worker waits for it") <= 1
    if busy_for == 0:
        assert output.count("Redis unavailable; the worker waits for it") == 1
    assert "after outage" in output


def test_a_job_queued_under_a_module_path_from_before_the_packages_runs(queue: Queue):
    """A message's delivery queued by the previous release (bot.outbox) still finds its function."""
    from bot.jobs import ServicesJob
    from bot.wechat.outbox import deliver_batch

    job = queue.enqueue("bot.outbox.deliver_batch", [1])
    assert isinstance(job, ServicesJob)
    assert ServicesJob.fetch(job.id, connection=queue.connection).func is deliver_batch
