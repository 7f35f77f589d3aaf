"""Answers to the bot's questions taught from the review queue (bot/training/step_review.py): the
labels, what is refused, the file written, and the gate that takes them only when the step model
with them is no worse on the held-out answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu import step_answers
from bot.nlu.step_answers import Example, Label, Step
from bot.storage.review import ReviewItem, ReviewStatus
from bot.training import step_evaluation, step_review
from bot.training.review import Reviewer, ReviewRefused


def test_a_step_label_names_a_question_and_an_answer():
    assert step_review.parse("step:confirm:yes") == (Step.CONFIRM, Label.YES)
    assert step_review.parse("step:phone:no") == (Step.PHONE, Label.NO)
    assert step_review.parse("step:summary:yes") is None
    assert step_review.parse("step:confirm:maybe") is None
    assert step_review.parse("neighbor_dispute") is None
    assert "step:choice:choice" in step_review.STEP_LABELS


def test_held_out_answers_conflicts_and_unknown_labels_are_refused():
    check = step_review.StepCheck()
    held_out = step_evaluation.heldout_examples()[0].text
    assert "评测集" in (check.problem(held_out, "step:confirm:yes") or "")
    # "中中中" is a yes at the summary in step_data/confirm.yml.
    assert "冲突" in (check.problem("中中中", "step:confirm:no") or "")
    assert "未知" in (check.problem("嗯呐嗯呐", "step:summary:yes") or "")
    assert check.problem("嗯呐嗯呐 要得", "step:confirm:yes") is None
    accepted = {("confirm", "嗯呐嗯呐要得"): Label.NO}
    assert "已审核" in (check.problem("嗯呐嗯呐 要得", "step:confirm:yes", accepted) or "")


def test_the_written_file_is_read_back_as_the_same_examples(tmp_path: Path):
    examples = step_review.step_examples(
        [("嗯呐  要得", "step:confirm:yes"), ("冇得必要", "step:phone:no"), ("楼上漏水", "neighbor_dispute")]
    )
    path = tmp_path / "step_reviewed.yml"
    assert step_review.write_candidate(examples, path) is True
    assert step_review.write_candidate(examples, path) is False  # unchanged: left alone
    read = {(e.step, e.label, e.text) for e in step_answers.read_examples(path)}
    assert read == {("confirm", Label.YES, "嗯呐 要得"), ("phone", Label.NO, "冇得必要")}


def _step_file(path: Path, step: str, examples: dict[str, list[str]]) -> Path:
    lines = [f"step: {step}", "examples:"]
    for label, texts in examples.items():
        lines.append(f'  "{label}":')
        lines += [f'    - "{text}"' for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_gate_takes_answers_that_do_no_harm_and_refuses_those_that_do(tmp_path: Path):
    heldout = _step_file(tmp_path / "heldout.yml", "confirm", {"yes": ["要得嘛", "要得撒 谢谢"]})
    live = tmp_path / "reviewed.yml"
    good = [Example("要得要得 麻烦了", Label.YES, "confirm")]
    step_review.write_candidate(good, tmp_path / "good.yml")
    taken = step_review.gate(tmp_path / "good.yml", live, heldout)
    assert taken.promoted and taken.candidate >= taken.current
    assert {e.text for e in step_answers.read_examples(live)} == {"要得要得 麻烦了"}

    wrong = [
        Example(text, Label.NO, "confirm") for text in ("要得嘛嘛", "要得嘛 哦", "要得撒 嘛", "要得要得嘛", "嘛要得")
    ]
    step_review.write_candidate(wrong, tmp_path / "wrong.yml")
    refused = step_review.gate(tmp_path / "wrong.yml", live, heldout)
    assert not refused.promoted and refused.candidate < refused.current
    assert {e.text for e in step_answers.read_examples(live)} == {"要得要得 麻烦了"}  # the live file kept
    assert "更差" in refused.line()


@pytest.mark.usefixtures("fresh_training_state")
def test_an_admin_teaches_that_an_answer_means_yes_at_the_summary(services, tmp_path):
    candidate = tmp_path / "step_reviewed.yml"
    with services.db.session() as session:
        reviewer = Reviewer(session, tmp_path / "reviewed.yml", step_candidate=candidate)
        item = ReviewItem(text="嗯呐 就是这么回事", reason="fallback", predicted_intent="nlu_fallback")
        conflicting = ReviewItem(text="中中中", reason="fallback", predicted_intent="nlu_fallback")
        session.add_all([item, conflicting])
        session.flush()
        reviewer.decide(item, "relabel", "admin", "step:confirm:yes")
        with pytest.raises(ReviewRefused, match="冲突"):
            reviewer.decide(conflicting, "relabel", "admin", "step:confirm:no")
        assert reviewer.write() is True
        assert (item.status, conflicting.status) == (ReviewStatus.ACCEPTED, ReviewStatus.OPEN)
    assert "step:" not in (tmp_path / "reviewed.yml").read_text(encoding="utf-8")  # no intent of Rasa's
    examples = step_answers.read_examples(candidate)
    assert [(e.text, e.step, e.label) for e in examples] == [("嗯呐 就是这么回事", "confirm", Label.YES)]
