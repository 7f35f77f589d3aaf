"""The period a report covers: whole days in Beijing time, and its weekly or monthly buckets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.cases.office_hours import CHINA
from bot.formats import format_pattern

# Up to this many days a period's cases are counted by week; a longer one by month.
WEEKLY_UP_TO_DAYS = 92
# A month as it is asked for: 2026-03 (bot/data/format_words.yml).
MONTH = format_pattern("report_month")


class PeriodError(ValueError):
    """A period that cannot be read or makes no sense (the message says why, in Chinese)."""


@dataclass(frozen=True)
class Bucket:
    """One bar of the cases-over-time chart: [start, end) in UTC, and its label."""

    start: datetime
    end: datetime
    label: str  # its days, "03-02 至 03-08", a partial one marked: "03-01（1 天）"
    short: str  # its first day or its month, under a chart's column


@dataclass(frozen=True)
class Period:
    """From the first to the last day, both included, as days are counted in Beijing."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("结束日期不能早于开始日期")

    @property
    def start(self) -> datetime:
        """The period's first moment (midnight in Beijing), aware."""
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        """The moment after the period (midnight after its last day, in Beijing), aware."""
        return _midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        """How many days it covers."""
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        """The period in words: "2026-11（整月）", "2026-12（截至 12月7日）" for a month so far, or
        "2026-11-03 至 2026-11-20"."""
        if self.first.day == 1 and self.last == _month_end(self.first):
            return f"{self.first:%Y-%m}（整月）"
        if self.within_a_month and self.first.day == 1:
            return f"{self.first:%Y-%m}（截至 {self.last.month}月{self.last.day}日）"
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"

    @property
    def within_a_month(self) -> bool:
        """True when it starts and ends in the same month."""
        return (self.first.year, self.first.month) == (self.last.year, self.last.month)

    @property
    def monthly(self) -> bool:
        """True for a month, whole or so far: from the 1st to a day of the same month."""
        return self.first.day == 1 and self.within_a_month

    def until(self, today: date) -> Period:
        """The period cut at today: nothing is counted for days still to come."""
        return Period(self.first, min(self.last, today)) if self.first <= today else self

    @property
    def weekly(self) -> bool:
        """True when its cases are counted week by week (else month by month)."""
        return self.days <= WEEKLY_UP_TO_DAYS

    @property
    def month(self) -> str:
        """The month it starts in, "YYYY-MM" (the monthly workbook's)."""
        return f"{self.first:%Y-%m}"

    def buckets(self) -> list[Bucket]:
        """The weeks (Monday to Sunday) or months the period spans, cut to the period."""
        starts = _week_starts(self.first, self.last) if self.weekly else _month_starts(self.first, self.last)
        ends = [*starts[1:], self.last + timedelta(days=1)]
        return [
            Bucket(
                _midnight(begin),
                _midnight(end),
                _bucket_label(begin, end, self.weekly),
                _short_label(begin, self.weekly),
            )
            for begin, end in zip(starts, ends, strict=True)
        ]


def month_period(month: str) -> Period:
    """The whole month "YYYY-MM"."""
    match = MONTH.match(month.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"月份格式应为 YYYY-MM，例如 2026-11（收到：{month}）")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    return Period(first, _month_end(first))


def read_period(first: str, last: str, today: date) -> Period:
    """The period of two dates "YYYY-MM-DD" as a form sends them; an empty one is this month's
    first day or today."""
    try:
        start = date.fromisoformat(first) if first else today.replace(day=1)
        end = date.fromisoformat(last) if last else today
    except ValueError as error:
        raise PeriodError("日期格式应为 YYYY-MM-DD") from error
    return Period(start, end)


def this_month(today: date) -> Period:
    """From the first of this month to today."""
    return Period(today.replace(day=1), today)


def last_month(today: date) -> Period:
    """The whole of last month."""
    return month_period(f"{today.replace(day=1) - timedelta(days=1):%Y-%m}")


def this_year(today: date) -> Period:
    """From 1 January to today."""
    return Period(today.replace(month=1, day=1), today)


def beijing_today(now: datetime) -> date:
    """Today's date in Beijing."""
    return now.astimezone(CHINA).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _week_starts(first: date, last: date) -> list[date]:
    monday = first - timedelta(days=first.weekday())
    return [first] + [monday + timedelta(weeks=n) for n in range(1, (last - monday).days // 7 + 1)]


def _month_starts(first: date, last: date) -> list[date]:
    starts = [first]
    while (following := _month_end(starts[-1]) + timedelta(days=1)) <= last:
        starts.append(following)
    return starts


def _bucket_label(begin: date, end: date, weekly: bool) -> str:
    """A week by its days, a month by its name; one the period cuts short says how many days it has."""
    last, days = end - timedelta(days=1), (end - begin).days
    if weekly:
        days_of = f"{begin:%m-%d}" if days == 1 else f"{begin:%m-%d} 至 {last:%m-%d}"
        return days_of if days == 7 else f"{days_of}（{days} 天）"
    whole = begin.day == 1 and last == _month_end(begin)
    return f"{begin:%Y-%m}" if whole else f"{begin:%Y-%m}（{begin.day}–{last.day} 日）"


def _short_label(begin: date, weekly: bool) -> str:
    return f"{begin:%m-%d}" if weekly else f"{begin:%Y-%m}"
