"""The tables of workbooks (.xlsx, .xls) and of .docx documents, read onto the grid the PDF tables use.

A workbook is read with python-calamine: each visible worksheet's used range is one grid (a sheet
usually holds one official table: title rows, the 单位 banner, heading rows, the body), split into
tables by :func:`.tables.grid_tables` as a PDF's ruled frame is. Values are the ones stored: a
formula cell gives the value cached when the workbook was last saved, never evaluated here.

A number is read as the text it shows, since the audit's tolerance is the decimals a figure is
printed with:

- .xlsx: the cell's number format is read with openpyxl (calamine does not give it) and applied —
  its decimals (``0.00`` shows 24458.4 as ``24458.40``), thousands separators, ``%``, literal text and
  the sections for negatives and zero (an accounting format prints 0 as ``-``, which reads as empty,
  as it does in a PDF printed from the workbook). A format this reading does not follow (dates,
  fractions, scientific) and ``General`` show the number as Excel's General does, in plain notation.
- .xls: python-calamine does not give an .xls cell's number format and no other reader is used, so
  every number is shown as ``General``: its shortest decimal form to 15 significant digits (24458.4
  stays ``24458.4``, read as printed with one decimal, a wider interval than the ``24458.40`` shown).

Either way a number is first rounded to the 15 significant digits Excel keeps, so a cached
840.9900000000001 is 840.99. A truth value reads TRUE or FALSE, a date in ISO form, and an error value
(#DIV/0!) as an empty cell: calamine gives no text for it. Hidden sheets are not read (nothing of them is
shown); hidden rows and columns are, since calamine does not say which are hidden. A cell's locator: ``page`` is the sheet's 1-based position in the
workbook (hidden sheets counted, not read), ``box`` its first and last column and row on the sheet,
1-based (x0 = first column, top = first row, x1 = last column, bottom = last row: C5 is (3, 5, 3, 5),
a title merged over B2:F2 is (2, 2, 6, 2)). A .docx table's cell has ``page`` the table's 1-based
number in the document and ``box`` its columns and rows in the table, the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..messages import text
from ..schema import BudgetDataError, Problem
from ..template import official_table
from .tables import ReadTable, TableCell, grid_tables

__all__ = ["PlacedCell", "TableLimits", "number_text", "placed_tables", "read_workbook"]


@dataclass(frozen=True)
class TableLimits:
    """How big a workbook's or a document's tables may be (the values are reading.py's constants)."""

    sheets: int  # sheets of one workbook
    rows: int  # rows of one table (a sheet's used range, a .docx table)
    columns: int  # columns of one table
    cells: int  # slots of all the tables of one document together


@dataclass(frozen=True)
class PlacedCell:
    """A cell as its reader found it: the top-left slot it covers (0-based), how many rows and
    columns it spans, and its text with its line breaks."""

    row: int
    column: int
    rows: int
    columns: int
    text: str


def _fail(path: Path, message: str) -> BudgetDataError:
    return BudgetDataError([Problem(str(path), None, None, message)])


def placed_tables(placed: list[PlacedCell], rows: int, columns: int, page: int,
                  origin: tuple[int, int] = (0, 0), caption: list[str] | None = None) -> list[ReadTable]:
    """The tables of a grid of ``rows`` × ``columns`` slots holding the ``placed`` cells, with the lines
    ``caption`` printed above it; a cell's box is its 1-based columns and rows, counted from ``origin``
    (the grid's top-left slot on its sheet, 0-based)."""
    grid = [[""] * columns for _ in range(rows)]
    cells: dict[tuple[int, int], TableCell] = {}
    printed: dict[tuple[int, int], str] = {}
    for cell in placed:
        text = re.sub(r"\s*\n\s*", "", cell.text).strip()  # as the PDF reader does: a cell's lines are one text
        top, left = origin[0] + cell.row + 1, origin[1] + cell.column + 1
        box = (float(left), float(top), float(left + cell.columns - 1), float(top + cell.rows - 1))
        cells[(cell.row, cell.column)] = TableCell(text, cell.row, cell.column, page, box)
        printed[(cell.row, cell.column)] = cell.text
        for r in range(cell.row, min(cell.row + cell.rows, rows)):
            for c in range(cell.column, min(cell.column + cell.columns, columns)):
                grid[r][c] = text
    return grid_tables(grid, cells, printed, caption or []) if grid and columns else []


# -- numbers as shown ---------------------------------------------------------------------------------

#: What a number format section holds that this reading does not follow: dates and times, fractions,
#: scientific notation. Such a number is shown as General.
_UNFOLLOWED = re.compile(r"[yYmMdDhHsSeE/]")
#: Literal text of a section: "quoted", \escaped, _x (a space as wide as x), *x (fill), [colour or condition].
_LITERAL = re.compile(r'"([^"]*)"|\\(.)|_(.)|\*(.)|\[[^\]]*\]')


def _excel_digits(value: float) -> Decimal:
    """``value`` to the 15 significant digits Excel keeps (a cached 840.9900000000001 is 840.99)."""
    return Decimal(format(value, ".15g"))


def _general(number: Decimal) -> str:
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _sections(number_format: str) -> list[str]:
    """The ;-separated sections of a format (a ; inside quotes is text)."""
    sections, current, quoted = [], [], False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*sections, "".join(current)]


def _render(number: Decimal, section: str) -> str | None:
    """``number`` (not negative) shown by one format section; None for a section not followed."""
    plain = _LITERAL.sub(lambda m: "\x01" * len(m.group(0)), section)  # same length: indices hold in both
    if _UNFOLLOWED.search(plain):
        return None
    placeholders = [i for i, ch in enumerate(plain) if ch in "0#?"]
    literal = _literal_text(section)
    if not placeholders:  # a section of text only: "-" for a zero
        return literal(0, len(section)).strip()
    first, last = placeholders[0], placeholders[-1]
    numeric = plain[first:last + 1]
    point = numeric.find(".")
    decimals = sum(ch in "0#?" for ch in numeric[point:]) if point >= 0 else 0
    if "%" in plain:
        number *= 100
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    integer_part = numeric[:point] if point >= 0 else numeric
    if "," in integer_part:
        whole = f"{int(whole):,}"
    if whole == "0" and "0" not in integer_part:
        whole = ""  # '#' and '?' print nothing for a zero integer part (an accounting zero is "-")
    # a '#' or '?' decimal place prints only a digit that is not a trailing zero (0.0# shows 1.50 as 1.5)
    optional = len(numeric[point + 1:]) - len(numeric[point + 1:].rstrip("#?")) if point >= 0 else 0
    while optional and fraction.endswith("0"):
        fraction, optional = fraction[:-1], optional - 1
    digits = whole + ("." + fraction if fraction else "")
    return (literal(0, first) + digits + literal(last + 1, len(section))).strip()


def _literal_text(section: str):
    """A function giving the text a stretch of the section prints around its digits."""
    def text(start: int, end: int) -> str:
        out, position = [], start
        for match in _LITERAL.finditer(section, start, end):
            out.append(_bare(section[position:match.start()]))
            out.append(match.group(1) if match.group(1) is not None else match.group(2) or "")
            position = match.end()
        out.append(_bare(section[position:end]))
        return "".join(out)
    return text


def _bare(text: str) -> str:
    """Unquoted characters of a format that print themselves (placeholders and separators do not)."""
    return "".join(ch for ch in text if ch not in "0#?,.")


def number_text(value: float | int, number_format: str | None) -> str:
    """The text a number cell shows under ``number_format`` (see the module's docstring)."""
    number = _excel_digits(float(value))
    sections = _sections(number_format) if number_format and number_format != "General" else []
    if not sections or sections == ["@"]:
        return _general(number)
    if number < 0 and len(sections) > 1:
        section, number = sections[1], -number  # the section prints its own sign or brackets
    elif number == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    sign = "-" if number < 0 else ""
    shown = _render(abs(number), section)
    if shown is None:
        return _general(_excel_digits(float(value)))
    # a negative rounded to zero prints no sign; a section written for negatives carries its own
    return sign + shown if sign and any(ch.isdigit() and ch != "0" for ch in shown) else shown


def _cell_text(value, number_format: str | None) -> str:
    if isinstance(value, bool):  # before int: True is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(value, number_format)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return "" if value is None else str(value)


# -- workbooks ----------------------------------------------------------------------------------------

def read_workbook(path: Path, limits: TableLimits) -> tuple[str, tuple[ReadTable, ...]]:
    """The tables of every visible worksheet of a workbook, and its text: the tables' titles and
    banners (a workbook has no prose; they say its year and department)."""
    import python_calamine  # lazy: only workbooks need it

    try:
        workbook = python_calamine.load_workbook(str(path))
        sheets = _sheets(path, workbook, limits)
    except BudgetDataError:
        raise
    except Exception as error:  # calamine's errors (CalamineError, XmlError, ZipError …): one message
        raise _fail(path, text("extract.workbook-unreadable", error=f"{type(error).__name__}: {error}")) from None
    formats = _number_formats(path, sheets) if path.suffix.lower() == ".xlsx" else {}
    tables: list[ReadTable] = []
    lines: list[str] = []
    for number, name, sheet in sheets:
        found, texts = _sheet_tables(sheet, number, formats.get(name, {}))
        for table in found:
            if not table.title and official_table(name):
                table.title = name  # the sheet's name is the only title a table printed without one has
        tables.extend(found)
        # a sheet without a table (a cover, a 空表说明) is text; of a table, its title and banners are
        lines.extend(texts if not found else [line.strip() for table in found for line in table.banner])
    if not tables and not lines:
        raise _fail(path, text("extract.workbook-empty"))
    return "\n".join(lines), tuple(tables)


def _sheets(path: Path, workbook, limits: TableLimits) -> list[tuple[int, str, object]]:
    """The visible worksheets (1-based position, name, calamine sheet), their sizes checked before
    any is read into Python: calamine holds a sheet's range, not yet its cells as Python objects."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    metadata = workbook.sheets_metadata
    if len(metadata) > limits.sheets:
        raise _fail(path, text("extract.workbook-sheets", count=len(metadata), limit=limits.sheets))
    sheets, total = [], 0
    for number, meta in enumerate(metadata, start=1):
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_index(number - 1)
        rows, columns = sheet.height, sheet.width
        if rows > limits.rows:
            raise _fail(path, text("extract.sheet-rows", number=number, name=meta.name, rows=rows, limit=limits.rows))
        if columns > limits.columns:
            raise _fail(path, text("extract.sheet-columns", number=number, name=meta.name, columns=columns,
                                   limit=limits.columns))
        total += rows * columns
        if total > limits.cells:
            raise _fail(path, text("extract.sheet-cells", number=number, name=meta.name, cells=total,
                                   limit=limits.cells))
        if rows and columns:
            sheets.append((number, meta.name, sheet))
    return sheets


def _sheet_tables(sheet, number: int, formats: dict[tuple[int, int], str]) -> tuple[list[ReadTable], list[str]]:
    """One sheet's used range as tables, and as lines of text (each row's cells, spaced); ``formats``
    the number format of each numeric cell (0-based, on the sheet)."""
    values = sheet.to_python(skip_empty_area=True)
    top, left = sheet.start
    rows, columns = len(values), max((len(row) for row in values), default=0)
    covered: set[tuple[int, int]] = set()
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if not (top <= r0 < top + rows and left <= c0 < left + columns) or r1 < r0 or c1 < c0:
            continue  # a merge whose first cell is outside the used range holds no value (or is no range)
        # its box is the whole merge; the grid holds the part inside the used range
        spans[(r0 - top, c0 - left)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered.update((r - top, c - left) for r in range(r0, min(r1 + 1, top + rows))
                       for c in range(c0, min(c1 + 1, left + columns)) if (r, c) != (r0, c0))
    placed: list[PlacedCell] = []
    for r, row in enumerate(values):
        for c in range(columns):
            if (r, c) in covered:
                continue
            value = row[c] if c < len(row) else ""
            text = _cell_text(value, formats.get((top + r, left + c)))
            height, width = spans.get((r, c), (1, 1))
            placed.append(PlacedCell(r, c, height, width, text))
    lines: dict[int, list[str]] = {}
    for cell in placed:
        if cell.text.strip():
            lines.setdefault(cell.row, []).append(cell.text.strip())
    texts = [" ".join(lines[r]) for r in sorted(lines)]
    return placed_tables(placed, rows, columns, number, origin=(top, left)), texts


def _sheet_formats(worksheet, start: tuple[int, int], end: tuple[int, int]) -> dict[tuple[int, int], str]:
    """The number format of each numeric cell from ``start`` to ``end`` (0-based, inclusive) of an openpyxl
    read-only worksheet, by 0-based (row, column); General is left out."""
    (top, left), (bottom, right) = start, end
    formats = {}
    for row in worksheet.iter_rows(min_row=top + 1, max_row=bottom + 1, min_col=left + 1, max_col=right + 1):
        for cell in row:
            if cell.data_type == "n" and cell.value is not None and cell.number_format != "General":
                formats[(cell.row - 1, cell.column - 1)] = cell.number_format
    return formats


def _number_formats(path: Path, sheets: list[tuple[int, str, object]]) -> dict[str, dict[tuple[int, int], str]]:
    """The number format of every numeric cell of ``sheets`` (calamine's) in an .xlsx, by sheet name and
    0-based (row, column): openpyxl reads them (calamine does not); openpyxl parses with defusedxml,
    installed. Only calamine's used range of each sheet is asked for: openpyxl would otherwise pad its
    rows to the extent the sheet's own <dimension> claims, which a hostile file sets to a million rows."""
    import openpyxl  # lazy: only .xlsx number formats need it

    formats: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with warnings.catch_warnings():  # of parts openpyxl drops: nothing the reader can act on
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
            try:
                for _number, name, sheet in sheets:
                    if name in workbook.sheetnames:
                        formats[name] = _sheet_formats(workbook[name], sheet.start, sheet.end)
            finally:
                workbook.close()
    except Exception as error:  # noqa: BLE001 - a part calamine read past and openpyxl cannot: one message
        raise _fail(path, text("extract.number-formats-unreadable", error=f"{type(error).__name__}: {error}")) from None
    return formats
