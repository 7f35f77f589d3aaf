"""Dialogue state as data: typed per flow, stored as a plain dict and read back the same."""

from __future__ import annotations

from bot.dialogue.flows import ClarifyState, Dialogue, Fragment, IntakeState, OtherMatter, UrgentState


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


def test_an_intake_stored_with_flat_keys_reads_into_its_groups_and_is_stored_flat_again():
    """Dialogues in progress were stored before contact, place and the other matter were grouped."""
    flat = {
        "category": "neighbor_dispute",
        "step": "confirm",
        "phone_asked": True,
        "text_only": True,
        "contact_time": "晚上",
        "no_community": True,
        "place_words": "菱角湖那块",
        "street_id": 4,
        "other_matter": "公司三个月没发工资",
        "other_category": "legal_consultation",
        "other_message": 9,
    }
    dialogue = Dialogue.from_dict({"flow": "intake", "state": flat})
    state = dialogue.state(IntakeState)
    assert state.contact.text_only and state.contact.contact_time == "晚上"
    assert state.place.place_words == "菱角湖那块" and state.place.street_id == 4
    assert state.other == OtherMatter("公司三个月没发工资", "legal_consultation", 9)
    stored = dialogue.to_dict()["state"]
    assert {key: stored[key] for key in flat} == flat
    assert Dialogue.from_dict(dialogue.to_dict()) == dialogue


def test_an_intake_with_no_other_matter_stores_the_empty_keys_of_before():
    stored = Dialogue(flow=IntakeState(category="legal_consultation")).to_dict()["state"]
    assert (stored["other_matter"], stored["other_category"], stored["other_message"]) == ("", "", None)
    assert Dialogue.from_dict({"flow": "intake", "state": stored}).state(IntakeState).other is None
