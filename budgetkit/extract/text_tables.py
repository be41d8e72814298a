"""Tables a text prints one cell per line (a web page's table copied out: its headings, then its figures, each
on a line of its own, a cell's end often marked "|"): read as a table where nothing is left to guess, else left
to the prose reader as before.

A table is read when a line names a standard table of one row of figures (official_tables.toml: `columns`, no
`items` or `codes`), the lines after it hold its 单位 banner, then headings that are all that table's columns (a
heading broken over two lines joined: 公务 / 接待费), then figures only, one for each column the headings make.
Headings under a heading (小计, 公务用车购置费, 公务用车运行费 under 公务用车购置及运行费) follow the row above, and
the heading they detail is the one whose words they begin with. Its lines are then left out of the prose (kept as
blank lines, so every other line keeps its number) and the table is read as a PDF's is (:mod:`.table_figures`).
"""

from __future__ import annotations

import os
import re

from ..template import official_table, title_key
from .labels import MARKER
from .office_tables import PlacedCell, placed_tables
from .tables import UNIT_BANNER, ReadTable

__all__ = ["cell_tables"]

#: The most lines a table of one row spans (headings, figures, empty cells and the banner).
_MOST_LINES = 60
#: The longest line that is a cell: a longer one is prose, and ends the table.
_LONGEST_CELL = 30
#: How many lines one heading may be broken over.
_MOST_PIECES = 3
_FIGURE = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?")
_SUBTOTAL = "小计"
#: The fewest characters a heading under another shares with the start of that heading (公务用车…).
_SHARED_START = 4


def cell_tables(lines: list[str], normalized: list[str]) -> tuple[list[str], list[ReadTable]]:
    """``lines`` with each table read from them left blank, and the tables (each ``pages`` its first and last
    line, 1-based); ``normalized``: the lines as the reader normalises them (full-width brackets, no spaces
    between characters)."""
    kept, tables = list(lines), []
    at = 0
    while at < len(lines):
        found = _table_at(normalized, at)
        if found is None:
            at += 1
            continue
        table, end = found
        for number in range(at, end):
            kept[number] = ""
        tables.append(table)
        at = end
    return kept, tables


def _table_at(lines: list[str], at: int) -> tuple[ReadTable, int] | None:
    """The table whose title is line ``at`` of the normalised ``lines`` and the line after its last, or None."""
    title = lines[at].strip()
    spec = official_table(title) if title.endswith("表") and len(title) <= 2 * _LONGEST_CELL else None
    if spec is None or not spec.columns or spec.items or spec.codes:
        return None
    unit, pieces, figures, end = "", [], [], at + 1
    while end < min(len(lines), at + _MOST_LINES):
        cell = lines[end].strip(" |")
        if len(cell) > _LONGEST_CELL or (cell and cell[0] in "一二三四五六七八九十" and "、" in cell[:4]):
            break
        if found := UNIT_BANNER.search(cell):
            unit = found.group(1)
        elif _FIGURE.fullmatch(cell):
            figures.append(cell)
        elif cell:
            if figures:  # a heading after the figures: another row, not one row of figures
                return None
            pieces.append(cell)
        end += 1
    while end > at and not lines[end - 1].strip(" |"):
        end -= 1
    headings = _headings(pieces, {title_key(name) for name in spec.columns} | {_SUBTOTAL})
    columns = _columns(headings) if headings and unit and figures else None
    if columns is None or len(columns[1]) != len(figures):
        return None
    top, leaves, parent = columns
    placed = _placed(top, leaves, parent, figures)
    rows = 3 if parent is not None else 2
    read = placed_tables(placed, rows, len(leaves), page=at + 1, caption=[MARKER.sub("", title), f"单位：{unit}"])
    if len(read) != 1:
        return None
    table = read[0]
    table.pages = [at + 1, end]
    return table, end


def _headings(pieces: list[str], known: set[str]) -> list[str] | None:
    """The headings the pieces make, each a known column's (pieces joined where one is broken over lines), or
    None when a piece makes none."""
    headings, at = [], 0
    while at < len(pieces):
        for width in range(min(_MOST_PIECES, len(pieces) - at), 0, -1):
            joined = "".join(pieces[at:at + width])
            if title_key(joined) in known:
                headings.append(joined)
                at += width
                break
        else:
            return None
    return headings


def _columns(headings: list[str]) -> tuple[list[str], list[str], int | None] | None:
    """The top headings, the columns they make left to right, and which top heading the ones under it
    (from 小计 on) detail (None for a single row of headings); None when that heading is not one."""
    if _SUBTOTAL not in headings:
        return headings, headings, None
    split = headings.index(_SUBTOTAL)
    top, under = headings[:split], headings[split:]
    named = [h for h in under if h != _SUBTOTAL]
    shared = [len(os.path.commonprefix([title_key(t), *map(title_key, named)])) if named else 0 for t in top]
    parents = [i for i, length in enumerate(shared) if length >= _SHARED_START]
    if len(parents) != 1 or _SUBTOTAL in top:
        return None
    parent = parents[0]
    return top, [*top[:parent], *under, *top[parent + 1:]], parent


def _placed(top: list[str], leaves: list[str], parent: int | None, figures: list[str]) -> list[PlacedCell]:
    """The cells on their grid: the headings (the detailed one over the columns under it), then the figures."""
    placed, column = [], 0
    rows = 1 if parent is None else 2
    for index, heading in enumerate(top):
        if index == parent:
            width = len(leaves) - len(top) + 1
            placed.append(PlacedCell(0, column, 1, width, heading))
            placed.extend(PlacedCell(1, column + k, 1, 1, leaves[column + k]) for k in range(width))
            column += width
        else:
            placed.append(PlacedCell(0, column, rows, 1, heading))
            column += 1
    placed.extend(PlacedCell(rows, c, 1, 1, figure) for c, figure in enumerate(figures))
    return placed
