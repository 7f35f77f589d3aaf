"""Real legal questions (evaluation only, read from ../shared/data/): the model should triage them.

The file is never copied into the project; this test reads it where it lies and skips without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.nlu.examples import examples_from_dir
from bot.training.evaluation import predict, read_real_questions, real_question_figures

ROOT = Path(__file__).resolve().parent.parent
REAL_QUESTIONS = ROOT.parent / "shared" / "data" / "real-legal-questions.txt"
# Nearly all are legal consultations; a few are about neighbours or property. Aim: ≥ 95 % triaged.
MIN_TRIAGED_SHARE = 0.95

pytestmark = pytest.mark.skipif(
    not REAL_QUESTIONS.exists(), reason=f"{REAL_QUESTIONS} is absent (evaluation-only shared data)"
)


@pytest.fixture(scope="module")
def questions():
    return read_real_questions(REAL_QUESTIONS)


def test_questions_are_readable(questions):
    assert len(questions) >= 100


def test_no_real_question_is_in_the_training_data(questions):
    trained = {re.sub(r"\s+", "", example.text) for example in examples_from_dir(ROOT / "nlu_data")}
    assert not [q.text for q in questions if re.sub(r"\s+", "", q.text) in trained]


def test_the_model_triages_real_questions(rasa_client, questions):
    figures = real_question_figures(predict(questions, rasa_client.parse))
    assert figures["triaged_any"] >= MIN_TRIAGED_SHARE, figures
