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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ..audit import load_rules
from ..claims import Claim, ClaimIndex
from ..template import sum_parts
from ..findings import VERDICTS, finding_records
from .workbook_cells import (BOLD, CENTER, DETAIL_FORMAT, HEADER_FILL, SHARE_FORMAT, TITLE_FONT, VERDICT_ZH, WRAP,
                             Sheet, cell_ref, stable_bytes, style_cell, sum_formula, verdict_fill, write_formula,
                             write_number, write_text, write_verdict)

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["Placement", "WorkbookLayout", "build_workbook", "workbook_bytes", "workbook_name"]


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


class _Claims(ClaimIndex):
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
        severity = {v: n for n, v in enumerate(VERDICT_ZH)}
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


def _source(claim: Claim) -> str:
    printed = claim.text if claim.text and claim.text[-1].isdigit() else f"“{claim.text}”"
    return f"{claim.section} {claim.id} 原文 {printed}"


LEDGER_HEADERS = ["项目", "预算数（文中所述）", "重算（公式）", "差额（所述−重算）", "审核", "出处"]


def _ledger_block(sheet: Sheet, layout: WorkbookLayout, claims: _Claims, column: int, title: str,
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
        write_text(ws, cell_ref(column, row), label)
        write_number(ws, cell_ref(column + 1, row), claim.value)
        layout.add(sheet.name, cell_ref(column + 1, row), "stated", claim.id)
        part_cells.append(cell_ref(column + 1, row))
        for offset in (2, 3):
            style_cell(ws.cell(row, column + offset))
        write_verdict(ws, cell_ref(column + 4, row), claims.verdict([claim.id]))
        write_text(ws, cell_ref(column + 5, row), _source(claim))
        row += 1
    write_text(ws, cell_ref(column, row), total_label, font=BOLD)
    if total is not None:
        stated = cell_ref(column + 1, row)
        write_number(ws, stated, total.value, font=BOLD)
        layout.add(sheet.name, stated, "stated", total.id)
        if part_cells:
            recomputed = cell_ref(column + 2, row)
            write_formula(ws, recomputed, sum_formula(part_cells))
            layout.add(sheet.name, recomputed, "sum", total.id, tuple(c.id for _, c in items))
            write_formula(ws, cell_ref(column + 3, row), f"={stated}-{recomputed}")
            layout.add(sheet.name, cell_ref(column + 3, row), "difference", total.id)
        write_verdict(ws, cell_ref(column + 4, row), claims.verdict([total.id]))
        write_text(ws, cell_ref(column + 5, row), _source(total))
    else:
        write_text(ws, cell_ref(column + 5, row), "文中未列")
    return row


def _two_sided(wb, budget, layout, claims, name, income: tuple, expenditure: tuple) -> None:
    """收入 on the left, 支出 on the right, as 部门收支总表 and 财政拨款收支总表 print them."""
    sheet = Sheet(wb, name, budget, width=2 * len(LEDGER_HEADERS))
    last = max(_ledger_block(sheet, layout, claims, 1, "收入", *income),
               _ledger_block(sheet, layout, claims, 1 + len(LEDGER_HEADERS), "支出", *expenditure))
    _note(sheet, last + 2, "“重算”列是 Excel 公式：合计行等于上方各项之和；“差额”为文中所述减重算。")
    sheet.finish("A5", wide={6: 45, 12: 45})


def _note(sheet: Sheet, row: int, text: str) -> None:
    sheet.ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=sheet.width)
    write_text(sheet.ws, cell_ref(1, row), text, alignment=Alignment(wrap_text=True), border=False)


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
    sheet = Sheet(wb, name, budget, width=len(columns) + 1)
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
    for key, row in rows.items():
        write_text(ws, cell_ref(1, row), labels[key], font=BOLD if key == "stated" else None)
    position = {spec.measure: 2 + i for i, spec in enumerate(columns)}
    for index, spec in enumerate(columns):
        col = 2 + index
        stated = cell_ref(col, rows["stated"])
        if spec.claim is not None:
            write_number(ws, stated, spec.claim.value)
            layout.add(name, stated, "stated", spec.claim.id)
        else:
            style_cell(ws[stated])
        parts = [position[m] for m in spec.sum_of if m in position]
        if parts:
            recomputed = cell_ref(col, rows["recomputed"])
            write_formula(ws, recomputed, sum_formula([cell_ref(p, rows["stated"]) for p in parts]))
            part_ids = tuple(columns[p - 2].claim.id for p in parts if columns[p - 2].claim is not None)
            layout.add(name, recomputed, "sum", spec.claim.id if spec.claim else "", part_ids)
            if spec.claim is not None:
                write_formula(ws, cell_ref(col, rows["difference"]), f"={stated}-{recomputed}")
                layout.add(name, cell_ref(col, rows["difference"]), "difference", spec.claim.id)
            else:
                style_cell(ws[cell_ref(col, rows["difference"])])
        else:
            style_cell(ws[cell_ref(col, rows["recomputed"])])
            style_cell(ws[cell_ref(col, rows["difference"])])
    row = rows["difference"] + 1
    if shares:
        share_rows = {"stated": row, "recomputed": row + 1, "difference": row + 2}
        write_text(ws, cell_ref(1, row), "占比（%，文中所述）")
        write_text(ws, cell_ref(1, row + 1), "占比重算（公式，%）")
        write_text(ws, cell_ref(1, row + 2), "占比差额（所述−重算）")
        for index, spec in enumerate(columns):
            col = 2 + index
            share = claims.shares_of(spec.claim)[0] if spec.claim and claims.shares_of(spec.claim) else None
            whole = claims.by_id.get(share.base) if share and share.base else None
            whole_col = next((2 + i for i, s in enumerate(columns) if whole and s.claim and s.claim.id == whole.id),
                             None)
            for key in share_rows:
                style_cell(ws[cell_ref(col, share_rows[key])])
            if share is None:
                continue
            stated = cell_ref(col, share_rows["stated"])
            write_number(ws, stated, share.value, SHARE_FORMAT)
            layout.add(name, stated, "stated", share.id)
            if whole_col is not None:
                recomputed = cell_ref(col, share_rows["recomputed"])
                write_formula(ws, recomputed, f"={cell_ref(col, rows['stated'])}/{cell_ref(whole_col, rows['stated'])}*100",
                              SHARE_FORMAT)
                layout.add(name, recomputed, "share", share.id, (spec.claim.id, whole.id))
                write_formula(ws, cell_ref(col, share_rows["difference"]), f"={stated}-{recomputed}", SHARE_FORMAT)
                layout.add(name, cell_ref(col, share_rows["difference"]), "difference", share.id)
        row += 3
    write_text(ws, cell_ref(1, row), "审核")
    write_text(ws, cell_ref(1, row + 1), "出处")
    for index, spec in enumerate(columns):
        col = 2 + index
        ids = [spec.claim.id] + [s.id for s in claims.shares_of(spec.claim)] if spec.claim else []
        if spec.claim is not None:
            write_verdict(ws, cell_ref(col, row), claims.verdict(ids))
            write_text(ws, cell_ref(col, row + 1), "\n".join(_source(claims.by_id[i]) for i in ids), alignment=WRAP)
        else:
            style_cell(ws[cell_ref(col, row)])
            write_text(ws, cell_ref(col, row + 1), "文中未列", alignment=WRAP)
    _note(sheet, row + 3, "“重算”行是 Excel 公式：合计（或小计）等于其组成各列之和；占比为该列除以所指总数乘 100；"
                          "“差额”为文中所述减重算。空白表示文中没有列出该数。")
    sheet.finish(cell_ref(2, first), wide={c: 22 for c in range(2, len(columns) + 2)})


def _by_class(claims: _Claims, names: dict[str, str], total: Claim | None,
              measures: list[str]) -> list[tuple[str, Claim]]:
    """The 类 of the functional classification the total is made of (the audit's parts when it summed them)."""
    for measure in measures:
        parts = claims.parts_of(total, [measure], level_width=3) if total else [
            c for code in sorted({c.code for c in claims.all if c.measure == measure and c.code
                                  and len(c.code) == 3}) if (c := claims.pick(measure, claims.year, code)) is not None]
        if parts:
            return [(f"{p.code} {names.get(p.code, p.label)}", p) for p in parts]
    return []


def _income_items(claims: _Claims, total: Claim | None) -> list[tuple[str, Claim]]:
    sources = claims.parts(total.measure if total else "income_total")
    parts = claims.parts_of(total, sources) if total else [
        c for m in sources if (c := claims.pick(m, claims.year)) is not None]
    return [(claims.label(p.measure), p) for p in parts]


def _overview(wb, budget, layout, claims, names) -> None:
    income_total = claims.pick("income_total", claims.year) or claims.pick("budget_total", claims.year)
    expenditure_total = claims.pick("expenditure_total", claims.year) or claims.pick("budget_total", claims.year)
    _two_sided(wb, budget, layout, claims, "部门收支总表",
               (_income_items(claims, income_total), "收入总计", income_total),
               (_by_class(claims, names, expenditure_total,
                          ["fiscal_expenditure_by_function", "appropriation_by_function"]),
                "支出总计", expenditure_total))


def _fiscal(wb, budget, layout, claims, names) -> None:
    total = claims.pick("fiscal_total", claims.year)
    _two_sided(wb, budget, layout, claims, "财政拨款收支总表",
               (_income_items(claims, total), "收入总计", total),
               (_by_class(claims, names, total, ["fiscal_expenditure_by_function"]), "支出总计", total))


def _income(wb, budget, layout, claims, names) -> None:
    # the official table's columns: the total, the money carried over, then this year's income by source
    sources = claims.columns("income_total")
    columns = [_Column("合计", "income_total", sum_of=sources),
               _Column(claims.label("income_carryover"), "income_carryover"),
               *(_Column(claims.label(m), m, group="本年收入") for m in sources if m != "income_carryover")]
    _across(wb, budget, layout, claims, "部门收入总表", columns, "项目")


def _expenditure(wb, budget, layout, claims, names) -> None:
    kinds = claims.columns("expenditure_total")
    columns = [_Column("合计", "expenditure_total", sum_of=kinds), *(_Column(claims.label(m), m) for m in kinds)]
    _across(wb, budget, layout, claims, "部门支出总表", columns, "项目", shares=True)


def _basic(wb, budget, layout, claims, names) -> None:
    kinds = claims.columns("gpb_basic_total")
    columns = [_Column("合计", "gpb_basic_total", sum_of=kinds), *(_Column(claims.label(m), m) for m in kinds)]
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
    sheet = Sheet(wb, name, budget, width=13)
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
    total = claims.pick("appropriation_total", claims.year)

    row_of: dict[str, int] = {}
    total_row = 5
    for index, code in enumerate(codes):
        row_of[code] = total_row + 1 + index

    def nearest_stated(code: str) -> list[str]:
        below = []
        for child in (c for c in codes if len(c) == len(code) + 2 and c.startswith(code)):
            below += [child] if child in stated else nearest_stated(child)
        return below

    write_text(ws, cell_ref(1, total_row), "合计", font=BOLD)
    for col in (2, 3):
        style_cell(ws.cell(total_row, col))
    write_text(ws, cell_ref(4, total_row), claims.label("appropriation_total"), font=BOLD)
    classes = [c for c in codes if len(c) == 3 and c in stated] or [c for c in codes if len(c) == 3]
    if total is not None:
        write_number(ws, cell_ref(5, total_row), total.value, font=BOLD)
        layout.add(name, cell_ref(5, total_row), "stated", total.id)
        top = [c for c in classes if c in stated] or [c for cls in classes for c in nearest_stated(cls)]
        if top:
            write_formula(ws, cell_ref(6, total_row), sum_formula([cell_ref(5, row_of[c]) for c in top]))
            layout.add(name, cell_ref(6, total_row), "sum", total.id, tuple(stated[c].id for c in top))
            write_formula(ws, cell_ref(7, total_row), f"=E{total_row}-F{total_row}")
            layout.add(name, cell_ref(7, total_row), "difference", total.id)
        write_verdict(ws, cell_ref(11, total_row), claims.verdict([total.id]))
        write_text(ws, cell_ref(13, total_row), _source(total))
    for col in (8, 9, 10, 12):
        style_cell(ws.cell(total_row, col))

    for code in codes:
        row = row_of[code]
        level = {3: 0, 5: 1, 7: 2}.get(len(code), 2)
        segments = [code[:3], code[3:5], code[5:7]]
        for offset in range(3):
            write_text(ws, cell_ref(1 + offset, row), segments[offset] if offset <= level else "")
        claim = stated.get(code)
        label = names.get(code) or (claim.label if claim else "")
        write_text(ws, cell_ref(4, row), label, alignment=Alignment(indent=level), font=BOLD if level == 0 else None)
        below = nearest_stated(code)
        ids = []
        if claim is not None:
            write_number(ws, cell_ref(5, row), claim.value, font=BOLD if level == 0 else None)
            layout.add(name, cell_ref(5, row), "stated", claim.id)
            ids.append(claim.id)
        else:
            style_cell(ws.cell(row, 5))
        if below:
            write_formula(ws, cell_ref(6, row), sum_formula([cell_ref(5, row_of[c]) for c in below]))
            layout.add(name, cell_ref(6, row), "sum" if claim else "subtotal", claim.id if claim else "",
                       tuple(stated[c].id for c in below))
            if claim is not None:
                write_formula(ws, cell_ref(7, row), f"=E{row}-F{row}")
                layout.add(name, cell_ref(7, row), "difference", claim.id)
            else:
                style_cell(ws.cell(row, 7))
        else:
            style_cell(ws.cell(row, 6))
            style_cell(ws.cell(row, 7))
        share = claims.shares_of(claim)[0] if claim and claims.shares_of(claim) else None
        if share is not None:
            ids.append(share.id)
            write_number(ws, cell_ref(8, row), share.value, SHARE_FORMAT)
            layout.add(name, cell_ref(8, row), "stated", share.id)
            if total is not None and share.base == total.id:
                write_formula(ws, cell_ref(9, row), f"=E{row}/E${total_row}*100", SHARE_FORMAT)
                layout.add(name, cell_ref(9, row), "share", share.id, (claim.id, total.id))
                write_formula(ws, cell_ref(10, row), f"=H{row}-I{row}", SHARE_FORMAT)
                layout.add(name, cell_ref(10, row), "difference", share.id)
            else:
                style_cell(ws.cell(row, 9))
                style_cell(ws.cell(row, 10))
        else:
            for col in (8, 9, 10):
                style_cell(ws.cell(row, col))
        if ids:
            write_verdict(ws, cell_ref(11, row), claims.verdict(ids))
        else:
            style_cell(ws.cell(row, 11))
        write_text(ws, cell_ref(12, row), purposes.get(code, ""), alignment=WRAP)
        write_text(ws, cell_ref(13, row), "\n".join(_source(claims.by_id[i]) for i in ids) or "文中未列金额",
                   alignment=WRAP)
    last = total_row + len(codes)
    _note(sheet, last + 2, "“重算”列是 Excel 公式：每个类（款）等于其下最近一级有金额的款或项之和，合计等于各类之和；"
                           "占比为该行金额除以合计乘 100；“差额”为文中所述减重算。")
    sheet.finish("E5", wide={4: 30, 12: 40, 13: 36})


def _no_spending_table(wb, budget, layout, claims, names, name: str, measure: str) -> None:
    """政府性基金 / 国有资本经营预算支出表: an empty table with 本部门无相关收支 when nothing is spent,
    as the official template prints it; otherwise the stated figure."""
    sheet = Sheet(wb, name, budget, width=5)
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
            write_text(ws, cell_ref(1, row), claim.code or "")
            write_text(ws, cell_ref(2, row), claim.label)
            write_number(ws, cell_ref(3, row), claim.value)
            layout.add(name, cell_ref(3, row), "stated", claim.id)
            for col in (4, 5):
                style_cell(ws.cell(row, col))
            row += 1
        note = "出处：" + "；".join(_source(c) for c in spent)
    else:
        for col in range(1, 6):
            style_cell(ws.cell(row, col))
        source = "；".join(f"{c.section} {c.id}：“{c.quote or c.text}”" for c in stated)
        note = "注：本部门无相关收支（空表）。" + (f"文中：{source}" if source else "文中未提及。")
    _note(sheet, row + 1, note)
    ws.row_dimensions[row + 1].height = 45
    sheet.finish("A5", wide={2: 30})


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


def workbook_bytes(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[bytes, WorkbookLayout]:
    """The .xlsx file's bytes, identical on every run for the same budget."""
    wb, layout = build_workbook(budget, findings)
    return stable_bytes(wb), layout


def workbook_name(budget: Budget) -> str:
    """``<slug>.xlsx``: the data package's name, else the budget year."""
    name = str((budget.descriptor or {}).get("name", "")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{slug or f'budget-{budget.year}'}.xlsx"
