"""The FAQ answers for staff: each with its 依据, its review state and the cited articles' texts;
drafting a change (any staff member), a lawyer approving or returning it (never their own) or
confirming an answer unchanged; the answers due for review (admins and lawyers); conflicts with the
seed file and the export to YAML (admins). Whether a staff member works as a lawyer, and what a
lawyer may decide (never their own draft, never over a later change), is bot.legal.review's rule."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import redis
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from bot.legal.faq_seed import export_yaml, keep_edit, seed_conflicts, take_seed
from bot.legal.review import (
    ReviewReason,
    ReviewRefused,
    approve_draft,
    confirm_unchanged,
    draft_change,
    due_for_review,
    is_lawyer,
    return_draft,
    returned_to,
    waiting_for,
)
from bot.legal.sources import (
    Citation,
    CitationFormatError,
    catalogue,
    check_citations,
    citation_text,
    citations_of,
    parse_citation_text,
    render_basis,
    today,
)
from bot.nlu.faq_file import DEFAULT_FAQ, read_faq_file
from bot.storage.base import utcnow
from bot.storage.faq import DraftStatus, FaqDraft, FaqEntry, all_faq_entries, drafts, faq_for_intent
from bot.storage.review import ReviewStatus, review_items
from webhook.console.common import blueprint, db, me, services
from webhook.console.faq_view import (
    DRAFT_STATUS,
    answer_view,
    conflict_view,
    draft_view,
    due_sections,
    staff_names,
)

log = logging.getLogger(__name__)
bp = blueprint("console_faq")
# The seed file the console's conflicts are read against (`flask setup` loads the same one).
SEED_FILE = DEFAULT_FAQ
# How many decided drafts of an answer its page lists.
HISTORY = 10


class DraftForm(FlaskForm):
    """A change to an answer: the question, the answer, its citations as staff type them, why."""

    question = StringField("问题", validators=[DataRequired(message="问题不能为空"), Length(max=300)])
    answer = TextAreaField("回答", validators=[DataRequired(message="回答不能为空"), Length(max=5000)])
    citations = TextAreaField("依据（引用）", validators=[Length(max=2000)])
    note = TextAreaField("修改理由（给审核的律师看）", validators=[Optional(), Length(max=1000)])
    cited: list[Citation]  # the citations typed, once validated

    def validate_citations(self, field: TextAreaField) -> None:
        """Citations that can be read and that the catalogue accepts today."""
        self.cited = _citations(field.data or "")


def _citations(text: str) -> list[Citation]:
    """The citations typed, or ValidationError saying what is wrong in staff's words."""
    try:
        cited = parse_citation_text(text)
    except CitationFormatError as error:
        raise ValidationError(str(error)) from error
    problems = check_citations(cited)
    if problems:
        raise ValidationError("；".join(str(problem) for problem in problems))
    return cited


@dataclass(frozen=True)
class FaqNav:
    """The FAQ pages' tabs and their counts (None: the tab is not this staff member's)."""

    admin: bool
    lawyer: bool
    drafts: int
    due: int | None
    conflicts: int | None


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every FAQ page needs a log-in; each page then asks who may see or do what."""


def _nav(session: Session) -> FaqNav:
    admin, lawyer = current_user.scope.admin, is_lawyer(session, me(session))
    due = None
    if admin or lawyer:
        on = today()
        due = len({item.intent for item in due_for_review(session, on) if not item.upcoming(on)})
    conflicts = len(seed_conflicts(session, read_faq_file(SEED_FILE))) if admin else None
    return FaqNav(admin, lawyer, len(drafts(session)), due, conflicts)


def _page(session: Session, template: str, active: str, **context):
    """A FAQ page with its tabs, its counts and the staff names."""
    return render_template(
        template,
        nav=_nav(session),
        active=active,
        names=staff_names(session),
        draft_status=DRAFT_STATUS,
        **context,
    )


def _entry(session: Session, intent: str) -> FaqEntry:
    return faq_for_intent(session, intent) or abort(404)


def _admin_only() -> None:
    if not current_user.scope.admin:
        abort(403)


def _may_see_due(session: Session) -> bool:
    return current_user.scope.admin or is_lawyer(session, me(session))


@bp.route("/console/training/faq")
def old_page():
    """The FAQ page's address before every staff member could draft."""
    return redirect(url_for("console_faq.index"))


@bp.app_context_processor
def _faq_waiting():
    """For the top nav's FAQ link: how many drafts wait for the logged-in lawyer (0 for others)."""

    def waiting() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            with db() as session:
                return waiting_for(session, me(session))
        except SQLAlchemyError:  # the page (an error page, say) still shows, without the count
            log.warning("the drafts waiting for a lawyer could not be counted", exc_info=True)
            return 0

    return {"faq_waiting": waiting}


@bp.route("/console/faq")
def index():
    """Every answer with its 依据, review state, cited articles' texts and pending drafts; above
    them, the drafts of this staff member's that a lawyer returned since they last looked."""
    looked = utcnow()
    with db() as session:
        laws, on = catalogue(), today()
        views = [answer_view(session, entry, laws, on) for entry in all_faq_entries(session)]
        entries = {view.entry.id: view.entry for view in views}
        returned = [
            draft_view(draft, entries[draft.entry_id], laws)
            for draft in returned_to(session, me(session), _last_looked(), HISTORY)
        ]
        page = _page(session, "console/faq.html", "all", views=views, returned=returned)
    _looked_at(looked)
    return page


def _looked_key() -> str:
    """Where the moment this staff member last read their returned drafts is kept (per account)."""
    return f"{services().settings.key_prefix}faq:returned-looked:{current_user.username}"


def _last_looked() -> datetime | None:
    """When this staff member last read the FAQ page (None: never, or not known)."""
    try:
        value = services().redis.get(_looked_key())
    except redis.RedisError:
        log.warning("when the returned drafts were last read is not known: Redis did not answer")
        return None
    # redis-py types every reply as if the client might be async; this one is not.
    stored = cast(bytes | None, value)
    return datetime.fromisoformat(stored.decode()) if stored else None


def _looked_at(moment: datetime) -> None:
    try:
        services().redis.set(_looked_key(), moment.isoformat())
    except redis.RedisError:  # they see the same returned drafts again next time: no harm done
        log.warning("when the returned drafts were read is not kept: Redis did not answer")


@bp.route("/console/faq/<intent>")
def answer(intent: str):
    """One answer: its state, its texts, the form to draft a change, its drafts."""
    with db() as session:
        entry = _entry(session, intent)
        data = {
            "question": entry.question,
            "answer": entry.answer,
            "citations": citation_text(citations_of(entry.citations)),
        }
        return _answer_page(session, entry, DraftForm(data=data))


def _answer_page(session: Session, entry: FaqEntry, form: DraftForm, status: int = 200):
    laws = catalogue()
    decided = [draft for draft in drafts(session, None, entry.id) if draft.status != DraftStatus.DRAFT]
    examples = []
    if current_user.scope.admin:  # the training examples are the admins'
        accepted = review_items(session, ReviewStatus.ACCEPTED, limit=5000)
        examples = [item.text for item in accepted if item.label == entry.intent]
    page = _page(
        session,
        "console/faq_answer.html",
        "all",
        view=answer_view(session, entry, laws, today()),
        pending=[draft_view(draft, entry, laws) for draft in drafts(session, DraftStatus.DRAFT, entry.id)],
        decided=[draft_view(draft, entry, laws) for draft in reversed(decided[-HISTORY:])],
        form=form,
        examples=examples,
        laws=list(laws.laws.values()),  # as the catalogue groups them
    )
    return page, status


@bp.route("/console/faq/<intent>/draft", methods=["POST"])
def draft(intent: str):
    """Draft a change to an answer, for a lawyer to approve."""
    with db() as session:
        entry = _entry(session, intent)
        form = DraftForm()
        if not form.validate_on_submit():
            return _answer_page(session, entry, form, 422)
        try:
            draft_change(
                session, entry, me(session), form.answer.data, form.cited, form.question.data, form.note.data or ""
            )
        except ReviewRefused as error:
            form.form_errors.append(str(error))
            return _answer_page(session, entry, form, 422)
    flash("修改已提交，等待另一位律师审核；批准后才对居民生效", "ok")
    return redirect(url_for("console_faq.answer", intent=intent))


@bp.route("/console/faq/citations/check")
def check():
    """The 依据 line the citations typed would give, or what is wrong with them (htmx, as typed)."""
    text = request.args.get("citations", "")
    try:
        basis, error = render_basis(_citations(text)), ""
    except ValidationError as refused:
        basis, error = "", str(refused)
    return render_template("console/_citations_check.html", basis=basis, error=error)


@bp.route("/console/faq/<intent>/confirm", methods=["POST"])
def confirm(intent: str):
    """A lawyer confirms the answer right as it is."""
    with db() as session:
        lawyer = _lawyer(session)
        entry = _entry(session, intent)
        try:
            confirm_unchanged(session, entry, lawyer)
        except ReviewRefused as error:
            flash(str(error), "error")
        else:
            flash("已确认这条回答无需修改", "ok")
    return redirect(url_for("console_faq.answer", intent=intent))


def _lawyer(session: Session):
    """The logged-in staff member, who must work as a lawyer (else 403)."""
    staff = me(session)
    if not is_lawyer(session, staff):
        abort(403)
    return staff


@bp.route("/console/faq/drafts")
def pending():
    """Drafted changes waiting for a lawyer, each against the live answer; the last ones returned."""
    with db() as session:
        laws = catalogue()
        entries = {entry.id: entry for entry in all_faq_entries(session)}
        waiting = [draft_view(draft, entries[draft.entry_id], laws) for draft in drafts(session)]
        returned = drafts(session, DraftStatus.RETURNED)[-HISTORY:]
        returned_views = [draft_view(draft, entries[draft.entry_id], laws) for draft in reversed(returned)]
        return _page(session, "console/faq_drafts.html", "drafts", waiting=waiting, returned=returned_views)


@bp.route("/console/faq/drafts/<int:draft_id>/approve", methods=["POST"])
def approve(draft_id: int):
    """A lawyer (not the drafter) approves a draft: the answer becomes it, reviewed by them."""
    with db() as session:
        lawyer = _lawyer(session)
        found = session.get(FaqDraft, draft_id) or abort(404)
        try:
            entry = approve_draft(session, found, lawyer)
        except ReviewRefused as error:
            flash(str(error), "error")
        else:
            flash(f"已批准，新的回答已生效：{entry.question}", "ok")
    return redirect(_back())


@bp.route("/console/faq/drafts/<int:draft_id>/return", methods=["POST"])
def send_back(draft_id: int):
    """A lawyer (not the drafter) returns a draft, saying why."""
    with db() as session:
        lawyer = _lawyer(session)
        found = session.get(FaqDraft, draft_id) or abort(404)
        try:
            return_draft(session, found, lawyer, request.form.get("note", ""))
        except ReviewRefused as error:
            flash(str(error), "error")
        else:
            flash("已退回起草人，回答保持不变", "ok")
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/console/faq") else url_for("console_faq.pending")


@bp.route("/console/faq/due")
def due():
    """The answers due for a lawyer's review, the most pressing reason first and by category and
    question within it, each with its drafts waiting; law versions not yet in force apart (admins
    and lawyers)."""
    with db() as session:
        if not _may_see_due(session):
            abort(403)
        entries = {entry.intent: entry for entry in all_faq_entries(session)}
        waiting = Counter(draft.entry_id for draft in drafts(session))
        sections = due_sections(due_for_review(session, today()), entries, waiting)
        return _page(session, "console/faq_due.html", "due", sections=sections, reasons=ReviewReason)


@bp.route("/console/faq/conflicts")
def conflicts():
    """Answers changed here and in the seed file: each side, to keep one (admins)."""
    _admin_only()
    with db() as session:
        laws, items, names = catalogue(), _seed_items(), staff_names(session)
        rows = [
            conflict_view(state, _entry(session, state.intent), items[state.intent], laws, names)
            for state in seed_conflicts(session, list(items.values()))
        ]
        return _page(session, "console/faq_conflicts.html", "conflicts", rows=rows)


def _seed_items() -> dict[str, dict]:
    return {str(item["intent"]): item for item in read_faq_file(SEED_FILE)}


@bp.route("/console/faq/conflicts/<intent>/<side>", methods=["POST"])
def settle(intent: str, side: str):
    """Settle a conflict: the seed file's version ("seed") or the one edited here ("keep")."""
    _admin_only()
    if side not in ("seed", "keep"):
        abort(404)
    with db() as session:
        items = _seed_items()
        if intent not in {state.intent for state in seed_conflicts(session, list(items.values()))}:
            flash("这条回答已经不再冲突（可能已有人处理）", "error")
            return redirect(url_for("console_faq.conflicts"))
        entry, staff = _entry(session, intent), me(session)
        if side == "seed":
            take_seed(session, entry, items[intent], staff)
            flash(f"“{entry.question}”已改用种子文件的版本，需律师审核后再算审核过", "ok")
        else:
            keep_edit(session, entry, items[intent], staff)
            flash(f"“{entry.question}”保留了控制台现在的版本，居民看到的不变", "ok")
    return redirect(url_for("console_faq.conflicts"))


@bp.route("/console/faq/export.yml")
def export():
    """The live answers in the seed file's shape, to take the service's edits back (admins)."""
    _admin_only()
    now = utcnow()
    with db() as session:
        header = f"FAQ entries exported from the service's database on {now:%Y-%m-%d %H:%M} UTC."
        text = export_yaml(all_faq_entries(session), header)
    disposition = f'attachment; filename="faq-{now:%Y%m%d-%H%M}.yml"'
    return Response(text, mimetype="application/x-yaml", headers={"Content-Disposition": disposition})
