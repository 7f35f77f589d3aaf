"""The inbox's rows: the order staff take cases up in, the tabs and their counts, and what each card
says (a resident waiting, how the case came and why, numbers masked)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import select

from bot.cases import actions as casework
from bot.cases import person_requests
from bot.cases.lifecycle import tell_resident
from bot.cases.staff import Scope
from bot.cases.tickets import attach_message, escalate
from bot.seeding import prepare_database
from bot.storage import Database
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message, NoticeKind
from bot.storage.migrate import alembic_config
from bot.storage.residents import touch_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Handover, Ticket, TicketEvent
from devtools.databases import scratch_database
from tests.conftest import PG_ADMIN_URL
from tests.staff_user import new_account, new_case
from webhook.console.inbox_rows import InboxView, inbox_rows, view_counts

ADMIN = Scope(0, "admin", admin=True)


def resident_writes(session, ticket: Ticket, words: str, ago: timedelta = timedelta(0)) -> Message:
    """The resident writes on the case (after it was opened, `ago` before now)."""
    message = Message(
        resident_id=ticket.resident_id,
        direction="in",
        msg_type="text",
        content=words,
        ticket_id=ticket.id,
        created_at=utcnow() - ago,
    )
    session.add(message)
    session.flush()
    return message


def order_of(rows, *case_ids: int) -> list[int]:
    """These cases in the order the rows list them."""
    return [row.ticket.id for row in rows if row.ticket.id in case_ids]


def test_the_inbox_puts_an_urgent_case_before_requests_for_a_person_and_a_fresh_request_reads_just_now(services):
    waiting_id, _, _ = new_case(services, "wutai")
    fresh_id, _, _ = new_case(services, "wutai")
    urgent_id, _, _ = new_case(services, "wutai", urgent=True)
    plain_id, _, _ = new_case(services, "wutai")
    with services.db.session() as session:
        for case_id in (waiting_id, fresh_id):
            person_requests.request_person(session, services.jobs, "", session.get(Ticket, case_id))
        session.get(Ticket, waiting_id).person_requested_at = utcnow() - timedelta(minutes=25)
    with services.db.session() as session:
        rows = inbox_rows(session, ADMIN, unit_id=unit_by_code(session, "wutai").id, limit=500)
        order = order_of(rows, waiting_id, fresh_id, urgent_id, plain_id)
        assert order[:3] == [urgent_id, waiting_id, fresh_id] and order[-1] == plain_id
        words = {row.ticket.id: row.person_waited_words for row in rows}
        assert words[waiting_id] == "已等 25 分钟" and words[fresh_id] == "刚刚" and words[plain_id] == ""


def test_a_resident_waiting_for_an_answer_comes_before_the_rest_which_go_by_deadline(services):
    soon_id, _, _ = new_case(services, "wutai")
    later_id, _, _ = new_case(services, "wutai")
    wrote_id, _, _ = new_case(services, "wutai")
    asked_id, _, _ = new_case(services, "wutai")
    answered_id, _, _ = new_case(services, "wutai")
    urgent_id, _, _ = new_case(services, "wutai", urgent=True)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        for case_id, hours in ((soon_id, 2), (later_id, 20), (wrote_id, 30), (asked_id, 30), (answered_id, 1)):
            ticket = session.get(Ticket, case_id)
            ticket.created_at = utcnow() - timedelta(hours=3)
            ticket.due_at = ticket.resolution_due_at = utcnow() + timedelta(hours=hours)
        wrote = session.get(Ticket, wrote_id)
        resident_writes(session, wrote, "我补充一下，合同在我这里", ago=timedelta(minutes=40))
        resident_writes(session, wrote, "还有工资条")
        person_requests.request_person(
            session, services.jobs, "", session.get(Ticket, asked_id), now=utcnow() - timedelta(minutes=10)
        )
        answered = session.get(Ticket, answered_id)
        resident_writes(session, answered, "请问要带什么材料", ago=timedelta(minutes=50))
        casework.reply(session, services.jobs, answered, lawyer, "带上身份证和合同")
    with services.db.session() as session:
        rows = inbox_rows(session, ADMIN, unit_id=unit_by_code(session, "wutai").id, limit=1000)
        order = order_of(rows, soon_id, later_id, wrote_id, asked_id, answered_id, urgent_id)
        # The resident who wrote 40 minutes ago has waited longer than the one who asked for a
        # person 10 minutes ago; the answered case goes by its deadline again.
        assert order == [urgent_id, wrote_id, asked_id, answered_id, soon_id, later_id]
        row = next(row for row in rows if row.ticket.id == wrote_id)
        assert row.resident_wrote and row.wrote.count == 2 and row.wrote.latest == "还有工资条"
        assert row.wrote.waited_words == "已等 40 分钟"
        assert not next(row for row in rows if row.ticket.id == answered_id).resident_wrote


def test_the_tabs_list_mine_not_accepted_waiting_for_the_resident_and_overdue_with_their_counts(services):
    me_name = new_account(services, "lawyer", "wutai")
    colleague_name = new_account(services, "lawyer", "wutai")
    with services.db.session() as session:
        me, colleague = staff_by_username(session, me_name), staff_by_username(session, colleague_name)
        scope = Scope(me.id, me.username, rooms=frozenset({(me.unit_id, "lawyer")}))
        before = view_counts(session, scope, role="lawyer")
    new_id, _, _ = new_case(services, "wutai")
    mine_id, _, _ = new_case(services, "wutai")
    theirs_id, _, _ = new_case(services, "wutai")
    asked_id, _, _ = new_case(services, "wutai")
    late_id, _, _ = new_case(services, "wutai")
    done_id, _, _ = new_case(services, "wutai")
    with services.db.session() as session:
        me, colleague = session.merge(me), session.merge(colleague)
        casework.accept(session, services.jobs, session.get(Ticket, mine_id), me)
        casework.accept(session, services.jobs, session.get(Ticket, theirs_id), colleague)
        casework.ask_for_information(session, services.jobs, session.get(Ticket, asked_id), me, "请发合同照片")
        session.get(Ticket, late_id).due_at = utcnow() - timedelta(hours=2)
        casework.resolve(session, services.jobs, session.get(Ticket, done_id), colleague, "已解答")
    ours = {new_id, mine_id, theirs_id, asked_id, late_id, done_id}
    with services.db.session() as session:
        after = view_counts(session, scope, role="lawyer")
        grown = {view.value: after[view] - before[view] for view in after}
        assert grown == {"all": 5, "mine": 2, "unaccepted": 2, "waiting": 1, "overdue": 1}
        listed = {
            view.value: {row.ticket.id for row in inbox_rows(session, scope, view, limit=5000)} & ours
            for view in InboxView
        }
    assert listed == {
        "all": {new_id, mine_id, theirs_id, asked_id, late_id},
        "mine": {mine_id, asked_id},
        "unaccepted": {new_id, late_id},
        "waiting": {asked_id},
        "overdue": {late_id},
        "done": {done_id},
    }
    assert InboxView.of("open") is InboxView.ALL and InboxView.of("nonsense") is InboxView.ALL


def test_a_case_handed_over_waits_to_be_taken_up_and_its_card_says_who_sent_it_and_why(services):
    case_id, _, _ = new_case(services, "baguodun", text="公司拖欠工资，老板说下个月再给")
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        ticket = session.get(Ticket, case_id)
        casework.accept(session, services.jobs, ticket, lawyer)
        assert ticket.handler_id == lawyer.id
        qingnian = unit_by_code(session, "qingnian")
        casework.transfer_case(session, services.jobs, ticket, lawyer, qingnian, "lawyer", "", "居民住在青年社区")
        assert ticket.handler_id is None and casework.may_accept(ticket)  # in progress, but not taken up here
    with services.db.session() as session:
        row = next(
            row for row in inbox_rows(session, ADMIN, InboxView.UNACCEPTED, limit=5000) if row.ticket.id == case_id
        )
        assert row.handover == "张律师转来：居民住在青年社区" and row.handler == ""
        escalate(session, services.jobs, session.get(Ticket, case_id))  # the sweep: overdue
    with services.db.session() as session:
        row = next(row for row in inbox_rows(session, ADMIN, limit=5000) if row.ticket.id == case_id)
        assert row.handover == "系统上报：超时未处理"


@pytest.mark.parametrize(
    "reason, error",
    [("", "请写明转交原因"), ("   ", "请写明转交原因"), ("太长" * 51, "100 字以内")],
)
def test_a_transfer_needs_a_short_reason(services, reason, error):
    case_id, _, _ = new_case(services, "baguodun")
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        qingnian = unit_by_code(session, "qingnian")
        with pytest.raises(casework.ActionError, match=error):
            casework.transfer_case(
                session, services.jobs, session.get(Ticket, case_id), lawyer, qingnian, "lawyer", "", reason
            )
        with pytest.raises(casework.ActionError, match="上报原因"):
            casework.escalate_case(session, services.jobs, session.get(Ticket, case_id), lawyer, "", "")


def test_a_card_masks_the_numbers_the_resident_added_later(services):
    case_id, _, _ = new_case(services, "wutai", text="房东不退押金")
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        attach_message(session, ticket, resident_writes(session, ticket, "我电话 138 0013 8000，白天都在"))
        resident_writes(session, ticket, "我身份证号420102199001011234")
    with services.db.session() as session:
        row = next(row for row in inbox_rows(session, ADMIN, limit=5000) if row.ticket.id == case_id)
        assert "138****8000" in row.description and "0013" not in row.description
        assert row.wrote.latest == "我身份证号4201**********1234"
        assert "138 0013 8000" in row.ticket.description  # the case page still shows it to staff


def test_a_staff_reply_or_a_bot_notice_is_told_apart(services):
    case_id, _, _ = new_case(services, "wutai")
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        resident_writes(session, ticket, "还在吗")
        tell_resident(session, services.jobs, ticket, "您的工单状态更新", sender="system")  # not an answer
    with services.db.session() as session:
        assert next(row for row in inbox_rows(session, ADMIN, limit=5000) if row.ticket.id == case_id).resident_wrote
        tell_resident(session, services.jobs, session.get(Ticket, case_id), "在的", "zhang.lawyer", NoticeKind.REPLY)
    with services.db.session() as session:
        assert not next(
            row for row in inbox_rows(session, ADMIN, limit=5000) if row.ticket.id == case_id
        ).resident_wrote


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migration_0014_reads_handlers_and_hand_overs_from_earlier_events(tmp_path, engine):
    def round_trip(url: str) -> None:
        prepare_database(url)
        database = Database(url)
        with database.session() as session:
            room = unit_by_code(session, "baguodun")
            resident_id = touch_resident(session, "o_migrated").id
            cases = {}
            for name in ("accepted", "handed", "replied"):
                ticket = Ticket(resident_id=resident_id, category="legal_consultation", unit_id=room.id, role="lawyer")
                ticket.status = "in_progress"
                session.add(ticket)
                session.flush()
                cases[name] = ticket.id
            events = [
                ("accepted", "受理", "zhang.lawyer"),
                ("handed", "受理", "zhang.lawyer"),
                ("handed", "由八古墩社区公共法律服务工作室转至青年社区公共法律服务工作室（社区律师）", "zhang.lawyer"),
                ("replied", "居民要求人工服务", "resident"),
                ("replied", "已回复居民的人工请求", "zhang.lawyer"),
                ("replied", "超时未处理，已从八古墩社区公共法律服务工作室上报至唐家墩街道公共法律服务工作站", "system"),
            ]
            for name, note, actor in events:
                session.add(TicketEvent(ticket_id=cases[name], status="in_progress", note=note, actor=actor))
            later = utcnow() + timedelta(minutes=5)
            for name, direction, extra in (
                ("accepted", "in", {}),  # the resident wrote after the case opened: it waits for staff
                ("replied", "in", {}),
                ("replied", "out", {"sender": "zhang.lawyer", "kind": "reply"}),  # and staff answered
            ):
                session.add(
                    Message(
                        resident_id=resident_id,
                        direction=direction,
                        msg_type="text",
                        content="…",
                        extra=extra,
                        ticket_id=cases[name],
                        created_at=later,
                    )
                )
        database.engine.dispose()
        command.downgrade(alembic_config(url), "0013")
        command.upgrade(alembic_config(url), "head")
        database = Database(url)
        with database.session() as session:
            zhang = staff_by_username(session, "zhang.lawyer").id
            handlers = {name: session.get(Ticket, case_id).handler_id for name, case_id in cases.items()}
            assert handlers == {"accepted": zhang, "handed": None, "replied": None}
            waiting = {name: session.get(Ticket, case_id).resident_wrote_at for name, case_id in cases.items()}
            assert waiting == {"accepted": later, "handed": None, "replied": None}
            marked = session.execute(
                select(TicketEvent.ticket_id, TicketEvent.handover, TicketEvent.reason).where(
                    TicketEvent.handover.is_not(None)
                )
            ).all()
            assert sorted(marked) == sorted(
                [(cases["handed"], Handover.TRANSFER, ""), (cases["replied"], Handover.ESCALATION, "超时未处理")]
            )
        database.engine.dispose()

    if engine == "sqlite":
        round_trip(f"sqlite:///{tmp_path / 'migrate.db'}")
        return
    with scratch_database(PG_ADMIN_URL, f"lfd_inbox_migrate_{uuid.uuid4().hex[:8]}") as url:
        round_trip(url)
