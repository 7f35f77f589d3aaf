"""A small thread-safe circuit breaker: stop calling a dependency that keeps failing, retry later."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    """Closed → open after `failure_threshold` failures in a row; half-open after `reset_timeout` s.

    In half-open state a single trial call goes through: success closes the circuit, failure
    opens it for another `reset_timeout`. Other callers are turned away while the trial runs,
    so a dependency that is just coming back is not flooded.
    """

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_timeout: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> str:
        """The current state, moving open → half-open when the reset timeout has passed."""
        with self._lock:
            self._advance_clock()
            return self._state

    def _advance_clock(self) -> None:
        # Caller holds the lock.
        if self._state == OPEN and self._clock() - self._opened_at >= self.reset_timeout:
            self._state = HALF_OPEN
            self._trial_in_flight = False

    def allow_request(self) -> bool:
        """True when a call may go through now (claims the single trial slot when half-open)."""
        with self._lock:
            self._advance_clock()
            if self._state == CLOSED:
                return True
            if self._state == HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        """Note a successful call: the circuit closes and the failure count restarts."""
        with self._lock:
            self._state = CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        """Note a failed call: opens the circuit at the threshold, or at once after a failed trial."""
        with self._lock:
            self._failures += 1
            if self._state == HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = OPEN
                self._opened_at = self._clock()
                self._trial_in_flight = False
