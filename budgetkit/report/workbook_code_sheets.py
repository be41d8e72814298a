"""The official tables with one row per 科目 of the functional classification: 一般公共预算支出表
(类/款/项 with their =SUM and share formulas) and the 政府性基金 / 国有资本经营预算支出表."""

from __future__ import annotations

from ..claims import Claim
from ..messages import text
from .workbook_cells import BOLD, SHARE_FORMAT, TEXT, WRAP, Sheet, cell_ref
from .workbook_context import TableContext, WorkbookLayout, claim_source, write_stated, write_verdict

__all__ = ["general_budget_sheet", "gov_fund_sheet", "state_capital_sheet"]


def _general_budget_headers(sheet: Sheet) -> None:
    sheet.header(3, 1, text("workbook.header-code"), columns=3)
    for offset, level in enumerate(("workbook.header-class", "workbook.header-category", "workbook.header-subcategory")):
        sheet.header(4, 1 + offset, text(level))
    sheet.header(3, 4, text("workbook.header-code-name"), rows=2)
    sheet.header(3, 5, text("workbook.header-appropriation"), columns=3)
    sheet.header(3, 8, text("workbook.header-appropriation-share"), columns=3)
    for offset, heading in enumerate(("workbook.header-as-stated", "workbook.header-recomputed",
                                      "workbook.header-difference") * 2):
        sheet.header(4, 5 + offset, text(heading))
    sheet.header(3, 11, text("workbook.header-verdict"), rows=2)
    sheet.header(3, 12, text("workbook.header-purpose"), rows=2)
    sheet.header(3, 13, text("workbook.header-source"), rows=2)


class _Codes:
    """The 科目 of the general budget: every code of the line items or stated, its row, and the
    appropriation stated for it."""

    def __init__(self, context: TableContext, total_row: int):
        year = context.budget.year
        self.stated: dict[str, Claim] = {}
        for claim in context.claims.all:
            if claim.measure == "appropriation_by_function" and claim.code and claim.kind in ("amount", "total") \
                    and claim.year == year and claim.value is not None:
                self.stated.setdefault(claim.code, claim)
        items = context.budget.line_items
        self.codes = sorted(set(items["code"].dropna()) | set(self.stated))
        self.row_of = {code: total_row + 1 + index for index, code in enumerate(self.codes)}

    def nearest_stated(self, code: str) -> list[str]:
        """The codes below ``code`` whose amount is stated, the nearest level down on each branch."""
        below = []
        for child in (c for c in self.codes if len(c) == len(code) + 2 and c.startswith(code)):
            below += [child] if child in self.stated else self.nearest_stated(child)
        return below

    def top(self) -> list[str]:
        """What the 合计 adds up: the 类 whose amounts are stated, else the nearest stated codes below them."""
        classes = [c for c in self.codes if len(c) == 3 and c in self.stated] or [c for c in self.codes if len(c) == 3]
        return [c for c in classes if c in self.stated] or [c for cls in classes for c in self.nearest_stated(cls)]

    def amount_cells(self, codes: list[str]) -> list[str]:
        return [cell_ref(5, self.row_of[c]) for c in codes]


def _general_budget_total(sheet: Sheet, context: TableContext, total_row: int) -> Claim | None:
    """The 合计 row's labels, stated appropriation, verdict and source."""
    layout, claims = context.layout, context.claims
    total = claims.pick("appropriation_total", claims.year)
    sheet.text(cell_ref(1, total_row), text("workbook.header-total"), BOLD)
    for col in (2, 3, 8, 9, 10, 12):
        sheet.blank(cell_ref(col, total_row))
    sheet.text(cell_ref(4, total_row), claims.label("appropriation_total"), BOLD)
    if total is None:
        for col in (5, 11, 13):
            sheet.blank(cell_ref(col, total_row))
        return None
    write_stated(sheet, layout, cell_ref(5, total_row), total, BOLD)
    write_verdict(sheet, cell_ref(11, total_row), claims.verdict([total.id]))
    sheet.text(cell_ref(13, total_row), claim_source(total))
    return total


def _general_budget_row(sheet: Sheet, context: TableContext, codes: _Codes, code: str, purposes: dict[str, str]) -> None:
    """One 科目's stated cells: its code split into 类/款/项, name, stated amount and share, verdict,
    purpose and source (its formulas follow once every amount is written)."""
    layout, claims = context.layout, context.claims
    row = codes.row_of[code]
    level = {3: 0, 5: 1, 7: 2}.get(len(code), 2)
    segments = [code[:3], code[3:5], code[5:7]]
    for offset in range(3):
        sheet.text(cell_ref(1 + offset, row), segments[offset] if offset <= level else "")
    claim = codes.stated.get(code)
    label = context.names.get(code) or (claim.label if claim else "")
    heading = BOLD if level == 0 else TEXT
    sheet.text(cell_ref(4, row), label, heading.but(indent=level))
    ids = []
    if claim is not None:
        write_stated(sheet, layout, cell_ref(5, row), claim, heading)
        ids.append(claim.id)
    else:
        sheet.blank(cell_ref(5, row))
    share = claims.shares_of(claim)[0] if claim and claims.shares_of(claim) else None
    if share is not None:
        ids.append(share.id)
        write_stated(sheet, layout, cell_ref(8, row), share)
    else:
        sheet.blank(cell_ref(8, row))
    if ids:
        write_verdict(sheet, cell_ref(11, row), claims.verdict(ids))
    else:
        sheet.blank(cell_ref(11, row))
    sheet.text(cell_ref(12, row), purposes.get(code, ""), WRAP)
    sources = "\n".join(claim_source(claims.by_id[i]) for i in ids)
    sheet.text(cell_ref(13, row), sources or text("workbook.amount-not-stated"), WRAP)


def _general_budget_sums(sheet: Sheet, layout: WorkbookLayout, row: int, claim: Claim | None,
                         below: list[str], codes: _Codes) -> None:
    """=SUM of the amounts ``below`` in F and the stated amount minus it in G."""
    if not below:
        sheet.blank(cell_ref(6, row))
        sheet.blank(cell_ref(7, row))
        return
    sheet.sum(cell_ref(6, row), codes.amount_cells(below))
    layout.add(sheet.name, cell_ref(6, row), "sum" if claim else "subtotal", claim.id if claim else "",
               tuple(codes.stated[c].id for c in below))
    if claim is None:
        sheet.blank(cell_ref(7, row))
        return
    sheet.difference(cell_ref(7, row), f"E{row}", f"F{row}")
    layout.add(sheet.name, cell_ref(7, row), "difference", claim.id)


def _general_budget_share(sheet: Sheet, context: TableContext, row: int, claim: Claim | None, total: Claim | None,
                          total_row: int) -> None:
    """=amount/合计*100 in I beside the stated share, the difference in J, when the share is of the 合计."""
    share = context.claims.shares_of(claim)[0] if claim and context.claims.shares_of(claim) else None
    if share is None or total is None or share.base != total.id:
        sheet.blank(cell_ref(9, row))
        sheet.blank(cell_ref(10, row))
        return
    sheet.share(cell_ref(9, row), f"E{row}", f"E${total_row}")
    context.layout.add(sheet.name, cell_ref(9, row), "share", share.id, (claim.id, total.id))
    sheet.difference(cell_ref(10, row), f"H{row}", f"I{row}", SHARE_FORMAT)
    context.layout.add(sheet.name, cell_ref(10, row), "difference", share.id)


def general_budget_sheet(context: TableContext, table: str) -> None:
    """一般公共预算支出表: 合计, then every 类/款/项 with 科目编码 split into columns; each code stated
    beside the =SUM of its nearest stated sub-codes, and its share of the total beside the formula."""
    sheet = context.sheet(table, width=13)
    _general_budget_headers(sheet)
    total_row = 5
    codes = _Codes(context, total_row)
    items = context.budget.line_items
    purposes = {c: p for c, p in zip(items["code"], items["purpose"]) if isinstance(p, str)}
    # every stated figure first: a formula's stored value is computed from the cells it reads
    total = _general_budget_total(sheet, context, total_row)
    for code in codes.codes:
        _general_budget_row(sheet, context, codes, code, purposes)
    _general_budget_sums(sheet, context.layout, total_row, total, codes.top() if total else [], codes)
    for code in codes.codes:
        row, claim = codes.row_of[code], codes.stated.get(code)
        _general_budget_sums(sheet, context.layout, row, claim, codes.nearest_stated(code), codes)
        _general_budget_share(sheet, context, row, claim, total, total_row)
    sheet.note(total_row + len(codes.codes) + 2, text("workbook.note-general-budget"))
    sheet.finish("E5", wide={4: 30, 12: 40, 13: 36})


def _no_spending_sheet(context: TableContext, table: str, measure: str) -> None:
    """政府性基金 / 国有资本经营预算支出表: an empty table with 本部门无相关收支 when nothing is spent,
    as the official template prints it; otherwise the stated figure."""
    claims = context.claims
    sheet = context.sheet(table, width=5)
    sheet.header(3, 1, text("workbook.header-code"), rows=2)
    sheet.header(3, 2, text("workbook.header-code-name"), rows=2)
    sheet.header(3, 3, text("workbook.header-this-year", label=claims.label(measure)), columns=3)
    for offset, heading in enumerate(("workbook.header-total", "workbook.header-basic", "workbook.header-project")):
        sheet.header(4, 3 + offset, text(heading))
    stated = [c for c in claims.all if c.measure == measure and c.year == context.budget.year
              and c.kind in ("amount", "total") and c.value is not None]
    spent = [c for c in stated if c.value != 0]
    row = 5
    if spent:
        for claim in spent:
            sheet.text(cell_ref(1, row), claim.code or "")
            sheet.text(cell_ref(2, row), claim.label)
            write_stated(sheet, context.layout, cell_ref(3, row), claim)
            for col in (4, 5):
                sheet.blank(cell_ref(col, row))
            row += 1
        note = text("workbook.no-spending-sources", sources=text("workbook.source-separator").join(
            claim_source(c) for c in spent))
    else:
        for col in range(1, 6):
            sheet.blank(cell_ref(col, row))
        source = text("workbook.source-separator").join(
            text("workbook.no-spending-quote", section=c.section, claim=c.id, quote=c.quote or c.text) for c in stated)
        note = text("workbook.no-spending-note", sources=source) if source else text(
            "workbook.no-spending-note-unmentioned")
    sheet.note(row + 1, note)
    sheet.finish("A5", wide={2: 30})


def gov_fund_sheet(context: TableContext, table: str) -> None:
    _no_spending_sheet(context, table, "gov_fund_expenditure")


def state_capital_sheet(context: TableContext, table: str) -> None:
    _no_spending_sheet(context, table, "state_capital_expenditure")
