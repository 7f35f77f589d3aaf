"""A staff member using the console through the Flask test client, CSRF token and all."""

from __future__ import annotations

import re
import uuid

from bot.cases.staff import add_account, set_password
from bot.cases.tickets import CaseRequest, alert_new_cases, open_ticket
from bot.storage.directory import unit_by_code
from bot.storage.residents import touch_resident
from bot.storage.staff import staff_by_username

PASSWORD = "correct-horse-42"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def give_password(services, username: str, password: str = PASSWORD) -> None:
    """Let a directory account log in with this password (and lift any lock-out)."""
    with services.db.session() as session:
        staff = staff_by_username(session, username)
        set_password(staff, password)
        staff.active = True


def new_account(services, role: str, unit_code: str, password: str = PASSWORD) -> str:
    """A fresh account of its own (for tests that lock or disable it); returns the username."""
    username = f"t.{role}.{uuid.uuid4().hex[:6]}"
    with services.db.session() as session:
        add_account(session, username, f"测试{role}", role, unit_code, password)
    return username


def new_case(
    services,
    unit_code: str,
    category: str = "legal_consultation",
    text: str = "公司拖欠工资三个月怎么办",
    openid: str | None = None,
    urgent: bool = False,
) -> tuple[int, str, str]:
    """A case opened directly in the database; returns (id, number, the resident's openid)."""
    openid = openid or f"o_console_{uuid.uuid4().hex[:10]}"
    with services.db.session() as session:
        resident = touch_resident(session, openid)
        request = CaseRequest(category, text, unit_by_code(session, unit_code), urgent=urgent)
        ticket = open_ticket(session, resident, request)
        alert_new_cases(session, services.jobs)
        return ticket.id, ticket.number, openid


class StaffUser:
    """Logs in and uses the console pages; posts carry the CSRF token of the last page read."""

    def __init__(self, client) -> None:
        self.client = client
        self.csrf = ""

    def get(self, url: str):
        """GET a page, remembering its CSRF token."""
        response = self.client.get(url)
        match = _CSRF.search(response.get_data(as_text=True))
        if match:
            self.csrf = match.group(1)
        return response

    def post(self, url: str, data: dict | None = None, csrf: bool = True):
        """POST a form as the page's form would."""
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post(url, data=form)

    def log_in(self, username: str, password: str = PASSWORD):
        """Open the log-in page and log in; returns the response."""
        self.get("/console/login")
        return self.post("/console/login", {"username": username, "password": password})
