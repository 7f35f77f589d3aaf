"""Answers to the bot's own questions: a small learned model, the word rules as backstop.

At the summary, an offer, a numbered list, the phone question or the rating request, a resident
answers in their own words: "中", "要得", "冇得问题", "第二个", "后面那个", "幺三八 零七一二 三四五六",
"没必要留", "蛮好". A character n-gram TF-IDF + logistic-regression classifier, trained from
`step_data/` the first time it is needed and kept in the model cache (CACHE_DIR), says which kind
of answer a message is (`Label`), among those the question can take. Where it is unsure (below
`THRESHOLD`, chosen by cross-validation on step_data/: `flask --app webhook nlu steps`), the word
rules decide (bot/nlu/phrases.py, bot/data/answers.yml). The value of a choice, a rating or a
phone number is read by a small normaliser whose words are data (bot/data/step_words.yml).
step_data/README.md says what each label means.
"""

from __future__ import annotations

import enum
import functools
import logging
import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot.config import PROJECT_ROOT, cache_dir
from bot.formats import format_pattern
from bot.nlu import answers, cues, phrases
from bot.nlu.model_cache import fingerprint, load_or_build

log = logging.getLogger(__name__)

STEP_DATA_DIR = PROJECT_ROOT / "step_data"
# Examples an admin added from the review queue ("at this question, this answer means yes").
REVIEWED_FILE = STEP_DATA_DIR / "reviewed.yml"
STEP_WORDS_FILE = answers.ANSWERS_FILE.with_name("step_words.yml")
WORDS = answers.load(STEP_WORDS_FILE)


class Label(enum.StrEnum):
    """What kind of answer a message is to the bot's question (step_data/README.md)."""

    YES = "yes"
    NO = "no"
    CANCEL = "cancel"
    BACK = "back"
    CORRECTION = "correction"
    CHOICE = "choice"
    DONT_KNOW = "dont_know"
    QUESTION = "question"
    RATING = "rating"
    PHONE = "phone"
    OTHER = "other"


class Step(enum.StrEnum):
    """The questions whose answers step_data/ holds, one file each."""

    CONFIRM = "confirm"  # the summary: submit, add to it, correct a part
    OFFER = "offer"  # a yes/no offer: register, leave a phone, moved house, withdraw
    CHOICE = "choice"  # a numbered list: communities, kinds of case
    PHONE = "phone"  # the phone question
    RATING = "rating"  # the rating after a resolved case


# What each question can take: the labels the model chooses among there.
ACCEPTS: dict[Step, tuple[Label, ...]] = {
    Step.CONFIRM: (Label.YES, Label.NO, Label.CANCEL, Label.BACK, Label.CORRECTION, Label.QUESTION, Label.OTHER),
    Step.OFFER: (Label.YES, Label.NO, Label.DONT_KNOW, Label.QUESTION, Label.CANCEL, Label.OTHER),
    Step.CHOICE: (Label.CHOICE, Label.YES, Label.NO, Label.DONT_KNOW, Label.QUESTION, Label.CANCEL, Label.OTHER),
    Step.PHONE: (Label.PHONE, Label.NO, Label.YES, Label.DONT_KNOW, Label.QUESTION, Label.CANCEL, Label.OTHER),
    Step.RATING: (Label.RATING, Label.NO, Label.QUESTION, Label.OTHER),
}

# Chosen by 5-fold cross-validation on step_data/ (bot/training/step_evaluation.py): the confidence
# from which the model's label is taken over the rules' reading. Below it the rules decide.
THRESHOLD = 0.40
# A longer message tells or asks something besides an answer: the model is not asked (nine in
# ten training answers are shorter than 12 characters).
MAX_CHARS = 16


@dataclass(frozen=True)
class StepAnswer:
    """A message read as an answer: its label, the value (a choice's number, a rating's score, a
    phone number's digits), how sure the model is, and whether the model (not the rules) decided."""

    label: Label
    value: int | str | None = None
    confidence: float = 0.0
    by_model: bool = False


@dataclass(frozen=True)
class Example:
    """One training or evaluation example: the answer, its label, where it was given and its value."""

    text: str
    label: Label
    step: str
    value: int | str | None = None
    options: int | None = None  # how many the numbered list offered


# ── The examples ─────────────────────────────────────────────────────────────────────────────


def read_examples(path: Path | str) -> list[Example]:
    """The examples of one step file: `step`, `options` (a list's length) and `examples` by label;
    an example is its text, or a mapping with `text` and its `value` or `options`."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    step, options = str(document.get("step") or "any"), document.get("options")
    examples = []
    for name, items in (document.get("examples") or {}).items():
        label = Label(_label_name(name))
        for item in items or ():
            entry: dict[str, Any] = item if isinstance(item, dict) else {"text": item}
            examples.append(
                Example(
                    text=str(entry["text"]),
                    label=label,
                    step=str(entry.get("step") or step),
                    value=entry.get("value"),
                    options=entry.get("options", options),
                )
            )
    return examples


def _label_name(name: Any) -> str:
    # YAML 1.1 reads a bare yes / no key as a boolean.
    if isinstance(name, bool):
        return "yes" if name else "no"
    return str(name)


def training_files(folder: Path = STEP_DATA_DIR) -> tuple[Path, ...]:
    """Every step file of step_data/, the reviewed examples included."""
    return tuple(sorted(folder.glob("*.yml")))


def training_examples(files: Iterable[Path] | None = None) -> list[Example]:
    """Every training example, in file order."""
    return [example for path in (training_files() if files is None else files) for example in read_examples(path)]


# ── The normaliser: the value of an answer ───────────────────────────────────────────────────

DIGITS: dict[str, int] = {str(word): int(digit) for word, digit in WORDS["digits"].extra["means"].items()}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# A number read out: digits, possibly in groups cut by spaces or dashes ("幺三八 零七一二 三四五六"),
# and what its digits must be to be a phone (bot/data/format_words.yml, with their examples).
_NUMBER_RUN = format_pattern("spoken_digit_run")
# A city number without its area code (Wuhan's have eight digits, never starting with 0 or 1).
LOCAL_LANDLINE_DIGITS = 8
MOBILE = format_pattern("mobile")
LANDLINE = format_pattern("landline")
# Punctuation and spaces: one break each run.
_BREAKS = format_pattern("word_breaks")


def as_digits(run: str) -> str:
    """A run of digit words as ASCII digits ("幺三八 零七" → "13807")."""
    run = run.translate(_FULL_WIDTH)
    return "".join(str(DIGITS[char]) if char in DIGITS else char for char in run if char.isdigit() or char in DIGITS)


def phone_number(text: str) -> str | None:
    """The mobile (or landline with its area code) the text gives, read out or typed, else None."""
    for match in _NUMBER_RUN.finditer(text or ""):
        digits = as_digits(match.group())
        if MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits):
            return digits
    return None


def local_landline(text: str, area_code: str) -> str | None:
    """A landline of eight digits given without its area code, typed or read out, with `area_code`
    put before it ("85764321" → "02785764321"); None for anything else."""
    for match in _NUMBER_RUN.finditer(text or ""):
        digits = as_digits(match.group())
        if len(digits) == LOCAL_LANDLINE_DIGITS and digits[0] not in "01":
            return area_code + digits
    return None


def without_number(text: str) -> str:
    """The text with any number of seven digits or more (typed or read out) taken out."""
    return _NUMBER_RUN.sub(lambda run: "" if len(as_digits(run.group())) >= 7 else run.group(), text or "")


def digits_read_out(text: str) -> int:
    """How many digits the longest number in the text has, typed or read out ("幺五幺两七…")."""
    return max((len(as_digits(run.group())) for run in _NUMBER_RUN.finditer(text or "")), default=0)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else DIGITS[word]


def _first_number(concept: answers.Concept, text: str) -> int | None:
    for clause in answers.clauses(unicodedata.normalize("NFKC", text or "")):
        if match := concept.pattern.search(clause):
            return _number(match.group("n"))
    return None


def choice_value(text: str, options: int | None = None) -> int | None:
    """The number picked from a list ("2", "第二个", "后面那个" when the list's length is known), else None."""
    picked = _first_number(WORDS["choice_ordinal"], text) or _first_number(WORDS["choice_number"], text)
    if picked is None and WORDS["choice_first"].found(text):
        picked = 1
    if picked is None and options and WORDS["choice_last"].found(text):
        picked = options
    if picked is None and options and options % 2 == 1 and options > 1 and WORDS["choice_middle"].found(text):
        picked = (options + 1) // 2
    if picked is None or (options is not None and not 1 <= picked <= options):
        return None
    return picked


def _exact_choice(text: str, options: int | None) -> int | None:
    picked = _first_number(WORDS["choice_ordinal"], text) or _first_number(WORDS["choice_number"], text)
    return picked if picked is not None and (options is None or 1 <= picked <= options) else None


def _exact_rating(text: str) -> int | None:
    score = _first_number(WORDS["rating_score"], text) or _first_number(WORDS["rating_digit"], text)
    return score if score is not None and 1 <= score <= 5 else None


RATING_WORDS = tuple((score, WORDS[f"rating_{score}"]) for score in (1, 2, 3, 4, 5))


def rating_value(text: str) -> int | None:
    """The score 1–5 a rating gives ("5", "五分", "给个3分吧", "很满意", "一般"), else None."""
    score = _first_number(WORDS["rating_score"], text) or _first_number(WORDS["rating_digit"], text)
    if score is not None:
        return score if 1 <= score <= 5 else None
    # Read from the least happy: "不满意" holds "满意".
    return next((score for score, concept in RATING_WORDS if concept.found(text)), None)


def value_of(label: Label, text: str, options: int | None = None) -> int | str | None:
    """The value an answer of this label carries, if it has one."""
    if label is Label.CHOICE:
        return choice_value(text, options)
    if label is Label.RATING:
        return rating_value(text)
    if label is Label.PHONE:
        return phone_number(text)
    return None


# ── The model ────────────────────────────────────────────────────────────────────────────────


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, any number as zeros (its value is the normaliser's),
    punctuation and spaces as single breaks."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    # A number read out in groups ("幺三八 零七一二") is one number: its digits, without the gaps.
    text = _NUMBER_RUN.sub(_zeros, text)
    text = "".join("0" if char.isdecimal() else char for char in text)
    return _BREAKS.sub(" ", text).strip()


def _zeros(match: re.Match) -> str:
    digits = as_digits(match.group())
    return "0" * len(digits) if len(digits) >= 7 else match.group()


def new_classifier() -> Pipeline:
    """An untrained char n-gram TF-IDF + logistic-regression pipeline."""
    # char_wb keeps n-grams inside a clause; 1-grams carry the one-character answers ("中", "冇").
    # saga fits the few hundred examples in well under a second (lbfgs took seconds).
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=20.0, class_weight="balanced", solver="saga", max_iter=5000, random_state=0),
    )


@dataclass
class StepModel:
    """The fitted classifier of one process, and its weights for scoring one message fast."""

    pipeline: Pipeline
    training_seconds: float
    labels: tuple[Label, ...] = field(init=False)
    _vocabulary: dict[str, int] = field(init=False, repr=False)
    _idf: np.ndarray = field(init=False, repr=False)
    _coef: np.ndarray = field(init=False, repr=False)
    _intercept: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        vectorizer, regression = self.pipeline.steps[0][1], self.pipeline.steps[-1][1]
        self.labels = tuple(Label(label) for label in regression.classes_)
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
        self._idf = vectorizer.idf_
        self._coef = regression.coef_
        self._intercept = regression.intercept_
        self.probabilities = functools.lru_cache(maxsize=4096)(self._probabilities)

    def __getstate__(self) -> dict:
        return {"pipeline": self.pipeline, "training_seconds": self.training_seconds}

    def __setstate__(self, state: dict) -> None:
        self.pipeline, self.training_seconds = state["pipeline"], state["training_seconds"]
        self.__post_init__()

    def _probabilities(self, normalized: str) -> dict[Label, float]:
        # The pipeline's predict_proba by hand: scikit-learn's checks cost more than the arithmetic.
        counts: dict[int, int] = {}
        for term in self._analyze(normalized):
            index = self._vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        scores = self._intercept.copy()
        if counts:
            indices = np.fromiter(counts, dtype=int)
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=float))) * self._idf[indices]
            values /= math.sqrt(float(values @ values))
            scores = scores + self._coef[:, indices] @ values
        exp = np.exp(scores - scores.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist(), strict=True))

    def best(self, text: str, accepts: Iterable[Label]) -> tuple[Label, float]:
        """The likeliest label among those accepted, and its probability among them."""
        probabilities = self.probabilities(normalize(text))
        allowed = {label: probabilities.get(label, 0.0) for label in accepts}
        total = sum(allowed.values()) or 1.0
        label = max(allowed, key=lambda name: allowed[name])
        return label, allowed[label] / total


def fit(examples: list[Example]) -> StepModel:
    """A model fitted on these examples."""
    start = time.perf_counter()
    pipeline = new_classifier()
    pipeline.fit([normalize(example.text) for example in examples], [example.label.value for example in examples])
    return StepModel(pipeline, time.perf_counter() - start)


_lock = threading.Lock()
_model: StepModel | None = None
_key = ""
_checked = 0.0
# How often a process looks whether step_data/ changed (examples promoted from the review queue):
# then it loads (or fits) the model of the new data.
RECHECK_S = 60.0


def model() -> StepModel:
    """The model of this process: loaded from the cache, else fitted from step_data/ (once)."""
    global _model, _key, _checked
    with _lock:
        if _model is None or time.monotonic() - _checked > RECHECK_S:
            files = training_files()
            key = fingerprint((*files, Path(__file__)), sklearn.__version__, np.__version__)
            _checked = time.monotonic()
            if _model is None or key != _key:
                _model = load_or_build("step-answers", key, lambda: fit(training_examples(files)), cache_dir())
                _key = key
        return _model


def reset() -> None:
    """Forget the process's model (after step_data/ changed: the next reading fits it again)."""
    global _model
    with _lock:
        _model = None


# ── Reading an answer ────────────────────────────────────────────────────────────────────────


def read_step_answer(
    text: str,
    accepts: Iterable[Label | str],
    options: int | None = None,
    threshold: float = THRESHOLD,
    using: StepModel | None = None,
) -> StepAnswer:
    """The answer `text` gives to a question that takes the labels `accepts` (a numbered list of
    `options`): the model's label when it is sure enough and its value can be read, else the rules'.
    `using` is another model than the process's (cross-validation, a candidate)."""
    allowed = tuple(Label(label) for label in accepts)
    # A number read out is a phone number at the phone question, whatever else is said with it.
    if Label.PHONE in allowed and (number := phone_number(text)):
        return StepAnswer(Label.PHONE, number, 1.0)
    # A bare number or an ordinal ("二", "第二个", "3 都不是") picks from a list; a score in digits
    # or "五分" rates. These forms are exact, so they need no model.
    if Label.CHOICE in allowed and (picked := _exact_choice(text, options)) is not None:
        return StepAnswer(Label.CHOICE, picked, 1.0)
    if Label.RATING in allowed and (score := _exact_rating(text)) is not None:
        return StepAnswer(Label.RATING, score, 1.0)
    if len(text or "") <= MAX_CHARS:
        label, confidence = (using or model()).best(text, allowed)
        if confidence >= threshold:
            answer = _valued(label, text, options, confidence, allowed)
            if answer is not None:
                return answer
    return read_by_rules(text, allowed, options)


def _valued(
    label: Label, text: str, options: int | None, confidence: float, allowed: tuple[Label, ...]
) -> StepAnswer | None:
    # "是的" at a list of one picks it; a choice, a rating or a phone whose value cannot be read is
    # no answer of that kind after all (the rules decide).
    if label is Label.YES and options == 1 and Label.CHOICE in allowed:
        return StepAnswer(Label.CHOICE, 1, confidence, by_model=True)
    if label not in (Label.CHOICE, Label.RATING, Label.PHONE):
        return StepAnswer(label, None, confidence, by_model=True)
    value = value_of(label, text, options)
    return StepAnswer(label, value, confidence, by_model=True) if value is not None else None


# The yes/no concepts of bot/data/answers.yml the rules read an answer with, in order.
RULE_WORDS = (
    ("not_yet", answers.Answer.NO),
    ("more_to_say", answers.Answer.NO),
    ("negation", answers.Answer.NO),
    ("submit", answers.Answer.YES),
    ("affirmation", answers.Answer.YES),
)


def read_by_rules(
    text: str,
    accepts: Iterable[Label | str],
    options: int | None = None,
    phone: Callable[[str], str | None] | None = None,
) -> StepAnswer:
    """The answer as the word rules read it (the backstop, and the figure to beat). `phone` reads
    a phone number instead of the normaliser (the figure before it: the WeChat text reader)."""
    allowed = tuple(Label(label) for label in accepts)
    if phone is not None and Label.PHONE in allowed and (number := phone(text)):
        return StepAnswer(Label.PHONE, number)
    for label in _RULE_ORDER:
        if phone is not None and label is Label.PHONE:
            continue
        if label in allowed and (answer := _RULES[label](text, options, allowed)) is not None:
            return answer
    return StepAnswer(Label.OTHER if Label.OTHER in allowed else allowed[-1])


def _rule_phone(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    number = phone_number(text)
    return StepAnswer(Label.PHONE, number) if number else None


def _rule_choice(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    picked = phrases.choice_number(text)
    if picked is not None and (options is None or 1 <= picked <= options):
        return StepAnswer(Label.CHOICE, picked)
    return None


def _rule_rating(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    if match := phrases.RATING.match(text):
        return StepAnswer(Label.RATING, int(match.group(1)))
    said = phrases.spoken_rating(text)
    return StepAnswer(Label.RATING, said[0]) if said else None


def _rule_intent(intent: str, label: Label):
    def rule(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
        return StepAnswer(label) if phrases.anytime_intent(text, in_flow=True) == intent else None

    return rule


def _rule_correction(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    wrong = (phrases.STORY_CORRECTED, phrases.COMMUNITY_WRONG, phrases.PHONE_WRONG)
    return StepAnswer(Label.CORRECTION) if any(pattern.search(text) for pattern in wrong) else None


def _rule_no_phone(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    if Label.PHONE not in allowed:
        return None
    said = (
        phrases.NO_PHONE.match(text)
        or phrases.NOT_THE_PHONE.search(text)
        or phrases.NO_PHONE_AT_ALL.search(text)
        or answers.CONCEPTS["no_phone_reason"].found(text)
    )
    return StepAnswer(Label.NO) if said else None


def _rule_dont_know(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    return StepAnswer(Label.DONT_KNOW) if phrases.SKIP.match(text) else None


def _rule_yes_no(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    said = answers.read_by_rules(text, RULE_WORDS).answer
    if said is answers.Answer.YES and Label.YES in allowed:
        return StepAnswer(Label.YES)
    if said is answers.Answer.NO and Label.NO in allowed:
        return StepAnswer(Label.NO)
    return None


def _rule_question(text: str, options: int | None, allowed: tuple[Label, ...]) -> StepAnswer | None:
    asked = phrases.WHY_PHONE.search(text) or WORDS["asked"].found(text) or cues.FEE.search(text)
    return StepAnswer(Label.QUESTION) if asked else None


_RULES = {
    Label.PHONE: _rule_phone,
    Label.CHOICE: _rule_choice,
    Label.RATING: _rule_rating,
    Label.CANCEL: _rule_intent("cancel", Label.CANCEL),
    Label.BACK: _rule_intent("go_back", Label.BACK),
    Label.CORRECTION: _rule_correction,
    Label.NO: lambda text, options, allowed: (
        _rule_no_phone(text, options, allowed) or _rule_yes_no(text, options, allowed)
    ),
    Label.DONT_KNOW: _rule_dont_know,
    Label.YES: _rule_yes_no,
    Label.QUESTION: _rule_question,
}
# The order the rules are tried in: a number before words, a cancel before a no.
_RULE_ORDER = (
    Label.PHONE,
    Label.CHOICE,
    Label.RATING,
    Label.CANCEL,
    Label.BACK,
    Label.CORRECTION,
    Label.DONT_KNOW,
    Label.NO,
    Label.YES,
    Label.QUESTION,
)


# ── For the dialogue's call sites ────────────────────────────────────────────────────────────


def says(text: str, label: Label, step: Step) -> bool:
    """True when the text, at this step, is an answer of this label."""
    return read_step_answer(text, ACCEPTS[step]).label is label


def choice_number(text: str, options: int | None = None) -> int | None:
    """The number picked from a numbered list of `options` ("2", "第二个", "后面那个"; "是的" to a
    list of one), else None."""
    answer = read_step_answer(text, ACCEPTS[Step.CHOICE], options)
    return int(answer.value) if answer.label is Label.CHOICE and answer.value is not None else None


def rating(text: str) -> int | None:
    """The score a rating gives, read by the model and the normaliser, else None."""
    answer = read_step_answer(text, ACCEPTS[Step.RATING])
    return int(answer.value) if answer.label is Label.RATING and answer.value is not None else None


# What a yes/no question takes, for answers.read: the model's yes or no counts there, any other
# label leaves the reading to the words.
YES_NO_ACCEPTS = (
    Label.YES,
    Label.NO,
    Label.CANCEL,
    Label.BACK,
    Label.CORRECTION,
    Label.DONT_KNOW,
    Label.QUESTION,
    Label.OTHER,
)


def rating_and_comment(text: str) -> tuple[int, str] | None:
    """(score, the words after it as a comment) for a rating the model and the normaliser read
    ("冇得话说 刘律师蛮负责"), else None."""
    score = rating(text)
    if score is None:
        return None
    parts = answers.clauses(text)
    return score, "，".join(parts[1:])
