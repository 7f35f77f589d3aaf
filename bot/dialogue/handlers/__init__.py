"""The tables of the dialogue: intent → handler, any-time phrase → handler, and the flows.

The router (bot/dialogue/router.py) applies them in the order its STAGES declare: a flow's step is
answered through FLOWS (a step that asks yes or no declares its Question: what counts as yes, no and
neither, bot/nlu/answers.py), an any-time phrase through ANYTIME, and what the classifier decides
through HANDLERS.
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
    PhotoState,
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
    media,
    out_of_scope,
    privacy,
    smalltalk,
    status,
    urgent,
)
from bot.dialogue.turn import Turn
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
            "details": Step(intake.details_step, short_answer=False),
            "community": Step(
                only_the_question,
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
                question=Question(
                    YES_OR_NO,
                    yes=intake.number_to_come,
                    no=intake.no_phone,
                    first=intake.phone_step,
                    more_words=MoreWords.STEP,
                    cancel_cancels=True,  # "算了不办了": the intake is cancelled, not left without a phone
                    neither="more of the story or a question, read by the router; the phone is asked again",
                ),
            ),
            "confirm": Step(
                intake.confirm_step,
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
        question=Question(
            YES_OR_NO,
            yes=community.moving_yes,
            no=community.moving_no,
            cancel_cancels=True,
            neither="a community named or picked; else handed on as any message",
        ),
    ),
    # A photo while several cases are open and none is being talked about: which case it is for.
    "photo": one_step_flow(
        PhotoState, "which", media.photo_case_step, media.photo_prompt, leave=media.leave_photo_choice
    ),
    "urgent": Flow(
        state=UrgentState,
        steps={
            "follow_up": Step(urgent.follow_up, short_answer=False),
            "call_off": Step(
                urgent.call_off_step,
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


def go_back(turn: Turn) -> str:
    """Any-time "go back": the active flow's previous question; a flow without one just ends."""
    flow = FLOWS.get(turn.dialogue.flow_name or "")
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
