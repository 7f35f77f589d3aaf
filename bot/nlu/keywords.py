"""The degraded classifier: weighted keyword rules that serve whenever Rasa is unreachable.

The rules are data (bot/data/keyword_rules.yml: each block an intent, a weight and its words, with
examples it must and must not match); a rule for an any-time phrase names that phrase's block.

It knows the three triage intents, the conversational intents and out_of_scope (FAQ intents are
left to Rasa: a wrong FAQ answer is worse than opening a case). Its confidences are deliberately
modest — it never claims more than MAX_CONFIDENCE — so the confidence policy asks the resident
to choose whenever two triage intents both match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.config import DATA_DIR
from bot.nlu import answers
from bot.nlu.types import OUT_OF_SCOPE, Classification

# One matched strong rule (weight 2) gives 0.6; more evidence adds STEP per weight point.
BASE_CONFIDENCE = 0.4
STEP_CONFIDENCE = 0.1
# Keyword matching is never as sure as the trained model: cap it below Rasa's usual certainty.
MAX_CONFIDENCE = 0.8
# When nothing matches we say out_of_scope, and say it unsure.
NO_MATCH_CONFIDENCE = 0.3
KEYWORD_RULES_FILE = DATA_DIR / "keyword_rules.yml"


@dataclass(frozen=True)
class Rule:
    """A regular expression that adds `weight` to `intent` when it matches (in a message no longer than max_chars)."""

    intent: str
    pattern: re.Pattern
    weight: float
    max_chars: int | None = None


def load_rules(path: Path = KEYWORD_RULES_FILE) -> list[Rule]:
    """The rules of the keyword rules file, in its order: each block's intent, pattern and weight."""
    return [
        Rule(str(block.extra["intent"]), block.pattern, float(block.extra["weight"]), block.max_chars)
        for block in answers.load(path).values()
    ]


RULES = load_rules()


def normalise(text: str) -> str:
    """Fold full-width characters and case, drop surrounding whitespace."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def score_intents(text: str) -> dict[str, float]:
    """Sum the weights of every rule that matches, per intent."""
    cleaned = normalise(text)
    scores: dict[str, float] = {}
    for rule in RULES:
        if rule.max_chars is not None and len(cleaned) > rule.max_chars:
            continue
        if rule.pattern.search(cleaned):
            scores[rule.intent] = scores.get(rule.intent, 0.0) + rule.weight
    return scores


def confidence_for(score: float) -> float:
    """Modest confidence that grows with the evidence and never exceeds MAX_CONFIDENCE."""
    return min(MAX_CONFIDENCE, BASE_CONFIDENCE + STEP_CONFIDENCE * score)


def classify_keywords(text: str) -> Classification:
    """Classify a message by keyword rules (source="keywords")."""
    scores = score_intents(text)
    if not scores:
        return Classification(
            intent=OUT_OF_SCOPE,
            confidence=NO_MATCH_CONFIDENCE,
            ranking=[(OUT_OF_SCOPE, NO_MATCH_CONFIDENCE)],
            source="keywords",
        )
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    top_score = ordered[0][1]
    top_confidence = confidence_for(top_score)
    # Scale the others by their share of the winner's evidence, so close calls look close.
    ranking = [(intent, round(top_confidence * score / top_score, 4)) for intent, score in ordered]
    return Classification(intent=ranking[0][0], confidence=ranking[0][1], ranking=ranking, source="keywords")


class KeywordClassifier:
    """Object form of classify_keywords, interchangeable with the Rasa client."""

    def parse(self, text: str) -> Classification:
        """Classify one message by keyword rules."""
        return classify_keywords(text)
