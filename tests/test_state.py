"""Dialogue state: kept in the database, so a Redis restart loses no dialogue in progress."""

from __future__ import annotations

from bot.storage.directory import unit_by_code
from bot.storage.residents import touch_resident
from tests.scripted import ScriptedClassifier

STORY = "楼上邻居天天半夜跺脚还拖椅子，吵得我们全家睡不着，说了好几次都不听"


def test_save_load_and_clear(services):
    services.dialogue.save("o_state_roundtrip_01", {"flow": "intake", "step": "phone"})
    assert services.dialogue.load("o_state_roundtrip_01") == {"flow": "intake", "step": "phone"}
    services.dialogue.save("o_state_roundtrip_01", {})
    assert services.dialogue.load("o_state_roundtrip_01") == {}


def test_an_expired_dialogue_is_forgotten(services):
    services.dialogue.save("o_state_expired_0001", {"flow": "intake"})
    services.dialogue.ttl = -1
    assert services.dialogue.load("o_state_expired_0001") == {}


def test_a_dialogue_in_progress_survives_a_redis_restart(services, resident):
    services.classifier = ScriptedClassifier({STORY: "neighbor_dispute"})
    with services.db.session() as session:
        known = touch_resident(session, resident.openid)
        known.community_id = unit_by_code(session, "baguodun").id
        known.phone = "13900003333"
    assert "请确认" in resident.says(STORY)
    for key in services.redis.scan_iter(f"{services.settings.key_prefix}*"):
        services.redis.delete(key)  # what a Redis restart without persistence leaves
    assert "工单" in resident.says("1")
