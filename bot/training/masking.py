"""Masking personal data in residents' messages before an admin reads them for training (and the
numbers on the console's inbox cards, partly).

Phone numbers, ID numbers, plate numbers, names the directory knows and house addresses are
replaced by a bracketed word (〔手机号〕 …), however people type them: spaces or dashes between the
digits, full-width digits and letters, a +86 in front. Matching runs on a normalised copy of the
text (full-width → ASCII, one character for one character), so every span found there is the
same span in what the resident wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.formats import format_pattern

PHONE = "〔手机号〕"
LANDLINE = "〔电话〕"
ID_NUMBER = "〔身份证号〕"
PLATE = "〔车牌号〕"
NAME = "〔姓名〕"
ADDRESS = "〔门牌号〕"

# Full-width digits, letters and the separators people use between digit groups, mapped one
# character to one character so that positions stay the same.
_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULL_WIDTH |= {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
_FULL_WIDTH |= {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
_FULL_WIDTH |= {"－": "-", "—": "-", "–": "-", "　": " ", "＋": "+", "．": ".", "·": "-", "•": "-"}
_NORMALISE = str.maketrans(_FULL_WIDTH)

# Order matters: an ID number contains runs that look like a phone number. The formats are data
# (bot/data/format_words.yml), each with the examples it must and must not match.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (ID_NUMBER, format_pattern("typed_id_number")),
    (PHONE, format_pattern("typed_mobile")),
    (LANDLINE, format_pattern("typed_landline")),
    (PLATE, format_pattern("typed_plate")),
    (ADDRESS, format_pattern("house_number")),
]


def normalise(text: str) -> str:
    """The text with full-width digits, letters and dashes made ASCII (same length)."""
    return text.translate(_NORMALISE)


def personal_spans(text: str, names: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """(start, end, mask) of every piece of personal data, in order, not overlapping."""
    plain = normalise(text)
    taken: list[tuple[int, int, str]] = []
    for mask, pattern in _PATTERNS:
        for found in pattern.finditer(plain):
            _take(taken, found.start(), found.end(), mask)
    for name in sorted({name for name in names if len(name) >= 2}, key=len, reverse=True):
        for found in re.finditer(re.escape(name), plain):
            _take(taken, found.start(), found.end(), NAME)
    return sorted(taken)


def _take(taken: list[tuple[int, int, str]], start: int, end: int, mask: str) -> None:
    # The first pattern to claim characters keeps them (an ID number is not also a phone number).
    if all(end <= other_start or start >= other_end for other_start, other_end, _ in taken):
        taken.append((start, end, mask))


def mask_personal(text: str, names: Iterable[str] = ()) -> str:
    """The text with phone, ID and plate numbers, known names and house numbers masked."""
    pieces, last = [], 0
    for start, end, mask in personal_spans(text, names):
        pieces.extend([text[last:start], mask])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


# What a partly masked number keeps in sight, digits from the start and from the end: enough for
# staff to tell two numbers apart on a screen others may see, not enough to dial.
_KEPT_DIGITS = {PHONE: (3, 4), LANDLINE: (3, 4), ID_NUMBER: (4, 4)}


def mask_numbers_partly(text: str) -> str:
    """The text with phone and ID numbers partly masked, as a screen shows them ("138****1234"),
    found however they are typed (the same patterns as mask_personal); other text stays."""
    pieces, last = [], 0
    for start, end, mask in personal_spans(text):
        if mask not in _KEPT_DIGITS:
            continue
        pieces.extend([text[last:start], _partly(normalise(text[start:end]), *_KEPT_DIGITS[mask])])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _partly(number: str, head: int, tail: int) -> str:
    digits = "".join(char for char in number if char in "0123456789Xx")
    if number.lstrip().startswith("+86") or (len(digits) == 13 and digits.startswith("86")):
        digits = digits[2:]  # the country code: the number as dialled at home
    return digits[:head] + "*" * max(len(digits) - head - tail, 4) + digits[-tail:]
