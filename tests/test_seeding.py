"""Loading the FAQ seed into a database that already holds it: new entries are added, entries nobody
changed follow the seed, an entry changed in the service is kept (across `flask setup` and a
restart) and reported when the seed changed it too; rows from before seed hashes migrate."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml
from alembic import command
from sqlalchemy import JSON, bindparam, create_engine, text

from bot.legal.faq_seed import SeedOutcome, keep_edit, load_seed, seed_conflicts, seed_states, take_seed
from bot.legal.review import record_edit
from bot.nlu.faq_file import read_faq_file
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage import Database
from bot.storage.faq import faq_for_intent
from bot.storage.migrate import alembic_config
from bot.storage.staff import staff_by_username
from tests.conftest import PG_ADMIN_URL
from tests.scripted import ScriptedClassifier
from tests.wechat_user import WeChatUser, converse
from webhook import create_app

NOISE = {
    "intent": "faq_noise_night",
    "category": "neighbor_dispute",
    "question": "晚上吵怎么办？",
    "answer": "先沟通，再找物业。",
    "citations": [{"law": "民法典", "version": "2020", "articles": [288]}],
}
FEE = {"intent": "faq_service_fee", "category": "service", "question": "收费吗？", "answer": "免费。"}


def write_seed(path: Path, *items: dict) -> Path:
    """A seed file with these entries."""
    path.write_text(yaml.safe_dump(list(items), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def seeded(tmp_path):
    """A SQLite database loaded from a two-entry seed; returns (url, seed file)."""
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed = write_seed(tmp_path / "faq.yml", NOISE, FEE)
    prepare_database(url, faq=seed)
    return url, seed


def _edit(url: str, intent: str, answer: str) -> None:
    database = Database(url)
    with database.session() as session:
        record_edit(session, faq_for_intent(session, intent), staff_by_username(session, "li.mediator"), answer=answer)
    database.engine.dispose()


def _answer(url: str, intent: str) -> str:
    database = Database(url)
    with database.session() as session:
        answer = faq_for_intent(session, intent).answer
    database.engine.dispose()
    return answer


def test_a_console_edit_survives_setup_and_a_restart(any_database_url, settings):
    edited = "社区工作室的法律咨询一律免费，不收任何费用。"
    _edit(any_database_url, "faq_service_fee", edited)
    try:
        seeded = prepare_database(any_database_url)  # `flask setup`, as every start runs it
        assert "faq_service_fee" in [state.intent for state in seeded.faq_with(SeedOutcome.KEPT)]
        assert _answer(any_database_url, "faq_service_fee") == edited
        # A restart: other services and another app on the same database serve the edit.
        services = build_services(dataclasses.replace(settings, database_url=any_database_url))
        services.classifier = ScriptedClassifier({"你们收费吗": "faq_service_fee"})
        resident = WeChatUser(create_app(services=services).test_client(), services.settings, "o_seed_restart")
        converse(resident, [("你们收费吗", "不收任何费用")])
        services.db.engine.dispose()
    finally:
        database = Database(any_database_url)
        with database.session() as session:
            item = next(item for item in read_faq_file() if item["intent"] == "faq_service_fee")
            take_seed(
                session, faq_for_intent(session, "faq_service_fee"), item, staff_by_username(session, "li.mediator")
            )
        database.engine.dispose()


def test_the_seed_updates_unchanged_entries_and_reports_edited_ones_it_changed_too(seeded, tmp_path):
    url, seed = seeded
    _edit(url, "faq_service_fee", "一律免费。")
    write_seed(seed, {**NOISE, "answer": "先沟通，再找物业、居委会。"}, {**FEE, "answer": "免费，不收钱。"})
    states = prepare_database(url, faq=seed).faq
    assert [(state.intent, state.outcome) for state in states] == [
        ("faq_noise_night", SeedOutcome.UPDATED),
        ("faq_service_fee", SeedOutcome.CONFLICT),
    ]
    assert _answer(url, "faq_noise_night") == "先沟通，再找物业、居委会。"
    assert _answer(url, "faq_service_fee") == "一律免费。"
    # Reported at every load until someone settles it, and listed for the console.
    again = prepare_database(url, faq=seed)
    (conflict,) = again.faq_with(SeedOutcome.CONFLICT)
    assert (conflict.fields, conflict.edited_by) == (("answer",), "li.mediator")
    database = Database(url)
    with database.session() as session:
        assert [state.intent for state in seed_conflicts(session, read_faq_file(seed))] == ["faq_service_fee"]
    database.engine.dispose()


def test_a_conflict_is_settled_either_way(seeded):
    url, seed = seeded
    _edit(url, "faq_service_fee", "一律免费。")
    write_seed(seed, NOISE, {**FEE, "answer": "免费，不收钱。"})
    items = read_faq_file(seed)
    database = Database(url)
    with database.session() as session:
        keep_edit(
            session, faq_for_intent(session, "faq_service_fee"), items[1], staff_by_username(session, "li.mediator")
        )
    with database.session() as session:
        assert seed_states(session, items)[1].outcome == SeedOutcome.KEPT
        take_seed(
            session, faq_for_intent(session, "faq_service_fee"), items[1], staff_by_username(session, "li.mediator")
        )
    with database.session() as session:
        assert [state.outcome for state in seed_states(session, items)] == [SeedOutcome.IN_STEP] * 2
        assert faq_for_intent(session, "faq_service_fee").answer == "免费，不收钱。"
    database.engine.dispose()


def test_an_edit_taken_back_into_the_seed_is_in_step_again(seeded):
    url, seed = seeded
    _edit(url, "faq_service_fee", "一律免费。")
    write_seed(seed, NOISE, {**FEE, "answer": "一律免费。"})
    assert [state.outcome for state in prepare_database(url, faq=seed).faq] == [SeedOutcome.IN_STEP] * 2
    # No longer an edit: the next change of the seed reaches it.
    write_seed(seed, NOISE, {**FEE, "answer": "免费。"})
    assert prepare_database(url, faq=seed).faq[1].outcome == SeedOutcome.UPDATED
    assert _answer(url, "faq_service_fee") == "免费。"


def test_new_seed_entries_are_added_and_entries_left_out_are_kept(seeded):
    url, seed = seeded
    rent = {"intent": "faq_rent_deposit", "category": "legal_consultation", "question": "押金？", "answer": "看合同。"}
    write_seed(seed, FEE, rent)
    assert [state.outcome for state in prepare_database(url, faq=seed).faq] == [SeedOutcome.IN_STEP, SeedOutcome.ADDED]
    database = Database(url)
    with database.session() as session:
        states = {state.intent: state.outcome for state in seed_states(session, read_faq_file(seed))}
        assert states["faq_noise_night"] == SeedOutcome.ONLY_IN_DATABASE
        assert faq_for_intent(session, "faq_rent_deposit").seed_hash
    database.engine.dispose()


def test_setup_prints_the_conflicts(seeded, settings):
    url, seed = seeded
    _edit(url, "faq_service_fee", "一律免费。")
    write_seed(seed, NOISE, {**FEE, "answer": "免费，不收钱。"})
    services = build_services(dataclasses.replace(settings, database_url=url))
    output = create_app(services=services).test_cli_runner().invoke(args=["setup", "--faq", str(seed)]).output
    services.db.engine.dispose()
    assert "1 FAQ answer(s) edited in the service and changed in the seed file; kept as edited:" in output
    assert "faq_service_fee: edited by li.mediator at" in output and "differs in answer" in output


# Rows loaded before seed hashes: a console edit still in place is kept by the first load after.


@pytest.fixture(params=["postgresql", "sqlite"])
def before_hashes(request, tmp_path, database_url):
    """An empty database of the test's own, migrated to the revision before seed hashes."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before.db'}"
        command.upgrade(alembic_config(url), "0011")
        yield url
        return
    name = f"lfd_test_seed_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    command.upgrade(alembic_config(url), "0011")
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_console_edit_from_before_seed_hashes_is_kept(before_hashes, tmp_path):
    engine = create_engine(before_hashes)
    with engine.begin() as connection:
        for item, answer in ((NOISE, NOISE["answer"]), (FEE, "一律免费。")):
            connection.execute(
                text(
                    "INSERT INTO faq_entries (intent, category, question, answer, source, updated_at) "
                    "VALUES (:intent, :category, :question, :answer, '《某法》', CURRENT_TIMESTAMP)"
                ),
                {**item, "answer": answer},
            )
        audit = text(
            "INSERT INTO audit_log (actor, action, before, after, created_at) "
            "VALUES ('admin', 'faq_edit', '{}', :after, CURRENT_TIMESTAMP)"
        ).bindparams(bindparam("after", type_=JSON))
        connection.execute(audit, {"after": {"intent": "faq_service_fee", "answer": "一律免费。", "source": ""}})
    engine.dispose()
    seed = write_seed(tmp_path / "faq.yml", NOISE, {**FEE, "answer": "免费，不收钱。"})
    seeded = prepare_database(before_hashes, faq=seed)
    assert [state.outcome for state in seeded.faq] == [SeedOutcome.UPDATED, SeedOutcome.CONFLICT]
    assert seeded.faq[1].edited_by == "admin"
    assert _answer(before_hashes, "faq_service_fee") == "一律免费。"
    database = Database(before_hashes)
    with database.session() as session:  # the free-text basis of before citations: kept where edited
        assert faq_for_intent(session, "faq_noise_night").source == ""
        assert faq_for_intent(session, "faq_service_fee").source == "《某法》"
    database.engine.dispose()
    command.downgrade(alembic_config(before_hashes), "0011")  # and the migration goes back
    command.upgrade(alembic_config(before_hashes), "head")
    database = Database(before_hashes)
    with database.session() as session:
        assert load_seed(session, read_faq_file(seed))[1].outcome == SeedOutcome.CONFLICT
    database.engine.dispose()
