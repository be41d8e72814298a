"""The budget as an Excel workbook laid out like the official 部门预算公开 tables.

Stated figures are values; every recomputed total, share and difference is a live Excel formula
beside the stated figure, so a reviewer can follow the arithmetic in Excel itself. Everything is
built from the budget's claims, line items and measures vocabulary, never from one document's
numbers; the parts of a total are the ones the audit used (its findings' ``inputs``), else those
its sum rule names.

Text from the document is always written as text (never as a formula), and the file is
byte-identical from run to run: fixed document properties and fixed zip entry times.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..findings import VERDICTS, finding_records
from .workbook_cells import (BOLD, CENTER, DETAIL_FORMAT, HEADER_FILL, TITLE_FONT, VERDICT_ZH, WRAP, cell_ref,
                             stable_bytes, verdict_fill, write_number, write_text)
from .workbook_sheets import (basic_sheet, expenditure_sheet, fiscal_sheet, general_budget_sheet, income_sheet,
                              no_spending_sheet, overview_sheet, three_public_sheet, WorkbookClaims,
                              WorkbookLayout)

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["build_workbook", "workbook_bytes", "workbook_name"]


def _findings_sheet(wb, findings: pd.DataFrame) -> None:
    ws = wb.create_sheet("审核结果")
    columns = list(findings.columns)
    for index, column in enumerate(columns, start=1):
        write_text(ws, cell_ref(index, 1), column, font=BOLD, fill=HEADER_FILL, alignment=CENTER)
    numeric = {"stated", "computed", "difference"}
    for row, record in enumerate(finding_records(findings), start=2):
        for index, column in enumerate(columns, start=1):
            value = record[column]
            ref = cell_ref(index, row)
            if column in numeric:
                write_number(ws, ref, None if value is None else Decimal(value), DETAIL_FORMAT)
            elif column == "verdict":
                fill = verdict_fill(value)
                write_text(ws, ref, value, fill=fill)
            else:
                write_text(ws, ref, value, alignment=WRAP if column in ("quote", "explanation", "reason") else None)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{cell_ref(len(columns), len(findings) + 1)}"
    wide = {"quote": 40, "explanation": 60, "reason": 50, "label": 24, "inputs": 20}
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = wide.get(column, 14)


def _about_sheet(wb, budget: Budget, findings: pd.DataFrame, sheets: list[str]) -> None:
    from .. import __version__

    ws = wb.create_sheet("说明", 0)
    descriptor = budget.descriptor or {}
    document = next((r.get("path") for r in descriptor.get("resources", [])
                     if r.get("name") == descriptor.get("budget", {}).get("document")), "")
    counts = findings["verdict"].astype(str).value_counts()
    lines = [
        ("部门", budget.department),
        ("预算年度", f"{budget.year}（上年 {budget.prior_year}）"),
        ("资料", str(descriptor.get("title", ""))),
        ("数据包", f"{descriptor.get('name', '')} {document}".strip()),
        ("生成", f"budgetkit {__version__} report（数据包 → 审核 → 本工作簿）"),
        ("审核", f"{len(findings)} 项核对：" + "，".join(f"{VERDICT_ZH[v]} {v} {int(counts.get(v, 0))}"
                                                    for v in VERDICTS)),
        ("怎样读", "各表按部门预算公开表式排列。“文中所述”是编制说明印出的数字（数值）；“重算（公式）”是 Excel 公式，"
                 "由同表中所述的组成部分算出（合计 =SUM(…)，占比 =部分/总数*100）；“差额”= 所述 − 重算。"),
        ("审核列", "一致 consistent：在舍入范围内相符；舍入 rounding：仅舍入差异；文字 text：文字或模板遗留问题；"
                 "口径 semantic：口径或所指总数不符；不符 drift：数字对不上。详见“审核结果”表。"),
        ("出处", "章节、数字编号（claim_id）与原文印出的数字，可在数据包 claims.csv 中查到所在行和字符位置。"),
        ("单位", "金额单位为万元，两位小数；占比为百分数（%）。"),
    ]
    write_text(ws, "A1", "说明", font=TITLE_FONT, border=False)
    for row, (key, value) in enumerate(lines, start=3):
        write_text(ws, cell_ref(1, row), key, font=BOLD)
        write_text(ws, cell_ref(2, row), value, alignment=WRAP)
    row = len(lines) + 4
    write_text(ws, cell_ref(1, row), "工作表", font=BOLD, fill=HEADER_FILL)
    write_text(ws, cell_ref(2, row), "内容", font=BOLD, fill=HEADER_FILL)
    for offset, sheet in enumerate(sheets, start=1):
        write_text(ws, cell_ref(1, row + offset), sheet)
        write_text(ws, cell_ref(2, row + offset), SHEET_NOTES.get(sheet, ""), alignment=WRAP)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100


SHEET_NOTES = {
    "部门收支总表": "收入按来源、支出按功能分类（类）；收入总计、支出总计与各项之和。",
    "部门收入总表": "收入合计与上年结转、本年各项收入。",
    "部门支出总表": "支出合计与基本支出、项目支出，及其占比。",
    "财政拨款收支总表": "财政拨款收入与支出（按类）及其总计。",
    "一般公共预算支出表": "当年拨款按类/款/项，科目编码分列；各级与其下级之和、各类占比。",
    "一般公共预算基本支出表": "基本支出与人员经费、公用经费。",
    "一般公共预算“三公”经费支出表": "“三公”经费合计、因公出国（境）费、公务用车购置及运行费（小计、购置费、运行费）、公务接待费。",
    "政府性基金预算支出表": "无相关支出时为空表，注明本部门无相关收支。",
    "国有资本经营预算支出表": "无相关支出时为空表，注明本部门无相关收支。",
    "审核结果": "每条审核规则的每次核对（含一致的），全部列。",
}


def build_workbook(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[Workbook, WorkbookLayout]:
    """The workbook and where every stated figure and formula went."""
    findings = budget.audit() if findings is None else findings
    claims = WorkbookClaims(budget, findings)
    names = {code: name for code, name in zip(budget.line_items["code"], budget.line_items["name"])
             if isinstance(name, str)}
    layout = WorkbookLayout()
    wb = Workbook()
    wb.remove(wb.active)
    overview_sheet(wb, budget, layout, claims, names)
    income_sheet(wb, budget, layout, claims, names)
    expenditure_sheet(wb, budget, layout, claims, names)
    fiscal_sheet(wb, budget, layout, claims, names)
    general_budget_sheet(wb, budget, layout, claims, names)
    basic_sheet(wb, budget, layout, claims, names)
    three_public_sheet(wb, budget, layout, claims, names)
    no_spending_sheet(wb, budget, layout, claims, names, "政府性基金预算支出表", "gov_fund_expenditure")
    no_spending_sheet(wb, budget, layout, claims, names, "国有资本经营预算支出表", "state_capital_expenditure")
    _findings_sheet(wb, findings)
    _about_sheet(wb, budget, findings, [ws.title for ws in wb.worksheets])
    layout.sheets = [ws.title for ws in wb.worksheets]
    wb.active = 1  # open on the first official table
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.active
    # no cached values are written: have Excel and LibreOffice compute the formulas on opening
    wb.calculation.fullCalcOnLoad = True
    when = dt.datetime(budget.year, 1, 1)
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = wb.properties.lastModifiedBy = "budgetkit"
    wb.properties.title = f"{budget.department}{budget.year}年部门预算"
    return wb, layout


def workbook_bytes(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[bytes, WorkbookLayout]:
    """The .xlsx file's bytes, identical on every run for the same budget."""
    wb, layout = build_workbook(budget, findings)
    return stable_bytes(wb), layout


def workbook_name(budget: Budget) -> str:
    """``<slug>.xlsx``: the data package's name, else the budget year."""
    name = str((budget.descriptor or {}).get("name", "")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{slug or f'budget-{budget.year}'}.xlsx"
