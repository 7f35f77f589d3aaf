"""The staff console: log-in, the inbox and the case pages (server-rendered, htmx for live parts).

Every page and action asks bot.staff / bot.casework whether the logged-in staff member may see
or do it; nothing is protected by hiding links."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from bot.services import Services

csrf = CSRFProtect()


def init_console(app: Flask, services: Services) -> None:
    """Configure sessions, CSRF and log-in, and register the console's blueprints."""
    settings = services.settings
    app.config.update(
        # Without a configured key each process signs with its own random one (tests only).
        SECRET_KEY=settings.console_secret_key or secrets.token_hex(32),
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.console_secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.console_secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # A page left open all morning must still post: the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=12 * 3600,
    )
    csrf.init_app(app)
    login = LoginManager(app)
    login.session_protection = "strong"
    login.login_view = "console_auth.login"
    login.login_message = "请先登录"

    from webhook import wechat
    from webhook.console import auth, cases, inbox, training

    csrf.exempt(wechat.bp)  # WeChat signs its callbacks; it has no session or token
    login.user_loader(auth.load_user)
    for blueprint in (auth.bp, inbox.bp, cases.bp, training.bp):
        app.register_blueprint(blueprint)
    app.after_request(_private_headers)


def _private_headers(response):
    if not request.path.startswith("/console/"):
        return response
    # Residents' cases: never framed by another site, never cached by a shared proxy, no MIME guessing.
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
