"""CSV exports never hand a spreadsheet a formula."""

import csv
import io

from callvault.csvsafe import safe_cell, safe_rows


def test_formula_starts_are_quoted_and_numbers_left_alone():
    for text in ("=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert [safe_cell(v) for v in ("ACME-1", "", -5, 2.5, None)] == ["ACME-1", "", -5, 2.5, None]
    assert safe_rows([{"a": "=1"}, ["@x", 3]]) == [{"a": "'=1"}, ["'@x", 3]]


def test_the_compliance_report_csv_is_neutralised(monkeypatch):
    from callvault.compliance import report

    row = dict.fromkeys(report.CSV_FIELDS, "")
    row.update(call="=cmd|' /C calc'!A0", reason="@SUM(1)")
    monkeypatch.setattr(report, "report_rows", lambda calls: [row])
    cells = next(csv.DictReader(io.StringIO(report.render_csv([]))))
    assert cells["call"] == "'=cmd|' /C calc'!A0" and cells["reason"] == "'@SUM(1)"
