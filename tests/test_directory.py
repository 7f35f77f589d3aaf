"""The directory: the sample covering every street and zone of Jianghan; finding a resident's
community (names, short names, typos, streets, location pins); and, after the first load, the
database as the source of truth: `flask setup` adds what is new in the seed file and updates only
what nobody edited in the console, reporting edits the seed file changed too (migration 0015)."""

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from alembic import command
from sqlalchemy import inspect, select

from bot.cases.directory import DEFAULT_DIRECTORY, match_communities, nearest_community, street_named
from bot.cases.directory_edit import StaffEdit, UnitEdit, edit_staff, edit_unit
from bot.cases.directory_seed import SeedOutcome, is_sample
from bot.cases.office_hours import office_hours_problem
from bot.cases.staff import add_account
from bot.seeding import prepare_database
from bot.storage import Database
from bot.storage.directory import Unit, UnitLevel, communities, district_centre, staff_for, unit_by_code
from bot.storage.migrate import alembic_config
from bot.storage.staff import staff_by_username
from devtools.databases import scratch_database
from tests.conftest import PG_ADMIN_URL

# Jianghan's 13 streets and 2 zones, with their public division codes (统计用区划代码).
STREETS = {
    "民族街道": "420103001",
    "花楼街道": "420103002",
    "水塔街道": "420103003",
    "民权街道": "420103004",
    "满春街道": "420103005",
    "民意街道": "420103006",
    "新华街道": "420103007",
    "万松街道": "420103008",
    "唐家墩街道": "420103009",
    "北湖街道": "420103010",
    "前进街道": "420103011",
    "常青街道": "420103012",
    "汉兴街道": "420103013",
    "江汉经济开发区": "420103400",
    "武汉中央商务区": "420103401",
}


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


def names(units):
    return [unit.name for unit in units]


def test_sample_directory_is_loaded_with_every_role(session):
    rooms = communities(session)
    assert len(rooms) == 10
    for room in rooms:
        for role in ("lawyer", "mediator", "property_officer"):
            assert staff_for(session, room.id, role), (room.name, role)
    assert district_centre(session).name == "江汉区"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("八古墩社区", ["八古墩社区"]),
        ("八古墩", ["八古墩社区"]),
        ("我住八古墩小区", ["八古墩社区"]),
        ("八古敦", ["八古墩社区"]),
        ("西北湖", ["西北湖社区"]),
        ("北湖社区", ["北湖社区"]),
        ("打同社区", ["打铜社区"]),
        ("花楼街", ["花楼社区"]),  # the community's alias, though 花楼街道 is a street now
        ("民权街道这边", []),  # a street with no rooms yet names none
    ],
)
def test_names_short_names_and_typos(session, text, expected):
    assert names(match_communities(session, text)) == expected


def test_a_street_name_narrows_the_choice(session):
    assert names(match_communities(session, "唐家墩")) == ["八古墩社区", "青年社区", "东民社区"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("在万松街道这边", "wansong"),
        ("不知道 唐家墩那边", "tangjiadun"),
        ("就在万松园路那边", None),
        ("少数民族的习惯", None),
        ("在花楼街道这边", "hualoujie"),  # a street without rooms in the directory: its workstation
        ("民意街这附近", "minyi"),
    ],
)
def test_a_street_is_named_only_as_a_whole_word(session, text, expected):
    street = street_named(session, text)
    assert (street.code if street else None) == expected


def test_nothing_like_a_community(session):
    assert match_communities(session, "火星基地") == []


def test_location_pin_finds_the_nearest_room(session):
    room = unit_by_code(session, "xiqiao")
    assert nearest_community(session, room.latitude + 0.0003, room.longitude).code == "xiqiao"


def test_the_sample_covers_every_street_and_zone_of_jianghan(session):
    streets = list(session.scalars(select(Unit).where(Unit.level == UnitLevel.STREET)))
    assert {street.name: street.division_code for street in streets} == STREETS
    for street in streets:
        assert street.office_name.endswith("公共法律服务工作站") and office_hours_problem(street.hours) is None
        for role in ("lawyer", "mediator", "property_officer"):
            assert staff_for(session, street.id, role), (street.name, role)
    assert district_centre(session).division_code == "420103"
    assert is_sample(DEFAULT_DIRECTORY)


def seed_file(tmp_path: Path, change: Callable[[dict], None]) -> Path:
    """The sample seed file with a change made to it."""
    data = yaml.safe_load(DEFAULT_DIRECTORY.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / f"directory-{uuid.uuid4().hex[:6]}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def seeded_unit(data: dict, code: str) -> dict:
    """A street or community of the seed's data, by code."""
    for street in data["district"]["streets"]:
        if street["code"] == code:
            return street
        for community in street.get("communities", []):
            if community["code"] == code:
                return community
    raise KeyError(code)


@pytest.fixture
def private(tmp_path):
    """A SQLite database of this test's own, loaded from the sample; yields (url, database, admin)."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    prepare_database(url)
    database = Database(url)
    with database.session() as session:
        add_account(session, "seed.admin", "管理员", "admin", "jianghan", "password123")
    yield url, database
    database.engine.dispose()


def console_edit_hours(database: Database, code: str, hours: str) -> None:
    """An admin changes a unit's office hours in the console."""
    with database.session() as session:
        unit = unit_by_code(session, code)
        edit = UnitEdit(
            unit.name, unit.office_name, tuple(unit.aliases), unit.address, unit.phone, hours,
            unit.latitude, unit.longitude, unit.division_code,
        )  # fmt: skip
        assert edit_unit(session, unit, edit, staff_by_username(session, "seed.admin"))


def hours_of(database: Database, code: str) -> str:
    with database.session() as session:
        return unit_by_code(session, code).hours


def outcome(seeded, kind: str, key: str) -> SeedOutcome:
    return next(state.outcome for state in seeded.directory if state.kind == kind and state.key == key)


def test_setup_keeps_console_edits_and_brings_the_rest_up_to_the_seed(private, tmp_path):
    url, database = private
    console_edit_hours(database, "xiqiao", "每天 8:00-20:00")

    def change(data: dict) -> None:
        seeded_unit(data, "wansongyuan")["room"]["hours"] = "工作日 8:30-17:30"  # nobody edited it
        room = {"name": "利济社区公共法律服务工作室", "hours": "工作日 9:00-17:00"}
        lawyer = {"name": "利律师", "role": "lawyer", "username": "li2.lawyer"}
        liji = {"code": "liji", "name": "利济社区", "aliases": ["利济"], "room": room, "staff": [lawyer]}
        seeded_unit(data, "hualoujie")["communities"] = [liji]

    seeded = prepare_database(url, directory=seed_file(tmp_path, change))
    assert outcome(seeded, "unit", "xiqiao") == SeedOutcome.KEPT
    assert outcome(seeded, "unit", "wansongyuan") == SeedOutcome.UPDATED
    assert outcome(seeded, "unit", "liji") == SeedOutcome.ADDED
    assert outcome(seeded, "staff", "li2.lawyer") == SeedOutcome.ADDED
    assert outcome(seeded, "staff", "seed.admin") == SeedOutcome.ONLY_IN_DATABASE
    assert hours_of(database, "xiqiao") == "每天 8:00-20:00"
    assert hours_of(database, "wansongyuan") == "工作日 8:30-17:30"
    with database.session() as session:
        assert [room.code for room in match_communities(session, "利济")] == ["liji"]
        assert staff_by_username(session, "li2.lawyer").unit_id == unit_by_code(session, "liji").id
    # A restart runs `flask setup` again: still kept, and the seed in step with the rest.
    again = prepare_database(url, directory=seed_file(tmp_path, change))
    assert outcome(again, "unit", "xiqiao") == SeedOutcome.KEPT
    assert outcome(again, "unit", "wansongyuan") == SeedOutcome.IN_STEP
    assert hours_of(database, "xiqiao") == "每天 8:00-20:00"


def test_an_edit_the_seed_file_changed_too_is_kept_and_reported(private, tmp_path):
    url, database = private
    console_edit_hours(database, "xiqiao", "每天 8:00-20:00")
    seed = seed_file(tmp_path, lambda data: seeded_unit(data, "xiqiao")["room"].update(hours="工作日 9:00-17:00"))
    seeded = prepare_database(url, directory=seed)
    [conflict] = seeded.directory_with(SeedOutcome.CONFLICT)
    assert (conflict.kind, conflict.key, conflict.fields, conflict.edited_by) == (
        "unit",
        "xiqiao",
        ("hours",),
        "seed.admin",
    )
    assert "unit xiqiao: edited by seed.admin at" in conflict.line() and conflict.line().endswith("differs in hours")
    assert hours_of(database, "xiqiao") == "每天 8:00-20:00"
    # Edited back to what the seed says: in step, and the seed follows it from then on.
    console_edit_hours(database, "xiqiao", "工作日 9:00-17:00")
    assert outcome(prepare_database(url, directory=seed), "unit", "xiqiao") == SeedOutcome.IN_STEP


def test_an_accounts_edit_and_disabling_survive_setup(private, tmp_path):
    url, database = private
    with database.session() as session:
        account = staff_by_username(session, "zhu.mediator")
        edit = StaffEdit("朱调解员", "mediator", "wutai", False)
        assert edit_staff(session, account, edit, staff_by_username(session, "seed.admin"))

    def rename(data: dict) -> None:
        for street in data["district"]["streets"]:
            for community in street.get("communities", []):
                for person in community.get("staff", []):
                    if person["username"] in ("zhu.mediator", "hu.lawyer"):
                        person["name"] = person["name"].replace("朱", "祝").replace("胡", "扈")

    seeded = prepare_database(url, directory=seed_file(tmp_path, rename))
    assert outcome(seeded, "staff", "zhu.mediator") == SeedOutcome.CONFLICT
    assert outcome(seeded, "staff", "hu.lawyer") == SeedOutcome.UPDATED
    with database.session() as session:
        kept = staff_by_username(session, "zhu.mediator")
        assert (kept.name, kept.unit_id, kept.active) == ("朱调解员", unit_by_code(session, "wutai").id, False)
        assert staff_by_username(session, "hu.lawyer").name == "扈律师"


def test_rows_loaded_before_seed_hashes_follow_the_seed(private, tmp_path):
    url, database = private
    with database.session() as session:  # as 0015 finds a row: no seed hash, never edited
        unit = unit_by_code(session, "datong")
        unit.seed_hash, unit.hours = None, "工作日 9:00-17:00"
    assert outcome(prepare_database(url), "unit", "datong") == SeedOutcome.UPDATED
    assert hours_of(database, "datong") == "工作日 9:00-12:00 14:00-17:30"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migration_0015_goes_down_and_up(tmp_path, engine):
    def round_trip(url: str) -> None:
        config = alembic_config(url)
        command.downgrade(config, "0014")
        database = Database(url)
        columns = {column["name"] for column in inspect(database.engine).get_columns("units")}
        assert "seed_hash" not in columns and "division_code" not in columns
        assert "directory_imports" not in inspect(database.engine).get_table_names()
        database.engine.dispose()
        seeded = prepare_database(url)  # up again, and the directory loads as before
        assert seeded.directory_with(SeedOutcome.CONFLICT) == []

    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrate.db'}"
        prepare_database(url)
        round_trip(url)
        return
    with scratch_database(PG_ADMIN_URL, f"lfd_dir_migrate_{uuid.uuid4().hex[:8]}") as url:
        round_trip(url)
