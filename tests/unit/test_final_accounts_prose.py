"""The prose of final accounts (部门决算): a budget and an outturn of one item in one sentence are two
quantities, the completion rate (完成预算的X%) is the outturn over the budget, the change after it is the
outturn's on the prior year's, and a reason the template asks for (…的主要原因是…) is not left empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit.extract import extract

TITLE = "某单位2023年度部门决算\n"
THREE_PUBLIC = ("一、“三公”经费支出决算情况说明\n"
                "2023年度“三公”经费支出预算为6.35万元，支出决算为{outturn}万元，完成预算的{rate}%；"
                "较上年增加0.61万元，增长10.63%。\n")


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _verdicts(budget, claim_id: str) -> dict[str, str]:
    findings = budget.audit()
    mine = findings[findings["claim_id"] == claim_id]
    return dict(zip(mine["rule"], mine["verdict"].astype(str)))


def test_a_budget_and_its_outturn_in_one_sentence_are_two_quantities(tmp_path):
    budget = _budget(tmp_path, TITLE + THREE_PUBLIC.format(outturn="6.35", rate="100"))
    claims = budget.claims.set_index("claim_id")
    planned, outturn, rate, change, percent = claims.index[:5]
    assert (claims.loc[planned, "kind"], str(claims.loc[planned, "value"])) == ("item", "6.3500")
    assert (claims.loc[outturn, "measure"], claims.loc[outturn, "kind"]) == ("three_public_total", "total")
    assert "决算" in claims.loc[outturn, "label"]
    # the completion rate is the outturn over the budget
    assert claims.loc[rate, "unit"] == "%"
    assert (claims.loc[rate, "ref_claim_id"], claims.loc[rate, "base_claim_id"]) == (outturn, planned)
    assert _verdicts(budget, rate)["share-of-named-whole"] == "consistent"
    # the change after it is the outturn's: its percentage is of the prior year it implies (6.35 − 0.61)
    assert claims.loc[change, "ref_claim_id"] == outturn and claims.loc[percent, "ref_claim_id"] == outturn
    assert "consistent" in _verdicts(budget, percent).values()


def test_a_completion_rate_its_figures_contradict_is_drift(tmp_path):
    budget = _budget(tmp_path, TITLE + THREE_PUBLIC.format(outturn="6.00", rate="100"))
    rate = budget.claims[budget.claims["unit"] == "%"]["claim_id"].iloc[0]
    assert _verdicts(budget, rate)["share-of-named-whole"] == "drift"  # 6.00 ÷ 6.35 = 94.49%


def test_traditional_characters_read_alike(tmp_path):
    text = ("某單位2023年度部門決算\n一、“三公”經費支出決算情況說明\n"
            "2023年度“三公”經費支出預算為6.35萬元,支出決算為6.35萬元,完成預算的100%;較上年增加0.61萬元,增長10.63%。\n")
    claims = _budget(tmp_path, text).claims
    assert list(claims["kind"])[:3] == ["item", "total", "share"]
    assert (claims["measure"] == "three_public_total").sum() == 4  # the outturn, its rate and both changes


def test_the_outturn_of_a_classified_item_is_its_figure(tmp_path):
    text = (TITLE + "一、一般公共预算财政拨款支出决算具体情况\n"
            "3、社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）。"
            "主要用于：行政事业单位养老保险支出。年初预算为 452.40 万元，支出决算为446.11 万元，完成年初预算的 98.61%。\n")
    budget = _budget(tmp_path, text)
    claims = budget.claims.set_index("claim_id")
    classified = claims[(claims["code"].astype(str) == "2080505") & (claims["unit"] == "万元")]
    assert [str(v) for v in classified["value"]] == ["446.1100"]  # the outturn, not the budget 452.40
    rate = claims[claims["unit"] == "%"].index[0]
    assert claims.loc[rate, "ref_claim_id"] == classified.index[0]
    assert _verdicts(budget, rate)["share-of-named-whole"] == "consistent"  # 446.11 ÷ 452.40 = 98.61%


def test_a_completion_rate_alone_after_its_sentence(tmp_path):
    text = TITLE + "一、情况说明\n年初预算为 0.88 万元，支出决算为 0.80 万元。\n完成年初预算的 100.00%。\n"
    budget = _budget(tmp_path, text)
    rate = budget.claims[budget.claims["unit"] == "%"]["claim_id"].iloc[0]
    assert _verdicts(budget, rate)["share-of-named-whole"] == "drift"  # 0.80 ÷ 0.88 = 90.91%


@pytest.mark.parametrize("sentence, reason", [
    # no outturn beside the budget: which figure the rate divides is not said
    ("2023年度“三公”经费支出预算为6.35万元，完成预算的100%。", "没有与之对应的预算数和决算数"),
    ("其中：因公出国（境）费决算为0.00万元，完成预算的0.00%。", "没有与之对应的预算数和决算数"),
    # a budget of nothing: no base to take the rate of
    ("因公出国（境）费预算为0万元，支出决算为0万元，完成预算的0%。", "预算数为零的完成率"),
])
def test_a_completion_rate_without_its_two_figures_is_not_evaluated(tmp_path, sentence, reason):
    budget = _budget(tmp_path, TITLE + "一、“三公”经费支出决算情况说明\n" + sentence + "\n")
    assert not (budget.claims["unit"] == "%").any()
    unread = budget.extraction.unparsed
    assert unread[unread["figure"].isin(["100", "0", "0.00"]) & unread["reason"].str.contains(reason)].shape[0] == 1
    assert not budget.audit()["verdict"].astype(str).isin(["drift", "semantic"]).any()


def test_the_prior_years_outturn_is_not_the_outturn_a_budget_is_held_against(tmp_path):
    text = TITLE + "一、“三公”经费支出决算情况说明\n“三公”经费支出预算为6.35万元，上年决算为5.74万元，完成预算的90%。\n"
    budget = _budget(tmp_path, text)
    assert not (budget.claims["unit"] == "%").any() and not (budget.claims["kind"] == "item").any()
    assert not budget.audit()["verdict"].astype(str).isin(["drift", "semantic"]).any()


def test_in_a_budget_the_budget_of_the_year_is_its_figure(tmp_path):
    text = ("某单位2024年部门预算\n七、“三公”经费财政拨款预算安排情况说明\n"
            "2024年“三公”经费支出预算为6.35万元，2023年支出决算为5.80万元。\n")
    claims = _budget(tmp_path, text).claims
    total = claims[claims["measure"] == "three_public_total"]
    assert [str(v) for v in total["value"]][:1] == ["6.3500"] and not (claims["kind"] == "item").any()


def _reasons(tmp_path, body: str):
    findings = _budget(tmp_path, TITLE + "一、情况说明\n" + body).audit()
    return findings[findings["rule"] == "reason-given"]


@pytest.mark.parametrize("reason", ["", "：", "：无", "是：暂无"])
def test_an_empty_reason_the_template_asks_for_is_a_text_finding(tmp_path, reason):
    found = _reasons(tmp_path, f"年初预算为 45.00 万元，支出决算为 40.00 万元。决算数小于预算数的主要原因{reason}。\n")
    assert list(found["verdict"].astype(str)) == ["text"]
    assert "主要原因" in found["quote"].iloc[0] and "第 3 行" in found["explanation"].iloc[0]


def test_a_reason_given_or_continued_on_the_next_line_is_consistent(tmp_path):
    found = _reasons(tmp_path, "决算数与预算数持平的主要原因是预算数为调整后的全年预算数。\n"
                               "决算数较上年增加的主要原因：\n接待批次增加。\n")
    assert list(found["verdict"].astype(str)) == ["consistent"]
    assert "2 处" in found["explanation"].iloc[0]


def test_a_reason_of_a_sentence_that_compares_no_outturn_is_not_asked(tmp_path):
    # a budget's change on the prior year: not the final-accounts template's reason
    assert _reasons(tmp_path, "支出预算较上年增加的主要原因是。\n").empty


def test_the_percentage_after_an_unfilled_pair_of_directions_is_the_changes(tmp_path):
    text = (TITLE + "一、“三公”经费支出决算情况说明\n“三公”经费支出预算为2.85万元，支出决算为0.39万元，完成预算的13.68%。"
            "2023年度“三公”经费支出决算数比2022年度减少0.15万元，下降（增长）27.78%。\n")
    budget = _budget(tmp_path, text)
    claims = budget.claims
    percent = claims[(claims["kind"] == "change") & (claims["unit"] == "%")]
    assert list(percent["measure"]) == ["three_public_total"]
    verdicts = _verdicts(budget, percent["claim_id"].iloc[0])
    assert verdicts["change-direction"] == "text"  # 下降（增长）: the template's pair, one of them to be struck out
    assert "consistent" in (verdicts.get("implied-prior-agrees"), verdicts.get("change-from-stated-prior"))


def test_the_totals_of_final_accounts_hold_the_balances_carried_in_and_out(tmp_path):
    """收入总计 of a 决算 is the year's income with the balances carried in, not the year's income: read as
    the year's, 90.00 would be a false restatement of 120.00."""
    budget = _budget(tmp_path, TITLE + "一、收入支出决算总体情况说明\n"
                     "2023年度收入总计120.00万元，支出总计120.00万元。收入总计包括本年收入90.00万元，"
                     "年初结转和结余30.00万元。支出总计包括本年支出80.00万元，年末结转和结余40.00万元。\n")
    measures = dict(zip(budget.claims["text"], budget.claims["measure"]))
    assert measures == {"120.00": "accounts_grand_total", "90.00": "accounts_income_total",
                        "30.00": "accounts_opening_balance", "80.00": "accounts_expenditure_total",
                        "40.00": "accounts_closing_balance"}
    findings = budget.audit()
    assert set(findings["verdict"].astype(str)) == {"consistent"}
    assert {"accounts-grand-total-sources", "accounts-grand-total-uses"} <= set(findings["rule"])


def test_a_budget_followed_by_the_years_outturn_is_not_read_when_the_kind_is_not_told(tmp_path):
    # ex-hunan-taojiang-county-2019-three-public: no title says 决算, yet the sentence holds the budget against
    # the outturn of its own year; 44.52 is neither the outturn nor the total of its parts
    budget = _budget(tmp_path, "2019年度“三公”经费财政拨款支出预算为44.52万元,2019年实际支出“三公经费”决算为"
                               "22.62万元。其中公务接待费为20.10万元,占88.86%;公务用车运行维护费为2.52万元,占11.14%。\n")
    findings = budget.audit()
    assert "drift" not in set(findings["verdict"].astype(str))
    assert "44.52" in set(budget.extraction.unparsed["figure"])
    assert list(budget.claims.loc[budget.claims["measure"] == "three_public_total", "text"].astype(str)) == ["22.62"]


def test_a_budget_followed_by_another_years_outturn_is_still_read(tmp_path):
    budget = _budget(tmp_path, "2019年“三公”经费财政拨款支出预算为44.52万元,2018年决算为40.12万元。\n")
    assert "44.52" not in set(budget.extraction.unparsed["figure"])


def test_the_three_public_total_of_all_the_districts_departments_is_no_departments_total(tmp_path):
    # ex-hubei-echeng-finance-2022-three-public: the parts listed are of the district's 1000.86万; the 区直 total
    # is not the sum of them
    budget = _budget(tmp_path, "2022年的“三公\"经费决算数合计为1000.86万,其中:因公出国(境)费0万元、公务用车购置费"
                               "399.25万元、公务用车运行维护费472.38万元、公务接待费43.77万元、会议费34.10万元、"
                               "培训费51.37万元。\n"
                               "2022年区直财政拨款资金安排“三公”经费决算数为736.40万元。\n")
    assert "drift" not in set(budget.audit()["verdict"].astype(str))
    assert "736.40" in set(budget.extraction.unparsed["figure"])


def test_a_vulgar_fraction_is_no_figure(tmp_path):
    # found by the fuzz test (tests/integration/test_extract.py): "00000¼万元" wrote a claim whose text was '¼'
    budget = _budget(tmp_path, "某单位\n\n2024年部门预算编制说明\n一、基本职能及主要工作\n\n（一00000¼万元）主要职责是：\n")
    assert "¼" not in set(budget.claims["text"].astype(str))
