"""`flask --app webhook faq …`: reading and editing an answer (kept across `setup`), and the review of
a law change from the command line: what is due, a draft, a lawyer's approval or return, a confirmation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.legal.faq_seed import take_seed
from bot.nlu.faq_file import read_faq_file
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.faq import faq_for_intent
from bot.storage.staff import staff_by_username
from tests.legal_helpers import use_laws
from webhook import create_app

OLD_NOISE = {"law": "治安管理处罚法", "version": "2012", "articles": [58]}


def test_admin_edits_an_faq_answer_and_setup_keeps_it(app, services):
    runner = app.test_cli_runner()
    edit = ["faq", "edit", "faq_service_fee", "--answer", "社区工作室的法律咨询一律免费。", "--actor", "li.mediator"]
    result = runner.invoke(args=edit)
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["faq", "show", "faq_service_fee"]).output
    assert "一律免费" in shown and "修改：li.mediator" in shown and "审核：尚未审核" in shown
    assert "edited in the service kept" in runner.invoke(args=["setup"]).output
    assert "一律免费" in runner.invoke(args=["faq", "show", "faq_service_fee"]).output
    with services.db.session() as session:  # the seed's answer back, for the tests after
        item = next(item for item in read_faq_file() if item["intent"] == "faq_service_fee")
        take_seed(session, faq_for_intent(session, "faq_service_fee"), item, staff_by_username(session, "li.mediator"))


def test_an_faq_edit_the_check_refuses_is_not_saved(app, services):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["faq", "edit", "faq_service_fee", "--citations", "没有这部法 2020 1"])
    assert result.exit_code != 0 and "法规目录里没有《没有这部法》" in result.output
    result = runner.invoke(args=["faq", "edit", "faq_service_fee", "--actor", "nobody"])
    assert result.exit_code != 0 and "no staff account" in result.output


@pytest.fixture
def runner(settings, tmp_path, monkeypatch):
    """The command line of an app on a database of its own, the noise answer citing the 2012
    治安管理处罚法 (reviewed before 2025), checked against the small catalogue with its 2025 version."""
    use_laws(monkeypatch, tmp_path / "laws")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    prepare_database(url)
    services = build_services(dataclasses.replace(settings, database_url=url))
    with services.db.session() as session:
        entry = faq_for_intent(session, "faq_noise_night")
        entry.citations, entry.reviewed_by, entry.reviewed_at = (
            [OLD_NOISE],
            "zhang.lawyer",
            datetime(2025, 3, 1, tzinfo=UTC),
        )
    yield create_app(services=services).test_cli_runner()
    services.db.engine.dispose()


def _run(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_law_change_is_reviewed_from_the_command_line(runner):
    assert "faq_noise_night: 法律有更新：《治安管理处罚法》2025年修订，2026年1月1日起施行" in _run(runner, "faq", "due")
    ahead = _run(runner, "faq", "due", "--on", "2025-12-31")
    assert "faq_noise_night: 法律有更新：《治安管理处罚法》2025年修订，2026年1月1日起施行 (ahead)" in ahead
    drafted = _run(
        runner,
        *("faq", "draft", "faq_noise_night", "--answer", "劝阻调解无效仍吵闹的，可以报警。"),
        *("--citations", "治安管理处罚法 2025 88", "--note", "2025年修订", "--actor", "li.mediator"),
    )
    assert "draft 1 of faq_noise_night waits for a lawyer" in drafted
    assert "1: faq_noise_night by li.mediator  2025年修订" in _run(runner, "faq", "drafts")
    refused = runner.invoke(args=["faq", "approve", "1", "--actor", "li.mediator"])
    assert refused.exit_code != 0 and "只有律师" in refused.output
    assert "reviewed by zhang.lawyer" in _run(runner, "faq", "approve", "1", "--actor", "zhang.lawyer")
    shown = _run(runner, "faq", "show", "faq_noise_night")
    assert "（2025年修订，2026年1月1日起施行）第八十八条" in shown and "审核：zhang.lawyer" in shown
    assert "faq_noise_night" not in _run(runner, "faq", "due")


def test_a_draft_is_returned_and_an_answer_confirmed_from_the_command_line(runner):
    cites = ("--citations", "治安管理处罚法 2025 88", "--actor", "li.mediator")
    _run(runner, "faq", "draft", "faq_noise_night", "--answer", "报警就行。", *cites)
    _run(runner, "faq", "return", "1", "--actor", "zhang.lawyer", "--note", "要先劝阻、调解")
    assert _run(runner, "faq", "drafts") == ""
    refused = runner.invoke(args=["faq", "confirm", "faq_noise_night", "--actor", "zhang.lawyer"])
    assert refused.exit_code != 0 and "已不再适用" in refused.output
    _run(runner, "faq", "edit", "faq_noise_night", "--citations", "治安管理处罚法 2025 88", "--actor", "li.mediator")
    assert "reviewed by liu.lawyer" in _run(runner, "faq", "confirm", "faq_noise_night", "--actor", "liu.lawyer")
