"""A classifier that answers from a script, for tests about the protocol rather than the model."""

from __future__ import annotations

import time

from bot.nlu.types import Classification


class ScriptedClassifier:
    """Returns the scripted intent for a text (default out_of_scope), optionally slowly."""

    mode = "scripted"

    def __init__(self, script: dict[str, str | Classification] | None = None, delay: float = 0.0) -> None:
        self.script = script or {}
        self.delay = delay
        self.calls: list[str] = []

    def health(self) -> dict:
        """What the health check reports of it."""
        return {"nlu": self.mode}

    def classify(self, text: str) -> Classification:
        """The scripted classification of the text."""
        self.calls.append(text)
        time.sleep(self.delay)
        answer = self.script.get(text, "out_of_scope")
        if isinstance(answer, Classification):
            return answer
        return Classification(answer, 0.95, [(answer, 0.95)], [], "scripted")
