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
import re
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

from bot.config import PROJECT_ROOT, cache_dir
from bot.nlu import answers, phrases
from bot.nlu.examples import NLU_DATA_DIR, examples_from_dir
from bot.nlu.model_cache import fingerprint, load_or_build

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on every process start

SIGNAL_DATA_DIR = PROJECT_ROOT / "signal_data"
DANGER_FILE = SIGNAL_DATA_DIR / "danger.yml"
# Every danger*.yml file of signal_data/ is training data (one file per batch of writing).
DANGER_FILES = tuple(sorted(SIGNAL_DATA_DIR.glob("danger*.yml")))
GROUP_FILE = SIGNAL_DATA_DIR / "group.yml"

DANGER_KINDS = ("fire", "gas", "injury", "violence", "self_harm", "child_or_elder", "fall")
# Returned when the model is sure of danger but not of its kind: the caller gives all numbers.
GENERIC_DANGER = "danger"

# Chosen by 5-fold cross-validation on signal_data/ (see signal_evaluation): the advice threshold
# is the highest whose cross-validated recall, word lists included, reaches the recall target (a
# missed danger costs far more than one extra sentence of advice); the urgent-case threshold is
# the lowest whose cross-validated false alarms stay within the 3 % target (an urgent case calls a
# person at once; the training negatives are mostly hard ones, so the real rate is lower). The model
# alone never makes a message of fewer than SURE_MIN_CHARS characters sure: "我在家" is no story.
POSSIBLE_DANGER_THRESHOLD = 0.30
SURE_DANGER_THRESHOLD = 0.75
SURE_MIN_CHARS = 10
GROUP_THRESHOLD = 0.70
# Below this the kind model's best guess is not trusted and the generic kind is returned.
KIND_CONFIDENCE = 0.35

# The backstop: phrases that almost always mean danger right now. Kept narrow on purpose; the
# model carries the wording these miss, and HEDGE keeps them quiet on retold or feared events.
DANGER_WORDS = {
    "fire": re.compile(
        r"着火了|起火|失火了|着大火|烧起来|烧着了|冒烟了|在冒烟|冒黑烟|冒浓烟|火苗|明火|火光|冒火|窜出.{0,2}火|"
        r"火(?:势|苗)?.{0,4}(?:窜|蔓延|越来越大)|火(?:很|好)大|在烧(?!烤|香|纸|饭|菜|水|炭)|引燃|点着了|爆燃|浓烟|黑烟|"
        r"全是烟(?!头)|好大的烟|火势"
    ),
    "gas": re.compile(
        r"(?:煤气|燃气|天然气|液化气)[^，。,.]{0,8}(?:泄[漏露]|漏|喷|冒|破|断|穿|味)|漏气了|在漏气|"
        r"(?:漏|喷|冒)[^，。,.]{0,4}(?:燃气|煤气|天然气|液化气)|臭鸡蛋(?:.{0,2}味|样|一样|似的)|燃气报警器.{0,4}(?:响|叫)|"
        r"阀门.{0,6}关不(?:上|住|掉)|烧炭.{0,10}(?:晕|头痛|头疼|恶心)|煤气中毒"
    ),
    "injury": re.compile(
        r"流了?(?:好多|一地|很多|一身)?的?血|(?<!破)血(?:一直|还在)?(?:在)?(?:流|冒|喷)|满(?:脸|头|身|腿)是血|血泊|"
        r"血流不止|血止不住|昏迷|晕倒了|晕过去|昏过去|叫不醒|喊不醒|不省人事|抽搐|口吐白沫|喘不上气|"
        r"喘不过气|呼吸困难|憋紫|脸都紫|快不行了|触电了|被电打了|叫救护车|误吞|噎住|噎到|压在下面|"
        r"夹断|口齿不清|半边身子|食物中毒|喝了.{0,4}(?:洗衣液|消毒水|84|农药)"
    ),
    "violence": re.compile(
        r"拿(?:着|了)?(?:一把)?(?:菜|砍|水果|尖)?刀(?!剁|切|削)|持刀|举着.{0,6}(?:刀|斧|棍)|动刀子?|刀架|带了?刀|"
        r"拿着.{0,6}(?:棍|钢管|铁棍|斧|锤|砖|酒瓶|铁锹|剪刀|螺丝刀|匕首)|拎着?.{0,4}(?:棍|钢管|铁棍|刀|斧)|"
        r"砍死|捅死|砍人|捅人|砍我(?!家)|捅我(?!家)|杀我|要杀|杀了(?:你|我|他|她)|弄死|搞死|整死|掐死|"
        r"打死(?:你|我|他|她)|要你的命|要我死|让我消失|打断.{0,4}腿|卸了?.{0,4}(?:胳膊|腿)|"
        r"打起来了|打人了|动手了|正在打|在打我|(?:又|还)在打|打我(?!电话|手机|的电话)|还在(?:踢|打)|"
        r"(?:又|天天|经常|总是)打了?我|打了我一顿|把我(?:推|按|摔|踢|掐|拖)(?:到|在|倒)|"
        r"掐(?:着|住)?(?:我的?|我妈的?)?脖子|揪.{0,6}头发|几巴掌|耳光|(?:冲|闯)进.{0,4}(?:我家|家里|屋)|"
        r"把我(?:锁|关)在|不让我出(?:去|门)|跟踪我|放火|拿汽油|浇了?汽油|泼硫酸|踹.{0,4}门|砸.{0,4}门|"
        r"撬(?:我家)?(?:的)?门|在追我"
    ),
    "self_harm": re.compile(
        r"自杀(?!了|的人)|跳楼(?!价)|活着(?:真|都|还)?(?:没|冇)(?:得)?(?:意思|劲|盼头)|活够了|想跳|要跳|跳(?:江|河|湖|长江|下去|桥)|不想活|想不活|不活了|想死(?!的心)|去死|寻死|轻生|割腕|"
        r"割.{0,2}手|一了百了|了结自己|结束(?:自己的生命|这一切)|(?:吃|吞)了(?:一(?:把|瓶|整瓶)|好多|很多|一堆)?.{0,2}(?:安眠药|药)|"
        r"(?:喝|买好了|拿着).{0,2}农药|活不下去|不想再?醒|遗书|怎么死|带着孩子一起走|同归于尽|"
        r"(?:坐|站)在?.{0,6}(?:栏杆|楼顶|天台)(?:外|边)"
    ),
    "child_or_elder": re.compile(
        r"(?:孩子|小孩|小伢|伢|娃|宝宝|老人|爷爷|奶奶|外婆|外公|嗲嗲|婆婆|老爷爷|老太太|老奶奶)[^，。,.]{0,8}"
        r"(?:不见了|找不到了?|走丢了|走失了|没回来|没回家|联系不上|电话打不通|关机)|"
        r"一个人在家.{0,12}(?:哭|喊|电话|头晕|起不来|救命)|(?:几|好几|两)天没(?:开门|出门|动静|接电话)|"
        r"敲门.{0,4}(?:没人应|没反应|没动静|不应)|(?:叫|喊)(?:了半天)?(?:也)?没人应|"
        r"(?:坐|站|爬|趴|挂|探)[^，。,.]{0,8}(?:窗台|窗户|栏杆|护栏)外|(?:头|身子)(?:伸|探)(?:出|到).{0,4}(?:窗|栏杆)|"
        r"(?<![年车卡])卡在.{0,6}(?:里|中间|缝)|卡住了|锁在车里|掉进.{0,6}了|被(?:锁|关|绑)在|不给.{0,4}(?:吃|饭)|饿得|皮包骨|被抱走|拐走"
    ),
    "fall": re.compile(
        r"摔(?:倒|了|下)[^，。,.]{0,10}(?:起不来|动不了|站不起|不动|不说话|叫不醒|流血|出血|头晕|说不出话|"
        r"不应|喊疼|昏)|(?:摔|掉|跌|滚)下(?:来|去)了|滑倒了|踩空了|坠楼|坠落|"
        r"从.{0,10}(?:楼|架|梯|窗|阳台|台阶|床|凳子|轮椅|屋顶|吊篮)上?(?:摔|掉|跌|滚)"
    ),
}
# A call for help that names no kind: the model's kind (or the generic one) goes with it.
CALL_FOR_HELP = re.compile(r"救命|快来人|快叫救护车|快报警|快打(?:110|119|120)")
# Retold, feared or hypothetical events: the word lists stay quiet, the model decides alone.
HEDGE = re.compile(
    r"去年|前年|上个?月|上周|上次|前几天|那天|离婚前|新闻|听说|朋友圈|嘴上说说|过去.{0,4}了|几个月前|几年前|小时候|以前|之前|当时|那次|过去了|"
    r"怕.{0,3}(?:会|哪天|出事|以后|着火|起火|漏|掉|摔)|担心|隐患|风险|万一|会不会|容易|烧香|烧纸|油烟|抽烟|算不算|"
    r"赔|判|罪|伤残|鉴定|负责|责任|追究|追责|保险|互殴|正当防卫|区分|消防通道|要多久|多长时间|"
    r"流程|手续|补贴|认定|不认账|认账|医药费|报销|起诉|开玩笑|电视剧|游戏里|如果|假如"
)
# Self-harm is a kind only when someone speaks of harming themselves ("我不想活了", "想死", "自杀",
# "伤害自己", or the word list's self-harm words) or the kind model is sure of it: unsure, it also
# takes a frightened "他好像睡着了 我现在该怎么办" for self-harm.
SELF_HARM_SPOKEN = re.compile(
    r"不想(?:再)?活|想不活|不活了|想死|伤害自己|伤害我自己|撑不(?:住|下去)|活着.{0,6}(?:意思|意义|劲|盼头|痛苦)|累赘|不想(?:再)?拖累|往下跳"
)
SURE_SELF_HARM = 0.75
# Another person threatens the resident's life: violence, whatever words of death it uses.
THREATENED = re.compile(
    r"(?:打|弄|搞|整|掐|砍|捅)死我|杀了?我|要我(?:的命|死)|(?:让|叫|逼)我去死|(?:跟|和)我同归于尽|威胁我"
)
# Not a possible danger, whatever the model's middle probability: a complaint about the service
# itself ("你们就是一群吃闲饭的 打电话也没人接"), or money owed ("包工头跑路了 工钱都没拿到") with no
# word of a threat, a harm or fear. Sure dangers are not affected.
# Work or games told with 打 ("电钻还在打", "天天打麻将"): with nobody struck, no violence by the words
# alone. The words are data: bot/data/noise_words.yml, with their examples.
NOISE_WORDS_FILE = answers.ANSWERS_FILE.with_name("noise_words.yml")
NOISE_WORDS = answers.load(NOISE_WORDS_FILE)
MONEY_MATTER = re.compile(
    r"工钱|工资|薪水|欠薪|讨薪|包工头|拖欠|欠款|欠钱|借钱|还钱|货款|押金|房租|物业费|退款|赔偿|补偿"
)
THREAT_OR_HARM = re.compile(
    r"打(?!电话|工|车|听|算|印|卡|扫)|杀|死|刀|砍|捅|威胁|堵|砸|锁|血|伤|跳|救|火|烟|煤气|燃气|毒|药|跟踪|逼|闹|"
    r"拼命|危险|怕|吓|抢|晕|摔|命|报警"
)
GROUP_WORDS = re.compile(
    r"全体(?:业主|住户|居民)|所有业主|业主们|居民们|联名|集体(?:起诉|维权|投诉|上访|反映|罢免|讨薪|反对)|"
    r"(?:几十|上百|好多|很多|好几|十几|二十几|二十多|三十多|几百)(?:户|家住户|个业主|个工人|号人)|"
    r"(?:全楼|整栋楼|一整栋|整个小区|全小区|整个单元|我们单元|全村)的?(?:人|住户|业主|居民|村民)?(?:都|全都|一起)|"
    r"(?:一起|一块儿?|联合起来)(?:去)?(?:告|起诉|维权|投诉|讨说法|讨薪|请律师|打官司)|"
    # Wages owed to many at once ("老板跑了 欠我们二十几个人的工钱").
    r"(?:几十|上百|好几十|十几|二十几|二十多|三十多|几百)个?(?:人|工人|老乡|师傅|兄弟)的?(?:工钱|工资|血汗钱)"
)
SINGLE_HOUSEHOLD = re.compile(r"就我家|只有我家|我家就|我一个人|我自己|一家(?:三|四|五|六|几)口|我们一家")


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
    training_seconds: float
    danger_scorer: LinearScorer = field(init=False, repr=False, compare=False)
    group_scorer: LinearScorer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "danger_scorer", LinearScorer(self.danger))
        object.__setattr__(self, "group_scorer", LinearScorer(self.group))

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


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces as single clause breaks."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\W_]+", " ", text).strip()


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


def everyday_examples(files: tuple[Path, ...] = DANGER_FILES, nlu_dir: Path | str = NLU_DATA_DIR) -> list[str]:
    """The Rasa training examples that are not danger: what residents write every day.

    Every example in nlu_data/ counts as "not danger" unless a danger file lists it as a danger
    or under `left_out` (ambiguous); tests check that no word list fires on the rest.
    """
    listed = {text for text, _ in training_danger_examples(files)}
    for path in files:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        listed |= {str(text) for text in document.get("left_out") or []}
    return sorted({example.text for example in examples_from_dir(nlu_dir)} - listed)


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


def train(danger_files: tuple[Path, ...] = DANGER_FILES, group_file: Path | str = GROUP_FILE) -> SignalModel:
    """Fit all three classifiers from the YAML training data."""
    started = time.perf_counter()
    detector, kinds = fit_danger(danger_training_set(danger_files))
    group = fit_group(read_group_examples(group_file))
    return SignalModel(detector, kinds, group, time.perf_counter() - started)


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
        return fitted.danger, fitted.kind, fitted.group, fitted.training_seconds

    return SignalModel(*load_or_build("signals", training_fingerprint(), fit, directory or cache_dir()))


def training_fingerprint() -> str:
    """What the fitted model depends on: its training files, this module and the library versions."""
    files = [*DANGER_FILES, GROUP_FILE, Path(__file__), *sorted(NLU_DATA_DIR.glob("*.yml"))]
    return fingerprint(files, sklearn.__version__, np.__version__, jieba.__version__)


def danger_words(text: str) -> list[str]:
    """The kinds of danger the word lists name, unless the text retells or fears an event."""
    if HEDGE.search(text):
        return []
    kinds = [kind for kind, pattern in DANGER_WORDS.items() if pattern.search(text)]
    if "violence" in kinds and NOISE_WORDS["noisy_work"].found(text) and not NOISE_WORDS["person_struck"].found(text):
        kinds.remove("violence")  # "电钻晚上十一点还在打": noise; the model judges the rest
    return checked_kinds(kinds, text)


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
    """True when the text cries for help outright, unless it retells or fears an event."""
    return bool(CALL_FOR_HELP.search(text)) and not HEDGE.search(text)


def group_words(text: str) -> bool:
    """True when the word lists name many households acting or harmed together."""
    return bool(GROUP_WORDS.search(text)) and not SINGLE_HOUSEHOLD.search(text)


@dataclass(frozen=True)
class Danger:
    """What one message signals: the kinds of a sure danger, or a possible one (never both)."""

    kinds: list[str]
    possible: bool


def assess_danger(text: str) -> Danger:
    """Both danger tiers of one message, the model asked at most once."""
    if not text.strip():
        return Danger([], False)
    named = danger_words(text)
    if named:
        return Danger(named, False)
    fitted = model()
    probability = fitted.danger_probability(text)
    if calls_for_help(text) or (not too_short_to_judge(text) and probability >= SURE_DANGER_THRESHOLD):
        kind, probability = fitted.kind_guess(text)
        kind = kind if probability >= KIND_CONFIDENCE else GENERIC_DANGER
        return Danger(checked_kinds([kind], text, sure=probability >= SURE_SELF_HARM), False)
    return Danger([], probability >= POSSIBLE_DANGER_THRESHOLD and not plainly_not_danger(text))


def too_short_to_judge(text: str) -> bool:
    """True for a few words ("我在家", "都一个多月了"), on which the models' verdicts are not to be trusted."""
    return len(normalize(text).replace(" ", "")) < SURE_MIN_CHARS


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
