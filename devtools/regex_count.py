"""How many regular expressions the Python code of bot/ and webhook/ still writes, and how many
words-file concepts and examples there are.

Run `.venv/bin/python -m devtools.regex_count` for the working tree, or add `--rev HEAD` (any git
revision) to count the files as committed there. Modules are read with `ast`, never imported. A regex
is a raw string literal (r"…", rf"…": how this code writes patterns) or any string literal handed to
a function of `re` (re.compile, re.search, …); implicitly joined pieces are one literal. Its
alternatives are the `|` outside character classes, top-level and nested. The words files are the
YAML files of bot/data/ whose blocks say what they mean (`about`) and give a pattern or words.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "webhook")
DATA_DIR = "bot/data"
# The one module that reads the words files (bot/words.py): its own clause-cutting pattern is part of the loader.
LOADER = "bot/words.py"
RE_FUNCTIONS = frozenset(
    {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer", "escape"}
)


@dataclass(frozen=True)
class Count:
    """The regexes of one module and their alternatives."""

    module: str
    regexes: int
    alternatives: int


def alternatives(pattern: str) -> int:
    """The `|` of a pattern outside character classes and escapes."""
    count, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "|":
            count += 1
    return count


def _text(node: ast.expr) -> str:
    """The characters of a string literal, an f-string's literal parts joined."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    return ""


def _is_raw(source: str, node: ast.expr) -> bool:
    segment = ast.get_source_segment(source, node) or ""
    prefix = segment[: len(segment) - len(segment.lstrip("rRbBfFuU"))]
    return "r" in prefix.lower()


def _handed_to_re(tree: ast.AST) -> set[int]:
    """The ids of the string literals given to a function of `re` as its pattern."""
    ids = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in RE_FUNCTIONS
            and node.args
        ):
            ids.add(id(node.args[0]))
    return ids


def _literals(tree: ast.AST) -> Iterator[ast.expr]:
    """Every string literal and f-string, the parts of an f-string not again."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield node  # type: ignore[misc]
            if isinstance(node, ast.JoinedStr):  # the values inside the braces may hold literals
                stack.extend(part.value for part in node.values if isinstance(part, ast.FormattedValue))
            continue
        stack.extend(ast.iter_child_nodes(node))


def count_module(module: str, source: str) -> Count:
    """The regexes written in one module's source."""
    tree = ast.parse(source)
    to_re = _handed_to_re(tree)
    regexes = [node for node in _literals(tree) if id(node) in to_re or _is_raw(source, node)]
    return Count(module, len(regexes), sum(alternatives(_text(node)) for node in regexes))


def source_files(rev: str | None, suffix: str, under: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(path, text) of the files under these folders, in the working tree or at a git revision."""
    if rev is None:
        for folder in under:
            for path in sorted((ROOT / folder).rglob(f"*{suffix}")):
                yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
        return
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "--", *under], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in sorted(listed):
        if name.endswith(suffix):
            text = subprocess.run(
                ["git", "show", f"{rev}:{name}"], cwd=ROOT, capture_output=True, text=True, check=True
            )
            yield name, text.stdout


def words_blocks(text: str) -> dict[str, dict]:
    """The concept blocks of a words file (empty for any other YAML file)."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        return {}
    blocks = {name: block for name, block in data.items() if isinstance(block, dict) and "about" in block}
    return blocks if blocks and all(("pattern" in b or "words" in b) for b in blocks.values()) else {}


def main(argv: list[str] | None = None) -> int:
    """Print the regexes per module, the total outside the loader, and the words-file figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="count the files of this git revision instead of the working tree")
    args = parser.parse_args(argv)
    counts = [count_module(path, text) for path, text in source_files(args.rev, ".py", PACKAGES)]
    counts = [count for count in counts if count.regexes]
    print(f"{'module':<44} {'regexes':>7} {'alternatives':>12}")
    for count in counts:
        print(f"{count.module:<44} {count.regexes:>7} {count.alternatives:>12}")
    outside = [count for count in counts if count.module != LOADER]
    print(
        f"{'total outside the loader':<44} {sum(c.regexes for c in outside):>7} "
        f"{sum(c.alternatives for c in outside):>12}"
    )
    nlu = [count for count in outside if count.module.startswith("bot/nlu/")]
    print(f"{'  of which bot/nlu/':<44} {sum(c.regexes for c in nlu):>7} {sum(c.alternatives for c in nlu):>12}")
    print()
    print(f"{'words file':<44} {'concepts':>8} {'match':>6} {'no_match':>8}")
    totals = [0, 0, 0]
    for path, text in source_files(args.rev, ".yml", (DATA_DIR,)):
        blocks = words_blocks(text)
        if not blocks:
            continue
        row = [
            len(blocks),
            sum(len(b.get("match") or ()) for b in blocks.values()),
            sum(len(b.get("no_match") or ()) for b in blocks.values()),
        ]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{path:<44} {row[0]:>8} {row[1]:>6} {row[2]:>8}")
    print(f"{'total':<44} {totals[0]:>8} {totals[1]:>6} {totals[2]:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
