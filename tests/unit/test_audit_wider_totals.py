"""A 三公 total whose own list also names 会议费 and 培训费 is a wider sum than the template's: those items are
its parts too. A change of it, which may be of either whole, is the difference of two totals listed as widely;
one that fits only the difference of the 三公 proper is of another whole (the 鄂城 2022 notice,
ex-hubei-echeng-finance-2022-three-public r01–r03); with no prior total so listed it is not evaluated."""

import pytest

import budgetkit
from budgetkit.audit import RulesError, load_rules
from budgetkit.audit.unevaluated import unevaluated_relations

NOTICE = ("鄂城区2022年“三公”经费决算情况说明\n\n"
          "鄂城区2022年的“三公”经费决算数合计为1000.86万元，其中：因公出国（境）费0万元、公务用车购置费399.25万元、"
          "公务用车运行维护费472.38万元、公务接待费43.77万元、会议费34.10万元、培训费51.37万元。\n\n"
          "2022年“三公”经费决算数相较于上年增加275.76万元。\n")


def _checked(tmp_path, text):
    path = tmp_path / "notice.txt"
    path.write_text(text, encoding="utf-8")
    budget = budgetkit.load(path)
    findings = budget.audit()
    return findings, unevaluated_relations(budget, findings)


def _changes(tmp_path, text):
    findings, _ = _checked(tmp_path, text)
    return findings[findings["rule"] == "wider-total-change"]


def test_a_total_listing_meeting_and_training_is_the_sum_of_its_whole_list(tmp_path):
    findings, unevaluated = _checked(tmp_path, NOTICE)
    summed = findings[findings["rule"] == "three-public-parts"]
    # 0 + 399.25 + 472.38 + 43.77 + 34.10 + 51.37 = 1000.87, within the rounding of 1000.86
    assert summed[["claim_id", "verdict", "computed"]].astype(str).values.tolist() == [
        ["c003-1", "consistent", "1000.87"]]
    assert not (findings["rule"] == "implied-prior-agrees").any()
    assert dict(zip(unevaluated["claim_id"], unevaluated["reason"])) == {"c005-1": "whole-not-identified"}


def test_a_wrong_item_of_that_list_is_drift(tmp_path):
    findings, _ = _checked(tmp_path, NOTICE.replace("培训费51.37", "培训费61.37"))
    summed = findings[findings["rule"] == "three-public-parts"]
    assert summed[["verdict", "computed"]].astype(str).values.tolist() == [["drift", "1010.87"]]


def test_the_same_total_without_them_is_still_summed(tmp_path):
    plain = NOTICE.replace("、会议费34.10万元、培训费51.37万元", "").replace("1000.86", "915.40")
    findings, _ = _checked(tmp_path, plain)
    verdicts = findings.loc[findings["rule"] == "three-public-parts", "verdict"].tolist()
    assert verdicts == ["consistent"]


#: the notice with the prior year's total listed as widely, and the change to be filled
TWO_YEARS = NOTICE.replace("培训费51.37万元。", "培训费51.37万元。2021年的三公经费决算数合计为807.95万元，其中：因公出国（境）费0万元、"
                           "公务用车购置费272.53万元、公务用车运行维护费327.67万元、公务接待费39.43万元、会议费121.61万元、"
                           "培训费46.71万元。").replace("275.76", "{change}")


def test_a_change_that_fits_only_the_template_whole_is_of_another_whole(tmp_path):
    findings, unevaluated = _checked(tmp_path, TWO_YEARS.format(change="275.76"))
    found = findings[findings["rule"] == "wider-total-change"]
    # 1000.86 − 807.95 = 192.91; (0 + 399.25 + 472.38 + 43.77) − (0 + 272.53 + 327.67 + 39.43) = 275.77 ± 0.03
    assert found[["claim_id", "verdict", "computed"]].astype(str).values.tolist() == [
        ["c005-1", "semantic", "192.91"]]
    assert "(0 + 399.25 + 472.38 + 43.77) − (0 + 272.53 + 327.67 + 39.43) = 275.77" in found["explanation"].iloc[0]
    assert "会议费、培训费" in found["explanation"].iloc[0]
    assert "c005-1" not in set(unevaluated["claim_id"])


def test_a_change_of_the_two_totals_is_consistent(tmp_path):
    found = _changes(tmp_path, TWO_YEARS.format(change="192.91"))
    assert found["verdict"].tolist() == ["consistent"]


def test_a_change_that_fits_neither_whole_is_drift(tmp_path):
    found = _changes(tmp_path, TWO_YEARS.format(change="300.00"))
    assert found["verdict"].tolist() == ["drift"]
    assert "275.77" in found["explanation"].iloc[0] and "192.91" in found["explanation"].iloc[0]


def test_a_prior_total_not_listed_as_widely_is_not_compared(tmp_path):
    # the 2021 total lists the 三公 alone: 639.63 is another whole than 2022's, whichever the change is of
    narrow_prior = TWO_YEARS.replace("、会议费121.61万元、培训费46.71万元", "").replace("807.95", "639.63")
    findings, unevaluated = _checked(tmp_path, narrow_prior.format(change="275.76"))
    assert not (findings["rule"] == "wider-total-change").any()
    assert dict(zip(unevaluated["claim_id"], unevaluated["reason"])) == {"c005-1": "whole-not-identified"}


def test_a_prior_list_without_a_part_of_the_template_is_not_compared(tmp_path):
    # no 公务接待费 in 2021's list: the 三公 proper of that year is not known
    partial = TWO_YEARS.replace("、公务接待费39.43万元", "")
    found = _changes(tmp_path, partial.format(change="275.76"))
    assert found.empty


def test_a_wider_total_change_rule_names_sum_rules_that_can_be_wider(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "s"\nkind = "sum"\ntotal = "t"\nparts = ["a", "b"]\nreason = "r"\n\n'
                    '[[rule]]\nid = "c"\nkind = "change"\nbasis = "wider-total"\nwider_sums = ["s"]\nreason = "r"\n',
                    encoding="utf-8")
    with pytest.raises(RulesError, match="rule 'c'.wider_sums.s"):
        load_rules(path)
    path.write_text('[[rule]]\nid = "c"\nkind = "change"\nbasis = "wider-total"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="rule 'c'.wider_sums"):
        load_rules(path)
