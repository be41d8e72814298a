"""A completion rate checked against the budget the stated difference implies: "支出总计1741.75万元，…；
完成年初预算100%，决算数大于预算数55.93万元" — the budget is 1741.75 − 55.93 = 1685.82, so the rate is 103.32%.
The difference is a change of the outturn on its year's own budget, never on a prior year."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit.extract import extract

TITLE = "某单位2017年度部门决算\n三、一般公共预算财政拨款支出决算情况\n"
SENTENCE = ("2017年度，本单位一般公共预算财政拨款支出总计1741.75万元，与上年相比减少53.7万元，降低2.99%；"
            "完成年初预算{rate}%，决算数{word}预算数{difference}万元，主要原因：职工工资调标。\n")


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _claims_and_findings(tmp_path: Path, **fields):
    budget = _budget(tmp_path, TITLE + SENTENCE.format(**fields))
    return budget.claims.set_index("claim_id"), budget.audit()


def _rate_and_difference(claims):
    rate = claims.index[(claims["unit"] == "%") & (claims["kind"] == "share")][0]
    return rate, claims.loc[rate, "base_claim_id"]


@pytest.mark.parametrize("rate, word, difference, verdict", [
    ("100", "大于", "55.93", "drift"),        # 1741.75 ÷ 1685.82 = 103.32%
    ("103.32", "大于", "55.93", "consistent"),
    ("96.89", "小于", "55.93", "consistent"),  # 1741.75 ÷ 1797.68 = 96.89%
    ("103.32", "小于", "55.93", "drift"),      # the direction decides the budget
])
def test_the_rate_is_of_the_budget_the_difference_implies(tmp_path, rate, word, difference, verdict):
    claims, findings = _claims_and_findings(tmp_path, rate=rate, word=word, difference=difference)
    rate_id, difference_id = _rate_and_difference(claims)
    outturn = claims.loc[rate_id, "ref_claim_id"]
    assert str(claims.loc[outturn, "value"]) == "1741.7500"
    assert (claims.loc[difference_id, "kind"], str(claims.loc[difference_id, "value"])) == ("change", "55.9300")
    assert claims.loc[difference_id, "ref_claim_id"] == outturn
    mine = findings[(findings["claim_id"] == rate_id) & (findings["rule_kind"] == "share")]
    assert list(mine["verdict"].astype(str)) == [verdict]
    assert "1685.82" in mine["explanation"].iloc[0] or "1797.68" in mine["explanation"].iloc[0]


def test_the_difference_is_not_a_change_on_a_prior_year(tmp_path):
    claims, findings = _claims_and_findings(tmp_path, rate="103.32", word="大于", difference="55.93")
    _, difference_id = _rate_and_difference(claims)
    assert int(claims.loc[difference_id, "base_year"]) == 2017
    # no prior year implied from it, no comparison year or reason year asked of it
    assert findings[findings["claim_id"] == difference_id].empty
    # the change on the prior year keeps its own checks
    assert (findings["rule"] == "comparison-year").sum() == 2


def test_the_rounding_of_the_difference_is_the_tolerance(tmp_path):
    # 1741.75 ÷ (1741.75 − 55.9) = 103.3177…%: 103.32 within the rounding of 55.9 (±0.05)
    claims, findings = _claims_and_findings(tmp_path, rate="103.32", word="大于", difference="55.9")
    rate_id, _ = _rate_and_difference(claims)
    shares = findings[(findings["claim_id"] == rate_id) & (findings["rule_kind"] == "share")]
    assert list(shares["verdict"].astype(str)) == ["consistent"]


@pytest.mark.parametrize("text", [
    # the rate of another sentence than the outturn's
    "本单位一般公共预算财政拨款支出总计1741.75万元。完成年初预算100%，决算数大于预算数55.93万元。\n",
    # the rate names its own subject: not the outturn just read
    "本单位一般公共预算财政拨款支出总计1741.75万元；教育支出完成年初预算100%，决算数大于预算数55.93万元。\n",
    # no amount: nothing to imply the budget from
    "本单位一般公共预算财政拨款支出总计1741.75万元；完成年初预算100%，决算数大于预算数。\n",
])
def test_a_rate_not_of_one_item_in_one_sentence_is_not_read(tmp_path, text):
    claims = _budget(tmp_path, TITLE + text).claims
    assert not (claims["unit"] == "%").any()
    assert not (claims["kind"] == "change").any()


def test_the_changes_table_recomputes_the_budget_the_difference_implies(tmp_path):
    from budgetkit import set_language, tables

    set_language("zh")
    budget = _budget(tmp_path, TITLE + SENTENCE.format(rate="100", word="大于", difference="55.93"))
    frame = tables.accounts_changes(budget)
    recomputed = " ".join(str(v) for v in (frame.data if hasattr(frame, "data") else frame).astype(str).to_numpy().ravel())
    assert "推算预算数 = 1741.75 − (55.93) = 1685.82" in recomputed
    assert "推算 2016年 = 1741.75 − (55.93)" not in recomputed  # never a prior year
