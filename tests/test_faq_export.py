"""`flask faq export`: the live FAQ entries in the seed file's shape, so edits made in the service can
be taken back into bot/data/faq.yml — and loading the export leaves every entry in step."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from bot.legal.faq_seed import SeedOutcome, seed_states
from bot.legal.review import record_edit
from bot.legal.sources import Article, Citation
from bot.nlu.faq_file import read_faq_file
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.faq import faq_for_intent, seed_content
from bot.storage.staff import staff_by_username
from webhook import create_app


@pytest.fixture
def fresh(settings, tmp_path):
    """Services and an app on a database of their own, loaded from the shipped seed."""
    url = f"sqlite:///{tmp_path / 'export.db'}"
    prepare_database(url)
    services = build_services(dataclasses.replace(settings, database_url=url))
    yield services, create_app(services=services)
    services.db.engine.dispose()


def _export(app, path) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["faq", "export", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_export_says_what_the_seed_says(fresh, tmp_path):
    services, app = fresh
    exported = _export(app, tmp_path / "faq.yml")
    shipped = read_faq_file()
    assert [item["intent"] for item in exported] == [item["intent"] for item in shipped]
    assert [seed_content(item) for item in exported] == [seed_content(item) for item in shipped]
    text = (tmp_path / "faq.yml").read_text(encoding="utf-8")
    assert text.startswith("# FAQ entries exported") and "\n  answer: |-\n" in text


def test_an_edit_exported_and_loaded_as_the_seed_is_in_step(fresh, tmp_path):
    services, app = fresh
    cited = [Citation("民法典", "2020", (Article(1128, paragraph=2),))]
    with services.db.session() as session:
        entry = faq_for_intent(session, "faq_inheritance")
        staff = staff_by_username(session, "zhang.lawyer")
        record_edit(session, entry, staff, answer="兄弟姐妹先去世的，由其子女代位继承。", citations=cited)
    exported = _export(app, tmp_path / "faq.yml")
    (item,) = [item for item in exported if item["intent"] == "faq_inheritance"]
    assert item["citations"] == [{"law": "民法典", "version": "2020", "articles": ["1128.2"]}]
    assert '\n    - {law: 民法典, version: "2020", articles: ["1128.2"]}\n' in (tmp_path / "faq.yml").read_text(
        encoding="utf-8"
    )
    states = prepare_database(services.settings.database_url, faq=tmp_path / "faq.yml").faq
    assert {state.outcome for state in states} == {SeedOutcome.IN_STEP}
    with services.db.session() as session:  # and the shipped seed now differs from an edit
        (state,) = [state for state in seed_states(session, read_faq_file()) if state.intent == "faq_inheritance"]
        assert state.outcome == SeedOutcome.UPDATED
