"""The admins' training pages over HTTP: who may open them, the review queue and its bulk actions,
the retrain button and its progress, the comparison and its gate, example questions for FAQ answers
(the FAQ pages themselves: test_console_faq.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.nlu.keywords import classify_keywords
from bot.nlu.types import Classification
from bot.storage.base import utcnow
from bot.storage.review import ModelVersion, ReviewItem, ReviewStatus
from bot.training.comparison import compare
from bot.training.training_data import TrainingCheck
from tests.conftest import run_jobs
from tests.staff_user import StaffUser, give_password, new_account
from webhook import create_app

pytestmark = pytest.mark.usefixtures("fresh_training_state")


@pytest.fixture
def admin(app, services):
    """A district admin, logged in."""
    user = StaffUser(app.test_client())
    assert user.log_in(new_account(services, "admin", "jianghan")).status_code == 302
    return user


def add_items(services, *rows) -> list[int]:
    with services.db.session() as session:
        items = [
            ReviewItem(text=text, reason=reason, predicted_intent="nlu_fallback", suggested_intent=suggested)
            for text, reason, suggested in rows
        ]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def test_only_admins_open_the_training_pages(app, services, admin):
    give_password(services, "zhang.lawyer")
    lawyer = StaffUser(app.test_client())
    lawyer.log_in("zhang.lawyer")
    for page in ("/console/training/review", "/console/training/models"):
        assert lawyer.get(page).status_code == 403
        assert admin.get(page).status_code == 200
    assert "训练" in admin.get("/console/").get_data(as_text=True)
    assert 'id="nav-training"' not in lawyer.get("/console/").get_data(as_text=True)


def test_queue_filters_by_reason_and_bulk_relabels_into_the_training_file(services, admin):
    water, lamp, noise = add_items(
        services,
        ("楼上水管爆了淹到我家", "clarified", "neighbor_dispute"),
        ("单元楼道声控灯坏了三个月", "fallback", None),
        ("哈哈哈哈", "sample", None),
    )
    page = admin.get("/console/training/review?reason=fallback").get_data(as_text=True)
    assert "单元楼道声控灯坏了三个月" in page and "楼上水管爆了淹到我家" not in page
    admin.get("/console/training/review")
    response = admin.post(
        "/console/training/review/decide", {"ids": [str(lamp)], "action": "relabel", "label": "property_complaint"}
    )
    assert response.status_code == 302
    admin.post("/console/training/review/decide", {"ids": [str(water)], "action": "confirm"})
    admin.post("/console/training/review/decide", {"ids": [str(noise)], "action": "discard"})
    with services.db.session() as session:
        assert [session.get(ReviewItem, i).status for i in (water, lamp, noise)] == [
            ReviewStatus.ACCEPTED,
            ReviewStatus.ACCEPTED,
            ReviewStatus.DISCARDED,
        ]
        assert session.get(ReviewItem, water).label == "neighbor_dispute"
    written = Path(services.settings.nlu_reviewed_file).read_text(encoding="utf-8")
    assert "- intent: property_complaint\n  examples: |\n    - 单元楼道声控灯坏了三个月" in written
    assert "哈哈哈哈" not in written
    accepted = admin.get("/console/training/review?status=accepted").get_data(as_text=True)
    assert "单元楼道声控灯坏了三个月" in accepted and "哈哈哈哈" not in accepted


def test_a_held_out_message_is_refused_and_the_admin_is_told_why(services, admin):
    heldout_text = next(iter(TrainingCheck.load().heldout))
    [item_id] = add_items(services, (heldout_text, "fallback", None))
    admin.get("/console/training/review")
    admin.post(
        "/console/training/review/decide", {"ids": [str(item_id)], "action": "relabel", "label": "legal_consultation"}
    )
    page = admin.get("/console/training/review").get_data(as_text=True)
    assert f"#{item_id} 未处理" in page and "评测集" in page
    with services.db.session() as session:
        assert session.get(ReviewItem, item_id).status == ReviewStatus.OPEN


def test_retrain_button_queues_a_run_and_the_progress_box_shows_it(services, admin):
    models = Path(services.settings.nlu_models_dir)
    models.mkdir(parents=True, exist_ok=True)
    (models / "nlu.tar.gz").write_bytes(b"the serving model")
    admin.get("/console/training/models")
    assert admin.post("/console/training/retrain").status_code == 302
    with services.db.session() as session:
        run = session.scalar(select(ModelVersion).where(ModelVersion.status == "queued"))
        assert run.trained_by == admin_name(session, run)
        run.status, run.stage, run.epoch, run.epochs, run.seconds_left = "training", "train:DIETClassifier", 40, 100, 75
    box = admin.get(f"/console/training/models/{run.id}/progress").get_data(as_text=True)
    assert (
        "轮次 40/100" in box and "约剩 1 分 15 秒" in box and "DIETClassifier" in box and 'hx-trigger="every 2s"' in box
    )
    page = admin.get("/console/training/models").get_data(as_text=True)
    assert "disabled" in page  # one run at a time
    with services.db.session() as session:
        session.get(ModelVersion, run.id).status = "failed"  # leave no run going for the next test


def admin_name(session, run) -> str:
    return run.trained_by if run.trained_by.startswith("t.admin.") else "?"


def scripted_comparison(tmp_path: Path) -> dict:
    """A comparison of two classifiers on a small held-out file (the keyword rules vs a worse one)."""
    heldout = tmp_path / "heldout.yml"
    heldout.write_text(
        'version: "3.1"\nnlu:\n- intent: neighbor_dispute\n  examples: |\n    - 楼上邻居天天半夜跺脚\n'
        "    - 隔壁装修噪音太大\n- intent: property_complaint\n  examples: |\n    - 物业不修电梯\n",
        encoding="utf-8",
    )
    worse = lambda text: Classification("out_of_scope", 0.9, [("out_of_scope", 0.9)])  # noqa: E731
    return compare(classify_keywords, worse, tmp_path / "reports", [heldout])


def test_comparison_page_and_the_gate_on_promotion(services, admin, tmp_path):
    comparison = scripted_comparison(tmp_path)
    assert comparison["worse"]
    with services.db.session() as session:
        model = ModelVersion(
            version="v-test-worse",
            model_file=str(tmp_path / "m.tar.gz"),
            status="ready",
            stage="done",
            comparison=comparison,
            trained_by="t",
        )
        session.add(model)
        session.flush()
        model_id = model.id
    (tmp_path / "m.tar.gz").write_bytes(b"model")
    page = admin.get(f"/console/training/models/{model_id}").get_data(as_text=True)
    assert "有指标变差" in page and "分流 macro-F1" in page and "楼上邻居天天半夜跺脚" in page and "✗ 变错" in page
    image = admin.client.get(f"/console/training/models/{model_id}/images/heldout/candidate.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    admin.post(f"/console/training/models/{model_id}/promote", {"reason": ""})
    assert "请写明上线理由" in admin.get(f"/console/training/models/{model_id}").get_data(as_text=True)
    assert len(services.jobs.queue) == 0  # refused before anything was queued


def test_a_promotion_that_cannot_reach_a_server_is_recorded_and_changes_nothing(services, admin, tmp_path):
    import dataclasses

    services.settings = dataclasses.replace(services.settings, rasa_url="http://127.0.0.1:5019")  # nothing listens
    comparison = scripted_comparison(tmp_path)
    with services.db.session() as session:
        model = ModelVersion(
            version="v-test-unreachable",
            model_file=str(tmp_path / "m.tar.gz"),
            status="ready",
            stage="done",
            comparison=comparison,
            trained_by="t",
        )
        session.add(model)
        session.flush()
        model_id = model.id
    (tmp_path / "m.tar.gz").write_bytes(b"model")
    admin.get(f"/console/training/models/{model_id}")
    admin.post(f"/console/training/models/{model_id}/promote", {"reason": "测试：明知变差也上线"})
    run_jobs(services)
    with services.db.session() as session:
        model = session.get(ModelVersion, model_id)
        assert model.status == "ready" and "上线失败" in model.error and model.promoted_at is None


def test_a_new_example_question_for_an_faq_answer(app, services, admin):
    admin.get("/console/faq/faq_consumer_refund")
    response = admin.post(
        "/console/training/faq/faq_consumer_refund/example", {"text": "网上买的鞋 穿了一次就开胶 能退吗"}
    )
    assert response.headers["Location"].endswith("/console/faq/faq_consumer_refund#examples")
    page = admin.get("/console/faq/faq_consumer_refund").get_data(as_text=True)
    assert "网上买的鞋 穿了一次就开胶 能退吗" in page
    assert "- intent: faq_consumer_refund\n  examples: |\n    - 网上买的鞋 穿了一次就开胶 能退吗" in Path(
        services.settings.nlu_reviewed_file
    ).read_text(encoding="utf-8")
    give_password(services, "zhang.lawyer")
    lawyer = StaffUser(app.test_client())
    lawyer.log_in("zhang.lawyer")
    assert 'id="examples"' not in lawyer.get("/console/faq/faq_consumer_refund").get_data(as_text=True)
    assert lawyer.post("/console/training/faq/faq_consumer_refund/example", {"text": "能退吗"}).status_code == 403


def test_the_review_queue_shows_china_time_as_the_case_pages_do(services, admin):
    from datetime import datetime

    (item_id,) = add_items(services, ("单元楼道声控灯坏了三个月", "fallback", None))
    with services.db.session() as session:
        session.get(ReviewItem, item_id).created_at = datetime(2026, 12, 6, 17, 40, tzinfo=UTC)
    page = admin.get("/console/training/review").get_data(as_text=True)
    assert "12-07 01:40" in page and "12-06 17:40" not in page


def test_the_review_queue_filters_days_in_china_time(services, admin):
    from datetime import datetime

    (item_id,) = add_items(services, ("电梯三天两头坏", "fallback", None))
    with services.db.session() as session:  # 01:40 on the 7th in China
        session.get(ReviewItem, item_id).created_at = datetime(2026, 12, 6, 17, 40, tzinfo=UTC)
    assert "电梯三天两头坏" in admin.get("/console/training/review?since=2026-12-07&until=2026-12-07").get_data(
        as_text=True
    )
    assert "电梯三天两头坏" not in admin.get("/console/training/review?since=2026-12-06&until=2026-12-06").get_data(
        as_text=True
    )


def test_the_models_page_shows_a_run_in_training_on_either_database(any_services):
    admin = StaffUser(create_app(services=any_services).test_client())
    assert admin.log_in(new_account(any_services, "admin", "jianghan")).status_code == 302
    with any_services.db.session() as session:
        run = ModelVersion(
            version=f"v-test-{uuid.uuid4().hex[:8]}",
            status="training",
            stage="train:DIETClassifier",
            epoch=40,
            epochs=100,
            started_at=utcnow() - timedelta(minutes=3, seconds=20),
        )
        session.add(run)
    try:
        response = admin.get("/console/training/models")
        assert response.status_code == 200 and "已用 3 分 2" in response.get_data(as_text=True)
        admin.post("/console/training/retrain")  # one run at a time: refused in words, not a 500
        assert "已有一个模型在训练" in admin.get("/console/training/models").get_data(as_text=True)
    finally:
        with any_services.db.session() as session:
            session.get(ModelVersion, run.id).status = "failed"  # leave no run going for the next test
