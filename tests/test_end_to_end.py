"""End to end through the real webhook, real Rasa, Redis and PostgreSQL, with WeChat's retries."""

from __future__ import annotations

import pytest

from bot.storage.directory import unit_by_code
from bot.storage.messages import transcript
from bot.storage.residents import find_resident
from bot.storage.tickets import queue_of, tickets_of_resident
from devtools.simulator import new_msg_id, text_xml

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_stomping_upstairs_ends_in_the_baguodun_mediator_queue_once(services, resident):
    """ "楼上天天半夜跺脚" from a resident of 八古墩社区, every message delivered twice."""
    dialogue = [
        ("楼上天天半夜跺脚", "邻里纠纷"),
        ("八古墩", "八古墩社区"),
        ("快一个月了，每天晚上十二点以后咚咚响，敲门也不理", "手机号"),
        ("不留", "请确认"),
        ("好的", "工单"),
    ]
    for text, expected in dialogue:
        xml = text_xml(resident.openid, text, new_msg_id())
        first = resident.deliver(xml)
        retry = resident.deliver(xml)  # WeChat's retry of the same MsgId
        assert retry == first
        assert expected in first, (text, first)
    with services.db.session() as session:
        room = unit_by_code(session, "baguodun")
        owner = find_resident(session, resident.openid)
        [ticket] = tickets_of_resident(session, owner.id)
        assert ticket in queue_of(session, room.id, "mediator")
        assert ticket.category == "neighbor_dispute"
        said = [message.content for message in transcript(session, ticket.id)]
        assert said[0] == "楼上天天半夜跺脚" and said[-1] == "好的"
        assert len(said) == len(set(said))  # retries added nothing


def test_the_model_really_classifies_through_rasa(services, resident):
    assert services.classifier.classify("物业不修电梯").source == "rasa"
