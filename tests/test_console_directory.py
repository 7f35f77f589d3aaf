"""服务目录 over HTTP (webhook/console/directory.py): who may see and change it, a unit's and an
account's edits with their checks beside the fields and their audit, export, and importing a file:
errors by row, the dry-run diff, applying exactly that, and refusing what changed since the preview.

Every test works on a database of its own (the directory is shared by every other test); the
import that changes the directory runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import uuid
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cases.directory import match_communities
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.directory import DirectoryImport, unit_by_code
from bot.storage.staff import AuditEntry, staff_by_username
from devtools.databases import scratch_database
from tests.conftest import PG_ADMIN_URL
from tests.staff_user import StaffUser, give_password, new_account, new_case
from webhook import create_app


@pytest.fixture(params=["sqlite"])
def engine(request) -> str:
    """The database a test's own directory lives in (the import's tests ask for both)."""
    return request.param


@pytest.fixture
def services(settings, tmp_path, engine):
    """The services on a freshly prepared database of this test's own."""
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'directory.db'}"
        prepare_database(url)
        built = build_services(dataclasses.replace(settings, database_url=url))
        yield built
        built.db.engine.dispose()
        return
    with scratch_database(PG_ADMIN_URL, f"lfd_directory_{uuid.uuid4().hex[:8]}") as url:
        built = build_services(dataclasses.replace(settings, database_url=url))
        yield built
        built.db.engine.dispose()


@pytest.fixture
def app(services):
    """The app on this test's own database."""
    return create_app(services=services)


def logged_in(app, username: str) -> StaffUser:
    """A staff member logged in to the console."""
    user = StaffUser(app.test_client())
    assert user.log_in(username).status_code == 302
    user.username = username
    return user


@pytest.fixture
def admin(app, services) -> StaffUser:
    """A district admin, logged in."""
    return logged_in(app, new_account(services, "admin", "jianghan"))


def audit_entries(services, action: AuditAction) -> list[SimpleNamespace]:
    """The audit log's entries of one action, oldest first."""
    with services.db.session() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return [SimpleNamespace(actor=e.actor, before=e.before, after=e.after) for e in session.scalars(query)]


def unit(services, code: str) -> dict:
    with services.db.session() as session:
        found = unit_by_code(session, code)
        return {} if found is None else {k: getattr(found, k) for k in ("name", "aliases", "hours", "edited_by")}


def page(response) -> str:
    return response.get_data(as_text=True)


def upload(user: StaffUser, content: bytes, filename: str):
    """Upload a directory file for its dry run (the import page's form, CSRF token and all)."""
    user.get("/console/directory/import")
    data = {"csrf_token": user.csrf, "file": (io.BytesIO(content), filename)}
    return user.client.post("/console/directory/import", data=data, content_type="multipart/form-data")


def preview_of(user: StaffUser, response) -> tuple[str, str]:
    """The preview page an upload leads to, and its address."""
    assert response.status_code == 302, page(response)
    location = response.headers["Location"]
    return page(user.get(location)), location


def apply_form(text: str) -> dict:
    """The hidden fields of the preview's apply form."""
    fields = {}
    for name in ("file_hash", "diff_hash"):
        marker = f'id="{name}" name="{name}" type="hidden" value="'
        start = text.index(marker) + len(marker)
        fields[name] = text[start : text.index('"', start)]
    return fields


def workbook(user: StaffUser):
    return load_workbook(io.BytesIO(user.client.get("/console/directory/export.xlsx").data))


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet, key: str):
    return next(row for row in sheet.iter_rows(min_row=2) if row[0].value == key)


def test_admins_edit_coordinators_see_their_streets_room_staff_get_403(app, services, admin):
    give_password(services, "zhang.lawyer")
    lawyer = logged_in(app, "zhang.lawyer")
    for url in ("/console/directory", "/console/directory/units/baguodun", "/console/directory/export.xlsx"):
        assert lawyer.get(url).status_code == 403
    assert lawyer.post("/console/directory/units/baguodun", {"name": "越权"}).status_code == 403
    assert 'id="nav-directory"' not in page(lawyer.get("/console/"))

    coordinator = logged_in(app, new_account(services, "coordinator", "tangjiadun"))
    listing = page(coordinator.get("/console/directory"))
    assert 'id="nav-directory"' in listing
    assert "唐家墩街道" in listing and "八古墩社区" in listing and "万松街道" not in listing
    room = page(coordinator.get("/console/directory/units/baguodun"))
    assert "张律师" in room and 'id="unit-form"' not in room  # read only
    elsewhere = coordinator.get("/console/directory/units/xiqiao")  # another street's room
    assert elsewhere.status_code == 404
    assert "不在您负责的街道内" in page(elsewhere) and "工单" not in page(elsewhere)
    assert coordinator.post("/console/directory/units/baguodun", {"name": "越权"}).status_code == 403
    assert coordinator.get("/console/directory/export.csv").status_code == 403
    assert coordinator.get("/console/directory/import").status_code == 403
    assert unit(services, "baguodun")["name"] == "八古墩社区"

    listing = page(admin.get("/console/directory"))
    for street in ("民族街道", "花楼街道", "汉兴街道", "江汉经济开发区", "武汉中央商务区"):
        assert street in listing
    assert 'id="import-link"' in listing and 'id="sample-notice"' in listing
    assert "flask setup" not in listing and "示例目录在安装服务时载入" in listing
    missing = admin.get("/console/directory/units/nowhere")
    assert missing.status_code == 404 and "服务目录里没有这个单位" in page(missing) and "工单" not in page(missing)


def unit_form(**changes) -> dict:
    form = {
        "name": "西桥社区",
        "office_name": "西桥社区公共法律服务工作室",
        "aliases": "西桥、西桥小区、西乔社区",
        "address": "西桥社区党群服务中心一楼（示例地址）",
        "phone": "027-8000-1202（示例）",
        "hours": "工作日 9:00-12:00 14:00-17:30",
        "latitude": "30.604",
        "longitude": "114.254",
        "division_code": "",
    }
    return form | changes


def test_an_admins_edit_of_a_room_is_saved_audited_and_found_by_residents(app, services, admin):
    admin.get("/console/directory/units/xiqiao")
    answer = admin.post(
        "/console/directory/units/xiqiao",
        unit_form(hours="周一至周六 8:30-12:00 14:00-18:00", aliases="西桥、西桥小区、西乔社区、西桥村"),
    )
    assert answer.status_code == 302
    saved_unit = unit(services, "xiqiao")
    assert saved_unit["hours"] == "周一至周六 8:30-12:00 14:00-18:00"
    assert saved_unit["aliases"][-1] == "西桥村" and saved_unit["edited_by"] == admin.username
    assert "已保存：别名、办公时间" in page(admin.get("/console/directory/units/xiqiao"))
    [entry] = audit_entries(services, AuditAction.DIRECTORY_UNIT_EDIT)
    assert entry.actor == admin.username
    assert entry.before["hours"] == "工作日 9:00-12:00 14:00-17:30"
    assert entry.after == {
        "unit": "xiqiao",
        "aliases": "西桥、西桥小区、西乔社区、西桥村",
        "hours": "周一至周六 8:30-12:00 14:00-18:00",
    }
    with services.db.session() as session:
        assert [room.code for room in match_communities(session, "我住西桥村")] == ["xiqiao"]
    log = page(admin.get("/console/audit"))  # the audit page reads it in words
    assert "修改单位" in log and "单位 xiqiao" in log and "办公时间" in log and "西桥村" in log

    admin.post(
        "/console/directory/units/xiqiao",
        unit_form(hours="周一至周六 8:30-12:00 14:00-18:00", aliases="西桥、西桥小区、西乔社区、西桥村"),
    )
    assert "没有改动" in page(admin.get("/console/directory/units/xiqiao"))
    assert len(audit_entries(services, AuditAction.DIRECTORY_UNIT_EDIT)) == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"hours": "周六上午"}, "unit-hours", "没有找到时间段"),
        ({"hours": "工作日 9:00-17:00 节假日除外"}, "unit-hours", "看不懂“节假日除外”"),
        ({"hours": "工作日 14:00-12:00"}, "unit-hours", "开始时间要早于结束时间"),
        ({"latitude": "北纬三十度"}, "unit-latitude", "纬度要填数字"),
        ({"latitude": "114.25", "longitude": "30.60"}, "unit-latitude", "填反"),
        ({"longitude": ""}, "unit-longitude", "要一起填"),
        ({"aliases": "西桥、打铜"}, "unit-aliases", "也是打铜社区（datong）的名称或别名"),
        ({"name": ""}, "unit-name", "不能为空"),
        ({"division_code": "42010"}, "unit-division-code", "6、9 或 12 位数字"),
    ],
)
def test_a_value_the_directory_cannot_use_is_refused_beside_its_field(app, services, admin, changes, field, message):
    admin.get("/console/directory/units/xiqiao")
    answer = admin.post("/console/directory/units/xiqiao", unit_form(**changes))
    assert answer.status_code == 200
    text = page(answer)
    error = text[text.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    assert unit(services, "xiqiao")["hours"] == "工作日 9:00-12:00 14:00-17:30"
    assert audit_entries(services, AuditAction.DIRECTORY_UNIT_EDIT) == []


def test_an_admin_edits_disables_and_adds_accounts(app, services, admin):
    username = new_account(services, "lawyer", "baguodun")
    admin.get(f"/console/directory/staff/{username}")
    form = {"name": "测试律师", "role": "lawyer", "unit": "xiqiao", "active": "y"}
    assert admin.post(f"/console/directory/staff/{username}", form).status_code == 302
    assert admin.post(f"/console/directory/staff/{username}", form | {"active": ""}).status_code == 302
    with services.db.session() as session:
        account = staff_by_username(session, username)
        assert account.unit_id == unit_by_code(session, "xiqiao").id and not account.active
    [moved] = audit_entries(services, AuditAction.DIRECTORY_STAFF_EDIT)
    assert moved.before["unit"] == "baguodun" and moved.after["unit"] == "xiqiao"
    [disabled] = audit_entries(services, AuditAction.DIRECTORY_STAFF_DISABLE)
    assert disabled.before["active"] == "是" and disabled.after["active"] == "否"
    assert logged_in_fails(app, username)

    refused = admin.post(f"/console/directory/staff/{username}", form | {"role": "coordinator"})
    assert "街道协调员的所在单位必须是街道级" in page(refused)
    own = admin.post(
        f"/console/directory/staff/{admin.username}", {"name": "管理员", "role": "admin", "unit": "jianghan"}
    )
    assert "不能停用您自己的账号" in page(own)

    admin.get("/console/directory/units/hualoujie/staff/new")
    new = {"username": "ye2.lawyer", "name": "叶二律师", "role": "lawyer", "unit": "hualoujie", "active": "y"}
    assert admin.post("/console/directory/units/hualoujie/staff/new", new).status_code == 302
    with services.db.session() as session:
        created = staff_by_username(session, "ye2.lawyer")
        assert created.password_hash is None and created.active and created.edited_by == admin.username
    again = admin.post("/console/directory/units/hualoujie/staff/new", new)
    assert "已经有人用了" in page(again)
    upper = admin.post("/console/directory/units/hualoujie/staff/new", new | {"username": "Ye2.Lawyer"})
    assert "已经有人用了（ye2.lawyer，登录时不分大小写）" in page(upper)
    assert len(audit_entries(services, AuditAction.DIRECTORY_STAFF_ADD)) == 1


def logged_in_fails(app, username: str) -> bool:
    return StaffUser(app.test_client()).log_in(username).status_code != 302


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_export_read_back_changes_nothing(admin, kind):
    exported = admin.client.get(f"/console/directory/export.{kind}")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(exported.data))
        assert book.sheetnames == ["单位", "人员", "说明"]
        assert [cell.value for cell in book["单位"][1]][:4] == ["代码", "级别", "上级代码", "名称"]
        assert len(list(book["单位"].iter_rows(min_row=2))) == 26
    else:
        rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
        assert rows[0][0] == "表" and {row[0] for row in rows[1:]} == {"单位", "人员"}
        assert all("password" not in cell for row in rows for cell in row)
    text, _ = preview_of(admin, upload(admin, exported.data, f"directory.{kind}"))
    assert "完全一样" in text and 'id="apply"' not in text


def error_rows(text: str) -> list[str]:
    """The preview's error table, a row a line: "where|column|problem"."""
    rows = re.findall(r'<tr class="import-error">(.*?)</tr>', text, flags=re.S)
    cells = (re.findall(r"<td>(.*?)</td>", row, flags=re.S) for row in rows)
    return ["|".join(re.sub(r"<[^>]+>", "", cell).strip() for cell in row) for row in cells]


def column_row(rows: list[list[str]], code: str) -> int:
    """The line of the CSV a unit's row is on."""
    return next(number for number, row in enumerate(rows, start=1) if len(row) > 1 and row[1] == code)


def test_every_error_is_listed_with_its_row_and_nothing_changes(admin, services):
    exported = admin.client.get("/console/directory/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    header, body = rows[0], rows[1:]
    column = {name: index for index, name in enumerate(header)}

    def unit_line(code, parent, name, hours="工作日 9:00-17:00"):
        line = [""] * len(header)
        line[0], line[column["代码"]], line[column["级别"]], line[column["上级代码"]] = "单位", code, "社区", parent
        line[column["名称"]], line[column["办公时间"]] = name, hours
        return line

    staff = [""] * len(header)
    staff[0], staff[column["用户名"]], staff[column["姓名"]] = "人员", "new.person", "新人"
    staff[column["角色"]], staff[column["所在单位代码"]], staff[column["在岗"]] = "律师", "baguodun", "是"
    body += [
        unit_line("newroom", "nowhere", "新社区"),  # line 80 of the file: header + 78 rows + 1
        unit_line("xiqiao", "wansong", "第二个西桥"),
        unit_line("late", "wansong", "晚开社区", hours="工作日 9:00-17:00 节假日除外"),
        staff,
    ]
    out = io.StringIO()
    csv.writer(out).writerows([header, *body])
    text, _ = preview_of(admin, upload(admin, out.getvalue().encode("utf-8"), "directory.csv"))
    first = len(rows) + 1  # the first added line's number
    assert error_rows(text) == [
        f"单位表第 {first} 行|上级代码|上级代码“nowhere”不在目录里（未知街道）",
        f"单位表第 {first + 1} 行|代码|“xiqiao”重复：第 {column_row(rows, 'xiqiao')} 行已经是它",
        f"单位表第 {first + 2} 行|办公时间|看不懂“节假日除外”："
        "只能写 工作日、周末、每天、周一…周日（如 周一至周六）、休息 和时间段，如：工作日 9:00-12:00；周六 9:00-12:00",
        f"人员表第 {first + 3} 行|角色|角色“律师”不对：可填 社区律师、人民调解员、物业房管员、街道协调员、区级管理员",
    ]
    assert 'id="apply"' not in text and "没有修改目录" in text
    assert unit(services, "newroom") == {}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_dry_run_shows_each_change_and_apply_makes_exactly_those(admin, services, engine):
    book = workbook(admin)
    units, staff = book["单位"], book["人员"]
    row_of(units, "xiqiao")[8].value = "工作日 8:30-17:30"  # 办公时间
    units.append(
        [
            "liji",
            "社区",
            "hualoujie",
            "利济社区",
            "",
            "利济、利济路社区",
            "",
            "027-8000-1501",
            "工作日 9:00-17:00",
            30.583,
            114.289,
            "",
        ]
    )
    staff.append(["liji.lawyer", "利律师", "社区律师", "liji", "是"])
    staff.delete_rows(row_of(staff, "lei.mediator")[0].row)  # 雷调解员 leaves the service
    text, location = preview_of(admin, upload(admin, saved(book), "江汉区服务目录.xlsx"))

    assert "新增 2 行，修改 1 行，删除或停用 1 行" in text
    changed = text[text.index('id="diff-changed-xiqiao"') :]
    assert "工作日 9:00-12:00 14:00-17:30" in changed[:800] and "工作日 8:30-17:30" in changed[:800]
    assert 'id="diff-added-liji"' in text and 'id="diff-added-liji.lawyer"' in text
    assert 'id="diff-removed-lei.mediator"' in text
    assert unit(services, "liji") == {}  # a dry run changes nothing
    assert unit(services, "xiqiao")["hours"] == "工作日 9:00-12:00 14:00-17:30"

    answer = admin.post(f"{location}/apply", apply_form(text))
    assert answer.status_code == 302
    assert "已导入 江汉区服务目录.xlsx：新增 2 行，修改 1 行，删除或停用 1 行" in page(admin.get("/console/directory"))
    assert unit(services, "xiqiao")["hours"] == "工作日 8:30-17:30"
    assert unit(services, "liji")["aliases"] == ["利济", "利济路社区"]
    with services.db.session() as session:
        assert staff_by_username(session, "liji.lawyer").unit_id == unit_by_code(session, "liji").id
        assert staff_by_username(session, "lei.mediator").active is False
        assert [room.code for room in match_communities(session, "我住利济路社区")] == ["liji"]
        record = session.scalars(select(DirectoryImport)).one()
        assert record.applied_by == admin.username
    [summary] = audit_entries(services, AuditAction.DIRECTORY_IMPORT)
    assert summary.after["added"] == 2 and summary.after["changed"] == 1 and summary.after["removed"] == 1
    assert len(audit_entries(services, AuditAction.DIRECTORY_UNIT_ADD)) == 1
    assert audit_entries(services, AuditAction.DIRECTORY_STAFF_DISABLE)[0].before["account"] == "lei.mediator"

    again = admin.post(f"{location}/apply", apply_form(text))
    assert "导入过了" in page(admin.get(again.headers["Location"]))

    # The room just added has nothing referring to it but its account: moved away, the room can go.
    book = workbook(admin)
    book["单位"].delete_rows(row_of(book["单位"], "liji")[0].row)
    row_of(book["人员"], "liji.lawyer")[3].value = "hualoujie"
    text, location = preview_of(admin, upload(admin, saved(book), "directory.xlsx"))
    assert 'id="diff-removed-liji"' in text
    applied = admin.post(f"{location}/apply", apply_form(text))
    assert "已导入" in page(admin.get(applied.headers["Location"]))
    assert unit(services, "liji") == {}


def test_a_unit_with_cases_residents_or_accounts_is_not_deleted(admin, services):
    new_case(services, "baguodun")
    book = workbook(admin)
    book["单位"].delete_rows(row_of(book["单位"], "baguodun")[0].row)
    for username in ("zhang.lawyer", "li.mediator", "wang.property"):
        book["人员"].delete_rows(row_of(book["人员"], username)[0].row)
    text, _ = preview_of(admin, upload(admin, saved(book), "directory.xlsx"))
    [error] = error_rows(text)
    assert error.startswith("单位表|—|八古墩社区（baguodun）不在文件里，但还有")
    assert "1 个工单" in error and "3 个人员账号" in error and error.endswith("不能删除：请把它留在文件里")
    assert 'id="apply"' not in text


def test_apply_is_refused_when_the_directory_or_the_file_changed_since_the_preview(admin, services):
    book = workbook(admin)
    row_of(book["单位"], "xiqiao")[8].value = "工作日 8:30-17:30"
    text, location = preview_of(admin, upload(admin, saved(book), "directory.xlsx"))
    seen = apply_form(text)

    tampered = admin.post(f"{location}/apply", seen | {"file_hash": "0" * 64})
    assert "文件和预览时的不一样" in page(admin.get(tampered.headers["Location"]))

    admin.get("/console/directory/units/datong")  # meanwhile an admin edits another room
    datong = unit_form(
        name="打铜社区",
        office_name="打铜社区公共法律服务工作室",
        aliases="打铜、打铜街、大铜社区、达铜社区",
        address="打铜社区党群服务中心一楼（示例地址）",
        phone="027-8000-1301（示例）",
        hours="每天 9:00-18:00",
        latitude="30.5765",
        longitude="114.2818",
    )
    assert admin.post("/console/directory/units/datong", datong).status_code == 302
    stale = admin.post(f"{location}/apply", seen)
    assert "预览之后目录已有改动" in page(admin.get(stale.headers["Location"]))
    assert unit(services, "xiqiao")["hours"] == "工作日 9:00-12:00 14:00-17:30"
    assert audit_entries(services, AuditAction.DIRECTORY_IMPORT) == []

    text = page(admin.get(location))  # previewed again: the new diff may be applied
    assert "打铜" in text and admin.post(f"{location}/apply", apply_form(text)).status_code == 302
    assert unit(services, "xiqiao")["hours"] == "工作日 8:30-17:30"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_file_exported_before_a_colleagues_edit_does_not_undo_it_unless_ticked(admin, services, kind):
    exported = admin.client.get(f"/console/directory/export.{kind}").data
    with services.db.session() as session:  # a colleague renames an account after the export
        account = staff_by_username(session, "wang.property")
        account.name, account.edited_by, account.edited_at = "王建国", "colleague.admin", utcnow()
        session.commit()

    text, location = preview_of(admin, upload(admin, exported, f"directory.{kind}"))
    assert 'id="edited-notice"' in text and 'id="undo-edits"' in text
    warning = text[text.index('id="edited-wang.property"') :]
    assert "导出后有人改过（colleague.admin" in warning
    assert "姓名 王房管员 → 王建国" in warning[: warning.index("</p>")] and "会撤销这次修改" in warning

    kept = admin.post(f"{location}/apply", apply_form(text))  # not ticked: the row is left out
    assert "导出后别人改过的 1 行没有导入" in page(admin.get(kept.headers["Location"]))
    with services.db.session() as session:
        assert staff_by_username(session, "wang.property").name == "王建国"

    text, location = preview_of(admin, upload(admin, exported, f"directory.{kind}"))
    undone = admin.post(f"{location}/apply", apply_form(text) | {"undo_edits": "y"})  # ticked: meant
    assert "修改 1 行" in page(admin.get(undone.headers["Location"]))
    with services.db.session() as session:
        assert staff_by_username(session, "wang.property").name == "王房管员"


def test_a_file_without_its_export_time_marks_nothing(admin, services):
    exported = admin.client.get("/console/directory/export.csv").data.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(exported)))
    assert header[-1] == "说明" and all("导出于" in line[-1] for line in lines)
    bare = io.StringIO()
    csv.writer(bare).writerows([header[:-1], *(line[:-1] for line in lines)])
    with services.db.session() as session:
        account = staff_by_username(session, "wang.property")
        account.name, account.edited_by, account.edited_at = "王建国", "colleague.admin", utcnow()
        session.commit()
    text, _ = preview_of(admin, upload(admin, bare.getvalue().encode("utf-8"), "directory.csv"))
    assert 'id="no-export-time"' in text and 'id="edited-wang.property"' not in text and 'id="apply"' in text
