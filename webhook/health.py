"""Health check for load balancers and the set-up scripts."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the database, Redis and the classifier answer."""
    services = current_app.extensions["services"]
    checks = {"database": _database_ok(services), "redis": _redis_ok(services)}
    checks["nlu"] = getattr(services.classifier, "mode", "unknown")
    status = 200 if checks["database"] and checks["redis"] else 503
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
