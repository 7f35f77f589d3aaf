"""The tables of the dialogue: intent → handler, any-time phrase → handler, and the flows.

How a text message is answered (bot/router.py applies these tables in this order):
1. danger (bot/intents signals) → urgent.urgent_case, whatever else the message is;
2. an active flow's current step (FLOWS below) — the step takes the message or declines it;
3. an any-time phrase (ANYTIME: only asking, cancel, go back, 我的工单, 转人工, moving, where, when, a complaint;
   bot/phrases.py); a request to erase one's data is read even before the step;
4. the classifier: an any-time intent again by meaning; inside a flow a new question is answered
   and the step's question asked again (an intake keeps new details of the story); otherwise
   the HANDLERS table.
"""

from __future__ import annotations

from bot.categories import TRIAGE_INTENTS
from bot.dialogue import (
    ClarifyState,
    FaqOfferState,
    Flow,
    IntakeState,
    MovingState,
    Step,
    UrgentState,
    WithdrawState,
    one_step_flow,
)
from bot.faq_file import read_faq_file
from bot.handlers import (
    clarify,
    community,
    faq,
    human,
    intake,
    out_of_scope,
    privacy,
    smalltalk,
    status,
    urgent,
)

FAQ_INTENTS = tuple(item["intent"] for item in read_faq_file())

HANDLERS = {
    **{intent: intake.start_case for intent in TRIAGE_INTENTS},
    "greet": smalltalk.greet,
    "thank": smalltalk.thank,
    "goodbye": smalltalk.goodbye,
    "affirm": smalltalk.affirm,
    "deny": smalltalk.deny,
    "cancel": smalltalk.cancel,
    "request_human": human.transfer,
    "ticket_status": status.my_tickets,
    "change_community": community.change_community,
    "out_of_scope": out_of_scope.answer,
    "nlu_fallback": out_of_scope.unsure,
    **{intent: faq.answer for intent in FAQ_INTENTS},
}

FLOWS: dict[str, Flow] = {
    "intake": Flow(
        state=IntakeState,
        steps={
            "details": Step(intake.details_step, "any words of the story", short_answer=False),
            "community": Step(
                intake.community_step,
                "a community name or alias, a number from the list, 不知道, another district",
                on_miss=intake.community_miss,
            ),
            "phone": Step(
                intake.phone_step,
                "a mobile number; 不留/不用了/算了/不知道 = no phone; 冇得电话 = none at all (staff write); "
                "是的 = asks for the number; another community = a correction",
            ),
            "confirm": Step(intake.confirm_step, "1/确认/对/提交 = open the case; 2/不 = add more; words = story"),
        },
        prompt=intake.prompt,
        go_back=intake.go_back,
        keeps_on_new_topic=True,
        way_out=intake.way_out,
    ),
    "clarify": one_step_flow(ClarifyState, "choose", clarify.choose_step, clarify.prompt,
                             "a number, 是 to a single choice, words naming a kind of case",
                             leave=clarify.leave),
    "faq_offer": one_step_flow(FaqOfferState, "offer", faq.offer_step, faq.prompt,
                               "1/好 = open a case; 2/不用 = done"),
    "moving": one_step_flow(MovingState, "community", community.moving_step, community.moving_prompt,
                            "a community name, a number from the list, another district"),
    "urgent": one_step_flow(UrgentState, "follow_up", urgent.follow_up, urgent.prompt,
                            "a phone number, a community (the case goes to its room) or any detail (added to the "
                            "urgent case)", short_answer=False),
    "withdraw": one_step_flow(WithdrawState, "confirm", status.withdrawal_step, status.withdrawal_prompt,
                              "1/是/撤回 = withdraw the case; 2/不 = keep it"),
}


def go_back(turn) -> str:
    """Any-time "go back": the active flow's previous question; a flow without one just ends."""
    flow = FLOWS.get(turn.dialogue.flow_name)
    if flow is not None and flow.go_back is not None:
        return flow.go_back(turn)
    turn.dialogue.end()
    return "好的。请直接说说您想咨询或反映的事情。"


# The any-time phrases (bot/phrases.py ANYTIME_PHRASES, or the same intents from the classifier)
# and what they do in any step of any flow.
ANYTIME = {
    "only_asking": faq.only_asking,
    "cancel": smalltalk.cancel,
    "go_back": go_back,
    "ticket_status": status.my_tickets,
    "request_human": human.transfer,
    "change_community": community.change_community,
    "where_is": community.where_is,
    "when_answered": status.when_answered,
    "complain_service": human.complaint,
    "erase_personal_data": privacy.erase_my_data,
}
