"""A collection's workbook: a 说明 sheet, then one sheet per summary table and the findings that
are not consistent; figures as numbers with their decimals, printed one page wide, the same bytes
every run."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..messages import text
from .workbook_cells import BOLD, TITLE, WRAP, Book, SheetWriter, cell_ref, frame_sheet

__all__ = ["COLLECTION_SHEETS", "collection_sheet_name", "collection_workbook_bytes"]


#: The sheets of a collection's workbook by key, in order; each key names its messages: the sheet's
#: name (workbook.collection-sheet-KEY: 按部门 …) and its line in the 说明 sheet
#: (workbook.collection-note-KEY). The keys of the summary tables are those of their CSV files.
COLLECTION_SHEETS = ("about", "verdicts-by-department", "verdicts-by-budget", "common-findings",
                     "spending-structure", "year-over-year", "findings")


def collection_sheet_name(sheet: str) -> str:
    """The name of the collection's sheet ``sheet`` (a key of COLLECTION_SHEETS) in the current language."""
    return text(f"workbook.collection-sheet-{sheet}")


def _sheet_key(name: str) -> str | None:
    """The key of a sheet given by its key or by its Chinese name (按部门 …); None for another sheet."""
    return next((key for key in COLLECTION_SHEETS if name in (key, text(f"workbook.collection-sheet-{key}", "zh"))),
                None)


#: A collection spans years: its workbook carries one fixed date, not one budget's.
CREATED = dt.datetime(2000, 1, 1)


def collection_workbook_bytes(sheets: dict[str, pd.DataFrame | None], title: str, summary: str) -> bytes:
    """A collection's workbook: a 说明 sheet, then one sheet per table of ``sheets`` (None: 说明's
    place), figures as numbers with their decimals, text never a formula; the same bytes every run.
    A sheet is given by its key in COLLECTION_SHEETS (or its Chinese name) and named in the current
    language; a sheet of another name keeps it."""
    book = Book(title=title, created=CREATED)
    named = {name: _name(name) for name in sheets}
    for name, frame in sheets.items():
        if frame is None:
            notes = [(named[sheet], _note(sheet)) for sheet in sheets if sheets[sheet] is not None]
            _about_sheet(book, named[name], [(text("workbook.collection-about-collection"), title),
                                             (text("workbook.about-audit"), summary),
                                             (text("workbook.about-units"), text("workbook.collection-about-units")),
                                             *notes])
        else:
            frame_sheet(book, named[name], frame)
    return book.close()


def _name(sheet: str) -> str:
    key = _sheet_key(sheet)
    return sheet if key is None else collection_sheet_name(key)


def _note(sheet: str) -> str:
    key = _sheet_key(sheet)
    return "" if key is None or key == "about" else text(f"workbook.collection-note-{key}")


def _about_sheet(book: Book, name: str, lines: list[tuple[str, str]]) -> None:
    sheet = SheetWriter(book, name)
    sheet.text("A1", name, TITLE.but(align=None))
    for row, (key, value) in enumerate(lines, start=3):
        sheet.text(cell_ref(1, row), key, BOLD)
        sheet.text(cell_ref(2, row), value, WRAP)
    sheet.size({1: 16, 2: 100})
    sheet.print_setup()
