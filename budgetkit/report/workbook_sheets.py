"""The official tables as sheets of the workbook: stated figures as values, every recomputed total,
share and difference as a live formula beside them (stored with the value it computes), each
placement recorded in the layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import load_rules
from ..claims import Claim, ClaimIndex
from ..findings import SEVERITY
from ..messages import text
from ..template import sum_parts
from .workbook_cells import (BOLD, SHARE_FORMAT, TEXT, WRAP, Book, Sheet, cell_ref, figure_format, verdict_label,
                             verdict_look)

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["OFFICIAL_TABLES", "Placement", "TableContext", "WorkbookClaims", "WorkbookLayout", "official_sheet_name"]


@dataclass(frozen=True)
class Placement:
    """One cell the workbook filled: a stated figure (``claim_id``), a formula and what it recomputes, or
    a figure of a table read from the document (printed; its claim_id empty when it is not keyed)."""

    sheet: str
    cell: str
    role: str  # stated | sum | share | difference | subtotal | printed
    claim_id: str = ""
    parts: tuple[str, ...] = ()  # claim ids a sum adds up, or (part, whole) of a share


@dataclass
class WorkbookLayout:
    """Where every stated figure and every formula went, for tests and for the report summary."""

    placements: list[Placement] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.placements.append(Placement(*args, **kwargs))


class WorkbookClaims(ClaimIndex):
    """The claim index with what the workbook adds: the audit's verdict of each claim, the parts
    each sum was made of, and the budget's sum rules (the parts of a total the audit did not sum)."""

    def __init__(self, budget: Budget, findings: pd.DataFrame):
        super().__init__(budget.claims)
        self.year = budget.year
        self.prior_year = budget.prior_year
        self.rules = load_rules(budget.rules_path)
        self.labels = dict(zip(budget.measures["measure"], budget.measures["label"]))
        self.tables = dict(zip(budget.measures["measure"], budget.measures["table"]))
        self.sums: dict[str, list[list[str]]] = {}
        self.verdicts: dict[str, list[str]] = {}
        severity = {**SEVERITY, "unchecked": len(SEVERITY)}
        for row in findings.itertuples(index=False):
            inputs = str(row.inputs or "").split()
            if row.rule_kind == "sum" and row.claim_id:
                self.sums.setdefault(row.claim_id, []).append(inputs)
            for claim_id in [row.claim_id] if row.claim_id else inputs:
                self.verdicts.setdefault(claim_id, []).append(str(row.verdict))
        self._severity = severity

    def parts(self, total: str) -> list[str]:
        """The measures the budget's sum rule for ``total`` adds up (template.sum_parts)."""
        return sum_parts(self.rules, total)

    def columns(self, total: str) -> list[str]:
        """The parts of ``total`` an official table lays out as columns: those of the template's tables
        always, the others (单位预留机动经费 …) where the document states them."""
        return [m for m in self.parts(total)
                if self.tables.get(m, "other") != "other" or self.pick(m, self.year) is not None]

    def parts_of(self, total: Claim, measures: list[str], level_width: int | None = None) -> list[Claim]:
        """The parts of ``total``: those the audit summed for it when it did, else the nearest statements."""
        wanted = set(measures)
        for inputs in self.sums.get(total.id, []):
            claims = [self.by_id[i] for i in inputs if i in self.by_id]
            if claims and all(c.measure in wanted and (level_width is None or len(c.code or "") == level_width)
                              for c in claims):
                return claims
        parts = []
        for measure in measures:
            if level_width is None:
                if (claim := self.pick(measure, self.year, None, total.section)) is not None:
                    parts.append(claim)
                continue
            codes = sorted({c.code for c in self.all if c.measure == measure and c.code
                            and len(c.code) == level_width and c.year == self.year})
            parts += [claim for code in codes if (claim := self.pick(measure, self.year, code, total.section)) is not None]
        return parts

    def shares_of(self, part: Claim) -> list[Claim]:
        return [c for c in self.all if c.kind == "share" and c.value is not None and c.ref == part.id]

    def verdict(self, claim_ids) -> str:
        verdicts = [v for claim_id in claim_ids for v in self.verdicts.get(claim_id, [])]
        return max(verdicts, key=self._severity.get) if verdicts else "unchecked"

    def label(self, measure: str) -> str:
        return str(self.labels.get(measure, measure))


@dataclass
class TableContext:
    """What every official table is written from, and the book it is written into."""

    book: Book
    budget: Budget
    layout: WorkbookLayout
    claims: WorkbookClaims
    names: dict[str, str]  # 科目名称 by code, from the line items

    def sheet(self, table: str, width: int) -> Sheet:
        """The sheet of the official table ``table`` (a key of OFFICIAL_TABLES), its title the table's
        with the budget year."""
        title = text(f"workbook.title-{table}", year=self.budget.year)
        return Sheet(self.book, official_sheet_name(table), title, self.budget, width)


def official_sheet_name(table: str) -> str:
    """The sheet name of the official table ``table`` (a key of OFFICIAL_TABLES) in the current language."""
    return text(f"workbook.sheet-{table}")


def _source(claim: Claim) -> str:
    printed = claim.text if claim.text and claim.text[-1].isdigit() else text("workbook.quoted", text=claim.text)
    return text("workbook.source", section=claim.section, claim=claim.id, printed=printed)


def _stated(sheet: Sheet, layout: WorkbookLayout, ref: str, claim: Claim, look=TEXT) -> None:
    """A stated figure in its unit's format, recorded in the layout."""
    sheet.number(ref, claim.value, figure_format(claim.unit, claim.value), look)
    layout.add(sheet.name, ref, "stated", claim.id)


def _verdict(sheet: Sheet, ref: str, verdict: str) -> None:
    if verdict == "unchecked":  # a part of a checked total: its verdict is the total's
        sheet.blank(ref)
        return
    sheet.text(ref, verdict_label(verdict), verdict_look(verdict))


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
        sheet.header(4, column + offset, text(heading))
    row = 5
    part_cells = []
    for label, claim in items:
        sheet.text(cell_ref(column, row), label)
        _stated(sheet, layout, cell_ref(column + 1, row), claim)
        part_cells.append(cell_ref(column + 1, row))
        for offset in (2, 3):
            sheet.blank(cell_ref(column + offset, row))
        _verdict(sheet, cell_ref(column + 4, row), claims.verdict([claim.id]))
        sheet.text(cell_ref(column + 5, row), _source(claim))
        row += 1
    sheet.text(cell_ref(column, row), total_label, BOLD)
    if total is not None:
        stated = cell_ref(column + 1, row)
        _stated(sheet, layout, stated, total, BOLD)
        if part_cells:
            recomputed = cell_ref(column + 2, row)
            sheet.sum(recomputed, part_cells)
            layout.add(sheet.name, recomputed, "sum", total.id, tuple(c.id for _, c in items))
            sheet.difference(cell_ref(column + 3, row), stated, recomputed)
            layout.add(sheet.name, cell_ref(column + 3, row), "difference", total.id)
        _verdict(sheet, cell_ref(column + 4, row), claims.verdict([total.id]))
        sheet.text(cell_ref(column + 5, row), _source(total))
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
            _stated(sheet, layout, stated, spec.claim)
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
        _stated(sheet, layout, refs["stated"], share)
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
    labels = {"stated": text("workbook.row-stated", year=context.budget.year),
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
            _verdict(sheet, cell_ref(col, row), claims.verdict(ids))
            sheet.text(cell_ref(col, row + 1), "\n".join(_source(claims.by_id[i]) for i in ids), WRAP)
        else:
            sheet.blank(cell_ref(col, row))
            sheet.text(cell_ref(col, row + 1), text("workbook.not-stated"), WRAP)
    sheet.note(row + 3, text("workbook.note-across"))
    sheet.finish(cell_ref(2, first), wide={c: 22 for c in range(2, len(columns) + 2)})


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


def _overview_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    income_total = claims.pick("income_total", claims.year) or claims.pick("budget_total", claims.year)
    expenditure_total = claims.pick("expenditure_total", claims.year) or claims.pick("budget_total", claims.year)
    _two_sided(context, table,
               (_income_items(claims, income_total), text("workbook.income-total"), income_total),
               (_by_class(claims, context.names, expenditure_total,
                          ["fiscal_expenditure_by_function", "appropriation_by_function"]),
                text("workbook.expenditure-total"), expenditure_total))


def _fiscal_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    total = claims.pick("fiscal_total", claims.year)
    _two_sided(context, table,
               (_income_items(claims, total), text("workbook.income-total"), total),
               (_by_class(claims, context.names, total, ["fiscal_expenditure_by_function"]),
                text("workbook.expenditure-total"), total))


def _income_sheet(context: TableContext, table: str) -> None:
    # the official table's columns: the total, the money carried over, then this year's income by source
    claims = context.claims
    sources = claims.columns("income_total")
    this_year = text("workbook.header-income-this-year")
    columns = [_Column(text("workbook.header-total"), "income_total", sum_of=sources),
               _Column(claims.label("income_carryover"), "income_carryover"),
               *(_Column(claims.label(m), m, group=this_year) for m in sources if m != "income_carryover")]
    _across(context, table, columns, text("workbook.header-item"))


def _expenditure_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    kinds = claims.columns("expenditure_total")
    columns = [_Column(text("workbook.header-total"), "expenditure_total", sum_of=kinds),
               *(_Column(claims.label(m), m) for m in kinds)]
    _across(context, table, columns, text("workbook.header-item"), shares=True)


def _basic_sheet(context: TableContext, table: str) -> None:
    claims = context.claims
    kinds = claims.columns("gpb_basic_total")
    columns = [_Column(text("workbook.header-total"), "gpb_basic_total", sum_of=kinds),
               *(_Column(claims.label(m), m) for m in kinds)]
    _across(context, table, columns, text("workbook.header-item"))


def _three_public_sheet(context: TableContext, table: str) -> None:
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
    _stated(sheet, layout, cell_ref(5, total_row), total, BOLD)
    _verdict(sheet, cell_ref(11, total_row), claims.verdict([total.id]))
    sheet.text(cell_ref(13, total_row), _source(total))
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
        _stated(sheet, layout, cell_ref(5, row), claim, heading)
        ids.append(claim.id)
    else:
        sheet.blank(cell_ref(5, row))
    share = claims.shares_of(claim)[0] if claim and claims.shares_of(claim) else None
    if share is not None:
        ids.append(share.id)
        _stated(sheet, layout, cell_ref(8, row), share)
    else:
        sheet.blank(cell_ref(8, row))
    if ids:
        _verdict(sheet, cell_ref(11, row), claims.verdict(ids))
    else:
        sheet.blank(cell_ref(11, row))
    sheet.text(cell_ref(12, row), purposes.get(code, ""), WRAP)
    sheet.text(cell_ref(13, row), "\n".join(_source(claims.by_id[i]) for i in ids) or text("workbook.amount-not-stated"),
               WRAP)


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


def _general_budget_sheet(context: TableContext, table: str) -> None:
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
            _stated(sheet, context.layout, cell_ref(3, row), claim)
            for col in (4, 5):
                sheet.blank(cell_ref(col, row))
            row += 1
        note = text("workbook.no-spending-sources", sources=text("workbook.source-separator").join(
            _source(c) for c in spent))
    else:
        for col in range(1, 6):
            sheet.blank(cell_ref(col, row))
        source = text("workbook.source-separator").join(
            text("workbook.no-spending-quote", section=c.section, claim=c.id, quote=c.quote or c.text) for c in stated)
        note = text("workbook.no-spending-note", sources=source) if source else text(
            "workbook.no-spending-note-unmentioned")
    sheet.note(row + 1, note)
    sheet.finish("A5", wide={2: 30})


def _gov_fund_sheet(context: TableContext, table: str) -> None:
    _no_spending_sheet(context, table, "gov_fund_expenditure")


def _state_capital_sheet(context: TableContext, table: str) -> None:
    _no_spending_sheet(context, table, "state_capital_expenditure")


#: The official tables in the order of the 部门预算公开表, each by its key and what writes it. The key
#: names its messages: the sheet's name (workbook.sheet-KEY: 部门收支总表 …), its title with the year
#: (workbook.title-KEY) and its line in the 说明 sheet (workbook.about-note-KEY).
OFFICIAL_TABLES = (
    ("overview", _overview_sheet),
    ("income", _income_sheet),
    ("expenditure", _expenditure_sheet),
    ("fiscal", _fiscal_sheet),
    ("general-budget", _general_budget_sheet),
    ("basic", _basic_sheet),
    ("three-public", _three_public_sheet),
    ("gov-fund", _gov_fund_sheet),
    ("state-capital", _state_capital_sheet),
)
