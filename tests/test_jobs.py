"""The job queue's worker keeps RQ's scheduler (the retries' back-off) running."""

from __future__ import annotations

import pytest
import redis
from rq import Queue
from rq.scheduler import RQScheduler

from bot.jobs import IDLE_WAKE_S, RedisJobs, ServicesWorker, restart_dead_scheduler
from tests.conftest import REDIS_URL


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
