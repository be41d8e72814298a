"""The outline rollup of an official table (政府采购预算表): each heading row the sum of the rows that
detail it, told from the columns a row prints its labels in (official_tables.toml: outline)."""

from __future__ import annotations

import pytest

from budgetkit.extract.outline import outline_parents
from budgetkit.extract.table_figures import table_figures
from budgetkit.extract.tables import ReadTable, TableCell, render_tables
from budgetkit.template import official_tables
from builders import workbook_of

HEADINGS = ["采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"]
#: rows as printed (a Jiangsu 政府采购预算表): 专项 | 经济科目 on one row, its items below; a blank 专项 below
#: a 专项 carries it on (培训费 is a second 经济科目 of 商品和服务支出); each row's page
BODY = [
    (["合计", "", "", "", "", "175.00"], 1),
    (["一、货物A", "", "", "", "", "40.00"], 1),          # 2
    (["", "办公设备购置费", "办公设备购置", "", "", "40.00"], 1),  # 3
    (["", "", "", "台式计算机", "分散自行组织", "30.00"], 1),
    (["", "", "", "家具用具", "分散自行组织", "10.00"], 1),
    (["三、服务C", "", "", "", "", "135.00"], 1),         # 6
    (["", "商品和服务支出", "会议费", "", "", "50.00"], 1),   # 7
    (["", "", "", "会议服务", "分散自行组织", "50.00"], 2),  # the outline goes on over the page
    (["", "", "培训费", "", "", "25.00"], 2),             # 9
    (["", "", "", "会议服务", "分散自行组织", "25.00"], 2),
    (["", "物业管理费", "物业管理费", "", "", "60.00"], 2),  # 11
    (["", "", "", "物业管理服务", "部门集中采购", "60.00"], 2),
]


def _table(body=BODY, covered=frozenset()) -> ReadTable:
    """The table of ``body`` on the pages given, its headings first; ``covered``: slots (row, column)
    under a merged cell begun on the row above (their text is that cell's, printed there once)."""
    grid = [HEADINGS] + [texts for texts, _ in body]
    pages = [1] + [page for _, page in body]
    cells = {}
    for r, texts in enumerate(grid):
        for c, text in enumerate(texts):
            if (r, c) not in covered:
                cells[(r, c)] = TableCell(text, r, c, pages[r], (c * 50.0, r * 10.0, c * 50.0 + 50, r * 10.0 + 10))
    table = ReadTable(title="2024年政府采购预算表", caption="", unit="万元", pages=sorted(set(pages)), grid=grid,
                      cells=cells, header_rows=1, number=1)
    render_tables([table], 1)
    return table


@pytest.fixture(scope="module")
def procurement():
    return official_tables()["procurement"]


def test_each_row_details_the_heading_above_it_across_a_page_break(procurement):
    parents = outline_parents(procurement, _table(), 5)
    # rows are 1-based below the heading row: 货物A 2 over 办公设备购置费 3 over its two items; 服务C 6 over
    # the 经济科目 rows 7, 9 and 11 (培训费 carries 商品和服务支出 on), each over its item
    assert parents == {3: 2, 4: 3, 5: 3, 7: 6, 8: 7, 9: 6, 10: 9, 11: 6, 12: 11}


def test_the_rows_of_an_outline_are_keyed_and_name_their_heading(procurement):
    reading = table_figures([_table()], 2024)
    by_line = {claim.line: claim for claim in reading.claims}
    lines = _table().row_lines
    assert by_line[lines[1]].measure == "procurement_total" and by_line[lines[1]].ref is None
    assert by_line[lines[4]].kind == "item" and by_line[lines[4]].measure == "procurement_item"
    assert by_line[lines[9]].ref is by_line[lines[6]]  # 培训费 25.00 is a part of 服务C 135.00
    assert by_line[lines[8]].ref is by_line[lines[7]]  # 会议服务 on page 2 is a part of 会议费 on page 1
    assert by_line[lines[12]].ref is by_line[lines[11]] and by_line[lines[11]].ref is by_line[lines[6]]
    assert by_line[lines[2]].ref is None  # 货物A: a top heading, summed into the 合计 by its own rule


def test_a_label_carried_down_by_a_merged_cell_leaves_its_headings_unsummed(procurement):
    # 办公设备购置费 merged down over its first item: which row it labels is not told
    body = [*BODY[:3], (["", "办公设备购置费", "办公设备购置", "台式计算机", "分散自行组织", "30.00"], 1), *BODY[4:]]
    parents = outline_parents(procurement, _table(body, covered={(4, 1), (4, 2)}), 5)
    assert 2 not in parents.values() and 3 not in parents.values()
    assert {7: 6, 9: 6, 11: 6}.items() <= parents.items()  # 服务C, not reached, is still summed
    # an item's name merged down over its second 采购组织形式
    body = [*BODY[:11], (["", "", "", "物业管理服务", "部门集中采购", "40.00"], 2),
            (["", "", "", "物业管理服务", "分散自行组织", "20.00"], 2)]
    parents = outline_parents(procurement, _table(body, covered={(13, 3)}), 5)
    assert 11 not in parents.values() and 6 not in parents.values() and parents[4] == 3


def test_a_heading_printed_again_at_the_top_of_a_page_leaves_its_headings_unsummed(procurement):
    body = [*BODY[:4], (["", "办公设备购置费", "办公设备购置", "家具用具", "分散自行组织", "10.00"], 2), *BODY[5:]]
    parents = outline_parents(procurement, _table(body), 5)
    assert 2 not in parents.values() and 3 not in parents.values()


def test_a_row_without_a_figure_leaves_the_headings_over_it_unsummed(procurement):
    body = [*BODY[:9], (["", "", "", "会议服务", "分散自行组织", ""], 2), *BODY[10:]]
    parents = outline_parents(procurement, _table(body), 5)
    assert 9 not in parents.values() and 6 not in parents.values()
    assert parents[4] == 3 and parents[12] == 11


def test_an_item_bought_two_ways_is_two_rows_of_its_heading(procurement):
    body = [*BODY[:11], (["", "", "", "物业管理服务", "部门集中采购", "40.00"], 2),
            (["", "", "", "物业管理服务", "分散自行组织", "20.00"], 2)]
    parents = outline_parents(procurement, _table(body), 5)
    assert parents[12] == 11 and parents[13] == 11


def test_a_table_without_the_outlines_columns_has_no_outline(procurement):
    table = _table()
    table.grid[0] = ["采购品目大类", "项目名称", "经济科目", "采购物品名称", "采购组织形式", "总计"]
    table.cells[(0, 1)] = TableCell("项目名称", 0, 1, 1, (50.0, 0.0, 100.0, 10.0))
    assert outline_parents(procurement, table, 5) == {}


SHEET = [["2024年政府采购预算表"], ["单位：万元"], HEADINGS, *[texts for texts, _ in BODY]]


def _verdicts(tmp_path, sheet) -> list[tuple[str, str]]:
    """(stated figure, verdict) of each outline rollup of the workbook of one sheet, audited."""
    from budgetkit.audit import audit
    from budgetkit.extract import extract

    budget = extract(workbook_of(tmp_path, sheet))
    findings = audit(budget)
    outline = findings[findings["rule"] == "procurement-table-outline"]
    figures = dict(zip(budget.claims["claim_id"], budget.claims["text"]))
    return sorted((figures[claim], verdict) for claim, verdict in zip(outline["claim_id"], outline["verdict"]))


def test_each_heading_is_summed_from_its_rows_and_a_drift_is_found(tmp_path):
    assert _verdicts(tmp_path, SHEET) == [("135.00", "consistent"), ("25.00", "consistent"), ("40.00", "consistent"),
                                          ("40.00", "consistent"), ("50.00", "consistent"), ("60.00", "consistent")]
    # 家具用具 printed 12.00: 办公设备购置费 40.00 ≠ 30.00 + 12.00 (货物A = its one 专项 still holds)
    drifting = [row[:5] + ["12.00"] if row[3:4] == ["家具用具"] else row for row in SHEET]
    assert ("40.00", "drift") in _verdicts(tmp_path, drifting)
    assert sorted(v for _, v in _verdicts(tmp_path, drifting)).count("drift") == 1
