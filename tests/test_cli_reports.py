"""`flask --app webhook reports export`: the month's workbook for the district or one street."""

from __future__ import annotations

from openpyxl import load_workbook

from bot.cases.office_hours import CHINA
from bot.storage.base import utcnow
from tests.staff_user import new_case


def test_the_monthly_workbook_from_the_command_line(app, services, tmp_path):
    _, own, openid = new_case(services, "baguodun")
    _, other, _ = new_case(services, "wutai")
    month = f"{utcnow().astimezone(CHINA):%Y-%m}"
    runner = app.test_cli_runner()

    district = tmp_path / "district.xlsx"
    result = runner.invoke(args=["reports", "export", "--month", month, "--out", str(district)])
    assert result.exit_code == 0, result.output
    assert f"全区 {month}" in result.output
    book = load_workbook(district)
    numbers = [row[0] for row in book["工单"].iter_rows(min_row=2, values_only=True)]
    assert own in numbers and other in numbers
    assert openid not in " ".join(str(cell) for row in book["工单"].iter_rows(values_only=True) for cell in row)

    street = tmp_path / "street.xlsx"
    args = ["reports", "export", "--month", month, "--out", str(street), "--street", "tangjiadun"]
    assert runner.invoke(args=args).exit_code == 0
    numbers = [row[0] for row in load_workbook(street)["工单"].iter_rows(min_row=2, values_only=True)]
    assert own in numbers and other not in numbers


def test_a_bad_month_or_street_is_refused(app, tmp_path):
    runner = app.test_cli_runner()
    out = str(tmp_path / "x.xlsx")
    result = runner.invoke(args=["reports", "export", "--month", "2026-3", "--out", out])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    result = runner.invoke(args=["reports", "export", "--month", "2026-03", "--out", out, "--street", "baguodun"])
    assert result.exit_code == 2 and "没有代码为 baguodun 的街道" in result.output
    assert not (tmp_path / "x.xlsx").exists()
