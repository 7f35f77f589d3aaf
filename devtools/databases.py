"""A PostgreSQL database of one test or benchmark run's own: created, prepared, dropped at the end."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg

from bot.seeding import prepare_database


@contextlib.contextmanager
def scratch_database(admin_url: str, name: str) -> Iterator[str]:
    """Create database `name` beside `admin_url`'s, prepare it, yield its SQLAlchemy URL, drop it."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        url = f"{base}/{name}"
        prepare_database(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
