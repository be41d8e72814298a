"""The official tables with their figures across (部门收入总表, 部门支出总表, 一般公共预算基本支出表,
一般公共预算“三公”经费支出表): a stated row, the =SUM of the part columns, the difference, shares, verdicts and sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..claims import Claim
from ..messages import text
from .workbook_cells import BOLD, SHARE_FORMAT, TEXT, WRAP, Sheet, cell_ref
from .workbook_context import TableContext, WorkbookClaims, WorkbookLayout, claim_source, write_stated, write_verdict

__all__ = ["basic_sheet", "expenditure_sheet", "income_sheet", "three_public_sheet"]


@dataclass
class _Column:
    header: str
    measure: str
    group: str | None = None  # a second header level above this column
    sum_of: list[str] = field(default_factory=list)  # measures of other columns it is the sum of
    claim: Claim | None = None


def _across_headers(sheet: Sheet, columns: list[_Column], first_header: str) -> int:
    """The header rows of a table with figures across; returns how many rows they take (1 or 2)."""
    header_rows = 2 if any(c.group for c in columns) else 1
    sheet.header(3, 1, first_header, rows=header_rows)
    column = 2
    while column - 2 < len(columns):
        spec = columns[column - 2]
        if spec.group:
            span = sum(1 for c in columns if c.group == spec.group)
            sheet.header(3, column, spec.group, columns=span)
            for offset in range(span):
                sheet.header(4, column + offset, columns[column - 2 + offset].header)
            column += span
        else:
            sheet.header(3, column, spec.header, rows=header_rows)
            column += 1
    return header_rows


def _across_claims(claims: WorkbookClaims, columns: list[_Column], near: str | None,
                   total_measure: str | None) -> None:
    """Each column's stated figure: the parts of each sum column are the claims the audit added up
    for its stated total, the others the nearest statements."""
    by_measure: dict[str, Claim] = {}
    total = claims.pick(total_measure or columns[0].measure, claims.year, None, near)
    for spec in columns:
        if spec.sum_of:
            owner = by_measure.get(spec.measure) or claims.pick(spec.measure, claims.year, None, near)
            if owner is not None:
                by_measure.setdefault(spec.measure, owner)
                for part in claims.parts_of(owner, spec.sum_of):
                    by_measure.setdefault(part.measure, part)
    for spec in columns:
        spec.claim = by_measure.get(spec.measure) or claims.pick(spec.measure, claims.year, None, near or (
            total.section if total else None))


def _across_figures(sheet: Sheet, layout: WorkbookLayout, columns: list[_Column], rows: dict[str, int]) -> None:
    """The stated row, the recomputed row (=SUM of the part columns) and the difference row."""
    position = {spec.measure: 2 + i for i, spec in enumerate(columns)}
    for index, spec in enumerate(columns):
        col = 2 + index
        stated = cell_ref(col, rows["stated"])
        if spec.claim is not None:
            write_stated(sheet, layout, stated, spec.claim)
        else:
            sheet.blank(stated)
    for index, spec in enumerate(columns):
        col = 2 + index
        recomputed, difference = cell_ref(col, rows["recomputed"]), cell_ref(col, rows["difference"])
        parts = [position[m] for m in spec.sum_of if m in position]
        if not parts:
            sheet.blank(recomputed)
            sheet.blank(difference)
            continue
        sheet.sum(recomputed, [cell_ref(p, rows["stated"]) for p in parts])
        part_ids = tuple(columns[p - 2].claim.id for p in parts if columns[p - 2].claim is not None)
        layout.add(sheet.name, recomputed, "sum", spec.claim.id if spec.claim else "", part_ids)
        if spec.claim is not None:
            sheet.difference(difference, cell_ref(col, rows["stated"]), recomputed)
            layout.add(sheet.name, difference, "difference", spec.claim.id)
        else:
            sheet.blank(difference)


def _across_shares(sheet: Sheet, context: TableContext, columns: list[_Column], stated_row: int, row: int) -> None:
    """Three rows from ``row``: each column's stated share, =column/whole*100 and the difference."""
    layout, claims = context.layout, context.claims
    share_rows = {"stated": row, "recomputed": row + 1, "difference": row + 2}
    sheet.text(cell_ref(1, row), text("workbook.row-share-stated"))
    sheet.text(cell_ref(1, row + 1), text("workbook.row-share-recomputed"))
    sheet.text(cell_ref(1, row + 2), text("workbook.row-share-difference"))
    for index, spec in enumerate(columns):
        col = 2 + index
        share = claims.shares_of(spec.claim)[0] if spec.claim and claims.shares_of(spec.claim) else None
        whole = claims.by_id.get(share.base) if share and share.base else None
        whole_col = next((2 + i for i, s in enumerate(columns) if whole and s.claim and s.claim.id == whole.id),
                         None)
        refs = {key: cell_ref(col, r) for key, r in share_rows.items()}
        if share is None:
            for ref in refs.values():
                sheet.blank(ref)
            continue
        write_stated(sheet, layout, refs["stated"], share)
        if whole_col is None:
            sheet.blank(refs["recomputed"])
            sheet.blank(refs["difference"])
            continue
        sheet.share(refs["recomputed"], cell_ref(col, stated_row), cell_ref(whole_col, stated_row))
        layout.add(sheet.name, refs["recomputed"], "share", share.id, (spec.claim.id, whole.id))
        sheet.difference(refs["difference"], refs["stated"], refs["recomputed"], SHARE_FORMAT)
        layout.add(sheet.name, refs["difference"], "difference", share.id)


def _across(context: TableContext, table: str, columns: list[_Column], first_header: str,
            shares: bool = False, near: str | None = None, total_measure: str | None = None) -> None:
    """Figures across, as the official tables print one row per 科目: a stated row, the recomputed row
    (=SUM of the part columns), the difference, then shares of the total, verdicts and sources."""
    claims = context.claims
    sheet = context.sheet(table, width=len(columns) + 1)
    first = 3 + _across_headers(sheet, columns, first_header)
    rows = {"stated": first, "recomputed": first + 1, "difference": first + 2}
    labels = {"stated": text(f"workbook.row-stated-{context.kind}", year=context.budget.year),
              "recomputed": text("workbook.header-recomputed"), "difference": text("workbook.header-difference")}
    _across_claims(claims, columns, near, total_measure)
    for key, row in rows.items():
        sheet.text(cell_ref(1, row), labels[key], BOLD if key == "stated" else TEXT)
    _across_figures(sheet, context.layout, columns, rows)
    row = rows["difference"] + 1
    if shares:
        _across_shares(sheet, context, columns, rows["stated"], row)
        row += 3
    sheet.text(cell_ref(1, row), text("workbook.header-verdict"))
    sheet.text(cell_ref(1, row + 1), text("workbook.header-source"))
    for index, spec in enumerate(columns):
        col = 2 + index
        ids = [spec.claim.id] + [s.id for s in claims.shares_of(spec.claim)] if spec.claim else []
        if spec.claim is not None:
            write_verdict(sheet, cell_ref(col, row), claims.verdict(ids))
            sheet.text(cell_ref(col, row + 1), "\n".join(claim_source(claims.by_id[i]) for i in ids), WRAP)
        else:
            sheet.blank(cell_ref(col, row))
            sheet.text(cell_ref(col, row + 1), text("workbook.not-stated"), WRAP)
    sheet.note(row + 3, text("workbook.note-across"))
    sheet.finish(cell_ref(2, first), wide={c: 22 for c in range(2, len(columns) + 2)})


def income_sheet(context: TableContext, table: str) -> None:
    # the official table's columns: the total, the money carried over, then this year's income by source
    claims = context.claims
    sources = claims.columns("income_total")
    this_year = text("workbook.header-income-this-year")
    columns = [_Column(text("workbook.header-total"), "income_total", sum_of=sources),
               _Column(claims.label("income_carryover"), "income_carryover"),
               *(_Column(claims.label(m), m, group=this_year) for m in sources if m != "income_carryover")]
    _across(context, table, columns, text("workbook.header-item"))


def expenditure_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    kinds = claims.columns("expenditure_total")
    columns = [_Column(text("workbook.header-total"), "expenditure_total", sum_of=kinds),
               *(_Column(claims.label(m), m) for m in kinds)]
    _across(context, table, columns, text("workbook.header-item"), shares=True)


def basic_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    kinds = claims.columns("gpb_basic_total")
    columns = [_Column(text("workbook.header-total"), "gpb_basic_total", sum_of=kinds),
               *(_Column(claims.label(m), m) for m in kinds)]
    _across(context, table, columns, text("workbook.header-item"))


def three_public_sheet(context: TableContext, table: str) -> None:
    vehicles = text("workbook.header-vehicles")
    columns = [_Column(text("workbook.header-total"), "three_public_total",
                       sum_of=["three_public_overseas", "three_public_vehicles", "three_public_reception"]),
               _Column(text("workbook.header-overseas"), "three_public_overseas"),
               _Column(text("workbook.header-subtotal"), "three_public_vehicles", group=vehicles,
                       sum_of=["vehicle_purchase", "vehicle_operation"]),
               _Column(text("workbook.header-vehicle-purchase"), "vehicle_purchase", group=vehicles),
               _Column(text("workbook.header-vehicle-operation"), "vehicle_operation", group=vehicles),
               _Column(text("workbook.header-reception"), "three_public_reception")]
    _across(context, table, columns, text("workbook.header-item"))
