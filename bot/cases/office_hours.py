"""Office hours of a room, read from the directory ("工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00"),
and when the room next opens (bot/cases/tickets.py words the promise to the resident).

One reader serves both the console's check of what an admin saves and the residents' replies: the
text is split into day words (工作日, 周末, 每天, 周一…周日, 周一至周六) each followed by its own
periods (or 休息); periods before any day word are the weekdays'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from bot.cases.place_words import place_pattern
from bot.storage.base import utcnow

CHINA = timezone(timedelta(hours=8))  # no daylight saving in China: a fixed offset is exact
WEEKDAY_NAMES = "一二三四五六日"
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
FALLBACK_PERIODS = ((time(9, 0), time(17, 30)),)  # what a room without readable hours is taken to keep

Period = tuple[time, time]
# Each day the room opens (0 = Monday) with its periods, in order; a day not listed is closed.
Schedule = dict[int, tuple[Period, ...]]

# The pieces of an office-hours text, and "9:00 至 12:00" read as a period (bot/data/place_words.yml).
_TOKENS = place_pattern("hours_token")
_DAY_WORDS = {"工作日": WEEKDAYS, "周末": frozenset({5, 6}), "每天": EVERY_DAY, "全天": EVERY_DAY}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
_PERIOD_SIGN = place_pattern("hours_range")


def _normalised(text: str) -> str:
    """Full-width digits and colons made half-width, 星期 as 周, and 至/到/～ between two times as "-"."""
    text = text.strip().translate(_FULL_WIDTH).replace("星期", "周").replace("礼拜", "周")
    return _PERIOD_SIGN.sub(lambda period: f"{period[1]}-{period[2]}", text)


def _weekday(name: str) -> int:
    return 6 if name == "天" else WEEKDAY_NAMES.index(name)


def _days_of(token: re.Match[str]) -> frozenset[int]:
    if token["day"]:
        return frozenset({_weekday(token["day"])})
    if token["first"]:
        first, last = _weekday(token["first"]), _weekday(token["last"])
        return frozenset((first + step) % 7 for step in range((last - first) % 7 + 1))
    words = token["words"]
    return _DAY_WORDS.get(words, EVERY_DAY)  # 7x24


@dataclass
class HoursReading:
    """What an office-hours text says, and what in it could not be read (for the console's check)."""

    schedule: Schedule = field(default_factory=dict)
    periods: list[tuple[str, str, str, str]] = field(default_factory=list)  # as written: hours, minutes
    segments: list[list[tuple[str, str, str, str]]] = field(default_factory=list)  # each day word's periods
    leftover: str = ""
    repeated: set[int] = field(default_factory=set)  # days given periods twice
    dangling: str = ""  # day words with neither periods nor 休息 after them


class _Reader:
    """Walks the tokens: day words open a segment, periods and 休息 fill it."""

    def __init__(self) -> None:
        self.reading = HoursReading()
        self.days: frozenset[int] = frozenset()
        self.named = ""  # the day words of the open segment, as written
        self.filled = True  # the open segment has its periods (day words after it start another)
        self.segment: list[tuple[str, str, str, str]] = []

    def day_words(self, token: re.Match[str]) -> None:
        if self.filled:
            self.days, self.named, self.filled = frozenset(), "", False
        self.days |= _days_of(token)
        self.named += token[0]

    def period(self, token: re.Match[str]) -> None:
        written = (token["h1"], token["m1"], token["h2"], token["m2"])
        self.reading.periods.append(written)
        if not self.filled or not self.segment:  # the first period of a segment
            self._open_segment(self.days if not self.filled else WEEKDAYS)
        self.segment.append(written)
        start, end = time(int(written[0]) % 24, int(written[1]) % 60), time(int(written[2]) % 24, int(written[3]) % 60)
        for day in self.days:
            self.reading.schedule[day] = (*self.reading.schedule.get(day, ()), (start, end))

    def _open_segment(self, days: frozenset[int]) -> None:
        self.days, self.filled, self.segment = days, True, []
        self.reading.segments.append(self.segment)
        self.reading.repeated |= days & self.reading.schedule.keys()
        for day in days:
            self.reading.schedule[day] = ()

    def closed(self) -> None:
        for day in self.days if not self.filled else ():
            self.reading.schedule.pop(day, None)
        self.filled, self.segment = True, []

    def finish(self) -> HoursReading:
        if not self.filled:
            self.reading.dangling = self.named
        self.reading.schedule = {day: periods for day, periods in self.reading.schedule.items() if periods}
        return self.reading


def read_hours(text: str) -> HoursReading:
    """Read an office-hours text as written (the console's check and office_hours() both use it)."""
    text = _normalised(text)
    reader, position, leftover = _Reader(), 0, []
    while position < len(text):
        token = _TOKENS.match(text, position)
        if token is None:
            leftover.append(text[position])
            position += 1
            continue
        position = token.end()
        if token["period"]:
            reader.period(token)
        elif token["closed"]:
            reader.closed()
        elif not token["filler"]:
            reader.day_words(token)
    reading = reader.finish()
    reading.leftover = "".join(leftover)
    return reading


def office_hours(text: str) -> Schedule:
    """Each opening day (0 = Monday) with its periods, from a directory entry such as
    "工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00"; words it cannot read are passed over, and an
    entry with no period at all is taken as weekdays 9:00-17:30."""
    schedule = read_hours(text).schedule
    return schedule or dict.fromkeys(WEEKDAYS, FALLBACK_PERIODS)


def office_hours_problem(text: str) -> str | None:
    """Why a directory entry cannot be read as office hours (in Chinese, for the console), or None.

    office_hours() passes over what it cannot read; an entry saved for a room must say exactly what
    it reads: known day words, each with valid, ordered periods (or 休息), nothing else."""
    if not text.strip():
        return "请填写办公时间，如：工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00"
    reading = read_hours(text)
    if not reading.periods:
        return "没有找到时间段：请写成 9:00-12:00 这样"
    if reading.leftover:
        return (
            f"看不懂“{reading.leftover}”：只能写 工作日、周末、每天、周一…周日（如 周一至周六）、休息 和时间段，"
            "如：工作日 9:00-12:00；周六 9:00-12:00"
        )
    if reading.dangling:
        return f"“{reading.dangling}”后面要写时间段（或“休息”）"
    if reading.repeated:
        days = "、".join(f"周{WEEKDAY_NAMES[day]}" for day in sorted(reading.repeated))
        return f"{days}的时间写了两次：每天的时间段只能写在一处（不上班的日子写“休息”）"
    return next(filter(None, map(_periods_problem, reading.segments)), None)


def _periods_problem(periods: list[tuple[str, str, str, str]]) -> str | None:
    previous_end: time | None = None
    for h1, m1, h2, m2 in periods:
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
    """The start of the next office period after `now` (China time); None while open now."""
    schedule = office_hours(text)
    local = now.astimezone(CHINA)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for start, end in schedule.get(day.weekday(), ()):
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
