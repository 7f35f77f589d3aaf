"""How the degraded FAQ match (bot/nlu/faq_match.py) does, on the training data alone.

Leave-one-out over nlu_data/faq.yml (each FAQ example matched against an index of all the others)
and the stories of nlu_data/triage.yml (which must not be taken for FAQ questions), per
threshold. Reads no held-out or shared data.

    .venv/bin/python bench/faq_fallback.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT  # noqa: E402
from bot.nlu import faq_match  # noqa: E402


def triage_stories() -> list[str]:
    """Every example of nlu_data/triage.yml."""
    data = yaml.safe_load((PROJECT_ROOT / "nlu_data" / "triage.yml").read_text(encoding="utf-8"))
    return [
        line.strip().removeprefix("- ").strip()
        for block in data.get("nlu", [])
        if "examples" in block
        for line in block["examples"].splitlines()
        if line.strip()
    ]


def main() -> None:
    examples = faq_match.read_faq_examples()
    stories = triage_stories()
    index = faq_match.FaqIndex.build(examples)
    held_out = []
    for position, (intent, text) in enumerate(examples):
        others = faq_match.FaqIndex.build(examples[:position] + examples[position + 1 :])
        held_out.append((intent, text, *others.nearest(text)))
    stories_scored = [index.nearest(text) if faq_match.QUESTION.search(text) else (None, 0.0, 0.0) for text in stories]
    print(f"{len(examples)} FAQ examples (leave-one-out), {len(stories)} triage stories")
    print("similarity margin | FAQ answered | answered correctly | stories taken for an FAQ")
    for similarity in (0.2, 0.25, 0.3):
        for margin in (0.0, 0.1):
            faq_match.MIN_SIMILARITY, faq_match.MIN_MARGIN = similarity, margin
            answered = [
                (i, p) for i, text, p, s, m in held_out if faq_match.QUESTION.search(text) and faq_match.accepts(s, m)
            ]
            correct = sum(1 for i, p in answered if i == p)
            taken = sum(1 for _, s, m in stories_scored if faq_match.accepts(s, m))
            print(
                f"{similarity:10.2f} {margin:6.2f} | {len(answered) / len(held_out):11.1%} | "
                f"{correct / max(1, len(answered)):17.1%} | {taken / len(stories):.1%}"
            )


if __name__ == "__main__":
    main()
