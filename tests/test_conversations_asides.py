"""What residents ask in passing, as dialogues: a question in the middle of an intake is answered
and the step's question asked again; "你是机器人吗"; a message in English; a first fragment; a time
to call, a cancel and "冇得手机号" at the phone question; "不留" and "1" at the summary; a bare "人工";
an FAQ's "1" beside an open case.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.dialogue.handlers.asides import ENGLISH_ANSWER, ROBOT_ANSWER
from bot.dialogue.handlers.community import ASK_COMMUNITY
from bot.dialogue.handlers.intake import CONFIRM_CHOICES
from tests.conversation_helpers import no_tickets, only_ticket, tells_to_call_110
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")

NOISE = "楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着"
ELEVATOR = "小区电梯坏了一个星期了物业也不修"
ASK_PHONE = "愿意留一个手机号吗"


def asked_again(reply: str, question: str) -> bool:
    """True when the reply ends by asking the step's question again, in the step's own words."""
    return reply.rstrip().endswith(question.rstrip()) and "【您正在登记的事项还没提交】" in reply


# --- a question in the middle of an intake --------------------------------------------------------


def test_should_i_call_the_police_is_answered_and_the_community_asked_again(services, resident):
    converse(resident, [(NOISE, "哪个社区")])
    (reply,) = converse(resident, [("我要不要报警？", "110")])
    assert tells_to_call_110(reply) and "人身危险" in reply
    assert asked_again(reply, ASK_COMMUNITY)
    converse(resident, [("青年社区", ASK_PHONE), ("不留", "请确认"), ("1", "工单")])
    # Kept for the mediator, marked as the resident's question, not as more of the story.
    assert "【居民的问题】我要不要报警？" in only_ticket(services, resident.openid).description


def test_should_i_call_the_police_in_the_first_message_is_answered_before_the_community_is_asked(services, resident):
    (reply,) = converse(resident, [("邻居天天骂我威胁我，我要不要报警", "110")])
    assert reply.index("110") < reply.index(ASK_COMMUNITY) and "记进您的登记里" in reply
    converse(resident, [("青年社区", ASK_PHONE), ("不留", "请确认"), ("1", "工单")])
    assert "要不要报警" in only_ticket(services, resident.openid).description


def test_should_i_call_the_police_after_a_theft_told_in_the_first_message_is_yes_now(services, resident):
    (reply,) = converse(resident, [("我的电动车昨晚在楼下被人偷了，要不要报警", "越早报警")])
    assert reply.index("越早报警") < reply.index("社区")


@pytest.mark.parametrize("asks", ["要多久才有人管", "什么时候有人联系我？"])
def test_how_soon_someone_deals_with_it_is_answered_with_the_rooms_promise(services, resident, asks):
    converse(resident, [(NOISE, "哪个社区"), ("青年社区", ASK_PHONE)])
    (reply,) = converse(resident, [(asks, "1 个工作日内联系您")])
    assert "人民调解员" in reply and reply.rstrip().endswith("（号码只用于处理本次事项）")
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    assert asks.rstrip("？") not in only_ticket(services, resident.openid).description


def test_another_matter_asked_with_another_at_the_start_is_kept_apart_not_filed_in_this_case(services, resident):
    reply = converse(resident, [(NOISE, "社区"), ("另外，我还想问下离婚了房子么样分", "不是一类")])[1]
    assert "社区律师" in reply and "人民调解员联系您时会一并回答" not in reply
    converse(resident, [("八古墩社区", "手机号"), ("不留", "请确认")])


def test_can_i_sue_is_answered_honestly_at_the_summary_and_kept_for_the_person_who_takes_it(services, resident):
    converse(resident, [(NOISE, "哪个社区"), ("青年社区", ASK_PHONE), ("不留", "请确认")])
    (reply,) = converse(resident, [("能告他吗？", "人民调解员看了您的具体情况才能答")])
    assert "记进您的登记里" in reply and asked_again(reply, CONFIRM_CHOICES)
    assert "收到，已补充" not in reply
    converse(resident, [("1", "工单")])
    description = only_ticket(services, resident.openid).description
    assert description.startswith(NOISE) and "【居民的问题】能告他吗？" in description


def test_a_question_an_faq_answers_is_answered_and_not_added_to_the_story(services, resident):
    converse(resident, [("我老公出轨了，我想跟他离婚，孩子归谁", "哪个社区")])
    (reply,) = converse(resident, [("离婚冷静期多少天", "冷静期")])
    assert "依据" in reply and asked_again(reply, ASK_COMMUNITY)
    (reply,) = converse(resident, [("青年社区", ASK_PHONE), ("要钱吗", "免费")])[1:]
    assert asked_again(reply, "（号码只用于处理本次事项）") and ASK_PHONE in reply
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    description = only_ticket(services, resident.openid).description
    assert "冷静期" not in description and "要钱" not in description


def test_a_question_about_papers_at_the_phone_question_is_answered_and_the_phone_asked_again(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区"), ("青年社区", ASK_PHONE)])
    (reply,) = converse(resident, [("户口本要带吗", "物业房管员联系您时会一并回答")])
    assert ASK_PHONE in reply.split("【您正在登记的事项还没提交】")[1]
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    assert "【居民的问题】户口本要带吗" in only_ticket(services, resident.openid).description


def test_a_danger_said_as_a_question_is_still_urgent(services, resident):
    converse(resident, [(NOISE, "哪个社区")])
    (reply,) = converse(resident, [("他拿着刀在砍我家门 我要不要报警", "110")])
    assert "【您正在登记的事项还没提交】" not in reply
    assert any(ticket.urgent for ticket in [only_ticket(services, resident.openid)])


# --- about the bot itself -------------------------------------------------------------------------


@pytest.mark.parametrize("asks", ["你是机器人吗", "是真人吗", "你是AI吧"])
def test_are_you_a_robot_is_answered_honestly(services, resident, asks):
    (reply,) = converse(resident, [(asks, "自动回复")])
    assert reply == ROBOT_ANSWER and "转人工" in reply and "不是真人" in reply
    assert "帮不上忙" not in reply
    assert no_tickets(services, resident.openid)


def test_are_you_a_robot_in_the_middle_of_an_intake_asks_the_step_again(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区")])
    (reply,) = converse(resident, [("你是机器人吗", "不是真人")])
    assert reply.endswith(ASK_COMMUNITY)
    converse(resident, [("青年社区", ASK_PHONE), ("不留", "请确认"), ("1", "工单")])
    assert "机器人" not in only_ticket(services, resident.openid).description


@pytest.mark.parametrize(
    "asks", ["你能做什么", "这是干嘛的", "你们管哪些事", "你们这是干什么的", "我不太会用这个 我儿子帮我弄的"]
)
def test_what_can_you_do_is_told_how_the_service_works(services, resident, asks):
    (reply,) = converse(resident, [(asks, "公共法律服务")])
    assert "转人工" in reply and "我的工单" in reply and "具体是什么情况" not in reply
    assert no_tickets(services, resident.openid)


def test_what_can_you_do_in_the_middle_of_an_intake_asks_the_step_again(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区")])
    (reply,) = converse(resident, [("你能做什么", "转人工")])
    assert reply.endswith(ASK_COMMUNITY)
    converse(resident, [("青年社区", ASK_PHONE), ("不留", "请确认"), ("1", "工单")])
    assert "能做什么" not in only_ticket(services, resident.openid).description


def test_a_message_in_english_gets_a_bilingual_reply_and_a_second_one_reaches_a_person(services, resident):
    first, second = converse(
        resident,
        [
            ("Hello, I need help, my landlord won't return my deposit", "Hello!"),
            ("Can anyone here speak English?", "passed to a staff member"),
        ],
    )
    assert first == ENGLISH_ANSWER
    assert "免费" in first and "free legal help" in first and "Chinese" in first
    assert "没太明白" not in first + second and "帮不上忙" not in first + second
    case = only_ticket(services, resident.openid)
    assert case.number in second and "转人工" in second
    assert "landlord" in case.description and "English" in case.description  # both messages, for the person


@pytest.mark.parametrize(
    ("says", "advice"),
    [("I smell gas in my kitchen, what should I do", "119"), ("help, my husband is hitting me", "110")],
)
def test_a_danger_told_in_english_gets_the_emergency_advice_and_an_urgent_case(services, resident, says, advice):
    reply = converse(resident, [(says, advice)])[0]
    assert "urgent case" in reply and "紧急工单" in reply
    assert only_ticket(services, resident.openid).urgent


def test_a_question_about_who_sees_the_phone_number_is_answered_and_opens_no_case(services, resident):
    converse(resident, [("你们会不会把我的电话号码给别人", "不会给别人")])
    assert no_tickets(services, resident.openid)
    reply = converse(resident, [(NOISE, "社区"), ("我的电话号码你们会给对方看吗", "不会给别人")])[1]
    assert reply.rstrip().endswith(ASK_COMMUNITY.rstrip())
    assert no_tickets(services, resident.openid)


def test_a_message_in_pinyin_is_asked_in_chinese_to_write_in_chinese_or_speak(services, resident):
    reply = converse(resident, [("wo jia lou shang lou shui", "请用中文")])[0]
    assert "Hello" not in reply and "语音" in reply
    converse(resident, [("我家楼上漏水，把我家天花板泡坏了，他们也不管", "邻里纠纷")])


@pytest.mark.parametrize("first", ["空调", "水管"])
def test_a_single_household_object_as_a_first_message_is_asked_about(services, resident, first):
    (reply,) = converse(resident, [(first, f"您说的“{first}”")])
    assert "发生了什么" in reply and "没太明白" not in reply and "帮不上忙" not in reply


def test_the_rest_of_the_story_after_a_first_fragment_is_read_with_it(services, resident):
    converse(
        resident,
        [
            ("空调", "具体是什么情况"),
            ("楼上的空调外机一直滴水到我家窗台上", "邻里纠纷"),
            ("青年社区", ASK_PHONE),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    description = only_ticket(services, resident.openid).description
    assert description.startswith("空调") and "滴水到我家窗台上" in description


# --- the phone question ---------------------------------------------------------------------------


def test_a_time_to_call_at_the_phone_question_is_a_time_to_call(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区"), ("青年社区", ASK_PHONE)])
    (reply,) = converse(resident, [("可以打电话 但是白天上班 晚上7点以后打", "晚上7点以后打")])
    assert "不是一类" not in reply and "手机号" in reply
    converse(resident, [("13807123456", "方便联系的时间"), ("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone == "13807123456" and "晚上7点以后打" in ticket.description


def test_stopping_at_the_phone_question_cancels(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区"), ("青年社区", ASK_PHONE)])
    (reply,) = converse(resident, [("算了不办了", "已取消")])
    assert "请确认" not in reply
    assert no_tickets(services, resident.openid)


def test_another_community_asked_for_at_the_phone_question_is_asked_again_and_kept_out_of_the_case(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区"), ("青年社区", ASK_PHONE)])
    (reply,) = converse(resident, [("换社区", "社区重新说一下")])
    assert reply.endswith(ASK_COMMUNITY)
    converse(resident, [("花楼社区", ASK_PHONE), ("不留", "花楼社区"), ("1", "工单")])
    assert only_ticket(services, resident.openid).description == ELEVATOR


def test_no_phone_at_all_said_with_the_story_is_never_asked_for_a_phone(services, resident):
    (reply,) = converse(resident, [("我冇得手机号 楼上漏水到我家好几天了", "哪个社区")])
    (reply,) = converse(resident, [("青年社区", "请确认")])
    assert ASK_PHONE not in reply and "用文字联系您" in reply
    converse(resident, [("1", "工单")])
    assert "请用文字联系" in only_ticket(services, resident.openid).description


# --- the summary ----------------------------------------------------------------------------------


def test_no_phone_at_the_summary_is_no_phone_and_a_menu_number_is_no_story(services, resident):
    converse(resident, [(ELEVATOR, "哪个社区"), ("青年社区", ASK_PHONE), ("不留", "请确认")])
    (reply,) = converse(resident, [("不留", "不留电话也可以办")])
    assert "请补充" not in reply and CONFIRM_CHOICES in reply
    converse(resident, [("2", "请补充"), ("1", "请确认"), ("1", "工单")])
    assert only_ticket(services, resident.openid).description == ELEVATOR


# --- a person, and an FAQ's offer beside an open case ---------------------------------------------


def test_a_bare_request_for_a_person_first_asks_what_it_is_about(services, resident):
    (reply,) = converse(resident, [("人工", "说说是什么事")])
    assert "工作人员会看到" in reply and "工单" not in reply
    assert no_tickets(services, resident.openid)
    converse(resident, [("人工", "已为您转人工")])  # asked again: never a loop
    assert only_ticket(services, resident.openid)


def test_an_faq_follow_up_goes_to_the_open_case_of_its_kind_not_beside_it(services, resident):
    converse(
        resident, [("楼上漏水到我家好几天了", "邻里纠纷"), ("青年社区", ASK_PHONE), ("不留", "请确认"), ("1", "工单")]
    )
    first = only_ticket(services, resident.openid)
    converse(resident, [("楼上漏水到楼下一般是谁负责维修？", "依据")])
    (reply,) = converse(resident, [("1", first.number)])
    assert "不用重复登记" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.id == first.id and "【补充】楼上漏水到楼下一般是谁负责维修？" in ticket.description
