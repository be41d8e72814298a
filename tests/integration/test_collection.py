"""Collections: many budgets audited at once give exactly the findings of auditing each alone (the
one engine, over whole budgets a chunk at a time); Parquet read a chunk at a time gives the same;
planted drift is all found and nothing else is flagged."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from budgetkit import load
from budgetkit.audit import audit
from budgetkit.findings import FINDING_COLUMNS
from budgetkit.messages import LANGUAGES, using_language
from budgetkit.collection import audit_parquet, demo_sources, from_budgets, load_many, read_parquet
from budgetkit.schema import bundled_data_dir
from builders import budget_of, claim
from synthetic import (ACCOUNTS_PLANTED_KINDS, BUDGET_RESTATED_KIND, CROSS_DOCUMENT_KINDS, PLANTED_KINDS, generate,
                       ground_truth, long_tables, recall_precision, write_documents, write_packages)

DEMO = bundled_data_dir().parent / "data" / "collections" / "demo"


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "<none>"
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != 0 else "0"  # 841.00 and 841.0000 are one value
    return str(value)


def _rows(findings: pd.DataFrame) -> list[tuple]:
    return [tuple(_cell(v) for v in row) for row in findings[FINDING_COLUMNS].itertuples(index=False)]


def assert_same_findings(collection_findings: pd.DataFrame, budgets: dict[str, object]) -> None:
    """Row by row, in order: every column of audit(budget) equals the collection's rows for it."""
    assert set(collection_findings["budget_id"]) <= set(budgets)
    for budget_id, budget in budgets.items():
        expected = _rows(audit(budget))
        got = _rows(collection_findings[collection_findings["budget_id"] == budget_id])
        assert len(got) == len(expected), budget_id
        for index, (a, b) in enumerate(zip(got, expected)):
            assert a == b, f"{budget_id} row {index}:\n collection {a}\n audit      {b}"


def test_the_bundled_budget_gives_the_same_findings_row_for_row():
    collection = load_many([bundled_data_dir()])
    findings = collection.audit()
    assert collection.problems.empty
    assert_same_findings(findings, {collection.budgets["budget_id"][0]: load()})
    assert list(findings.columns[:3]) == ["budget_id", "department", "budget_year"]
    assert set(findings["budget_year"]) == {2024}


# -- every rule kind on hand-made budgets ------------------------------------------------------

def _edge_budgets() -> dict[str, object]:
    budgets = {}
    # sums: a drift whose difference is another stated figure, a rounding, counts, non-exhaustive parts
    budgets["sum-drift"] = budget_of([
        claim("appropriation_total", "833.05", kind="total", section="五（一）"),
        claim("appropriation_by_function", "802.64", code="201", section="五（二）"),
        claim("appropriation_by_function", "38.36", code="208", section="五（二）"),
        claim("income_carryover", "7.95", label="上年结转", section="三（一）")])
    budgets["rounding-and-counts"] = budget_of([
        claim("income_total", "841.02", kind="total", section="三（一）"),
        claim("income_general_budget", "833.05", section="三（一）"), claim("income_carryover", "7.95", section="三（一）"),
        claim("official_vehicles", "2", kind="total", unit="辆"),
        claim("official_vehicles_sedan", "1", unit="辆", kind="count"), claim("official_vehicles_suv", "2", unit="辆", kind="count"),
        claim("vehicles_owned", "5", kind="total", unit="辆"), claim("vehicles_owned_senior", "1", unit="辆", kind="count"),
        claim("three_public_vehicles", "0.01", kind="total"), claim("vehicle_purchase", "0"), claim("vehicle_operation", "0")])
    # counts in any count unit of the schema are exact: 1 + 1 台 is not 3 台, however it is rounded
    budgets["count-units"] = budget_of([
        claim("official_vehicles", "3", kind="total", unit="台"),
        claim("official_vehicles_sedan", "1", unit="台", kind="count"), claim("official_vehicles_suv", "1", unit="台", kind="count")])
    budgets["rollup"] = budget_of([
        claim("appropriation_by_function", "20.68", code="208", section="五（二）"),
        claim("appropriation_by_function", "12.01", code="20805", section="五（三）"),
        claim("appropriation_by_function", "7.93", code="2080501", section="五（三）"),
        claim("appropriation_by_function", "12.08", code="2080505", section="五（三）"),
        claim("appropriation_by_function", "0.70", code="2089999", section="五（三）")])
    # shares: consistent, fitting another whole (semantic), fitting nothing (drift), a zero whole
    budgets["shares"] = budget_of([
        claim("expenditure_total", "840.05", kind="total", claim_id="c001-1", section="三（二）"),
        claim("expenditure_basic", "828.05", claim_id="c002-1", section="三（二）"),
        claim("expenditure_basic", "98.46", kind="share", unit="%", claim_id="c002-2", section="三（二）",
              base_measure="expenditure_total", ref="c002-1", base="c001-1"),
        claim("expenditure_project", "12.95", claim_id="c003-1", section="三（二）"),
        claim("expenditure_project", "1.54", kind="share", unit="%", claim_id="c003-2", section="三（二）",
              base_measure="expenditure_total", ref="c003-1", base="c001-1"),
        claim("budget_total", "841.00", kind="total", claim_id="c004-1", section="三"),
        claim("appropriation_total", "0", kind="total", claim_id="c005-1", section="五（一）"),
        claim("appropriation_by_function", "5.00", code="201", claim_id="c006-1", section="五（二）"),
        claim("appropriation_by_function", "60.00", code="201", kind="share", unit="%", claim_id="c006-2",
              section="五（二）", base_measure="appropriation_total"),
        claim("appropriation_by_function", "7.00", code="208", claim_id="c007-1", section="五（二）"),
        claim("appropriation_by_function", "33.3", code="208", kind="share", unit="%", claim_id="c007-2",
              section="五（二）", base_measure="budget_total", ref="c007-1")])
    # changes: money, percentage, zero base, unspecified, unchanged, wrong direction, implied priors
    budgets["changes"] = budget_of([
        claim("travel", "1.20", claim_id="c001-1", section="八"),
        claim("travel", "1.00", year=2023, claim_id="c002-1", section="八"),
        claim("travel", "0.30", kind="change", direction="increase", base_year=2023, claim_id="c003-1",
              ref="c001-1", base="c002-1", section="八"),
        claim("meeting", "110.00", claim_id="c004-1", section="八"),
        claim("meeting", "100.00", year=2023, claim_id="c005-1", section="八"),
        claim("meeting", "9.09", kind="change", unit="%", direction="increase", base_year=2023, claim_id="c006-1",
              ref="c004-1", base="c005-1", section="八"),
        claim("training", "5.00", claim_id="c007-1", section="八"),
        claim("training", "0", year=2023, claim_id="c008-1", section="八"),
        claim("training", "100", kind="change", unit="%", direction="increase", base_year=2023, claim_id="c009-1",
              ref="c007-1", base="c008-1", section="八"),
        claim("training", "5.00", kind="change", direction="decrease", base_year=2023, claim_id="c010-1",
              ref="c007-1", base="c008-1", section="八"),
        claim("three_public_reception", "0.64", claim_id="c011-1", section="七"),
        claim("three_public_reception", "持平", kind="change", direction="unchanged", base_year=2023,
              claim_id="c012-1", ref="c011-1", section="七（二）"),
        claim("three_public_overseas", "0", claim_id="c013-1", section="七"),
        claim("three_public_overseas", "0", kind="change", unit="%", direction="unspecified", base_year=2024,
              claim_id="c014-1", ref="c013-1", section="七（一）"),
        claim("budget_total", "840.99", kind="total", claim_id="c015-1"),
        claim("budget_total", "26.21", kind="change", direction="increase", base_year=2023, claim_id="c015-2", ref="c015-1"),
        claim("budget_total", "800.00", year=2023, claim_id="c016-1", section="四"),
        claim("budget_total", "41.00", kind="change", direction="increase", base_year=2023, claim_id="c017-1",
              ref="c015-1", section="四"),
        claim("admin_operating_cost", "8330500", unit="元", claim_id="c018-1", section="十一（一）"),
        claim("admin_operating_cost", "814.78", year=2023, claim_id="c019-1", section="十一（一）"),
        claim("admin_operating_cost", "18.27", kind="change", direction="increase", base_year=2023,
              claim_id="c020-1", ref="c018-1", base="c019-1", section="十一（一）")])
    # a percentage after an amount change (增加2248.37万元，增长16.47%): the prior year is the one the
    # amount implies; consistent, drift, rounding, a decrease, a zero implied prior, money in 元 and 亿元
    after = []
    for number, (measure, current, unit, amount, amount_unit, pct, direction) in enumerate([
            ("expenditure_total", "15897.44", "万元", "2248.37", "万元", "16.47", "increase"),
            ("income_total", "15897.44", "万元", "2248.37", "万元", "18.47", "increase"),
            ("budget_total", "15897.44", "万元", "2248.37", "万元", "16.48", "increase"),
            ("fiscal_total", "1069.00", "万元", "539.73", "万元", "33.55", "decrease"),
            ("appropriation_total", "5.00", "万元", "5.00", "万元", "100", "increase"),
            ("expenditure_basic", "1.5897", "亿元", "22483700", "元", "16.5", "increase"),
            ("expenditure_project", "10690000", "元", "0.0540", "亿元", "33.6", "decrease")], start=1):
        section = ["三", "三（一）", "四", "五（一）", "三（二）", "六", "八"][number - 1]
        after += [claim(measure, current, kind="total", unit=unit, claim_id=f"c{number:03d}-1", section=section),
                  claim(measure, amount, kind="change", unit=amount_unit, direction=direction, base_year=2023,
                        claim_id=f"c{number:03d}-2", ref=f"c{number:03d}-1", section=section),
                  claim(measure, pct, kind="change", unit="%", direction=direction, base_year=2023,
                        claim_id=f"c{number:03d}-3", ref=f"c{number:03d}-1", base=f"c{number:03d}-2", section=section)]
    # an unprinted amount implies no prior: no row
    after += [claim("meeting", "3.00", claim_id="c008-1", section="八"),
              claim("meeting", "××", kind="change", direction="increase", base_year=2023, claim_id="c008-2",
                    ref="c008-1", section="八"),
              claim("meeting", "10.00", kind="change", unit="%", direction="increase", base_year=2023,
                    claim_id="c008-3", ref="c008-1", base="c008-2", section="八")]
    budgets["percentage-after-amount"] = budget_of(after)
    # a difference that figures of several measures equal: none of them is named as the explanation
    budgets["several-equal-the-difference"] = budget_of([
        claim("appropriation_total", "833.05", kind="total", section="五（一）"),
        claim("appropriation_by_function", "802.64", code="201", section="五（二）"),
        claim("appropriation_by_function", "38.36", code="208", section="五（二）"),
        claim("income_carryover", "7.95", label="上年结转", section="三（一）"),
        claim("three_public_total", "7.95", label="“三公”经费", section="七"),
        claim("mtt_total", "7.95", label="三项经费", section="八"),
        claim("meeting", "7.95", label="会议费", section="八"),
        claim("training", "10.00", claim_id="c009-1", section="八"),
        claim("training", "8.00", year=2023, claim_id="c010-1", section="八"),
        claim("training", "9.95", kind="change", direction="increase", base_year=2023, claim_id="c011-1",
              ref="c009-1", base="c010-1", section="八"),
        claim("budget_total", "847.95", kind="total", claim_id="c012-1", section="三"),
        claim("budget_total", "840.00", kind="total", claim_id="c013-1", section="四")])
    # restatements, bounds, money in 元 and 亿元
    budgets["restated-and-bounds"] = budget_of([
        claim("budget_total", "840.99", kind="total", section="三"),
        claim("income_total", "840.99", kind="total", section="三（一）"),
        claim("expenditure_total", "840.05", kind="total", section="三（二）"),
        claim("income_general_budget", "833.05", section="三（一）"),
        claim("income_general_budget", "8330500", unit="元", section="四"),
        claim("income_general_budget", "0.0833", unit="亿元", section="四"),
        claim("basic_public", "706.23", section="六"),
        claim("gpb_basic_total", "828.05", kind="total", section="六"),
        claim("admin_operating_cost", "833.05", section="十一（一）"),
        claim("performance_scope", "1.00", section="十一（四）"),
        claim("appropriation_total", "0.995", kind="total", section="五（一）")])
    # explanations in the units printed: sums, differences, implied priors and the sum of the parts
    # listed with a share in the unit of the figure they are compared with; units named when mixed
    # a change printed in 元 against its printed prior: judged (rounding vs drift) in 万元 like its figures
    budgets["change-in-yuan"] = budget_of([
        claim("expenditure_total", "15990.00", unit="元", kind="total", claim_id="c001-1", section="三"),
        claim("expenditure_total", "13979.00", unit="元", year=2023, claim_id="c001-2", section="三"),
        claim("expenditure_total", "2010.98", unit="元", kind="change", direction="increase", base_year=2023,
              claim_id="c001-3", ref="c001-1", base="c001-2", section="三"),
        claim("travel", "3.5", unit="亿元", kind="total", claim_id="c002-1", section="八"),
        claim("travel", "2.0", unit="亿元", year=2023, claim_id="c002-2", section="八"),
        claim("travel", "14000", unit="万元", kind="change", direction="decrease", base_year=2023,
              claim_id="c002-3", ref="c002-1", base="c002-2", section="八"),
    ])
    # a total whose listed parts were not all read is not summed; its twin without the mark is
    budgets["parts-unread"] = budget_of([
        claim("income_total", "581.45", kind="total", qualifier="parts-unread", claim_id="c001-1", section="三"),
        claim("income_general_budget", "382.17", claim_id="c002-1", section="三"),
        claim("income_carryover", "190.89", claim_id="c003-1", section="三"),
        claim("income_total", "581.45", kind="total", claim_id="c004-1", section="四"),
    ])
    # a percentage of this year instead of the prior year (implied, and printed), and one that fits neither
    budgets["current-year-base"] = budget_of([
        claim("expenditure_total", "6106.99", kind="total", claim_id="c001-1", section="三"),
        claim("expenditure_total", "101.48", kind="change", direction="increase", base_year=2023, claim_id="c001-2",
              ref="c001-1", section="三"),
        claim("expenditure_total", "1.66", kind="change", unit="%", direction="increase", base_year=2023,
              claim_id="c001-3", ref="c001-1", base="c001-2", section="三"),
        claim("travel", "110.00", kind="total", claim_id="c002-1", section="八"),
        claim("travel", "100.00", year=2023, claim_id="c002-2", section="八"),
        claim("travel", "9.09", unit="%", kind="change", direction="increase", base_year=2023,
              claim_id="c002-3", ref="c002-1", base="c002-2", section="八"),
        claim("training", "50.00", kind="total", claim_id="c003-1", section="八"),
        claim("training", "40.00", year=2023, claim_id="c003-2", section="八"),
        claim("training", "5.00", unit="%", kind="change", direction="decrease", base_year=2023,
              claim_id="c003-3", ref="c003-1", base="c003-2", section="八"),
    ])
    # an item the template does not name: its change and percentage are checked, no implied prior is compared
    budgets["unnamed-items"] = budget_of([
        claim("unnamed_item", "1895", kind="item", claim_id="c001-1", section="五"),
        claim("unnamed_item", "134", kind="change", direction="decrease", base_year=2023, claim_id="c001-2",
              ref="c001-1", section="五"),
        claim("unnamed_item", "0.66", kind="change", unit="%", direction="decrease", base_year=2023,
              claim_id="c001-3", ref="c001-1", base="c001-2", section="五"),
        claim("unnamed_item", "3666", kind="item", claim_id="c002-1", section="五"),
        claim("unnamed_item", "21.8", kind="change", direction="increase", base_year=2023, claim_id="c002-2",
              ref="c002-1", section="五"),
        claim("unnamed_item", "0.60", kind="change", unit="%", direction="increase", base_year=2023,
              claim_id="c002-3", ref="c002-1", base="c002-2", section="五"),
    ])
    budgets["units-printed"] = budget_of([
        claim("income_total", "7057486.18", kind="total", unit="元", section="三（一）"),
        claim("income_general_budget", "5806105.16", unit="元", section="三（一）"),
        claim("income_carryover", "418288.92", unit="元", section="三（一）"),
        claim("gpb_basic_total", "819.6", kind="total", unit="亿元", section="六"),
        claim("basic_personnel", "565.4", unit="亿元", section="六"),
        claim("basic_public", "128.9", unit="亿元", section="六"),
        claim("expenditure_total", "5.77", kind="total", unit="亿元", claim_id="c007-1", section="三（二）"),
        claim("expenditure_basic", "2.46", unit="亿元", claim_id="c008-1", section="三（二）"),
        claim("expenditure_project", "18100", unit="万元", claim_id="c009-1", section="三（二）"),
        claim("expenditure_reserve", "50000000.5", unit="元", claim_id="c010-1", section="三（二）"),
        claim("expenditure_basic", "58", kind="share", unit="%", claim_id="c011-1", section="三（二）",
              base_measure="expenditure_total", ref="c008-1", base="c007-1"),
        claim("expenditure_project", "42", kind="share", unit="%", claim_id="c012-1", section="三（二）",
              base_measure="expenditure_total", ref="c009-1", base="c007-1"),
        claim("meeting", "13980", unit="元", claim_id="c013-1", section="八"),
        claim("meeting", "2010", kind="change", unit="元", direction="decrease", base_year=2023, claim_id="c014-1",
              ref="c013-1", section="八"),
        claim("meeting", "1.599", year=2023, claim_id="c015-1", section="八"),
        claim("meeting", "0.2", kind="change", direction="decrease", base_year=2023, claim_id="c016-1",
              ref="c013-1", section="八"),
        claim("travel", "1.20", claim_id="c017-1", section="八"),
        claim("travel", "10000", unit="元", year=2023, claim_id="c018-1", section="八"),
        claim("travel", "0.25", kind="change", direction="increase", base_year=2023, claim_id="c019-1",
              ref="c017-1", base="c018-1", section="八"),
        claim("training", "1.5897", unit="亿元", kind="total", claim_id="c020-1", section="八"),
        claim("training", "22483700", unit="元", kind="change", direction="increase", base_year=2023,
              claim_id="c021-1", ref="c020-1", section="八"),
        claim("training", "16.5", unit="%", kind="change", direction="increase", base_year=2023,
              claim_id="c022-1", ref="c020-1", base="c021-1", section="八")])
    # 三公 vehicle costs as parts without the combined line: the parts stand in for it (or not, when it is stated)
    budgets["three-public-substitutes"] = budget_of([
        claim("three_public_total", "21.8", kind="total", section="七"),
        claim("three_public_overseas", "0", section="七"), claim("three_public_reception", "11.8", section="七"),
        claim("vehicle_purchase", "4.0", section="七（三）"), claim("vehicle_operation", "6.0", section="七（三）"),
        claim("three_public_total", "25.00", kind="total", year=2023, section="七"),
        claim("three_public_reception", "12.00", year=2023, section="七"),
        claim("three_public_vehicles", "13.00", year=2023, section="七（三）"),
        claim("vehicle_operation", "9.00", year=2023, section="七（三）")])
    lines = ["三、收支预算情况说明", "（一）收入预算情况", "预算增长（下降）0%，××万元", "比2023年增加2.00万元。主要是2023年人员经费的增多。", ""]
    budgets["text"] = budget_of([
        claim("budget_total", "10.00", kind="total", claim_id="c003-1", section="三（一）"),
        claim("budget_total", "8.00", year=2023, claim_id="c003-2", section="三（一）"),
        claim("budget_total", "2.00", kind="change", direction="increase", base_year=2023, claim_id="c004-1",
              ref="c003-1", base="c003-2", section="三（一）"),
        claim("budget_total", "1.00", kind="change", direction="decrease", base_year=2025, claim_id="c004-2",
              ref="c003-1", base="c003-2", section="三（一）")], raw_text="\n".join(lines))
    # line numbers and char_end from the builder do not fit this text: place the changes on line 4
    text = budgets["text"]
    text.claims.loc[text.claims["claim_id"].isin(["c004-1", "c004-2"]), "line"] = 4
    text.claims.loc[text.claims["claim_id"] == "c004-1", "char_end"] = 11
    return budgets


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_rule_kind_on_hand_made_budgets_gives_the_same_findings(lang):
    budgets = _edge_budgets()
    with using_language(lang):
        findings = from_budgets([(name, budget, "") for name, budget in budgets.items()]).audit()
        assert_same_findings(findings, budgets)
    # the cases are not vacuous: every verdict and every rule kind occurs
    assert set(findings["verdict"].astype(str)) == {"consistent", "rounding", "text", "semantic", "drift"}
    assert set(findings["rule_kind"]) == {"sum", "share", "change", "restatement", "bound", "text"}
    if lang == "zh":
        for text in ("差额恰等于", "差额与多个所列数字相等", "推算的上年数", "但与", "疑将口径更大的数字列作此项",
                     "由10000元到1.20万元，可以是增加。", "同列各项之和 4.27亿元"):
            assert findings["explanation"].str.contains(text, regex=False).any(), text
        return
    assert findings["explanation"].str.contains("The difference equals").any()
    assert findings["explanation"].str.contains("Several stated figures equal the difference").any()
    assert findings["explanation"].str.contains("the prior year the change").any()
    assert findings["explanation"].str.contains("but fits").any()
    assert findings["explanation"].str.contains("looks relabelled").any()
    units = findings[findings["budget_id"] == "units-printed"]["explanation"]
    for text in ("5806105.16 + 418288.92 = 6224394.08", "565.4 + 128.9 = 694.3",
                 "2.46亿元 + 18100万元 + 50000000.5元 = 4.770000005亿元", "implies 2023 = 15990元",
                 "1.20万元 − 10000元 = 0.20万元", "= 136486300元 (the prior year", "From 10000元 to 1.20万元",
                 "fits 4.27亿元, the sum of the parts listed with it"):
        assert units.str.contains(text, regex=False).any(), text
    vehicles = findings[(findings["budget_id"] == "three-public-substitutes") & (findings["rule"] == "three-public-parts")]
    assert list(vehicles["explanation"]) == ["0 + 11.8 + 4.0 + 6.0 = 21.8, within rounding of the stated 21.8.",
                                             "12.00 + 13.00 = 25.00, within rounding of the stated 25.00."]


# -- synthetic collections: equality, recall and precision ---------------------------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    budgets = generate(200, seed=11)
    folder = tmp_path_factory.mktemp("city")
    write_packages(budgets, folder)
    collection = load_many(folder, workers=2)
    return budgets, folder, collection, collection.audit()


def test_synthetic_collection_loads_every_package(synthetic):
    budgets, _, collection, _ = synthetic
    assert collection.problems.empty
    assert sorted(collection.budgets["budget_id"]) == sorted(b.budget_id for b in budgets)
    assert len(collection.claims) == sum(len(b.claims) for b in budgets)
    assert collection.budgets["department"].nunique() >= 30 and collection.budgets["budget_year"].nunique() == 4


def test_synthetic_collection_gives_the_same_findings_as_each_budget_alone(synthetic):
    _, folder, collection, findings = synthetic
    assert_same_findings(findings, collection.members)
    some = collection.budgets["budget_id"][7]
    assert collection.budget(some).claims.equals(load(folder / some).claims)


@pytest.fixture(scope="module")
def with_final_accounts(tmp_path_factory):
    """Budgets each followed by its year's final accounts (决算), as packages, loaded and audited."""
    documents = generate(120, seed=11, final_accounts=1.0)
    folder = tmp_path_factory.mktemp("city-with-accounts")
    write_packages(documents, folder)
    collection = load_many(folder, workers=2)
    return documents, collection, collection.audit()


def test_every_planted_drift_is_found_and_nothing_else_is_flagged(with_final_accounts):
    documents, _, findings = with_final_accounts
    truth = ground_truth(documents)
    within = truth[~truth["kind"].isin(CROSS_DOCUMENT_KINDS)]
    assert set(within["kind"]) == set(PLANTED_KINDS) | set(ACCOUNTS_PLANTED_KINDS) and len(within) >= 100
    accounts = {d.budget_id for d in documents if d.document_kind == "final-accounts"}
    assert (within["budget_id"].isin(accounts)).sum() >= 50
    _, _, missed, false_alarms = recall_precision(findings, within)
    assert missed == [] and false_alarms == []


def test_final_accounts_are_packaged_with_their_kind_and_paired_with_their_budget(with_final_accounts):
    documents, collection, findings = with_final_accounts
    assert collection.problems.empty
    kinds = dict(zip(collection.budgets["budget_id"], collection.budgets["document_kind"]))
    assert kinds == {d.budget_id: d.document_kind for d in documents}
    assert sorted(set(kinds.values())) == ["budget", "final-accounts"]
    from budgetkit.collection import execution_pairs

    pairs = execution_pairs(collection)
    assert len(pairs) == sum(d.document_kind == "final-accounts" for d in documents)
    assert (pairs["accounts_budget_id"] == pairs["budget_id"] + "-final-accounts").all()
    # the completion rates and the changes on the prior year's outturn are evaluated, not left aside
    in_accounts = findings[findings["budget_id"].isin(set(pairs["accounts_budget_id"]))]
    rates = in_accounts[in_accounts["rule"] == "share-of-named-whole"]
    assert len(rates) > 8 * len(pairs) and (in_accounts["rule"] == "change-from-stated-prior").sum() > 3 * len(pairs)


def test_a_budget_restated_wrongly_in_its_final_accounts_is_found_against_the_budget(with_final_accounts):
    """A 决算 whose 年初预算数 of an item is not its budget's (its rate following it, so the 决算 holds in itself):
    a drift of budget-restated-in-final-accounts naming that figure."""
    from budgetkit.collection import restated_budget_findings

    documents, collection, _ = with_final_accounts
    truth = ground_truth(documents)
    restated = truth[truth["kind"] == BUDGET_RESTATED_KIND]
    findings = restated_budget_findings(collection)
    flagged = findings[findings["verdict"].astype(str) != "consistent"]
    assert len(restated) >= 5
    assert {(r.budget_id, r.claim_id) for r in restated.itertuples()} <= set(zip(flagged["budget_id"], flagged["claim_id"]))
    # any other drift is of a budget document with an error planted in it
    planted, budgets_planted = set(zip(truth["budget_id"], truth["claim_id"])), set(truth["budget_id"])
    for row in flagged.itertuples():
        assert (row.budget_id, row.claim_id) in planted or row.inputs in budgets_planted, row
    assert (findings["verdict"].astype(str) == "consistent").sum() > 10 * len(restated)


def test_a_budgets_prior_year_budget_is_not_held_against_the_final_accounts_outturn(with_final_accounts):
    """A budget's prior-year figures (2023年预算) are the prior budget's, not the 2023 决算's outturn: two
    quantities, each document held against the one of its own kind."""
    documents, collection, _ = with_final_accounts
    accounts = {d.budget_id for d in documents if d.document_kind == "final-accounts"}
    pairs = collection.year_over_year()
    later_budgets = ~pairs["later_budget_id"].isin(accounts)
    assert later_budgets.any() and not pairs[later_budgets]["earlier_budget_id"].isin(accounts).any()


def test_final_accounts_leave_the_budgets_as_they_were():
    """The 决算 are drawn apart: a collection's budgets are the same with or without them."""
    alone = generate(30, seed=4)
    mixed = generate(30, seed=4, final_accounts=0.5)
    budgets = [d for d in mixed if d.document_kind == "budget"]
    assert 5 <= len(mixed) - len(budgets) <= 25
    assert [(b.budget_id, b.text, b.claims, b.planted) for b in alone] == \
        [(b.budget_id, b.text, b.claims, b.planted) for b in budgets]
    assert all(b.document_kind is None for b in alone)


def test_final_accounts_extracted_from_their_text_find_every_planted_error_and_nothing_else(tmp_path):
    """The 决算 as .txt, read by the extractor (not the generator's claims): each told final accounts by its
    title, every planted error found, no other finding anything but consistent (precision first)."""
    accounts = [d for d in generate(60, seed=11, final_accounts=1.0) if d.document_kind == "final-accounts"]
    write_documents(accounts, tmp_path)
    collection = load_many(tmp_path, workers=2)
    assert collection.problems.empty, collection.problems.to_string()
    assert set(collection.budgets["document_kind"]) == {"final-accounts"}
    assert sorted(collection.budgets["budget_year"]) == sorted(d.year for d in accounts)
    findings = collection.audit()
    findings["budget_id"] = findings["budget_id"].str.removesuffix(".txt")
    truth = ground_truth(accounts)
    truth = truth[truth["kind"] != BUDGET_RESTATED_KIND]  # without the budgets, consistent in itself
    assert set(truth["kind"]) == set(ACCOUNTS_PLANTED_KINDS) and len(truth) >= 20
    _, _, missed, false_alarms = recall_precision(findings, truth)
    assert missed == [] and false_alarms == []
    assert (findings["rule"] == "share-of-named-whole").sum() > 8 * len(accounts)  # the rates were read


def test_restated_prior_years_are_found_across_budgets(synthetic):
    budgets, _, collection, _ = synthetic
    truth = ground_truth(budgets)
    restated = truth[truth["kind"] == "prior-restated"]
    pairs = collection.year_over_year()
    flagged = pairs[pairs["verdict"].astype(str) != "consistent"]
    assert len(restated) >= 5
    found = set(zip(flagged["later_budget_id"], flagged["later_claim_id"]))
    assert {(r.budget_id, r.claim_id) for r in restated.itertuples()} <= found
    # every other disagreement involves a figure planted wrong in one of the two documents
    planted = set(zip(truth["budget_id"], truth["claim_id"]))
    for row in flagged.itertuples():
        assert {(row.later_budget_id, row.later_claim_id), (row.earlier_budget_id, row.earlier_claim_id)} & planted
    assert (pairs["verdict"].astype(str) == "consistent").sum() > 1000


# -- Parquet, a chunk of budgets at a time ------------------------------------------------------

def test_parquet_audited_from_the_files_gives_the_same_findings(synthetic, tmp_path):
    _, _, collection, findings = synthetic
    collection.to_parquet(tmp_path / "city")
    from_files = audit_parquet(tmp_path / "city")
    pd.testing.assert_frame_equal(from_files, findings)
    back = read_parquet(tmp_path / "city")
    assert len(back.claims) == len(collection.claims)
    assert back.claims["value"].dtype == collection.claims["value"].dtype  # exact decimals survive the files
    assert str(back.claims["value"].dtype) == "decimal128(38, 4)[pyarrow]"


def test_a_collection_audited_in_chunks_gives_the_same_findings_in_the_same_order(synthetic, tmp_path, monkeypatch):
    _, _, collection, findings = synthetic
    from budgetkit.collection import audit as collection_audit

    monkeypatch.setattr(collection_audit, "CHUNK_CLAIMS", len(collection.claims) // 7)  # several chunks, two at a time
    counts = collection.claims["budget_id"].value_counts().reindex(collection.budgets["budget_id"], fill_value=0)
    assert len(collection_audit.budget_chunks(counts.to_numpy())) >= 7
    pd.testing.assert_frame_equal(collection.audit(), findings)
    collection.to_parquet(tmp_path / "city")
    pd.testing.assert_frame_equal(audit_parquet(tmp_path / "city"), findings)


def test_findings_written_a_chunk_at_a_time_are_the_findings_of_the_whole(unsorted, tmp_path, monkeypatch):
    """A collection too large for its findings to be held: each chunk's findings go to one Parquet file
    as the chunk is done, in budget_id order; they are exactly the findings of the audit held in memory."""
    import pyarrow.parquet as pq
    from budgetkit.collection import audit as collection_audit
    from budgetkit.collection import audit_parquet_to

    unsorted.to_parquet(tmp_path / "city")
    whole = audit_parquet(tmp_path / "city")
    monkeypatch.setattr(collection_audit, "CHUNK_CLAIMS", len(unsorted.claims) // 7)
    out = audit_parquet_to(tmp_path / "city", tmp_path / "findings" / "findings.parquet")
    assert pq.ParquetFile(out).metadata.num_row_groups >= 7  # one per chunk
    streamed = pq.read_table(out).to_pandas(types_mapper=pd.ArrowDtype)
    assert list(streamed.columns) == list(whole.columns)
    assert streamed["budget_id"].astype(str).is_monotonic_increasing
    in_order = whole.iloc[whole["budget_id"].astype(str).argsort(kind="stable")]
    assert [[_cell(v) for v in row] for row in streamed.itertuples(index=False)] == \
        [[_cell(v) for v in row] for row in in_order.itertuples(index=False)]
    assert [p.name for p in out.parent.iterdir()] == ["findings.parquet"]  # no partial file left beside it


def _row_group_ids(path) -> list[tuple[str, str, int]]:
    """(min budget_id, max budget_id, rows) of every row group of a Parquet file, from its footer."""
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    column = metadata.schema.to_arrow_schema().get_field_index("budget_id")
    groups = []
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        statistics = group.column(column).statistics
        assert statistics is not None and statistics.has_min_max, f"{path} row group {index}: no budget_id statistics"
        groups.append((statistics.min, statistics.max, group.num_rows))
    return groups


@pytest.fixture(scope="module")
def unsorted(synthetic):
    """The synthetic budgets in the generator's order (not budget_id order), as long tables."""
    from budgetkit.collection import from_tables

    budgets = synthetic[0]
    assert [b.budget_id for b in budgets] != sorted(b.budget_id for b in budgets)
    return from_tables(*long_tables(budgets))


def test_parquet_row_groups_hold_whole_budgets_in_budget_id_order(unsorted, tmp_path):
    import pyarrow.parquet as pq

    unsorted.to_parquet(tmp_path / "city", row_group_rows=1000)
    for name in ("claims", "lines", "budgets"):
        groups = _row_group_ids(tmp_path / "city" / f"{name}.parquet")
        assert len(groups) > 1 if name != "budgets" else len(groups) == 1
        assert all(rows <= 1000 for _, _, rows in groups)
        # whole budgets, in order: every group's ids lie after the previous group's
        assert all(before[1] < after[0] for before, after in zip(groups, groups[1:])), name
        table = pq.read_table(tmp_path / "city" / f"{name}.parquet")
        ids = table["budget_id"].to_pylist()
        assert ids == sorted(ids)
        # each budget's rows keep their order in the collection
        frame = getattr(unsorted, name)
        expected = frame.assign(_at=range(len(frame))).sort_values(["budget_id", "_at"], kind="stable")
        assert table["budget_id"].to_pylist() == list(expected["budget_id"])
        if name == "claims":
            assert table["claim_id"].to_pylist() == list(expected["claim_id"])
    sorting = pq.ParquetFile(tmp_path / "city" / "claims.parquet").metadata.row_group(0).sorting_columns
    assert [column.column_index for column in sorting] == [0]  # declared sorted by budget_id


def test_a_filter_on_budget_id_reads_only_its_row_group(unsorted, tmp_path):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    unsorted.to_parquet(tmp_path / "city", row_group_rows=1000)
    path = tmp_path / "city" / "claims.parquet"
    groups = _row_group_ids(path)
    some = unsorted.budgets["budget_id"][17]
    holding = [index for index, (low, high, _) in enumerate(groups) if low <= some <= high]
    assert len(holding) == 1
    # pyarrow prunes by the footer's statistics: one row group of the file is left to read
    fragment = next(ds.dataset(path, format="parquet").get_fragments())
    kept = fragment.split_by_row_group(filter=ds.field("budget_id") == some)
    assert [piece.row_groups[0].id for piece in kept] == holding
    read = pq.read_table(path, filters=[("budget_id", "==", some)]).to_pandas()
    expected = unsorted.claims[unsorted.claims["budget_id"] == some]
    assert list(read["claim_id"]) == list(expected["claim_id"])
    # DuckDB's scan of the same filter gives the same rows
    import duckdb

    quoted = str(path).replace("'", "''")
    rows = duckdb.sql(f"SELECT claim_id FROM read_parquet('{quoted}') WHERE budget_id = ?", params=[some]).fetchall()
    assert [row[0] for row in rows] == list(expected["claim_id"])


def test_a_budget_larger_than_a_row_group_spans_whole_groups(unsorted, tmp_path):
    unsorted.to_parquet(tmp_path / "city", row_group_rows=50)  # fewer rows than a budget's claims
    groups = _row_group_ids(tmp_path / "city" / "claims.parquet")
    assert all(rows <= 50 for _, _, rows in groups)
    assert sum(rows for _, _, rows in groups) == len(unsorted.claims)
    assert all(before[1] <= after[0] for before, after in zip(groups, groups[1:]))
    back = read_parquet(tmp_path / "city")
    pd.testing.assert_frame_equal(back.claims, unsorted.claims, check_dtype=False)


def _assert_same_tables(back, collection) -> None:
    """Every long table read back equals the collection's, row for row (Arrow dtypes on reading)."""
    for name in ("budgets", "claims", "lines", "line_items"):
        expected, got = getattr(collection, name), getattr(back, name)
        assert list(got.columns) == list(expected.columns), name
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_index_type=False, obj=name)


def test_parquet_round_trip_gives_the_collection_in_its_order(unsorted, tmp_path):
    unsorted.to_parquet(tmp_path / "city", row_group_rows=1000)
    _assert_same_tables(read_parquet(tmp_path / "city"), unsorted)
    demo = load_many(demo_sources())  # the bundled budget comes last, its budget_id is not the last
    assert list(demo.budgets["budget_id"]) != sorted(demo.budgets["budget_id"]) and not demo.line_items.empty
    demo.to_parquet(tmp_path / "demo")
    _assert_same_tables(read_parquet(tmp_path / "demo"), demo)


def test_parquet_in_row_groups_audits_the_same(unsorted, tmp_path):
    unsorted.to_parquet(tmp_path / "city", row_group_rows=1000)
    pd.testing.assert_frame_equal(audit_parquet(tmp_path / "city"), unsorted.audit())


def test_chunks_are_whole_blocks_of_budgets_when_blocks_are_given():
    from budgetkit.collection.audit import budget_chunks

    counts = [3, 3, 3, 3, 3, 3]
    assert budget_chunks(counts, 7) == [(0, 2), (2, 4), (4, 6)]
    assert budget_chunks(counts, 7, blocks=[3]) == [(0, 2), (2, 3), (3, 5), (5, 6)]  # a block of 9 is cut by budgets
    assert budget_chunks(counts, 12, blocks=[2, 4]) == [(0, 4), (4, 6)]  # two blocks of 6 fit, the third alone
    assert budget_chunks(counts, 12, blocks=[]) == [(0, 4), (4, 6)]  # one block of 18: cut by budgets
    assert budget_chunks([0, 5, 0, 5], 6, blocks=[2]) == [(0, 2), (2, 4)]  # budgets without claims stay in their block
    assert budget_chunks([], 6, blocks=[]) == budget_chunks([], 6) == [(0, 0)]


def test_parquet_audited_in_chunks_of_whole_row_groups_gives_the_same_findings(unsorted, tmp_path, monkeypatch):
    """Chunks read from Parquet are whole row groups of the claims (no group decoded for two chunks), and
    each chunk's findings come back from its worker process through a file in memory: the findings are
    those of the collection audited in this process, and no file is left behind."""
    from budgetkit.collection import audit as collection_audit
    from budgetkit.collection import jobs

    unsorted.to_parquet(tmp_path / "city", row_group_rows=1000)
    assert len(_row_group_ids(tmp_path / "city" / "claims.parquet")) >= 6
    monkeypatch.setattr(collection_audit, "CHUNK_CLAIMS", 2500)  # two row groups a chunk
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(jobs, "_memory_folder", lambda: str(spool))
    pd.testing.assert_frame_equal(audit_parquet(tmp_path / "city"), unsorted.audit())
    assert list(spool.iterdir()) == []


def test_two_writes_of_a_collection_are_byte_identical(unsorted, tmp_path):
    unsorted.to_parquet(tmp_path / "one", row_group_rows=1000)
    unsorted.to_parquet(tmp_path / "two", row_group_rows=1000)
    for name in ("budgets", "claims", "lines", "line_items"):
        assert (tmp_path / "one" / f"{name}.parquet").read_bytes() == (tmp_path / "two" / f"{name}.parquet").read_bytes()


def test_long_tables_built_without_files_audit_the_same(synthetic):
    budgets, _, _, findings = synthetic
    from budgetkit.collection import from_tables

    direct = from_tables(*long_tables(sorted(budgets, key=lambda b: b.budget_id))).audit()
    pd.testing.assert_frame_equal(direct.drop(columns="department"), findings.drop(columns="department"))


# -- errors ------------------------------------------------------------------------------------

def test_a_broken_source_is_reported_with_its_file_and_the_others_load(tmp_path):
    budgets = generate(3, seed=5, drift_share=0)
    write_packages(budgets, tmp_path)
    broken = tmp_path / budgets[1].budget_id / "claims.csv"
    broken.write_text(broken.read_text(encoding="utf-8").replace(",万元,2,", ",万元,x,", 1), encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("这不是预算说明。\n", encoding="utf-8")
    collection = load_many(tmp_path)
    assert sorted(collection.budgets["budget_id"]) == sorted([budgets[0].budget_id, budgets[2].budget_id])
    problems = collection.problems
    assert set(problems["budget_id"]) == {budgets[1].budget_id, "notes/readme.txt"}
    row = problems[problems["budget_id"] == budgets[1].budget_id].iloc[0]
    assert row["file"].endswith("claims.csv") and row["field"] == "decimals" and row["row"] >= 2
    assert row["type"] == "not-integer" and row["message"] == "'x' 不是整数"  # a stable key beside the message
    assert "readme.txt" in problems[problems["budget_id"] == "notes/readme.txt"].iloc[0]["file"]
    assert not collection.audit().empty


def test_documents_in_a_folder_are_extracted(tmp_path):
    budgets = generate(2, seed=9, drift_share=0)
    write_documents(budgets, tmp_path)
    collection = load_many(tmp_path)
    assert collection.problems.empty, collection.problems.to_string()
    assert sorted(collection.budgets["budget_year"]) == [2022, 2023]
    findings = collection.audit()
    assert (findings["verdict"].astype(str) == "consistent").all()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere：没有这个文件或文件夹"):
        load_many(tmp_path / "nowhere")
    with using_language("en"), pytest.raises(FileNotFoundError, match="nowhere: no such file or folder"):
        load_many(tmp_path / "nowhere")


# -- the demo collection shipped for the notebook ----------------------------------------------

def test_the_demo_collection_is_labelled_synthetic_and_loads():
    descriptors = sorted(DEMO.glob("*/datapackage.json"))
    assert len(descriptors) >= 6
    for path in descriptors:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        assert descriptor["synthetic"] is True and "SYNTHETIC" in descriptor["description"]
    collection = load_many(DEMO)
    assert collection.problems.empty


def _assert_same_collection(got, expected) -> None:
    for name in ("budgets", "claims", "lines", "line_items", "problems"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert list(got.members) == list(expected.members)


def test_the_demo_collection_loads_the_same_in_worker_processes():
    one, two = load_many(DEMO, workers=1), load_many(DEMO, workers=2)
    _assert_same_collection(two, one)
    # the members loaded in the workers are read again from their sources when asked for
    some = one.budgets["budget_id"][4]
    assert some in two.members and two.budget(some).claims.equals(one.budget(some).claims)
    assert two.members[some].line_items.equals(one.members[some].line_items)


def test_documents_budgets_and_broken_files_load_the_same_in_worker_processes(tmp_path):
    budgets = generate(4, seed=9)
    paths = write_documents(budgets, tmp_path)
    (tmp_path / "broken.txt").write_text("这不是预算说明。\n", encoding="utf-8")
    sources = [load(), *paths, tmp_path / "broken.txt", *demo_sources()[:2]]
    one, two = load_many(sources, workers=1), load_many(sources, workers=2)
    _assert_same_collection(two, one)
    assert len(two.problems) == 1 and len(two.budgets) == 7
    assert two.members[two.budgets["budget_id"][0]] is sources[0]  # a Budget given stays itself


def test_year_over_year_pairs_come_in_their_documented_order():
    """By department, restated year, measure name, code (none last), then the later budget."""
    pairs = load_many(DEMO).year_over_year()
    keys = ["department", "restated_year", "measure", "code", "later_budget_id"]
    ordered = pairs[keys].sort_values(keys, kind="stable", na_position="last")
    assert list(ordered.index) == list(pairs.index)
    assert pairs["measure"].nunique() > 3
