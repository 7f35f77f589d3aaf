"""服务目录 (/console/directory): the district's streets, rooms and staff accounts. District admins
edit a unit (name, aliases, office hours, location, phone) and accounts (name, role, unit, active),
export the whole directory as .xlsx or CSV and import one: checked row by row, shown as a dry-run
diff, then applied exactly as shown. Street coordinators see their streets; everyone else gets 403.
Every change is in the audit log (bot.cases.directory_edit, bot.cases.directory_import)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from bot.cases import directory_rules as rules
from bot.cases.directory import DEFAULT_DIRECTORY
from bot.cases.directory_edit import (
    StaffEdit,
    UnitEdit,
    add_staff,
    edit_staff,
    edit_unit,
    staff_problems,
    unit_problems,
)
from bot.cases.directory_file import STAFF_SHEET, UNIT_SHEET, DirectoryFileError, FileFormat, write_file
from bot.cases.directory_import import ChangeKind, ImportRefused, apply_import, check_file, dry_run
from bot.cases.directory_rows import coordinate, database_rows, split_aliases
from bot.cases.directory_seed import is_sample
from bot.cases.directory_view import (
    applied_imports,
    directory_tree,
    recent_imports,
    rooms_of,
    unit_card,
    visible_streets,
)
from bot.cases.staff import ACCOUNT_ROLES, ROLE_NAMES
from bot.storage.base import utcnow
from bot.storage.directory import DirectoryImport, Unit, UnitLevel, all_units, unit_by_code
from bot.storage.staff import staff_by_username
from webhook.console.common import blueprint, db, me

bp = blueprint("console_directory")
MAX_UPLOAD = 2 * 1024 * 1024  # a district's directory is some tens of kilobytes


def _check(problem: Callable[[str], str | None]) -> Callable[[FlaskForm, StringField], None]:
    """A form validator asking one of the directory's rules (bot.cases.directory_rules)."""

    def validate(form: FlaskForm, field: StringField) -> None:
        message = problem((field.data or "").strip())
        if message:
            raise ValidationError(message)

    return validate


class UnitForm(FlaskForm):
    """A unit's editable fields; each checked by the rule an imported file's cell is checked by."""

    name = StringField("名称", validators=[DataRequired("不能为空"), Length(max=64, message="不能超过 64 个字")])
    office_name = StringField("办公场所（留空即同名称）", validators=[Length(max=128, message="不能超过 128 个字")])
    aliases = TextAreaField(
        "别名（居民可能的叫法，用顿号“、”或换行隔开）",
        validators=[_check(lambda text: rules.aliases_problem(split_aliases(text)))],
    )
    address = StringField("地址", validators=[Length(max=256, message="不能超过 256 个字")])
    phone = StringField("电话", validators=[Length(max=64, message="不能超过 64 个字")])
    hours = StringField("办公时间", validators=[_check(rules.hours_problem)])
    latitude = StringField(
        "纬度", validators=[_check(lambda text: rules.coordinate_problem(text, rules.LATITUDES, "纬度"))]
    )
    longitude = StringField(
        "经度", validators=[_check(lambda text: rules.coordinate_problem(text, rules.LONGITUDES, "经度"))]
    )
    division_code = StringField("区划代码", validators=[_check(rules.division_code_problem)])

    def validate_longitude(self, field: StringField) -> None:
        """Both coordinates or neither."""
        message = rules.location_problem(self.latitude.data or "", field.data or "")
        if message:
            raise ValidationError(message)

    def edit(self) -> UnitEdit:
        """The form's values, as the edit to save."""
        latitude, longitude = (self.latitude.data or "").strip(), (self.longitude.data or "").strip()
        return UnitEdit(
            name=self.name.data.strip(),
            office_name=(self.office_name.data or "").strip(),
            aliases=split_aliases(self.aliases.data or ""),
            address=(self.address.data or "").strip(),
            phone=(self.phone.data or "").strip(),
            hours=(self.hours.data or "").strip(),
            latitude=coordinate(float(latitude)) if latitude else None,
            longitude=coordinate(float(longitude)) if longitude else None,
            division_code=(self.division_code.data or "").strip(),
        )


class StaffForm(FlaskForm):
    """An account's directory fields (the username only when it is new; never a password)."""

    username = StringField("用户名（登录用，之后不能改）", validators=[Length(max=64)])
    name = StringField("姓名", validators=[DataRequired("不能为空"), Length(max=64, message="不能超过 64 个字")])
    role = SelectField("角色", choices=[(role, ROLE_NAMES[role]) for role in ACCOUNT_ROLES])
    unit = SelectField("所在单位", choices=[])
    active = BooleanField("在岗（取消勾选即停用，不能再登录，也不再收到工单提醒）")

    def edit(self) -> StaffEdit:
        """The form's values, as the edit to save."""
        return StaffEdit(self.name.data.strip(), self.role.data, self.unit.data, bool(self.active.data))


class ImportForm(FlaskForm):
    """The file to check."""

    file = FileField("目录文件（.xlsx 或 .csv）")


class ApplyForm(FlaskForm):
    """What the dry run showed: the file's and the diff's hashes, checked again when applying."""

    file_hash = HiddenField()
    diff_hash = HiddenField()
    undo_edits = BooleanField("导出后别人改过的行也按文件改（会撤销他们的修改）；不勾选则这些行不导入")


@bp.before_request
@login_required
def _admins_and_coordinators_only():
    if not (current_user.scope.admin or _my_streets()):
        abort(403)


@bp.errorhandler(404)
def _not_in_directory(error):
    """A unit or account that is not there for this member: said in the directory's words, not a case's."""
    text = (
        "服务目录里没有这个单位或账号，或者它不在您负责的街道内。"
        if current_user.is_authenticated and not current_user.scope.admin
        else "服务目录里没有这个单位或账号，可能已被删除或代码有误。"
    )
    return render_template("console/error.html", title="找不到这个单位", text=text, back=None), 404


def _admin_only() -> None:
    if not current_user.scope.admin:
        abort(403)


def _my_streets() -> set[int]:
    """The streets a coordinator coordinates (none for room staff)."""
    if not current_user.scope.all_roles_in:
        return set()
    with db() as session:
        return visible_streets(session, current_user.scope.all_roles_in)


def _visible(unit: Unit) -> bool:
    """Whether the logged-in member may see this unit's page."""
    return current_user.scope.admin or unit.id in current_user.scope.all_roles_in


@bp.route("/console/directory")
def index():
    """The streets and rooms (a coordinator's own streets), with the tools for admins."""
    admin = current_user.scope.admin
    with db() as session:
        tree = directory_tree(session, None if admin else _my_streets())
        return render_template(
            "console/directory.html",
            tree=tree,
            admin=admin,
            imports=recent_imports(session) if admin else [],
            sample=is_sample(DEFAULT_DIRECTORY) and not applied_imports(session),
            levels=UnitLevel,
        )


@bp.route("/console/directory/units/<code>", methods=["GET", "POST"])
def unit_page(code: str):
    """A unit: its details and accounts; admins edit it here."""
    with db() as session:
        unit = unit_by_code(session, code)
        if unit is None or not _visible(unit):
            abort(404)
        form = UnitForm(data=None if request.method == "POST" else _unit_values(unit))
        if request.method == "POST":
            _admin_only()
            if form.validate_on_submit() and not _unit_refused(form, unit_problems(session, unit, form.edit())):
                changes = edit_unit(session, unit, form.edit(), me(session))
                flash(f"已保存：{'、'.join(change.label for change in changes)}" if changes else "没有改动", "ok")
                return redirect(url_for("console_directory.unit_page", code=code))
        return render_template(
            "console/directory_unit.html",
            unit=unit,
            card=unit_card(session, unit),
            rooms=rooms_of(session, unit),
            parent=session.get(Unit, unit.parent_id) if unit.parent_id else None,
            form=form,
            admin=current_user.scope.admin,
        )


def _unit_values(unit: Unit) -> dict[str, str]:
    """A unit's fields as the form shows them."""
    values = {name: getattr(unit, name) or "" for name in ("name", "office_name", "address", "phone", "hours")}
    return values | {
        "division_code": unit.division_code or "",
        "aliases": "、".join(unit.aliases or []),
        "latitude": "" if unit.latitude is None else str(unit.latitude),
        "longitude": "" if unit.longitude is None else str(unit.longitude),
    }


def _unit_refused(form: FlaskForm, problems: dict[str, str]) -> bool:
    for name, message in problems.items():
        form[name].errors = [*form[name].errors, message]
    return bool(problems)


@bp.route("/console/directory/staff/<username>", methods=["GET", "POST"])
def staff_page(username: str):
    """An account's directory fields (admins)."""
    _admin_only()
    with db() as session:
        account = staff_by_username(session, username)
        if account is None:
            abort(404)
        unit = session.get(Unit, account.unit_id)
        form = StaffForm(obj=None if request.method == "POST" else account)
        form.unit.choices = _unit_choices(session)
        if request.method == "GET":
            form.unit.data = unit.code if unit else ""
        elif form.validate_on_submit() and not _unit_refused(
            form, staff_problems(session, account, username, form.edit(), me(session))
        ):
            changes = edit_staff(session, account, form.edit(), me(session))
            flash(f"已保存：{'、'.join(change.label for change in changes)}" if changes else "没有改动", "ok")
            return redirect(url_for("console_directory.unit_page", code=form.unit.data))
        return render_template("console/directory_staff.html", form=form, account=account, unit=unit)


@bp.route("/console/directory/units/<code>/staff/new", methods=["GET", "POST"])
def new_staff(code: str):
    """A new account in this unit (admins); it logs in once `flask staff passwd` gave it a password."""
    _admin_only()
    with db() as session:
        unit = unit_by_code(session, code)
        if unit is None:
            abort(404)
        form = StaffForm()
        form.unit.choices = _unit_choices(session)
        if request.method == "GET":
            form.unit.data, form.active.data = code, True
        elif form.validate_on_submit():
            username = (form.username.data or "").strip()
            if not _unit_refused(form, staff_problems(session, None, username, form.edit(), me(session))):
                add_staff(session, username, form.edit(), me(session))
                flash(f"已新增账号 {username}；设置密码后才能登录：flask --app webhook staff passwd {username}", "ok")
                return redirect(url_for("console_directory.unit_page", code=form.unit.data))
        return render_template("console/directory_staff.html", form=form, account=None, unit=unit)


def _unit_choices(session) -> list[tuple[str, str]]:
    return [(unit.code, f"{unit.office_name or unit.name}（{unit.code}）") for unit in all_units(session)]


@bp.route("/console/directory/export.<kind>")
def export(kind: str):
    """The whole directory as a file (admins)."""
    _admin_only()
    if kind not in set(FileFormat):
        abort(404)
    exported_at = utcnow()  # taken before the rows are read: an edit made meanwhile counts as after it
    with db() as session:
        content = write_file(database_rows(session), FileFormat(kind), exported_at)
    filename = f"jianghan-directory-{exported_at:%Y%m%d}.{kind}"
    return Response(
        content,
        mimetype=FileFormat(kind).mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/console/directory/import", methods=["GET", "POST"])
def import_file():
    """Upload a file: it is checked and kept, and its dry run shown (admins)."""
    _admin_only()
    form = ImportForm()
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_UPLOAD + 1) if upload else b""
        if not content:
            form.file.errors = ["请选择要导入的文件"]
        elif len(content) > MAX_UPLOAD:
            form.file.errors = [f"文件太大（超过 {MAX_UPLOAD // 1024 // 1024} MB），不像是服务目录"]
        else:
            with db() as session:
                try:
                    record, _ = dry_run(session, upload.filename or "", content, me(session))
                except DirectoryFileError as error:
                    form.file.errors = [str(error)]
                else:
                    return redirect(url_for("console_directory.preview", import_id=record.id))
    return render_template("console/directory_import.html", form=form)


@bp.route("/console/directory/imports/<int:import_id>")
def preview(import_id: int):
    """A kept file checked against the directory as it is now: its errors, or the diff to apply."""
    _admin_only()
    with db() as session:
        record = session.get(DirectoryImport, import_id)
        if record is None:
            abort(404)
        try:
            checked = check_file(session, record.content, me(session))
        except DirectoryFileError as error:
            flash(str(error), "error")
            return redirect(url_for("console_directory.import_file"))
        form = ApplyForm(file_hash=record.file_hash, diff_hash=checked.diff.digest())
        return render_template(
            "console/directory_preview.html",
            record=record,
            checked=checked,
            form=form,
            kinds=ChangeKind,
            sheets=(UNIT_SHEET, STAFF_SHEET),
        )


@bp.route("/console/directory/imports/<int:import_id>/apply", methods=["POST"])
def apply(import_id: int):
    """Apply a kept file exactly as its preview showed it."""
    _admin_only()
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    with db() as session:
        record = session.get(DirectoryImport, import_id)
        if record is None:
            abort(404)
        try:
            seen = (form.file_hash.data or "", form.diff_hash.data or "")
            diff, left_out = apply_import(session, record, *seen, me(session), undo_edits=bool(form.undo_edits.data))
        except ImportRefused as error:
            refused = str(error)
        else:
            counts = diff.counts()
            flash(
                f"已导入 {record.filename}：新增 {counts['added']} 行，修改 {counts['changed']} 行，"
                f"删除或停用 {counts['removed']} 行"
                + (f"；导出后别人改过的 {left_out} 行没有导入，保留了他们的修改" if left_out else ""),
                "ok",
            )
            return redirect(url_for("console_directory.index"))
    flash(refused, "error")
    return redirect(url_for("console_directory.preview", import_id=import_id))
