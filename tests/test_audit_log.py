"""Audit entries in words: statuses, rooms, roles and times by name, the subject of an entry about
no case, and only the fields that changed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cases.audit_log import Change, Names, ReadableEntry, _subject, changes
from bot.storage.audit import AuditAction, LoggedAction

NAMES = Names(units={11: "八古墩社区", 12: "青年社区"}, staff={7: "张律师"})


def entry(action: AuditAction, before: dict, after: dict, ticket_id: int | None = None) -> LoggedAction:
    return LoggedAction(
        1, 7, "zhang.lawyer", action, ticket_id, "", before, after, datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    )


def test_a_transfer_reads_as_the_rooms_and_roles_it_moved_between():
    before = {"status": "new", "unit_id": 11, "role": "lawyer", "mediation_at": None, "mediation_place": ""}
    after = {**before, "unit_id": 12, "role": "mediator", "reason": "调解员更合适"}
    assert changes(entry(AuditAction.TRANSFER, before, after, 5), NAMES) == [
        Change("工作室", "八古墩社区", "青年社区"),
        Change("岗位", "社区律师", "人民调解员"),
        Change("原因", "", "调解员更合适"),
    ]


def test_statuses_times_and_flags_are_in_words():
    after = {"status": "mediation", "mediation_at": "2026-12-14T06:30:00+00:00", "mediation_place": "调解室"}
    scheduled = changes(entry(AuditAction.SCHEDULE_MEDIATION, {"status": "in_progress"}, after, 5), NAMES)
    assert scheduled[0] == Change("状态", "处理中", "已安排调解")
    assert Change("调解时间", "", "2026-12-14 14:30:00") in scheduled
    profile = changes(entry(AuditAction.PROFILE, {"wechat_bound": False}, {"wechat_bound": True}), NAMES)
    assert profile == [Change("绑定微信", "否", "是")]


def test_an_entry_about_no_case_names_its_subject_once():
    lifted = entry(AuditAction.UNLOCK, {"account": "li.mediator", "address": "10.0.0.9"}, {})
    assert _subject(lifted, NAMES) == ("account", "账号 li.mediator")
    assert changes(lifted, NAMES, "account") == [Change("地址", "10.0.0.9", "")]
    edited = entry(AuditAction.FAQ_EDIT, {"intent": "faq_wage", "answer": "旧"}, {"intent": "faq_wage", "answer": "新"})
    assert _subject(edited, NAMES) == ("intent", "问题 faq_wage")  # a question no longer in the FAQ
    assert changes(edited, NAMES, "intent") == [Change("回答", "旧", "新")]
    erased = entry(AuditAction.PRIVACY_ERASE, {}, {"request_id": 3, "erased": {"messages": 2}})
    assert _subject(erased, NAMES) == ("request_id", "删除申请 #3")


def test_keys_without_a_label_still_show_and_one_line_holds_them_all():
    item = ReadableEntry(
        entry(AuditAction.REVIEW_DISCARD, {}, {"items": [1, 2], "brand_new_key": "x"}),
        "张律师（zhang.lawyer）",
        "丢弃",
        "",
        changes(entry(AuditAction.REVIEW_DISCARD, {"old": "a"}, {"items": [1, 2], "brand_new_key": "x"}), NAMES),
    )
    assert item.changes_text == "审核条目：1、2；brand_new_key：x；old：a → （无）"


def test_faq_answers_show_their_question_and_accounts_their_staff_members_name():
    names = Names(
        units={},
        staff={7: "张律师"},
        usernames={"zhang.lawyer": "张律师", "li.mediator": "李调解员"},
        questions={"faq_renovation_noise": "邻居装修噪音扰民怎么办？"},
    )
    approved = entry(
        AuditAction.FAQ_APPROVE,
        {"intent": "faq_renovation_noise", "reviewed_by": None},
        {"intent": "faq_renovation_noise", "reviewed_by": "zhang.lawyer", "drafted_by": "li.mediator"},
    )
    assert _subject(approved, names) == ("intent", "问题“邻居装修噪音扰民怎么办？”")
    assert Change("审核律师", "", "张律师（zhang.lawyer）") in changes(approved, names, "intent")
    assert Change("起草人", "", "李调解员（li.mediator）") in changes(approved, names, "intent")
    assert (
        _subject(entry(AuditAction.UNLOCK, {"account": "li.mediator"}, {}), names)[1] == "账号 李调解员（li.mediator）"
    )
    assert AuditAction.REVIEW_RELABEL.label == "改正消息的意图标注"
