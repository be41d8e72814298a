"""The figures of the official tables as claims: each table recognised by its title, each figure
keyed to a measure (and a 科目编码) only where its table, row and column say what it is.

Which standard table a title names, and what its rows and columns measure, is
``data/official_tables.toml``'s to say (:func:`budgetkit.template.official_tables`). A figure whose
row or column is not identified — an unknown table, a column of another year, a row label the
table's entry does not list, a table without a 单位 banner — stays read in ``cells`` but states
nothing to the audit: it is never keyed by guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..messages import text
from ..schema import resource_columns
from ..template import OfficialTable, figure_kind_headings, measures, official_table, title_key
from .classification import reference
from .figures import ExtractedFigure
from .outline import outline_parents
from .tables import CODE, ReadTable, cell_span, figure_of, table_location

__all__ = ["CELL_COLUMNS", "TableReading", "table_figures"]

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.．、]|（[一二三四五六七八九十\d]{1,3}）|\(\d{1,2}\))")
_SUBTOTAL = {"小计", "合计"}
_TOTAL_ROW = {"合计", "总计"}
#: The column of a table of items (label | amount): its figure is the item's.
_ITEM_COLUMNS = {"金额", "合计", "总计", "预算数", "本年预算", "预算金额", "决算数"}
#: A heading that says its figures are not of the table's own year or kind.
_OTHER_FIGURE = {
    "budget": re.compile(r"上年|去年|\d{4}年|年初预算|调整预算|全年预算|决算数|预算数|增减|变动|比上年|%|％|比例|比重"),
    # a final-accounts table's own figures are its 决算数; its budgets (年初预算数, 调整预算数) are other figures
    "final-accounts": re.compile(r"上年|去年|\d{4}年|年初预算|调整预算|全年预算|预算数|增减|变动|比上年|%|％|比例|比重|完成"),
}
#: The columns of the table_cells resource (datapackage.json): every figure the tables print, keyed or not.
CELL_COLUMNS = resource_columns("table_cells")


@dataclass
class TableReading:
    """What the tables gave: claims, every figure cell, and what could not be keyed and why."""

    claims: list[ExtractedFigure]
    cells: list[dict]
    notes: list[str]


def table_figures(tables: list[ReadTable], year: int, file: str = "") -> TableReading:
    """Claims for the keyed figures of ``tables`` (rendered already: their lines are set); ``file``
    names the document for a table that does not name its own."""
    reading = TableReading([], [], [])
    for table in tables:
        table.source = table.source or file
        spec = official_table(table.title) if table.title else None
        table.standard = spec.id if spec else ""
        where = _where(table)
        if spec is None:
            reading.notes.append(text("extract.table-not-standard", where=where))
        elif not table.unit:
            reading.notes.append(text("extract.table-no-unit", where=where))
        elif table.header_rows == 0:
            reading.notes.append(text("extract.table-no-headings", where=where))
        readable = spec if spec and table.unit and table.header_rows else None
        before = (len(reading.cells), len(reading.claims))
        _read_figures(table, readable, year, reading)
        figures, keyed = len(reading.cells) - before[0], len(reading.claims) - before[1]
        if readable is not None and figures and keyed < figures:
            reading.notes.append(text("extract.table-not-keyed", where=where, count=figures - keyed, total=figures))
    return reading


def _where(table: ReadTable) -> str:
    """A table as a note names it: its number, file, pages and title (表3（第5页）…, Table 3 (p. 5) …)."""
    location = table_location(table.source, table.pages)
    title = table.title or text("extract.table-untitled")
    if table.source:
        return text("extract.table-where-in-file", number=table.number, file=table.source, location=location,
                    title=title)
    return text("extract.table-where", number=table.number, location=location, title=title)


def _read_figures(table: ReadTable, spec: OfficialTable | None, year: int, reading: TableReading) -> None:
    code_columns = [c for c in range(table.columns) if _is_code_column(table, c)]
    amounts = [c for c in range(table.columns) if c not in code_columns and any(
        figure_of(table.cells[(r, c)].text) for r in range(table.header_rows, len(table.grid)) if (r, c) in table.cells)]
    # a row's first amount: the table's first, or the first after a code column (a table printed in halves)
    firsts = {amounts[0]} | {min((a for a in amounts if a > k), default=-1) for k in code_columns} if amounts else set()
    half_codes = _half_codes(spec, table, code_columns)
    keyed = [(r, c, _key(spec, table, r, c, code_columns, firsts, half_codes)) for (r, c) in sorted(table.cells)
             if r >= table.header_rows and c not in code_columns and figure_of(table.cells[(r, c)].text) is not None]
    # one measure twice in a row beside one label: its headings did not tell the columns apart (split cells)
    seen = Counter((r, key, _label_column(table, r, c)) for r, c, key in keyed if key[0])
    per_line: dict[int, int] = {}
    # where a finding names it, a key in Chinese whatever the language: 表5（说明.pdf 第11页）, 表2（表.xlsx 第2张工作表）
    location = table_location(table.source, table.pages, "zh")
    section = f"表{table.number}（{table.source + ' ' if table.source else ''}{location}）"
    keyed = [(r, c, (None, None) if seen[(r, key, _label_column(table, r, c))] > 1 else key) for r, c, key in keyed]
    unread = _unread_parts(spec, table, keyed, code_columns)
    claimed: dict[tuple[int, int], ExtractedFigure] = {}
    for r, c, (measure, code) in keyed:
        cell = table.cells[(r, c)]
        figure = figure_of(cell.text)
        label = _item_label(spec, table, r, c) if measure else _row_label(table, r, c)
        heading = table.heading(c)
        start, end = cell_span(table, r, c)
        line = table.row_lines[r]
        claim_id = ""
        if measure:
            per_line[line] = per_line.get(line, 0) + 1
            claim_id = f"c{line:03d}-{per_line[line]}"
            kind = "item" if measure == spec.outline_rows else (
                "total" if measures()[measure].stated_as_total else "amount")
            claimed[(r, c)] = ExtractedFigure(
                line=line, start=start, end=end, text=cell.text, kind=kind, measure=measure,
                label=label or "／".join(heading) or table.title or f"表{table.number}", year=year,
                value=figure.value, unit=table.unit, decimals=figure.decimals, code=code, section=section, claim_id=claim_id,
                qualifier="parts-unread" if r in unread and (
                    spec.codes is None and (measures()[measure].stated_as_total or measure == spec.total)
                    or spec.codes is not None and c in firsts) else None)
            reading.claims.append(claimed[(r, c)])
        x0, top, x1, bottom = cell.box
        reading.cells.append({
            "file": table.source, "table": table.number, "standard": table.standard, "title": table.title,
            "page": cell.page, "row": r + 1,
            "column": c + 1, "row_label": label, "code": _row_code(table, r, code_columns, c), "heading": "／".join(heading),
            "text": cell.text, "unit": table.unit, "line": line, "char_start": start, "char_end": end,
            # in points at two decimals, as written and read back (byte-identical packages)
            "x0": f"{x0:.2f}", "top": f"{top:.2f}", "x1": f"{x1:.2f}", "bottom": f"{bottom:.2f}",
            "measure": measure or "", "claim_id": claim_id})
    if spec is not None and spec.outline_rows and amounts:
        _link_outline(spec, table, amounts[0], claimed)


def _link_outline(spec: OfficialTable, table: ReadTable, column: int,
                  claimed: dict[tuple[int, int], ExtractedFigure]) -> None:
    """Each row of an outline made a part of the heading it details (its ``ref``), in the table's first
    column of amounts: a heading's rows only when every one of them is an outline row's claim, as a
    heading is summed from all the rows that detail it or not at all."""
    rows_of: dict[int, list[int]] = {}
    for row, heading in outline_parents(spec, table, column).items():
        rows_of.setdefault(heading, []).append(row)
    for heading, rows in rows_of.items():
        whole, parts = claimed.get((heading, column)), [claimed.get((row, column)) for row in rows]
        if whole is None or any(part is None or part.measure != spec.outline_rows for part in parts):
            continue
        for part in parts:
            part.ref = whole


def _unread_parts(spec: OfficialTable | None, table: ReadTable, keyed: list, code_columns: list[int]) -> set[int]:
    """The rows whose total is not summed from parts printed beside it, as a figure of the table's own
    kind there was not keyed to a measure: in a table whose columns are a row's parts (``code_columns``),
    each 科目编码 or 合计 row printing one; in a table of items, every row once any item is unread (a
    label split over two lines, a figure beside none), as the table's totals add up its items."""
    if spec is None:
        return set()
    unread = [(r, c) for r, c, (measure, _) in keyed if measure is None
              and not any(_OTHER_FIGURE[spec.kind].search(h) for h in table.heading(c))]
    if spec.codes is None:  # a figure beside a listed item is that item's, if of a column not keyed
        items = {title_key(k) for k in spec.items}
        return {r for r, _, _ in keyed} if any(
            title_key(_NUMBERING.sub("", _item_label(spec, table, r, c))) not in items for r, c in unread
            if not _details(spec, table, r)) else set()
    if not spec.code_columns:
        return set()
    return {r for r, c in unread
            if _row_code(table, r, code_columns, c) or _NUMBERING.sub("", _row_label(table, r, c)) in _TOTAL_ROW}


def _key(spec: OfficialTable | None, table: ReadTable, row: int, column: int, code_columns: list[int],
         firsts: set[int], half_codes: dict[int, str]) -> tuple[str | None, str | None]:
    """The measure and code of the figure at (row, column), or (None, None) when not identified."""
    if spec is None:
        return None, None
    if _details(spec, table, row):
        # a row of an outline below its top level: its figure, in the table's first column of amounts
        other = any(_OTHER_FIGURE[spec.kind].search(h) for h in table.heading(column))
        return (spec.outline_rows, None) if spec.outline_rows and column in firsts and not other else (None, None)
    half = max((k for k in code_columns if k < column), default=None)
    return _measure(spec, _item_label(spec, table, row, column), _row_code(table, row, code_columns, column),
                    table.heading(column), column in firsts, half_codes.get(half, spec.codes))


def _details(spec: OfficialTable, table: ReadTable, row: int) -> bool:
    """In an outline (``outline``: 政府采购 by 品目大类, then 专项, then 物品), a row whose first column is
    blank: it details the item above it, so it is neither an item of the table nor one of its parts
    (but a row of the outline, ``outline_rows``)."""
    return spec.outline and not table.grid[row][0].strip()


def _item_label(spec: OfficialTable, table: ReadTable, row: int, column: int) -> str:
    """The label that names a figure's item: in an outline, its row's leftmost (a heading's last character
    wrapped into the 合计 row is not its label), else the label printed beside it."""
    labels = _labels_left(table, row, column)
    return (labels[-1][1] if labels else "") if spec.outline else _row_label(table, row, column)


def _half_codes(spec: OfficialTable | None, table: ReadTable, code_columns: list[int]) -> dict[int, str]:
    """In a table printed in halves, the measure of each half's 科目编码 rows (by the half's code column)
    that the label of the 合计 row closing the half names (``halves``: 人员经费合计, 公用经费合计)."""
    if spec is None or not spec.halves or len(code_columns) < 2:
        return {}
    named = {title_key(label): measure for label, measure in spec.halves.items()}
    found: dict[int, str] = {}
    for k, end in zip(code_columns, [*code_columns[1:], table.columns]):
        labels = {title_key(table.grid[r][c]) for r in range(table.header_rows, len(table.grid)) for c in range(k, end)}
        measures_named = {named[label] for label in labels if label in named}
        if len(measures_named) == 1:  # a half closed by two named totals is not told apart
            found[k] = measures_named.pop()
    return found


def _is_code_column(table: ReadTable, column: int) -> bool:
    """A column of 科目编码: headed so, or holding nothing but codes of more than one level."""
    if any(word in "".join(table.heading(column)) for word in ("编码", "代码")):
        return True
    texts = [re.sub(r"\s+", "", table.cells[(r, column)].text) for r in range(table.header_rows, len(table.grid))
             if (r, column) in table.cells and table.cells[(r, column)].text.strip()]
    return bool(texts) and all(CODE.fullmatch(t) for t in texts) and len({len(t) for t in texts}) > 1


def _labels_left(table: ReadTable, row: int, column: int) -> list[tuple[int, str]]:
    """The texts to the left of a figure that are not figures or codes, nearest first, with their columns."""
    return [(c, text) for c in range(column - 1, -1, -1) if (text := re.sub(r"\s+", "", table.grid[row][c]))
            and figure_of(text) is None and not CODE.fullmatch(text)]


def _row_label(table: ReadTable, row: int, column: int) -> str:
    """The label a figure is printed beside: the nearest text to its left that is not a figure or a
    code; a 小计 beside an item's name is that item's total (一般公共预算资金 | 小计 | 24,458.43)."""
    labels = _labels_left(table, row, column)
    if len(labels) > 1 and labels[0][1] == "小计":
        return labels[1][1]
    return labels[0][1] if labels else ""


def _label_column(table: ReadTable, row: int, column: int) -> int | None:
    """The column of the cell that labels a figure: two figures of one measure under one label are ambiguous."""
    labels = _labels_left(table, row, column)
    return labels[0][0] if labels else None


def _row_code(table: ReadTable, row: int, code_columns: list[int], column: int) -> str | None:
    """The 科目编码 of the figure at (row, column): one code column, 类 / 款 / 项 columns read together,
    or, in a table printed in halves side by side (each with its codes), the nearest to its left."""
    parts = [re.sub(r"\s+", "", table.grid[row][c]) for c in code_columns]
    halves = len(code_columns) > 1 and len({title_key("".join(table.heading(c))) for c in code_columns}) == 1 \
        and "".join(table.heading(code_columns[0]))
    if halves:
        left = [p for c, p in zip(code_columns, parts) if c < column and p]
        return left[-1] if left and CODE.fullmatch(left[-1]) else None
    code = "".join(parts) if len(parts) > 1 and all(p.isdigit() for p in parts if p) else (parts[0] if parts else "")
    return code if CODE.fullmatch(code or "") else None


def _heading_key(heading: list[str]) -> str:
    """The heading a column is known by: its lowest that is not 小计 (合计 itself for the total column)."""
    named = [h for h in heading if h not in _SUBTOTAL]
    return title_key(named[-1]) if named else (title_key(heading[-1]) if heading else "")


def _kind_key(heading: list[str]) -> str:
    """A column headed by its item and its kind of figure, as `columns` names it (公务接待费／预算数), or ""."""
    figure_kinds = figure_kind_headings()  # 决算表 print 预算数 beside 决算数
    kinds = [title_key(h) for h in heading if title_key(h) in figure_kinds]
    items = [title_key(h) for h in heading if h not in _SUBTOTAL and title_key(h) not in figure_kinds]
    return f"{items[-1]}／{kinds[0]}" if len(kinds) == 1 and items else ""


def _measure(spec: OfficialTable, label: str, code: str | None, heading: list[str],
             first_amount: bool, codes: str | None) -> tuple[str | None, str | None]:
    columns = {title_key(k): v for k, v in spec.columns.items()}
    name = _NUMBERING.sub("", label)
    if not code and (name in _TOTAL_ROW or not name) and _kind_key(heading) in columns:
        return columns[_kind_key(heading)], None  # a column the entry names with its kind (预算数 of a 决算表)
    if any(_OTHER_FIGURE[spec.kind].search(h) for h in heading):
        return None, None  # a column of another year or kind of figure: not keyed by guess
    key = _heading_key(heading)
    if code:
        if codes and first_amount:
            return codes, code
        code_columns = {title_key(k): v for k, v in spec.code_columns.items()}
        return (code_columns[key], code) if key in code_columns else (None, None)
    items = {title_key(k): v for k, v in spec.items.items()}
    if name in _TOTAL_ROW or not name:
        # a column headed by its item over the kind of figure (公务接待费 over 决算数) is the item's
        named = _heading_key([h for h in heading if title_key(h) not in _ITEM_COLUMNS])
        for known in (key, named):
            if known in columns:
                return columns[known], None
        if name and first_amount and spec.total:
            return spec.total, None
        # a 总计 row the table lists as an item (收入支出决算总表: 总计 beside 收入 and beside 支出)
        if name in items and (key in _ITEM_COLUMNS or "金额" in key):
            return items[name], None
        return None, None
    # an item's figure: in the column of amounts, or in the 合计 of columns beside (支出／合计 | 一般公共预算财政拨款)
    if title_key(name) in items and (key in _ITEM_COLUMNS or "金额" in key or (heading and heading[-1] in _SUBTOTAL)):
        return items[title_key(name)], None
    if spec.classes:
        found = reference().find(name)
        if found is not None and found.level == "类":
            code_columns = {title_key(k): v for k, v in spec.code_columns.items()}
            return code_columns.get(key, spec.classes), found.code
    return None, None
