"""The audit log's vocabulary and its page queries (filters, keyset pages, counts, export batches)
on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.storage.audit import (
    ACTION_LABELS,
    REVIEW_DECISIONS,
    AuditAction,
    AuditFilter,
    action_label,
    audit,
    audit_page,
    count_entries,
    entry_batches,
)
from bot.storage.staff import AuditEntry, staff_by_username
from tests.staff_user import new_account, new_case

START = datetime(2024, 6, 1, tzinfo=UTC)


def test_every_action_has_a_chinese_label_and_a_group():
    assert set(ACTION_LABELS) == set(AuditAction)
    assert all(action.label and action.group.label for action in AuditAction)
    assert set(REVIEW_DECISIONS.values()) <= set(AuditAction)
    assert action_label("accept") == "受理" and action_label("an_old_action") == "an_old_action"


@pytest.fixture
def logged(any_services):
    """Ten entries of an account of the test's own, a minute apart; the first five about a case."""
    username = new_account(any_services, "lawyer", "baguodun")
    case_id, number, _ = new_case(any_services, "baguodun")
    ids = []
    with any_services.db.session() as session:
        staff = staff_by_username(session, username)
        for n in range(10):
            action = AuditAction.NOTE if n % 2 else AuditAction.PROFILE
            audit(session, staff, action, case_id if n < 5 else None, {}, {"n": n})
            session.flush()
            entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
            entry.created_at = START + timedelta(minutes=n)
            ids.append(entry.id)
        return any_services, staff.id, case_id, number, ids


def test_filters_combine_and_pages_run_newest_first(logged):
    services, staff_id, case_id, number, ids = logged
    mine = AuditFilter(staff_id=staff_id)
    with services.db.session() as session:
        first = audit_page(session, mine, 4)
        assert [entry.id for entry in first.entries] == ids[:-5:-1] and first.newer_than is None
        second = audit_page(session, mine, 4, before=first.older_than)
        assert [entry.id for entry in second.entries] == ids[5:1:-1] and second.newer_than == ids[5]
        last = audit_page(session, mine, 4, before=second.older_than)
        assert [entry.id for entry in last.entries] == ids[1::-1] and last.older_than is None
        back = audit_page(session, mine, 4, after=last.entries[0].id)
        assert [entry.id for entry in back.entries] == [entry.id for entry in second.entries]
        case_notes = AuditFilter(staff_id=staff_id, ticket_id=case_id, action=AuditAction.NOTE)
        assert [entry.id for entry in audit_page(session, case_notes, 10).entries] == [ids[3], ids[1]]
        window = AuditFilter(staff_id=staff_id, since=START + timedelta(minutes=2), until=START + timedelta(minutes=4))
        assert [entry.id for entry in audit_page(session, window, 10).entries] == [ids[3], ids[2]]
        assert count_entries(session, mine, 100) == 10 and count_entries(session, mine, 3) == 3
        assert {entry.case_number for entry in last.entries} == {number}


def test_export_batches_reach_every_entry_up_to_the_limit(logged):
    services, staff_id, *_, ids = logged
    with services.db.session() as session:
        batches = [[entry.id for entry in batch] for batch in entry_batches(session, AuditFilter(staff_id), 7, 3)]
    assert batches == [ids[:-4:-1], ids[-4:-7:-1], [ids[-7]]]


def test_what_nobody_did_by_hand_is_filtered_as_the_system(services):
    with services.db.session() as session:
        audit(session, None, AuditAction.ADDRESS_LOCKED, None, {}, {"address": "10.200.0.1"})
        session.flush()
        page = audit_page(session, AuditFilter(system=True), 50)
    assert page.entries and all(entry.staff_id is None and entry.actor == "system" for entry in page.entries)
