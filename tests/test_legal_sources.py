"""The catalogue of laws: article numbers in Chinese, articles found in the texts, which version is in
force on a day, the 依据 line, and the citation check (over a small catalogue, and over the
citations the project ships)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.cases.staff import DEFAULT_CANNED
from bot.legal import sources
from bot.legal.sources import (
    Article,
    CatalogueError,
    Citation,
    CitationFormatError,
    ProblemKind,
    catalogue,
    check_citations,
    chinese_number,
    citation_text,
    citations_of,
    cited_texts,
    parse_chinese_number,
    parse_citation_text,
    read_catalogue,
    render_basis,
)
from bot.nlu.faq_file import read_faq_file
from tests.legal_helpers import use_laws, write_laws

BEFORE_2025 = date(2025, 12, 31)
FROM_2026 = date(2026, 1, 1)


@pytest.fixture
def laws(tmp_path, monkeypatch):
    """The small catalogue, served as the catalogue."""
    use_laws(monkeypatch, tmp_path)
    return catalogue()


@pytest.mark.parametrize(
    ("number", "words"),
    [(1, "一"), (10, "十"), (19, "十九"), (58, "五十八"), (105, "一百零五"), (110, "一百一十"), (118, "一百一十八")]
    + [(1010, "一千零一十"), (1128, "一千一百二十八"), (1254, "一千二百五十四"), (2000, "二千")],
)
def test_article_numbers_read_as_statutes_write_them(number, words):
    assert chinese_number(number) == words
    assert parse_chinese_number(words) == number


@pytest.mark.parametrize(
    ("written", "article", "words"),
    [
        (88, Article(88), "第八十八条"),
        ("88", Article(88), "第八十八条"),
        ("1128.2", Article(1128, paragraph=2), "第一千一百二十八条第二款"),
        ("291之二", Article(291, 2), "第二百九十一条之二"),
        ("291-2", Article(291, 2), "第二百九十一条之二"),
    ],
)
def test_articles_are_written_as_numbers(written, article, words):
    assert Article.parse(written) == article
    assert article.words() == words
    assert Article.parse(article.data()) == article


@pytest.mark.parametrize(
    ("written", "article"),
    [
        ("第八十八条", Article(88)),
        ("第88条", Article(88)),
        ("八十八", Article(88)),
        ("第一千一百二十八条第二款", Article(1128, paragraph=2)),
        ("第二百九十一条之二", Article(291, 2)),
    ],
)
def test_articles_are_read_as_statutes_write_them(written, article):
    assert Article.parse(written) == article


@pytest.mark.parametrize("written", ["", "0", "88.x", "第零条", "第八十八项"])
def test_an_article_number_that_cannot_be_read_is_refused(written):
    with pytest.raises(CitationFormatError):
        Article.parse(written)


def test_articles_and_paragraphs_are_read_from_the_text(laws):
    assert laws.article_text("治安管理处罚法", "2012", 58).startswith("违反关于社会生活噪声污染防治的法律规定")
    # Items belong to the paragraph that introduces them; the next line is the second paragraph.
    assert laws.article_text("治安管理处罚法", "2012", "10.1") == "治安管理处罚的种类分为:\n（一）警告；\n（二）罚款；"
    assert laws.article_text("治安管理处罚法", "2012", "10.2").startswith("对违反治安管理的外国人")
    assert (
        laws.article_text("民法典", "2020", "1128.2")
        == "被继承人的兄弟姐妹先于被继承人死亡的，由被继承人的兄弟姐妹的子女代位继承。"
    )
    assert laws.article_text("民法典", "2020", "1128.4") is None
    assert laws.article_text("治安管理处罚法", "2012", 59) is None
    # A version without a full text: the articles transcribed in the catalogue.
    assert "经基层群众性自治组织" in laws.article_text("治安管理处罚法", "2025", 88)
    assert laws.article_text("刑法", "2023", "291之二").startswith("从建筑物或者其他高空抛掷物品")


def test_staff_read_the_cited_articles_beside_the_answer(laws):
    (shown,) = cited_texts([Citation("治安管理处罚法", "2025", (Article(88), Article(99)))])
    assert shown.version.label == "2025年修订" and not shown.version.checked
    (first, text), (second, missing) = shown.articles
    assert (first, second, missing) == (Article(88), Article(99), None) and "劝阻、调解" in text


def test_a_version_is_superseded_once_a_later_one_is_in_force(laws):
    old, new = laws.version("治安管理处罚法", "2012"), laws.version("治安管理处罚法", "2025")
    assert laws.successor(old) == new and laws.successor(new) is None
    assert not laws.superseded(old, BEFORE_2025) and laws.superseded(old, FROM_2026)
    assert laws.upcoming(new, BEFORE_2025) and not laws.upcoming(new, FROM_2026)
    assert laws.law("治安管理处罚法").in_force(BEFORE_2025) == old
    change = laws.change(old)
    assert (change.known, change.effective, change.words()) == (
        date(2025, 6, 27),
        FROM_2026,
        "2025年修订，2026年1月1日起施行",
    )


def test_a_repealed_law_is_superseded_by_the_law_replacing_it(laws):
    repealed = laws.version("环境噪声污染防治法", "2018")
    assert laws.successor(repealed) == laws.version("噪声污染防治法", "2021")
    assert laws.superseded(repealed, date(2022, 6, 5)) and not laws.superseded(repealed, date(2022, 6, 4))
    assert laws.change(repealed).known == date(2021, 12, 24)  # when the replacing law was promulgated


def test_the_basis_names_the_version_where_it_matters(laws):
    citations = [
        Citation("治安管理处罚法", "2025", (Article(88),)),
        Citation("民法典", "2020", (Article(288), Article(294))),
        Citation("住房租赁条例", "2025"),
    ]
    assert render_basis(citations) == (
        "《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）第八十八条；"
        "《中华人民共和国民法典》第二百八十八条、第二百九十四条；"
        "《住房租赁条例》（2025年公布，2025年9月15日起施行）"
    )
    # A law with several versions names the old one too.
    assert render_basis([Citation("治安管理处罚法", "2012", (Article(58),))]) == (
        "《中华人民共和国治安管理处罚法》（2012年修正，2013年1月1日起施行）第五十八条"
    )


def test_a_long_run_of_articles_reads_as_a_range(laws):
    run = [Article(number) for number in range(1134, 1143)]
    assert render_basis([Citation("民法典", "2020", (*run, Article(1145)))]) == (
        "《中华人民共和国民法典》第一千一百三十四条至第一千一百四十二条、第一千一百四十五条"
    )
    four = (Article(1076), Article(1077), Article(1078), Article(1079, paragraph=2))
    assert render_basis([Citation("民法典", "2020", four)]) == (
        "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条、第一千零七十八条、第一千零七十九条第二款"
    )


def test_the_check_finds_a_superseded_version_and_a_missing_article(laws):
    citations = [
        Citation("治安管理处罚法", "2012", (Article(58),)),
        Citation("民法典", "2020", (Article(1128, paragraph=2), Article(1300))),
        Citation("治安管理处罚法", "2025", (Article(89),)),
    ]
    problems = check_citations(citations, FROM_2026)
    assert [(problem.kind, problem.article) for problem in problems] == [
        (ProblemKind.SUPERSEDED, None),
        (ProblemKind.NO_ARTICLE, Article(1300)),
        (ProblemKind.NO_ARTICLE, Article(89)),
    ]
    assert str(problems[0]) == "《治安管理处罚法》2012年修正已不再适用：2025年修订，2026年1月1日起施行"
    assert str(problems[1]) == "《民法典》2020年公布没有第一千三百条"
    # Before the new version took effect the old one was right.
    assert [problem.kind for problem in check_citations(citations[:1], BEFORE_2025)] == []


def test_the_check_finds_unknown_laws_versions_and_articles_without_a_text(laws):
    citations = [
        Citation("物权法", "2007", (Article(1),)),
        Citation("民法典", "2023", (Article(1),)),
        Citation("住房租赁条例", "2025", (Article(12),)),
        Citation("住房租赁条例", "2025"),  # the whole regulation: no text needed
    ]
    kinds = [problem.kind for problem in check_citations(citations, FROM_2026)]
    assert kinds == [ProblemKind.UNKNOWN_LAW, ProblemKind.UNKNOWN_VERSION, ProblemKind.NO_TEXT]


def test_citations_are_typed_and_read_back(laws):
    citations = parse_citation_text("治安管理处罚法 2025 88、89；民法典 2020 1128.2\n住房租赁条例 2025")
    assert citations == [
        Citation("治安管理处罚法", "2025", (Article(88), Article(89))),
        Citation("民法典", "2020", (Article(1128, paragraph=2),)),
        Citation("住房租赁条例", "2025"),
    ]
    assert parse_citation_text(citation_text(citations)) == citations
    assert citations[1].data() == {"law": "民法典", "version": "2020", "articles": ["1128.2"]}
    with pytest.raises(CitationFormatError):
        parse_citation_text("民法典")


@pytest.mark.parametrize(
    "typed",
    [
        "治安管理处罚法 2025 第八十八条",
        "治安管理处罚法2025 88",
        "《治安管理处罚法》2025 第88条",
        "《治安管理处罚法》 2025年 88",
        "治安管理处罚法2025第88条",
    ],
)
def test_citations_are_read_however_staff_write_the_law_and_the_article(laws, typed):
    assert parse_citation_text(typed) == [Citation("治安管理处罚法", "2025", (Article(88),))]


def test_an_unknown_law_suggests_the_closest_short_names(laws):
    (problem,) = check_citations(parse_citation_text("治安法 2025 88"), FROM_2026)
    assert problem.kind == ProblemKind.UNKNOWN_LAW
    assert str(problem) == "法规目录里没有《治安法》，您是不是指：治安管理处罚法"
    (titled,) = check_citations(parse_citation_text("中华人民共和国民法典 2020"), FROM_2026)
    assert str(titled).endswith("您是不是指：民法典")
    (nothing,) = check_citations(parse_citation_text("没有这部法 2020"), FROM_2026)
    assert str(nothing) == "法规目录里没有《没有这部法》"


def test_the_catalogue_is_read_again_when_it_changes(tmp_path, monkeypatch):
    use_laws(monkeypatch, tmp_path / "laws", with_2025=False)
    assert catalogue().version("治安管理处罚法", "2025") is None
    write_laws(tmp_path / "laws", with_2025=True)
    assert catalogue().version("治安管理处罚法", "2025") is not None


def test_a_malformed_catalogue_is_refused_by_the_check_and_served_without(tmp_path, monkeypatch, caplog):
    path = tmp_path / "catalogue.yml"
    path.write_text("民法典:\n  title: 中华人民共和国民法典\n  kind: 宪法\n  versions: {}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="宪法"):
        read_catalogue(path)
    monkeypatch.setattr(sources, "CATALOGUE_FILE", path)
    assert render_basis([Citation("民法典", "2020", (Article(1165),))]) == "《民法典》第一千一百六十五条"
    assert "cannot be read" in caplog.text


def test_without_a_catalogue_nothing_is_known_and_the_basis_still_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "CATALOGUE_FILE", tmp_path / "none.yml")
    assert render_basis([Citation("民法典", "2020", (Article(1165),))]) == "《民法典》第一千一百六十五条"
    assert [problem.kind for problem in check_citations([Citation("民法典", "2020")])] == [ProblemKind.UNKNOWN_LAW]


# The citations the project ships, against the shipped catalogue, today.


def shipped_citations() -> list[tuple[str, list[Citation]]]:
    """Every citation in bot/data/faq.yml and bot/data/canned_answers.yml, with where it is."""
    found = [(item["intent"], citations_of(item.get("citations"))) for item in read_faq_file()]
    canned = yaml.safe_load(DEFAULT_CANNED.read_text(encoding="utf-8"))
    rooms = [("default", canned.get("default") or {})] + list((canned.get("rooms") or {}).items())
    for room, roles in rooms:
        for role, items in roles.items():
            found += [(f"{room}/{role}/{item['title']}", citations_of(item.get("citations"))) for item in items]
    return found


def test_every_shipped_citation_is_in_force_and_its_articles_are_in_the_text():
    problems = [
        f"{where}: {problem}" for where, citations in shipped_citations() for problem in check_citations(citations)
    ]
    assert not problems, "\n".join(problems)


def test_every_text_the_catalogue_names_is_kept():
    laws = read_catalogue(sources.CATALOGUE_FILE)
    assert laws.laws
    missing = [
        f"{law.name} {version.key}: {name}"
        for law in laws.laws.values()
        for version in law.versions
        for name in version.texts
        if not (laws.texts_dir / name).exists()
    ]
    assert not missing, missing


def test_the_shipped_check_catches_a_superseded_version_and_a_missing_article():
    cited = [Citation("治安管理处罚法", "2012", (Article(58),)), Citation("民法典", "2020", (Article(1261),))]
    kinds = [problem.kind for problem in catalogue().check(cited, date(2026, 12, 7))]
    assert kinds == [ProblemKind.SUPERSEDED, ProblemKind.NO_ARTICLE]
