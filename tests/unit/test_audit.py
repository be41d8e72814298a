"""Every rule kind on small hand-made budgets, property tests on rounding, and the bundled budget."""

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetkit.audit import RulesError, assert_no_findings, audit, load_rules, AuditFailure
from budgetkit.findings import VERDICTS
from builders import budget_of, claim

#: The exact explanations below are the English catalogue's (test_messages.py holds the Chinese).
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def rules(bundled_rules):
    """``rules("income-by-source", …)``: the bundled rules of these ids."""
    def chosen_rules(*ids):
        chosen = [rule for rule in bundled_rules if rule.id in ids]
        assert len(chosen) == len(ids)
        return chosen

    return chosen_rules


def verdicts(findings, rule=None):
    frame = findings if rule is None else findings[findings["rule"] == rule]
    return list(frame["verdict"].astype(str))


def income(total, *parts, section="三（一）"):
    measures = ["income_general_budget", "income_gov_fund", "income_state_capital", "income_carryover"]
    return [claim("income_total", total, kind="total", section=section)] + [
        claim(measure, part, section=section) for measure, part in zip(measures, parts)
    ]


# -- sum ---------------------------------------------------------------------------------------

def test_sum_within_rounding_is_consistent(rules):
    findings = audit(budget_of(income("840.99", "833.05", "0", "0", "7.95")), rules("income-by-source"))
    assert verdicts(findings) == ["consistent"]


def test_sum_one_unit_beyond_the_interval_is_rounding(rules):
    findings = audit(budget_of(income("841.02", "833.05", "0", "0", "7.95")), rules("income-by-source"))
    assert verdicts(findings) == ["rounding"]


def test_sum_that_disagrees_is_drift_and_names_the_missing_figure(rules):
    specs = [
        claim("appropriation_total", "833.05", kind="total", section="五（一）"),
        claim("appropriation_by_function", "802.64", code="201", section="五（二）"),
        claim("appropriation_by_function", "38.36", code="208", section="五（二）"),
        claim("income_carryover", "7.95", label="上年结转", section="三（一）"),
    ]
    findings = audit(budget_of(specs), rules("appropriation-by-class"))
    assert verdicts(findings) == ["drift"]
    assert "上年结转 7.95万元" in findings["explanation"].iloc[0]
    assert findings["difference"].iloc[0] == Decimal("-7.95")


def test_a_difference_several_measures_state_names_none_of_them_as_the_explanation(rules):
    specs = [
        claim("appropriation_total", "833.05", kind="total", section="五（一）"),
        claim("appropriation_by_function", "802.64", code="201", section="五（二）"),
        claim("appropriation_by_function", "38.36", code="208", section="五（二）"),
        claim("income_carryover", "7.95", label="上年结转", section="三（一）"),
        claim("three_public_total", "7.95", label="“三公”经费", section="七"),
        claim("three_public_total", "7.95", label="“三公”经费", section="七（一）"),
    ]
    findings = audit(budget_of(specs), rules("appropriation-by-class"))
    assert verdicts(findings) == ["drift"]
    assert findings["explanation"].iloc[0].endswith(" Several stated figures equal the difference (上年结转, “三公”经费).")
    assert "The difference equals" not in findings["explanation"].iloc[0]
    specs += [claim("mtt_total", "7.95", label="三项经费", section="八"), claim("meeting", "7.95", label="会议费", section="八")]
    many = audit(budget_of(specs), rules("appropriation-by-class"))
    assert many["explanation"].iloc[0].endswith(" Several stated figures equal the difference (上年结转, “三公”经费, 三项经费, …).")


def test_counts_are_exact_and_zero_money_is_exactly_nothing(rules):
    vehicles = [claim("official_vehicles", "2", kind="total", unit="辆"),
                claim("official_vehicles_sedan", "1", unit="辆", kind="count"),
                claim("official_vehicles_suv", "2", unit="辆", kind="count")]
    assert verdicts(audit(budget_of(vehicles), rules("official-vehicles-by-type"))) == ["drift"]
    costs = [claim("three_public_vehicles", "0.01", kind="total"),
             claim("vehicle_purchase", "0"), claim("vehicle_operation", "0")]
    assert verdicts(audit(budget_of(costs), rules("official-vehicle-costs"))) == ["rounding"]


def three_public(total, overseas, reception, *, vehicles=None, purchase=None, operation=None, unit="万元"):
    """A 三公 notice: the total and its parts, the vehicle costs combined, split or both."""
    specs = [claim("three_public_total", total, kind="total", unit=unit, section="七"),
             claim("three_public_overseas", overseas, unit=unit, section="七"),
             claim("three_public_reception", reception, unit=unit, section="七")]
    for measure, figure in (("three_public_vehicles", vehicles), ("vehicle_purchase", purchase),
                            ("vehicle_operation", operation)):
        if figure is not None:
            specs.append(claim(measure, figure, unit=unit, section="七（三）"))
    return specs


def test_vehicle_costs_given_as_parts_stand_in_for_the_combined_line(rules):
    split = audit(budget_of(three_public("21.8", "0", "11.8", purchase="4.0", operation="6.0")),
                  rules("three-public-parts"))
    assert verdicts(split) == ["consistent"]
    assert split["explanation"].iloc[0] == "0 + 11.8 + 4.0 + 6.0 = 21.8, within rounding of the stated 21.8."
    assert split["inputs"].iloc[0] == "c002-1 c003-1 c004-1 c005-1"
    # only the stated substitutes stand in; a real drift is still one
    one = audit(budget_of(three_public("21.8", "0", "11.8", operation="6.0")), rules("three-public-parts"))
    assert verdicts(one) == ["drift"] and "0 + 11.8 + 6.0 = 17.8," in one["explanation"].iloc[0]
    # the combined line stated: it is the part, the split lines are not read again
    both = audit(budget_of(three_public("21.8", "0", "11.8", vehicles="10.0", purchase="4.0", operation="6.0")),
                 rules("three-public-parts"))
    assert verdicts(both) == ["consistent"] and both["explanation"].iloc[0].startswith("0 + 11.8 + 10.0 = 21.8")
    alone = audit(budget_of(three_public("21.8", "0", "11.8", vehicles="10.0")), rules("three-public-parts"))
    assert alone.drop(columns="inputs").equals(both.drop(columns="inputs"))
    # a combined line of another year does not count: the split lines of the total's year stand in
    other_year = three_public("21.8", "0", "11.8", purchase="4.0", operation="6.0")
    other_year.append(claim("three_public_vehicles", "9.0", year=2023, section="七（三）"))
    assert verdicts(audit(budget_of(other_year), rules("three-public-parts"))) == ["consistent"]


def test_substitutes_are_checked_when_the_rules_are_read(tmp_path, bundled_rules):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "a"\nkind = "sum"\ntotal = "t"\nparts = ["p", "q"]\nreason = "r"\n'
                    'substitutes = { x = ["s"], p = "s", q = ["p"] }\n'
                    '[[rule]]\nid = "b"\nkind = "sum"\nover = "classification"\nmeasure = "m"\nreason = "r"\n'
                    'substitutes = { m = ["s"] }\n'
                    '[[rule]]\nid = "c"\nkind = "share"\nreason = "r"\nsubstitutes = { p = ["s"] }\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    messages = [str(p) for p in caught.value.problems]
    assert f"{path}, field 'rule 'a'.substitutes.x': is not one of the rule's parts" in messages
    assert f"{path}, field 'rule 'a'.substitutes.p': must be a list of measures" in messages
    assert f"{path}, field 'rule 'a'.substitutes.q': p is the total or a part of the rule itself" in messages
    assert any("rule 'b'.substitutes" in m and "only a part can have substitutes" in m for m in messages)
    assert f"{path}, field 'rule 'c'.substitutes': is not a key of a share rule" in messages
    assert [r.params["substitutes"] for r in bundled_rules if r.id == "three-public-parts"] == [
        {"three_public_vehicles": ["vehicle_purchase", "vehicle_operation"]}]


def test_non_exhaustive_parts_may_fall_short_but_not_exceed(rules):
    fewer = [claim("vehicles_owned", "5", kind="total", unit="辆"), claim("vehicles_owned_senior", "1", unit="辆", kind="count")]
    assert verdicts(audit(budget_of(fewer), rules("owned-vehicles-by-use"))) == ["consistent"]
    more = [claim("vehicles_owned", "1", kind="total", unit="辆"), claim("vehicles_owned_senior", "3", unit="辆", kind="count")]
    assert verdicts(audit(budget_of(more), rules("owned-vehicles-by-use"))) == ["drift"]


def test_classification_rolls_up_to_the_nearest_stated_level(rules):
    specs = [claim("appropriation_by_function", "20.68", code="208", section="五（二）"),
             claim("appropriation_by_function", "7.93", code="2080501", section="五（三）"),
             claim("appropriation_by_function", "12.08", code="2080505", section="五（三）"),
             claim("appropriation_by_function", "0.70", code="2089999", section="五（三）")]
    findings = audit(budget_of(specs), rules("classification-rollup"))
    assert verdicts(findings) == ["drift"]  # 7.93 + 12.08 + 0.70 = 20.71, stated 20.68
    specs[3] = claim("appropriation_by_function", "0.67", code="2089999", section="五（三）")
    assert verdicts(audit(budget_of(specs), rules("classification-rollup"))) == ["consistent"]



# -- the official tables' rows, columns and tables -----------------------------------------------

def table_budget(specs, lines):
    """A budget whose claims are printed on the given lines (a table's row is one line)."""
    budget = budget_of(specs)
    budget.claims["line"] = pd.array(lines, dtype="Int64")
    return budget


TABLE3, TABLE5 = "表3（t.pdf 第10页）", "表5（t.pdf 第14页）"


def test_a_table_row_total_is_the_sum_of_its_columns_on_that_row(rules):
    specs = [claim("expenditure_by_function", "754.75", code="208", section=TABLE3, claim_id="c005-1"),
             claim("expenditure_basic_by_function", "754.75", code="208", section=TABLE3, claim_id="c005-2"),
             claim("expenditure_project_by_function", "0.00", code="208", section=TABLE3, claim_id="c005-3"),
             claim("expenditure_by_function", "236.64", code="210", section=TABLE3, claim_id="c006-1"),
             claim("expenditure_basic_by_function", "236.00", code="210", section=TABLE3, claim_id="c006-2"),
             # the same code's project spending in another table, and on another row: not this row's part
             claim("expenditure_project_by_function", "0.64", code="210", section=TABLE5, claim_id="c009-1"),
             claim("expenditure_project_by_function", "0.64", code="210", section=TABLE3, claim_id="c007-1"),
             # the explanation's figure of a code is no table's row
             claim("expenditure_by_function", "236.64", code="210", section="三（二）", claim_id="c001-1"),
             claim("expenditure_basic_by_function", "236.64", code="210", section="三（二）", claim_id="c001-2")]
    findings = audit(table_budget(specs, [5, 5, 5, 6, 6, 9, 7, 1, 1]), rules("expenditure-row")).sort_values("claim_id")
    assert list(findings["claim_id"]) == ["c005-1", "c006-1"]
    assert verdicts(findings) == ["consistent", "drift"]  # 754.75 + 0.00; 236.00 alone (a blank cell is absent)
    assert list(findings["inputs"]) == ["c005-2 c005-3", "c006-2"]


def test_a_table_total_is_summed_from_its_own_table(rules):
    specs = [claim("gpb_basic_total", "5377.64", kind="total", section="六", claim_id="c001-1"),
             claim("gpb_basic_total", "5364.75", kind="total", section=TABLE5, claim_id="c009-1"),
             claim("gpb_basic_by_function", "754.75", code="208", section=TABLE5),
             claim("gpb_basic_by_function", "4610.00", code="212", section=TABLE5)]
    findings = audit(table_budget(specs, [1, 9, 5, 6]), rules("gpb-basic-by-class"))
    assert list(findings["claim_id"]) == ["c009-1"] and verdicts(findings) == ["consistent"]


def test_a_tables_codes_roll_up_within_that_table(rules):
    table1 = "表1（t.pdf 第7页）"
    specs = [claim("expenditure_by_function", "754.76", code="208", section=table1, claim_id="c002-1"),
             claim("expenditure_by_function", "754.75", code="208", section=TABLE3, claim_id="c005-1"),
             claim("expenditure_by_function", "754.75", code="20805", section=TABLE3, claim_id="c006-1")]
    findings = audit(table_budget(specs, [2, 5, 6]), rules("expenditure-classification-rollup"))
    assert list(findings["claim_id"]) == ["c005-1"] and verdicts(findings) == ["consistent"]


def test_the_explanation_restates_the_tables(rules):
    specs = [claim("expenditure_basic", "12323.46", section="一（二）", claim_id="c001-1"),
             claim("expenditure_basic", "12323.48", section="三", claim_id="c002-1"),
             claim("expenditure_basic", "12323.48", section=TABLE3, claim_id="c010-1"),
             claim("expenditure_basic", "12323.48", section=TABLE5, claim_id="c020-1")]
    findings = audit(table_budget(specs, [1, 2, 10, 20]), rules("same-figure-restated")).sort_values("claim_id")
    # the explanation's first against the tables' first, each later one against the first of its own
    assert list(zip(findings["claim_id"], findings["inputs"])) == [
        ("c001-1", "c010-1"), ("c002-1", "c001-1"), ("c020-1", "c010-1")]
    assert verdicts(findings) == ["drift", "drift", "consistent"]


def test_measures_are_one_quantity_only_where_the_budget_says_so(rules):
    """All income is 财政拨款 (收入合计 = 一、财政拨款): the 支出总表's 类 are the 财政拨款支出表's."""
    table1, table5 = "表1（t.pdf 第8页）", "表5（t.pdf 第11页）"
    specs = [claim("income_total", "15897.44", kind="total", section=table1),
             claim("income_fiscal", "15897.44", kind="total", section=table1),
             claim("expenditure_by_function", "12706.28", code="201", section=table1),
             claim("fiscal_expenditure_by_function", "12706.28", code="201", section=table5),
             claim("fiscal_expenditure_by_function", "1068.87", code="208", section=table5),
             claim("expenditure_by_function", "1068.78", code="208", section=table1)]
    findings = audit(table_budget(specs, [1, 1, 2, 10, 11, 3]), rules("all-fiscal-by-function"))
    assert verdicts(findings.sort_values("stated")) == ["drift", "consistent"]
    specs[1] = claim("income_fiscal", "15000.00", kind="total", section=table1)  # other income besides
    assert audit(table_budget(specs, [1, 1, 2, 10, 11, 3]), rules("all-fiscal-by-function")).empty

# -- share -------------------------------------------------------------------------------------

def shares(whole, *parts_and_shares, whole_measure="expenditure_total"):
    specs = [claim(whole_measure, whole, kind="total", claim_id="c001-1", section="三（二）")]
    for index, (measure, part, share) in enumerate(parts_and_shares, start=2):
        specs.append(claim(measure, part, claim_id=f"c{index:03d}-1", section="三（二）"))
        specs.append(claim(measure, share, kind="share", unit="%", claim_id=f"c{index:03d}-2", section="三（二）",
                           base_measure=whole_measure, ref=f"c{index:03d}-1", base="c001-1"))
    return specs


def test_share_of_the_named_whole(rules):
    specs = shares("841.00", ("expenditure_basic", "828.05", "98.46"), ("expenditure_project", "12.95", "1.54"))
    assert verdicts(audit(budget_of(specs), rules("share-of-named-whole"))) == ["consistent", "consistent"]


def test_share_that_fits_another_whole_is_semantic(rules):
    specs = shares("840.05", ("expenditure_basic", "828.05", "98.46"), ("expenditure_project", "12.95", "1.54"))
    findings = audit(budget_of(specs), rules("share-of-named-whole"))
    assert verdicts(findings) == ["semantic", "consistent"]
    assert "841.00, the sum of the parts listed with it" in findings["explanation"].iloc[0]


def test_share_that_fits_nothing_is_drift(rules):
    specs = shares("1000.00", ("expenditure_basic", "500.00", "60.00"), ("expenditure_project", "500.00", "50.00"))
    assert verdicts(audit(budget_of(specs), rules("share-of-named-whole"))) == ["drift", "consistent"]


# -- change ------------------------------------------------------------------------------------

def change(current, prior, stated, direction="increase", unit="万元", base_year=2023, measure="travel"):
    return [claim(measure, current, claim_id="c001-1", section="八"),
            claim(measure, prior, year=2023, claim_id="c002-1", section="八"),
            claim(measure, stated, kind="change", unit=unit, direction=direction, base_year=base_year,
                  claim_id="c003-1", ref="c001-1", base="c002-1", section="八")]


def test_change_equals_this_year_minus_the_prior(rules):
    assert verdicts(audit(budget_of(change("1.20", "1.00", "0.20")), rules("change-from-stated-prior"))) == ["consistent"]
    assert verdicts(audit(budget_of(change("1.20", "1.00", "0.30")), rules("change-from-stated-prior"))) == ["drift"]
    assert verdicts(audit(budget_of(change("1.00", "1.20", "0.20", "decrease")), rules("change-from-stated-prior"))) == ["consistent"]
    assert verdicts(audit(budget_of(change("1.00", "1.00", "持平", "unchanged")), rules("change-from-stated-prior"))) == ["consistent"]


def test_percentage_change_divides_by_the_prior_year(rules):
    assert verdicts(audit(budget_of(change("110.00", "100.00", "10.00", unit="%")), rules("change-from-stated-prior"))) == ["consistent"]
    # the classic error: dividing by the current year — the arithmetic works on another base than the
    # sentence's, which is what semantic means (README's verdict table); a percentage fitting no base is drift
    assert verdicts(audit(budget_of(change("110.00", "100.00", "9.09", unit="%")), rules("change-from-stated-prior"))) == ["semantic"]
    assert verdicts(audit(budget_of(change("110.00", "100.00", "12.00", unit="%")), rules("change-from-stated-prior"))) == ["drift"]
    zero_base = audit(budget_of(change("5.00", "0", "100", unit="%")), rules("change-from-stated-prior"))
    assert verdicts(zero_base) == ["semantic"] and "zero base" in zero_base["explanation"].iloc[0]


def percentage_after_amount(current, amount, pct, direction="increase", measure="expenditure_total"):
    """与上年相比增加2248.37万元，增长16.47%: the percentage's base is the amount change, not a prior year."""
    return [claim(measure, current, kind="total", claim_id="c001-1", section="三"),
            claim(measure, amount, kind="change", direction=direction, base_year=2023, claim_id="c001-2",
                  ref="c001-1", section="三"),
            claim(measure, pct, kind="change", unit="%", direction=direction, base_year=2023, claim_id="c001-3",
                  ref="c001-1", base="c001-2", section="三")]


def test_percentage_after_an_amount_change_divides_by_the_prior_it_implies(rules):
    stated_prior = rules("change-from-stated-prior")
    findings = audit(budget_of(percentage_after_amount("15897.44", "2248.37", "16.47")), stated_prior)
    assert verdicts(findings) == ["consistent"]
    row = findings.iloc[0]
    assert row["claim_id"] == "c001-3" and row["inputs"] == "c001-1 c001-2" and row["unit"] == "%"
    assert row["computed"] == Decimal("16.47270")  # 2248.37 ÷ 13649.07, not ÷ 2248.37 or ÷ 15897.44
    assert row["explanation"] == ("15897.44 − 2248.37 = 13649.07 (the prior year the change c001-2 implies); "
                                  "2248.37 ÷ 13649.07 = 16.47270%; the text states an increase of 16.47%.")
    drift = audit(budget_of(percentage_after_amount("15897.44", "2248.37", "18.47")), stated_prior)
    assert verdicts(drift) == ["drift"]
    rounding = audit(budget_of(percentage_after_amount("15897.44", "2248.37", "16.48")), stated_prior)
    assert verdicts(rounding) == ["rounding"]
    assert verdicts(audit(budget_of(percentage_after_amount("15897.44", "2248.37", "16.46")), stated_prior)) == ["drift"]


def test_percentage_after_an_amount_change_counts_this_years_rounding_once(rules):
    # 防城港 2018: 317.6 − 8.25 = 309.35 and 8.25 ÷ 309.35 = 2.667%, so 2.8% is two units of its last place off
    stated_prior = rules("change-from-stated-prior")
    drift = audit(budget_of(percentage_after_amount("317.6", "8.25", "2.8")), stated_prior)
    assert verdicts(drift) == ["drift"]
    assert drift["computed_interval"].iloc[0] == "[2.6647, 2.6690]"  # 8.245 ÷ 309.405, 8.255 ÷ 309.295
    assert verdicts(audit(budget_of(percentage_after_amount("317.6", "8.25", "2.7")), stated_prior)) == ["consistent"]


def test_percentage_decrease_after_an_amount_decrease(rules):
    findings = audit(budget_of(percentage_after_amount("1069.00", "539.73", "33.55", "decrease")),
                     rules("change-from-stated-prior"))
    assert verdicts(findings) == ["consistent"]
    assert findings["stated"].iloc[0] == Decimal("-33.55") and findings["computed"].iloc[0] == Decimal("-33.55007")
    assert findings["explanation"].iloc[0] == ("1069.00 + 539.73 = 1608.73 (the prior year the change c001-2 implies); "
                                                      "-539.73 ÷ 1608.73 = -33.55007%; the text states a decrease of 33.55%.")
    # the same figures read as an increase do not fit
    wrong = audit(budget_of(percentage_after_amount("1069.00", "539.73", "33.55")), rules("change-from-stated-prior"))
    assert verdicts(wrong) == ["drift"]


def test_percentage_after_an_amount_change_that_leaves_no_prior_is_semantic(rules):
    findings = audit(budget_of(percentage_after_amount("5.00", "5.00", "100.00")), rules("change-from-stated-prior"))
    assert verdicts(findings) == ["semantic"]
    assert findings["explanation"].iloc[0] == ("Growth from a zero base (5.00 − 5.00 = 0.00, the prior year the "
                                               "change c001-2 implies) has no percentage.")
    assert findings["computed"].isna().all() and findings["inputs"].iloc[0] == "c001-1 c001-2"


def test_percentage_after_an_amount_change_is_left_to_the_stated_prior_rule(rules):
    specs = percentage_after_amount("15897.44", "2248.37", "16.47") + [
        claim("expenditure_total", "13649.07", year=2023, claim_id="c002-1", section="四")]
    implied = audit(budget_of(specs), rules("implied-prior-agrees"))
    assert list(implied["claim_id"]) == ["c001-2"]  # the amount change only: the percentage implies no other row
    assert verdicts(implied) == ["consistent"]
    assert audit(budget_of(specs), rules("change-direction")).empty


def test_implied_priors_must_agree(rules):
    specs = [claim("budget_total", "840.99", kind="total", claim_id="c001-1"),
             claim("budget_total", "26.21", kind="change", direction="increase", base_year=2023, claim_id="c001-2", ref="c001-1"),
             claim("budget_total", "800.00", year=2023, claim_id="c002-1", section="四")]
    findings = audit(budget_of(specs), rules("implied-prior-agrees"))
    assert verdicts(findings) == ["drift"]
    assert findings["computed"].iloc[0] == Decimal("814.78")


def test_change_text_checks(rules):
    wrong_year = audit(budget_of(change("1.20", "1.00", "0.20", base_year=2024)), rules("comparison-year"))
    assert verdicts(wrong_year) == ["text"]
    contradicted = audit(budget_of(change("0", "0", "0.30", "decrease")), rules("change-direction"))
    assert verdicts(contradicted) == ["text"]
    unfilled = audit(budget_of(change("0", "0", "0", "unspecified", unit="%")), rules("change-direction"))
    assert verdicts(unfilled) == ["text"]
    # a decrease whose amount is a placeholder: its direction is still checked, with no stated figure
    # (as the collection's SQL audit does; this raised TypeError before the claims had one reader)
    unprinted = audit(budget_of(change("1.00", "1.20", "××", "decrease")), rules("change-direction"))
    assert verdicts(unprinted) == ["consistent"] and unprinted["stated"].isna().all()


def test_explanations_state_figures_in_the_units_the_document_printed(rules):
    """Money is compared in 万元, but a sum, a difference or an implied prior year is shown in the unit
    of the figure it is compared with, at the decimals of its inputs in that unit; units are named
    only when the figures were printed in different units."""
    def explain(specs, *ids):
        return list(audit(budget_of(specs), rules(*ids))["explanation"])

    in_yuan = income("7057486.18", "5806105.16", "0", "0", "418288.92")
    for spec in in_yuan:
        spec["unit"] = "元"
    found = audit(budget_of(in_yuan), rules("income-by-source"))
    assert found["explanation"].iloc[0] == ("The parts add up to 5806105.16 + 0 + 0 + 418288.92 = 6224394.08, "
                                            "not the stated 7057486.18.")
    assert found["computed"].iloc[0] == Decimal("622.439408") and found["unit"].iloc[0] == "万元"  # columns: 万元
    in_yi = income("819.6", "565.4", "0", "0", "128.9")
    for spec in in_yi:
        spec["unit"] = "亿元"
    assert explain(in_yi, "income-by-source") == ["The parts add up to 565.4 + 0 + 0 + 128.9 = 694.3, not the stated 819.6."]
    mixed = [claim("expenditure_total", "4.77", kind="total", unit="亿元", section="三（二）"),
             claim("expenditure_basic", "2.46", unit="亿元", section="三（二）"),
             claim("expenditure_project", "1.81", unit="亿元", section="三（二）"),
             claim("expenditure_reserve", "5000", section="三（二）")]
    assert explain(mixed, "expenditure-by-kind") == [
        "2.46亿元 + 1.81亿元 + 5000万元 = 4.77亿元, within rounding of the stated 4.77亿元."]
    # a change in 元: the implied prior year in 元, not 13980 − 2010 read as 1.3980万元 − 2010
    decrease = [claim("meeting", "13980", unit="元", claim_id="c001-1", section="八"),
                claim("meeting", "2010", kind="change", unit="元", direction="decrease", base_year=2023,
                      claim_id="c002-1", ref="c001-1", section="八"),
                claim("meeting", "1.599", year=2023, claim_id="c003-1", section="八")]
    implied = audit(budget_of(decrease), rules("implied-prior-agrees"))
    assert list(implied["explanation"]) == [
        "13980元 − (a decrease of 2010元) implies 2023 = 15990元; stated as meeting 1.599万元 (八, c003-1)."]
    assert verdicts(implied) == ["consistent"] and implied["computed"].iloc[0] == Decimal("1.5990")
    decrease[2] = claim("meeting", "15990", unit="元", year=2023, claim_id="c003-1", section="八")
    assert explain(decrease, "implied-prior-agrees") == [
        "13980 − (a decrease of 2010) implies 2023 = 15990; stated as meeting 15990元 (八, c003-1)."]
    # the prior year a percentage implies, in the money change's unit
    pct = percentage_after_amount("1.5897", "22483700", "16.5")
    pct[0]["unit"], pct[1]["unit"] = "亿元", "元"
    assert explain(pct, "change-from-stated-prior") == [
        "1.5897亿元 − 22483700元 = 136486300元 (the prior year the change c001-2 implies); "
        "22483700元 ÷ 136486300元 = 16.4732%; the text states an increase of 16.5%."]
    pct = percentage_after_amount("158974400", "22483700", "16.47")
    for spec in pct[:2]:
        spec["unit"] = "元"
    assert explain(pct, "change-from-stated-prior") == [
        "158974400 − 22483700 = 136490700 (the prior year the change c001-2 implies); "
        "22483700 ÷ 136490700 = 16.47270%; the text states an increase of 16.47%."]
    # a difference in the change's unit
    money = change("1.20", "10000", "0.20")
    money[1]["unit"] = "元"
    assert explain(money, "change-from-stated-prior") == [
        "1.20万元 − 10000元 = 0.20万元; the text states an increase of 0.20万元."]
    assert explain(money, "change-direction") == ["From 10000元 to 1.20万元 the figure can show an increase."]


# -- restatement, bound, text ------------------------------------------------------------------

def test_restatement_and_balanced_budget(rules):
    same = [claim("income_general_budget", "833.05", section="三（一）"), claim("income_general_budget", "833.05", section="四")]
    assert verdicts(audit(budget_of(same), rules("same-figure-restated"))) == ["consistent"]
    differ = [claim("income_general_budget", "833.05", section="三（一）"), claim("income_general_budget", "833.50", section="四")]
    assert verdicts(audit(budget_of(differ), rules("same-figure-restated"))) == ["drift"]
    balance = [claim("budget_total", "840.99", kind="total"), claim("expenditure_total", "840.05", kind="total")]
    assert verdicts(audit(budget_of(balance), rules("balanced-budget"))) == ["drift"]


def test_bound_from_a_definition_is_semantic_and_names_the_relabelled_whole(rules):
    specs = [claim("basic_public", "706.23", section="六"),
             claim("appropriation_total", "833.05", kind="total", label="一般公共预算当年拨款", section="五"),
             claim("admin_operating_cost", "833.05", section="十一（一）")]
    findings = audit(budget_of(specs), rules("admin-operating-cost-within-public-costs"))
    assert verdicts(findings) == ["semantic"]
    assert "一般公共预算当年拨款 833.05万元" in findings["explanation"].iloc[0]
    specs[2] = claim("admin_operating_cost", "30.00", section="十一（一）")
    assert verdicts(audit(budget_of(specs), rules("admin-operating-cost-within-public-costs"))) == ["consistent"]


def test_placeholders_in_the_text(rules):
    raw = "一、概况\n单位价值××万元以上大型设备0台（套）。\n较2023年增长（下降）0%\n"
    findings = audit(budget_of([claim("large_equipment", "0", unit="台（套）", kind="count")], raw_text=raw),
                     rules("unfilled-template-text"))
    assert verdicts(findings) == ["text", "text"]
    assert set(findings["section"]) == {"一"}
    clean = audit(budget_of([claim("large_equipment", "0", unit="台（套）", kind="count")], raw_text="一、概况\n"),
                  rules("unfilled-template-text"))
    assert verdicts(clean) == ["consistent"]


# -- properties --------------------------------------------------------------------------------

CENT = Decimal("0.01")
amounts = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n).scaleb(-6))  # 万元 to the 元 cent


def printed(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=4))
def test_sums_printed_with_rounding_are_never_drift(rules, true_parts):
    total = sum(true_parts, Decimal(0))
    specs = income(printed(total), *[printed(p) for p in true_parts])
    assert verdicts(audit(budget_of(specs), rules("income-by-source"))) == ["consistent"]


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=4), st.data())
def test_moving_a_part_beyond_its_tolerance_is_always_drift(rules, true_parts, data):
    total = sum(true_parts, Decimal(0))
    parts = [printed(p) for p in true_parts]
    # the stated and recomputed intervals together span n+1 half-cents; one more cent is a rounding
    tolerance = (len(parts) + 1) * Decimal("0.005") * 2 + CENT
    index = data.draw(st.integers(0, len(parts) - 1))
    shift = data.draw(st.integers(int(tolerance / CENT) + 1, 10**6)) * CENT
    parts[index] = str(Decimal(parts[index]) + shift)
    assert verdicts(audit(budget_of(income(printed(total), *parts)), rules("income-by-source"))) == ["drift"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=5))
def test_shares_printed_with_rounding_are_never_drift(rules, true_parts_cents):
    true_parts = [Decimal(n).scaleb(-4) for n in true_parts_cents]
    whole = sum(true_parts, Decimal(0))
    specs = shares(printed(whole), *[("expenditure_basic", printed(p), printed(p / whole * 100)) for p in true_parts])
    found = verdicts(audit(budget_of(specs), rules("share-of-named-whole")))
    assert "drift" not in found


@settings(max_examples=200, deadline=None)
@given(amounts, amounts)
def test_changes_printed_with_rounding_are_never_drift(rules, current, prior):
    delta = current - prior
    direction = "increase" if delta > 0 else "decrease" if delta < 0 else "unchanged"
    stated = printed(abs(delta)) if delta else "持平"
    specs = change(printed(current), printed(prior), stated, direction)
    assert verdicts(audit(budget_of(specs), rules("change-from-stated-prior"))) == ["consistent"]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100, max_value=10**7), st.integers(min_value=1, max_value=10**7), st.booleans())
def test_a_percentage_rounded_from_its_printed_figures_is_never_drift(rules, prior, change, increase):
    # the prior year (at least 1.00, so no base can be zero) and the change in 万元 to two decimals;
    # the percentage of the prior the printed figures imply, rounded half up to two decimals
    change = min(change, prior - 1) if not increase else change
    current = Decimal(prior + change if increase else prior - change).scaleb(-2)
    prior, change = Decimal(prior).scaleb(-2), Decimal(change).scaleb(-2)
    percent = (change / prior * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    specs = percentage_after_amount(str(current), str(change), str(percent), "increase" if increase else "decrease")
    assert verdicts(audit(budget_of(specs), rules("change-from-stated-prior"))) == ["consistent"]


# -- the rules file ----------------------------------------------------------------------------

def test_rules_file_problems_name_the_rule_and_key(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nkind = "sum"\ntotal = "a"\nreason = "r"\nbogus = 1\n'
                    '[[rule]]\nid = "y"\nkind = "share-ish"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    messages = [str(p) for p in caught.value.problems]
    assert f"{path}, field 'rule 'x'.bogus': is not a key of a sum rule" in messages
    assert any("rule 'y'.kind" in m for m in messages)
    assert any("needs total and parts" in m for m in messages)


def test_a_sum_scope_and_a_measure_pair_are_checked(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nkind = "sum"\ntotal = "a"\nparts = ["b"]\nper = "page"\nreason = "r"\n'
                    '[[rule]]\nid = "y"\nkind = "restatement"\nwhen_equal = ["a"]\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    messages = [str(p) for p in caught.value.problems]
    assert any("rule 'x'.per" in m and "'page' is not one of row, table" in m for m in messages)
    assert any("rule 'y'.when_equal" in m and "two measures" in m for m in messages)


def test_a_share_scope_names_a_measure_and_words(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "z"\nkind = "restatement"\nwhen_share_of = { measure = "a" }\nreason = "r"\n',
                    encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert any("rule 'z'.when_share_of" in str(p) and "whole" in str(p) for p in caught.value.problems)


def _basic_twice(share_label: str | None) -> list[dict]:
    """梧州 2023: 基本支出 881300.39 (with its share, if any) and 一般公共预算基本支出 911000.39 in its own section."""
    specs = [claim("expenditure_basic", "881300.39", unit="元", claim_id="c001-1", label="基本支出预算")]
    if share_label:
        specs.append(claim("expenditure_basic", "96.74", kind="share", unit="%", ref="c001-1", claim_id="c001-2",
                           label=share_label, base_measure="expenditure_total"))
    return specs + [claim("gpb_basic_total", "911000.39", kind="total", unit="元", section="六", claim_id="c002-1")]


def test_a_basic_expenditure_given_a_share_of_the_general_budget_is_its_basic_expenditure(rules):
    restated = rules("general-budget-basic-restated")
    found = audit(budget_of(_basic_twice("基本支出预算占一般公共预算支出")), restated)
    assert verdicts(found) == ["drift"] and found["claim_id"].tolist() == ["c002-1"]
    assert found["inputs"].tolist() == ["c001-1"]
    # a share of another whole, or none at all, says nothing of its scope: not evaluated
    assert audit(budget_of(_basic_twice("基本支出预算占支出总计")), restated).empty
    assert audit(budget_of(_basic_twice(None)), restated).empty


def test_every_rule_kind_is_used_and_every_rule_is_documented(bundled_rules):
    kinds = {rule.kind for rule in bundled_rules}
    assert kinds == {"sum", "share", "change", "restatement", "bound", "classification-bound", "text"}
    assert all(rule.reason for rule in bundled_rules)


# -- the bundled budget ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def findings(bundled_findings):
    return bundled_findings


def test_findings_frame_has_the_promised_columns(findings):
    for column in ("rule", "verdict", "section", "stated", "computed", "computed_interval", "difference", "quote", "explanation"):
        assert column in findings.columns
    assert set(findings["verdict"].astype(str)) <= set(VERDICTS)
    assert (findings["verdict"] == "consistent").any()  # passes are rows too


def test_every_total_share_and_change_is_touched_by_a_rule(findings, bundled_budget):
    budget = bundled_budget
    touched = set(findings["claim_id"]) | {c for inputs in findings["inputs"] for c in inputs.split()}
    wanted = budget.claims[budget.claims["kind"].isin(["total", "share", "change"])]
    untouched = sorted(set(wanted["claim_id"]) - touched)
    assert untouched == []


def test_rounding_only_differences_are_not_drift(findings):
    """840.99 stated for 833.05 + 7.95: the parts' rounding explains it (XBRL interval overlap)."""
    drift = findings[findings["verdict"] == "drift"]
    assert (drift["difference"].abs() > Decimal("0.02")).all()


def test_assert_no_findings_raises_on_severity(findings):
    with pytest.raises(AuditFailure, match="at or above 'drift'"):
        assert_no_findings(findings, "drift")
    assert_no_findings(findings[findings["verdict"] == "consistent"], "rounding")


def test_reason_that_names_the_compared_year(rules):
    raw = "1.20\n1.00\n0.20。主要是2023年会议增多。\n"
    findings = audit(budget_of(change("1.20", "1.00", "0.20"), raw_text=raw), rules("reason-year"))
    assert verdicts(findings) == ["text"]
    fine = audit(budget_of(change("1.20", "1.00", "0.20"), raw_text=raw.replace("2023", "2024")), rules("reason-year"))
    assert verdicts(fine) == ["consistent"]
    # 合肥市科技馆 2022: a reason that names the compared year and the budget year speaks of both
    both = raw.replace("2023年会议增多", "2023年及2024年均未安排会议")
    assert verdicts(audit(budget_of(change("1.20", "1.00", "0.20"), raw_text=both), rules("reason-year"))) == ["consistent"]


def test_a_change_printed_in_yuan_is_judged_in_the_unit_it_is_checked_in(rules):
    """比上年增加2010.98元 against 15990.00 − 13979.00: one cent off is rounding (it was drift when the printed 元
    figure was set against the 万元 result), and the stated column is in 万元 like the computed one."""
    specs = [claim("expenditure_total", "15990.00", unit="元", kind="total", claim_id="c001-1", section="三"),
             claim("expenditure_total", "13979.00", unit="元", year=2023, claim_id="c001-2", section="三"),
             claim("expenditure_total", "2010.98", unit="元", kind="change", direction="increase", base_year=2023,
                   claim_id="c001-3", ref="c001-1", base="c001-2", section="三")]
    findings = audit(budget_of(specs), rules("change-from-stated-prior"))
    assert verdicts(findings) == ["rounding"]
    assert findings["stated"].iloc[0] == Decimal("0.201098") and findings["computed"].iloc[0] == Decimal("0.2011")
    decrease = [*specs[:2], {**specs[2], "direction": "decrease"}]
    assert verdicts(audit(budget_of(decrease), rules("change-from-stated-prior"))) == ["drift"]


def test_a_total_whose_listed_parts_were_not_all_read_is_not_summed(rules):
    """收入预算总计 with an item the extractor could not identify (qualifier parts-unread): no sum is claimed
    from the parts that were read, so no drift; the total still takes part in every other rule."""
    specs = [claim("income_total", "581.45", kind="total", qualifier="parts-unread", claim_id="c001-1", section="三"),
             claim("income_general_budget", "382.17", claim_id="c002-1", section="三"),
             claim("income_carryover", "190.89", claim_id="c003-1", section="三"),
             claim("income_total", "581.45", kind="total", claim_id="c004-1", section="四")]
    findings = audit(budget_of(specs), rules("income-by-source", "same-figure-restated"))
    assert list(zip(findings["rule"], findings["claim_id"], findings["verdict"])) == [
        ("income-by-source", "c004-1", "drift"), ("same-figure-restated", "c004-1", "consistent")]


def test_a_percentage_taken_of_this_year_instead_of_the_prior_is_semantic(rules):
    """行政运行 6106.99万元，增加101.48万元，增长1.66%: 101.48 ÷ 6106.99 = 1.66%, the prior year 6005.51 gives 1.69%."""
    findings = audit(budget_of(percentage_after_amount("6106.99", "101.48", "1.66")), rules("change-from-stated-prior"))
    assert verdicts(findings) == ["semantic"]
    assert findings["explanation"].iloc[0].endswith(
        "the text states an increase of 1.66%. The stated percentage fits the change divided by this year's figure, "
        "not by the prior year's.")
    # with the prior printed: 110 against 100 is 10%, 9.09% is 10 ÷ 110
    specs = [claim("expenditure_total", "110.00", kind="total", claim_id="c001-1", section="三"),
             claim("expenditure_total", "100.00", year=2023, claim_id="c001-2", section="三"),
             claim("expenditure_total", "9.09", unit="%", kind="change", direction="increase", base_year=2023,
                   claim_id="c001-3", ref="c001-1", base="c001-2", section="三")]
    assert verdicts(audit(budget_of(specs), rules("change-from-stated-prior"))) == ["semantic"]
    assert verdicts(audit(budget_of(percentage_after_amount("6106.99", "101.48", "3.00")),
                          rules("change-from-stated-prior"))) == ["drift"]


def test_an_unfilled_direction_implies_no_prior_year(rules):
    """政府性基金 0万元，与上年相比增加（减少）0万元: the template text is reported by the text rule; no prior
    year is taken from it to hold against the other statements."""
    specs = [claim("gov_fund_expenditure", "363.38", kind="total", claim_id="c001-1", section="九"),
             claim("gov_fund_expenditure", "0", kind="change", direction="unspecified", base_year=2023,
                   claim_id="c001-2", ref="c001-1", section="九"),
             claim("gov_fund_expenditure", "62.7", kind="change", direction="increase", base_year=2023,
                   claim_id="c001-3", ref="c001-1", section="九")]
    findings = audit(budget_of(specs), rules("implied-prior-agrees"))
    assert findings.empty


def items_with_shares(total, *items, base_kind="total"):
    """A total and the items listed under it, each as (amount, share of the total)."""
    specs = [claim("expenditure_basic", total, kind=base_kind, claim_id="c001-1", section="五（二）")]
    for number, (amount, share) in enumerate(items, start=2):
        specs += [claim("unnamed_item", amount, kind="item", claim_id=f"c{number:03d}-1", section="五（二）"),
                  claim("unnamed_item", share, kind="share", unit="%", base_measure="expenditure_basic",
                        claim_id=f"c{number:03d}-2", ref=f"c{number:03d}-1", base="c001-1", section="五（二）")]
    return specs


@pytest.mark.parametrize(("items", "verdict"), [
    ((("600.00", "60.00"), ("400.00", "40.00")), "consistent"),
    # 60.00% + 40.00% leave room for a part of at most 0.01% (0.10) the list may omit: 999.90 may be all of it
    ((("600.00", "60.00"), ("399.90", "40.00")), "consistent"),
    ((("600.00", "60.00"), ("390.00", "40.00")), "drift"),
])
def test_items_whose_shares_add_up_to_the_whole_add_up_to_its_total(rules, items, verdict):
    findings = audit(budget_of(items_with_shares("1000.00", *items)), rules("items-with-shares-of-total"))
    assert verdicts(findings) == [verdict]


@pytest.mark.parametrize("specs", [
    items_with_shares("1000.00", ("600.00", "60.00"), ("300.00", "30.00")),  # 90%: the list may leave a part out
    items_with_shares("1000.00", ("1000.00", "100.00")),  # one item is its share's check alone
    # a completion rate's budget is kept as an item: the outturns are no parts of it
    items_with_shares("1000.00", ("600.00", "60.00"), ("400.00", "40.00"), base_kind="item"),
])
def test_items_not_surely_the_whole_list_are_not_summed(rules, specs):
    assert audit(budget_of(specs), rules("items-with-shares-of-total")).empty
