"""A collection's workbook: a 说明 sheet, then one sheet per summary table and the findings that
are not consistent; figures as numbers with their decimals, printed one page wide, the same bytes
every run."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .workbook_cells import BOLD, TITLE, WRAP, Book, SheetWriter, cell_ref, frame_sheet

__all__ = ["collection_workbook_bytes"]


COLLECTION_SHEET_NOTES = {
    "按部门": "每个部门的核对次数，按审核结论分列。",
    "按预算": "每份预算的核对次数，按审核结论分列。",
    "常见问题": "未通过的规则：出现次数及涉及的预算份数。",
    "支出结构": "各预算所列支出预算、基本支出、项目支出、“三公”经费（万元）及其占支出预算的百分比。",
    "跨年核对": "下一年度预算所列上年数与上年度预算本身所列数的比对。",
    "审核发现": "所有未通过（非一致）的核对；全部核对见 findings.csv。",
}


#: A collection spans years: its workbook carries one fixed date, not one budget's.
CREATED = dt.datetime(2000, 1, 1)


def collection_workbook_bytes(sheets: dict[str, pd.DataFrame | None], title: str, summary: str) -> bytes:
    """A collection's workbook: a 说明 sheet, then one sheet per table of ``sheets`` (None: 说明's
    place), figures as numbers with their decimals, text never a formula; the same bytes every run."""
    book = Book(title=title, created=CREATED)
    for name, frame in sheets.items():
        if frame is None:
            notes = [(sheet, COLLECTION_SHEET_NOTES.get(sheet, "")) for sheet in sheets if sheets[sheet] is not None]
            _about_sheet(book, name, [("汇总", title), ("审核", summary),
                                      ("单位", "金额单位为万元；占比为百分数（%）。"), *notes])
        else:
            frame_sheet(book, name, frame)
    return book.close()


def _about_sheet(book: Book, name: str, lines: list[tuple[str, str]]) -> None:
    sheet = SheetWriter(book, name)
    sheet.text("A1", "说明", TITLE.but(align=None))
    for row, (key, value) in enumerate(lines, start=3):
        sheet.text(cell_ref(1, row), key, BOLD)
        sheet.text(cell_ref(2, row), value, WRAP)
    sheet.size({1: 16, 2: 100})
    sheet.print_setup()
