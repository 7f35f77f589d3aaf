"""Conversations that read like dialogues: what the resident says → what the bot answers.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.cases.lifecycle import move_ticket
from bot.nlu.types import Classification
from bot.storage.directory import Unit, unit_by_code
from bot.storage.messages import Message, transcript
from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, TicketAttachment, TicketEvent, tickets_of_resident
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier
from tests.staff_user import new_case
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def only_ticket(services, openid: str) -> Ticket:
    with services.db.session() as session:
        tickets = tickets_of_resident(session, find_resident(session, openid).id)
        assert len(tickets) == 1, [t.number for t in tickets]
        return tickets[0]


def unit_code(services, unit_id: int) -> str:
    with services.db.session() as session:
        return session.get(Unit, unit_id).code


def resolved_case(services, resident):
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "已督促物业清理")


def no_tickets(services, openid: str) -> bool:
    with services.db.session() as session:
        resident = find_resident(session, openid)
        return not tickets_of_resident(session, resident.id)


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


def test_danger_gets_emergency_numbers_and_an_urgent_case(services, resident):
    reply = converse(resident, [("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110")])[0]
    assert "工单" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent
    converse(resident, [("我的工单", ticket.number)])


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


def test_cancel_in_the_middle_opens_nothing(services, resident):
    converse(
        resident,
        [
            ("隔壁天天在楼道里堆垃圾，臭得要命", "邻里纠纷"),
            ("取消", "已取消"),
            ("你好", "您好"),
        ],
    )
    assert no_tickets(services, resident.openid)


def test_transfer_to_a_person_during_intake_opens_the_case_now(services, resident):
    converse(
        resident,
        [
            ("楼下邻居的狗天天叫，晚上根本睡不着", "邻里纠纷"),
            ("转人工", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "jianghan"  # no community yet → the district centre


def test_transfer_to_a_person_from_scratch_opens_a_case_and_asks_which_kind(services, resident):
    converse(
        resident,
        [
            ("转人工", "回复 1 法律咨询"),
            ("3", "物业问题"),
        ],
    )
    assert only_ticket(services, resident.openid).role == "property_officer"


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


def test_a_few_words_after_a_bare_rating_are_its_comment(services, resident, fake_wechat):
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "已督促物业清理")
    converse(resident, [("5", "想说几句意见"), ("周师傅很负责 第二天就来了", "已和评价一起记在")])
    assert only_ticket(services, resident.openid).rating_comment == "周师傅很负责 第二天就来了"


def test_a_rating_said_with_a_particle_keeps_the_comment_clean():
    from bot.nlu.phrases import RATING

    assert RATING.match("4分吧 物业后来是开了").groups() == ("4", "物业后来是开了")


def test_resident_who_never_says_where_they_live(services, resident):
    converse(
        resident,
        [
            ("物业费一年涨了两次，也不公示账目，这合理吗", "社区"),
            ("不知道", "区公共法律服务中心"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "jianghan"


def test_location_pin_picks_the_nearest_room(services, resident):
    with services.db.session() as session:
        room = unit_by_code(session, "wutai")
        latitude, longitude = room.latitude, room.longitude
    converse(resident, [("邻居在楼道里装了个摄像头对着我家门", "社区")])
    assert "舞台社区" in resident.sends_location(latitude + 0.0005, longitude - 0.0005)


def test_a_street_name_narrows_to_a_numbered_list(services, resident):
    converse(
        resident,
        [
            ("楼上空调外机的水一直滴到我家窗台上", "社区"),
            ("唐家墩", "回复 1"),
            ("1", "已记下：八古墩社区"),
        ],
    )


def test_typos_in_the_community_name_are_forgiven_after_asking(services, resident):
    # A near miss may be another community ("民意社区" is not 东民社区): the resident confirms it.
    converse(
        resident,
        [
            ("对门邻居把鞋柜和杂物堆满了楼道", "社区"),
            ("打同社区", "回复 1 打铜社区"),
            ("1", "已记下：打铜社区"),
        ],
    )


def test_moving_house_changes_the_community(services, resident):
    converse(resident, [("我搬家了", "哪个社区"), ("舞台社区", "已把您的社区改为舞台社区")])
    with services.db.session() as session:
        assert session.get(Unit, find_resident(session, resident.openid).community_id).code == "wutai"


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
    converse(
        resident,
        [
            ("物业把我们的公共收益都私吞了，几年了也不公开", "社区"),
            ("万松园社区", "手机号"),
            ("上一步", "补充或更正"),
            ("还有停车费也没公开", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )


def test_out_of_scope_gets_help_and_no_ticket(services, resident):
    converse(resident, [("明天武汉会不会下雨啊", "12345"), ("谢谢", "不客气")])
    assert no_tickets(services, resident.openid)


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


def test_after_an_urgent_case_the_phone_and_details_go_to_it(services, resident):
    converse(
        resident,
        [
            ("楼下有人在打架，流血了", "120"),
            ("是三楼和四楼的两家人", "已补充到紧急工单"),
            ("13712345678", "已记下您的电话"),
            ("你好", "您好"),  # the urgent follow-up is over: a new topic is a new topic
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.contact_phone == "13712345678"
    assert "三楼和四楼" in ticket.description
    assert "13712345678" not in ticket.description  # every inbox card shows the description


def test_a_bare_okay_after_an_urgent_case_is_no_supplement(services, resident):
    converse(
        resident,
        [
            ("楼下有人在打架，流血了", "120"),
            ("好的", "请注意安全"),
        ],
    )
    assert "【补充】" not in only_ticket(services, resident.openid).description


def test_danger_in_the_middle_of_an_intake_keeps_what_was_said(services, resident):
    converse(
        resident,
        [
            ("楼上邻居天天往我家阳台扔烟头", "社区"),
            ("他刚才还拿刀威胁我", "110"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and "烟头" in ticket.description and "拿刀" in ticket.description


def test_location_pin_at_a_later_step_keeps_the_intake(services, resident):
    with services.db.session() as session:
        room = unit_by_code(session, "datong")
        latitude, longitude = room.latitude, room.longitude
    converse(resident, [("物业把电梯停了半个月说是没钱修", "社区"), ("不知道", "手机号")])
    assert "打铜社区" in resident.sends_location(latitude, longitude)
    converse(resident, [("不留", "请确认"), ("1", "打铜社区公共法律服务工作室")])


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


# --- what residents trying the bot for the first time ran into ------------------------------


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


def test_asking_for_a_person_says_when_and_never_loops(services, resident):
    first = converse(resident, [("帮我找个工作人员", "工作时间")])[0]
    assert "9:00" in first and "12348" not in first
    converse(
        resident,
        [
            ("就是想问问房东不退押金我该怎么办", "已记到工单里"),
        ],
    )
    ticket = only_ticket(services, resident.openid)  # the request was a case at once; the question is in it
    assert ticket.role == "lawyer" and "押金" in ticket.description


def test_asking_for_a_person_then_unclear_words_still_reach_the_lawyer(services, resident):
    converse(
        resident,
        [
            ("转人工", "哪类问题"),
            ("说不清楚，电话里讲吧", "律师"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.role == "lawyer" and "电话里讲" in ticket.description


def test_asking_for_a_person_with_an_open_case_names_who_has_it(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
            ("我要找人工", "八古墩社区公共法律服务工作室的李调解员（人民调解员）"),
        ],
    )
    assert only_ticket(services, resident.openid).status == "new"


def test_a_neighbour_dispute_in_another_district_is_pointed_there(services, resident):
    reply = converse(resident, [("我住在洪山区，楼上漏水到我家好几天了", "洪山区公共法律服务中心")])[0]
    assert "12348" in reply
    assert no_tickets(services, resident.openid)


def test_a_legal_question_from_another_district_is_still_answered(services, resident):
    converse(
        resident,
        [
            ("我住在洪山区，想问下离婚了孩子抚养权怎么判", "洪山区公共法律服务中心"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert (ticket.category, ticket.role) == ("legal_consultation", "lawyer")


def test_naming_another_district_at_the_community_step(services, resident):
    converse(
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"),
            ("我家住在武昌", "武昌区公共法律服务中心"),
        ],
    )
    assert no_tickets(services, resident.openid)


def test_a_threat_with_a_weapon_in_plain_words_gets_110_and_an_urgent_case(services, resident):
    reply = converse(resident, [("对门那个醉鬼抄起板凳堵在我家门口，说今晚要我好看", "110")])[0]
    assert "1 小时内" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent


def test_a_possible_danger_gets_the_advice_first_and_an_ordinary_answer(services, resident):
    reply = converse(resident, [("楼下那个男的喝醉了一直在砸东西骂人，我有点怕", "110")])[0]
    assert reply.index("110") < 40
    assert no_tickets(services, resident.openid) or not only_ticket(services, resident.openid).urgent


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


def test_a_false_alarm_can_be_withdrawn_by_the_resident(services, resident):
    converse(
        resident,
        [
            ("楼下着火了好多烟", "119"),
            ("不是着火 是烧烤的油烟 你们搞错了", "改为普通事项"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert not ticket.urgent and "油烟" in ticket.description


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


def test_a_community_corrected_at_the_phone_question_is_taken_without_going_back(services, resident):
    converse(
        resident,
        [
            ("对门天天把鞋柜和垃圾堆在我家门口，说了好几次都不听", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("哎不对，社区说错了，我们是打铜社区的", "打铜社区"),
            ("不留", "打铜社区"),
            ("对", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.unit_id == find_unit(services, "打铜社区")
    assert "社区说错了" not in ticket.description


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


def test_a_gas_leak_opens_an_urgent_case_for_the_property_officer(services, resident):
    reply = converse(resident, [("家里燃气管子一直嘶嘶响，满屋子臭鸡蛋味，我头有点晕", "119")])[0]
    assert "紧急工单（物业问题）" in reply and "物业房管员" in reply
    assert only_ticket(services, resident.openid).urgent


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


def find_unit(services, name: str) -> int:
    with services.db.session() as session:
        return session.scalar(select(Unit.id).where(Unit.name == name))


def test_a_case_already_opened_is_withdrawn_only_after_asking(services, resident):
    converse(
        resident,
        [
            ("隔壁装修天天早上七点就开始砸墙，吵得老人睡不好", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    converse(resident, [("那个单子不要了 撤了吧", f"要撤回工单 {number}"), ("2", "保留")])
    assert only_ticket(services, resident.openid).status == "new"
    converse(resident, [("取消", "要撤回工单"), ("1", "已撤回")])
    assert only_ticket(services, resident.openid).status == "cancelled"


def test_someone_who_cannot_call_is_told_how_to_report_in_writing(services, resident):
    converse(
        resident,
        [
            ("我老公又在屋里打我，我躲在厕所里", "110"),
            ("我不敢打电话 他会听到的 能不能发信息", "12110"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert "居民不便接打电话，请用文字联系" in notes


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


def test_asking_when_the_rooms_are_open_gets_the_opening_hours(resident):
    converse(resident, [("你们几点下班啊", "开放时间")])


def test_moving_house_keeps_an_open_case_with_its_room_and_says_so(services, resident):
    converse(
        resident,
        [
            ("楼上每天半夜拖凳子，吵得睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    converse(resident, [("下个月搬到舞台社区了 那个楼上吵的事还管不管", f"工单 {number} 仍由原来的工作室")])


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


def test_ongoing_abuse_told_without_the_usual_words_opens_an_urgent_case(services, resident):
    converse(resident, [("我男人昨晚又打了我一顿 脸上都是青的", "110")])
    assert only_ticket(services, resident.openid).urgent


def test_saying_life_is_not_worth_living_gets_the_helpline(resident):
    converse(resident, [("活着真冇得意思", "12356")])


# --- changing one's mind after cancelling ---------------------------------------------------


def test_a_resident_who_cancelled_can_change_their_mind_and_keep_the_story(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
            ("想了下还是帮我登记一下吧", "手机号"),
            ("不留", "拖椅子"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert "拖椅子" in ticket.description and unit_code(services, ticket.unit_id) == "baguodun"


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


def test_not_wanting_a_phone_after_cancelling_resumes_the_case_without_one(services, resident):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
            ("我不是不办 是不想留电话", "请确认"),
            ("1", "工单"),
        ],
    )
    assert "您" in replies[3] and "拖椅子" in replies[3]
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone is None and "拖椅子" in ticket.description


def test_a_cancel_long_ago_is_not_resumed(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
        ],
    )
    state = services.dialogue.load(resident.openid)
    state["cancelled"]["at"] = "2000-01-01T00:00:00+00:00"
    services.dialogue.save(resident.openid, state)
    reply = resident.says("想了下还是帮我登记一下吧")
    assert "请确认" not in reply and "手机号" not in reply
    assert no_tickets(services, resident.openid)


def test_the_number_that_answers_the_withdrawal_question_is_no_supplement(services, resident):
    converse(
        resident,
        [
            ("隔壁装修天天早上七点就开始砸墙，吵得老人睡不好", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    described = only_ticket(services, resident.openid).description
    converse(resident, [("撤了吧", "要撤回工单"), ("2", "保留"), ("取消", "要撤回工单"), ("1", "已撤回")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.status == "cancelled" and ticket.description == described
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert "居民撤回" in notes


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


@pytest.mark.parametrize(
    "answer",
    [
        "不晓得叫么子社区 就在万松园路那边",
        "不晓得是么子社区哦，反正就在万松园路那边的菜场后面",
    ],
)
def test_not_knowing_the_community_but_naming_a_road_keeps_the_road_for_staff(services, resident, answer):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            (answer, "江汉区公共法律服务中心"),
            ("不留", "位置："),
            ("1", "工单"),
        ],
    )
    assert "万松园路" in replies[1] and "手机号" in replies[1] and "万松园路那边" in replies[2]
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "jianghan"
    assert "【居民说的位置】" in ticket.description and "就在万松园路那边" in ticket.description


def test_not_knowing_the_community_but_naming_the_street_goes_to_its_workstation(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            ("不清楚是哪个社区 在万松街道这边", "万松街道公共法律服务工作站"),
            ("不留", "转给：万松街道公共法律服务工作站"),
            ("1", "工单"),
        ],
    )
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "wansong"


def test_living_in_another_district_and_working_here_a_legal_question_is_taken(services, resident):
    replies = converse(
        resident,
        [
            ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "哪个社区"),
            ("我住硚口区的 公司在江汉", "江汉区公共法律服务中心的律师"),
            ("不留", "转给：江汉区公共法律服务中心（律师）"),
            ("1", "已转给江汉区公共法律服务中心的律师"),
        ],
    )
    assert "硚口区公共法律服务中心" in replies[1] and "12348" in replies[1]
    assert not any("社区律师" in reply or "工作室" in reply for reply in replies[1:])
    ticket = only_ticket(services, resident.openid)
    assert (unit_code(services, ticket.unit_id), ticket.role) == ("jianghan", "lawyer")
    assert "公司在江汉" in ticket.description


def test_saying_so_in_the_first_message_skips_the_community_question(services, resident):
    converse(
        resident,
        [
            ("我住硚口区的 公司在江汉 老板拖欠我三个月工资了怎么办", "在江汉区工作"),
            ("不留", "请确认"),
        ],
    )


def test_a_neighbour_dispute_of_someone_who_only_works_here_is_pointed_home(services, resident):
    converse(
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "哪个社区"),
            ("我住硚口区的 公司在江汉", "硚口区公共法律服务中心"),
        ],
    )
    assert no_tickets(services, resident.openid)


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


def test_asking_for_a_person_or_thanking_adds_nothing_to_the_open_case(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    described = only_ticket(services, resident.openid).description
    converse(resident, [("转人工", "的待办"), ("好的 谢谢", "不客气"), ("谢谢", "不客气")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.description == described
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert "居民要求人工服务" in notes


def test_after_an_urgent_case_only_real_details_are_added_to_it(services, resident):
    converse(
        resident,
        [
            ("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110"),
            ("谢谢", "注意安全"),
            ("1", "注意安全"),
            ("转人工", "的待办"),
            ("他现在还在门口砸门", "已补充"),
        ],
    )
    description = only_ticket(services, resident.openid).description
    assert "砸门" in description
    assert not any(word in description for word in ("【补充】谢谢", "【补充】1", "转人工"))


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


# --- the phone question, in residents' own words ---------------------------------------------


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


# --- a community named again, misspelt, at a later step -------------------------------------


@pytest.mark.parametrize("first", ["八古墩社区", "不知道", "青年社区"])
def test_a_misspelt_community_at_the_phone_question_is_no_dead_end(services, resident, first):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            (first, "手机号"),
            ("八古敦", "八古墩社区"),
        ],
    )
    assert "没太明白" not in replies[-1] and "手机号" in replies[-1]
    converse(resident, [("不留", "八古墩社区"), ("1", "工单")])
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "baguodun"


def test_a_community_misspelt_beyond_its_aliases_at_a_later_step_is_offered_to_pick(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "哪个社区"),
            ("青年社区", "手机号"),
            ("八古蹲", "回复 1 八古墩社区"),
            ("1", "已记下：八古墩社区"),
            ("不留", "转给：八古墩社区"),
            ("1", "工单"),
        ],
    )
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "baguodun"


# --- domestic violence: help beyond 110, no phone asked of someone hiding ---------------------


def test_domestic_danger_gets_the_domestic_violence_help_with_the_urgent_case(services, resident):
    reply = converse(resident, [("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110")])[0]
    assert "12338" in reply and "人身安全保护令" in reply
    assert only_ticket(services, resident.openid).urgent
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    assert "12338" not in converse(other, [("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110")])[0]


def test_someone_hiding_is_never_again_asked_for_a_phone_number(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110"),
            ("我躲在卫生间 不敢出声", "12110"),
            ("你们工作室在哪里", "地址"),
            ("转人工", "的待办"),
            ("我的工单", "工单"),
            ("取消", "紧急工单仍会"),
            ("另外楼上漏水把我家天花板泡坏了，找他也不管", "哪个社区"),
            ("西桥社区", "联系方式：不打电话"),
        ],
    )
    assert not any("手机号" in reply for reply in replies[1:])


def test_a_community_named_after_an_urgent_case_routes_it_to_that_room(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110"),
            ("西桥社区", "西桥社区"),
        ],
    )
    assert "已补充" not in replies[-1] and "西桥社区公共法律服务工作室" in replies[-1]
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.unit_id == find_unit(services, "西桥社区")


def test_when_the_danger_has_gone_the_resident_is_told_what_to_do_next(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110"),
            ("他好像走了 我该怎么办", "已补充"),
        ],
    )
    assert "证据" in replies[-1] and "安全" in replies[-1] and "再回来" in replies[-1]
    assert "他好像走了" in only_ticket(services, resident.openid).description


# --- a plain question in the middle of an intake ---------------------------------------------


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
            ("劳动合同到期公司不续签 有没有补偿", "社区律师会一并为您解答"),
        ],
    )
    assert "手机号" in replies[-1] and "记到您的描述里" not in replies[-1]
    converse(resident, [("不留", "请确认"), ("1", "工单")])
    assert "不续签" in only_ticket(services, resident.openid).description


# --- when will someone come -----------------------------------------------------------------


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


def test_asking_when_someone_will_come_after_an_urgent_case_is_no_supplement(services, resident):
    converse(
        resident,
        [
            ("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110"),
            ("你们什么时候来", "1 小时内"),
        ],
    )
    assert "什么时候来" not in only_ticket(services, resident.openid).description


# --- an unhappy resident ---------------------------------------------------------------------


@pytest.mark.parametrize("says", ["我要投诉你们", "你们都是吃干饭的"])
def test_a_complaint_about_the_service_is_heard_and_told_where_to_go(services, resident, says):
    with services.db.session() as session:
        centre = unit_by_code(session, "jianghan")
        name, phone = centre.office_name, centre.phone
    reply = converse(resident, [(says, "抱歉")])[0]
    assert "转人工" in reply and name in reply and phone in reply and "您" in reply
    assert "没太明白" not in reply


def test_thanks_with_a_friendly_form_of_address_is_thanks(services, resident):
    converse(resident, [("谢谢你啊 姑娘", "不客气")])
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("谢谢你啊 姑娘", "不客气"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    converse(resident, [("谢谢你啊 姑娘", "不客气")])
    assert "姑娘" not in only_ticket(services, resident.openid).description


# --- answering a staff member's reply ----------------------------------------------------------


def test_answering_a_lawyers_reply_reaches_the_lawyer_and_opens_nothing(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        lawyer.wechat_openid = "o_staff_zhang_answered"
        casework.reply(
            session, services.jobs, session.get(Ticket, case_id), lawyer, "押金可以调解，您方便来工作室一趟吗？"
        )
    try:
        said = ["谢谢张律师！明天上午十点过来可以吗", "要带租房合同原件吗", "不是 我是在回张律师的话 不要新登记"]
        for reply in converse(resident, [(text, "张律师（社区律师）") for text in said]):
            assert "哪一类" not in reply and "情况：" not in reply
        assert "flow" not in services.dialogue.load(resident.openid)
        ticket = only_ticket(services, resident.openid)
        assert "【补充】" not in ticket.description
        with services.db.session() as session:
            linked = session.scalars(
                select(Message.content).where(Message.ticket_id == case_id, Message.direction == "in")
            )
            assert set(said) <= set(linked)
        run_jobs(services)
        notices = [m["content"] for m in fake_wechat.messages(touser="o_staff_zhang_answered")]
        assert len([text for text in notices if "新消息" in text]) == 1  # one notice, not one per message
    finally:
        with services.db.session() as session:
            staff_by_username(session, "zhang.lawyer").wechat_openid = None


def test_a_new_matter_after_a_lawyers_reply_is_taken_in_as_usual(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        casework.reply(
            session,
            services.jobs,
            session.get(Ticket, case_id),
            staff_by_username(session, "zhang.lawyer"),
            "押金可以调解，您方便来工作室一趟吗？",
        )
    reply = resident.says("另外还有个事，楼上天天半夜跺脚，吵得孩子睡不着觉")
    assert "邻里纠纷" in reply and "张律师" not in reply


def test_a_lawyers_reply_no_longer_catches_messages_once_the_case_is_resolved(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        casework.reply(
            session, services.jobs, session.get(Ticket, case_id), lawyer, "押金可以调解，您方便来工作室一趟吗？"
        )
        casework.resolve(session, services.jobs, session.get(Ticket, case_id), lawyer, "已调解，押金退还")
    assert "张律师" not in resident.says("楼上天天半夜跺脚")


# --- at night: what the resident is told is what the case says she was told -------------------


def test_an_urgent_case_at_night_promises_110_first_and_a_person_after_opening(services, resident, app, monkeypatch):
    from datetime import datetime

    import bot.cases.tickets
    from bot.cases.office_hours import CHINA
    from bot.cases.staff import ADMIN
    from tests.staff_user import StaffUser, new_account

    night = datetime(2026, 11, 24, 2, 49, tzinfo=CHINA)  # a Tuesday
    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: night)
    reply = converse(resident, [("救救我 他又喝多了在外面摔东西 说今天要弄死我 我把自己反锁在房里了", "110")])[0]
    assert "1 小时内联系您" not in reply.replace("上班后 1 小时内", "")
    told = "现在不在工作时间，在此之前如有危险，请先拨打 110；工作人员会在今天 09:00上班后 1 小时内联系您"
    assert told in reply and reply.index("110") < reply.index("09:00")
    ticket = only_ticket(services, resident.openid)
    # The deadline is the promise: an hour after the room opens, not 03:49.
    assert ticket.due_at.astimezone(CHINA) == datetime(2026, 11, 24, 10, 0, tzinfo=CHINA)
    staff = StaffUser(app.test_client())
    assert staff.log_in(new_account(services, ADMIN, "jianghan")).status_code == 302
    page = staff.get(f"/console/cases/{ticket.id}").get_data(as_text=True)
    assert f"居民被告知：{told}" in page


def test_the_commonest_first_message_is_greeted(resident):
    converse(resident, [("在吗", "您好"), ("在吗？", "您好")])


# --- cannot talk on the phone: said in the urgent follow-up or in the first message -------------

STAFF_WRITE_NOTE = "【请工作人员注意】居民不便接打电话，请用文字联系"


def test_not_daring_to_call_after_an_urgent_case_tells_staff_to_write(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 他又喝多了在外面摔东西 说今天要弄死我 我把自己反锁在房里了", "110"),
            ("我不敢打电话 他会听到", "12110"),
            ("他在客厅走来走去", "紧急工单"),
            ("我的工单", "工单"),
            ("取消", "紧急工单仍会"),
            ("另外楼上漏水把我家天花板泡坏了，找他也不管", "哪个社区"),
            ("西桥社区", "联系方式：不打电话"),
        ],
    )
    assert not any("手机号" in reply for reply in replies[1:])
    with services.db.session() as session:
        urgent = [t for t in tickets_of_resident(session, find_resident(session, resident.openid).id) if t.urgent][0]
        assert urgent.description.count(STAFF_WRITE_NOTE) == 1 and "我不敢打电话" in urgent.description


def test_not_daring_to_call_in_the_first_message_is_noted_on_the_urgent_case(services, resident):
    reply = converse(resident, [("救命 我老公在砸门要打死我 我不敢打电话 他会听到", "110")])[0]
    assert "手机号" not in reply
    assert STAFF_WRITE_NOTE in only_ticket(services, resident.openid).description


# --- self-harm advice only for one who speaks of harming themselves ---------------------------


def test_a_threat_from_someone_else_never_gets_the_self_harm_advice(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 他又喝多了在外面摔东西 说今天要弄死我 我把自己反锁在房里了", "110"),
            ("他好像睡着了 我现在该怎么办", "紧急工单"),
            ("我老公喝醉了在砸门 说要打死我", "110"),
        ],
    )
    assert not any("12356" in reply or "伤害自己" in reply for reply in replies)
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    assert "12356" in converse(other, [("我不想活了 活着没意思", "110")])[0]


# --- domestic without a relation word: the one who threatens is at home with her ----------------


def test_a_threat_from_someone_at_home_gets_the_domestic_violence_help(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 他又喝多了在外面摔东西 说今天要弄死我 我把自己反锁在房里了", "12338"),
            ("我怕明天他醒了还会打我", "人身安全保护令"),
        ],
    )
    assert "人身安全保护令" in replies[0] and "已补充到紧急工单" in replies[1]
    assert "我怕明天他醒了" in only_ticket(services, resident.openid).description
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    assert "12338" not in converse(other, [("隔壁邻居喝醉了在砸我家门 说要弄死我 我把自己反锁在房里了", "110")])[0]


# --- no danger warning for anger at the service or unpaid wages --------------------------------


@pytest.mark.parametrize(
    "says, expected",
    [
        ("你们就是一群吃闲饭的 打电话也没人接", "抱歉"),
        ("我们在工地上干了大半年 包工头跑路了 我们二十几个人的工钱都没拿到", "法律咨询"),
    ],
)
def test_anger_at_the_service_or_unpaid_wages_gets_no_danger_warning(services, resident, says, expected):
    reply = converse(resident, [(says, expected)])[0]
    assert "人身危险" not in reply and not tells_to_call_110(reply)


def test_no_thanks_at_the_summary_cancels_and_saying_report_it_after_all_resumes(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "拖椅子"),
            ("不了 谢谢", "已取消"),
            ("想了想还是帮我报一下吧", "拖椅子"),
            ("1", "工单"),
        ],
    )
    description = only_ticket(services, resident.openid).description
    assert "拖椅子" in description and "不了" not in description


def test_saturday_opening_and_whether_anyone_took_the_case_are_understood(resident):
    replies = converse(resident, [("周六开门吗", "周末"), ("我刚才那个事 有人管了没有", "工单")])
    assert not any("没太明白" in reply for reply in replies)


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
        ],
    )
    assert "纸箱子" in replies[-1]


def test_the_last_play_test_no_thanks_then_yes_after_all_and_the_phone_question(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("你们要我电话干嘛", "只给处理这件事的工作人员"),
            ("好的可以留电话", "请直接回复您的手机号"),
            ("不留", "请确认"),
            ("算了 不用了", "已取消"),
            ("哎还是给我登记上吧", "请确认"),
            ("还是给我登记上吧", "工单"),
        ],
    )
    assert "算了" not in only_ticket(services, resident.openid).description


def test_saturday_asked_in_other_words_gets_the_opening_hours(resident):
    converse(resident, [("请问星期六你们那边有人上班不", "周末"), ("周末你们办公吗", "周末")])


def test_he_went_out_gets_what_to_do_next(resident):
    converse(
        resident,
        [
            ("救命 我老公喝醉了在砸门 说要弄死我", "110"),
            ("他好像出门了 现在咋办", "安全的地方"),
        ],
    )


# --- hiding from him at home: the domestic-violence help, in the first message or after ----------


@pytest.mark.parametrize(
    "script",
    [
        [("他又喝醉了在砸东西 说要打死我 我躲进卧室了", "人身安全保护令")],
        [("他拿着刀在客厅转 我和孩子躲到卫生间里了", "人身安全保护令")],
        [("他又喝多了在外面摔东西 说要弄死我", "110"), ("我躲进卧室了 门锁上了", "人身安全保护令")],
    ],
)
def test_hiding_from_him_at_home_gets_the_domestic_violence_help(services, resident, script):
    replies = converse(resident, script)
    assert "12338" in replies[-1] and "12338" not in "".join(replies[:-1])
    assert only_ticket(services, resident.openid).urgent
    other = resident.__class__(resident.client, resident.settings, resident.openid + "b")
    assert "12338" not in converse(other, [("隔壁那个醉鬼在砸我家门 说要打死我 我躲进卧室了", "110")])[0]


# --- going to see a lawyer in person: when the rooms are open and where -------------------------


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


def test_not_knowing_which_of_a_streets_communities_goes_to_that_streets_workstation(services, resident):
    converse(
        resident,
        [
            ("楼上空调外机的水一直滴到我家窗台上", "社区"),
            ("唐家墩那边", "回复 1"),
            ("不晓得是哪个社区", "唐家墩街道公共法律服务工作站"),
        ],
    )


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


def test_only_asking_is_a_whole_message_and_a_plain_stop_is_still_a_cancel():
    from bot.nlu.phrases import anytime_intent

    assert anytime_intent("问问就行 不用立案", in_flow=True) == "only_asking"
    assert anytime_intent("我就是想问问房东不退押金怎么办", in_flow=True) is None  # a question: answered as one
    assert anytime_intent("不登记了", in_flow=True) == "cancel"


# --- someone else threatening to take their own life: what to do for them, not for oneself --------


@pytest.mark.parametrize(
    "says", ["我老公站在阳台外面说要跳", "我儿子把自己锁在屋里说不想活了", "隔壁大姐坐在楼顶边上要往下跳"]
)
def test_someone_else_threatening_to_jump_gets_the_advice_for_someone_else(services, resident, says):
    reply = converse(resident, [(says, "110")])[0]
    assert "120" in reply and "陪" in reply and "12356" in reply
    assert "伤害自己的念头" not in reply and "12338" not in reply  # neither her own self-harm nor violence against her
    assert only_ticket(services, resident.openid).urgent


@pytest.mark.parametrize("says", ["我不想活了 活着没意思", "跟老公吵架了 我真的不想活了"])
def test_one_who_speaks_of_harming_themselves_still_gets_the_advice_for_themselves(resident, says):
    reply = converse(resident, [(says, "12356")])[0]
    assert "伤害自己的念头" in reply and "陪在" not in reply


# --- 110 said once in an urgent reply ---------------------------------------------------------


def test_an_urgent_reply_says_110_once(services, resident, monkeypatch):
    from datetime import datetime

    import bot.cases.tickets
    from bot.cases.office_hours import CHINA

    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: datetime(2026, 11, 24, 2, 49, tzinfo=CHINA))  # at night
    replies = converse(
        resident,
        [
            ("隔壁邻居拿刀威胁我，说要杀了我", "110"),
            ("西桥社区", "西桥社区公共法律服务工作室"),  # the promise at night already says 110
            ("他又在踹我家门了", "已补充到紧急工单"),  # so does the advice before it
            ("他们家三口人都在门口", "已补充到紧急工单"),  # with or without the caution first
        ],
    )
    assert [reply.count("110") for reply in replies[1:]] == [1, 1, 1]


# --- a rating's comment sent in more than one message -------------------------------------------


@pytest.mark.parametrize(
    "rating, comments",
    [
        ("4 还行", ["不过物业一开始拖了好几天", "希望以后快一点"]),
        ("5", ["周师傅很负责 第二天就来了", "就是物业那边一开始推了好几天"]),
    ],
)
def test_words_after_a_rating_comment_are_more_of_that_comment(services, resident, rating, comments):
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "已督促物业清理")
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


# --- after an urgent case: questions are answered, a mistake can be called off ------------------


def test_questions_after_an_urgent_case_are_answered_and_the_case_stays_open(services, resident):
    converse(resident, [("他又喝醉了在砸东西 说要打死我 我躲进卧室了", "人身安全保护令")])
    number = only_ticket(services, resident.openid).number
    replies = converse(
        resident,
        [
            ("我明天能去你们那里吗 带着伢", "开放时间"),  # the hours, not "已补充到紧急工单"
            ("你们办公的地方在哪里", "地址"),
            ("我想问个别的事 离婚要准备什么", "一并解答"),
            ("他又在踹门了", "已补充到紧急工单"),  # details still go to the case
        ],
    )
    assert all(number in reply for reply in replies[2:])
    assert "已补充" not in replies[0] and "已补充" not in replies[2]
    assert "离婚要准备什么" in transcript_of_case(services, resident.openid)


def transcript_of_case(services, openid: str) -> str:
    with services.db.session() as session:
        ticket = only_ticket(services, openid)
        rows = session.scalars(select(Message.content).where(Message.ticket_id == ticket.id))
        return "\n".join(row or "" for row in rows)


@pytest.mark.parametrize("mistake", ["不是急事 他中风是上个月的事了 我就是想问问取钱的事", "搞错了 不紧急"])
def test_a_resident_calls_off_an_urgent_case_that_was_no_emergency(services, resident, mistake):
    converse(resident, [("我老头子刚才摔倒了 躺在地上起不来", "120")])
    converse(resident, [(mistake, "改为普通事项")])
    assert not only_ticket(services, resident.openid).urgent


def test_a_mistake_that_names_the_danger_again_is_confirmed_before_the_case_is_calmed(services, resident):
    converse(resident, [("屋里好大一股煤气味", "燃气")])
    (reply,) = converse(resident, [("搞错了 煤气味是楼下在熬中药", "没有危险")])
    assert "关闭阀门" not in reply and only_ticket(services, resident.openid).urgent
    converse(resident, [("没有危险", "改为普通事项")])
    assert not only_ticket(services, resident.openid).urgent


@pytest.mark.parametrize("emergency", ["我爸刚才倒在厕所里 喊他不答应", "隔壁婆婆一个人住 好几天冇出门 敲门冇人应"])
def test_a_medical_emergency_in_the_family_gets_no_domestic_violence_help(services, resident, emergency):
    (reply,) = converse(resident, [(emergency, "紧急工单")])
    assert "保护令" not in reply and "12338" not in reply


# --- corrections at the summary ---------------------------------------------------------------


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


# --- ratings said in words ----------------------------------------------------------------------


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
    ],
)
def test_a_rating_said_in_words_is_recorded(services, resident, says, score, comment):
    resolved_case(services, resident)
    converse(resident, [(says, f"{score} 分")])
    ticket = only_ticket(services, resident.openid)
    assert (ticket.rating, ticket.rating_comment) == (score, comment)


def test_a_rating_in_words_is_taken_while_a_numbered_question_waits(services, resident):
    resolved_case(services, resident)
    converse(resident, [("我昨天说的那个事 有人管冇", "")])  # may leave a numbered question waiting
    converse(resident, [("给个4分吧", "4 分")])
    assert only_ticket(services, resident.openid).rating == 4


def test_unhappy_and_unresolved_reopens_rather_than_rates(services, resident):
    resolved_case(services, resident)
    converse(resident, [("不满意 还是没解决", "重新打开")])
    assert only_ticket(services, resident.openid).rating is None


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


@pytest.mark.parametrize(
    "asks, expected",
    [
        ("我昨天跟你们说的楼上吵的事 有人管冇", "您最近的工单"),
        ("么时候有人来", "工作人员会在"),
    ],
)
def test_a_resident_coming_back_about_their_case_gets_its_status(services, resident, asks, expected):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    (reply,) = converse(resident, [(asks, number)])
    assert expected in reply and "1 邻里纠纷" not in reply
    converse(resident, [(f"{number} 么样了", "您最近的工单")])
    assert len(tickets_of(services, resident.openid)) == 1


def tickets_of(services, openid: str):
    with services.db.session() as session:
        return tickets_of_resident(session, find_resident(session, openid).id)


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


def test_asking_for_a_person_again_opens_no_case_with_it_for_a_story(services, resident):
    replies = converse(
        resident,
        [
            ("你是机器人吧 我要跟人讲话", "哪类问题"),
            ("人呢", "还没有回复您"),
            ("你们到底有冇得人啊", "还没有回复您"),
            ("物业把小区绿地改成停车位收费", "已记到工单里"),
        ],
    )
    assert "法律咨询，我来帮您转给" not in replies[1] + replies[2]
    ticket = only_ticket(services, resident.openid)  # one case for the request, asked three times
    assert "人呢" not in ticket.description and "绿地" in ticket.description


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


@pytest.mark.parametrize("says", ["伢才3岁", "好多人都在群里骂"])
def test_a_detail_told_when_the_community_is_asked_goes_into_the_case(services, resident, says):
    converse(resident, [("楼上天天半夜跺脚 吵得睡不着", "哪个社区")])
    (reply,) = converse(resident, [(says, "已记到您的描述里")])
    assert "没有找到" not in reply
    converse(resident, [("八古墩社区", "手机号"), ("不留", "请确认"), ("1", "工单")])
    assert says in only_ticket(services, resident.openid).description


def test_dizziness_beside_a_coal_stove_gets_120_as_well(services, resident):
    (reply,) = converse(resident, [("屋里烧的煤炉子 我跟老伴头有点晕 想吐", "120")])
    assert "紧急工单" in reply


def test_after_the_phone_of_an_urgent_case_what_follows_still_belongs_to_it(services, resident):
    converse(
        resident,
        [
            ("我老公在砸门 喊着要打死我", "110"),
            ("13600001111", "已记下您的电话"),
            ("他还在砸 门快被砸开了", "已补充到紧急工单"),
            ("我住八古墩社区", "八古墩社区"),
        ],
    )
    ticket = only_ticket(services, resident.openid)  # one case, not a second urgent one
    assert "还在砸" in ticket.description and unit_code(services, ticket.unit_id) == "baguodun"


def test_a_mistake_said_after_the_phone_still_calls_the_urgency_off(services, resident):
    converse(
        resident,
        [
            ("屋里有煤气味 好大", "燃气"),
            ("18900002222", "已记下您的电话"),
            ("搞错了 是楼下在熬中药", "改为普通事项"),
        ],
    )
    assert not only_ticket(services, resident.openid).urgent


def test_saying_one_does_not_want_to_live_is_a_danger(services, resident):
    (reply,) = converse(resident, [("我想不活了 被他们逼的", "12356")])
    assert "紧急工单" in reply


def test_asking_about_the_case_after_rating_it_is_no_comment(services, resident):
    resolved_case(services, resident)
    converse(resident, [("一般般吧", "3 分"), ("我昨天说的那个楼道的事 么样了", "已办结")])
    assert only_ticket(services, resident.openid).rating_comment is None


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


def test_no_i_only_wanted_to_ask_after_an_intake_began_gets_the_answer(services, resident):
    converse(resident, [("离婚了孩子跟哪个 我想要孩子", "社区")])
    (reply,) = converse(resident, [("不是 我就是问问 不用登记", "不登记")])
    assert "已取消" not in reply and no_tickets(services, resident.openid)


@pytest.mark.parametrize("asks", ["法律咨询收费吗", "找你们要钱吗", "请律师打官司免费吗"])
def test_asking_what_the_service_costs_is_answered(services, resident, asks):
    (reply,) = converse(resident, [(asks, "免费")])
    assert "哪个社区" not in reply and "这是想咨询法律问题吗" not in reply


def test_news_the_bot_cannot_place_while_a_case_is_open_is_pointed_to_it(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    converse(resident, [("他们昨晚上又跳到12点", f"如果是工单 {number} 的新情况")])
    converse(resident, [("补充：他们昨晚上又跳到12点", "补充")])
    assert "又跳到12点" in only_ticket(services, resident.openid).description


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


def test_a_bare_rating_no_waiting_question_could_mean_is_the_rating(services, resident):
    resolved_case(services, resident)
    converse(resident, [("合同的事", "回复 2 都不是")])  # a numbered question of two answers waits
    converse(resident, [("4", "4 分")])
    assert only_ticket(services, resident.openid).rating == 4
    converse(resident, [("1", "社区")])  # the question still waits, and 1 answers it


# --- from the last play-test -------------------------------------------------------------------


def test_a_person_asked_for_in_few_words_is_a_request_for_a_person(services, resident):
    (reply,) = converse(resident, [("人呢", "转人工")])
    assert "12345" not in reply


def test_after_a_rating_a_bare_hum_or_a_call_for_a_person_is_no_comment(services, resident):
    resolved_case(services, resident)
    converse(resident, [("5", "5 分"), ("调解员蛮好的", "已和评价一起记在"), ("嗯", ""), ("人呢", "已为您转人工")])
    with services.db.session() as session:  # the request for a person is a case of its own
        (rated,) = [t for t in tickets_of_resident(session, find_resident(session, resident.openid).id) if t.rating]
    assert rated.rating_comment == "调解员蛮好的"


def test_an_urgent_case_called_a_joke_is_calmed(services, resident):
    converse(resident, [("隔壁邻居拿刀威胁我，说要杀了我", "110"), ("刚才是开玩笑的 冇得这回事", "改为普通事项")])
    assert not only_ticket(services, resident.openid).urgent


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


def tells_to_call_110(reply: str) -> bool:
    """True when the reply names 110 as a number to call (a case number such as JH261207-0110 is not)."""
    return re.search(r"(?<![\d-])110(?!\d)", reply) is not None
