"""Promoting a model and rolling back: gated by the held-out figures, loaded into every Rasa server
of RASA_URL one at a time (`PUT /model`) while the others take the parses, so no parse fails.

Each server in turn: taken out of the rotation (bot/nlu/draining.py), given time for parses
already sent to it to finish, loaded, warmed up (the first parses of a fresh model are slow),
checked, and put back. A server that fails to load makes the promotion stop and puts the servers
already switched back on the previous model.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.config import Settings
from bot.nlu.draining import CACHE_S, Draining
from bot.storage.base import utcnow
from bot.storage.review import ModelStatus, ModelVersion, model_by_version, serving_model
from bot.storage.staff import AuditEntry
from bot.training.comparison import worse_figures

log = logging.getLogger(__name__)

# After a server is marked: the clients' cached view (CACHE_S) plus the longest parse in flight.
DRAIN_GRACE_S = CACHE_S + 1.5
LOAD_TIMEOUT_S = 600.0
WARM_UP_TEXTS = ("你好", "楼上漏水到我家了怎么办", "物业不修电梯", "公司拖欠工资")


class PromotionRefused(ValueError):
    """Promotion not allowed (worse on a held-out figure without a reason, not trained, …)."""


class PromotionFailed(RuntimeError):
    """A server did not load the model; the servers already switched were put back."""


@dataclass
class RollOut:
    """What loading one model into the servers did."""

    servers: list[str] = field(default_factory=list)
    seconds: float = 0.0
    per_server: dict[str, float] = field(default_factory=dict)


def server_urls(settings: Settings) -> list[str]:
    """The Rasa servers of RASA_URL (comma-separated)."""
    return [url.strip().rstrip("/") for url in settings.rasa_url.split(",") if url.strip()]


def promote(
    session, settings: Settings, draining: Draining, version: str, actor: str, override_reason: str = ""
) -> RollOut:
    """Serve this version on every server; refused when it is worse on a held-out figure and no
    written reason overrides that."""
    candidate = _model(session, version)
    if candidate.status not in (ModelStatus.READY, ModelStatus.RETIRED):
        raise PromotionRefused(f"{version} 的状态是 {candidate.status}，只有训练完成的模型可以上线")
    worse = worse_figures(candidate.comparison or {})
    if worse and not override_reason.strip():
        raise PromotionRefused("候选模型在评测集上更差，需要写明理由才能上线：" + "；".join(worse))
    return _serve(session, settings, draining, candidate, actor, "promote_model", override_reason.strip())


def rollback(session, settings: Settings, draining: Draining, version: str, actor: str) -> RollOut:
    """Serve an earlier version again, in one action (no gate: it served before)."""
    earlier = _model(session, version)
    if earlier.status not in (ModelStatus.RETIRED, ModelStatus.READY) or not earlier.promoted_at:
        raise PromotionRefused(f"{version} 从未上线过，不能回滚到它（新模型请用“上线”）")
    return _serve(session, settings, draining, earlier, actor, "rollback_model", "")


def _model(session, version: str) -> ModelVersion:
    model = model_by_version(session, version)
    if model is None:
        raise PromotionRefused(f"没有版本 {version}")
    if not model.model_file or not Path(model.model_file).exists():
        raise PromotionRefused(f"{version} 的模型文件不存在：{model.model_file}")
    return model


def _serve(
    session, settings: Settings, draining: Draining, model: ModelVersion, actor: str, action: str, reason: str
) -> RollOut:
    previous = serving_model(session)
    if previous is not None and previous.id == model.id:
        raise PromotionRefused(f"{model.version} 已经在服务中")
    report = roll_out(
        server_urls(settings),
        settings.rasa_token,
        model.model_file,
        draining,
        previous.model_file if previous else None,
    )
    if previous is not None:
        previous.status = ModelStatus.RETIRED
    model.status, model.promoted_by, model.promoted_at = ModelStatus.SERVING, actor, utcnow()
    model.override_reason = reason
    _copy_as_current(settings, model.model_file)
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            before={"version": previous.version if previous else None},
            after={"version": model.version, "reason": reason, "seconds": round(report.seconds, 1)},
        )
    )
    return report


def _copy_as_current(settings: Settings, model_file: str) -> None:
    # A server restarted later (scripts/rasa_serve.sh) loads NLU_MODELS_DIR/nlu.tar.gz: the serving model.
    current = Path(settings.nlu_models_dir) / "nlu.tar.gz"
    temporary = current.with_suffix(".tmp")
    shutil.copyfile(model_file, temporary)
    os.replace(temporary, current)


def roll_out(
    urls: list[str], token: str, model_file: str, draining: Draining, previous_file: str | None = None
) -> RollOut:
    """Load the model into each server in turn while the others take the parses."""
    report = RollOut(servers=list(urls))
    started = time.monotonic()
    switched: list[str] = []
    for url in urls:
        began = time.monotonic()
        try:
            load_into(url, token, model_file, draining, alone=len(urls) == 1)
        except PromotionFailed:
            for done in switched:
                if previous_file:
                    load_into(done, token, previous_file, draining, alone=len(urls) == 1)
            raise
        switched.append(url)
        report.per_server[url] = time.monotonic() - began
    report.seconds = time.monotonic() - started
    return report


def load_into(url: str, token: str, model_file: str, draining: Draining, alone: bool = False) -> None:
    """One server: out of the rotation, PUT /model, warm up, check, back into the rotation."""
    params = {"token": token} if token else {}
    if alone:
        log.warning("only one Rasa server: parses get the keyword rules while %s loads the model", url)
    draining.mark(url)
    try:
        time.sleep(DRAIN_GRACE_S)
        try:
            response = requests.put(
                f"{url}/model", params=params, json={"model_file": str(model_file)}, timeout=LOAD_TIMEOUT_S
            )
        except requests.RequestException as error:
            raise PromotionFailed(f"{url} 没有加载模型：{type(error).__name__}") from error
        if response.status_code not in (200, 204):
            raise PromotionFailed(f"{url} 加载模型失败：HTTP {response.status_code}")
        for text in WARM_UP_TEXTS:
            requests.post(f"{url}/model/parse", params=params, json={"text": text}, timeout=60)
        status = requests.get(f"{url}/status", params=params, timeout=10).json()
        if Path(status.get("model_file", "")).name != Path(model_file).name:
            raise PromotionFailed(f"{url} 报告的模型是 {status.get('model_file')}，不是 {Path(model_file).name}")
    finally:
        draining.clear(url)
