"""The log-in lock-out: failures counted per client address and per account from one address, on
PostgreSQL and SQLite; locks and unlocks in the audit log."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.cases import lockout
from bot.cases.staff import LOGIN_REFUSED, authenticate
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.login_attempts import LoginAttempts
from bot.storage.staff import AuditEntry, staff_by_username
from tests.conftest import PG_ADMIN_URL
from tests.staff_user import PASSWORD, new_account


def an_address() -> str:
    """A client address of the test's own (the database is shared by the whole run)."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def attempt(services, username: str, password: str, address: str, now=None):
    """One log-in attempt in its own transaction, as the console makes it."""
    with services.db.session() as session:
        result = authenticate(session, username, password, address, now)
        return result.staff.username if result.staff else result.error


def entries(services, action: AuditAction, address: str) -> list[AuditEntry]:
    """The audit entries of one action about one address."""
    with services.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [row for row in rows if address in (row.after.get("address"), row.before.get("address"))]


def test_wrong_passwords_lock_the_account_only_for_the_address_they_came_from(any_services):
    username = new_account(any_services, "lawyer", "baguodun")
    stranger, office, now = an_address(), an_address(), utcnow()
    for _ in range(lockout.ACCOUNT_LIMIT):
        assert attempt(any_services, username, "wrong-password", stranger, now) == LOGIN_REFUSED
    assert attempt(any_services, username, PASSWORD, stranger, now) == LOGIN_REFUSED  # the right one too
    assert attempt(any_services, username, PASSWORD, office, now) == username  # her own PC still logs in
    later = now + lockout.LOCKOUT + timedelta(seconds=1)
    assert attempt(any_services, username, PASSWORD, stranger, later) == username
    [locked] = entries(any_services, AuditAction.ACCOUNT_LOCKED, stranger)
    assert locked.actor == username and locked.after["failures"] == lockout.ACCOUNT_LIMIT
    assert locked.after["locked_until"] == (now + lockout.LOCKOUT).isoformat()


def test_an_address_failing_on_many_usernames_is_locked_whatever_it_tries(any_services):
    username = new_account(any_services, "mediator", "baguodun")
    address, now = an_address(), utcnow()
    for n in range(lockout.ADDRESS_LIMIT):
        assert attempt(any_services, f"nobody.{n}", "guess-guess", address, now) == LOGIN_REFUSED
    assert attempt(any_services, username, PASSWORD, address, now) == LOGIN_REFUSED
    assert attempt(any_services, username, PASSWORD, an_address(), now) == username
    [locked] = entries(any_services, AuditAction.ADDRESS_LOCKED, address)
    assert locked.actor == "system" and locked.staff_id is None
    assert locked.after["failures"] == lockout.ADDRESS_LIMIT


def test_a_successful_log_in_clears_its_address_count(services):
    username = new_account(services, "lawyer", "baguodun")
    address, now = an_address(), utcnow()
    for round_ in range(2):
        for n in range(lockout.ADDRESS_LIMIT - 1):
            attempt(services, f"typo.{round_}.{n}", "guess-guess", address, now)
        assert attempt(services, username, PASSWORD, address, now) == username
    assert not entries(services, AuditAction.ADDRESS_LOCKED, address)


def test_failures_further_apart_than_the_window_start_the_count_again(services):
    username = new_account(services, "lawyer", "baguodun")
    address, now = an_address(), utcnow()
    for n in range(lockout.ACCOUNT_LIMIT * 2):
        attempt(services, username, "wrong-password", address, now + n * (lockout.WINDOW + timedelta(seconds=1)))
    assert not entries(services, AuditAction.ACCOUNT_LOCKED, address)


def test_every_refusal_reads_the_same_and_checks_one_hash(services, monkeypatch):
    import bot.cases.staff

    checked = []
    real_check = bot.cases.staff.check_password_hash
    monkeypatch.setattr(bot.cases.staff, "check_password_hash", lambda *args: checked.append(1) or real_check(*args))
    username, disabled = new_account(services, "lawyer", "baguodun"), new_account(services, "lawyer", "baguodun")
    with services.db.session() as session:
        staff_by_username(session, disabled).active = False
    locked_out, now = an_address(), utcnow()
    for _ in range(lockout.ACCOUNT_LIMIT):
        attempt(services, username, "wrong-password", locked_out, now)
    checked.clear()
    refusals = {
        attempt(services, username, "wrong-password", an_address(), now),  # wrong password
        attempt(services, "no.such.user", PASSWORD, an_address(), now),  # unknown user
        attempt(services, disabled, PASSWORD, an_address(), now),  # disabled account
        attempt(services, username, PASSWORD, locked_out, now),  # locked, with the right password
    }
    assert refusals == {LOGIN_REFUSED} and len(checked) == 4


def test_an_admin_lifts_a_lock_and_it_is_in_the_audit_log(services):
    username = new_account(services, "lawyer", "baguodun")
    admin = new_account(services, "admin", "jianghan")
    address, now = an_address(), utcnow()
    for _ in range(lockout.ACCOUNT_LIMIT):
        attempt(services, username, "wrong-password", address, now)
    with services.db.session() as session:
        [lock] = [lock for lock in lockout.current_locks(session, now) if lock.address == address]
        assert lock.staff is not None and lock.staff.username == username
        assert lockout.unlock(session, lock.id, staff_by_username(session, admin), now)
        assert not lockout.unlock(session, lock.id, staff_by_username(session, admin), now)  # gone already
    assert attempt(services, username, PASSWORD, address, now) == username
    [lifted] = entries(services, AuditAction.UNLOCK, address)
    assert lifted.actor == admin and lifted.before["account"] == username


def test_a_new_password_from_the_command_line_lifts_the_accounts_locks(app, services):
    username = new_account(services, "lawyer", "baguodun")
    addresses, now = [an_address(), an_address()], utcnow()
    for address in addresses:
        for _ in range(lockout.ACCOUNT_LIMIT):
            attempt(services, username, "wrong-password", address, now)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["staff", "passwd", username, "--password", "a-new-pass-7"]).exit_code == 0
    assert attempt(services, username, "a-new-pass-7", addresses[0]) == username
    assert all(entries(services, AuditAction.UNLOCK, address)[0].actor == "system" for address in addresses)


def test_the_command_line_lifts_an_addresss_lock(app, services):
    address, now = an_address(), utcnow()
    for n in range(lockout.ADDRESS_LIMIT):
        attempt(services, f"nobody.{n}", "guess-guess", address, now)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "unlock", "--address", address])
    assert result.exit_code == 0 and "1 lock(s) lifted" in result.output
    assert len(entries(services, AuditAction.UNLOCK, address)) == 1
    assert runner.invoke(args=["staff", "unlock"]).exit_code != 0  # a username or an address


def test_counts_with_no_failure_for_a_day_are_forgotten(services):
    recent, stale, now = an_address(), an_address(), utcnow()
    attempt(services, "nobody.new", "guess-guess", recent, now)
    attempt(services, "nobody.old", "guess-guess", stale, now - lockout.FORGET_AFTER - timedelta(minutes=1))
    with services.db.session() as session:
        lockout.forget_stale(session, now)
    with services.db.session() as session:
        kept = set(session.scalars(select(LoginAttempts.address).where(LoginAttempts.address.in_([recent, stale]))))
    assert kept == {recent}


def test_an_address_is_kept_to_its_column():
    assert lockout.client_address(None) == ""
    assert len(lockout.client_address("f" * 100)) == 64


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request, tmp_path):
    """An empty database of the test's own on each database the service runs on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"lfd_lockout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_0013_goes_down_and_up_again_with_accounts_in_place(empty_database):
    from alembic import command

    from bot.storage.migrate import alembic_config

    config = alembic_config(empty_database)
    command.upgrade(config, "0013")
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO units (code, level, name, office_name, aliases, address, phone, hours) "
                "VALUES ('u1', 'district', '区', '', '[]', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO staff (username, name, role, unit_id, active) "
                "VALUES ('m.admin', '管理员', 'admin', 1, TRUE)"
            )
        )
        connection.execute(text("INSERT INTO login_attempts (address, failures) VALUES ('10.0.0.1', 3)"))
    command.downgrade(config, "0012")
    assert {"failed_logins", "locked_until"} <= {column["name"] for column in inspect(engine).get_columns("staff")}
    assert "login_attempts" not in inspect(engine).get_table_names()
    command.upgrade(config, "0013")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT username FROM staff")).scalars().all() == ["m.admin"]
    engine.dispose()
