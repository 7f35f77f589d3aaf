"""Where the resident lives, as dialogues: the community step, misspelt and unknown communities,
location pins, other districts and moving house.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.dialogue.handlers.community import ASK_COMMUNITY
from bot.storage.directory import Unit, unit_by_code
from bot.storage.residents import find_resident
from tests.conversation_helpers import find_unit, no_tickets, only_ticket, unit_code
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")

ELEVATOR_STORY = "物业不修电梯 坏了一个月了"


def open_case_at(resident, community: str) -> str:
    """The resident files a case about the lift at this community; its number, from the reply."""
    steps = [(ELEVATOR_STORY, "哪个社区"), (community, "手机号"), ("不留", "请确认"), ("1", "工单")]
    reply = converse(resident, steps)[-1]
    return reply.split("编号 ")[1].split("。")[0]


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


def test_not_knowing_which_of_a_streets_communities_goes_to_that_streets_workstation(services, resident):
    converse(
        resident,
        [
            ("楼上空调外机的水一直滴到我家窗台上", "社区"),
            ("唐家墩那边", "回复 1"),
            ("不晓得是哪个社区", "唐家墩街道公共法律服务工作站"),
        ],
    )


def test_moving_house_changes_the_community(services, resident):
    converse(resident, [("我搬家了", "哪个社区"), ("舞台社区", "已把您的社区改为舞台社区")])
    with services.db.session() as session:
        assert session.get(Unit, find_resident(session, resident.openid).community_id).code == "wutai"


@pytest.mark.parametrize("unsure", ["不知道", "不晓得"])
def test_moving_house_without_knowing_the_new_community_changes_nothing_and_opens_no_case(services, resident, unsure):
    converse(resident, [("我搬家了", "哪个社区"), ("青年社区", "已把您的社区改为青年社区")])
    converse(resident, [("我又搬到民意街那边了", "哪个社区")])
    (reply,) = converse(resident, [(unsure, "先不改，还是青年社区")])
    assert "发送您的位置" in reply and "法律咨询" not in reply
    assert no_tickets(services, resident.openid)


def test_moving_to_a_street_with_rooms_offers_its_communities(services, resident):
    (reply,) = converse(resident, [("我搬到唐家墩街道那边了", "您现在住哪个")])
    assert "八古墩社区" in reply and "青年社区" in reply
    number = 1 + [line for line in reply.splitlines() if line.startswith("回复")].index(
        next(line for line in reply.splitlines() if "东民社区" in line)
    )
    converse(resident, [(str(number), "已把您的社区改为东民社区")])


def test_a_community_corrected_after_the_case_was_filed_moves_the_case_no_one_has_taken(services, resident):
    number = open_case_at(resident, "八古墩社区")
    (reply,) = converse(resident, [("我社区填错了 应该是青年社区不是八古墩", f"工单 {number} 也已改转给青年社区")])
    assert "仍由原来的工作室" not in reply
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "qingnian"


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


def test_moving_out_of_the_district_with_a_case_open_is_told_where_to_go_and_that_the_case_stays(services, resident):
    converse(resident, [(ELEVATOR_STORY, "物业"), ("北湖社区", "手机号"), ("不留", "请确认"), ("1", "工单")])
    number = only_ticket(services, resident.openid).number
    reply = converse(resident, [("我下个月搬到汉阳去了", "汉阳区公共法律服务中心")])[0]
    assert f"工单 {number} 仍由原来的工作室" in reply and "没太明白" not in reply


def test_a_plain_yes_at_the_community_question_asks_for_the_community_not_the_story(services, resident):
    reply = converse(resident, [("楼上漏水到我家", "社区"), ("对", "社区")])[1]
    assert "说说您想咨询" not in reply
    assert reply.rstrip().endswith(ASK_COMMUNITY.rstrip())


def test_location_pin_at_a_later_step_keeps_the_intake(services, resident):
    with services.db.session() as session:
        room = unit_by_code(session, "datong")
        latitude, longitude = room.latitude, room.longitude
    converse(resident, [("物业把电梯停了半个月说是没钱修", "社区"), ("不知道", "手机号")])
    assert "打铜社区" in resident.sends_location(latitude, longitude)
    converse(resident, [("不留", "请确认"), ("1", "打铜社区公共法律服务工作室")])


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


@pytest.mark.parametrize("says", ["伢才3岁", "好多人都在群里骂"])
def test_a_detail_told_when_the_community_is_asked_goes_into_the_case(services, resident, says):
    converse(resident, [("楼上天天半夜跺脚 吵得睡不着", "哪个社区")])
    (reply,) = converse(resident, [(says, "已记到您的描述里")])
    assert "没有找到" not in reply
    converse(resident, [("八古墩社区", "手机号"), ("不留", "请确认"), ("1", "工单")])
    assert says in only_ticket(services, resident.openid).description


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


# --- a community named again, misspelt, at a later step -------------------------------------------


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


@pytest.mark.parametrize(
    "saturday, told",
    [("2026-11-28 10:00", "现在是开放时间"), ("2026-11-28 13:00", "下次开门是周一 09:00")],
)
def test_a_room_with_saturday_duty_is_said_open_on_saturday_morning(services, resident, monkeypatch, saturday, told):
    from datetime import datetime

    import bot.dialogue.handlers.faq
    from bot.cases.office_hours import CHINA

    with services.db.session() as session:
        room = unit_by_code(session, "wutai")
        usual, room.hours = room.hours, "工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00"
        session.commit()
    now = datetime.fromisoformat(saturday).replace(tzinfo=CHINA)
    monkeypatch.setattr(bot.dialogue.handlers.faq, "utcnow", lambda: now)
    try:
        replies = converse(
            resident,
            [
                ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "法律咨询"),
                ("舞台社区", "手机号"),
                ("那周六上午能去找律师当面问问吗", told),
            ],
        )
    finally:
        with services.db.session() as session:
            unit_by_code(session, "wutai").hours = usual
            session.commit()
    assert "舞台社区公共法律服务工作室" in replies[-1]


# --- places as residents give them -------------------------------------------------------------


@pytest.mark.parametrize(
    "place, room",
    [("花楼那边", "花楼社区"), ("青年社区那块", "青年社区"), ("我们就住在西桥那一片", "西桥社区")],
)
def test_a_community_given_as_around_there_is_that_community(services, resident, place, room):
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            (place, f"已记下：{room}"),
            ("不留", f"转给：{room}公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).unit_id == find_unit(services, room)


def test_a_street_without_rooms_in_the_directory_goes_to_its_workstation(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            ("在民意街这附近", "民意街道公共法律服务工作站"),
            ("不留", "转给：民意街道公共法律服务工作站"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "minyi"
    assert "在民意街这附近" in ticket.description


def test_a_street_without_rooms_named_as_home_with_the_story_goes_to_its_workstation(services, resident):
    replies = converse(
        resident,
        [
            ("我住民意街这附近 楼上天天半夜拖凳子，吵得睡不着", "手机号"),
            ("不留", "转给：民意街道公共法律服务工作站"),
            ("1", "工单"),
        ],
    )
    assert "哪个社区" not in replies[0]
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "minyi" and "我住民意街这附近" in ticket.description


def test_home_named_with_the_story_skips_the_community_question(services, resident):
    replies = converse(
        resident,
        [
            ("我住花楼那块 楼上天天半夜拖凳子，吵得睡不着", "已记下您住在花楼社区"),
            ("不留", "转给：花楼社区公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    assert "哪个社区" not in replies[0] and "手机号" in replies[0]


@pytest.mark.parametrize(
    "story",
    ["我哥住在青年社区 他去世了房子怎么分", "我在青年社区上班 老板拖欠三个月工资怎么办"],
)
def test_a_community_where_someone_else_lives_or_the_resident_works_is_not_their_home(services, resident, story):
    (reply,) = converse(resident, [(story, "哪个社区")])
    assert "已记下您住在" not in reply


@pytest.mark.parametrize(
    "asked, office",
    [
        ("青年社区工作室在哪里", "青年社区公共法律服务工作室"),
        ("花楼街道工作站在哪", "花楼街道公共法律服务工作站"),
        ("区中心在哪里", "江汉区公共法律服务中心"),
    ],
)
def test_an_office_asked_for_by_name_is_that_office(services, resident, asked, office):
    (reply,) = converse(resident, [(asked, office)])
    assert reply.startswith(office) and "地址" in reply


@pytest.mark.parametrize(
    "named",
    ["青年社区", "刚问了楼下邻居 说我们这是青年社区的", "哦我想起来了 我们那个社区叫青年社区 刚才是忘记了"],
)
def test_a_community_remembered_after_not_knowing_it_is_taken(services, resident, named):
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            ("不知道", "江汉区公共法律服务中心"),
            (named, "已记下：青年社区"),
            ("不留", "转给：青年社区公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    assert unit_code(services, only_ticket(services, resident.openid).unit_id) == "qingnian"


def test_a_community_named_after_not_knowing_it_is_no_part_of_a_short_story(services, resident):
    converse(
        resident,
        [
            ("楼上吵", "哪个社区"),
            ("不知道", "多说几句"),
            ("青年社区", "已记下：青年社区"),
        ],
    )


def test_an_old_resident_whose_children_live_away_is_served_here(services, resident):
    replies = converse(
        resident,
        [
            ("我儿女都在外地 我一个人住花楼 楼上天天半夜拖凳子吵得睡不着", "人民调解员"),
            ("不留", "转给：花楼社区公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    assert "外地的话" not in replies[0] and "本服务面向" not in replies[0]


@pytest.mark.parametrize(
    "question",
    [
        "在外地结的婚可以在武汉离吗",
        "我哥死得比我爸早 我侄子能继承吗",
        "我爸住在汉阳 他走了以后房子我和我哥怎么分",
        "我在武昌买的房 开发商一直不交房怎么办",
    ],
)
def test_a_legal_question_about_another_place_or_relative_is_a_legal_question(services, resident, question):
    (reply,) = converse(resident, [(question, "哪个社区")])
    assert "本服务面向" not in reply and "外地的话" not in reply


@pytest.mark.parametrize("stray", ["1", "换社区"])
def test_a_number_or_change_typed_at_the_community_step_stays_out_of_the_case(services, resident, stray):
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            (stray, "社区名称"),
            ("八古墩社区", "已记下：八古墩社区"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).description == "楼上天天半夜拖凳子，吵得睡不着"


def test_change_of_community_asked_at_the_summary_asks_it_again(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "转给：八古墩社区"),
            ("换社区", "哪个社区"),
            ("青年社区", "转给：青年社区公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.description == "楼上天天半夜拖凳子，吵得睡不着"
    assert unit_code(services, ticket.unit_id) == "qingnian"


def test_a_resident_away_reporting_for_a_parent_at_home_here_is_served(services, resident):
    replies = converse(
        resident,
        [
            ("我在外地 我妈一个人住花楼社区 楼上天天半夜拖凳子吵得她睡不着", "哪个社区"),
            ("花楼社区", "手机号"),
            ("不留", "转给：花楼社区公共法律服务工作室"),
            ("1", "工单"),
        ],
    )
    assert "本服务面向" not in replies[0] and "已记下您住在" not in replies[0]


def test_a_community_said_with_more_of_the_story_is_recorded_and_the_rest_kept(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚吵得睡不着", "哪个社区"),
            ("八古墩的 楼上天天漏水 把我家天花板都泡坏了 墙皮也掉了", "已记下：八古墩社区"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "baguodun"
    assert "天花板都泡坏了" in ticket.description and "八古墩的" not in ticket.description


@pytest.mark.parametrize(
    ("says", "street"),
    [("汉兴街的 社区名字记不到了", "汉兴街道"), ("前进街的 前进四路那里", "前进街道"), ("汉兴", "汉兴街道")],
)
def test_a_street_said_with_more_words_goes_to_its_workstation_as_the_bare_name_does(services, resident, says, street):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚吵得睡不着", "哪个社区"),
            (says, f"先转给{street}公共法律服务工作站"),
            ("不留", "请确认"),
        ],
    )


@pytest.mark.parametrize("number", ["13912345678", "我电话 139 1234 5678"])
def test_a_phone_number_at_the_community_question_is_the_phone_not_the_story(services, resident, number):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚吵得睡不着", "哪个社区"),
            (number, "电话记下了"),
        ],
    )
    summary = converse(resident, [("八古墩", "请确认")])[0]
    assert "139****5678" in summary and "13912345678" not in summary
    converse(resident, [("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone == "13912345678" and "1234" not in ticket.description


def test_a_community_corrected_in_the_same_answer_is_the_one_taken(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚吵得睡不着", "哪个社区"),
            ("八古墩 不对 是西桥", "已记下：西桥社区"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "xiqiao" and "不对" not in ticket.description


def test_a_place_not_in_the_directory_is_echoed_by_its_name_alone(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("我住在百步亭花园", "没有找到叫“百步亭花园”的社区"),
        ],
    )


@pytest.mark.parametrize("yes", ["嗯呐", "要得"])
def test_a_local_yes_at_the_community_question_is_neither_a_place_nor_more_story(services, resident, yes):
    converse(resident, [(ELEVATOR_STORY, "哪个社区")])
    (reply,) = converse(resident, [(yes, "好的。")])
    assert reply.endswith(ASK_COMMUNITY) and "记到您的描述里" not in reply
    (summary,) = converse(resident, [("青年社区", "手机号"), ("不留", "请确认")])[1:]
    assert yes not in summary
