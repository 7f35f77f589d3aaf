"""The packages stay a house with floors: no import circles, the domain free of Flask, and the
picture of it (docs/layout.svg) drawn from the code as it is today."""

import pytest

from devtools import layout_graph

pytestmark = pytest.mark.unit

# How many module imports to quote for each package import in a failure message.
QUOTED_IMPORTS = 3


def test_no_package_imports_another_that_imports_it_back():
    edges = layout_graph.package_edges()
    inside = sorted(layout_graph.circle_edges(edges), key=lambda edge: (len(edge.because), edge.importer))
    lines = [
        f"  {edge.importer} -> {edge.imported}: {'; '.join(edge.because[:QUOTED_IMPORTS])}"
        + (f" (and {len(edge.because) - QUOTED_IMPORTS} more)" if len(edge.because) > QUOTED_IMPORTS else "")
        for edge in inside
    ]
    circles = layout_graph.cycles(edges)
    assert not circles, (
        f"import circles between packages: {circles}\n"
        "the imports inside them, fewest module imports first (one of these has to go):\n" + "\n".join(lines)
    )


def test_nothing_in_bot_imports_flask_or_webhook():
    bot_modules = [module for module in layout_graph.modules() if module.split(".")[0] == "bot"]
    offending = sorted(
        f"{module} imports {name}"
        for module in bot_modules
        for name in layout_graph.imported_modules(module, runtime_only=False)
        if name.split(".")[0] == "webhook" or name.split(".")[0].startswith("flask")
    )
    assert bot_modules
    assert offending == []


def test_the_picture_is_what_the_code_draws_today():
    drawn = layout_graph.draw()
    kept = layout_graph.SVG_PATH.read_text(encoding="utf-8") if layout_graph.SVG_PATH.exists() else ""
    up_to_date = kept == drawn  # compared apart, so a failure says what to do rather than diff the SVG
    assert up_to_date, f"docs/layout.svg is out of date: redraw it with `{layout_graph.REDRAW}` and commit it"


def test_a_type_checking_import_is_no_dependency(tmp_path, monkeypatch):
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("")
    (package / "high.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot import low\n"
        "def later():\n    import bot.low\n"
    )
    (package / "typed.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from bot.low import thing\n")
    monkeypatch.setattr(layout_graph, "ROOT", tmp_path)
    layout_graph.modules.cache_clear()
    try:
        assert layout_graph.imported_modules("bot.high") == {"typing", "bot.low"}  # the one in a function runs
        assert layout_graph.imported_modules("bot.typed") == {"typing"}
        assert layout_graph.imported_modules("bot.typed", runtime_only=False) == {"typing", "bot.low"}
    finally:
        layout_graph.modules.cache_clear()


def test_a_circle_is_found_and_drawn():
    edges = [
        layout_graph.Edge("bot.cases", "bot.dialogue", ("bot.cases.x -> bot.dialogue.y",)),
        layout_graph.Edge("bot.dialogue", "bot.cases", ("bot.dialogue.y -> bot.cases.x",)),
        layout_graph.Edge("bot.dialogue", "bot.config", ("bot.dialogue.y -> bot.config",)),
    ]
    assert layout_graph.cycles(edges) == [("bot.cases", "bot.dialogue")]
    assert layout_graph.circle_edges(edges) == edges[:2]
    assert 'stroke-dasharray="7 4"' in layout_graph.draw(edges)
