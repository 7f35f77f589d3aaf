"""The audit log's export files: CSV with a BOM in chunks, .xlsx with text kept as text."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from bot.cases.audit_export import HEADER, RAW_HEADER, csv_chunks, write_xlsx

ROWS = [
    [f"2026-12-07 09:{n:02d}:00", "张律师（zhang.lawyer）", "受理", "JH261207-0001", "", "", "{}", "{}"]
    for n in range(7)
]
TRICKY = ["=1+1", "+86 138", "-2", "@SUM(A1)", "正常", "", "{}", '{"a": "\\u0007"}']


def test_the_csv_starts_with_a_bom_and_comes_in_chunks():
    chunks = list(csv_chunks(ROWS, rows_per_chunk=3))
    assert len(chunks) == 3 and chunks[0].startswith("\ufeff")
    rows = list(csv.reader(io.StringIO("".join(chunks).removeprefix("\ufeff"))))
    assert rows[0] == list(HEADER + RAW_HEADER) and rows[1:] == ROWS


def test_a_csv_cell_a_spreadsheet_would_run_is_quoted_as_text():
    [row] = list(csv.reader(io.StringIO("".join(csv_chunks([TRICKY])).removeprefix("\ufeff"))))[1:]
    assert row[:5] == ["'=1+1", "'+86 138", "'-2", "'@SUM(A1)", "正常"]


def test_the_workbook_keeps_formulas_as_text_and_drops_control_characters():
    out = io.BytesIO()
    write_xlsx([TRICKY[:6], ["x", "\x07bell", "", "", "", ""]], out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["操作记录"]
    assert [cell.value for cell in sheet[1]] == list(HEADER)
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B3"].value == "bell" and sheet.freeze_panes == "A2"
