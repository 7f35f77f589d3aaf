"""A lawyer's review of the FAQ answers: which answers need it and since when, drafting a change,
a lawyer approving or returning it (never their own), confirming an answer unchanged, and a direct
edit. Each action is written to the audit log.

An answer needs review when a law it cites has changed (from the day the new version takes effect,
or the law is repealed), when a promulgated version will replace one it cites (listed ahead, from
the day it takes effect), when no lawyer has reviewed it yet, and every REVIEW_EVERY after the last
review. Until a lawyer has reviewed it since the change, an answer citing a version no longer in
force is served with CAVEAT and the offer of the community lawyer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases.staff import audit
from bot.legal.sources import (
    Catalogue,
    Change,
    Citation,
    catalogue,
    citations_of,
    day_in_china,
    today,
)
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.faq import (
    DraftStatus,
    FaqDraft,
    FaqEntry,
    all_faq_entries,
    content_hash,
    entry_content,
    set_content,
)
from bot.storage.staff import Staff, extra_rooms

REVIEW_EVERY = timedelta(days=365)
LAWYER = "lawyer"
# Served after the 依据 line of an answer whose law changed and no lawyer has reviewed since.
CAVEAT = "法律有更新，具体请咨询社区律师。"


class ReviewReason(StrEnum):
    """Why an answer is due for a lawyer's review."""

    LAW_CHANGED = "law_changed"  # it cites a version no longer in force
    LAW_CHANGING = "law_changing"  # it cites a version a promulgated one replaces on a later day
    NEVER_REVIEWED = "never_reviewed"  # no lawyer has reviewed it in the service
    YEARLY = "yearly"  # REVIEW_EVERY has passed since the last review


@dataclass(frozen=True)
class DueReview:
    """One reason an answer is due for review, and from which day."""

    intent: str
    reason: ReviewReason
    due: date | None  # None: never reviewed (due since it was loaded)
    citation: Citation | None = None  # the citation of the changed law
    change: Change | None = None

    def upcoming(self, on: date) -> bool:
        """Due on a later day than `on` (a law promulgated, not yet in force)."""
        return self.due is not None and self.due > on

    def words(self) -> str:
        """What staff read: "法律有更新：《治安管理处罚法》2025年修订，2026年1月1日起施行"."""
        if self.change is not None and self.citation is not None:
            return f"法律有更新：《{self.citation.law}》{self.change.words()}"
        if self.reason == ReviewReason.YEARLY:
            return f"年度复核到期（{self.due}）"
        return "尚未经律师审核"


class ReviewRefused(ValueError):
    """A review action that may not be done (the message says why, in staff's words)."""


def reviews_due(entry: FaqEntry, on: date | None = None, laws: Catalogue | None = None) -> list[DueReview]:
    """Why this answer is due for review on a day (default today), law changes first; a change
    whose new version is not yet in force is listed with its later due day."""
    on, laws = on or today(), laws or catalogue()
    return [*_law_changes(entry, on, laws), *_periodic(entry, on)]


def due_for_review(session: Session, on: date | None = None) -> list[DueReview]:
    """Every answer's reasons for review (the admin's list), soonest due first; `upcoming(on)`
    tells those due on a later day."""
    on, laws = on or today(), catalogue()
    due = [item for entry in all_faq_entries(session) for item in reviews_due(entry, on, laws)]
    return sorted(due, key=lambda item: (item.due or date.min, item.intent))


def law_changed(entry: FaqEntry, on: date | None = None) -> DueReview | None:
    """The change of a cited law in force on the day that no lawyer has reviewed the answer since."""
    on = on or today()
    return next((item for item in reviews_due(entry, on) if item.reason == ReviewReason.LAW_CHANGED), None)


def _law_changes(entry: FaqEntry, on: date, laws: Catalogue) -> list[DueReview]:
    due = []
    for citation in citations_of(entry.citations):
        version = laws.version(citation.law, citation.version)
        change = laws.change(version) if version else None
        if change is None or _reviewed_since(entry, change.known):
            continue
        reason = ReviewReason.LAW_CHANGED if change.effective <= on else ReviewReason.LAW_CHANGING
        due.append(DueReview(entry.intent, reason, change.effective, citation, change))
    return due


def _periodic(entry: FaqEntry, on: date) -> list[DueReview]:
    if entry.reviewed_at is None:
        return [DueReview(entry.intent, ReviewReason.NEVER_REVIEWED, None)]
    due = day_in_china(entry.reviewed_at) + REVIEW_EVERY
    return [DueReview(entry.intent, ReviewReason.YEARLY, due)] if due <= on else []


def _reviewed_since(entry: FaqEntry, day: date) -> bool:
    return entry.reviewed_at is not None and day_in_china(entry.reviewed_at) >= day


def normal_text(text: str | None) -> str:
    """A question or answer as kept: line breaks as \\n (a browser's textarea sends \\r\\n), no
    spaces at a line's end, none around the whole."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def is_lawyer(session: Session, staff: Staff) -> bool:
    """An active staff member working as a lawyer (home room or another)."""
    if not staff.active:
        return False
    return staff.role == LAWYER or any(room.role == LAWYER for room in extra_rooms(session, staff.id))


def draft_change(
    session: Session,
    entry: FaqEntry,
    staff: Staff,
    answer: str,
    citations: Sequence[Citation],
    question: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> FaqDraft:
    """Draft a change to an answer (its text, citations, and the model question) for a lawyer."""
    now = now or utcnow()
    answer = normal_text(answer)
    if not answer:
        raise ReviewRefused("回答不能为空")
    _check(citations, now)
    draft = FaqDraft(
        entry_id=entry.id,
        question=normal_text(question or "") or entry.question,
        answer=answer,
        citations=[citation.data() for citation in citations],
        based_on=content_hash(entry_content(entry)),
        note=normal_text(note),
        drafted_by=staff.username,
        drafted_at=now,
        status=DraftStatus.DRAFT,
    )
    session.add(draft)
    session.flush()
    audit(
        session,
        staff,
        AuditAction.FAQ_DRAFT,
        None,
        _logged(entry),
        {"intent": entry.intent, "draft": draft.id, **_draft_content(entry, draft)},
    )
    return draft


def approve_draft(session: Session, draft: FaqDraft, lawyer: Staff, now: datetime | None = None) -> FaqEntry:
    """A lawyer (not the drafter) approves a draft: the answer becomes it, reviewed by them."""
    now = now or utcnow()
    entry = _decidable(session, draft, lawyer)
    if content_hash(entry_content(entry)) != draft.based_on:
        raise ReviewRefused("起草之后这条回答又有改动，请退回后按现在的回答重新起草")
    _check(citations_of(draft.citations), now)
    before = _logged(entry)
    set_content(entry, _draft_content(entry, draft))
    entry.edited_by, entry.edited_at = draft.drafted_by, now
    entry.reviewed_by, entry.reviewed_at = lawyer.username, now
    draft.status, draft.decided_by, draft.decided_at = DraftStatus.APPROVED, lawyer.username, now
    after = {"draft": draft.id, "drafted_by": draft.drafted_by, **_logged(entry)}
    audit(session, lawyer, AuditAction.FAQ_APPROVE, None, before, after)
    return entry


def return_draft(session: Session, draft: FaqDraft, lawyer: Staff, note: str, now: datetime | None = None) -> None:
    """A lawyer (not the drafter) sends a draft back, saying why; the answer stays as it is."""
    entry = _decidable(session, draft, lawyer)
    if not note.strip():
        raise ReviewRefused("退回请写明原因")
    draft.status, draft.decided_by, draft.decided_at = DraftStatus.RETURNED, lawyer.username, now or utcnow()
    draft.decision_note = note.strip()
    after = {"intent": entry.intent, "draft": draft.id, "drafted_by": draft.drafted_by, "note": draft.decision_note}
    audit(session, lawyer, AuditAction.FAQ_RETURN, None, {"intent": entry.intent}, after)


def confirm_unchanged(session: Session, entry: FaqEntry, lawyer: Staff, now: datetime | None = None) -> None:
    """A lawyer confirms the answer is right as it is: reviewed by them now."""
    now = now or utcnow()
    if not is_lawyer(session, lawyer):
        raise ReviewRefused("只有律师可以确认回答无需修改")
    if entry.edited_by == lawyer.username and not _reviewed_since_edit(entry):
        raise ReviewRefused("这条回答最近是您改的，请另一位律师确认")
    _check(citations_of(entry.citations), now, "引用的法律有问题，请起草修改：")
    before = {"intent": entry.intent, "reviewed_by": entry.reviewed_by, "reviewed_at": _iso(entry.reviewed_at)}
    entry.reviewed_by, entry.reviewed_at = lawyer.username, now
    after = {"intent": entry.intent, "reviewed_by": lawyer.username, "reviewed_at": _iso(now)}
    audit(session, lawyer, AuditAction.FAQ_CONFIRM, None, before, after)


def record_edit(
    session: Session,
    entry: FaqEntry,
    staff: Staff | None,
    answer: str | None = None,
    question: str | None = None,
    citations: Sequence[Citation] | None = None,
    now: datetime | None = None,
) -> bool:
    """Change an answer directly (an admin's edit, not a reviewed draft): kept across seed loads,
    and due for a lawyer's review again; False when it says the same as before (nothing done)."""
    now = now or utcnow()
    if citations is not None:
        _check(citations, now)
    content = entry_content(entry)
    before = _logged(entry)
    if normal_text(answer):
        content["answer"] = normal_text(answer)
    if normal_text(question):
        content["question"] = normal_text(question)
    if citations is not None:
        content["citations"] = [citation.data() for citation in citations]
    if content_hash(content) == content_hash(entry_content(entry)):
        return False
    set_content(entry, content)
    entry.edited_by, entry.edited_at = (staff.username if staff else "system"), now
    entry.reviewed_by = entry.reviewed_at = None
    audit(session, staff, AuditAction.FAQ_EDIT, None, before, _logged(entry))
    return True


def waiting_for(session: Session, lawyer: Staff) -> int:
    """How many drafts wait for this lawyer's decision (every draft but their own; 0 for others)."""
    if not is_lawyer(session, lawyer):
        return 0
    query = select(func.count(FaqDraft.id)).where(
        FaqDraft.status == DraftStatus.DRAFT, FaqDraft.drafted_by != lawyer.username
    )
    return session.scalar(query) or 0


def returned_to(session: Session, staff: Staff, since: datetime | None, limit: int = 10) -> list[FaqDraft]:
    """This staff member's drafts a lawyer returned after a moment (None: ever), the latest first."""
    query = select(FaqDraft).where(FaqDraft.status == DraftStatus.RETURNED, FaqDraft.drafted_by == staff.username)
    if since is not None:
        query = query.where(FaqDraft.decided_at > since)
    return list(session.scalars(query.order_by(FaqDraft.decided_at.desc(), FaqDraft.id.desc()).limit(limit)))


def _decidable(session: Session, draft: FaqDraft, lawyer: Staff) -> FaqEntry:
    """The draft's entry, when this staff member may decide on it now."""
    if draft.status != DraftStatus.DRAFT:
        raise ReviewRefused("这份修改已经处理过了")
    if not is_lawyer(session, lawyer):
        raise ReviewRefused("只有律师可以批准或退回修改")
    if draft.drafted_by == lawyer.username:
        raise ReviewRefused("不能审核自己起草的修改，请另一位律师审核")
    entry = session.get(FaqEntry, draft.entry_id)
    if entry is None:
        raise ReviewRefused("这条回答已不存在")
    return entry


def _check(citations: Sequence[Citation], now: datetime, lead: str = "引用有问题：") -> None:
    problems = catalogue().check(citations, day_in_china(now))
    if problems:
        raise ReviewRefused(lead + "；".join(str(problem) for problem in problems))


def _reviewed_since_edit(entry: FaqEntry) -> bool:
    return entry.reviewed_at is not None and (entry.edited_at is None or entry.reviewed_at >= entry.edited_at)


def _draft_content(entry: FaqEntry, draft: FaqDraft) -> dict:
    return {
        "category": entry.category,
        "question": draft.question,
        "answer": draft.answer,
        "citations": draft.citations,
    }


def _logged(entry: FaqEntry) -> dict:
    """An entry as the audit log keeps it: which one, and what it said."""
    return {"intent": entry.intent, **entry_content(entry)}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
