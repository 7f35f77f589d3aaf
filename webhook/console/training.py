"""Admin pages for retraining: the review queue, the model registry with the retrain button and its
live progress, the comparison of a candidate with the serving model, promote and roll back, and
example questions for the FAQ answers (the answers themselves: webhook/console/faq.py). District
admins only (403 for everyone else)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from bot.cases.office_hours import CHINA
from bot.cases.staff import audit
from bot.nlu.draining import Draining
from bot.storage.audit import REVIEW_DECISIONS
from bot.storage.base import utcnow
from bot.storage.faq import faq_for_intent
from bot.storage.review import (
    REASONS,
    RUNNING,
    ModelStatus,
    ModelVersion,
    ReviewItem,
    ReviewStatus,
    all_models,
    open_counts,
    review_items,
    serving_model,
)
from bot.training.comparison import FIGURE_NAMES, GATED, LOWER_IS_BETTER, worse_figures
from bot.training.promotion import PromotionFailed, PromotionRefused, promote, rollback
from bot.training.retrain import STAGES, RetrainBusy, start_retrain
from bot.training.review import Reviewer
from bot.training.step_review import STEP_LABELS
from bot.training.training_data import TrainingCheck
from webhook.console.common import blueprint, db, me, services

bp = blueprint("console_training")
STATUS_TABS = {ReviewStatus.OPEN: "待审核", ReviewStatus.ACCEPTED: "已采纳", ReviewStatus.DISCARDED: "已丢弃"}
MODEL_STATUS = {
    ModelStatus.QUEUED: "排队中",
    ModelStatus.TRAINING: "训练中",
    ModelStatus.EVALUATING: "对比中",
    ModelStatus.READY: "待上线",
    ModelStatus.FAILED: "失败",
    ModelStatus.SERVING: "服务中",
    ModelStatus.RETIRED: "已下线",
}


@bp.context_processor
def _model_statuses() -> dict:
    # The model pages compare statuses: `model.status == model_status.READY`, `in running_statuses`.
    return {"model_status": ModelStatus, "running_statuses": RUNNING}


@bp.before_request
@login_required
def _admins_only():
    if not current_user.scope.admin:
        abort(403)


def _filters() -> dict:
    args = request.args
    status = args.get("status", ReviewStatus.OPEN)
    return {
        "status": status if status in STATUS_TABS else ReviewStatus.OPEN,
        "reason": args.get("reason") if args.get("reason") in REASONS else "",
        "intent": args.get("intent", "").strip()[:64],
        "since": _date(args.get("since", "")),
        "until": _date(args.get("until", "")),
    }


def _date(value: str):
    # The day staff typed is a day in China time (see _as_time).
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=CHINA).date()
    except ValueError:
        return None


def _as_time(day, plus_days: int = 0):
    # A day as staff read it: China time, as the queue shows its times (not the server's zone).
    return datetime.combine(day + timedelta(days=plus_days), datetime.min.time(), tzinfo=CHINA) if day else None


@bp.route("/console/training/review")
def review():
    """The review queue, filtered by reason, intent and date."""
    filters = _filters()
    check = TrainingCheck.load(reviewed_file=Path(services().settings.nlu_reviewed_file))
    with db() as session:
        items = review_items(
            session,
            filters["status"],
            filters["reason"] or None,
            filters["intent"] or None,
            _as_time(filters["since"]),
            _as_time(filters["until"], 1),
        )
        return render_template(
            "console/review.html",
            items=items,
            filters=filters,
            reasons=REASONS,
            tabs=STATUS_TABS,
            open_status=ReviewStatus.OPEN,
            counts=open_counts(session),
            intents=(*check.intents, *STEP_LABELS),  # "step:confirm:yes": an answer to a question
        )


@bp.route("/console/training/review/decide", methods=["POST"])
def decide():
    """confirm / relabel / faq / discard / reopen one or several items (bulk)."""
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    action, label = request.form.get("action", ""), request.form.get("label", "").strip() or None
    if not ids:
        flash("请先选择要处理的条目", "error")
        return redirect(_back())
    decision = REVIEW_DECISIONS.get(action)
    if decision is None:
        flash(f"未知操作 {action}", "error")
        return redirect(_back())
    with db() as session:
        items = list(session.scalars(select(ReviewItem).where(ReviewItem.id.in_(ids)).order_by(ReviewItem.id)))
        reviewer = Reviewer(session, services().settings.nlu_reviewed_file)
        refused = reviewer.decide_many(items, action, current_user.username, label)
        reviewer.write()
        audit(session, me(session), decision, None, {}, {"items": ids, "label": label})
    done = len(items) - len(refused)
    if done:
        flash(f"已处理 {done} 条", "ok")
    for item_id, why in refused.items():
        flash(f"#{item_id} 未处理：{why}", "error")
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/console/training/") else url_for("console_training.review")


@bp.route("/console/training/models")
def models():
    """The registry, the retrain button and the running training's progress."""
    with db() as session:
        return render_template(
            "console/models.html",
            models=all_models(session),
            statuses=MODEL_STATUS,
            running=_running(session),
            stages=STAGES,
            figure=FIGURE_NAMES,
            now=utcnow(),
        )


def _running(session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.status.in_(RUNNING)))


@bp.route("/console/training/retrain", methods=["POST"])
def retrain():
    """Queue a training run with the reviewed examples."""
    try:
        candidate = start_retrain(services(), current_user.username)
    except (RetrainBusy, FileNotFoundError) as error:
        flash(str(error), "error")
        return redirect(url_for("console_training.models"))
    flash(f"已开始训练 {candidate.version}", "ok")
    return redirect(url_for("console_training.models"))


@bp.route("/console/training/models/<int:model_id>/progress")
def progress(model_id: int):
    """The progress box alone, for htmx polling (stage, epoch, elapsed, time left)."""
    with db() as session:
        model = _model(session, model_id)
        return render_template(
            "console/_progress.html", model=model, stages=STAGES, statuses=MODEL_STATUS, now=utcnow()
        )


@bp.route("/console/training/models/<int:model_id>")
def model_page(model_id: int):
    """A model beside the one it was compared with: figures, per-intent F1, pictures, changed answers."""
    with db() as session:
        model = _model(session, model_id)
        serving = serving_model(session)
        compared = session.get(ModelVersion, model.compared_with_id) if model.compared_with_id else None
        return render_template(
            "console/model.html",
            model=model,
            serving=serving,
            compared=compared,
            worse=worse_figures(model.comparison or {}),
            figure=FIGURE_NAMES,
            gated=GATED,
            lower=LOWER_IS_BETTER,
            statuses=MODEL_STATUS,
            stages=STAGES,
            now=utcnow(),
        )


@bp.route("/console/training/models/<int:model_id>/images/<set_name>/<which>.png")
def image(model_id: int, set_name: str, which: str):
    """A confusion-matrix picture of the comparison."""
    with db() as session:
        model = _model(session, model_id)
        path = (model.comparison or {}).get("sets", {}).get(set_name, {}).get("images", {}).get(which)
    if not path or not Path(path).exists():
        abort(404)
    return send_file(path, mimetype="image/png")


@bp.route("/console/training/models/<int:model_id>/promote", methods=["POST"])
def promote_model(model_id: int):
    """Serve this model (the override reason is needed when it is worse on a held-out figure)."""
    return _switch(model_id, "promote", request.form.get("reason", ""))


@bp.route("/console/training/models/<int:model_id>/rollback", methods=["POST"])
def rollback_model(model_id: int):
    """Serve this earlier model again."""
    return _switch(model_id, "rollback", "")


def _switch(model_id: int, action: str, reason: str):
    with db() as session:
        model = _model(session, model_id)
        version = model.version
        if action == "promote" and worse_figures(model.comparison or {}) and not reason.strip():
            flash("候选模型在评测集上有指标变差：请写明上线理由", "error")
            return redirect(url_for("console_training.model_page", model_id=model_id))
    services().jobs.enqueue_long(switch_job, version, action, current_user.username, reason)
    flash(f"{version} 正在逐台加载到 Rasa 服务器（其余服务器照常应答）", "ok")
    return redirect(url_for("console_training.model_page", model_id=model_id))


def switch_job(current, version: str, action: str, actor: str, reason: str) -> None:
    """Job: promote or roll back; a refusal or failure is kept on the model's page."""
    draining = Draining(current.redis, current.settings.key_prefix)
    try:
        with current.db.session() as session:
            if action == "promote":
                promote(session, current.settings, draining, version, actor, reason)
            else:
                rollback(session, current.settings, draining, version, actor)
    except (PromotionRefused, PromotionFailed) as error:
        with current.db.session() as session:
            model = session.scalar(select(ModelVersion).where(ModelVersion.version == version))
            model.error = f"{'上线' if action == 'promote' else '回滚'}失败：{error}"


def _model(session, model_id: int) -> ModelVersion:
    model = session.get(ModelVersion, model_id)
    if model is None:
        abort(404)
    return model


@bp.route("/console/training/faq/<intent>/example", methods=["POST"])
def faq_example(intent: str):
    """Add an example question to an FAQ (it goes into the reviewed training examples)."""
    text = request.form.get("text", "").strip()
    with db() as session:
        faq_for_intent(session, intent) or abort(404)
        reviewer = Reviewer(session, services().settings.nlu_reviewed_file)
        try:
            reviewer.add_example(text, intent, current_user.username)
        except ValueError as error:
            session.rollback()
            flash(f"没有加入：{error}", "error")
            return redirect(url_for("console_faq.answer", intent=intent) + "#examples")
        reviewer.write()
    flash("例句已加入，下次训练生效", "ok")
    return redirect(url_for("console_faq.answer", intent=intent) + "#examples")
