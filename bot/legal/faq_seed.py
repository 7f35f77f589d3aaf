"""The FAQ seed file and the database, after the first load: the database is the source of truth.

Loading the seed adds new entries and brings an entry up to the seed only while nobody has changed
it in the service (its content still hashes to what was last seeded, `seed_hash`). An entry changed
in the service is kept; when the seed has changed too, the two differ and that is a conflict, listed
until someone takes one side. The live entries can be written back in the seed's shape (export)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.cases.staff import audit
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.faq import (
    CONTENT_FIELDS,
    FaqEntry,
    all_faq_entries,
    content_hash,
    entry_content,
    seed_content,
    set_content,
)
from bot.storage.staff import Staff


class SeedOutcome(StrEnum):
    """How an entry stands against the seed file (and what loading the seed does to it)."""

    ADDED = "added"  # new in the seed: loading adds it
    UPDATED = "updated"  # unchanged in the service, changed in the seed: loading updates it
    IN_STEP = "in_step"  # the same in both
    KEPT = "kept"  # changed in the service, the seed as last loaded: the change stands (export it)
    CONFLICT = "conflict"  # changed in the service and in the seed: the change stands, the seed's waits
    ONLY_IN_DATABASE = "only_in_database"  # no longer in the seed file: kept as it is


@dataclass(frozen=True)
class SeedState:
    """One entry against the seed file: the outcome, the fields that differ, the last change."""

    intent: str
    outcome: SeedOutcome
    fields: tuple[str, ...] = ()  # CONTENT_FIELDS where the database and the seed differ
    edited_by: str | None = None
    edited_at: datetime | None = None

    def line(self) -> str:
        """One line for `flask setup`'s report."""
        by = f" by {self.edited_by}" if self.edited_by else ""
        at = f" at {self.edited_at:%Y-%m-%d %H:%M} UTC" if self.edited_at else ""
        return f"{self.intent}: edited{by}{at}; the seed file differs in {', '.join(self.fields)}"


def edited(entry: FaqEntry) -> bool:
    """Changed in the service since the seed was last loaded into it."""
    if entry.seed_hash is None:  # loaded before seed hashes: edited only when recorded as such
        return entry.edited_at is not None
    return content_hash(entry_content(entry)) != entry.seed_hash


def seed_state(entry: FaqEntry | None, item: Mapping[str, Any]) -> SeedState:
    """How an entry stands against its seed item (entry None: not in the database yet)."""
    intent = str(item["intent"])
    if entry is None:
        return SeedState(intent, SeedOutcome.ADDED, CONTENT_FIELDS)
    live, seed = entry_content(entry), seed_content(item)
    fields = tuple(name for name in CONTENT_FIELDS if live[name] != seed[name])
    if not fields:
        outcome = SeedOutcome.IN_STEP
    elif not edited(entry):
        outcome = SeedOutcome.UPDATED
    elif entry.seed_hash == content_hash(seed):
        outcome = SeedOutcome.KEPT
    else:
        outcome = SeedOutcome.CONFLICT
    return SeedState(intent, outcome, fields, entry.edited_by, entry.edited_at)


def seed_states(session: Session, items: Sequence[Mapping[str, Any]]) -> list[SeedState]:
    """Every entry of the seed and of the database against the seed, in the seed's order."""
    entries = {entry.intent: entry for entry in all_faq_entries(session)}
    states = [seed_state(entries.get(str(item["intent"])), item) for item in items]
    seeded = {state.intent for state in states}
    states += [SeedState(intent, SeedOutcome.ONLY_IN_DATABASE) for intent in entries if intent not in seeded]
    return states


def seed_conflicts(session: Session, items: Sequence[Mapping[str, Any]]) -> list[SeedState]:
    """Entries changed both in the service and in the seed file (the console lists them)."""
    return [state for state in seed_states(session, items) if state.outcome == SeedOutcome.CONFLICT]


def load_seed(session: Session, items: Sequence[Mapping[str, Any]]) -> list[SeedState]:
    """Load the seed file's entries: add the new, update the unchanged, keep the edited; returns
    every seed entry's state as it was before loading."""
    entries = {entry.intent: entry for entry in all_faq_entries(session)}
    states = []
    for item in items:
        entry = entries.get(str(item["intent"]))
        state = seed_state(entry, item)
        if state.outcome in (SeedOutcome.ADDED, SeedOutcome.UPDATED):
            entry = entry or FaqEntry(intent=str(item["intent"]))
            _apply_seed(entry, item)
            session.add(entry)
        elif state.outcome == SeedOutcome.IN_STEP and entry is not None:
            entry.seed_hash = content_hash(seed_content(item))  # an edit exported into the seed
            entry.source = ""
        states.append(state)
    return states


def take_seed(session: Session, entry: FaqEntry, item: Mapping[str, Any], staff: Staff) -> None:
    """Settle a conflict for the seed file: the entry becomes the seed's (the change is in the audit log)."""
    before = entry_content(entry)
    _apply_seed(entry, item)
    entry.edited_by, entry.edited_at = staff.username, utcnow()
    audit(session, staff, AuditAction.FAQ_TAKE_SEED, None, {"intent": entry.intent, **before}, entry_content(entry))


def keep_edit(session: Session, entry: FaqEntry, item: Mapping[str, Any], staff: Staff) -> None:
    """Settle a conflict for the service's answer: the seed's change is set aside until it changes again."""
    entry.seed_hash = content_hash(seed_content(item))
    after = {"intent": entry.intent, "set_aside": seed_content(item)}
    audit(session, staff, AuditAction.FAQ_KEEP_EDIT, None, {"intent": entry.intent}, after)


def _apply_seed(entry: FaqEntry, item: Mapping[str, Any]) -> None:
    """The entry becomes the seed item; a lawyer has not reviewed this text in the service."""
    content = seed_content(item)
    if entry.id is None or content_hash(content) != content_hash(entry_content(entry)):
        entry.reviewed_by = entry.reviewed_at = None
    set_content(entry, content)
    entry.seed_hash = content_hash(content)
    entry.source = ""  # the free text of before citations: the 依据 line is rendered from them now


def export_yaml(entries: Iterable[FaqEntry], header: str = "") -> str:
    """The entries in the seed file's shape (bot/data/faq.yml), to take the service's edits back."""
    items = [_seed_item(entry) for entry in entries]
    body = yaml.dump(items, Dumper=_SeedDumper, allow_unicode=True, sort_keys=False, width=10_000)
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    # A blank line between entries, as the seed file is written.
    return comment + body.replace("\n- intent:", "\n\n- intent:")


def _seed_item(entry: FaqEntry) -> dict[str, Any]:
    content = entry_content(entry)
    item: dict[str, Any] = {"intent": entry.intent, "category": content["category"], "question": content["question"]}
    item["answer"] = content["answer"]
    if content["citations"]:
        item["citations"] = [_Flow(_without_empty(citation)) for citation in content["citations"]]
    elif entry.source:  # an entry from before citations keeps its basis
        item["source"] = entry.source
    return item


def _without_empty(citation: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in citation.items() if value != []}


class _Flow(dict):
    """A mapping written on one line: {law: 民法典, version: "2020", articles: [1128]}."""


class _SeedDumper(yaml.SafeDumper):
    """Writes long texts as blocks (answer: |-) and citations one a line, as the seed file does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Lists inside an entry indented under their key (citations:\n    - {...})."""
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Versions and articles ("2020", "1128.2", "291之二") in double quotes, as the seed file writes them.
    style = "|" if "\n" in text else '"' if text[:1].isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _flow(dumper: yaml.SafeDumper, mapping: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(mapping), flow_style=True)


_SeedDumper.add_representer(str, _text)
_SeedDumper.add_representer(_Flow, _flow)
