"""Danger and group disputes, looked for on every message: a small learned model, word lists as backstop.

Two character n-gram TF-IDF + logistic-regression classifiers are trained in this process from
`signal_data/` the first time they are needed (a few hundred milliseconds), then shared by every
thread. A message is dangerous when the model's probability reaches `DANGER_THRESHOLD` or when a
word list below names a kind; the same holds for group disputes. The thresholds were set by
cross-validation on `signal_data/` (`flask --app webhook nlu signals` prints that check beside the
held-out figures); `signal_data/README.md` says what counts as danger and as a group dispute.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from bot.config import PROJECT_ROOT
from bot.intents.evaluation import NLU_DATA_DIR, examples_from_dir

SIGNAL_DATA_DIR = PROJECT_ROOT / "signal_data"
DANGER_FILE = SIGNAL_DATA_DIR / "danger.yml"
GROUP_FILE = SIGNAL_DATA_DIR / "group.yml"

DANGER_KINDS = ("fire", "gas", "injury", "violence", "self_harm", "child_or_elder", "fall")
# Returned when the model is sure of danger but not of its kind: the caller gives all numbers.
GENERIC_DANGER = "danger"

# Chosen by 5-fold cross-validation on signal_data/ (see signal_evaluation.choose_threshold):
# the highest threshold whose cross-validated recall, word lists included, is at least the
# target recall. A missed danger costs far more than one extra sentence, so recall comes first.
DANGER_THRESHOLD = 0.25
GROUP_THRESHOLD = 0.60
# Below this the kind model's best guess is not trusted and the generic kind is returned.
KIND_CONFIDENCE = 0.35

# The backstop: phrases that almost always mean danger right now. Kept narrow on purpose; the
# model carries the wording these miss, and HEDGE keeps them quiet on retold or feared events.
DANGER_WORDS = {
    "fire": re.compile(
        r"着火了|起火了|失火了|烧起来了?|烧着了|冒烟了|冒黑烟|冒浓烟|火苗|明火|火光|冒火花?|火势|浓烟"
    ),
    "gas": re.compile(
        r"煤气泄[漏露]|燃气泄[漏露]|天然气泄[漏露]|(?:煤气|燃气|天然气|液化气)(?:的)?味|漏气了|在漏气|煤气中毒"
    ),
    "injury": re.compile(
        r"血流不止|血止不住|一直在?流血|在流血|昏迷|晕倒了|晕过去了|叫不醒|不省人事|抽搐|口吐白沫|"
        r"喘不上气|喘不过气|呼吸困难|快不行了|触电了|叫救护车"
    ),
    "violence": re.compile(
        r"拿(?:着|了)?(?:一把)?(?:菜|砍|水果|尖)?刀|持刀|举着.{0,4}刀|动刀子?|砍死|捅死|砍人|捅人|"
        r"要杀|杀了(?:你|我|他|她)|弄死|搞死|整死|打死(?:你|我|他|她)|要(?:我|你)的命|"
        r"打起来了|打人了|动手了|正在打|在打我|打我(?!电话|手机|的电话)|掐(?:着|住)?(?:我的?)?脖子|"
        r"泼硫酸|撬(?:我家)?(?:的)?门|救命"
    ),
    "self_harm": re.compile(
        r"自杀|跳楼(?!价)|不想活|想死(?!的心)|轻生|割腕|割了手|一了百了|了结自己|结束自己的生命|"
        r"(?:吃|吞)了.{0,4}安眠药|喝(?:了)?农药|活不下去|寻死"
    ),
    "child_or_elder": re.compile(
        r"(?:孩子|小孩|小伢|伢|宝宝|老人|爷爷|奶奶|外婆|外公|嗲嗲|婆婆)(?:走丢了|不见了|失踪了)|"
        r"锁在车里|窗台外|(?:爬|站|坐)(?:到|在)?.{0,4}(?:窗户|窗台|护栏|栏杆)外|卡在.{0,4}(?:电梯|栏杆)|"
        r"掉进.{0,4}(?:水池|河|池塘|水里)|好几天没(?:开门|出门|见人)"
    ),
    "fall": re.compile(
        r"摔倒了?.{0,6}(?:起不来|动不了|站不起来|不动|叫不醒|爬不起来)|"
        r"从.{0,8}(?:楼|架|梯|窗|阳台|台阶|床)上?(?:摔|掉|跌|滚)(?:下|了)|坠楼|高处坠落|掉下去了"
    ),
}
# Retold, feared or hypothetical events: the word lists stay quiet, the model decides alone.
HEDGE = re.compile(
    r"去年|前年|上个?月|上周|几个月前|几年前|以前|之前|当时|那次|过去了|"
    r"怕|担心|隐患|万一|会不会|容易|算不算|赔|判几年|怎么判|保险|互殴|正当防卫|区分|消防通道"
)
GROUP_WORDS = re.compile(
    r"全体(?:业主|住户|居民)|所有业主|业主们|居民们|联名|集体(?:起诉|维权|投诉|上访|反映|罢免|讨薪|反对)|"
    r"(?:几十|上百|好多|很多|好几|十几|二十几|二十多|三十多|几百)(?:户|家住户|个业主|个工人|号人)|"
    r"(?:全楼|整栋楼|一整栋|整个小区|全小区|整个单元|我们单元|全村)的?(?:人|住户|业主|居民|村民)?(?:都|全都|一起)|"
    r"(?:一起|一块儿?|联合起来)(?:去)?(?:告|起诉|维权|投诉|讨说法|讨薪|请律师|打官司)"
)
SINGLE_HOUSEHOLD = re.compile(r"就我家|只有我家|我家就|我一个人|我自己")


@dataclass(frozen=True)
class SignalModel:
    """The fitted classifiers of one process."""

    danger: Pipeline
    kind: Pipeline
    group: Pipeline
    training_seconds: float

    def danger_probability(self, text: str) -> float:
        """Probability that the text signals danger now."""
        return float(self.danger.predict_proba([normalize(text)])[0][1])

    def likely_kind(self, text: str) -> str:
        """The kind of danger the model thinks most likely, or GENERIC_DANGER when unsure."""
        probabilities = self.kind.predict_proba([normalize(text)])[0]
        best = int(probabilities.argmax())
        return str(self.kind.classes_[best]) if probabilities[best] >= KIND_CONFIDENCE else GENERIC_DANGER

    def group_probability(self, text: str) -> float:
        """Probability that the text describes a dispute of many households at once."""
        return float(self.group.predict_proba([normalize(text)])[0][1])


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces as single clause breaks."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\W_]+", " ", text).strip()


def new_classifier(classes: int = 2) -> Pipeline:
    """An untrained character n-gram TF-IDF + logistic-regression pipeline."""
    # char_wb keeps n-grams inside a clause (punctuation became spaces in normalize()); a large C
    # because the hard negatives differ from the dangers by a word or two. liblinear is by far
    # the fastest solver here; for more than two classes it runs one-versus-rest.
    regression = LogisticRegression(C=30.0, class_weight="balanced", solver="liblinear")
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        regression if classes == 2 else OneVsRestClassifier(regression),
    )


def read_danger_examples(path: Path | str = DANGER_FILE) -> list[tuple[str, str | None]]:
    """(text, kind) pairs from a danger YAML file; kind is None for the negatives."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    examples: list[tuple[str, str | None]] = []
    for kind, texts in document["danger"].items():
        if kind not in DANGER_KINDS:
            raise ValueError(f"{path}: unknown danger kind {kind!r}")
        examples.extend((str(text), kind) for text in texts)
    examples.extend((str(text), None) for text in document["not_danger"])
    return examples


def everyday_examples(danger_file: Path | str = DANGER_FILE, nlu_dir: Path | str = NLU_DATA_DIR) -> list[str]:
    """The Rasa training examples that are not danger: what residents write every day.

    Every example in nlu_data/ counts as "not danger" unless danger.yml lists it as a danger
    or under `left_out` (ambiguous); tests check that no word list fires on the rest.
    """
    document = yaml.safe_load(Path(danger_file).read_text(encoding="utf-8"))
    listed = {str(text) for texts in document["danger"].values() for text in texts}
    listed |= {str(text) for text in document.get("left_out") or []}
    listed |= {str(text) for text in document["not_danger"]}
    return sorted({example.text for example in examples_from_dir(nlu_dir)} - listed)


def danger_training_set(danger_file: Path | str = DANGER_FILE, nlu_dir: Path | str = NLU_DATA_DIR) -> list[tuple[str, str | None]]:
    """Everything the danger model learns from: danger.yml and the everyday examples of nlu_data/."""
    return read_danger_examples(danger_file) + [(text, None) for text in everyday_examples(danger_file, nlu_dir)]


def read_group_examples(path: Path | str = GROUP_FILE) -> list[tuple[str, bool]]:
    """(text, is_group) pairs from a group YAML file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [(str(text), True) for text in document["group"]] + [(str(text), False) for text in document["single"]]


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


def train(danger_file: Path | str = DANGER_FILE, group_file: Path | str = GROUP_FILE) -> SignalModel:
    """Fit all three classifiers from the YAML training data."""
    started = time.perf_counter()
    detector, kinds = fit_danger(danger_training_set(danger_file))
    group = fit_group(read_group_examples(group_file))
    return SignalModel(detector, kinds, group, time.perf_counter() - started)


_model: SignalModel | None = None
_model_lock = threading.Lock()


def model() -> SignalModel:
    """This process's fitted model, trained on first use (once, even with many threads)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = train()
    return _model


def danger_words(text: str) -> list[str]:
    """The kinds of danger the word lists name, unless the text retells or fears an event."""
    if HEDGE.search(text):
        return []
    return [kind for kind, pattern in DANGER_WORDS.items() if pattern.search(text)]


def group_words(text: str) -> bool:
    """True when the word lists name many households acting or harmed together."""
    return bool(GROUP_WORDS.search(text)) and not SINGLE_HOUSEHOLD.search(text)


def danger_kinds(text: str) -> list[str]:
    """The kinds of immediate danger the text signals (empty when none): word lists, then the model."""
    if not text.strip():
        return []
    named = danger_words(text)
    if named:
        return named
    fitted = model()
    if fitted.danger_probability(text) >= DANGER_THRESHOLD:
        return [fitted.likely_kind(text)]
    return []


def is_collective(text: str) -> bool:
    """True when the text describes a dispute of many households at once."""
    if not text.strip():
        return False
    return group_words(text) or model().group_probability(text) >= GROUP_THRESHOLD


__all__ = ["DANGER_KINDS", "GENERIC_DANGER", "danger_kinds", "is_collective", "model"]
