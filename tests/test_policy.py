"""The confidence policy: triage, clarify, FAQ, conversational, out of scope."""

from __future__ import annotations

from bot.nlu.policy import (
    FAQ_MIN_CONFIDENCE,
    KINDS,
    OUT_OF_SCOPE_MIN_CONFIDENCE,
    Decision,
    close_choices,
    decide,
    leading_faq,
    triage_category,
)
from bot.nlu.types import Classification


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


def test_every_decision_is_of_a_kind_the_router_knows():
    samples = [
        rasa(("neighbor_dispute", 0.93)),
        rasa(("nlu_fallback", 0.5), ("legal_consultation", 0.3), ("greet", 0.1)),
        rasa(("faq_elevator_broken", 0.95)),
        rasa(("greet", 0.99)),
        rasa(("out_of_scope", 0.99)),
        rasa(("some_new_intent", 0.99)),
    ]
    assert {decide(sample).kind for sample in samples} <= set(KINDS)


def test_triage_category():
    assert triage_category("faq_elevator_broken") == "property_complaint"
    assert triage_category("faq_legal_aid") is None
    assert triage_category("greet") is None


def said(text: str, *ranking: tuple[str, float]) -> Classification:
    """A Rasa classification of this message text."""
    return Classification(ranking[0][0], ranking[0][1], list(ranking), [], "rasa", text)


# A conversational intent decides only a bare message.


def test_a_bare_greeting_is_a_greeting():
    decision = decide(said("你好，在吗？", ("greet", 0.98), ("legal_consultation", 0.01)))
    assert (decision.kind, decision.intent) == ("conversational", "greet")


def test_a_bare_thanks_is_a_thanks():
    decision = decide(said("好的谢谢您！", ("thank", 0.97), ("affirm", 0.02)))
    assert (decision.kind, decision.intent) == ("conversational", "thank")


def test_a_greeting_around_a_question_the_model_also_saw_opens_its_case():
    decision = decide(
        said(
            "你好在吗 我想离婚但是他不同意不知道怎么办",
            ("greet", 0.55),
            ("legal_consultation", 0.4),
            ("neighbor_dispute", 0.02),
        )
    )
    assert decision == Decision("triage", "legal_consultation", (), 0.4)


def test_thanks_after_a_question_is_the_question():
    decision = decide(said("闯红灯被拍了要扣几分罚多少钱 谢谢", ("thank", 0.8), ("out_of_scope", 0.1)))
    assert decision.kind == "clarify"
    assert decision.choices == ("legal_consultation",)


def test_a_long_story_ending_in_a_question_is_not_a_cancel():
    decision = decide(
        said(
            "借给他的八万块钱三年了一分没还，人也找不到了，算了我该怎么办？",
            ("cancel", 0.6),
            ("legal_consultation", 0.25),
            ("property_complaint", 0.1),
        )
    )
    assert decision.kind == "clarify" and "legal_consultation" in decision.choices


def test_a_greeting_with_chit_chat_stays_a_greeting():
    decision = decide(said("你好呀 今天天气真不错出去走走吧", ("greet", 0.9), ("out_of_scope", 0.08)))
    assert (decision.kind, decision.intent) == ("conversational", "greet")


def test_cancel_alone_still_cancels():
    assert decide(said("算了不办了", ("cancel", 0.95))).intent == "cancel"


# Doubt about a message that could be legal goes to the community lawyer, not out the door.


def test_fallback_on_a_possible_legal_matter_asks_about_the_lawyer():
    decision = decide(
        said("工程干完了甲方一直拖着款不结", ("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("greet", 0.1))
    )
    assert (decision.kind, decision.choices) == ("clarify", ("legal_consultation",))


def test_fallback_leaning_to_another_room_also_offers_the_lawyer():
    decision = decide(
        said(
            "隔壁装修把我家墙震裂了要他赔钱他不肯",
            ("nlu_fallback", 0.5),
            ("neighbor_dispute", 0.45),
            ("out_of_scope", 0.3),
        )
    )
    assert decision.kind == "clarify"
    assert decision.choices == ("neighbor_dispute", "legal_consultation")


def test_fallback_on_chit_chat_is_declined():
    decision = decide(said("哈哈哈哈哈", ("nlu_fallback", 0.5), ("greet", 0.4), ("out_of_scope", 0.3)))
    assert (decision.kind, decision.intent) == ("out_of_scope", "nlu_fallback")


def test_unsure_out_of_scope_that_could_be_legal_asks():
    decision = decide(said("买了套顶账房办不了证怎么办", ("out_of_scope", 0.6), ("legal_consultation", 0.3)))
    assert (decision.kind, decision.choices) == ("clarify", ("legal_consultation",))


def test_clearly_outside_messages_are_declined():
    assert decide(said("明天武汉下雨吗", ("out_of_scope", 0.6), ("greet", 0.1))).kind == "out_of_scope"
    assert decide(said("我的快递到哪了", ("out_of_scope", 0.95))).kind == "out_of_scope"
    # Sure enough that it is outside: even words about money do not make it a case.
    assert decide(said("贷款秒批无抵押", ("out_of_scope", OUT_OF_SCOPE_MIN_CONFIDENCE + 0.1))).kind == "out_of_scope"


def test_unsure_service_faq_that_could_be_legal_offers_the_lawyer():
    decision = decide(said("法律援助要什么条件 我没钱请律师", ("faq_legal_aid", 0.5), ("legal_consultation", 0.3)))
    assert (decision.kind, decision.choices) == ("clarify", ("legal_consultation",))


def test_an_announced_question_is_met_with_an_invitation_not_turned_away():
    announced = Classification("out_of_scope", 0.95, [("out_of_scope", 0.95)], [], "rasa", text="我想问个事")
    assert (decide(announced).kind, decide(announced).intent) == ("conversational", "greet")


def test_a_bare_greeting_is_a_greeting_whatever_the_model_says():
    for text in ("在吗", "在吗？", "你好 在不在", "有人吗"):
        unsure = Classification(
            "nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("greet", 0.45), ("change_community", 0.04)], [], "rasa", text
        )
        assert decide(unsure) == Decision("conversational", "greet", (), 0.5), text
    thanks = Classification("nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("thank", 0.45)], [], "rasa", "你好 谢谢")
    assert decide(thanks).intent != "greet"


# The out-of-scope detector puts out_of_scope first from a low probability (config.yml).


def test_an_unsure_out_of_scope_reading_does_not_hide_the_faq_behind_it():
    unsure = said("离婚要等多少天", ("out_of_scope", 0.4), ("faq_divorce", 0.5), ("legal_consultation", 0.05))
    assert leading_faq(unsure) == ("faq_divorce", 0.5)
    sure = said("今天天气怎么样", ("out_of_scope", OUT_OF_SCOPE_MIN_CONFIDENCE + 0.05), ("faq_divorce", 0.1))
    assert leading_faq(sure) is None


def test_an_faq_the_model_is_sure_of_is_answered_over_an_unsure_out_of_scope_reading():
    decision = decide(said("离婚协议怎么写", ("out_of_scope", 0.3), ("faq_divorce", FAQ_MIN_CONFIDENCE + 0.05)))
    assert (decision.kind, decision.intent) == ("faq", "faq_divorce")


def test_a_crime_told_is_the_lawyers_case_however_unsure_the_out_of_scope_reading():
    decision = decide(said("我的电动车昨晚在楼下被偷了", ("out_of_scope", 0.6), ("legal_consultation", 0.25)))
    assert decision == Decision("triage", "legal_consultation", (), 0.6)
    lost = decide(said("我的钥匙昨天在公园弄丢了", ("out_of_scope", 0.6), ("legal_consultation", 0.25)))
    assert lost.kind != "triage"
