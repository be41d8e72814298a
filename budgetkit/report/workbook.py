"""The budget as an Excel workbook laid out like the official 部门预算公开 tables.

Stated figures are values; every recomputed total, share and difference is a live Excel formula
beside the stated figure, so a reviewer can follow the arithmetic in Excel itself, and each formula
is stored with the value it computes (exact decimals from the same figures), so pandas and openpyxl
read numbers before any spreadsheet has recalculated. Everything is built from the budget's claims,
line items and measures vocabulary, never from one document's numbers; the parts of a total are the
ones the audit used (its findings' ``inputs``), else those its sum rule names. A budget read from a
document's tables also gets each table as printed, its figures marked where the audit disagrees
(:mod:`.workbook_read_tables`), and the findings sheet says where each table finding is.

Every sheet prints as the official tables do (A4 landscape, one page wide, header rows on every
page) in one font. Text from the document is always written as text (never as a formula), and the
file is byte-identical from run to run: fixed document properties and fixed zip entry times.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pandas as pd

from ..findings import VERDICTS
from .workbook_cells import BOLD, HEADER, TITLE, VERDICT_ZH, WRAP, Book, SheetWriter, cell_ref, frame_sheet
from .workbook_read_tables import FigureMarks, PrintedGrid, findings_with_places, link_places, printed_grids, \
    write_printed_grid
from .workbook_sheets import OFFICIAL_TABLES, TableContext, WorkbookClaims, WorkbookLayout

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["workbook_bytes", "workbook_name"]


FINDINGS_SHEET = "审核结果"


ABOUT_SHEET = "说明"


def _about_lines(budget: Budget, findings: pd.DataFrame) -> list[tuple[str, str]]:
    from .. import __version__

    descriptor = budget.descriptor or {}
    document = next((r.get("path") for r in descriptor.get("resources", [])
                     if r.get("name") == descriptor.get("budget", {}).get("document")), "")
    counts = findings["verdict"].astype(str).value_counts()
    return [
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
        ("单位", "金额单位为万元，两位小数（原文印出更多位时照印）；占比为百分数（%）；人数、车辆数等为整数。"),
    ]


READ_TABLES_LINE = ("原表", "“表1 …”等工作表是从文件中逐格读出的公开表，照原表排列：标题行（表号、表名、文件、页码、单位），"
                            "表头各行，再逐行逐列照印；数字为原文印出的数值与小数位（单位见标题行），编码与文字照印为文本。"
                            "审核不一致的数字按判定着色（不符、口径、文字、舍入，颜色同“审核结果”），该格批注写明规则与说明；"
                            "一致的数字不着色。“审核结果”的 table、page、row、column 指出表格数字所在的表、页、行、列，"
                            "sheet_cell 可点击跳到该格。")


def _read_table_note(grid: PrintedGrid) -> str:
    return f"{grid.file} 第{grid.page_span}页的表格照印（单位：{grid.unit or '未注明'}）；审核不一致的数字着色并加批注。"


def _about_sheet(book: Book, budget: Budget, findings: pd.DataFrame, sheets: list[str],
                 grids: list[PrintedGrid]) -> None:
    """说明: what the workbook is, how to read it, then each sheet and what it holds."""
    sheet = SheetWriter(book, ABOUT_SHEET)
    sheet.text("A1", ABOUT_SHEET, TITLE.but(align=None))
    lines = _about_lines(budget, findings) + ([READ_TABLES_LINE] if grids else [])
    notes = {**SHEET_NOTES, **{grid.sheet: _read_table_note(grid) for grid in grids}}
    for row, (key, value) in enumerate(lines, start=3):
        sheet.text(cell_ref(1, row), key, BOLD)
        sheet.text(cell_ref(2, row), value, WRAP)
    row = len(lines) + 4
    sheet.text(cell_ref(1, row), "工作表", HEADER.but(align=None))
    sheet.text(cell_ref(2, row), "内容", HEADER.but(align=None))
    for offset, name in enumerate(sheets, start=1):
        sheet.text(cell_ref(1, row + offset), name)
        sheet.text(cell_ref(2, row + offset), notes.get(name, ""), WRAP)
    sheet.size({1: 34, 2: 100})
    sheet.print_setup()


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


def workbook_bytes(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[bytes, WorkbookLayout]:
    """The .xlsx file's bytes, identical on every run for the same budget, and where every stated
    figure and formula went."""
    findings = budget.audit() if findings is None else findings
    book = Book(title=f"{budget.department}{budget.year}年部门预算", created=dt.datetime(budget.year, 1, 1))
    names = {code: name for code, name in zip(budget.line_items["code"], budget.line_items["name"])
             if isinstance(name, str)}
    context = TableContext(book, budget, WorkbookLayout(), WorkbookClaims(budget, findings), names)
    official = [name for name, _ in OFFICIAL_TABLES]
    # the tables read from the document: none for a package made without them
    grids = printed_grids(budget, findings, {ABOUT_SHEET, *official, FINDINGS_SHEET})
    read = [grid.sheet for grid in grids]
    # 说明 comes first and lists the sheets after it; XlsxWriter adds sheets in order only
    _about_sheet(book, budget, findings, [*official, *read, FINDINGS_SHEET], grids)
    for name, write in OFFICIAL_TABLES:
        write(context, name)
    marks = FigureMarks.of(findings)
    for grid in grids:
        write_printed_grid(book, grid, marks, context.layout)
    _findings_sheet(book, findings, grids)
    book.workbook.get_worksheet_by_name(official[0]).activate()  # open on the first official table
    context.layout.sheets = [ABOUT_SHEET, *official, *read, FINDINGS_SHEET]
    return book.close(), context.layout


def _findings_sheet(book: Book, findings: pd.DataFrame, grids: list[PrintedGrid]) -> None:
    """审核结果: every evaluation; with the tables read, where each table finding's figure is and a link to it."""
    if not grids:
        frame_sheet(book, FINDINGS_SHEET, findings)
        return
    located = findings_with_places(findings, grids)
    link_places(frame_sheet(book, FINDINGS_SHEET, located), located)


def workbook_name(budget: Budget) -> str:
    """``<slug>.xlsx``: the data package's name, else the budget year."""
    name = str((budget.descriptor or {}).get("name", "")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{slug or f'budget-{budget.year}'}.xlsx"
