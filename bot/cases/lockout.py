"""The console's log-in lock-out: failures counted per client address and per account from one address.

An address that fails ADDRESS_LIMIT times, whatever usernames it tries, may not log in for LOCKOUT.
An account that fails ACCOUNT_LIMIT times from one address may not be logged into from that address
for LOCKOUT; from every other address it still may, so a stranger who knows a lawyer's username
cannot lock her out of her own office PC. Failures further apart than WINDOW start the count again;
a successful log-in clears its address's count and the account's count from it. Every lock and
every unlock is in the audit log; a lock lifts by itself at the time its entry names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.storage import login_attempts as attempts
from bot.storage.audit import AuditAction, audit
from bot.storage.login_attempts import ADDRESS_LENGTH, LoginAttempts
from bot.storage.staff import Staff

ADDRESS_LIMIT = 20  # an office behind one address shares it: a few colleagues' typos must not lock it
ACCOUNT_LIMIT = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # counts with no failure for this long are dropped by the sweep


@dataclass(frozen=True)
class Gate:
    """What one log-in attempt is judged by: its address's count and, for an account that exists,
    the account's count from that address (both rows locked until the attempt's session ends)."""

    address: str
    staff: Staff | None
    by_address: LoginAttempts
    by_account: LoginAttempts | None

    def locked(self, now: datetime) -> bool:
        """Whether the address, or the account from this address, is locked out now."""
        return any(_locked(row, now) for row in (self.by_address, self.by_account))


@dataclass(frozen=True)
class Lock:
    """A lock in force, as an admin sees it."""

    id: int
    address: str
    staff: Staff | None  # None: the address is locked, whatever account it tries
    locked_until: datetime


def client_address(address: str | None) -> str:
    """An address as it is counted (an unknown one counts as one address)."""
    return (address or "")[:ADDRESS_LENGTH]


def gate(session: Session, address: str, staff: Staff | None) -> Gate:
    """The counts an attempt from `address` on `staff` (None: no such account) is judged by; the
    address's row is made when missing (a success drops it again)."""
    # Always the address's row first, then the account's: concurrent attempts lock them in one order.
    by_address = attempts.counted_attempts(session, address, None)
    by_account = attempts.attempts_of(session, address, staff.id) if staff is not None else None
    return Gate(address, staff, by_address, by_account)


def record_failure(session: Session, gate: Gate, now: datetime) -> None:
    """Count a failed attempt for its address and its account; lock whichever reached its limit."""
    if _counted(gate.by_address, now, ADDRESS_LIMIT):
        audit(session, None, AuditAction.ADDRESS_LOCKED, None, {}, _lock_facts(gate.by_address, ADDRESS_LIMIT))
    if gate.staff is None:
        return
    by_account = gate.by_account or attempts.counted_attempts(session, gate.address, gate.staff.id)
    if _counted(by_account, now, ACCOUNT_LIMIT):
        audit(session, gate.staff, AuditAction.ACCOUNT_LOCKED, None, {}, _lock_facts(by_account, ACCOUNT_LIMIT))


def record_success(session: Session, gate: Gate) -> None:
    """A successful log-in clears its address's count and its account's count from that address."""
    for row in (gate.by_address, gate.by_account):
        if row is not None:
            session.delete(row)


def current_locks(session: Session, now: datetime) -> list[Lock]:
    """The locks in force now, the latest ending first."""
    return [
        Lock(row.id, row.address, session.get(Staff, row.staff_id) if row.staff_id else None, row.locked_until)
        for row in attempts.locks_at(session, now)
        if row.locked_until is not None
    ]


def unlock(session: Session, lock_id: int, by: Staff | None, now: datetime) -> bool:
    """Lift one lock (an admin's decision); False when it had already ended or is unknown."""
    row = session.get(LoginAttempts, lock_id)
    if row is None or not _locked(row, now):
        return False
    _lift(session, row, by, now)
    return True


def unlock_account(session: Session, staff: Staff, by: Staff | None, now: datetime) -> int:
    """Lift the account's locks from every address and clear its counts; returns how many locks."""
    return sum(_lift(session, row, by, now) for row in attempts.rows_of_account(session, staff.id))


def unlock_address(session: Session, address: str, by: Staff | None, now: datetime) -> int:
    """Lift an address's lock and those of the accounts tried from it; returns how many locks."""
    return sum(_lift(session, row, by, now) for row in attempts.rows_of_address(session, address))


def forget_stale(session: Session, now: datetime) -> None:
    """Drop the counts of addresses and accounts that have not failed for a day (locks ended)."""
    attempts.forget_stale(session, now - FORGET_AFTER, now)


def _locked(row: LoginAttempts | None, now: datetime) -> bool:
    return row is not None and row.locked_until is not None and row.locked_until > now


def _counted(row: LoginAttempts, now: datetime, limit: int) -> bool:
    """Count one failure on the row; True when it reached the limit and the row is now locked."""
    if row.last_failed_at is None or now - row.last_failed_at > WINDOW:
        row.failures = 0
    row.failures += 1
    row.last_failed_at = now
    if row.failures < limit:
        return False
    row.failures, row.locked_until = 0, now + LOCKOUT
    return True


def _lock_facts(row: LoginAttempts, failures: int) -> dict:
    assert row.locked_until is not None  # just locked
    return {"address": row.address, "failures": failures, "locked_until": row.locked_until.isoformat()}


def _lift(session: Session, row: LoginAttempts, by: Staff | None, now: datetime) -> bool:
    """Drop a row (its count and any lock); a lock in force is lifted in the audit log."""
    lifted = _locked(row, now)
    if lifted and row.locked_until is not None:
        before = {"address": row.address, "locked_until": row.locked_until.isoformat()}
        if row.staff_id is not None:
            account = session.get(Staff, row.staff_id)
            before["account"] = account.username if account else str(row.staff_id)
        audit(session, by, AuditAction.UNLOCK, None, before, {})
    session.delete(row)
    return lifted
