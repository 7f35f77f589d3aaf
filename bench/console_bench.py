"""The staff console under load: inbox and case page latency with 10,000 cases and 100,000
messages in PostgreSQL, and the time from a staff reply to its arrival at the fake WeChat API.

    .venv/bin/python bench/console_bench.py [--cases 10000] [--messages 100000] [--requests 200] [--replies 20]

Creates a PostgreSQL database of its own (dropped at the end; TEST_PG_ADMIN_URL like the tests),
fills it with SQL, and times the pages in-process through the Flask test client, logged in as a
room lawyer, a street coordinator and a district admin. The reply is timed through the production
path: the page's POST queues the message, an RQ worker (`flask --app webhook worker`, a separate
process) delivers it to a local fake WeChat API.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.harness import bench_services  # noqa: E402
from bot.cases.staff import add_account  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.storage.residents import Resident  # noqa: E402
from bot.storage.tickets import Ticket  # noqa: E402
from bot.training.evaluation import percentile  # noqa: E402
from devtools.fake_wechat import FakeWeChatServer  # noqa: E402
from tests.staff_user import PASSWORD, StaffUser  # noqa: E402
from webhook import create_app  # noqa: E402

TARGET_PAGE_MS, TARGET_REPLY_S = 200, 2.0

FILL = """
INSERT INTO residents (openid, subscribed, has_deferred, last_interaction_at, created_at)
SELECT 'o_bench_' || g, TRUE, FALSE, now(), now() FROM generate_series(1, %(cases)s) g;

WITH rooms AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM units WHERE level = 'community'),
     room_count AS (SELECT count(*) AS c FROM rooms)
INSERT INTO tickets (number, resident_id, category, unit_id, role, status, urgent, collective, description,
                     due_at, resolution_due_at, created_at, updated_at, mediation_place)
SELECT 'JHB-' || g, r.id,
       (ARRAY['legal_consultation','neighbor_dispute','property_complaint'])[g % 3 + 1],
       rooms.id,
       (ARRAY['lawyer','mediator','property_officer'])[g % 3 + 1],
       (ARRAY['new','in_progress','waiting_info','resolved','closed','resolved'])[g % 6 + 1],
       g % 40 = 0, FALSE,
       '居民反映的情况，第 ' || g || ' 号：楼上漏水、物业不修、工资拖欠之类的具体描述，长度和真实留言相近。',
       now() + ((g % 72) - 24) * interval '1 hour', now() + ((g % 20) - 5) * interval '1 day',
       now() - (g % 500) * interval '1 hour', now(), ''
FROM generate_series(1, %(cases)s) g
JOIN residents r ON r.openid = 'o_bench_' || g
CROSS JOIN room_count
JOIN rooms ON rooms.n = g %% room_count.c;

INSERT INTO messages (resident_id, direction, msg_type, content, extra, ticket_id, created_at)
SELECT t.resident_id, CASE WHEN m %% 2 = 0 THEN 'in' ELSE 'out' END, 'text',
       '第 ' || m || ' 条消息：居民和机器人之间的一句对话，长度和真实消息相近。', '{}'::json,
       CASE WHEN m %% 3 = 0 THEN NULL ELSE t.id END,
       now() - (%(messages)s - m) * interval '1 second'
FROM generate_series(1, %(messages)s) m
JOIN tickets t ON t.number = 'JHB-' || (m %% %(cases)s + 1);

-- Residents waiting for staff: a message nobody answered on every fifth open case, a request for a
-- person on every thirtieth (the inbox puts them first).
UPDATE tickets SET resident_wrote_at = now() - (id %% 300) * interval '1 minute'
WHERE id %% 5 = 0 AND status IN ('new', 'in_progress', 'waiting_info');
UPDATE tickets SET person_requested_at = now() - (id %% 90) * interval '1 minute'
WHERE id %% 30 = 0 AND status IN ('new', 'in_progress', 'waiting_info');
ANALYZE;
"""


def fill(url: str, cases: int, messages: int) -> dict[str, str]:
    """Accounts and the cases and messages (on a seeded database); returns the usernames by kind."""
    database = Database(url)
    with database.session() as session:
        users = {
            "room lawyer": add_account(session, "bench.lawyer", "压测律师", "lawyer", "baguodun", PASSWORD).username,
            "street coordinator": add_account(
                session, "bench.coord", "压测协调员", "coordinator", "tangjiadun", PASSWORD
            ).username,
            "district admin": add_account(session, "bench.admin", "压测管理员", "admin", "jianghan", PASSWORD).username,
        }
    database.engine.dispose()
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(
            FILL.replace("%(cases)s", str(cases)).replace("%(messages)s", str(messages)).replace("%%", "%")
        )
        counts = connection.execute("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM messages)").fetchone()
    print(f"filled {counts[0]} cases and {counts[1]} messages in {time.perf_counter() - started:.1f} s")
    return users


def timed(call, runs: int) -> list[float]:
    """Milliseconds of each call."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float], unit: str = "ms", target: float | None = None) -> bool:
    times = sorted(times)
    p50, p95 = percentile(times, 50), percentile(times, 95)
    verdict = "" if target is None else ("  ok" if p95 <= target else f"  OVER the {target:g} {unit} target")
    print(
        f"{label:<44} n={len(times):<4} p50 {p50:8.1f} {unit}  p95 {p95:8.1f} {unit}  "
        f"max {max(times):8.1f} {unit}{verdict}"
    )
    return target is None or p95 <= target


def bench_pages(app, users: dict, requests: int) -> bool:
    ok = True
    for kind, username in users.items():
        user = StaffUser(app.test_client())
        assert user.log_in(username).status_code == 302, f"{username} cannot log in"
        page = user.get("/console/").get_data(as_text=True)
        case_ids = [int(part.split('"')[0]) for part in page.split('href="/console/cases/')[1:]]
        assert case_ids, f"{username} sees no cases"
        for path in ("/console/", "/console/inbox/rows"):
            user.get(path)  # warm-up
            ok &= report(
                f"{kind}: GET {path}",
                timed(lambda user=user, path=path: _ok(user.get(path)), requests),
                target=TARGET_PAGE_MS,
            )
        ok &= report(
            f"{kind}: GET /console/cases/<id>",
            timed(
                lambda user=user, case_ids=case_ids: _ok(user.get(f"/console/cases/{random.choice(case_ids)}")),
                requests,
            ),
            target=TARGET_PAGE_MS,
        )
        ok &= report(
            f"{kind}: GET /console/cases/<id>/thread",
            timed(
                lambda user=user, case_ids=case_ids: _ok(user.get(f"/console/cases/{random.choice(case_ids)}/thread")),
                requests,
            ),
            target=TARGET_PAGE_MS,
        )
    return ok


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code


def bench_reply(app, settings: Settings, fake: FakeWeChatServer, replies: int) -> bool:
    """Staff reply POST → arrival at the fake WeChat API, through an RQ worker process."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "KEY_PREFIX": settings.key_prefix,
        "WECHAT_API_BASE": settings.wechat_api_base,
        "WECHAT_SECRET": settings.wechat_secret,
        "WECHAT_APPID": settings.wechat_appid,
        "NLU_BACKEND": "keywords",
    }
    worker = subprocess.Popen(
        [str(PROJECT_ROOT / ".venv" / "bin" / "flask"), "--app", "webhook", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        user = StaffUser(app.test_client())
        user.log_in("bench.lawyer")
        page = user.get("/console/?role=lawyer").get_data(as_text=True)
        case_id = int(page.split('href="/console/cases/')[1].split('"')[0])
        openid = _openid_of(app, case_id)
        user.get(f"/console/cases/{case_id}")
        times = []
        time.sleep(2)  # the worker is up and listening
        for n in range(replies + 1):
            seen = len(fake.messages(touser=openid))
            started = time.perf_counter()
            assert user.post(f"/console/cases/{case_id}/reply", {"text": f"压测回复 {n}"}).status_code == 302
            arrived = fake.wait_for_messages(openid, count=seen + 1, timeout=10)
            assert len(arrived) > seen, "the reply never arrived"
            if n:  # the first one warms the worker up
                times.append(time.perf_counter() - started)
        return report("staff reply → fake WeChat API", times, "s", TARGET_REPLY_S)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def _openid_of(app, case_id: int) -> str:
    with app.extensions["services"].db.session() as session:
        return session.get(Resident, session.get(Ticket, case_id).resident_id).openid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and account")
    parser.add_argument("--replies", type=int, default=20)
    args = parser.parse_args()
    with bench_services(console_secure_cookies=False) as (services, fake):
        return run(args, services, fake)


def run(args: argparse.Namespace, services, fake) -> int:
    """Fill the database, then time the pages and the replies."""
    users = fill(services.settings.database_url, args.cases, args.messages)
    app = create_app(services=services)
    ok = bench_pages(app, users, args.requests)
    ok &= bench_reply(app, services.settings, fake, args.replies)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
