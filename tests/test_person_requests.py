"""A request for a person always reaches a person: with or without a case, a flagged case in the
right room's inbox, a WeChat notice to that room's bound staff, and the resident told who will
answer and when — and, asking again before anyone answered, where the request stands."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from bot.cases import actions as casework
from bot.cases import person_requests
from bot.cases.office_hours import CHINA
from bot.cases.tickets import add_staff_note
from bot.dialogue.handlers.human import when_to_expect
from bot.dialogue.handlers.intake import NO_CALLS_NOTE
from bot.nlu import answers, phrases
from bot.storage.base import utcnow
from bot.storage.directory import Unit, unit_by_code
from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.conftest import run_jobs
from tests.staff_user import new_account, new_case
from tests.wechat_user import WeChatUser, converse


def person_notices(fake_wechat, openid: str) -> list[str]:
    return [m["content"] for m in fake_wechat.messages(touser=openid) if "【居民要求人工】" in m["content"]]


def cases_of(services, openid: str) -> list[Ticket]:
    with services.db.session() as session:
        return tickets_of_resident(session, find_resident(session, openid).id)


def ago(services, ticket_id: int, minutes: int) -> None:
    """The request (and its last notice) was made `minutes` ago."""
    with services.db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.person_requested_at = utcnow() - timedelta(minutes=minutes)
        ticket.person_alerted_at = ticket.person_requested_at


@pytest.mark.usefixtures("rasa_server")
def test_no_case_a_request_opens_a_flagged_case_at_once_and_asking_again_tells_where_it_stands(
    services, resident, fake_wechat, bound
):
    lawyer, officer = bound("cai.lawyer"), bound("ding.property")
    (first,) = converse(
        resident,
        [
            ("你好", "您好"),
            ("转人工", "已为您转人工"),
        ],
    )[1:]
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.number in first and "江汉区公共法律服务中心的蔡律师（律师）" in first and "哪类问题" in first
    assert "工作时间" in first and "9:00" in first
    assert ticket.person_requested_at is not None and "你好" not in ticket.description
    run_jobs(services)
    (told,) = person_notices(fake_wechat, lawyer)
    assert f"/console/cases/{ticket.id}" in told

    again, chosen = converse(
        resident,
        [
            ("人呢", "还没有回复您"),
            ("3", "物业问题"),
        ],
    )
    assert "刚才" in again and "蔡律师" in again and "已提醒工作人员尽快" not in again
    (ticket,) = cases_of(services, resident.openid)  # one case, not one per request
    assert ticket.role == "property_officer" and "丁房管员" in chosen
    run_jobs(services)
    assert len(person_notices(fake_wechat, lawyer)) == 1  # "人呢" right after: no second notice
    assert f"/console/cases/{ticket.id}" in person_notices(fake_wechat, officer)[0]  # routed by the answer


@pytest.mark.usefixtures("rasa_server")
def test_no_case_words_instead_of_a_number_route_the_request_and_go_into_the_case(services, resident):
    converse(
        resident,
        [
            ("我要人工", "哪类问题"),
            ("物业把小区绿地改成停车位收费", "已记到工单里"),
        ],
    )
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.role == "property_officer" and "绿地" in ticket.description


@pytest.mark.usefixtures("rasa_server")
def test_no_case_what_the_resident_wrote_lately_is_the_case_and_the_community_named_before_routes_it(
    services, resident
):
    resident.says("你好")
    with services.db.session() as session:  # named in an earlier conversation
        find_resident(session, resident.openid).community_id = unit_by_code(session, "xiqiao").id
    converse(
        resident,
        [
            ("法律咨询收费吗", "免费"),
            ("转人工", "西桥社区"),
        ],
    )
    (ticket,) = cases_of(services, resident.openid)
    with services.db.session() as session:
        assert session.get(Unit, ticket.unit_id).code == "xiqiao"
    assert "收费" in ticket.description and "转人工" not in ticket.description


@pytest.mark.usefixtures("rasa_server")
def test_with_a_case_open_the_request_flags_it_tells_its_staff_once_and_an_answer_clears_it(
    services, resident, fake_wechat, bound
):
    zhang = bound("zhang.lawyer")
    case_id, number, _ = new_case(services, "baguodun", openid=resident.openid)
    run_jobs(services)  # the new-case notice
    first, again = converse(
        resident,
        [
            ("转人工", "已提醒工作人员"),
            ("我就要人工", "还没有回复您"),
        ],
    )
    # Other tests add lawyers to this room; with more than one the reply names the role, not a person.
    assert number in first and "八古墩社区公共法律服务工作室的" in first and "社区律师" in first and "工作时间" in first
    assert number in again and "已提醒工作人员尽快" not in again
    assert len(cases_of(services, resident.openid)) == 1
    run_jobs(services)
    (told,) = person_notices(fake_wechat, zhang)
    assert number in told and f"/console/cases/{case_id}" in told

    with services.db.session() as session:
        casework.reply(
            session,
            services.jobs,
            session.get(Ticket, case_id),
            staff_by_username(session, "zhang.lawyer"),
            "您好，我是张律师，请问您具体想咨询什么？",
        )
    assert cases_of(services, resident.openid)[0].person_requested_at is None
    converse(resident, [("人呢", "已提醒工作人员")])  # answered before: a new request, told anew
    run_jobs(services)
    assert len(person_notices(fake_wechat, zhang)) == 2


@pytest.mark.usefixtures("rasa_server")
def test_asking_again_after_a_while_says_how_long_ago_and_reminds_the_staff(services, resident, fake_wechat, bound):
    zhang = bound("zhang.lawyer")
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    run_jobs(services)  # the new-case notice
    converse(resident, [("转人工", "已提醒工作人员")])
    ago(services, case_id, 40)
    (again,) = converse(resident, [("人呢", "40 分钟前")])
    assert "再次提醒" in again
    run_jobs(services)
    assert "已等 40 分钟" in person_notices(fake_wechat, zhang)[-1]


def test_what_counts_as_answering_the_resident(services):
    case_id, _, _ = new_case(services, "baguodun")
    with services.db.session() as session:
        ticket, staff = session.get(Ticket, case_id), staff_by_username(session, "zhang.lawyer")
        person_requests.request_person(session, services.jobs, "", ticket)
        casework.accept(session, services.jobs, ticket, staff)
        assert ticket.person_requested_at is not None  # accepting is no answer to "I want a person"
        casework.take_over(session, services.jobs, ticket, staff)
        assert ticket.person_requested_at is None  # the resident is told who is with them


def test_when_a_person_will_answer_is_honest_about_office_hours(services):
    with services.db.session() as session:
        room = unit_by_code(session, "baguodun")
        monday_morning = datetime(2026, 12, 7, 10, 0, tzinfo=CHINA)
        assert "现在是工作时间" in when_to_expect(room, monday_morning)
        lunch = when_to_expect(room, monday_morning.replace(hour=12, minute=30))
        assert "不在工作时间" in lunch and "今天 14:00" in lunch
        weekend = when_to_expect(room, datetime(2026, 12, 12, 10, 0, tzinfo=CHINA))
        assert "不在工作时间" in weekend and "周一 09:00" in weekend and room.phone in weekend


def test_the_time_waited_in_words():
    assert person_requests.elapsed(timedelta(seconds=20)) == "刚刚"
    assert person_requests.elapsed(timedelta(minutes=25)) == "25 分钟"
    assert person_requests.elapsed(timedelta(hours=2, minutes=5)) == "2 小时 5 分钟"
    assert person_requests.elapsed(timedelta(days=3, hours=1)) == "3 天"


@pytest.mark.parametrize("concept", list(answers.load(phrases.PERSON_WORDS_FILE).values()), ids=lambda c: c.name)
def test_the_words_asking_for_a_person_match_their_examples(concept):
    for text in concept.match:
        assert concept.pattern.search(text), text
        if concept.name == "ask_for_person":  # the any-time phrase, in any step
            assert phrases.anytime_intent(text, in_flow=True) == "request_human", text
    for text in concept.no_match:
        assert not concept.pattern.search(text), text


# --- from the last play-test -------------------------------------------------------------------


@pytest.mark.usefixtures("rasa_server")
def test_everyday_words_for_a_person_flag_the_open_case_and_asking_again_says_where_it_stands(services, resident):
    new_case(services, "baguodun", openid=resident.openid)
    first, again, third = converse(
        resident,
        [
            ("人呢 么样还冇得人回我", "八古墩社区公共法律服务工作室"),
            ("你们到底有没有人在管啊", "还没有回复您"),
            ("人呢，怎么还没人理我", "还没有回复您"),
        ],
    )
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.person_requested_at is not None and ticket.number in first and "法律问题吗" not in first


@pytest.mark.usefixtures("rasa_server")
def test_mid_intake_find_me_a_person_opens_the_case_now_and_is_not_part_of_the_story(services, resident):
    converse(resident, [("楼上天天半夜剁肉 吵得睡不着", "哪个社区"), ("问那么多干嘛 直接给我找个人", "马上为您转人工")])
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.person_requested_at is not None and "问那么多" not in ticket.description


@pytest.mark.usefixtures("rasa_server")
def test_i_want_a_lawyer_with_no_case_is_a_request_that_says_who_and_when(services, resident):
    (reply,) = converse(resident, [("我要找律师", "已为您转人工")])
    assert "工作时间" in reply and "法律问题吗" not in reply and "哪类问题" not in reply
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.person_requested_at is not None and ticket.role == "lawyer"


@pytest.mark.usefixtures("rasa_server")
def test_a_cry_for_a_person_after_an_urgent_case_is_a_request_on_that_case(services, resident):
    _, talk, cry = converse(
        resident,
        [
            ("我爸突然晕倒了 叫不醒", "120"),
            ("有人在吗 我想找个人说说", "工单"),
            ("快来人啊 人呢", "要求了人工"),
        ],
    )
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.urgent and ticket.person_requested_at is not None and ticket.number in talk


@pytest.mark.usefixtures("rasa_server")
def test_a_request_goes_to_the_room_of_the_community_the_resident_named_before(services, resident):
    converse(
        resident, [("我家住八古墩社区，房东不退押金", ""), ("人呢？我要找真人说话", "八古墩社区公共法律服务工作室")]
    )
    (ticket,) = cases_of(services, resident.openid)
    with services.db.session() as session:
        assert session.get(Unit, ticket.unit_id).code == "baguodun"
        assert find_resident(session, resident.openid).community_id == ticket.unit_id


@pytest.mark.usefixtures("rasa_server")
def test_the_answer_to_which_kind_names_the_community_routes_the_case_there_and_becomes_its_story(
    services, resident, fake_wechat, bound
):
    mediator = bound("xu.mediator")
    converse(resident, [("转人工", "哪类问题"), ("跟楼下吵架的事 我住舞台社区", "舞台社区公共法律服务工作室")])
    (ticket,) = cases_of(services, resident.openid)
    with services.db.session() as session:
        assert session.get(Unit, ticket.unit_id).code == "wutai"
    assert ticket.role == "mediator" and ticket.description.startswith("跟楼下吵架的事")
    assert "还没有说明" not in ticket.description
    run_jobs(services)
    assert any(f"/console/cases/{ticket.id}" in notice for notice in person_notices(fake_wechat, mediator))


@pytest.mark.usefixtures("rasa_server")
def test_a_story_naming_the_community_after_a_bare_request_moves_the_case_to_that_room(services, resident):
    converse(resident, [("喂 有冇得人", "哪类问题"), ("我是八古墩的 楼上那家伙天天夜里剁肉 吵得睡不着", "八古墩")])
    (ticket,) = cases_of(services, resident.openid)
    with services.db.session() as session:
        assert session.get(Unit, ticket.unit_id).code == "baguodun"
    assert ticket.role == "mediator" and ticket.description.startswith("我是八古墩的")


@pytest.mark.usefixtures("rasa_server")
def test_wanting_a_lawyer_on_a_mediators_case_is_passed_on_honestly_and_shown_on_the_case(services, resident):
    new_case(services, "baguodun", category="neighbor_dispute", text="楼上漏水不管", openid=resident.openid)
    (reply,) = converse(resident, [("我要找律师 不要调解员", "希望由社区律师处理")])
    assert "工作人员在工单页会看到" in reply and "已转给" not in reply
    (ticket,) = cases_of(services, resident.openid)
    assert ticket.role == "mediator" and "居民希望由社区律师处理" in ticket.description
    assert ticket.person_requested_at is not None


@pytest.mark.usefixtures("rasa_server")
def test_with_nobody_bound_the_resident_hears_the_case_waits_in_the_inbox_else_the_coordinator_is_told(
    services, resident, fake_wechat, bound, client, settings
):
    first_id, _, _ = new_case(services, "wutai", openid=resident.openid)
    (reply,) = converse(resident, [("转人工", "已转到舞台社区公共法律服务工作室")])
    assert "已提醒工作人员" not in reply
    ago(services, first_id, 40)
    (again,) = converse(resident, [("人呢", "40 分钟前")])
    assert "提醒" not in again  # nobody could be told, so nobody was "reminded"

    coordinator = bound(new_account(services, "coordinator", "wansong"))
    other = WeChatUser(client, settings, f"o_test_{uuid.uuid4().hex[:12]}")
    case_id, _, _ = new_case(services, "wutai", openid=other.openid)
    converse(other, [("转人工", "已提醒工作人员尽快回复您")])
    run_jobs(services)
    assert any(f"/console/cases/{case_id}" in notice for notice in person_notices(fake_wechat, coordinator))


@pytest.mark.usefixtures("rasa_server")
def test_a_resident_who_cannot_take_calls_is_offered_no_phone_number(services, resident):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    with services.db.session() as session:
        add_staff_note(session, session.get(Ticket, case_id), NO_CALLS_NOTE)
    first, again = converse(resident, [("转人工", "工单"), ("人呢", "还没有回复您")])
    assert "拨打" not in first and "拨打" not in again
