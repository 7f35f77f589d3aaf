"""What every console page needs: the services, a database session, the logged-in staff member."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from bot.cases.staff import ROLE_NAMES
from bot.services import Services
from bot.storage.staff import Staff
from bot.storage.tickets import TicketStatus

HERE = Path(__file__).parent


def blueprint(name: str) -> Blueprint:
    """A console blueprint with the shared templates and static files."""
    return Blueprint(
        name,
        __name__,
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/console/static",
    )


def services() -> Services:
    """The app's services."""
    return current_app.extensions["services"]


@contextmanager
def db() -> Iterator[Session]:
    """A database session for this request (committed at the end of the block)."""
    with services().db.session() as session:
        yield session


def me(session: Session) -> Staff:
    """The logged-in staff member's account, in this session."""
    return session.get_one(Staff, current_user.staff_id)


def role_name(role: str) -> str:
    """A role in Chinese."""
    return ROLE_NAMES.get(role, role)


def staff_status_label(status: str) -> str:
    """A case status in Chinese, as staff say it (an unknown value as it is stored)."""
    try:
        return TicketStatus(status).staff_label
    except ValueError:
        return status


def console_path(url: str | None) -> str | None:
    """The path of a console page (never another site's address), else None."""
    path = urlsplit(url or "").path
    return path if path.startswith("/console/") else None
