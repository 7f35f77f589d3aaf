"""The reports' figures on a small set of cases of their own, on PostgreSQL and on SQLite: places,
weeks, kinds and deadlines, ratings, the bot's own answers, residents who came back; the cases
sheet and CSV; the period's days and buckets; the room an escalated case is counted for."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from bot.cases.office_hours import CHINA
from bot.cases.staff import Scope
from bot.cases.tickets import escalate
from bot.reporting.case_rows import HEADINGS, CaseRow, case_rows
from bot.reporting.figures import report_figures
from bot.reporting.period import Period, PeriodError, last_month, month_period, read_period, this_year
from bot.reporting.places import NO_COMMUNITY
from bot.reporting.scope import NoReports, ReportScope, may_see_reports, report_scope, street_scope
from bot.reporting.self_service import self_service
from bot.reporting.sql import REPORT_UNIT, scoped_cases
from bot.reporting.tables import Share, all_tables
from bot.reporting.workbook import write_csv, write_workbook
from bot.seeding import prepare_database
from bot.storage import Database
from bot.storage.directory import Unit, district_centre, unit_by_code
from bot.storage.messages import Message
from bot.storage.migrate import alembic_config
from bot.storage.residents import Resident
from bot.storage.tickets import Ticket, TicketEvent
from devtools.databases import scratch_database
from tests.conftest import PG_ADMIN_URL, RUN_ID

pytestmark = pytest.mark.needs_services

MARCH = month_period("2026-03")
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=CHINA)  # when the report is made
TARGET = 0.85


def beijing(day: int, hour: int = 10, month: int = 3) -> datetime:
    """A moment of 2026 in Beijing time."""
    return datetime(2026, month, day, hour, 0, tzinfo=CHINA)


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def seeded(request, tmp_path_factory):
    """A database of this module's own with the cases below: (database, the cases by letter)."""
    if request.param == "postgresql":
        with scratch_database(PG_ADMIN_URL, f"lfd_reports_{RUN_ID}") as url:
            database = Database(url)
            yield database, _seed(database)
            database.engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'reports.db'}"
        prepare_database(url)
        database = Database(url)
        yield database, _seed(database)
        database.engine.dispose()


def _seed(database: Database) -> dict[str, int]:
    """Seven cases opened in March 2026 and two outside it; FAQ answers around them."""
    with database.session() as session:
        units = {code: unit_by_code(session, code) for code in ("baguodun", "qingnian", "wutai", "wansong")}
        centre = district_centre(session)
        people = {
            name: _resident(session, units[home].id if home else None)
            for name, home in (
                ("r1", "baguodun"),
                ("r2", "qingnian"),
                ("r3", "qingnian"),
                ("r4", "baguodun"),
                ("r5", None),
            )
        }
        h = timedelta(hours=1)
        cases = {
            # On time both ways, rated 5.
            "A": _case(session, people["r1"], units["baguodun"], "legal_consultation", beijing(2), status="resolved",
                       first_response=2 * h, resolved=timedelta(days=2), rating=5),
            # Late both ways, rated 2.
            "B": _case(session, people["r4"], units["baguodun"], "neighbor_dispute", beijing(3, 9), status="closed",
                       first_response=30 * h, resolved=timedelta(days=20), rating=2),
            # Urgent, never answered: overdue.
            "C": _case(session, people["r2"], units["qingnian"], "property_complaint", beijing(10, 9), urgent=True),
            # Sent up from 舞台 to 万松 street's workstation, answered there within its 4 hours.
            "D": _case(session, people["r4"], units["wansong"], "legal_consultation", beijing(16),
                       status="in_progress", first_response=h, due=4 * h, resolution_due=NOW + timedelta(days=16),
                       escalated_from=units["wutai"]),
            # r1 again about the same kind within 30 days, and reopened: never answered since.
            "E": _case(session, people["r1"], units["baguodun"], "legal_consultation", beijing(20), status="reopened"),
            # r3's earlier case, in February, and the same kind again in March (withdrawn).
            "F": _case(session, people["r3"], units["qingnian"], "neighbor_dispute", beijing(25, month=2),
                       status="closed"),
            "G": _case(session, people["r3"], units["qingnian"], "neighbor_dispute", beijing(5), status="cancelled"),
            # At the centre, the last evening of March in Beijing (still March 31 in UTC too).
            "H": _case(session, people["r5"], centre, "legal_consultation", beijing(31, 23), status="resolved",
                       first_response=h, resolved=5 * h, rating=4),
            # 00:30 on April 1 in Beijing is March 31 in UTC: April's.
            "I": _case(session, people["r5"], centre, "legal_consultation", datetime(2026, 4, 1, 0, 30, tzinfo=CHINA)),
        }  # fmt: skip
        session.add(TicketEvent(ticket_id=cases["E"], status="reopened", note="没解决", actor="resident"))
        for who, intent, when in (
            ("r1", "faq_unpaid_wages", beijing(1, 12)),  # a case the next day: not settled by the answer
            ("r2", "faq_unpaid_wages", beijing(11)),  # C is older: settled
            ("r5", "faq_divorce", beijing(12)),  # settled; no community, so the district's only
            ("r2", "faq_divorce", beijing(2, month=4)),  # April
            ("r2", "legal_consultation", beijing(11, 11)),  # no FAQ answer
        ):
            session.add(
                Message(resident_id=people[who], direction="in", msg_type="text", intent=intent, created_at=when)
            )
        return cases


def _resident(session, community_id: int | None) -> int:
    resident = Resident(openid=f"o_reports_{uuid.uuid4().hex[:10]}", community_id=community_id, phone="13812345678")
    session.add(resident)
    session.flush()
    return resident.id


def _case(
    session,
    resident_id: int,
    unit: Unit,
    category: str,
    opened: datetime,
    status: str = "new",
    urgent: bool = False,
    first_response: timedelta | None = None,
    due: timedelta | None = None,
    resolved: timedelta | None = None,
    resolution_due: datetime | None = None,
    rating: int | None = None,
    escalated_from: Unit | None = None,
) -> int:
    deadlines = {"legal_consultation": 3, "neighbor_dispute": 15, "property_complaint": 7}
    ticket = Ticket(
        number=f"R{uuid.uuid4().hex[:8]}",
        resident_id=resident_id,
        category=category,
        unit_id=unit.id,
        role="lawyer",
        status=status,
        urgent=urgent,
        description="楼上漏水，电话 13812345678",
        contact_phone="13812345678",
        created_at=opened,
        due_at=opened + (due or timedelta(hours=1 if urgent else 24)),
        first_response_at=opened + first_response if first_response else None,
        resolution_due_at=resolution_due or opened + timedelta(days=deadlines[category]),
        resolved_at=opened + resolved if resolved else None,
        rating=rating,
        escalated_from_id=escalated_from.id if escalated_from else None,
    )
    session.add(ticket)
    session.flush()
    return ticket.id


def _street(database: Database, code: str) -> ReportScope:
    with database.session() as session:
        return street_scope(session, code)


def _figures(database: Database, scope: ReportScope, period: Period = MARCH):
    with database.session() as session:
        return report_figures(session, scope, period, NOW, TARGET)


DISTRICT = ReportScope(None, "全区")


def test_cases_by_community_street_and_week(seeded):
    database, _ = seeded
    figures = _figures(database, DISTRICT)
    assert figures.places.total.cases == 7
    communities = {row.name: row.cases for row in figures.places.communities}
    # D was sent up to 万松 street's workstation and still counts for 舞台.
    assert communities == {"八古墩社区": 3, "青年社区": 2, "舞台社区": 1, NO_COMMUNITY: 1}
    streets = {row.name: row.cases for row in figures.places.streets}
    assert streets == {"唐家墩街道": 5, "万松街道": 1, "区公共法律服务中心": 1}
    assert [(bucket.label, bucket.cases) for bucket in figures.over_time] == [
        ("03-01（1 天）", 0),
        ("03-02 至 03-08", 3),
        ("03-09 至 03-15", 1),
        ("03-16 至 03-22", 2),
        ("03-23 至 03-29", 0),
        ("03-30 至 03-31（2 天）", 1),
    ]
    assert [bucket.short for bucket in figures.over_time][:2] == ["03-01", "03-02"]
    total = figures.places.total
    assert (total.open, total.resolved, total.overdue, total.escalated, total.urgent) == (3, 3, 2, 1, 1)


def test_deadlines_kept_and_missed_by_kind(seeded):
    database, _ = seeded
    kinds = {kind.kind: kind for kind in _figures(database, DISTRICT).kinds}
    legal, neighbour, property_ = kinds["legal_consultation"], kinds["neighbor_dispute"], kinds["property_complaint"]
    assert (legal.cases, legal.responded, legal.response_on_time, legal.response_late) == (4, 3, 3, 1)
    assert legal.response_hours == pytest.approx(1.3)  # (2 + 1 + 1) / 3
    assert (legal.resolved, legal.resolved_on_time, legal.resolved_late) == (2, 2, 1)
    assert legal.resolution_days == pytest.approx(1.1)  # (2 + 5/24) / 2
    assert (legal.overdue, legal.escalated, legal.response_rate) == (1, 1, 0.75)
    # The withdrawn case G is neither late nor on time.
    assert (neighbour.cases, neighbour.response_late, neighbour.resolved_late, neighbour.response_rate) == (2, 1, 1, 0)
    assert neighbour.response_hours == 30 and neighbour.resolution_days == 20
    assert (property_.cases, property_.urgent, property_.response_late, property_.overdue) == (1, 1, 1, 1)
    assert property_.response_hours is None and property_.response_deadline.startswith("24 小时")


def test_ratings_and_satisfaction_against_the_target(seeded):
    database, _ = seeded
    ratings = _figures(database, DISTRICT).ratings
    assert ratings.by_score == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert (ratings.rated, ratings.satisfied, ratings.meets_target) == (3, 2, False)
    assert ratings.rate == pytest.approx(2 / 3)


def test_questions_the_bot_answered_alone(seeded):
    database, _ = seeded
    service = _figures(database, DISTRICT).self_service
    assert (service.answers, service.residents, service.without_case) == (3, 3, 2)
    assert [(topic.intent, topic.answers) for topic in service.topics] == [("faq_unpaid_wages", 2), ("faq_divorce", 1)]


def test_answers_whose_week_is_not_over_are_still_observed(seeded):
    database, _ = seeded
    with database.session() as session:
        service = self_service(session, DISTRICT, MARCH, beijing(15))
    # Answered on the 1st (a case the next day), the 11th and the 12th (less than a week before the 15th).
    assert (service.answers, service.without_case, service.observing) == (3, 0, 2)
    assert service.settled_rate == 0


def test_residents_who_came_back(seeded):
    database, _ = seeded
    came_back = _figures(database, DISTRICT).returns
    # E: reopened, and r1's second legal case in 18 days; G: r3's second neighbour case in 8 days.
    assert (came_back.reopened, came_back.repeated, came_back.cases, came_back.residents) == (1, 2, 2, 2)


def test_a_street_sees_its_own_cases_and_residents(seeded):
    database, _ = seeded
    figures = _figures(database, _street(database, "tangjiadun"))
    assert figures.scope.label == "唐家墩街道"
    assert {row.name for row in figures.places.communities} == {"八古墩社区", "青年社区"}
    assert figures.places.total.cases == 5
    assert (figures.self_service.answers, figures.self_service.without_case) == (2, 1)
    assert _figures(database, _street(database, "wansong")).places.total.cases == 1


def test_days_are_counted_in_beijing(seeded):
    database, _ = seeded
    april_first = _figures(database, DISTRICT, Period(date(2026, 4, 1), date(2026, 4, 1)))
    assert april_first.places.total.cases == 1


def test_case_rows_carry_no_personal_data(seeded):
    database, cases = seeded
    with database.session() as session:
        rows = list(case_rows(session, DISTRICT, MARCH))
        numbers = {session.get(Ticket, case_id).number: letter for letter, case_id in cases.items()}
    assert [numbers[row.number] for row in rows] == ["A", "B", "G", "C", "D", "E", "H"]
    d = next(row for row in rows if numbers[row.number] == "D")
    assert (d.community, d.street, d.kind, d.status, d.escalated) == (
        "舞台社区",
        "万松街道",
        "法律咨询",
        "处理中",
        True,
    )
    assert d.opened == beijing(16).replace(tzinfo=None)  # Beijing time, no zone, as a spreadsheet wants
    everything = " ".join(str(value) for row in rows for value in row.cells())
    assert "13812345678" not in everything and "o_reports_" not in everything and "漏水" not in everything


def test_workbook_and_csv(seeded):
    database, _ = seeded
    figures = _figures(database, DISTRICT)
    with database.session() as session:
        book_file = io.BytesIO()
        assert write_workbook(figures, case_rows(session, DISTRICT, MARCH), book_file) == 7
        csv_file = io.StringIO()
        assert write_csv(case_rows(session, DISTRICT, MARCH), csv_file) == 7
    book = load_workbook(io.BytesIO(book_file.getvalue()))
    assert book.sheetnames == ["统计", "工单"]
    cases = list(book["工单"].iter_rows(values_only=True))
    assert cases[0] == HEADINGS and len(cases) == 8
    figures_sheet = [row for row in book["统计"].iter_rows(values_only=True)]
    assert ("登记工单", 7) in [row[:2] for row in figures_sheet]
    assert ("满意率（4、5 分）", pytest.approx(2 / 3)) in [row[:2] for row in figures_sheet]
    written = csv_file.getvalue()
    assert written.startswith("\ufeff工单编号,登记时间")
    assert len(list(csv.reader(io.StringIO(written)))) == 8
    assert "13812345678" not in written


def test_every_table_has_rows_as_wide_as_its_headings(seeded):
    database, _ = seeded
    for table in all_tables(_figures(database, DISTRICT)):
        assert table.rows, table.key
        assert all(len(row) == len(table.headings) for row in table.rows), table.key


def test_who_sees_reports():
    admin = Scope(1, "admin", admin=True)
    coordinator = Scope(2, "coord", all_roles_in=frozenset({7, 8}))
    lawyer = Scope(3, "lawyer", rooms=frozenset({(8, "lawyer")}))
    assert may_see_reports(admin) and may_see_reports(coordinator) and not may_see_reports(lawyer)
    with pytest.raises(NoReports):
        report_scope(None, lawyer)  # refused before any query
    assert report_scope(None, admin).unit_ids is None


def test_periods():
    assert month_period("2026-02") == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert month_period("2026-02").label == "2026-02（整月）"
    assert last_month(date(2026, 1, 15)) == Period(date(2025, 12, 1), date(2025, 12, 31))
    assert this_year(date(2026, 5, 3)) == Period(date(2026, 1, 1), date(2026, 5, 3))
    assert read_period("", "", date(2026, 5, 3)) == Period(date(2026, 5, 1), date(2026, 5, 3))
    assert MARCH.start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    year = this_year(date(2026, 12, 7))
    assert not year.weekly and [bucket.label for bucket in year.buckets()][-2:] == ["2026-11", "2026-12（1–7 日）"]
    # A month so far says up to which day; a month cut at today is so far, a past one whole.
    assert month_period("2026-12").until(date(2026, 12, 7)).label == "2026-12（截至 12月7日）"
    assert month_period("2026-11").until(date(2026, 12, 7)).label == "2026-11（整月）"
    for bad in ("2026-13", "2026/03", ""):
        with pytest.raises(PeriodError):
            month_period(bad)
    with pytest.raises(PeriodError):
        read_period("2026-03-10", "2026-03-01", date(2026, 5, 3))
    assert str(Share(None)) == "—" and str(Share(0.8754)) == "87.5%"


def test_an_escalated_case_counts_for_the_room_it_left(services):
    with services.db.session() as session:
        room = unit_by_code(session, "baguodun")
        resident = _resident(session, room.id)
        case_id = _case(session, resident, room, "legal_consultation", datetime.now(UTC))
        ticket = session.get(Ticket, case_id)
        escalate(session, services.jobs, ticket)  # to the street
        escalate(session, services.jobs, ticket)  # to the district
        assert ticket.escalated_from_id == room.id and ticket.unit_id == district_centre(session).id
        today = Period(datetime.now(CHINA).date() - timedelta(days=1), datetime.now(CHINA).date() + timedelta(days=1))
        query = scoped_cases([REPORT_UNIT], DISTRICT, today).where(Ticket.id == case_id)
        assert session.scalar(query) == room.id


def test_the_migration_fills_in_where_earlier_escalations_came_from(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    prepare_database(url)
    database = Database(url)
    with database.session() as session:
        room = unit_by_code(session, "qingnian")
        case_id = _case(session, _resident(session, room.id), room.parent, "neighbor_dispute", beijing(3))
        note = f"超时未处理，已从{room.office_name}上报至{room.parent.office_name}"
        session.add(TicketEvent(ticket_id=case_id, status="new", note=note, actor="system"))
    database.engine.dispose()
    command.downgrade(alembic_config(url), "0015")
    command.upgrade(alembic_config(url), "head")
    database = Database(url)
    with database.session() as session:
        assert session.scalar(select(Ticket.escalated_from_id).where(Ticket.id == case_id)) == room.id
        assert session.execute(text("SELECT count(*) FROM tickets")).scalar() == 1
    database.engine.dispose()


def test_a_name_that_looks_like_a_formula_stays_text(seeded):
    database, _ = seeded
    opened = beijing(2).replace(tzinfo=None)
    row = CaseRow(
        "R1", opened, "=HYPERLINK(1)", "+街道", "法律咨询", "待受理", False, False, None, None, None, None, False, None
    )
    book_file, csv_file = io.BytesIO(), io.StringIO()
    write_workbook(_figures(database, DISTRICT), [row], book_file)
    write_csv([row], csv_file)
    cell = load_workbook(io.BytesIO(book_file.getvalue()))["工单"]["C2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")
    assert "'=HYPERLINK(1),'+街道" in csv_file.getvalue()


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_the_group_case_community_goes_down_and_up_again(engine, tmp_path):
    def down_and_up(url: str) -> None:
        prepare_database(url)
        command.downgrade(alembic_config(url), "0016")
        command.upgrade(alembic_config(url), "head")
        database = Database(url)
        with database.session() as session:
            assert session.scalar(select(func.count()).where(Ticket.community_id.is_not(None))) == 0
        database.engine.dispose()

    if engine == "sqlite":
        down_and_up(f"sqlite:///{tmp_path / 'group.db'}")
        return
    with scratch_database(PG_ADMIN_URL, f"lfd_reports_group_{RUN_ID}") as url:
        down_and_up(url)
