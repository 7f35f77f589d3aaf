"""The file lock: one holder across processes and threads; a forked child never keeps it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from bot.filelock import FileLock

TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as handle:
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit(1)
"""


def _free_for_another_process(path) -> bool:
    return subprocess.run([sys.executable, "-c", TRY_LOCK, str(path)], check=False).returncode == 0


def test_another_process_waits_while_it_is_held(tmp_path):
    path = tmp_path / "x.lock"
    with FileLock(path):
        assert not _free_for_another_process(path)
    assert _free_for_another_process(path)


def test_a_child_forked_while_it_was_held_does_not_keep_it(tmp_path):
    # RQ's scheduler is such a child: forked by the worker, alive as long as the worker.
    path = tmp_path / "x.lock"
    with FileLock(path):
        child = os.fork()
        if child == 0:
            time.sleep(3)
            os._exit(0)
    try:
        assert _free_for_another_process(path)
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_threads_of_one_process_take_turns(tmp_path):
    path = tmp_path / "x.lock"
    inside, overlaps = [], []

    def hold():
        with FileLock(path):
            if inside:
                overlaps.append(1)
            inside.append(1)
            time.sleep(0.02)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
