"""The training data and the held-out set: well-formed, big enough, apart, and in step with the FAQ."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.nlu.examples import examples_from_dir, examples_from_yaml
from bot.nlu.faq_file import FAQ_FILE, load_faq_categories
from bot.nlu.types import CONVERSATIONAL_INTENTS, FAQ_PREFIX, TRIAGE_INTENTS

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "nlu_data"
HELDOUT = ROOT / "nlu_eval" / "heldout.yml"
AREAS = ROOT / "nlu_eval" / "areas.yml"
HELDOUT_SETS = [HELDOUT, AREAS]
MIN_AREAS_LEGAL_EXAMPLES = 300
MIN_TRIAGE_EXAMPLES = 150
MIN_OUT_OF_SCOPE_EXAMPLES = 120
PHONE_PATTERN = r"(?<!\d)1[3-9]\d{9}(?!\d)"


def normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def training():
    return examples_from_dir(NLU_DIR)


@pytest.mark.parametrize("path", sorted(NLU_DIR.glob("*.yml")) + HELDOUT_SETS, ids=lambda path: path.name)
def test_yaml_parses_as_rasa_nlu(path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and isinstance(document.get("nlu"), list)
    assert str(document.get("version")).startswith("3")


def test_enough_examples_per_triage_intent(training):
    counts = Counter(example.intent for example in training)
    for intent in TRIAGE_INTENTS:
        assert counts[intent] >= MIN_TRIAGE_EXAMPLES, f"{intent}: {counts[intent]} examples"


def test_enough_out_of_scope_examples(training):
    count = sum(example.intent == "out_of_scope" for example in training)
    assert count >= MIN_OUT_OF_SCOPE_EXAMPLES


def test_only_contract_intents(training):
    known = set(TRIAGE_INTENTS) | set(CONVERSATIONAL_INTENTS)
    unknown = {example.intent for example in training if example.intent not in known}
    assert all(intent.startswith(FAQ_PREFIX) for intent in unknown), unknown


@pytest.mark.parametrize("path", HELDOUT_SETS, ids=lambda path: path.name)
def test_no_heldout_example_is_trained_on(training, path):
    trained = {normalised(example.text) for example in training}
    leaked = [example.text for example in examples_from_yaml(path) if normalised(example.text) in trained]
    assert leaked == []


def test_the_areas_set_holds_enough_legal_questions_and_outside_messages():
    counts = Counter(example.intent for example in examples_from_yaml(AREAS))
    assert counts["legal_consultation"] >= MIN_AREAS_LEGAL_EXAMPLES
    assert counts["out_of_scope"] >= 50
    assert set(counts) == {"legal_consultation", "out_of_scope"}


def test_the_two_heldout_sets_do_not_overlap():
    first = {normalised(example.text) for example in examples_from_yaml(HELDOUT)}
    assert [e.text for e in examples_from_yaml(AREAS) if normalised(e.text) in first] == []


def test_no_example_has_two_labels(training):
    labels: dict[str, set] = {}
    for example in training:
        labels.setdefault(normalised(example.text), set()).add(example.intent)
    conflicting = {text: intents for text, intents in labels.items() if len(intents) > 1}
    assert conflicting == {}


def test_every_faq_intent_has_exactly_one_faq_entry_and_back(training):
    trained_faq = {example.intent for example in training if example.intent.startswith(FAQ_PREFIX)}
    entries = yaml.safe_load(FAQ_FILE.read_text(encoding="utf-8"))
    entry_intents = [entry["intent"] for entry in entries]
    assert len(entry_intents) == len(set(entry_intents)), "an FAQ intent has two entries"
    assert trained_faq == set(entry_intents)


def test_faq_categories_are_triage_intents_or_service():
    categories = set(load_faq_categories().values())
    assert categories <= set(TRIAGE_INTENTS) | {"service"}


def test_phone_regex_is_the_contract_one():
    document = yaml.safe_load((NLU_DIR / "entities.yml").read_text(encoding="utf-8"))
    regexes = {block["regex"]: block["examples"] for block in document["nlu"] if "regex" in block}
    assert PHONE_PATTERN in regexes["phone"]
    assert re.search(PHONE_PATTERN, "我电话13912345678谢谢")
    assert not re.search(PHONE_PATTERN, "420102199001011234")


def test_jieba_dictionary_is_there():
    assert any((NLU_DIR / "jieba").glob("*.txt"))
