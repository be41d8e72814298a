"""What a reader is told a document is: a 决算 is not called a 预算 (issue 15). One document is 本预算, 本决算
or, when its kind is unknown, 本文件; a collection counts its documents by kind (1份预算、1份决算), and as 文件
when no kind is known. Both languages say the same."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from budgetkit import charts, load, tables
from budgetkit.cli import main
from budgetkit.collection import collection_title, from_budgets, load_collection
from budgetkit.kinds import count_by_kind, kind_of_all, this_document
from budgetkit.messages import using_language
from builders import budget_of

ROOT = Path(__file__).resolve().parents[2]
#: a real budget and the final accounts of the same unit and year (data/collections/wuzhou-unit-2023/README.md)
WUZHOU = ROOT / "data" / "collections" / "wuzhou-unit-2023"
KINDS = ("budget", "final-accounts", "unknown")


def _document(kind: str):
    return dataclasses.replace(budget_of([]), document_kind=kind)


# -- the words -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kinds, zh, en", [
    (["budget"] * 3, "3份预算", "3 budgets"),
    (["budget"], "1份预算", "1 budget"),
    (["budget", "final-accounts", "budget"], "2份预算、1份决算", "2 budgets and 1 final accounts"),
    (["final-accounts", "final-accounts"], "2份决算", "2 final accounts"),
    (["final-accounts", "budget", "unknown"], "1份预算、1份决算、1份类型不明的文件",
     "1 budget, 1 final accounts and 1 document of unknown kind"),
    (["unknown", "unknown", "unknown"], "3份文件", "3 documents"),
    ([None, "not-a-kind"], "2份文件", "2 documents"),  # a kind not stated, or not one of the kinds, is unknown
    ([], "0份文件", "0 documents"),
])
def test_documents_are_counted_by_kind(kinds, zh, en):
    assert count_by_kind(kinds) == zh
    with using_language("en"):
        assert count_by_kind(kinds) == en


def test_one_document_is_named_by_its_kind_and_a_column_of_them_by_theirs():
    assert [this_document(kind) for kind in KINDS] == ["本预算", "本决算", "本文件"]
    with using_language("en"):
        assert [this_document(kind) for kind in KINDS] == ["this budget", "these final accounts", "this document"]
    assert [kind_of_all(kinds) for kinds in (["budget"] * 2, ["final-accounts"], ["budget", "final-accounts"],
                                              ["unknown"], [])] == ["预算", "决算", "文件", "文件", "文件"]


# -- a collection --------------------------------------------------------------------------------------------------

def test_a_collections_title_counts_a_budget_and_its_final_accounts_by_kind():
    budget, accounts = _document("budget"), _document("final-accounts")
    collection = from_budgets([("a", budget, "a"), ("b", accounts, "b"), ("c", budget, "c")])
    assert collection_title(collection.budgets) == "2份预算、1份决算，1个部门，2024年"
    with using_language("en"):
        assert collection_title(collection.budgets) == "2 budgets and 1 final accounts of 1 department, 2024"
    unknown = from_budgets([("a", budget, "a"), ("b", _document("unknown"), "b")])
    assert collection_title(unknown.budgets) == "1份预算、1份类型不明的文件，1个部门，2024年"
    assert collection_title(unknown.budgets.drop(columns=["document_kind"])) == "2份文件，1个部门，2024年"


def _check(capsys, *args) -> str:
    before = os.environ.get("BUDGETKIT_LANG")
    try:
        main(["check", *args])
    finally:  # --lang sets the language for the process, and a command is one
        if before is None:
            os.environ.pop("BUDGETKIT_LANG", None)
        else:
            os.environ["BUDGETKIT_LANG"] = before
    return capsys.readouterr().out


def test_checking_a_budget_and_its_final_accounts_counts_them_by_kind(capsys):
    lines = _check(capsys, str(WUZHOU)).splitlines()
    assert lines[0] == "审核结果：1份预算、1份决算，1个部门，2023年"
    assert any(line.split()[:2] == ["文件", "一致"] for line in lines)  # the column of both kinds is 文件
    assert lines[-1].startswith("1份预算、1份决算共核对")
    assert "份预算，" not in lines[0] and not any("2份预算" in line for line in lines)
    english = _check(capsys, str(WUZHOU), "--lang", "en").splitlines()
    assert english[0] == "budgetkit check — 1 budget and 1 final accounts of 1 department, 2023"
    assert any(line.split()[:2] == ["document", "consistent"] for line in english)
    assert " in 1 budget and 1 final accounts: " in " ".join(english[-2:])


def test_the_findings_chart_counts_the_documents_by_kind_when_given_their_kinds():
    collection = load_collection([str(WUZHOU)])
    findings = collection.audit()
    assert charts.findings_by_department(findings, collection.budgets).get_suptitle() == \
        "各部门审核发现（条，2023年，1份预算、1份决算）"
    assert charts.findings_by_department(findings).get_suptitle() == "各部门审核发现（条，2023年，2份文件）"
    with using_language("en"):
        assert charts.findings_by_department(findings, collection.budgets).get_suptitle() == \
            "Findings by department (2023; 1 budget and 1 final accounts)"


# -- one document: its charts' and tables' notes -------------------------------------------------------------------

def _shown(fig) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


@pytest.mark.parametrize("kind, zh, en", [
    ("final-accounts", "本决算", "these final accounts"),
    ("budget", "本预算", "this budget"),
    ("unknown", "本文件", "this document"),
])
def test_a_documents_notes_name_it_by_its_kind(kind, zh, en):
    document = _document(kind)
    no_income = dataclasses.replace(document, measures=document.measures[document.measures["table"] != "income"])
    assert _shown(charts.income_by_source(no_income)) == f"{zh}没有收入来源数据"
    assert _shown(charts.classification_tree(document)) == f"{zh}没有功能分类科目"
    assert _shown(charts.totals_by_year(document)) == f"{zh}未列出可与上年对比的总额"
    assert tables.printed_table(document).attrs["title"] == f"{zh}未读到列有数字的公开表"
    with pytest.raises(KeyError, match=f"{zh}没有列有数字的表3"):
        tables.printed_table(document, 3)
    with using_language("en"):
        assert _shown(charts.classification_tree(document)) == f"No functional classification in {en}"
        assert tables.printed_table(document).attrs["title"] == f"no official table with figures was read from {en}"
    if kind == "final-accounts":
        notes = _shown(charts.classification_tree(document)) + tables.printed_table(document).attrs["title"]
        assert "预算" not in notes


def test_a_final_accounts_income_and_totals_charts_are_not_titled_as_a_budget():
    accounts = load(ROOT / "data" / "final-accounts" / "sh-putuo-planning-2024-final-accounts")
    assert accounts.document_kind == "final-accounts"
    income, totals = charts.income_by_source(accounts), charts.totals_by_year(accounts)
    assert income.get_suptitle() == "上海市普陀区规划和自然资源局 2024年度收入决算（按来源）"
    assert totals.get_suptitle() == "上海市普陀区规划和自然资源局 总额：2023年与2024年决算对比（万元）"
    assert _shown(totals) == "本决算未列出可与上年对比的总额"  # its changes are not on totals the chart draws
    bundled = load()  # a budget says what it said before
    assert charts.income_by_source(bundled).get_suptitle().endswith("2024年收入预算（按来源）")
    drawn = charts.totals_by_year(bundled)
    assert drawn.get_suptitle().endswith("2023年与2024年预算对比（万元）")
    assert [t.get_text() for t in drawn.axes[0].get_legend().get_texts()] == ["2023年预算数", "2024年预算数"]
    # the same figures as a 决算's, or as a document of unknown kind: the legend says what the bars are
    for kind, legend in (("final-accounts", ["2023年决算数", "2024年决算数"]), ("unknown", ["2023年", "2024年"])):
        drawn = charts.totals_by_year(dataclasses.replace(bundled, document_kind=kind))
        assert [t.get_text() for t in drawn.axes[0].get_legend().get_texts()] == legend
        assert "预算对比" not in drawn.get_suptitle()
