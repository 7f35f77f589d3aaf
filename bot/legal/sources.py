"""The laws the answers cite: the catalogue (laws/catalogue.yml) of laws and their versions, the
articles' texts (laws/texts/*.md, or a version's transcribed `articles:`), which version is in
force on a day, the 依据 line residents read, and the check of a list of citations.

A citation names a law by its short name, a version by its key and articles as `88` (第八十八条),
`"1128.2"` (第一千一百二十八条第二款) or `"291之二"` (第二百九十一条之二; "291-2" is read too). Staff
may type an article as the statute writes it too (第八十八条, 第88条, 八十八, 第一千一百二十八条第二款)."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.cases.office_hours import CHINA
from bot.config import DATA_DIR, PROJECT_ROOT
from bot.words import load

log = logging.getLogger(__name__)
# Where the catalogue is read from; its texts are in `texts/` beside it. Tests point it elsewhere.
CATALOGUE_FILE = PROJECT_ROOT / "laws" / "catalogue.yml"
# Versions that took effect after this year are always cited with their version and date: residents
# and staff remember the old rule, and a recent change is what they need to be told.
RECENT_AFTER_YEAR = 2024
# From this many consecutive articles on, they are cited as a range (第一千一百三十四条至第一千一百四十二条).
RANGE_FROM = 5

DIGITS = "零一二三四五六七八九"
UNITS = {"十": 10, "百": 100, "千": 1000}
# How laws are written and cited (bot/data/law_words.yml, each block with its examples).
LAW_WORDS = load(DATA_DIR / "law_words.yml")
# "第八十八条 …", "第一百二十条之一 …": an article's first line in a text (a space follows the number).
ARTICLE_LINE = LAW_WORDS["article_line"].pattern
# "（一）…": an item belongs to the paragraph (款) above it, it starts none of its own.
ITEM_LINE = LAW_WORDS["item_line"].pattern
ARTICLE_ID = LAW_WORDS["article_id"].pattern
# "第八十八条", "第88条", "八十八", "第一千一百二十八条第二款", "第二百九十一条之二": as statutes write them.
ARTICLE_WORDS = LAW_WORDS["article_words"].pattern
# Around a law's name as staff may type it: 《治安管理处罚法》.
TITLE_MARKS = LAW_WORDS["title_marks"].pattern
# A version typed as a year may carry 年 or 年版 (2025年): the key is the year.
VERSION_SUFFIX = LAW_WORDS["version_suffix"].pattern
# How staff separate citations, and the words of one; a law's name or a version run into what follows.
CITATION_SEPARATOR = LAW_WORDS["citation_separator"].pattern
CITATION_WORD_SEPARATOR = LAW_WORDS["citation_word_separator"].pattern
LAW_RUNS_INTO_VERSION = LAW_WORDS["law_runs_into_version"].pattern
VERSION_RUNS_INTO_ARTICLE = LAW_WORDS["version_runs_into_article"].pattern
# How many short names an unknown law's message suggests, and how alike a name must be to be one.
SUGGESTIONS = 3
SUGGEST_FROM = 0.35
SUGGEST_WITHIN = 0.1


class LawKind(StrEnum):
    """What kind of norm a catalogue entry is (as written in the catalogue)."""

    LAW = "法律"
    ADMINISTRATIVE_REGULATION = "行政法规"
    JUDICIAL_INTERPRETATION = "司法解释"
    DEPARTMENTAL_RULE = "部门规章"
    LOCAL_REGULATION = "地方性法规"
    NORMATIVE_DOCUMENT = "规范性文件"


def chinese_number(n: int) -> str:
    """1128 → 一千一百二十八, as statutes number their articles (10 → 十, 110 → 一百一十)."""
    if not 0 < n < 10000:
        raise ValueError(f"no article number: {n}")
    parts: list[str] = []
    started = zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = started
            continue
        parts.append(("零" if zero else "") + DIGITS[digit] + unit)
        started, zero = True, False
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def parse_chinese_number(text: str) -> int:
    """一千一百二十八 → 1128 (the inverse of chinese_number)."""
    total = digit = 0
    for char in text.replace("〇", "零"):
        if char in UNITS:
            total += (digit or 1) * UNITS[char]
            digit = 0
        else:
            digit = DIGITS.index(char)
    return total + digit


@dataclass(frozen=True, order=True)
class Article:
    """An article (条), optionally an inserted one (之二) and one paragraph (款) of it."""

    number: int
    inserted: int = 0  # 第二百九十一条之二 → 2
    paragraph: int = 0  # 第二款 → 2; 0 is the whole article

    @classmethod
    def parse(cls, value: int | str) -> Article:
        """88 → 第八十八条, "1128.2" → its second paragraph, "291之二" → 第二百九十一条之二; also as
        statutes write them: "第八十八条", "第88条", "第一千一百二十八条第二款"."""
        text = str(value).strip()
        match = ARTICLE_ID.match(text) or ARTICLE_WORDS.match(text)
        number, inserted, paragraph = (_count(group) for group in match.groups()) if match else (0, 0, 0)
        if number == 0:
            raise CitationFormatError(f"条文编号看不懂：{value!r}（写作 88、第八十八条、1128.2 或 291之二）")
        return cls(number, inserted, paragraph)

    @property
    def whole(self) -> Article:
        """The whole article this paragraph is part of."""
        return Article(self.number, self.inserted)

    def data(self) -> int | str:
        """As a citation writes it: 88, or "1128.2" / "291之二"."""
        if not self.inserted and not self.paragraph:
            return self.number
        inserted = f"之{chinese_number(self.inserted)}" if self.inserted else ""
        return f"{self.number}{inserted}" + (f".{self.paragraph}" if self.paragraph else "")

    def words(self) -> str:
        """第一千一百二十八条第二款."""
        text = f"第{chinese_number(self.number)}条"
        if self.inserted:
            text += f"之{chinese_number(self.inserted)}"
        if self.paragraph:
            text += f"第{chinese_number(self.paragraph)}款"
        return text


def _count(text: str | None) -> int:
    """A number written in digits or in Chinese numerals (None: 0)."""
    if not text:
        return 0
    return int(text) if text.isdigit() else parse_chinese_number(text)


class CitationFormatError(ValueError):
    """A citation that cannot be read (the message says why, in staff's words)."""


@dataclass(frozen=True)
class Citation:
    """Articles of one version of one law an answer rests on (none: the law as a whole)."""

    law: str
    version: str
    articles: tuple[Article, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Citation:
        """From the seed's shape: {law: 治安管理处罚法, version: "2025", articles: [88]}."""
        if not isinstance(data, Mapping) or not data.get("law") or not data.get("version"):
            raise CitationFormatError(f"引用要写明法律和版本：{data!r}")
        articles = data.get("articles") or []
        if not isinstance(articles, list):
            articles = [articles]
        return cls(str(data["law"]).strip(), str(data["version"]).strip(), tuple(Article.parse(a) for a in articles))

    def data(self) -> dict[str, Any]:
        """In the seed's shape (what the database keeps)."""
        return {"law": self.law, "version": self.version, "articles": [article.data() for article in self.articles]}

    def text(self) -> str:
        """As staff type it: "治安管理处罚法 2025 88 89"."""
        return " ".join([self.law, self.version, *(str(article.data()) for article in self.articles)])


def citations_of(data: Iterable[Mapping[str, Any]] | None) -> list[Citation]:
    """Citations from the seed's or the database's shape."""
    return [Citation.from_data(item) for item in data or []]


def parse_citation_text(text: str) -> list[Citation]:
    """Citations as staff type them, one a line or separated by ；: "治安管理处罚法 2025 88 89；
    民法典 2020 1128.2" (law, version key, then articles separated by spaces, commas or 、). The law
    may stand in 《》 and run into its version ("《治安管理处罚法》2025", "治安管理处罚法2025"), the
    version carry 年, and articles be written as statutes write them (第八十八条, 第88条)."""
    citations = []
    for line in CITATION_SEPARATOR.split(text):
        words = _citation_words(line)
        if not words:
            continue
        if len(words) < 2:
            raise CitationFormatError(f"引用要写明法律和版本：{line.strip()}")
        citations.append(Citation(words[0], _version_key(words[1]), tuple(Article.parse(w) for w in words[2:])))
    return citations


def _citation_words(line: str) -> list[str]:
    """A typed citation's words: the law, the version, the articles."""
    words = [word for word in CITATION_WORD_SEPARATOR.split(TITLE_MARKS.sub(" ", line).strip()) if word]
    if words:
        # "治安管理处罚法2025", "治安管理处罚法2025第88条": the version runs on from the name.
        glued = LAW_RUNS_INTO_VERSION.match(words[0])
        if glued:
            words[:1] = [part for part in glued.groups() if part]
    if len(words) > 1:
        # "2025第88条": the first article runs on from the version.
        glued = VERSION_RUNS_INTO_ARTICLE.match(words[1])
        if glued:
            words[1:2] = list(glued.groups())
    return words


def _version_key(word: str) -> str:
    """The version's key as typed ("2025", or "2025年" for it)."""
    match = VERSION_SUFFIX.match(word)
    return match.group(1) if match else word


def citation_text(citations: Iterable[Citation]) -> str:
    """Citations as staff type them (parse_citation_text reads it back)."""
    return "；".join(citation.text() for citation in citations)


@dataclass(frozen=True)
class LawVersion:
    """One version of a law: when it was promulgated and took effect, and where its text is."""

    law: str
    key: str
    label: str
    promulgated: date
    effective: date
    texts: tuple[str, ...] = ()  # files in laws/texts/
    transcribed: tuple[tuple[Article, str], ...] = ()  # articles typed in where no full text is kept
    checked: bool = True  # False: transcribed, not yet checked against the official gazette

    def effective_words(self) -> str:
        """2026年1月1日起施行."""
        return f"{self.effective.year}年{self.effective.month}月{self.effective.day}日起施行"


@dataclass(frozen=True)
class Law:
    """A law, regulation, judicial interpretation or rule, with its versions oldest first."""

    name: str  # the short name citations use
    title: str
    kind: LawKind
    versions: tuple[LawVersion, ...]
    repealed: date | None = None
    replaced_by: str | None = None

    def version(self, key: str) -> LawVersion | None:
        """The version with this key."""
        return next((version for version in self.versions if version.key == key), None)

    def in_force(self, on: date) -> LawVersion | None:
        """The version in force on a day (None before the first, or once repealed)."""
        if self.repealed is not None and self.repealed <= on:
            return None
        effective = [version for version in self.versions if version.effective <= on]
        return effective[-1] if effective else None


@dataclass(frozen=True)
class Change:
    """A version giving way: to a later one of its law, or to the law's repeal (and replacement)."""

    old: LawVersion
    new: LawVersion | None  # None: repealed with nothing in its place in the catalogue
    known: date  # from when the change was public (promulgated), so a review since has seen it
    effective: date  # from when the old version no longer applies

    def words(self) -> str:
        """法律有更新的说明, for staff: "2025年修订，2026年1月1日起施行"."""
        if self.new is None:
            return f"{self.effective.year}年{self.effective.month}月{self.effective.day}日起废止"
        return f"{self.new.label}，{self.new.effective_words()}"


class ProblemKind(StrEnum):
    """What is wrong with a citation."""

    UNKNOWN_LAW = "unknown_law"
    UNKNOWN_VERSION = "unknown_version"
    NO_TEXT = "no_text"  # the project keeps no text to read the article in
    NO_ARTICLE = "no_article"  # the cited text has no such article (or paragraph)
    SUPERSEDED = "superseded"  # a later version is in force, or the law is repealed


@dataclass(frozen=True)
class CitationProblem:
    """One thing wrong with a citation, said so staff can fix it."""

    citation: Citation
    kind: ProblemKind
    message: str
    article: Article | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CitedText:
    """A citation with its version and each cited article's text, for staff to read beside the answer."""

    citation: Citation
    version: LawVersion | None  # None: not in the catalogue
    articles: tuple[tuple[Article, str | None], ...]  # None: the project keeps no such article


@dataclass(frozen=True)
class Catalogue:
    """Every law the answers cite, by short name, and the folder of their texts."""

    laws: Mapping[str, Law]
    texts_dir: Path
    # Parsed texts by version (law, key): filled on first use.
    _articles: dict[tuple[str, str], dict[Article, tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def law(self, name: str) -> Law | None:
        """The law with this short name."""
        return self.laws.get(name)

    def alike(self, name: str) -> list[str]:
        """The short names closest to a name the catalogue lacks (a short name or a full title typed)."""
        scores = {law.name: max(_likeness(name, law.name), _likeness(name, law.title)) for law in self.laws.values()}
        best = max(scores.values(), default=0.0)
        # Only those about as alike as the best: 治安法 suggests 治安管理处罚法, not every 法 in the list.
        floor = max(SUGGEST_FROM, best - SUGGEST_WITHIN)
        ranked = sorted((-score, short) for short, score in scores.items() if score >= floor)
        return [short for _, short in ranked[:SUGGESTIONS]]

    def version(self, law: str, key: str) -> LawVersion | None:
        """One version of a law."""
        found = self.laws.get(law)
        return found.version(key) if found else None

    def change(self, version: LawVersion) -> Change | None:
        """How this version gives way: to the next version, or the law's repeal (None: it does not, yet)."""
        law = self.laws[version.law]
        later = [other for other in law.versions if other.effective > version.effective]
        if later:
            return Change(version, later[0], later[0].promulgated, later[0].effective)
        if law.repealed is None:
            return None
        new = self._replacement(law)
        known = min(law.repealed, new.promulgated) if new else law.repealed
        return Change(version, new, known, law.repealed)

    def successor(self, version: LawVersion) -> LawVersion | None:
        """The version that takes this one's place (of the same law, or of the law replacing it)."""
        change = self.change(version)
        return change.new if change else None

    def superseded(self, version: LawVersion, on: date) -> bool:
        """A later version is in force on the day, or the law is repealed by then."""
        change = self.change(version)
        return change is not None and change.effective <= on

    def upcoming(self, version: LawVersion, on: date) -> bool:
        """Promulgated but not yet in force on the day."""
        return version.promulgated <= on < version.effective

    def article_text(self, law: str, version: str, article: Article | int | str) -> str | None:
        """The article's (or paragraph's) text in the cited version; None when it has no such article."""
        found = self.version(law, version)
        if found is None:
            return None
        wanted = article if isinstance(article, Article) else Article.parse(article)
        paragraphs = self.articles(found).get(wanted.whole)
        if paragraphs is None:
            return None
        if not wanted.paragraph:
            return "\n".join(paragraphs)
        return paragraphs[wanted.paragraph - 1] if wanted.paragraph <= len(paragraphs) else None

    def articles(self, version: LawVersion) -> dict[Article, tuple[str, ...]]:
        """Every article of a version the project keeps, as its paragraphs (transcribed ones win)."""
        key = (version.law, version.key)
        if key not in self._articles:
            found: dict[Article, tuple[str, ...]] = {}
            for name in version.texts:
                path = self.texts_dir / name
                if path.exists():
                    found.update(_text_articles(path, path.stat().st_mtime_ns))
            for article, text in version.transcribed:
                found[article] = _paragraphs(text.splitlines())
            self._articles[key] = found
        return self._articles[key]

    def cited_texts(self, citations: Iterable[Citation]) -> list[CitedText]:
        """Each citation with its version and the text of every article it cites."""
        return [
            CitedText(
                citation,
                self.version(citation.law, citation.version),
                tuple(
                    (article, self.article_text(citation.law, citation.version, article))
                    for article in citation.articles
                ),
            )
            for citation in citations
        ]

    def has_text(self, version: LawVersion) -> bool:
        """The project keeps a text of this version to read its articles in."""
        return bool(version.transcribed) or any((self.texts_dir / name).exists() for name in version.texts)

    def cited_words(self, citation: Citation) -> str:
        """《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）第八十八条."""
        law = self.laws.get(citation.law)
        version = law.version(citation.version) if law else None
        text = f"《{law.title if law else citation.law}》"
        if law is not None and version is not None and _says_version(law, version):
            text += f"（{version.label}，{version.effective_words()}）"
        return text + articles_words(citation.articles)

    def render_basis(self, citations: Iterable[Citation]) -> str:
        """The 依据 line: each citation's law, version where it matters, and articles, joined by ；."""
        return "；".join(self.cited_words(citation) for citation in citations)

    def check(self, citations: Iterable[Citation], on: date) -> list[CitationProblem]:
        """What is wrong with these citations on a day: unknown law or version, an article the
        cited text lacks (or no text to find it in), a version no longer in force."""
        problems: list[CitationProblem] = []
        for citation in citations:
            problems.extend(self._problems(citation, on))
        return problems

    def _problems(self, citation: Citation, on: date) -> list[CitationProblem]:
        law = self.laws.get(citation.law)
        if law is None:
            message = f"法规目录里没有《{citation.law}》"
            alike = self.alike(citation.law)
            if alike:
                message += f"，您是不是指：{'、'.join(alike)}"
            return [CitationProblem(citation, ProblemKind.UNKNOWN_LAW, message)]
        version = law.version(citation.version)
        if version is None:
            known = "、".join(other.key for other in law.versions)
            message = f"《{citation.law}》没有 {citation.version} 版（目录里有：{known}）"
            return [CitationProblem(citation, ProblemKind.UNKNOWN_VERSION, message)]
        problems = []
        change = self.change(version)
        if change is not None and change.effective <= on:
            message = f"《{citation.law}》{version.label}已不再适用：{change.words()}"
            problems.append(CitationProblem(citation, ProblemKind.SUPERSEDED, message))
        if citation.articles and not self.has_text(version):
            message = f"《{citation.law}》{version.label}没有条文文本（laws/texts/ 或 articles:）"
            return [*problems, CitationProblem(citation, ProblemKind.NO_TEXT, message)]
        for article in citation.articles:
            if self.article_text(citation.law, citation.version, article) is None:
                message = f"《{citation.law}》{version.label}没有{article.words()}"
                problems.append(CitationProblem(citation, ProblemKind.NO_ARTICLE, message, article))
        return problems

    def _replacement(self, law: Law) -> LawVersion | None:
        """The replacing law's version in force when this one was repealed (else its first)."""
        other = self.laws.get(law.replaced_by or "")
        if other is None or not other.versions or law.repealed is None:
            return None
        return other.in_force(law.repealed) or other.versions[0]


def articles_words(articles: Iterable[Article]) -> str:
    """第二百八十八条、第二百九十四条; a long run of whole articles as 第一千一百三十四条至第一千一百四十二条."""
    runs: list[list[Article]] = []
    for article in articles:
        last = runs[-1][-1] if runs else None
        if last is not None and _follows(last, article):
            runs[-1].append(article)
        else:
            runs.append([article])
    words = []
    for run in runs:
        if len(run) >= RANGE_FROM:
            words.append(f"{run[0].words()}至{run[-1].words()}")
        else:
            words.extend(article.words() for article in run)
    return "、".join(words)


def _follows(before: Article, article: Article) -> bool:
    """The next whole article after another whole one."""
    whole = not (before.inserted or before.paragraph or article.inserted or article.paragraph)
    return whole and article.number == before.number + 1


def _likeness(typed: str, name: str) -> float:
    """How alike a typed name is to a law's name, 0 to 1: highest when one holds the other (民法 in
    民法典), then when the typed characters are the name's in order (治安法), else the share of
    characters they have in common in order; the closer their lengths, the higher."""
    lengths = min(len(typed), len(name)) / max(len(typed), len(name), 1)
    if typed in name or name in typed:
        return 0.8 + 0.2 * lengths
    rest = iter(name)
    if all(char in rest for char in typed):
        return 0.6 + 0.2 * lengths
    return 0.6 * difflib.SequenceMatcher(None, typed, name, autojunk=False).ratio()


def _says_version(law: Law, version: LawVersion) -> bool:
    """Whether the 依据 line names the version: the law has had several, or this one is recent."""
    return len(law.versions) > 1 or version.effective.year > RECENT_AFTER_YEAR


def catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue at `path` (default CATALOGUE_FILE), read again when the file changes; empty
    when there is no file."""
    path = Path(path or CATALOGUE_FILE)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Catalogue({}, path.parent / "texts")
    return _read_catalogue(path, stat.st_mtime_ns, stat.st_size)


class CatalogueError(ValueError):
    """A catalogue file that cannot be read (the message says where)."""


def read_catalogue(path: Path) -> Catalogue:
    """The catalogue in a file; CatalogueError when it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        laws = {str(name): _law(str(name), entry) for name, entry in data.items()}
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as error:
        raise CatalogueError(f"{path}: {type(error).__name__}: {error}") from error
    return Catalogue(laws, path.parent / "texts")


@lru_cache(maxsize=8)
def _read_catalogue(path: Path, mtime_ns: int, size: int) -> Catalogue:
    """The catalogue file (cached by its path, time and size); a malformed one is logged and taken
    as empty, so answers are still served (their 依据 by short names) while the suite's check fails."""
    try:
        return read_catalogue(path)
    except CatalogueError:
        log.exception("the catalogue of laws cannot be read; answers are served without it")
        return Catalogue({}, path.parent / "texts")


def _law(name: str, entry: Mapping[str, Any]) -> Law:
    versions = sorted(
        (_version(name, str(key), data) for key, data in (entry.get("versions") or {}).items()),
        key=lambda version: version.effective,
    )
    return Law(
        name=name,
        title=str(entry.get("title") or name),
        kind=LawKind(entry["kind"]),
        versions=tuple(versions),
        repealed=_date(entry["repealed"]) if entry.get("repealed") else None,
        replaced_by=entry.get("replaced_by"),
    )


def _version(law: str, key: str, data: Mapping[str, Any]) -> LawVersion:
    texts = data.get("text") or []
    transcribed = (data.get("articles") or {}).items()
    return LawVersion(
        law=law,
        key=key,
        label=str(data.get("label") or f"{key}年版"),
        promulgated=_date(data["promulgated"]),
        effective=_date(data["effective"]),
        texts=tuple([texts] if isinstance(texts, str) else texts),
        transcribed=tuple((Article.parse(article), str(text).strip()) for article, text in transcribed),
        checked=bool(data.get("checked", True)),
    )


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@lru_cache(maxsize=128)
def _text_articles(path: Path, mtime_ns: int) -> dict[Article, tuple[str, ...]]:
    """The articles of a statute text: `第X条 ` lines, each with the non-empty lines that follow
    until the next article or heading."""
    articles: dict[Article, tuple[str, ...]] = {}
    current: Article | None = None
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = ARTICLE_LINE.match(line)
        if match or line.startswith(("#", "<!--")):
            if current is not None:
                articles[current] = _paragraphs(lines)
            current, lines = None, []
        if match:
            number, inserted, first = match.groups()
            current = Article(parse_chinese_number(number), parse_chinese_number(inserted) if inserted else 0)
            lines = [first or ""]
        elif current is not None and line:
            lines.append(line)
    if current is not None:
        articles[current] = _paragraphs(lines)
    return articles


def _paragraphs(lines: Iterable[str]) -> tuple[str, ...]:
    """Lines as paragraphs (款): an item line （一） goes with the paragraph above it."""
    paragraphs: list[str] = []
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if paragraphs and ITEM_LINE.match(line):
            paragraphs[-1] += "\n" + line
        else:
            paragraphs.append(line)
    return tuple(paragraphs)


def day_in_china(moment: datetime) -> date:
    """The day in China (the day laws take effect by) at a moment."""
    return moment.astimezone(CHINA).date()


def today() -> date:
    """Today in China."""
    return day_in_china(datetime.now(CHINA))


# The catalogue at CATALOGUE_FILE, for callers that do not hold one.


def article_text(law: str, version: str, article: Article | int | str) -> str | None:
    """The article's (or paragraph's) text in the cited version of the catalogue."""
    return catalogue().article_text(law, version, article)


def superseded(version: LawVersion, on: date) -> bool:
    """A later version is in force on the day, or the law is repealed by then."""
    return catalogue().superseded(version, on)


def successor(version: LawVersion) -> LawVersion | None:
    """The version that takes this one's place."""
    return catalogue().successor(version)


def cited_texts(citations: Iterable[Citation]) -> list[CitedText]:
    """Each citation with its version and the text of every article it cites."""
    return catalogue().cited_texts(citations)


def render_basis(citations: Iterable[Citation]) -> str:
    """The 依据 line residents read."""
    return catalogue().render_basis(citations)


def check_citations(citations: Iterable[Citation], on: date | None = None) -> list[CitationProblem]:
    """What is wrong with these citations today (or on a day)."""
    return catalogue().check(citations, on or today())
