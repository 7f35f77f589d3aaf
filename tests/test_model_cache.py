"""The model cache: a fitted model is built once, loaded by later processes, refitted when stale."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from bot.nlu.model_cache import fingerprint, load_or_build


def test_built_once_then_loaded(tmp_path):
    built = []

    def build():
        built.append(1)
        return {"weights": [1, 2, 3]}

    first = load_or_build("toy", "k1", build, tmp_path)
    second = load_or_build("toy", "k1", build, tmp_path)
    assert first == second == {"weights": [1, 2, 3]}
    assert len(built) == 1


def test_a_new_key_rebuilds_and_drops_the_stale_file(tmp_path):
    load_or_build("toy", "old", lambda: "old model", tmp_path)
    assert load_or_build("toy", "new", lambda: "new model", tmp_path) == "new model"
    assert sorted(path.name for path in tmp_path.glob("toy-*.pickle")) == ["toy-new.pickle"]


def test_a_corrupt_file_is_rebuilt(tmp_path):
    (tmp_path / "toy-k.pickle").write_bytes(b"\x80\x05 not a pickle")
    assert load_or_build("toy", "k", lambda: "rebuilt", tmp_path) == "rebuilt"
    assert load_or_build("toy", "k", lambda: "not used", tmp_path) == "rebuilt"


def test_an_unwritable_cache_still_builds(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory should be")
    assert load_or_build("toy", "k", lambda: "built here", blocked / "cache") == "built here"


def test_fingerprint_follows_file_contents_and_versions(tmp_path):
    data = tmp_path / "data.yml"
    data.write_text("a: 1")
    before = fingerprint([data], "1.0")
    assert fingerprint([data], "1.0") == before
    assert fingerprint([data], "1.1") != before
    data.write_text("a: 2")
    assert fingerprint([data], "1.0") != before


def _slow_build_in_child(cache_dir: str, marker: str) -> None:
    def build():
        with open(marker, "a") as file:
            file.write("built\n")
        time.sleep(0.5)
        return "model"

    load_or_build("toy", "k", build, Path(cache_dir))


def test_processes_starting_together_build_once(tmp_path):
    marker = tmp_path / "builds.txt"
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_slow_build_in_child, args=(str(tmp_path / "cache"), str(marker))) for _ in range(3)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    assert [child.exitcode for child in children] == [0, 0, 0]
    assert marker.read_text().splitlines() == ["built"]
