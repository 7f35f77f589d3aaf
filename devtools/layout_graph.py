"""The house as packages: which package of bot/ and webhook/ imports which, drawn as docs/layout.svg.

Run `.venv/bin/python -m devtools.layout_graph` to redraw the picture. Imports are read with `ast`
from the source, never by importing it: every import a module runs, at its top or inside a function,
counts; one under `if TYPE_CHECKING:` does not (it never runs). Each subpackage of bot/ is one node,
each top-level module of bot/ is a node of its own, and webhook/ is two: webhook.console and the rest.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "webhook")
SVG_PATH = ROOT / "docs" / "layout.svg"
REDRAW = ".venv/bin/python -m devtools.layout_graph"

# A few words on what each node owns, shown in its box; a node missing here shows its docstring's opening.
OWNS = {
    "webhook": "Flask app: WeChat callback, health, CLI",
    "webhook.console": "staff console: log-in, inbox, case pages, training, erasure",
    "bot.wechat": "the edge to WeChat: inbound, API, outbox, dedup, rate limit, text",
    "bot.pipeline": "message to answer: storing, answering, reply budget, delivery, recovery",
    "bot.dialogue": "one turn: router, flows, dialogue state, handlers",
    "bot.cases": "cases: tickets, lifecycle, handoff, staff, alerts, privacy",
    "bot.legal": "laws cited, the 依据 line, lawyer review, FAQ edits kept",
    "bot.nlu": "classifying: Rasa client, policy, signals, phrases, keywords",
    "bot.training": "review queue, training data, retrain, compare, promote",
    "bot.storage": "SQLAlchemy models and their queries",
    "bot.config": "settings from the environment",
    "bot.categories": "the kinds of case: intent, label, role, deadlines",
    "bot.services": "shared parts built once per process",
    "bot.jobs": "the job queue: RQ, or threads when embedded",
    "bot.seeding": "a database made ready: schema, directory, FAQ",
    "bot.warmup": "a web process warmed before its first request",
    "bot.redis_store": "Redis, or the embedded stand-in",
    "bot.filelock": "a lock on a file across processes",
    "bot.redaction": "secrets and openids kept out of logs",
}

# Drawing: sizes in SVG units (px).
BOX_W, BOX_H = 220, 64
PASS_W = 4  # the room an arrow takes where it passes a row on its way to a higher one
H_GAP, PASS_GAP, ROW_GAP = 26, 10, 92
MARGIN, TITLE_H, LEGEND_H = 24, 56, 84
WRAP_CHARS = 33
SWEEPS = 6
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
CIRCLE_COLOUR = "#d0021b"
# One colour for the arrows into each node (and the stripe on its box), so an arrow can be followed.
PALETTE = (
    "#4363d8 #f58231 #3cb44b #911eb4 #0fa3b1 #f032e6 #9a6324 #000075 #808000 "
    "#469990 #e6a800 #800000 #808080 #ff6f91 #2f4f4f #00bfff #b15928"
).split()


class Kind(StrEnum):
    """What a node is, which gives its box's fill."""

    WEBHOOK = "Flask (webhook/)"
    PACKAGE = "a package of bot/"
    MODULE = "a module of bot/"


FILL = {Kind.WEBHOOK: "#fdebd0", Kind.PACKAGE: "#d6eaf8", Kind.MODULE: "#e8f6f3"}


@dataclass(frozen=True)
class Edge:
    """One node importing another, with the module imports that make it."""

    importer: str
    imported: str
    because: tuple[str, ...]  # "bot.x.y -> bot.z.w", one per module-level import


# Reading the imports.


@cache
def modules() -> dict[str, Path]:
    """Every module of bot/ and webhook/, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported_modules(module: str, *, runtime_only: bool = True) -> set[str]:
    """The dotted names a module imports (`from x import y` is x.y when that is a module)."""
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for statement in _import_statements(tree.body, runtime_only):
        names.update(_targets(statement, package))
    return names


def _import_statements(body: Iterable[ast.stmt], runtime_only: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements anywhere in these statements, skipping `if TYPE_CHECKING:` when asked."""
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
        elif runtime_only and isinstance(statement, ast.If) and _is_type_checking(statement.test):
            yield from _import_statements(statement.orelse, runtime_only)  # the else branch does run
        else:
            for block in ("body", "orelse", "finalbody", "handlers", "cases"):
                yield from _import_statements(_statements(getattr(statement, block, [])), runtime_only)


def _statements(children: list) -> Iterator[ast.stmt]:
    """Statements of a block, including those inside except handlers and match cases."""
    for child in children:
        if isinstance(child, ast.stmt):
            yield child
        elif isinstance(child, ast.ExceptHandler | ast.match_case):
            yield from child.body


def _is_type_checking(test: ast.expr) -> bool:
    """True for `TYPE_CHECKING` and `typing.TYPE_CHECKING`."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _targets(statement: ast.Import | ast.ImportFrom, package: str) -> Iterator[str]:
    """The modules one import statement reaches."""
    if isinstance(statement, ast.Import):
        yield from (alias.name for alias in statement.names)
        return
    base = _absolute(statement.module or "", statement.level, package)
    for alias in statement.names:
        submodule = f"{base}.{alias.name}" if base else alias.name
        yield submodule if submodule in modules() else base


def _absolute(module: str, level: int, package: str) -> str:
    """A relative import's module as an absolute dotted name."""
    if level == 0:
        return module
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


# The graph of nodes.


def node_of(module: str) -> str | None:
    """The node a module of ours belongs to; None for anything else (bot/__init__.py included)."""
    parts = module.split(".")
    if parts[0] == "webhook":
        return "webhook.console" if parts[1:2] == ["console"] else "webhook"
    if parts[0] == "bot" and len(parts) > 1:
        return f"bot.{parts[1]}"
    return None


def _own_module(name: str) -> str | None:
    """The module of ours a dotted name lands in (the longest known prefix), if any."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules():
            return ".".join(parts[:end])
    return None


def nodes() -> list[str]:
    """Every node, in a fixed order."""
    return sorted({node for module in modules() if (node := node_of(module)) is not None})


def package_edges() -> list[Edge]:
    """Which node imports which at run time, each with the module imports behind it."""
    reasons: dict[tuple[str, str], set[str]] = {}
    for module in modules():
        importer = node_of(module)
        for name in imported_modules(module):
            target = _own_module(name)
            imported = node_of(target) if target else None
            if importer and imported and imported != importer:
                reasons.setdefault((importer, imported), set()).add(f"{module} -> {target}")
    return [Edge(a, b, tuple(sorted(why))) for (a, b), why in sorted(reasons.items())]


def cycles(edges: list[Edge] | None = None) -> list[tuple[str, ...]]:
    """The import circles: strongly connected groups of more than one node, each sorted."""
    edges = package_edges() if edges is None else edges
    groups = _strongly_connected(nodes(), _adjacency(edges))
    return sorted(tuple(sorted(group)) for group in groups if len(group) > 1)


def circle_edges(edges: list[Edge] | None = None) -> list[Edge]:
    """The edges inside an import circle: each is one that could be cut to break it."""
    edges = package_edges() if edges is None else edges
    group_of = {node: group for group in cycles(edges) for node in group}
    return [
        edge for edge in edges if edge.importer in group_of and group_of[edge.importer] == group_of.get(edge.imported)
    ]


def _adjacency(edges: list[Edge]) -> dict[str, list[str]]:
    adjacency: dict[str, list[str]] = {node: [] for node in nodes()}
    for edge in edges:
        adjacency.setdefault(edge.importer, []).append(edge.imported)
    return adjacency


def _strongly_connected(order: list[str], adjacency: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit to mind)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in order:
        if start in index:
            continue
        work = [(start, iter(adjacency.get(start, [])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    groups.append(_pop_group(stack, on_stack, node))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(adjacency.get(child, []))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _pop_group(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    group = []
    while True:
        node = stack.pop()
        on_stack.discard(node)
        group.append(node)
        if node == root:
            return group


# Layers: a node sits one row below the lowest of what it imports (longest path); a circle shares a row.


def layers(edges: list[Edge]) -> dict[str, int]:
    """Each node's row: 0 for nodes importing nothing of ours, else one below what it imports."""
    group_of = {node: group for group in cycles(edges) for node in group}
    key = {node: group_of.get(node, (node,)) for node in nodes()}
    imports: dict[tuple[str, ...], set[tuple[str, ...]]] = {group: set() for group in key.values()}
    for edge in edges:
        if key[edge.importer] != key[edge.imported]:
            imports[key[edge.importer]].add(key[edge.imported])
    row: dict[tuple[str, ...], int] = {}

    def depth(group: tuple[str, ...]) -> int:
        if group not in row:
            row[group] = 1 + max((depth(below) for below in imports[group]), default=-1)
        return row[group]

    return {node: depth(key[node]) for node in nodes()}


# Placing: rows of slots (a box, or the point where an arrow passes a row), ordered to cut crossings.


@dataclass
class Route:
    """One arrow: from the importer through the rows between to the imported node."""

    edge: Edge
    passes: list[str]  # the slot keys it goes through, from the importer's row upwards
    in_circle: bool


def _routes(edges: list[Edge], row_of: dict[str, int]) -> list[Route]:
    """Each edge's way up; arrows to one node share their way through a row (one trunk a target)."""
    in_circle = set(circle_edges(edges))
    routes = []
    for edge in edges:
        rows_between = range(row_of[edge.importer] - 1, row_of[edge.imported], -1)
        passes = [f"pass:{edge.imported}:{row}" for row in rows_between]
        routes.append(Route(edge, passes, edge in in_circle))
    return routes


def _rows(row_of: dict[str, int], routes: list[Route]) -> list[list[str]]:
    rows: list[list[str]] = [[] for _ in range(max(row_of.values(), default=0) + 1)]
    for node in nodes():
        rows[row_of[node]].append(node)
    for key in sorted({key for route in routes for key in route.passes}):
        rows[int(key.rsplit(":", 1)[1])].append(key)
    return rows


def _chains(routes: list[Route]) -> list[list[str]]:
    """Each arrow as the slots it links, from the importer (low row) to the imported (high row)."""
    return [[route.edge.importer, *route.passes, route.edge.imported] for route in routes]


def _width(key: str) -> float:
    return PASS_W if key.startswith("pass:") else BOX_W


def _gap(left: str, right: str) -> float:
    both_passes = left.startswith("pass:") and right.startswith("pass:")
    return PASS_GAP if both_passes else H_GAP


def _centres(rows: list[list[str]]) -> dict[str, float]:
    """x of each slot's centre, every row centred on 0."""
    centres = {}
    for row in rows:
        total = sum(_width(key) for key in row) + sum(_gap(a, b) for a, b in zip(row, row[1:], strict=False))
        x = -total / 2
        for number, key in enumerate(row):
            if number:
                x += _gap(row[number - 1], key)
            centres[key] = x + _width(key) / 2
            x += _width(key)
    return centres


def _ordered(rows: list[list[str]], routes: list[Route]) -> list[list[str]]:
    """Rows reordered by the mean position of their neighbours, sweeping up and down a few times."""
    above: dict[str, list[str]] = {}
    below: dict[str, list[str]] = {}
    for low, high in sorted({link for chain in _chains(routes) for link in zip(chain, chain[1:], strict=False)}):
        above.setdefault(low, []).append(high)
        below.setdefault(high, []).append(low)
    for _ in range(SWEEPS):
        for number in range(1, len(rows)):
            rows[number] = _sorted_by_neighbours(rows[number], above, _centres(rows))
        for number in range(len(rows) - 2, -1, -1):
            rows[number] = _sorted_by_neighbours(rows[number], below, _centres(rows))
    return rows


def _sorted_by_neighbours(row: list[str], neighbours: dict[str, list[str]], centres: dict[str, float]) -> list[str]:
    def barycentre(key: str) -> tuple[float, str]:
        linked = neighbours.get(key)
        return (sum(centres[k] for k in linked) / len(linked) if linked else centres[key], key)

    return sorted(row, key=barycentre)


# Drawing.


@dataclass(frozen=True)
class Placed:
    """Where everything went: each slot's x centre and top, each node's row and arrow colour."""

    xs: dict[str, float]
    top: dict[str, float]
    row_of: dict[str, int]
    colours: dict[str, str]


def draw(edges: list[Edge] | None = None) -> str:
    """The picture as SVG text."""
    edges = package_edges() if edges is None else edges
    row_of = layers(edges)
    routes = _routes(edges, row_of)
    rows = _ordered(_rows(row_of, routes), routes)
    centres = _centres(rows)
    left = min(centres[key] - _width(key) / 2 for key in centres)
    right = max(centres[key] + _width(key) / 2 for key in centres)
    width = right - left + 2 * MARGIN
    placed = Placed(
        xs={key: x - left + MARGIN for key, x in centres.items()},
        top={key: TITLE_H + number * (BOX_H + ROW_GAP) for number, row in enumerate(rows) for key in row},
        row_of=row_of,
        colours=_colours(edges, rows),
    )
    height = TITLE_H + len(rows) * (BOX_H + ROW_GAP) - ROW_GAP + LEGEND_H
    circled = {node for group in cycles(edges) for node in group}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">',
        _markers(),
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        _title(edges),
        *_arrows(routes, placed),
        *(_box(node, placed, node in circled) for node in nodes()),
        _legend(height),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _colours(edges: list[Edge], rows: list[list[str]]) -> dict[str, str]:
    """The colour of the arrows into each imported node, neighbours on a row in contrasting colours."""
    imported = {edge.imported for edge in edges}
    ordered = [key for row in rows for key in row if key in imported]
    return {node: PALETTE[number % len(PALETTE)] for number, node in enumerate(ordered)}


def _markers() -> str:
    """An arrowhead for each arrow colour (a marker cannot take its path's colour in SVG 1.1)."""
    colours = sorted({*PALETTE, CIRCLE_COLOUR})
    heads = "".join(
        f'<marker id="head{colour[1:]}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        f'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for colour in colours
    )
    return f"<defs>{heads}</defs>"


def _title(edges: list[Edge]) -> str:
    circles = cycles(edges)
    status = f"{len(circles)} import circle(s), dashed in red" if circles else "No import circles"
    return (
        f'<text x="{MARGIN}" y="24" font-size="16" font-weight="bold">bot/ and webhook/: who imports whom</text>'
        f'<text x="{MARGIN}" y="42" font-size="11" fill="#555">An arrow points at what a package imports at run '
        f"time, in the colour of the stripe on that package; a package sits below everything it imports. "
        f"{status}. Redraw: {escape(REDRAW)}</text>"
    )


def _box(node: str, placed: Placed, circled: bool) -> str:
    centre, top = placed.xs[node], placed.top[node]
    kind = _kind(node)
    stroke, stroke_width = (CIRCLE_COLOUR, 2.5) if circled else ("#34495e", 1.2)
    x = centre - BOX_W / 2
    text = "".join(
        f'<text x="{centre:.1f}" y="{top + 38 + 13 * n:.1f}" font-size="11" text-anchor="middle" '
        f'fill="#333">{escape(line)}</text>'
        for n, line in enumerate(_wrapped(_owns(node)))
    )
    stripe = (
        f'<rect x="{x + 8:.1f}" y="{top + BOX_H - 6:.1f}" width="{BOX_W - 16}" height="3" rx="1.5" '
        f'fill="{placed.colours[node]}"/>'
        if node in placed.colours
        else ""
    )
    return (
        f"<g><title>{escape(node)}: {escape(_owns(node))}</title>"
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{BOX_W}" height="{BOX_H}" rx="7" '
        f'fill="{FILL[kind]}" stroke="{stroke}" stroke-width="{stroke_width}"/>{stripe}'
        f'<text x="{centre:.1f}" y="{top + 20:.1f}" font-size="13" font-weight="bold" text-anchor="middle" '
        f'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace">{escape(node)}</text>{text}</g>'
    )


def _kind(node: str) -> Kind:
    if node.startswith("webhook"):
        return Kind.WEBHOOK
    return Kind.PACKAGE if (ROOT / node.replace(".", "/") / "__init__.py").exists() else Kind.MODULE


def _owns(node: str) -> str:
    """The words in a node's box: OWNS, else the opening of its docstring."""
    if node in OWNS:
        return OWNS[node]
    path = modules()[node]
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.split(".")[0].split(":")[0].strip()


def _wrapped(words: str) -> list[str]:
    """At most two lines that fit a box; the rest is cut with an ellipsis."""
    lines = [""]
    for word in words.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > WRAP_CHARS:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    if len(lines) > 2:
        lines = [lines[0], lines[1][: WRAP_CHARS - 1].rstrip() + "…"]
    return lines


def _arrows(routes: list[Route], placed: Placed) -> list[str]:
    """Every arrow; those inside a circle drawn last, so they show over the others."""
    xs, top = placed.xs, placed.top
    leaving = _ports(routes, xs, outgoing=True)
    arriving = _ports(routes, xs, outgoing=False)
    paths = []
    for number, route in sorted(enumerate(routes), key=lambda item: item[1].in_circle):
        edge = route.edge
        if placed.row_of[edge.importer] == placed.row_of[edge.imported]:
            paths.append(_side_arrow(route, placed))
            continue
        points = [(leaving[number], top[edge.importer])]
        for key in route.passes:
            points += [(xs[key], top[key] + BOX_H), (xs[key], top[key])]
        points.append((arriving[number], top[edge.imported] + BOX_H))
        paths.append(_stroke(_curve(points), route, placed))
    return paths


def _ports(routes: list[Route], xs: dict[str, float], *, outgoing: bool) -> dict[int, float]:
    """Where each arrow leaves its importer's top (or reaches its import's bottom), spread by direction;
    arrows coming up one trunk reach their node at one point."""
    ends = [(chain[0], chain[1]) if outgoing else (chain[-1], chain[-2]) for chain in _chains(routes)]
    neighbours: dict[str, set[str]] = {}
    for node, neighbour in ends:
        neighbours.setdefault(node, set()).add(neighbour)
    place: dict[tuple[str, str], float] = {}
    span = BOX_W * 0.8
    for node, around in neighbours.items():
        for number, neighbour in enumerate(sorted(around, key=lambda key: (xs[key], key))):
            place[node, neighbour] = xs[node] - span / 2 + span * (number + 1) / (len(around) + 1)
    return {number: place[end] for number, end in enumerate(ends)}


def _curve(points: list[tuple[float, float]]) -> str:
    """A smooth path through the points, leaving and reaching each vertically."""
    (x, y), rest = points[0], points[1:]
    d = [f"M{x:.1f},{y:.1f}"]
    for next_x, next_y in rest:
        bend = (y - next_y) / 2
        d.append(f"C{x:.1f},{y - bend:.1f} {next_x:.1f},{next_y + bend:.1f} {next_x:.1f},{next_y:.1f}")
        x, y = next_x, next_y
    return " ".join(d)


def _side_arrow(route: Route, placed: Placed) -> str:
    """An arrow between two boxes of one row (only inside an import circle): a loop under the row."""
    xs, top = placed.xs, placed.top
    start, end = xs[route.edge.importer], xs[route.edge.imported]
    towards = 1 if end > start else -1
    x0, x1 = start + towards * BOX_W * 0.3, end - towards * BOX_W * 0.3
    y = top[route.edge.importer] + BOX_H
    dip = 18 + min(abs(end - start) / 12, 44) + (6 if towards > 0 else 0)
    curve = f"M{x0:.1f},{y:.1f} C{x0:.1f},{y + dip:.1f} {x1:.1f},{y + dip:.1f} {x1:.1f},{y:.1f}"
    return _stroke(curve, route, placed)


def _stroke(d: str, route: Route, placed: Placed) -> str:
    if route.in_circle:
        colour, style = CIRCLE_COLOUR, 'stroke-width="2.2" stroke-dasharray="7 4"'
    else:
        colour, style = placed.colours[route.edge.imported], 'stroke-width="1.3" stroke-opacity="0.85"'
    label = f"{route.edge.importer} imports {route.edge.imported}"
    return (
        f'<path d="{d}" fill="none" stroke="{colour}" {style} marker-end="url(#head{colour[1:]})">'
        f"<title>{label}</title></path>"
    )


def _legend(height: float) -> str:
    y = height - 22
    parts = []
    x = MARGIN
    for kind in Kind:
        parts.append(
            f'<rect x="{x}" y="{y - 11}" width="22" height="14" rx="3" fill="{FILL[kind]}" stroke="#34495e"/>'
            f'<text x="{x + 28}" y="{y}" font-size="11">{escape(kind.value)}</text>'
        )
        x += 160
    parts.append(
        f'<path d="M{x},{y - 4} L{x + 34},{y - 4}" stroke="{CIRCLE_COLOUR}" stroke-width="2.2" '
        f'stroke-dasharray="7 4" marker-end="url(#head{CIRCLE_COLOUR[1:]})"/>'
        f'<text x="{x + 42}" y="{y}" font-size="11">an import inside a circle (none should be drawn)</text>'
    )
    return "".join(parts)


def main() -> int:
    """Write docs/layout.svg and say which import circles remain."""
    edges = package_edges()
    SVG_PATH.write_text(draw(edges), encoding="utf-8")
    print(f"wrote {SVG_PATH.relative_to(ROOT)}: {len(nodes())} packages, {len(edges)} imports between them")
    for edge in circle_edges(edges):
        print(f"circle: {edge.importer} -> {edge.imported} ({'; '.join(edge.because)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
