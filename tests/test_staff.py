"""Staff accounts and the authorization rules (pure functions, no browser)."""

from datetime import timedelta

import pytest

from bot.cases.lockout import ACCOUNT_LIMIT, LOCKOUT
from bot.cases.staff import (
    LOGIN_REFUSED,
    AccountError,
    Scope,
    add_account,
    add_room,
    authenticate,
    can_act,
    can_view,
    scope_of,
)
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.staff import staff_by_username
from tests.staff_user import PASSWORD, new_account

ROOM_A, ROOM_B, STREET = 11, 12, 2


def test_room_staff_read_their_rooms_and_work_their_own_role():
    scope = Scope(1, "zhang.lawyer", rooms=frozenset({(ROOM_A, "lawyer")}))
    assert can_view(scope, ROOM_A, "lawyer") and can_act(scope, ROOM_A, "lawyer")
    assert can_view(scope, ROOM_A, "mediator") and not can_act(scope, ROOM_A, "mediator")
    assert not can_view(scope, ROOM_B, "lawyer") and not can_act(scope, ROOM_B, "lawyer")


def test_staff_of_two_rooms_work_both():
    scope = Scope(1, "x", rooms=frozenset({(ROOM_A, "lawyer"), (ROOM_B, "lawyer")}))
    assert can_act(scope, ROOM_A, "lawyer") and can_act(scope, ROOM_B, "lawyer")


def test_coordinator_works_every_role_of_the_street_and_admin_everything():
    coordinator = Scope(2, "c", all_roles_in=frozenset({STREET, ROOM_A}))
    assert can_act(coordinator, ROOM_A, "mediator") and can_act(coordinator, STREET, "lawyer")
    assert not can_view(coordinator, ROOM_B, "lawyer")
    admin = Scope(3, "a", admin=True)
    assert can_act(admin, ROOM_B, "property_officer")


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


def test_scope_of_a_coordinator_covers_the_streets_rooms(services, session):
    username = new_account(services, "coordinator", "tangjiadun")
    scope = scope_of(session, staff_by_username(session, username))
    assert unit_by_code(session, "qingnian").id in scope.unit_ids
    assert unit_by_code(session, "tangjiadun").id in scope.unit_ids
    assert unit_by_code(session, "xiqiao").id not in scope.unit_ids


def test_extra_room_widens_the_scope(services, session):
    username = new_account(services, "lawyer", "baguodun")
    staff = staff_by_username(session, username)
    add_room(session, staff, "qingnian", "lawyer")
    session.flush()
    scope = scope_of(session, staff)
    assert can_act(scope, unit_by_code(session, "qingnian").id, "lawyer")


def test_accounts_are_checked(session):
    with pytest.raises(AccountError, match="至少"):
        add_account(session, "t.short.pw", "短", "lawyer", "baguodun", "1234")
    with pytest.raises(AccountError, match="街道"):
        add_account(session, "t.bad.coord", "协调", "coordinator", "baguodun", PASSWORD)
    with pytest.raises(AccountError, match="已存在"):
        add_account(session, "zhang.lawyer", "重名", "lawyer", "baguodun", PASSWORD)


def test_password_is_hashed_and_checked(services, session):
    username = new_account(services, "lawyer", "baguodun")
    staff = staff_by_username(session, username)
    assert PASSWORD not in staff.password_hash
    assert authenticate(session, username, PASSWORD).staff is staff
    assert authenticate(session, username, "nope-nope").staff is None
    assert authenticate(session, "nobody.here", PASSWORD).error == LOGIN_REFUSED


def test_usernames_are_matched_whatever_their_letters_case(services, session):
    username = new_account(services, "lawyer", "baguodun")
    staff = staff_by_username(session, username)
    assert authenticate(session, f" {username.upper()} ", PASSWORD).staff is staff
    assert authenticate(session, username.capitalize(), "nope-nope").staff is None
    with pytest.raises(AccountError, match="已存在"):
        add_account(session, username.upper(), "大小写不同", "lawyer", "baguodun", PASSWORD)


def test_lock_out_lasts_its_time_then_lifts(services, session):
    username = new_account(services, "lawyer", "baguodun")
    now = utcnow()
    for _ in range(ACCOUNT_LIMIT):
        authenticate(session, username, "wrong-password", "10.99.0.1", now)
    assert authenticate(session, username, PASSWORD, "10.99.0.1", now).error == LOGIN_REFUSED  # even the right one
    later = now + LOCKOUT + timedelta(minutes=1)
    assert authenticate(session, username, PASSWORD, "10.99.0.1", later).staff is not None


def test_disabled_account_cannot_log_in(services, session):
    username = new_account(services, "lawyer", "baguodun")
    staff_by_username(session, username).active = False
    assert authenticate(session, username, PASSWORD).staff is None


def test_cli_adds_and_resets_accounts(app, services):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff",
            "add",
            "t.cli.lawyer",
            "--name",
            "命令行律师",
            "--role",
            "lawyer",
            "--unit",
            "baguodun",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["staff", "passwd", "t.cli.lawyer", "--password", "another-pass-1"]).exit_code == 0
    with services.db.session() as session:
        assert authenticate(session, "t.cli.lawyer", "another-pass-1").staff is not None
    assert "t.cli.lawyer" in runner.invoke(args=["staff", "list"]).output
    assert runner.invoke(args=["staff", "passwd", "nobody.at.all", "--password", PASSWORD]).exit_code != 0
