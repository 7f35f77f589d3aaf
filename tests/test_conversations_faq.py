"""Questions, as dialogues: FAQ answers with their source, opening hours and addresses, what the
service costs, a question in the middle of an intake, and "I only want to ask".

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.storage.directory import unit_by_code
from tests.conversation_helpers import no_tickets, only_ticket
from tests.scripted import ScriptedClassifier
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_faq_answer_names_its_source_and_offers_a_person(services, resident):
    reply = converse(resident, [("晚上几点以后不能制造噪音？有法律规定吗", "依据")])[0]
    assert "回复 1" in reply
    converse(resident, [("2", "有需要随时找我")])
    assert no_tickets(services, resident.openid)


def test_faq_then_a_person_opens_a_case_with_the_question(services, resident):
    converse(
        resident,
        [
            ("楼上漏水到楼下一般是谁负责维修？", "依据"),
            ("1", "邻里纠纷"),
            ("西桥社区", "已记下：西桥社区"),
        ],
    )


@pytest.mark.parametrize("asks", ["法律咨询收费吗", "找你们要钱吗", "请律师打官司免费吗", "收费吗", "要钱吗？"])
def test_asking_what_the_service_costs_is_answered(services, resident, asks):
    (reply,) = converse(resident, [(asks, "免费")])
    assert "哪个社区" not in reply and "这是想咨询法律问题吗" not in reply


def test_the_cost_asked_after_an_urgent_case_or_at_the_summary_is_answered(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("这个要收钱不", "免费"),
            ("1", "工单"),
        ],
    )
    assert "收钱" not in only_ticket(services, resident.openid).description
    other = resident.__class__(resident.client, resident.settings, resident.openid + "u")
    converse(other, [("隔壁邻居拿刀威胁我，说要杀了我", "110"), ("咨询要钱不", "免费")])


def test_asking_when_the_rooms_are_open_gets_the_opening_hours(resident):
    converse(resident, [("你们几点下班啊", "开放时间")])


def test_saturday_opening_and_whether_anyone_took_the_case_are_understood(resident):
    replies = converse(resident, [("周六开门吗", "周末"), ("我刚才那个事 有人管了没有", "工单")])
    assert not any("没太明白" in reply for reply in replies)


def test_saturday_asked_in_other_words_gets_the_opening_hours(resident):
    converse(resident, [("请问星期六你们那边有人上班不", "周末"), ("周末你们办公吗", "周末")])


def test_asking_where_the_district_centre_is_gets_its_address(services, resident):
    with services.db.session() as session:
        centre = unit_by_code(session, "jianghan")
        address, phone = centre.address, centre.phone
    reply = converse(resident, [("区中心在哪里 地址发我一下", address)])[0]
    assert phone in reply and "江汉区公共法律服务中心" in reply


def test_asking_where_the_room_is_in_the_middle_of_an_intake_keeps_the_intake(services, resident):
    with services.db.session() as session:
        address = unit_by_code(session, "baguodun").address
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("你们工作室在哪里", address),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )


# --- a plain question in the middle of an intake --------------------------------------------------


def test_a_plain_faq_question_mid_intake_is_answered_and_the_intake_goes_on(services, resident):
    replies = converse(
        resident,
        [
            ("朋友借了我两万块钱一直不还，微信上催他也不回", "法律咨询"),
            ("舞台社区", "手机号"),
            ("那诉讼时效是多久", "诉讼时效一般为3年"),
        ],
    )
    assert "手机号" in replies[-1] and "记到您的描述里" not in replies[-1]
    converse(resident, [("不留", "请确认"), ("1", "工单")])


def test_a_plain_question_mid_intake_that_no_faq_answers_is_put_to_the_lawyer(services, resident):
    replies = converse(
        resident,
        [
            ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "法律咨询"),
            ("舞台社区", "手机号"),
            ("劳动合同到期公司不续签 有没有补偿", "社区律师联系您时会一并回答"),
        ],
    )
    assert "手机号" in replies[-1] and "记到您的描述里" not in replies[-1]
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    assert "不续签" in only_ticket(services, resident.openid).description


# --- going to see a lawyer in person: when the rooms are open and where ---------------------------


@pytest.mark.parametrize(
    "says", ["那周六上午能去找律师当面问问吗", "明天下午可以过去当面咨询一下不", "我能不能直接去工作室找调解员"]
)
def test_asking_to_see_someone_in_person_gets_the_hours_not_a_case(services, resident, says):
    replies = converse(
        resident,
        [
            ("房东不退押金怎么办", "依据"),
            (says, "开放时间"),
        ],
    )
    assert "周末" in replies[-1] and "法律咨询，转社区律师" not in replies[-1]
    assert no_tickets(services, resident.openid)


def test_asking_to_see_the_lawyer_in_person_mid_intake_names_the_room_and_goes_on(services, resident):
    replies = converse(
        resident,
        [
            ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "法律咨询"),
            ("舞台社区", "手机号"),
            ("那周六上午能去找律师当面问问吗", "开放时间"),
        ],
    )
    assert "舞台社区公共法律服务工作室" in replies[-1] and "手机号" in replies[-1]
    assert "记进工单" not in replies[-1] and "记到您的描述里" not in replies[-1]


# --- "I only want to ask, no need to register": the question is kept and answered, nothing opened --


@pytest.mark.parametrize("says", ["我就是想问问 不用登记吧", "只是咨询一下，莫登记", "我就问一哈 不登记了撒"])
def test_only_wanting_to_ask_keeps_the_question_and_says_how_it_is_answered(services, resident, says):
    replies = converse(
        resident,
        [
            ("房东不退押金 我能起诉他吗", "法律咨询"),
            (says, "不登记"),
        ],
    )
    assert "房东不退押金" in replies[-1] and "继续登记" in replies[-1] and "律师" in replies[-1]
    assert "已取消" not in replies[-1]
    assert no_tickets(services, resident.openid)
    converse(
        resident, [("那还是继续登记吧", "哪个社区"), ("舞台社区", "手机号"), ("不留", "房东不退押金"), ("1", "工单")]
    )
    assert "房东不退押金" in only_ticket(services, resident.openid).description


def test_only_wanting_to_ask_after_an_faq_answer_registers_nothing(services, resident):
    replies = converse(
        resident,
        [
            ("晚上几点以后不能制造噪音？有法律规定吗", "依据"),
            ("我就是想问问 不用登记吧", "不登记"),
        ],
    )
    assert "已取消" not in replies[-1]
    assert no_tickets(services, resident.openid)


def test_only_wanting_to_ask_gets_the_answer_when_an_faq_answers_the_story(services, resident):
    services.classifier = ScriptedClassifier(
        {
            "房东不退押金": "legal_consultation",
            "房东不退押金；说我把墙弄脏了要扣两千": "faq_rent_deposit",
        }
    )
    replies = converse(
        resident,
        [
            ("房东不退押金", "法律咨询"),
            ("说我把墙弄脏了要扣两千", "记到您的描述里"),
            ("我就是想问问 不用登记吧", "不登记"),
        ],
    )
    assert "一般是这样的" in replies[-1] and "依据" in replies[-1] and "继续登记" in replies[-1]
    assert no_tickets(services, resident.openid)


def test_no_i_only_wanted_to_ask_after_an_intake_began_gets_the_answer(services, resident):
    converse(resident, [("离婚了孩子跟哪个 我想要孩子", "社区")])
    (reply,) = converse(resident, [("不是 我就是问问 不用登记", "不登记")])
    assert "已取消" not in reply and no_tickets(services, resident.openid)


def test_only_asking_is_a_whole_message_and_a_plain_stop_is_still_a_cancel():
    from bot.nlu.phrases import anytime_intent

    assert anytime_intent("问问就行 不用立案", in_flow=True) == "only_asking"
    assert anytime_intent("我就是想问问房东不退押金怎么办", in_flow=True) is None  # a question: answered as one
    assert anytime_intent("不登记了", in_flow=True) == "cancel"
