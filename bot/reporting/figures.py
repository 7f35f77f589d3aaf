"""Every figure of one report: the cases of a scope opened in a period, by place, time and kind;
how fast they were handled; what residents thought; what the bot settled alone; who came back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.reporting.counts import BucketCount, PlaceCounts, bucket_counts, place_counts
from bot.reporting.period import Period
from bot.reporting.ratings import Ratings, ratings
from bot.reporting.returns import Returns, returns
from bot.reporting.scope import ReportScope
from bot.reporting.self_service import SelfService, self_service
from bot.reporting.sql import for_reports
from bot.reporting.timeliness import KindFigures, kind_figures

# What the figures count, for the page and the workbook.
NOTES = (
    "统计口径：期间内登记的工单（按北京时间）；上报上级的工单仍计入原社区；"
    "集体案件计入居民所说的社区（此前登记的计入街道工作站）。",
    "首次响应、办结是否按时，按每件工单自己的时限（紧急、集体案件时限更短）；重新打开或上报的工单按最近一轮的时限。",
    "满意率 = 评 4、5 分的工单 ÷ 已评分工单。",
    "机器人解答：居民的问题由常见问题库直接回答；其后 7 天内该居民未登记工单的，计为“7 天内未登记工单”；"
    "解答不足 7 天且尚未登记工单的还在观察期，不计入。"
    "街道的统计只含说明过本街道社区的居民。",
    "回头案件：居民申请重新打开的工单，或同一居民 30 天内再次登记同类工单。",
)


@dataclass(frozen=True)
class Figures:
    """One report's figures."""

    scope: ReportScope
    period: Period
    made_at: datetime
    places: PlaceCounts
    over_time: list[BucketCount]
    kinds: list[KindFigures]
    ratings: Ratings
    self_service: SelfService
    returns: Returns


def report_figures(
    session: Session, scope: ReportScope, period: Period, now: datetime, satisfaction_target: float
) -> Figures:
    """The figures of the scope's cases opened in the period, as they stand at `now`."""
    for_reports(session)
    return Figures(
        scope=scope,
        period=period,
        made_at=now,
        places=place_counts(session, scope, period, now),
        over_time=bucket_counts(session, scope, period),
        kinds=kind_figures(session, scope, period, now),
        ratings=ratings(session, scope, period, satisfaction_target),
        self_service=self_service(session, scope, period, now),
        returns=returns(session, scope, period),
    )
