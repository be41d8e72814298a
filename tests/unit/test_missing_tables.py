"""The standard tables a document's official tables must hold (issue 14): each standard table of the
tables' kind is printed or declared empty (空表说明), else a text finding; prose alone is not judged."""

from __future__ import annotations

import tomllib

import pytest

from budgetkit.audit import audit, load_rules
from budgetkit.audit.standard_tables import declared_empty, standard_tables
from budgetkit.extract.tables import ReadTable, TableCell, render_tables
from budgetkit.schema import bundled_data_dir
from budgetkit.template import data_dir, official_tables, title_key
from builders import budget_of

#: The tables of a 部门预算 as Jiangsu prints them (tests/corpus/tables.csv), the 政府性基金 table last.
BUDGET_TITLES = ["收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表", "一般公共预算支出预算表",
                 "一般公共预算基本支出预算表", "“三公”经费、会议费、培训费支出预算表", "一般公共预算机关运行经费支出预算表",
                 "政府性基金预算财政拨款支出预算表"]
#: The nine tables of the national 部门决算 template (tests/corpus/documents/national-final-accounts-template.pdf).
ACCOUNTS_TITLES = ["收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
                   "一般公共预算财政拨款基本支出决算表", "财政拨款“三公”经费支出决算表", "政府性基金预算财政拨款收入支出决算表",
                   "国有资本经营预算财政拨款收入支出决算表"]
PROSE = "一、部门预算收支情况\n本部门2024年收支预算总计100.00万元。\n"


@pytest.fixture(scope="module")
def rule():
    return [r for r in load_rules(bundled_data_dir() / "rules.toml") if r.id == "standard-tables"]


def _table(title: str, page: int) -> ReadTable:
    cells = {(0, 0): TableCell("合计", 0, 0, page, (0, 0, 1, 1)), (0, 1): TableCell("100.00", 0, 1, page, (1, 0, 2, 1))}
    return ReadTable(title=title, caption="", unit="万元", pages=[page], grid=[["合计", "100.00"]], cells=cells,
                     header_rows=0)


def _text(titles: list[str], prose: str = PROSE) -> str:
    """A document's text as extraction writes it: its prose, then each table under its title line."""
    tables = [_table(title, page) for page, title in enumerate(titles, start=1)]
    for number, table in enumerate(tables, start=1):
        table.number = number
    first = prose.count("\n") + 4
    return "\n".join([prose.rstrip("\n"), "", "（以下为文件所附表格）", "", *render_tables(tables, first)])


def _findings(raw_text: str, rule):
    findings = audit(budget_of([], raw_text=raw_text), rule)
    return list(zip(findings["verdict"].astype(str), findings["explanation"]))


def test_every_standard_table_printed(rule):
    assert _findings(_text(BUDGET_TITLES), rule) == [("consistent", "预算的 8 张标准表格均已列出或说明为空表。")]
    assert _findings(_text(ACCOUNTS_TITLES), rule) == [("consistent", "决算的 9 张标准表格均已列出或说明为空表。")]


def test_a_standard_table_neither_printed_nor_declared_empty_is_a_text_finding(rule):
    found = _findings(_text(BUDGET_TITLES[:-1]), rule)
    assert found == [("text", "所附表格中没有预算标准表格“财政拨款政府性基金支出预算表”，也没有说明此表为空表（空表说明）。")]
    # a table that is not standard (机关运行经费) may be left out
    assert _findings(_text([t for t in BUDGET_TITLES if "机关运行" not in t]), rule)[0][0] == "consistent"
    # a final accounts is held against the final-accounts tables: its 国有资本经营 table, not the budget's
    found = _findings(_text(ACCOUNTS_TITLES[:-1]), rule)
    assert [verdict for verdict, _ in found] == ["text"] and "国有资本经营预算财政拨款收入支出决算表" in found[0][1]


@pytest.mark.parametrize("declaration", [
    "九、政府性基金预算支出情况说明\n本部门无政府性基金预算收支，此表为空表。\n",
    "九、政府性基金预算支出情况说明\n本部门2024年度没有使用政府性基金预算拨款\n安排的支出。\n",
    "说明：本单位本年度政府性基金预算财政拨款收入和支出均为0万元，故\n本表无数据。\n",
])
def test_a_table_declared_empty_is_not_missing(rule, declaration):
    assert _findings(_text(BUDGET_TITLES[:-1], PROSE + declaration), rule)[0][0] == "consistent"


def test_a_sentence_that_only_names_the_subject_declares_nothing(rule):
    prose = PROSE + "政府性基金预算支出比上年增加10.00万元，增幅为0.5%。\n“三公”经费比上年减少，降幅为0.5%。\n"
    assert [verdict for verdict, _ in _findings(_text(BUDGET_TITLES[:-1], prose), rule)] == ["text"]
    assert declared_empty("三公经费比上年减少，降幅为0.5%") == set()


def test_prose_alone_is_not_judged(rule):
    assert _findings(PROSE + "四、财政拨款收支预算情况说明\n见收支预算总表。\n", rule) == []


def test_a_table_whose_title_was_not_read_may_be_the_missing_one(rule):
    # precision first: not judged at all (no row), never a consistent evaluation nor a missing table
    assert _findings(_text([*BUDGET_TITLES[:-1], ""]), rule) == []
    # with every standard table found, an unrecognised extra table changes nothing
    assert [v for v, _ in _findings(_text([*BUDGET_TITLES, ""]), rule)] == ["consistent"]


def test_tables_of_no_one_kind_are_not_judged(rule):
    assert _findings(_text(["收支预算总表", "收入支出决算总表"]), rule) == []
    assert _findings(_text(["某某情况表"]), rule) == []


def test_the_standard_tables_are_data():
    data = tomllib.loads((data_dir() / "official_tables.toml").read_text(encoding="utf-8"))
    marked = {entry["id"] for entry in data["table"] if entry.get("standard")}
    assert {table.id for kind in ("budget", "final-accounts") for table in standard_tables(kind)} == marked
    assert len(standard_tables("budget")) == 8 and len(standard_tables("final-accounts")) == 9
    # each subject a 空表说明 names is named by its table's title
    for table in (*standard_tables("budget"), *standard_tables("final-accounts")):
        titles = official_tables()[table.id].titles
        assert all(any(name in title_key(title) for title in titles) for name in table.empty_names), table.id
