"""`budgetkit report`: the workbook's stated values and live formulas against the claims and the
audit, text that never runs, the audit pages, charts, tables and notebooks, byte-identical reruns."""

import csv
import dataclasses
import html
import io
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from budgetkit import files as atomic_files
from budgetkit import load, report
from budgetkit.files import MANIFEST
from budgetkit.report import budget as budget_report
from budgetkit.report import notebooks as notebook_pages
from budgetkit.cli import main
from budgetkit.findings import FORMULA_PREFIXES, VERDICTS
from budgetkit.messages import text, using_language, verdict_name
from budgetkit.report.steps import skipped, step_name
from budgetkit.report.workbook import workbook_bytes
from budgetkit.report.workbook_cells import ZIP_TIME, column_heading
from builders import budget_of, claim

ROOT = Path(__file__).resolve().parents[2]
XLSX = "anju-district-trade-union-federation-2024-budget.xlsx"
OFFICIAL = ["部门收支总表", "部门收入总表", "部门支出总表", "财政拨款收支总表", "一般公共预算支出表",
            "一般公共预算基本支出表", "一般公共预算“三公”经费支出表", "政府性基金预算支出表"]


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The report written twice, into two folders, by two processes at once (the notebooks are
    covered by their own test)."""
    import subprocess
    import sys

    folders = [tmp_path_factory.mktemp("report") / name for name in ("A", "B")]
    other = subprocess.Popen([sys.executable, "-m", "budgetkit", "report", "--out", str(folders[1]),
                              "--no-notebooks"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    status = main(["report", "--out", str(folders[0]), "--no-notebooks"])
    _, err = other.communicate(timeout=300)
    assert (status, other.returncode) == (0, 0), err
    return folders


@pytest.fixture(scope="module")
def english_runs(tmp_path_factory):
    """The report written twice in English (``--lang en``), by two processes at once."""
    import subprocess
    import sys

    folders = [tmp_path_factory.mktemp("report-en") / name for name in ("A", "B")]
    other = subprocess.Popen([sys.executable, "-m", "budgetkit", "report", "--lang", "en", "--out", str(folders[1]),
                              "--no-notebooks"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with using_language("zh"):  # the command's --lang ends with the block: later tests write Chinese again
        status = main(["report", "--lang", "en", "--out", str(folders[0]), "--no-notebooks"])
    _, err = other.communicate(timeout=300)
    assert (status, other.returncode) == (0, 0), err
    return folders


def no_charts(budget, out):
    return skipped("not needed by this test")


@pytest.fixture(scope="module")
def claims(bundled_budget):
    """The bundled budget's claims by claim_id."""
    return bundled_budget.claims.set_index("claim_id")


@pytest.fixture(scope="module")
def layout(bundled_budget, bundled_findings):
    return workbook_bytes(bundled_budget, bundled_findings)[1]


@pytest.fixture(scope="module")
def workbook(runs):
    return openpyxl.load_workbook(runs[0] / XLSX)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stated_value(claims: pd.DataFrame, claim_id: str) -> float:
    return float(claims.loc[claim_id, "value"])


# -- reproducible ------------------------------------------------------------------------------------------

def test_two_runs_write_the_same_files_byte_for_byte(runs):
    first, second = files(runs[0]), files(runs[1])
    assert sorted(first) == sorted(second)
    assert {XLSX, "audit.md", "audit.html", "findings.csv", "findings.json"} <= set(first)
    assert sum(name.startswith("tables/") for name in first) == len(__import__("budgetkit.tables").tables.TABLES)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    assert not [name for name in first if name.endswith(".part") or "/." in name
                or (name.startswith(".") and name != MANIFEST)]


def test_two_english_runs_write_the_same_files_byte_for_byte_and_other_pages_than_chinese(runs, english_runs):
    first, second = files(english_runs[0]), files(english_runs[1])
    assert sorted(first) == sorted(second) == sorted(files(runs[0]))
    assert [name for name in first if first[name] != second[name]] == []
    chinese = files(runs[0])
    assert first["audit.md"] != chinese["audit.md"] and first["audit.html"] != chinese["audit.html"]
    assert first["findings.csv"].splitlines()[0] == chinese["findings.csv"].splitlines()[0]  # the same keys


def test_the_xlsx_carries_no_time_of_writing(runs):
    with zipfile.ZipFile(runs[0] / XLSX) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}
        core = archive.read("docProps/core.xml").decode()
    assert "2024-01-01T00:00:00Z" in core
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == ["2024-01-01T00:00:00Z"] * 2


# -- the workbook: stated values ----------------------------------------------------------------------------

def test_the_workbook_has_the_official_tables_the_audit_and_a_guide(workbook):
    assert workbook.sheetnames[0] == "说明"
    assert set(OFFICIAL) | {"审核结果"} <= set(workbook.sheetnames)
    for name in OFFICIAL:
        ws = workbook[name]
        assert ws["A1"].value == f"2024年{name}"
        assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges), name  # merged title
        assert ws.cell(2, ws.max_column).value == "单位：万元"
        assert ws.freeze_panes is not None and ws.freeze_panes != "A1"
        assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width >= 8


def test_the_guide_names_the_verdicts_and_the_sheets_in_chinese(workbook, bundled_findings):
    guide = {row[0].value: row[1].value for row in workbook["说明"].iter_rows() if row[0].value}
    counts = bundled_findings["verdict"].astype(str).value_counts()
    assert guide["审核"] == f"{len(bundled_findings)} 项核对：" + "，".join(
        f"{verdict_name(v)} {counts.get(v, 0)}" for v in VERDICTS)
    assert guide["审核列"].startswith("一致（consistent）：在舍入范围内相符；") and "详见“审核结果”表" in guide["审核列"]
    assert guide["工作表"] == "内容" and guide["审核结果"].startswith("每条审核规则的每次核对")
    assert all(guide[name] for name in OFFICIAL)  # each sheet says what it holds
    assert workbook["部门收支总表"].oddFooter.right.text.endswith("第 &P 页，共 &N 页")


def test_with_lang_en_the_workbook_is_headed_in_english_and_keeps_the_documents_text(english_runs):
    workbook = openpyxl.load_workbook(english_runs[0] / XLSX)
    assert workbook.sheetnames == [
        "About", "Revenue and expenditure", "Revenue", "Expenditure", "Fiscal appropriations",
        "General budget expenditure", "Basic expenditure", "Three public expenses", "Government fund expenditure",
        "State capital expenditure", "Findings"]
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in workbook.sheetnames)
    assert workbook.properties.title == "遂宁市安居区总工会: departmental budget 2024"
    ws = workbook["Revenue and expenditure"]
    assert ws["A1"].value == "2024 Departmental Revenue and Expenditure Summary"
    assert (ws["A2"].value, ws.cell(2, ws.max_column).value) == ("Department: 遂宁市安居区总工会", "Unit: 10,000 yuan")
    assert [ws.cell(4, c).value for c in range(1, 7)] == [
        "Item", "Budget (as stated)", "Recomputed (formula)", "Difference (stated − recomputed)", "Audit", "Source"]
    assert ws["A5"].value == "一般公共预算拨款收入"  # the figures' labels as the document prints them
    assert ws.oddFooter.right.text.endswith("Page &P of &N")
    ws = workbook["Three public expenses"]
    assert [ws.cell(3, c).value for c in range(2, 8)] == ["Total", "Official overseas travel",
                                                          "Official vehicle purchase and operation", None, None,
                                                          "Official receptions"]
    ws = workbook["Findings"]
    assert [c.value for c in ws[1]][:5] == ["Rule", "Rule kind", "Verdict", "Section", "Claim ID"]
    verdicts = {ws.cell(r, 3).value for r in range(2, ws.max_row + 1)}
    assert verdicts <= set(VERDICTS) and "drift" in verdicts
    assert {ws.cell(r, 2).value for r in range(2, ws.max_row + 1)} == {"sum", "share", "change", "restatement", "bound",
                                                                       "text"}
    guide = {row[0].value: row[1].value for row in workbook["About"].iter_rows() if row[0].value}
    assert guide["Audit column"].startswith("consistent: agrees within rounding;")
    assert guide["Budget year"] == "2024 (prior year 2023)" and guide["Sheet"] == "Contents"
    # no heading or note of the workbook's own in Chinese: only the document's text is
    own = [ws["A1"].value for ws in workbook.worksheets[1:-1]] + [c.value for c in workbook["Findings"][1]]
    assert not [t for t in own if re.search(r"[\u4e00-\u9fff]", t)]


def test_every_stated_value_on_every_sheet_is_its_claim(workbook, layout, claims):
    stated = {(p.sheet, p.cell): p.claim_id for p in layout.placements if p.role == "stated"}
    assert len(stated) >= 50
    for (sheet, cell), claim_id in stated.items():
        value = workbook[sheet][cell].value
        assert value == pytest.approx(stated_value(claims, claim_id), abs=1e-12), (sheet, cell, claim_id)
        unit = claims.loc[claim_id, "unit"]
        assert workbook[sheet][cell].number_format == ("0.00" if unit == "%" else "#,##0.00")
    # and no number on an official sheet that is not a stated figure or a formula placed there
    placed = {(p.sheet, p.cell) for p in layout.placements}
    for name in OFFICIAL:
        for row in workbook[name].iter_rows():
            for cell in row:
                if cell.data_type in ("n", "f") and cell.value is not None:
                    assert (name, cell.coordinate) in placed, (name, cell.coordinate, cell.value)


def test_the_official_tables_show_every_figure_of_their_measures(layout, bundled_budget, claims):
    shown = {p.claim_id for p in layout.placements if p.role == "stated"}
    measures = ["income_total", "income_general_budget", "income_carryover", "expenditure_total",
                "expenditure_basic", "expenditure_project", "fiscal_total", "fiscal_expenditure_by_function",
                "appropriation_total", "appropriation_by_function", "gpb_basic_total", "basic_personnel",
                "basic_public", "three_public_total", "three_public_overseas", "three_public_reception",
                "three_public_vehicles", "vehicle_purchase", "vehicle_operation"]
    every = bundled_budget.claims
    current = every[every["measure"].isin(measures) & (every["year"] == 2024)
                    & every["kind"].isin(["amount", "total", "share"])]
    missing = sorted(set(current["claim_id"]) - shown)
    # restatements of a figure shown once already (三（一） is shown; 四 restates it) are the only gaps
    assert all(claims.loc[c, "measure"] in ("income_general_budget", "income_carryover") for c in missing), missing


def test_three_public_and_general_budget_headers_follow_the_template(workbook):
    ws = workbook["一般公共预算“三公”经费支出表"]
    assert [ws.cell(3, c).value for c in range(2, 8)] == ["合计", "因公出国（境）费", "公务用车购置及运行费",
                                                          None, None, "公务接待费"]
    assert [ws.cell(4, c).value for c in range(4, 7)] == ["小计", "购置费", "运行费"]
    ws = workbook["一般公共预算支出表"]
    assert [ws.cell(4, c).value for c in range(1, 4)] == ["类", "款", "项"]
    rows = {tuple(ws.cell(r, c).value for c in range(1, 5)) for r in range(5, ws.max_row + 1)}
    assert ("201", "29", "01", "行政运行") in rows  # codes are text: 01 keeps its zero
    assert ("221", None, None, "住房保障支出") in rows


def test_no_spending_tables_are_empty_with_the_templates_note(workbook):
    for name in ("政府性基金预算支出表", "国有资本经营预算支出表"):
        ws = workbook[name]
        numbers = [c.value for row in ws.iter_rows(min_row=5) for c in row if isinstance(c.value, (int, float))]
        assert numbers == []
        notes = [c.value for row in ws.iter_rows(min_row=5) for c in row if isinstance(c.value, str)]
        assert any("本部门无相关收支" in note and "没有使用" in note for note in notes)


def test_the_findings_sheet_has_every_evaluation_and_column(workbook, bundled_findings):
    ws = workbook["审核结果"]
    header = [c.value for c in ws[1]]
    assert header == [column_heading(c) for c in bundled_findings.columns]  # every column, headed in Chinese
    assert header[:5] == ["规则", "规则类型", "审核结论", "章节", "数字编号"]
    header = list(bundled_findings.columns)
    assert ws.max_row == len(bundled_findings) + 1
    verdicts = [ws.cell(r, header.index("verdict") + 1).value for r in range(2, ws.max_row + 1)]
    assert verdicts == [verdict_name(str(v)) for v in bundled_findings["verdict"]]  # 不符 for drift
    kinds = {"sum": "求和", "share": "占比", "change": "增减", "restatement": "前后一致", "bound": "不超过", "text": "文字"}
    shown = [ws.cell(r, header.index("rule_kind") + 1).value for r in range(2, ws.max_row + 1)]
    assert shown == [kinds[k] for k in bundled_findings["rule_kind"]]
    stated = [ws.cell(r, header.index("stated") + 1).value for r in range(2, ws.max_row + 1)]
    expected = [None if pd.isna(v) else float(v) for v in bundled_findings["stated"]]
    assert stated == expected


# -- the workbook: formulas, evaluated by a spreadsheet engine ---------------------------------------------------

@pytest.fixture(scope="module")
def computed(runs):
    """Every formula of the workbook evaluated by the `formulas` engine (Excel semantics)."""
    import formulas

    path = runs[0] / XLSX
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    values = {}
    for key, value in solution.items():
        match = re.fullmatch(r"'\[(.+?)\](.+)'!([A-Z]+\d+)", key)
        cell = value.value[0][0]
        if match and isinstance(cell, (int, float)) or hasattr(cell, "dtype"):
            values[(match.group(2), match.group(3))] = float(cell)
    return values


def formula_value(computed, workbook, sheet, cell):
    return computed[(sheet.upper(), cell)]


def test_formulas_are_live_and_recompute_what_the_audit_computed(workbook, layout, computed, bundled_findings, claims):
    findings = bundled_findings.assign(inputs_set=bundled_findings["inputs"].map(lambda s: frozenset(str(s).split())))
    formulas_seen = checked_against_audit = 0
    for p in layout.placements:
        if p.role == "stated":
            continue
        cell = workbook[p.sheet][p.cell]
        assert cell.data_type == "f" and str(cell.value).startswith("="), (p, cell.value)
        formulas_seen += 1
        value = formula_value(computed, workbook, p.sheet, p.cell)
        if p.role in ("sum", "subtotal"):
            exact = sum((claims.loc[c, "value"] for c in p.parts), Decimal(0))
            assert value == pytest.approx(float(exact), abs=1e-9), p
        if p.role in ("sum", "share"):
            match = findings[(findings["claim_id"] == p.claim_id) & (findings["inputs_set"] == frozenset(p.parts))
                             & findings["rule_kind"].isin(["sum", "share"])]
            if len(match):
                # the audit carries five decimals, the spreadsheet a double
                assert value == pytest.approx(float(match["computed"].iloc[0]), abs=6e-6), p
                checked_against_audit += 1
        if p.role == "difference":
            # =<stated cell>-<recomputed cell>, beside each other
            stated_ref, recomputed_ref = re.fullmatch(r"=([A-Z]+\d+)-([A-Z]+\d+)", cell.value).groups()
            assert workbook[p.sheet][stated_ref].value == pytest.approx(stated_value(claims, p.claim_id), abs=1e-12)
            expected = stated_value(claims, p.claim_id) - formula_value(computed, workbook, p.sheet, recomputed_ref)
            assert value == pytest.approx(expected, abs=1e-9), p
    assert formulas_seen >= 40 and checked_against_audit >= 15
    # every share the audit recomputed has its formula in the workbook
    shares = {p.claim_id for p in layout.placements if p.role == "share"}
    assert set(bundled_findings.loc[bundled_findings["rule_kind"] == "share", "claim_id"]) <= shares


def test_known_recomputations_of_the_bundled_budget(workbook, computed):
    ws = workbook["一般公共预算支出表"]
    assert ws["E5"].value == 833.05 and ws["F5"].value == "=SUM(E6,E11,E17,E21)"
    assert formula_value(computed, workbook, "一般公共预算支出表", "F5") == pytest.approx(841.00)
    assert formula_value(computed, workbook, "一般公共预算支出表", "G5") == pytest.approx(-7.95)
    assert ws["I6"].value == "=E6/E$5*100"
    assert formula_value(computed, workbook, "一般公共预算支出表", "I6") == pytest.approx(96.34956, abs=1e-5)
    ws = workbook["部门支出总表"]
    assert formula_value(computed, workbook, "部门支出总表", "B5") == pytest.approx(841.00)  # 828.05 + 12.95
    assert formula_value(computed, workbook, "部门支出总表", "C8") == pytest.approx(98.57151, abs=1e-5)


def expected_values(layout, claims) -> dict[tuple[str, str], Decimal]:
    """What every formula of the layout computes, worked out here from the claims it reads: a sum of
    its parts, a share part/whole*100, a difference the stated figure minus the formula beside it."""
    expected = {}
    for p in layout.placements:
        if p.role in ("sum", "subtotal"):
            expected[(p.sheet, p.cell)] = sum((claims.loc[c, "value"] for c in p.parts), Decimal(0))
        elif p.role == "share":
            part, whole = (claims.loc[c, "value"] for c in p.parts)
            expected[(p.sheet, p.cell)] = part / whole * 100
    return expected


def difference_operands(workbook, sheet, cell) -> tuple[str, str]:
    return re.fullmatch(r"=([A-Z]+\d+)-([A-Z]+\d+)", workbook[sheet][cell].value).groups()


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])  # pandas' default now, and its default to come
def test_pandas_reads_every_recomputed_figure_as_the_number_the_claims_give(runs, workbook, layout, claims, engine):
    frames = pd.read_excel(runs[0] / XLSX, sheet_name=None, header=None, engine=engine)
    expected = expected_values(layout, claims)
    for p in layout.placements:
        if p.role == "difference":
            _, recomputed = difference_operands(workbook, p.sheet, p.cell)
            expected[(p.sheet, p.cell)] = claims.loc[p.claim_id, "value"] - expected[(p.sheet, recomputed)]
    assert len(expected) == sum(p.role != "stated" for p in layout.placements) >= 40
    for (sheet, cell), value in expected.items():
        row, column = openpyxl.utils.cell.coordinate_to_tuple(cell)
        read = frames[sheet].iat[row - 1, column - 1]
        # the nearest double to the exact decimal: 833.05 − 841.00 reads −7.95, not −7.950000000000045
        # (pandas gives a whole number as an int)
        assert pd.api.types.is_number(read) and read == float(value), (sheet, cell, read, value)
    assert frames["一般公共预算支出表"].iat[4, 6] == -7.95 and frames["部门支出总表"].iat[4, 1] == 841


def test_every_formula_is_stored_with_the_value_a_spreadsheet_computes(runs, layout, computed):
    with zipfile.ZipFile(runs[0] / XLSX) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    cells = [c for sheet in sheets for c in re.findall(r"<c [^>]*>(?:(?!</c>).)*<f>.*?</c>", sheet)]
    assert len(cells) == sum(p.role != "stated" for p in layout.placements)
    assert all(re.search(r"<v>-?\d", c) for c in cells), [c for c in cells if not re.search(r"<v>-?\d", c)]
    formulas, values = openpyxl.load_workbook(runs[0] / XLSX), openpyxl.load_workbook(runs[0] / XLSX, data_only=True)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in (c for c in row if c.data_type == "f"):
                stored = values[ws.title][cell.coordinate].value
                assert isinstance(stored, (int, float)) and stored == pytest.approx(
                    computed[(ws.title.upper(), cell.coordinate)], rel=1e-12, abs=1e-12), (ws.title, cell.coordinate)
                checked += 1
    assert checked == len(cells)


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_its_headers_repeated(workbook):
    for ws in workbook.worksheets:
        setup = ws.page_setup
        # one page wide (fitToWidth 1 is the schema's default, left out of the file), as many pages long as needed
        assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (
            "landscape", 9, 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert min(ws.page_margins.left, ws.page_margins.right, ws.page_margins.top) >= 0.4, ws.title
        assert "&P" in ws.oddFooter.right.text and ws.oddFooter.left.text == "&A", ws.title
    for name in OFFICIAL:
        ws = workbook[name]
        # the unit row and every header row, down to the first row of figures (where the panes freeze)
        first_figures = openpyxl.utils.cell.coordinate_to_tuple(ws.freeze_panes)[0]
        assert ws.print_title_rows == f"$2:${first_figures - 1}", name
        title = next(r for r in ws.merged_cells.ranges if r.min_row == 1)
        assert (title.min_col, title.max_col) == (1, ws.max_column), name
        assert not ws["A1"].alignment.wrap_text, name
    assert workbook["审核结果"].print_title_rows == "$1:$1"


def test_one_font_on_every_cell_bold_and_italic_included(runs, workbook):
    from budgetkit.report.workbook_cells import FONT_NAME

    looks = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.font.name == FONT_NAME, (ws.title, cell.coordinate, cell.font.name)
                looks.add((bool(cell.font.b), bool(cell.font.i)))
    assert {(True, False), (False, True), (False, False)} <= looks
    # the workbook's default font too, which every cell not written uses, and no theme font in its place
    with zipfile.ZipFile(runs[0] / XLSX) as archive:
        styles = archive.read("xl/styles.xml").decode()
    fonts = re.findall(r"<font>.*?</font>", styles)
    assert fonts and all(f'<name val="{FONT_NAME}"/>' in f and "<scheme" not in f for f in fonts)


def test_figures_show_their_printed_decimals_and_counts_none(workbook, bundled_findings, tmp_path):
    from budgetkit.claims import COUNT_UNITS

    ws = workbook["审核结果"]
    header = [c.value for c in ws[1]]
    assert header == [column_heading(c) for c in bundled_findings.columns]
    header = list(bundled_findings.columns)
    counts = [r for r in range(2, ws.max_row + 1) if ws.cell(r, header.index("unit") + 1).value in COUNT_UNITS
              and ws.cell(r, header.index("stated") + 1).value is not None]
    assert counts  # the bundled budget's vehicles (辆)
    assert {ws.cell(r, header.index("stated") + 1).number_format for r in counts} == {"#,##0"}
    budget = budget_of([claim("expenditure_total", "10.125", kind="total"), claim("expenditure_basic", "9.00"),
                        claim("expenditure_project", "1.125")])
    path = tmp_path / "three-decimals.xlsx"
    data, layout = workbook_bytes(budget)
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path)["部门支出总表"]
    formats = {(p.role, p.claim_id): sheet[p.cell].number_format for p in layout.placements
               if p.sheet == "部门支出总表"}
    assert formats == {("stated", "c001-1"): "#,##0.000", ("stated", "c002-1"): "#,##0.00",  # 9.00 keeps two
                       ("stated", "c003-1"): "#,##0.000", ("sum", "c001-1"): "#,##0.000",
                       ("difference", "c001-1"): "#,##0.000"}


# -- text from the document stays text ------------------------------------------------------------------------

def hostile_budget():
    budget = budget_of([
        claim("income_total", "10.00", kind="total", label="=SUM(1)", quote="@x 收入"),
        claim("income_general_budget", "6.00", label="+cmd", quote="-2+3"),
        claim("income_carryover", "4.00", label="@SUM(A1)", quote="=HYPERLINK(\"http://x\",\"y\")"),
        claim("expenditure_total", "10.00", kind="total", quote="<script>alert(1)</script>"),
        claim("expenditure_basic", "9.00"),
        claim("expenditure_project", "2.00"),
    ])
    items = load().line_items.iloc[0:3].copy()
    items["name"] = ["=1+1", "@ 款", "-项"]
    items["purpose"] = ["", "", "=WEBSERVICE(\"http://x\")"]
    return dataclasses.replace(budget, line_items=items.reset_index(drop=True))


def test_text_starting_like_a_formula_is_stored_as_text(tmp_path):
    budget = hostile_budget()
    data, layout = workbook_bytes(budget)
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    wb = openpyxl.load_workbook(path)
    placed = {(p.sheet, p.cell) for p in layout.placements if p.role != "stated"}
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert (ws.title, cell.coordinate) in placed, (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    texts.append(cell.value)
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
    # a label and a quote (in 审核结果), a 科目名称 and a purpose (in 一般公共预算支出表)
    for hostile in ("=SUM(1)", "@x 收入", "=1+1", "@ 款", "-项", '=WEBSERVICE("http://x")'):
        assert hostile in texts
    # the same holds in the raw XML: not one <f> element carries document text
    with zipfile.ZipFile(path) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert all(re.fullmatch(r"[A-Z$0-9(),:+\-*/.]+", f) for f in re.findall(r"<f>([^<]*)</f>", sheets))


def test_audit_pages_escape_document_text():
    budget = hostile_budget()
    findings = budget.audit()
    page = report.audit_html(budget, findings)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = report.audit_markdown(budget, findings)
    assert "<script>" not in markdown
    assert re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d", page + markdown) is None  # no timestamps


# -- the audit files -----------------------------------------------------------------------------------------

def test_audit_report_lists_failures_worst_first_then_the_passes(runs, bundled_findings):
    markdown = (runs[0] / "audit.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\w+)（(\d+) 项）$", markdown, flags=re.M)
    counts = bundled_findings["verdict"].astype(str).value_counts()
    assert headings == [(verdict_name(v), str(counts[v])) for v in ("drift", "semantic", "text", "rounding", "consistent")
                        if counts.get(v, 0)]
    first_drift = bundled_findings[bundled_findings["verdict"] == "drift"].iloc[0]
    assert f"> “{first_drift['quote']}”" in markdown
    assert f"### 不符第1项：{first_drift['rule']} — " in markdown
    page = (runs[0] / "audit.html").read_text(encoding="utf-8")
    assert page.index('id="drift"') < page.index('id="semantic"') < page.index('id="consistent"')
    assert page.count('class="finding ') == int((bundled_findings["verdict"] != "consistent").sum())


def test_the_audit_pages_are_chinese_by_default_and_english_with_lang_en(runs, english_runs, bundled_findings):
    counts = bundled_findings["verdict"].astype(str).value_counts()
    chinese, english = ((folder / "audit.md").read_text(encoding="utf-8") for folder in (runs[0], english_runs[0]))
    assert chinese.startswith("# 审核报告：遂宁市安居区总工会 2024年\n\n共核对 66 项，其中一致 ")
    assert english.startswith("# Audit — 遂宁市安居区总工会 2024\n\n66 evaluations: ")
    assert f"不符 {counts['drift']} 项。" in chinese and f", {counts['drift']} drift." in english
    assert re.findall(r"^## (\w+) \((\d+)\)$", english, flags=re.M) == [
        (v, str(counts[v])) for v in ("drift", "semantic", "text", "rounding", "consistent") if counts.get(v, 0)]
    assert "| 规则 | 所在部分 | 数字编号 | 所列数 | 重算数 | 说明 |" in chinese
    assert "| rule | section | claim | stated | computed | explanation |" in english
    assert re.search(r"^- 所列 840\.05万元；重算 840\.99万元；差额 -0\.94万元；重算所据 c070-1$", chinese, re.M)
    assert re.search(r"^- stated 840\.05万元; computed 840\.99万元; difference -0\.94万元; inputs c070-1$", english, re.M)
    assert "\n- 规则：" in chinese and "\n- rule: " in english
    for folder, lang, title in ((runs[0], "zh-CN", "审核报告："), (english_runs[0], "en", "Audit — ")):
        page = (folder / "audit.html").read_text(encoding="utf-8")
        assert page.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">\n') and f"<title>{title}" in page


def test_the_audit_pages_open_with_the_relations_no_rule_evaluated(runs, english_runs):
    """The bundled budget compares three 三公 items with a year whose figure it never prints (七（一）–（三）):
    a table under 未核对, before any verdict, in both pages and both languages."""
    markdown = (runs[0] / "audit.md").read_text(encoding="utf-8")
    assert ("\n## 未核对\n\n文中写明的关系有 3 处未核对：\n\n"
            "| 所在部分 | 数字编号 | 所写关系 | 所列数 | 原文 | 未核对的原因 |\n|---|---|---|---|---|---|\n"
            "| 七（一） | c126-1 | 因公出国（境）经费较2024年预算增长（下降） | 0% | （一）因公出国（境）经费较2024年预算增长"
            "（下降）0% | 文中没有可以确定为所比较年份数额的数字 |\n"
            "| 七（二） | c127-1 | 公务接待费与2023年预算持平 | 持平 | （二）公务接待费与2023年预算持平 | "
            "文中没有可以确定为所比较年份数额的数字 |\n") in markdown
    assert "| 七（三） | c129-1 | " in markdown and markdown.index("## 未核对") < markdown.index("## 不符（")
    page = (runs[0] / "audit.html").read_text(encoding="utf-8")
    assert ('<h2 id="not-checked">未核对</h2>\n<p>文中写明的关系有 3 处未核对：</p>\n<table><thead><tr><th>所在部分</th>'
            in page) and page.count("<td>文中没有可以确定为所比较年份数额的数字</td>") == 3
    assert page.index('id="not-checked"') < page.index('id="drift"')
    english = (english_runs[0] / "audit.md").read_text(encoding="utf-8")
    assert ("\n## Not checked\n\nRelations the document states that were not evaluated (3):\n\n"
            "| section | claim | relation | stated | quote | why not evaluated |\n") in english
    reason = "no figure of the document could be identified as the figure of the year it compares with"
    assert english.count(f"| {reason} |") == 3


def _key_rows(folder: Path) -> list[tuple[str, str, str, str]]:
    """The key to the verdicts of audit.html: (class, name, key in the data, meaning) per row."""
    page = (folder / "audit.html").read_text(encoding="utf-8")
    key = re.search(r'<table class="key">.*?</table>', page, flags=re.S)
    assert key and page.index('id="key"') < page.index('class="finding ')
    return re.findall(r'<tr><th scope="row" class="(\w+)">(\w+)</th><td><code>(\w+)</code></td>'
                      r"<td>([^<]+)</td></tr>", key.group(0))


def test_audit_page_opens_with_a_key_to_the_verdicts_in_its_language(runs, english_runs):
    chinese, english = _key_rows(runs[0]), _key_rows(english_runs[0])
    # coloured as its findings, named as the page names them, keyed as the data keys them
    assert [(css, name, key) for css, name, key, _ in chinese] == [(v, verdict_name(v, "zh"), v) for v in VERDICTS]
    assert [(css, name, key) for css, name, key, _ in english] == [(v, v, v) for v in VERDICTS]
    assert "<th>判定</th><th>数据中记为</th><th>含义</th>" in (runs[0] / "audit.html").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for (_, _, verdict, zh), (_, _, _, en) in zip(chinese, english):
        assert re.search(r"[\u4e00-\u9fff]{4}", zh) and zh != en, zh  # a Chinese sentence, not a copy of the English
        # the name and meaning the README gives
        assert f"| `{verdict}` | {verdict_name(verdict, 'zh')} | {html.unescape(en)} |" in readme


def test_audit_page_fonts_are_the_chinese_faces_users_have_then_sans_serif(runs):
    page = (runs[0] / "audit.html").read_text(encoding="utf-8")
    body = re.search(r"body \{ font-family: ([^;]+);", page).group(1)
    assert [f.strip().strip('"') for f in body.split(",")] == [
        "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif"]
    for rule in re.findall(r"font-family: ([^;]+);", page):  # the figures' face falls back to them too
        assert "Noto Sans CJK SC" in rule, rule


def test_findings_files_are_the_check_commands(runs, capsys):
    _, out_csv, _ = run(capsys, "check", "--format", "csv")
    _, out_json, _ = run(capsys, "check", "--format", "json")
    assert (runs[0] / "findings.csv").read_text(encoding="utf-8") == out_csv
    assert json.loads((runs[0] / "findings.json").read_text(encoding="utf-8")) == json.loads(out_json)


def test_table_csvs_are_utf8_and_formula_safe(runs, bundled_budget, bundled_findings):
    from budgetkit import tables

    for name, build in tables.TABLES.items():
        frame = build(bundled_budget, bundled_findings)
        rows = list(csv.reader(io.StringIO((runs[0] / "tables" / f"{name}.csv").read_text(encoding="utf-8"))))
        assert rows[0] == list(frame.columns) and len(rows) == len(frame) + 1
        numeric = [i for i, c in enumerate(frame.columns) if str(frame[c].dtype) not in ("str", "string", "object")]
        for row in rows[1:]:
            for index, value in enumerate(row):
                if index not in numeric:
                    assert not value.startswith(("=", "+", "-", "@")), (name, value)
    assert table_value("appropriation-by-item", "code", "201", "recomputed_wan_yuan", runs) == "802.64"


def table_value(name, key, wanted, column, runs):
    for row in csv.DictReader(io.StringIO((runs[0] / "tables" / f"{name}.csv").read_text(encoding="utf-8"))):
        if row[key] == wanted:
            return row[column]
    return None


# -- the command: progress, summary, errors --------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_on_stderr_and_summary_on_stdout(tmp_path, capsys, monkeypatch, lang):
    monkeypatch.setattr(budget_report, "chart_files", no_charts)
    with using_language("zh"):  # Chinese unless --lang en; the language goes back after the test
        status, out, err = run(capsys, "report", str(ROOT / "tests/data/tiny-budget"), "--out", str(tmp_path),
                               "--no-notebooks", *(["--lang", "en"] if lang == "en" else []))
    assert status == 0
    with using_language(lang):
        names = [step_name(step) for step in report.STEPS]
    assert re.findall(r"^\[(\d)/7\] (.+?) …", err, flags=re.M) == [
        (str(n), name) for n, name in enumerate(names, start=1)]
    if lang == "zh":
        assert names == ["读取并审核", "审核报告", "图表", "表格", "工作簿", "标注 PDF", "笔记本"]
        assert "[7/7] 笔记本 … 跳过：已指定 --no-notebooks（0.0 秒）" in err
        assert re.search(r"^  笔记本        跳过：已指定 --no-notebooks$", out, re.M)
        assert re.search(r"^  表格 +\d+ 个文件 +[\d.]+ kB  " + re.escape(f"{tmp_path}/tables/") + "$", out, re.M)
        assert re.search(r"^审核：共核对 11 项，其中一致 \d+ 项，.*（详见 " + re.escape(str(tmp_path / "audit.html")) + "）$",
                         out, re.M)
    else:
        assert names == ["load and audit", "audit report", "charts", "tables", "workbook", "annotated PDF", "notebooks"]
        assert "[7/7] notebooks … skipped (--no-notebooks) (0.0 s)" in err and "skipped: --no-notebooks" in out
        assert re.search(r"^audit: 11 evaluations: \d+ consistent, .* \(read " + re.escape(str(tmp_path / "audit.html"))
                         + r"\)$", out, re.M)
    assert "测试区文化馆 2024" in out and f"{tmp_path}/tables/" in out
    assert "tiny-test-budget.xlsx" in out and "Traceback" not in out + err


def test_bad_input_exits_2(tmp_path, capsys):
    status, out, err = run(capsys, "report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert status == 2 and out == "" and f"{tmp_path / 'nowhere'}：没有这个文件或文件夹" in err


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder")
    status, out, err = run(capsys, "report", "--out", str(tmp_path / "taken"), "--no-notebooks")
    assert (status, out) == (2, "")  # refused before anything is read: bad input, not a failed step
    assert err.endswith(f"--out {tmp_path / 'taken'} 是文件，不是文件夹：请指定一个文件夹（新建或已有）来写入报告\n")
    assert err.count("\n") == 1 and err.startswith("budgetkit report")


def test_a_failing_step_is_named_and_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    import budgetkit.report.workbook

    real = budgetkit.report.workbook.workbook_bytes

    def broken(budget, findings=None):
        real(budget, findings)
        raise OSError("disk full")

    monkeypatch.setattr(budgetkit.report.workbook, "workbook_bytes", broken)
    monkeypatch.setattr(budget_report, "chart_files", no_charts)
    status, out, err = run(capsys, "report", "--out", str(tmp_path), "--no-notebooks")
    assert status == 3
    assert "第 5/7 步（工作簿）失败：OSError: disk full（位于 " in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.rglob("*.part"))
    assert (tmp_path / "audit.html").is_file()  # the steps before it are complete


def test_write_atomic_never_leaves_a_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.txt"
    atomic_files.write_atomic(target, "old")

    def fail(*args):
        raise OSError("no space")

    monkeypatch.setattr(atomic_files.os, "replace", fail)
    with pytest.raises(OSError):
        atomic_files.write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.txt"]


# -- charts ---------------------------------------------------------------------------------------------------

def test_charts_in_three_formats_with_chinese_text_in_the_pdf(runs):
    from PIL import Image
    from pypdf import PdfReader

    from budgetkit import charts

    folder = runs[0] / "charts"
    for name in charts.CHARTS:
        assert {p.suffix for p in folder.glob(f"{name}.*")} == {".png", ".svg", ".pdf"}, name
        dpi = Image.open(folder / f"{name}.png").info.get("dpi", (0, 0))
        assert round(dpi[0]) >= 200, name
        reader = PdfReader(folder / f"{name}.pdf")
        text = "".join(page.extract_text() for page in reader.pages)
        assert re.search(r"[\u4e00-\u9fff]", text), f"{name}.pdf has no Chinese text layer"
        fonts = set()
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                fonts.add(str(font.get_object().get("/BaseFont", font.get_object().get("/Name", ""))))
        assert any("CJK" in f or "Noto" in f for f in fonts), (name, fonts)


def test_the_chart_step_moves_finished_files_and_names_a_failing_chart(tmp_path, monkeypatch, bundled_budget):
    """The step's own logic, on a stand-in registry: files land in charts/, nothing is left behind."""
    import types

    def save(figure, stem, formats=("png", "svg", "pdf"), dpi=200):
        paths = []
        for extension in formats:
            path = Path(f"{stem}.{extension}")
            path.write_bytes(f"{extension} {dpi}".encode())
            paths.append(path)
        return paths

    def good(budget):
        import matplotlib.figure

        return matplotlib.figure.Figure()

    def bad(budget):
        raise KeyError("no such measure")

    stand_in = types.ModuleType("budgetkit.charts")
    stand_in.save, stand_in.CHARTS = save, {"good": good}
    monkeypatch.setitem(__import__("sys").modules, "budgetkit.charts", stand_in)
    monkeypatch.setattr(__import__("budgetkit"), "charts", stand_in, raising=False)
    written, detail = budget_report.chart_files(bundled_budget, tmp_path)
    assert sorted(p.name for p in written) == ["good.pdf", "good.png", "good.svg"]
    assert detail == "图表 1 张，文件 3 个" and sorted(p.name for p in tmp_path.iterdir()) == ["charts"]
    stand_in.CHARTS = {"bad": bad}
    with pytest.raises(report.ReportError, match=r"第 3/7 步（图表）失败：图表 bad：KeyError"):
        budget_report.chart_files(bundled_budget, tmp_path)
    with using_language("en"), pytest.raises(report.ReportError, match=r"step 3/7 \(charts\) failed: chart 'bad': KeyError"):
        budget_report.chart_files(bundled_budget, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charts"]


def test_reporting_stays_out_of_import_budgetkit():
    import subprocess
    import sys

    code = ("import sys, budgetkit, budgetkit.cli, budgetkit.report; "
            "print(sorted(m for m in ('openpyxl', 'xlsxwriter', 'matplotlib', 'nbformat', 'nbclient') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- notebooks ------------------------------------------------------------------------------------------------

def test_notebooks_execute_into_identical_html_pages(tmp_path, monkeypatch):
    """One notebook executed twice on a given budget path (the full set runs in `make report`)."""
    source = sorted((ROOT / "notebooks").glob("*.ipynb"))[0]
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    monkeypatch.setattr(notebook_pages, "notebooks_dir", lambda: folder)
    budget = tmp_path / "tiny-budget"  # another budget, beside the notebooks as data/ is in the repository
    shutil.copytree(ROOT / "tests/data/tiny-budget", budget)
    pages = []
    for name in ("A", "B"):
        written, _ = notebook_pages.run_notebooks(budget, tmp_path / name, lambda message: None)
        assert [p.name for p in written] == [f"{source.stem}.html"]
        pages.append(written[0].read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    assert "../tiny-budget" in page and "测试区文化馆" in page  # ran on the budget given, by a relative path
    assert str(tmp_path) not in page and str(ROOT) not in page  # no absolute path
    assert "Traceback" not in page


JIANGSU_LIKE = """江苏省测试厅2018年部门预算公开
一、收支预算总体情况说明
（二）支出预算总计 1000.00 万元。
此外，基本支出预算数为 600.00 万元。
项目支出预算数为 300.00 万元。
单位预留机动经费预算数为 100.00 万元。
"""


def test_a_document_is_reported_with_what_could_not_be_checked_and_its_charts_follow_the_rules(tmp_path):
    """`budgetkit report 说明.txt` reads the document itself; audit.md/html say first what was not checked;
    the expenditure chart draws the parts the rules add to the total (单位预留机动经费), so it agrees with the audit."""
    document = tmp_path / "jiangsu.txt"
    document.write_text(JIANGSU_LIKE, encoding="utf-8")
    out = tmp_path / "out"
    result = report.run_report(document, out, notebooks=False, progress=lambda _: None)
    assert result.verdict_counts["drift"] == 0
    markdown = (out / "audit.md").read_text(encoding="utf-8")
    limits = load(document).extraction.limits()
    assert "## 未核对" in markdown and f"- {limits[0].strip()}" in markdown  # the extraction's own report
    assert markdown.index("## 未核对") < markdown.index("## 一致（")
    assert '<h2 id="not-checked">未核对</h2>' in (out / "audit.html").read_text(encoding="utf-8")
    from matplotlib.text import Text

    from budgetkit import charts
    figure = charts.CHARTS["expenditure-structure"](load(document))
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert any("单位预留机动经费 100.00" in t for t in texts)
    assert not any("相差" in t for t in texts)  # no note that the parts miss the total
    tables = (out / "tables").glob("*.csv")
    assert any("单位预留机动经费" in t.read_text(encoding="utf-8") for t in tables)
