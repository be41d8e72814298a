"""The cells of budgetkit's workbooks, written with XlsxWriter: one font on every cell, number formats
that follow each figure's unit and printed decimals, the verdicts' fills from the one palette
(findings.VERDICT_FILLS), text that is never a formula, formulas stored with the value they compute,
pages set up to print, and .xlsx bytes that are the same on every run.

A formula's stored value is computed with Decimal from the very cells the formula reads (every numeric
cell's exact value is remembered as it is written), so pandas and openpyxl read numbers while Excel
and LibreOffice still recalculate the live formula. XlsxWriter is imported here, lazily from the
report, never from ``import budgetkit``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from ..claims import COUNT_UNITS
from ..findings import FORMULA_PREFIXES, VERDICT_FILLS, VERDICTS, finding_records
from ..messages import has_message, text, verdict_name

__all__ = [
    "BOLD", "Book", "COUNT_FORMAT", "DETAIL_FORMAT", "FONT_NAME", "FONT_SIZE", "HEADER", "Look", "SHARE_FORMAT",
    "Sheet", "SheetWriter", "TEXT", "TITLE", "WRAP", "ZIP_TIME", "cell_ref", "column_heading", "display_width",
    "figure_format", "frame_sheet", "rule_kind_label", "verdict_label", "verdict_look",
]


#: The one font of every cell, bold and italic included. Microsoft YaHei (微软雅黑) ships with every Windows
#: since Vista and with Office for Mac, where the workbook is opened and printed; LibreOffice and WPS on
#: Linux substitute their CJK sans (Noto Sans CJK SC) for it. 等线 came only with Windows 10 / Office 2016.
FONT_NAME = "Microsoft YaHei"


FONT_SIZE = 11


MONEY_FORMAT = "#,##0.00"


SHARE_FORMAT = "0.00"


#: The findings' figures: two decimals, up to the five an audit's computed value carries.
DETAIL_FORMAT = "#,##0.00###"


#: Counts (人, 辆, 个 …) are whole: never "0.00辆".
COUNT_FORMAT = "#,##0"


def verdict_label(verdict: str) -> str:
    """A verdict as the workbook shows it: its name in the current language (不符 for ``drift``); a
    verdict the findings layer does not know is shown as its key."""
    return verdict_name(verdict) if verdict in VERDICTS else verdict


def rule_kind_label(kind: str) -> str:
    """A rule's kind as the workbook shows it (求和 for ``sum``); a kind without a name is shown as its key."""
    if has_message(f"workbook.rule-kind-{kind}"):
        return text(f"workbook.rule-kind-{kind}")
    return kind


def column_heading(column: str) -> str:
    """The heading a table's column is shown under (规则 over ``rule``): the workbook's heading of
    that column in the current language, a verdict's name over a count of that verdict, else the
    column's own name. The data keeps the column's name; only the sheet's header row is translated."""
    if has_message(f"workbook.column-{column.replace('_', '-')}"):
        return text(f"workbook.column-{column.replace('_', '-')}")
    return verdict_label(column)


#: XlsxWriter dates every zip entry of an in-memory workbook 1980-01-01: the bytes do not depend on when.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


#: What a formula's stored value is when it divides by zero, as Excel would show it.
DIV_ZERO = "#DIV/0!"


@dataclass(frozen=True)
class Look:
    """How a cell looks. Every look is drawn in FONT_NAME; a table cell has a thin grey border."""

    bold: bool = False
    italic: bool = False
    size: int = FONT_SIZE
    colour: str | None = None
    fill: str | None = None
    align: str | None = None  # horizontal: center | right; None is Excel's (text left, numbers right)
    wrap: bool = False
    indent: int = 0
    border: bool = True
    number_format: str | None = None
    quote_prefix: bool = False

    def but(self, **changes) -> Look:
        return dataclasses.replace(self, **changes)

    def properties(self) -> dict:
        props = {"font_name": FONT_NAME, "font_size": self.size, "valign": "vcenter"}
        optional = {"bold": self.bold, "italic": self.italic, "font_color": self.colour, "bg_color": self.fill,
                    "align": self.align, "text_wrap": self.wrap, "indent": self.indent,
                    "num_format": self.number_format, "quote_prefix": self.quote_prefix}
        props.update({key: value for key, value in optional.items() if value})
        if self.fill:
            props["pattern"] = 1
        if self.border:
            props.update(border=1, border_color="#808080")
        return props


TEXT = Look()


BOLD = Look(bold=True)


WRAP = Look(wrap=True)


HEADER_FILL = "#D9E1F2"


HEADER = Look(bold=True, fill=HEADER_FILL, align="center", wrap=True)


#: A title stays on one line: merged across the table's width, never wrapped.
TITLE = Look(bold=True, size=14, align="center", border=False)


PLAIN = Look(border=False)


NOTE = Look(border=False, wrap=True)


FORMULA = Look(italic=True, colour="#1F4E79", fill="#F2F2F2")


def verdict_look(verdict: str, look: Look = TEXT) -> Look:
    """The palette's fill of a verdict (findings.VERDICT_FILLS); none for consistent and unknown ones."""
    colour = VERDICT_FILLS.get(verdict)
    return look.but(fill=colour.upper()) if colour else look


def money_format(places: int) -> str:
    """Money with two decimals, or as many as the figure has."""
    return "#,##0." + "0" * max(2, places)


def figure_format(unit: str, value: Decimal | None) -> str:
    """The format of a figure in ``unit``: counts whole, percentages and money with their decimals."""
    if unit in COUNT_UNITS:
        return COUNT_FORMAT
    places = decimal_places(value)
    return "0." + "0" * max(2, places) if unit == "%" else money_format(places)


def decimal_places(value: Decimal | None) -> int:
    """The decimals a Decimal carries as written (841.00 has two)."""
    if value is None or not value.is_finite():
        return 0
    return max(0, -int(value.as_tuple().exponent))


def cell_ref(column: int, row: int) -> str:
    """``A1`` of a 1-based column and row."""
    return f"{xl_col_to_name(column - 1)}{row}"


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


#: Characters XML 1.0 cannot carry: removed from document text rather than escaped into the cell.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Book:
    """An XlsxWriter workbook in memory with one font throughout and fixed document properties."""

    def __init__(self, title: str, created: dt.datetime):
        self.buffer = io.BytesIO()
        default = {"font_name": FONT_NAME, "font_size": FONT_SIZE, "font_scheme": "none"}
        # in memory: every zip entry dated ZIP_TIME; no font scheme: the theme's Calibri never replaces the font
        self.workbook = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "constant_memory": False,
                                                          "default_format_properties": default,
                                                          "strings_to_formulas": False,
                                                          "strings_to_numbers": False,
                                                          "strings_to_urls": False})
        self.workbook.set_properties({"title": title, "author": "budgetkit", "created": created})
        self._formats: dict[Look, object] = {}

    def format(self, look: Look):
        """One XlsxWriter format per look, made when first used."""
        if look not in self._formats:
            self._formats[look] = self.workbook.add_format(look.properties())
        return self._formats[look]

    def close(self) -> bytes:
        """The .xlsx bytes: the same for the same content on every run."""
        self.workbook.close()
        return self.buffer.getvalue()


class SheetWriter:
    """One worksheet written by A1 reference. Every numeric cell's exact value is remembered, so that
    a formula is stored with the value it computes from the cells it reads; what each cell shows is
    remembered too, for sizing the columns."""

    def __init__(self, book: Book, name: str):
        self.book = book
        self.name = name
        self.ws = book.workbook.add_worksheet(name)
        self.values: dict[str, Decimal | str | None] = {}
        self.shown: dict[tuple[int, int], int] = {}  # (row, column), 1-based → display width
        self.spanning: set[tuple[int, int]] = set()  # first cells of ranges merged across columns
        self.wrapped: dict[tuple[int, int], tuple[str, int]] = {}  # (row, column) → wrapped text, font size
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}  # first cell → last cell of a merged range
        self.row_heights: dict[int, float] = {}  # rows given a height of their own (the title's)

    # -- cells ------------------------------------------------------------------------------------------

    def text(self, ref: str, value: str | None, look: Look = TEXT) -> None:
        """Document text as a text cell: never run as a formula, whatever it starts with."""
        text = ILLEGAL_CHARACTERS.sub("", "" if value is None else str(value))
        if not text:
            self.blank(ref, look)
            return
        if text.startswith(FORMULA_PREFIXES):
            look = look.but(quote_prefix=True)  # and Excel keeps it text when the cell is edited
        self.ws.write_string(ref, text, self.book.format(look))
        self._show(ref, max(display_width(line) for line in text.split("\n")) + 2)
        if look.wrap:
            row, column = xl_cell_to_rowcol(ref)
            self.wrapped[(row + 1, column + 1)] = (text, look.size)

    def number(self, ref: str, value: Decimal | int | None, number_format: str = MONEY_FORMAT,
               look: Look = TEXT) -> None:
        """A stated figure; None leaves the cell blank (a formula reading it counts it as Excel does, 0)."""
        if value is None:
            self.blank(ref, look.but(number_format=number_format))
            return
        self.values[ref] = Decimal(value)
        number = float(value)  # Excel stores doubles: the exact decimal becomes the nearest one
        self.ws.write_number(ref, number, self.book.format(look.but(number_format=number_format)))
        self._show(ref, len(f"{number:,.2f}") + 2)

    def blank(self, ref: str, look: Look = TEXT) -> None:
        self.values[ref] = None
        self.ws.write_blank(ref, None, self.book.format(look))

    def formula(self, ref: str, formula: str, value: Decimal | str, number_format: str = MONEY_FORMAT) -> None:
        """A live formula stored with ``value``, the result it computes (DIV_ZERO when it divides by zero)."""
        self.values[ref] = value
        stored = value if isinstance(value, str) else float(value)
        self.ws.write_formula(ref, formula, self.book.format(FORMULA.but(number_format=number_format)), stored)
        self._show(ref, 12)

    def sum(self, ref: str, cells: list[str], number_format: str | None = None) -> None:
        """=SUM of ``cells``, stored with the exact sum of their figures."""
        value = combine(lambda *figures: sum(figures, Decimal(0)), self.figures(cells))
        self.formula(ref, sum_formula(cells), value, number_format or money_format(decimal_places_of(value)))

    def difference(self, ref: str, stated: str, recomputed: str, number_format: str | None = None) -> None:
        """=stated−recomputed, stored with the exact difference."""
        value = combine(lambda a, b: a - b, self.figures([stated, recomputed]))
        self.formula(ref, f"={stated}-{recomputed}", value, number_format or money_format(decimal_places_of(value)))

    def share(self, ref: str, part: str, whole: str, number_format: str = SHARE_FORMAT) -> None:
        """=part/whole*100, stored with the quotient to 28 significant digits (the nearest double when read)."""
        figures = self.figures([part, whole])
        value = DIV_ZERO if figures[1] == 0 else combine(lambda a, b: a / b * 100, figures)
        self.formula(ref, f"={part}/{whole}*100", value, number_format)

    def figures(self, refs: list[str]) -> list[Decimal | str]:
        """The exact values written into ``refs`` ($ signs read past), a blank cell's as 0 as Excel
        reads it; a cell never written is an error (a formula pointing at nothing)."""
        values = [self.values[ref.replace("$", "")] for ref in refs]
        return [Decimal(0) if value is None else value for value in values]

    def merge(self, first: str, last: str, text: str | None, look: Look = TEXT) -> None:
        """Merge ``first``:``last`` (every cell drawn in ``look``) and write ``text`` in it as text."""
        self.ws.merge_range(f"{first}:{last}", "", self.book.format(look))
        (row, column), (last_row, last_column) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
        self.merged[(row + 1, column + 1)] = (last_row + 1, last_column + 1)
        if last_column != column:  # a title, group header or note does not widen its first column
            self.spanning.add((row + 1, column + 1))
        self.text(first, text, look)

    def _show(self, ref: str, width: int) -> None:
        row, column = xl_cell_to_rowcol(ref)
        self.shown[(row + 1, column + 1)] = width

    # -- the sheet ---------------------------------------------------------------------------------------

    def height(self, row: int, points: float) -> None:
        """A row's own height (1-based row), kept whatever its text."""
        self.row_heights[row] = points
        self.ws.set_row(row - 1, points)

    def size(self, widths: dict[int, float]) -> None:
        """Column widths by 1-based column, in Excel's character units, and each row with wrapped
        text as tall as its lines: LibreOffice keeps the default height of a row it was not given,
        and prints wrapped lines over the rows below."""
        for column, width in sorted(widths.items()):
            self.ws.set_column(column - 1, column - 1, width)
        lines: dict[int, float] = {}
        for (row, column), (text, font_size) in self.wrapped.items():
            last_row, last_column = self.merged.get((row, column), (row, column))
            if last_row != row or row in self.row_heights:  # a header two rows high has room for two lines
                continue
            room = sum(widths.get(c, DEFAULT_WIDTH) for c in range(column, last_column + 1))
            height = line_count(text, room) * LINE_HEIGHT * font_size / FONT_SIZE
            lines[row] = max(lines.get(row, 0), height)
        for row, height in sorted(lines.items()):
            if height > LINE_HEIGHT:
                self.ws.set_row(row - 1, height)

    def print_setup(self, repeat: tuple[int, int] | None = None) -> None:
        """Printed as the official tables are: A4 landscape, one page wide, the header rows ``repeat``
        (1-based, first and last) on every page, the sheet and the page number in the footer."""
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        font = f'&"{FONT_NAME},Regular"&9'
        ws.set_footer(f"&L{font}&A&R{font}" + text("workbook.footer-pages", page="&P", pages="&N"), {"margin": 0.25})
        if repeat is not None:
            ws.repeat_rows(repeat[0] - 1, repeat[1] - 1)


def combine(operation, figures: list[Decimal | str]) -> Decimal | str:
    """``operation`` on exact figures; an error among them (DIV_ZERO) is the result, as in Excel."""
    errors = [f for f in figures if isinstance(f, str)]
    return errors[0] if errors else operation(*figures)


def decimal_places_of(value: Decimal | str) -> int:
    return 0 if isinstance(value, str) else decimal_places(value)


class Sheet(SheetWriter):
    """One official table: title row, department and unit row, header rows; columns sized to content,
    set up to print with the unit row and the header rows on every page."""

    def __init__(self, book: Book, name: str, title: str, budget, width: int):
        super().__init__(book, name)
        self.width = width
        self.last_header_row = 2
        self.merge("A1", cell_ref(width, 1), title, TITLE)
        self.height(1, 30)
        department = text("workbook.department-line", department=budget.department)
        if width > 2:
            self.merge("A2", cell_ref(width - 1, 2), department, PLAIN)
        else:
            self.text("A2", department, PLAIN)
        self.text(cell_ref(width, 2), text("workbook.unit-line"), PLAIN.but(align="right"))

    def header(self, row: int, column: int, text: str, rows: int = 1, columns: int = 1) -> None:
        self.last_header_row = max(self.last_header_row, row + rows - 1)
        ref = cell_ref(column, row)
        if rows > 1 or columns > 1:
            self.merge(ref, cell_ref(column + columns - 1, row + rows - 1), text, HEADER)
        else:
            self.text(ref, text, HEADER)

    def note(self, row: int, text: str) -> None:
        """A note below the table, across its width."""
        self.merge(cell_ref(1, row), cell_ref(self.width, row), text, NOTE)

    def finish(self, freeze: str, wide: dict[int, int] | None = None) -> None:
        """Freeze the headers; widths from the longest line of each column (CJK counts double); print setup."""
        self.ws.freeze_panes(freeze)
        widths: dict[int, float] = {}
        for (row, column), width in self.shown.items():
            if row >= 3 and (row, column) not in self.spanning:
                widths[column] = max(widths.get(column, 8), width)
        self.size({column: min(width, (wide or {}).get(column, 40)) for column, width in widths.items()})
        self.print_setup(repeat=(2, self.last_header_row))


def display_width(text: str) -> int:
    """Width in Excel's character units: a CJK character is about two digits wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


#: Excel's width of a column that was not sized, in character units.
DEFAULT_WIDTH = 8.43


#: Points a line of FONT_SIZE text takes in Microsoft YaHei (Excel's own row height for it).
LINE_HEIGHT = 16.5


def line_count(text: str, room: float) -> int:
    """The lines ``text`` wraps into in a cell ``room`` characters wide (a character's width kept free
    for the cell's padding; rounded up so that a line is never cut off)."""
    usable = max(1.0, room - 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


#: Column widths of a table written as a sheet, by column name (14 otherwise): narrow codes, long text
#: wrapped, so that a findings sheet printed one page wide stays readable.
FRAME_WIDTHS = {"rule": 22, "rule_kind": 10, "verdict": 11, "section": 9, "claim_id": 9, "measure": 18,
                "label": 18, "stated": 11, "computed": 11, "difference": 11, "unit": 6, "quote": 30,
                "explanation": 40, "inputs": 14, "reason": 30, "later_label": 24, "earlier_label": 24,
                "department": 24, "budget_id": 28, "source": 40, "table": 6, "page": 6, "row": 6, "column": 6,
                "sheet_cell": 26}


#: Columns of long text, wrapped.
FRAME_WRAPPED = ("label", "quote", "explanation", "inputs", "reason", "stated_interval", "computed_interval")


def frame_sheet(book: Book, name: str, frame: pd.DataFrame) -> SheetWriter:
    """A table as a sheet: a bold header row (repeated on every printed page), decimals as numbers in
    their unit's format, whole numbers as counts, the verdict shaded, filters on."""
    sheet = SheetWriter(book, name)
    columns = [str(c) for c in frame.columns]
    for index, column in enumerate(columns, start=1):
        sheet.text(cell_ref(index, 1), column_heading(column), HEADER)
    decimals = {c for c in columns if "decimal" in str(frame[c].dtype)}
    integers = {c for c in columns if pd.api.types.is_integer_dtype(frame[c].dtype)}
    for row, record in enumerate(finding_records(frame), start=2):
        for index, column in enumerate(columns, start=1):
            value, ref = record[column], cell_ref(index, row)
            if column in decimals:
                figure = None if value is None else Decimal(value)
                sheet.number(ref, figure, detail_format(record.get("unit"), figure))
            elif column in integers:
                sheet.number(ref, None if value is None else int(value), COUNT_FORMAT)
            elif column in ("verdict", "worst_verdict"):
                sheet.text(ref, None if value is None else verdict_label(value), verdict_look(value or ""))
            elif column == "rule_kind":
                sheet.text(ref, None if value is None else rule_kind_label(value))
            else:
                sheet.text(ref, value, WRAP if column in FRAME_WRAPPED else TEXT)
    sheet.ws.freeze_panes("A2")
    sheet.ws.autofilter(f"A1:{cell_ref(len(columns), len(frame) + 1)}")
    sheet.size({index: FRAME_WIDTHS.get(column, 14) for index, column in enumerate(columns, start=1)})
    sheet.print_setup(repeat=(1, 1))
    return sheet


def detail_format(unit: str | None, value: Decimal | None) -> str:
    """A finding's figure: a whole count without decimals, anything else with two to five."""
    if unit in COUNT_UNITS and value is not None and value == value.to_integral_value():
        return COUNT_FORMAT
    return DETAIL_FORMAT

