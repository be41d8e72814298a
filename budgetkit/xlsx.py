"""The budget as an Excel workbook laid out like the official 部门预算公开 tables.

Stated figures are values; every recomputed total, share and difference is a live Excel formula
beside the stated figure, so a reviewer can follow the arithmetic in Excel itself. Everything is
built from the budget's claims, line items and measures vocabulary, never from one document's
numbers; the parts of a total are the ones the audit used (its findings' ``inputs``).

Text from the document is always written as text (never as a formula), and the file is
byte-identical from run to run: fixed document properties and fixed zip entry times.
openpyxl is imported here, lazily from the report, never from ``import budgetkit``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .claims import Claim, nearest, read_claims

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from .model import Budget

__all__ = ["Placement", "WorkbookLayout", "build_workbook", "workbook_bytes", "workbook_name"]

MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00"
DETAIL_FORMAT = "#,##0.00###"
COUNT_FORMAT = "0"
#: Cells a spreadsheet would read as a formula when typed in (the CSV writer quotes the same).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

INCOME_SOURCES = ["income_general_budget", "income_gov_fund", "income_state_capital", "income_carryover"]
VERDICT_FILLS = {"rounding": "E8F1FB", "text": "FFF6D5", "semantic": "FFE6CC", "drift": "FBDADA"}
VERDICT_ZH = {"consistent": "一致", "rounding": "舍入", "text": "文字", "semantic": "口径", "drift": "不符",
              "unchecked": "未审核"}

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_FORMULA_FILL = PatternFill("solid", fgColor="F2F2F2")
_FORMULA_FONT = Font(color="1F4E79", italic=True)
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="center")
_MIDDLE = Alignment(vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Placement:
    """One cell the workbook filled: a stated figure (``claim_id``) or a formula and what it recomputes."""

    sheet: str
    cell: str
    role: str  # stated | sum | share | difference | subtotal
    claim_id: str = ""
    parts: tuple[str, ...] = ()  # claim ids a sum adds up, or (part, whole) of a share


@dataclass
class WorkbookLayout:
    """Where every stated figure and every formula went, for tests and for the report summary."""

    placements: list[Placement] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.placements.append(Placement(*args, **kwargs))


# -- claims (read by budgetkit.claims), indexed with the audit's findings -------------------------------------

class _Claims:
    def __init__(self, budget: Budget, findings: pd.DataFrame):
        self.year = budget.year
        self.prior_year = budget.prior_year
        self.all = read_claims(budget.claims)
        self.by_id = {claim.id: claim for claim in self.all}
        self.labels = dict(zip(budget.measures["measure"], budget.measures["label"]))
        self.sums: dict[str, list[list[str]]] = {}
        self.verdicts: dict[str, list[str]] = {}
        severity = {v: n for n, v in enumerate(VERDICT_ZH)}
        for row in findings.itertuples(index=False):
            inputs = str(row.inputs or "").split()
            if row.rule_kind == "sum" and row.claim_id:
                self.sums.setdefault(row.claim_id, []).append(inputs)
            for claim_id in [row.claim_id] if row.claim_id else inputs:
                self.verdicts.setdefault(claim_id, []).append(str(row.verdict))
        self._severity = severity

    def stated(self, measure: str, code: str | None = None, year: int | None = None) -> list[Claim]:
        """Figures stated for ``measure`` (and ``code``) in the year, in document order."""
        year = self.year if year is None else year
        return [c for c in self.all if c.measure == measure and c.code == code and c.year == year
                and c.states_quantity]

    def pick(self, measure: str, code: str | None = None, near: str | None = None,
             year: int | None = None) -> Claim | None:
        """The statement nearest to section ``near``, as the audit takes it (claims.nearest)."""
        return nearest(self.stated(measure, code, year), near)

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
                if (claim := self.pick(measure, None, total.section)) is not None:
                    parts.append(claim)
                continue
            codes = sorted({c.code for c in self.all if c.measure == measure and c.code
                            and len(c.code) == level_width and c.year == self.year})
            parts += [claim for code in codes if (claim := self.pick(measure, code, total.section)) is not None]
        return parts

    def shares_of(self, part: Claim) -> list[Claim]:
        return [c for c in self.all if c.kind == "share" and c.value is not None and c.ref == part.id]

    def verdict(self, claim_ids) -> str:
        verdicts = [v for claim_id in claim_ids for v in self.verdicts.get(claim_id, [])]
        return max(verdicts, key=self._severity.get) if verdicts else "unchecked"

    def label(self, measure: str) -> str:
        return str(self.labels.get(measure, measure))


# -- cells ---------------------------------------------------------------------------------------------------

def _text(ws: Worksheet, ref: str, value: str | None, **style) -> None:
    """Document text as a text cell: never run as a formula, whatever it starts with."""
    cell = ws[ref]
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if text:
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    _style(cell, **style)


def _number(ws: Worksheet, ref: str, value: Decimal | int | None, number_format: str = MONEY_FORMAT,
            **style) -> None:
    cell = ws[ref]
    # Excel stores doubles: the exact decimal becomes the nearest one, shown with two decimals
    cell.value = None if value is None else (int(value) if number_format == COUNT_FORMAT else float(value))
    cell.number_format = number_format
    _style(cell, **style)


def _formula(ws: Worksheet, ref: str, formula: str, number_format: str = MONEY_FORMAT) -> None:
    cell = ws[ref]
    cell.value = formula
    cell.number_format = number_format
    _style(cell, font=_FORMULA_FONT, fill=_FORMULA_FILL)


def _style(cell, font=None, fill=None, alignment=None, border=True) -> None:
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    elif border:  # a table cell: numbers and short labels level with wrapped text beside them
        cell.alignment = _MIDDLE
    if border:
        cell.border = _BORDER


def _verdict_cell(ws: Worksheet, ref: str, verdict: str) -> None:
    if verdict == "unchecked":  # a part of a checked total: its verdict is the total's
        _style(ws[ref])
        return
    fill = PatternFill("solid", fgColor=VERDICT_FILLS[verdict]) if verdict in VERDICT_FILLS else None
    _text(ws, ref, f"{VERDICT_ZH.get(verdict, verdict)} {verdict}", fill=fill)


def _source(claim: Claim) -> str:
    printed = claim.text if claim.text and claim.text[-1].isdigit() else f"“{claim.text}”"
    return f"{claim.section} {claim.id} 原文 {printed}"


def _cell(column: int, row: int) -> str:
    return f"{get_column_letter(column)}{row}"


def _sum_formula(cells: list[str]) -> str:
    return "=SUM(" + ",".join(_ranges(cells)) + ")"


def _ranges(cells: list[str]) -> list[str]:
    """Consecutive cells of one column collapse to a range: C6,C7,C8 → C6:C8."""
    parsed = [re.fullmatch(r"([A-Z]+)(\d+)", cell).groups() for cell in cells]
    out: list[str] = []
    start = 0
    for index in range(1, len(parsed) + 1):
        if index < len(parsed) and parsed[index][0] == parsed[start][0] and \
                int(parsed[index][1]) == int(parsed[index - 1][1]) + 1:
            continue
        first, last = cells[start], cells[index - 1]
        out.append(first if first == last else f"{first}:{last}")
        start = index
    return out


# -- sheet frame ----------------------------------------------------------------------------------------------

class _Sheet:
    """One official table: title row, department and unit row, header rows; columns sized to content."""

    def __init__(self, wb: Workbook, name: str, budget: Budget, width: int, unit: str = "万元"):
        self.ws = wb.create_sheet(name)
        self.name = name
        self.width = width
        ws = self.ws
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        _text(ws, "A1", f"{budget.year}年{name}", font=_TITLE_FONT, alignment=_CENTER, border=False)
        ws.row_dimensions[1].height = 30
        if width > 2:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width - 1)
        _text(ws, "A2", f"部门：{budget.department}", border=False)
        _text(ws, _cell(width, 2), f"单位：{unit}", alignment=Alignment(horizontal="right"), border=False)

    def header(self, row: int, column: int, text: str, rows: int = 1, columns: int = 1) -> None:
        if rows > 1 or columns > 1:
            self.ws.merge_cells(start_row=row, start_column=column, end_row=row + rows - 1,
                                end_column=column + columns - 1)
            for r in range(row, row + rows):
                for c in range(column, column + columns):
                    _style(self.ws.cell(r, c), fill=_HEADER_FILL)
        _text(self.ws, _cell(column, row), text, font=_BOLD, fill=_HEADER_FILL, alignment=_CENTER)

    def finish(self, freeze: str, wide: dict[int, int] | None = None) -> None:
        """Freeze the headers; widths from the longest line of each column (CJK counts double)."""
        self.ws.freeze_panes = freeze
        widths: dict[int, float] = {}
        # cells spanning columns (titles, group headers, notes) do not widen their first column
        spanning = {r.coord.split(":")[0] for r in self.ws.merged_cells.ranges if r.min_col != r.max_col}
        for row in self.ws.iter_rows(min_row=3):
            for cell in row:
                if cell.value is None or type(cell).__name__ == "MergedCell" or cell.coordinate in spanning:
                    continue
                if cell.data_type == "f":
                    length = 12
                elif isinstance(cell.value, (int, float)):
                    length = len(f"{cell.value:,.2f}") + 2
                else:
                    length = max(_display_width(line) for line in str(cell.value).split("\n")) + 2
                widths[cell.column] = max(widths.get(cell.column, 8), length)
        for column, width in widths.items():
            cap = (wide or {}).get(column, 40)
            self.ws.column_dimensions[get_column_letter(column)].width = min(width, cap)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# -- layouts ----------------------------------------------------------------------------------------------------

LEDGER_HEADERS = ["项目", "预算数（文中所述）", "重算（公式）", "差额（所述−重算）", "审核", "出处"]


def _ledger_block(sheet: _Sheet, layout: WorkbookLayout, claims: _Claims, column: int, title: str,
                  items: list[tuple[str, Claim]], total_label: str, total: Claim | None) -> int:
    """A 项目 | 预算数 | 重算 | 差额 | 审核 | 出处 block from ``column``: parts, then the total beside
    the =SUM of the parts. Returns the last row written."""
    ws = sheet.ws
    sheet.header(3, column, title, columns=len(LEDGER_HEADERS))
    for offset, text in enumerate(LEDGER_HEADERS):
        sheet.header(4, column + offset, text)
    row = 5
    part_cells = []
    for label, claim in items:
        _text(ws, _cell(column, row), label)
        _number(ws, _cell(column + 1, row), claim.value)
        layout.add(sheet.name, _cell(column + 1, row), "stated", claim.id)
        part_cells.append(_cell(column + 1, row))
        for offset in (2, 3):
            _style(ws.cell(row, column + offset))
        _verdict_cell(ws, _cell(column + 4, row), claims.verdict([claim.id]))
        _text(ws, _cell(column + 5, row), _source(claim))
        row += 1
    _text(ws, _cell(column, row), total_label, font=_BOLD)
    if total is not None:
        stated = _cell(column + 1, row)
        _number(ws, stated, total.value, font=_BOLD)
        layout.add(sheet.name, stated, "stated", total.id)
        if part_cells:
            recomputed = _cell(column + 2, row)
            _formula(ws, recomputed, _sum_formula(part_cells))
            layout.add(sheet.name, recomputed, "sum", total.id, tuple(c.id for _, c in items))
            _formula(ws, _cell(column + 3, row), f"={stated}-{recomputed}")
            layout.add(sheet.name, _cell(column + 3, row), "difference", total.id)
        _verdict_cell(ws, _cell(column + 4, row), claims.verdict([total.id]))
        _text(ws, _cell(column + 5, row), _source(total))
    else:
        _text(ws, _cell(column + 5, row), "文中未列")
    return row


def _two_sided(wb, budget, layout, claims, name, income: tuple, expenditure: tuple) -> None:
    """收入 on the left, 支出 on the right, as 部门收支总表 and 财政拨款收支总表 print them."""
    sheet = _Sheet(wb, name, budget, width=2 * len(LEDGER_HEADERS))
    last = max(_ledger_block(sheet, layout, claims, 1, "收入", *income),
               _ledger_block(sheet, layout, claims, 1 + len(LEDGER_HEADERS), "支出", *expenditure))
    _note(sheet, last + 2, "“重算”列是 Excel 公式：合计行等于上方各项之和；“差额”为文中所述减重算。")
    sheet.finish("A5", wide={6: 45, 12: 45})


def _note(sheet: _Sheet, row: int, text: str) -> None:
    sheet.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=sheet.width)
    _text(sheet.ws, _cell(1, row), text, alignment=Alignment(wrap_text=True), border=False)


@dataclass
class _Column:
    header: str
    measure: str
    group: str | None = None  # a second header level above this column
    sum_of: list[str] = field(default_factory=list)  # measures of other columns it is the sum of
    claim: Claim | None = None


def _across(wb, budget, layout, claims, name, columns: list[_Column], first_header: str,
            shares: bool = False, near: str | None = None, total_measure: str | None = None) -> None:
    """Figures across, as the official tables print one row per 科目: a stated row, the recomputed row
    (=SUM of the part columns), the difference, then shares of the total, verdicts and sources."""
    sheet = _Sheet(wb, name, budget, width=len(columns) + 1)
    ws = sheet.ws
    two_levels = any(c.group for c in columns)
    header_rows = 2 if two_levels else 1
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
    first = 3 + header_rows
    rows = {"stated": first, "recomputed": first + 1, "difference": first + 2}
    labels = {"stated": f"{budget.year}年预算数（文中所述）", "recomputed": "重算（公式）",
              "difference": "差额（所述−重算）"}
    # the parts of each sum column are the claims the audit added up for its stated total
    by_measure: dict[str, Claim] = {}
    total = claims.pick(total_measure or columns[0].measure, None, near)
    for spec in columns:
        if spec.sum_of:
            owner = by_measure.get(spec.measure) or claims.pick(spec.measure, None, near)
            if owner is not None:
                by_measure.setdefault(spec.measure, owner)
                for part in claims.parts_of(owner, spec.sum_of):
                    by_measure.setdefault(part.measure, part)
    for spec in columns:
        spec.claim = by_measure.get(spec.measure) or claims.pick(spec.measure, None, near or (
            total.section if total else None))
    for key, row in rows.items():
        _text(ws, _cell(1, row), labels[key], font=_BOLD if key == "stated" else None)
    position = {spec.measure: 2 + i for i, spec in enumerate(columns)}
    for index, spec in enumerate(columns):
        col = 2 + index
        stated = _cell(col, rows["stated"])
        if spec.claim is not None:
            _number(ws, stated, spec.claim.value)
            layout.add(name, stated, "stated", spec.claim.id)
        else:
            _style(ws[stated])
        parts = [position[m] for m in spec.sum_of if m in position]
        if parts:
            recomputed = _cell(col, rows["recomputed"])
            _formula(ws, recomputed, _sum_formula([_cell(p, rows["stated"]) for p in parts]))
            part_ids = tuple(columns[p - 2].claim.id for p in parts if columns[p - 2].claim is not None)
            layout.add(name, recomputed, "sum", spec.claim.id if spec.claim else "", part_ids)
            if spec.claim is not None:
                _formula(ws, _cell(col, rows["difference"]), f"={stated}-{recomputed}")
                layout.add(name, _cell(col, rows["difference"]), "difference", spec.claim.id)
            else:
                _style(ws[_cell(col, rows["difference"])])
        else:
            _style(ws[_cell(col, rows["recomputed"])])
            _style(ws[_cell(col, rows["difference"])])
    row = rows["difference"] + 1
    if shares:
        share_rows = {"stated": row, "recomputed": row + 1, "difference": row + 2}
        _text(ws, _cell(1, row), "占比（%，文中所述）")
        _text(ws, _cell(1, row + 1), "占比重算（公式，%）")
        _text(ws, _cell(1, row + 2), "占比差额（所述−重算）")
        for index, spec in enumerate(columns):
            col = 2 + index
            share = claims.shares_of(spec.claim)[0] if spec.claim and claims.shares_of(spec.claim) else None
            whole = claims.by_id.get(share.base) if share and share.base else None
            whole_col = next((2 + i for i, s in enumerate(columns) if whole and s.claim and s.claim.id == whole.id),
                             None)
            for key in share_rows:
                _style(ws[_cell(col, share_rows[key])])
            if share is None:
                continue
            stated = _cell(col, share_rows["stated"])
            _number(ws, stated, share.value, SHARE_FORMAT)
            layout.add(name, stated, "stated", share.id)
            if whole_col is not None:
                recomputed = _cell(col, share_rows["recomputed"])
                _formula(ws, recomputed, f"={_cell(col, rows['stated'])}/{_cell(whole_col, rows['stated'])}*100",
                         SHARE_FORMAT)
                layout.add(name, recomputed, "share", share.id, (spec.claim.id, whole.id))
                _formula(ws, _cell(col, share_rows["difference"]), f"={stated}-{recomputed}", SHARE_FORMAT)
                layout.add(name, _cell(col, share_rows["difference"]), "difference", share.id)
        row += 3
    _text(ws, _cell(1, row), "审核")
    _text(ws, _cell(1, row + 1), "出处")
    for index, spec in enumerate(columns):
        col = 2 + index
        ids = [spec.claim.id] + [s.id for s in claims.shares_of(spec.claim)] if spec.claim else []
        if spec.claim is not None:
            _verdict_cell(ws, _cell(col, row), claims.verdict(ids))
            _text(ws, _cell(col, row + 1), "\n".join(_source(claims.by_id[i]) for i in ids), alignment=_WRAP)
        else:
            _style(ws[_cell(col, row)])
            _text(ws, _cell(col, row + 1), "文中未列", alignment=_WRAP)
    _note(sheet, row + 3, "“重算”行是 Excel 公式：合计（或小计）等于其组成各列之和；占比为该列除以所指总数乘 100；"
                          "“差额”为文中所述减重算。空白表示文中没有列出该数。")
    sheet.finish(_cell(2, first), wide={c: 22 for c in range(2, len(columns) + 2)})


# -- the official tables ------------------------------------------------------------------------------------------

def _by_class(claims: _Claims, names: dict[str, str], total: Claim | None,
              measures: list[str]) -> list[tuple[str, Claim]]:
    """The 类 of the functional classification the total is made of (the audit's parts when it summed them)."""
    for measure in measures:
        parts = claims.parts_of(total, [measure], level_width=3) if total else [
            c for code in sorted({c.code for c in claims.all if c.measure == measure and c.code
                                  and len(c.code) == 3}) if (c := claims.pick(measure, code)) is not None]
        if parts:
            return [(f"{p.code} {names.get(p.code, p.label)}", p) for p in parts]
    return []


def _income_items(claims: _Claims, total: Claim | None) -> list[tuple[str, Claim]]:
    parts = claims.parts_of(total, INCOME_SOURCES) if total else [
        c for m in INCOME_SOURCES if (c := claims.pick(m)) is not None]
    return [(claims.label(p.measure), p) for p in parts]


def _overview(wb, budget, layout, claims, names) -> None:
    income_total = claims.pick("income_total") or claims.pick("budget_total")
    expenditure_total = claims.pick("expenditure_total") or claims.pick("budget_total")
    _two_sided(wb, budget, layout, claims, "部门收支总表",
               (_income_items(claims, income_total), "收入总计", income_total),
               (_by_class(claims, names, expenditure_total,
                          ["fiscal_expenditure_by_function", "appropriation_by_function"]),
                "支出总计", expenditure_total))


def _fiscal(wb, budget, layout, claims, names) -> None:
    total = claims.pick("fiscal_total")
    _two_sided(wb, budget, layout, claims, "财政拨款收支总表",
               (_income_items(claims, total), "收入总计", total),
               (_by_class(claims, names, total, ["fiscal_expenditure_by_function"]), "支出总计", total))


def _income(wb, budget, layout, claims, names) -> None:
    columns = [_Column("合计", "income_total", sum_of=INCOME_SOURCES),
               _Column(claims.label("income_carryover"), "income_carryover"),
               *(_Column(claims.label(m), m, group="本年收入") for m in INCOME_SOURCES[:3])]
    _across(wb, budget, layout, claims, "部门收入总表", columns, "项目")


def _expenditure(wb, budget, layout, claims, names) -> None:
    columns = [_Column("合计", "expenditure_total", sum_of=["expenditure_basic", "expenditure_project"]),
               _Column(claims.label("expenditure_basic"), "expenditure_basic"),
               _Column(claims.label("expenditure_project"), "expenditure_project")]
    _across(wb, budget, layout, claims, "部门支出总表", columns, "项目", shares=True)


def _basic(wb, budget, layout, claims, names) -> None:
    columns = [_Column("合计", "gpb_basic_total", sum_of=["basic_personnel", "basic_public"]),
               _Column(claims.label("basic_personnel"), "basic_personnel"),
               _Column(claims.label("basic_public"), "basic_public")]
    _across(wb, budget, layout, claims, "一般公共预算基本支出表", columns, "项目")


def _three_public(wb, budget, layout, claims, names) -> None:
    vehicles = "公务用车购置及运行费"
    columns = [_Column("合计", "three_public_total",
                       sum_of=["three_public_overseas", "three_public_vehicles", "three_public_reception"]),
               _Column("因公出国（境）费", "three_public_overseas"),
               _Column("小计", "three_public_vehicles", group=vehicles, sum_of=["vehicle_purchase", "vehicle_operation"]),
               _Column("购置费", "vehicle_purchase", group=vehicles),
               _Column("运行费", "vehicle_operation", group=vehicles),
               _Column("公务接待费", "three_public_reception")]
    _across(wb, budget, layout, claims, "一般公共预算“三公”经费支出表", columns, "项目")


def _general_budget(wb, budget, layout, claims, names) -> None:
    """一般公共预算支出表: 合计, then every 类/款/项 with 科目编码 split into columns; each code stated
    beside the =SUM of its nearest stated sub-codes, and its share of the total beside the formula."""
    name = "一般公共预算支出表"
    sheet = _Sheet(wb, name, budget, width=13)
    ws = sheet.ws
    sheet.header(3, 1, "科目编码", columns=3)
    for offset, text in enumerate(("类", "款", "项")):
        sheet.header(4, 1 + offset, text)
    sheet.header(3, 4, "科目名称", rows=2)
    sheet.header(3, 5, "当年拨款", columns=3)
    sheet.header(3, 8, "占当年拨款比例（%）", columns=3)
    for offset, text in enumerate(("文中所述", "重算（公式）", "差额（所述−重算）") * 2):
        sheet.header(4, 5 + offset, text)
    sheet.header(3, 11, "审核", rows=2)
    sheet.header(3, 12, "用途（文中）", rows=2)
    sheet.header(3, 13, "出处", rows=2)

    measure = "appropriation_by_function"
    items = budget.line_items
    stated = {}
    for claim in claims.all:
        if claim.measure == measure and claim.code and claim.kind in ("amount", "total") \
                and claim.year == budget.year and claim.value is not None:
            stated.setdefault(claim.code, claim)
    purposes = {c: p for c, p in zip(items["code"], items["purpose"]) if isinstance(p, str)}
    codes = sorted(set(items["code"].dropna()) | set(stated))
    total = claims.pick("appropriation_total")

    row_of: dict[str, int] = {}
    total_row = 5
    for index, code in enumerate(codes):
        row_of[code] = total_row + 1 + index

    def nearest_stated(code: str) -> list[str]:
        below = []
        for child in (c for c in codes if len(c) == len(code) + 2 and c.startswith(code)):
            below += [child] if child in stated else nearest_stated(child)
        return below

    _text(ws, _cell(1, total_row), "合计", font=_BOLD)
    for col in (2, 3):
        _style(ws.cell(total_row, col))
    _text(ws, _cell(4, total_row), claims.label("appropriation_total"), font=_BOLD)
    classes = [c for c in codes if len(c) == 3 and c in stated] or [c for c in codes if len(c) == 3]
    if total is not None:
        _number(ws, _cell(5, total_row), total.value, font=_BOLD)
        layout.add(name, _cell(5, total_row), "stated", total.id)
        top = [c for c in classes if c in stated] or [c for cls in classes for c in nearest_stated(cls)]
        if top:
            _formula(ws, _cell(6, total_row), _sum_formula([_cell(5, row_of[c]) for c in top]))
            layout.add(name, _cell(6, total_row), "sum", total.id, tuple(stated[c].id for c in top))
            _formula(ws, _cell(7, total_row), f"=E{total_row}-F{total_row}")
            layout.add(name, _cell(7, total_row), "difference", total.id)
        _verdict_cell(ws, _cell(11, total_row), claims.verdict([total.id]))
        _text(ws, _cell(13, total_row), _source(total))
    for col in (8, 9, 10, 12):
        _style(ws.cell(total_row, col))

    for code in codes:
        row = row_of[code]
        level = {3: 0, 5: 1, 7: 2}.get(len(code), 2)
        segments = [code[:3], code[3:5], code[5:7]]
        for offset in range(3):
            _text(ws, _cell(1 + offset, row), segments[offset] if offset <= level else "")
        claim = stated.get(code)
        label = names.get(code) or (claim.label if claim else "")
        _text(ws, _cell(4, row), label, alignment=Alignment(indent=level), font=_BOLD if level == 0 else None)
        below = nearest_stated(code)
        ids = []
        if claim is not None:
            _number(ws, _cell(5, row), claim.value, font=_BOLD if level == 0 else None)
            layout.add(name, _cell(5, row), "stated", claim.id)
            ids.append(claim.id)
        else:
            _style(ws.cell(row, 5))
        if below:
            _formula(ws, _cell(6, row), _sum_formula([_cell(5, row_of[c]) for c in below]))
            layout.add(name, _cell(6, row), "sum" if claim else "subtotal", claim.id if claim else "",
                       tuple(stated[c].id for c in below))
            if claim is not None:
                _formula(ws, _cell(7, row), f"=E{row}-F{row}")
                layout.add(name, _cell(7, row), "difference", claim.id)
            else:
                _style(ws.cell(row, 7))
        else:
            _style(ws.cell(row, 6))
            _style(ws.cell(row, 7))
        share = claims.shares_of(claim)[0] if claim and claims.shares_of(claim) else None
        if share is not None:
            ids.append(share.id)
            _number(ws, _cell(8, row), share.value, SHARE_FORMAT)
            layout.add(name, _cell(8, row), "stated", share.id)
            if total is not None and share.base == total.id:
                _formula(ws, _cell(9, row), f"=E{row}/E${total_row}*100", SHARE_FORMAT)
                layout.add(name, _cell(9, row), "share", share.id, (claim.id, total.id))
                _formula(ws, _cell(10, row), f"=H{row}-I{row}", SHARE_FORMAT)
                layout.add(name, _cell(10, row), "difference", share.id)
            else:
                _style(ws.cell(row, 9))
                _style(ws.cell(row, 10))
        else:
            for col in (8, 9, 10):
                _style(ws.cell(row, col))
        if ids:
            _verdict_cell(ws, _cell(11, row), claims.verdict(ids))
        else:
            _style(ws.cell(row, 11))
        _text(ws, _cell(12, row), purposes.get(code, ""), alignment=_WRAP)
        _text(ws, _cell(13, row), "\n".join(_source(claims.by_id[i]) for i in ids) or "文中未列金额",
              alignment=_WRAP)
    last = total_row + len(codes)
    _note(sheet, last + 2, "“重算”列是 Excel 公式：每个类（款）等于其下最近一级有金额的款或项之和，合计等于各类之和；"
                           "占比为该行金额除以合计乘 100；“差额”为文中所述减重算。")
    sheet.finish("E5", wide={4: 30, 12: 40, 13: 36})


def _no_spending_table(wb, budget, layout, claims, names, name: str, measure: str) -> None:
    """政府性基金 / 国有资本经营预算支出表: an empty table with 本部门无相关收支 when nothing is spent,
    as the official template prints it; otherwise the stated figure."""
    sheet = _Sheet(wb, name, budget, width=5)
    ws = sheet.ws
    sheet.header(3, 1, "科目编码", rows=2)
    sheet.header(3, 2, "科目名称", rows=2)
    label = "本年" + claims.label(measure)
    sheet.header(3, 3, label, columns=3)
    for offset, text in enumerate(("合计", "基本支出", "项目支出")):
        sheet.header(4, 3 + offset, text)
    stated = [c for c in claims.all if c.measure == measure and c.year == budget.year
              and c.kind in ("amount", "total") and c.value is not None]
    spent = [c for c in stated if c.value != 0]
    row = 5
    if spent:
        for claim in spent:
            _text(ws, _cell(1, row), claim.code or "")
            _text(ws, _cell(2, row), claim.label)
            _number(ws, _cell(3, row), claim.value)
            layout.add(name, _cell(3, row), "stated", claim.id)
            for col in (4, 5):
                _style(ws.cell(row, col))
            row += 1
        note = "出处：" + "；".join(_source(c) for c in spent)
    else:
        for col in range(1, 6):
            _style(ws.cell(row, col))
        source = "；".join(f"{c.section} {c.id}：“{c.quote or c.text}”" for c in stated)
        note = "注：本部门无相关收支（空表）。" + (f"文中：{source}" if source else "文中未提及。")
    _note(sheet, row + 1, note)
    ws.row_dimensions[row + 1].height = 45
    sheet.finish("A5", wide={2: 30})


def _findings_sheet(wb, findings: pd.DataFrame) -> None:
    from .cli import _records

    ws = wb.create_sheet("审核结果")
    columns = list(findings.columns)
    for index, column in enumerate(columns, start=1):
        _text(ws, _cell(index, 1), column, font=_BOLD, fill=_HEADER_FILL, alignment=_CENTER)
    numeric = {"stated", "computed", "difference"}
    for row, record in enumerate(_records(findings), start=2):
        for index, column in enumerate(columns, start=1):
            value = record[column]
            ref = _cell(index, row)
            if column in numeric:
                _number(ws, ref, None if value is None else Decimal(value), DETAIL_FORMAT)
            elif column == "verdict":
                fill = PatternFill("solid", fgColor=VERDICT_FILLS[value]) if value in VERDICT_FILLS else None
                _text(ws, ref, value, fill=fill)
            else:
                _text(ws, ref, value, alignment=_WRAP if column in ("quote", "explanation", "reason") else None)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{_cell(len(columns), len(findings) + 1)}"
    wide = {"quote": 40, "explanation": 60, "reason": 50, "label": 24, "inputs": 20}
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = wide.get(column, 14)


def _about_sheet(wb, budget: Budget, findings: pd.DataFrame, sheets: list[str]) -> None:
    from . import __version__
    from .audit import VERDICTS

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
    _text(ws, "A1", "说明", font=_TITLE_FONT, border=False)
    for row, (key, value) in enumerate(lines, start=3):
        _text(ws, _cell(1, row), key, font=_BOLD)
        _text(ws, _cell(2, row), value, alignment=_WRAP)
    row = len(lines) + 4
    _text(ws, _cell(1, row), "工作表", font=_BOLD, fill=_HEADER_FILL)
    _text(ws, _cell(2, row), "内容", font=_BOLD, fill=_HEADER_FILL)
    for offset, sheet in enumerate(sheets, start=1):
        _text(ws, _cell(1, row + offset), sheet)
        _text(ws, _cell(2, row + offset), SHEET_NOTES.get(sheet, ""), alignment=_WRAP)
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


# -- the workbook -------------------------------------------------------------------------------------------------

def build_workbook(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[Workbook, WorkbookLayout]:
    """The workbook and where every stated figure and formula went."""
    findings = budget.audit() if findings is None else findings
    claims = _Claims(budget, findings)
    names = {code: name for code, name in zip(budget.line_items["code"], budget.line_items["name"])
             if isinstance(name, str)}
    layout = WorkbookLayout()
    wb = Workbook()
    wb.remove(wb.active)
    _overview(wb, budget, layout, claims, names)
    _income(wb, budget, layout, claims, names)
    _expenditure(wb, budget, layout, claims, names)
    _fiscal(wb, budget, layout, claims, names)
    _general_budget(wb, budget, layout, claims, names)
    _basic(wb, budget, layout, claims, names)
    _three_public(wb, budget, layout, claims, names)
    _no_spending_table(wb, budget, layout, claims, names, "政府性基金预算支出表", "gov_fund_expenditure")
    _no_spending_table(wb, budget, layout, claims, names, "国有资本经营预算支出表", "state_capital_expenditure")
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


#: Every entry of the xlsx zip carries this time, so the bytes do not depend on when it was written.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_bytes(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[bytes, WorkbookLayout]:
    """The .xlsx file's bytes, identical on every run for the same budget."""
    wb, layout = build_workbook(budget, findings)
    return _stable_bytes(wb), layout


def _stable_bytes(wb: Workbook) -> bytes:
    """The workbook's .xlsx bytes with every zip entry dated ZIP_TIME: the same on every run."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # ExcelWriter, not wb.save(): save() stamps properties.modified with the current time
        ExcelWriter(wb, archive).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()


def workbook_name(budget: Budget) -> str:
    """``<slug>.xlsx``: the data package's name, else the budget year."""
    name = str((budget.descriptor or {}).get("name", "")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{slug or f'budget-{budget.year}'}.xlsx"


# -- a collection's workbook ------------------------------------------------------------------------------------

COLLECTION_SHEET_NOTES = {
    "按部门": "每个部门的核对次数，按审核结论分列。",
    "按预算": "每份预算的核对次数，按审核结论分列。",
    "常见问题": "未通过的规则：出现次数及涉及的预算份数。",
    "支出结构": "各预算所列支出预算、基本支出、项目支出、“三公”经费（万元）及其占支出预算的百分比。",
    "跨年核对": "下一年度预算所列上年数与上年度预算本身所列数的比对。",
    "审核发现": "所有未通过（非一致）的核对；全部核对见 findings.csv。",
}


def collection_workbook_bytes(sheets: dict[str, pd.DataFrame | None], title: str, summary: str) -> bytes:
    """A collection's workbook: a 说明 sheet, then one sheet per table of ``sheets`` (None: 说明's
    place), figures as numbers with their decimals, text never a formula; the same bytes every run."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in sheets.items():
        if frame is None:
            ws = wb.create_sheet(name)
            _text(ws, "A1", "说明", font=_TITLE_FONT, border=False)
            lines = [("汇总", title), ("审核", summary),
                     ("单位", "金额单位为万元；占比为百分数（%）。"),
                     *((sheet, COLLECTION_SHEET_NOTES.get(sheet, "")) for sheet in sheets if sheets[sheet] is not None)]
            for row, (key, value) in enumerate(lines, start=3):
                _text(ws, _cell(1, row), key, font=_BOLD)
                _text(ws, _cell(2, row), value, alignment=_WRAP)
            ws.column_dimensions["A"].width = 16
            ws.column_dimensions["B"].width = 100
            continue
        _frame_sheet(wb.create_sheet(name), frame)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "budgetkit"
    wb.properties.title = title
    return _stable_bytes(wb)


def _frame_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """A table as a sheet: a bold header row, decimals as numbers, the verdict shaded, filters on."""
    from .cli import _records

    columns = [str(c) for c in frame.columns]
    for index, column in enumerate(columns, start=1):
        _text(ws, _cell(index, 1), column, font=_BOLD, fill=_HEADER_FILL, alignment=_CENTER)
    decimals = {c for c in columns if "decimal" in str(frame[c].dtype)}
    integers = {c for c in columns if pd.api.types.is_integer_dtype(frame[c].dtype)}
    for row, record in enumerate(_records(frame), start=2):
        for index, column in enumerate(columns, start=1):
            value, ref = record[column], _cell(index, row)
            if column in decimals:
                _number(ws, ref, None if value is None else Decimal(value), DETAIL_FORMAT)
            elif column in integers:
                _number(ws, ref, None if value is None else int(value), COUNT_FORMAT)
            elif column in ("verdict", "worst_verdict") and value in VERDICT_FILLS:
                _text(ws, ref, value, fill=PatternFill("solid", fgColor=VERDICT_FILLS[value]))
            else:
                _text(ws, ref, value, alignment=_WRAP if column in ("quote", "explanation", "reason") else None)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{_cell(len(columns), len(frame) + 1)}"
    wide = {"quote": 40, "explanation": 60, "reason": 50, "label": 24, "later_label": 24, "earlier_label": 24,
            "department": 24, "budget_id": 28, "source": 40}
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = wide.get(column, 14)
