"""Session fixture for tests that need the real Rasa server (started by scripts/rasa_serve.sh)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from bot.config import Settings
from bot.nlu.rasa_client import RasaClient


@dataclass(frozen=True)
class RasaServer:
    """Where the running Rasa server is, and a client for it."""

    url: str
    token: str
    client: RasaClient


@pytest.fixture(scope="session")
def rasa_server() -> RasaServer:
    """The Rasa server at RASA_URL (token RASA_TOKEN or var/rasa_token); fails if it is not up."""
    settings = Settings.from_env()
    url = os.environ.get("RASA_URL", settings.rasa_url)
    # Generous timeout: a test must not fail because the first parse of a run is slow.
    client = RasaClient(url, settings.rasa_token, timeout=10.0)
    if not client.is_up():
        pytest.fail(
            f"Rasa is not answering at {url} with a loaded model. Start it first: "
            "scripts/rasa_env.sh && scripts/rasa_train.sh && scripts/rasa_serve.sh "
            "(set RASA_URL / RASA_TOKEN if it runs elsewhere)",
            pytrace=False,
        )
    return RasaServer(url=url, token=settings.rasa_token, client=client)


@pytest.fixture(scope="session")
def rasa_client(rasa_server: RasaServer) -> RasaClient:
    """A client for the running Rasa server."""
    return rasa_server.client
