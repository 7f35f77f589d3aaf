"""One's own cases, as dialogues: progress and when someone will come, news added to an open case,
ratings in numbers and words with their comments, and reopening.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.cases.lifecycle import move_ticket
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.conftest import run_jobs
from tests.conversation_helpers import (
    no_tickets,
    only_ticket,
    open_noise_case,
    resolved_case,
    tells_to_call_110,
    tickets_of,
)
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_status_of_my_cases(services, resident):
    converse(resident, [("我的工单", "还没有登记过工单")])
    converse(
        resident,
        [
            ("楼上卫生间漏水把我家天花板泡坏了，找他也不管", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    converse(resident, [("进度", number), ("查一下我的工单", "已受理")])


@pytest.mark.parametrize(
    "asks, expected",
    [
        ("我昨天跟你们说的楼上吵的事 有人管冇", "您最近的工单"),
        ("么时候有人来", "工作人员会在"),
    ],
)
def test_a_resident_coming_back_about_their_case_gets_its_status(services, resident, asks, expected):
    number = open_noise_case(services, resident)
    (reply,) = converse(resident, [(asks, number)])
    assert expected in reply and "1 邻里纠纷" not in reply
    converse(resident, [(f"{number} 么样了", "您最近的工单")])
    assert len(tickets_of(services, resident.openid)) == 1


def test_news_the_bot_cannot_place_while_a_case_is_open_is_pointed_to_it(services, resident):
    number = open_noise_case(services, resident)
    converse(resident, [("他们昨晚上又跳到12点", f"如果是工单 {number} 的新情况")])
    converse(resident, [("补充：他们昨晚上又跳到12点", "补充")])
    assert "又跳到12点" in only_ticket(services, resident.openid).description


def test_news_given_with_a_case_number_goes_to_that_case_not_the_newest(services, resident):
    number = open_noise_case(services, resident)
    converse(resident, [("物业不修电梯 坏了一个月了", "物业"), ("不留", "请确认"), ("1", "工单")])
    converse(resident, [(f"补充 {number}：他们昨晚上又跳到12点", f"已补充到工单 {number}")])
    noise, elevator = sorted(tickets_of(services, resident.openid), key=lambda ticket: ticket.id)
    assert noise.number == number and "又跳到12点" in noise.description and number not in noise.description
    assert "又跳到12点" not in elevator.description


def test_news_with_no_case_open_is_told_so_and_the_matter_asked_for(services, resident):
    (reply,) = converse(resident, [("补充：他昨天又来了", "没有正在办理的工单")])
    assert "帮不上忙" not in reply and no_tickets(services, resident.openid)
    converse(resident, [("楼上那家天天半夜剁肉，吵得我们睡不着", "人民调解员")])


def test_news_after_every_case_is_resolved_is_told_so(services, resident):
    resolved_case(services, resident)
    converse(resident, [("补充：他昨天又来了", "都已办结")])
    assert len(tickets_of(services, resident.openid)) == 1


def test_another_matter_told_with_its_announcement_is_kept_without_it(services, resident):
    number = open_noise_case(services, resident)
    converse(resident, [("还有个事，小区电梯坏了一个星期物业也不修", "物业问题")])
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    (elevator,) = [ticket for ticket in tickets_of(services, resident.openid) if ticket.number != number]
    assert elevator.description.startswith("小区电梯坏了")


def test_another_matter_announced_first_is_asked_for_and_then_routed_by_what_it_is(services, resident):
    number = open_noise_case(services, resident)
    (reply,) = converse(resident, [("另外，还有个事", "请说说另外这件事")])
    assert "法律咨询" not in reply
    converse(resident, [("物业把电梯停了一个月 也不说么时候修", "物业")])
    tickets = tickets_of(services, resident.openid)
    assert [ticket.number for ticket in tickets] == [number]  # the new matter is being gathered, apart
    assert "还有个事" not in tickets[0].description and "电梯" not in tickets[0].description


def test_another_matter_of_the_open_case_s_kind_said_as_such_or_told_at_length_is_a_new_case(services, resident):
    number = open_noise_case(services, resident)
    (reply,) = converse(resident, [("另外隔壁家的狗天天在楼道里拉屎", "邻里纠纷")])
    assert number not in reply
    converse(resident, [("算了", "")])
    story = "隔壁那户人家把鞋柜和杂物全都堆在我们两家共用的走廊里，我家老人进出都要侧着身子，说了好几次都不听"
    (reply,) = converse(resident, [(story, "邻里纠纷")])
    assert f"如果是工单 {number} 的新情况" not in reply


# --- when will someone come -----------------------------------------------------------------------


def test_asking_when_someone_will_come_gets_the_case_number_and_the_promised_time(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    for says in ("那我什么时候能等到人来", "你们什么时候来"):
        reply = converse(resident, [(says, ticket.number)])[0]
        assert "已受理" in reply and "个工作日内" in reply
    assert only_ticket(services, resident.openid).description == ticket.description


def test_asking_how_long_in_the_middle_of_an_intake_gets_the_rooms_promise(services, resident):
    replies = converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("要多久才有人回我啊", "人民调解员一般在 1 个工作日内联系您"),
        ],
    )
    assert "哪个社区" in replies[-1]  # the intake's question asked again


def test_asking_when_someone_will_come_after_an_urgent_case_is_no_supplement(services, resident):
    converse(
        resident,
        [
            ("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110"),
            ("你们什么时候来", "1 小时内"),
        ],
    )
    assert "什么时候来" not in only_ticket(services, resident.openid).description


# --- ratings and reopening ------------------------------------------------------------------------


def test_resolved_case_is_rated_and_can_be_reopened(services, resident, fake_wechat):
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    with services.db.session() as session:
        ticket = session.get(Ticket, ticket.id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "已督促物业清理")
    run_jobs(services)
    sent = fake_wechat.messages(touser=resident.openid)
    assert "已办结" in sent[-1]["content"] and "1～5" in sent[-1]["content"]
    converse(resident, [("5 很满意，谢谢", "5 分"), ("还是没解决，又脏了", "重新打开")])
    ticket = only_ticket(services, resident.openid)
    assert (ticket.rating, ticket.status) == (5, "reopened")


def test_a_resolved_case_reopens_when_the_resident_says_it_was_never_fixed(services, resident):
    converse(
        resident,
        [
            ("单元门的门禁坏了半个月，物业一直拖着不修", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "物业已派人维修")
    first_due = only_ticket(services, resident.openid).due_at
    converse(resident, [("根本没修好，门禁还是坏的", "重新打开")])
    reopened = only_ticket(services, resident.openid)
    assert reopened.status == "reopened"
    assert reopened.first_response_at is None and reopened.due_at > first_due  # a new clock


def test_unhappy_and_unresolved_reopens_rather_than_rates(services, resident):
    resolved_case(services, resident)
    converse(resident, [("不满意 还是没解决", "重新打开")])
    assert only_ticket(services, resident.openid).rating is None


@pytest.mark.parametrize("says", ["还是在漏，冇搞好", "冇解决"])
def test_a_case_not_fixed_said_in_wuhan_words_reopens(services, resident, says):
    resolved_case(services, resident)
    converse(resident, [(says, "重新打开")])
    assert only_ticket(services, resident.openid).status == "reopened"


def test_not_solved_after_a_middling_rating_reopens_the_case(services, resident):
    resolved_case(services, resident)
    converse(resident, [("三分", "3 分"), ("冇解决", "重新打开")])
    ticket = only_ticket(services, resident.openid)
    assert (ticket.rating, ticket.status) == (3, "reopened")


def test_a_bare_rating_no_waiting_question_could_mean_is_the_rating(services, resident):
    resolved_case(services, resident)
    converse(resident, [("合同的事", "回复 2 都不是")])  # a numbered question of two answers waits
    converse(resident, [("4", "4 分")])
    assert only_ticket(services, resident.openid).rating == 4
    converse(resident, [("1", "社区")])  # the question still waits, and 1 answers it


def test_a_rating_in_words_is_taken_while_a_numbered_question_waits(services, resident):
    resolved_case(services, resident)
    converse(resident, [("我昨天说的那个事 有人管冇", "")])  # may leave a numbered question waiting
    converse(resident, [("给个4分吧", "4 分")])
    assert only_ticket(services, resident.openid).rating == 4


def test_asking_about_the_case_after_rating_it_is_no_comment(services, resident):
    resolved_case(services, resident)
    converse(resident, [("一般般吧", "3 分"), ("我昨天说的那个楼道的事 么样了", "已办结")])
    assert only_ticket(services, resident.openid).rating_comment is None


# --- ratings said in words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "says, score, comment",
    [
        ("给个3分吧", 3, None),
        ("我是说打3分", 3, None),
        ("五星好评👍", 5, None),
        ("满意 谢谢你们", 5, "谢谢你们"),
        ("一般般吧 就是来得慢了点", 3, "就是来得慢了点"),
        ("我打5分", 5, None),
        ("挺满意的 就是等了好久", 5, "就是等了好久"),
        ("还可以吧 就是慢了点", 4, "就是慢了点"),
        ("给你们打个满分", 5, None),
    ],
)
def test_a_rating_said_in_words_is_recorded(services, resident, says, score, comment):
    resolved_case(services, resident)
    converse(resident, [(says, f"{score} 分")])
    ticket = only_ticket(services, resident.openid)
    assert (ticket.rating, ticket.rating_comment) == (score, comment)


def test_a_rating_said_with_a_particle_keeps_the_comment_clean():
    from bot.nlu.phrases import RATING

    assert RATING.match("4分吧 物业后来是开了").groups() == ("4", "物业后来是开了")


# --- a rating's comment sent in more than one message ---------------------------------------------


def test_a_few_words_after_a_bare_rating_are_its_comment(services, resident, fake_wechat):
    resolved_case(services, resident)
    converse(resident, [("5", "想说几句意见"), ("周师傅很负责 第二天就来了", "已和评价一起记在")])
    assert only_ticket(services, resident.openid).rating_comment == "周师傅很负责 第二天就来了"


@pytest.mark.parametrize(
    "rating, comments",
    [
        ("4 还行", ["不过物业一开始拖了好几天", "希望以后快一点"]),
        ("5", ["周师傅很负责 第二天就来了", "就是物业那边一开始推了好几天"]),
    ],
)
def test_words_after_a_rating_comment_are_more_of_that_comment(services, resident, rating, comments):
    resolved_case(services, resident)
    converse(resident, [(rating, "分"), *[(comment, "已和评价一起记在") for comment in comments]])
    kept = only_ticket(services, resident.openid).rating_comment  # and no new case was opened
    assert all(comment in kept for comment in comments)
    # A question, or another matter, is not a comment.
    replies = converse(
        resident, [("那物业费能不能少交一点", "依据"), ("另外楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷")]
    )
    assert not any("已和评价一起记在" in reply for reply in replies)
    assert only_ticket(services, resident.openid).rating_comment == kept


def test_a_rating_comment_about_waiting_for_a_call_is_no_danger(services, resident):
    resolved_case(services, resident)
    (reply,) = converse(resident, [("3", "想说几句意见")])
    (reply,) = converse(resident, [("我等了一个星期才有人打电话", "已和评价一起记在")])
    assert not tells_to_call_110(reply) and "⚠️" not in reply
    assert only_ticket(services, resident.openid).rating_comment == "我等了一个星期才有人打电话"


def test_after_a_rating_a_bare_hum_or_a_call_for_a_person_is_no_comment(services, resident):
    resolved_case(services, resident)
    converse(resident, [("5", "5 分"), ("调解员蛮好的", "已和评价一起记在"), ("嗯", ""), ("人呢", "已为您转人工")])
    with services.db.session() as session:  # the request for a person is a case of its own
        (rated,) = [t for t in tickets_of_resident(session, find_resident(session, resident.openid).id) if t.rating]
    assert rated.rating_comment == "调解员蛮好的"
