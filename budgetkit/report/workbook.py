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
from ..kinds import known_kind
from ..messages import text, verdict_name
from .workbook_cells import BOLD, HEADER, TITLE, WRAP, Book, SheetWriter, cell_ref, frame_sheet
from .workbook_read_tables import FigureMarks, PrintedGrid, findings_with_places, link_places, printed_grids, \
    write_printed_grid
from .workbook_context import TableContext, WorkbookClaims, WorkbookLayout, official_sheet_name
from .workbook_sheets import OFFICIAL_TABLES

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["about_sheet_name", "findings_sheet_name", "workbook_bytes", "workbook_name"]


def findings_sheet_name() -> str:
    """审核结果: the sheet of every evaluation, named in the current language."""
    return text("workbook.sheet-findings")


def about_sheet_name() -> str:
    """说明: the first sheet, what the workbook is and how to read it, named in the current language."""
    return text("workbook.sheet-about")


def _about_lines(budget: Budget, findings: pd.DataFrame) -> list[tuple[str, str]]:
    from .. import __version__

    descriptor = budget.descriptor or {}
    document = next((r.get("path") for r in descriptor.get("resources", [])
                     if r.get("name") == descriptor.get("budget", {}).get("document")), "")
    counts = findings["verdict"].astype(str).value_counts()
    tally = text("workbook.count-separator").join(
        text("workbook.about-audit-count", verdict=verdict_name(v), count=int(counts.get(v, 0))) for v in VERDICTS)
    names = {verdict: verdict_name(verdict) for verdict in VERDICTS}
    kind = known_kind(budget.document_kind)  # a 决算's year is its accounts year, its figures outturns
    return [
        (text("workbook.about-department"), budget.department),
        (text(f"workbook.about-year-{kind}"), text("workbook.about-year-value", year=budget.year, prior_year=budget.prior_year)),
        (text("workbook.about-document"), str(descriptor.get("title", ""))),
        (text("workbook.about-package"), f"{descriptor.get('name', '')} {document}".strip()),
        (text("workbook.about-made"), text("workbook.about-made-value", version=__version__)),
        (text("workbook.about-audit"), text("workbook.about-audit-value", checks=len(findings), counts=tally)),
        (text("workbook.about-reading"), text(f"workbook.about-reading-value-{kind}")),
        (text("workbook.about-verdicts"), text("workbook.about-verdicts-value", findings=findings_sheet_name(), **names)),
        (text("workbook.about-sources"), text("workbook.about-sources-value")),
        (text("workbook.about-units"), text("workbook.about-units-value")),
    ]


def _read_tables_line() -> tuple[str, str]:
    names = {verdict: verdict_name(verdict) for verdict in VERDICTS}
    return text("workbook.about-read-tables"), text("workbook.about-read-tables-value", findings=findings_sheet_name(),
                                                    **names)


def _read_table_note(grid: PrintedGrid) -> str:
    return text("workbook.about-note-read-table", file=grid.file, pages=grid.page_span,
                unit=grid.unit or text("workbook.unit-not-stated"))


def _sheet_notes() -> dict[str, str]:
    """What each sheet of the template holds, by its name in the current language."""
    notes = {official_sheet_name(table): text(f"workbook.about-note-{table}") for table, _ in OFFICIAL_TABLES}
    return {**notes, findings_sheet_name(): text("workbook.about-note-findings")}


def _about_sheet(book: Book, budget: Budget, findings: pd.DataFrame, sheets: list[str],
                 grids: list[PrintedGrid]) -> None:
    """说明: what the workbook is, how to read it, then each sheet and what it holds."""
    name = about_sheet_name()
    sheet = SheetWriter(book, name)
    sheet.text("A1", name, TITLE.but(align=None))
    lines = _about_lines(budget, findings) + ([_read_tables_line()] if grids else [])
    notes = {**_sheet_notes(), **{grid.sheet: _read_table_note(grid) for grid in grids}}
    for row, (key, value) in enumerate(lines, start=3):
        sheet.text(cell_ref(1, row), key, BOLD)
        sheet.text(cell_ref(2, row), value, WRAP)
    row = len(lines) + 4
    sheet.text(cell_ref(1, row), text("workbook.about-sheet"), HEADER.but(align=None))
    sheet.text(cell_ref(2, row), text("workbook.about-contents"), HEADER.but(align=None))
    for offset, sheet_name in enumerate(sheets, start=1):
        sheet.text(cell_ref(1, row + offset), sheet_name)
        sheet.text(cell_ref(2, row + offset), notes.get(sheet_name, ""), WRAP)
    sheet.size({1: 34, 2: 100})
    sheet.print_setup()


def workbook_bytes(budget: Budget, findings: pd.DataFrame | None = None) -> tuple[bytes, WorkbookLayout]:
    """The .xlsx file's bytes, identical on every run for the same budget, and where every stated
    figure and formula went."""
    findings = budget.audit() if findings is None else findings
    book = Book(title=text(f"workbook.book-title-{known_kind(budget.document_kind)}", department=budget.department,
                           year=budget.year),
                created=dt.datetime(budget.year, 1, 1))
    names = {code: name for code, name in zip(budget.line_items["code"], budget.line_items["name"])
             if isinstance(name, str)}
    context = TableContext(book, budget, WorkbookLayout(), WorkbookClaims(budget, findings), names)
    official = [official_sheet_name(table) for table, _ in OFFICIAL_TABLES]
    about, findings_sheet = about_sheet_name(), findings_sheet_name()
    # the tables read from the document: none for a package made without them
    grids = printed_grids(budget, findings, {about, *official, findings_sheet})
    read = [grid.sheet for grid in grids]
    # 说明 comes first and lists the sheets after it; XlsxWriter adds sheets in order only
    _about_sheet(book, budget, findings, [*official, *read, findings_sheet], grids)
    for table, write in OFFICIAL_TABLES:
        write(context, table)
    marks = FigureMarks.of(findings)
    for grid in grids:
        write_printed_grid(book, grid, marks, context.layout)
    _findings_sheet(book, findings, grids)
    book.workbook.get_worksheet_by_name(official[0]).activate()  # open on the first official table
    context.layout.sheets = [about, *official, *read, findings_sheet]
    return book.close(), context.layout


def _findings_sheet(book: Book, findings: pd.DataFrame, grids: list[PrintedGrid]) -> None:
    """审核结果: every evaluation; with the tables read, where each table finding's figure is and a link to it."""
    if not grids:
        frame_sheet(book, findings_sheet_name(), findings)
        return
    located = findings_with_places(findings, grids)
    link_places(frame_sheet(book, findings_sheet_name(), located), located)


def workbook_name(budget: Budget) -> str:
    """``<slug>.xlsx``: the data package's name, else the budget year."""
    name = str((budget.descriptor or {}).get("name", "")).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
    return f"{slug or f'budget-{budget.year}'}.xlsx"
