"""Official tables published as workbooks (.xlsx, .xls) and as .docx tables, read as tables.

The workbooks are made here with XlsxWriter, the .docx with python-docx; every expected figure and
verdict below is worked out by hand from the cells written.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetkit.extract import extract
from budgetkit.extract.reading import read_document
from budgetkit.schema import BudgetDataError

DEPARTMENT = "测试区文化馆"
SOFFICE = Path("/usr/bin/soffice")


def _budget_workbook(path: Path) -> Path:
    """Two official tables, one a sheet, as a finance office lays them out.

    收支预算总表: 833.05 + 7.95 = 841.00 (收入合计, stored 841 shown with 0.00); 基本支出 828.05 + 项目支出 12.95
    = 841.00, but 支出合计 is a formula (=D6+D7) whose cached value is 840.05 — read as cached, never evaluated.
    财政拨款支出预算表: 201 = 20129 = 2012901 788.15 + 2012902 12.95 = 801.10; 208 = 20805 = 2080505 39.90 (stored
    39.9, format 0.00); 合计 801.10 + 39.90 = 841.00.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    two = workbook.add_format({"num_format": "0.00"})
    summary = workbook.add_worksheet("收支总表")
    summary.merge_range("A1:D1", f"{DEPARTMENT}2024年部门收支预算总表")
    summary.write("A2", f"编制单位：{DEPARTMENT}")
    summary.write("D2", "单位：万元")
    summary.merge_range("A3:B3", "收入")
    summary.merge_range("C3:D3", "支出")
    summary.write_row("A4", ["项目", "金额", "项目", "金额"])
    summary.write_row("A5", ["一、一般公共预算拨款", 833.05, "一、基本支出", 828.05])
    summary.write_row("A6", ["二、政府性基金预算拨款", "-", "二、项目支出", 12.95])
    summary.write_row("A7", ["三、上年结转", 7.95])  # C7, D7 blank
    summary.write("A8", "收入合计")
    summary.write_number("B8", 841, two)
    summary.write("C8", "支出合计")
    summary.write_formula("D8", "=D5+D6", two, 840.05)
    fiscal = workbook.add_worksheet("财政拨款支出表")
    fiscal.merge_range("A1:G1", f"{DEPARTMENT}2024年财政拨款支出预算表")
    fiscal.merge_range("A2:G2", "单位：万元")
    fiscal.merge_range("A3:C3", "科目编码")
    fiscal.write_row("A4", ["类", "款", "项"])
    for column, heading in zip("DEFG", ["科目名称", "合计", "基本支出", "项目支出"]):
        fiscal.merge_range(f"{column}3:{column}4", heading)
    rows = [["201", "", "", "一般公共服务支出", 801.10, 788.15, 12.95],
            ["201", "29", "", "群众团体事务", 801.10, 788.15, 12.95],
            ["201", "29", "01", "行政运行", 788.15, 788.15],
            ["201", "29", "02", "一般行政管理事务", 12.95, None, 12.95],
            ["208", "", "", "社会保障和就业支出", 39.9, 39.9],
            ["208", "05", "", "行政事业单位养老支出", 39.9, 39.9],
            ["208", "05", "05", "机关事业单位基本养老保险缴费支出", 39.9, 39.9]]
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row):
            if isinstance(value, float):
                fiscal.write_number(r, c, value, two)
            elif value:
                fiscal.write_string(r, c, value)
    fiscal.merge_range("A12:D12", "合计")
    fiscal.write_formula("E12", "=E5+E9", two, 841)
    workbook.close()
    return path


def _stated(budget, measure: str, code: str | None = None) -> list[str]:
    claims = budget.claims[budget.claims["measure"] == measure]
    if code is not None:
        claims = claims[claims["code"] == code]
    return list(claims["text"])


def _cells(budget):
    """The figures of a budget's tables (the budget's own table_cells; the extraction report's before)."""
    cells = getattr(budget, "table_cells", None)
    return cells if cells is not None else budget.table_cells


def _verdicts(findings, rule: str) -> list[str]:
    return sorted(findings.loc[findings["rule"] == rule, "verdict"])


# -- workbooks ------------------------------------------------------------------------------------------

def test_a_workbook_is_read_as_its_tables(tmp_path):
    document = read_document(_budget_workbook(tmp_path / "公开表.xlsx"))
    assert document.format == "xlsx"
    summary, fiscal = document.tables
    # the merged title and the 单位 banner are the caption; the text is the captions (no prose)
    assert summary.title == f"{DEPARTMENT}2024年部门收支预算总表" and summary.unit == "万元"
    assert document.text.split("\n") == [*summary.banner, *fiscal.banner]
    assert summary.header_rows == 2 and fiscal.header_rows == 2
    assert summary.grid[0] == ["收入", "收入", "支出", "支出"]  # a merged heading covers its slots
    # numbers as shown: a format's decimals kept, the cached value of a formula, "-" and blank as printed
    assert summary.grid[2:] == [["一、一般公共预算拨款", "833.05", "一、基本支出", "828.05"],
                                ["二、政府性基金预算拨款", "-", "二、项目支出", "12.95"],
                                ["三、上年结转", "7.95", "", ""],
                                ["收入合计", "841.00", "支出合计", "840.05"]]
    assert fiscal.grid[-2][4] == "39.90" and fiscal.grid[-1][:5] == ["合计", "合计", "合计", "合计", "841.00"]
    # the locator: page = the sheet's place in the workbook, box = first/last column and row on the sheet (1-based)
    assert summary.cells[(5, 3)].box == (4.0, 8.0, 4.0, 8.0) and summary.cells[(5, 3)].page == 1
    assert fiscal.cells[(0, 3)].box == (4.0, 3.0, 4.0, 4.0)  # 科目名称, merged D3:D4
    assert fiscal.cells[(9, 0)].box == (1.0, 12.0, 4.0, 12.0) and fiscal.cells[(9, 0)].page == 2
    assert (9, 1) not in fiscal.cells  # a merged cell is one cell, at its first slot


def test_a_workbooks_figures_are_keyed_and_audited(tmp_path):
    budget = extract(_budget_workbook(tmp_path / "公开表.xlsx"))
    assert (budget.department, budget.year) == (DEPARTMENT, 2024)
    assert _stated(budget, "income_general_budget") == ["833.05"]
    assert _stated(budget, "income_carryover") == ["7.95"]
    assert _stated(budget, "income_total") == ["841.00"]
    assert _stated(budget, "expenditure_total") == ["840.05"]  # the formula's cached value
    assert _stated(budget, "income_gov_fund") == []  # "-" is empty, not 0
    assert _stated(budget, "fiscal_expenditure_by_function", "2080505") == ["39.90"]
    assert _stated(budget, "fiscal_total") == ["841.00"]
    cells = _cells(budget)
    assert cells.loc[cells["text"] == "840.05", ["table", "page", "row", "column", "heading", "x0", "top"]
                     ].values.tolist() == [[1, 1, 6, 4, "支出／金额", 4.0, 8.0]]
    assert not cells["text"].isin(["-", ""]).any()
    findings = budget.audit()
    assert _verdicts(findings, "income-by-source") == ["consistent"]  # 833.05 + 7.95 = 841.00
    assert _verdicts(findings, "fiscal-income") == ["consistent"]  # 财政拨款 841.00 = 833.05 + 7.95
    assert _verdicts(findings, "expenditure-by-kind") == ["drift"]  # 828.05 + 12.95 = 841.00, not 840.05
    assert "840.05" in " ".join(findings.loc[findings["rule"] == "expenditure-by-kind", "explanation"])
    assert _verdicts(findings, "balanced-budget") == ["drift"]  # 收入 841.00, 支出 840.05
    assert _verdicts(findings, "fiscal-expenditure-by-class") == ["consistent"]  # 801.10 + 39.90 = 841.00
    rollups = _verdicts(findings, "fiscal-classification-rollup")
    assert rollups and set(rollups) == {"consistent"}  # 201 = 20129 = 788.15 + 12.95; 208 = 20805 = 2080505


def test_a_number_format_decides_how_precisely_a_figure_is_printed(tmp_path):
    """Shown with 0.00, a stored 841 is 841.00 ± 0.005: parts adding up to 841.04 drift from it; read as a
    bare 841 (± 0.5) they would not."""
    import xlsxwriter

    path = tmp_path / "收支总表.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write("A1", f"{DEPARTMENT}2024年部门收支预算总表")
    sheet.write("A2", "单位：万元")
    sheet.write_row("A3", ["项目", "金额"])
    sheet.write_row("A4", ["一般公共预算拨款", 833.09])
    sheet.write_row("A5", ["上年结转", 7.95])
    sheet.write("A6", "收入合计")
    sheet.write_number("B6", 841, workbook.add_format({"num_format": "#,##0.00"}))
    workbook.close()
    budget = extract(path)
    assert _stated(budget, "income_total") == ["841.00"]
    assert _verdicts(budget.audit(), "income-by-source") == ["drift"]


def test_an_xls_workbook_is_read_like_an_xlsx(tmp_path):
    """No Python package here writes .xls; LibreOffice converts the .xlsx when it is installed (CI installs
    it). An .xls gives no number formats to calamine, so a figure is its shortest decimal form: 39.9, not 39.90."""
    if not SOFFICE.is_file():
        pytest.skip(f"{SOFFICE} not installed: no .xls can be made (scripts/ensure_libreoffice.sh installs it)")
    source = _budget_workbook(tmp_path / "公开表.xlsx")
    profile = tmp_path / "profile"
    subprocess.run([str(SOFFICE), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(source)],
                   capture_output=True, timeout=120, check=True)
    budget = extract(tmp_path / "xls" / "公开表.xls")
    assert budget.extraction.format == "xls"
    assert _stated(budget, "expenditure_total") == ["840.05"]  # LibreOffice keeps the cached value
    assert _stated(budget, "fiscal_expenditure_by_function", "2080505") == ["39.9"]
    assert _stated(budget, "income_total") == ["841"]
    assert _verdicts(budget.audit(), "expenditure-by-kind") == ["drift"]


def test_a_corrupt_workbook_is_one_clear_error(tmp_path):
    for name, data in (("坏.xls", b"not an OLE compound file" * 10), ("坏.xlsx", b"PK\x03\x04 truncated")):
        path = tmp_path / name
        path.write_bytes(data)
        message = _one_clear_error(path)
        assert "workbook" in message or "zip archive" in message


def _one_clear_error(path: Path) -> str:
    with pytest.raises(BudgetDataError) as caught:
        extract(path)
    message = str(caught.value)
    assert str(path) in message and "Traceback" not in message
    return message


# -- hostile workbooks ------------------------------------------------------------------------------------

def _workbook_of_sheets(path: Path, sheets: int, cells: str = '<row r="1"><c r="A1"><v>1</v></c></row>',
                        dimension: str = "A1") -> Path:
    """An .xlsx of ``sheets`` sheets holding ``cells`` (the XML of their rows) and claiming ``dimension``,
    written directly (XlsxWriter takes seconds for 2,000 sheets)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    package_rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        archive.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{package_rels}">'
                         f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/>'
                         '</Relationships>')
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} {rel_ns}><sheets>' + "".join(
            f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1)) + "</sheets></workbook>")
        archive.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{package_rels}">'
                         + "".join(f'<Relationship Id="rId{i}" Type="{office}/worksheet" '
                                   'Target="worksheets/sheet1.xml"/>' for i in range(1, sheets + 1))
                         + "</Relationships>")
        archive.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}>'
                         f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>')
    return path


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_workbook_of_thousands_of_sheets_is_refused_at_once(tmp_path):
    path = _workbook_of_sheets(tmp_path / "表.xlsx", 2000)
    started = time.monotonic()
    message = _one_clear_error(path)
    assert "2000 sheets: more than the 100" in message
    assert time.monotonic() - started < 5
    assert len(read_document(_workbook_of_sheets(tmp_path / "少.xlsx", 3)).tables) == 3  # the same, smaller, reads


def test_a_sheet_claiming_a_million_rows_is_read_as_the_cells_it_holds(tmp_path):
    """Its <dimension> says A1:XFD1048576; neither calamine nor the number formats' reading believes it."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="B3"><v>2.5</v></c></row>'
    path = _workbook_of_sheets(tmp_path / "表.xlsx", 1, cells, dimension="A1:XFD1048576")
    started = time.monotonic()
    (table,) = read_document(path).tables
    assert table.grid == [["1", ""], ["", ""], ["", "2.5"]]
    assert time.monotonic() - started < 5


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_sheet_of_200000_rows_is_refused_naming_the_sheet(tmp_path):
    import xlsxwriter

    path = tmp_path / "长表.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.add_worksheet("封面").write("A1", f"{DEPARTMENT}2024年部门预算")
    sheet = workbook.add_worksheet("项目支出表")
    for row in range(200_000):
        sheet.write_number(row, 0, row)
    workbook.close()
    started = time.monotonic()
    message = _one_clear_error(path)
    assert "sheet 2 ('项目支出表') has 200000 rows: more than the 10000" in message
    assert time.monotonic() - started < 5


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_the_cells_of_all_sheets_together_are_bounded(tmp_path, monkeypatch):
    from budgetkit.extract import reading

    path = _budget_workbook(tmp_path / "公开表.xlsx")
    monkeypatch.setattr(reading, "MAX_TABLE_CELLS", 60)  # 收支总表 is 8 × 4 = 32 slots, 财政拨款支出表 12 × 7 = 84
    assert "sheet 2 ('财政拨款支出表'): the sheets up to it hold 116 cells, more than the 60" in _one_clear_error(path)
    monkeypatch.setattr(reading, "MAX_TABLE_CELLS", 116)
    assert len(read_document(path).tables) == 2


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_an_xlsx_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (120 * 1024 * 1024) + b"/>")
    assert "zip bomb" in _one_clear_error(path)


# -- .docx tables -----------------------------------------------------------------------------------------

CLEAN = Path(__file__).resolve().parents[1] / "documents" / "clean-culture-bureau-2024.txt"


def _docx_with_summary_table(path: Path) -> Path:
    """The clean explanation (收入 1200.00 + 50.00 = 1250.00; 基本支出 1000.00, 项目支出 250.00) followed by its
    收支预算总表 as a Word table, whose 项目支出 is 260.00: 1000.00 + 260.00 = 1260.00, not its 支出合计 1250.00."""
    import docx

    document = docx.Document()
    for line in CLEAN.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    document.add_paragraph("表1　青石县文化广播电视和旅游局2024年部门收支预算总表")
    document.add_paragraph("单位：万元")
    rows = [["收入", "", "支出", ""], ["项目", "金额", "项目", "金额"],
            ["一般公共预算拨款", "1200.00", "基本支出", "1000.00"], ["上年结转", "50.00", "项目支出", "260.00"],
            ["收入合计", "1250.00", "支出合计", "1250.00"]]
    table = document.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(0, 2).merge(table.cell(0, 3))
    document.save(str(path))
    return path


def test_docx_tables_are_read_as_tables_not_prose(tmp_path):
    path = _docx_with_summary_table(tmp_path / "说明.docx")
    document = read_document(path)
    (table,) = document.tables
    assert "1250.00" not in document.text.split("单位：万元")[-1]  # the table is not in the prose
    assert table.title == "青石县文化广播电视和旅游局2024年部门收支预算总表" and table.unit == "万元"
    assert table.header_rows == 2 and table.grid[0] == ["收入", "收入", "支出", "支出"]
    assert table.cells[(0, 0)].box == (1.0, 1.0, 2.0, 1.0) and (0, 1) not in table.cells  # gridSpan: one cell
    assert table.cells[(3, 3)].page == 1 and table.cells[(3, 3)].box == (4.0, 4.0, 4.0, 4.0)  # table 1, D4


def test_docx_tables_are_held_against_the_text(tmp_path):
    budget = extract(_docx_with_summary_table(tmp_path / "说明.docx"))
    text = extract(CLEAN)
    assert _stated(budget, "expenditure_project") == [*_stated(text, "expenditure_project"), "260.00"]
    findings = budget.audit()
    restated = findings[(findings["rule"] == "same-figure-restated") & (findings["measure"] == "expenditure_project")]
    assert list(restated["verdict"]) == ["drift"]  # 250.00 in 三（二）, 260.00 in 表1
    assert re.search(r"表1（[^）]*第1个表格）", restated["explanation"].iloc[0])  # the table and its place
    by_kind = findings[findings["rule"] == "expenditure-by-kind"]
    assert "drift" in set(by_kind["verdict"])  # the table's 1000.00 + 260.00 = 1260.00 against 1250.00
    income = findings[(findings["rule"] == "same-figure-restated") & (findings["measure"] == "income_total")]
    assert set(income["verdict"]) == {"consistent"}  # 1250.00 in the text and in the table


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_docx_table_of_too_many_rows_is_refused(tmp_path, monkeypatch):
    from budgetkit.extract import reading

    monkeypatch.setattr(reading, "MAX_TABLE_ROWS", 4)
    message = _one_clear_error(_docx_with_summary_table(tmp_path / "说明.docx"))
    assert "table 1 has 5 rows: more than the 4 a table may have" in message


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_docx_with_a_huge_table_fails_within_seconds(tmp_path):
    """A table of 20,000 rows, far past any budget's; refused by counting its rows, before its text is read."""
    import docx

    small = tmp_path / "small.docx"
    document = docx.Document()
    document.add_paragraph(f"{DEPARTMENT}2024年部门预算编制说明")
    document.add_table(rows=1, cols=2)
    document.save(str(small))
    path = tmp_path / "huge.docx"
    row = b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                data = data.replace(b"</w:tr>", b"</w:tr>" + row * 20_000, 1)
            target.writestr(entry, data)
    started = time.monotonic()
    assert "table 1 has 20001 rows: more than the 10000" in _one_clear_error(path)
    assert time.monotonic() - started < 10


def test_the_command_line_checks_a_workbook(tmp_path):
    path = _budget_workbook(tmp_path / "公开表.xlsx")
    # the command as the environment installs it (CI runs the tests without activating .venv)
    result = subprocess.run([sys.executable, "-m", "budgetkit", "check", str(path), "--format", "csv"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # the drift of 支出合计
    assert "expenditure-by-kind" in result.stdout


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), cut=st.integers(min_value=0, max_value=10_000),
       suffix=st.sampled_from([".xlsx", ".xls"]))
def test_broken_workbooks_give_a_budget_or_one_clear_error(tmp_path, data, cut, suffix):
    """Random bytes, and a real workbook cut short or with bytes overwritten: read, or one error naming the file."""
    real = _budget_workbook(tmp_path / "real.xlsx").read_bytes()
    for candidate in (data, real[:cut], real[:cut] + data + real[cut + len(data):]):
        path = tmp_path / f"fuzz{suffix}"
        path.write_bytes(candidate)
        try:
            extract(path)
        except BudgetDataError as error:
            assert str(path) in str(error) and "Traceback" not in str(error)


def test_an_explanation_and_its_tables_in_a_workbook_are_one_budget(tmp_path):
    """The clean explanation (.txt) and its 收支预算总表 published as a workbook, every figure as the text states it."""
    import xlsxwriter

    tables = tmp_path / "公开表.xlsx"
    workbook = xlsxwriter.Workbook(str(tables))
    two = workbook.add_format({"num_format": "0.00"})
    sheet = workbook.add_worksheet("收支总表")
    sheet.write("A1", "青石县文化广播电视和旅游局2024年部门收支预算总表")
    sheet.write("A2", "单位：万元")
    sheet.write_row("A3", ["项目", "金额", "项目", "金额"])
    for r, (income, amount, use, spent) in enumerate(
            [("一般公共预算拨款", 1200, "基本支出", 1000), ("上年结转", 50, "项目支出", 250),
             ("收入合计", 1250, "支出合计", 1250)], start=3):
        sheet.write(r, 0, income)
        sheet.write_number(r, 1, amount, two)
        sheet.write(r, 2, use)
        sheet.write_number(r, 3, spent, two)
    workbook.close()
    budget = extract([CLEAN, tables])
    findings = budget.audit()
    restated = findings[(findings["rule"] == "same-figure-restated")
                        & findings["measure"].isin(["expenditure_basic", "expenditure_project", "income_carryover"])]
    with_table = restated[restated["explanation"].str.contains("表1（公开表.xlsx 第1张工作表）", regex=False)]
    assert sorted(set(with_table["measure"])) == ["expenditure_basic", "expenditure_project", "income_carryover"]
    assert set(restated["verdict"]) == {"consistent"}  # 1000.00, 250.00, 50.00 in the text and in the workbook


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_docx_table_is_as_wide_as_its_cells_span(tmp_path, monkeypatch):
    """Four cells each spanning 64 columns are a table of 256 columns, refused over MAX_TABLE_COLUMNS."""
    from budgetkit.extract import reading

    path = _docx_with_summary_table(tmp_path / "说明.docx")
    wide = tmp_path / "宽.docx"
    span = b'<w:tc><w:tcPr><w:gridSpan w:val="64"/></w:tcPr><w:p/></w:tc>'
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                data = data.replace(b"</w:tr>", b"</w:tr><w:tr>" + span * 4 + b"</w:tr>", 1)
            target.writestr(entry, data)
    assert "table 1 has 256 columns: more than the 200" in _one_clear_error(wide)
    monkeypatch.setattr(reading, "MAX_TABLE_COLUMNS", 256)
    (table,) = read_document(wide).tables
    assert table.columns == 256 and table.grid[1] == [""] * 256


@pytest.mark.usefixtures("english")  # the refusal's wording pinned in English
def test_a_sheet_of_half_a_million_cells_is_refused_at_once(tmp_path):
    """5,000 rows of 100 cells: within the rows and columns a table may have, not within the cells."""
    row = "<c><v>1</v></c>" * 100
    cells = "".join(f'<row r="{r}">{row}</row>' for r in range(1, 5001))
    path = _workbook_of_sheets(tmp_path / "大表.xlsx", 1, cells, dimension="A1:CV5000")
    started = time.monotonic()
    assert "sheet 1 ('表1'): the sheets up to it hold 500000 cells, more than the 300000" in _one_clear_error(path)
    assert time.monotonic() - started < 5


def test_a_one_column_docx_table_frames_prose(tmp_path):
    """The explanation typed inside a one-cell table (a bordered frame) is read as prose, as before, not as a table."""
    import docx

    document = docx.Document()
    frame = document.add_table(rows=1, cols=1).cell(0, 0)
    lines = CLEAN.read_text(encoding="utf-8").split("\n")
    frame.text = lines[0]
    for line in lines[1:]:
        frame.add_paragraph(line)
    document.save(str(tmp_path / "框.docx"))
    assert read_document(tmp_path / "框.docx").tables == ()
    budget, text = extract(tmp_path / "框.docx"), extract(CLEAN)
    assert budget.claims["text"].tolist() == text.claims["text"].tolist()
    assert budget.claims["measure"].tolist() == text.claims["measure"].tolist()


def test_the_workbook_readers_load_only_when_a_workbook_is_read():
    import sys

    code = ("import sys, budgetkit, budgetkit.extract, budgetkit.extract.office_tables; "
            "print(sorted(m for m in ('python_calamine', 'openpyxl') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


ACCOUNTING = '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ '  # Excel's 会计专用 format, two decimals


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (833.05, None, "833.05"),
    (24458.4, "0.00", "24458.40"),
    (24458.4, "#,##0.00", "24,458.40"),
    (100.0, "General", "100"),
    (840.9900000000001, "General", "840.99"),  # a cached sum's binary noise: Excel keeps 15 digits
    (1.005, "0.00", "1.01"),  # 1.00499999… as stored, 1.005 to 15 digits, rounded half up as Excel shows it
    (2.5, "0", "3"),
    (0.1234, "0.00%", "12.34%"),
    (12.3, '0.00"万元"', "12.30万元"),
    (1.5, "0.0#", "1.5"),
    (0, ACCOUNTING, "-"),  # an accounting zero prints a dash, which reads as an empty cell
    (-5.5, ACCOUNTING, "-5.50"),
    (-5.5, "#,##0.00;(#,##0.00)", "(5.50)"),
    (-1234.5, "#,##0.00;[Red]-#,##0.00", "-1,234.50"),
    (-0.001, "0.00", "0.00"),
    (45000, "yyyy-mm-dd", "45000"),  # a format not followed (a date) shows the number as General
])
def test_a_number_is_the_text_its_format_shows(value, number_format, shown):
    from budgetkit.extract.office_tables import number_text

    assert number_text(value, number_format) == shown
