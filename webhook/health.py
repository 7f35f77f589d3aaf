"""Health check for load balancers and the set-up scripts."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.nlu import signals

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the database, Redis and each Rasa server answer; 503 until this process can
    answer messages (the danger and group signals are still loading just after a start). Rasa
    down is reported but not 503: the keyword rules answer meanwhile."""
    services = current_app.extensions["services"]
    checks: dict[str, object] = {"database": _database_ok(services), "redis": _redis_ok(services)}
    checks.update(services.classifier.health())
    checks["signals"] = "ready" if signals.is_ready() else "loading"
    ready = checks["database"] and checks["redis"] and signals.is_ready()
    status = 200 if ready else 503
    return jsonify(checks), status


def _database_ok(services) -> bool:
    try:
        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def _redis_ok(services) -> bool:
    try:
        return bool(services.redis.ping())
    except redis.RedisError:
        return False
