"""Opening a case as dialogues: the kind of matter, the story told in pieces, photos, the steps of
the intake and corrections at its summary.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.nlu.types import Classification
from bot.storage.messages import transcript
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, TicketAttachment, tickets_of_resident
from tests.conftest import run_jobs
from tests.conversation_helpers import find_unit, only_ticket, unit_code
from tests.scripted import ScriptedClassifier
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_neighbour_noise_from_a_new_resident_becomes_a_mediator_case(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚", "邻里纠纷"),
            ("八古墩", "已记下：八古墩社区"),
            ("从上个月开始每天晚上十二点以后还在咚咚咚，老人孩子都睡不好", "手机号"),
            ("13912345678", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.category == "neighbor_dispute" and ticket.role == "mediator"
    assert unit_code(services, ticket.unit_id) == "baguodun"
    assert ticket.contact_phone == "13912345678"
    assert "楼上天天半夜跺脚" in ticket.description and "十二点" in ticket.description
    with services.db.session() as session:
        said = [message.content for message in transcript(session, ticket.id)]
    assert said[0] == "楼上天天半夜跺脚" and "13912345678" in said


def test_property_complaint_without_a_phone(services, resident):
    converse(
        resident,
        [
            ("电梯坏了一个多星期了物业一直拖着不修，老人上下楼太难了", "物业问题"),
            ("打铜社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert (ticket.category, ticket.role, ticket.contact_phone) == ("property_complaint", "property_officer", None)
    assert unit_code(services, ticket.unit_id) == "datong"


def test_legal_question_goes_to_the_community_lawyer(services, resident):
    converse(
        resident,
        [
            ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "法律咨询"),
            ("舞台社区", "手机号"),
            ("可以，13800001234", "社区律师"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert (ticket.category, ticket.role) == ("legal_consultation", "lawyer")


def test_close_call_asks_a_numbered_question(services, resident):
    services.classifier = ScriptedClassifier(
        {
            "楼上装修把公共管道弄坏了": Classification(
                "neighbor_dispute", 0.48, [("neighbor_dispute", 0.48), ("property_complaint", 0.44), ("greet", 0.08)]
            ),
        }
    )
    converse(
        resident,
        [
            ("楼上装修把公共管道弄坏了", "回复 1 邻里纠纷"),
            ("2", "物业问题"),
        ],
    )


@pytest.mark.parametrize("says", ["漏水", "停车位被人占了"])
def test_a_leak_or_a_parking_space_is_offered_to_both_the_mediator_and_the_property_officer(services, resident, says):
    reply = converse(resident, [(says, "更接近哪一类")])[0]
    assert "邻里纠纷" in reply and "物业问题" in reply
    converse(resident, [("2", "物业问题")])


@pytest.mark.parametrize("unsure", ["不知道", "不晓得"])
def test_not_knowing_which_kind_goes_to_the_likeliest_room_and_says_it_may_move(services, resident, unsure):
    converse(resident, [("楼上漏水到我家，物业也不管", "更接近哪一类")])
    (reply,) = converse(resident, [(unsure, "不确定也没关系")])
    assert "工作人员会帮您转给对的人" in reply and "哪个社区" in reply and "法律咨询" not in reply
    converse(resident, [("青年社区", "手机号"), ("不留", "请确认")])
    summary = converse(resident, [("1", "工单")])[0]
    assert unsure not in only_ticket(services, resident.openid).description and "JH" in summary


@pytest.mark.parametrize("picks", ["物业问题", "物业公司"])
def test_a_kind_picked_by_the_menus_own_words_is_no_part_of_the_story(services, resident, picks):
    converse(resident, [("楼上漏水到我家，物业也不管", "更接近哪一类"), (picks, "物业问题")])
    converse(resident, [("青年社区", "手机号"), ("不留", "请确认"), ("1", "工单")])
    assert only_ticket(services, resident.openid).description == "楼上漏水到我家，物业也不管"


def test_a_community_named_at_the_kind_question_is_kept_and_the_kind_asked_again(services, resident):
    converse(resident, [("楼上漏水到我家，物业也不管", "更接近哪一类")])
    (reply,) = converse(resident, [("我住青年社区", "已记下您住在青年社区")])
    assert "回复 1" in reply and "已把您的社区改为" not in reply
    (reply,) = converse(resident, [("2", "物业问题")])
    assert "哪个社区" not in reply  # the community told at the menu is the case's
    converse(resident, [("不留", "青年社区"), ("1", "工单")])
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "qingnian"


def test_group_dispute_goes_to_the_street_workstation(services, resident):
    converse(
        resident,
        [
            ("我们整栋楼的业主都反映物业乱收费，每户多收了两百多块", "物业问题"),
            ("青年社区", "手机号"),
            ("不留", "唐家墩街道"),
            ("1", "街道"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.collective and unit_code(services, ticket.unit_id) == "tangjiadun"


def test_photos_are_kept_for_the_case(services, resident):
    converse(resident, [("楼上漏水把我家墙皮都泡掉了", "邻里纠纷"), ("八古墩", "手机号")])
    assert "照片收到了" in resident.sends_photo("media-ceiling-1")
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    assert "已附到工单" in resident.sends_photo("media-ceiling-2")
    converse(resident, [("补充：楼上的人今天还是不开门", "已补充到工单")])
    ticket = only_ticket(services, resident.openid)
    with services.db.session() as session:
        media = session.scalars(select(TicketAttachment.media_id).where(TicketAttachment.ticket_id == ticket.id))
        assert sorted(media) == ["media-ceiling-1", "media-ceiling-2"]
        assert "今天还是不开门" in session.get(Ticket, ticket.id).description


def test_go_back_to_the_previous_question(services, resident):
    back = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "社区"),
            ("上一步", "前面没有可以返回的"),
            ("万松园社区", "手机号"),
            ("返回", "社区重新说一下"),
            ("西桥", "手机号"),
            ("不留", "请确认"),
            ("上一步", "补充或更正"),
            ("返回", "请确认"),  # after "补充": back to the summary, nothing added
            ("2", "请补充"),
            ("从上个月开始的，敲门也不理", "请确认"),
            ("1", "工单"),
        ],
    )
    assert back[1].count("请问您住在哪个社区") == 1  # at the first question: asked once, not twice
    assert "请问您住在哪个社区" in back[3]
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "xiqiao" and "敲门也不理" in ticket.description


def test_dialogue_survives_a_restart(services, settings, resident, app):
    from bot.services import build_services
    from webhook import create_app

    converse(resident, [("楼上邻居养的狗天天在楼道里拉屎", "社区")])
    restarted = build_services(settings)  # a new process: nothing shared but Redis and the database
    resident.client = create_app(services=restarted).test_client()
    converse(resident, [("八古墩", "已记下：八古墩社区")])


def test_two_residents_never_share_a_dialogue(services, client, settings, resident):
    from tests.wechat_user import WeChatUser

    other = WeChatUser(client, settings, resident.openid + "_neighbour")
    converse(resident, [("楼上邻居半夜开派对音乐放得震天响", "社区")])
    converse(other, [("你好", "您好")])
    converse(resident, [("八古墩", "已记下")])


def test_a_story_that_names_the_community_and_phone_skips_those_questions(services, resident):
    converse(
        resident,
        [
            ("我是八古墩社区的，楼上邻居家的空调外机正对着我家卧室窗户，晚上嗡嗡响，电话13611112222", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "baguodun" and ticket.contact_phone == "13611112222"


def test_photo_bytes_are_kept_before_wechat_forgets_them(services, resident, fake_wechat):
    converse(
        resident, [("楼上漏水把我家天花板泡坏了", "邻里纠纷"), ("八古墩", "手机号"), ("不留", "请确认"), ("1", "工单")]
    )
    resident.sends_photo("fake_image_kept_1")
    run_jobs(services)
    with services.db.session() as session:
        [attachment] = session.scalars(
            select(TicketAttachment).where(TicketAttachment.ticket_id == only_ticket(services, resident.openid).id)
        )
        assert attachment.content and attachment.fetch_error == ""


def test_fragments_sent_one_by_one_are_joined_into_the_case(services, resident):
    converse(
        resident,
        [
            ("下水道", "多说几句"),
            ("堵了一个星期了", ""),
            ("物业一直推说没人手来通", "物业问题"),
            ("八古墩", "手机号"),
            ("不方便", "请确认"),
            ("没问题", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.category == "property_complaint"
    for fragment in ("下水道", "堵了一个星期了", "物业一直推说没人手来通"):
        assert fragment in ticket.description
    with services.db.session() as session:
        said = [message.content for message in transcript(session, ticket.id)]
    assert said[:3] == ["下水道", "堵了一个星期了", "物业一直推说没人手来通"]


def test_a_group_worded_without_the_usual_phrases_goes_to_the_street(services, resident):
    converse(
        resident,
        [
            ("我们这栋楼十几户的车位都被开发商卖给外人了，大伙想一起去告他们", "法律咨询"),
            ("青年社区", "手机号"),
            ("不留", "唐家墩街道"),
            ("1", "街道"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.collective and unit_code(services, ticket.unit_id) == "tangjiadun"


def test_a_different_matter_raised_mid_intake_is_offered_its_own_case(services, resident):
    converse(
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"),
            ("公司三个月没发工资了老板也联系不上", "不是一类"),
            ("青年社区", "手机号"),
            ("不留", "请确认"),
            ("1", "另外登记"),
            ("1", "法律咨询"),
        ],
    )
    with services.db.session() as session:
        [ticket] = tickets_of_resident(session, find_resident(session, resident.openid).id)
        assert ticket.category == "neighbor_dispute" and "工资" not in ticket.description


def test_only_asking_at_the_offer_for_another_matter_is_not_told_of_an_answer_never_given(services, resident):
    replies = converse(
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"),
            ("公司三个月没发工资了老板也联系不上", "不是一类"),
            ("青年社区", "手机号"),
            ("不留", "请确认"),
            ("1", "另外登记"),
            ("我就是想问问 不用登记", "这件事不另外登记"),
        ],
    )
    assert "上面的解答" not in replies[-1]


def test_an_answer_to_a_step_gets_no_danger_advice_unless_the_danger_is_sure(services, resident):
    replies = converse(
        resident,
        [
            ("楼上漏水滴到我家床上了，被子都湿了", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
        ],
    )
    assert not any("⚠️" in reply for reply in replies[1:])


def test_wages_owed_to_many_workers_is_a_group_dispute(services, resident):
    converse(
        resident,
        [
            ("老板跑了 欠我们二十几个人的工钱", "法律咨询"),
            ("青年社区", "手机号"),
            ("不留", "唐家墩街道"),
            ("1", "街道"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.collective and unit_code(services, ticket.unit_id) == "tangjiadun"


def test_inside_an_intake_the_danger_caution_is_not_repeated_nor_given_for_a_few_words(services, resident):
    replies = converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("太过分了", "社区"),  # a few words the danger model cannot judge
            ("老伴走了两年了 我一个人住 血压高", "社区"),
            ("孩子3岁 一直是我在带 晚上根本睡不好", "社区"),
        ],
    )
    assert "⚠️" not in replies[0] and "⚠️" not in replies[1]
    assert sum("⚠️" in reply for reply in replies[2:]) <= 1


@pytest.mark.parametrize("fragment", ["都一个多月了", "我们一家三口都被吵醒了"])
def test_a_few_words_inside_an_intake_do_not_make_it_a_group_dispute(services, resident, fragment):
    converse(
        resident,
        [
            ("楼上天天半夜剁东西 吵得我睡不着", "哪个社区"),
            (fragment, "社区"),
            ("八古墩社区", "手机号"),
            ("不留", "八古墩社区"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert not ticket.collective and unit_code(services, ticket.unit_id) == "baguodun"


# --- corrections at the summary -------------------------------------------------------------------


def test_a_community_corrected_at_the_summary_is_shown_in_it_again(services, resident):
    converse(
        resident,
        [
            ("公司拖了我两个月工资，老板说再等等，我想问问怎么要", "法律咨询"),
            ("东民社区", "手机号"),
            ("不方便", "东民社区"),
            ("我家其实在西桥社区", "西桥社区"),
            ("确认", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.unit_id == find_unit(services, "西桥社区")


def test_what_is_added_at_the_summary_shows_in_it_however_long_the_story(resident):
    replies = converse(
        resident,
        [
            (
                "楼上那家天天半夜拖椅子，吵得老人整晚睡不着，我上去敲过好几次门，他们就是不开，物业说管不了让我们自己协商",
                "邻里纠纷",
            ),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("他们家还在楼道里堆了很多纸箱子", "请确认"),
            (
                "楼道本来就窄，老人上下楼都要侧着身子走，消防通道也堵了，万一着火人都跑不出去，跟他们说了好几次都不搬走，我们一家老小天天提心吊胆",
                "请确认",
            ),
        ],
    )
    assert "纸箱子" in replies[-2] and "都不搬走" in replies[-1]
    assert "都已记下" in replies[-1]  # the middle left out of the summary is said to be kept


def test_the_community_and_the_phone_corrected_at_the_summary_are_taken(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("打铜", "手机号"),
            ("13307150011", "请确认"),
            ("社区搞错了 我是花楼的", "花楼社区"),
        ],
    )
    converse(resident, [("号码也不对 最后两位是22", "完整手机号"), ("13307150022", "请确认"), ("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "hualou" and ticket.contact_phone == "13307150022"
    assert "13307150011" not in ticket.description


def test_a_wrong_community_not_named_at_the_summary_asks_for_it_again(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("打铜", "手机号"),
            ("不留", "请确认"),
            ("社区不对", "哪个社区"),
            ("八古墩社区", "请确认"),
            ("1", "工单"),
        ],
    )
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "baguodun"


def test_a_story_corrected_at_the_summary_is_marked_as_a_correction(services, resident):
    converse(
        resident,
        [
            ("楼上小孩天天跑跳 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("不对不对 不是楼上 是隔壁家 我搞混了", "更正"),
            ("1", "工单"),
        ],
    )
    assert "【更正】不对不对 不是楼上 是隔壁家" in only_ticket(services, resident.openid).description


def test_wanting_compensation_for_the_dog_bite_is_the_same_matter_in_the_one_case(services, resident):
    said = converse(
        resident,
        [
            ("邻居家的狗把我咬了，他们不管", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("我现在好了 就是想要赔偿", "记到您的描述里"),
            ("不留", "请确认"),
            ("医药费要他们出 还要道个歉", "已补充"),
            ("1", "工单"),
        ],
    )
    assert all("不是一类" not in reply for reply in said)
    ticket = only_ticket(services, resident.openid)
    assert ticket.category == "neighbor_dispute"
    assert "想要赔偿" in ticket.description and "道个歉" in ticket.description


def test_wanting_compensation_said_at_the_community_question_is_kept_in_the_story(services, resident):
    said = converse(
        resident,
        [
            ("邻居家的狗把我咬了，他们不管", "邻里纠纷"),
            ("我现在好了 就是想要赔偿", "记到您的描述里"),
            ("八古墩", "手机号"),
        ],
    )
    assert all("不是一类" not in reply for reply in said)
