"""`flask nlu review | models | promote | rollback` on the app's services (no training here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.review import ModelVersion, ReviewItem, ReviewStatus

pytestmark = pytest.mark.usefixtures("fresh_training_state")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_review_lists_masked_items_and_relabels_into_the_file(runner, services):
    with services.db.session() as session:
        item = ReviewItem(text="电话〔手机号〕，小区门禁坏了", reason="fallback", predicted_intent="greet")
        other = ReviewItem(text="随便聊聊", reason="sample", predicted_intent="greet")
        session.add_all([item, other])
        session.flush()
        item_id, other_id = item.id, other.id
    listed = runner.invoke(args=["nlu", "review", "--reason", "fallback"])
    assert listed.exit_code == 0 and "电话〔手机号〕，小区门禁坏了" in listed.output and "随便聊聊" not in listed.output
    decided = runner.invoke(
        args=[
            "nlu",
            "review",
            "--relabel",
            f"{item_id}=property_complaint",
            "--discard",
            str(other_id),
            "--actor",
            "admin.cli",
        ]
    )
    assert decided.exit_code == 0, decided.output
    with services.db.session() as session:
        assert (session.get(ReviewItem, item_id).status, session.get(ReviewItem, item_id).decided_by) == (
            ReviewStatus.ACCEPTED,
            "admin.cli",
        )
    assert "- 电话〔手机号〕，小区门禁坏了" in Path(services.settings.nlu_reviewed_file).read_text(encoding="utf-8")


def test_models_registers_the_serving_model_and_promote_is_gated(runner, services, tmp_path):
    models = Path(services.settings.nlu_models_dir)
    models.mkdir(parents=True)
    (models / "nlu.tar.gz").write_bytes(b"serving")
    (tmp_path / "worse.tar.gz").write_bytes(b"candidate")
    listed = runner.invoke(args=["nlu", "models"])
    assert listed.exit_code == 0 and "serving" in listed.output and "trained by setup" in listed.output
    worse = {"sets": {"heldout": {"serving": {"triage_macro_f1": 0.97}, "candidate": {"triage_macro_f1": 0.90}}}}
    with services.db.session() as session:
        session.add(
            ModelVersion(
                version="v9-worse",
                model_file=str(tmp_path / "worse.tar.gz"),
                status="ready",
                stage="done",
                comparison=worse,
                trained_by="t",
            )
        )
    refused = runner.invoke(args=["nlu", "promote", "v9-worse"])
    assert refused.exit_code != 0 and "需要写明理由" in refused.output and "0.970 → 0.900" in refused.output
    never_served = runner.invoke(args=["nlu", "rollback", "v9-worse"])
    assert never_served.exit_code != 0 and "从未上线过" in never_served.output
