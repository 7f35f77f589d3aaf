"""Photos, voice without recognition, links and videos, and anything unknown."""

from __future__ import annotations

from bot.cases.tickets import attach_message
from bot.dialogue.flows import IntakeState
from bot.dialogue.handlers import intake
from bot.dialogue.turn import Turn
from bot.storage.tickets import latest_open_ticket

PHOTO_UNREADABLE = "抱歉，这张照片没能收到。麻烦您再发一次，或者用文字说说照片里是什么情况。"


def image(turn: Turn) -> str:
    """Handler: a photo is kept for the resident's current case."""
    media_id = turn.inbound.media_id
    if media_id is None:  # WeChat's image message names its media; one that does not cannot be kept
        return PHOTO_UNREADABLE
    if (gathering := turn.dialogue.current(IntakeState)) is not None:
        gathering.media.append(media_id)
        intake.keep_message(turn)
        return f"照片收到了，会附在您的工单里。\n{intake.prompt(turn)}"
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is not None:
        attach_message(turn.session, ticket, turn.message, note="居民补充照片")
        return f"照片已附到工单 {ticket.number}，工作人员会看到。"
    turn.dialogue.pending_media.append(media_id)
    return "照片收到了。请再用文字说说发生了什么，我帮您转给社区工作室。"


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
