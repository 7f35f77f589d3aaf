"""Dialogue state as data: typed per flow, stored as a plain dict and read back the same."""

from __future__ import annotations

from bot.dialogue.flows import ClarifyState, Dialogue, Fragment, IntakeState, UrgentState


def test_a_dialogue_survives_the_round_trip_through_a_dict():
    dialogue = Dialogue(
        flow=IntakeState(category="neighbor_dispute", step="phone", parts=["楼上漏水"], message_ids=[3]),
        pending_media=["media-1"],
        fragments=[Fragment(2, "水管")],
    )
    again = Dialogue.from_dict(dialogue.to_dict())
    assert again == dialogue
    assert again.flow_name == "intake" and again.active(IntakeState)


def test_reading_a_stored_dict_never_changes_it():
    stored = Dialogue(flow=ClarifyState(choices=["legal_consultation"], message_ids=[1])).to_dict()
    dialogue = Dialogue.from_dict(stored)
    dialogue.flow.message_ids.append(2)
    assert stored["state"]["message_ids"] == [1]
    assert dialogue.to_dict() != stored


def test_an_unknown_flow_or_field_from_an_older_release_is_dropped():
    dialogue = Dialogue.from_dict({"flow": "retired_flow", "state": {"step": "x"}, "pending_media": ["m"]})
    assert dialogue.flow is None and dialogue.pending_media == ["m"]
    urgent = Dialogue.from_dict({"flow": "urgent", "state": {"ticket": 7, "old_key": 1}})
    assert urgent.flow == UrgentState(ticket=7)


def test_an_empty_dialogue_stores_nothing():
    dialogue = Dialogue(flow=UrgentState(ticket=1))
    dialogue.end()
    assert dialogue.to_dict() == {} and dialogue.flow_name is None
