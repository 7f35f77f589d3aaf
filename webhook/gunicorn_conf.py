"""gunicorn's settings for scripts/serve.sh: a process takes requests only once it is warm."""

from __future__ import annotations

import threading

from bot.warmup import warm


def post_worker_init(worker) -> None:
    """Warm the process before it accepts a connection (until then the others take them, or the
    connection waits in the listen queue): its first resident waits no longer than any other."""
    services = worker.wsgi.extensions["services"]
    done = threading.Event()

    def warm_up() -> None:
        try:
            warm(services, worker.cfg.threads)
        finally:
            done.set()  # a warm-up that failed leaves the process to load on demand, as before

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    while not done.wait(1.0):
        worker.notify()  # still alive: the master must not take a long warm-up for a hung process
