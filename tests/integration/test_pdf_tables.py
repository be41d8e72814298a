"""The official tables of the corpus PDFs, read as tables and compared with a count made by a person.

``tests/corpus/tables.csv`` was made by looking at every page (README there): for each standard table its
first page, heading rows and body rows. A document whose tables are not all read as counted is an
``xfail(strict=True)`` with what differs today, so the suite says when it starts to hold.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from collections import defaultdict
from pathlib import Path

import pytest

from budgetkit.collection import load_many
from budgetkit.collection.sources import pair_documents
from budgetkit import load, tables
from budgetkit.extract import extract, write_package
from budgetkit.extract.reading import read_document
from budgetkit.template import official_table

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _hand_counts() -> dict[str, list[tuple[int, int, int]]]:
    counts: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    with open(CORPUS / "tables.csv", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            counts[row["doc_id"]].append((int(row["first_page"]), int(row["header_rows"]), int(row["body_rows"])))
    return counts


HAND = _hand_counts()
#: What the reader gets wrong today, by document (all are read as counted).
NOT_YET: dict[str, str] = {}


@pytest.mark.parametrize("doc_id", [
    pytest.param(doc, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[doc])) if doc in NOT_YET else doc
    for doc in sorted(HAND)])
def test_every_official_table_is_read_as_counted_by_hand(doc_id):
    document = read_document(CORPUS / "documents" / f"{doc_id}.pdf")
    read = [(table.pages[0], table.header_rows, len(table.grid) - table.header_rows)
            for table in document.tables if official_table(table.title)]
    assert read == HAND[doc_id]


def _pages(source: Path, first: int, last: int, target: Path, turn: int = 0, rotate: bool = False) -> Path:
    """Pages ``first``…``last`` of ``source``, their content turned counter-clockwise by ``turn``; with
    ``rotate``, shown upright again by /Rotate (as Jiangsu's landscape tables are), else set sideways."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=source)
    for index in reversed(range(len(writer.pages))):
        if not first - 1 <= index < last:
            del writer.pages[index]
    for page in writer.pages:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        turned = pypdf.Transformation().rotate(turn)
        corners = [turned.apply_on((x, y)) for x in (x0, x1) for y in (y0, y1)]
        left, bottom = min(c[0] for c in corners), min(c[1] for c in corners)
        page.add_transformation(turned.translate(-left, -bottom))
        page.mediabox = page.cropbox = pypdf.generic.RectangleObject(
            (0, 0, max(c[0] for c in corners) - left, max(c[1] for c in corners) - bottom))
        if rotate:
            page.rotate(turn)
    writer.write(target)
    return target


def test_a_page_set_sideways_is_read_the_right_way_up(tmp_path):
    """The procuratorate's 2019 tables pp14–16 with their text set sideways (no /Rotate) read as the same pages
    shown upright by /Rotate 90 do: the same text, the same tables, the five standard tables of those pages."""
    source = CORPUS / "documents" / "js-procuratorate-2019-budget.pdf"
    sideways = read_document(_pages(source, 14, 16, tmp_path / "sideways.pdf", turn=90))
    rotated = read_document(_pages(source, 14, 16, tmp_path / "rotated.pdf", turn=90, rotate=True))
    assert sideways.text == rotated.text and "收支预算总表" in sideways.text
    assert [(t.title, t.grid) for t in sideways.tables] == [(t.title, t.grid) for t in rotated.tables]
    assert [official_table(t.title).id for t in sideways.tables if official_table(t.title)] == [
        "budget_summary", "budget_income", "budget_expenditure", "fiscal_summary", "fiscal_expenditure"]


def test_table_figures_point_into_the_text_and_are_keyed_only_where_identified():
    budget = extract(CORPUS / "documents" / "js-npc-office-2018-budget.pdf")
    tables = budget.claims[budget.claims["section"].str.startswith("表")]
    lines = budget.raw_text.split("\n")
    for row in tables.itertuples():
        assert lines[row.line - 1][row.char_start:row.char_end] == row.text
    by_measure = {(row.measure, row.code if isinstance(row.code, str) else None): row.text
                  for row in tables.itertuples()}
    # 公开01表 收支预算总表 and 公开09表, read off the PDF's pages by hand
    assert by_measure[("expenditure_basic", None)] == "7877.76"
    assert by_measure[("expenditure_by_function", "208")] == "1068.78"
    assert by_measure[("three_public_total", None)] == "833.60"
    assert by_measure[("three_public_meeting_training_total", None)] == "2542.60"
    # 当年收入小计 (the year's income before 上年结转资金) is a measure of its own, and adds up its sources
    assert by_measure[("income_current_year", None)] == "15897.44"
    findings = budget.audit()
    sums = findings[findings["rule"] == "current-year-income-by-source"]
    assert list(sums["verdict"]) == ["consistent"] and "15897.44" in sums["explanation"].iloc[0]


def test_the_tables_are_checked_against_each_other_and_the_text():
    budget = extract(CORPUS / "documents" / "js-npc-office-2018-budget.pdf")
    findings = budget.audit()
    table_findings = findings[findings["explanation"].str.contains("（表|表\\d", regex=True)]
    assert len(table_findings) > 20
    assert set(table_findings["verdict"]) <= {"consistent", "rounding"}
    # 公开12表 政府采购支出预算表 (pp17–18), an outline: 合计 2,064.25 = 一、货物A 59.00 + 三、服务C 2,005.25, the
    # 专项 and 物品 rows under each category read but not summed into the total
    procurement = findings[findings["rule"] == "procurement-table-by-category"]
    assert list(procurement["verdict"]) == ["consistent"] and "59.00 + 2005.25 = 2064.25" in procurement["explanation"].iloc[0]


def test_an_explanation_and_its_tables_published_apart_are_one_budget(tmp_path):
    names = ["2018年部门预算公开文件.pdf", "2018年部门预算公开表.pdf", "其他说明.pdf",
             "a/2019年编制说明.txt", "a/2019年附表.pdf", "a/2019年公开表.pdf"]
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    sources = pair_documents(sorted(tmp_path / name for name in names))
    # one pair; the 2019 explanation has two files of tables beside it, so nothing of it is paired by guess
    assert (tmp_path / "2018年部门预算公开文件.pdf", tmp_path / "2018年部门预算公开表.pdf") in sources
    assert sum(isinstance(source, tuple) for source in sources) == 1
    assert len(sources) == len(names) - 1


def test_tables_named_as_a_table_form_are_paired_too(tmp_path):
    """Jiangsu's 2019 files: …部门预算公开文件.pdf beside …部门预算公开表格.pdf (公开表 is in 公开表格)."""
    names = ["江苏省委办公厅2019年度部门预算公开文件.pdf", "江苏省委办公厅2019年度部门预算公开表格.pdf"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert pair_documents(sorted(tmp_path / name for name in names)) == [tuple(tmp_path / name for name in names)]


def test_the_explanation_is_held_against_its_tables(tmp_path):
    for part in ("explanation", "tables"):
        name = f"js-party-office-2018-budget-{part}.pdf"
        (tmp_path / name).write_bytes((CORPUS / "documents" / name).read_bytes())
    collection = load_many(tmp_path)
    assert list(collection.budgets["budget_id"]) == [
        "js-party-office-2018-budget-explanation.pdf + js-party-office-2018-budget-tables.pdf"]
    findings = collection.audit()
    # 基本支出 10403.11 of the explanation's 三（二） restated in 表1 收支预算总表 and 表3 支出预算总表
    basic = findings[(findings["rule"] == "same-figure-restated") & (findings["measure"] == "expenditure_basic")]
    assert len(basic) >= 2 and set(basic["verdict"]) == {"consistent"}
    assert "表1（js-party-office-2018-budget-tables.pdf 第3页）" in " ".join(basic["explanation"])
    assert not findings["verdict"].isin(["drift"]).any()


def test_final_accounts_tables_hold_the_accounts_identity():
    """上海市普陀区规划和自然资源局 2024 决算, 收入支出决算总表 (p7), read off the page: 本年收入合计 9746.50 +
    年初结转和结余 112.88 = 总计 9859.38 = 本年支出合计 9759.38 + 年末结转和结余 100.00."""
    budget = extract(CORPUS / "documents" / "sh-putuo-planning-2024-final-accounts.pdf")
    findings = budget.audit()
    for rule, listing in (("accounts-grand-total-sources", "9746.50 + 112.88 = 9859.38"),
                          ("accounts-grand-total-uses", "9759.38 + 100.00 = 9859.38")):
        rows = findings[findings["rule"] == rule]
        # the explanation's 收入支出总计 and the table's two 总计 (beside 收入 and beside 支出)
        assert len(rows) == 3 and set(rows["verdict"]) == {"consistent"}
        assert all(listing in explanation for explanation in rows.loc[rows["section"].str.startswith("表"), "explanation"])
    # 支出决算表 (pp10–11): each 类 is its 款 and 项, checked in the table
    rollups = findings[findings["rule"] == "expenditure-classification-rollup"]
    assert len(rollups) >= 10 and set(rollups["verdict"]) == {"consistent"}
    # each 科目编码 row's total is its columns: 收入决算表 (pp8–9, 本年收入合计 = 财政拨款收入, the other
    # sources blank), 支出决算表 (本年支出合计 = 基本支出 + 项目支出), 一般公共预算财政拨款支出决算表 (pp14–15)
    for rule in ("accounts-income-row", "expenditure-row", "gpb-expenditure-row"):
        rows = findings[findings["rule"] == rule]
        assert len(rows) == 24 and set(rows["verdict"]) == {"consistent"}, rule
    row = findings[(findings["rule"] == "expenditure-row") & (findings["stated"] == Decimal("2739.56"))]
    assert "488.68 + 2250.88 = 2739.56" in row["explanation"].iloc[0]
    # the columns' 类 add up to the 合计 row, and each column rolls up 类 = Σ款 = Σ项 in its own table
    for rule in ("basic-expenditure-by-class", "project-expenditure-by-class", "gpb-expenditure-by-class",
                 "expenditure-basic-by-function-rollup", "income-fiscal-by-function-rollup"):
        rows = findings[(findings["rule"] == rule) & findings["section"].str.startswith("表")]
        assert len(rows) >= 1 and set(rows["verdict"]) == {"consistent"}, rule
    # 财政拨款“三公”经费支出决算表 (p17), its 决算数 columns: 0.00 + 0.00 + 0.39 = 0.39
    three_public = findings[(findings["rule"] == "three-public-parts") & findings["section"].str.startswith("表")]
    assert list(three_public["verdict"]) == ["consistent"]
    # the explanation's 一般公共预算财政拨款基本支出 5377.64 (p24) is the all-funds 基本支出 of 表3, not the
    # 5364.75 the 一般公共预算财政拨款支出决算表 prints (p15): the explanation restates the table wrongly
    restated = findings[(findings["rule"] == "same-figure-restated") & (findings["measure"] == "gpb_basic_total")]
    assert list(restated["verdict"]) == ["drift"] and restated["stated"].iloc[0] == Decimal("5377.64")
    # 一般公共预算财政拨款基本支出决算表 (p16), printed in halves: 人员经费合计 4884.09 = 301 4816.14 + 303 67.96
    # (within a cent), 公用经费合计 480.66 = 302 440.90 + 310 39.76
    for rule, listing in (("accounts-personnel-by-economic-class", "4816.14 + 67.96 = 4884.10"),
                          ("accounts-public-by-economic-class", "440.90 + 39.76 = 480.66")):
        rows = findings[findings["rule"] == rule]
        assert list(rows["verdict"]) == ["consistent"] and listing in rows["explanation"].iloc[0], rule
    # the explanation's 项 outturns (五（三）, 支出决算为54.53 …) are the 一般公共预算财政拨款支出决算表's: 11 of
    # its 13 items, each named by the table's own 项 under its 类 heading; items 5 and 11 name no 项 the table prints
    outturns = findings[findings["rule"] == "accounts-general-budget-by-function"]
    assert len(outturns) == 11 and set(outturns["verdict"]) == {"consistent"}


@pytest.mark.parametrize("doc_id", ["js-npc-office-2017-budget", "js-procuratorate-2018-budget"])
def test_a_misread_table_is_not_summed(doc_id):
    """Two tables read as counted whose rows cannot all be keyed: a label split over two lines at a page
    break, a figure printed a line below its label. Their figures are kept, but the totals beside an
    unread item are not summed."""
    findings = extract(CORPUS / "documents" / f"{doc_id}.pdf").audit()
    in_tables = findings[findings["section"].str.startswith("表") & (findings["rule_kind"] == "sum")]
    assert len(in_tables) and not in_tables["verdict"].isin(["drift", "semantic"]).any()


EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


def test_the_example_package_is_a_fresh_extraction_of_its_pdf(tmp_path):
    """data/examples/<name>/ is what extraction makes of <name>.pdf today (`make examples` makes it again)."""
    for pdf in sorted(EXAMPLES.glob("*.pdf")):
        write_package(extract(pdf), tmp_path / pdf.stem)
        kept = sorted(p.relative_to(EXAMPLES / pdf.stem) for p in (EXAMPLES / pdf.stem).rglob("*") if p.is_file())
        fresh = sorted(p.relative_to(tmp_path / pdf.stem) for p in (tmp_path / pdf.stem).rglob("*") if p.is_file())
        assert kept == fresh
        changed = [str(p) for p in kept if (EXAMPLES / pdf.stem / p).read_bytes() != (tmp_path / pdf.stem / p).read_bytes()]
        assert changed == [], f"run make examples: {pdf.stem} differs in {changed}"


def test_the_official_tables_as_printed_and_as_checked():
    budget = load(EXAMPLES / "js-npc-office-2018-budget")
    findings = budget.audit()
    index = tables.printed_tables(budget, findings)
    # twelve tables (tests/corpus/tables.csv); 公开10表 政府性基金 prints no figure, so eleven are listed
    assert list(index["table"]) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]
    assert index.loc[index["table"] == 9, "standard"].item() == "three_public"
    three_public = tables.printed_table(budget, 9, findings)
    # 公开09表 (p15) read off the page: 合计 2542.60 | “三公”经费 小计 833.60 | … | 会议费 1305.25 | 培训费 403.75
    figures = three_public.iloc[-1]
    assert (figures["合计"], figures["会议费"], figures["培训费"]) == ("2542.60", "1305.25", "403.75")
    assert figures["verdict"] == "consistent"
    checks = tables.table_checks(budget, findings)
    assert set(checks["verdict"]) <= {"consistent", "rounding"} and len(checks) > 40
    assert tables.printed_table(load(), None).empty  # the bundled explanation has no tables
