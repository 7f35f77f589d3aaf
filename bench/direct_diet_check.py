"""DirectDIETClassifier against DIET's own prediction, on the held-out set's texts: same scores, less CPU.

    .venv-rasa/bin/python bench/direct_diet_check.py [--model models/nlu.tar.gz] [--texts 298]

Run with the Rasa environment (scripts/rasa_env_vars.sh: PYTHONPATH holds rasa/components). Loads
the model in process, parses each text once to get the features DIET sees, then predicts every
message both ways and prints the CPU a prediction takes each way, the CPU of a whole parse, and the
largest difference between the two ways' intent scores. Exits 1 when the direct path is not in use
or any score differs by more than 1e-6.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

import numpy as np
import structlog
import yaml
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_FILE = ROOT / "nlu_eval" / "heldout.yml"
TOLERANCE = 1e-6


def heldout_texts() -> list[str]:
    """The held-out set's texts (read as traffic only)."""
    document = yaml.safe_load(HELDOUT_FILE.read_text(encoding="utf-8"))
    return [
        line.strip()[2:]
        for block in document["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def diet_node(agent: Agent):
    """The graph node that runs the intent classifier."""
    nodes = agent.processor.graph_runner._instantiated_nodes
    return next(node for name, node in nodes.items() if "DIET" in name)


def parse_all(agent: Agent, texts: list[str]) -> float:
    """Parse every text; returns the CPU seconds it took."""

    async def parse() -> None:
        for text in texts:
            await agent.processor.parse_message(UserMessage(text))

    began = time.process_time()
    asyncio.run(parse())
    return time.process_time() - began


def featurized_messages(agent: Agent, texts: list[str]) -> list:
    """The messages as the classifier receives them (tokens and features set)."""
    node, seen = diet_node(agent), []
    run = node._fn

    def keep(component, messages, **kwargs):
        seen.extend(messages)
        return run(component, messages, **kwargs)

    node._fn = keep
    try:
        parse_all(agent, texts)
    finally:
        node._fn = run
    return seen


def main() -> int:
    """Compare both ways of predicting; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "nlu.tar.gz"))
    parser.add_argument("--texts", type=int, default=0, help="only the first N texts (0: all)")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    texts = heldout_texts()[: args.texts or None]
    agent = Agent.load(args.model)
    classifier = diet_node(agent)._component
    messages = featurized_messages(agent, texts)
    stock_cpu = direct_cpu = worst = 0.0
    for message in messages:
        began = time.process_time()
        stock = DIETClassifier._predict(classifier, message)
        stock_cpu += time.process_time() - began
        began = time.process_time()
        direct = classifier._predict(message)
        direct_cpu += time.process_time() - began
        worst = max(worst, float(np.abs(stock["i_scores"] - direct["i_scores"]).max()))
    parse_cpu = parse_all(agent, texts)
    in_use = type(getattr(classifier, "_direct", None)).__name__ == "ConcreteFunction"
    count = len(messages)
    print(
        f"{count} messages; DIET's own prediction {stock_cpu / count * 1000:.2f} ms CPU, direct "
        f"{direct_cpu / count * 1000:.2f} ms; a whole parse {parse_cpu / len(texts) * 1000:.2f} ms; "
        f"largest score difference {worst:.2e}; direct path in use: {in_use}"
    )
    return 0 if in_use and worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
