"""The storage base: one time type that gives the same moments back on PostgreSQL and on SQLite."""

from __future__ import annotations

import dataclasses
import types
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from bot.cases.office_hours import CHINA
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage import base
from bot.storage.base import Database, utcnow
from bot.storage.dead_letters import DeadLetter
from bot.storage.residents import Resident, touch_resident

# One moment written in two zones: 10:00 in Beijing is 02:00 UTC.
BEIJING_TEN = datetime(2026, 12, 8, 10, 0, tzinfo=CHINA)


def _letter(services, created_at: datetime, reason: str) -> int:
    with services.db.session() as session:
        letter = DeadLetter(source="test", payload="{}", reason=reason, created_at=created_at)
        session.add(letter)
        session.flush()
        return letter.id


def test_a_time_comes_back_as_the_same_moment_in_utc(any_services):
    letter_id = _letter(any_services, BEIJING_TEN, "beijing")
    with any_services.db.session() as session:
        stored = session.get(DeadLetter, letter_id).created_at
    assert stored == BEIJING_TEN and stored.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused(any_services):
    with pytest.raises(StatementError, match="naive datetime"):
        _letter(any_services, datetime(2026, 12, 8, 10, 0), "naive")  # noqa: DTZ001 (the naive time under test)


def test_comparisons_and_order_in_sql_follow_the_moments_whatever_zone_they_were_written_in(any_services):
    reason = f"order-{uuid.uuid4().hex[:8]}"
    earlier = _letter(any_services, BEIJING_TEN - timedelta(minutes=1), reason)  # 01:59 UTC
    later = _letter(any_services, datetime(2026, 12, 8, 2, 30, tzinfo=UTC), reason)
    with any_services.db.session() as session:
        mine = select(DeadLetter.id).where(DeadLetter.reason == reason)
        assert list(session.scalars(mine.order_by(DeadLetter.created_at))) == [earlier, later]
        assert list(session.scalars(mine.where(DeadLetter.created_at < BEIJING_TEN))) == [earlier]
        assert list(session.scalars(mine.where(DeadLetter.created_at > BEIJING_TEN))) == [later]


def test_times_bound_in_plain_sql_come_back_aware(any_services):
    with any_services.db.session() as session:
        resident = touch_resident(session, f"o_base_{uuid.uuid4().hex[:8]}")
        assert abs(resident.last_interaction_at - utcnow()) < timedelta(minutes=1)
        assert resident.last_interaction_at.tzinfo is not None


def test_sqlite_keeps_utc_in_the_format_of_the_values_stored_before(settings, sqlite_database_url):
    """Rows written before this type (aware UTC through DateTime) read the same and sort with new ones."""
    sqlite = build_services(dataclasses.replace(settings, database_url=sqlite_database_url))
    letter_id = _letter(sqlite, BEIJING_TEN, "format")
    with sqlite.db.session() as session:
        raw = session.execute(text("SELECT created_at FROM dead_letters WHERE id = :id"), {"id": letter_id}).scalar()
        assert raw == "2026-12-08 02:00:00.000000"
        openid = f"o_base_{uuid.uuid4().hex[:8]}"
        session.execute(
            text(
                "INSERT INTO residents (openid, subscribed, has_deferred, last_interaction_at, created_at) "
                "VALUES (:openid, 1, 0, '2026-11-30 09:15:02.123456', '2026-11-30 09:15:02.123456')"
            ),
            {"openid": openid},
        )
        old = session.scalar(select(Resident).where(Resident.openid == openid))
        assert old.created_at == datetime(2026, 11, 30, 9, 15, 2, 123456, tzinfo=UTC)
    sqlite.db.engine.dispose()


def test_sqlite_times_once_written_in_beijing_clock_time_are_moved_to_utc(tmp_path):
    """Migration 0011: mediation times and deadlines counted from a room's opening."""
    from alembic import command

    from bot.storage.base import Database
    from bot.storage.migrate import alembic_config
    from bot.storage.tickets import Ticket
    from tests.staff_user import new_case

    url = f"sqlite:///{tmp_path / 'before.db'}"
    prepare_database(url)
    database = Database(url)
    case_id, _, _ = new_case(types.SimpleNamespace(db=database, jobs=_NoJobs()), "baguodun")
    with database.session() as session:  # as the service wrote them before UtcDateTime
        session.execute(
            text(
                "UPDATE tickets SET mediation_at = '2026-12-14 14:30:00.000000', "
                "due_at = '2026-12-08 10:00:00.000000', "
                "resolution_due_at = '2026-12-20 01:23:45.678901' WHERE id = :id"
            ),
            {"id": case_id},
        )
    command.stamp(alembic_config(url), "0010")
    command.upgrade(alembic_config(url), "0011")  # the later revisions' schema is in place already
    with database.session() as session:
        ticket = session.get(Ticket, case_id)
        assert ticket.mediation_at == datetime(2026, 12, 14, 14, 30, tzinfo=CHINA)
        assert ticket.due_at == datetime(2026, 12, 8, 10, 0, tzinfo=CHINA)
        assert ticket.resolution_due_at == datetime(2026, 12, 20, 1, 23, 45, 678901, tzinfo=UTC)  # UTC already
    database.engine.dispose()


class _NoJobs:
    """A job queue that drops what it is given (no staff to alert in a scratch database)."""

    def enqueue(self, *args, **kwargs) -> None:
        """Drop the job."""


def _backend_pid(db) -> int:
    with db.session() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_back_a_moment_ago_is_not_pinged_again(database_url, monkeypatch):
    db = Database(database_url)
    pings = []
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    first = _backend_pid(db)
    assert _backend_pid(db) == first
    assert pings == []
    db.engine.dispose()


def test_a_connection_idle_on_a_server_that_dropped_it_is_replaced_before_use(database_url, monkeypatch):
    db = Database(database_url)
    dropped = _backend_pid(db)
    with Database(database_url).session() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    monkeypatch.setattr(base, "PING_AFTER_IDLE", 0.0)  # as if it had lain in the pool a while
    assert _backend_pid(db) != dropped
    db.engine.dispose()
