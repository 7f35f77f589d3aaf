"""A lawyer's review of the FAQ answers: what is due and since when, drafting, approving (a different
staff member with the lawyer role), returning, confirming, direct edits, the audit log — and the
law-change walkthrough as a resident and the staff live it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.legal.review import (
    CAVEAT,
    REVIEW_EVERY,
    ReviewReason,
    ReviewRefused,
    approve_draft,
    confirm_unchanged,
    draft_change,
    due_for_review,
    law_changed,
    record_edit,
    return_draft,
    reviews_due,
)
from bot.legal.sources import Article, Citation
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage import Database
from bot.storage.faq import DraftStatus, FaqDraft, FaqEntry, drafts, faq_for_intent
from bot.storage.staff import AuditEntry, staff_by_username
from tests.legal_helpers import use_laws
from tests.scripted import ScriptedClassifier
from tests.wechat_user import WeChatUser, converse
from webhook import create_app

OLD_NOISE = {"law": "治安管理处罚法", "version": "2012", "articles": [58]}
NEW_NOISE = Citation("治安管理处罚法", "2025", (Article(88),))
REVIEWED_BEFORE_2025 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
BEFORE_2025 = date(2025, 12, 31)
FROM_2026 = date(2026, 1, 1)


@pytest.fixture
def laws(tmp_path, monkeypatch):
    """The small catalogue, with the 2025 治安管理处罚法."""
    return use_laws(monkeypatch, tmp_path)


@pytest.fixture
def database(any_database_url):
    """The shared test database (PostgreSQL, then SQLite)."""
    database = Database(any_database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def intent(database):
    """An FAQ entry of the test's own citing the 2012 治安管理处罚法, reviewed before 2025."""
    intent = f"faq_t_{uuid.uuid4().hex[:8]}"
    with database.session() as session:
        entry = FaqEntry(intent=intent, category="neighbor_dispute", question="夜里吵", answer="可以报警。")
        entry.citations, entry.reviewed_by, entry.reviewed_at = [OLD_NOISE], "zhang.lawyer", REVIEWED_BEFORE_2025
        session.add(entry)
    yield intent
    with database.session() as session:
        entry_id = faq_for_intent(session, intent).id
        session.execute(delete(FaqDraft).where(FaqDraft.entry_id == entry_id))
        session.execute(delete(FaqEntry).where(FaqEntry.id == entry_id))


def _staff(session, username):
    return staff_by_username(session, username)


def _audited(session, intent: str) -> list[tuple[str, str]]:
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action.like("faq_%")).order_by(AuditEntry.id))
    return [(entry.action, entry.actor) for entry in entries if (entry.after or {}).get("intent") == intent]


def test_an_answer_citing_a_superseded_version_is_due_from_the_day_it_changed(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        (changed,) = [due for due in reviews_due(entry, FROM_2026) if due.reason == ReviewReason.LAW_CHANGED]
        assert changed.due == FROM_2026 and changed.citation.law == "治安管理处罚法"
        assert changed.words() == "法律有更新：《治安管理处罚法》2025年修订，2026年1月1日起施行"
        assert law_changed(entry, FROM_2026) is not None
        # Promulgated, not yet in force: listed ahead with the day it takes effect; no caveat yet.
        (ahead,) = [due for due in reviews_due(entry, BEFORE_2025) if due.reason == ReviewReason.LAW_CHANGING]
        assert ahead.upcoming(BEFORE_2025) and ahead.due == FROM_2026
        assert law_changed(entry, BEFORE_2025) is None
        listed = [due for due in due_for_review(session, FROM_2026) if due.intent == intent]
        assert {due.reason for due in listed} == {ReviewReason.LAW_CHANGED}


def test_a_review_made_after_the_change_was_promulgated_clears_it(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        entry.reviewed_at = datetime(2025, 7, 1, tzinfo=UTC)
        assert law_changed(entry, FROM_2026) is None


def test_answers_come_due_every_year_and_when_never_reviewed(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        entry.citations = [NEW_NOISE.data()]
        reviewed = date(2025, 3, 1)
        assert reviews_due(entry, reviewed + REVIEW_EVERY - timedelta(days=1)) == []
        (yearly,) = reviews_due(entry, reviewed + REVIEW_EVERY)
        assert (yearly.reason, yearly.due) == (ReviewReason.YEARLY, reviewed + REVIEW_EVERY)
        entry.reviewed_at = entry.reviewed_by = None
        assert [due.reason for due in reviews_due(entry, FROM_2026)] == [ReviewReason.NEVER_REVIEWED]


def test_a_lawyer_approves_a_draft_by_someone_else(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        draft = draft_change(
            session, entry, _staff(session, "li.mediator"), "劝阻无效可以报警。", [NEW_NOISE], note="2025年修订"
        )
        assert [d.id for d in drafts(session, entry_id=entry.id)] == [draft.id]
        with pytest.raises(ReviewRefused, match="只有律师"):
            approve_draft(session, draft, _staff(session, "chen.mediator"))
        approve_draft(session, draft, _staff(session, "zhang.lawyer"))
        assert (entry.answer, entry.citations) == ("劝阻无效可以报警。", [NEW_NOISE.data()])
        assert (entry.edited_by, entry.reviewed_by, draft.status) == (
            "li.mediator",
            "zhang.lawyer",
            DraftStatus.APPROVED,
        )
        assert reviews_due(entry) == []
        with pytest.raises(ReviewRefused, match="已经处理"):
            return_draft(session, draft, _staff(session, "liu.lawyer"), "晚了")
        assert _audited(session, intent) == [("faq_draft", "li.mediator"), ("faq_approve", "zhang.lawyer")]


def test_a_lawyer_may_not_approve_their_own_draft(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        draft = draft_change(session, entry, _staff(session, "zhang.lawyer"), "劝阻无效可以报警。", [NEW_NOISE])
        with pytest.raises(ReviewRefused, match="自己起草"):
            approve_draft(session, draft, _staff(session, "zhang.lawyer"))
        assert entry.answer == "可以报警。"


def test_a_returned_draft_leaves_the_answer_and_says_why(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        draft = draft_change(session, entry, _staff(session, "li.mediator"), "报警就行。", [NEW_NOISE])
        with pytest.raises(ReviewRefused, match="原因"):
            return_draft(session, draft, _staff(session, "zhang.lawyer"), " ")
        return_draft(session, draft, _staff(session, "zhang.lawyer"), "要写明先劝阻、调解")
        assert (draft.status, draft.decision_note, entry.answer) == (
            DraftStatus.RETURNED,
            "要写明先劝阻、调解",
            "可以报警。",
        )
        assert drafts(session, entry_id=entry.id) == []
        assert _audited(session, intent)[-1] == ("faq_return", "zhang.lawyer")


def test_a_draft_over_an_answer_changed_since_is_not_approved(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        first = draft_change(session, entry, _staff(session, "li.mediator"), "第一稿。", [NEW_NOISE])
        second = draft_change(session, entry, _staff(session, "chen.mediator"), "第二稿。", [NEW_NOISE])
        approve_draft(session, first, _staff(session, "zhang.lawyer"))
        with pytest.raises(ReviewRefused, match="又有改动"):
            approve_draft(session, second, _staff(session, "zhang.lawyer"))


def test_a_draft_citing_a_superseded_version_or_a_missing_article_is_refused(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        mediator = _staff(session, "li.mediator")
        with pytest.raises(ReviewRefused, match="已不再适用"):
            draft_change(session, entry, mediator, "报警。", [Citation("治安管理处罚法", "2012", (Article(58),))])
        with pytest.raises(ReviewRefused, match="没有第九十九条"):
            draft_change(session, entry, mediator, "报警。", [Citation("治安管理处罚法", "2025", (Article(99),))])
        with pytest.raises(ReviewRefused, match="不能为空"):
            draft_change(session, entry, mediator, "  ", [NEW_NOISE])


def test_a_lawyer_confirms_an_answer_unchanged_unless_its_law_changed(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        with pytest.raises(ReviewRefused, match="起草修改"):
            confirm_unchanged(session, entry, _staff(session, "zhang.lawyer"))
        entry.citations = [NEW_NOISE.data()]
        with pytest.raises(ReviewRefused, match="只有律师"):
            confirm_unchanged(session, entry, _staff(session, "li.mediator"))
        confirm_unchanged(session, entry, _staff(session, "liu.lawyer"))
        assert entry.reviewed_by == "liu.lawyer" and reviews_due(entry) == []
        assert _audited(session, intent)[-1] == ("faq_confirm", "liu.lawyer")


def test_a_direct_edit_is_recorded_and_needs_another_lawyer(laws, database, intent):
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        lawyer = _staff(session, "zhang.lawyer")
        assert record_edit(session, entry, lawyer, answer="先劝阻，再报警。", citations=[NEW_NOISE])
        assert not record_edit(session, entry, lawyer, answer="先劝阻，再报警。")  # the same: no edit
        assert (entry.answer, entry.edited_by, entry.reviewed_at) == ("先劝阻，再报警。", "zhang.lawyer", None)
        with pytest.raises(ReviewRefused, match="另一位律师"):
            confirm_unchanged(session, entry, lawyer)
        confirm_unchanged(session, entry, _staff(session, "liu.lawyer"))
        assert _audited(session, intent) == [("faq_edit", "zhang.lawyer"), ("faq_confirm", "liu.lawyer")]


def test_line_endings_from_a_browser_are_kept_as_plain_line_breaks(laws, database, intent):
    typed = "先劝阻。  \r\n\r\n劝阻无效的，可以报警。\r\n"
    with database.session() as session:
        entry = faq_for_intent(session, intent)
        draft = draft_change(session, entry, _staff(session, "li.mediator"), typed, [NEW_NOISE], "夜里吵？ \r\n")
        assert (draft.answer, draft.question) == ("先劝阻。\n\n劝阻无效的，可以报警。", "夜里吵？")
        lawyer = _staff(session, "zhang.lawyer")
        assert record_edit(session, entry, lawyer, answer="先沟通。\r\n再报警。 \r\n", question="夜里\r\n吵")
        assert (entry.answer, entry.question) == ("先沟通。\n再报警。", "夜里\n吵")
        assert not record_edit(session, entry, lawyer, answer="先沟通。\n再报警。")  # the same once normalised


# The walkthrough: a law changes, the answers citing it are found, served with the caveat, fixed.


@pytest.fixture
def walkthrough(settings, tmp_path):
    """Services and a resident of their own, on a database of their own."""
    url = f"sqlite:///{tmp_path / 'walkthrough.db'}"
    prepare_database(url)
    services = build_services(dataclasses.replace(settings, database_url=url))
    services.classifier = ScriptedClassifier({"晚上楼上太吵了 有什么规定": "faq_noise_night"})
    resident = WeChatUser(create_app(services=services).test_client(), services.settings, "o_law_change_01")
    yield services, resident
    services.db.engine.dispose()


def test_a_law_changes_and_the_answers_citing_it_are_reviewed(walkthrough, tmp_path, monkeypatch):
    services, resident = walkthrough
    asks = "晚上楼上太吵了 有什么规定"
    # The catalogue before the 2025 治安管理处罚法; the noise answer cites the 2012 version, art. 58.
    use_laws(monkeypatch, tmp_path / "before", with_2025=False)
    with services.db.session() as session:
        entry = faq_for_intent(session, "faq_noise_night")
        entry.citations, entry.reviewed_by, entry.reviewed_at = [OLD_NOISE], "zhang.lawyer", REVIEWED_BEFORE_2025
    (reply,) = converse(resident, [(asks, "第五十八条")])
    assert CAVEAT not in reply and "邻里纠纷" not in reply and "人民调解员" in reply
    converse(resident, [("2", "有需要随时找我")])

    # The 2025 version is added: the answer is due for review and served with the caveat and the lawyer.
    use_laws(monkeypatch, tmp_path / "after", with_2025=True)
    with services.db.session() as session:
        due = [item for item in due_for_review(session) if item.intent == "faq_noise_night"]
        assert ReviewReason.LAW_CHANGED in {item.reason for item in due}
    (reply,) = converse(resident, [(asks, CAVEAT)])
    assert "需要社区律师帮您具体处理吗" in reply
    converse(resident, [("1", "法律咨询")])

    # A mediator drafts the fix citing 2025 art. 88; a lawyer approves it.
    with services.db.session() as session:
        entry = faq_for_intent(session, "faq_noise_night")
        mediator, lawyer = _staff(session, "li.mediator"), _staff(session, "zhang.lawyer")
        answer = "经物业、居委会劝阻调解仍继续吵闹的，公安机关可处5日以下拘留或1000元以下罚款。"
        draft = draft_change(session, entry, mediator, answer, [NEW_NOISE], note="治安管理处罚法2025年修订")
        approve_draft(session, draft, lawyer)

    other = WeChatUser(resident.client, resident.settings, "o_law_change_02")
    (reply,) = converse(other, [(asks, "（2025年修订，2026年1月1日起施行）第八十八条")])
    assert CAVEAT not in reply and "人民调解员" in reply
    with services.db.session() as session:
        assert [item for item in due_for_review(session) if item.intent == "faq_noise_night"] == []
        assert _audited(session, "faq_noise_night") == [("faq_draft", "li.mediator"), ("faq_approve", "zhang.lawyer")]
