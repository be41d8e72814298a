"""A collection's workbook: a 说明 sheet, then one sheet per summary table and the findings that
are not consistent; figures as numbers with their decimals, the same bytes every run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..findings import finding_records
from .workbook_cells import (BOLD, CENTER, COUNT_FORMAT, DETAIL_FORMAT, HEADER_FILL, TITLE_FONT, WRAP, cell_ref,
                             stable_bytes, verdict_fill, write_number, write_text)

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["collection_workbook_bytes"]


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
            write_text(ws, "A1", "说明", font=TITLE_FONT, border=False)
            lines = [("汇总", title), ("审核", summary),
                     ("单位", "金额单位为万元；占比为百分数（%）。"),
                     *((sheet, COLLECTION_SHEET_NOTES.get(sheet, "")) for sheet in sheets if sheets[sheet] is not None)]
            for row, (key, value) in enumerate(lines, start=3):
                write_text(ws, cell_ref(1, row), key, font=BOLD)
                write_text(ws, cell_ref(2, row), value, alignment=WRAP)
            ws.column_dimensions["A"].width = 16
            ws.column_dimensions["B"].width = 100
            continue
        _frame_sheet(wb.create_sheet(name), frame)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "budgetkit"
    wb.properties.title = title
    return stable_bytes(wb)


def _frame_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """A table as a sheet: a bold header row, decimals as numbers, the verdict shaded, filters on."""
    columns = [str(c) for c in frame.columns]
    for index, column in enumerate(columns, start=1):
        write_text(ws, cell_ref(index, 1), column, font=BOLD, fill=HEADER_FILL, alignment=CENTER)
    decimals = {c for c in columns if "decimal" in str(frame[c].dtype)}
    integers = {c for c in columns if pd.api.types.is_integer_dtype(frame[c].dtype)}
    for row, record in enumerate(finding_records(frame), start=2):
        for index, column in enumerate(columns, start=1):
            value, ref = record[column], cell_ref(index, row)
            if column in decimals:
                write_number(ws, ref, None if value is None else Decimal(value), DETAIL_FORMAT)
            elif column in integers:
                write_number(ws, ref, None if value is None else int(value), COUNT_FORMAT)
            elif column in ("verdict", "worst_verdict") and verdict_fill(value) is not None:
                write_text(ws, ref, value, fill=verdict_fill(value))
            else:
                write_text(ws, ref, value, alignment=WRAP if column in ("quote", "explanation", "reason") else None)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{cell_ref(len(columns), len(frame) + 1)}"
    wide = {"quote": 40, "explanation": 60, "reason": 50, "label": 24, "later_label": 24, "earlier_label": 24,
            "department": 24, "budget_id": 28, "source": 40}
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = wide.get(column, 14)
