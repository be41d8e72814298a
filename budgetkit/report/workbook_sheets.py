"""The official tables as sheets of the workbook: stated figures as values, every recomputed total,
share and difference as a live formula beside them, each placement recorded in the layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl.styles import Alignment

from ..audit import load_rules
from ..claims import Claim, ClaimIndex
from ..template import sum_parts
from .workbook_cells import (BOLD, SHARE_FORMAT, VERDICT_ZH, WRAP, Sheet, cell_ref, style_cell, sum_formula,
                             write_formula, write_number, write_text, write_verdict)

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = [
    "Placement", "WorkbookClaims", "WorkbookLayout", "basic_sheet", "expenditure_sheet", "fiscal_sheet", "general_budget_sheet", "income_sheet", "no_spending_sheet", "overview_sheet", "three_public_sheet",
]


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


def _ledger_block(sheet: Sheet, layout: WorkbookLayout, claims: WorkbookClaims, column: int, title: str,
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


def overview_sheet(wb, budget, layout, claims, names) -> None:
    income_total = claims.pick("income_total", claims.year) or claims.pick("budget_total", claims.year)
    expenditure_total = claims.pick("expenditure_total", claims.year) or claims.pick("budget_total", claims.year)
    _two_sided(wb, budget, layout, claims, "部门收支总表",
               (_income_items(claims, income_total), "收入总计", income_total),
               (_by_class(claims, names, expenditure_total,
                          ["fiscal_expenditure_by_function", "appropriation_by_function"]),
                "支出总计", expenditure_total))


def fiscal_sheet(wb, budget, layout, claims, names) -> None:
    total = claims.pick("fiscal_total", claims.year)
    _two_sided(wb, budget, layout, claims, "财政拨款收支总表",
               (_income_items(claims, total), "收入总计", total),
               (_by_class(claims, names, total, ["fiscal_expenditure_by_function"]), "支出总计", total))


def income_sheet(wb, budget, layout, claims, names) -> None:
    # the official table's columns: the total, the money carried over, then this year's income by source
    sources = claims.columns("income_total")
    columns = [_Column("合计", "income_total", sum_of=sources),
               _Column(claims.label("income_carryover"), "income_carryover"),
               *(_Column(claims.label(m), m, group="本年收入") for m in sources if m != "income_carryover")]
    _across(wb, budget, layout, claims, "部门收入总表", columns, "项目")


def expenditure_sheet(wb, budget, layout, claims, names) -> None:
    kinds = claims.columns("expenditure_total")
    columns = [_Column("合计", "expenditure_total", sum_of=kinds), *(_Column(claims.label(m), m) for m in kinds)]
    _across(wb, budget, layout, claims, "部门支出总表", columns, "项目", shares=True)


def basic_sheet(wb, budget, layout, claims, names) -> None:
    kinds = claims.columns("gpb_basic_total")
    columns = [_Column("合计", "gpb_basic_total", sum_of=kinds), *(_Column(claims.label(m), m) for m in kinds)]
    _across(wb, budget, layout, claims, "一般公共预算基本支出表", columns, "项目")


def three_public_sheet(wb, budget, layout, claims, names) -> None:
    vehicles = "公务用车购置及运行费"
    columns = [_Column("合计", "three_public_total",
                       sum_of=["three_public_overseas", "three_public_vehicles", "three_public_reception"]),
               _Column("因公出国（境）费", "three_public_overseas"),
               _Column("小计", "three_public_vehicles", group=vehicles, sum_of=["vehicle_purchase", "vehicle_operation"]),
               _Column("购置费", "vehicle_purchase", group=vehicles),
               _Column("运行费", "vehicle_operation", group=vehicles),
               _Column("公务接待费", "three_public_reception")]
    _across(wb, budget, layout, claims, "一般公共预算“三公”经费支出表", columns, "项目")


def general_budget_sheet(wb, budget, layout, claims, names) -> None:
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


def no_spending_sheet(wb, budget, layout, claims, names, name: str, measure: str) -> None:
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
