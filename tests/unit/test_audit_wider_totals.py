"""A 三公 total whose own list also names 会议费 and 培训费 is a wider sum than the template's: those items are
its parts too, and a change of it, which may be of either whole, is not evaluated (the 鄂城 2022 notice)."""

import budgetkit
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
