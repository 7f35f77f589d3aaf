"""Danger first: emergency numbers at once, an urgent case, then every detail goes to that case."""

from __future__ import annotations

from datetime import timedelta

from bot.cases import alerts
from bot.cases.directory import communities_named
from bot.cases.lifecycle import SYSTEM
from bot.cases.tickets import (
    add_staff_note,
    attach_message,
    first_call,
    first_response_due,
    first_response_hours,
    link_message,
    move_to_community,
    response_promise,
    untouched,
)
from bot.categories import CATEGORIES, role_title, urgent_category
from bot.dialogue.flows import IntakeState, UrgentState
from bot.dialogue.handlers import asides, community, faq, human, intake
from bot.dialogue.turn import Turn
from bot.legal.sources import citations_of, render_basis
from bot.nlu import answers, danger_words, phrases, signals
from bot.nlu.cues import asks_fee, asks_office_hours, only_greets
from bot.nlu.faq_match import QUESTION
from bot.storage.directory import Unit
from bot.storage.faq import faq_for_intent
from bot.storage.tickets import Ticket, TicketEvent
from bot.wechat.text import find_phone

ADVICE = {
    "violence": "如有人身危险，请立即拨打 110 报警，先到安全的地方。",
    "fire": "如发生火情，请立即拨打 119，先撤离到安全地带，不要乘电梯。",
    "gas": (
        "闻到燃气味请立即关闭阀门、打开门窗，不要开关电器或打电话，到室外后拨打 119 或燃气公司抢修电话；"
        "有人头晕、恶心、站不稳（可能是煤气中毒），先到通风的地方，立即拨打 120。"
    ),
    "injury": "如有人受伤，请立即拨打 120 急救。",
    "self_harm": (
        "如果您现在有伤害自己的念头，请先到有人的地方，立即拨打 120 或 110；"
        "也可以拨打全国心理援助热线 12356，和专业的人聊一聊。您不是一个人。"
    ),
    "fall": "有人摔倒起不来时不要随意搬动，请立即拨打 120 急救。",
    "child_or_elder": "孩子或老人有危险、走失时，请立即拨打 110，需要急救请拨打 120。",
    signals.FRAUD: (
        "如果正在被骗或刚转了钱，请立即拨打 110 报警（也可以拨打 96110 反诈专线），说清转账时间、金额和对方账户，"
        "越早报警越有可能把钱拦下来。"
    ),
}
# A child at risk, by what happens to them: the advice that fits (bot/data/danger_words.yml).
CHILD_ADVICE = {
    "child_sexual_abuse": (
        "孩子说被人侵犯时，请立即拨打 110 报警。先让孩子离开那个人、待在您身边，温和地告诉孩子说出来是对的、"
        "不是孩子的错；不要反复追问细节，孩子的衣物先不要洗，尽快带孩子去医院检查，这些都是证据。"
    ),
    "child_beaten": (
        "听到孩子一直被打、哭喊时，请拨打 110 报警，警察可以上门制止；任何人发现孩子被打都可以报警，"
        "也可以告诉社区居委会或妇联（12338）。"
    ),
    "kidnapping": (
        "有人来电说扣着孩子要钱时，请立即拨打 110 报警，先不要转钱；记下来电号码、保存短信和通话记录，"
        "同时马上联系孩子的学校、老师和朋友，确认孩子在哪里（这类电话也常是诈骗）。"
    ),
}
# Someone hurt by something dropped or thrown from above ("楼上掉下来一个花盆砸到人"): the police
# find who did it, so 110 as well as 120.
FALLING_OBJECT_ADVICE = (
    "有人被楼上掉下或扔下的东西砸伤，请立即拨打 120 急救，同时拨打 110 报警，由警方查明是谁家掉的；"
    "不要随意搬动伤者，留意是哪一层、哪个窗户，能拍照的先拍照。"
)
# A dog bite without heavy bleeding: first aid and the vaccine, then the case about the owner.
DOG_BITE_ADVICE = (
    "⚠️ 被狗咬伤或抓伤后：先用肥皂水和流动的清水交替冲洗伤口至少 15 分钟，再尽快（最好 24 小时内）"
    "到医院或狂犬疫苗接种门诊处理伤口、打狂犬疫苗；伤口深、出血止不住请拨打 120。"
    "记下狗主人是谁，病历和发票都留好，找狗主人赔偿时用得上。"
)
# Someone collapsed and does not answer ("我屋老头子倒在地上喊不应", bot/data/follow_ups.yml "collapse").
COLLAPSE_ADVICE = (
    "有人倒地、叫不醒时，请立即拨打 120，说清楚地址。等救护车时：让病人平躺，不要随意搬动，不要喂水喂药；"
    "看看病人还有没有呼吸，没有呼吸就按 120 电话里的指导做胸外按压；把门打开，能找邻居帮忙就到楼下接救护车。"
)
# Self-harm, but the one at risk is someone else ("我老公站在阳台外面说要跳"): what to do for them now.
SOMEONE_ELSE_AT_RISK = (
    "有人要轻生时，请立即拨打 110 和 120，说清楚地址。等救援时尽量陪在对方身边，别让对方一个人待着；"
    "平静地和对方说话、认真听，不要指责或刺激；把刀具、药品等危险的东西拿开。对方在阳台、楼顶或窗边时，"
    "不要硬拉硬拽，先顾好您自己的安全。也可以拨打全国心理援助热线 12356 求助。"
)
# A child writing of being hurt ("我爸爸喝了酒就打我 我好怕 我十岁", bot/data/follow_ups.yml
# "child_speaking"): a child's words, short — not the adult's protection-order text, no phone asked.
CHILD_SPEAKING = phrases.FOLLOW_UPS["child_speaking"]
CHILD_KINDS = frozenset({"violence", "child_or_elder", signals.GENERIC_DANGER})
CHILD_SAFETY = (
    "⚠️ 你现在很害怕，这不是你的错。\n"
    "如果他正在打你，或者你觉得不安全，马上打 110，告诉警察你家在哪里。\n"
    "把这件事告诉一个你信任的大人：老师、班主任、亲戚或者邻居都可以。\n"
    "也可以打 12355（青少年服务台），那里的叔叔阿姨会听你说，帮你想办法。"
)
CHILD_CASE = "你说的事已经告诉了工作人员（工单 {number}），他们会尽快想办法帮你。你可以继续在这里告诉我。"
CHILD_NOTE = "写信的可能是未成年人（自己说了年龄或年级），联系时请注意方式，必要时联系学校、妇联或未成年人保护部门"

# Before an answer to a message that may signal a danger the model is not sure of.
CAUTION = "⚠️ 如果现在有人身危险，请立即拨打 110（报警）、119（火警）或 120（急救）。"
# The resident says the alarm was a mistake ("不是着火 是油烟 你们搞错了").
NOT_URGENT = answers.pattern("no_danger")  # bot/data/answers.yml
# A question the FAQ answers, asked while an urgent case is open ("我明天能去你们那里吗",
# "离婚要准备什么"): answered, and the case stays open for what follows.
STILL_OPEN = "紧急工单 {number} 还在办理，有新情况可以继续告诉我。"
QUESTION_KEPT = "您问的这个问题已记到紧急工单 {number} 里，工作人员联系您时会一并解答。{remind}"
# A question answered now and kept on the urgent case as well ("要不要报警", "还要么样" after a gas leak).
ALSO_KEPT = "{answer}\n您的问题也已记到紧急工单 {number} 里，工作人员联系您时会一并解答。"
# After the first advice for a building's danger, the resident asks what next ("已经开窗了 还要么样",
# "关了阀门了 是不是要找物业换管子"): the steps that follow, then the case's note.
NEXT_STEPS = {
    "gas": (
        "燃气接下来这样做：人先到室外或通风的楼道，不要开关电灯电器、不要点火、不要在屋里打电话；"
        "到了室外，打燃气公司的抢修电话（燃气卡、燃气表或缴费单上有），等他们上门查清楚再回屋。"
        "管子、阀门要修要换的，燃气公司查过以后再找物业，工单里的物业房管员会联系您。"
        "有人头晕、恶心，立即拨打 120。"
    ),
    "fire": (
        "火情接下来这样做：在楼下或室外安全的地方等消防员，不要回去拿东西，不要乘电梯；"
        "还没打 119 的请马上打，告诉消防员屋里还有没有人、火从哪里起的。"
        "消防员说可以了再回去；损失先拍照留下来，物业和赔偿的事，工单里的物业房管员会联系您。"
    ),
}
# What surrounds a phone number given alone ("我的电话是 137…", "手机：137…").
NUMBER_WORDS = danger_words.DANGER_WORDS["phone_words"].pattern
# "搞错了 煤气味是楼下在熬中药" names the danger again while calling it a mistake: asked to confirm.
CALL_OFF_QUESTION = (
    "如果确认现在没有危险，回复“没有危险”，工单会改为普通事项；"
    "如有危险，请立即拨打 110（报警）、119（火警）或 120（急救）。"
)
CONFIRM_NO_DANGER = "已补充到紧急工单 {number}。" + CALL_OFF_QUESTION
# Someone who cannot speak on the phone (the abuser would hear): 12110 takes reports by SMS. The
# police may answer by SMS (a ringing phone would give the resident away) and an SMS can be late.
NO_CALLS_ADVICE = (
    "明白，不打电话也可以。需要报警时，可以发短信到 12110（写清地址和情况），警方可能用短信回复您，请把手机调成静音。"
    "短信可能延迟，一旦能安全通话，请直接打 110。\n"
    "您也可以继续在这里用文字告诉我们，工单 {number} 的工作人员会用文字联系您，不会打电话。"
)
GENERAL_ADVICE = "如有危险，请立即拨打 110（报警）、119（火警）或 120（急救），先保证自己和家人的安全。"
# Danger at home: the lines of this FAQ answer that go beyond 110 (the women's federation, a
# protection order, evidence) follow the emergency advice.
DOMESTIC_FAQ = "faq_domestic_violence"
DOMESTIC_HELP_LINES = danger_words.DANGER_WORDS["help_beyond_110"].pattern
LIST_NUMBER = danger_words.DANGER_WORDS["list_number"].pattern
DOMESTIC_HELP = "遭受家庭暴力，除了报警："
# The law the protection order rests on (laws/catalogue.yml), cited from the FAQ entry's citations.
DOMESTIC_LAW = "反家庭暴力法"
# A fraud going on or just done: the telecom-fraud FAQ's steps after the first (110, said already).
FRAUD_FAQ = "faq_telecom_fraud"
FRAUD_HELP = "报警之后还要做的："
# Domestic violence and fraud go to the lawyer whatever the message was classified as.
LAWYER_CATEGORY = "legal_consultation"
# A danger told without saying who ("他又拿剪刀在那里比划"), then "他是我老公": violence at home after
# all, so the case leaves the mediator for the lawyer (a protection order is the lawyer's work).
TO_LAWYER = "这是家庭暴力，紧急工单 {number} 已转给{office}的{role}，可以帮您申请人身安全保护令。"
TO_LAWYER_NOTE = "居民补充说明动手的是家人（家庭暴力），转给{office}的{role}"
# The one who threatened has gone for now ("他好像走了 我该怎么办"): what to do next.
SAFETY_NEXT = (
    "请先待在安全的地方，锁好门，能联系信得过的亲友来陪您最好；他再回来或再有危险，请立即拨打 110。\n"
    "方便的时候，把伤情和被砸坏的东西拍照，保存威胁您的聊天记录和报警回执，这些以后都是证据。"
)
# The reminder after a reply on an urgent case: said once, not when the advice or the promise
# before it already gives 110 (at night the promise does: "在此之前如有危险，请先拨打 110"); on a
# case of fire or gas it names 119, of someone hurt 120 (bot.cases.tickets.first_call).
REMIND = "如有危险请先拨打 {numbers}。"
NO_CALLS_PROMPT = "有新情况可以继续在这里用文字告诉我，会补充到紧急工单里。"
# For one who cannot phone, every "拨打 110" becomes the SMS way (12110), said with how it works.
BY_SMS = (
    ("拨打 110（报警）、119（火警）或 120（急救）", "发短信到 12110 报警；着火或急救请拨打 119、120"),
    ("拨打 110 和 120", "发短信到 12110 报警，并拨打 120"),
    ("拨打 120 或 110", "拨打 120 或发短信到 12110 报警"),
    ("拨打 110 报警", "发短信到 12110 报警"),
    ("拨打 110", "发短信到 12110 报警"),
)
SMS_HOW = (
    "发短信到 12110 时写清地址和情况，不用出声；警方可能用短信回复您，请把手机调成静音。"
    "短信可能延迟，一旦能安全通话，请直接打 110。"
)
# The one threatening is about to get in ("门快被他踹开了"): said plainly, and marked on the case.
BREAKING_IN = (
    "已补充到紧急工单 {number}，并注明情况危急。\n"
    "⚠️ 请马上{act}地址（小区、楼栋、门牌号）和“有人正在踹门要伤害我”{answer}。\n"
    "能出去的话，马上离开到邻居家或有人的地方；出不去就躲进能反锁的房间，锁好门、用东西把门顶住。"
)
BREAKING_IN_NOTE = "危险升级：居民说对方快闯进来了（{text}）"
ASK_PHONE = "方便的话回复您的手机号，工作人员会尽快联系您。"


def advice_for(kinds: list[str], story: str = "") -> str:
    """Emergency advice for each kind of danger (general advice for a kind without its own); the
    self-harm advice speaks to the resident unless the story says someone else is at risk."""
    lines = list(dict.fromkeys(_advice(kind, story) for kind in kinds))
    return "\n".join(f"⚠️ {line}" for line in lines)


def _advice(kind: str, story: str) -> str:
    if kind in ("injury", "fall", signals.GENERIC_DANGER) and phrases.COLLAPSE.found(story):
        return COLLAPSE_ADVICE
    if kind in ("injury", "fall", signals.GENERIC_DANGER) and signals.falling_object(story):
        return FALLING_OBJECT_ADVICE
    if kind in ("child_or_elder", signals.GENERIC_DANGER, "self_harm"):
        # "我女儿刚跟我说她舅舅摸她": whatever kind the model guessed, the advice for what happens to the child
        found = [name for name in CHILD_ADVICE if danger_words.DANGER_WORDS[name].found(story)]
        if found:
            return CHILD_ADVICE[found[0]]
    if kind == "self_harm" and danger_words.someone_else_at_risk(story):
        return SOMEONE_ELSE_AT_RISK
    return ADVICE.get(kind, GENERAL_ADVICE)


def urgent_case(turn: Turn, kinds: list[str]) -> str:
    """Give emergency advice and open an urgent case right away."""
    advice = advice_for(kinds, turn.story())
    if (open_urgent := turn.dialogue.current(UrgentState)) is not None:
        ticket = turn.session.get_one(Ticket, open_urgent.ticket)
        if NOT_URGENT.search(turn.text):
            attach_message(turn.session, ticket, turn.message, note="居民说可能是误会（仍提到危险）")
            open_urgent.step = "call_off"  # the question: "没有危险" or not
            return by_sms(turn, CONFIRM_NO_DANGER.format(number=ticket.number))
        open_urgent.step = "follow_up"
        if phrases.BREAKING_IN.found(turn.text):
            return by_sms(turn, breaking_in(turn, ticket))
        advice = advice_on_open_case(turn, ticket.description, kinds)
        reply = by_sms(turn, _to_case(turn, ticket, danger=True))
        return by_sms(turn, f"{advice}\n{once_110(advice, reply, ticket)}" if advice else reply)
    gathered = turn.dialogue.current(IntakeState)
    classified = turn.classification.intent if turn.classification is not None else None
    if classified not in CATEGORIES and gathered is not None:
        classified = gathered.category
    category = urgent_category(kinds, classified)
    domestic = domestic_violence(kinds, f"{' '.join(gathered.parts) if gathered else ''} {turn.story()}")
    if domestic or signals.FRAUD in kinds:
        category = LAWYER_CATEGORY  # a protection order, money to stop: the lawyer's work, at once
    story = turn.story()
    state = intake.begin(turn, category)
    intake.add_story(turn, story)
    if gathered is not None:
        # What the resident already told us in an unfinished intake belongs to the urgent case too.
        state.parts[:0] = gathered.parts
        state.message_ids[:0] = gathered.message_ids
        state.media[:0] = gathered.media
        state.collective = state.collective or gathered.collective
        state.place.place_words, state.place.street_id = gathered.place.place_words, gathered.place.street_id
        state.contact.text_only, state.contact.confidential = gathered.contact.text_only, gathered.contact.confidential
    state.urgent = state.contact.phone_asked = state.place.no_community = True
    no_calls = state.contact.text_only or bool(phrases.NO_CALLS.found(story))
    # Someone threatening their own life is no violence against the resident: no domestic-violence help.
    help_at_home = "" if set(kinds) == {"self_harm"} else domestic_help(turn, " ".join(state.parts), kinds)
    if signals.FRAUD in kinds:
        help_at_home = fraud_help(turn)
    child = CHILD_SPEAKING.found(story) and bool(CHILD_KINDS & set(kinds))
    opened = intake.open_case(turn)
    ticket = turn.new_case()
    if no_calls:
        add_staff_note(turn.session, ticket, intake.NO_CALLS_NOTE)
    turn.dialogue.start(UrgentState(ticket=ticket.id, no_calls=no_calls))
    if child:
        add_staff_note(turn.session, ticket, CHILD_NOTE)
        return by_sms(turn, f"{CHILD_SAFETY}\n{CHILD_CASE.format(number=ticket.number)}")
    ask = "" if turn.resident.phone or no_calls else f"\n{ASK_PHONE}"
    return by_sms(turn, f"{advice}\n{opened}{help_at_home}{ask}")


def advice_on_open_case(turn: Turn, story: str, kinds: list[str]) -> str:
    """Danger again while the urgent case is open, whose advice was given: a new kind of danger
    ("着火了") gets its own advice, a cry for help ("快来人啊 人呢") the advice for the case's own
    danger (a collapse: 120 and what to do meanwhile), more of the same ("他还在踢门") none."""
    told = signals.assess_danger(story).kinds or kinds
    new = [kind for kind in signals.danger_words(turn.text) if kind not in told]
    if new:
        return advice_for(new, f"{story} {turn.text}")
    return advice_for(told, story) if signals.calls_for_help(turn.text) else ""


def danger_kinds(story: str) -> list[str]:
    """The kinds of danger an urgent case's story tells of (the model's and the words')."""
    return list(dict.fromkeys([*signals.assess_danger(story).kinds, *signals.danger_words(story)]))


def domestic_violence(kinds: list[str], story: str) -> bool:
    """True when the danger is violence from the resident's family or partner (not their own life)."""
    return set(kinds) != {"self_harm"} and danger_words.domestic_violence(story, kinds)


def domestic_help(turn: Turn, story: str, kinds: list[str] | None = None) -> str:
    """When the danger is violence from the resident's family: the domestic-violence FAQ's help beyond
    110 (a protection order, 12338, evidence), with the law it rests on."""
    at_home = danger_words.domestic_violence(story, kinds or [])
    if CHILD_SPEAKING.found(story):
        return ""  # a child was given a child's help (CHILD_SAFETY), not the adult's text
    entry = faq_for_intent(turn.session, DOMESTIC_FAQ) if at_home else None
    if entry is None:
        return ""
    lines = [LIST_NUMBER.sub("· ", line) for line in entry.answer.splitlines() if DOMESTIC_HELP_LINES.search(line)]
    law = [citation for citation in citations_of(entry.citations) if citation.law == DOMESTIC_LAW]
    basis = [f"（依据：{render_basis(law)}）"] if law else []
    return "\n" + "\n".join([DOMESTIC_HELP, *(lines or [entry.answer]), *basis])


def fraud_help(turn: Turn) -> str:
    """After a fraud: the telecom-fraud FAQ's steps beyond the call to 110 (stop, keep the records,
    beware of a second fraud)."""
    entry = faq_for_intent(turn.session, FRAUD_FAQ)
    if entry is None:
        return ""
    lines = [LIST_NUMBER.sub("· ", line) for line in entry.answer.splitlines() if LIST_NUMBER.search(line)][1:]
    return "\n" + "\n".join([FRAUD_HELP, *lines])


def first_aid(kind: str | None) -> str:
    """The first aid given before the answer where no urgent case is called for (a dog bite)."""
    return DOG_BITE_ADVICE if kind == signals.DOG_BITE else ""


def by_sms(turn: Turn, reply: str) -> str:
    """The reply for one who cannot phone (the case is marked so): the SMS way (12110) for every 110."""
    urgent = turn.dialogue.current(UrgentState)
    if urgent is None or not urgent.no_calls:
        return reply
    for said, instead in BY_SMS:
        reply = reply.replace(said, instead)
    if "12110" in reply and "短信回复" not in reply:
        reply = f"{reply}\n{SMS_HOW}"
    return reply


def breaking_in(turn: Turn, ticket: Ticket) -> str:
    """The one threatening is about to get in: act now, get out or lock oneself in; staff see it on the case."""
    attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）：危险升级")
    add_staff_note(turn.session, ticket, BREAKING_IN_NOTE.format(text=turn.text.strip()))
    no_calls = turn.dialogue.state(UrgentState).no_calls
    act = "拨打 110，说清" if not no_calls else "发短信到 12110，写清"
    answer = "；警方可能用短信回复您，请把手机调成静音，短信也可能延迟" if no_calls else ""
    return BREAKING_IN.format(act=act, answer=answer, number=ticket.number)


def follow_up(turn: Turn) -> str | None:
    """Step "follow_up": a phone number, a community (the case goes to its room) or more details go
    to the urgent case; "搞错了" withdraws the urgency (the case stays, as an ordinary one). For one
    who cannot phone, the SMS way."""
    ticket = turn.session.get_one(Ticket, turn.dialogue.state(UrgentState).ticket)
    if NOT_URGENT.search(turn.text):  # before "搞错了" could be taken for "go back"
        return by_sms(turn, withdraw_urgency(turn, ticket))
    if phrases.anytime_intent(turn.text, in_flow=True) or only_greets(turn.text):
        return None  # "你好" later on starts afresh
    return by_sms(turn, _to_case(turn, ticket))


def _to_case(turn: Turn, ticket: Ticket, danger: bool = False) -> str:
    """What the resident wrote after the urgent case opened, taken into it; `danger`: the message
    signals danger again (no question answered then: it is a detail of the danger)."""
    phone = find_phone(turn.text)
    if phrases.NO_CALLS.found(turn.text):
        turn.dialogue.state(UrgentState).no_calls = True
        attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
        add_staff_note(turn.session, ticket, intake.NO_CALLS_NOTE)
        return NO_CALLS_ADVICE.format(number=ticket.number)
    if phrases.BREAKING_IN.found(turn.text):  # "门快被他踹开了": act now
        return breaking_in(turn, ticket)
    if danger and phrases.HUMAN.search(turn.text):  # "快来人啊 人呢": a request for a person on this case too
        attach_message(turn.session, ticket, turn.message, note="居民要求人工（紧急）")
        return human.on_case(turn, ticket)
    if not phone and phrases.steers_only(turn.text):
        return "好的。请注意安全，有新情况随时告诉我。"  # "好的", "谢谢", "1" add nothing to the case
    named = _community_named(turn)
    if named is not None and not phone:
        return community_given(turn, ticket, named)
    if not danger and not phone and (answered := _question(turn, ticket)) is not None:
        return answered
    if phone:
        turn.resident.phone = ticket.contact_phone = phone
        # The number goes to the case's phone, not into its description, which every card shows.
        if len(NUMBER_WORDS.sub("", turn.text.replace(phone, ""))) > 2:
            attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
        else:
            link_message(turn.session, ticket, turn.message, note="居民留了电话")
        # The flow goes on: "他还在砸", "搞错了", "我在西桥" still belong to this case.
        return f"已记下您的电话，工单 {ticket.number} 的工作人员会尽快联系您。{remind(ticket)}"
    was_at_home = danger_words.domestic(ticket.description)
    attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
    # Only now does she say where he is ("我躲进卧室了") or who he is ("他是我老公"): the help beyond
    # 110 she was not given yet, and the case to the lawyer.
    at_home = "" if was_at_home else domestic_help(turn, ticket.description, danger_kinds(ticket.description))
    if at_home:
        at_home = f"{to_the_lawyer(turn, ticket)}{at_home}"
    if danger_words.DANGER_GONE.search(turn.text):
        return f"已补充到紧急工单 {ticket.number}。\n{SAFETY_NEXT}{at_home}"
    if phrases.WHAT_NOW.found(turn.text) and phrases.COLLAPSE.found(ticket.description):
        # "救护车还没来 我该做什么": what to do until it comes, again
        return f"已补充到紧急工单 {ticket.number}。\n⚠️ {COLLAPSE_ADVICE}"
    if phrases.WHAT_NOW.found(turn.text) and (steps := next_steps(ticket)):
        return f"{steps}\n已补充到紧急工单 {ticket.number}。"
    if not at_home and danger_words.FEARS_MORE.search(turn.text):
        at_home = domestic_help(turn, ticket.description)
    return f"已补充到紧急工单 {ticket.number}。{remind(ticket)}{at_home}"


def next_steps(ticket: Ticket) -> str:
    """What to do after the first advice for the urgent case's danger (a gas leak, a fire), or ""."""
    kinds = [kind for kind in signals.danger_words(ticket.description) if kind in NEXT_STEPS]
    return f"⚠️ {NEXT_STEPS[kinds[0]]}" if kinds else ""


def to_the_lawyer(turn: Turn, ticket: Ticket) -> str:
    """An urgent case found to be domestic violence after it opened goes to the lawyer of its room,
    with the lawyer's deadlines, unless someone took it up already (they read the story); the line
    that tells the resident so ("" when it stays)."""
    session, services = turn.session, turn.services
    if ticket.category == LAWYER_CATEGORY or not untouched(session, ticket):
        return ""
    unit = session.get_one(Unit, ticket.unit_id)
    ticket.category, ticket.role = LAWYER_CATEGORY, CATEGORIES[LAWYER_CATEGORY].role
    ticket.due_at = first_response_due(unit, LAWYER_CATEGORY, ticket.urgent, ticket.collective, ticket.created_at)
    ticket.resolution_due_at = ticket.created_at + timedelta(days=CATEGORIES[LAWYER_CATEGORY].resolution_days)
    where = {"office": unit.office_name, "role": role_title(ticket.role, unit.level)}
    note = TO_LAWYER_NOTE.format(**where)
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note, actor=SYSTEM))
    label = CATEGORIES[LAWYER_CATEGORY].label
    alerts.new_case(session, services.jobs, services.settings.console_base_url, ticket, label)
    return "\n" + TO_LAWYER.format(number=ticket.number, **where)


def _question(turn: Turn, ticket: Ticket) -> str | None:
    """A question, kept on the case: the FAQ's answer when it has one, else the promise that staff
    answer it; None for what is no question, or asks what to do now ("他还在门口 我该怎么办"),
    which is a detail of the danger."""
    if asides.ASKS_POLICE.found(turn.text):
        attach_message(turn.session, ticket, turn.message, note="居民提问（紧急工单期间）")
        answer = asides.police_answer(f"{ticket.description} {turn.text}")
        return ALSO_KEPT.format(answer=answer, number=ticket.number)
    asked = QUESTION.search(turn.text) or asks_fee(turn.text) or asks_office_hours(turn.text)
    if not asked or phrases.WHAT_NOW.found(turn.text):
        return None
    decision = turn.decide()
    answer = faq.answer_text(turn, decision.intent) if decision.kind == "faq" else ""
    if not answer:
        attach_message(turn.session, ticket, turn.message, note="居民提问（紧急工单期间）")
        if steps := next_steps(ticket):  # "是不是要找物业换管子" after a gas leak: what comes next, now
            return ALSO_KEPT.format(answer=steps, number=ticket.number)
        return QUESTION_KEPT.format(number=ticket.number, remind=remind(ticket))
    attach_message(turn.session, ticket, turn.message, note="居民提问（已由机器人按常见问题解答）")
    return f"{answer}\n\n{STILL_OPEN.format(number=ticket.number)}"


def _community_named(turn: Turn) -> Unit | None:
    """The one community a short follow-up names ("西桥社区"), or a longer one that says the resident
    lives there ("我家在西桥社区，他还在门口"), if any."""
    if len(turn.text) > community.PLACE_MAX_CHARS and not community.says_where_they_live(turn.text):
        return None
    named = communities_named(turn.session, turn.text)
    return named[0] if len(named) == 1 else None


def community_given(turn: Turn, ticket: Ticket, unit: Unit) -> str:
    """The resident names their community after the urgent case opened: remembered, and the case
    goes to that community's room as an intake would have sent it — unless someone already took it
    up or handed it on (they read where the resident lives on the case)."""
    moved = community.remember(turn, unit)
    attach_message(turn.session, ticket, turn.message, note="居民说明所在社区")
    more = "，您说的情况也已补充到工单" if len(turn.text) > community.PLACE_MAX_CHARS else ""
    services = turn.services
    if ticket not in moved and untouched(turn.session, ticket):
        move_to_community(turn.session, services.jobs, ticket, unit, services.settings.console_base_url)
    elif ticket not in moved:
        kept = f"已补充到紧急工单 {ticket.number}，正在办理的工作人员会看到。"
        return f"好的，已记下：{unit.name}{more}。{kept}{remind(ticket)}"
    room = turn.session.get_one(Unit, ticket.unit_id)
    promise = response_promise(ticket)
    return once_110(
        promise,
        (
            f"好的，已记下：{unit.name}{more}。紧急工单 {ticket.number} 已转给{room.office_name}的"
            f"{role_title(ticket.role, room.level)}，{promise}。{remind(ticket)}"
        ),
        ticket,
    )


def remind(ticket: Ticket) -> str:
    """The reminder of whom to call first on this urgent case: 119 for fire or gas, 120 for someone hurt, else 110."""
    return REMIND.format(numbers=first_call(ticket))


def once_110(said: str, reply: str, ticket: Ticket | None = None) -> str:
    """The reply without its reminder (of the case's numbers, else 110) when what comes with it
    (`said`) already gives those numbers."""
    numbers = first_call(ticket) if ticket is not None else "110"
    reminder = REMIND.format(numbers=numbers)
    return reply.replace(reminder, "") if all(number in said for number in numbers.split("、")) else reply


def withdraw_urgency(turn: Turn, ticket: Ticket) -> str:
    """The resident says there is no danger: the case goes on as an ordinary one."""
    attach_message(turn.session, ticket, turn.message, note="居民说明没有紧急危险，改为普通事项")
    ticket.urgent = False
    ticket.due_at = ticket.created_at + timedelta(hours=first_response_hours(ticket.category, False, ticket.collective))
    turn.dialogue.end()
    return f"好的，抱歉误会了。工单 {ticket.number} 已改为普通事项，{response_promise(ticket)}；您说的情况都已记下。"


def call_off_step(turn: Turn) -> str | None:
    """Step "call_off" (asked whether there is no danger): neither "没有危险" nor a no — a detail,
    a phone number, a question — is taken as after any urgent case."""
    turn.dialogue.state(UrgentState).step = "follow_up"
    return follow_up(turn)


def called_off(turn: Turn) -> str:
    """Yes to the call-off question ("没有危险", "确实搞错了"): the case goes on as an ordinary one."""
    return withdraw_urgency(turn, turn.session.get_one(Ticket, turn.dialogue.state(UrgentState).ticket))


def still_urgent(turn: Turn) -> str:
    """No to the call-off question ("不是", "没有", "还是有危险"): the case stays urgent — a plain no
    may mean either, so the way to call it off is said again."""
    state = turn.dialogue.state(UrgentState)
    ticket = turn.session.get_one(Ticket, state.ticket)
    state.step = "follow_up"
    attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
    return by_sms(
        turn,
        (
            f"好的，工单 {ticket.number} 仍按紧急事项办理，工作人员会尽快联系您。{remind(ticket)}\n"
            "如果是想说现在没有危险，请回复“没有危险”。"
        ),
    )


def call_off_again(turn: Turn) -> str:
    """A plain yes to the call-off question ("是的", "嗯嗯"): it could mean either, so asked again."""
    return by_sms(turn, f"为了您的安全想再确认一下：{CALL_OFF_QUESTION}")


def prompt(turn: Turn) -> str:
    """What the urgent flow waits for."""
    state = turn.dialogue.state(UrgentState)
    if state.step == "call_off":
        return by_sms(turn, CALL_OFF_QUESTION)
    if state.no_calls:
        return NO_CALLS_PROMPT
    if turn.resident.phone:
        return "有新情况可以直接告诉我，会补充到紧急工单里。"
    return ASK_PHONE
