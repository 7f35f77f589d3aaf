"""The review queue: what real traffic puts in it, masked, and what an admin's decisions do."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.nlu import build_classifier
from bot.nlu.types import Classification
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message
from bot.storage.residents import find_resident
from bot.storage.review import ReviewItem, ReviewStatus, review_items
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket
from bot.training.review import Reviewer, ReviewRefused
from bot.training.training_data import TrainingCheck
from tests.scripted import ScriptedClassifier
from tests.staff_user import new_case

pytestmark = [pytest.mark.usefixtures("rasa_server"), pytest.mark.usefixtures("fresh_training_state")]


def items_of(services, openid: str) -> list[ReviewItem]:
    with services.db.session() as session:
        resident = find_resident(session, openid)
        ids = select(Message.id).where(Message.resident_id == resident.id)
        return list(session.scalars(select(ReviewItem).where(ReviewItem.message_id.in_(ids)).order_by(ReviewItem.id)))


def confident(intent: str, confidence: float = 0.97) -> Classification:
    return Classification(intent, confidence, [(intent, confidence)])


def test_a_message_the_model_did_not_understand_is_queued(services, resident):
    # A parse slowed by a busy machine must not fall back to the keyword rules (never queued).
    services.classifier = build_classifier(dataclasses.replace(services.settings, rasa_timeout=10.0))
    resident.says("楼道里的声控灯坏了半年")
    [item] = items_of(services, resident.openid)
    assert item.reason == "fallback" and item.status == ReviewStatus.OPEN
    assert item.text == "楼道里的声控灯坏了半年" and item.predicted_intent not in (None, "nlu_fallback")


def test_confident_answers_are_sampled_at_the_configured_rate(services, resident):
    # A sampled message is drawn at random: rate 0 never draws, rate 1 always does.
    services.settings = dataclasses.replace(services.settings, review_sample_rate=0.0)
    services.classifier = ScriptedClassifier({"楼上装修天天早上七点开电钻": confident("neighbor_dispute")})
    resident.says("楼上装修天天早上七点开电钻")
    assert items_of(services, resident.openid) == []
    services.settings = dataclasses.replace(services.settings, review_sample_rate=1.0)
    resident.says("取消")
    services.classifier.script["邻居家狗天天叫"] = confident("neighbor_dispute")
    resident.says("邻居家狗天天叫")
    assert [item.reason for item in items_of(services, resident.openid)] == ["sample"]


def test_personal_data_is_masked_before_it_is_stored(services, resident):
    text = "我是张律师介绍来的，电话138 0013 8000，车牌鄂A·12345被楼上扔的东西砸了"
    services.classifier = ScriptedClassifier(
        {text: Classification("neighbor_dispute", 0.45, [("neighbor_dispute", 0.45)])}
    )
    resident.says(text)
    [item] = items_of(services, resident.openid)
    assert item.reason == "low_confidence"
    assert item.text == "我是〔姓名〕介绍来的，电话〔手机号〕，车牌〔车牌号〕被楼上扔的东西砸了"


def test_the_residents_choice_after_a_clarifying_question_is_the_suggested_label(services, resident):
    services.classifier = ScriptedClassifier(
        {
            "楼上装修把公共管道弄坏了": Classification(
                "neighbor_dispute", 0.48, [("neighbor_dispute", 0.48), ("property_complaint", 0.44), ("greet", 0.08)]
            ),
        }
    )
    assert "回复 1 邻里纠纷" in resident.says("楼上装修把公共管道弄坏了")
    assert "物业问题" in resident.says("2")
    [item] = items_of(services, resident.openid)
    assert (item.reason, item.predicted_intent, item.suggested_intent) == (
        "clarified",
        "neighbor_dispute",
        "property_complaint",
    )


def test_an_faq_answer_the_resident_rejects_is_queued(services, resident):
    services.classifier = ScriptedClassifier({"网购的衣服不给退": confident("faq_consumer_refund", 0.9)})
    first = resident.says("网购的衣服不给退")
    assert "回复 1" in first  # the FAQ answer and the offer of a person
    resident.says("没解决")
    [item] = items_of(services, resident.openid)
    assert (item.reason, item.text, item.predicted_intent) == (
        "faq_rejected",
        "网购的衣服不给退",
        "faq_consumer_refund",
    )


def test_a_case_transferred_to_another_role_is_queued_with_that_roles_category(services):
    case_id, _, _ = new_case(services, "baguodun", "legal_consultation", "楼上邻居天天半夜拖椅子")
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        opening = Message(
            resident_id=ticket.resident_id,
            direction="in",
            msg_type="text",
            content="楼上邻居天天半夜拖椅子",
            intent="legal_consultation",
            confidence=0.62,
        )
        session.add(opening)
        session.flush()
        ticket.opening_message_id = opening.id
        casework.transfer_case(
            session,
            services.jobs,
            ticket,
            staff_by_username(session, "zhang.lawyer"),
            unit_by_code(session, "baguodun"),
            "mediator",
            "http://console",
            "邻里纠纷，应由调解员处理",
        )
        item = session.scalar(select(ReviewItem).where(ReviewItem.message_id == opening.id))
        assert (item.reason, item.predicted_intent, item.suggested_intent) == (
            "transferred",
            "legal_consultation",
            "neighbor_dispute",
        )


@pytest.fixture
def reviewer_for(services, tmp_path):
    def make(session):
        return Reviewer(session, tmp_path / "reviewed.yml")

    return make


def new_item(session, text: str, suggested: str | None = None, predicted: str = "nlu_fallback") -> ReviewItem:
    item = ReviewItem(text=text, reason="fallback", predicted_intent=predicted, suggested_intent=suggested)
    session.add(item)
    session.flush()
    return item


def test_confirm_relabel_discard_and_the_file_they_write(services, reviewer_for, tmp_path):
    with services.db.session() as session:
        reviewer = reviewer_for(session)
        chosen = new_item(session, "楼道声控灯坏了没人修", suggested="property_complaint")
        wrong = new_item(session, "隔壁 天天 吵架摔东西", predicted="property_complaint")
        again = new_item(session, "隔壁天天吵架摔东西")
        noise = new_item(session, "嗯嗯嗯")
        reviewer.decide(chosen, "confirm", "admin")
        reviewer.decide(wrong, "relabel", "admin", "neighbor_dispute")
        reviewer.decide(again, "relabel", "admin", "neighbor_dispute")  # the same words once more
        reviewer.decide(noise, "discard", "admin")
        assert reviewer.write() is True
        assert (chosen.status, chosen.label, noise.status) == (
            ReviewStatus.ACCEPTED,
            "property_complaint",
            ReviewStatus.DISCARDED,
        )
        assert reviewer.write() is False  # nothing changed: the file is left alone
    text = (tmp_path / "reviewed.yml").read_text(encoding="utf-8")
    assert text.endswith(
        'version: "3.1"\n\nnlu:\n'
        "- intent: neighbor_dispute\n  examples: |\n    - 隔壁 天天 吵架摔东西\n"
        "- intent: property_complaint\n  examples: |\n    - 楼道声控灯坏了没人修\n"
    )


def test_held_out_examples_and_conflicts_are_refused_not_written(services, reviewer_for, tmp_path):
    check = TrainingCheck.load()
    heldout_text = next(iter(check.heldout))
    trained_text, trained_intent = next(iter(check.trained.items()))
    other = "greet" if trained_intent != "greet" else "thank"
    with services.db.session() as session:
        reviewer = reviewer_for(session)
        with pytest.raises(ReviewRefused, match="评测集"):
            reviewer.decide(new_item(session, heldout_text), "relabel", "admin", "legal_consultation")
        with pytest.raises(ReviewRefused, match=f"冲突.*{trained_intent}"):
            reviewer.decide(new_item(session, trained_text), "relabel", "admin", other)
        first = new_item(session, "小区电梯天天坏")
        reviewer.decide(first, "relabel", "admin", "property_complaint")
        refused = reviewer.decide_many([new_item(session, "小区电梯 天天坏")], "relabel", "admin", "neighbor_dispute")
        assert list(refused.values()) == ["冲突：同一句话在已审核的例句里已是 property_complaint 的例句"]
        with pytest.raises(ReviewRefused, match="未知的意图"):
            reviewer.decide(new_item(session, "随便一句"), "relabel", "admin", "made_up_intent")
        reviewer.write()
        assert [item.status for item in review_items(session, ReviewStatus.OPEN)][-4:] == [ReviewStatus.OPEN] * 4
    assert "小区电梯天天坏" in (tmp_path / "reviewed.yml").read_text(encoding="utf-8")
    assert heldout_text not in (tmp_path / "reviewed.yml").read_text(encoding="utf-8")


def test_an_faq_question_needs_an_faq_intent(services, reviewer_for):
    with services.db.session() as session:
        reviewer = reviewer_for(session)
        item = new_item(session, "网上买的鞋子开胶了能退吗")
        with pytest.raises(ReviewRefused, match="FAQ"):
            reviewer.decide(item, "faq", "admin", "legal_consultation")
        reviewer.decide(item, "faq", "admin", "faq_consumer_refund")
        assert item.faq_question and item.label == "faq_consumer_refund"
