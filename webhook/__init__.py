"""The Flask app: the WeChat callback, the staff console, health check and command line (`flask --app webhook …`)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from bot.config import Settings
from bot.nlu import signals
from bot.pipeline.journal_replay import JournalReplayer
from bot.pipeline.reply_budget import ReplyBudget
from bot.redaction import install_log_redaction
from bot.services import Services, build_services


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the app for these settings (default: from the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    services = services or build_services(settings or Settings.from_env())
    # The danger and group signals load from the model cache, or train there on a first start
    # (15 s and more on a loaded machine, past the reply budget): start now, so the first
    # resident's message does not wait; /healthz answers 503 until they are ready.
    threading.Thread(target=signals.model, name="signals-warm-up", daemon=True).start()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = services.settings.max_body_bytes
    # The one place the web layer keeps the services; the bot receives them as arguments.
    app.extensions["services"] = services
    app.extensions["reply_budget"] = ReplyBudget(services)
    # Messages journalled while the database and Redis were both down are replayed from here
    # once the database is back, not minutes later by the sweep.
    app.extensions["journal_replay"] = JournalReplayer(services).install()

    from webhook import health, wechat
    from webhook.cli import register_commands
    from webhook.console import csrf, init_console

    app.register_blueprint(wechat.bp)
    app.register_blueprint(health.bp)
    init_console(app, services)
    csrf.exempt(wechat.bp)  # WeChat signs its callbacks; it has no session or token
    register_commands(app)
    return app
