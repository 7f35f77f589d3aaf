"""The report as files: the workbook (.xlsx: a sheet of figures, a sheet of cases) and the cases
as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese right). Text is written as text:
a name edited in the console that starts like a formula is never run as one."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.cases.audit_export import FORMULA_STARTS
from bot.cases.office_hours import CHINA
from bot.reporting.case_rows import HEADINGS, CaseRow
from bot.reporting.figures import NOTES, Figures
from bot.reporting.tables import Share, Table, all_tables

TITLE = "社区公共法律服务统计"
DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
# Column widths of the cases sheet (characters), in the order of HEADINGS.
CASE_WIDTHS = (16, 17, 22, 14, 10, 10, 6, 6, 17, 8, 17, 8, 8, 6)


def write_workbook(figures: Figures, rows: Iterable[CaseRow], out: IO[bytes]) -> int:
    """Write the workbook to `out`; returns how many cases it lists."""
    book = Workbook(write_only=True)  # rows stream to the file: a year's cases fit in little memory
    _figures_sheet(book.create_sheet("统计"), figures)
    listed = _cases_sheet(book.create_sheet("工单"), rows)
    book.save(out)
    return listed


def write_csv(rows: Iterable[CaseRow], out: IO[str]) -> int:
    """Write the cases as CSV to a text stream; returns how many."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    listed = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row.cells()])
        listed += 1
    return listed


def _figures_sheet(sheet: WriteOnlyWorksheet, figures: Figures) -> None:
    _widths(sheet, (34, *[13] * 16))
    sheet.append([_cell(sheet, f"{TITLE}（{figures.scope.label}）", HEADING)])
    sheet.append(["统计期间", figures.period.label])
    sheet.append(["生成时间", figures.made_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")])
    for table in all_tables(figures):
        sheet.append([])
        _table(sheet, table)
    sheet.append([])
    sheet.append([_cell(sheet, "说明", BOLD)])
    for note in NOTES:
        sheet.append([note])


def _table(sheet: WriteOnlyWorksheet, table: Table) -> None:
    sheet.append([_cell(sheet, table.title, BOLD)])
    sheet.append([_cell(sheet, heading, BOLD) for heading in table.headings])
    for row in table.rows:
        sheet.append([_cell(sheet, value) for value in row])


def _cases_sheet(sheet: WriteOnlyWorksheet, rows: Iterable[CaseRow]) -> int:
    _widths(sheet, CASE_WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, heading, BOLD) for heading in HEADINGS])
    listed = 0
    for row in rows:
        sheet.append([_plain(sheet, value) for value in row.cells()])
        listed += 1
    return listed


def _plain(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A case's value as it is (a styled cell each costs a third more time on a month's cases),
    unless it is text a spreadsheet would take for a formula or could not hold."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or ILLEGAL_CHARACTERS_RE.search(value)):
        return _cell(sheet, value)
    return value


def _widths(sheet: WriteOnlyWorksheet, widths: tuple[int, ...]) -> None:
    """Column widths in characters, from column A on (set before the first row is written)."""
    for index, width in enumerate(widths):
        # A write-only sheet has column dimensions; the type stubs leave them out.
        sheet.column_dimensions[get_column_letter(index + 1)].width = width  # type: ignore[attr-defined]


def _cell(sheet: WriteOnlyWorksheet, value: Any, font: Font | None = None) -> Cell:
    """A cell with its value typed for the spreadsheet: shares as percentages, times as dates."""
    if isinstance(value, Share):
        cell = WriteOnlyCell(sheet, value.value)
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # openpyxl takes "=…" for a formula otherwise
    else:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, datetime):
            cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"  # as text, not a formula
    return str(value)
