"""The tables read from the document, each on a sheet of its own, laid out as the document prints them.

A sheet per table that prints figures (``budget.table_cells``), after the template's tables: a title
row (表N, its title, file, pages and 单位), the heading rows, then the body rows, every cell in its
row and column (table row r, column c is the sheet's cell in column c, row r + 1). A figure is a
number, exactly the Decimal its printed text says, shown with the decimals (and separators) it was
printed with; any other cell is text, codes included. A figure that a finding not consistent involves
(its own figure or one it is computed from) is filled in the verdict's colour and carries a comment
with each such finding's rule and explanation, worst first; the others are left plain, as the
template's sheets leave their consistent figures.

The findings sheet gains where a table finding is: table, page, row and column of its figure, and a
link to the figure's cell on its table's sheet.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .. import messages
from ..extract.tables import CODE, ENUMERATED, TOTAL_LABEL, table_location
from ..findings import SEVERITY, finding_records
from ..numbers import parse_figure
from ..tables import printed_table
from .workbook_cells import (FONT_NAME, FONT_SIZE, HEADER, TEXT, TITLE, WRAP, Book, Look, SheetWriter, cell_ref,
                             display_width, verdict_label, verdict_look)

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget
    from .workbook_context import WorkbookLayout

__all__ = ["PLACE_COLUMNS", "FigureMarks", "PrintedGrid", "findings_with_places", "link_places", "printed_grids",
           "write_printed_grid"]


#: What the findings sheet adds about a table finding: where its figure is printed, and its cell here.
PLACE_COLUMNS = ["table", "page", "row", "column", "sheet_cell"]


#: Excel's longest sheet name, and the characters a sheet name cannot hold.
SHEET_NAME_LIMIT = 31
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


#: A comment box: its width in pixels, the display width of a line of its 9-point text, a line's height.
COMMENT_WIDTH = 420
COMMENT_LINE_WIDTH = 62
COMMENT_LINE_HEIGHT = 15


LINK = Look(colour="#0563C1")


@dataclass
class PrintedGrid:
    """One table as the document prints it: every row (headings first), its figures and its sheet."""

    number: int
    title: str
    file: str
    pages: list[int]
    unit: str
    rows: list[list[str]]
    heading_rows: int
    figures: pd.DataFrame  # its rows of budget.table_cells
    sheet: str = ""

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=1)

    @property
    def page_span(self) -> str:
        """Where the table is printed, as a reader cites it: 第10页, 第11—12页 (第2张工作表 of a workbook)."""
        return table_location(self.file, self.pages)

    @property
    def caption(self) -> str:
        """The title row: 表N　title（file 第p页，单位：万元）."""
        where = messages.text("workbook.read-table-file-pages", file=self.file, pages=self.page_span) if self.file \
            else self.page_span
        if self.unit:
            where = messages.text("workbook.read-table-where-unit", where=where, unit=self.unit)
        title = self.title or messages.text("workbook.read-table-untitled")
        return messages.text("workbook.read-table-caption", number=self.number, title=title, where=where)

    @staticmethod
    def cell(row: int, column: int) -> str:
        """The sheet's cell of the table's ``row`` and ``column`` (1-based, as in table_cells): below the title row."""
        return cell_ref(column, row + 1)


def printed_grids(budget: Budget, findings: pd.DataFrame, taken: set[str]) -> list[PrintedGrid]:
    """Every table of ``budget`` that prints figures, in the document's order, each with a sheet name
    none of ``taken`` has; none without table cells."""
    cells = budget.table_cells
    if cells is None or cells.empty:
        return []
    grids = []
    for number, figures in cells.groupby("table", sort=True):
        frame = printed_table(budget, int(number), findings)
        rows = [[str(text) for text in row] for row in frame.drop(columns=["verdict", "finding"]).itertuples(index=False)]
        first = figures.iloc[0]
        grids.append(PrintedGrid(
            number=int(number), title=_text(first["title"]), file=_text(first["file"]),
            pages=sorted({int(p) for p in figures["page"]}), unit=_text(first["unit"]), rows=rows,
            heading_rows=heading_rows(rows, figures), figures=figures))
    name_sheets(grids, taken)
    return grids


def _text(value) -> str:
    """A text column's value, missing as empty."""
    return value if isinstance(value, str) else ""


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _is_body_row(row: list[str]) -> bool:
    texts = [t for t in (_label(text) for text in row) if t]
    if not texts:
        return True
    if any(CODE.fullmatch(t) or _is_figure(t) for t in texts):
        return True
    return bool(ENUMERATED.match(texts[0]) or TOTAL_LABEL.match(texts[0]))


def _is_figure(text: str) -> bool:
    try:
        return parse_figure(text).decimals is not None
    except ValueError:
        return False


def heading_rows(rows: list[list[str]], figures: pd.DataFrame) -> int:
    """How many rows head the table: down to the lowest row printing the last heading of a figure's
    column (its row or one to its left: a heading spanning columns is printed at its first), then the
    rows after it that are not yet its body (类 | 款 | 项 under 科目编码); never a row that prints a figure."""
    count = 0
    for figure in figures.itertuples(index=False):
        path = [part for part in _text(figure.heading).split("／") if part]
        if not path:
            continue
        for row in range(int(figure.row) - 1, 0, -1):
            if any(_label(text) == path[-1] for text in rows[row - 1][: int(figure.column)]):
                count = max(count, row)
                break
    while count < len(rows) and not _is_body_row(rows[count]):
        count += 1
    return min(count, int(figures["row"].min()) - 1)


def name_sheets(grids: list[PrintedGrid], taken: set[str]) -> None:
    """Each table's sheet name: 表N and its title as printed, within Excel's 31 characters, without the
    characters Excel forbids, unique (Excel compares names without case)."""
    used = {name.casefold() for name in taken}
    for grid in grids:
        title = FORBIDDEN_IN_SHEET_NAMES.sub("_", grid.title).strip().strip("'")
        base = messages.text("workbook.read-table-sheet", number=grid.number, title=title).strip()
        base = base[:SHEET_NAME_LIMIT].strip().strip("'")
        name, copy = base, 1
        while name.casefold() in used:
            copy += 1
            suffix = messages.text("workbook.read-table-sheet-copy", copy=copy)
            name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        used.add(name.casefold())
        grid.sheet = name


@dataclass(frozen=True)
class Mark:
    verdict: str
    rule: str
    explanation: str


@dataclass
class FigureMarks:
    """The findings not consistent by the claims they involve (the figure they state and those they
    are computed from), worst first, in the audit's order within a verdict."""

    by_claim: dict[str, list[Mark]] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: pd.DataFrame) -> FigureMarks:
        marks = cls()
        records = [r for r in finding_records(findings) if r["verdict"] in SEVERITY and r["verdict"] != "consistent"]
        for record in sorted(records, key=lambda r: -SEVERITY[r["verdict"]]):
            mark = Mark(record["verdict"], record["rule"] or "", record["explanation"] or "")
            for claim_id in dict.fromkeys([record["claim_id"] or "", *(record["inputs"] or "").split()]):
                if claim_id:
                    marks.by_claim.setdefault(claim_id, []).append(mark)
        return marks

    def of_claim(self, claim_id: str) -> list[Mark]:
        return self.by_claim.get(claim_id, []) if claim_id else []


def printed_format(text: str, decimals: int) -> str:
    """A figure's number format as it was printed: its decimals, and thousands separators if it had them."""
    whole = "#,##0" if "," in text or "，" in text else "0"
    return whole + ("." + "0" * decimals if decimals else "")


def comment_text(marks: list[Mark]) -> str:
    """A figure's comment: each finding's verdict, rule and explanation, a blank line between them."""
    return "\n\n".join(messages.text("workbook.read-table-comment", verdict=verdict_label(m.verdict), rule=m.rule,
                                       explanation=m.explanation) for m in marks)


def _comment(sheet: SheetWriter, ref: str, text: str) -> None:
    lines = sum(max(1, math.ceil(display_width(line) / COMMENT_LINE_WIDTH)) for line in text.split("\n"))
    sheet.ws.write_comment(ref, text, {"author": "budgetkit", "font_name": FONT_NAME, "font_size": 9,
                                       "width": COMMENT_WIDTH, "height": COMMENT_LINE_HEIGHT * lines + 10})


def _write_figure(sheet: SheetWriter, ref: str, figure, marks: FigureMarks, layout: WorkbookLayout) -> None:
    """A figure as the number printed, in the colour of the worst finding involving it, with the findings' comment."""
    printed = parse_figure(str(figure.text))
    claim_id = _text(figure.claim_id)
    found = marks.of_claim(claim_id)
    look = verdict_look(found[0].verdict) if found else TEXT
    # a table's figure has digits (extract.tables.figure_of), so it has decimals, none or some
    sheet.number(ref, printed.value, printed_format(str(figure.text), printed.decimals or 0), look)
    if found:
        _comment(sheet, ref, comment_text(found))
    layout.add(sheet.name, ref, "printed", claim_id)


def heading_spans(rows: list[list[str]], heading_rows: int) -> dict[tuple[int, int], tuple[int, int]]:
    """The heading cells that span others, first (row, column) → last, 1-based. The text of a merged
    cell is read once, at its first slot, so a heading covers the blank slots to its right that head
    something below (收入 over 项目名称 | 金额), then the rows below it that are blank under all its
    columns (项目名称 down to the last heading row)."""
    width = max((len(row) for row in rows), default=0)

    def text(row: int, column: int) -> str:
        return rows[row - 1][column - 1] if column <= len(rows[row - 1]) else ""

    covered: set[tuple[int, int]] = set()
    spans = {}
    for row in range(1, heading_rows + 1):
        for column in range(1, width + 1):
            if (row, column) in covered or not text(row, column):
                continue
            last_column = column
            while last_column < width and (row, last_column + 1) not in covered and not text(row, last_column + 1) \
                    and any(text(below, last_column + 1) for below in range(row + 1, heading_rows + 1)):
                last_column += 1
            last_row = row
            while last_row < heading_rows and all(not text(last_row + 1, c) and (last_row + 1, c) not in covered
                                                  for c in range(column, last_column + 1)):
                last_row += 1
            covered |= {(r, c) for r in range(row, last_row + 1) for c in range(column, last_column + 1)}
            if (last_row, last_column) != (row, column):
                spans[(row, column)] = (last_row, last_column)
    return spans


def _write_headings(sheet: SheetWriter, grid: PrintedGrid) -> None:
    """The heading rows, each heading merged over the slots it spans."""
    spans = heading_spans(grid.rows, grid.heading_rows)
    inside = {(r, c) for (row, column), (last_row, last_column) in spans.items()
              for r in range(row, last_row + 1) for c in range(column, last_column + 1)}
    for row in range(1, grid.heading_rows + 1):
        texts = grid.rows[row - 1]
        for column in range(1, grid.width + 1):
            text = texts[column - 1] if column <= len(texts) else ""
            if (row, column) in spans:
                last_row, last_column = spans[(row, column)]
                sheet.merge(grid.cell(row, column), grid.cell(last_row, last_column), text, HEADER)
            elif (row, column) not in inside:
                sheet.text(grid.cell(row, column), text, HEADER)


def _write_body(sheet: SheetWriter, grid: PrintedGrid, marks: FigureMarks, layout: WorkbookLayout) -> None:
    """The body rows: each figure a number, every other cell its text."""
    figures = {(int(f.row), int(f.column)): f for f in grid.figures.itertuples(index=False)}
    for row in range(grid.heading_rows + 1, len(grid.rows) + 1):
        texts = grid.rows[row - 1]
        for column in range(1, grid.width + 1):
            ref = grid.cell(row, column)
            if (row, column) in figures:
                _write_figure(sheet, ref, figures[(row, column)], marks, layout)
            else:
                sheet.text(ref, texts[column - 1] if column <= len(texts) else "", WRAP)


def write_printed_grid(book: Book, grid: PrintedGrid, marks: FigureMarks, layout: WorkbookLayout) -> SheetWriter:
    """The table's sheet: the title row, heading rows, body rows; print setup as the other sheets."""
    sheet = SheetWriter(book, grid.sheet)
    if grid.width > 1:
        sheet.merge("A1", cell_ref(grid.width, 1), grid.caption, TITLE)
    else:
        sheet.text("A1", grid.caption, TITLE)
    sheet.height(1, 30)
    _write_headings(sheet, grid)
    _write_body(sheet, grid, marks, layout)
    sheet.ws.freeze_panes(f"A{min(grid.heading_rows + 2, len(grid.rows) + 1)}")
    sheet.size(_column_widths(sheet, grid))
    sheet.print_setup(repeat=(1, 1 + grid.heading_rows))
    return sheet


#: A column of a read table is at most this wide (longer labels wrap) and at least this.
WIDEST_COLUMN = 36
NARROWEST_COLUMN = 6


def _column_widths(sheet: SheetWriter, grid: PrintedGrid) -> dict[int, float]:
    """Each column as wide as its longest cell (within bounds), all widened alike when the title would
    not fit on one line across them."""
    widths = {column: float(NARROWEST_COLUMN) for column in range(1, grid.width + 1)}
    for (row, column), shown in sheet.shown.items():
        if row > 1 and (row, column) not in sheet.spanning:  # a heading over several columns widens none
            widths[column] = max(widths[column], min(shown, WIDEST_COLUMN))
    title = display_width(grid.caption) * TITLE.size / FONT_SIZE + 4
    if sum(widths.values()) < title:
        more = math.ceil((title - sum(widths.values())) / len(widths))
        widths = {column: width + more for column, width in widths.items()}
    return widths


def findings_with_places(findings: pd.DataFrame, grids: list[PrintedGrid]) -> pd.DataFrame:
    """The findings with where each table finding's figure is printed (PLACE_COLUMNS) after its claim_id:
    its own figure when a table prints it, else the first figure it is computed from that one does."""
    places = {}
    for grid in grids:
        for figure in grid.figures.itertuples(index=False):
            if isinstance(figure.claim_id, str) and figure.claim_id:
                places[figure.claim_id] = (grid.number, int(figure.page), int(figure.row), int(figure.column),
                                           f"'{grid.sheet}'!{grid.cell(int(figure.row), int(figure.column))}")
    located = []
    for record in finding_records(findings):
        claims = [record["claim_id"] or "", *(record["inputs"] or "").split()]
        located.append(next((places[c] for c in claims if c in places), (None,) * len(PLACE_COLUMNS)))
    frame = pd.DataFrame(located, columns=PLACE_COLUMNS, index=findings.index)
    for column in PLACE_COLUMNS[:-1]:
        frame[column] = frame[column].astype("Int64")
    frame["sheet_cell"] = frame["sheet_cell"].astype(object)
    at = list(findings.columns).index("claim_id") + 1 if "claim_id" in findings.columns else len(findings.columns)
    return pd.concat([findings.iloc[:, :at], frame, findings.iloc[:, at:]], axis=1)


def link_places(sheet: SheetWriter, frame: pd.DataFrame) -> None:
    """Each sheet_cell of the findings sheet (written by frame_sheet from ``frame``) a link to that cell."""
    column = list(frame.columns).index("sheet_cell") + 1
    for row, target in enumerate(frame["sheet_cell"], start=2):
        if isinstance(target, str) and target:
            sheet.ws.write_url(cell_ref(column, row), f"internal:{target}", sheet.book.format(LINK), string=target)
