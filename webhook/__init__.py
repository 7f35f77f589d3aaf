"""The Flask app: the WeChat callback, the staff console, health check and command line (`flask --app webhook …`)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from bot.config import Settings
from bot.frontdesk import FrontDesk
from bot.intents import signals
from bot.services import Services, build_services, install


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the app for these settings (default: from the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    services = services or build_services(settings or Settings.from_env())
    install(services)
    # The danger and group signals train in-process on first use (about a second): start now, so
    # the first resident's message does not wait for it.
    threading.Thread(target=signals.model, name="signals-warm-up", daemon=True).start()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    app.extensions["services"] = services
    app.extensions["frontdesk"] = FrontDesk(services)

    from webhook import health, wechat
    from webhook.cli import register_commands
    from webhook.console import init_console

    app.register_blueprint(wechat.bp)
    app.register_blueprint(health.bp)
    init_console(app, services)
    register_commands(app)
    return app
