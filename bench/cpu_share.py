"""CPU each kind of process spent a message during a bench run, read from /proc (Linux).

    python bench/cpu_share.py snapshot [PORT …] > before.json     # before the measured run
    python bench/cpu_share.py snapshot [PORT …] > after.json      # after it
    python bench/cpu_share.py report before.json after.json MESSAGES

Groups: the web processes (gunicorn), Rasa, PostgreSQL, Redis, the queue worker and fake WeChat
API (flask), the load generator (wrk). Rasa servers count only when they listen on one of the PORTs
given (another Rasa on the machine is not the run's). A process that started or ended in between counts only
for the CPU it used while both snapshots could see it.
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
        # With the children it has reaped: PostgreSQL's server processes that ended meanwhile.
        seconds[f"{group}:{entry.name}"] = sum(int(tick) for tick in fields[11:15]) / TICKS
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
