"""The official tables (公开表) as the document prints them, with the audit's verdict on each row.

Read from ``budget.table_cells`` (every figure the tables print, with its place) and the text the
claims point into, where each table is rendered row by row after the prose: a title line
``表N　title（…页…）``, then one line per row, its cells between
:data:`~budgetkit.schema.TABLE_CELL_SEPARATOR`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from ..kinds import this_document
from ..messages import text
from ..schema import TABLE_CELL_SEPARATOR, resource_columns
from .rows import UNCHECKED, FindingMarks, TableClaims

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["printed_table", "printed_tables", "table_checks"]


def _marks(budget: Budget, findings: pd.DataFrame | None) -> FindingMarks:
    findings = budget.audit() if findings is None else findings
    return FindingMarks.of(findings, TableClaims(budget))


def _cells(budget: Budget) -> pd.DataFrame:
    cells = budget.table_cells
    return cells if cells is not None else pd.DataFrame(columns=resource_columns("table_cells"))


def printed_tables(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per table that prints figures: its number, title, the standard table it is, pages,
    unit, how many figures it prints, how many are keyed to a measure, and the worst verdict on them."""
    cells, marks = _cells(budget), _marks(budget, findings)
    rows = []
    for number, group in cells.groupby("table", sort=True):
        claim_ids = [c for c in group["claim_id"].dropna() if c]
        verdict, finding = marks.verdict(claim_ids)
        pages = sorted(set(int(p) for p in group["page"]))
        rows.append({
            "table": int(number), "title": group["title"].iloc[0], "standard": group["standard"].iloc[0],
            "file": group["file"].iloc[0], "pages": f"{pages[0]}–{pages[-1]}" if len(pages) > 1 else str(pages[0]),
            "unit": group["unit"].iloc[0], "figures": len(group), "keyed": len(claim_ids),
            "verdict": verdict, "finding": finding})
    columns = ["table", "title", "standard", "file", "pages", "unit", "figures", "keyed", "verdict", "finding"]
    return pd.DataFrame(rows, columns=columns)


def printed_table(budget: Budget, number: int | None = None, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table ``number`` (else the first that prints figures) as printed, row by row, its headings
    first, each cell's text under its column's heading, with the worst verdict of the row's keyed
    figures and why. A budget without tables gives an empty frame whose title says so."""
    cells = _cells(budget)
    if number is None and len(cells):
        number = int(cells["table"].min())
    own = cells[cells["table"] == number]
    if own.empty:
        if number is None:
            frame = pd.DataFrame(columns=["verdict", "finding"])
            frame.attrs["title"] = text("tables.printed-none", document=this_document(budget.document_kind))
            return frame
        raise KeyError(text("tables.printed-missing", number=number, document=this_document(budget.document_kind)))
    lines = budget.raw_text.split("\n")
    first = int(own["line"].min())
    title = next(i for i in range(first - 1, 0, -1) if re.match(rf"表{number}\u3000", lines[i - 1]))
    end = next((i for i in range(title + 1, len(lines) + 1) if not lines[i - 1].strip()), len(lines) + 1)
    # a row's trailing empty cells may end in a bare bar: split on the bar, the spaces are its padding
    grid = [[cell.strip() for cell in lines[i - 1].split(TABLE_CELL_SEPARATOR.strip())] for i in range(title + 1, end)]
    width = max(len(row) for row in grid)
    headings = _headings(own, width)
    marks = _marks(budget, findings)
    by_line = own.groupby("line")["claim_id"].apply(lambda ids: [c for c in ids.dropna() if c]).to_dict()
    rows = []
    for offset, row in enumerate(grid):
        verdict, finding = marks.verdict(by_line.get(title + 1 + offset, []))
        rows.append([*row, *[""] * (width - len(row)), verdict, finding])
    frame = pd.DataFrame(rows, columns=[*headings, "verdict", "finding"])
    frame.attrs["title"] = lines[title - 1]
    return frame


def _headings(cells: pd.DataFrame, width: int) -> list[str]:
    """Each column's heading path where it prints a figure, else its number; unique, as pandas needs."""
    named = cells.drop_duplicates("column").set_index("column")["heading"].to_dict()
    headings, seen = [], set()
    for column in range(1, width + 1):
        heading = str(named.get(column) or text("tables.heading-column", column=column))
        while heading in seen:
            heading = text("tables.heading-repeated", heading=heading, column=column)
        seen.add(heading)
        headings.append(heading)
    return headings


def table_checks(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every keyed figure of the tables with the verdict the audit gives it: table, page, row and
    column, its label and heading, the figure as printed, the measure and code, and why."""
    cells, marks = _cells(budget), _marks(budget, findings)
    keyed = cells[cells["claim_id"].fillna("") != ""]
    rows = []
    for cell in keyed.itertuples(index=False):
        verdict, finding = marks.verdict([cell.claim_id])
        rows.append({"table": int(cell.table), "page": int(cell.page), "row": int(cell.row),
                     "column": int(cell.column), "label": cell.row_label, "heading": cell.heading,
                     "printed": cell.text, "measure": cell.measure, "code": cell.code,
                     "claim_id": cell.claim_id, "verdict": verdict, "finding": finding})
    columns = ["table", "page", "row", "column", "label", "heading", "printed", "measure", "code", "claim_id",
               "verdict", "finding"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame[frame["verdict"] != UNCHECKED].reset_index(drop=True) if len(frame) else frame
