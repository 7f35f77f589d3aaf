"""The Flask app: the WeChat callback, the staff console, health check and command line (`flask --app webhook …`)."""

from __future__ import annotations

import logging

from flask import Flask

from bot.config import Settings
from bot.intents import signals
from bot.redaction import install_log_redaction
from bot.reply_budget import ReplyBudget
from bot.services import Services, build_services


def create_app(settings: Settings | None = None, services: Services | None = None, warm: bool = False) -> Flask:
    """Build the app for these settings (default: from the environment); `warm` fits the danger
    and group signal model now, before the first request (scripts/serve.sh serves it so)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    services = services or build_services(settings or Settings.from_env())
    if warm:
        # Fitted on first use it took 5.6 s inside the first resident's request of every process,
        # past the reply budget; a worker that starts a few seconds later costs nobody anything.
        signals.model()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    # The one place the web layer keeps the services; the bot receives them as arguments.
    app.extensions["services"] = services
    app.extensions["reply_budget"] = ReplyBudget(services)

    from webhook import health, wechat
    from webhook.cli import register_commands
    from webhook.console import init_console

    app.register_blueprint(wechat.bp)
    app.register_blueprint(health.bp)
    init_console(app, services)
    register_commands(app)
    return app
