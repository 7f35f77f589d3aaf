"""Text rules for WeChat replies and for what we write to logs."""

from __future__ import annotations

from bot.formats import format_pattern

MAX_REPLY_BYTES = 2048
# The numbers are formats kept as data (bot/data/format_words.yml), each with its examples.
PHONE_RE = format_pattern("mobile")
# A landline with its area code, as people write it: 027-85551234, 027 8555 1234, (027)85551234.
LANDLINE_RE = format_pattern("landline")
# Phone keyboards in Chinese mode type full-width digits: １３９… is the same number as 139….
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
ID_CARD_RE = format_pattern("id_card")


# Characters XML 1.0 does not allow anywhere, even inside CDATA (controls, lone surrogates, FFFE/FFFF).
_NOT_XML = format_pattern("not_xml")


def clean_reply(text: str) -> str:
    """Remove what would break the CDATA section of a reply: every `]]>`, including those that
    removing one leaves behind (`]]]]>>>` → `]]>` → ``), and characters XML does not allow."""
    text = _NOT_XML.sub("", text)
    while "]]>" in text:
        text = text.replace("]]>", "")
    return text


# A reply sent in several messages says which part each is: "（2/3）".
PART_MARK = "（{}/{}）"
PART_MARK_BYTES = 16
SENTENCE_ENDS = "。！？；!?;"
CLAUSE_ENDS = "，,、"


def split_for_wechat(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """Split a reply into parts of at most `limit` UTF-8 bytes, preferring line breaks, then the
    ends of sentences; several parts are numbered "（1/3）"."""
    parts = _split(text, limit)
    if len(parts) <= 1:
        return parts
    parts = _split(text, limit - PART_MARK_BYTES)
    return [PART_MARK.format(number, len(parts)) + part for number, part in enumerate(parts, 1)]


def _split(text: str, limit: int) -> list[str]:
    text = clean_reply(text).strip()
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        for piece in _pieces_within(line, limit):
            if len((current + piece).encode("utf-8")) > limit:
                parts.append(current.rstrip("\n"))
                current = ""
            current += piece
    if current.strip():
        parts.append(current.rstrip("\n"))
    return parts


def _pieces_within(line: str, limit: int) -> list[str]:
    # A single line longer than the limit is cut after its last sentence (or clause) that fits,
    # on a character boundary only when the line has none in the second half of the piece.
    if len(line.encode("utf-8")) <= limit:
        return [line]
    pieces, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            cut = _last_end(current)
            pieces.append(current[:cut])
            current = current[cut:]
        current += char
    return pieces + [current] if current else pieces


def _last_end(text: str) -> int:
    for ends in (SENTENCE_ENDS, CLAUSE_ENDS):
        cut = max(text.rfind(char) for char in ends) + 1
        if cut > len(text) // 2:
            return cut
    return len(text)


def mask_personal_numbers(text: str) -> str:
    """Mask mobile and ID numbers so logs and review screens never show them whole."""
    text = _plain_digits(text)
    text = ID_CARD_RE.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text)
    return PHONE_RE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


# A number read out and written by voice input or by hand: "一三八零七一二三四五六", "幺三五…".
_SPOKEN_DIGITS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
_SPOKEN_NUMBER_RE = format_pattern("spoken_number")


def _plain_digits(text: str) -> str:
    """Full-width digits and runs of seven or more spoken digits as ASCII digits (same length)."""
    text = text.translate(_FULL_WIDTH_DIGITS)
    return _SPOKEN_NUMBER_RE.sub(lambda m: m.group().translate(_SPOKEN_DIGITS), text)


def digit_count(text: str) -> int:
    """How many digits the text holds, a number read out in Chinese digits ("幺三八…") included."""
    return sum(char.isdigit() for char in _plain_digits(text))


# A mobile number typed in groups: "135 0712 3456", "135-0712-3456".
_GROUPED_PHONE_RE = format_pattern("grouped_mobile")


def find_phone(text: str) -> str | None:
    """The first mainland mobile number in the text (full-width, grouped and spoken digits count too)."""
    text = _plain_digits(text)
    match = PHONE_RE.search(text)
    if match:
        return match.group()
    grouped = _GROUPED_PHONE_RE.search(text)
    return _only_digits(grouped.group()) if grouped else None


def find_landline(text: str) -> str | None:
    """The first landline number with an area code in the text, digits only (027-8555 1234 → 02785551234)."""
    match = LANDLINE_RE.search(text.translate(_FULL_WIDTH_DIGITS))
    return _only_digits(match.group()) if match else None


def _only_digits(text: str) -> str:
    return "".join(char for char in text if char.isdecimal())
