"""Command line: set-up (and what it kept of the console's directory edits), the staff's status
changes and the housekeeping sweep."""

import dataclasses
from datetime import timedelta

import yaml
from sqlalchemy import select

from bot.cases.directory import DEFAULT_DIRECTORY
from bot.cases.directory_edit import UnitEdit, edit_unit
from bot.cases.staff import add_account
from bot.cases.tickets import CaseRequest, open_ticket
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.outbox import OutboundMessage
from bot.storage.residents import Resident, touch_resident
from bot.storage.staff import AuditEntry
from bot.storage.tickets import Ticket
from tests.conftest import run_jobs
from webhook import create_app


def test_setup_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0 and "FAQ entries loaded" in result.output


def test_status_change_reaches_the_resident(app, services, fake_wechat):
    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_status")
        ticket = open_ticket(
            session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "xiqiao"))
        )
        number = ticket.number
    result = app.test_cli_runner().invoke(
        args=["tickets", "status", number, "in_progress", "--actor", "zhu.mediator", "--note", "今晚上门"]
    )
    assert result.exit_code == 0, result.output
    run_jobs(services)
    assert "今晚上门" in fake_wechat.messages(touser="o_cli_status")[-1]["content"]
    with services.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.ticket_id == ticket.id)).one()
        assert (entry.actor, entry.action) == ("zhu.mediator", "status")
        assert (entry.before["status"], entry.after["status"]) == ("new", "in_progress")


def test_sweep_escalates_overdue_cases_and_requeues_stuck_messages(app, services, fake_wechat):
    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_sweep")
        ticket = open_ticket(
            session, resident, CaseRequest("property_complaint", "电梯", unit_by_code(session, "wutai"))
        )
        ticket.due_at = utcnow() - timedelta(hours=2)
        session.add(
            OutboundMessage(
                resident_id=resident.id,
                openid=resident.openid,
                content="迟到的消息",
                created_at=utcnow() - timedelta(hours=1),
            )
        )
        ticket_id = ticket.id
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "1 case(s) escalated" in result.output and "1 message(s) queued again" in result.output
    run_jobs(services)
    sent = [message["content"] for message in fake_wechat.messages(touser="o_cli_sweep")]
    assert "迟到的消息" in sent and any("上报" in text for text in sent)
    with services.db.session() as session:
        assert unit_by_code(session, "wansong").id == session.get(Ticket, ticket_id).unit_id


def test_a_status_change_with_redis_down_reports_success_and_the_notice_waits(app, services, fake_wechat):
    import redis

    from bot.jobs import RedisJobs

    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_redis_down_01")
        ticket = open_ticket(
            session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "xiqiao"))
        )
        number = ticket.number
    working = services.jobs
    services.jobs = RedisJobs(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2), "x:")
    result = app.test_cli_runner().invoke(args=["tickets", "status", number, "in_progress", "--actor", "zhu.mediator"])
    services.jobs = working
    assert result.exit_code == 0 and result.exception is None, result.output
    with services.db.session() as session:
        assert (
            session.scalar(select(OutboundMessage.status).where(OutboundMessage.openid == "o_cli_redis_down_01"))
            == "queued"
        )


def test_privacy_export_and_delete_keep_statistics_and_drop_the_person(app, services):
    import json

    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_privacy_00001")
        resident.phone = "13900004444"
        ticket = open_ticket(
            session,
            resident,
            CaseRequest("property_complaint", "电梯坏了三天", unit_by_code(session, "wutai"), phone="13900004444"),
        )
        ticket_id = ticket.id
    services.dialogue.save("o_cli_privacy_00001", {"flow": "intake"})
    exported = app.test_cli_runner().invoke(args=["privacy", "export", "o_cli_privacy_00001"])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["residents"][0]["phone"] == "13900004444" and data["tickets"][0]["description"] == "电梯坏了三天"
    assert data["dialogue_states"][0]["state"] == {"flow": "intake"}
    deleted = app.test_cli_runner().invoke(args=["privacy", "delete", "o_cli_privacy_00001", "--yes"])
    assert deleted.exit_code == 0, deleted.output
    assert "1 erased, 0 failed, 0 not found" in deleted.output and "居民资料 1" in deleted.output
    with services.db.session() as session:
        kept = session.get(Ticket, ticket_id)
        # The open case is withdrawn: nobody can reach the resident about it any more.
        assert (kept.category, kept.status, kept.description, kept.contact_phone) == (
            "property_complaint",
            "cancelled",
            "",
            None,
        )
        assert session.scalar(select(Resident.phone).where(Resident.id == kept.resident_id)) is None
    assert services.dialogue.load("o_cli_privacy_00001") == {}
    again = app.test_cli_runner().invoke(args=["privacy", "export", "o_cli_privacy_00001"])
    assert again.exit_code != 0


def test_sweep_removes_residents_past_the_retention_period(app, services):
    import dataclasses

    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_retention_001")
        resident.last_interaction_at = utcnow() - timedelta(days=400)
    services.settings = dataclasses.replace(services.settings, retention_days=365)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    with services.db.session() as session:
        assert session.scalar(select(Resident).where(Resident.openid == "o_cli_retention_001")) is None


def test_setup_reports_directory_rows_kept_as_edited_in_the_console(settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    prepare_database(url)
    services = build_services(dataclasses.replace(settings, database_url=url))
    with services.db.session() as session:
        admin = add_account(session, "cli.admin", "管理员", "admin", "jianghan", "password123")
        room = unit_by_code(session, "xiqiao")
        edit = UnitEdit(room.name, room.office_name, tuple(room.aliases), room.address, room.phone, "每天 8:00-20:00",
                        room.latitude, room.longitude, room.division_code)  # fmt: skip
        edit_unit(session, room, edit, admin)
    data = yaml.safe_load(DEFAULT_DIRECTORY.read_text(encoding="utf-8"))
    data["district"]["streets"][1]["communities"][1]["room"]["hours"] = "工作日 9:00-17:00"  # 西桥 in the seed
    seed = tmp_path / "directory.yml"
    seed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = create_app(services=services).test_cli_runner().invoke(args=["setup", "--directory", str(seed)])
    services.db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "1 directory row(s) edited in the console kept" in result.output
    assert "unit xiqiao: edited by cli.admin at" in result.output and "differs in hours" in result.output
