"""The figures as tables with headings, written once for the page and the workbook alike."""

from __future__ import annotations

from dataclasses import dataclass

from bot.reporting.counts import PlaceCount
from bot.reporting.figures import Figures


@dataclass(frozen=True)
class Share:
    """A share (0–1), or None when there is nothing to divide: "87.5%" or "—"."""

    value: float | None

    def __str__(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class Table:
    """One table of figures: an id for the page, a title, headings and rows of values."""

    key: str
    title: str
    headings: tuple[str, ...]
    rows: list[tuple]


PLACE_HEADINGS = ("工单", "未办结", "已办结", "当前超期", "上报上级", "紧急", "已评分", "满意率")


def summary(figures: Figures) -> Table:
    """The key figures, one a row."""
    total, rated = figures.places.total, figures.ratings
    service, came_back = figures.self_service, figures.returns
    rows = [
        ("登记工单", total.cases),
        ("已办结", total.resolved),
        ("未办结", total.open),
        ("当前超期（未办结且已过时限）", total.overdue),
        ("上报上级", total.escalated),
        ("紧急工单", total.urgent),
        ("已评分", rated.rated),
        ("满意率（4、5 分）", Share(rated.rate)),
        ("满意率目标", Share(rated.target)),
        ("机器人解答问题", service.answers),
        ("其中 7 天内未登记工单", service.without_case),
        ("其中还在观察期（解答不足 7 天）", service.observing),
        ("回头案件", came_back.cases),
    ]
    return Table("summary", "总体情况", ("指标", "数值"), rows)


def kinds(figures: Figures) -> Table:
    """Each kind of case, with its first-response and resolution deadlines kept or missed."""
    headings = (
        "类别",
        "工单",
        "紧急",
        "首次响应时限",
        "已响应",
        "按时",
        "超时",
        "响应按时率",
        "平均响应（小时）",
        "办结时限",
        "已办结",
        "按时办结",
        "超时办结",
        "办结按时率",
        "平均办结（天）",
        "当前超期",
        "上报上级",
    )
    rows = [
        (
            kind.label,
            kind.cases,
            kind.urgent,
            kind.response_deadline,
            kind.responded,
            kind.response_on_time,
            kind.response_late,
            Share(kind.response_rate),
            kind.response_hours,
            kind.resolution_deadline,
            kind.resolved,
            kind.resolved_on_time,
            kind.resolved_late,
            Share(kind.resolution_rate),
            kind.resolution_days,
            kind.overdue,
            kind.escalated,
        )
        for kind in figures.kinds
    ]
    return Table("kinds", "按类别：时限执行情况", headings, rows)


def kinds_at_a_glance(figures: Figures) -> Table:
    """Each kind's on-time rates first, then its counts: the page's table, narrow enough for a
    phone (the workbook keeps every deadline figure in `kinds`)."""
    headings = (
        "类别",
        "响应按时率",
        "办结按时率",
        "工单",
        "紧急",
        "平均响应（小时）",
        "平均办结（天）",
        "当前超期",
        "上报上级",
    )
    rows = [
        (
            kind.label,
            Share(kind.response_rate),
            Share(kind.resolution_rate),
            kind.cases,
            kind.urgent,
            kind.response_hours,
            kind.resolution_days,
            kind.overdue,
            kind.escalated,
        )
        for kind in figures.kinds
    ]
    return Table("kinds", "按类别：时限执行情况", headings, rows)


def streets(figures: Figures) -> Table:
    """The cases by street."""
    rows = [(row.name, *_place_numbers(row)) for row in figures.places.streets]
    return Table("streets", "按街道", ("街道", *PLACE_HEADINGS), rows)


def communities(figures: Figures) -> Table:
    """The cases by community."""
    rows = [(row.name, row.street, *_place_numbers(row)) for row in figures.places.communities]
    return Table("communities", "按社区", ("社区", "街道", *PLACE_HEADINGS), rows)


def over_time(figures: Figures) -> Table:
    """The cases opened week by week (or month by month)."""
    unit = "周（周一至周日，未满一周的注明天数）" if figures.period.weekly else "月份"
    return Table(
        "over-time",
        "按周登记量" if figures.period.weekly else "按月登记量",
        (unit, "工单"),
        [(b.label, b.cases) for b in figures.over_time],
    )


def rating_spread(figures: Figures) -> Table:
    """How many cases got each score."""
    rated = figures.ratings.rated
    rows = [
        (f"{score} 分", count, Share(count / rated if rated else None))
        for score, count in sorted(figures.ratings.by_score.items(), reverse=True)
    ]
    return Table("ratings", "评分分布", ("评分", "工单", "占比"), rows)


def topics(figures: Figures) -> Table:
    """The FAQ questions answered most."""
    rows = [(topic.question, topic.answers) for topic in figures.self_service.topics]
    return Table("topics", "居民问得最多的问题（机器人解答）", ("问题", "次数"), rows)


def returns(figures: Figures) -> Table:
    """Residents who came back about the same problem."""
    came_back = figures.returns
    rows = [
        ("居民申请重新打开", came_back.reopened),
        ("30 天内再次登记同类工单", came_back.repeated),
        ("回头案件合计（去重）", came_back.cases),
        ("涉及居民", came_back.residents),
        ("占登记工单", Share(came_back.cases / figures.places.total.cases if figures.places.total.cases else None)),
    ]
    return Table("returns", "回头案件", ("项目", "数值"), rows)


def all_tables(figures: Figures) -> list[Table]:
    """Every table, in the order of the page and the workbook."""
    return [
        summary(figures),
        over_time(figures),
        kinds(figures),
        streets(figures),
        communities(figures),
        rating_spread(figures),
        topics(figures),
        returns(figures),
    ]


def _place_numbers(row: PlaceCount) -> tuple:
    return (
        row.cases,
        row.open,
        row.resolved,
        row.overdue,
        row.escalated,
        row.urgent,
        row.rated,
        Share(row.satisfaction),
    )
