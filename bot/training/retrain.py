"""Retraining the intent model as a job: the training data with the reviewed examples, `rasa train`
with its progress read from its output, the model registered, then compared with the serving one.

Every registered model file lives in `<NLU_MODELS_DIR>/versions/<version>.tar.gz`, so any version
can be served again; `<NLU_MODELS_DIR>/nlu.tar.gz` is always a copy of the serving one (what a
restarted server loads).
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import func, select

from bot.config import PROJECT_ROOT, Settings
from bot.formats import format_pattern
from bot.jobs import LONG_JOB_TIMEOUT_S
from bot.storage.base import utcnow
from bot.storage.review import RUNNING, ModelStatus, ModelVersion, accepted_examples, serving_model
from bot.training.step_review import gate as step_gate
from bot.training.step_review import step_examples, write_candidate
from bot.training.training_data import NLU_DATA_DIR, write_reviewed

log = logging.getLogger(__name__)

CONFIG_FILE = PROJECT_ROOT / "config.yml"
# Progress is written to the database at most this often (the page polls it).
PROGRESS_EVERY_S = 2.0
LOG_TAIL_CHARS = 20000

# Rasa's output: "Starting to train component 'DIETClassifier'." and tqdm's
# "Epochs:  45%|████▌     | 45/100 [01:31<01:07,  1.23s/it, t_loss=3.46, i_acc=0.999]".
# The line formats are data (bot/data/format_words.yml), with their examples.
COMPONENT = format_pattern("rasa_component")
EPOCHS = format_pattern("rasa_epochs")
TRAINED = "Your Rasa model is trained and saved"

STAGES = {
    "queued": "排队中",
    "data": "准备训练数据",
    "validate": "检查训练数据（rasa data validate）",
    "train": "训练",
    "evaluate": "在评测集上对比",
    "done": "完成",
    "failed": "失败",
}


@dataclass
class Progress:
    """Where a training run is: stage, epoch of epochs, and Rasa's own estimate of the time left."""

    stage: str = "train"
    epoch: int = 0
    epochs: int = 0
    seconds_left: float | None = None
    finished: bool = False


def read_progress(line: str, progress: Progress) -> Progress:
    """Update the progress from one line (or tqdm segment) of Rasa's training output."""
    component = COMPONENT.search(line)
    if component:
        progress.stage = f"train:{component.group(1)}"
    # tqdm may print several updates in one segment: the last one counts.
    updates = list(EPOCHS.finditer(line))
    epochs = updates[-1] if updates else None
    if epochs:
        progress.epoch, progress.epochs = int(epochs.group(1)), int(epochs.group(2))
        progress.seconds_left = _seconds(epochs.group(4))
    if TRAINED in line:
        progress.finished = True
    return progress


def _seconds(clock: str) -> float | None:
    """ "01:07" or "1:02:03" in seconds; None for tqdm's "?"."""
    if "?" in clock:
        return None
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def models_dir(settings: Settings) -> Path:
    """Where model files live."""
    return Path(settings.nlu_models_dir)


def version_file(settings: Settings, version: str) -> Path:
    """The file of one registered version."""
    return models_dir(settings) / "versions" / f"{version}.tar.gz"


def file_hash(*paths: Path) -> str:
    """sha256 over the files (directories: their files in name order)."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in Path(path).rglob("*") if p.is_file()) if Path(path).is_dir() else [Path(path)]
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def next_version(session) -> str:
    """A new version name: a running number and the time (UTC)."""
    count = session.scalar(select(func.count()).select_from(ModelVersion)) or 0
    return f"v{count + 1}-{utcnow():%Y%m%d-%H%M%S}"


def register_serving(session, settings: Settings) -> ModelVersion:
    """The serving model's registry row; the model in NLU_MODELS_DIR/nlu.tar.gz is registered first
    (as trained by `setup`) when the registry is empty."""
    serving = serving_model(session)
    if serving is not None:
        return serving
    current = models_dir(settings) / "nlu.tar.gz"
    if not current.exists():
        raise FileNotFoundError(f"no model at {current}: train one first (flask --app webhook nlu train)")
    version = next_version(session)
    target = version_file(settings, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(current, target)
    serving = ModelVersion(
        version=version,
        model_file=str(target),
        status=ModelStatus.SERVING,
        stage="done",
        trained_by="setup",
        data_hash=file_hash(NLU_DATA_DIR),
        config_hash=file_hash(CONFIG_FILE),
        finished_at=utcnow(),
        promoted_by="setup",
        promoted_at=utcnow(),
    )
    session.add(serving)
    session.flush()
    return serving


def start_retrain(services, actor: str) -> ModelVersion:
    """Register a candidate and queue its training; returns its registry row."""
    with services.db.session() as session:
        running = session.scalar(select(ModelVersion).where(ModelVersion.status.in_(RUNNING)))
        if running is not None and utcnow() - running.started_at < timedelta(seconds=LONG_JOB_TIMEOUT_S):
            raise RetrainBusy("已有一个模型在训练，请等它完成")
        if running is not None:  # its worker died or the job hit its time limit: it will never finish
            running.status, running.stage, running.error = ModelStatus.FAILED, "failed", "训练超时或中断"
        register_serving(session, services.settings)
        candidate = ModelVersion(
            version=next_version(session), status=ModelStatus.QUEUED, stage="queued", trained_by=actor
        )
        session.add(candidate)
        session.flush()
        model_id = candidate.id
    services.jobs.enqueue_long(retrain_job, model_id)
    with services.db.session() as session:
        return session.get(ModelVersion, model_id)


class RetrainBusy(RuntimeError):
    """A training run is already going on."""


def retrain_job(services, model_id: int) -> None:
    """Job: train the candidate, then compare it with the serving model on every held-out set."""
    from bot.training.comparison import evaluate_candidate

    trainer = Trainer(services, model_id)
    try:
        trainer.run()
        trainer.stage("evaluate")
        evaluate_candidate(services, model_id)
        trainer.finish(ModelStatus.READY)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        log.error("training %s failed: %s", model_id, error)
        trainer.finish(ModelStatus.FAILED, str(error))


class Trainer:
    """One training run of one registry row, writing its progress and log as it goes."""

    def __init__(self, services, model_id: int) -> None:
        self.services = services
        self.settings: Settings = services.settings
        self.model_id = model_id
        self.log_lines: list[str] = []
        self.last_saved = 0.0

    def _update(self, **values) -> None:
        with self.services.db.session() as session:
            model = session.get(ModelVersion, self.model_id)
            for key, value in values.items():
                setattr(model, key, value)

    def stage(self, stage: str) -> None:
        """Enter a stage (shown on the page)."""
        status = ModelStatus.EVALUATING if stage == "evaluate" else ModelStatus.TRAINING
        self._update(stage=stage, status=status, log=self.log_text())

    def log_text(self) -> str:
        """The kept log (its tail when very long)."""
        return "\n".join(self.log_lines)[-LOG_TAIL_CHARS:]

    def finish(self, status: ModelStatus, error: str = "") -> None:
        """Record the outcome."""
        self._update(
            status=status,
            stage="done" if status == ModelStatus.READY else "failed",
            error=error,
            finished_at=utcnow(),
            seconds_left=0.0 if status == ModelStatus.READY else None,
            log=self.log_text(),
        )

    def run(self) -> None:
        """Prepare the data, validate it, train; registers the model file and hashes."""
        with self.services.db.session() as session:
            version = session.get(ModelVersion, self.model_id).version
            examples = accepted_examples(session)
        self.stage("data")
        write_reviewed(self.settings.nlu_reviewed_file, examples)
        # Answers to the bot's questions taught in the review queue: taken only when the step model
        # with them is no worse on the held-out answers (bot/training/step_review.py).
        write_candidate(step_examples(examples))
        self.log_lines.append(step_gate().line())
        work = models_dir(self.settings) / "training" / version
        data = self._training_data(work / "data")
        self._update(data_hash=file_hash(data), config_hash=file_hash(CONFIG_FILE))
        self.stage("validate")
        self._run_rasa(validate_command(data, work / "domain.yml"))
        self.stage("train")
        self._run_rasa(train_command(data, work, version))
        target = version_file(self.settings, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(work / f"{version}.tar.gz"), target)
        self._update(model_file=str(target))

    def _training_data(self, target: Path) -> Path:
        """nlu_data/ as it is, with the reviewed examples of the database as reviewed.yml."""
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        reviewed = Path(self.settings.nlu_reviewed_file)
        for path in sorted(NLU_DATA_DIR.glob("*.yml")):
            if path.resolve() != reviewed.resolve():
                shutil.copyfile(path, target / path.name)
        if reviewed.exists():
            shutil.copyfile(reviewed, target / "reviewed.yml")
        return target

    def _run_rasa(self, command: str) -> None:
        """Run a Rasa command, reading its output for progress; raises RuntimeError when it fails."""
        process = subprocess.Popen(
            ["bash", "-c", f'ROOT="{PROJECT_ROOT}"; source scripts/rasa_env_vars.sh && {command}'],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        progress = Progress()
        buffer = b""
        # A pipe with the default buffering: a buffered reader, whose read1 returns what has come so far.
        stdout = cast(io.BufferedReader, process.stdout)
        for chunk in iter(lambda: stdout.read1(4096), b""):
            buffer += chunk
            *segments, buffer = buffer.replace(b"\r", b"\n").split(b"\n")
            for segment in segments:
                self._read(segment.decode("utf-8", "replace"), progress)
        self._read(buffer.decode("utf-8", "replace"), progress)
        self._save(progress)  # the last epochs came within PROGRESS_EVERY_S of a save: the page shows the end
        if process.wait() != 0:
            raise RuntimeError(f"{command.split()[1]} 失败（退出码 {process.returncode}），详见日志")

    def _read(self, line: str, progress: Progress) -> None:
        line = line.strip()
        if not line:
            return
        before = (progress.epoch, progress.stage)
        read_progress(line, progress)
        if not EPOCHS.search(line) or progress.epoch != before[0]:
            self.log_lines.append(line)  # one line per epoch, not every tqdm redraw
        if time.monotonic() - self.last_saved >= PROGRESS_EVERY_S or progress.stage != before[1]:
            self._save(progress)

    def _save(self, progress: Progress) -> None:
        """Write the progress to the database (the page polls it)."""
        self.last_saved = time.monotonic()
        self._update(
            epoch=progress.epoch,
            epochs=progress.epochs,
            seconds_left=progress.seconds_left,
            log=self.log_text(),
            **({"stage": progress.stage} if progress.stage != "train" else {}),
        )


def validate_command(data: Path, domain: Path) -> str:
    """`rasa data validate` of a training directory (with a domain listing its intents)."""
    from bot.nlu.examples import examples_from_dir

    intents = sorted({example.intent for example in examples_from_dir(data)})
    domain.write_text('version: "3.1"\nintents:\n' + "".join(f"  - {intent}\n" for intent in intents), encoding="utf-8")
    return f'"$RASA_BIN" data validate --data "{data}" --config config.yml --domain "{domain}" --fail-on-warnings'


def train_command(data: Path, out: Path, version: str) -> str:
    """`rasa train nlu` of a training directory into OUT/VERSION.tar.gz."""
    return f'"$RASA_BIN" train nlu --config config.yml --nlu "{data}" --out "{out}" --fixed-model-name "{version}"'
