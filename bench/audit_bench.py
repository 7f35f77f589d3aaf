"""The audit log page and its exports with 100,000 entries in PostgreSQL.

    .venv/bin/python bench/audit_bench.py [--entries 100000] [--requests 50]

Creates a PostgreSQL database of its own (dropped at the end; TEST_PG_ADMIN_URL like the tests),
fills it with SQL — 200 staff accounts, 10,000 cases, a year of entries five minutes apart, mostly
case actions, some log-ins, profile and FAQ changes, a rare unlock — and times, in-process through
the Flask test client logged in as a district admin: the first page, a middle and the last page
(keyset), each filter alone and combined, the count; then both exports of every entry and of one
staff member's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.console_bench import report, timed  # noqa: E402
from bench.harness import bench_services  # noqa: E402
from bot.cases.staff import add_account  # noqa: E402
from bot.storage import Database  # noqa: E402
from tests.staff_user import PASSWORD, StaffUser  # noqa: E402
from webhook import create_app  # noqa: E402

TARGET_PAGE_MS = 200
CASES, STAFF = 10_000, 200

FILL = """
INSERT INTO staff (username, name, role, unit_id, active)
SELECT 'bench.s' || g, '压测人员' || g, 'lawyer', (SELECT min(id) FROM units WHERE level = 'community'), TRUE
FROM generate_series(1, %(staff)s) g;

INSERT INTO residents (openid, subscribed, has_deferred, last_interaction_at, created_at)
SELECT 'o_audit_' || g, TRUE, FALSE, now(), now() FROM generate_series(1, %(cases)s) g;

INSERT INTO tickets (number, resident_id, category, unit_id, role, status, urgent, collective, description,
                     due_at, resolution_due_at, created_at, updated_at, mediation_place)
SELECT 'JHA-' || g, r.id, 'legal_consultation', (SELECT min(id) FROM units WHERE level = 'community'),
       'lawyer', 'resolved', FALSE, FALSE, '压测工单', now(), now(), now(), now(), ''
FROM generate_series(1, %(cases)s) g JOIN residents r ON r.openid = 'o_audit_' || g;

WITH people AS (SELECT id, username, row_number() OVER (ORDER BY id) AS n FROM staff WHERE username LIKE 'bench.s%%'),
     cases AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets WHERE number LIKE 'JHA-%%'),
     entries AS (
       SELECT g,
              CASE WHEN g %% 1000 = 0 THEN 'login_unlock'
                   ELSE (ARRAY['accept', 'note', 'reply', 'ask_for_information', 'schedule_mediation',
                               'resolve', 'transfer', 'take_over', 'release', 'login', 'profile',
                               'faq_edit'])[g %% 12 + 1] END AS action
       FROM generate_series(1, %(entries)s) g)
INSERT INTO audit_log (staff_id, actor, action, ticket_id, before, after, created_at)
SELECT p.id, p.username, e.action,
       CASE WHEN e.action IN ('login', 'profile', 'faq_edit', 'login_unlock') THEN NULL ELSE c.id END,
       CASE WHEN e.action IN ('login', 'profile', 'faq_edit', 'login_unlock') THEN '{}'::json
            ELSE '{"status": "new", "unit_id": 3, "role": "lawyer", "mediation_at": null,
                   "mediation_place": ""}'::json END,
       CASE WHEN e.action = 'login' THEN json_build_object('ip', '10.0.' || (e.g %% 250) || '.' || (e.g %% 200 + 1))
            WHEN e.action IN ('profile', 'faq_edit', 'login_unlock') THEN '{"wechat_bound": true}'::json
            ELSE '{"status": "in_progress", "unit_id": 3, "role": "lawyer", "mediation_at": null,
                   "mediation_place": "", "question": "请补充劳动合同和工资条的照片"}'::json END,
       now() - (%(entries)s - e.g) * interval '5 minutes'
FROM entries e
JOIN people p ON p.n = e.g %% %(staff)s + 1
JOIN cases c ON c.n = e.g %% %(cases)s + 1;
ANALYZE;
"""


def fill(url: str, entries: int) -> str:
    """The admin account and the entries; returns the admin's username."""
    database = Database(url)
    with database.session() as session:
        admin = add_account(session, "bench.admin", "压测管理员", "admin", "jianghan", PASSWORD).username
    database.engine.dispose()
    started = time.perf_counter()
    sql = FILL.replace("%(entries)s", str(entries)).replace("%(cases)s", str(CASES))
    sql = sql.replace("%(staff)s", str(STAFF)).replace("%%", "%")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(sql)
        count = connection.execute("SELECT count(*) FROM audit_log").fetchone()
    print(f"filled {count[0] if count else 0} audit entries in {time.perf_counter() - started:.1f} s")
    return admin


def pages(url: str) -> dict[str, str]:
    """The pages to time: name → path."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        (low, high), staff_id, number = (
            connection.execute("SELECT min(id), max(id) FROM audit_log").fetchone(),
            connection.execute("SELECT id FROM staff WHERE username = 'bench.s7'").fetchone()[0],
            connection.execute("SELECT number FROM tickets WHERE number = 'JHA-77'").fetchone()[0],
        )
        day = connection.execute("SELECT to_char(now() - interval '100 days', 'YYYY-MM-DD')").fetchone()[0]
    return {
        "first page": "/console/audit",
        "a middle page (before=)": f"/console/audit?before={(low + high) // 2}",
        "the last page": f"/console/audit?before={low + 30}",
        "a staff member": f"/console/audit?staff={staff_id}",
        "a case": f"/console/audit?case={number}",
        "a common action (accept)": "/console/audit?action=accept",
        "a rare action (login_unlock)": "/console/audit?action=login_unlock",
        "one day": f"/console/audit?since={day}&until={day}",
        "staff + action + a month": f"/console/audit?staff={staff_id}&action=note&since={day}",
        "system only (none)": "/console/audit?staff=system",
    }


def bench_pages(user: StaffUser, paths: dict[str, str], requests: int) -> bool:
    ok = True
    for name, path in paths.items():
        _ok(user.get(path))  # warm-up
        ok &= report(f"GET {name}", timed(lambda path=path: _ok(user.get(path)), requests), target=TARGET_PAGE_MS)
    return ok


def bench_exports(user: StaffUser, staff_path: str) -> None:
    for name, path in (
        ("every entry (CSV)", "/console/audit/export.csv"),
        ("the newest 20,000 (.xlsx)", "/console/audit/export.xlsx"),
        ("one staff member (CSV)", "/console/audit/export.csv?" + staff_path.split("?")[1]),
        ("one staff member (.xlsx)", "/console/audit/export.xlsx?" + staff_path.split("?")[1]),
    ):
        started = time.perf_counter()
        response = user.client.get(path)
        body = response.get_data()
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        print(f"export {name:<36} {seconds:6.1f} s  {len(body) / 1e6:6.1f} MB")


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args()
    with bench_services(console_secure_cookies=False) as (services, _fake):
        url = services.settings.database_url
        admin = fill(url, args.entries)
        user = StaffUser(create_app(services=services).test_client())
        assert user.log_in(admin).status_code == 302, "the admin cannot log in"
        paths = pages(url)
        ok = bench_pages(user, paths, args.requests)
        bench_exports(user, paths["a staff member"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
