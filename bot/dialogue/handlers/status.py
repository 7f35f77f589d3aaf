"""Self-service on one's cases: progress, rating, reopening, adding to an open case."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.lifecycle import RESIDENT, move_ticket
from bot.cases.tickets import (
    add_contact_time,
    attach_message,
    can_reopen,
    first_response_hours,
    link_message,
    rate,
    reopen,
    response_promise,
    status_line,
)
from bot.categories import CATEGORIES, ROLE_LABELS
from bot.config import DATA_DIR
from bot.dialogue.flows import ClarifyState, IntakeState, WithdrawState
from bot.dialogue.handlers import privacy
from bot.dialogue.handlers.intake import contact_time_in
from bot.dialogue.handlers.out_of_scope import OPEN_CASE_HINT
from bot.dialogue.handlers.staff_reply import NEW_MATTER
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases, step_answers
from bot.storage.base import utcnow
from bot.storage.tickets import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Ticket,
    TicketStatus,
    latest_open_ticket,
    rated_since,
    ticket_by_number,
    tickets_of_resident,
)

# Words sent within this time after a rating, and no longer than this, are the rating's comment.
RATING_COMMENT_WITHIN = timedelta(minutes=30)
RATING_COMMENT_MAX_CHARS = 60
TURN_WORDS = answers.load(DATA_DIR / "turn_words.yml")
# A question is asked, not commented: "那物业费能少交吗", "这个怎么办" (bot/data/turn_words.yml).
ASKED = TURN_WORDS["asks_after_rating"].pattern
# Words about how the case was handled ("我等了一个星期才有人打电话"): a comment, whatever room they sound like.
ABOUT_THE_SERVICE = TURN_WORDS["about_the_service"].pattern
# A move told with a case open ("我们下个月搬到青年社区了 之前那个事还办不办").
MOVED_WITH_A_CASE = TURN_WORDS["moved_with_a_case"].pattern
# "补充 JH261207-0012：…": which of the resident's cases the words are for.
CASE_NUMBER = phrases.REPLY_WORDS["case_number"].pattern
# "补充：……" with no case open to add it to (none at all, or all of them done).
NOTHING_TO_ADD = (
    "您目前没有正在办理的工单，这段话没有可以补充的地方。如果是一件新的事，请把经过说一说：发生了什么、"
    "和谁有关，我帮您转给对应的工作人员。"
)
NOTHING_CLOSED_TO_ADD = (
    "您的工单都已办结，没有正在办理的可以补充。如果事情还没解决，请把现在的情况说一说，我帮您重新登记；"
    "回复“我的工单”可以查看以前的工单。"
)
# A message that reads as a case of the kind of one the resident has open is news of that case.
CASE_NEWS = "您的{label}工单 {number} 还在办理中。\n{hint}如果是另外一件事，请说“另外……”加上内容，我来帮您另外登记。"


def my_tickets(turn: Turn) -> str:
    """Handler: list the resident's cases and where each stands."""
    tickets = tickets_of_resident(turn.session, turn.resident.id)
    if not tickets:
        return "您还没有登记过工单。直接说说您遇到的问题，我来帮您转给社区工作室。"
    lines = ["您最近的工单："]
    lines += [status_line(turn.session, ticket) for ticket in tickets]
    if any(ticket.status in OPEN_STATUSES for ticket in tickets):
        lines.append("需要补充情况可以回复“补充：……”，或直接发照片。")
    return "\n".join(lines)


def when_answered(turn: Turn) -> str:
    """Any-time "你们什么时候来": the open case's number, where it stands and when a person answers."""
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is None:
        if turn.dialogue.active(IntakeState):
            return _when_answered_once_submitted(turn.dialogue.state(IntakeState))
        return "您目前没有正在办理的工单。直接说说您遇到的问题，我来帮您登记。"
    link_message(turn.session, ticket, turn.message, note="居民询问什么时候有人联系")  # a question, not case content
    waiting = (
        response_promise(ticket) if ticket.first_response_at is None else "工作人员已经在跟进，有进展会在这里通知您"
    )
    return f"您的工单：{status_line(turn.session, ticket)}\n{waiting}。\n有新情况请回复“补充：”加上内容，会记到工单里。"


def _when_answered_once_submitted(state: IntakeState) -> str:
    hours = first_response_hours(state.category, state.urgent, state.collective)
    within = f" {hours // 24} 个工作日内" if hours >= 24 else f" {hours} 小时内"
    role = ROLE_LABELS[CATEGORIES[state.category].role]
    return f"登记提交后，{role}一般在{within}联系您，工单编号我会马上告诉您。"


def awaiting_rating(turn: Turn) -> Ticket | None:
    """The resolved case whose rating the resident was asked for and has not given, if any."""
    for ticket in tickets_of_resident(turn.session, turn.resident.id):
        if ticket.status == TicketStatus.RESOLVED and ticket.rating is None and can_reopen(ticket):
            return ticket
    return None


def _reopenable(turn: Turn) -> Ticket | None:
    for ticket in tickets_of_resident(turn.session, turn.resident.id):
        if can_reopen(ticket):
            return ticket
    return None


def rating_or_reopen(turn: Turn) -> str | None:
    """A rating ("5 很满意") or "没解决" for a recently resolved case; None when it is neither."""
    match = phrases.RATING.match(turn.text)
    if match and (ticket := awaiting_rating(turn)) is not None:
        return _rated(turn, ticket, int(match.group(1)), match.group(2).strip())
    if phrases.UNRESOLVED.search(turn.text):
        ticket = _reopenable(turn)
        if ticket is not None:
            reopen(turn.session, ticket, turn.text)
            turn.message.ticket_id = ticket.id
            return f"抱歉问题还没解决。工单 {ticket.number} 已重新打开，工作人员会尽快再联系您。"
    return None


def rating_in_words(turn: Turn) -> str | None:
    """A rating said in words ("给个3分吧", "五星好评", "很满意") for a case awaiting one: taken even
    while another question waits, which a bare digit would answer instead; None otherwise."""
    said = phrases.spoken_rating(turn.text) or step_answers.rating_and_comment(turn.text)
    if said is None or phrases.UNRESOLVED.search(turn.text):  # "不满意 还是没修好" reopens the case
        return None
    ticket = awaiting_rating(turn)
    return _rated(turn, ticket, *said) if ticket is not None else None


def rating_beyond_the_menu(turn: Turn) -> str | None:
    """A bare 1–5 that no numbered question waiting could mean ("3" when it offers 1 and 2): the
    rating the resolved case asked for; None otherwise."""
    pick = phrases.choice_number(turn.text)
    choosing = turn.dialogue.current(ClarifyState)
    if pick is None or not 1 <= pick <= 5 or choosing is None or pick <= len(choosing.choices) + 1:
        return None
    ticket = awaiting_rating(turn)
    return _rated(turn, ticket, pick, "") if ticket is not None else None


def _rated(turn: Turn, ticket: Ticket, score: int, comment: str) -> str:
    rate(turn.session, ticket, score, comment)
    turn.message.ticket_id = ticket.id
    invite = "" if comment else "想说几句意见，也可以直接发给我。"
    return f"谢谢您的评价（{score} 分）！工单 {ticket.number} 的评价已记录。{invite}"


def rating_comment(turn: Turn) -> str | None:
    """A few words just after a rating ("刘律师很耐心 谢谢") are its comment, and words after that
    comment are more of it; None otherwise (a bare thanks, a number, a new question or matter)."""
    text = turn.text.strip()
    if len(text) > RATING_COMMENT_MAX_CHARS or phrases.choice_number(text) is not None or phrases.THANKS.match(text):
        return None
    if phrases.FILLER.match(text):  # "嗯" says nothing of the service
        return None
    ticket = rated_since(turn.session, turn.resident.id, utcnow() - RATING_COMMENT_WITHIN)
    if ticket is None:
        return None
    if ticket.rating_comment:
        if not _more_comment(turn, ticket):
            return None
        ticket.rating_comment = f"{ticket.rating_comment}；{text}"
    elif ASKED.search(text) or NEW_MATTER.search(text):
        return None
    elif not ABOUT_THE_SERVICE.search(text) and turn.decide().kind in ("triage", "faq"):
        return None  # the comment was asked for: words about the service are it, whatever room they sound like
    else:
        ticket.rating_comment = text
    turn.message.ticket_id = ticket.id
    # The comment was asked for: like a step's answer, a possible danger in it gets no caution
    # ("我等了一个星期才有人打电话"); a sure one never reaches here.
    turn.short_answer = True
    return f"谢谢您的意见，已和评价一起记在工单 {ticket.number} 里。"


def _more_comment(turn: Turn, ticket: Ticket) -> bool:
    """After a comment was kept the resident is still commenting ("不过物业一开始拖了好几天"), even
    when the words sound like a case of the same kind; a question, "另外……", or a matter the model
    is sure is of another kind is not a comment."""
    if ASKED.search(turn.text) or NEW_MATTER.search(turn.text):
        return False
    decision = turn.decide()
    if decision.kind == "faq":
        return False
    return decision.kind != "triage" or decision.intent == ticket.category


def open_case_of(turn: Turn, category: str) -> Ticket | None:
    """The resident's newest open case of this kind, if any."""
    for ticket in tickets_of_resident(turn.session, turn.resident.id):
        if ticket.status in OPEN_STATUSES and ticket.category == category:
            return ticket
    return None


def tells_of_moving(text: str) -> bool:
    """True when a message about an open case tells of moving house ("搬到青年社区了 之前那个事还办不办")."""
    return bool(MOVED_WITH_A_CASE.search(text))


def case_news(turn: Turn, ticket: Ticket) -> str:
    """A message that reads as a case of the kind the resident has open ("他们昨晚上又跳到12点"): most
    likely news of that case, so no second case is opened; how to add it, or to register another matter."""
    return CASE_NEWS.format(
        label=CATEGORIES[ticket.category].label, number=ticket.number, hint=OPEN_CASE_HINT.format(number=ticket.number)
    )


def add_to_case(turn: Turn) -> str | None:
    """ "补充：……" adds the text to the resident's open case; None when there is none."""
    match = phrases.ADD_TO_CASE.match(turn.text)
    if not match or not turn.text[match.end() :].strip():
        return None
    words = turn.text[match.end() :].strip()
    named = CASE_NUMBER.search(words)  # "补充 JH261207-0012：…": the number says which case, it is no news
    ticket = (named and _case_numbered(turn, named.group(0))) or latest_open_ticket(turn.session, turn.resident.id)
    if ticket is None:
        return None
    if named:
        words = (words[: named.start()] + words[named.end() :]).strip(" :：,，")
    turn.message.content = words or turn.text
    attach_message(turn.session, ticket, turn.message)
    return f"已补充到工单 {ticket.number}，工作人员会看到。"


def nothing_to_add_to(turn: Turn) -> str:
    """ "补充：……" that tells no matter of its own, with no case open to add it to: said so, and
    asked to tell the matter (the words are kept: the next message is read with them)."""
    turn.intent = "add_without_case"
    return NOTHING_CLOSED_TO_ADD if turn.has_cases() else NOTHING_TO_ADD


def _case_numbered(turn: Turn, number: str) -> Ticket | None:
    """The resident's own open case of this number, if any."""
    ticket = ticket_by_number(turn.session, number.upper())
    if ticket is None or ticket.resident_id != turn.resident.id or ticket.status not in OPEN_STATUSES:
        return None
    return ticket


def contact_time(turn: Turn) -> str | None:
    """ "最好晚上打" with a case open and no flow waiting: staff see it in the case; None otherwise."""
    said = contact_time_in(turn.text)
    ticket = latest_open_ticket(turn.session, turn.resident.id) if said else None
    if ticket is None:
        return None
    add_contact_time(turn.session, ticket, turn.message, said)
    return f"好的，已在工单 {ticket.number} 里注明：{said}。工作人员会尽量按这个时间联系您。"


def offer_withdrawal(turn: Turn) -> str | None:
    """ "撤了吧" with no flow waiting: ask whether the newest open case is to be withdrawn."""
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is None:
        return None
    turn.dialogue.start(WithdrawState(ticket=ticket.id))
    return withdrawal_prompt(turn)


def withdrawal_prompt(turn: Turn) -> str:
    """The withdraw flow's question."""
    ticket = turn.session.get_one(Ticket, turn.dialogue.state(WithdrawState).ticket)
    return (
        f"要撤回工单 {ticket.number}（{CATEGORIES[ticket.category].label}）吗？\n"
        "回复 1 撤回，工作人员不再处理\n回复 2 保留，继续办理"
    )


def withdraw(turn: Turn) -> str:
    """Yes to "要撤回工单吗": the case is withdrawn (unless a person closed it meanwhile)."""
    ticket = turn.session.get_one(Ticket, turn.dialogue.state(WithdrawState).ticket)
    turn.dialogue.end()
    if ticket.status not in OPEN_STATUSES:
        return f"工单 {ticket.number} 已经是“{STATUS_LABELS[ticket.status]}”，不用再撤回了。"
    link_message(turn.session, ticket, turn.message, note="居民撤回")
    move_ticket(
        turn.session, turn.services.jobs, ticket, TicketStatus.CANCELLED, RESIDENT, "居民在对话中撤回", tell=False
    )
    withdrawn = f"好的，工单 {ticket.number} 已撤回，工作人员不会再处理。以后有需要随时再找我。"
    return "\n".join(part for part in (withdrawn, privacy.goes_ahead_now(turn)) if part)


def keep(turn: Turn) -> str:
    """No to "要撤回工单吗" ("不是撤回", "不要撤", "保留"): the case goes on."""
    ticket = turn.session.get_one(Ticket, turn.dialogue.state(WithdrawState).ticket)
    turn.dialogue.end()
    return f"好的，工单 {ticket.number} 保留，工作人员会继续办理。"
