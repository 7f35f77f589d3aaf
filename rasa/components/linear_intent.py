"""A linear intent classifier (TF-IDF character and word n-grams, logistic regression), alone or blended.

Residents' messages are short Chinese texts whose meaning sits in a few characters (漏水, 物业,
离婚); a linear model over character 1–4-grams and the tokenizer's words separates the rooms as
well as DIET or better, trains in seconds instead of minutes and parses several times faster.
It builds its own features from the message text and the tokens (no featurizer needed).

With `blend_weight` > 0 and an intent classifier before it in the pipeline (DIET), the two
rankings are blended: blend_weight × the earlier classifier's + (1 − blend_weight) × this one's.
The model is persisted as plain arrays and JSON (vocabularies, idf, coefficients): nothing is
unpickled when a model is loaded.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

ARRAYS_FILE = "linear_intent.npz"
META_FILE = "linear_intent.json"


def normalise(text: str) -> str:
    """Full-width letters and digits folded (ＷＩＦＩ, １３８), lower case: one spelling per character."""
    return unicodedata.normalize("NFKC", text).lower()


def token_texts(message: Message, min_chars: int = 1) -> list[str]:
    """The tokenizer's words of the message of at least `min_chars` characters, normalised."""
    words = [normalise(token.text) for token in message.get(TOKENS_NAMES[TEXT]) or []]
    return [word for word in words if len(word) >= min_chars]


def word_ngrams(tokens: list[str]) -> list[str]:
    """Words and pairs of neighbouring words."""
    return tokens + [f"{left} {right}" for left, right in zip(tokens, tokens[1:], strict=False)]


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax (the multinomial logistic regression's probabilities)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def balanced_weights(labels: list[Any], min_examples: int = 0) -> np.ndarray:
    """Example weights that make every label with at least `min_examples` examples weigh as much
    as the smallest of them (smaller labels keep weight 1)."""
    counts = {label: labels.count(label) for label in set(labels)}
    big = [count for count in counts.values() if count >= min_examples]
    target = min(big) if big else 0
    return np.array([target / counts[label] if counts[label] > target > 0 else 1.0 for label in labels])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over TF-IDF character n-grams of the text and the tokenizer's words."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """C of the regression, the character n-gram range, the blend weight and the ranking length."""
        return {
            "C": 30.0,
            "char_min_ngram": 1,
            "char_max_ngram": 4,
            "use_words": True,
            # Words of one character (我, 了, 的) are left to the character n-grams: as words they
            # weigh most in a short message whose other words the model never saw, and "我…了"
            # alone made a fragment of a neighbour's story a legal question.
            "word_min_chars": 2,
            # Weight the examples so each intent with at least `balance_min_examples` examples counts
            # as much as the others: legal_consultation has more than twice the examples of every
            # other room, and without this it is where every unsure message lands.
            "balance_min_examples": 100,
            "blend_weight": 0.0,
            # The out-of-scope detector: a second regression on the same features, out_of_scope
            # examples against those of `service_intents` and every `faq_` intent (what the service
            # handles). When it gives out_of_scope at least this probability and the ranking leads
            # with a service intent, out_of_scope leads instead with that probability (the bot then
            # asks whether it is a legal question, or declines when the detector is sure). 0: off.
            "out_of_scope_threshold": 0.0,
            "out_of_scope_intent": "out_of_scope",
            "service_intents": ["legal_consultation", "neighbor_dispute", "property_complaint"],
            "service_prefix": "faq_",
            "ranking_length": 10,
            "max_iter": 3000,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        vectorizers: list[TfidfVectorizer] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
        gate: np.ndarray | None = None,
    ) -> None:
        """A classifier, trained when classes, vectorizers and coefficients are given."""
        self.component_config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classes = classes or []
        self.vectorizers = vectorizers or []
        self.coef = coef
        self.intercept = intercept
        # Features × coefficients as one contiguous matrix: a transposed view would be copied on
        # every parse (tens of megabytes), the sparse product with this one costs microseconds.
        self.weights = None if coef is None else np.ascontiguousarray(coef.T)
        # The out-of-scope detector's coefficients, its intercept last (None: no detector).
        self.gate = gate

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> list[str]:
        """scikit-learn (installed with Rasa)."""
        return ["sklearn"]

    def _new_vectorizers(self) -> list[TfidfVectorizer]:
        config = self.component_config
        vectorizers = [
            TfidfVectorizer(
                analyzer="char",
                ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
                sublinear_tf=True,
                lowercase=False,
            )
        ]
        if config["use_words"]:
            vectorizers.append(TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, lowercase=False))
        return vectorizers

    def _inputs(self, messages: list[Message]) -> list[list[Any]]:
        """What each vectorizer reads: the normalised text, then the tokens."""
        inputs: list[list[Any]] = [[normalise(message.get(TEXT) or "") for message in messages]]
        if self.component_config["use_words"]:
            min_chars = self.component_config["word_min_chars"]
            inputs.append([token_texts(message, min_chars) for message in messages])
        return inputs

    def _features(self, messages: list[Message]):
        return hstack(
            [
                vectorizer.transform(texts)
                for vectorizer, texts in zip(self.vectorizers, self._inputs(messages), strict=True)
            ]
        ).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers and the regression on the intent examples; persist them."""
        examples = [message for message in training_data.intent_examples if message.get(INTENT)]
        labels = [message.get(INTENT) for message in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier needs two intents or more; not trained.")
            return self._resource
        self.vectorizers = self._new_vectorizers()
        features = hstack(
            [
                vectorizer.fit_transform(texts)
                for vectorizer, texts in zip(self.vectorizers, self._inputs(examples), strict=True)
            ]
        ).tocsr()
        regression = LogisticRegression(C=self.component_config["C"], max_iter=self.component_config["max_iter"])
        regression.fit(
            features, labels, sample_weight=balanced_weights(labels, self.component_config["balance_min_examples"])
        )
        self.classes = [str(label) for label in regression.classes_]
        self.coef = regression.coef_
        self.intercept = regression.intercept_
        self.weights = np.ascontiguousarray(self.coef.T)
        self.gate = self._train_gate(features, labels)
        self.persist()
        return self._resource

    def is_service(self, intent: str) -> bool:
        """True for an intent the service handles: a room or an FAQ."""
        config = self.component_config
        return intent in config["service_intents"] or intent.startswith(config["service_prefix"])

    def _train_gate(self, features, labels: list[str]) -> np.ndarray | None:
        """The out-of-scope detector: out_of_scope against the service's intents, classes balanced."""
        if not self.component_config["out_of_scope_threshold"]:
            return None
        outside = self.component_config["out_of_scope_intent"]
        rows = [index for index, label in enumerate(labels) if label == outside or self.is_service(label)]
        targets = [int(labels[index] == outside) for index in rows]
        if len(set(targets)) < 2:
            return None
        regression = LogisticRegression(C=self.component_config["C"], max_iter=self.component_config["max_iter"])
        regression.fit(features[rows], targets, sample_weight=balanced_weights(targets))
        return np.append(regression.coef_[0], regression.intercept_[0])

    def out_of_scope_probability(self, features) -> np.ndarray:
        """The detector's probability that each message is out of scope."""
        scores = features @ self.gate[:-1] + self.gate[-1]
        return 1.0 / (1.0 + np.exp(-scores))

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the intent and the ranking (blended with an earlier classifier's when configured)."""
        if self.coef is None or not messages:
            return messages
        weight = float(self.component_config["blend_weight"])
        length = int(self.component_config["ranking_length"])
        threshold = float(self.component_config["out_of_scope_threshold"])
        outside = self.component_config["out_of_scope_intent"]
        features = self._features(messages)
        rows = softmax(features @ self.weights + self.intercept)
        gate = self.out_of_scope_probability(features) if self.gate is not None and threshold else None
        for index, (message, row) in enumerate(zip(messages, rows, strict=True)):
            scores = dict(zip(self.classes, (1.0 - weight) * row, strict=True))
            if weight > 0:
                # The earlier classifier's ranking holds its top intents only; the rest count as 0.
                for item in message.get(INTENT_RANKING_KEY) or []:
                    if item.get("name") in scores:
                        scores[item["name"]] += weight * float(item.get("confidence") or 0.0)
            ranking = sorted(scores.items(), key=lambda item: item[1], reverse=True)
            if gate is not None and gate[index] >= threshold and self.is_service(ranking[0][0]):
                ranking = [(outside, float(gate[index]))] + [item for item in ranking if item[0] != outside]
            ranking = ranking[:length]
            message.set(INTENT, {"name": ranking[0][0], "confidence": float(ranking[0][1])}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": name, "confidence": float(score)} for name, score in ranking],
                add_to_output=True,
            )
        return messages

    def persist(self) -> None:
        """Write vocabularies and classes as JSON, idf and coefficients as arrays."""
        with self._model_storage.write_to(self._resource) as model_dir:
            arrays = {"coef": self.coef, "intercept": self.intercept}
            if self.gate is not None:
                arrays["gate"] = self.gate
            for index, vectorizer in enumerate(self.vectorizers):
                arrays[f"idf_{index}"] = vectorizer.idf_
            np.savez_compressed(model_dir / ARRAYS_FILE, **arrays)
            meta = {
                "classes": self.classes,
                "vocabularies": [
                    {term: int(column) for term, column in vectorizer.vocabulary_.items()}
                    for vectorizer in self.vectorizers
                ],
            }
            (model_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """The persisted classifier, or an untrained one when nothing was persisted."""
        classifier = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
                with np.load(model_dir / ARRAYS_FILE, allow_pickle=False) as arrays:
                    coef, intercept = arrays["coef"], arrays["intercept"]
                    gate = arrays["gate"] if "gate" in arrays.files else None
                    idfs = [arrays[f"idf_{index}"] for index in range(len(meta["vocabularies"]))]
        except (ValueError, FileNotFoundError):
            logger.debug(f"No trained LinearIntentClassifier in '{resource.name}'.")
            return classifier
        vectorizers = classifier._new_vectorizers()
        for vectorizer, vocabulary, idf in zip(vectorizers, meta["vocabularies"], idfs, strict=True):
            vectorizer.vocabulary_ = vocabulary
            vectorizer.fixed_vocabulary_ = True
            vectorizer.idf_ = idf
        return cls(config, model_storage, resource, meta["classes"], vectorizers, coef, intercept, gate)
