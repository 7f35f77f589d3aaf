"""Notices to staff on WeChat: who is told of a new case, and what the notice may quote."""

from __future__ import annotations

import uuid

from bot.cases.staff import add_account
from bot.storage.staff import staff_by_username
from tests.conftest import run_jobs
from tests.staff_user import new_case

ID_NUMBER = "420103196204051225"
PHONE = "13971234567"


def test_a_new_case_notice_masks_id_and_phone_numbers(services, fake_wechat, bound):
    zhang = bound("zhang.lawyer")
    _, number, _ = new_case(services, "baguodun", text=f"我叫刘桂芳 身份证号{ID_NUMBER} 电话{PHONE} 儿子不给赡养费")
    run_jobs(services)
    (notice,) = [m["content"] for m in fake_wechat.messages(touser=zhang) if number in m["content"]]
    assert "〔身份证号〕" in notice and ID_NUMBER not in notice and PHONE not in notice


def test_an_urgent_case_where_nobody_bound_their_wechat_reaches_an_admin_who_did(services, fake_wechat, bound):
    with services.db.session() as session:  # the district centre's lawyer is not on WeChat
        staff_by_username(session, "cai.lawyer").wechat_openid = None
        username = f"admin.{uuid.uuid4().hex[:6]}"
        add_account(session, username, "值班管理员", "admin", "jianghan", "a-long-enough-password-1")
    admin = bound(username)
    _, number, _ = new_case(services, "jianghan", text="有人拿刀在楼道里喊要砍人", urgent=True)
    run_jobs(services)
    assert [m for m in fake_wechat.messages(touser=admin) if number in m["content"] and "【紧急】" in m["content"]]
