"""Budgets (预算) and final accounts (决算): the document kind, and budget against outturn in a collection."""

from __future__ import annotations

import csv
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from budgetkit import load
from budgetkit.collection import (execution_pairs, execution_table, from_budgets, load_many, pefa_indicators,
                                  restated_budget, restated_budget_findings, stack_findings, unpaired_documents)
from budgetkit.extract import extract, write_package
from budgetkit.messages import using_language
from budgetkit.schema import BudgetDataError
from builders import budget_of, claim

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
WUZHOU = ROOT / "data" / "collections" / "wuzhou-unit-2023"


# -- 1. the document kind ----------------------------------------------------------------------------------------

def _corpus_kinds() -> list[tuple[str, str, str, int]]:
    """(file, the corpus' kind, its published name, its year) of every original document of the corpus but the
    template."""
    with open(CORPUS / "provenance.csv", encoding="utf-8", newline="") as stream:
        return [(row["file"], row["kind"], row["original_name"], int(row["year"])) for row in csv.DictReader(stream)
                if not row["planted"] and row["kind"] != "template"]


def test_every_budget_and_final_accounts_of_the_corpus_is_recognised_as_its_kind_and_year():
    """Budgets and final accounts: the kind the corpus gives them, every one, and its year (the budget year, the
    accounts year). Three-public notices (a 三公 notice alone, of a budget or of final accounts) are never given
    the other kind: unknown or the kind their published name says (预算 / 决算), so that no notice is paired on a
    guess."""
    wrong, counted = [], {"budget": 0, "final-accounts": 0, "three-public": 0}
    for file, kind, original_name, year in _corpus_kinds():
        budget = extract(CORPUS / "documents" / file)
        if kind != "three-public" and budget.year != year:
            wrong.append((file, year, budget.year))
        if kind == "three-public":  # the kind its published name, or its own opening (…经费决算情况公布如下), says
            opening = (CORPUS / "documents" / file).read_text(encoding="utf-8")[:2000] if file.endswith(".txt") else ""
            said = "final-accounts" if any(word in original_name or f"{word}情况" in opening
                                           for word in ("决算", "決算")) else "budget"
            allowed = {"unknown", said}
        else:
            allowed = {kind}
        counted[kind] += 1
        if budget.document_kind not in allowed:
            wrong.append((file, kind, budget.document_kind, budget.document_kind_reason))
    assert not wrong
    assert counted["budget"] >= 20 and counted["final-accounts"] >= 12 and counted["three-public"] >= 10


def test_the_kind_and_its_reason_are_stated_and_the_year_is_the_accounts_year():
    accounts = extract(CORPUS / "documents" / "ex-beijing-chaoyang-park-center-2024-final-accounts.txt")
    assert (accounts.document_kind, accounts.year) == ("final-accounts", 2024)
    reason = accounts.document_kind_reason
    assert "部门决算" in reason and reason in accounts.extraction.notes
    with using_language("en"):
        unknown = extract(CORPUS / "documents" / "ex-guangdong-zhanjiang-xuanchuan-2017-three-public.txt")
    assert unknown.document_kind == "unknown" and unknown.document_kind_reason.startswith("document kind unknown")


def test_the_kind_is_written_into_the_package_and_read_back(tmp_path):
    accounts = extract(WUZHOU / "final-accounts" / "梧州市未具名单位.txt")
    folder = write_package(accounts, tmp_path / "pkg")
    assert json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["budget"]["document_kind"] == \
        "final-accounts"
    again = load(folder)
    assert again.document_kind == "final-accounts" and again.document_kind_reason is None


def test_a_package_made_before_kinds_loads_as_unknown_and_a_wrong_kind_is_an_error(tmp_path):
    assert load(ROOT / "tests" / "data" / "tiny-budget").document_kind == "unknown"
    assert load().document_kind == "budget"
    folder = write_package(load(), tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["budget"]["document_kind"] = "决算"
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BudgetDataError) as error:
        load(folder)
    [problem] = error.value.problems
    assert problem.field == "budget.document_kind" and problem.file.endswith("datapackage.json")
    assert "'决算'" in problem.message


def test_check_names_the_kind_in_its_header(capsys):
    from budgetkit.cli import main

    main(["check", str(WUZHOU / "final-accounts" / "梧州市未具名单位.txt")])
    assert capsys.readouterr().out.splitlines()[0] == "审核结果：梧州市未具名单位2023年决算"


# -- 2. budget against outturn -------------------------------------------------------------------------------------

def test_the_wuzhou_pair_is_paired_and_what_it_does_not_state_is_not_evaluated():
    collection = load_many(WUZHOU)
    assert list(collection.budgets["document_kind"]) == ["budget", "final-accounts"]
    pairs = execution_pairs(collection)
    assert pairs[["department", "year"]].values.tolist() == [["梧州市未具名单位", 2023]]
    assert unpaired_documents(collection).empty
    table = execution_table(collection, "梧州市未具名单位", 2023)
    assert table["row"].tolist() == ["total", "basic", "project"]  # the excerpts list no 类
    basic = table.set_index("row").loc["basic"]
    assert basic["budget_wan_yuan"] == Decimal("88.130039") and pd.isna(basic["outturn_wan_yuan"])
    assert not table["evaluated"].any() and table["reason"].str.len().gt(0).all()
    pefa = pefa_indicators(collection).iloc[0]
    assert pd.isna(pefa["pi1_percent"]) and pd.isna(pefa["pi2_percent"]) and pefa["pi2_reason"]
    assert restated_budget(collection).empty  # the 决算 excerpt restates no figure of the budget


def _budget(department: str, kind: str, specs: list[dict], classes: dict[str, tuple[str, str]], year: int = 2024):
    """A hand-made budget of ``kind`` whose line items are the 类 ``classes`` (code → (name, 万元))."""
    made = budget_of(specs)
    items = pd.DataFrame({
        "code": pd.Series(list(classes), dtype="str"), "level": pd.Series(["类"] * len(classes), dtype="str"),
        "name": pd.Series([name for name, _ in classes.values()], dtype="str"),
        "parent_code": pd.Series([None] * len(classes), dtype="str"),
        "line": pd.Series([1] * len(classes), dtype="Int64"),
        "purpose": pd.Series([None] * len(classes), dtype="str"),
        "amount_wan_yuan": pd.Series([Decimal(amount) for _, amount in classes.values()],
                                     dtype=made.line_items["amount_wan_yuan"].dtype),
        "stated": pd.Series([True] * len(classes), dtype="bool"),
    })
    return dataclasses.replace(made, department=department, year=year, document_kind=kind, line_items=items)


def _pair_collection():
    budget = _budget("测试局", "budget", [
        claim("expenditure_total", "1000.00", kind="total"), claim("expenditure_basic", "600.00"),
        claim("expenditure_project", "400.00"), claim("three_public_total", "12.50", kind="total"),
    ], {"201": ("一般公共服务支出", "700.00"), "208": ("社会保障和就业支出", "300.00")})
    accounts = _budget("测试局", "final-accounts", [
        claim("accounts_expenditure_total", "1100.00", kind="total"), claim("expenditure_basic", "650.00"),
        claim("expenditure_project", "450.00"),
        claim("three_public_total", "12.46", kind="total", label="“三公”经费财政拨款支出年初预算"),
        claim("three_public_total", "9.80", kind="total", label="“三公”经费财政拨款支出决算"),
        claim("expenditure_basic", "601.00", label="基本支出年初预算数"),
        claim("expenditure_project", "480.00", label="项目支出调整预算数"),
    ], {"201": ("一般公共服务支出", "800.00"), "208": ("社会保障和就业支出", "250.00"),
        "213": ("农林水支出", "50.00")})
    alone = _budget("另一局", "final-accounts", [claim("accounts_expenditure_total", "5.00", kind="total")], {})
    return from_budgets([("预算", budget, "预算.txt"), ("决算", accounts, "决算.txt"),
                         ("另一局决算", alone, "x.txt")])


def test_an_execution_table_by_kind_and_by_class_with_exact_deviations():
    collection = _pair_collection()
    table = execution_table(collection, "测试局", 2024).set_index("row")
    assert table.loc["total", ["budget_wan_yuan", "outturn_wan_yuan", "deviation_wan_yuan", "deviation_percent"]] \
        .tolist() == [Decimal("1000.00"), Decimal("1100.00"), Decimal("100.00"), Decimal("10.00")]
    assert table.loc["basic", "deviation_percent"] == Decimal("8.33")  # 50 / 600, half-even to 0.01
    assert table.loc["201", "deviation_wan_yuan"] == Decimal("100.00")
    # a 类 the budget does not list: nothing budgeted, the deviation in 万元 only
    assert table.loc["213", "budget_wan_yuan"] == 0 and pd.isna(table.loc["213", "deviation_percent"])
    assert table.loc["213", "name"] == "农林水支出" and table["evaluated"].all()
    with pytest.raises(KeyError):
        execution_table(collection, "另一局", 2024)


def test_pefa_pi1_and_pi2_by_the_2016_framework():
    pefa = pefa_indicators(_pair_collection()).iloc[0]
    assert pefa["pi1_percent"] == Decimal("110.00")
    # 类 budget 700, 300, 0 (Σ 1000), outturn 800, 250, 50 (Σ 1100): adjusted 770, 330, 0;
    # |800 − 770| + |250 − 330| + |50 − 0| = 160, of the adjusted 1100: 14.545… %
    assert pefa["pi2_percent"] == Decimal("14.55")


def test_the_restated_budget_is_held_against_the_budget_document():
    restated = restated_budget(_pair_collection()).set_index("measure")
    three = restated.loc["three_public_total"]
    # 12.46 ±0.005 and 12.50 ±0.005 do not overlap: a restatement that differs
    assert three["verdict"] == "drift" and three["difference_wan_yuan"] == Decimal("-0.04")
    assert restated.loc["expenditure_basic", "verdict"] == "drift"
    assert "expenditure_project" not in restated.index  # an adjusted budget is not the budget restated
    # neither the restated nor the adjusted budget is taken as the outturn
    table = execution_table(_pair_collection(), "测试局", 2024).set_index("row")
    assert table.loc["basic", "outturn_wan_yuan"] == Decimal("650.00")
    assert table.loc["project", "outturn_wan_yuan"] == Decimal("450.00")


def test_a_restated_budget_that_differs_is_a_finding_of_the_final_accounts():
    collection = _pair_collection()
    found = restated_budget_findings(collection)
    assert set(found["rule"]) == {"budget-restated-in-final-accounts"}
    assert set(found["budget_id"]) == set(execution_pairs(collection)["accounts_budget_id"])
    three = found.set_index("measure").loc["three_public_total"]
    assert (three["verdict"], three["stated"], three["computed"]) == ("drift", Decimal("12.46"), Decimal("12.50"))
    assert "12.46万元" in three["explanation"] and "12.50万元" in three["explanation"]
    # stacked under the audit's findings, as the year-over-year restatements are
    stacked = stack_findings(collection.audit(), found)
    assert (stacked["rule"] == "budget-restated-in-final-accounts").sum() == len(found)


def test_a_restatement_within_rounding_is_consistent_and_a_missing_side_is_not_evaluated():
    budget = _budget("测试局", "budget", [claim("three_public_total", "12.5", kind="total")], {})
    accounts = _budget("测试局", "final-accounts", [
        claim("three_public_total", "12.46", kind="total", label="年初预算"),
        claim("meeting", "1.00", label="会议费年初预算"),
    ], {})
    found = restated_budget(from_budgets([("a", budget, "a"), ("b", accounts, "b")])).set_index("measure")
    assert found.loc["three_public_total", "verdict"] == "consistent"  # 12.5 ±0.05 holds 12.46
    assert pd.isna(found.loc["meeting", "verdict"]) and "预算未列此数" == found.loc["meeting", "reason"]


def test_unpaired_documents_are_listed_with_their_reason():
    unpaired = unpaired_documents(_pair_collection())
    assert unpaired["budget_id"].tolist() == ["另一局决算"]
    assert unpaired.iloc[0]["reason"] == "集合中没有另一局2024年的预算"


def test_two_budgets_of_one_department_and_year_are_not_paired_on_a_guess():
    budget = _budget("测试局", "budget", [claim("expenditure_total", "1.00", kind="total")], {})
    accounts = _budget("测试局", "final-accounts", [claim("accounts_expenditure_total", "1.00", kind="total")], {})
    collection = from_budgets([("a", budget, "a"), ("b", budget, "b"), ("c", accounts, "c")])
    assert execution_pairs(collection).empty
    assert set(unpaired_documents(collection)["reason"]) == {"同一部门同一年度有2份预算，无法确定哪一份配对"}


def test_a_budgets_table_without_kinds_pairs_nothing_and_lists_every_budget():
    collection = _pair_collection()
    collection.budgets = collection.budgets.drop(columns=["document_kind"])
    assert execution_pairs(collection).empty
    assert len(unpaired_documents(collection)) == 3


# -- 3. the chart -------------------------------------------------------------------------------------------------

def test_the_chart_is_drawn_and_saved_identically(tmp_path):
    from budgetkit import charts

    table = execution_table(_pair_collection(), "测试局", 2024)
    figure = charts.budget_against_outturn(table)
    assert figure.get_suptitle() == "测试局2024年预算与决算"
    first = charts.save(figure, tmp_path / "a", formats=("png",))[0].read_bytes()
    second = charts.save(charts.budget_against_outturn(table), tmp_path / "b", formats=("png",))[0].read_bytes()
    assert first == second
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert "偏离 +10.00%" in labels and "1100.00万元" in labels


# -- 4. real final accounts whose own budget was not found ---------------------------------------------------------
# No published budget of the same department and year as a real 决算 that restates its budget was found. The final
# accounts below are real documents; the budget each is held against is written here by hand, stating
# only the figure the 决算 names, so that what is tested is how the real wording is read.

def _against_a_budget(accounts, specs):
    """A collection of the real ``accounts`` and a hand-made budget of its department and year (the claims' too)."""
    budget = dataclasses.replace(budget_of([{**spec, "year": accounts.year} for spec in specs]),
                                 department=accounts.department, year=accounts.year, document_kind="budget")
    return from_budgets([("预算", budget, "预算.txt"), ("决算", accounts, "决算.txt")])


def _three_public_budget(figure: str) -> list[dict]:
    return [claim("three_public_total", figure, kind="total")]


def test_a_real_final_accounts_restates_its_budget_by_the_outturn_each_completion_rate_names():
    """The Putuo 决算 keeps each 年初预算数 as an item of its own (what its completion rate divides, never an outturn);
    held against a budget of the same department and year, each is of the quantity whose outturn its rate names."""
    accounts = load(ROOT / "data" / "final-accounts" / "sh-putuo-planning-2024-final-accounts.pdf")
    found = restated_budget(_against_a_budget(accounts, [
        claim("three_public_total", "2.85", kind="total"),
        claim("appropriation_by_function", "54.53", code="2080501"),
        claim("appropriation_by_function", "452.00", code="2080505"),
    ]))
    by_label = found.set_index("label")
    three = by_label.loc["“三公”经费财政拨款支出年初预算"]  # “三公”经费财政拨款支出年初预算为2.85万元，支出决算为0.39万元
    assert three["measure"] == "three_public_total" and three["verdict"] == "consistent"
    assert by_label.loc["行政单位离退休年初预算", "verdict"] == "consistent"  # 2080501: 54.53 both
    pension = by_label.loc["机关事业单位基本养老保险缴费支出年初预算"]  # 2080505: 452.40 against 452.00
    assert pension["verdict"] == "drift" and pension["difference_wan_yuan"] == Decimal("0.40")
    # a budget of a 项 this budget does not state: not evaluated, as is one whose rate names no quantity
    assert by_label.loc["事业单位离退休年初预算", "reason"] == "预算未列此数"
    unnamed = found[found["label"] == "年初预算"]
    assert len(unnamed) and unnamed["verdict"].isna().all() and (unnamed["measure"] == "unnamed_item").all()
    assert "哪一项" in unnamed["reason"].iloc[0]
    assert set(found["verdict"].dropna()) <= {"consistent", "drift"}


def test_a_district_three_public_notice_restates_its_initial_budget_of_the_three_public_total():
    """闵行区教育局 2020: "“三公”经费财政拨款支出年初预算为683.51万元,支出决算为358.18万元,完成预算的52.4%" (line 86).
    The 年初预算数 is the budget of the 三公 total (its completion rate divides the outturn by it)."""
    accounts = extract(CORPUS / "documents" / "ex-shanghai-minhang-education-2020-three-public.txt")
    assert (accounts.department, accounts.year, accounts.document_kind) == ("上海市闵行区教育局", 2020, "final-accounts")
    [same] = restated_budget(_against_a_budget(accounts, _three_public_budget("683.51"))).itertuples(index=False)
    assert (same.measure, same.restated_wan_yuan, same.budget_wan_yuan, same.difference_wan_yuan, same.verdict) == \
        ("three_public_total", Decimal("683.51"), Decimal("683.51"), Decimal("0.00"), "consistent")
    # 683.51 against 680.00: the intervals (±0.005) are 3.50 apart, more than one unit of the last place: drift
    other = restated_budget(_against_a_budget(accounts, _three_public_budget("680.00"))).iloc[0]
    assert other["verdict"] == "drift" and other["difference_wan_yuan"] == Decimal("3.51")
    # a budget printed to the 万元 (684 stands for 683.5 … 684.5) holds 683.51
    coarse = restated_budget(_against_a_budget(accounts, _three_public_budget("684"))).iloc[0]
    assert coarse["verdict"] == "consistent"
    # the notice states no 支出合计, 基本支出 or 项目支出: no row by kind is evaluated, each says why
    table = execution_table(_against_a_budget(accounts, _three_public_budget("683.51")), "上海市闵行区教育局", 2020)
    assert table["row"].tolist() == ["total", "basic", "project"] and not table["evaluated"].any()
    assert table["reason"].str.contains("决算").all()


@pytest.mark.parametrize("document, figure", [
    # "“三公”经费支出预算为3万元,支出决算为1.71万元,完成预算的43%" (line 27)
    ("ex-anhui-shouxian-relics-center-2023-three-public", "3"),
    # "“三公”經費支出預算為6.35萬元 … 預算數為按規定程序調整后的全年預算數" (line 4)
    ("ex-anhui-hefei-unit-2023-three-public", "6.35"),
])
def test_a_budget_figure_the_final_accounts_do_not_call_initial_is_never_held_against_the_budget(document, figure):
    """Anhui's notices print the 三公 budget as adjusted during the year (合肥's says so: 预算数为按规定程序调整后的
    全年预算数); a 决算's 预算 that is not called 年初预算 is not surely the budget document's figure, so it is given no
    verdict, equal to the budget's figure or not."""
    accounts = extract(CORPUS / "documents" / f"{document}.txt")
    assert accounts.document_kind == "final-accounts"
    for budgeted in (figure, "100"):
        found = restated_budget(_against_a_budget(accounts, _three_public_budget(budgeted)))
        assert len(found) and found["verdict"].isna().all(), found[["label", "verdict"]]
        assert found["reason"].str.contains("年初预算还是调整后的全年预算").all()


def test_an_adjusted_budget_in_the_final_accounts_is_listed_not_held_against_the_budget():
    """广东省财政厅 2023: "完成全年预算84.82万元的73.2%" — the full-year (adjusted) budget, not the budget document's."""
    accounts = extract(CORPUS / "documents" / "ex-guangdong-finance-department-2023-three-public.txt")
    found = restated_budget(_against_a_budget(accounts, _three_public_budget("84.82")))
    adjusted = found[found["label"] == "全年预算"]
    assert adjusted["restated_wan_yuan"].tolist() == [Decimal("84.82")] and adjusted["verdict"].isna().all()
    assert adjusted["reason"].str.contains("调整后的全年预算数，不是年初预算数").all()
    assert found["verdict"].isna().all()
