"""A bounded run of the callback fuzz (bench/fuzz_callback.py runs ≥ 1,000): no 5xx, no broken reply."""

from __future__ import annotations

import dataclasses

from bench.fuzz_callback import fuzz
from bench.harness import AES_KEY, APPID, TOKEN
from webhook import create_app


def test_signed_fuzzed_inputs_get_no_5xx_and_no_broken_xml(services):
    services.settings = dataclasses.replace(
        services.settings, wechat_token=TOKEN, wechat_appid=APPID, nlu_backend="keywords"
    )
    from bot.nlu import IntentService

    services.classifier = IntentService(rasa=None)
    plain = create_app(services=services).test_client()
    safe_services = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, wechat_aes_key=AES_KEY)
    )
    safe = create_app(services=safe_services).test_client()
    tally = fuzz(plain, safe, examples=150, random_seed=7)
    assert tally.inputs == 150
    assert tally.server_errors == 0, tally.statuses
    assert tally.broken == []
    assert tally.polite_errors == []  # no exception while answering ("系统有点忙")
    assert tally.statuses[200] > 0  # some inputs reached the bot and were answered
