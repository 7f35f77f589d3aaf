"""Alembic environment: the URL comes from the caller's config (see bot/storage/migrate.py)."""

from alembic import context
from sqlalchemy import create_engine

from bot.storage import (
    Base,
    models,  # noqa: F401  (registers every table on Base.metadata)
)

config = context.config


def run_migrations() -> None:
    """Apply migrations online against the configured URL."""
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
