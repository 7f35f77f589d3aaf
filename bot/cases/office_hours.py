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
