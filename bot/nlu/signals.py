"""Danger and group disputes, looked for on every message: a small learned model, word lists as backstop.

Two character n-gram TF-IDF + logistic-regression classifiers are trained from `signal_data/` the
first time they are needed (a few seconds), kept in the model cache (CACHE_DIR) for the next
process, and shared by every thread. Danger has two tiers. A message is *surely* dangerous when a
word list below names a kind, it cries for help, or the model's probability reaches
`SURE_DANGER_THRESHOLD`: the bot gives emergency advice and opens an urgent case. It is *possibly*
dangerous when the probability only reaches `POSSIBLE_DANGER_THRESHOLD`: the bot gives the advice
first and answers as usual. A group dispute is one the word lists or the model (`GROUP_THRESHOLD`)
recognise. The thresholds were set by cross-validation on `signal_data/`
(`flask --app webhook nlu signals` prints that check beside the held-out figures);
`signal_data/README.md` says what counts as danger and as a group dispute.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import numpy as np
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from bot.config import DATA_DIR, PROJECT_ROOT, cache_dir
from bot.formats import format_pattern
from bot.nlu import answers, phrases
from bot.nlu.danger_words import OWN_LIFE
from bot.nlu.examples import NLU_DATA_DIR, examples_from_yaml
from bot.nlu.model_cache import fingerprint, load_or_build

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on every process start

SIGNAL_DATA_DIR = PROJECT_ROOT / "signal_data"
DANGER_FILE = SIGNAL_DATA_DIR / "danger.yml"
# Every danger*.yml file of signal_data/ is training data (one file per batch of writing).
DANGER_FILES = tuple(sorted(SIGNAL_DATA_DIR.glob("danger*.yml")))
GROUP_FILE = SIGNAL_DATA_DIR / "group.yml"
# Frauds going on or just done, and frauds asked about calmly or long past (the third classifier).
FRAUD_FILE = SIGNAL_DATA_DIR / "fraud.yml"

DANGER_KINDS = ("fire", "gas", "injury", "violence", "self_harm", "child_or_elder", "fall")
# Returned when the model is sure of danger but not of its kind: the caller gives all numbers.
GENERIC_DANGER = "danger"
# A telecom or online fraud going on or just done: no danger to life, but every minute counts
# (110 or 96110 can stop the money), so it opens an urgent case for the lawyer like a danger.
FRAUD = "fraud"
# Dangers to the body that a fraud told in the same message does not explain away.
BODILY_DANGERS = ("fire", "gas", "injury", "self_harm", "fall")
# First aid the resident needs before the case, where no urgent case is called for.
DOG_BITE = "dog_bite"

# Chosen by 5-fold cross-validation on signal_data/ (see signal_evaluation), the model's verdict
# passing the same gates as in assess_danger: the urgent-case threshold is the lowest whose
# cross-validated false alarms stay within 2 % (an urgent case calls a person at once; the training
# negatives are mostly hard ones, so the real rate is lower), then the advice threshold the highest
# whose recall, word lists included, reaches 98 % (a missed danger costs far more than one extra
# sentence of advice). The model alone never makes a message of fewer than SURE_MIN_CHARS
# characters sure: "我在家" is no story.
POSSIBLE_DANGER_THRESHOLD = 0.35
SURE_DANGER_THRESHOLD = 0.65
SURE_MIN_CHARS = 10
GROUP_THRESHOLD = 0.70
# The fraud classifier opens an urgent case like a sure danger: its threshold is the lowest whose
# cross-validated false alarms stay within 2 %. The word lists (fraud_scam with fraud_now) stay
# as the backstop; a fraud told as long past (fraud_past) or a dream or a joke is no fraud going on.
FRAUD_THRESHOLD = 0.55
# Files of nlu_data/ that are no everyday "not danger" examples for the danger and fraud models:
# boundaries.yml teaches the rooms' borders with messages chosen to sit near them (a scooter charged
# in the stairwell, a flowerpot that nearly fell on someone, smoke through a window, a brushing-job
# ad) and has not been read against the danger files; with it, the cross-validation chooses 0.70
# and 0.65 above, at which held-out domestic-violence and fraud recall fall below their targets.
NOT_EVERYDAY = ("boundaries.yml",)
# Below this the kind model's best guess is not trusted and the generic kind is returned.
KIND_CONFIDENCE = 0.35

# The word lists are data (bot/data/signal_words.yml), each block with the examples it must and
# must not match (tests/test_signals.py checks them).
SIGNAL_WORDS_FILE = DATA_DIR / "signal_words.yml"
SIGNAL_WORDS = answers.load(SIGNAL_WORDS_FILE)
# The backstop: phrases that almost always mean danger right now, one block per kind. Kept narrow
# on purpose; the model carries the wording these miss, and HEDGE keeps them quiet on retold or
# feared events.
DANGER_WORDS = {kind: SIGNAL_WORDS[kind].pattern for kind in DANGER_KINDS}
# A call for help that names no kind: the model's kind (or the generic one) goes with it.
CALL_FOR_HELP = SIGNAL_WORDS["call_for_help"].pattern
# Retold, feared or hypothetical events: the word lists stay quiet, the model decides alone.
HEDGE = SIGNAL_WORDS["hedge"].pattern
# "刚才", "现在", "又来了": the event is now, whatever is retold or asked besides.
HAPPENING_NOW = SIGNAL_WORDS["happening_now"].pattern
# A fire or an explosion feared, not happening ("万一着火人都跑不出去"): a hazard to complain of.
FEARED_HAZARD = SIGNAL_WORDS["feared_hazard"].pattern
# A dream, a game, a show or a joke ("梦到着火了", "玩游戏被人砍死了"): no alarm, even told as now.
NOT_REAL = SIGNAL_WORDS["not_real"].pattern
# A laugh or a joke: nothing real, unless the resident speaks of taking their own life.
LAUGHTER = SIGNAL_WORDS["laughter"].pattern
# A figure of speech ("辣死了 舌头都着火了", "股市跌得我想跳楼") or words not meant ("其实就是催进度").
FIGURE_OF_SPEECH = SIGNAL_WORDS["figure_of_speech"].pattern
# A child hurt or bullied at school, told afterwards: the model alone raises no alarm on it.
SCHOOL_MATTER = SIGNAL_WORDS["school_matter"].pattern
SCHOOL_QUARREL = SIGNAL_WORDS["school_quarrel"].pattern
# Water leaking or dripping, with nothing else: the model alone raises no alarm ("厨房水管又漏了": 漏
# in a kitchen is water here, not gas).
WATER_LEAK = SIGNAL_WORDS["water_leak"].pattern
LEAK_HAZARD = SIGNAL_WORDS["leak_hazard"].pattern
# Over and nobody hurt ("已经关火了", "自己又跑回来了"): no alarm, unless something is still going on.
ALL_CLEAR = SIGNAL_WORDS["all_clear"].pattern
STILL_GOING = SIGNAL_WORDS["still_going"].pattern
# "如果我报警就杀了我": a threat on a condition stands; its 如果 is no hedge.
CONDITIONAL_THREAT = SIGNAL_WORDS["conditional_threat"].pattern
# "物业的责任回头再说", "老板不让打120 说怕担责任": liability put off, or the reason someone keeps
# help away, is no retold event; the hedge is looked for without them.
SET_ASIDE = SIGNAL_WORDS["set_aside"].pattern
# "…万一着火怎么办": a worry after what is told, no retold event.
WORRIED_WHAT_IF = SIGNAL_WORDS["worried_what_if"].pattern
# "谢谢你们之前帮我": thanks for help given before, no event retold.
THANKS_FOR_HELP = SIGNAL_WORDS["thanks_for_help"].pattern
# Self-harm is a kind only when someone speaks of harming themselves ("我不想活了", "想死", "自杀",
# "伤害自己", or the word list's self-harm words) or the kind model is sure of it: unsure, it also
# takes a frightened "他好像睡着了 我现在该怎么办" for self-harm.
SELF_HARM_SPOKEN = SIGNAL_WORDS["self_harm_spoken"].pattern
SURE_SELF_HARM = 0.75
# Another person threatens the resident's life: violence, whatever words of death it uses.
THREATENED = SIGNAL_WORDS["threatened"].pattern
# Not a possible danger, whatever the model's middle probability: a complaint about the service
# itself ("你们就是一群吃闲饭的 打电话也没人接"), or money owed ("包工头跑路了 工钱都没拿到") with no
# word of a threat, a harm or fear. Sure dangers are not affected.
MONEY_MATTER = SIGNAL_WORDS["money_matter"].pattern
THREAT_OR_HARM = SIGNAL_WORDS["threat_or_harm"].pattern
# Work or games told with 打 ("电钻还在打", "天天打麻将"): with nobody struck, no violence by the words
# alone. The words are data: bot/data/noise_words.yml, with their examples.
NOISE_WORDS_FILE = answers.ANSWERS_FILE.with_name("noise_words.yml")
NOISE_WORDS = answers.load(NOISE_WORDS_FILE)
GROUP_WORDS = SIGNAL_WORDS["group_words"].pattern
SINGLE_HOUSEHOLD = SIGNAL_WORDS["single_household"].pattern
# Violent words aimed at a thing ("要把那棵树砍死", "拿球砸我家门"): no violence unless the rest of
# the message names some.
THINGS_NOT_PEOPLE = SIGNAL_WORDS["things_not_people"].pattern
# A dog bite is first aid and a case about the owner, not an urgent case — unless it is severe.
DOG_BITE_WORDS = SIGNAL_WORDS["dog_bite"].pattern
SEVERE_INJURY = SIGNAL_WORDS["severe_injury"].pattern
# Someone hurt by something dropped or thrown from above: 110 as well as 120.
FALLING_OBJECT = SIGNAL_WORDS["falling_object"].pattern
FRAUD_SCAM = SIGNAL_WORDS["fraud_scam"].pattern
FRAUD_NOW = SIGNAL_WORDS["fraud_now"].pattern
FRAUD_PAST = SIGNAL_WORDS["fraud_past"].pattern


class LinearScorer:
    """A fitted two-class pipeline's probability, computed straight from its vocabularies and weights.

    Same figures as `predict_proba` (tests check it), without scikit-learn's per-call validation,
    sparse matrices and dispatch: on one short message those cost twenty times the arithmetic,
    and they were a third of the web process's CPU per message. The last few thousand texts are
    remembered (a message is scored again when it joins a story).
    """

    def __init__(self, pipeline: Pipeline) -> None:
        union, regression = pipeline.steps[0][1], pipeline.steps[-1][1]
        vectorizers = [vectorizer for _, vectorizer in union.transformer_list]
        coefficients = regression.coef_.ravel().tolist()
        self.features: list[_Features] = []
        start = 0
        for vectorizer in vectorizers:
            self.features.append(_Features(vectorizer, coefficients[start : start + len(vectorizer.vocabulary_)]))
            start += len(vectorizer.vocabulary_)
        self.intercept = float(regression.intercept_[0])
        self.probability = functools.lru_cache(maxsize=4096)(self._probability)

    def _probability(self, normalized: str) -> float:
        score = self.intercept + sum(features.score(normalized) for features in self.features)
        return 1.0 / (1.0 + math.exp(-score))


class _Features:
    """One fitted TF-IDF vectorizer (sublinear tf, l2 norm) with its share of the regression's weights."""

    def __init__(self, vectorizer: TfidfVectorizer, weights: list[float]) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2" and not vectorizer.binary):
            raise ValueError("LinearScorer expects TF-IDF with sublinear tf, idf and l2 norm")
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
        # score = Σ (1 + ln tf)·idf·w / ‖(1 + ln tf)·idf‖ over the terms of the vocabulary in the text
        self.idf = vectorizer.idf_.tolist()
        self.weights = weights

    def score(self, normalized: str) -> float:
        """This vectorizer's contribution to the regression's score for one text."""
        counts: dict[int, int] = {}
        for term in self.analyze(normalized):
            index = self.vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return 0.0
        values = {index: (1.0 + math.log(count)) * self.idf[index] for index, count in counts.items()}
        norm = math.sqrt(sum(value * value for value in values.values()))
        return sum(value * self.weights[index] for index, value in values.items()) / norm


@dataclass(frozen=True)
class SignalModel:
    """The fitted classifiers of one process."""

    danger: Pipeline
    kind: Pipeline
    group: Pipeline
    fraud: Pipeline
    training_seconds: float
    danger_scorer: LinearScorer = field(init=False, repr=False, compare=False)
    group_scorer: LinearScorer = field(init=False, repr=False, compare=False)
    fraud_scorer: LinearScorer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "danger_scorer", LinearScorer(self.danger))
        object.__setattr__(self, "group_scorer", LinearScorer(self.group))
        object.__setattr__(self, "fraud_scorer", LinearScorer(self.fraud))

    def danger_probability(self, text: str) -> float:
        """Probability that the text signals danger now."""
        return self.danger_scorer.probability(normalize(text))

    def likely_kind(self, text: str) -> str:
        """The kind of danger the model thinks most likely, or GENERIC_DANGER when unsure."""
        kind, probability = self.kind_guess(text)
        return kind if probability >= KIND_CONFIDENCE else GENERIC_DANGER

    def kind_guess(self, text: str) -> tuple[str, float]:
        """The kind of danger the model thinks most likely, and its probability."""
        probabilities = self.kind.predict_proba([normalize(text)])[0]
        best = int(probabilities.argmax())
        return str(self.kind.classes_[best]), float(probabilities[best])

    def group_probability(self, text: str) -> float:
        """Probability that the text describes a dispute of many households at once."""
        return self.group_scorer.probability(normalize(text))

    def fraud_probability(self, text: str) -> float:
        """Probability that the text tells of a fraud going on or just done."""
        return self.fraud_scorer.probability(normalize(text))


# Punctuation and spaces: one clause break each run (bot/data/format_words.yml).
BREAKS = format_pattern("word_breaks")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces as single clause breaks."""
    text = unicodedata.normalize("NFKC", text).lower()
    return BREAKS.sub(" ", text).strip()


def new_classifier(classes: int = 2) -> Pipeline:
    """An untrained TF-IDF (characters and Jieba words) + logistic-regression pipeline."""
    # char_wb keeps n-grams inside a clause (punctuation became spaces in normalize()); Jieba's
    # words add what a word means beside its characters ("卡在" in "老年卡在哪里" is no trap).
    # A large C because the hard negatives differ from the dangers by a word or two. liblinear
    # is by far the fastest solver here; for more than two classes it runs one-versus-rest.
    regression = LogisticRegression(C=30.0, class_weight="balanced", solver="liblinear")
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        TfidfVectorizer(analyzer=words, sublinear_tf=True),
    )
    return make_pipeline(features, regression if classes == 2 else OneVsRestClassifier(regression))


def words(text: str) -> list[str]:
    """The Jieba words of a normalized text, without the spaces between clauses."""
    return list(_words(text))


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    # The danger, kind and group classifiers each cut the same message: Jieba runs once.
    return tuple(word for word in jieba.lcut(text) if word.strip())


def read_danger_examples(path: Path | str = DANGER_FILE) -> list[tuple[str, str | None]]:
    """(text, kind) pairs from one danger YAML file; kind is None for the negatives."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    examples: list[tuple[str, str | None]] = []
    if isinstance(document["danger"], list):  # a held-out batch whose dangers name no kind
        document["danger"] = {GENERIC_DANGER: document["danger"]}
    for kind, texts in document["danger"].items():
        if kind == GENERIC_DANGER:
            examples.extend((str(text), kind) for text in texts)
            continue
        if kind not in DANGER_KINDS:
            raise ValueError(f"{path}: unknown danger kind {kind!r}")
        examples.extend((str(text), kind) for text in texts)
    examples.extend((str(text), None) for text in document["not_danger"])
    return examples


def training_danger_examples(files: tuple[Path, ...] = DANGER_FILES) -> list[tuple[str, str | None]]:
    """(text, kind) pairs of every danger training file, in file order."""
    return [example for path in files for example in read_danger_examples(path)]


def everyday_files(nlu_dir: Path | str = NLU_DATA_DIR) -> list[Path]:
    """The files of nlu_data/ whose examples are everyday messages for the signals (not NOT_EVERYDAY)."""
    return [path for path in sorted(Path(nlu_dir).glob("*.yml")) if path.name not in NOT_EVERYDAY]


def everyday_examples(files: tuple[Path, ...] = DANGER_FILES, nlu_dir: Path | str = NLU_DATA_DIR) -> list[str]:
    """The Rasa training examples that are not danger: what residents write every day.

    Every example in nlu_data/ (but NOT_EVERYDAY's files) counts as "not danger" unless a danger
    file lists it as a danger or under `left_out` (ambiguous); tests check that no word list fires
    on the rest.
    """
    listed = {text for text, _ in training_danger_examples(files)}
    for path in files:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        listed |= {str(text) for text in document.get("left_out") or []}
    texts = {example.text for path in everyday_files(nlu_dir) for example in examples_from_yaml(path)}
    return sorted(texts - listed)


def danger_training_set(
    files: tuple[Path, ...] = DANGER_FILES, nlu_dir: Path | str = NLU_DATA_DIR
) -> list[tuple[str, str | None]]:
    """Everything the danger model learns from: the danger files and the everyday examples of nlu_data/."""
    everyday = [(text, None) for text in everyday_examples(files, nlu_dir)]
    return training_danger_examples(files) + everyday


def read_group_examples(path: Path | str = GROUP_FILE) -> list[tuple[str, bool]]:
    """(text, is_group) pairs from a group YAML file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    groups = [(str(text), True) for text in document["group"]]
    return groups + [(str(text), False) for text in document["single"]]


def read_fraud_examples(path: Path | str = FRAUD_FILE) -> list[tuple[str, bool]]:
    """(text, in_progress) pairs from a fraud YAML file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    frauds = [(str(text), True) for text in document["in_progress"]]
    return frauds + [(str(text), False) for text in document["not_in_progress"]]


def fraud_training_set(
    path: Path | str = FRAUD_FILE, danger_files: tuple[Path, ...] = DANGER_FILES, nlu_dir: Path | str = NLU_DATA_DIR
) -> list[tuple[str, bool]]:
    """Everything the fraud model learns from: the fraud file, and as "no fraud going on" every danger
    example and everyday example of nlu_data/ the fraud word lists do not flag."""
    frauds = read_fraud_examples(path)
    listed = {text for text, _ in frauds}
    others = [text for text, _ in danger_training_set(danger_files, nlu_dir)]
    return frauds + [(text, False) for text in others if text not in listed and not fraud_words(text)]


def fit_danger(examples: list[tuple[str, str | None]]) -> tuple[Pipeline, Pipeline]:
    """The danger detector (danger or not) and the kind classifier (trained on dangers only)."""
    texts = [normalize(text) for text, _ in examples]
    detector = new_classifier().fit(texts, [kind is not None for _, kind in examples])
    dangers = [(normalize(text), kind) for text, kind in examples if kind is not None]
    kinds = new_classifier(len(DANGER_KINDS)).fit([text for text, _ in dangers], [kind for _, kind in dangers])
    return detector, kinds


def fit_group(examples: list[tuple[str, bool]]) -> Pipeline:
    """The group-dispute detector."""
    return new_classifier().fit([normalize(text) for text, _ in examples], [label for _, label in examples])


def fit_fraud(examples: list[tuple[str, bool]]) -> Pipeline:
    """The fraud-going-on detector."""
    return new_classifier().fit([normalize(text) for text, _ in examples], [label for _, label in examples])


def train(
    danger_files: tuple[Path, ...] = DANGER_FILES,
    group_file: Path | str = GROUP_FILE,
    fraud_file: Path | str = FRAUD_FILE,
) -> SignalModel:
    """Fit all four classifiers from the YAML training data."""
    started = time.perf_counter()
    detector, kinds = fit_danger(danger_training_set(danger_files))
    group = fit_group(read_group_examples(group_file))
    fraud = fit_fraud(fraud_training_set(fraud_file, danger_files))
    return SignalModel(detector, kinds, group, fraud, time.perf_counter() - started)


_model: SignalModel | None = None
_model_lock = threading.Lock()


def model() -> SignalModel:
    """This process's fitted model, loaded or trained on first use (once, even with many threads)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                started = time.perf_counter()
                loaded = cached_model()
                jieba.initialize()  # its dictionary (a second more) loads now, not on a message
                _model = loaded
                log.info("danger and group signals ready in %.1f s", time.perf_counter() - started)
    return _model


def is_ready() -> bool:
    """True once this process has its model (the health check reports it)."""
    return _model is not None


def cached_model(directory: Path | None = None) -> SignalModel:
    """The model of signal_data/, as fitted by an earlier process when nothing it depends on changed."""

    def fit() -> tuple:
        fitted = train()
        return fitted.danger, fitted.kind, fitted.group, fitted.fraud, fitted.training_seconds

    return SignalModel(*load_or_build("signals", training_fingerprint(), fit, directory or cache_dir()))


def training_fingerprint() -> str:
    """What the fitted model depends on: its training files, this module and the library versions."""
    files = [*DANGER_FILES, GROUP_FILE, FRAUD_FILE, Path(__file__), *everyday_files()]
    return fingerprint(files, sklearn.__version__, np.__version__, jieba.__version__)


def danger_words(text: str) -> list[str]:
    """The kinds of danger the word lists name, unless the text retells or fears an event."""
    if hedged(text) or calmed(text):
        return []
    kinds = [kind for kind, pattern in DANGER_WORDS.items() if pattern.search(text)]
    if "violence" in kinds and NOISE_WORDS["noisy_work"].found(text) and not NOISE_WORDS["person_struck"].found(text):
        kinds.remove("violence")  # "电钻晚上十一点还在打": noise; the model judges the rest
    # "要把门口那棵树砍死", "猫从窗台跳下去了": a thing or an animal, not a person
    kinds = [kind for kind in kinds if DANGER_WORDS[kind].search(THINGS_NOT_PEOPLE.sub("，", text))]
    return checked_kinds(kinds, text)


def hedged(text: str) -> bool:
    """True when the text retells, fears or asks about an event (HEDGE), leaving aside a threat on a
    condition, thanks for help given before, liability put off or feared by whoever keeps help away,
    and a worry said after what is told ("万一着火怎么办")."""
    for words in (CONDITIONAL_THREAT, THANKS_FOR_HELP, SET_ASIDE, WORRIED_WHAT_IF):
        text = words.sub("，", text)
    return bool(HEDGE.search(text))


def checked_kinds(kinds: list[str], text: str, sure: bool = False) -> list[str]:
    """The kinds with self-harm kept only where someone speaks of harming themselves (or the kind
    model is sure): a threat from another person is violence, else the kind is left unknown."""
    if "self_harm" not in kinds:
        return kinds
    if THREATENED.search(text):
        return list(dict.fromkeys("violence" if kind == "self_harm" else kind for kind in kinds))
    if sure or SELF_HARM_SPOKEN.search(text) or DANGER_WORDS["self_harm"].search(text):
        return kinds
    return [kind for kind in kinds if kind != "self_harm"] or [GENERIC_DANGER]


def calls_for_help(text: str) -> bool:
    """True when the text cries for help outright, unless it retells or fears an event, or the cry
    is about money or the service ("救命啊 这个房贷利率太高了")."""
    if not CALL_FOR_HELP.search(THINGS_NOT_PEOPLE.sub("，", text)) or HEDGE.search(text) or calmed(text):
        return False
    return not plainly_not_danger(CALL_FOR_HELP.sub("，", text))


def group_words(text: str) -> bool:
    """True when the word lists name many households acting or harmed together."""
    return bool(GROUP_WORDS.search(text)) and not SINGLE_HOUSEHOLD.search(text)


def fraud_in_progress(text: str) -> bool:
    """True for a fraud going on or just done (money sent moments ago, or asked for now), not a story
    of long ago nor a calm question afterwards: the word lists, or the fraud model at FRAUD_THRESHOLD."""
    if fraud_words(text):
        return True
    if not may_be_fraud(text):
        return False
    return model().fraud_probability(text) >= FRAUD_THRESHOLD


def fraud_words(text: str) -> bool:
    """True when the word lists name a fraud's trick and money sent or asked for now, not long ago."""
    return bool(FRAUD_SCAM.search(text) and FRAUD_NOW.search(text)) and not FRAUD_PAST.search(text)


def may_be_fraud(text: str) -> bool:
    """True unless the text is too short to judge, long past, a dream, a show or a joke: the fraud
    model's verdict counts only then."""
    return not (too_short_to_judge(text) or FRAUD_PAST.search(text) or calmed(text))


def dog_bite(text: str) -> bool:
    """True for a dog (or cat) bite that first aid and a vaccine answer, no emergency."""
    return bool(DOG_BITE_WORDS.search(text)) and not SEVERE_INJURY.search(text)


def falling_object(text: str) -> bool:
    """True when someone was hurt by something dropped or thrown from above."""
    return bool(FALLING_OBJECT.search(text))


@dataclass(frozen=True)
class Danger:
    """What one message signals: the kinds of a sure danger, or a possible one (never both), and
    first aid to give before the answer when no urgent case is called for (DOG_BITE)."""

    kinds: list[str]
    possible: bool
    first_aid: str | None = None


def assess_danger(text: str) -> Danger:
    """Both danger tiers of one message, the model asked at most once."""
    if not text.strip():
        return Danger([], False)
    named = danger_words(text)
    if dog_bite(text) and set(named) <= {"injury"} and not HEDGE.search(text):
        return Danger([], False, DOG_BITE)  # "被狗咬了 要打狂犬疫苗吧": first aid, then the case
    if fraud_in_progress(text):
        # "有个公安在电话里让她转钱": the fraud's help; a fire or an injury told with it keeps its own
        return Danger([FRAUD, *(kind for kind in named if kind in BODILY_DANGERS)], False)
    if named:
        return Danger(named, False)
    fitted = model()
    probability = 0.0 if model_stays_quiet(text) else fitted.danger_probability(text)
    if probability and THINGS_NOT_PEOPLE.search(text):
        # A cat that jumped, a tree cut down: the rest of the message may say it is nothing.
        probability = min(probability, fitted.danger_probability(THINGS_NOT_PEOPLE.sub("，", text)))
    if calls_for_help(text) or (not too_short_to_judge(text) and probability >= SURE_DANGER_THRESHOLD):
        kind, probability = fitted.kind_guess(text)
        kind = kind if probability >= KIND_CONFIDENCE else GENERIC_DANGER
        return Danger(checked_kinds([kind], text, sure=probability >= SURE_SELF_HARM), False)
    return Danger([], probability >= POSSIBLE_DANGER_THRESHOLD and not plainly_not_danger(text) and not retold(text))


def calmed(text: str) -> bool:
    """True for a dream, a game, a show or a joke (not of taking one's own life), a figure of speech,
    or an event over with nobody hurt: no alarm is raised ("昨晚做梦梦到着火了", "刚才烧糊了一锅饭 已经关火了")."""
    if FIGURE_OF_SPEECH.search(text):
        return True
    if (NOT_REAL.search(text) or LAUGHTER.search(text)) and not OWN_LIFE.search(text):
        return True
    return bool(ALL_CLEAR.search(text) and not STILL_GOING.search(text))


def model_stays_quiet(text: str) -> bool:
    """True where the model alone raises no alarm: a dream, a joke or an event over (calmed), a
    quarrel at school told afterwards, water leaking with nothing else, or a fire only feared."""
    return calmed(text) or school_matter(text) or water_only(text) or feared_only(text)


def feared_only(text: str) -> bool:
    """True for a fire or an explosion feared ("哪天着火了就完了") with no word putting anything in the present."""
    return bool(FEARED_HAZARD.search(text)) and not HAPPENING_NOW.search(text)


def water_only(text: str) -> bool:
    """True for water leaking or dripping with no word of electricity, gas, fire, collapse or harm."""
    return bool(WATER_LEAK.search(text)) and not LEAK_HAZARD.search(text)


def school_matter(text: str) -> bool:
    """True for a child hurt or bullied at school told with no word putting it in the present
    ("我伢在学校被几个大孩子打了 老师不管"): the school's and the lawyer's matter, no alarm."""
    return bool(SCHOOL_MATTER.search(text) and SCHOOL_QUARREL.search(text)) and not HAPPENING_NOW.search(text)


def too_short_to_judge(text: str) -> bool:
    """True for a few words ("我在家", "都一个多月了"), on which the models' verdicts are not to be trusted."""
    return len(normalize(text).replace(" ", "")) < SURE_MIN_CHARS


def retold(text: str) -> bool:
    """True for an event retold, feared or asked about (HEDGE) with no word putting it in the present:
    "去年被打伤了能赔多少" gets no caution, "去年打过我 今天他又来了" may."""
    return hedged(text) and not HAPPENING_NOW.search(text)


def plainly_not_danger(text: str) -> bool:
    """True for a complaint about the service or money owed, with no word of a threat or harm."""
    about = phrases.COMPLAINT.search(text) or MONEY_MATTER.search(text)
    return bool(about) and not THREAT_OR_HARM.search(text)


def danger_kinds(text: str) -> list[str]:
    """The kinds of immediate danger the text surely signals (empty when none): word lists, a cry
    for help, or the model at SURE_DANGER_THRESHOLD."""
    return assess_danger(text).kinds


def possible_danger(text: str) -> bool:
    """True when the model sees a possible danger (POSSIBLE_DANGER_THRESHOLD) that is not sure."""
    return assess_danger(text).possible


def is_collective(text: str) -> bool:
    """True when the text describes a dispute of many households at once."""
    if not text.strip():
        return False
    if group_words(text):
        return True
    # A few words ("都一个多月了") the model cannot judge; nor one household ("我们一家三口都被吵醒").
    if too_short_to_judge(text) or SINGLE_HOUSEHOLD.search(text):
        return False
    return model().group_probability(text) >= GROUP_THRESHOLD


__all__ = [
    "DANGER_KINDS",
    "GENERIC_DANGER",
    "Danger",
    "assess_danger",
    "danger_kinds",
    "is_collective",
    "model",
    "possible_danger",
]
