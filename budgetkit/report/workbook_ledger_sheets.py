"""The official tables printed as two ledgers side by side, 收入 on the left and 支出 on the right
(部门收支总表, 财政拨款收支总表): each part stated, its total beside the =SUM of the parts."""

from __future__ import annotations

from ..claims import Claim
from ..messages import text
from .workbook_cells import BOLD, Sheet, cell_ref
from .workbook_context import TableContext, WorkbookClaims, claim_source, write_stated, write_verdict

__all__ = ["fiscal_sheet", "overview_sheet"]


#: The columns of a 项目 | 预算数 | 重算 | 差额 | 审核 | 出处 block, by their headings' message keys.
LEDGER_HEADERS = ["workbook.header-item", "workbook.header-stated", "workbook.header-recomputed",
                  "workbook.header-difference", "workbook.header-verdict", "workbook.header-source"]


def _ledger_block(sheet: Sheet, context: TableContext, column: int, title: str,
                  items: list[tuple[str, Claim]], total_label: str, total: Claim | None) -> int:
    """A 项目 | 预算数 | 重算 | 差额 | 审核 | 出处 block from ``column``: parts, then the total beside
    the =SUM of the parts. Returns the last row written."""
    layout, claims = context.layout, context.claims
    sheet.header(3, column, title, columns=len(LEDGER_HEADERS))
    for offset, heading in enumerate(LEDGER_HEADERS):
        # the stated figures' heading worded for the document's kind: 预算数, or 决算数 of final accounts
        sheet.header(4, column + offset, text(f"workbook.header-stated-{context.kind}")
                     if heading == "workbook.header-stated" else text(heading))
    row = 5
    part_cells = []
    for label, claim in items:
        sheet.text(cell_ref(column, row), label)
        write_stated(sheet, layout, cell_ref(column + 1, row), claim)
        part_cells.append(cell_ref(column + 1, row))
        for offset in (2, 3):
            sheet.blank(cell_ref(column + offset, row))
        write_verdict(sheet, cell_ref(column + 4, row), claims.verdict([claim.id]))
        sheet.text(cell_ref(column + 5, row), claim_source(claim))
        row += 1
    sheet.text(cell_ref(column, row), total_label, BOLD)
    if total is not None:
        stated = cell_ref(column + 1, row)
        write_stated(sheet, layout, stated, total, BOLD)
        if part_cells:
            recomputed = cell_ref(column + 2, row)
            sheet.sum(recomputed, part_cells)
            layout.add(sheet.name, recomputed, "sum", total.id, tuple(c.id for _, c in items))
            sheet.difference(cell_ref(column + 3, row), stated, recomputed)
            layout.add(sheet.name, cell_ref(column + 3, row), "difference", total.id)
        write_verdict(sheet, cell_ref(column + 4, row), claims.verdict([total.id]))
        sheet.text(cell_ref(column + 5, row), claim_source(total))
    else:
        sheet.text(cell_ref(column + 5, row), text("workbook.not-stated"))
    return row


def _two_sided(context: TableContext, table: str, income: tuple, expenditure: tuple) -> None:
    """收入 on the left, 支出 on the right, as 部门收支总表 and 财政拨款收支总表 print them."""
    sheet = context.sheet(table, width=2 * len(LEDGER_HEADERS))
    last = max(_ledger_block(sheet, context, 1, text("workbook.header-income"), *income),
               _ledger_block(sheet, context, 1 + len(LEDGER_HEADERS), text("workbook.header-expenditure"),
                             *expenditure))
    sheet.note(last + 2, text("workbook.note-two-sided"))
    sheet.finish("A5", wide={6: 45, 12: 45})


def _by_class(claims: WorkbookClaims, names: dict[str, str], total: Claim | None,
              measures: list[str]) -> list[tuple[str, Claim]]:
    """The 类 of the functional classification the total is made of (the audit's parts when it summed them)."""
    for measure in measures:
        parts = claims.parts_of(total, [measure], level_width=3) if total else [
            c for code in sorted({c.code for c in claims.all if c.measure == measure and c.code
                                  and len(c.code) == 3}) if (c := claims.pick(measure, claims.year, code)) is not None]
        if parts:
            return [(f"{p.code} {names.get(p.code, p.label)}", p) for p in parts]
    return []


def _income_items(claims: WorkbookClaims, total: Claim | None) -> list[tuple[str, Claim]]:
    sources = claims.parts(total.measure if total else "income_total")
    parts = claims.parts_of(total, sources) if total else [
        c for m in sources if (c := claims.pick(m, claims.year)) is not None]
    return [(claims.label(p.measure), p) for p in parts]


def overview_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    income_total = claims.pick("income_total", claims.year) or claims.pick("budget_total", claims.year)
    expenditure_total = claims.pick("expenditure_total", claims.year) or claims.pick("budget_total", claims.year)
    _two_sided(context, table,
               (_income_items(claims, income_total), text("workbook.income-total"), income_total),
               (_by_class(claims, context.names, expenditure_total,
                          ["fiscal_expenditure_by_function", "appropriation_by_function"]),
                text("workbook.expenditure-total"), expenditure_total))


def fiscal_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    total = claims.pick("fiscal_total", claims.year)
    _two_sided(context, table,
               (_income_items(claims, total), text("workbook.income-total"), total),
               (_by_class(claims, context.names, total, ["fiscal_expenditure_by_function"]),
                text("workbook.expenditure-total"), total))
