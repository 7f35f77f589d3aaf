"""`flask nlu review | retrain | models | promote | rollback`: the review queue and the model registry
from the command line (the same actions as the console's 训练 pages)."""

from __future__ import annotations

import time

import click
from flask import current_app

from bot.nlu.draining import Draining
from bot.storage.review import REASONS, ModelStatus, ModelVersion, ReviewItem, all_models, review_items
from bot.training.comparison import FIGURE_NAMES, worse_figures
from bot.training.promotion import PromotionFailed, PromotionRefused, promote, rollback
from bot.training.retrain import RetrainBusy, register_serving, start_retrain
from bot.training.review import Reviewer, ReviewRefused
from webhook.cli_nlu import nlu_cli


def _services():
    return current_app.extensions["services"]


def _draining(services) -> Draining:
    return Draining(services.redis, services.settings.key_prefix)


@nlu_cli.command("review")
@click.option("--reason", type=click.Choice(sorted(REASONS)), default=None, help="Only items queued for this reason.")
@click.option("--intent", default=None, help="Only items predicted, suggested or labelled as this intent.")
@click.option("--limit", default=50, show_default=True)
@click.option("--confirm", "confirm_ids", multiple=True, type=int, help="Accept the suggested label of these items.")
@click.option("--relabel", "relabels", multiple=True, metavar="ID=INTENT", help="Accept an item with this intent.")
@click.option("--faq", "faqs", multiple=True, metavar="ID=FAQ_INTENT", help="A new way of asking this FAQ question.")
@click.option("--discard", "discard_ids", multiple=True, type=int, help="Nothing to learn from these items.")
@click.option("--actor", default="cli", show_default=True, help="Who decides (kept with the item).")
def review_command(reason, intent, limit, confirm_ids, relabels, faqs, discard_ids, actor) -> None:
    """List the open review items (masked), or decide on some; accepted ones go to nlu_data/reviewed.yml."""
    services = _services()
    decisions: list[tuple[int, str, str | None]] = [(item_id, "confirm", None) for item_id in confirm_ids]
    decisions += [(_pair(value)[0], "relabel", _pair(value)[1]) for value in relabels]
    decisions += [(_pair(value)[0], "faq", _pair(value)[1]) for value in faqs]
    decisions += [(item_id, "discard", None) for item_id in discard_ids]
    with services.db.session() as session:
        if not decisions:
            for item in review_items(session, reason=reason, intent=intent, limit=limit):
                suggestion = item.suggested_intent or item.predicted_intent or "-"
                click.echo(
                    f"{item.id:>6}  {item.created_at:%m-%d %H:%M}  {item.reason:<14} {suggestion:<24} {item.text}"
                )
            return
        reviewer = Reviewer(session, services.settings.nlu_reviewed_file)
        for item_id, action, label in decisions:
            item = session.get(ReviewItem, item_id)
            if item is None:
                click.echo(f"{item_id}: no such item", err=True)
                continue
            try:
                reviewer.decide(item, action, actor, label)
                click.echo(f"{item_id}: {action} {label or item.label or ''}".rstrip())
            except ReviewRefused as error:
                click.echo(f"{item_id}: refused — {error}", err=True)
        changed = reviewer.write()
    click.echo(f"{services.settings.nlu_reviewed_file} {'updated' if changed else 'unchanged'}")


def _pair(value: str) -> tuple[int, str]:
    item_id, _, label = value.partition("=")
    if not item_id.isdigit() or not label:
        raise click.BadParameter(f"expected ID=INTENT, got {value!r}")
    return int(item_id), label.strip()


@nlu_cli.command("retrain")
@click.option("--actor", default="cli", show_default=True)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Follow the progress until it finishes.")
def retrain_command(actor: str, wait: bool) -> None:
    """Queue a training run with the reviewed examples; the candidate is compared when trained."""
    services = _services()
    try:
        candidate = start_retrain(services, actor)
    except (RetrainBusy, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{candidate.version} queued")
    while wait:
        time.sleep(5)
        with services.db.session() as session:
            model = session.get(ModelVersion, candidate.id)
            click.echo(f"  {model.status:<10} {model.stage:<30} epoch {model.epoch}/{model.epochs}")
            if model.status in (ModelStatus.READY, ModelStatus.FAILED):
                if model.error:
                    raise click.ClickException(model.error)
                _print_comparison(model)
                return


@nlu_cli.command("models")
def models_command() -> None:
    """The model registry: version, status, hashes, held-out figures, who trained and promoted it, when."""
    services = _services()
    with services.db.session() as session:
        try:
            register_serving(session, services.settings)
        except FileNotFoundError as error:
            raise click.ClickException(str(error)) from error
        for model in all_models(session):
            heldout = (model.metrics or {}).get("heldout", {})
            f1 = f"{heldout['triage_macro_f1']:.3f}" if "triage_macro_f1" in heldout else "  -  "
            promoted = f"{model.promoted_by}@{model.promoted_at:%Y-%m-%d %H:%M}" if model.promoted_at else "-"
            click.echo(
                f"{model.version:<26} {model.status:<10} data {model.data_hash[:8]:<8} config "
                f"{model.config_hash[:8]:<8} F1 {f1}  trained by {model.trained_by or '-'} "
                f"{model.started_at:%Y-%m-%d %H:%M}  promoted {promoted}"
                + (f"  reason: {model.override_reason}" if model.override_reason else "")
            )


@nlu_cli.command("promote")
@click.argument("version")
@click.option("--reason", default="", help="Written reason to promote a candidate that is worse on a held-out figure.")
@click.option("--actor", default="cli", show_default=True)
def promote_command(version: str, reason: str, actor: str) -> None:
    """Serve VERSION on every Rasa server of RASA_URL, one at a time while the others answer."""
    services = _services()
    with services.db.session() as session:
        try:
            report = promote(session, services.settings, _draining(services), version, actor, reason)
        except (PromotionRefused, PromotionFailed) as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{version} serving on {len(report.servers)} server(s) after {report.seconds:.1f} s")


@nlu_cli.command("rollback")
@click.argument("version")
@click.option("--actor", default="cli", show_default=True)
def rollback_command(version: str, actor: str) -> None:
    """Serve an earlier VERSION again on every Rasa server."""
    services = _services()
    with services.db.session() as session:
        try:
            report = rollback(session, services.settings, _draining(services), version, actor)
        except (PromotionRefused, PromotionFailed) as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{version} serving again on {len(report.servers)} server(s) after {report.seconds:.1f} s")


def _print_comparison(model: ModelVersion) -> None:
    for name, entry in (model.comparison or {}).get("sets", {}).items():
        click.echo(f"{name}:")
        for key, label in FIGURE_NAMES.items():
            if key in entry["serving"]:
                click.echo(f"  {label:<16} {entry['serving'][key]:.4f} → {entry['candidate'][key]:.4f}")
    changed = (model.comparison or {}).get("changed", [])
    click.echo(f"answers that change: {len(changed)}")
    for row in changed[:20]:
        click.echo(f"  [{row['verdict']}] {row['before']} → {row['after']} (label {row['gold']}): {row['text']}")
    worse = worse_figures(model.comparison or {})
    click.echo("worse on: " + "；".join(worse) if worse else "not worse on any held-out figure")
