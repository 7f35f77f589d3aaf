"""The console over HTTP: log-in, lock-out, CSRF, who sees which case, actions and their audit, the
inbox's tabs, hand-overs with their reasons."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import bot.cases.tickets
import webhook.console.cases
from bot.cases import person_requests
from bot.cases.office_hours import CHINA
from bot.storage.base import utcnow
from bot.storage.directory import Unit, unit_by_code
from bot.storage.messages import Message
from bot.storage.staff import AuditEntry, CaseNote, staff_by_username
from bot.storage.tickets import Ticket
from tests.conftest import run_jobs
from tests.staff_user import PASSWORD, StaffUser, give_password, new_account, new_case
from webhook import create_app


@pytest.fixture
def lawyer(app, services):
    """张律师 of 八古墩, logged in."""
    give_password(services, "zhang.lawyer")
    user = StaffUser(app.test_client())
    assert user.log_in("zhang.lawyer").status_code == 302
    return user


def test_case_pages_are_not_framed_or_cached(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    response = lawyer.get(f"/console/cases/{case_id}")
    assert response.headers["X-Frame-Options"] == "DENY" and "no-store" in response.headers["Cache-Control"]


def test_pages_need_a_log_in(client):
    response = client.get("/console/")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_lawyer_sees_own_room_case_and_not_another_room(app, services, lawyer):
    own_id, own_number, _ = new_case(services, "baguodun")
    other_id, other_number, _ = new_case(services, "qingnian")
    inbox = lawyer.get("/console/").get_data(as_text=True)
    assert own_number in inbox and other_number not in inbox
    assert lawyer.get(f"/console/cases/{own_id}").status_code == 200
    assert lawyer.get(f"/console/cases/{other_id}").status_code == 404
    assert lawyer.get(f"/console/cases/{other_id}/thread").status_code == 404
    assert lawyer.get("/console/cases/99999999").status_code == 404  # guessing ids


def test_actions_on_another_rooms_case_are_refused(app, services, lawyer):
    other_id, _, openid = new_case(services, "qingnian")
    lawyer.get("/console/")
    for action, form in (
        ("reply", {"text": "越权回复"}),
        ("resolve", {"outcome": "越权"}),
        ("note", {"text": "越权"}),
        ("take_over", {}),
        ("accept", {}),
    ):
        assert lawyer.post(f"/console/cases/{other_id}/{action}", form).status_code == 404, action
    with services.db.session() as session:
        assert session.get(Ticket, other_id).status == "new"
        assert not session.scalars(select(CaseNote).where(CaseNote.ticket_id == other_id)).all()
        assert not session.scalars(
            select(Message).where(Message.ticket_id == other_id, Message.direction == "out")
        ).all()


def test_colleague_of_another_role_may_read_and_note_but_not_act(app, services):
    give_password(services, "li.mediator")
    mediator = StaffUser(app.test_client())
    mediator.log_in("li.mediator")
    case_id, _, _ = new_case(services, "baguodun", "legal_consultation")  # a lawyer's case
    page = mediator.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert 'id="take-over"' not in page
    assert mediator.post(f"/console/cases/{case_id}/reply", {"text": "我来回答"}).status_code == 403
    assert mediator.post(f"/console/cases/{case_id}/note", {"text": "转给律师看看"}).status_code == 302


def test_post_without_csrf_token_is_refused(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    response = lawyer.post(f"/console/cases/{case_id}/accept", csrf=False)
    assert response.status_code == 400
    with services.db.session() as session:
        assert session.get(Ticket, case_id).status == "new"


def test_log_in_without_csrf_token_is_refused(app, services):
    give_password(services, "zhang.lawyer")
    client = app.test_client()
    response = client.post("/console/login", data={"username": "zhang.lawyer", "password": PASSWORD})
    assert response.status_code == 400


def test_resident_html_shows_as_text(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun", text='<script>alert("x")</script><b>粗体</b>')
    page = lawyer.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_lock_out_after_repeated_failures(app, services):
    username = new_account(services, "lawyer", "baguodun")
    user = StaffUser(app.test_client())
    for _ in range(5):
        assert user.log_in(username, "wrong-password").status_code == 401
    locked = user.log_in(username, PASSWORD)
    assert locked.status_code == 401 and "请稍后再试" in locked.get_data(as_text=True)


def test_disabled_account_is_logged_out_at_the_next_page(app, services):
    username = new_account(services, "lawyer", "baguodun")
    user = StaffUser(app.test_client())
    user.log_in(username)
    assert user.get("/console/").status_code == 200
    assert app.test_cli_runner().invoke(args=["staff", "disable", username]).exit_code == 0
    assert user.get("/console/").status_code == 302


def test_open_redirect_after_log_in_is_refused(app, services):
    give_password(services, "zhang.lawyer")
    user = StaffUser(app.test_client())
    user.get("/console/login")
    response = user.post(
        "/console/login?next=https://evil.example/", {"username": "zhang.lawyer", "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/console/")


def test_reply_reaches_the_resident_and_shows_its_delivery(app, services, lawyer, fake_wechat):
    case_id, _, openid = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    assert lawyer.post(f"/console/cases/{case_id}/reply", {"text": "您好，请把劳动合同拍照发来"}).status_code == 302
    thread = lawyer.get(f"/console/cases/{case_id}/thread").get_data(as_text=True)
    assert "发送中" in thread
    run_jobs(services)
    assert "请把劳动合同拍照发来" in fake_wechat.messages(touser=openid)[-1]["content"]
    assert "已送达" in lawyer.get(f"/console/cases/{case_id}/thread").get_data(as_text=True)


def test_inbox_shows_a_case_whose_resident_answered_a_reply(app, services, lawyer, resident):
    case_id, number, _ = new_case(services, "baguodun", openid=resident.openid)
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/reply", {"text": "您好，请问合同还在吗？"})
    assert "居民有新消息" not in _inbox_row(lawyer, number)
    resident.says("在的，明天拿过来")
    assert "居民有新消息" in _inbox_row(lawyer, number)
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/reply", {"text": "好的，明天见"})
    assert "居民有新消息" not in _inbox_row(lawyer, number)


def _inbox_row(user: StaffUser, number: str) -> str:
    page = user.get("/console/inbox/rows").get_data(as_text=True)
    return next(row for row in page.split("<li ") if number in row)


def test_reply_outside_the_48_hour_window_waits(app, services, lawyer, fake_wechat):
    case_id, _, openid = new_case(services, "baguodun")
    fake_wechat.set_window(openid, False)
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/reply", {"text": "请您有空回个消息"})
    run_jobs(services)
    assert "48 小时" in lawyer.get(f"/console/cases/{case_id}/thread").get_data(as_text=True)


def test_thread_poll_answers_204_when_nothing_changed(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    page = lawyer.get(f"/console/cases/{case_id}/thread").get_data(as_text=True)
    version = page.split('data-v="')[1].split('"')[0]
    assert lawyer.get(f"/console/cases/{case_id}/thread?v={version}").status_code == 204


def test_every_action_is_audited_with_before_and_after(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/accept")
    lawyer.post(f"/console/cases/{case_id}/note", {"text": "已电话联系"})
    lawyer.post(f"/console/cases/{case_id}/resolve", {"outcome": "已解答"})
    with services.db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.ticket_id == case_id).order_by(AuditEntry.id)
        ).all()
        assert [entry.action for entry in entries] == ["accept", "note", "resolve"]
        assert {entry.actor for entry in entries} == {"zhang.lawyer"}
        assert (entries[0].before["status"], entries[0].after["status"]) == ("new", "in_progress")
        assert entries[2].after["status"] == "resolved"


def test_a_refused_move_changes_nothing(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/resolve", {"outcome": "已解答"})
    response = lawyer.post(f"/console/cases/{case_id}/accept")
    assert response.status_code == 302
    with services.db.session() as session:
        assert session.get(Ticket, case_id).status == "resolved"


def test_transfer_hands_the_case_over_and_out_of_sight(app, services, lawyer, fake_wechat):
    case_id, _, openid = new_case(services, "baguodun")
    with services.db.session() as session:
        qingnian = unit_by_code(session, "qingnian").id
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(
        f"/console/cases/{case_id}/transfer", {"unit": str(qingnian), "role": "lawyer", "reason": "居民住在青年社区"}
    )
    run_jobs(services)
    assert "青年社区" in fake_wechat.messages(touser=openid)[-1]["content"]
    assert lawyer.get(f"/console/cases/{case_id}").status_code == 404


def test_street_coordinator_sees_every_room_of_the_street(app, services):
    username = new_account(services, "coordinator", "tangjiadun")
    coordinator = StaffUser(app.test_client())
    coordinator.log_in(username)
    room_case, number, _ = new_case(services, "qingnian")
    other_street_case, _, _ = new_case(services, "xiqiao")
    assert number in coordinator.get("/console/").get_data(as_text=True)
    assert coordinator.get(f"/console/cases/{room_case}").status_code == 200
    assert coordinator.get(f"/console/cases/{other_street_case}").status_code == 404


def test_profile_binds_wechat_for_new_case_notices(app, services, lawyer, fake_wechat):
    lawyer.get("/console/profile")
    lawyer.post("/console/profile", {"wechat_openid": "o_staff_zhang_0001", "new_password": ""})
    new_case(services, "baguodun")
    run_jobs(services)  # the new-case notice job, then its delivery
    run_jobs(services)
    notices = fake_wechat.messages(touser="o_staff_zhang_0001")
    assert notices and "/console/cases/" in notices[-1]["content"]
    lawyer.post("/console/profile", {"wechat_openid": "", "new_password": ""})


# --- a lost log-in, an expired page, a case that left one's rooms --------------------------------


def test_a_transferred_case_leads_back_to_the_inbox_with_what_was_done(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    with services.db.session() as session:
        qingnian = unit_by_code(session, "qingnian").id
    lawyer.get(f"/console/cases/{case_id}")
    response = lawyer.post(
        f"/console/cases/{case_id}/transfer", {"unit": str(qingnian), "role": "mediator", "reason": "邻里纠纷"}
    )
    assert response.headers["Location"].endswith("/console/")
    inbox = lawyer.get("/console/").get_data(as_text=True)
    assert "已转交青年社区公共法律服务工作室的人民调解员" in inbox
    gone = lawyer.get(f"/console/cases/{case_id}")  # an old link: said in Chinese, not werkzeug's English
    assert gone.status_code == 404 and "已经转交给其他工作室" in gone.get_data(as_text=True)


def test_a_sent_reply_tells_the_page_to_forget_its_draft(app, services, lawyer, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun")
    page = lawyer.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert 'data-action="reply"' in page
    assert (
        lawyer.post(f"/console/cases/{case_id}/reply", {"text": "您好"})
        .headers["Location"]
        .endswith("?done=reply#reply")
    )
    refused = lawyer.post(f"/console/cases/{case_id}/reply", {"text": "  "})  # not sent: the draft stays
    assert "done=reply" not in refused.headers["Location"]


def test_a_form_sent_after_the_log_in_ended_is_explained_and_comes_back_to_its_page(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post("/console/logout")  # as another tab would
    stale = lawyer.client.post(
        f"/console/cases/{case_id}/reply",
        data={"text": "您好", "csrf_token": lawyer.csrf},
        headers={"Referer": f"http://localhost/console/cases/{case_id}"},
    )
    text = stale.get_data(as_text=True)
    assert stale.status_code == 400 and "页面已过期" in text and "CSRF" not in text
    assert f'href="/console/cases/{case_id}"' in text  # back to the case, where the draft comes back
    lawyer.get("/console/login")
    back = lawyer.post(
        f"/console/login?next=/console/cases/{case_id}", {"username": "zhang.lawyer", "password": PASSWORD}
    )
    assert back.headers["Location"].endswith(f"/console/cases/{case_id}")


def test_a_refresh_without_a_log_in_is_refused_not_answered_with_the_log_in_page(app, services, client):
    case_id, _, _ = new_case(services, "baguodun")
    response = client.get(f"/console/cases/{case_id}/thread", headers={"HX-Request": "true"})
    assert response.status_code == 401 and "登录" not in response.headers.get("Location", "")
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 302 and f"next=/console/cases/{case_id}" in page.headers["Location"]


def test_a_case_transferred_to_another_role_becomes_that_roles_kind(app, services, lawyer):
    case_id, _, _ = new_case(services, "baguodun", category="legal_consultation", text="楼上漏水泡坏了我家天花板")
    with services.db.session() as session:
        baguodun = unit_by_code(session, "baguodun").id
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(
        f"/console/cases/{case_id}/transfer", {"unit": str(baguodun), "role": "mediator", "reason": "漏水是邻里纠纷"}
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        assert (ticket.role, ticket.category) == ("mediator", "neighbor_dispute")


def test_a_page_older_than_the_case_cannot_reply_after_it_was_resolved_or_taken_over(app, services, lawyer):
    case_id, _, openid = new_case(services, "baguodun")
    username = new_account(services, "lawyer", "baguodun")
    colleague = StaffUser(app.test_client())
    colleague.log_in(username)
    colleague.get(f"/console/cases/{case_id}")  # opened before the take-over
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/take_over")
    refused = colleague.post(f"/console/cases/{case_id}/reply", {"text": "明天下午来街道工作站"})
    assert "done=reply" not in refused.headers["Location"]
    page = colleague.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert "正在和居民人工对话，回复没有发出" in page and 'name="held_by"' in page
    sent = colleague.post(
        f"/console/cases/{case_id}/reply",
        {"text": "明天下午来街道工作站", "held_by": page.split('name="held_by" value="')[1].split('"')[0]},
    )
    assert "done=reply" in sent.headers["Location"]  # asked and confirmed on a page that showed the holder

    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/resolve", {"outcome": "已解答"})
    late = colleague.post(f"/console/cases/{case_id}/reply", {"text": "另外提醒您保留发票"})
    assert "done=reply" not in late.headers["Location"]
    with services.db.session() as session:
        texts = [m.content for m in session.scalars(select(Message).where(Message.ticket_id == case_id))]
    assert any("街道工作站" in (text or "") for text in texts)
    assert not any("保留发票" in (text or "") for text in texts)


def test_a_reply_that_fits_the_box_is_not_refused_for_its_line_breaks(app, services, lawyer, fake_wechat):
    case_id, _, openid = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{case_id}")
    text = "\r\n".join(["第一步先协商。"] * 180)  # 1,439 characters as the box counts them
    assert (
        lawyer.post(f"/console/cases/{case_id}/reply", {"text": text}).headers["Location"].endswith("?done=reply#reply")
    )


# Times on the case page, on PostgreSQL and on SQLite (which keeps no time zone).
# 06:30 in Beijing, before the rooms open at 09:00; in UTC, as utcnow() gives it.
TUESDAY_DAWN = datetime(2026, 12, 8, 6, 30, tzinfo=CHINA).astimezone(UTC)


@pytest.fixture
def any_lawyer(any_services):
    """张律师 of 八古墩, logged in to a console on each database in turn."""
    give_password(any_services, "zhang.lawyer")
    user = StaffUser(create_app(services=any_services).test_client())
    assert user.log_in("zhang.lawyer").status_code == 302
    return user


def test_an_urgent_case_opened_at_dawn_shows_the_time_left_until_the_promised_hour(
    any_services, any_lawyer, monkeypatch
):
    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: TUESDAY_DAWN)
    case_id, _, _ = new_case(any_services, "baguodun", text="楼道里好大一股煤气味", urgent=True)
    monkeypatch.setattr(webhook.console.cases, "utcnow", lambda: TUESDAY_DAWN + timedelta(hours=1))
    page = any_lawyer.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert "今天 09:00上班后 1 小时内" in page  # what the resident was told
    assert "首次回复剩 2 小时" in page  # 07:30 now, due at 10:00


def test_a_mediation_is_shown_at_the_time_the_resident_was_told(any_services, monkeypatch):
    give_password(any_services, "li.mediator")
    mediator = StaffUser(create_app(services=any_services).test_client())
    mediator.log_in("li.mediator")
    case_id, _, _ = new_case(any_services, "baguodun", "neighbor_dispute", "楼上每天半夜拖椅子")
    day = (utcnow() + timedelta(days=7)).astimezone(CHINA).date()
    mediator.get(f"/console/cases/{case_id}")
    mediator.post(f"/console/cases/{case_id}/mediation", {"at": f"{day}T14:30", "place": "八古墩社区调解室"})
    with any_services.db.session() as session:
        told = session.scalars(select(Message).where(Message.ticket_id == case_id, Message.direction == "out")).all()
    assert any("14:30" in message.content for message in told)
    page = mediator.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert f"{day:%Y-%m-%d} 14:30，八古墩社区调解室" in page


def test_a_request_for_a_person_is_flagged_after_urgent_cases_with_the_time_waited_until_someone_answers(
    app, services, lawyer
):
    older_id, older, _ = new_case(services, "baguodun")
    asking_id, asking, _ = new_case(services, "baguodun")
    plain_id, plain, _ = new_case(services, "baguodun")
    with services.db.session() as session:
        session.get(Ticket, older_id).urgent = True  # an urgent case comes before a person asked for
        ticket = session.get(Ticket, asking_id)
        person_requests.request_person(session, services.jobs, "", ticket, now=utcnow() - timedelta(minutes=25))
    rows = lawyer.get("/console/inbox/rows").get_data(as_text=True).split("<li ")[1:]
    ordinary = [row for row in rows if "case-row urgent" not in row]
    assert rows[: len(rows) - len(ordinary)] == [row for row in rows if "case-row urgent" in row]  # urgent first
    flagged = ["person-flag" in row for row in ordinary]
    assert flagged == sorted(flagged, reverse=True)  # then every flagged case above every other one
    position = {number: next(i for i, row in enumerate(rows) if number in row) for number in (asking, older, plain)}
    assert position[older] < position[asking] < position[plain]
    assert "已等 25 分钟" in _inbox_row(lawyer, asking) and "person-flag" not in _inbox_row(lawyer, older)
    assert "居民要求人工" in lawyer.get(f"/console/cases/{asking_id}").get_data(as_text=True)
    lawyer.post(f"/console/cases/{asking_id}/reply", {"text": "您好，我是张律师，请讲"})
    assert "person-flag" not in _inbox_row(lawyer, asking)


# --- the inbox's tabs, hand-overs with their reasons, numbers masked on cards ---------------------


def test_the_tabs_keep_their_view_in_the_address_and_show_their_counts(app, services, lawyer):
    fresh_id, fresh, _ = new_case(services, "baguodun")
    taken_id, taken, _ = new_case(services, "baguodun")
    lawyer.get(f"/console/cases/{taken_id}")
    lawyer.post(f"/console/cases/{taken_id}/accept")
    page = lawyer.get("/console/?view=mine").get_data(as_text=True)
    assert 'id="tab-mine" href="/console/?view=mine' in page and 'aria-current="page">我的' in page
    assert taken in page and fresh not in page and "受理人 张律师" in page
    assert 'hx-get="/console/inbox/rows?view=mine' in page  # the poller keeps the tab
    unaccepted = lawyer.get("/console/inbox/rows?view=unaccepted").get_data(as_text=True)
    assert fresh in unaccepted and taken not in unaccepted and "未受理" in _inbox_row(lawyer, fresh)
    counts = dict(re.findall(r'id="tab-(\w+)".*?<span class="count">(\d+)</span>', page, re.S))
    assert set(counts) == {"all", "mine", "unaccepted", "waiting", "overdue"} and int(counts["mine"]) >= 1


def test_a_transfer_without_a_reason_is_refused_and_with_one_the_receiver_reads_it(app, services, lawyer):
    case_id, number, _ = new_case(services, "baguodun", text="公司拖欠工资三个月")
    with services.db.session() as session:
        qingnian = unit_by_code(session, "qingnian").id
    lawyer.get(f"/console/cases/{case_id}")
    lawyer.post(f"/console/cases/{case_id}/accept")
    refused = lawyer.post(f"/console/cases/{case_id}/transfer", {"unit": str(qingnian), "role": "lawyer"})
    assert refused.headers["Location"].endswith(f"/console/cases/{case_id}")
    assert "请写明转交原因" in lawyer.get(f"/console/cases/{case_id}").get_data(as_text=True)
    reason = "居民住在青年社区，由那边的律师跟进"
    lawyer.post(f"/console/cases/{case_id}/transfer", {"unit": str(qingnian), "role": "lawyer", "reason": reason})
    give_password(services, "liu.lawyer")
    receiver = StaffUser(app.test_client())
    receiver.log_in("liu.lawyer")
    card = _inbox_row(receiver, number)
    assert f"张律师转来：{reason}" in card and "未受理" in card
    page = receiver.get(f"/console/cases/{case_id}").get_data(as_text=True)
    assert f"张律师转来：{reason}" in page and f"原因：{reason}" in page  # the head and the timeline
    assert 'id="accept"' in page  # in progress, but nobody here took it up yet
    receiver.post(f"/console/cases/{case_id}/accept")
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        assert ticket.status == "in_progress" and ticket.handler_id == staff_by_username(session, "liu.lawyer").id
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.ticket_id == case_id, AuditEntry.action == "transfer")
        )
        assert entry.after["reason"] == reason
    assert "受理人 刘律师" in _inbox_row(receiver, number)


def test_an_escalation_carries_its_reason_to_the_next_level(app, services, lawyer, fake_wechat):
    case_id, number, _ = new_case(services, "baguodun")
    run_jobs(services)  # the room is told of the new case
    lawyer.get(f"/console/cases/{case_id}")
    assert lawyer.post(f"/console/cases/{case_id}/escalate", {"reason": ""}).status_code == 302
    with services.db.session() as session:
        assert unit_code(session, session.get(Ticket, case_id).unit_id) == "baguodun"  # refused: no reason
        cheng = staff_by_username(session, "cheng.lawyer")
        cheng.wechat_openid = "o_staff_cheng_escalated"
    try:
        lawyer.post(f"/console/cases/{case_id}/escalate", {"reason": "涉及十几户业主，需要街道协调"})
        run_jobs(services)
        notice = fake_wechat.messages(touser="o_staff_cheng_escalated")[-1]["content"]
        assert "上报原因：涉及十几户业主，需要街道协调" in notice and "超时" not in notice
    finally:
        with services.db.session() as session:
            staff_by_username(session, "cheng.lawyer").wechat_openid = None
    give_password(services, "cheng.lawyer")
    street = StaffUser(app.test_client())
    street.log_in("cheng.lawyer")
    assert "张律师上报：涉及十几户业主，需要街道协调" in _inbox_row(street, number)


def test_a_card_masks_a_phone_number_the_case_page_shows(app, services, lawyer, resident):
    case_id, number, _ = new_case(services, "baguodun", text="房东不退押金", openid=resident.openid)
    with services.db.session() as session:
        ticket = session.get(Ticket, case_id)
        ticket.description += "\n【补充】我电话13800138000，白天都在"
    card = _inbox_row(lawyer, number)
    assert "138****8000" in card and "13800138000" not in card
    assert "13800138000" in lawyer.get(f"/console/cases/{case_id}").get_data(as_text=True)


def unit_code(session, unit_id: int) -> str:
    """The code of a unit."""
    return session.get_one(Unit, unit_id).code
