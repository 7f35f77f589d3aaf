"""Danger, as dialogues: emergency numbers and the advice that fits, the urgent case, what follows it
(the community named later takes it to that room), and an urgent case called off.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.storage.audit import AuditAction
from bot.storage.directory import district_centre
from bot.storage.residents import find_resident
from bot.storage.staff import AuditEntry, Staff, staff_by_username
from bot.storage.tickets import Handover, Ticket, TicketEvent, tickets_of_resident
from tests.conftest import run_jobs
from tests.conversation_helpers import (
    find_unit,
    no_tickets,
    only_ticket,
    tells_to_call_110,
    tickets_of,
    transcript_of_case,
    unit_code,
)
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_danger_gets_emergency_numbers_and_an_urgent_case(services, resident):
    reply = converse(resident, [("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110")])[0]
    assert "工单" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent
    converse(resident, [("我的工单", ticket.number)])


def test_a_threat_with_a_weapon_in_plain_words_gets_110_and_an_urgent_case(services, resident):
    reply = converse(resident, [("对门那个醉鬼抄起板凳堵在我家门口，说今晚要我好看", "110")])[0]
    assert "1 小时内" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent


def test_a_possible_danger_gets_the_advice_first_and_an_ordinary_answer(services, resident):
    reply = converse(resident, [("楼下那个男的喝醉了一直在砸东西骂人，我有点怕", "110")])[0]
    assert reply.index("110") < 40
    assert no_tickets(services, resident.openid) or not only_ticket(services, resident.openid).urgent


def test_a_gas_leak_opens_an_urgent_case_for_the_property_officer(services, resident):
    reply = converse(resident, [("家里燃气管子一直嘶嘶响，满屋子臭鸡蛋味，我头有点晕", "119")])[0]
    assert "紧急工单（物业问题）" in reply and "物业房管员" in reply
    assert only_ticket(services, resident.openid).urgent


def test_dizziness_beside_a_coal_stove_gets_120_as_well(services, resident):
    (reply,) = converse(resident, [("屋里烧的煤炉子 我跟老伴头有点晕 想吐", "120")])
    assert "紧急工单" in reply


@pytest.mark.parametrize("emergency", ["我爸刚才倒在厕所里 喊他不答应", "隔壁婆婆一个人住 好几天冇出门 敲门冇人应"])
def test_a_medical_emergency_in_the_family_gets_no_domestic_violence_help(services, resident, emergency):
    (reply,) = converse(resident, [(emergency, "紧急工单")])
    assert "保护令" not in reply and "12338" not in reply


def test_ongoing_abuse_told_without_the_usual_words_opens_an_urgent_case(services, resident):
    converse(resident, [("我男人昨晚又打了我一顿 脸上都是青的", "110")])
    assert only_ticket(services, resident.openid).urgent


def test_saying_life_is_not_worth_living_gets_the_helpline(resident):
    converse(resident, [("活着真冇得意思", "12356")])


def test_saying_one_does_not_want_to_live_is_a_danger(services, resident):
    (reply,) = converse(resident, [("我想不活了 被他们逼的", "12356")])
    assert "紧急工单" in reply


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


def test_after_an_urgent_case_only_real_details_are_added_to_it(services, resident):
    converse(
        resident,
        [
            ("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110"),
            ("谢谢", "注意安全"),
            ("1", "注意安全"),
            ("转人工", "查看工单时就会看到"),
            ("他现在还在门口砸门", "已补充"),
        ],
    )
    description = only_ticket(services, resident.openid).description
    assert "砸门" in description
    assert not any(word in description for word in ("【补充】谢谢", "【补充】1", "转人工"))


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


# --- domestic violence: help beyond 110, no phone asked of someone hiding -------------------------


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
            ("转人工", "查看工单时就会看到"),
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


@pytest.fixture
def xiqiao_lawyer(services):
    """西桥社区's lawyer, with WeChat bound for the console's notices; returns the openid."""
    openid = f"o_staff_hu_{uuid.uuid4().hex[:8]}"
    with services.db.session() as session:
        staff_by_username(session, "hu.lawyer").wechat_openid = openid
    yield openid
    with services.db.session() as session:
        staff_by_username(session, "hu.lawyer").wechat_openid = None


def test_an_urgent_case_opened_at_the_centre_follows_the_community_named_later(
    services, resident, fake_wechat, xiqiao_lawyer
):
    converse(resident, [("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110")])
    run_jobs(services)  # the centre's staff are told of the new case
    with services.db.session() as session:
        centre = district_centre(session)
        assert only_ticket(services, resident.openid).unit_id == centre.id  # no community named yet
    replies = converse(
        resident,
        [
            ("我躲在卫生间 他还在外面骂", "已补充到紧急工单"),
            ("我家在西桥社区，他现在还在门口砸门，我好怕", "西桥社区公共法律服务工作室"),
        ],
    )
    assert "也已补充到工单" in replies[-1]
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.unit_id == find_unit(services, "西桥社区") and ticket.handler_id is None
    with services.db.session() as session:
        moved = session.scalar(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.handover.is_not(None))
        )
        assert (moved.handover, moved.reason) == (Handover.TO_COMMUNITY, "居民说明住在西桥社区")
        entry = session.scalar(select(AuditEntry).where(AuditEntry.ticket_id == ticket.id))
        assert (entry.action, entry.actor) == (AuditAction.MOVE_TO_COMMUNITY, "system")
        assert (entry.before["unit_id"], entry.after["unit_id"]) == (centre.id, ticket.unit_id)
    run_jobs(services)
    run_jobs(services)
    notices = [message["content"] for message in fake_wechat.messages(touser=xiqiao_lawyer)]
    assert len(notices) == 1 and notices[0].startswith("【紧急】新工单") and ticket.number in notices[0]
    assert "居民说明所在社区" in notices[0] and f"/console/cases/{ticket.id}" in notices[0]


def test_an_urgent_case_follows_the_community_named_after_its_follow_up_ended(services, resident):
    replies = converse(
        resident,
        [
            ("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110"),
            ("你好", "您好"),  # the urgent follow-up is over
            ("我住西桥社区", "已把您的社区改为西桥社区"),
        ],
    )
    assert "已转给西桥社区公共法律服务工作室" in replies[-1] and "仍由原来的工作室" not in replies[-1]
    assert only_ticket(services, resident.openid).unit_id == find_unit(services, "西桥社区")


def test_an_urgent_case_taken_up_at_the_centre_stays_there(services, resident):
    converse(resident, [("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110")])
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        centre_lawyer = session.scalar(
            select(Staff).where(Staff.unit_id == ticket.unit_id, Staff.role == ticket.role).order_by(Staff.id)
        )
        casework.accept(session, services.jobs, ticket, centre_lawyer)
    reply = converse(resident, [("西桥社区", "正在办理的工作人员会看到")])[0]
    assert "已转给" not in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.unit_id != find_unit(services, "西桥社区") and "西桥社区" in ticket.description


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


def test_he_went_out_gets_what_to_do_next(resident):
    converse(
        resident,
        [
            ("救命 我老公喝醉了在砸门 说要弄死我", "110"),
            ("他好像出门了 现在咋办", "安全的地方"),
        ],
    )


# --- at night: what the resident is told is what the case says she was told -----------------------


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


# --- cannot talk on the phone: said in the urgent follow-up or in the first message ---------------

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


# --- self-harm advice only for one who speaks of harming themselves -------------------------------


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


# --- domestic without a relation word: the one who threatens is at home with her ------------------


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


# --- no danger warning for anger at the service or unpaid wages -----------------------------------


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


# --- hiding from him at home: the domestic-violence help, in the first message or after -----------


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
    assert "照片" not in reply  # someone who wants to die is not asked for photos


# --- 110 said once in an urgent reply -------------------------------------------------------------


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
    number = only_ticket(services, resident.openid).number  # JH261124-0110 is no 110
    assert [reply.replace(number, "").count("110") for reply in replies[1:]] == [1, 1, 1]


# --- after an urgent case: questions are answered, a mistake can be called off --------------------


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


def test_an_urgent_case_called_a_joke_is_calmed(services, resident):
    converse(resident, [("隔壁邻居拿刀威胁我，说要杀了我", "110"), ("刚才是开玩笑的 冇得这回事", "改为普通事项")])
    assert not only_ticket(services, resident.openid).urgent


# --- the journeys: violence at home, fraud, a child at risk, and what only sounds alarming ----------


def test_a_husband_threatening_with_scissors_gets_the_domestic_violence_help_and_the_lawyer(services, resident):
    (reply,) = converse(resident, [("我老公拿着剪刀说要捅死我", "110")])
    assert "人身安全保护令" in reply and "12338" in reply
    assert "《中华人民共和国反家庭暴力法》" in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.category == "legal_consultation" and ticket.role == "lawyer"


def test_money_just_sent_to_a_fake_policeman_gets_110_and_96110_at_once(services, resident):
    (reply,) = converse(resident, [("刚给冒充公安的人转了两万", "96110")])
    assert tells_to_call_110(reply) and "停止转账" in reply and "聊天记录" in reply
    assert "工作日" not in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.category == "legal_consultation" and ticket.role == "lawyer"


def test_a_child_s_disclosure_in_the_middle_of_an_intake_is_a_danger_not_more_of_the_story(services, resident):
    replies = converse(
        resident,
        [
            ("楼上漏水把我家天花板泡坏了", "社区"),
            ("我女儿刚跟我说她舅舅摸她", "紧急工单"),
        ],
    )
    assert tells_to_call_110(replies[1]) and "不要反复追问" in replies[1]
    assert "伤害自己的念头" not in replies[1]
    assert only_ticket(services, resident.openid).urgent


def test_a_ransom_call_about_a_child_gets_110_and_no_money_sent(services, resident):
    (reply,) = converse(resident, [("我儿子放学没回来 刚才有人打电话说要二十万才放人", "紧急工单")])
    assert tells_to_call_110(reply) and "先不要转钱" in reply
    assert only_ticket(services, resident.openid).urgent


def test_a_child_beaten_night_after_night_upstairs_is_a_danger(services, resident):
    (reply,) = converse(resident, [("楼上每天晚上打孩子 孩子哭得很惨", "紧急工单")])
    assert tells_to_call_110(reply) and "人民调解员" not in reply
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.category == "legal_consultation"  # protection, not mediation


def test_a_neighbour_fallen_and_not_answering_is_no_dispute_for_the_mediator(services, resident):
    (reply,) = converse(resident, [("对门的婆婆摔倒在楼梯上起不来了 喊她也不应", "120")])
    assert "邻里纠纷" not in reply and "人民调解员" not in reply
    assert only_ticket(services, resident.openid).category == "legal_consultation"


@pytest.mark.parametrize("story", ["邻居说要把我家门口那棵树砍死", "楼下小伢天天拿球砸我家门 砰砰的"])
def test_a_threat_to_a_tree_or_a_ball_against_the_door_is_no_urgent_case(services, resident, story):
    (reply,) = converse(resident, [(story, "")])
    assert "紧急工单" not in reply
    assert no_tickets(services, resident.openid) or not only_ticket(services, resident.openid).urgent


@pytest.mark.parametrize(
    "story",
    [
        "电动车天天在楼道里充电，哪天着火了就完了，物业也不管",
        "消防通道被堵死了，万一着火人都跑不出去，说了好几次都不搬",
    ],
)
def test_a_fire_only_feared_is_a_complaint_not_an_urgent_case(services, resident, story):
    (reply,) = converse(resident, [(story, "")])
    assert "紧急工单" not in reply and "110" not in reply and no_tickets(services, resident.openid)


@pytest.mark.parametrize("says", ["邻居扬言要烧我家房子", "他说要放火烧我家，万一着火怎么办"])
def test_a_threat_to_burn_the_home_is_urgent(services, resident, says):
    (reply,) = converse(resident, [(says, "紧急工单")])
    assert tells_to_call_110(reply) and only_ticket(services, resident.openid).urgent


def test_a_dog_bite_gets_first_aid_and_the_case_about_the_owner_not_an_urgent_case(services, resident):
    (reply,) = converse(resident, [("被狗咬了 那要打狂犬疫苗吧", "狂犬疫苗")])
    assert "15 分钟" in reply and "24 小时内" in reply
    assert "紧急工单" not in reply
    assert no_tickets(services, resident.openid) or not only_ticket(services, resident.openid).urgent


def test_a_flowerpot_that_hurt_an_old_man_gets_120_and_110(services, resident):
    (reply,) = converse(resident, [("楼上掉下来一个花盆 砸到楼下一个老爷爷头上了 流了好多血", "120")])
    assert tells_to_call_110(reply) and "紧急工单" in reply


def test_a_threat_later_told_to_come_from_her_husband_gets_the_domestic_violence_help_and_the_lawyer(
    services, resident
):
    (first, later) = converse(
        resident,
        [
            ("他又拿剪刀在那里比划 说今天要跟我同归于尽 伢在哭", "110"),
            ("他是我老公", "已补充到紧急工单"),
        ],
    )
    assert "保护令" not in first
    assert "110" in later and "保护令" in later and "12338" in later and "反家庭暴力法" in later
    assert "律师" in later
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and ticket.category == "legal_consultation" and ticket.role == "lawyer"


def test_should_i_call_the_police_after_a_hit_and_run_is_yes_now_on_122(services, resident):
    converse(resident, [("我被车撞了 在医院 对方跑了", "120")])
    (reply,) = converse(resident, [("要不要报警", "要报警")])
    assert "122" in reply and "车牌" in reply
    assert "其他情况要不要报警" not in reply
    assert "要不要报警" in only_ticket(services, resident.openid).description


def test_should_i_call_the_police_on_an_urgent_case_gets_110_not_only_a_promise(services, resident):
    converse(resident, [("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110")])
    (reply,) = converse(resident, [("要不要报警", "110")])
    assert reply.index("110") < reply.index("紧急工单")


@pytest.mark.parametrize(
    ("story", "number"), [("前天被电动车撞了 对方跑了 想找他赔钱", "122"), ("我的手机昨天在菜场被偷了", "110")]
)
def test_should_i_call_the_police_while_a_theft_or_a_hit_and_run_is_registered_is_yes(resident, story, number):
    converse(resident, [(story, "哪个社区")])
    (reply,) = converse(resident, [("要不要报警", "要报警")])
    assert number in reply and "其他情况要不要报警" not in reply and "哪个社区" in reply


def test_should_i_call_the_police_about_a_tenant_who_left_owing_rent_is_no_crime_told(resident):
    converse(resident, [("租客跑了 欠了三个月房租", "哪个社区")])
    converse(resident, [("要不要报警", "其他情况要不要报警")])


@pytest.mark.parametrize("asks", ["已经开窗了 还要么样", "关了阀门了 是不是要找物业换管子"])
def test_what_next_after_a_gas_leak_gets_the_next_steps_then_the_case_s_note(services, resident, asks):
    converse(resident, [("屋里好大的煤气味", "119")])
    (reply,) = converse(resident, [(asks, "燃气公司的抢修电话")])
    assert "室外" in reply and "不要开关电灯电器" in reply and "点火" in reply and "物业" in reply
    assert reply.index("燃气公司") < reply.index("紧急工单")
    assert asks in only_ticket(services, resident.openid).description


def test_what_next_after_a_fire_gets_the_next_steps(resident):
    converse(resident, [("楼道里着火了 好大的烟", "119")])
    (reply,) = converse(resident, [("我们已经下楼了 接下来怎么办", "消防员")])
    assert "不要回去拿东西" in reply and "紧急工单" in reply


def test_a_child_beaten_by_a_drunk_father_gets_a_child_s_words_not_the_adult_s(services, resident):
    (reply,) = converse(resident, [("我爸爸喝了酒就打我 我好怕 我十岁", "110")])
    assert "老师" in reply and "12355" in reply
    assert "保护令" not in reply and "依据" not in reply and "手机号" not in reply
    assert len(reply) < 300
    ticket = only_ticket(services, resident.openid)
    assert ticket.urgent and "未成年人" in ticket.description
    (later,) = converse(resident, [("他还在骂", "工单")])
    assert "保护令" not in later


def test_a_parent_telling_of_a_child_s_age_still_gets_the_domestic_violence_help(resident):
    (reply,) = converse(resident, [("我老公喝了酒就打我 还打我十岁的儿子", "110")])
    assert "保护令" in reply and "12355" not in reply


@pytest.mark.parametrize(
    ("danger", "first"),
    [
        ("楼道里着火了 好大的烟", "119"),
        ("屋里好大的煤气味", "119"),
        ("我爸从梯子上摔下来了 腿流了好多血", "120"),
        ("隔壁邻居喝醉了拿刀威胁我，说要杀了我", "110"),
    ],
)
def test_an_urgent_case_at_night_promises_the_number_for_its_danger_first(resident, monkeypatch, danger, first):
    from datetime import datetime

    import bot.cases.tickets
    from bot.cases.office_hours import CHINA

    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: datetime(2026, 11, 24, 2, 49, tzinfo=CHINA))
    (reply,) = converse(resident, [(danger, "紧急工单")])
    assert f"在此之前如有危险，请先拨打 {first}；" in reply


def test_one_who_wants_to_die_is_given_12356_120_and_110_before_the_case_which_goes_to_the_lawyer(
    services, resident, monkeypatch
):
    from datetime import datetime

    import bot.cases.tickets
    from bot.cases.office_hours import CHINA

    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: datetime(2026, 11, 24, 2, 49, tzinfo=CHINA))
    (reply,) = converse(resident, [("我不想活了 想割腕", "12356")])
    assert reply.index("12356") < reply.index("紧急工单") and reply.index("120") < reply.index("紧急工单")
    assert "请先拨打 120、110；" in reply
    ticket = only_ticket(services, resident.openid)
    # No neighbour or building dispute: the general kind, the lawyer (bot/categories.py GENERAL_CATEGORY).
    assert ticket.urgent and ticket.category == "legal_consultation" and ticket.role == "lawyer"


def test_the_reminders_on_a_gas_case_name_119(resident):
    converse(resident, [("屋里好大的煤气味", "119")])
    (reply,) = converse(resident, [("13712345678", "已记下您的电话")])
    assert "如有危险请先拨打 119。" in reply and "110" not in reply


@pytest.mark.parametrize(
    "says, then",
    [
        # An inheritance: "走了" is a death told, "想一个人占着" a brother's greed, not being alone.
        ("我爸走了，留了一套房子，我哥想一个人占着，我跟我妹也有份吧", "法律咨询"),
        ("我在准备法考，民法总则哪本书好", ""),
        ("我下个月搬到花楼街那边去了", ""),
    ],
)
def test_words_of_death_leaving_or_study_in_an_ordinary_message_raise_no_alarm(services, resident, says, then):
    (reply,) = converse(resident, [(says, then)])
    assert "⚠️" not in reply and "12356" not in reply and not tells_to_call_110(reply)
    assert not [ticket for ticket in tickets_of(services, resident.openid) if ticket.urgent]
