"""The 决算's 政府性基金 and 国有资本经营 收入支出决算表, its 政府采购情况表 and its 机关运行经费支出决算表, read as tables:
each figure keyed to its measure where its row and column say what it is (data/official_tables.toml), their sums
checked by rules (data/rules.toml); a consistent table gives consistent findings, one mistyped cell drift naming
it in each relation it is in, an empty or declared-empty table none.

The layouts are the national template's (附件2 部门决算模板, pp13–14: 功能分类科目编码 | 科目名称 | 年初结转和结余 | 本年收入 |
本年支出 (合计, 基本支出, 项目支出) | 年末结转和结余), the 支出决算表 some provinces print (本年支出 alone), Beijing's
政府采购情况表 (采购计划金额 and 实际采购金额, each 合计, 货物, 工程, 服务) and a 机关运行经费 table by 经济分类 (预算数 beside
its 决算数), each written as a real input: a workbook (openpyxl) or a Word document (python-docx) in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit import load
from budgetkit.audit import audit
from budgetkit.extract import extract
from builders import workbook_of

ROOT = Path(__file__).resolve().parents[2]
PUTUO = ROOT / "data" / "final-accounts" / "sh-putuo-planning-2024-final-accounts"

#: The national template's 收入支出决算表 of a fund, its 本年支出 split under its heading (headings over rows 3–4,
#: the 合计 row 5): three 项 under one 款 under one 类, 2120801 printing no 基本支出.
GOV_FUND = [["2024年度政府性基金预算财政拨款收入支出决算表"], ["单位：万元"],
            ["项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"],
            ["功能分类科目编码", "科目名称", "", "", "合计", "基本支出", "项目支出", ""],
            ["合计", "", "5.00", "100.00", "90.00", "10.00", "80.00", "15.00"],
            ["212", "城乡社区支出", "5.00", "100.00", "90.00", "10.00", "80.00", "15.00"],
            ["21208", "国有土地使用权出让收入安排的支出", "5.00", "100.00", "90.00", "10.00", "80.00", "15.00"],
            ["2120801", "征地和拆迁补偿支出", "2.00", "60.00", "55.00", "", "55.00", "7.00"],
            ["2120899", "其他国有土地使用权出让收入安排的支出", "3.00", "40.00", "35.00", "10.00", "25.00", "8.00"]]
FUND_MERGED = ["A3:B3", "C3:C4", "D3:D4", "E3:G3", "H3:H4", "A5:B5"]

#: The same layout for the state capital budget: two 类.
STATE_CAPITAL = [["2024年度国有资本经营预算财政拨款收入支出决算表"], ["单位：万元"],
                 ["项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"],
                 ["功能分类科目编码", "科目名称", "", "", "合计", "基本支出", "项目支出", ""],
                 ["合计", "", "1.00", "50.00", "48.00", "8.00", "40.00", "3.00"],
                 ["208", "社会保障和就业支出", "", "8.00", "8.00", "8.00", "", ""],
                 ["20899", "其他社会保障和就业支出", "", "8.00", "8.00", "8.00", "", ""],
                 ["223", "国有资本经营预算支出", "1.00", "42.00", "40.00", "", "40.00", "3.00"],
                 ["22301", "解决历史遗留问题及改革成本支出", "1.00", "42.00", "40.00", "", "40.00", "3.00"]]

#: A province's 国有资本经营预算财政拨款支出决算表: its spending alone, 合计 | 基本支出 | 项目支出.
STATE_CAPITAL_SPENDING = [["2024年度国有资本经营预算财政拨款支出决算表"], ["单位：万元"],
                          ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                          ["", "合计", "30.00", "", "30.00"],
                          ["223", "国有资本经营预算支出", "30.00", "", "30.00"],
                          ["22301", "解决历史遗留问题及改革成本支出", "30.00", "", "30.00"]]

#: The national template as it draws the table (p13): 合计 | 基本支出 | 项目支出 printed in the 合计 row, not under
#: 本年支出, so the three columns are all headed 本年支出 alone.
AS_DRAWN = [["2024年度政府性基金预算财政拨款收入支出决算表"], ["单位：万元"],
            ["项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"],
            ["功能分类科目编码", "科目名称", "", "", "", "", "", ""],
            ["合计", "", "5.00", "100.00", "合计", "基本支出", "项目支出", "15.00"],
            ["212", "城乡社区支出", "5.00", "100.00", "90.00", "10.00", "80.00", "15.00"],
            ["21208", "国有土地使用权出让收入安排的支出", "5.00", "100.00", "91.00", "10.00", "80.00", "15.00"]]
AS_DRAWN_MERGED = ["A3:B3", "C3:C4", "D3:D4", "E3:G4", "H3:H4", "A5:B5"]

#: A 机关运行经费支出决算表 by 经济分类, its 预算数 beside its 决算数.
ADMIN = [["2024年度机关运行经费支出决算表"], ["单位：万元"],
         ["科目编码", "科目名称", "预算数", "决算数"],
         ["", "合计", "15.00", "12.00"],
         ["302", "商品和服务支出", "15.00", "12.00"],
         ["30201", "办公费", "6.00", "5.00"],
         ["30211", "差旅费", "9.00", "7.00"]]

#: Beijing's 政府采购情况表, in a Word document after its explanation's 政府采购 paragraph (the template's wording).
PROCUREMENT_TEXT = ["上海市普陀区规划和自然资源局2024年度部门决算", "十一、其他重要事项的情况说明", "（二）政府采购支出情况",
                    "上海市普陀区规划和自然资源局2024年度政府采购金额（以合同签订为准）为110.00万元，其中：货物采购金额"
                    "45.00万元、工程采购金额0万元、服务采购金额65.00万元。"]
PROCUREMENT = [["项目", "采购计划金额", "", "", "", "实际采购金额", "", "", ""],
               ["", "合计", "货物", "工程", "服务", "合计", "货物", "工程", "服务"],
               ["合计", "120.00", "50.00", "", "70.00", "110.00", "45.00", "", "65.00"],
               ["上海市普陀区规划和自然资源局", "120.00", "50.00", "", "70.00", "110.00", "45.00", "", "65.00"]]
PROCUREMENT_MERGED = [(0, 0, 1, 0), (0, 1, 0, 4), (0, 5, 0, 8)]

FAILING = {"drift", "semantic"}


def _workbook(tmp_path: Path, sheet: list[list[str]], merged=(), name: str = "公开表.xlsx"):
    """The workbook of one sheet (``merged``: its merged ranges), extracted and audited: (budget, findings)."""
    budget = extract(workbook_of(tmp_path, sheet, merged, name))
    return budget, audit(budget)


def _document(tmp_path: Path, paragraphs: list[str], title: str, grid: list[list[str]], merged=()):
    """A Word document of ``paragraphs``, then a table titled ``title`` in 万元 (``merged``: (row, column, row,
    column) corners of its merged cells), extracted and audited: (budget, findings)."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for paragraph in [*paragraphs, title, "单位：万元"]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(grid), cols=len(grid[0]))
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    for r0, c0, r1, c1 in merged:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    path = tmp_path / "决算.docx"
    document.save(str(path))
    budget = extract(path)
    return budget, audit(budget)


def _keyed(budget) -> dict[tuple[str, str], str]:
    """Each figure of the tables as (its 科目编码, or its row's label where it has none; its heading) → its measure
    ("" where not keyed)."""
    cells = budget.table_cells.fillna("")
    return {(str(row.code) or str(row.row_label), str(row.heading)): str(row.measure) for row in cells.itertuples()}


def _claim_at(budget, row: int, column: int) -> str:
    """The claim of the figure printed at the table's ``row`` and ``column`` (1-based, as table_cells counts)."""
    cells = budget.table_cells
    found = cells[(cells["row"] == row) & (cells["column"] == column)]
    assert len(found) == 1 and found["claim_id"].iloc[0], (row, column)
    return str(found["claim_id"].iloc[0])


def _failing(findings) -> list:
    return [f for f in findings.itertuples() if f.verdict in FAILING]


def _names(finding) -> set[str]:
    """The claims a finding is about: its own and those it is computed from."""
    return {str(finding.claim_id), *str(finding.inputs or "").split()}


def _verdicts(findings, prefix: str) -> dict[str, list[str]]:
    return {rule: list(group["verdict"]) for rule, group in findings.groupby("rule") if rule.startswith(prefix)}


def _mistyped(sheet: list[list[str]], row: int, column: int, text: str) -> list[list[str]]:
    """``sheet`` with the cell of the table's ``row`` and ``column`` (1-based, under the title and unit rows) retyped."""
    copy = [list(r) for r in sheet]
    copy[row + 1][column - 1] = text
    return copy


# -- 政府性基金预算财政拨款收入支出决算表 ------------------------------------------------------------------------

def test_a_gov_fund_table_keys_each_column_of_its_total_row_and_of_its_code_rows(tmp_path):
    budget, _ = _workbook(tmp_path, GOV_FUND, FUND_MERGED)
    keyed = _keyed(budget)
    assert {heading: keyed[("合计", heading)] for label, heading in keyed if label == "合计"} == {
        "年初结转和结余": "accounts_gov_fund_opening_balance",
        "本年收入": "income_gov_fund",  # the accounts summary's 政府性基金预算财政拨款收入: one quantity
        "本年支出／合计": "gov_fund_expenditure",  # the text's 政府性基金预算财政拨款支出
        "本年支出／基本支出": "accounts_gov_fund_basic",
        "本年支出／项目支出": "accounts_gov_fund_project",
        "年末结转和结余": "accounts_gov_fund_closing_balance"}
    assert {heading: keyed[("2120899", heading)] for code, heading in keyed if code == "2120899"} == {
        "年初结转和结余": "accounts_gov_fund_opening_by_function",
        "本年收入": "accounts_gov_fund_income_by_function",
        "本年支出／合计": "gov_fund_expenditure_by_function",  # the 财政拨款收入支出决算总表's by 类
        "本年支出／基本支出": "accounts_gov_fund_basic_by_function",
        "本年支出／项目支出": "accounts_gov_fund_project_by_function",
        "年末结转和结余": "accounts_gov_fund_closing_by_function"}
    assert all(keyed.values())  # every figure the table prints is identified
    assert ("2120801", "本年支出／基本支出") not in keyed  # a blank cell is no figure


def test_a_consistent_gov_fund_table_is_consistent_by_row_by_class_and_by_code(tmp_path):
    _, findings = _workbook(tmp_path, GOV_FUND, FUND_MERGED)
    verdicts = _verdicts(findings, "accounts-gov-fund-")
    # 10 + 80 = 90 on the 合计 row; on each of the four code rows 基本 + 项目 = 本年支出
    assert verdicts["accounts-gov-fund-total-row"] == ["consistent"]
    assert verdicts["accounts-gov-fund-row"] == ["consistent"] * 4
    for column in ("expenditure", "basic", "project", "income", "opening", "closing"):
        assert verdicts[f"accounts-gov-fund-{column}-by-class"] == ["consistent"], column  # 合计 = 212
        # 212 = 21208, and 21208 = 2120801 + 2120899 (basic: 2120899 alone, 2120801 printing none)
        assert verdicts[f"accounts-gov-fund-{column}-rollup"] == ["consistent"] * 2, column
    assert not _failing(findings)


def test_a_mistyped_code_cell_of_a_gov_fund_table_is_one_drift_naming_it(tmp_path):
    sheet = _mistyped(GOV_FUND, 6, 8, "7.50")  # 2120801's 年末结转和结余: 7.50 + 8.00 is not 21208's 15.00
    budget, findings = _workbook(tmp_path, sheet, FUND_MERGED)
    failing = _failing(findings)
    assert [(f.rule, f.verdict) for f in failing] == [("accounts-gov-fund-closing-rollup", "drift")]
    assert _claim_at(budget, 6, 8) in _names(failing[0])


def test_a_mistyped_total_of_a_row_of_a_gov_fund_table_drifts_against_its_parts(tmp_path):
    sheet = _mistyped(GOV_FUND, 3, 5, "91.00")  # the 合计 row's 本年支出 合计: neither 10 + 80 nor 类 212's 90
    budget, findings = _workbook(tmp_path, sheet, FUND_MERGED)
    failing = _failing(findings)
    assert sorted(f.rule for f in failing) == ["accounts-gov-fund-expenditure-by-class", "accounts-gov-fund-total-row"]
    assert all(_claim_at(budget, 3, 5) == f.claim_id for f in failing)


# -- 国有资本经营预算财政拨款收入支出决算表 ----------------------------------------------------------------------

def test_a_state_capital_table_is_keyed_and_summed_as_the_gov_funds(tmp_path):
    budget, findings = _workbook(tmp_path, STATE_CAPITAL, FUND_MERGED)
    keyed = _keyed(budget)
    assert keyed[("合计", "本年收入")] == "income_state_capital"
    assert keyed[("合计", "本年支出／合计")] == "state_capital_expenditure"
    assert keyed[("合计", "年末结转和结余")] == "accounts_state_capital_closing_balance"
    assert keyed[("208", "本年支出／基本支出")] == "accounts_state_capital_basic_by_function"
    assert keyed[("22301", "本年支出／合计")] == "state_capital_expenditure_by_function"
    assert keyed[("223", "年初结转和结余")] == "accounts_state_capital_opening_by_function"
    assert all(keyed.values())
    verdicts = _verdicts(findings, "accounts-state-capital-")
    assert verdicts["accounts-state-capital-income-by-class"] == ["consistent"]  # 50 = 208's 8 + 223's 42
    assert verdicts["accounts-state-capital-expenditure-by-class"] == ["consistent"]  # 48 = 8 + 40
    assert verdicts["accounts-state-capital-row"] == ["consistent"] * 4
    assert verdicts["accounts-state-capital-income-rollup"] == ["consistent"] * 2
    assert not _failing(findings)


def test_a_mistyped_total_income_of_a_state_capital_table_is_one_drift_naming_it(tmp_path):
    sheet = _mistyped(STATE_CAPITAL, 3, 4, "52.00")  # the 合计 row's 本年收入, not 8 + 42
    budget, findings = _workbook(tmp_path, sheet, FUND_MERGED)
    failing = _failing(findings)
    assert [(f.rule, f.verdict) for f in failing] == [("accounts-state-capital-income-by-class", "drift")]
    assert _claim_at(budget, 3, 4) in _names(failing[0])


def test_a_spending_only_state_capital_table_keys_its_total_column_as_the_spending(tmp_path):
    budget, findings = _workbook(tmp_path, STATE_CAPITAL_SPENDING)
    keyed = _keyed(budget)
    assert keyed == {("合计", "合计"): "state_capital_expenditure", ("合计", "项目支出"): "accounts_state_capital_project",
                     ("223", "合计"): "state_capital_expenditure_by_function",
                     ("223", "项目支出"): "accounts_state_capital_project_by_function",
                     ("22301", "合计"): "state_capital_expenditure_by_function",
                     ("22301", "项目支出"): "accounts_state_capital_project_by_function"}
    assert _verdicts(findings, "accounts-state-capital-total-row") == {"accounts-state-capital-total-row": ["consistent"]}
    assert not _failing(findings)


def test_the_template_as_drawn_keys_no_spending_column_it_cannot_tell_apart(tmp_path):
    """Printed as the template draws it, the three 本年支出 columns are all headed 本年支出: their figures are read,
    never keyed by guess, so 21208's 91.00 (not 10 + 80, not 类 212's 90) is no finding; the balances still are."""
    budget, findings = _workbook(tmp_path, AS_DRAWN, AS_DRAWN_MERGED)
    keyed = _keyed(budget)
    assert {keyed[(code, "本年支出")] for code in ("212", "21208")} == {""}
    assert keyed[("21208", "本年收入")] == "accounts_gov_fund_income_by_function"
    assert keyed[("合计", "本年收入")] == "income_gov_fund"
    assert _verdicts(findings, "accounts-gov-fund-income-") == {
        "accounts-gov-fund-income-by-class": ["consistent"], "accounts-gov-fund-income-rollup": ["consistent"]}
    assert not _failing(findings)


# -- empty and declared-empty tables ------------------------------------------------------------------------------

def _blank(sheet: list[list[str]]) -> list[list[str]]:
    """``sheet`` with every figure left blank (its headings, labels and codes kept)."""
    return [[cell if not cell or not cell[0].isdigit() or len(row) == 1 or cell.isdigit() else "" for cell in row]
            for row in sheet]


@pytest.mark.parametrize("sheet, merged", [(GOV_FUND, FUND_MERGED), (STATE_CAPITAL, FUND_MERGED),
                                           (STATE_CAPITAL_SPENDING, ()), (ADMIN, ())],
                         ids=["gov-fund", "state-capital", "state-capital-spending", "admin-operating-cost"])
def test_a_table_printed_empty_keys_nothing_and_finds_nothing(tmp_path, sheet, merged):
    blank = _blank(sheet)
    assert [row[:2] for row in blank] == [row[:2] for row in sheet] and blank != sheet  # labels kept, figures gone
    budget, findings = _workbook(tmp_path, blank, merged)
    assert budget.table_cells.empty
    assert not _failing(findings) and set(findings["rule"]) <= {"unfilled-template-text"}


def test_the_template_empty_with_its_note_keys_nothing_and_finds_nothing(tmp_path):
    sheet = [row if row[:1] != ["合计"] else ["合计", "", "", "", "合计", "基本支出", "项目支出", ""]
             for row in AS_DRAWN[:5]] + [[""] * 8, ["说明：本单位本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。"]]
    budget, findings = _workbook(tmp_path, sheet, AS_DRAWN_MERGED)
    assert budget.table_cells.empty and not _failing(findings)


def test_a_real_final_accounts_declaring_its_fund_tables_empty_finds_nothing_of_them():
    """上海市普陀区规划和自然资源局's 2024 决算 prints both fund tables empty under a 说明 that there is none."""
    budget = load(PUTUO)
    findings = budget.audit()
    cells = budget.table_cells
    assert not cells[cells["standard"].isin(["accounts_gov_fund", "accounts_state_capital"])].size
    assert not findings["rule"].str.startswith(("accounts-gov-fund-", "accounts-state-capital-")).any()
    assert list(findings.loc[findings["rule"] == "standard-tables", "verdict"]) == ["consistent"]


# -- 机关运行经费支出决算表 ----------------------------------------------------------------------------------------

def test_an_admin_operating_cost_table_keys_its_outturn_not_its_budget(tmp_path):
    budget, findings = _workbook(tmp_path, ADMIN)
    assert _keyed(budget) == {
        ("合计", "预算数"): "", ("合计", "决算数"): "admin_operating_cost",
        ("302", "预算数"): "", ("302", "决算数"): "admin_operating_by_economic",
        ("30201", "预算数"): "", ("30201", "决算数"): "admin_operating_by_economic",
        ("30211", "预算数"): "", ("30211", "决算数"): "admin_operating_by_economic"}
    assert _verdicts(findings, "admin-operating-") == {
        "admin-operating-cost-by-economic-class": ["consistent"],  # 12 = 302's 12
        "admin-operating-economic-rollup": ["consistent"]}  # 302 12 = 30201 5 + 30211 7
    assert not _failing(findings)


def test_a_mistyped_outturn_of_an_admin_operating_cost_table_is_one_drift_naming_it(tmp_path):
    budget, findings = _workbook(tmp_path, _mistyped(ADMIN, 4, 4, "5.50"))  # 30201's 决算数: 5.50 + 7 is not 12
    failing = _failing(findings)
    assert [(f.rule, f.verdict) for f in failing] == [("admin-operating-economic-rollup", "drift")]
    assert _claim_at(budget, 4, 4) in _names(failing[0])
    # its 预算数 is another kind of figure: mistyped, it is no finding
    assert not _failing(_workbook(tmp_path, _mistyped(ADMIN, 4, 3, "6.50"), name="预算数.xlsx")[1])


# -- 政府采购情况表 ------------------------------------------------------------------------------------------------

def test_a_procurement_table_keys_its_two_totals_and_restates_the_text(tmp_path):
    budget, findings = _document(tmp_path, PROCUREMENT_TEXT, "政府采购情况表", PROCUREMENT, PROCUREMENT_MERGED)
    keyed = _keyed(budget)
    assert keyed[("合计", "采购计划金额／合计")] == "accounts_procurement_plan"
    assert keyed[("合计", "实际采购金额／合计")] == "procurement_total"
    # 货物 under the plan and under the outturn: each by its kind of amount (a blank 工程 is none); a unit's row is
    # read, not keyed
    assert keyed[("合计", "采购计划金额／货物")] == "accounts_procurement_plan_goods"
    assert keyed[("合计", "实际采购金额／货物")] == "procurement_goods"
    assert keyed[("合计", "实际采购金额／服务")] == "procurement_services"
    assert {measure for (label, _), measure in keyed.items() if label != "合计"} == {""}
    restated = findings[findings["rule"] == "same-figure-restated"]
    # the text's 政府采购金额 110.00, 货物 45.00 and 服务 65.00 are the table's 实际采购金额
    assert list(restated["verdict"]) == ["consistent"] * 3
    assert any(_claim_at(budget, 3, 6) in _names(row) for row in restated.itertuples())
    assert _verdicts(findings, "procurement-table-by-category") == {"procurement-table-by-category": ["consistent"]}
    assert _verdicts(findings, "accounts-procurement-plan") == {
        "accounts-procurement-plan-by-category": ["consistent"]}  # 120 = 50 + 70
    assert not _failing(findings)


def test_a_mistyped_procurement_total_is_one_drift_naming_it(tmp_path):
    grid = [list(row) for row in PROCUREMENT]
    grid[2][5] = "111.00"  # the 合计 row's 实际采购金额, not the text's 110.00
    budget, findings = _document(tmp_path, PROCUREMENT_TEXT, "政府采购情况表", grid, PROCUREMENT_MERGED)
    failing = _failing(findings)
    # against the text's 110.00, and against its own 货物 45 + 服务 65
    assert sorted((f.rule, f.verdict) for f in failing) == [("procurement-table-by-category", "drift"),
                                                             ("same-figure-restated", "drift")]
    assert all(_claim_at(budget, 3, 6) in _names(f) for f in failing)
