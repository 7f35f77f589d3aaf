"""The review queue: real messages that need an admin's look, recorded as traffic happens, and the
admin's decisions on them (confirm, relabel, mark as an FAQ question, discard).

Recorded: fallbacks and low-confidence answers, the resident's own choice after a clarifying
question (as the suggested label), FAQ answers the resident rejected right after, cases staff
transferred to another role, and a small random sample of confident answers. The text is masked
(bot/training/masking.py) before it is stored here, so an admin never sees personal data.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.categories import CATEGORIES
from bot.config import DATA_DIR
from bot.nlu.answers import load
from bot.nlu.policy import real_ranking
from bot.nlu.types import FALLBACK_INTENT, FAQ_PREFIX
from bot.storage.base import utcnow
from bot.storage.directory import Staff
from bot.storage.messages import Message
from bot.storage.review import (
    ReviewItem,
    ReviewStatus,
    accepted_examples,
    accepted_items,
    item_for_message,
)
from bot.training.evaluation import normalised_text
from bot.training.masking import mask_personal
from bot.training.step_review import CANDIDATE_FILE, StepCheck, is_step_label, step_examples, write_candidate
from bot.training.training_data import TrainingCheck, write_reviewed

# "没解决" / "转人工" right after an FAQ answer: the answer did not fit the question (bot/data/turn_words.yml).
REJECTION = load(DATA_DIR / "turn_words.yml")["faq_rejected"].pattern
REJECTION_WINDOW = timedelta(minutes=30)
ROLE_CATEGORY = {category.role: intent for intent, category in CATEGORIES.items()}
# A reason found later says more than the one recorded first (the resident's choice beats "unsure").
REASON_RANK = ("sample", "low_confidence", "fallback", "faq_rejected", "transferred", "clarified", "added")


class ReviewRefused(ValueError):
    """A decision that cannot be taken (held-out example, conflict, unknown intent); says why."""


def known_names(session: Session) -> list[str]:
    """The names the directory knows (staff), masked wherever a resident writes them."""
    return [name for name in session.scalars(select(Staff.name)) if name]


def masked(session: Session, text: str) -> str:
    """The text as an admin may see it."""
    return mask_personal(text, known_names(session))


def record_turn(turn, chance=random.random) -> ReviewItem | None:
    """After a message was answered: queue it when it needs a look (called by the front desk)."""
    _faq_rejected(turn)
    classification = turn.classification
    if classification is None or classification.source != "rasa" or not turn.text:
        return None  # nothing the model said (Rasa down, a number in a flow): nothing to review
    settings = turn.services.settings
    ranking = real_ranking(classification)
    predicted, confidence = ranking[0] if ranking else (classification.intent, classification.confidence)
    if classification.intent == FALLBACK_INTENT:
        reason = "fallback"
    elif classification.confidence < settings.review_low_confidence or turn.intent == "clarify":
        reason = "low_confidence"
    elif chance() < settings.review_sample_rate:
        reason = "sample"
    else:
        return None
    # The words the model read: kept fragments and this message (what a new example should say).
    return _record(turn.session, turn.message.id, classification.text or turn.text, reason, predicted, confidence)


def record_choice(session: Session, message_id: int | None, text: str, category: str) -> ReviewItem:
    """The resident picked a category after a clarifying question: their choice is the suggested label."""
    return _record(session, message_id, text, "clarified", suggested=category)


def record_transfer(session: Session, ticket, new_role: str) -> ReviewItem | None:
    """Staff moved a case to another role: the opening message was probably misread."""
    if new_role == ticket.role or ticket.opening_message_id is None or new_role not in ROLE_CATEGORY:
        return None
    opening = session.get(Message, ticket.opening_message_id)
    if opening is None or not opening.content:
        return None
    return _record(
        session,
        opening.id,
        opening.content,
        "transferred",
        opening.intent,
        opening.confidence,
        suggested=ROLE_CATEGORY[new_role],
    )


def _faq_rejected(turn) -> ReviewItem | None:
    """The resident answered an FAQ answer with "没解决" / "转人工": queue the question it answered."""
    if not (REJECTION.match(turn.text) or turn.intent == "request_human"):
        return None
    previous = turn.session.scalar(
        select(Message)
        .where(Message.resident_id == turn.resident.id, Message.direction == "in", Message.id < turn.message.id)
        .order_by(Message.id.desc())
        .limit(1)
    )
    if previous is None or not (previous.intent or "").startswith(FAQ_PREFIX):
        return None
    if previous.created_at and utcnow() - previous.created_at > REJECTION_WINDOW:
        return None
    return _record(turn.session, previous.id, previous.content, "faq_rejected", previous.intent, previous.confidence)


def _record(
    session: Session,
    message_id: int | None,
    text: str,
    reason: str,
    predicted: str | None = None,
    confidence: float | None = None,
    suggested: str | None = None,
) -> ReviewItem:
    item = item_for_message(session, message_id) if message_id is not None else None
    if item is None:
        item = ReviewItem(
            message_id=message_id,
            text=masked(session, text),
            reason=reason,
            predicted_intent=predicted,
            confidence=confidence,
        )
        session.add(item)
    elif item.status == ReviewStatus.OPEN and REASON_RANK.index(reason) > REASON_RANK.index(item.reason):
        item.reason = reason
        item.text = masked(session, text)
    item.suggested_intent = suggested or item.suggested_intent
    session.flush()
    return item


class Reviewer:
    """Takes an admin's decisions and keeps the reviewed-examples file in step with them."""

    def __init__(
        self,
        session: Session,
        reviewed_file: Path | str,
        check: TrainingCheck | None = None,
        step_candidate: Path = CANDIDATE_FILE,
    ) -> None:
        self.session = session
        self.reviewed_file = Path(reviewed_file)
        self.step_candidate = step_candidate
        self.check = check or TrainingCheck.load(reviewed_file=self.reviewed_file)
        self._step_check: StepCheck | None = None

    def accept(self, item: ReviewItem, label: str, actor: str, faq_question: bool = False) -> None:
        """Confirm (label = the suggestion) or relabel an item; refused with the reason when it may not be trained."""
        if faq_question and not label.startswith(FAQ_PREFIX):
            raise ReviewRefused("标为 FAQ 问题时请选择一个 FAQ 意图（faq_…）")
        accepted = {
            normalised_text(other.text): other.label
            for other in accepted_items(self.session)
            if other.id != item.id and other.label is not None
        }
        if is_step_label(label):  # "at this question, this answer means yes"
            problem = self._step_problem(item, label)
        else:
            problem = self.check.problem(item.text, label, accepted)
        if problem:
            raise ReviewRefused(problem)
        item.status, item.label, item.faq_question = ReviewStatus.ACCEPTED, label, faq_question
        item.decided_by, item.decided_at = actor, utcnow()

    def _step_problem(self, item: ReviewItem, label: str) -> str | None:
        """Why an answer to a question may not be taught, or None (held-out, conflicting, unknown)."""
        self._step_check = self._step_check or StepCheck()
        others = [(other.text, other.label) for other in accepted_items(self.session) if other.id != item.id]
        accepted = {
            (example.step, normalised_text(example.text)): example.label
            for example in step_examples((text, other) for text, other in others if other is not None)
        }
        return self._step_check.problem(item.text, label, accepted)

    def discard(self, item: ReviewItem, actor: str) -> None:
        """Nothing to learn from this item."""
        item.status, item.label = ReviewStatus.DISCARDED, None
        item.decided_by, item.decided_at = actor, utcnow()

    def reopen(self, item: ReviewItem) -> None:
        """Back to the queue (an accepted example leaves the training file)."""
        item.status, item.label, item.faq_question = ReviewStatus.OPEN, None, False
        item.decided_by, item.decided_at = None, None

    def add_example(self, text: str, label: str, actor: str) -> ReviewItem:
        """A new example question an admin typed in (FAQ page): accepted at once."""
        item = ReviewItem(message_id=None, text=masked(self.session, text.strip()), reason="added")
        self.session.add(item)
        self.accept(item, label, actor, faq_question=label.startswith(FAQ_PREFIX))
        return item

    def decide_many(self, items: list[ReviewItem], action: str, actor: str, label: str | None = None) -> dict[int, str]:
        """One action on several items; returns {item id: why it was refused} for those left open."""
        refused = {}
        for item in items:
            try:
                self.decide(item, action, actor, label)
            except ReviewRefused as error:
                refused[item.id] = str(error)
        return refused

    def decide(self, item: ReviewItem, action: str, actor: str, label: str | None = None) -> None:
        """confirm | relabel | faq | discard | reopen one item."""
        if action == "confirm":
            suggestion = item.suggested_intent or item.predicted_intent
            if not suggestion:
                raise ReviewRefused("没有建议的意图，请改标")
            self.accept(item, suggestion, actor)
        elif action in ("relabel", "faq"):
            if not label:
                raise ReviewRefused("请选择意图")
            self.accept(item, label, actor, faq_question=action == "faq")
        elif action == "discard":
            self.discard(item, actor)
        elif action == "reopen":
            self.reopen(item)
        else:
            raise ReviewRefused(f"未知操作 {action}")

    def write(self) -> bool:
        """Rewrite the reviewed-examples file from the accepted items, and the candidate answers to
        the bot's questions (promoted by a retraining run); True when either changed."""
        self.session.flush()
        examples = accepted_examples(self.session)
        changed = write_reviewed(self.reviewed_file, examples)
        return write_candidate(step_examples(examples), self.step_candidate) or changed
