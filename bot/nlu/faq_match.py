"""While Rasa is down: answer a question that is plainly one of the FAQ, instead of opening a case.

Each FAQ is a TF-IDF-weighted character-bigram centroid of its training examples
(nlu_data/faq.yml); a message that reads as a question is matched to the closest one when it is
close enough and clearly closer than the runner-up. Everything else is left to the keyword rules.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.nlu import phrases
from bot.nlu.keywords import normalise
from bot.nlu.types import Classification

FAQ_TRAINING = PROJECT_ROOT / "nlu_data" / "faq.yml"
# Chosen on the training data alone (`bench/faq_fallback.py` prints the trade-off): leave-one-out,
# 42 % of FAQ examples answered, 98 % of those correctly, 1.9 % of triage stories taken for an FAQ.
MIN_SIMILARITY = 0.2
MIN_MARGIN = 0.1
# The confidence the match reports: just enough for the policy to give the FAQ answer (it asks
# 0.7), never as sure as the model.
MATCH_CONFIDENCE = 0.72
# Only a message that asks something is matched: the one concept of a question for every reading
# (bot/data/anytime_words.yml "asked").
QUESTION = phrases.ASKED


def bigrams(text: str) -> Counter:
    """Character bigrams of the normalised text (single characters for one-character texts)."""
    cleaned = "".join(normalise(text).split())
    return Counter(cleaned[i : i + 2] for i in range(max(1, len(cleaned) - 1)))


@dataclass(frozen=True)
class FaqIndex:
    """One weighted centroid per FAQ intent."""

    idf: dict[str, float]
    unseen_idf: float
    centroids: dict[str, Counter]

    @classmethod
    def build(cls, examples: list[tuple[str, str]]) -> FaqIndex:
        """Index (intent, example) pairs."""
        grams = [(intent, bigrams(text)) for intent, text in examples]
        frequency = Counter(key for _, counts in grams for key in counts)
        total = len(grams)
        idf = {key: math.log((total + 1) / (count + 1)) + 1 for key, count in frequency.items()}
        index = cls(idf, math.log(total + 1) + 1, defaultdict(Counter))
        for intent, counts in grams:
            index.centroids[intent].update(index.weigh(counts))
        return index

    def weigh(self, counts: Counter) -> Counter:
        """Bigram counts weighted by how rare each bigram is across the FAQ."""
        return Counter({key: value * self.idf.get(key, self.unseen_idf) for key, value in counts.items()})

    def nearest(self, text: str) -> tuple[str | None, float, float]:
        """(intent, similarity, margin over the runner-up) for the closest FAQ."""
        vector = self.weigh(bigrams(text))
        scores = sorted(
            ((_cosine(vector, centroid), intent) for intent, centroid in self.centroids.items()), reverse=True
        )
        if not scores:
            return None, 0.0, 0.0
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        return scores[0][1], scores[0][0], scores[0][0] - runner_up


def _cosine(a: Counter, b: Counter) -> float:
    shared = sum(a[key] * b[key] for key in a.keys() & b.keys())
    if not shared:
        return 0.0
    return shared / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def read_faq_examples(path: Path = FAQ_TRAINING) -> list[tuple[str, str]]:
    """(intent, example) for every FAQ training example."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (block["intent"], line.strip().removeprefix("- ").strip())
        for block in data.get("nlu", [])
        for line in block.get("examples", "").splitlines()
        if line.strip().removeprefix("- ").strip()
    ]


@lru_cache(maxsize=1)
def default_index() -> FaqIndex:
    """The index of nlu_data/faq.yml, built once per process."""
    return FaqIndex.build(read_faq_examples())


def accepts(similarity: float, margin: float) -> bool:
    """Close enough, and clearly closer than the runner-up."""
    return similarity >= MIN_SIMILARITY and margin >= MIN_MARGIN


def match_faq(text: str, index: FaqIndex | None = None) -> Classification | None:
    """An FAQ classification when the text is plainly one of the FAQ questions, else None."""
    if not QUESTION.search(text):
        return None
    intent, similarity, margin = (index or default_index()).nearest(text)
    if intent is None or not accepts(similarity, margin):
        return None
    return Classification(
        intent=intent, confidence=MATCH_CONFIDENCE, ranking=[(intent, MATCH_CONFIDENCE)], source="keywords"
    )
