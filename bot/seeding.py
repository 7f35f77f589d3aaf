"""A database made ready to serve: the schema at its newest revision, the directory of rooms, the
FAQ and the canned answers loaded. Shared by `flask setup`, the tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.cases.directory import DEFAULT_DIRECTORY, load_directory
from bot.cases.staff import load_canned_answers
from bot.nlu.faq_file import DEFAULT_FAQ, load_faq
from bot.storage import Database
from bot.storage.migrate import upgrade


@dataclass(frozen=True)
class Seeded:
    """How much of each seed was loaded."""

    units: int
    faq_entries: int
    canned_answers: int


def prepare_database(database_url: str, directory: Path = DEFAULT_DIRECTORY, faq: Path = DEFAULT_FAQ) -> Seeded:
    """Apply the migrations, then load the directory, the FAQ and the canned answers."""
    upgrade(database_url)
    database = Database(database_url)
    try:
        with database.session() as session:
            return Seeded(load_directory(session, directory), load_faq(session, faq), load_canned_answers(session))
    finally:
        database.engine.dispose()
