"""The official tables (公开表) of a PDF read as tables: cells on a grid, headings, title, unit.

pdfplumber finds each ruled table and its cells from the lines drawn (:mod:`budgetkit.pdf_pages`, in the
reading child); here the cells are put on one grid
(a merged cell covers several slots and is read once, at its top-left slot), the rows above the
headings that only carry the title or the 单位 banner are set apart, the heading rows are told from
the body, and a table that goes on over the next page is joined to its start (or to its title, at
the foot of the page before). What a table *is*
(which standard table, what its figures measure) is :mod:`.table_figures`' to say, from
``data/official_tables.toml``.

Each table is rendered as lines of text ("cells | between | bars") that the claims point into,
so a table figure has a locator like any other: its line and characters in the text as read,
and its page and box on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..messages import text
from ..numbers import FigureError, parse_figure
from ..once import once
from ..pdf_pages import FoundTable, PageRead
from ..schema import TABLE_CELL_SEPARATOR
from ..template import official_tables, title_key

__all__ = ["CODE", "ENUMERATED", "ReadTable", "TOTAL_LABEL", "TableCell", "UNIT_BANNER", "UNTITLED", "cell_span",
           "figure_of", "grid_tables", "join_continued", "page_tables", "render_tables", "table_location"]

#: A table's 单位 banner and the unit it names.
UNIT_BANNER = re.compile(r"单位\s{0,3}[:：]\s{0,3}(亿元|万元|元)")
_CAPTION_NUMBER = re.compile(r"(公开\s{0,2}\d{1,2}(?:-\d{1,2})?\s{0,2}表|表\s{0,2}\d{1,2}(?:-\d{1,2})?)")
_BANNER_WORDS = re.compile(r"单位\s{0,3}[:：]|部门\s{0,3}[:：]|部门名称\s{0,3}[:：]|单位名称\s{0,3}[:：]|编制单位")
#: A 科目编码 (类 3, 款 5, 项 7 digits); a row's first text that starts the body: an enumerated label
#: (一、 1. （一）) or a total (合计). The workbook tells a table's body rows by these too.
CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、]|（[一二三四五六七八九十\d]{1,3}）|\(\d{1,2}\))")
TOTAL_LABEL = re.compile(r"^(?:合计|总计|小计|收入合计|支出合计|收入总计|支出总计)$")


@dataclass(frozen=True)
class TableCell:
    """One cell as printed: its text (line breaks inside the cell removed) and where it is."""

    text: str
    row: int  # top-left slot on the table's grid, 0-based, banner rows excluded
    column: int
    page: int  # 1-based
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in points from the page's top left


@dataclass
class ReadTable:
    """A table read from the document: every slot of its grid, the cells, its title and unit."""

    title: str
    caption: str  # the printed table number (公开01表), or ""
    unit: str  # the unit of its banner (万元 / 元 / 亿元), or ""
    pages: list[int]
    grid: list[list[str]]  # the text of the cell covering each slot
    cells: dict[tuple[int, int], TableCell]  # by top-left slot
    header_rows: int
    banner: list[str] = field(default_factory=list)  # the lines printed above it or in its title rows
    number: int = 0  # 1-based, in document order
    source: str = ""  # the file it is printed in, when a budget is read from several
    standard: str = ""  # the id of the standard table its title names, or "" (unrecognised)
    line: int = 0  # where its rendering starts in the text (1-based), set by :func:`render_tables`
    row_lines: dict[int, int] = field(default_factory=dict)  # grid row → line of the text

    @property
    def columns(self) -> int:
        return len(self.grid[0]) if self.grid else 0

    def heading(self, column: int) -> list[str]:
        """The headings above ``column``, top down, each once (a cell spanning rows is one heading)."""
        path: list[str] = []
        for row in self.grid[: self.header_rows]:
            text = _label(row[column])
            if text and (not path or path[-1] != text):
                path.append(text)
        return path


def figure_of(text: str):
    """The figure a cell prints, or None (a label, a blank, or "-")."""
    text = text.strip()
    if not text or not any(ch.isdigit() for ch in text):
        return None
    try:
        return parse_figure(text)
    except FigureError:
        return None


@once
def _standard_title_keys() -> tuple[str, ...]:
    return tuple({title_key(name) for table in official_tables().values() for name in table.titles})


@lru_cache(maxsize=4096)
def _names_standard(text: str) -> bool:
    """Whether ``text`` names a standard table (``official_table(text) is not None``: one of their titles is
    in it), the titles' keys made once and each text asked once: the same headings are printed above every
    table and on every page a table goes on over."""
    key = title_key(text)
    return any(name in key for name in _standard_title_keys())


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


# -- reading one page --------------------------------------------------------------------------------

def page_tables(page: PageRead, number: int) -> list[ReadTable]:
    """The tables pdfplumber found on a page (:mod:`budgetkit.pdf_pages`), read; ``number`` is the page's."""
    lines = page.lines
    tables = []
    above = 0.0
    for found in sorted(page.tables, key=lambda t: t.bbox[1]):
        x0, top, x1, bottom = found.bbox
        caption = [line.text for line in lines if line.top >= above - 1 and line.bottom <= top + 1
                   and not (x0 - 1 <= (line.x0 + line.x1) / 2 <= x1 + 1 and line.top >= top - 1)]
        tables.extend(_read_tables(found, number, caption))
        above = bottom
    # a title printed at the foot of the page, its grid on the next: kept as a table without rows
    # that :func:`join_continued` gives to the grid it names
    trailing = [line.text for line in lines if line.top >= above - 1]
    start = next((i for i, line in enumerate(trailing) if _names_table(line)), None)
    if start is not None:
        numbered = start and _CAPTION_NUMBER.fullmatch(_label(trailing[start - 1]))  # 公开05表 on its own line
        banner = trailing[start - 1:] if numbered else trailing[start:]
        tables.append(ReadTable(title=_title(banner), caption=_caption_number(banner), unit=_unit(banner),
                                pages=[number], grid=[], cells={}, header_rows=0, banner=banner))
    return tables


#: How a table's title ends: 表, or 表 and what it is by (财政拨款支出预算表（功能科目）).
_TITLE_END = re.compile(r"表(?:[（(][^（）()]{1,8}[）)])?$")


def _names_table(line: str) -> bool:
    """Whether a line printed outside any grid is a standard table's title (not a note or a heading
    that names one: 五、一般公共预算支出预算表情况说明)."""
    title = _CAPTION_NUMBER.sub("", _label(line)).strip(_TITLE_SEPARATORS)
    return (_names_standard(title) and len(title) <= _LONGEST_TITLE and _TITLE_END.search(title) is not None
            and not title.startswith("注"))


def _read_tables(found: FoundTable, page: int, caption: list[str]) -> list[ReadTable]:
    texts = found.texts
    tops = sorted({cell[1] for cell in found.cells})
    lefts = sorted({cell[0] for cell in found.cells})
    if not tops or not lefts:
        return []
    grid = [[""] * len(lefts) for _ in tops]
    cells: dict[tuple[int, int], TableCell] = {}
    printed: dict[tuple[int, int], str] = {}  # with its line breaks: a banner cell holds title and 单位 lines
    for x0, top, x1, bottom in found.cells:
        r0, c0 = tops.index(top), lefts.index(x0)
        raw = texts[r0][c0] if r0 < len(texts) and c0 < len(texts[r0]) else None
        printed[(r0, c0)] = raw or ""
        text = re.sub(r"\s*\n\s*", "", raw or "").strip()
        cells[(r0, c0)] = TableCell(text, r0, c0, page, (x0, top, x1, bottom))
        for r in range(r0, len(tops)):
            if r > r0 and tops[r] >= bottom - 0.5:
                break
            for c in range(c0, len(lefts)):
                if c > c0 and lefts[c] >= x1 - 0.5:
                    break
                grid[r][c] = text
    return grid_tables(grid, cells, printed, caption)


def grid_tables(grid: list[list[str]], cells: dict[tuple[int, int], TableCell], printed: dict[tuple[int, int], str],
                caption: list[str]) -> list[ReadTable]:
    """The tables of one grid of slots, whatever read it (a PDF's ruled frame, a sheet, a .docx table):
    ``grid`` the text covering each slot, ``cells`` by top-left slot, ``printed`` each cell's text with its
    line breaks, ``caption`` the lines printed above the grid. Leading title and 单位 rows become the
    caption, heading rows are told from the body, and a title row inside the grid starts another table."""
    columns = len(grid[0]) if grid else 0
    # one ruled frame can hold the end of one table and the start of the next: split at a title row
    banners = [_is_banner(grid, printed, r) for r in range(len(grid))]
    blank = [not any(printed.get((r, c), "").strip() for c in range(columns)) for r in range(len(grid))]
    starts, previous = [0], None  # previous: the last row with text
    for r in range(len(grid)):
        if r and banners[r] and previous is not None and not banners[previous]:
            starts.append(r)
        previous = r if not blank[r] else previous
    banners = [banner or empty for banner, empty in zip(banners, blank)]
    tables = []
    for start, end in zip(starts, [*starts[1:], len(grid)]):
        table = _segment(grid, cells, printed, start, end, caption if start == 0 else [], banners)
        if table is not None:
            tables.append(table)
    return tables


def _segment(grid: list[list[str]], cells: dict, printed: dict, start: int, end: int, caption: list[str],
             banners: list[bool]) -> ReadTable | None:
    """Rows ``start``…``end`` of a frame as one table: its leading title rows become its caption."""
    banner = start
    while banner < end and banners[banner]:
        banner += 1
    caption = caption + [line for r in range(start, banner) for c in range(len(grid[0])) if (r, c) in printed
                         for line in printed[(r, c)].split("\n") if line.strip()]
    rows = grid[banner:end]
    own = {(r - banner, c): TableCell(cell.text, r - banner, c, cell.page, cell.box)
           for (r, c), cell in cells.items() if banner <= r < end}
    if not rows:
        return None
    page = next(iter(own.values())).page if own else 0
    return ReadTable(title=_title(caption), caption=_caption_number(caption), unit=_unit(caption), pages=[page],
                     grid=rows, cells=own, header_rows=_header_rows(rows, own), banner=caption)


def _unit(caption: list[str]) -> str:
    return next((m.group(1) for text in caption if (m := UNIT_BANNER.search(text))), "")


def _caption_number(caption: list[str]) -> str:
    return next((re.sub(r"\s+", "", m.group(1)) for text in caption if (m := _CAPTION_NUMBER.search(text))), "")


def _is_banner(grid: list[list[str]], printed: dict, r: int) -> bool:
    """A row that carries the title, the table number or the 部门 / 单位 banner, and no figure."""
    texts = [printed[(r, c)] for c in range(len(grid[r])) if printed.get((r, c), "").strip()]
    # the figures first: most rows have one, and naming a table is the dearer question
    return (not any(figure_of(t) is not None for t in texts)
            and any(_BANNER_WORDS.search(t) or _names_standard(t) or _CAPTION_NUMBER.fullmatch(_label(t))
                    or t.split("\n")[0].strip().endswith("表") for t in texts))


#: The longest line read as a table's title.
_LONGEST_TITLE = 40
#: What may stand between a table's number and its title (公开 03 表：支出预算总表).
_TITLE_SEPARATORS = " \u3000：:"


def _title(caption: list[str]) -> str:
    """The line of the caption that names a standard table (a title wrapped over two lines is
    read joined), else the last that looks like a title."""
    # a line of quotation marks alone is the “ ” of a title whose 三公 is printed on the line below
    lines = [part.strip() for text in caption for part in text.split("\n") if title_key(part)]
    candidates = [*lines, *(a + b for a, b in zip(lines, lines[1:]))]
    for part in candidates:
        if _names_standard(part) and not _BANNER_WORDS.search(part):
            return _CAPTION_NUMBER.sub("", part).strip(_TITLE_SEPARATORS)
    for part in reversed(candidates):
        part = _CAPTION_NUMBER.sub("", part).strip(_TITLE_SEPARATORS)
        if part.endswith("表") and 4 <= len(part) <= _LONGEST_TITLE:
            return part
    return ""


def _header_rows(grid: list[list[str]], cells: dict) -> int:
    """The heading rows: those before the first row of the body (a figure, a code, an enumerated or
    blank row, or a total row with a blank cell)."""
    for r, row in enumerate(grid):
        origins = [cells[(r, c)].text for c in range(len(row)) if (r, c) in cells]
        at = next((i for i, t in enumerate(origins) if t), None)
        first = _label(origins[at]) if at is not None else ""
        if (any(figure_of(t) is not None for t in origins) or any(CODE.fullmatch(_label(t)) for t in origins)
                or not first or ENUMERATED.match(first) or (TOTAL_LABEL.match(first) and "" in origins[at + 1:])):
            return r
    return len(grid)


# -- across pages -------------------------------------------------------------------------------------

def join_continued(tables: list[ReadTable]) -> list[ReadTable]:
    """A table at the top of a page with nothing printed above it, as wide as the last table of the
    page before, goes on from it: its rows are appended (a repeated heading is left out)."""
    joined: list[ReadTable] = []
    for table in tables:
        last = joined[-1] if joined else None
        if last is not None and not last.grid:  # a title at the foot of a page
            joined.pop()
            if not table.title and table.pages[0] == last.pages[-1] + 1:
                _take_title(table, last)
            joined.append(table)
        elif (last is not None and not table.title and not any(_BANNER_WORDS.search(t) for t in table.banner)
                and table.pages[0] == last.pages[-1] + 1 and _aligned(last, table)):
            _append(last, table)
        else:
            joined.append(table)
    return [table for table in joined if table.grid]


def _take_title(table: ReadTable, title: ReadTable) -> None:
    """``table``, printed at the top of a page, is the one whose title ends the page before."""
    table.title, table.caption = title.title, title.caption
    table.unit = table.unit or title.unit
    table.banner = title.banner + table.banner
    table.pages = title.pages + table.pages


def _column_lefts(table: ReadTable) -> list[float]:
    """The left edge of each column of ``table``: where its cells begin on the page."""
    lefts: dict[int, float] = {}
    for (_r, c), cell in table.cells.items():
        lefts[c] = min(lefts.get(c, cell.box[0]), cell.box[0])
    return [lefts.get(c, 0.0) for c in range(table.columns)]


def _aligned(table: ReadTable, more: ReadTable) -> bool:
    """Whether every column of ``more`` begins where a column of ``table`` begins (within 3 points)."""
    lefts = _column_lefts(table)
    return all(any(abs(x - left) <= 3 for left in lefts) for x in _column_lefts(more) if x)


def _append(table: ReadTable, more: ReadTable) -> None:
    """Append the rows of ``more`` to ``table``, each cell under the column of ``table`` it is printed under."""
    skip = more.header_rows if more.grid[: more.header_rows] == table.grid[: more.header_rows] else 0
    lefts = _column_lefts(table)
    place = {c: min(range(len(lefts)), key=lambda k: abs(lefts[k] - x)) for c, x in enumerate(_column_lefts(more))}
    offset = len(table.grid) - skip
    for r in range(skip, len(more.grid)):
        row = [""] * table.columns
        for c, value in enumerate(more.grid[r]):
            row[place[c]] = row[place[c]] or value
        table.grid.append(row)
    for (r, c), cell in more.cells.items():
        if r >= skip and (r + offset, place[c]) not in table.cells:
            table.cells[(r + offset, place[c])] = TableCell(cell.text, r + offset, place[c], cell.page, cell.box)
    table.pages.append(more.pages[0])


# -- as text ------------------------------------------------------------------------------------------

#: What a title a reader could not find is written as (the title line's form is schema.TITLE_LINE).
UNTITLED = "（未识别标题）"


def render_tables(tables: list[ReadTable], first_line: int) -> list[str]:
    """The tables as lines of text, starting at line ``first_line`` (1-based): a title line, then
    one line per row with the cells between bars. Sets each table's ``line`` and ``row_lines``,
    so a cell's characters in its row's line are found by :func:`cell_span`."""
    lines: list[str] = []
    for table in tables:
        pages = "、".join(str(p) for p in table.pages)
        unit = f"，单位：{table.unit}" if table.unit else ""
        where = f"{table.source} " if table.source else ""
        lines.append(f"表{table.number}\u3000{table.title or UNTITLED}（{where}第{pages}页{unit}）")
        table.line = first_line + len(lines) - 1
        for r in range(len(table.grid)):
            texts = [table.cells[(r, c)].text if (r, c) in table.cells else "" for c in range(table.columns)]
            table.row_lines[r] = first_line + len(lines)
            lines.append(TABLE_CELL_SEPARATOR.join(texts).rstrip())
        lines.append("")
    return lines


def cell_span(table: ReadTable, row: int, column: int) -> tuple[int, int]:
    """Where the cell at (row, column) is printed in its row's line: (start, end) characters."""
    start = 0
    for c in range(column):
        cell = table.cells.get((row, c))
        start += len(cell.text if cell else "") + len(TABLE_CELL_SEPARATOR)
    return start, start + len(table.cells[(row, column)].text)



#: What a table's ``pages`` count in a file of each kind (a PDF's pages otherwise).
_LOCATION_KINDS = {".xlsx": "sheet", ".xls": "sheet", ".docx": "table", ".txt": "line"}


def table_location(file: str, pages: list[int], lang: str | None = None) -> str:
    """Where a table is printed, as a reader cites it: 第11—12页 in a PDF, 第2张工作表 in a workbook (its
    sheet's position), 第3个表格 in a .docx (p. 11–12, sheet 2, table 3 in English)."""
    kind = _LOCATION_KINDS.get(Path(file).suffix.lower(), "page")
    if len(pages) > 1 and pages[-1] != pages[0]:
        return text(f"extract.location-{kind}-span", lang, first=pages[0], last=pages[-1])
    return text(f"extract.location-{kind}", lang, first=pages[0])
