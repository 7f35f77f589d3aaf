"""A change to a text as staff read it: the parts kept, removed and added, character by character
(Chinese has no spaces to split words on), except that a number (500, 1.5) or a Latin word is
compared whole, so an amount replaced reads as one amount out and another in."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from bot.formats import format_pattern

# A run kept between two changes shorter than this is shown as part of the change.
MIN_KEPT = 2
# What is compared as one: a number (with its decimals), a Latin word, else a single character.
TOKEN = format_pattern("diff_token")


class Edit(StrEnum):
    """What happened to a part of the text."""

    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class Part:
    """A run of text and what happened to it."""

    edit: Edit
    text: str


def inline_diff(old: str, new: str) -> list[Part]:
    """The new text against the old, as runs kept, removed and added, in reading order."""
    parts: list[Part] = []
    for kept, removed, added in _runs(old, new):
        if kept:
            parts.append(Part(Edit.SAME, kept))
        if removed:
            parts.append(Part(Edit.REMOVED, removed))
        if added:
            parts.append(Part(Edit.ADDED, added))
    return parts


def tokens(text: str) -> list[str]:
    """The text as compared: numbers and Latin words whole, every other character on its own."""
    return TOKEN.findall(text)


def _runs(old: str, new: str) -> list[tuple[str, str, str]]:
    """(kept, removed, added) runs; a lone character kept between two changes (的, ，) joins them,
    or the change reads as confetti."""
    runs: list[tuple[str, str, str]] = []
    old_tokens, new_tokens = tokens(old), tokens(new)
    opcodes = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes()
    for index, (tag, old_from, old_to, new_from, new_to) in enumerate(opcodes):
        removed, added = "".join(old_tokens[old_from:old_to]), "".join(new_tokens[new_from:new_to])
        inside = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (inside and len(removed) < MIN_KEPT):
            runs.append((removed, "", ""))
        elif runs and not runs[-1][0]:  # the change before goes on
            runs[-1] = ("", runs[-1][1] + removed, runs[-1][2] + added)
        else:
            runs.append(("", removed, added))
    return runs
