"""The tables of the dialogue: intent → handler, any-time phrase → handler, and the flows.

How a text message is answered (bot/dialogue/router.py applies these tables in this order):
1. danger (bot/intents signals) → urgent.urgent_case, whatever else the message is;
2. an active flow's current step (FLOWS below) — the step takes the message or declines it; a step
   that asks yes or no declares its Question: what counts as yes, no and neither (bot/nlu/answers.py);
3. an any-time phrase (ANYTIME: only asking, cancel, go back, 我的工单, 转人工, moving, where, when, a complaint;
   bot/nlu/phrases.py); a request to erase one's data is read even before the step;
4. the classifier: an any-time intent again by meaning; inside a flow a new question is answered
   and the step's question asked again (an intake keeps new details of the story); otherwise
   the HANDLERS table.
"""

from __future__ import annotations

from bot.categories import TRIAGE_INTENTS
from bot.dialogue.flows import (
    ONE_YES_TWO_NO,
    ClarifyState,
    FaqOfferState,
    Flow,
    IntakeState,
    MoreWords,
    MovingState,
    Question,
    Step,
    UrgentState,
    WithdrawState,
    one_step_flow,
    only_the_question,
)
from bot.dialogue.handlers import (
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
from bot.nlu.answers import Answer
from bot.nlu.faq_file import read_faq_file

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

# What counts as yes and no at the yes/no and choice questions: concepts of bot/data/answers.yml,
# read in this order (the first found decides; a negation before the yes-words it may contain).
YES_OR_NO = (("negation", Answer.NO), ("affirmation", Answer.YES))

FLOWS: dict[str, Flow] = {
    "intake": Flow(
        state=IntakeState,
        steps={
            "details": Step(intake.details_step, "any words of the story", short_answer=False),
            "community": Step(
                only_the_question,
                "a community name or alias, a number from the list, 不知道, another district",
                on_miss=intake.community_miss,
                question=Question(
                    YES_OR_NO,
                    yes=intake.community_yes,
                    no=intake.community_no,
                    first=intake.community_step,
                    more_words=MoreWords.STEP,
                    cancel_cancels=True,
                    neither="a place the step does not know: said so, and asked again (on_miss)",
                ),
            ),
            "phone": Step(
                only_the_question,
                "a mobile number; 不留/不用了/算了/不知道 = no phone; 冇得电话 = none at all (staff write); "
                "是的 = asks for the number; another community = a correction",
                question=Question(
                    YES_OR_NO,
                    yes=intake.number_to_come,
                    no=intake.no_phone,
                    first=intake.phone_step,
                    more_words=MoreWords.STEP,
                    neither="more of the story or a question, read by the router; the phone is asked again",
                ),
            ),
            "confirm": Step(
                intake.confirm_step,
                "1/确认/对/提交 = open the case; 2/不 = add more; words = story",
                question=Question(
                    (
                        ("not_yet", Answer.AGAIN),  # "先别交": held, asked again; a question with it answered
                        ("more_to_say", Answer.NO),  # "我还有话说": the addition invited, the words no story
                        ("negation", Answer.NO),
                        ("submit", Answer.YES),  # "对 交吧"
                        ("affirmation", Answer.YES),
                    ),
                    yes=intake.confirmed,
                    no=intake.more_to_add,
                    again=intake.not_yet,
                    numbers=ONE_YES_TWO_NO,
                    first=intake.summary_corrected,
                    more_words=MoreWords.STEP,
                    cancel_cancels=True,
                    neither="a correction of a part, or more of the story, added; the summary again",
                ),
            ),
        },
        prompt=intake.prompt,
        go_back=intake.go_back,
        keeps_on_new_topic=True,
        way_out=intake.way_out,
    ),
    "clarify": one_step_flow(
        ClarifyState,
        "choose",
        clarify.choose_step,
        clarify.prompt,
        "a number, 是 to a single choice, words naming a kind of case",
        leave=clarify.leave,
        question=Question(
            YES_OR_NO,
            yes=clarify.yes,
            no=clarify.no,
            more_words=MoreWords.STEP,
            cancel_cancels=True,
            neither="a number or words naming a kind of case; else the question is left",
        ),
    ),
    # After an FAQ answer, and after a case for the other matter raised meanwhile.
    "faq_offer": one_step_flow(
        FaqOfferState,
        "offer",
        only_the_question,
        faq.prompt,
        "1/好 = open a case; 2/不用 = done",
        question=Question(
            YES_OR_NO,
            yes=faq.take_up,
            no=faq.no_thanks,
            numbers=ONE_YES_TWO_NO,
            neither="handed on as any message (the offer is left)",
        ),
    ),
    "moving": one_step_flow(
        MovingState,
        "community",
        community.moving_step,
        community.moving_prompt,
        "a community name, a number from the list, another district",
        question=Question(
            YES_OR_NO,
            yes=community.moving_yes,
            no=community.moving_no,
            cancel_cancels=True,
            neither="a community named or picked; else handed on as any message",
        ),
    ),
    "urgent": Flow(
        state=UrgentState,
        steps={
            "follow_up": Step(
                urgent.follow_up,
                "a phone number, a community (the case goes to its room) or any detail (added to the urgent case)",
                short_answer=False,
            ),
            "call_off": Step(
                urgent.call_off_step,
                "没有危险/搞错了 = an ordinary case; 不/没有 = still urgent; "
                "是的 = asked again; anything else as follow_up",
                short_answer=False,
                question=Question(
                    (("no_danger", Answer.YES), ("negation", Answer.NO), ("affirmation", Answer.AGAIN)),
                    yes=urgent.called_off,
                    no=urgent.still_urgent,
                    again=urgent.call_off_again,
                    more_words=MoreWords.KEPT,
                    cancel_cancels=True,
                    neither="taken as after any urgent case (follow_up)",
                ),
            ),
        },
        prompt=urgent.prompt,
    ),
    "withdraw": one_step_flow(
        WithdrawState,
        "confirm",
        only_the_question,
        status.withdrawal_prompt,
        "1/是/撤回 = withdraw the case; 2/不/不是撤回/保留 = keep it",
        question=Question(
            (
                ("yes_no_longer", Answer.YES),  # "对 不用了", though "不用了" alone keeps the case
                ("negation", Answer.NO),
                ("keep", Answer.NO),
                ("stop", Answer.YES),
                ("withdraw", Answer.YES),
                ("affirmation", Answer.YES),
            ),
            yes=status.withdraw,
            no=status.keep,
            numbers=ONE_YES_TWO_NO,
            neither="handed on as any message (the question is left, the case kept)",
        ),
    ),
}

# Questions asked outside a flow, declared where they are read.
OTHER_QUESTIONS = {
    "resume_intake": intake.RESUME_OFFER,  # after a cancel: "改主意的话回复“继续登记”"
}


def go_back(turn) -> str:
    """Any-time "go back": the active flow's previous question; a flow without one just ends."""
    flow = FLOWS.get(turn.dialogue.flow_name)
    if flow is not None and flow.go_back is not None:
        return flow.go_back(turn)
    turn.dialogue.end()
    return "好的。请直接说说您想咨询或反映的事情。"


# The any-time phrases (bot/nlu/phrases.py ANYTIME_PHRASES, or the same intents from the classifier)
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
