"""The intake's phone question, as dialogues: numbers however written or spoken, no phone, not
wanting calls, a time to call and what staff are told.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident
from tests.conversation_helpers import only_ticket
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_a_landline_is_a_phone_number_too(services, resident):
    converse(
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"),
            ("青年社区", "手机号"),
            ("027-8555 1234", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone == "02785551234"


def test_the_phone_question_takes_a_grouped_number_and_a_hesitant_no(services, resident):
    converse(
        resident,
        [
            ("楼上空调外机的水天天滴到我家窗台上", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("135 0712 3456", "请确认"),
        ],
    )
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    converse(
        other,
        [
            ("楼上空调外机的水天天滴到我家窗台上", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("算了算了…", "请确认"),
        ],
    )


def test_a_spoken_number_a_reluctant_no_and_a_two_word_yes_are_understood(services, resident):
    converse(
        resident,
        [
            ("小区电梯坏了一个星期了物业也不修", "哪个社区"),
            ("青年社区", "手机号"),
            ("一三八零七一二三四五六", "请确认"),
            ("好的 确认", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone == "13807123456"
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    converse(
        other,
        [
            ("房东不退押金，说我把墙弄脏了要扣两千", "哪个社区"),
            ("青年社区", "手机号"),
            ("算了不方便", "请确认"),
        ],
    )
    third = resident.__class__(resident.client, resident.settings, resident.openid + "c")
    converse(
        third,
        [
            ("小区电梯坏了一个星期了物业也不修", "哪个社区"),
            ("青年社区", "手机号"),
            ("电话就是幺三八零七一二三四五六七", "号码好像不对"),  # twelve digits read out
        ],
    )


def test_a_question_at_the_phone_step_is_answered_not_swallowed(services, resident):
    replies = converse(
        resident,
        [
            ("楼上的狗天天半夜叫，跟他说了也不管", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("另外物业说不交物业费就要停我家的水 这个合法吗", "手机号"),
        ],
    )
    assert "已补充到您的描述里" not in replies[-1]


def test_a_deaf_resident_leaves_no_phone_and_is_answered_in_writing(services, resident):
    converse(
        resident,
        [
            ("楼上装修把我家卫生间天花板弄裂了", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("我是聋哑人打不了电话", "用文字联系"),
            ("1", "工单"),
        ],
    )
    assert "请用文字联系" in only_ticket(services, resident.openid).description


def test_not_wanting_to_leave_a_phone_is_no_cancel(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("我不是不办 是不想留电话", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone is None


@pytest.mark.parametrize("afraid", ["不敢打电话 怕那家人报复", "不敢留电话 怕那家人报复"])
def test_a_resident_afraid_of_retaliation_leaves_no_phone_and_is_reassured(services, resident, afraid):
    replies = converse(
        resident,
        [
            ("对门那家天天把垃圾堆在我家门口，说了也不听", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            (afraid, "请确认"),
        ],
    )
    assert "保密" in replies[-1] and "文字" in replies[-1] and "您" in replies[-1]
    converse(resident, [("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone is None and "保密" in ticket.description and not ticket.urgent


def test_a_time_to_call_given_with_the_phone_number_is_kept_in_the_case(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("13912345678 最好晚上打", "最好晚上打"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone == "13912345678" and "最好晚上打" in ticket.description


def test_a_time_to_call_given_after_the_phone_number_is_kept_in_the_case(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("13912345678", "请确认"),
            ("最好晚上打", "最好晚上打"),
            ("1", "工单"),
        ],
    )
    assert "最好晚上打" in only_ticket(services, resident.openid).description
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    converse(
        other,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("13912345679", "请确认"),
            ("1", "工单"),
            ("白天上班不方便接 最好晚上打", "已在工单"),
        ],
    )
    assert "最好晚上打" in only_ticket(services, other.openid).description


def test_a_phone_saved_from_an_earlier_case_is_left_out_when_the_resident_says_so(services, resident):
    replies = converse(
        resident,
        [
            ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "哪个社区"),
            ("舞台社区", "手机号"),
            ("13800001234", "请确认"),
            ("1", "工单"),
            ("楼上天天半夜跺脚，从上个月开始每天十二点以后还在咚咚咚", "上次留的"),
            ("不想留电话", "请确认"),
            ("1", "工单"),
        ],
    )
    assert "138****1234" not in replies[5] and "138****1234" not in replies[6]
    with services.db.session() as session:
        tickets = tickets_of_resident(session, find_resident(session, resident.openid).id)
        phones = {ticket.category: ticket.contact_phone for ticket in tickets}
    assert phones == {"legal_consultation": "13800001234", "neighbor_dispute": None}


@pytest.mark.parametrize(
    "says, note",
    [
        ("不敢打电话 怕那家人报复", "请为其保密"),
        ("我耳朵听不见 只能发文字", "居民不便接打电话"),
    ],
)
def test_notes_for_staff_are_not_read_back_to_the_resident_as_their_words(services, resident, says, note):
    replies = converse(
        resident,
        [
            ("对门那家天天把垃圾堆在我家门口，说了也不听", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            (says, "请确认"),
        ],
    )
    summary = replies[-1][replies[-1].index("请确认") :]
    assert "居民" not in summary and note not in summary
    assert "联系方式：不打电话，工作人员会在微信里用文字联系您" in summary
    converse(resident, [("2", "请补充"), ("他们家还在门口放了个鞋柜", "请确认")])
    converse(resident, [("1", "工单")])
    description = only_ticket(services, resident.openid).description
    assert "【请工作人员注意】" in description and note in description


def test_dont_know_at_the_phone_question_skips_it_as_the_way_out_says(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不知道", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone is None


def test_yes_at_the_phone_question_asks_for_the_number(services, resident):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("是的", "请直接回复您的手机号"),
            ("13912345678", "请确认"),
        ],
    )
    assert "没太明白" not in replies[2]


@pytest.mark.parametrize("says", ["冇得电话 不留", "我没得手机号码我用的是我孙女的微信"])
def test_having_no_phone_at_all_is_taken_as_no_phone(services, resident, says):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            (says, "请确认"),
        ],
    )
    assert "有其他需要随时告诉我" not in replies[-1] and "愿意留一个手机号" not in replies[-1]
    assert "文字联系您" in replies[-1]
    converse(resident, [("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone is None and "【请工作人员注意】居民不便接打电话" in ticket.description


def test_asking_whether_the_phone_is_safe_is_answered_at_the_phone_step(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("留电话搞么事 不会泄露出去吧", "不会给别人"),
            ("13307150011", "请确认"),
            ("1", "工单"),
        ],
    )
    assert "泄露" not in only_ticket(services, resident.openid).description


def test_a_community_corrected_at_the_phone_question_is_changed_and_the_phone_asked_again(services, resident):
    changed = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            ("万松园", "已记下：万松园社区"),
            ("我说错了 不是万松园 是西桥的", "已记下：西桥社区"),
        ],
    )[-1]
    assert "手机号" in changed  # the question the correction came at, asked again
    reply = converse(resident, [("不留", "请确认")])[0]
    assert "西桥社区" in reply and "万松园" not in reply
    converse(resident, [("1", "工单")])


@pytest.mark.parametrize("short", ["幺五幺两七幺八八八九", "1512718889"])
def test_a_number_one_digit_short_read_out_or_typed_is_said_to_be_short(services, resident, short):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            ("青年社区", "手机号"),
            (short, "号码好像少了一位"),
            ("幺五幺两七幺八八八九零", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone == "15127188890"


@pytest.mark.parametrize("asks", ["我的电话会不会被他们知道 我怕他们报复", "对方会知道我的号码吗"])
def test_fear_that_the_other_side_learns_the_number_is_answered_and_kept_confidential(services, resident, asks):
    converse(resident, [("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"), ("青年社区", "手机号")])
    (reply,) = converse(resident, [(asks, "不会让对方知道")])
    assert "看了您的具体情况才能答" not in reply and "请确认" in reply
    converse(resident, [("1", "工单")])
    assert "担心被对方报复" in only_ticket(services, resident.openid).description


@pytest.mark.parametrize("says", ["座机85764321", "我没得手机号码只有屋里座机八五七六四三二一"])
def test_a_landline_without_its_area_code_is_a_wuhan_number(services, resident, says):
    converse(resident, [("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"), ("青年社区", "手机号")])
    (reply,) = converse(resident, [(says, "请确认")])
    assert "号码好像不对" not in reply and "不打电话" not in reply
    converse(resident, [("1", "工单")])
    assert only_ticket(services, resident.openid).contact_phone == "02785764321"
