"""A database made ready to serve: the schema at its newest revision, the directory of rooms, the
FAQ and the canned answers loaded. Shared by `flask setup`, the tests and the benchmarks.

After the first load the database holds the FAQ and the directory: a seed entry or directory row
changed in the service is kept (bot.legal.faq_seed, bot.cases.directory_seed), and the kept ones
that the seed file changes too are reported."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.cases.directory import DEFAULT_DIRECTORY
from bot.cases.directory_seed import DirectorySeedState, load_directory_seed, read_seed
from bot.cases.directory_seed import SeedOutcome as DirectorySeedOutcome
from bot.cases.staff import load_canned_answers
from bot.legal.faq_seed import SeedOutcome, SeedState, load_seed
from bot.nlu.faq_file import DEFAULT_FAQ, read_faq_file
from bot.storage import Database
from bot.storage.migrate import upgrade


@dataclass(frozen=True)
class Seeded:
    """How much of each seed was loaded, and how the FAQ's entries and the directory's rows stood
    against their seeds."""

    units: int
    faq: tuple[SeedState, ...]
    canned_answers: int
    directory: tuple[DirectorySeedState, ...] = ()

    @property
    def faq_entries(self) -> int:
        """How many entries the FAQ seed file has."""
        return len(self.faq)

    def directory_with(self, *outcomes: DirectorySeedOutcome) -> list[DirectorySeedState]:
        """The directory's units and accounts that stood so (e.g. DirectorySeedOutcome.CONFLICT)."""
        return [state for state in self.directory if state.outcome in outcomes]

    def faq_with(self, *outcomes: SeedOutcome) -> list[SeedState]:
        """The FAQ entries that stood so (e.g. SeedOutcome.CONFLICT)."""
        return [state for state in self.faq if state.outcome in outcomes]


def prepare_database(database_url: str, directory: Path = DEFAULT_DIRECTORY, faq: Path = DEFAULT_FAQ) -> Seeded:
    """Apply the migrations, then load the directory, the FAQ (keeping edits) and the canned answers."""
    upgrade(database_url)
    database = Database(database_url)
    try:
        with database.session() as session:
            seed = read_seed(directory)
            rows = load_directory_seed(session, seed)
            states = load_seed(session, read_faq_file(faq))
            return Seeded(len(seed.units), tuple(states), load_canned_answers(session), tuple(rows))
    finally:
        database.engine.dispose()
