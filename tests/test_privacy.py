"""Export, erasure and the retention purge (bot/cases/privacy.py), on PostgreSQL and on SQLite, with real
Redis: a resident with review items, audit entries, photos and an open case is erased, and a full
dump of the database afterwards holds none of their name, phone, openid, words or photo."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from bot.cases import privacy
from bot.cases.privacy import erase_residents, export_resident, purge_expired
from bot.pipeline.journal import Journal
from bot.storage.outbox import OutboundMessage
from bot.storage.privacy_requests import PrivacyRequest, RequestStatus
from bot.storage.residents import Resident
from bot.storage.staff import AuditEntry, Handoff, staff_by_username
from bot.storage.tickets import Ticket, TicketEvent
from devtools.privacy_footprint import database_dump, leave_footprint, name_sequence
from tests.conftest import run_jobs


@pytest.fixture
def services(any_services, tmp_path):
    """The services on each database in turn, with a journal of this test's own."""
    any_services.journal = Journal(tmp_path / "journal", any_services.journal.owner)
    return any_services


def dump(services) -> str:
    """Every row of every table, as the database's own dump tool writes it."""
    return database_dump(services.settings.database_url)


def redis_holds(services, text: str) -> list[str]:
    """Keys of this test's prefix whose name or value holds the text."""
    client, found = services.redis, []
    for key in client.scan_iter(f"{services.settings.key_prefix}*"):
        kind = client.type(key).decode()
        values = [client.get(key)] if kind == "string" else client.lrange(key, 0, -1) if kind == "list" else []
        if text.encode() in key or any(value and text.encode() in value for value in values):
            found.append(key.decode())
    return found


def test_no_two_footprints_share_a_name_until_every_name_is_used():
    # A name shared with a resident still stored would be found in the dump after the erasure.
    names = list(itertools.islice(name_sequence(), 451))
    assert len(set(names[:450])) == 450 and names[450] == names[0]


def test_export_lists_every_table_of_the_map_with_review_items_and_audit_entries(services):
    trace = leave_footprint(services)
    data = export_resident(services, trace.openid)
    assert data["residents"][0]["phone"] == trace.phone
    assert any(trace.name in item["text"] for item in data["review_items"])
    assert any(trace.phone in entry["after"].get("question", "") for entry in data["audit_log"])
    assert {note["text"] for note in data["case_notes"]} == {f"{trace.name}家住3栋，{trace.marker}"}
    assert data["ticket_attachments"][0]["content"] == {"bytes": len(trace.photo)}
    assert data["dialogue_states"][0]["state"]["phone"] == trace.phone
    assert any(trace.openid in key and trace.name in value for key, value in data["redis"].items() if value)
    assert data["journal"][0]["openid"] == trace.openid
    assert export_resident(services, "o_nobody_at_all_000") is None


def test_erasure_leaves_nothing_of_the_person_in_a_full_dump_and_keeps_the_statistics(services, fake_wechat):
    trace, other = leave_footprint(services), leave_footprint(services)
    assert trace.phone in dump(services)
    with services.db.session() as session:
        admin = staff_by_username(session, "wang.property")
    run = erase_residents(services, [trace.openid], admin)

    assert run.failed == [] and len(run.erased) == 1
    counts = run.erased[0].counts
    print(
        f"\n{services.settings.database_url.split(':')[0]}: erased in {run.erased[0].seconds * 1000:.0f} ms: {counts}"
    )
    for kind in (
        "messages",
        "review_items",
        "ticket_attachments",
        "audit_log",
        "case_notes",
        "outbound_messages",
        "dead_letters",
        "dialogue_states",
        "tickets",
        "residents",
        "redis_keys",
        "journal_lines",
    ):
        assert counts.get(kind), kind
    assert counts["cases_withdrawn"] == 1
    run_jobs(services)  # the notice that the data is erased: sent, and its openid goes too
    notice = fake_wechat.messages(touser=trace.openid)[-1]["content"]
    assert notice.startswith(privacy.ERASED_NOTICE.split("以后")[0]) and "也随之撤回了" in notice
    everything = dump(services)
    for secret in trace.secrets():
        assert secret not in everything, secret
        assert redis_holds(services, secret) == [], secret
    assert trace.openid not in (services.journal.path.read_text(encoding="utf-8"))
    assert trace.name not in Path(services.settings.nlu_reviewed_file).read_text(encoding="utf-8")
    # Everyone else is untouched.
    assert other.phone in everything and other.name in Path(services.settings.nlu_reviewed_file).read_text(
        encoding="utf-8"
    )
    assert redis_holds(services, other.openid) and other.openid in services.journal.path.read_text(encoding="utf-8")

    with services.db.session() as session:
        opened, resolved = session.get(Ticket, trace.open_ticket_id), session.get(Ticket, trace.resolved_ticket_id)
        assert (resolved.category, resolved.status, resolved.rating, resolved.rating_comment) == (
            "neighbor_dispute",
            "resolved",
            5,
            None,
        )
        assert opened.status == "cancelled" and opened.unit_id == resolved.unit_id and opened.description == ""
        assert (
            session.scalar(
                select(TicketEvent.note)
                .where(TicketEvent.ticket_id == opened.id)
                .order_by(TicketEvent.id.desc())
                .limit(1)
            )
            == privacy.WITHDRAWN_NOTE
        )
        assert session.scalar(select(Handoff.release_reason).where(Handoff.ticket_id == opened.id)) == "erased"
        anonymous = session.get(Resident, opened.resident_id)
        assert anonymous.openid == privacy.erased_tag(trace.openid, anonymous.id) and anonymous.phone is None
        request = session.scalar(select(PrivacyRequest).where(PrivacyRequest.resident_id == anonymous.id))
        assert (request.status, request.handled_by, request.erased) == (RequestStatus.DONE, "wang.property", counts)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_erase"))
        assert [entry.actor for entry in entries if entry.after["request_id"] == request.id] == ["wang.property"]
    assert export_resident(services, trace.openid) is None
    assert erase_residents(services, [trace.openid]).unknown == [trace.openid]


def test_the_purge_erases_each_resident_on_their_own_and_reports_a_failure(services, monkeypatch):
    gone, failing = leave_footprint(services, last_seen_days_ago=400), leave_footprint(services, last_seen_days_ago=400)
    recent = leave_footprint(services, last_seen_days_ago=3)
    with services.db.session() as session:  # an open case keeps a resident: only the resolved one here
        session.get(Ticket, gone.open_ticket_id).status = "resolved"
        session.get(Ticket, failing.open_ticket_id).status = "closed"
    services.settings = dataclasses.replace(services.settings, retention_days=365)
    erase_redis = privacy._erase_redis

    def redis_down_for_one(current, openid):
        if openid == failing.openid:
            raise redis.ConnectionError("Connection refused")
        return erase_redis(current, openid)

    monkeypatch.setattr(privacy, "_erase_redis", redis_down_for_one)
    run = purge_expired(services)

    assert gone.openid in [one.openid for one in run.erased]
    assert [openid for openid, _ in run.failed] == [failing.openid]
    assert "Redis 出错" in run.failed[0][1]
    everything = dump(services)
    # One assert each: pytest shows `a not in x and b not in x` as if `a` were found when only `b` is.
    assert gone.phone not in everything
    assert gone.name not in everything
    # Their openid stays only on the notice promised when they asked (it waits for their return).
    with services.db.session() as session:
        assert session.scalar(select(Resident).where(Resident.openid == gone.openid)) is None
        kept = session.scalars(select(OutboundMessage.content).where(OutboundMessage.openid == gone.openid))
        assert all("个人信息已经删除了" in text for text in kept)
    assert failing.phone in everything and recent.phone in everything  # rolled back whole; not due yet
    with services.db.session() as session:
        resident = session.scalar(select(Resident).where(Resident.openid == failing.openid))
        request = session.scalar(select(PrivacyRequest).where(PrivacyRequest.resident_id == resident.id))
        assert request.status == RequestStatus.OPEN and "Redis 出错" in request.error
    monkeypatch.setattr(privacy, "_erase_redis", erase_redis)
    assert [one.openid for one in purge_expired(services).erased if one.openid == failing.openid] == [failing.openid]


def test_a_resident_with_an_open_case_is_not_purged(services):
    waiting = leave_footprint(services, last_seen_days_ago=400)
    services.settings = dataclasses.replace(services.settings, retention_days=365)
    assert waiting.openid not in [one.openid for one in purge_expired(services).erased]
    assert waiting.phone in dump(services)


def test_no_retention_period_erases_nobody(services):
    leave_footprint(services, last_seen_days_ago=4000)
    assert purge_expired(services) == privacy.ErasureRun()


def test_the_commitment_counts_fifteen_working_days():
    from datetime import datetime

    from bot.cases.office_hours import CHINA

    due = privacy.erasure_due(datetime(2026, 12, 7, 10, 0, tzinfo=CHINA))  # a Monday
    assert (due.date().isoformat(), due.hour) == ("2026-12-28", 23)


def test_a_resident_erased_who_comes_back_can_be_erased_again(services):
    from bot.storage.residents import touch_resident

    trace = leave_footprint(services)
    assert not erase_residents(services, [trace.openid]).failed
    with services.db.session() as session:  # "以后有事再找我们": they write again
        touch_resident(session, trace.openid)
    again = erase_residents(services, [trace.openid])
    assert [one.openid for one in again.erased] == [trace.openid] and not again.failed
    with services.db.session() as session:
        assert privacy.erased_on(session, trace.openid) is not None
        assert session.scalar(select(Resident).where(Resident.openid == trace.openid)) is None


def test_the_purge_still_tells_a_resident_who_asked(services):
    from datetime import timedelta

    from bot.storage.base import utcnow

    asked = leave_footprint(services, last_seen_days_ago=400)
    with services.db.session() as session:
        session.get(Ticket, asked.open_ticket_id).status = "resolved"
        resident = session.scalar(select(Resident).where(Resident.openid == asked.openid))
        due = utcnow() + timedelta(days=3)
        session.add(PrivacyRequest(resident_id=resident.id, status=RequestStatus.AFTER_CASES, due_at=due))
    services.settings = dataclasses.replace(services.settings, retention_days=365)
    assert asked.openid in [one.openid for one in purge_expired(services).erased]
    with services.db.session() as session:  # told, as promised when they asked
        notices = session.scalars(select(OutboundMessage.content).where(OutboundMessage.openid == asked.openid))
        assert any("个人信息已经删除了" in text for text in notices)
