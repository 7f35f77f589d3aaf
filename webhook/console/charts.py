"""Charts drawn on the server as inline SVG: bars for counts, columns for weeks, a bar with a
target line for a rate. No script, no library: the numbers are written on the bars, and the
drawings are sized for a phone (a 360-unit-wide canvas that scales with its box)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
LABEL_WIDTH = 122  # room for 8 Chinese characters at 14 units
ROW, BAR = 28, 17
TALL_ROW = 36  # a row whose label takes two lines
FONT = 14
SMALL = 12
LABEL_CHARS = 8
LINE_CHARS = 9  # characters of a smaller label's line in the same width
BRAND, GREY, RED, AMBER, GREEN = "#0b6e69", "#cbd5da", "#c2362b", "#b7791f", "#2f855a"
# Ratings from 1 (red) to 5 (green).
SCORE_COLOURS = {1: RED, 2: "#dd6b20", 3: AMBER, 4: "#68a063", 5: GREEN}


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and its colour."""

    label: str
    value: float
    colour: str = BRAND
    text: str = ""  # the number written beside it (the value when empty)
    title: str = ""  # the whole label, when a shorter one is drawn


def bars(title: str, items: Sequence[Bar], top: float | None = None) -> Markup:
    """Horizontal bars, one a row, the label on the left and the number at the bar's end; the
    longest is `top` (the largest value unless given: 100 for percentages)."""
    if not items:
        return _empty(title)
    top = top or max(item.value for item in items) or 1
    span = WIDTH - LABEL_WIDTH - 44  # the number after the longest bar stays inside
    labels = [_label_lines(item.label) for item in items]
    row = TALL_ROW if any(len(lines) > 1 for lines in labels) else ROW
    rows = []
    for index, (item, lines) in enumerate(zip(items, labels, strict=True)):
        y = index * row + (row - ROW) // 2
        length = max(item.value / top * span, 1 if item.value else 0)
        rows.append(
            f"<g><title>{escape(item.label)}：{escape(item.text or _number(item.value))}</title>"
            f"{_label(lines, y)}"
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length:.1f}" height="{BAR}" rx="3" fill="{item.colour}"/>'
            f'<text x="{LABEL_WIDTH + length + 5:.1f}" y="{y + BAR - 3}" font-size="{FONT}" font-weight="600">'
            f"{escape(item.text or _number(item.value))}</text></g>"
        )
    return _svg(title, len(items) * row + 4, "".join(rows))


def columns(title: str, items: Sequence[Bar]) -> Markup:
    """Vertical columns over time, the number on top of each and every label below while they fit."""
    if not items:
        return _empty(title)
    height, base, left = 190, 160, 8
    top = max(item.value for item in items) or 1
    step = (WIDTH - 2 * left) / len(items)
    width = min(step * 0.7, 40)
    every = max(1, round(len(items) / 12))  # at most about 12 labels under the columns
    parts = [f'<line x1="{left}" y1="{base}" x2="{WIDTH - left}" y2="{base}" stroke="{GREY}"/>']
    for index, item in enumerate(items):
        x = left + index * step + (step - width) / 2
        length = item.value / top * (base - 30)
        middle = x + width / 2
        parts.append(
            f"<g><title>{escape(item.title or item.label)}：{escape(item.text or _number(item.value))}</title>"
            f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{width:.1f}" height="{length:.1f}" rx="2" '
            f'fill="{item.colour}"/>'
            f'<text x="{middle:.1f}" y="{base - length - 4:.1f}" text-anchor="middle" font-size="{SMALL}" '
            f'font-weight="600">{escape(item.text or _number(item.value))}</text></g>'
        )
        if index % every == 0:
            parts.append(
                f'<text x="{middle:.1f}" y="{base + 16}" text-anchor="middle" font-size="{SMALL}">'
                f"{escape(item.label)}</text>"
            )
    return _svg(title, height, "".join(parts))


def rate_bar(title: str, rate: float | None, target: float) -> Markup:
    """A rate as a bar from 0 to 100 %, with the target marked: green when reached, red when not."""
    left, right, y, height = 8, WIDTH - 8, 34, 22
    span = right - left
    target_x = left + target * span
    parts = [f'<rect x="{left}" y="{y}" width="{span}" height="{height}" rx="4" fill="#edf2f4"/>']
    if rate is None:
        words = "暂无评分"
    else:
        colour = GREEN if rate >= target else RED
        parts.append(f'<rect x="{left}" y="{y}" width="{rate * span:.1f}" height="{height}" rx="4" fill="{colour}"/>')
        words = f"{rate * 100:.1f}%"
    parts.append(f'<text x="{left}" y="{y - 10}" font-size="22" font-weight="700">{escape(words)}</text>')
    parts.append(
        f'<line x1="{target_x:.1f}" y1="{y - 6}" x2="{target_x:.1f}" y2="{y + height + 6}" stroke="{AMBER}" '
        'stroke-width="3"/>'
        f'<text x="{target_x:.1f}" y="{y - 10}" text-anchor="middle" font-size="{FONT}" fill="{AMBER}" '
        f'font-weight="600">目标 {target * 100:.0f}%</text>'
    )
    for share in (0, 0.5, 1):
        anchor = {0: "start", 0.5: "middle", 1: "end"}[share]
        parts.append(
            f'<text x="{left + share * span:.1f}" y="{y + height + 22}" text-anchor="{anchor}" '
            f'font-size="{SMALL}" fill="#66737a">{share * 100:.0f}%</text>'
        )
    return _svg(f"{title}：{words}，目标 {target * 100:.0f}%", 80, "".join(parts))


def _svg(title: str, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{body}</svg>'
    )


def _empty(title: str) -> Markup:
    return _svg(title, 30, f'<text x="0" y="20" font-size="{FONT}" fill="#66737a">这段时间没有数据</text>')


def _label_lines(label: str) -> list[str]:
    """A bar's label as it fits left of the bar: whole on one line, or on two smaller lines (split
    before a bracket when there is one), cut with "…" only past two lines; the whole label is in
    the bar's <title>."""
    if len(label) <= LABEL_CHARS:
        return [label]
    bracket = label.find("（")
    cut = bracket if 0 < bracket <= LINE_CHARS else LINE_CHARS
    first, rest = label[:cut], label[cut:]
    return [first, rest if len(rest) <= LINE_CHARS else f"{rest[: LINE_CHARS - 1]}…"]


def _label(lines: list[str], y: int) -> str:
    x = LABEL_WIDTH - 6
    if len(lines) == 1:
        return f'<text x="{x}" y="{y + BAR - 3}" text-anchor="end" font-size="{FONT}">{escape(lines[0])}</text>'
    first, second = lines
    return (
        f'<text x="{x}" y="{y + 8}" text-anchor="end" font-size="{SMALL}">'
        f'<tspan x="{x}">{escape(first)}</tspan><tspan x="{x}" dy="{SMALL + 2}">{escape(second)}</tspan></text>'
    )


def _number(value: float) -> str:
    return f"{value:g}"
