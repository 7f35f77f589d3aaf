"""Privacy erasure and the retention purge, on PostgreSQL and on SQLite: what one erasure removes,
the time per resident, and whether a full dump afterwards still holds anything of them.

    .venv/bin/python bench/erasure_bench.py [--residents 20]

Each database is one of its own (PostgreSQL: created and dropped, TEST_PG_ADMIN_URL like the tests;
SQLite: a temporary file), with real Redis under a key prefix of its own. Every resident leaves a
trace everywhere the personal-data map lists (devtools/privacy_footprint.py: messages, review items,
an open case held by a person, a rated case, a photo, notes, audit entries, a customer-service
message, a dead letter, a dialogue state, cached replies, a rate counter, a message waiting in
Redis and one in the journal). Half are erased as `flask privacy delete` does, the other half,
silent for 400 days with no open case, by the retention purge; the dump is taken once the notices
telling them so were sent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_services  # noqa: E402
from bot.cases.privacy import ErasureRun, erase_residents, purge_expired  # noqa: E402
from bot.seeding import prepare_database  # noqa: E402
from bot.storage.tickets import Ticket  # noqa: E402
from devtools.privacy_footprint import database_dump, leave_footprint  # noqa: E402


def bench(label: str, services, residents: int) -> bool:
    """Erase `residents` by request and as many by the purge; print the figures; True when clean."""
    asked = [leave_footprint(services) for _ in range(residents)]
    silent = [leave_footprint(services, last_seen_days_ago=400) for _ in range(residents)]
    with services.db.session() as session:
        for trace in silent:  # an open case keeps a resident from the purge: these were finished
            session.get(Ticket, trace.open_ticket_id).status = "resolved"
    deleted = erase_residents(services, [trace.openid for trace in asked])
    services.settings = services.settings.__class__(**{**services.settings.__dict__, "retention_days": 365})
    purged = purge_expired(services)
    # The notices that tell residents their data is erased go out first: until one is sent it
    # needs the resident's openid, which goes with it.
    services.jobs.work(burst=True)
    dump = database_dump(services.settings.database_url)
    left = sum(secret in dump for trace in asked + silent for secret in trace.secrets())
    _report(f"{label} delete", deleted)
    _report(f"{label} purge", purged)
    print(f"{label}: residents' name / phone / openid / words / photo found in the full dump afterwards: {left}")
    return left == 0 and not deleted.failed and not purged.failed


def _report(label: str, run: ErasureRun) -> None:
    times = sorted(one.seconds * 1000 for one in run.erased)
    per_resident = {kind: count / len(run.erased) for kind, count in run.totals().items()}
    print(
        f"{label}: {len(run.erased)} erased, {len(run.failed)} failed; ms per resident: "
        f"median {statistics.median(times):.0f}, max {times[-1]:.0f}"
    )
    print("    per resident: " + ", ".join(f"{kind} {count:g}" for kind, count in per_resident.items()))


def main() -> int:
    """Run on PostgreSQL, then on SQLite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20)
    args = parser.parse_args()
    clean = True
    with tempfile.TemporaryDirectory() as scratch:
        files = {"journal_dir": f"{scratch}/journal", "nlu_reviewed_file": f"{scratch}/reviewed.yml"}
        with bench_services(**files) as (services, _fake):
            clean &= bench("PostgreSQL", services, args.residents)
        sqlite_url = f"sqlite:///{scratch}/bench.db"
        prepare_database(sqlite_url)
        with bench_services(database_url=sqlite_url, **files) as (services, _fake):
            clean &= bench("SQLite", services, args.residents)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
