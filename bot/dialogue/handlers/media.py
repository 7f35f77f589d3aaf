"""Photos, voice without recognition, links and videos, and anything unknown."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.tickets import attach_message
from bot.categories import CATEGORIES
from bot.dialogue.flows import IntakeState, PhotoState
from bot.dialogue.handlers import intake
from bot.dialogue.turn import Turn
from bot.nlu import phrases
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.tickets import Ticket
from bot.wechat.attachments import case_talked_about, open_cases

PHOTO_UNREADABLE = "抱歉，这张照片没能收到。麻烦您再发一次，或者用文字说说照片里是什么情况。"
# A case the conversation was about this recently (its messages, staff's replies on it) is the one
# a photo is for, even with other cases open.
TALKED_ABOUT_WITHIN = timedelta(hours=24)
# How much of a case's story names it in the list of cases to choose from.
ABOUT_CHARS = 16


def image(turn: Turn) -> str:
    """Handler: a photo is kept for the resident's current case: the one being gathered, the only
    one open, or the one the conversation is about; with several open and none talked about, which
    one is asked."""
    media_id = turn.inbound.media_id
    if media_id is None:  # WeChat's image message names its media; one that does not cannot be kept
        return PHOTO_UNREADABLE
    if (gathering := turn.dialogue.current(IntakeState)) is not None:
        gathering.media.append(media_id)
        intake.keep_message(turn)
        return f"照片收到了，会附在您的工单里。\n{intake.prompt(turn)}"
    if (choosing := turn.dialogue.current(PhotoState)) is not None:
        choosing.message_ids.append(turn.message.id)
        return f"这张也收到了。\n{photo_prompt(turn)}"
    cases = open_cases(turn.session, turn.resident.id)
    if not cases:
        turn.dialogue.pending_media.append(media_id)
        return "照片收到了。请再用文字说说发生了什么，我帮您转给社区工作室。"
    since = utcnow() - TALKED_ABOUT_WITHIN
    ticket = cases[0] if len(cases) == 1 else case_talked_about(turn.session, turn.resident.id, cases, since)
    if ticket is not None:
        attach_message(turn.session, ticket, turn.message, note="居民补充照片")
        about = f"（{case_line(ticket)}）" if len(cases) > 1 else ""
        return f"照片已附到工单 {ticket.number}{about}，工作人员会看到。"
    turn.dialogue.start(PhotoState(tickets=[case.id for case in cases], message_ids=[turn.message.id]))
    return f"照片收到了。{photo_prompt(turn)}"


def case_line(ticket: Ticket) -> str:
    """A case as the resident knows it: its kind and the beginning of their story."""
    story = ticket.description.split("\n", 1)[0]
    story = story if len(story) <= ABOUT_CHARS else story[:ABOUT_CHARS] + "…"
    return f"{CATEGORIES[ticket.category].label}：{story}"


def photo_prompt(turn: Turn) -> str:
    """Which of the open cases the photo is for, as a numbered list."""
    state = turn.dialogue.state(PhotoState)
    cases = _offered(turn, state)
    lines = [f"回复 {index} 工单 {case.number}（{case_line(case)}）" for index, case in enumerate(cases, 1)]
    return f"您有 {len(cases)} 个正在办理的工单，这张照片是哪一个的？\n" + "\n".join(lines)


def photo_case_step(turn: Turn) -> str | None:
    """Step "which": a number from the list, or a case's number, attaches the photos to that case;
    anything else is not an answer (handed on; the photos stay in the conversation log)."""
    state = turn.dialogue.state(PhotoState)
    cases = _offered(turn, state)
    pick = phrases.choice_number(turn.text)
    if pick is not None and 1 <= pick <= len(cases):
        chosen: Ticket | None = cases[pick - 1]
    else:
        chosen = next((case for case in cases if case.number and case.number in turn.text.upper()), None)
    if chosen is None:
        return None
    for message_id in state.message_ids:
        if (photo := turn.session.get(Message, message_id)) is not None:
            attach_message(turn.session, chosen, photo, note="居民补充照片")
    turn.dialogue.end()
    return f"好的，照片已附到工单 {chosen.number}，工作人员会看到。"


def leave_photo_choice(turn: Turn) -> None:
    """The resident moved on without choosing: the photos stay in the conversation log, on no case."""
    turn.dialogue.end()


def _offered(turn: Turn, state: PhotoState) -> list[Ticket]:
    return [case for ticket_id in state.tickets if (case := turn.session.get(Ticket, ticket_id)) is not None]


def voice_unrecognised(turn: Turn) -> str:
    """Handler: a voice note WeChat did not transcribe."""
    return "抱歉，这条语音我没听清。麻烦您打字告诉我，或者再说一遍。"


def link_or_video(turn: Turn) -> str:
    """Handler: links and videos."""
    return "收到。我目前只能看懂文字、语音和照片，麻烦用文字说说您想咨询或反映什么。"


def unknown(turn: Turn) -> str:
    """Handler: a message type we do not know, or one whose content could not be read."""
    if turn.inbound.extra.get("unreadable"):
        return "抱歉，这条消息我没能读出来。麻烦您用文字再发一次，说说您想咨询或反映什么。"
    return "收到您的消息。我目前只能看懂文字、语音、照片和位置，麻烦用文字说说您的情况。"
