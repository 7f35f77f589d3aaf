"""The audit log's filtered entries as a file: CSV (UTF-8 with a BOM, so Excel reads the Chinese),
streamed, with each entry's stored before/after as JSON too; or .xlsx (openpyxl, written a row at a
time), the entries in words only and fewer of them — a workbook is built whole before it is sent.
A cell that a spreadsheet would take for a formula is written as text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from bot.cases.audit_log import Names, local_time, readable
from bot.storage.audit import AuditFilter, entry_batches

HEADER = ("时间", "操作人", "操作", "工单", "对象", "变更")
RAW_HEADER = ("操作前", "操作后")  # the CSV's last columns: what the entry stored, as JSON
COLUMN_WIDTHS = (20, 22, 16, 18, 24, 80)
# The newest entries a file holds; a narrower filter reaches older ones. Measured with 100,000
# entries (bench/audit_bench.py): a CSV streams 100,000 in about 6 s; a workbook of 20,000 takes 3 s,
# well inside nginx's 10 s wait for a response to begin (deploy/nginx.conf.template).
CSV_LIMIT = 100_000
XLSX_LIMIT = 20_000
BOM = "\ufeff"
# What Excel and its kin read as the start of a formula (and so of a command, for a CSV).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(session: Session, wanted: AuditFilter, limit: int, raw: bool = False) -> Iterator[list[str]]:
    """The entries the filter keeps, newest first, as a file's rows (no header); `raw`: with the
    stored before/after as JSON."""
    names = Names.load(session)
    for batch in entry_batches(session, wanted, limit):
        for item in readable(session, batch, names):
            entry = item.entry
            when = local_time(entry.created_at)
            row = [when, item.who, item.action, entry.case_number, item.subject, item.changes_text]
            yield [*row, _json(entry.before), _json(entry.after)] if raw else row


def csv_chunks(rows: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """A CSV file in pieces, to stream: the BOM and the header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(HEADER + RAW_HEADER)
    for count, row in enumerate(rows, 1):
        writer.writerow([_as_text(cell) for cell in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(rows: Iterable[list[str]], out: BinaryIO) -> None:
    """An .xlsx workbook of one sheet, 操作记录, the header frozen above the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("操作记录")
    for letter, width in zip("ABCDEF", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    book.save(out)


def _json(value: dict | None) -> str:
    return json.dumps(value or {}, ensure_ascii=False, sort_keys=True)


def _as_text(value: str) -> str:
    """A CSV cell that cannot be taken for a formula: a leading apostrophe where it could."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _xlsx_value(sheet: WriteOnlyWorksheet, value: str) -> str | Cell:
    """A value as an .xlsx cell holds it as text: openpyxl reads a string starting "=" as a formula,
    so that one goes in a cell typed as text; characters XML cannot hold are dropped."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
