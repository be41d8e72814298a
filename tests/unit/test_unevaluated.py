"""The relations a document states that no rule evaluated: listed with a reason that is true of the claim,
and nothing listed for a relation a rule did evaluate."""

from __future__ import annotations

import pytest

from budgetkit.audit import UNEVALUATED_COLUMNS, UNEVALUATED_REASONS, audit, unevaluated_relations
from budgetkit.messages import text, using_language
from tests.builders import budget_of, claim


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("BUDGETKIT_LANG", "zh")


def reasons(specs, **budget) -> dict[str, str]:
    """claim id → reason of every relation of the budget of ``specs`` that the audit did not evaluate."""
    built = budget_of(specs)
    for name, value in budget.items():
        setattr(built, name, value)
    found = unevaluated_relations(built, audit(built))
    assert list(found.columns) == UNEVALUATED_COLUMNS
    return dict(zip(found["claim_id"], found["reason"]))


def test_a_share_of_a_whole_not_stated_is_listed_and_a_share_of_a_stated_whole_is_not():
    specs = [
        claim("expenditure_basic", "80.00", claim_id="c001-1", label="基本支出"),
        # 占一般公共预算支出的96.74%: no 支出 total is printed, nor are all its parts (项目支出 is not)
        claim("expenditure_basic", "96.74", kind="share", unit="%", base_measure="expenditure_total",
              ref="c001-1", claim_id="c001-2", label="基本支出占支出预算", quote="占支出预算的96.74%"),
        claim("basic_personnel", "60.00", claim_id="c002-1", label="人员经费"),
        # 占基本支出的75%: 基本支出 is stated, so the share is evaluated (60 ÷ 80)
        claim("basic_personnel", "75.00", kind="share", unit="%", base_measure="expenditure_basic",
              ref="c002-1", claim_id="c002-2", label="人员经费占基本支出"),
    ]
    assert reasons(specs) == {"c001-2": "whole-not-identified"}


def test_a_whole_stated_only_in_another_year_is_not_the_whole():
    specs = [
        claim("expenditure_basic", "80.00", claim_id="c001-1"),
        claim("expenditure_total", "100.00", kind="total", year=2023, claim_id="c002-1"),
        claim("expenditure_basic", "80.00", kind="share", unit="%", base_measure="expenditure_total",
              ref="c001-1", claim_id="c003-1"),
    ]
    assert reasons(specs) == {"c003-1": "whole-not-identified"}


def test_a_completion_rate_without_its_budget_is_listed_as_such():
    specs = [
        claim("three_public_total", "6.35", kind="total", claim_id="c001-1", label="“三公”经费支出决算"),
        claim("three_public_total", "98", kind="share", unit="%", base_measure="unnamed_item", ref="c001-1",
              claim_id="c001-2", quote="支出决算为6.35万元，完成预算的98%"),
    ]
    assert reasons(specs) == {"c001-2": "budget-not-stated"}


def test_changes_are_listed_unless_their_prior_year_is_stated_or_implied():
    specs = [
        claim("expenditure_project", "20.00", claim_id="c001-1"),
        # 比上年减少13.90万元，下降41.01%: one relation, evaluated when the percentage is, on the prior the money
        # change implies (20 + 13.9 = 33.9)
        claim("expenditure_project", "13.90", kind="change", direction="decrease", base_year=2023, ref="c001-1",
              claim_id="c001-2"),
        claim("expenditure_project", "41.00", kind="change", unit="%", direction="decrease", base_year=2023,
              ref="c001-1", base="c001-2", claim_id="c001-3"),
        # 较上年增长5%, nothing else: no base
        claim("expenditure_basic", "80.00", claim_id="c002-1"),
        claim("expenditure_basic", "5", kind="change", unit="%", direction="increase", base_year=2023, ref="c002-1",
              claim_id="c002-2"),
        # 比上年1.00万元增加0.20万元: the prior is stated with it, so the change is evaluated
        claim("meeting", "1.20", claim_id="c003-1"),
        claim("meeting", "1.00", year=2023, claim_id="c003-2"),
        claim("meeting", "0.20", kind="change", direction="increase", base_year=2023, ref="c003-1", base="c003-2",
              claim_id="c003-3"),
    ]
    assert reasons(specs) == {"c002-2": "base-not-stated"}


def test_a_percentage_whose_prior_year_is_printed_elsewhere_is_not_paired():
    specs = [
        claim("training", "1.50", year=2023, claim_id="c001-1", section="二"),
        claim("training", "1.80", claim_id="c002-1", section="八"),
        claim("training", "20", kind="change", unit="%", direction="increase", base_year=2023, ref="c002-1",
              claim_id="c002-2", section="八"),
    ]
    assert reasons(specs) == {"c002-2": "base-not-paired"}


def test_a_share_or_change_of_an_item_not_stated_has_no_amount_to_work_from():
    specs = [
        claim("expenditure_basic", "80.00", claim_id="c001-1"),
        # 人员经费占基本支出的75%, 比上年增加5万元: no 人员经费 of the year is printed, nor named by the sentence
        claim("basic_personnel", "75.00", kind="share", unit="%", base_measure="expenditure_basic", base="c001-1",
              claim_id="c002-1"),
        claim("basic_personnel", "5.00", kind="change", direction="increase", base_year=2023, claim_id="c002-2"),
    ]
    assert reasons(specs) == {"c002-1": "amount-not-identified", "c002-2": "amount-not-identified"}


def test_a_relation_no_rule_of_the_rules_file_evaluates_says_so(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nid = "basic"\nkind = "sum"\ntotal = "expenditure_total"\n'
                     'parts = ["expenditure_basic"]\nreason = "r"\n', encoding="utf-8")
    built = budget_of([
        claim("expenditure_total", "100.00", kind="total", claim_id="c001-1"),
        claim("expenditure_basic", "80.00", claim_id="c002-1"),
        claim("expenditure_basic", "80.00", kind="share", unit="%", base_measure="expenditure_total",
              ref="c002-1", base="c001-1", claim_id="c002-2"),
    ])
    found = unevaluated_relations(built, audit(built, rules), rules)
    assert list(zip(found["claim_id"], found["reason"])) == [("c002-2", "no-rule")]


def test_placeholders_are_named_for_what_is_unfilled():
    specs = [
        claim("expenditure_basic", "××", claim_id="c001-1"),
        claim("expenditure_basic", "5", kind="change", unit="%", direction="increase", base_year=2023, ref="c001-1",
              claim_id="c001-2"),
        claim("expenditure_basic", "××", kind="change", unit="%", direction="increase", base_year=2023,
              ref="c001-1", claim_id="c001-3"),
    ]
    assert reasons(specs) == {"c001-2": "input-not-filled", "c001-3": "not-filled"}


def test_a_total_is_a_relation_only_with_parts_listed_under_it():
    alone = [claim("three_public_total", "8.60", kind="total", claim_id="c001-1")]
    assert reasons(alone) == {}
    unread = [claim("three_public_total", "8.60", kind="total", qualifier="parts-unread", claim_id="c001-1"),
              claim("three_public_reception", "2.60", claim_id="c001-2")]
    assert reasons(unread) == {"c001-1": "parts-unread"}
    # a document's extraction report says so itself (ExtractionReport.unchecked): not said twice
    assert reasons(unread, extraction=object()) == {}


def test_a_total_of_a_table_with_its_part_printed_in_another_table_is_not_summed_from_it():
    specs = [
        claim("income_current_year", "100.00", kind="total", section="表1（第1页）", claim_id="c001-1"),
        claim("income_fiscal", "100.00", kind="total", section="表2（第2页）", claim_id="c002-1"),
    ]
    assert reasons(specs) == {"c001-1": "parts-not-identified"}
    summed = [specs[0], {**specs[1], "section": "表1（第1页）"}]
    assert reasons(summed) == {}


def test_each_row_says_where_the_claim_is_and_why_in_the_current_language():
    specs = [claim("expenditure_basic", "80.00", claim_id="c001-1", section="三（二）"),
             claim("expenditure_basic", "96.74", kind="share", unit="%", base_measure="expenditure_total",
                   ref="c001-1", claim_id="c001-2", section="三（二）", label="基本支出占支出预算",
                   quote="占支出预算的96.74%")]
    built = budget_of(specs)
    row = unevaluated_relations(built, audit(built)).iloc[0]
    assert (row["section"], row["line"], row["kind"], row["figure"], row["unit"], row["quote"]) == (
        "三（二）", 2, "share", "96.74%", "%", "占支出预算的96.74%")
    assert row["explanation"] == text("audit.unevaluated-whole-not-identified") == "文中没有可以确定为其整体的数字"
    with using_language("en"):
        english = unevaluated_relations(built, audit(built)).iloc[0]
    assert english["explanation"] == "no figure of the document could be identified as its whole"


def test_the_bundled_budget_leaves_three_changes_without_a_figure_to_compare_with(bundled_budget, bundled_findings):
    found = unevaluated_relations(bundled_budget, bundled_findings)
    # 七（一） 较2024年预算增长（下降）0%, 七（二） 与2023年预算持平, 七（三） 较2023年预算增长（下降）0%: the
    # document prints no figure of 因公出国（境）经费, 公务接待费 or 公务用车购置及运行维护费 for the year compared with
    assert list(zip(found["claim_id"], found["reason"])) == [
        ("c126-1", "base-not-stated"), ("c127-1", "base-not-stated"), ("c129-1", "base-not-stated")]
    assert set(found["reason"]) <= set(UNEVALUATED_REASONS)
