"""The reports under load: /console/reports and the monthly workbook with 100,000 cases in
PostgreSQL.

    .venv/bin/python bench/reports_bench.py [--cases 100000] [--messages 200000] [--days 365] [--requests 30]

Creates a PostgreSQL database of its own (dropped at the end; TEST_PG_ADMIN_URL like the tests),
fills it with SQL — cases spread over the last `--days` days and every community room, with
first responses, resolutions, ratings, escalations, reopenings and their events; residents who
come back; the residents' messages, half of them answered by the FAQ — then times in-process
through the Flask test client, logged in as a district admin and a street coordinator: the
reports page for this month, last month and this year, and the downloads (the month's workbook
and its CSV). Prints the figures of last month and the time each query of a year's report takes.
Targets: p95 ≤ 500 ms for a month's page, ≤ 10 s the monthly workbook; it exits 1 when one is
missed (a year's page is timed without a target).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy import func, select

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.console_bench import report, timed  # noqa: E402
from bench.harness import bench_services  # noqa: E402
from bot.cases.staff import add_account  # noqa: E402
from bot.reporting import counts, ratings, returns, self_service, timeliness  # noqa: E402
from bot.reporting.figures import report_figures  # noqa: E402
from bot.reporting.period import Period, beijing_today, last_month, this_month, this_year  # noqa: E402
from bot.reporting.scope import ReportScope  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.storage.base import utcnow  # noqa: E402
from bot.storage.tickets import Ticket  # noqa: E402
from tests.staff_user import PASSWORD, StaffUser  # noqa: E402
from webhook import create_app  # noqa: E402

TARGET_PAGE_MS, TARGET_EXPORT_S = 500, 10.0

FILL = """
CREATE TEMP TABLE rooms AS
  SELECT id, parent_id, row_number() OVER (ORDER BY id) - 1 AS n FROM units WHERE level = 'community';
CREATE TEMP TABLE faq AS SELECT intent, row_number() OVER (ORDER BY id) - 1 AS n FROM faq_entries;

INSERT INTO residents (openid, community_id, subscribed, has_deferred, last_interaction_at, created_at)
SELECT 'o_rbench_' || g, rooms.id, TRUE, FALSE, now(), now()
FROM generate_series(1, :residents) g
JOIN rooms ON rooms.n = g % (SELECT count(*) FROM rooms);

-- Each case: a resident (some come back), their room, a kind, an opening time over the days,
-- then what happened to it by its number: status, first response, resolution, rating.
INSERT INTO tickets (number, resident_id, category, unit_id, role, status, urgent, collective, description,
                     due_at, first_response_at, resolution_due_at, resolved_at, rating, created_at, updated_at,
                     mediation_place)
SELECT 'JHR-' || g, r.id, kind.category, r.community_id, kind.role, state.status,
       g % 40 = 0, FALSE, '压测工单',
       opened + CASE WHEN g % 40 = 0 THEN interval '1 hour' ELSE interval '24 hours' END,
       CASE WHEN state.status IN ('new', 'cancelled') THEN NULL ELSE opened + ((g % 36) + 1) * interval '1 hour' END,
       opened + kind.days * interval '1 day',
       CASE WHEN state.status IN ('resolved', 'closed') THEN opened + ((g % 12) + 1) * interval '1 day' END,
       CASE WHEN state.status IN ('resolved', 'closed') AND g % 4 <> 0
            THEN (ARRAY[5, 5, 5, 4, 4, 4, 4, 3, 2, 1])[g % 10 + 1] END,
       opened, opened, ''
FROM generate_series(1, :cases) g
CROSS JOIN LATERAL (SELECT now() - ((g * 7919) % (:days * 1440)) * interval '1 minute' AS opened) t
JOIN residents r ON r.openid = 'o_rbench_' || ((g::bigint * 104729) % :residents + 1)
CROSS JOIN LATERAL (
  SELECT (ARRAY['legal_consultation', 'legal_consultation', 'neighbor_dispute', 'property_complaint'])[g % 4 + 1]
           AS category,
         (ARRAY['lawyer', 'lawyer', 'mediator', 'property_officer'])[g % 4 + 1] AS role,
         (ARRAY[3, 3, 15, 7])[g % 4 + 1] AS days
) kind
CROSS JOIN LATERAL (
  SELECT CASE WHEN g % 50 < 30 THEN 'closed' WHEN g % 50 < 36 THEN 'resolved' WHEN g % 50 < 42 THEN 'in_progress'
              WHEN g % 50 < 45 THEN 'new' WHEN g % 50 < 47 THEN 'waiting_info' WHEN g % 50 = 47 THEN 'mediation'
              WHEN g % 50 = 48 THEN 'reopened' ELSE 'cancelled' END AS status
) state;

-- One case in 25 was sent up to its street's workstation.
UPDATE tickets SET escalated_from_id = tickets.unit_id, unit_id = rooms.parent_id
FROM rooms WHERE rooms.id = tickets.unit_id AND tickets.id % 25 = 0;

INSERT INTO ticket_events (ticket_id, status, note, actor, created_at)
SELECT id, 'new', '登记', 'system', created_at FROM tickets
UNION ALL SELECT id, status, '办理', 'bench', created_at + interval '1 hour' FROM tickets WHERE status <> 'new'
UNION ALL SELECT id, 'reopened', '没解决', 'resident', created_at + interval '2 days' FROM tickets
          WHERE status = 'reopened';

-- The residents' messages over the days, half answered by the FAQ, each with the bot's reply.
INSERT INTO messages (resident_id, direction, msg_type, content, extra, intent, created_at)
SELECT r.id, d.direction, 'text', '压测消息', '{}'::json,
       CASE WHEN d.direction = 'out' THEN NULL
            WHEN m % 2 = 0 THEN (SELECT intent FROM faq WHERE faq.n = m % (SELECT count(*) FROM faq))
            ELSE 'legal_consultation' END,
       now() - ((m * 6151) % (:days * 1440)) * interval '1 minute'
FROM generate_series(1, :messages / 2) m
JOIN residents r ON r.openid = 'o_rbench_' || ((m::bigint * 15485863) % :residents + 1)
CROSS JOIN (VALUES ('in'), ('out')) d(direction);
ANALYZE;
"""


def fill(url: str, cases: int, messages: int, days: int) -> dict[str, str]:
    """Accounts, then the residents, cases, events and messages in SQL; returns the usernames."""
    database = Database(url)
    with database.session() as session:
        users = {
            "district admin": add_account(session, "bench.admin", "压测管理员", "admin", "jianghan", PASSWORD).username,
            "street coordinator": add_account(
                session, "bench.coord", "压测协调员", "coordinator", "tangjiadun", PASSWORD
            ).username,
        }
    database.engine.dispose()
    # Not a round number: a resident's cases then fall at unrelated times of the year.
    values = {"cases": cases, "messages": messages, "days": days, "residents": max(1, cases * 6 // 10 + 7)}
    sql = FILL
    for name, value in values.items():
        sql = sql.replace(f":{name}", str(value))
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(sql)
        counted = connection.execute(
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events), "
            "(SELECT count(*) FROM messages), (SELECT count(*) FROM residents)"
        ).fetchone()
    print(
        f"filled {counted[0]} cases, {counted[1]} case events, {counted[2]} messages and {counted[3]} residents "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return users


def bench_pages(app, users: dict[str, str], requests: int) -> bool:
    """The reports page for three periods, for each account."""
    today = beijing_today(utcnow())
    ok = True
    for kind, username in users.items():
        user = StaffUser(app.test_client())
        assert user.log_in(username).status_code == 302, f"{username} cannot log in"
        # The target is the month's page (the page opens on this month; the monthly report is last
        # month's); a whole year, one click away, is timed without one.
        for label, period, target in (
            ("this month", this_month(today), TARGET_PAGE_MS),
            ("last month", last_month(today), TARGET_PAGE_MS),
            ("this year", this_year(today), None),
        ):
            path = f"/console/reports?from={period.first}&to={period.last}"
            _ok(user.get(path))  # warm-up
            times = timed(lambda user=user, path=path: _ok(user.get(path)), requests)
            cases = _cases_opened(app, period)
            ok &= report(f"{kind}: reports, {label} ({cases})", times, target=target)
    return ok


def bench_exports(app, username: str, runs: int = 3) -> bool:
    """Last month's workbook and its CSV, downloaded by the district admin."""
    user = StaffUser(app.test_client())
    user.log_in(username)
    period = last_month(beijing_today(utcnow()))
    ok = True
    for label, path in (
        (f"district admin: workbook {period.month}", f"/console/reports/month.xlsx?month={period.month}"),
        (f"district admin: CSV {period.month}", f"/console/reports/cases.csv?from={period.first}&to={period.last}"),
    ):
        size = len(_ok(user.client.get(path)).data)
        times = timed(lambda path=path: _ok(user.client.get(path)), runs)
        ok &= report(f"{label} ({size // 1024} KiB)", [t / 1000 for t in times], "s", TARGET_EXPORT_S)
    return ok


def print_figures(services) -> None:
    """Last month's figures for the district, and how long each query of this year's report takes."""
    today = beijing_today(utcnow())
    district = ReportScope(None, "全区")
    target = services.settings.report_satisfaction_target
    with services.db.session() as session:
        figures = report_figures(session, district, last_month(today), utcnow(), target)
        total, rated, service = figures.places.total, figures.ratings, figures.self_service
        print(
            f"\n{figures.period.label}, {district.label}: {total.cases} cases, {total.resolved} resolved, "
            f"{total.overdue} overdue now, {total.escalated} escalated, {total.urgent} urgent; "
            f"{rated.rated} rated, satisfaction {rated.rate or 0:.1%} (target {rated.target:.0%}); "
            f"{service.answers} FAQ answers, {service.without_case} with no case within 7 days; "
            f"{figures.returns.cases} returns from {figures.returns.residents} residents"
        )
        for kind in figures.kinds:
            print(
                f"  {kind.label}: {kind.cases} cases, response in time {kind.response_rate or 0:.1%} "
                f"(avg {kind.response_hours} h), resolution in time {kind.resolution_rate or 0:.1%} "
                f"(avg {kind.resolution_days} d)"
            )
        year, now = this_year(today), utcnow()
        print(f"\nqueries of the district's report for {year.label}:")
        for name, query in (
            ("by place", lambda: counts.place_counts(session, district, year, now)),
            ("by week/month", lambda: counts.bucket_counts(session, district, year)),
            ("by kind and deadline", lambda: timeliness.kind_figures(session, district, year, now)),
            ("ratings", lambda: ratings.ratings(session, district, year, target)),
            ("FAQ answers and topics", lambda: self_service.self_service(session, district, year, now)),
            ("residents who came back", lambda: returns.returns(session, district, year)),
        ):
            query()
            report(f"  {name}", timed(query, 5))


def _cases_opened(app, period: Period) -> int:
    """How many cases of the district were opened in the period."""
    query = select(func.count()).select_from(Ticket)
    with app.extensions["services"].db.session() as session:
        return session.scalar(query.where(Ticket.created_at >= period.start, Ticket.created_at < period.end))


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=200_000, help="residents' messages and the bot's replies")
    parser.add_argument("--days", type=int, default=365, help="the cases and messages spread over this many days")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and account")
    args = parser.parse_args()
    with bench_services(console_secure_cookies=False) as (services, _fake):
        users = fill(services.settings.database_url, args.cases, args.messages, args.days)
        app = create_app(services=services)
        ok = bench_pages(app, users, args.requests)
        ok &= bench_exports(app, users["district admin"])
        print_figures(services)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
