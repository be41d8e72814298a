"""The outline of an official table of items (政府采购: 品目大类, then 专项, then 经济科目, then 物品): which
row each row details, told from the columns it prints.

A row prints its labels in some of the outline's columns (``official_tables.toml``: ``outline`` names them
by heading, top level first); its figure is of the deepest it prints (专项 | 经济科目 | 59.00 is the 经济科目's),
and it details the nearest row above it whose deepest label is above its own first (a blank column
below a heading carries the heading on). A heading is the sum of the rows that detail it only where
every row it reaches over is sure: its labels in adjacent columns, none of them under a merged cell
carried down from a row above, and a figure in the column summed; else its rows are left unlinked.
"""

from __future__ import annotations

import re

from ..template import OfficialTable, title_key
from .tables import ReadTable, figure_of

__all__ = ["outline_parents"]

_TOTAL_ROW = {"合计", "总计"}


def outline_parents(spec: OfficialTable, table: ReadTable, column: int) -> dict[int, int]:
    """The rows of ``table`` whose figure in ``column`` is a part of a heading's, each with that
    heading's row; {} when the table's outline columns are not all found under their headings."""
    levels = _outline_columns(spec, table)
    if not levels:
        return {}
    spans = _spans(table, levels)
    sure = {r: span is not None and figure_of(table.grid[r][column]) is not None
            and (r, column) in table.cells for r, span in spans.items()}
    parent: dict[int, int] = {}
    for r, span in spans.items():
        if span is None or span[0] == 0:
            continue
        heading = next((a for a in range(r - 1, table.header_rows - 1, -1)
                        if spans[a] is None or spans[a][1] < span[0]), None)
        if heading is not None and spans[heading] is not None and not _is_total(table, heading, levels):
            parent[r] = heading
    # a heading reaches over the rows below it up to the next that opens at its level or above
    unsure = set()
    for heading in set(parent.values()):
        deepest = spans[heading][1]
        end = next((r for r in range(heading + 1, len(table.grid)) if spans[r] is None or spans[r][0] <= deepest),
                   len(table.grid))
        if not sure[heading] or not all(sure[r] for r in range(heading + 1, end)) or (
                end < len(table.grid) and spans[end] is None):
            unsure.add(heading)
    return {r: heading for r, heading in parent.items() if heading not in unsure}


def _outline_columns(spec: OfficialTable, table: ReadTable) -> list[int]:
    """The column of each of the outline's levels, top level first; [] when one is not found once."""
    found = []
    for name in spec.outline:
        columns = [c for c in range(table.columns) if any(title_key(h) == title_key(name) for h in table.heading(c))]
        if len(columns) != 1:
            return []
        found.append(columns[0])
    return found if found == sorted(found) else []


def _spans(table: ReadTable, levels: list[int]) -> dict[int, tuple[int, int] | None]:
    """Each body row's first and deepest level, None where unsure; a row that opens again a heading the
    outline has already (its labels and those it carries on from above the same as an earlier row's:
    a merged label printed again at the top of a page) is unsure too."""
    spans, carried, opened = {}, [""] * len(levels), set()
    for r in range(table.header_rows, len(table.grid)):
        span = _printed_levels(table, r, levels)
        if span is not None:
            first, deepest = span
            carried[first:] = [re.sub(r"\s+", "", table.grid[r][c]) for c in levels[first:deepest + 1]] \
                + [""] * (len(levels) - deepest - 1)
            path = tuple(carried[:first + 1])
            # an item to buy may be listed twice (two 采购组织形式); a heading opened twice is a label printed again
            span = None if path in opened and first < len(levels) - 1 else span
            opened.add(path)
        spans[r] = span
    return spans


def _printed_levels(table: ReadTable, row: int, levels: list[int]) -> tuple[int, int] | None:
    """The first and the deepest level a row prints a label at, or None when it is unsure: no label,
    labels not in adjacent levels, or a level under a merged cell that a row above printed."""
    printed = []
    for level, column in enumerate(levels):
        label = re.sub(r"\s+", "", table.grid[row][column])
        if label and (row, column) not in table.cells:
            return None  # carried down from the row that printed it: which row it labels is not told
        if label:
            printed.append(level)
    if not printed or printed != list(range(printed[0], printed[-1] + 1)):
        return None
    return printed[0], printed[-1]


def _is_total(table: ReadTable, row: int, levels: list[int]) -> bool:
    """The 合计 row: summed from the top headings by the table's own sum rule, not as an outline's heading."""
    return re.sub(r"\s+", "", table.grid[row][levels[0]]) in _TOTAL_ROW
