"""The whole loop with a real model: a message the serving model gets wrong → in the review queue →
relabelled by an admin → retrained (a real `rasa train`) → compared on the held-out sets →
promoted into the running Rasa server → the same message now gets the right answer through the
webhook → rolled back in one action."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import requests

from bot.nlu.draining import Draining
from bot.services import build_services
from bot.storage.review import ModelVersion, review_items, serving_model
from bot.training.promotion import PromotionRefused, promote, rollback
from bot.training.retrain import start_retrain
from bot.training.review import Reviewer
from bot.training.training_data import intent_heldout_files
from tests.conftest import run_jobs
from tests.rasa_servers import models_dir_with_served_model, start_rasa, stop_rasa
from tests.wechat_user import WeChatUser
from webhook import create_app

WRONG_BEFORE = "楼道里的声控灯坏了半年"
PROPERTY_CASE = "这属于物业问题"  # a property case is started
PORT = 5011

pytestmark = [pytest.mark.timeout(1800), pytest.mark.usefixtures("fresh_training_state")]


@pytest.fixture
def own_server(settings, tmp_path):
    """Services whose only Rasa server is a test's own on port 5011, serving the project's model."""
    models = models_dir_with_served_model(tmp_path / "models")
    url = start_rasa(PORT, models / "nlu.tar.gz", settings.rasa_token)
    # A generous parse timeout: under a training run's load a slow parse must not fall back to keywords.
    settings = dataclasses.replace(
        settings,
        rasa_url=url,
        nlu_models_dir=str(models),
        rasa_timeout=10.0,
        nlu_reviewed_file=str(tmp_path / "reviewed.yml"),
        nlu_eval_ports="5015-5019",
    )
    services = build_services(settings)
    yield services
    stop_rasa(PORT)
    services.db.engine.dispose()


def status_of(services) -> str:
    return requests.get(
        f"{services.settings.rasa_url}/status", params={"token": services.settings.rasa_token}, timeout=10
    ).json()["model_file"]


def test_relabel_retrain_compare_promote_and_roll_back(own_server):
    services = own_server
    app = create_app(services=services)
    resident = WeChatUser(app.test_client(), services.settings, f"o_e2e_{uuid.uuid4().hex[:10]}")

    # The serving model does not understand it: no property case is started (it may be asked about).
    reply = resident.says(WRONG_BEFORE)
    assert PROPERTY_CASE not in reply
    with services.db.session() as session:
        queued = review_items(session, limit=5000)
        [item] = [item for item in queued if item.text == WRONG_BEFORE] or [None]
        assert item is not None, (reply, [(i.text, i.reason) for i in queued][-5:])
        assert item.reason == "fallback"
        reviewer = Reviewer(session, services.settings.nlu_reviewed_file)
        reviewer.decide(item, "relabel", "admin.e2e", "property_complaint")
        reviewer.write()

    candidate = start_retrain(services, "admin.e2e")
    run_jobs(services)  # the training job: rasa data validate, rasa train, the comparison
    with services.db.session() as session:
        candidate = session.get(ModelVersion, candidate.id)
        initial = serving_model(session)
        assert candidate.status == "ready", candidate.error + candidate.log[-2000:]
        assert "Starting to train component 'LinearIntentClassifier'" in candidate.log  # config.yml's classifier
        assert candidate.trained_by == "admin.e2e" and len(candidate.data_hash) == 64
        assert set(candidate.comparison["sets"]) == {path.stem for path in intent_heldout_files()}
        assert "triage_macro_f1" in candidate.metrics["heldout"] and candidate.compared_with_id == initial.id
        worse = candidate.comparison["worse"]
        draining = Draining(services.redis, services.settings.key_prefix)
        if worse:  # the gate holds without a written reason
            with pytest.raises(PromotionRefused, match="理由"):
                promote(session, services.settings, draining, candidate.version, "admin.e2e")
        promote(
            session,
            services.settings,
            draining,
            candidate.version,
            "admin.e2e",
            override_reason="新增楼道设施的说法" if worse else "",
        )
        initial_version = initial.version
        candidate_version = candidate.version
    assert status_of(services) == f"{candidate_version}.tar.gz"

    again = WeChatUser(app.test_client(), services.settings, f"o_e2e_{uuid.uuid4().hex[:10]}")
    assert PROPERTY_CASE in again.says(WRONG_BEFORE)

    with services.db.session() as session:
        rollback(
            session,
            services.settings,
            Draining(services.redis, services.settings.key_prefix),
            initial_version,
            "admin.e2e",
        )
        assert serving_model(session).version == initial_version
    assert status_of(services) == f"{initial_version}.tar.gz"
