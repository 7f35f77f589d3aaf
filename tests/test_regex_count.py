"""The words the bot reacts to stay in the words files: no regular expression is written in the
Python of bot/ or webhook/ outside the words files' loader, and the counter sees one when it is."""

import pytest

from devtools import regex_count

pytestmark = pytest.mark.unit


def test_no_module_outside_the_loader_writes_a_regex():
    sources = regex_count.source_files(None, ".py", regex_count.PACKAGES)
    counts = [regex_count.count_module(path, text) for path, text in sources]
    written = {count.module: count.regexes for count in counts if count.regexes and count.module != regex_count.LOADER}
    assert not written, f"move these patterns to a words file in bot/data/ (docs/nlu.md, 'The words'): {written}"


def test_the_counter_sees_raw_strings_and_patterns_handed_to_re():
    source = 'import re\nA = r"[0-9]+"\nB = re.compile("好|行|中")\nC = "不是正则|只是文字"\n'
    count = regex_count.count_module("example.py", source)
    assert (count.regexes, count.alternatives) == (2, 2)
