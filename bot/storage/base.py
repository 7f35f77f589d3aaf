"""The declarative base, the engine and sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Executable, bindparam, create_engine, event, select, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """A moment in time: aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL keeps the zone (timestamptz, the DDL of `DateTime(timezone=True)`). SQLite keeps
    no zone: it stores the clock reading as text, so every value is turned to UTC first, in the one
    format SQLAlchemy writes ("2026-12-07 01:30:00.000000"); text comparisons and ORDER BY then
    agree with time order, as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The value in UTC (no zone on SQLite); a naive datetime is a programming error."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone (bot.storage.base.utcnow)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The stored moment as an aware UTC datetime (SQLite's zone-less text is UTC)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def plain_sql_returning(model: type, sql: str, **types: TypeEngine) -> Executable:
    """A cached statement from plain SQL whose RETURNING * loads `model` objects.

    For the statements that run on every message: plain SQL that PostgreSQL and SQLite (3.35+)
    both read, because SQLAlchemy cannot cache its dialect-specific ON CONFLICT constructs and
    compiling them anew costs more than the query itself. `types` names the typed parameters."""
    params = [bindparam(name, type_=kind) for name, kind in types.items()]
    return select(model).from_statement(text(sql).bindparams(*params))


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; the number of rows it changed."""
    # Session.execute is typed as returning a Result; for these statements it is a CursorResult.
    return cast(CursorResult[Any], session.execute(statement)).rowcount


POOL_SIZE = 12
PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest before it is tested again


class Base(DeclarativeBase):
    """Base class of every model."""


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        # hide_parameters: a failed statement's error must not print what residents wrote.
        # connect_timeout: an unreachable server must fail fast, so the message is kept elsewhere
        # within the reply budget instead of waiting for TCP to give up.
        connect_args = {"connect_timeout": 2} if url.startswith("postgresql") else {}
        # pool_size: every thread of a busy web process keeps its connection between requests;
        # with SQLAlchemy's 5, the threads beyond it (scripts/serve.sh runs 8) opened a new server
        # process on every request and closed it after.
        self.engine = create_engine(url, pool_size=POOL_SIZE, hide_parameters=True, connect_args=connect_args)
        _ping_idle_connections(self.engine)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success, rolls back on error, then runs after-commit hooks."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        # Work that other processes will read (queued jobs) starts only once the rows exist.
        for hook in session.info.pop("after_commit", []):
            hook()


def after_commit(session: Session, hook) -> None:
    """Run `hook` once the session's transaction has committed."""
    session.info.setdefault("after_commit", []).append(hook)


def _ping_idle_connections(engine: Engine) -> None:
    """Test a pooled connection before use when it has lain idle (the server may have restarted)."""

    # SQLAlchemy's pool_pre_ping tests every checkout: a round trip before each of a message's two
    # transactions. A connection back in the pool a moment ago is as alive as the one that just
    # served: a server that went away since has made the statements on it fail (and the pool drop
    # its connections), and a restart takes longer than PING_AFTER_IDLE.
    def checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The server went away: every connection in the pool is as dead as this one.
            raise InvalidatePoolError(type(error).__name__) from error

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the worker read while the webhook writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
