"""The cells of budgetkit's workbooks: number formats, fonts and fills (the verdicts' from the one
palette, findings.VERDICT_FILLS), text that is never a formula, and the .xlsx bytes with fixed
zip times so that a workbook is byte-identical from run to run. openpyxl is imported here, lazily
from the report, never from ``import budgetkit``."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..findings import FORMULA_PREFIXES, VERDICT_FILLS

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.worksheet.worksheet import Worksheet

    from ..model import Budget

__all__ = [
    "BOLD", "CENTER", "COUNT_FORMAT", "DETAIL_FORMAT", "HEADER_FILL", "SHARE_FORMAT", "Sheet", "TITLE_FONT",
    "VERDICT_ZH", "WRAP", "ZIP_TIME", "cell_ref", "stable_bytes", "style_cell", "sum_formula", "verdict_fill",
    "write_formula", "write_number", "write_text", "write_verdict",
]


MONEY_FORMAT = "#,##0.00"


SHARE_FORMAT = "0.00"


DETAIL_FORMAT = "#,##0.00###"


COUNT_FORMAT = "0"


VERDICT_ZH = {"consistent": "一致", "rounding": "舍入", "text": "文字", "semantic": "口径", "drift": "不符",
              "unchecked": "未审核"}


THIN = Side(style="thin", color="808080")


BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


FORMULA_FILL = PatternFill("solid", fgColor="F2F2F2")


FORMULA_FONT = Font(color="1F4E79", italic=True)


TITLE_FONT = Font(bold=True, size=14)


BOLD = Font(bold=True)


WRAP = Alignment(wrap_text=True, vertical="center")


MIDDLE = Alignment(vertical="center")


CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_text(ws: Worksheet, ref: str, value: str | None, **style) -> None:
    """Document text as a text cell: never run as a formula, whatever it starts with."""
    cell = ws[ref]
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    if text:
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    style_cell(cell, **style)


def write_number(ws: Worksheet, ref: str, value: Decimal | int | None, number_format: str = MONEY_FORMAT,
                 **style) -> None:
    cell = ws[ref]
    # Excel stores doubles: the exact decimal becomes the nearest one, shown with two decimals
    cell.value = None if value is None else (int(value) if number_format == COUNT_FORMAT else float(value))
    cell.number_format = number_format
    style_cell(cell, **style)


def write_formula(ws: Worksheet, ref: str, formula: str, number_format: str = MONEY_FORMAT) -> None:
    cell = ws[ref]
    cell.value = formula
    cell.number_format = number_format
    style_cell(cell, font=FORMULA_FONT, fill=FORMULA_FILL)


def style_cell(cell, font=None, fill=None, alignment=None, border=True) -> None:
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    elif border:  # a table cell: numbers and short labels level with wrapped text beside them
        cell.alignment = MIDDLE
    if border:
        cell.border = BORDER


def write_verdict(ws: Worksheet, ref: str, verdict: str) -> None:
    if verdict == "unchecked":  # a part of a checked total: its verdict is the total's
        style_cell(ws[ref])
        return
    fill = verdict_fill(verdict)
    write_text(ws, ref, f"{VERDICT_ZH.get(verdict, verdict)} {verdict}", fill=fill)


def cell_ref(column: int, row: int) -> str:
    return f"{get_column_letter(column)}{row}"


def sum_formula(cells: list[str]) -> str:
    return "=SUM(" + ",".join(cell_ranges(cells)) + ")"


def cell_ranges(cells: list[str]) -> list[str]:
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


class Sheet:
    """One official table: title row, department and unit row, header rows; columns sized to content."""

    def __init__(self, wb: Workbook, name: str, budget: Budget, width: int, unit: str = "万元"):
        self.ws = wb.create_sheet(name)
        self.name = name
        self.width = width
        ws = self.ws
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        write_text(ws, "A1", f"{budget.year}年{name}", font=TITLE_FONT, alignment=CENTER, border=False)
        ws.row_dimensions[1].height = 30
        if width > 2:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width - 1)
        write_text(ws, "A2", f"部门：{budget.department}", border=False)
        write_text(ws, cell_ref(width, 2), f"单位：{unit}", alignment=Alignment(horizontal="right"), border=False)

    def header(self, row: int, column: int, text: str, rows: int = 1, columns: int = 1) -> None:
        if rows > 1 or columns > 1:
            self.ws.merge_cells(start_row=row, start_column=column, end_row=row + rows - 1,
                                end_column=column + columns - 1)
            for r in range(row, row + rows):
                for c in range(column, column + columns):
                    style_cell(self.ws.cell(r, c), fill=HEADER_FILL)
        write_text(self.ws, cell_ref(column, row), text, font=BOLD, fill=HEADER_FILL, alignment=CENTER)

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
                    length = max(display_width(line) for line in str(cell.value).split("\n")) + 2
                widths[cell.column] = max(widths.get(cell.column, 8), length)
        for column, width in widths.items():
            cap = (wide or {}).get(column, 40)
            self.ws.column_dimensions[get_column_letter(column)].width = min(width, cap)


def display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


#: Every entry of the xlsx zip carries this time, so the bytes do not depend on when it was written.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_bytes(wb: Workbook) -> bytes:
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


def verdict_fill(verdict: str) -> PatternFill | None:
    """The palette's fill of a verdict (findings.VERDICT_FILLS); none for consistent and unknown ones."""
    colour = VERDICT_FILLS.get(verdict)
    return PatternFill("solid", fgColor=colour.lstrip("#").upper()) if colour else None

