"""Log-in, log-out and the staff member's profile (password, WeChat binding)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from flask import Response, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from bot.cases import lockout
from bot.cases.staff import AccountError, Scope, audit, authenticate, scope_of, set_password
from bot.formats import format_pattern
from bot.storage.audit import AuditAction
from bot.storage.directory import Unit
from bot.storage.staff import Staff
from webhook.console.common import blueprint, console_path, db, me, role_name, services

bp = blueprint("console_auth")
OPENID = format_pattern("typed_openid")


@dataclass
class ConsoleUser(UserMixin):
    """The logged-in staff member, with the scope every page checks."""

    staff_id: int
    username: str
    name: str
    role: str
    scope: Scope

    def get_id(self) -> str:
        """The id kept in the session cookie."""
        return str(self.staff_id)


def load_user(user_id: str) -> ConsoleUser | None:
    """Reload the staff member for each request: a disabled account is logged out at once."""
    if not user_id.isdigit():
        return None
    with db() as session:
        staff = session.get(Staff, int(user_id))
        if staff is None or not staff.active:
            return None
        return ConsoleUser(staff.id, staff.username, staff.name, staff.role, scope_of(session, staff))


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField("用户名", validators=[DataRequired(message="请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码"), Length(max=256)])


class ProfileForm(FlaskForm):
    """WeChat binding and a new password."""

    wechat_openid = StringField("微信 openid", validators=[Optional(), Length(max=64)])
    new_password = PasswordField("新密码（不改请留空）", validators=[Optional(), Length(max=256)])


@bp.route("/console/login", methods=["GET", "POST"])
def login():
    """The log-in page."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        with db() as session:
            address = client_address()
            result = authenticate(session, form.username.data, form.password.data, address)
            if result.staff is not None:
                audit(session, result.staff, AuditAction.LOGIN, None, {}, {"ip": address})
                user = ConsoleUser(
                    result.staff.id,
                    result.staff.username,
                    result.staff.name,
                    result.staff.role,
                    scope_of(session, result.staff),
                )
        if result.staff is None:
            flash(result.error, "error")
            return _login_page(form), 401
        cookie_session.clear()  # a fresh session on log-in: no fixation
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    return render_template("console/login.html", form=form, lockout_minutes=int(lockout.LOCKOUT.total_seconds() // 60))


def client_address() -> str:
    """Where the request comes from: from a trusted proxy (TRUSTED_PROXIES, e.g. scripts/serve.sh's
    nginx) the first X-Forwarded-For hop it passed on, else the connection's own address."""
    direct = request.remote_addr or ""
    if direct in services().settings.trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if _is_address(forwarded):
            return forwarded
    return direct


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def unauthorized():
    """Not logged in, or no longer: htmx's refreshes get 401 (the page says so and swaps nothing
    in), a page the log-in page, which comes back to it — for a form, to the page it was sent from."""
    if request.headers.get("HX-Request"):
        return Response("登录已过期", status=401)
    if request.method == "GET":
        flash("请先登录", "error")
        return redirect(url_for("console_auth.login", next=request.full_path.rstrip("?")))
    flash("登录已过期，这次提交没有生效：请重新登录后再提交（未发出的回复会自动恢复）", "error")
    return redirect(url_for("console_auth.login", next=console_path(request.referrer)))


def _safe_next(target: str | None) -> str:
    # Only paths of this console: never an open redirect to another site.
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console_inbox.index")


@bp.route("/console/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST, so a link on another site cannot do it)."""
    logout_user()
    cookie_session.clear()
    return redirect(url_for("console_auth.login"))


@bp.route("/console/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Bind one's WeChat (for notices of new and overdue cases) and change one's password."""
    with db() as session:
        staff = me(session)
        form = ProfileForm(obj=staff) if request.method == "GET" else ProfileForm()
        if form.validate_on_submit():
            error = _save_profile(session, staff, form)
            if error:
                flash(error, "error")
            else:
                flash("已保存", "ok")
                return redirect(url_for("console_auth.profile"))
        unit = session.get(Unit, staff.unit_id)
        return render_template("console/profile.html", form=form, staff=staff, unit=unit, role_name=role_name)


def _save_profile(session, staff: Staff, form: ProfileForm) -> str:
    openid = (form.wechat_openid.data or "").strip()
    if openid and not OPENID.match(openid):
        return "openid 格式不对：应为公众号后台或扫码得到的一串字母数字"
    before = {"wechat_bound": bool(staff.wechat_openid)}
    staff.wechat_openid = openid or None
    if form.new_password.data:
        try:
            set_password(staff, form.new_password.data)
        except AccountError as error:
            return str(error)
    audit(
        session,
        staff,
        AuditAction.PROFILE,
        None,
        before,
        {"wechat_bound": bool(staff.wechat_openid), "password_changed": bool(form.new_password.data)},
    )
    return ""
