"""Office hours of a room, read from the directory ("工作日 9:00-12:00 14:00-17:30"), and when the
room next opens (bot/cases/tickets.py words the promise to the resident)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from bot.storage.base import utcnow

CHINA = timezone(timedelta(hours=8))  # no daylight saving in China: a fixed offset is exact
WEEKDAY_NAMES = "一二三四五六日"
_INTERVAL = re.compile(r"(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})")


def office_hours(text: str) -> tuple[set[int], list[tuple[time, time]]]:
    """Working weekdays (0 = Monday) and daily intervals from a directory entry such as
    "工作日 9:00-12:00 14:00-17:30"; every day when it says 每天 or 全天."""
    days = set(range(7)) if re.search(r"每天|全天|周一至周日|7\s*[x×]\s*24", text) else set(range(5))
    if "周一至周六" in text:
        days = set(range(6))
    intervals = [(time(int(h1), int(m1)), time(int(h2), int(m2))) for h1, m1, h2, m2 in _INTERVAL.findall(text)]
    return days, intervals or [(time(9, 0), time(17, 30))]


# The day words office_hours() reads (工作日 and 周一至周五 are its default, named for the reader).
_DAY_WORDS = re.compile(r"工作日|周一至周五|周一至周六|周一至周日|每天|全天|7\s*[x×]\s*24")
# What may sit between the day words and the intervals: spaces and list punctuation.
_FILLER = re.compile(r"[\s,，、;；]+")


def office_hours_problem(text: str) -> str | None:
    """Why a directory entry cannot be read as office hours (in Chinese, for the console), or None.

    office_hours() reads anything, falling back to weekdays 9:00-17:30; an entry saved for a room
    must say exactly what it reads: known day words and valid, ordered intervals, nothing else."""
    text = text.strip()
    if not text:
        return "请填写办公时间，如：工作日 9:00-12:00 14:00-17:30"
    intervals = _INTERVAL.findall(text)
    if not intervals:
        return "没有找到时间段：请写成 9:00-12:00 这样（半角冒号和连字符）"
    leftover = _FILLER.sub("", _DAY_WORDS.sub("", _INTERVAL.sub("", text)))
    if leftover:
        hint = "；冒号请用半角“:”" if "：" in leftover else ""
        return f"看不懂“{leftover}”：只能写 工作日、周一至周六、每天 和时间段{hint}"
    return _intervals_problem(intervals)


def _intervals_problem(intervals: list[tuple[str, str, str, str]]) -> str | None:
    previous_end: time | None = None
    for h1, m1, h2, m2 in intervals:
        if max(int(h1), int(h2)) > 23 or max(int(m1), int(m2)) > 59:
            return f"{h1}:{m1}-{h2}:{m2} 不是有效的时间：时间在 0:00 到 23:59 之间"
        start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        if start >= end:
            return f"{h1}:{m1}-{h2}:{m2} 的开始时间要早于结束时间"
        if previous_end is not None and start < previous_end:
            return "时间段要按先后顺序写，且不能重叠"
        previous_end = end
    return None


def next_opening(text: str, now: datetime) -> datetime | None:
    """The start of the next office interval after `now` (China time); None while open now."""
    days, intervals = office_hours(text)
    local = now.astimezone(CHINA)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        for start, end in intervals:
            opens = datetime.combine(day, start, CHINA)
            closes = datetime.combine(day, end, CHINA)
            if offset == 0 and opens <= local < closes:
                return None
            if opens > local:
                return opens
    return None


def opening_words(opening: datetime, now: datetime | None = None) -> str:
    """ "今天 14:00", "明天 09:00" or "周一 09:00"."""
    days_ahead = (opening.date() - (now or utcnow()).astimezone(CHINA).date()).days
    day = {0: "今天", 1: "明天"}.get(days_ahead, f"周{WEEKDAY_NAMES[opening.weekday()]}")
    return f"{day} {opening:%H:%M}"
