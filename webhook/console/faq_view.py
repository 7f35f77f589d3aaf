"""What the FAQ pages show of an answer: its 依据 line, why it is due for a lawyer's review in staff's
words, the cited articles' texts, its pending drafts, and a draft set against the live answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.categories import CATEGORIES
from bot.legal.faq_seed import SeedState
from bot.legal.review import DueReview, ReviewReason, reviews_due
from bot.legal.sources import Catalogue, Citation, citations_of
from bot.storage.faq import DraftStatus, FaqDraft, FaqEntry, content_hash, drafts, entry_content
from bot.storage.staff import Staff
from webhook.console.text_diff import Edit, Part, inline_diff

# Shown beside a version whose articles were typed in and not yet compared with the gazette.
UNCHECKED = "条文待与官方公报核对"
DRAFT_STATUS = {DraftStatus.DRAFT: "待审核", DraftStatus.APPROVED: "已批准", DraftStatus.RETURNED: "已退回"}
FIELD_NAMES = {"category": "类别", "question": "问题", "answer": "回答", "citations": "依据"}
# An answer's category as staff read it (the FAQ has one more than the cases: 办事指南).
CATEGORY_LABELS = {intent: category.label for intent, category in CATEGORIES.items()} | {"service": "办事指南"}
# The due list's sections, the most pressing first: a law in force changed, one about to, then routine.
DUE_ORDER = (ReviewReason.LAW_CHANGED, ReviewReason.LAW_CHANGING, ReviewReason.YEARLY, ReviewReason.NEVER_REVIEWED)
# How loud each reason is shown (a css class): a changed law first.
TONE = {
    ReviewReason.LAW_CHANGED: "red",
    ReviewReason.LAW_CHANGING: "blue",
    ReviewReason.YEARLY: "amber",
    ReviewReason.NEVER_REVIEWED: "amber",
}


def day_words(day: date) -> str:
    """2026年1月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class DueLine:
    """One reason an answer is due for review, in staff's words."""

    item: DueReview
    words: str
    tone: str


def due_line(item: DueReview) -> DueLine:
    """A reason for review as staff read it: what changed, since when."""
    return DueLine(item, _due_words(item), TONE[item.reason])


def _due_words(item: DueReview) -> str:
    if item.change is not None and item.citation is not None:
        change = f"《{item.citation.law}》{_change_words(item)}（本回答引用的是{item.change.old.label}）"
        if item.reason == ReviewReason.LAW_CHANGING:
            return f"即将生效的新版本：{change}"
        return f"需复核：法律有更新（自{day_words(item.change.effective)}）：{change}"
    if item.reason == ReviewReason.YEARLY and item.due is not None:
        return f"年度复核到期（自{day_words(item.due)}）"
    return "尚未经律师审核"


def _change_words(item: DueReview) -> str:
    change = item.change
    assert change is not None and item.citation is not None  # only called with a change
    if change.new is not None and change.new.law != item.citation.law:  # repealed and replaced
        return f"{day_words(change.effective)}起废止，由《{change.new.law}》{change.new.label}取代"
    return change.words()


@dataclass(frozen=True)
class DueRow:
    """An answer on the due list: why, its category, and how many drafts of it wait for a lawyer."""

    entry: FaqEntry
    line: DueLine
    category: str
    drafts: int


def due_sections(
    items: Iterable[DueReview], entries: Mapping[str, FaqEntry], waiting: Mapping[int, int]
) -> dict[ReviewReason, list[DueRow]]:
    """The due list by reason in DUE_ORDER, each by category and question; `waiting` counts the
    drafts waiting for a lawyer by entry id."""
    sections: dict[ReviewReason, list[DueRow]] = {reason: [] for reason in DUE_ORDER}
    for item in items:
        entry = entries[item.intent]
        label = CATEGORY_LABELS.get(entry.category, entry.category)
        sections[item.reason].append(DueRow(entry, due_line(item), label, waiting.get(entry.id, 0)))
    for rows in sections.values():
        rows.sort(key=lambda row: (row.category, row.entry.question))
    return sections


@dataclass(frozen=True)
class CitedArticles:
    """One citation beside the answer: the law's title, the version, and each cited article's text."""

    title: str
    version: str
    checked: bool
    articles: tuple[tuple[str, str | None], ...]  # (第八十八条, its text; None when not kept)

    @property
    def caution(self) -> str:
        """What staff are told of a text typed in and not yet checked (empty when checked)."""
        return "" if self.checked else UNCHECKED


def cited_articles(laws: Catalogue, citations: Iterable[Citation]) -> list[CitedArticles]:
    """The cited articles' texts, law by law, for staff to read beside an answer."""
    shown = []
    for cited in laws.cited_texts(citations):
        law = laws.law(cited.citation.law)
        version = cited.version
        shown.append(
            CitedArticles(
                title=law.title if law else cited.citation.law,
                version=f"{version.label}，{version.effective_words()}"
                if version
                else f"法规目录里没有 {cited.citation.version} 版",
                checked=version.checked if version else True,
                articles=tuple((article.words(), text) for article, text in cited.articles),
            )
        )
    return shown


def basis_of(laws: Catalogue, citations: Sequence[dict], source: str = "") -> str:
    """The 依据 line residents read (an entry from before citations: its old free text)."""
    return laws.render_basis(citations_of(citations)) if citations else source


@dataclass(frozen=True)
class AnswerView:
    """An answer with what staff need to judge it."""

    entry: FaqEntry
    basis: str
    due: list[DueLine]
    cited: list[CitedArticles]
    pending: list[FaqDraft]

    @property
    def due_now(self) -> list[DueLine]:
        """The reasons it is due today (not a version that takes effect later)."""
        return [line for line in self.due if line.item.reason != ReviewReason.LAW_CHANGING]


def answer_view(session: Session, entry: FaqEntry, laws: Catalogue, on: date) -> AnswerView:
    """One answer with its 依据, review state, cited texts and pending drafts."""
    return AnswerView(
        entry=entry,
        basis=basis_of(laws, entry.citations, entry.source),
        due=[due_line(item) for item in reviews_due(entry, on, laws)],
        cited=cited_articles(laws, citations_of(entry.citations)),
        pending=drafts(session, DraftStatus.DRAFT, entry.id),
    )


@dataclass(frozen=True)
class DraftView:
    """A drafted change set against the live answer, for a lawyer to decide on."""

    draft: FaqDraft
    entry: FaqEntry
    question: list[Part] | None  # None: the question is unchanged
    answer: list[Part]
    basis_before: str
    basis_after: str
    cited: list[CitedArticles]
    stale: bool  # the answer changed after the draft was written: it can only be returned


def draft_view(draft: FaqDraft, entry: FaqEntry, laws: Catalogue) -> DraftView:
    """A draft against the answer as it is now."""
    return DraftView(
        draft=draft,
        entry=entry,
        question=inline_diff(entry.question, draft.question) if draft.question != entry.question else None,
        answer=inline_diff(entry.answer, draft.answer),
        basis_before=basis_of(laws, entry.citations, entry.source),
        basis_after=basis_of(laws, draft.citations),
        cited=cited_articles(laws, citations_of(draft.citations)),
        stale=draft.status == DraftStatus.DRAFT and content_hash(entry_content(entry)) != draft.based_on,
    )


def staff_names(session: Session) -> dict[str, str]:
    """Staff names by username, to say who drafted and who reviewed."""
    return {username: name for username, name in session.execute(select(Staff.username, Staff.name))}


@dataclass(frozen=True)
class ConflictSide:
    """One side of a seed conflict as it reads: the parts that differ from the other side marked."""

    question: str
    answer: list[Part]  # SAME parts, and this side's own parts as ADDED (marked, nothing struck out)
    basis: str


@dataclass(frozen=True)
class ConflictView:
    """An answer changed here and in the seed file: both sides, for an admin to keep one."""

    state: SeedState
    entry: FaqEntry
    fields: str  # what differs: 回答、依据
    seed: ConflictSide
    live: ConflictSide  # what residents get now, and what 保留控制台的修改 keeps
    changed: str  # who made the live version: "李调解员起草，张律师审核通过"


def conflict_view(
    state: SeedState, entry: FaqEntry, item: Mapping[str, Any], laws: Catalogue, names: Mapping[str, str]
) -> ConflictView:
    """A seed conflict with the two versions side by side and who made the live one."""
    diff = inline_diff(entry.answer, str(item["answer"]).strip())
    return ConflictView(
        state=state,
        entry=entry,
        fields="、".join(FIELD_NAMES[name] for name in state.fields),
        seed=ConflictSide(str(item["question"]), _side(diff, Edit.ADDED), basis_of(laws, item.get("citations") or [])),
        live=ConflictSide(entry.question, _side(diff, Edit.REMOVED), basis_of(laws, entry.citations, entry.source)),
        changed=changed_by(entry, names),
    )


def _side(diff: Sequence[Part], own: Edit) -> list[Part]:
    """One side of a diff: the kept parts, and its own parts (as ADDED, to be marked)."""
    return [
        Part(Edit.ADDED if part.edit == own else Edit.SAME, part.text) for part in diff if part.edit in (own, Edit.SAME)
    ]


def changed_by(entry: FaqEntry, names: Mapping[str, str]) -> str:
    """Who made the answer what it is: "李调解员起草，张律师审核通过" for an approved draft (both at
    once), "李调解员修改，张律师审核确认" for an edit confirmed later, else who changed it."""
    if entry.edited_by is None:
        return ""
    editor = names.get(entry.edited_by, entry.edited_by)
    if entry.reviewed_by is None or entry.reviewed_at is None or entry.edited_at is None:
        return f"{editor}修改"
    lawyer = names.get(entry.reviewed_by, entry.reviewed_by)
    if entry.reviewed_at == entry.edited_at and entry.reviewed_by != entry.edited_by:
        return f"{editor}起草，{lawyer}审核通过"
    if entry.reviewed_at > entry.edited_at:
        return f"{editor}修改，{lawyer}审核确认"
    return f"{editor}修改"
