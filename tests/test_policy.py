"""The confidence policy: triage, clarify, FAQ, conversational, out of scope."""

from __future__ import annotations

from bot.intents.policy import (
    FAQ_MIN_CONFIDENCE,
    KINDS,
    Decision,
    close_choices,
    decide,
    triage_category,
)
from bot.intents.types import Classification


def rasa(*ranking: tuple[str, float]) -> Classification:
    """A classification as Rasa would return it (the first entry is the intent)."""
    return Classification(ranking[0][0], ranking[0][1], list(ranking), [], "rasa")


def test_a_clear_triage_intent_opens_a_case():
    decision = decide(rasa(("neighbor_dispute", 0.93), ("property_complaint", 0.04)))
    assert decision == Decision("triage", "neighbor_dispute", (), decision.confidence)
    assert decision.triage == "neighbor_dispute"


def test_two_close_triage_intents_make_it_ask():
    decision = decide(rasa(("neighbor_dispute", 0.5), ("property_complaint", 0.35), ("greet", 0.1)))
    assert decision.kind == "clarify"
    assert decision.choices == ("neighbor_dispute", "property_complaint")
    assert decision.triage is None


def test_close_within_margin_even_below_the_ratio():
    assert close_choices([("legal_consultation", 0.45), ("neighbor_dispute", 0.26)]) == (
        "legal_consultation",
        "neighbor_dispute",
    )


def test_three_close_triage_intents_are_all_offered():
    decision = decide(rasa(("legal_consultation", 0.34), ("neighbor_dispute", 0.33), ("property_complaint", 0.3)))
    assert decision.kind == "clarify"
    assert len(decision.choices) == 3


def test_confident_faq_is_answered():
    decision = decide(rasa(("faq_water_leak", 0.9), ("neighbor_dispute", 0.05)))
    assert (decision.kind, decision.intent) == ("faq", "faq_water_leak")


def test_unsure_faq_opens_a_case_of_its_category():
    decision = decide(rasa(("faq_water_leak", FAQ_MIN_CONFIDENCE - 0.1), ("greet", 0.1)))
    assert (decision.kind, decision.intent) == ("triage", "neighbor_dispute")


def test_faq_confidence_adds_to_its_category():
    # legal 0.4 alone would look close to property 0.3; with its FAQ it clearly leads.
    decision = decide(rasa(("legal_consultation", 0.4), ("faq_unpaid_wages", 0.3), ("property_complaint", 0.2)))
    assert (decision.kind, decision.intent) == ("triage", "legal_consultation")


def test_unsure_service_faq_opens_nothing():
    decision = decide(rasa(("faq_office_hours", 0.5), ("greet", 0.2)))
    assert decision.kind == "out_of_scope"


def test_fallback_with_triage_on_top_asks():
    decision = decide(
        rasa(("nlu_fallback", 0.5), ("neighbor_dispute", 0.45), ("property_complaint", 0.4), ("greet", 0.1))
    )
    assert decision.kind == "clarify"
    assert decision.choices == ("neighbor_dispute", "property_complaint")


def test_fallback_between_a_triage_intent_and_its_own_faq_opens_the_case():
    decision = decide(
        rasa(("nlu_fallback", 0.5), ("faq_no_labor_contract", 0.45), ("legal_consultation", 0.42), ("greet", 0.05))
    )
    assert (decision.kind, decision.intent) == ("triage", "legal_consultation")


def test_fallback_with_a_weak_single_triage_lean_asks_to_confirm():
    decision = decide(rasa(("nlu_fallback", 0.5), ("property_complaint", 0.35), ("out_of_scope", 0.3)))
    assert decision.kind == "clarify"
    assert decision.choices == ("property_complaint",)


def test_fallback_without_triage_on_top_says_unsure():
    decision = decide(rasa(("nlu_fallback", 0.5), ("greet", 0.45), ("neighbor_dispute", 0.3)))
    assert (decision.kind, decision.intent) == ("out_of_scope", "nlu_fallback")


def test_conversational_and_out_of_scope():
    assert decide(rasa(("thank", 0.97))).kind == "conversational"
    assert decide(rasa(("out_of_scope", 0.99))) == Decision("out_of_scope", "out_of_scope", (), 0.99)


def test_unknown_intent_is_treated_as_unsure():
    decision = decide(rasa(("some_new_intent", 0.99)))
    assert (decision.kind, decision.intent) == ("out_of_scope", "nlu_fallback")


def test_every_kind_is_known():
    assert set(KINDS) == {"triage", "clarify", "faq", "conversational", "out_of_scope"}


def test_triage_category():
    assert triage_category("faq_elevator_broken") == "property_complaint"
    assert triage_category("faq_legal_aid") is None
    assert triage_category("greet") is None
