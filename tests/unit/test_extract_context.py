"""What extraction reads of a figure depends on its context: an excerpt that begins inside a sentence,
a percentage change beside a prior year printed elsewhere, the grand total of final accounts."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit.extract import extract


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def test_an_excerpt_that_begins_inside_a_sentence_leaves_that_sentence_unread(tmp_path):
    budget = _budget(tmp_path, "19816.81元，项目支出0元。主要用于人员经费保障。\n"
                               "2024年项目支出469500元，占一般公共预算支出的19.62%。\n")
    claims = budget.claims
    project = claims[(claims["measure"] == "expenditure_project") & (claims["kind"] == "amount")]
    assert list(project["value"].astype(str)) == ["469500.0000"]
    unread = budget.extraction.unparsed
    headless = unread[unread["reason"] == "文件从这句话中间开始，无法判断其中数字所指"]
    assert list(headless["figure"]) == ["19816.81", "0"]
    findings = budget.audit()
    assert not (findings["rule"] == "same-figure-restated").any()  # 469500 is not held against a 0 of unknown context


def test_a_percentage_change_is_taken_of_the_prior_year_the_document_prints(tmp_path):
    budget = _budget(tmp_path, "2022年部门预算\n"
                               "2021年公务用车运行费用7.73万元。\n"
                               "2022年公务用车运行费用10万元，较上年增加3.27万元，增长29.37%。\n")
    claims = budget.claims.set_index("claim_id")
    percent = claims[(claims["unit"] == "%") & (claims["kind"] == "change")]
    assert len(percent) == 1
    prior = claims.loc[percent["base_claim_id"].iloc[0]]
    assert (prior["year"], str(prior["value"])) == (2021, "7.7300")
    findings = budget.audit().set_index("claim_id")
    by_rule = findings.reset_index().set_index(["claim_id", "rule"])["verdict"].astype(str)
    assert by_rule[(percent.index[0], "change-from-stated-prior")] == "consistent"  # 2.27 ÷ 7.73 = 29.37%
    assert "drift" in set(findings["verdict"].astype(str))  # the amount change 3.27 against 10 − 7.73 = 2.27


@pytest.mark.parametrize("label", ["收入支出总计", "收、支总计"])
def test_the_grand_total_of_final_accounts_is_its_own_measure(tmp_path, label):
    budget = _budget(tmp_path, "2024年度部门决算\n"
                               f"2024年度{label}16369.38万元。\n"
                               "2024年度本年收入合计16358.74万元，其中：一般公共预算财政拨款收入11092.27万元，"
                               "占收入合计的67.76%。\n")
    claims = budget.claims
    grand = claims[claims["measure"] == "accounts_grand_total"]
    assert list(grand["kind"]) == ["total"] and list(grand["value"].astype(str)) == ["16369.3800"]
    share = budget.audit()
    share = share[share["rule"] == "share-of-named-whole"]
    # 11092.27 ÷ 16358.74 is 67.81%; the stated 67.76% fits the grand total 16369.38 instead: semantic, not drift
    assert list(share["verdict"].astype(str)) == ["semantic"]
    assert "16369.38" in share["explanation"].iloc[0]


@pytest.mark.parametrize("compared", ["较上年", "相较于上年", "相较上年"])
def test_a_change_on_the_year_before_is_read_however_the_comparison_is_worded(tmp_path, compared):
    budget = _budget(tmp_path, "2022年部门预算\n"
                               "2021年公务用车运行费用7.73万元。\n"
                               f"2022年公务用车运行费用10万元，{compared}增加3.27万元。\n")
    claims = budget.claims
    change = claims[(claims["kind"] == "change") & (claims["unit"] == "万元")]
    assert list(change["value"].astype(str)) == ["3.2700"] and list(change["base_year"]) == [2021]
