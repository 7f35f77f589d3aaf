"""Questions asked in passing, measured on a set written apart from the examples the rules were
tuned on: at each step of an intake, how many questions are answered with the step's question asked
again, and how many answers to the step are taken for a question instead. The rates are printed
(pytest -s) and held to what the service needs: most questions answered, almost no answer lost.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("rasa_server")

# The intake up to each step: the community question, the phone question, the summary.
COMMUNITY = ("我家隔壁装修天天电钻响到晚上十点，说了也不听",)
PHONE = ("小区地下车库天天漏水，物业说没钱修", "西桥社区")
SUMMARY = ("前夫一直不给孩子抚养费，已经拖了半年了", "青年社区", "不留")
ASKED_AGAIN = "【您正在登记的事项还没提交】"

QUESTIONS = [
    (COMMUNITY, "装修最晚能到几点"),
    (COMMUNITY, "他家这样算违法吗"),
    (COMMUNITY, "我能去物业投诉他吗"),
    (COMMUNITY, "噪音扰民警察管不管"),
    (COMMUNITY, "调解员会上门吗"),
    (COMMUNITY, "他把我家墙震裂了谁赔"),
    (COMMUNITY, "可以让他停工吗？"),
    (COMMUNITY, "要不要先拍视频留证据"),
    (COMMUNITY, "调解有没有法律效力"),
    (COMMUNITY, "你们周末上班吗"),
    (PHONE, "物业不修能少交物业费吗"),
    (PHONE, "车被泡了物业要赔吗"),
    (PHONE, "维修资金能用来修车库吗"),
    (PHONE, "找开发商还是找物业"),
    (PHONE, "可以打12345投诉吗"),
    (PHONE, "这事归房管局管吗"),
    (PHONE, "业主能自己找人修吗"),
    (PHONE, "办这个收不收费"),
    (PHONE, "一般几天能有结果"),
    (PHONE, "我能起诉物业吗？"),
    (SUMMARY, "抚养费一般给多少"),
    (SUMMARY, "他没工作也要给吗"),
    (SUMMARY, "能不能申请强制执行"),
    (SUMMARY, "律师会帮我写诉状吗"),
    (SUMMARY, "孩子的姓能改吗"),
    (SUMMARY, "需要准备哪些证据"),
    (SUMMARY, "法律援助我符合条件吗"),
    (SUMMARY, "他要是还不给怎么办"),
    (SUMMARY, "起诉要花多长时间"),
    (SUMMARY, "这种要去法院吗"),
]
STEP_ANSWERS = [
    (COMMUNITY, "西桥社区"),
    (COMMUNITY, "西桥"),
    (COMMUNITY, "不清楚是哪个社区"),
    (COMMUNITY, "不知道"),
    (COMMUNITY, "是青年社区吧"),
    (COMMUNITY, "我住在八古墩社区"),
    (COMMUNITY, "不晓得叫么子社区"),
    (COMMUNITY, "就在万松园路那边"),
    (COMMUNITY, "取消吧"),
    (COMMUNITY, "转人工"),
    (PHONE, "138 0712 3456"),
    (PHONE, "不用了"),
    (PHONE, "好的"),
    (PHONE, "要得"),
    (PHONE, "不方便留"),
    (PHONE, "下午3点以后联系我"),
    (PHONE, "冇得手机"),
    (PHONE, "留电话干什么用"),
    (PHONE, "不想给电话"),
    (PHONE, "不敢留 怕他报复"),
    (SUMMARY, "1"),
    (SUMMARY, "2"),
    (SUMMARY, "没问题 提交吧"),
    (SUMMARY, "对的"),
    (SUMMARY, "先不交 我再想想"),
    (SUMMARY, "社区填错了"),
    (SUMMARY, "号码不对"),
    (SUMMARY, "说错了 是八个月不是半年"),
    (SUMMARY, "我还有话说"),
    (SUMMARY, "好的 交上去"),
]
# What the service needs of them (set before the set was run).
MIN_ANSWERED = 0.85
MAX_ANSWERS_TAKEN = 0.05


def asked_in_passing(resident, before: tuple[str, ...], says: str) -> bool:
    """Play the intake up to the step, then the message: True when it was answered as a question
    and the step's question asked again."""
    for said in before:
        resident.says(said)
    return ASKED_AGAIN in resident.says(says)


def another(resident, number: int):
    return resident.__class__(resident.client, resident.settings, f"{resident.openid}_{number}")


def test_questions_in_passing_are_answered_and_answers_to_the_step_are_not_taken_for_them(resident):
    answered = [
        says
        for number, (before, says) in enumerate(QUESTIONS)
        if asked_in_passing(another(resident, number), before, says)
    ]
    taken = [
        says
        for number, (before, says) in enumerate(STEP_ANSWERS, start=len(QUESTIONS))
        if asked_in_passing(another(resident, number), before, says)
    ]
    rate, wrong = len(answered) / len(QUESTIONS), len(taken) / len(STEP_ANSWERS)
    missed = [says for _, says in QUESTIONS if says not in answered]
    print(f"\nquestions answered in passing: {len(answered)}/{len(QUESTIONS)} = {rate:.0%}; missed: {missed}")
    print(f"answers to the step taken for a question: {len(taken)}/{len(STEP_ANSWERS)} = {wrong:.0%}; {taken}")
    assert rate >= MIN_ANSWERED, missed
    assert wrong <= MAX_ANSWERS_TAKEN, taken
