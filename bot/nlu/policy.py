"""The confidence policy: what the bot does with a classification (triage, ask, answer, decline)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from bot.nlu import answers, phrases
from bot.nlu.cues import (
    OFFICE_HOURS_FAQ,
    SERVICE_FEE_FAQ,
    asks_fee,
    asks_office_hours,
    asks_to_ask,
    could_be_legal,
    is_bare,
    only_greets,
)
from bot.nlu.faq_file import category_of
from bot.nlu.types import (
    CONVERSATIONAL_INTENTS,
    FALLBACK_INTENT,
    FAQ_PREFIX,
    OUT_OF_SCOPE,
    TRIAGE_INTENTS,
    Classification,
)

# Asking for a mediator to settle a dispute: the mediator's kind of case, whatever the model leans to.
WANTS_MEDIATOR = answers.load(answers.ANSWERS_FILE.with_name("person_words.yml"))["wish_mediator"].pattern
MEDIATOR_CATEGORY = "neighbor_dispute"
# A theft, a robbery, a hit-and-run told (bot/data/follow_ups.yml).
CRIME = phrases.FOLLOW_UPS["crime_to_report"]
NO_MATTER = frozenset(CONVERSATIONAL_INTENTS) - {OUT_OF_SCOPE}  # 你好, 谢谢, 转人工: no dispute told
# An FAQ answer is only given when the model is this sure of the exact question; below it a
# legal/neighbour/property FAQ opens a case of its category instead, where a person reads it.
# A wrong canned answer costs the resident more than a case that a person closes.
FAQ_MIN_CONFIDENCE = 0.7
# Two triage categories are "close" when the runner-up has at least this share of the winner's
# confidence, or is within CLOSE_MARGIN of it: then we ask instead of guessing a room.
CLOSE_RATIO = 0.6
CLOSE_MARGIN = 0.2
# Below this the top triage category is a guess: ask the resident to confirm or pick.
TRIAGE_MIN_CONFIDENCE = 0.4
# After the FallbackClassifier fired, a triage category is only offered as a choice when the
# model still gave it this much: lower than that it is noise and we say we did not understand.
# The fallback's own threshold (config.yml): a room the model gives less than that to is no choice.
FALLBACK_CHOICE_MIN_CONFIDENCE = 0.3
# The fallback often fires only because a question sits between a triage intent and one of its
# own FAQs (legal_consultation vs faq_no_labor_contract): both lead to the same room. When their
# summed confidence reaches this and no other category is close, we open the case directly.
FALLBACK_SAME_ROOM_MIN_CONFIDENCE = 0.7
MAX_CHOICES = 3
# An out-of-scope answer below this confidence does not turn away a message that could be legal:
# the resident is asked whether it is a legal question instead (set on nlu_eval/areas.yml).
OUT_OF_SCOPE_MIN_CONFIDENCE = 0.8
# A greeting or thanks around a question: the question's triage category opens a case directly
# when it has at least this much of the model's confidence and no other category is close.
WRAPPED_TRIAGE_MIN_CONFIDENCE = 0.3
# These decide a message only when it is nothing more than them ("你好", "谢谢", "算了");
# "你好在吗 我想离婚…" and "…我该怎么办？谢谢" are the question, not a greeting or thanks.
BARE_ONLY_INTENTS = ("greet", "thank", "goodbye", "affirm", "deny", "cancel")
LEGAL = "legal_consultation"

# What the bot does with a classification: open a case, ask which kind, answer an FAQ, answer as
# small talk (greet, thanks, 转人工…), or decline politely.
DecisionKind = Literal["triage", "clarify", "faq", "conversational", "out_of_scope"]
KINDS: tuple[DecisionKind, ...] = get_args(DecisionKind)


@dataclass(frozen=True)
class Decision:
    """What to do with a message: `kind` (one of KINDS), the intent to hand to, and choices to offer."""

    kind: DecisionKind
    intent: str
    choices: tuple[str, ...] = ()
    confidence: float = 0.0

    @property
    def triage(self) -> str | None:
        """The triage intent when this decision opens a case, else None."""
        return self.intent if self.kind == "triage" else None


def triage_category(intent: str) -> str | None:
    """The triage intent an intent stands for: itself, an FAQ's category, or None."""
    if intent in TRIAGE_INTENTS:
        return intent
    if intent.startswith(FAQ_PREFIX):
        category = category_of(intent)
        return category if category in TRIAGE_INTENTS else None
    return None


def triage_scores(ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Confidence per triage category, FAQ intents added to their category; best first."""
    totals: dict[str, float] = {}
    for intent, confidence in ranking:
        category = triage_category(intent)
        if category is not None:
            totals[category] = totals.get(category, 0.0) + confidence
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


def close_choices(scores: list[tuple[str, float]]) -> tuple[str, ...]:
    """The leading triage categories that are too close to the winner to pick one blindly."""
    if not scores:
        return ()
    best = scores[0][1]
    return tuple(
        intent for intent, score in scores[:MAX_CHOICES] if score >= CLOSE_RATIO * best or best - score <= CLOSE_MARGIN
    )


def real_ranking(classification: Classification) -> list[tuple[str, float]]:
    """The model's ranking without the nlu_fallback entry."""
    return [(intent, score) for intent, score in classification.ranking if intent != FALLBACK_INTENT]


def leading_faq(classification: Classification) -> tuple[str, float] | None:
    """The FAQ the model ranks first, with its confidence: first of all, or just after an unsure
    out-of-scope reading (the out-of-scope detector puts out_of_scope first from a low probability,
    config.yml); None when the model leads with something else."""
    ranking = real_ranking(classification)
    if ranking and ranking[0][0] == OUT_OF_SCOPE and ranking[0][1] < OUT_OF_SCOPE_MIN_CONFIDENCE:
        ranking = ranking[1:]
    if ranking and ranking[0][0].startswith(FAQ_PREFIX):
        return ranking[0]
    return None


def decide(classification: Classification) -> Decision:
    """Decide what the bot does with this classification (its `text` lets doubt go to a person)."""
    intent = classification.intent
    if classification.text and asks_to_ask(classification.text):
        # Only announced: invite the question (the greeting says what the service does).
        return Decision("conversational", "greet", confidence=classification.confidence)
    if classification.text and only_greets(classification.text):
        # "在吗" is the commonest first message; the model may split it with "我住在…" (change of community).
        return Decision("conversational", "greet", confidence=classification.confidence)
    if classification.text and asks_office_hours(classification.text):
        # The model knows few ways of asking this; the words are unmistakable in a short message.
        return Decision("faq", OFFICE_HOURS_FAQ, confidence=classification.confidence)
    if classification.text and asks_fee(classification.text):
        # An elderly resident's first worry; the model takes "法律咨询收费吗" for a legal question.
        return Decision("faq", SERVICE_FEE_FAQ, confidence=classification.confidence)
    if classification.text and intent not in NO_MATTER and WANTS_MEDIATOR.search(classification.text):
        # "想请个调解员来帮我们两家说和一下": a dispute for the mediator (bot/data/person_words.yml).
        return Decision("triage", MEDIATOR_CATEGORY, confidence=classification.confidence)
    if intent == FALLBACK_INTENT:
        return _decide_fallback(classification)
    if intent in TRIAGE_INTENTS:
        return _decide_triage(classification)
    if intent.startswith(FAQ_PREFIX):
        return _decide_faq(classification)
    if intent in BARE_ONLY_INTENTS and classification.text and not is_bare(classification.text):
        return _decide_wrapped(classification)
    if intent == OUT_OF_SCOPE and (faq := leading_faq(classification)) is not None:
        # An unsure out-of-scope reading never takes the place of an FAQ the model is sure of.
        faq_intent, faq_confidence = faq
        if faq_confidence >= FAQ_MIN_CONFIDENCE and category_of(faq_intent) is not None:
            return Decision("faq", faq_intent, confidence=faq_confidence)
    if intent == OUT_OF_SCOPE:
        declined = Decision("out_of_scope", OUT_OF_SCOPE, confidence=classification.confidence)
        if classification.confidence < OUT_OF_SCOPE_MIN_CONFIDENCE and tells_of_crime(classification.text):
            # "我的手机昨天在菜场被偷了": a crime done to the resident is the lawyer's (and the police's),
            # however much it sounds like a lost thing to the out-of-scope detector.
            return Decision("triage", LEGAL, confidence=classification.confidence)
        if classification.confidence < OUT_OF_SCOPE_MIN_CONFIDENCE:
            return _unsure(classification, declined)
        return declined
    if intent in CONVERSATIONAL_INTENTS:
        return Decision("conversational", intent, confidence=classification.confidence)
    # An intent the bot has no handler for (a newer model): ask rather than guess.
    return _unsure(classification)


def tells_of_crime(text: str) -> bool:
    """True when the message tells of a crime done whose doer got away: a theft, a robbery, a
    hit-and-run (bot/data/follow_ups.yml `crime_to_report`)."""
    return bool(text) and CRIME.found(text)


def could_be_legal_message(classification: Classification) -> bool:
    """True when the message's words suggest a legal matter (money, family, work, harm, a story)."""
    return could_be_legal(classification.text)


def ask_legal(classification: Classification, choices: tuple[str, ...] = ()) -> Decision:
    """Ask one numbered question: the rooms the model leaned to, and always the community lawyer."""
    offered = tuple(choice for choice in choices if choice != LEGAL)[: MAX_CHOICES - 1] + (LEGAL,)
    return Decision("clarify", offered[0], choices=offered, confidence=classification.confidence)


def _unsure(classification: Classification, otherwise: Decision | None = None) -> Decision:
    """The model is unsure: ask when the message could be legal, else decline (or `otherwise`)."""
    if could_be_legal_message(classification):
        return ask_legal(classification)
    return otherwise or Decision("out_of_scope", FALLBACK_INTENT, confidence=classification.confidence)


def _decide_wrapped(classification: Classification) -> Decision:
    """A greeting, thanks or cancel word around more: decide on what the rest of the model saw."""
    scores = triage_scores(real_ranking(classification))
    choices = close_choices(scores)
    if scores and scores[0][1] >= WRAPPED_TRIAGE_MIN_CONFIDENCE and len(choices) == 1:
        return Decision("triage", scores[0][0], confidence=scores[0][1])
    if could_be_legal_message(classification):
        return ask_legal(classification, choices)
    if scores and scores[0][1] >= FALLBACK_CHOICE_MIN_CONFIDENCE:
        return Decision("clarify", scores[0][0], choices=choices, confidence=scores[0][1])
    # "你好 今天天气真好": nothing of a case in it, the courtesy is the answer.
    return Decision("conversational", classification.intent, confidence=classification.confidence)


def _decide_triage(classification: Classification) -> Decision:
    ranking = real_ranking(classification) or [(classification.intent, classification.confidence)]
    scores = triage_scores(ranking)
    winner, confidence = scores[0]
    choices = close_choices(scores)
    if len(choices) > 1 or confidence < TRIAGE_MIN_CONFIDENCE:
        return Decision("clarify", winner, choices=choices, confidence=confidence)
    return Decision("triage", winner, confidence=confidence)


def _decide_faq(classification: Classification) -> Decision:
    category = category_of(classification.intent)
    if classification.confidence >= FAQ_MIN_CONFIDENCE and category is not None:
        return Decision("faq", classification.intent, confidence=classification.confidence)
    if category in TRIAGE_INTENTS:
        return _decide_triage(classification)
    # An unsure question about the service itself (category `service`) or an FAQ missing from
    # bot/data/faq.yml: offer the community lawyer when it could be legal, else ask to say it again.
    return _unsure(classification)


def _decide_fallback(classification: Classification) -> Decision:
    """The model was unsure: offer the triage categories it leaned to, the lawyer when it could be legal."""
    ranking = real_ranking(classification)
    top_intent = ranking[0][0] if ranking else None
    scores = [
        (intent, score)
        for intent, score in triage_scores(ranking[:MAX_CHOICES])
        if score >= FALLBACK_CHOICE_MIN_CONFIDENCE
    ]
    if top_intent is not None and triage_category(top_intent) is not None and scores:
        winner, confidence = scores[0]
        choices = close_choices(scores)
        if len(choices) == 1 and confidence >= FALLBACK_SAME_ROOM_MIN_CONFIDENCE:
            return Decision("triage", winner, confidence=confidence)
        if LEGAL not in choices and could_be_legal_message(classification):
            return ask_legal(classification, choices)
        return Decision("clarify", winner, choices=choices, confidence=confidence)
    if could_be_legal_message(classification):
        return ask_legal(classification, tuple(intent for intent, _ in scores))
    return Decision("out_of_scope", FALLBACK_INTENT, confidence=classification.confidence)
