"""The circuit breaker: closed → open → half-open → closed, with an injected clock."""

from __future__ import annotations

import threading

import pytest

from bot.nlu.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def breaker(clock):
    return CircuitBreaker(failure_threshold=3, reset_timeout=10.0, clock=clock)


def test_stays_closed_below_the_threshold(breaker):
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == CLOSED
    assert breaker.allow_request()


def test_a_success_resets_the_failure_count(breaker):
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == CLOSED


def test_opens_at_the_threshold_and_refuses_calls(breaker):
    for _ in range(3):
        breaker.record_failure()
    assert breaker.state == OPEN
    assert not breaker.allow_request()


def test_half_open_after_the_reset_timeout_then_closes_on_success(breaker, clock):
    for _ in range(3):
        breaker.record_failure()
    clock.now += 9.9
    assert breaker.state == OPEN
    clock.now += 0.1
    assert breaker.state == HALF_OPEN
    assert breaker.allow_request()
    breaker.record_success()
    assert breaker.state == CLOSED


def test_a_failed_trial_opens_again_for_a_full_timeout(breaker, clock):
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10
    assert breaker.allow_request()
    breaker.record_failure()
    assert breaker.state == OPEN
    clock.now += 5
    assert not breaker.allow_request()
    clock.now += 5
    assert breaker.allow_request()


def test_only_one_trial_at_a_time_when_half_open(breaker, clock):
    for _ in range(3):
        breaker.record_failure()
    clock.now += 10
    assert breaker.allow_request() is True
    assert breaker.allow_request() is False
    breaker.record_success()
    assert breaker.allow_request() is True


def test_threshold_must_be_positive(clock):
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0, clock=clock)


def test_concurrent_failures_are_all_counted(clock):
    breaker = CircuitBreaker(failure_threshold=400, reset_timeout=10.0, clock=clock)

    def fail_many():
        for _ in range(100):
            breaker.record_failure()

    threads = [threading.Thread(target=fail_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert breaker.state == OPEN
