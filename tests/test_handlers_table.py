"""The intent → handler table matches the intents the model is trained on."""

from pathlib import Path

import yaml

from bot.dialogue.handlers import HANDLERS

NLU_DATA = Path(__file__).resolve().parent.parent / "nlu_data"


def trained_intents() -> set[str]:
    intents = set()
    for path in NLU_DATA.glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    return intents


def test_every_trained_intent_has_a_handler():
    assert trained_intents() - set(HANDLERS) == set()


def test_every_handler_is_for_a_trained_intent():
    # nlu_fallback is produced by the FallbackClassifier, not trained.
    assert set(HANDLERS) - trained_intents() == {"nlu_fallback"}
