"""What the official sheets are written from: the budget's claims with the audit's verdicts and sums,
the layout that records each cell the workbook fills, and the cells every official sheet writes
alike (a stated figure, a verdict, a claim's source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import load_rules
from ..audit.index import ClaimIndex
from ..claims import Claim
from ..findings import SEVERITY
from ..kinds import known_kind
from ..messages import text
from ..template import sum_parts
from .workbook_cells import TEXT, Book, Sheet, figure_format, verdict_label, verdict_look

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["Placement", "TableContext", "WorkbookClaims", "WorkbookLayout", "claim_source", "official_sheet_name",
           "write_stated", "write_verdict"]


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

    @property
    def kind(self) -> str:
        """The document's kind as the keys of messages worded by kind end (预算数 of a budget, 决算数 of final
        accounts: ``workbook.row-stated-final-accounts``)."""
        return known_kind(self.budget.document_kind)

    def sheet(self, table: str, width: int) -> Sheet:
        """The sheet of the official table ``table`` (a key of OFFICIAL_TABLES), its title the table's
        with the budget year."""
        title = text(f"workbook.title-{table}", year=self.budget.year)
        return Sheet(self.book, official_sheet_name(table), title, self.budget, width)


def official_sheet_name(table: str) -> str:
    """The sheet name of the official table ``table`` (a key of OFFICIAL_TABLES) in the current language."""
    return text(f"workbook.sheet-{table}")


def claim_source(claim: Claim) -> str:
    """The 出处 of a stated figure: its section and claim id with the text printed (quoted unless a figure)."""
    printed = claim.text if claim.text and claim.text[-1].isdigit() else text("workbook.quoted", text=claim.text)
    return text("workbook.source", section=claim.section, claim=claim.id, printed=printed)


def write_stated(sheet: Sheet, layout: WorkbookLayout, ref: str, claim: Claim, look=TEXT) -> None:
    """A stated figure in its unit's format, recorded in the layout."""
    sheet.number(ref, claim.value, figure_format(claim.unit, claim.value), look)
    layout.add(sheet.name, ref, "stated", claim.id)


def write_verdict(sheet: Sheet, ref: str, verdict: str) -> None:
    """The audit's verdict in its colour, or a blank cell for an unchecked figure."""
    if verdict == "unchecked":  # a part of a checked total: its verdict is the total's
        sheet.blank(ref)
        return
    sheet.text(ref, verdict_label(verdict), verdict_look(verdict))
