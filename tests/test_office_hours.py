"""Office hours from the directory, and honest words on when a person will answer."""

from datetime import datetime

import pytest

from bot.cases.office_hours import CHINA, next_opening, office_hours, office_hours_problem, read_hours
from bot.cases.tickets import CaseRequest, open_ticket, response_promise
from bot.storage.directory import unit_by_code
from bot.storage.residents import touch_resident


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


HOURS = "工作日 9:00-12:00 14:00-17:30"


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-11-24 10:00", None),  # a Tuesday morning: open
        ("2026-11-24 12:30", "今天 14:00"),  # lunch break
        ("2026-11-24 20:00", "明天 09:00"),
        ("2026-11-27 18:00", "周一 09:00"),  # Friday evening
        ("2026-11-28 11:00", "周一 09:00"),  # Saturday
    ],
)
def test_the_promise_is_honest_about_office_hours(services, now, expected):
    with services.db.session() as session:
        resident = touch_resident(session, "o_office_hours_honest")
        ticket = open_ticket(
            session, resident, CaseRequest("legal_consultation", "合同纠纷", unit_by_code(session, "baguodun"))
        )
        promise = response_promise(ticket, at(now))
        assert (expected in promise) if expected else "不在工作时间" not in promise


@pytest.mark.parametrize("urgent, within", [(True, "1 小时内"), (False, "4 小时内")])
def test_an_urgent_or_group_case_at_night_is_promised_a_person_after_opening_not_within_the_hour(
    services, urgent, within
):
    with services.db.session() as session:
        resident = touch_resident(session, "o_office_hours_night")
        request = CaseRequest(
            "neighbor_dispute", "打起来了", unit_by_code(session, "baguodun"), urgent=urgent, collective=not urgent
        )
        ticket = open_ticket(session, resident, request)
        night = response_promise(ticket, at("2026-11-24 02:49"))
        assert f"今天 09:00上班后 {within}联系您" in night and "不在工作时间" in night
        assert ("110" in night) == urgent
        assert response_promise(ticket, at("2026-11-24 10:00")) == f"工作人员会在 {within}联系您"


def test_office_hours_read_from_the_directory_text():
    schedule = office_hours("每天 8:30-20:00")
    assert set(schedule) == set(range(7)) and [(start.hour, start.minute) for start, _ in schedule[6]] == [(8, 30)]
    assert next_opening("每天 8:30-20:00", at("2026-11-28 21:00")) == at("2026-11-29 08:30")


SATURDAY_DUTY = "工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00"


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-11-27 18:00", at("2026-11-28 09:00")),  # Friday evening: Saturday's duty
        ("2026-11-28 10:00", None),  # Saturday morning: open
        ("2026-11-28 13:00", at("2026-11-30 09:00")),  # Saturday afternoon: no afternoon duty, closed Sunday
        ("2026-11-24 12:30", at("2026-11-24 14:00")),  # a weekday keeps its afternoon
    ],
)
def test_each_day_word_keeps_its_own_periods(now, expected):
    assert next_opening(SATURDAY_DUTY, at(now)) == expected
    assert office_hours_problem(SATURDAY_DUTY) is None


def test_a_room_with_saturday_duty_tells_the_resident_it_opens_on_saturday(services):
    with services.db.session() as session:
        resident = touch_resident(session, "o_office_hours_saturday")
        room = unit_by_code(session, "baguodun")
        room.hours = SATURDAY_DUTY
        ticket = open_ticket(session, resident, CaseRequest("legal_consultation", "合同纠纷", room))
        assert "明天 09:00" in response_promise(ticket, at("2026-11-27 18:00"))
        assert "不在工作时间" not in response_promise(ticket, at("2026-11-28 10:00"))
        session.rollback()


@pytest.mark.parametrize(
    "text, days, first",
    [
        ("周一至周五 9：00至12：00", {0, 1, 2, 3, 4}, (9, 0)),  # full-width colons, 至 as the range sign
        ("周末 10:00到12:00", {5, 6}, (10, 0)),
        ("周二、周四 8:30～11:30", {1, 3}, (8, 30)),
        ("每天 8:00-20:00 周日休息", {0, 1, 2, 3, 4, 5}, (8, 0)),
        ("星期六 9:00-12:00", {5}, (9, 0)),
    ],
)
def test_day_names_and_range_signs_are_read(text, days, first):
    schedule = office_hours(text)
    assert set(schedule) == days
    assert all((periods[0][0].hour, periods[0][0].minute) == first for periods in schedule.values())
    assert office_hours_problem(text) is None


def test_case_opened_at_the_weekend_says_when_the_room_opens(services):
    with services.db.session() as session:
        resident = touch_resident(session, "o_office_hours_weekend")
        ticket = open_ticket(
            session, resident, CaseRequest("legal_consultation", "合同纠纷", unit_by_code(session, "baguodun"))
        )
        assert "周一 09:00" in response_promise(ticket, at("2026-11-28 11:00"))
        assert "不在工作时间" not in response_promise(ticket, at("2026-11-24 10:00"))


def test_a_district_centre_case_out_of_hours_is_not_said_to_wait_for_a_room(services):
    with services.db.session() as session:
        resident = touch_resident(session, "o_office_hours_centre")
        ticket = open_ticket(session, resident, CaseRequest("legal_consultation", "合同纠纷", None))
        promise = response_promise(ticket, at("2026-11-28 11:00"))
        assert "周一 09:00上班后处理" in promise and "工作室" not in promise


@pytest.mark.parametrize(
    "text, problem",
    [
        ("工作日 9:00-12:00 14:00-17:30", None),
        ("周一至周六 8:30-12:00、14:00-18:00", None),
        ("每天 0:00-23:59", None),
        ("", "请填写办公时间"),
        ("全天", "没有找到时间段"),
        ("工作日 9：00-12：00", None),  # full-width colons are read as half-width ones
        ("工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00", None),
        ("周六 9:00-12:00", None),
        ("工作日 9:00-17:00 节假日除外", "看不懂“节假日除外”"),
        ("工作日 9:00-12:00 周六", "“周六”后面要写时间段"),
        ("工作日 9:00-12:00 周一 14:00-17:00", "周一的时间写了两次"),
        ("周一至周五 9:00-12:00 周六 14:00-12:00", "开始时间要早于结束时间"),
        ("每天 0:00-24:00", "不是有效的时间"),
        ("工作日 14:00-12:00", "开始时间要早于结束时间"),
        ("工作日 9:00-12:00 11:00-17:00", "不能重叠"),
    ],
)
def test_office_hours_saved_for_a_room_say_exactly_what_is_read(text, problem):
    found = office_hours_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)
    if problem is None:  # what is accepted is read as written, never the fallback
        reading = read_hours(text)
        assert reading.schedule and not reading.leftover
        assert len(reading.periods) == text.count("-")
