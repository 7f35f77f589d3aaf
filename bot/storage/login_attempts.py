"""Failed console log-ins, counted per client address and per account from one address, with the
locks they earned (the rules: bot/cases/lockout.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, delete, or_, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime

# The longest address kept: an IPv6 address with a zone ("fe80::1%eth0") fits.
ADDRESS_LENGTH = 64

# One row per address (staff_id empty) and per account and address: the partial unique indexes say so
# on both databases (NULLs never clash in a plain unique index).
_ADDRESS_ROW = text("staff_id IS NULL")
_ACCOUNT_ROW = text("staff_id IS NOT NULL")


class LoginAttempts(Base):
    """The failures of one client address (staff_id empty: whatever usernames it tried) or of one
    account from one address, since the count last started, and the lock they earned."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index(
            "uq_login_attempts_address",
            "address",
            unique=True,
            postgresql_where=_ADDRESS_ROW,
            sqlite_where=_ADDRESS_ROW,
        ),
        Index(
            "uq_login_attempts_account",
            "staff_id",
            "address",
            unique=True,
            postgresql_where=_ACCOUNT_ROW,
            sqlite_where=_ACCOUNT_ROW,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


# Plain SQL both databases read: two first failures from one address at once make one row.
_INSERT_IF_MISSING = text(
    "INSERT INTO login_attempts (address, staff_id, failures) VALUES (:address, :staff_id, 0) ON CONFLICT DO NOTHING"
)


def attempts_of(session: Session, address: str, staff_id: int | None) -> LoginAttempts | None:
    """The row of an address (staff_id None) or of an account from it, locked until the session ends."""
    account = LoginAttempts.staff_id.is_(None) if staff_id is None else LoginAttempts.staff_id == staff_id
    query = select(LoginAttempts).where(LoginAttempts.address == address, account).with_for_update()
    return session.scalar(query)


def counted_attempts(session: Session, address: str, staff_id: int | None) -> LoginAttempts:
    """The row of an address or of an account from it, made when missing, locked until the session ends."""
    session.execute(_INSERT_IF_MISSING, {"address": address, "staff_id": staff_id})
    row = attempts_of(session, address, staff_id)
    assert row is not None  # just made, or made by a concurrent attempt
    return row


def locks_at(session: Session, now: datetime) -> list[LoginAttempts]:
    """The locks in force now, the latest ending first."""
    query = select(LoginAttempts).where(LoginAttempts.locked_until > now)
    return list(session.scalars(query.order_by(LoginAttempts.locked_until.desc(), LoginAttempts.id)))


def rows_of_account(session: Session, staff_id: int) -> list[LoginAttempts]:
    """Every address's row of one account."""
    query = select(LoginAttempts).where(LoginAttempts.staff_id == staff_id).order_by(LoginAttempts.id)
    return list(session.scalars(query))


def rows_of_address(session: Session, address: str) -> list[LoginAttempts]:
    """The address's own row and those of the accounts tried from it."""
    query = select(LoginAttempts).where(LoginAttempts.address == address).order_by(LoginAttempts.id)
    return list(session.scalars(query))


def forget_stale(session: Session, failed_before: datetime, now: datetime) -> None:
    """Drop the rows whose last failure is older than `failed_before` and whose lock has ended."""
    lock_over = or_(LoginAttempts.locked_until.is_(None), LoginAttempts.locked_until <= now)
    stale = or_(LoginAttempts.last_failed_at.is_(None), LoginAttempts.last_failed_at < failed_before)
    session.execute(delete(LoginAttempts).where(stale, lock_over))
