"""The FAQ pages over HTTP, CSRF on: each answer with its 依据, review state and cited texts; drafts by
any staff member, approved or returned by another who is a lawyer; a lawyer confirming an answer;
the due list (admins and lawyers); seed conflicts and the YAML export (admins)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import delete, select

from bot.legal import sources
from bot.storage.base import utcnow
from bot.storage.faq import DraftStatus, FaqDraft, FaqEntry, content_hash, drafts, faq_for_intent, seed_content
from bot.storage.staff import AuditEntry
from tests.legal_helpers import write_laws
from tests.staff_user import StaffUser, give_password, new_account
from webhook.console import faq as faq_pages

OLD_NOISE = {"law": "治安管理处罚法", "version": "2012", "articles": [58]}
NEW_NOISE = {"law": "治安管理处罚法", "version": "2025", "articles": [88]}
CIVIL = {"law": "民法典", "version": "2020", "articles": [288]}
REVIEWED_BEFORE_2025 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
NEW_ANSWER = "经物业、居委会劝阻调解仍继续吵闹的，公安机关可处5日以下拘留或1000元以下罚款。"


@pytest.fixture
def staff(app, services):
    """Log a staff member in by username (a directory account, or a new one for a role)."""

    def log_in(username: str) -> StaffUser:
        give_password(services, username)
        user = StaffUser(app.test_client())
        assert user.log_in(username).status_code == 302
        return user

    return log_in


@pytest.fixture
def admin(app, services):
    """A district admin, logged in."""
    user = StaffUser(app.test_client())
    assert user.log_in(new_account(services, "admin", "jianghan")).status_code == 302
    return user


@pytest.fixture
def entries(services):
    """FAQ entries of the test's own: entries(citations, reviewed_at) → intent; removed afterwards."""
    made: list[str] = []

    def entry(citations: list[dict], reviewed_at: datetime | None = REVIEWED_BEFORE_2025, **fields) -> str:
        intent = fields.get("intent") or f"faq_t_{uuid.uuid4().hex[:8]}"
        with services.db.session() as session:
            row = FaqEntry(
                intent=intent,
                category=fields.get("category", "neighbor_dispute"),
                question=fields.get("question", f"夜里楼上吵怎么办 {intent}"),
                answer=fields.get("answer", "先沟通，再报警。"),
            )
            row.citations = citations
            row.reviewed_by, row.reviewed_at = ("zhang.lawyer" if reviewed_at else None), reviewed_at
            row.seed_hash = fields.get("seed_hash")
            session.add(row)
        made.append(intent)
        return intent

    yield entry
    with services.db.session() as session:
        for intent in made:
            entry_id = faq_for_intent(session, intent).id
            session.execute(delete(FaqDraft).where(FaqDraft.entry_id == entry_id))
            session.execute(delete(FaqEntry).where(FaqEntry.id == entry_id))


def page(user: StaffUser, url: str) -> str:
    response = user.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def pending_drafts(services, intent: str) -> list[FaqDraft]:
    with services.db.session() as session:
        found = drafts(session, None, faq_for_intent(session, intent).id)
        session.expunge_all()
        return found


def audited(services, intent: str) -> list[tuple[str, str]]:
    with services.db.session() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("faq_%")).order_by(AuditEntry.id))
        return [
            (row.action, row.actor)
            for row in rows
            if intent in ((row.after or {}).get("intent"), row.before.get("intent"))
        ]


def test_who_may_open_which_faq_page(app, services, staff, admin):
    mediator, lawyer = staff("li.mediator"), staff("zhang.lawyer")
    coordinator = staff(new_account(services, "coordinator", "tangjiadun"))
    for user in (mediator, lawyer, coordinator, admin):
        assert 'id="nav-faq"' in page(user, "/console/faq")
        assert user.get("/console/faq/drafts").status_code == 200
    assert mediator.get("/console/faq/due").status_code == 403
    assert coordinator.get("/console/faq/due").status_code == 403
    assert lawyer.get("/console/faq/due").status_code == 200 and admin.get("/console/faq/due").status_code == 200
    for only_admins in ("/console/faq/conflicts", "/console/faq/export.yml"):
        assert mediator.get(only_admins).status_code == 403 and lawyer.get(only_admins).status_code == 403
        assert admin.get(only_admins).status_code == 200
    assert 'id="tab-due"' not in page(mediator, "/console/faq") and 'id="tab-due"' in page(lawyer, "/console/faq")
    assert 'id="export-yaml"' in page(admin, "/console/faq") and 'id="export-yaml"' not in page(lawyer, "/console/faq")
    old = mediator.get("/console/training/faq")  # the address before every staff member could draft
    assert old.status_code == 302 and old.headers["Location"].endswith("/console/faq")
    assert app.test_client().get("/console/faq").status_code == 302  # not logged in: the log-in page


def test_each_answer_shows_its_basis_review_state_cited_texts_and_drafts(services, staff, entries):
    changed = entries([OLD_NOISE, CIVIL])
    current = entries([NEW_NOISE], reviewed_at=utcnow() - timedelta(days=3))
    yearly = entries([CIVIL], reviewed_at=utcnow() - timedelta(days=400))
    never = entries([CIVIL], reviewed_at=None)
    mediator = staff("li.mediator")
    listing = page(mediator, "/console/faq")
    assert "《中华人民共和国治安管理处罚法》（2012年修正，2013年1月1日起施行）第五十八条" in listing
    assert (
        "需复核：法律有更新（自2026年1月1日）：《治安管理处罚法》2025年修订，2026年1月1日起施行"
        "（本回答引用的是2012年修正）" in listing
    )
    assert "律师审核：张律师 2025-03-01 10:00" in listing  # China time
    assert "年度复核到期（自" in _card(listing, yearly) and "尚未经律师审核" in _card(listing, never)
    assert "需复核" not in _card(listing, current) and "律师审核：张律师" in _card(listing, current)
    # The cited articles' texts beside the answer; a transcribed version is flagged.
    assert "<details" in _card(listing, changed) and "警告后不改正的" in _card(listing, changed)
    assert "条文待与官方公报核对" in _card(listing, current) and "条文待与官方公报核对" not in _card(listing, changed)
    assert "物业服务人" in _card(listing, current)  # art. 88 of the 2025 revision

    mediator.post(
        f"/console/faq/{changed}/draft",
        {"question": "夜里吵", "answer": NEW_ANSWER, "citations": "治安管理处罚法 2025 88"},
    )
    assert "待审核的修改 1 份" in _card(page(mediator, "/console/faq"), changed)


def _card(listing: str, intent: str) -> str:
    """One answer's card on the FAQ page."""
    start = listing.index(f'<article class="card faq-entry" id="{intent}">')
    return listing[start : listing.index("</article>", start)]


def test_a_mediator_drafts_a_fix_and_a_lawyer_approves_it_against_a_diff(services, staff, entries):
    intent = entries([OLD_NOISE, CIVIL], answer="邻居夜里吵，先警告，警告后不改的可以罚款。")
    mediator = staff("li.mediator")
    form = page(mediator, f"/console/faq/{intent}")
    assert "治安管理处罚法 2012 58；民法典 2020 288" in form  # the citations as staff type them
    response = mediator.post(
        f"/console/faq/{intent}/draft",
        {
            "question": f"夜里楼上吵怎么办 {intent}",
            "answer": NEW_ANSWER,
            "citations": "治安管理处罚法 2025 88\n民法典 2020 288",
            "note": "治安管理处罚法2025年修订：第五十八条改为第八十八条",
        },
    )
    assert response.status_code == 302
    (draft,) = pending_drafts(services, intent)
    assert (draft.drafted_by, draft.status, draft.citations[0]) == ("li.mediator", DraftStatus.DRAFT, NEW_NOISE)
    with services.db.session() as session:  # nothing is live before a lawyer approves
        assert faq_for_intent(session, intent).answer.startswith("邻居夜里吵")
    assert f'id="approve-{draft.id}"' not in page(mediator, "/console/faq/drafts")

    lawyer = staff("zhang.lawyer")
    waiting = page(lawyer, "/console/faq/drafts")
    assert "<del>" in waiting and "<ins>" in waiting and "第五十八条改为第八十八条" in waiting
    assert "（2025年修订，2026年1月1日起施行）第八十八条" in waiting and "物业服务人" in waiting
    assert lawyer.post(f"/console/faq/drafts/{draft.id}/approve", {"next": "/console/faq/drafts"}).status_code == 302
    with services.db.session() as session:
        entry = faq_for_intent(session, intent)
        assert (entry.answer, entry.reviewed_by, entry.edited_by) == (NEW_ANSWER, "zhang.lawyer", "li.mediator")
        assert entry.citations[0] == NEW_NOISE
    shown = page(lawyer, f"/console/faq/{intent}")
    assert "已批准" in shown and "需复核" not in _card(shown, intent)
    assert audited(services, intent) == [("faq_draft", "li.mediator"), ("faq_approve", "zhang.lawyer")]


def test_citations_the_check_refuses_are_shown_beside_the_field_and_nothing_is_drafted(services, staff, entries):
    intent = entries([OLD_NOISE])
    mediator = staff("li.mediator")
    page(mediator, f"/console/faq/{intent}")
    for citations, said in (
        ("没有这部法 2020 1", "法规目录里没有《没有这部法》"),
        ("治安管理处罚法 2012 58", "2012年修正已不再适用"),
        ("治安管理处罚法 2025 9999", "没有第九千九百九十九条"),
        ("治安管理处罚法", "引用要写明法律和版本"),
        ("治安管理处罚法 2025 第八十八项", "条文编号看不懂"),
        ("治安法 2025 88", "您是不是指：治安管理处罚法"),
    ):
        response = mediator.post(
            f"/console/faq/{intent}/draft", {"question": "夜里吵", "answer": NEW_ANSWER, "citations": citations}
        )
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and said in text.split('id="citations-error"', 1)[1][:300], citations
        assert citations in text  # what was typed stays in the field
    response = mediator.post(f"/console/faq/{intent}/draft", {"question": "夜里吵", "answer": " ", "citations": ""})
    assert response.status_code == 422 and "回答不能为空" in response.get_data(as_text=True)
    assert pending_drafts(services, intent) == []
    # As typed (htmx): the 依据 line the citations give, or what is wrong.
    preview = page(mediator, "/console/faq/citations/check?citations=治安管理处罚法 2025 88")
    assert "居民将看到的依据：</b>《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）" in preview
    assert "已不再适用" in page(mediator, "/console/faq/citations/check?citations=治安管理处罚法 2012 58")


def test_citations_are_taken_as_statutes_write_them_and_the_form_lists_the_laws(services, staff, entries):
    intent = entries([OLD_NOISE])
    mediator = staff("li.mediator")
    form = page(mediator, f"/console/faq/{intent}")
    names = form.split('id="law-names"', 1)[1].split("</details>", 1)[0]
    assert "<b>治安管理处罚法</b> 2012、2025" in names and "<b>民法典</b>" in names
    assert "laws/catalogue.yml" in names and "docs/legal-sources.md" in names
    for typed in ("治安管理处罚法 2025 第八十八条", "治安管理处罚法2025 88", "《治安管理处罚法》2025 第88条"):
        preview = page(mediator, f"/console/faq/citations/check?citations={typed}")
        assert "居民将看到的依据：</b>《中华人民共和国治安管理处罚法》（2025年修订" in preview, typed
    response = mediator.post(
        f"/console/faq/{intent}/draft",
        {"question": "夜里吵", "answer": NEW_ANSWER, "citations": "《治安管理处罚法》2025 第八十八条"},
    )
    assert response.status_code == 302
    (draft,) = pending_drafts(services, intent)
    assert draft.citations == [NEW_NOISE]


def test_a_form_without_its_csrf_token_is_refused(services, staff, entries):
    intent = entries([OLD_NOISE])
    mediator = staff("li.mediator")
    page(mediator, f"/console/faq/{intent}")
    form = {"question": "夜里吵", "answer": NEW_ANSWER, "citations": "治安管理处罚法 2025 88"}
    response = mediator.post(f"/console/faq/{intent}/draft", form, csrf=False)
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert pending_drafts(services, intent) == []


def test_only_another_lawyer_decides_and_a_returned_draft_says_why(services, staff, entries):
    intent = entries([OLD_NOISE])
    zhang = staff("zhang.lawyer")
    page(zhang, f"/console/faq/{intent}")
    zhang.post(
        f"/console/faq/{intent}/draft",
        {"question": "夜里吵", "answer": NEW_ANSWER, "citations": "治安管理处罚法 2025 88"},
    )
    (draft,) = pending_drafts(services, intent)
    assert "这是您起草的修改" in page(zhang, "/console/faq/drafts")
    zhang.post(f"/console/faq/drafts/{draft.id}/approve")
    assert "不能审核自己起草的修改" in page(zhang, "/console/faq/drafts")

    mediator = staff("chen.mediator")
    page(mediator, "/console/faq/drafts")
    assert mediator.post(f"/console/faq/drafts/{draft.id}/approve").status_code == 403
    assert mediator.post(f"/console/faq/drafts/{draft.id}/return", {"note": "不行"}).status_code == 403

    liu = staff("liu.lawyer")
    page(liu, "/console/faq/drafts")
    liu.post(f"/console/faq/drafts/{draft.id}/return", {"note": " "})
    assert "退回请写明原因" in page(liu, "/console/faq/drafts")
    liu.post(f"/console/faq/drafts/{draft.id}/return", {"note": "罚款数额请写全：情节严重的处5至10日拘留"})
    (returned,) = pending_drafts(services, intent)
    assert (returned.status, returned.decided_by) == (DraftStatus.RETURNED, "liu.lawyer")
    with services.db.session() as session:
        assert faq_for_intent(session, intent).answer == "先沟通，再报警。"
    shown = page(zhang, f"/console/faq/{intent}")
    assert "退回原因：</b>罚款数额请写全" in shown and "已退回" in shown
    assert audited(services, intent) == [("faq_draft", "zhang.lawyer"), ("faq_return", "liu.lawyer")]


def test_lawyers_see_the_drafts_waiting_for_them_and_drafters_their_drafts_returned(services, staff, entries):
    intent = entries([OLD_NOISE])
    mediator, zhang, liu = staff("li.mediator"), staff("zhang.lawyer"), staff("liu.lawyer")
    before = _waiting(page(zhang, "/console/faq/drafts"))
    assert _waiting(page(mediator, "/console/faq")) == 0  # not a lawyer: no count
    form = {"question": "夜里吵", "answer": NEW_ANSWER, "citations": "治安管理处罚法 2025 88"}
    mediator.post(f"/console/faq/{intent}/draft", form)
    zhang.post(f"/console/faq/{intent}/draft", form)
    assert _waiting(page(zhang, "/console/profile")) == before + 1  # on every page; not their own
    assert _waiting(page(liu, "/console/faq/drafts")) == before + 2
    assert _waiting(page(mediator, "/console/faq")) == 0

    mediator_draft = next(draft for draft in pending_drafts(services, intent) if draft.drafted_by == "li.mediator")
    liu.post(f"/console/faq/drafts/{mediator_draft.id}/return", {"note": "罚款数额请写全"})
    shown = page(mediator, "/console/faq")
    returned = _section(shown, "returned-to-me")
    assert f'id="returned-{mediator_draft.id}"' in returned and "退回原因：</b>罚款数额请写全" in returned
    assert "刘律师" in returned or "liu.lawyer" in returned
    assert 'id="returned-to-me"' not in page(mediator, "/console/faq")  # read: not shown again
    assert 'id="returned-to-me"' not in page(zhang, "/console/faq")  # only to the drafter
    assert _waiting(page(liu, "/console/faq/drafts")) == before + 1


def _waiting(html: str) -> int:
    """The count of drafts waiting on the top nav's FAQ link (0 when there is none)."""
    link = html.split('id="nav-faq"', 1)[1].split("</a>", 1)[0]
    if 'id="nav-faq-waiting"' not in link:
        return 0
    return int(link.split('id="nav-faq-waiting"', 1)[1].split(">", 1)[1].split("<", 1)[0])


def test_a_lawyer_confirms_an_answer_unchanged_unless_its_law_changed(services, staff, entries):
    current, changed = entries([NEW_NOISE], reviewed_at=None), entries([OLD_NOISE])
    mediator = staff("li.mediator")
    assert 'id="confirm-unchanged"' not in page(mediator, f"/console/faq/{current}")
    assert mediator.post(f"/console/faq/{current}/confirm").status_code == 403
    lawyer = staff("zhang.lawyer")
    form = page(lawyer, f"/console/faq/{current}")
    assert 'id="confirm-unchanged"' in form
    assert "return confirm(" in form.split('id="confirm-form"', 1)[1].split(">", 1)[0]  # asked before it is done
    lawyer.post(f"/console/faq/{current}/confirm")
    shown = page(lawyer, f"/console/faq/{current}")
    assert "已确认这条回答无需修改" in shown and "尚未经律师审核" not in _card(shown, current)
    lawyer.post(f"/console/faq/{changed}/confirm")
    assert "引用的法律有问题，请起草修改" in page(lawyer, f"/console/faq/{changed}")
    with services.db.session() as session:
        assert faq_for_intent(session, current).reviewed_by == "zhang.lawyer"
        assert faq_for_intent(session, changed).reviewed_at == REVIEWED_BEFORE_2025
    assert audited(services, current) == [("faq_confirm", "zhang.lawyer")]


def test_the_due_list_says_why_and_since_when_with_versions_not_yet_in_force_apart(
    services, staff, entries, tmp_path, monkeypatch
):
    changed, never = entries([OLD_NOISE]), entries([CIVIL], reviewed_at=None)
    lawyer = staff("zhang.lawyer")
    due = page(lawyer, "/console/faq/due")
    law_changed = _section(due, "due-law-changed")
    assert f'href="/console/faq/{changed}"' in law_changed and "法律有更新（自2026年1月1日）" in law_changed
    assert f'href="/console/faq/{never}"' in _section(due, "due-never")
    assert f"/console/faq/{changed}" not in _section(due, "due-upcoming")

    # A revision promulgated and not yet in force: listed apart, with the day it takes effect.
    path = write_laws(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("effective: 2026-01-01", "effective: 2099-01-01"), "utf-8")
    monkeypatch.setattr(sources, "CATALOGUE_FILE", path)
    due = page(lawyer, "/console/faq/due")
    upcoming = _section(due, "due-upcoming")
    assert f'href="/console/faq/{changed}"' in upcoming and "即将生效的新版本" in upcoming
    assert "2099年1月1日起施行" in upcoming and f"/console/faq/{changed}" not in _section(due, "due-law-changed")


def test_the_due_list_puts_the_most_pressing_first_by_category_and_marks_drafts_waiting(services, staff, entries):
    neighbours = entries([OLD_NOISE], category="neighbor_dispute", question="甲 夜里楼上吵")
    consultation = entries([OLD_NOISE], category="legal_consultation", question="乙 夜里楼上吵")
    never = entries([CIVIL], reviewed_at=None)
    mediator = staff("li.mediator")
    page(mediator, f"/console/faq/{neighbours}")
    mediator.post(
        f"/console/faq/{neighbours}/draft",
        {"question": "甲 夜里楼上吵", "answer": NEW_ANSWER, "citations": "治安管理处罚法 2025 88"},
    )
    due = page(staff("zhang.lawyer"), "/console/faq/due")
    order = [due.index(f'id="{section}"') for section in ("due-law-changed", "due-upcoming", "due-yearly", "due-never")]
    assert order == sorted(order)
    law_changed = _section(due, "due-law-changed")
    # 法律咨询 before 邻里纠纷, as their labels sort.
    assert law_changed.index(f'id="due-{consultation}"') < law_changed.index(f'id="due-{neighbours}"')
    assert '<span class="muted small">邻里纠纷</span>' in _item(law_changed, neighbours)
    assert "已有待审核的修改 1 份" in _item(law_changed, neighbours)
    assert "待审核的修改" not in _item(law_changed, consultation)
    assert f'id="due-{never}"' in _section(due, "due-never")


def _item(section: str, intent: str) -> str:
    start = section.index(f'id="due-{intent}"')
    return section[start : section.index("</li>", start)]


def test_a_seed_conflict_over_an_approved_draft_names_the_drafter_and_the_lawyer(
    services, staff, admin, entries, tmp_path, monkeypatch
):
    intent = f"faq_t_{uuid.uuid4().hex[:8]}"
    old = {"intent": intent, "category": "neighbor_dispute", "question": f"问 {intent}", "answer": "旧的种子回答。"}
    entries([OLD_NOISE], question=f"问 {intent}", answer="旧的种子回答。", intent=intent, seed_hash=None)
    with services.db.session() as session:
        entry = faq_for_intent(session, intent)
        entry.citations, entry.seed_hash = [], content_hash(seed_content(old))
    mediator, lawyer = staff("li.mediator"), staff("zhang.lawyer")
    page(mediator, f"/console/faq/{intent}")
    mediator.post(f"/console/faq/{intent}/draft", {"question": f"问 {intent}", "answer": NEW_ANSWER, "citations": ""})
    (draft,) = pending_drafts(services, intent)
    page(lawyer, "/console/faq/drafts")
    lawyer.post(f"/console/faq/drafts/{draft.id}/approve")
    seed = tmp_path / "faq.yml"
    seed.write_text(yaml.safe_dump([old | {"answer": "新的种子回答。"}], allow_unicode=True), "utf-8")
    monkeypatch.setattr(faq_pages, "SEED_FILE", seed)
    shown = _section(page(admin, "/console/faq/conflicts"), f"conflict-{intent}")
    assert "控制台的修改：李调解员起草，张律师审核通过" in shown


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_seed_conflicts_are_settled_either_way_and_the_faq_exports_as_yaml(
    services, staff, admin, entries, tmp_path, monkeypatch
):
    def seeded(intent: str, answer: str) -> dict:
        return {
            "intent": intent,
            "category": "neighbor_dispute",
            "question": f"问 {intent}",
            "answer": answer,
            "citations": [CIVIL],
        }

    first, second = (f"faq_t_{uuid.uuid4().hex[:8]}" for _ in range(2))
    for intent in (first, second):  # loaded from the old seed, then edited here
        old = seed_content(seeded(intent, "旧的种子回答。"))
        entries(
            [CIVIL], question=f"问 {intent}", answer="控制台改过的回答。", seed_hash=content_hash(old), intent=intent
        )
    seed = tmp_path / "faq.yml"
    seed.write_text(
        yaml.safe_dump([seeded(first, "新的种子回答。"), seeded(second, "新的种子回答。")], allow_unicode=True), "utf-8"
    )
    monkeypatch.setattr(faq_pages, "SEED_FILE", seed)

    listing = page(admin, "/console/faq")
    assert 'id="conflicts-notice"' in listing
    shown = page(admin, "/console/faq/conflicts")
    assert f'id="conflict-{first}"' in shown and "不同之处：回答" in shown
    for side in ("keep", "seed"):  # either side is asked before it is done
        action = f'action="/console/faq/conflicts/{first}/{side}"'
        assert "return confirm(" in shown.split(action, 1)[1].split(">", 1)[0], side
    live, seed_side = _section(shown, f"live-{first}"), _section(shown, f"seed-{first}")
    assert "控制台现在的版本" in live and "<mark>控制台改过的</mark>回答。" in live
    assert "种子文件的版本" in seed_side and "<mark>新的种子</mark>回答。" in seed_side
    assert "<del>" not in shown and "bot/data/faq.yml" not in shown
    assert shown.count("导出 YAML") == 1  # the tab bar's button; no page text makes it the admin's job
    lawyer = staff("zhang.lawyer")
    page(lawyer, "/console/faq")
    assert lawyer.post(f"/console/faq/conflicts/{first}/seed").status_code == 403
    admin.post(f"/console/faq/conflicts/{first}/seed")
    admin.post(f"/console/faq/conflicts/{second}/keep")
    flashed = page(admin, "/console/faq/conflicts")
    assert f"“问 {second}”保留了控制台现在的版本" in flashed and f"{second} 保留" not in flashed
    with services.db.session() as session:
        assert faq_for_intent(session, first).answer == "新的种子回答。"
        assert faq_for_intent(session, second).answer == "控制台改过的回答。"
    assert f'id="conflict-{first}"' not in page(admin, "/console/faq/conflicts")
    assert [action for action, _ in audited(services, first)] == ["faq_take_seed"]

    exported = admin.get("/console/faq/export.yml")
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="faq-')
    items = {item["intent"]: item for item in yaml.safe_load(exported.get_data(as_text=True))}
    assert items[second]["answer"] == "控制台改过的回答。" and items[second]["citations"] == [CIVIL]
    assert items["faq_noise_night"]["citations"]
