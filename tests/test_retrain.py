"""Reading Rasa's training output into progress, the registry's first row, and the comparison's
figures and gate (without training: those run in tests/test_retrain_end_to_end.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.storage.review import ModelVersion, serving_model
from bot.training.comparison import changed_answers, worse_figures
from bot.training.evaluation import Prediction
from bot.training.retrain import Progress, Trainer, file_hash, read_progress, register_serving, version_file

DIET_START = "2026-11-25 22:16:00 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'."
TQDM = (
    "Epochs:  44%|████▍     | 44/100 [01:29<01:08,  1.23s/it, t_loss=3.44, i_acc=1]"
    "Epochs:  45%|████▌     | 45/100 [01:31<01:07,  1.23s/it, t_loss=3.48, i_acc=1]"
)

pytestmark = pytest.mark.usefixtures("fresh_training_state")


def test_progress_follows_components_epochs_and_the_time_left():
    progress = read_progress(DIET_START, Progress())
    assert progress.stage == "train:DIETClassifier" and progress.epoch == 0
    read_progress(TQDM, progress)  # two redraws in one segment: the last one counts
    assert (progress.epoch, progress.epochs, progress.seconds_left) == (45, 100, 67)
    read_progress("Epochs:   0%|          | 0/60 [00:00<?, ?it/s]", progress)
    assert (progress.epoch, progress.epochs, progress.seconds_left) == (0, 60, None)
    read_progress("Epochs: 100%|██████████| 60/60 [1:02:03<00:00,  1.47s/it, t_loss=2.87]", progress)
    assert progress.epoch == 60 and progress.seconds_left == 0 and not progress.finished
    read_progress("\x1b[92mYour Rasa model is trained and saved at 'models/v2.tar.gz'.\x1b[0m", progress)
    assert progress.finished


def test_hashes_change_with_the_content(tmp_path):
    (tmp_path / "a.yml").write_text("x", encoding="utf-8")
    first = file_hash(tmp_path)
    (tmp_path / "a.yml").write_text("y", encoding="utf-8")
    assert first != file_hash(tmp_path) and len(first) == 64


def test_the_model_served_before_any_retraining_is_registered_once(services):
    models = Path(services.settings.nlu_models_dir)
    models.mkdir(parents=True)
    (models / "nlu.tar.gz").write_bytes(b"served before")
    with services.db.session() as session:
        first = register_serving(session, services.settings)
        assert register_serving(session, services.settings).id == first.id
        assert serving_model(session).trained_by == "setup" and first.promoted_at is not None
        assert version_file(services.settings, first.version).read_bytes() == b"served before"


def test_the_last_epochs_are_saved_however_soon_after_the_last_save(services):
    with services.db.session() as session:
        candidate = ModelVersion(version="v-progress", status="training", stage="train", trained_by="admin.test")
        session.add(candidate)
        session.flush()
        model_id = candidate.id
    trainer = Trainer(services, model_id)
    trainer.last_saved = time.monotonic()  # a save just now: every line below comes too soon for another
    trainer._run_rasa(
        r"printf 'Epochs:  98%%|#| 59/60 [00:59<00:01, 1.0s/it]\rEpochs: 100%%|#| 60/60 [01:00<00:00, 1.0s/it]\n'"
    )
    with services.db.session() as session:
        saved = session.get(ModelVersion, model_id)
        assert (saved.epoch, saved.epochs) == (60, 60)


def prediction(text, gold, routed, intent=None):
    return Prediction(text, gold, intent or routed, 0.9, "triage", routed)


def test_changed_answers_are_marked_better_worse_or_still_different():
    before = [
        prediction("a", "neighbor_dispute", "out_of_scope"),
        prediction("b", "greet", "greet"),
        prediction("c", "cancel", "greet"),
        prediction("d", "thank", "thank"),
    ]
    after = [
        prediction("a", "neighbor_dispute", "neighbor_dispute"),
        prediction("b", "greet", "thank"),
        prediction("c", "cancel", "goodbye"),
        prediction("d", "thank", "thank"),
    ]
    assert [(row["text"], row["verdict"]) for row in changed_answers("heldout", before, after)] == [
        ("a", "better"),
        ("b", "worse"),
        ("c", "same"),
    ]


def test_the_gate_names_every_worse_held_out_figure():
    sets = {
        "heldout": {
            "serving": {"triage_macro_f1": 0.95, "triage_turned_away": 0.02, "oos_given_triage": 0.0},
            "candidate": {"triage_macro_f1": 0.96, "triage_turned_away": 0.03, "oos_given_triage": 0.0},
        },
        "areas": {
            "serving": {"triage_macro_f1": 0.90, "triage_turned_away": 0.01, "oos_given_triage": 0.05},
            "candidate": {"triage_macro_f1": 0.89, "triage_turned_away": 0.01, "oos_given_triage": 0.04},
        },
    }
    assert worse_figures({"sets": sets}) == [
        "heldout：该受理却被拒的比例 0.020 → 0.030",
        "areas：分流 macro-F1 0.900 → 0.890",
    ]
    same = {"heldout": {"serving": sets["heldout"]["serving"], "candidate": sets["heldout"]["serving"]}}
    assert worse_figures({"sets": same}) == []


def test_one_run_at_a_time_and_a_run_that_died_does_not_block_the_next(services):
    from datetime import timedelta

    import pytest

    from bot.storage.base import utcnow
    from bot.storage.review import ModelVersion
    from bot.training.retrain import RetrainBusy, start_retrain

    models = Path(services.settings.nlu_models_dir)
    models.mkdir(parents=True)
    (models / "nlu.tar.gz").write_bytes(b"serving")
    first = start_retrain(services, "admin.a")
    with pytest.raises(RetrainBusy):
        start_retrain(services, "admin.b")
    with services.db.session() as session:
        session.get(ModelVersion, first.id).started_at = utcnow() - timedelta(hours=2)
    second = start_retrain(services, "admin.b")
    with services.db.session() as session:
        assert session.get(ModelVersion, first.id).status == "failed"
        assert session.get(ModelVersion, second.id).status == "queued"
        for model in (first.id, second.id):
            session.get(ModelVersion, model).status = "failed"  # nothing left running for other tests
