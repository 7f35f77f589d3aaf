"""The directory as a file admins keep in a spreadsheet: .xlsx with a sheet of units (单位) and one of
staff accounts (人员), or one CSV whose first column (表) says which a row is. Headers are the
Chinese field names (or the stored ones); cells are read as text with their row number, for the
import to check (bot.cases.directory_import)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from bot.cases.directory_rows import STAFF_FIELDS, UNIT_FIELDS, DirectoryRows, StaffRow, UnitRow, shown
from bot.cases.place_words import place_pattern

UNIT_SHEET, STAFF_SHEET, NOTES_SHEET = "单位", "人员", "说明"
SHEET_COLUMN = "表"  # the CSV's first column
NOTE_COLUMN = "说明"  # the CSV's last column: when the file was exported
EXPORTED_TOPIC = "导出时间"
# When the file was exported, as written in it: text a spreadsheet keeps as text, read back exactly.
EXPORTED = place_pattern("exported_at")
FORMULA_STARTS = ("=", "+", "-", "@")  # how a spreadsheet knows a formula
MAX_ROWS = 20_000  # far above a district's directory: a bigger file is not one
NOTES = (
    ("单位", "区公共法律服务中心、街道（功能区）工作站、社区工作室各一行；代码唯一，社区的上级代码填所属街道的代码。"),
    ("级别", "区、街道 或 社区。江汉经济开发区、武汉中央商务区按街道级填写。"),
    ("别名", "居民可能的叫法，多个用顿号“、”隔开，如：八古墩、八古敦。"),
    (
        "办公时间",
        "如：工作日 9:00-12:00 14:00-17:30；周六 9:00-12:00。"
        "可写 工作日、周末、每天、周一…周日、周一至周六，不上班写“休息”。",
    ),
    ("纬度 / 经度", "工作室位置，十进制度数，如 30.5945 / 114.2705；居民发送位置时按它找最近的工作室。"),
    ("区划代码", "国家统计局统计用区划代码：区 6 位，街道 9 位（也可填 12 位）。"),
    ("人员", "每个账号一行；角色填 社区律师、人民调解员、物业房管员、街道协调员 或 区级管理员；在岗填 是 或 否。"),
    ("删除", "文件里没有的人员账号会被停用；文件里没有的单位会被删除（已有工单、居民或人员的单位不能删除）。"),
    ("密码", "文件不含密码；新账号导入后用 flask --app webhook staff passwd 用户名 设置密码。"),
)


class FileFormat(StrEnum):
    """The two shapes a directory file comes in."""

    XLSX = "xlsx"
    CSV = "csv"

    @property
    def mimetype(self) -> str:
        """The download's content type."""
        if self == FileFormat.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"


class DirectoryFileError(ValueError):
    """A file that cannot be read as a directory at all (the message says why, in Chinese)."""


@dataclass(frozen=True)
class FileRow:
    """One data row of a file: its sheet (单位 / 人员), its row number as the spreadsheet shows it,
    and its cells as text by field name."""

    sheet: str
    number: int
    cells: dict[str, str]

    def cell(self, field: str) -> str:
        """A cell's text, stripped ("" when the column is missing or empty)."""
        return self.cells.get(field, "").strip()


def write_file(rows: DirectoryRows, kind: FileFormat, exported_at: datetime | None = None) -> bytes:
    """The whole directory as a file of this format, saying when it was exported (read back on
    import to find rows colleagues edited since)."""
    return write_xlsx(rows, exported_at) if kind == FileFormat.XLSX else write_csv(rows, exported_at)


def export_note(exported_at: datetime) -> str:
    """The note an exported file carries: "导出于 2026-11-24 10:00:05.123456+08:00 …"."""
    return f"导出于 {exported_at.isoformat(sep=' ')}；导入时据此找出导出后别人改过的行，请勿修改这一格。"


def exported_at(content: bytes) -> datetime | None:
    """When a directory file was exported, from its 说明 sheet or CSV column (None: not said)."""
    found = EXPORTED.search(_note_text(content))
    return datetime.fromisoformat(found.group(1)) if found else None


def _note_text(content: bytes) -> str:
    if content[:2] != b"PK":
        try:
            return _decode(content)
        except DirectoryFileError:
            return ""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        return ""
    try:
        if NOTES_SHEET not in book.sheetnames:
            return ""
        return "\n".join(
            " ".join(_text(value) for value in line) for line in book[NOTES_SHEET].iter_rows(values_only=True)
        )
    finally:
        book.close()


def write_xlsx(rows: DirectoryRows, exported_at: datetime | None = None) -> bytes:
    """The directory as a workbook: 单位, 人员 and a sheet of notes on the columns (and when it was exported)."""
    book = Workbook()
    units = book.active
    assert units is not None  # a new workbook has its one sheet
    units.title = UNIT_SHEET
    _fill(units, UNIT_FIELDS, (_cells(row, UNIT_FIELDS) for row in rows.units))
    _fill(book.create_sheet(STAFF_SHEET), STAFF_FIELDS, (_cells(row, STAFF_FIELDS) for row in rows.staff))
    notes = [list(note) for note in NOTES]
    if exported_at is not None:
        notes.append([EXPORTED_TOPIC, export_note(exported_at)])
    _fill(book.create_sheet(NOTES_SHEET), {"topic": "项目", "note": "说明"}, notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, columns: dict[str, str], body: Iterable[list[Any]]) -> None:
    labels = list(columns.values())
    rows = [list(values) for values in body]
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)  # codes and phones are text cells: a spreadsheet keeps their digits as written
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
    sheet.freeze_panes = "A2"
    for index, label in enumerate(labels):
        width = max([len(label)] + [len(_text(values[index])) for values in rows]) * 2 + 2
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = min(60, width)


def _cells(row: UnitRow | StaffRow, columns: dict[str, str]) -> list[Any]:
    return [
        getattr(row, field) if field in ("latitude", "longitude") else shown(field, getattr(row, field))
        for field in columns
    ]


def write_csv(rows: DirectoryRows, exported_at: datetime | None = None) -> bytes:
    """The directory as one CSV (UTF-8 with a BOM, so Excel opens the Chinese right): a 表 column
    saying 单位 or 人员, then the units' columns, then the staff's, then a 说明 column saying when
    it was exported (on every row: sorting the rows keeps it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    note = [export_note(exported_at)] if exported_at is not None else []
    writer.writerow([SHEET_COLUMN, *UNIT_FIELDS.values(), *STAFF_FIELDS.values(), *([NOTE_COLUMN] if note else [])])
    blank_staff, blank_units = [""] * len(STAFF_FIELDS), [""] * len(UNIT_FIELDS)
    for unit in rows.units:
        writer.writerow([UNIT_SHEET, *(_csv_cell(value) for value in _cells(unit, UNIT_FIELDS)), *blank_staff, *note])
    for account in rows.staff:
        cells = (_csv_cell(value) for value in _cells(account, STAFF_FIELDS))
        writer.writerow([STAFF_SHEET, *blank_units, *cells, *note])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> str:
    """A cell for the CSV: text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = _text(value)
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def read_file(content: bytes) -> list[FileRow]:
    """The data rows of an uploaded directory file (.xlsx or .csv, told apart by their bytes)."""
    if not content.strip():
        raise DirectoryFileError("文件是空的")
    if content[:2] == b"PK":  # a zip: an .xlsx workbook
        return _read_xlsx(content)
    return _read_csv(content)


def _read_xlsx(content: bytes) -> list[FileRow]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise DirectoryFileError("读不出这个 Excel 文件：请用“导出 Excel”得到的 .xlsx 文件修改后再导入") from error
    try:
        missing = [name for name in (UNIT_SHEET, STAFF_SHEET) if name not in book.sheetnames]
        if missing:
            raise DirectoryFileError(f"Excel 文件里没有“{'”“'.join(missing)}”工作表")
        return [
            *_sheet_rows(UNIT_SHEET, UNIT_FIELDS, book[UNIT_SHEET].iter_rows(values_only=True)),
            *_sheet_rows(STAFF_SHEET, STAFF_FIELDS, book[STAFF_SHEET].iter_rows(values_only=True)),
        ]
    finally:
        book.close()


def _sheet_rows(sheet: str, columns: dict[str, str], lines: Iterable[tuple[Any, ...]]) -> Iterator[FileRow]:
    lines = iter(lines)
    header = [_text(value) for value in next(lines, ())]
    fields = _header_fields(sheet, header, columns)
    for number, values in enumerate(lines, start=2):
        if number > MAX_ROWS:
            raise DirectoryFileError(f"{sheet}表超过 {MAX_ROWS} 行，不像是服务目录")
        cells = {field: _text(value) for field, value in zip(fields, values, strict=False) if field}
        if any(cells.values()):
            yield FileRow(sheet, number, cells)


def _header_fields(sheet: str, header: list[str], columns: dict[str, str]) -> list[str | None]:
    by_label = {label: field for field, label in columns.items()} | {field: field for field in columns}
    fields = [by_label.get(label.strip()) for label in header]
    key = next(iter(columns))
    if key not in fields:
        raise DirectoryFileError(f"{sheet}表第 1 行要有“{columns[key]}”列（表头请保留导出时的样子）")
    return fields


def _read_csv(content: bytes) -> list[FileRow]:
    text = _decode(content)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if not header or header[0].strip() != SHEET_COLUMN:
        raise DirectoryFileError(f"CSV 文件第 1 列要是“{SHEET_COLUMN}”（填 {UNIT_SHEET} 或 {STAFF_SHEET}）")
    unit_fields = _header_fields(UNIT_SHEET, header, UNIT_FIELDS)
    staff_fields = _header_fields(STAFF_SHEET, header, STAFF_FIELDS)
    rows = []
    for values in reader:
        if reader.line_num > MAX_ROWS:
            raise DirectoryFileError(f"CSV 文件超过 {MAX_ROWS} 行，不像是服务目录")
        sheet = values[0].strip() if values else ""
        fields = unit_fields if sheet == UNIT_SHEET else staff_fields
        cells = {field: _uncsv(value) for field, value in zip(fields, values, strict=False) if field}
        if sheet or any(value.strip() for value in values):
            rows.append(FileRow(sheet, reader.line_num, cells))
    return rows


def _uncsv(text: str) -> str:
    """A CSV cell as written before _csv_cell guarded it."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a BOM), else GB18030, as Excel on a Chinese Windows saves CSV."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise DirectoryFileError("读不出 CSV 文件的文字：请存成 UTF-8 编码") from error


def _text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (a code typed as a number), empty for blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
