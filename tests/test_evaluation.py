"""The evaluation figures: what counts as triaged, turned away or out of scope."""

from __future__ import annotations

from bot.nlu.examples import Example, examples_from_yaml, strip_annotations
from bot.nlu.types import Classification
from bot.training.evaluation import (
    HELDOUT_FILES,
    Prediction,
    percentile,
    plot_confusion,
    predict,
    real_question_figures,
    routing_figures,
    split_trained,
    triage_label,
)


def prediction(gold: str, routed: str, intent: str | None = None) -> Prediction:
    return Prediction("x", gold, intent or routed, 0.9, "triage", routed)


def test_entity_markup_is_stripped():
    assert strip_annotations('我电话[13912345678](phone)，住[万松园]{"entity": "community"}') == (
        "我电话13912345678，住万松园"
    )


def test_examples_from_yaml(tmp_path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 你好\n    - 在吗\n'
        "- regex: phone\n  examples: |\n    - 1\\d{10}\n",
        encoding="utf-8",
    )
    assert examples_from_yaml(path) == [Example("你好", "greet"), Example("在吗", "greet")]


def test_faq_intents_score_as_their_category():
    assert triage_label("faq_water_leak") == "neighbor_dispute"
    assert triage_label("faq_office_hours") == "service"
    assert triage_label("greet") == "greet"


def test_routing_figures():
    predictions = [
        prediction("legal_consultation", "legal_consultation"),
        prediction("legal_consultation", "out_of_scope"),
        prediction("neighbor_dispute", "neighbor_dispute"),
        prediction("neighbor_dispute", "clarify", "nlu_fallback"),
        prediction("property_complaint", "property_complaint"),
        prediction("out_of_scope", "out_of_scope"),
        prediction("out_of_scope", "property_complaint"),
    ]
    figures = routing_figures(predictions)
    assert figures["oos_given_triage"] == 0.5
    assert figures["triage_turned_away"] == 0.2
    assert figures["triage_clarified"] == 0.2
    # legal: P 1 R .5; neighbour: P 1 R .5; property: P .5 R 1 → each F1 2/3.
    assert abs(figures["triage_macro_f1"] - 2 / 3) < 1e-9


def test_predict_applies_the_policy():
    def classify(text):
        return Classification("nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("greet", 0.4)])

    [result] = predict([Example("嗯嗯", "affirm")], classify)
    assert (result.kind, result.routed) == ("out_of_scope", "out_of_scope")


def test_real_question_figures():
    figures = real_question_figures(
        [
            prediction("legal_consultation", "legal_consultation"),
            prediction("legal_consultation", "neighbor_dispute"),
            prediction("legal_consultation", "out_of_scope"),
            prediction("legal_consultation", "clarify"),
        ]
    )
    assert (figures["triaged_any"], figures["turned_away"], figures["clarified"]) == (0.5, 0.25, 0.25)


def test_split_trained():
    fresh, leaked = split_trained(
        [Example("你 好", "greet"), Example("楼上漏水", "neighbor_dispute")], [Example("你好", "greet")]
    )
    assert [e.text for e in fresh] == ["楼上漏水"] and [e.text for e in leaked] == ["你 好"]


def test_percentile():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == 4.0


def test_confusion_png(tmp_path):
    path = plot_confusion([prediction("greet", "greet"), prediction("greet", "clarify")], tmp_path / "c.png", "t")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_outcome_of_a_real_question():
    def outcome(routed, kind="triage", choices=()):
        return Prediction("x", "legal_consultation", "i", 0.5, kind, routed, 0.0, choices).outcome

    assert outcome("legal_consultation") == "handled"
    assert outcome("neighbor_dispute") == "handled"  # a case in another room still reaches a person
    assert outcome("service", kind="faq") == "handled"
    assert outcome("clarify", "clarify", ("neighbor_dispute", "legal_consultation")) == "handled"
    assert outcome("clarify", "clarify", ("neighbor_dispute", "property_complaint")) == "other"
    assert outcome("out_of_scope", "out_of_scope") == "turned_away"
    assert outcome("greet", "conversational") == "turned_away"
    assert outcome("cancel", "conversational") == "turned_away"
    assert outcome("request_human", "conversational") == "other"


def test_turned_away_counts_a_greeting_answer_to_a_question():
    predictions = [
        Prediction("x", "legal_consultation", "greet", 0.9, "conversational", "greet"),
        Prediction("y", "legal_consultation", "legal_consultation", 0.9, "triage", "legal_consultation"),
        Prediction("z", "out_of_scope", "faq_how_it_works", 0.9, "faq", "service"),
        Prediction("w", "out_of_scope", "out_of_scope", 0.9, "out_of_scope", "out_of_scope"),
    ]
    figures = routing_figures(predictions)
    assert (figures["triage_turned_away"], figures["triage_handled"]) == (0.5, 0.5)
    assert figures["oos_given_case_or_faq"] == 0.5 and figures["oos_given_triage"] == 0.0
    real = real_question_figures(predictions[:2])
    assert (real["handled"], real["turned_away"]) == (0.5, 0.5)


def test_predict_gives_the_policy_the_text_and_keeps_the_choices():
    def classify(text):
        return Classification("nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("out_of_scope", 0.4)])

    [legal, chat] = predict(
        [Example("老板欠我三个月工资不给", "legal_consultation"), Example("哈哈哈", "out_of_scope")], classify
    )
    assert (legal.kind, legal.choices, legal.outcome) == ("clarify", ("legal_consultation",), "handled")
    assert (chat.kind, chat.routed) == ("out_of_scope", "out_of_scope")


def test_both_heldout_sets_are_scored_by_default():
    names = [path.name for path in HELDOUT_FILES]
    assert names == [
        "routing_fresh3.yml",
        "routing_fresh2.yml",
        "routing_fresh.yml",
        "heldout.yml",
        "areas.yml",
        "faq.yml",
    ]
    assert all(path.exists() for path in HELDOUT_FILES)


def test_the_issues_routing_figures():
    def routed(gold, routed, kind="triage", choices=()):
        return Prediction("x", gold, "i", 0.5, kind, routed, 0.0, choices)

    predictions = [
        routed("neighbor_dispute", "neighbor_dispute"),
        routed("neighbor_dispute", "property_complaint"),  # wrong room
        routed("property_complaint", "neighbor_dispute", "faq"),  # an FAQ of the other room: wrong room too
        routed("property_complaint", "clarify", "clarify", ("property_complaint", "legal_consultation")),
        routed("legal_consultation", "clarify", "clarify", ("neighbor_dispute", "property_complaint")),
        routed("legal_consultation", "out_of_scope", "out_of_scope"),
        routed("out_of_scope", "legal_consultation"),
        routed("out_of_scope", "clarify", "clarify", ("legal_consultation",)),  # no wrong room for these
    ]
    figures = routing_figures(predictions)
    assert (figures["in_scope"], figures["out_of_scope"]) == (6, 2)
    assert figures["in_scope_right"] == 1 / 6
    assert figures["wrong_room"] == 2 / 6
    assert figures["triage_clarified"] == 2 / 6
    assert figures["triage_turned_away"] == 1 / 6
    assert figures["oos_given_triage"] == 0.5
    assert figures["clarify_only_wrong"] == 1
