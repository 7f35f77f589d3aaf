"""Every yes/no and choice question the bot asks, answered with no and with yes.

The table below walks a resident to each question declared in FLOWS (and to those asked outside a
flow), then says no ("不是", "不要", "别…", "没有", "不用了", 武汉话 "冇得", "莫") or yes ("是的", "对",
"好的", "嗯嗯", "要得", "可以") and checks what the bot did: withdrawn or not, a case opened or not, the
question asked again. A question added to FLOWS without a row here fails the first test.

Through the real callback, PostgreSQL, Redis and the real Rasa model (a scripted model only where a
test needs the model to hesitate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from bot.dialogue.flows import Dialogue, IntakeState
from bot.dialogue.handlers import FLOWS, OTHER_QUESTIONS
from bot.nlu.types import Classification
from bot.storage.dialogues import find_dialogue
from bot.storage.directory import Unit
from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident
from tests.scripted import ScriptedClassifier
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")

NEGATIONS = ("不是", "不要", "别麻烦了", "没有", "不用了", "冇得", "莫")
AFFIRMATIONS = ("是的", "对", "好的", "嗯嗯", "要得", "可以")
# Steps that ask an open question (a story, any detail): no yes or no to read there.
OPEN_STEPS = {"intake.details", "urgent.follow_up", "photo.which"}  # photo: a number or a case number


@dataclass
class Seen:
    """What the bot did with the answer: the reply, the resident's cases and where the dialogue is."""

    reply: str
    tickets: list
    flow: object  # the active flow's state, or None
    community: str | None
    phone: str | None

    @property
    def step(self) -> str | None:
        return getattr(self.flow, "step", None)


def seen(services, resident, reply: str) -> Seen:
    with services.db.session() as session:
        person = find_resident(session, resident.openid)
        row = find_dialogue(session, resident.openid)
        unit = session.get(Unit, person.community_id) if person.community_id else None
        return Seen(
            reply=reply,
            tickets=[(t.status, t.urgent, t.category) for t in tickets_of_resident(session, person.id)],
            flow=Dialogue.from_dict(row.state if row else {}).flow,
            community=unit.name if unit else None,
            phone=person.phone,
        )


@dataclass(frozen=True)
class Asked:
    """One question: how the resident is brought to it, and what must hold after a no and a yes."""

    reach: Callable  # (services, resident) -> None
    after_no: Callable  # (Seen) -> None (asserts)
    after_yes: Callable
    # Answers only this question has ("不是撤回 我是想问问进度", "没有危险"), with what must hold.
    more_no: tuple[str, ...] = ()
    more_yes: tuple[str, ...] = ()
    script: dict = field(default_factory=dict)  # a scripted model's answers, when the test needs one


def open_case(services, resident):
    converse(
        resident,
        [
            ("隔壁装修天天早上七点就开始砸墙，吵得老人睡不好", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
            ("撤了吧", "要撤回工单"),
        ],
    )


def faq_offer(services, resident):
    converse(resident, [("晚上几点以后不能制造噪音？有法律规定吗", "回复 1 转给社区工作室")])


def to_community(services, resident):
    converse(resident, [("物业天天不打扫楼道，垃圾堆了一个星期", "哪个社区")])


def to_one_community_offered(services, resident):
    converse(resident, [("物业天天不打扫楼道，垃圾堆了一个星期", "哪个社区"), ("八古蹲", "回复 1 八古墩社区")])


def to_phone(services, resident):
    to_community(services, resident)
    converse(resident, [("东民社区", "手机号")])


def to_summary(services, resident):
    to_phone(services, resident)
    converse(resident, [("不留", "请确认")])


CLOSE_CALL = "楼上装修把公共管道弄坏了"
TERSE = "工程干完半年了甲方一直拖着款不结"
SCRIPT = {
    CLOSE_CALL: Classification(
        "neighbor_dispute", 0.48, [("neighbor_dispute", 0.48), ("property_complaint", 0.44), ("greet", 0.08)]
    ),
    TERSE: Classification(
        "nlu_fallback", 0.5, [("nlu_fallback", 0.5), ("out_of_scope", 0.41), ("greet", 0.2)], [], "rasa", TERSE
    ),
}


def to_choices(services, resident):
    converse(resident, [(CLOSE_CALL, "回复 1 邻里纠纷")])


def to_one_choice(services, resident):
    converse(resident, [(TERSE, "这是想咨询法律问题吗？")])


def to_moving(services, resident):
    converse(resident, [("八古墩社区", "八古墩"), ("我搬家了", "现在住在哪个社区")])


def to_call_off(services, resident):
    converse(
        resident,
        [
            ("我老公喝醉了在外面砸门", "110"),
            ("搞错了 煤气味是楼下在熬中药", "回复“没有危险”"),
        ],
    )


def to_resume(services, resident):
    converse(resident, [("物业天天不打扫楼道，垃圾堆了一个星期", "哪个社区"), ("取消", "继续登记")])


def kept(s: Seen):
    assert s.tickets == [("new", False, "neighbor_dispute")] and s.flow is None, s.reply


def withdrawn(s: Seen):
    assert s.tickets == [("cancelled", False, "neighbor_dispute")] and "已撤回" in s.reply, s.reply


def nothing_opened(s: Seen):
    assert s.tickets == [] and not isinstance(s.flow, IntakeState), s.reply


def case_being_taken(s: Seen):
    assert s.tickets == [] and isinstance(s.flow, IntakeState), s.reply


def phone_asked_for(s: Seen):
    assert s.tickets == [] and s.step == "phone" and "手机号" in s.reply, s.reply


def no_phone(s: Seen):
    assert s.tickets == [] and s.step == "confirm" and s.phone is None and "请确认" in s.reply, s.reply


def opened(s: Seen):
    assert s.tickets == [("new", False, "property_complaint")] and "已为您登记" in s.reply, s.reply


def not_submitted(s: Seen):
    """A no to the summary: more to add — or, said as a cancel ("不用了"), cancelled and kept for "继续登记"."""
    assert s.tickets == [], s.reply
    assert s.step == "details" and "补充" in s.reply or s.flow is None and "继续登记" in s.reply, s.reply


def community_asked_again(s: Seen):
    assert s.tickets == [] and s.community is None, s.reply
    assert s.step == "community" and "社区" in s.reply or s.flow is None and "取消" in s.reply, s.reply


def community_taken(s: Seen):
    assert s.tickets == [] and s.community == "八古墩社区" and s.step == "phone", s.reply


def choices_asked_again(s: Seen):
    assert s.tickets == [] and "回复 1 邻里纠纷" in s.reply and s.flow is not None, s.reply


def legal_case_being_taken(s: Seen):
    assert isinstance(s.flow, IntakeState) and s.flow.category == "legal_consultation", s.reply


def community_unchanged(s: Seen):
    assert s.community == "八古墩社区" and s.flow is None, s.reply


def new_community_asked_again(s: Seen):
    assert s.community == "八古墩社区" and s.step == "community" and "社区名称" in s.reply, s.reply


def still_urgent(s: Seen):
    assert [urgent for _, urgent, _ in s.tickets] == [True], s.reply


def call_off_asked_again(s: Seen):
    still_urgent(s)
    assert s.step == "call_off" and "没有危险" in s.reply, s.reply


def not_resumed(s: Seen):
    assert s.tickets == [] and not isinstance(s.flow, IntakeState), s.reply


def resumed(s: Seen):
    assert isinstance(s.flow, IntakeState) and "接着刚才的登记" in s.reply, s.reply


TABLE: dict[str, list[Asked]] = {
    "withdraw.confirm": [
        Asked(
            open_case,
            after_no=kept,
            after_yes=withdrawn,
            more_no=(
                "不是撤回 我是想问问进度",
                "不是要撤",
                "不要撤",
                "别撤销",
                "没有要取消",
                "不用了 不撤",
                "撤什么撤 不撤",
                "莫撤",
                "冇得要撤的",
                "2",
                "保留",
                "莫撤莫撤 我再等哈子",
            ),
            more_yes=("是的 撤了吧", "对 撤回", "嗯 取消吧", "1", "单子不要了", "对 不用了"),
        )
    ],
    "faq_offer.offer": [
        Asked(
            faq_offer,
            after_no=nothing_opened,
            after_yes=case_being_taken,
            more_no=("2", "不用了 谢谢"),
            more_yes=("1",),
        )
    ],
    "intake.confirm": [
        Asked(
            to_summary,
            after_no=not_submitted,
            after_yes=opened,
            more_no=("2", "不"),
            more_yes=("1", "好的 确认", "对，没问题", "对 交吧", "好的 麻烦你们了"),
        )
    ],
    "intake.phone": [
        Asked(
            to_phone,
            after_no=no_phone,
            after_yes=phone_asked_for,
            more_no=("不留", "莫打电话", "不方便", "物业有我电话 不用了", "不用了 微信上回我就行"),
            more_yes=("愿意",),
        )
    ],
    "intake.community": [
        Asked(to_community, after_no=community_asked_again, after_yes=community_asked_again),
        Asked(to_one_community_offered, after_no=community_asked_again, after_yes=community_taken, more_no=("都不是",)),
    ],
    "clarify.choose": [
        Asked(to_choices, after_no=nothing_opened, after_yes=choices_asked_again, more_no=("都不是",), script=SCRIPT),
        Asked(to_one_choice, after_no=nothing_opened, after_yes=legal_case_being_taken, script=SCRIPT),
    ],
    "moving.community": [
        Asked(to_moving, after_no=community_unchanged, after_yes=new_community_asked_again, more_no=("我没搬",))
    ],
    "urgent.call_off": [
        Asked(to_call_off, after_no=still_urgent, after_yes=call_off_asked_again, more_no=("不是 还是有危险",))
    ],
    "resume_intake": [Asked(to_resume, after_no=not_resumed, after_yes=not_resumed, more_no=("不用帮我登记",))],
}
# What only some questions take, with what must hold then.
OWN_ANSWERS = [
    ("urgent.call_off", "没有危险", lambda s: [u for _, u, _ in s.tickets] == [False] and s.flow is None),
    ("urgent.call_off", "冇得危险 是我搞错了", lambda s: [u for _, u, _ in s.tickets] == [False]),
    # "不登记" at "which community": no case wanted (only asking), not a community to ask for again.
    ("intake.community", "不登记", lambda s: s.tickets == [] and s.flow is None and "不登记" in s.reply),
    ("intake.community", "我说了不要登记！", lambda s: s.tickets == [] and s.flow is None and "不登记" in s.reply),
    ("resume_intake", "还是帮我登记一下吧", lambda s: isinstance(s.flow, IntakeState) and "接着刚才的登记" in s.reply),
    (
        "resume_intake",
        "我不是不办 是不想留电话",
        lambda s: isinstance(s.flow, IntakeState) and s.flow.contact.phone_asked,
    ),
]


def declared_questions() -> set[str]:
    asked = {
        f"{name}.{step}"
        for name, flow in FLOWS.items()
        for step, declared in flow.steps.items()
        if declared.question is not None
    }
    return asked | set(OTHER_QUESTIONS)


def test_every_question_in_flows_is_walked_to_in_this_table():
    assert declared_questions() == set(TABLE)
    every_step = {f"{name}.{step}" for name, flow in FLOWS.items() for step in flow.steps}
    assert every_step - declared_questions() == OPEN_STEPS  # a new step: declare its question, or say it is open


CASES = [
    pytest.param(key, index, said, answer, id=f"{key}#{index}-{answer}-{said}")
    for key, rows in TABLE.items()
    for index, row in enumerate(rows)
    for answer, words in (("no", NEGATIONS + row.more_no), ("yes", AFFIRMATIONS + row.more_yes))
    for said in words
]


@pytest.mark.parametrize(("key", "index", "said", "answer"), CASES)
def test_no_and_yes_at_every_question(services, resident, key, index, said, answer):
    row = TABLE[key][index]
    if row.script:
        services.classifier = ScriptedClassifier(row.script)
    row.reach(services, resident)
    reply = resident.says(said)
    (row.after_no if answer == "no" else row.after_yes)(seen(services, resident, reply))


@pytest.mark.parametrize(("key", "said", "holds"), OWN_ANSWERS, ids=[f"{k}-{s}" for k, s, _ in OWN_ANSWERS])
def test_answers_only_one_question_takes(services, resident, key, said, holds):
    TABLE[key][0].reach(services, resident)
    reply = resident.says(said)
    assert holds(seen(services, resident, reply)), reply


def test_not_a_withdrawal_but_a_question_keeps_the_case_and_answers_the_question(services, resident):
    open_case(services, resident)
    reply = resident.says("不是撤回 我是想问问进度")
    after = seen(services, resident, reply)
    kept(after)
    assert "保留" in reply and "已撤回" not in reply
    assert "您最近的工单" in reply or "处理" in reply, reply  # the question is answered too


def test_keeping_the_case_to_wait_a_while_is_one_reply(services, resident):
    open_case(services, resident)
    reply = resident.says("莫撤莫撤 我再等哈子")
    kept(seen(services, resident, reply))
    assert "保留" in reply and "再见" not in reply, reply


def test_not_yet_at_the_summary_holds_it_and_answers_the_question(services, resident):
    converse(resident, [("公司拖欠我三个月工资一直不发", "哪个社区"), ("东民社区", "手机号"), ("不留", "请确认")])
    reply = resident.says("先别交 我想问下公司这样算违法吗")
    after = seen(services, resident, reply)
    # The question is answered as one asked in passing; the summary is held and offered again.
    assert after.tickets == [] and after.step == "confirm" and "还没提交" in reply and "确认提交" in reply, reply
    assert "已补充" not in reply and "记进工单" not in reply, reply
    # Kept for the lawyer as the resident's question, not as more of the story.
    assert [part for part in after.flow.parts if "先别交" in part] == ["【居民的问题】先别交 我想问下公司这样算违法吗"]
    reply = resident.says("先别交")
    after = seen(services, resident, reply)
    assert after.tickets == [] and after.step == "confirm" and "先不提交" in reply, reply
    assert not any(part == "先别交" for part in after.flow.parts), after.flow.parts
    reply = resident.says("对 交吧")
    assert "已为您登记" in reply, reply


def test_only_asking_with_the_question_at_the_community_step_registers_nothing(services, resident):
    converse(resident, [("我爸去世了留了一套房子 兄弟几个要分", "哪个社区")])
    reply = resident.says("不要转 我就想了解一下 一般怎么分")
    after = seen(services, resident, reply)
    assert after.tickets == [] and after.flow is None, reply
    assert "不登记" in reply and "记进工单" not in reply and "一并为您解答" not in reply, reply
    assert "继续登记" in reply or "一般是这样的" in reply, reply


def test_no_danger_after_all_calls_off_the_fire_case(services, resident):
    converse(resident, [("楼下着火了好多烟", "119")])
    reply = resident.says("冇得事了 是楼下在烧纸 虚惊一场")
    if "没有危险" in reply:  # the danger named again: confirmed first
        reply = resident.says("没有危险")
    after = seen(services, resident, reply)
    assert [urgent for _, urgent, _ in after.tickets] == [False] and "普通事项" in reply, reply
