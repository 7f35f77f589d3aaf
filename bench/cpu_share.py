"""CPU each kind of process spent a message during a bench run, read from /proc (Linux).

    python bench/cpu_share.py snapshot [PORT …] > before.json     # before the measured run
    python bench/cpu_share.py snapshot [PORT …] > after.json      # after it
    python bench/cpu_share.py report before.json after.json MESSAGES

Groups: the web processes (gunicorn), Rasa, PostgreSQL, Redis, the queue worker and fake WeChat
API (flask), the load generator (wrk). Rasa servers count only when they listen on one of the PORTs
given (another Rasa on the machine is not the run's). With KEY_PREFIX and DATABASE_URL set (as
bench/run_callback_bench.sh sets them), web and flask processes count only when their environment
has the run's KEY_PREFIX, and PostgreSQL's connections only when they are to the run's database:
other work on the machine (a test run, another service) is not the run's. A process that started or
ended in between counts only for the CPU it used while both snapshots could see it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
GROUPS = ("gunicorn", "rasa", "postgres", "redis", "flask", "wrk")


def group_of(pid: str, rasa_ports: tuple[str, ...] = ()) -> str | None:
    """Which group a process belongs to, by its command line."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    program = Path(command.split(" ")[0]).name
    group = _group_of_command(command, program, rasa_ports)
    if group in ("gunicorn", "flask") and not _the_runs_process(pid):
        return None
    if group == "postgres" and _another_database(command):
        return None
    return group


def _group_of_command(command: str, program: str, rasa_ports: tuple[str, ...]) -> str | None:
    if "rasa run" in command or "rasa/serve.py run" in command:  # rasa/serve.py: scripts/rasa_serve.sh's launcher
        return "rasa" if any(f" -p {port} " in command for port in rasa_ports) else None
    if program.startswith("postgres"):  # backends are "postgres: user database host …"
        return "postgres"
    if program == "redis-server":
        return "redis"
    if "bin/gunicorn" in command:
        return "gunicorn"
    if "bin/flask" in command:
        return "flask"
    return "wrk" if program == "wrk" else None


def _the_runs_process(pid: str) -> bool:
    prefix = os.environ.get("KEY_PREFIX")
    if not prefix:
        return True
    try:
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"KEY_PREFIX={prefix}".encode() in environment


def _another_database(command: str) -> bool:
    # A connection's process is "postgres: 15/main: USER DATABASE HOST(PORT) STATE"; the server's
    # own processes (checkpointer, WAL writer…) serve every database and are counted.
    database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].split("?")[0]
    is_connection = "(" in command or "[local]" in command
    return bool(database) and is_connection and f" {database} " not in command


def snapshot(rasa_ports: tuple[str, ...] = ()) -> dict[str, float]:
    """CPU seconds (user + system) of every process of a group, by pid."""
    seconds: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        group = group_of(entry.name, rasa_ports) if entry.name.isdigit() else None
        if group is None:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # With the children it has reaped (PostgreSQL's connections that ended meanwhile), unless the
        # run's database is known: then those were another database's.
        own_only = group == "postgres" and os.environ.get("DATABASE_URL")
        ticks = fields[11:13] if own_only else fields[11:15]
        seconds[f"{group}:{entry.name}"] = sum(int(tick) for tick in ticks) / TICKS
    return seconds


def report(before: dict[str, float], after: dict[str, float], messages: int) -> str:
    """One line: milliseconds of CPU a message, by group."""
    spent = {group: 0.0 for group in GROUPS}
    for key, seconds in after.items():
        spent[key.split(":")[0]] += seconds - before.get(key, 0.0)
    parts = [f"{group} {spent[group] / messages * 1000:.1f}" for group in GROUPS if spent[group] > 0]
    return "CPU a message (ms): " + ", ".join(parts)


def main() -> None:
    """snapshot [PORT …] | report BEFORE AFTER MESSAGES."""
    if sys.argv[1:2] == ["snapshot"]:
        print(json.dumps(snapshot(tuple(sys.argv[2:]))))
    elif sys.argv[1:2] == ["report"] and len(sys.argv) == 5:
        before, after = (json.loads(Path(name).read_text()) for name in sys.argv[2:4])
        print(report(before, after, max(int(sys.argv[4]), 1)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
