"""The step model's figures: cross-validation on step_data/ and the threshold it chooses."""

import pytest

from bot.nlu import step_answers
from bot.training import step_evaluation

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def cross_validation() -> step_evaluation.CrossValidation:
    return step_evaluation.cross_validate()


def test_the_configured_threshold_is_the_one_cross_validation_chooses(cross_validation):
    assert cross_validation.configured == step_answers.THRESHOLD
    assert cross_validation.chosen == cross_validation.configured, cross_validation.rows


def test_the_model_reads_more_answers_right_than_the_rules_alone(cross_validation):
    assert cross_validation.model.overall.accuracy > cross_validation.rules.overall.accuracy
