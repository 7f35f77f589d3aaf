"""The staff console: log-in, the inbox and the case pages (server-rendered, htmx for live parts).

Every page and action asks bot.cases.staff / bot.cases.actions whether the logged-in staff member may see
or do it; nothing is protected by hiding links."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from bot.services import Services
from webhook.console.common import console_path

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

    from webhook.console import audit, auth, cases, directory, faq, inbox, privacy, reports, training

    login.user_loader(auth.load_user)
    login.unauthorized_handler(auth.unauthorized)
    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _error_page)
    for blueprint in (auth.bp, inbox.bp, cases.bp, training.bp, faq.bp, privacy.bp, directory.bp, reports.bp, audit.bp):
        app.register_blueprint(blueprint)
    app.after_request(_private_headers)


# What a staff member reads instead of werkzeug's English pages.
ERRORS = {
    400: ("没能提交", "页面已过期或表单不完整，没能提交。"),
    403: ("没有权限", "您的账号不能做这个操作。"),
    404: ("找不到这个页面", "这个工单不存在，或者已经转交给其他工作室、不在您的办理范围内了。"),
    405: ("页面已过期", "这个地址不能直接打开，请从待办列表重新进入。"),
}
STALE_FORM = (
    "页面已过期，没能提交",
    "登录已过期或您已在别处退出，这次提交没有生效。请重新登录后再提交；"
    "您写的内容已保存在这个浏览器标签页里，回到工单页面会自动恢复。",
)


def _error_page(error: HTTPException):
    if not request.path.startswith("/console/"):
        return error
    code = error.code or 500  # registered for 400, 403, 404 and 405 only: always set
    title, text = STALE_FORM if isinstance(error, CSRFError) else ERRORS.get(code, (error.name, ""))
    back = console_path(request.referrer) if request.method == "POST" else None
    return render_template("console/error.html", title=title, text=text, back=back), code


def _private_headers(response):
    if not request.path.startswith("/console/"):
        return response
    # Residents' cases: never framed by another site, never cached by a shared proxy, no MIME guessing.
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
