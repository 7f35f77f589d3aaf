"""The words files of bot/data: one concept a block (what it means, its pattern or words, the
examples it must and must not match), read into patterns once per process.

The loader sits below every package that reads words or formats (bot.nlu, bot.cases, bot.redaction,
bot.wechat…), so that none of them has to import another only to get a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import DATA_DIR

# Keys of a words file that are no concept: named pieces of patterns, and what every block of the file has.
FRAGMENTS, DEFAULTS = "fragments", "defaults"
# A piece named in a pattern: "{ask}" (this file), "{courtesy_words.anyone_there}" (another words
# file of bot/data). A quantifier ("{0,6}") names nothing.
REFERENCE = re.compile(r"\{(?:([a-z_]+)\.)?([a-z_][a-z0-9_]*)\}")
# The keys a block may have beyond those the loader reads; any other key is kept as the block's `extra`.
FLAGS = {"ignore_case": re.IGNORECASE, "dotall": re.DOTALL}
READ_KEYS = {"about", "pattern", "words", "match", "no_match", "max_chars", "whole", *FLAGS}
# Where a message is cut into clauses: "不是撤回 我是想问…" → "不是撤回", "我是想问".
CLAUSE = re.compile(r"[\s，,。.！!？?、；;：:…~～]+")


@dataclass(frozen=True)
class Concept:
    """One block of a words file: what it means, its pattern and its examples."""

    name: str
    about: str
    pattern: re.Pattern
    match: tuple[str, ...]
    no_match: tuple[str, ...]
    max_chars: int | None = None  # a longer clause (or message, when whole) tells or asks something else
    # Read in the whole message rather than clause by clause ("对 不用了": a yes, then what it says).
    whole: bool = False
    # What else the block says for the code that reads it (a keyword rule's intent and weight…).
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def found(self, text: str) -> bool:
        """True when the text (a clause of it, or the whole of it for a whole-message concept) holds this concept."""
        if self.whole:
            return self.holds(text or "")
        return any(self.holds(clause) for clause in clauses(text))

    def holds(self, clause: str) -> bool:
        """True when this one clause holds the concept."""
        short = self.max_chars is None or len(clause) <= self.max_chars
        return short and bool(self.pattern.search(clause))


def load(path: Path) -> dict[str, Concept]:
    """The concepts of a words file: each block's pattern (or words, as alternatives) with the pieces
    it names filled in; whitespace in a pattern is layout, not text (a space that counts is \\x20)."""
    blocks = _blocks(path)
    concepts = {}
    for name, block in blocks.items():
        flags = 0
        for key, flag in FLAGS.items():
            flags |= flag if block.get(key) else 0
        concepts[name] = Concept(
            name=name,
            about=block["about"],
            pattern=re.compile(pattern_text(path, name), flags),
            match=tuple(block.get("match") or ()),
            no_match=tuple(block.get("no_match") or ()),
            max_chars=block.get("max_chars"),
            whole=bool(block.get("whole")),
            extra={key: value for key, value in block.items() if key not in READ_KEYS},
        )
    return concepts


def words_files(folder: Path = DATA_DIR) -> list[Path]:
    """The words files of a folder: YAML files whose every block says what it means (`about`)."""
    return [path for path in sorted(folder.glob("*.yml")) if _blocks(path)]


@cache
def _file(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _blocks(path: Path) -> dict[str, dict[str, Any]]:
    """The concept blocks of a file, the file's defaults under each (none when it is no words file)."""
    data = _file(path)
    defaults = data.get(DEFAULTS) or {}
    blocks = {name: block for name, block in data.items() if name not in (FRAGMENTS, DEFAULTS)}
    if not blocks or not all(isinstance(block, dict) and "about" in block for block in blocks.values()):
        return {}
    return {name: {**defaults, **block} for name, block in blocks.items()}


def pattern_text(path: Path, name: str, seen: tuple[str, ...] = ()) -> str:
    """The pattern of a block or fragment of a words file, as written, the pieces it names filled in."""
    key = f"{path.stem}.{name}"
    if key in seen:
        raise ValueError(f"{key} names itself: {' → '.join(seen)}")
    data = _file(path)
    source = (data.get(FRAGMENTS) or {}).get(name)
    if source is None:
        block = data[name]
        source = block["words"] if "words" in block else block["pattern"]
    if isinstance(source, list):  # a list of words: each an alternative
        source = "|".join(str(word) for word in source)
    text = "".join(str(source).split())

    def filled(reference: re.Match) -> str:
        other = path.with_name(f"{reference.group(1)}.yml") if reference.group(1) else path
        return pattern_text(other, reference.group(2), (*seen, key))

    return REFERENCE.sub(filled, text)


def clauses(text: str) -> list[str]:
    """The message cut at spaces and punctuation."""
    return [clause for clause in CLAUSE.split(text or "") if clause]
