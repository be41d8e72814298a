"""Parts of a whole the text lists only in part: a 款 printed under its 类 by code (201 > 20103) can never
exceed it, whether the list is complete, cut short by 其中 or cut off by the excerpt."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract

TITLE = "某区2022年政府预决算相关重要事项说明\n一、支出决算说明\n"
RULE = "government-item-within-class"


def _budget(tmp_path: Path, body: str):
    path = tmp_path / "说明.txt"
    path.write_text(TITLE + body, encoding="utf-8")
    return extract(path)


def _item(budget, code: str) -> str:
    claims = budget.claims
    return claims.loc[(claims["kind"] == "item") & (claims["code"] == code), "claim_id"].item()


def _bounds(budget) -> dict[str, tuple[str, str]]:
    """Each bounded part's figure as printed: (its verdict, the id of the whole it is held against)."""
    findings = budget.audit()
    figures = budget.claims.set_index("claim_id")["text"]
    mine = findings[findings["rule"] == RULE]
    return {figures[claim]: (str(verdict), inputs)
            for claim, verdict, inputs in zip(mine["claim_id"], mine["verdict"], mine["inputs"])}


def test_each_kuan_of_a_list_cut_off_by_the_excerpt_is_held_against_its_lei(tmp_path):
    budget = _budget(tmp_path, "（一）201-一般公共服务支出23653万元，较2021年决算数增加2954万元，增长14.27%，其中：\n"
                               "1、20103-政府办公厅（室）及相关机构事务9185万元，较2021年决算数增加2686万元。\n"
                               "2、20109-海关事务50万元，较2021年决算数增加50万元。\n"
                               "3、20138-市场监督管理事务2716万元，较2021年决算数")
    codes = budget.claims.loc[budget.claims["kind"] == "item", "code"].tolist()
    assert codes == ["201", "20103", "20109", "20138"]  # codes the reference lacks (20109) keep theirs under 201
    whole = _item(budget, "201")
    assert _bounds(budget) == {"9185": ("consistent", whole), "50": ("consistent", whole),
                               "2716": ("consistent", whole)}


def test_a_kuan_larger_than_its_lei_is_drift_and_a_new_lei_closes_the_list(tmp_path):
    budget = _budget(tmp_path, "（一）201-一般公共服务支出2365万元，其中：\n"
                               "1、20103-政府办公厅（室）及相关机构事务9185万元。\n"
                               "（二）203-国防支出100万元，其中：\n"
                               "1、20306-国防动员50万元。\n")
    bounds = _bounds(budget)
    assert bounds["9185"][0] == "drift"  # 9185 > 2365
    defence = _item(budget, "203")
    assert bounds["50"] == ("consistent", defence)
    assert set(bounds) == {"9185", "50"}  # a 类 is no part of the 类 before it


def test_a_code_printed_with_another_codes_name_is_not_identified(tmp_path):
    budget = _budget(tmp_path, "（一）201-一般公共服务支出23653万元。\n"
                               "1、20103-财政事务99999万元。\n")  # 财政事务 is 20106
    items = budget.claims[budget.claims["kind"] == "item"]
    assert items["code"].isna().tolist() == [False, True]
    assert _bounds(budget) == {}


ACCOUNTS = "某区财政局2022年度部门决算\n二、收入支出决算总体情况说明\n（一）收入决算说明\n"


def _bound_verdicts(tmp_path: Path, body: str) -> dict[str, str]:
    path = tmp_path / "决算.txt"
    path.write_text(ACCOUNTS + body, encoding="utf-8")
    findings = extract(path).audit()
    chosen = findings[findings["rule"].isin(["fiscal-income-within-accounts-income",
                                             "general-budget-within-fiscal-income"])]
    return dict(zip(chosen["rule"], chosen["verdict"].astype(str)))


def test_the_one_part_a_qizhong_names_is_held_against_its_whole(tmp_path):
    # 其中 lists only 财政拨款收入 (and under it only 一般公共预算): no sum, but each part within its whole
    assert _bound_verdicts(tmp_path, "2022年度本年收入合计9,578.17万元，其中：财政拨款收入9,578.17万元，"
                                     "其中：一般公共预算财政拨款收入8,000.00万元。\n") == {
        "fiscal-income-within-accounts-income": "consistent", "general-budget-within-fiscal-income": "consistent"}
    assert _bound_verdicts(tmp_path, "2022年度本年收入合计9,578.17万元，其中：财政拨款收入9,678.17万元。\n") == {
        "fiscal-income-within-accounts-income": "semantic"}


def test_a_share_after_the_fiscal_income_listed_under_the_years_income_is_of_that_income(tmp_path):
    path = tmp_path / "决算.txt"
    path.write_text(ACCOUNTS + "2022年度，本单位收入为1687.45万元，其中：财政拨款收入1516.64万元，占89.88%；"
                               "事业收入170.81万元，占10.12%。\n", encoding="utf-8")
    budget = extract(path)
    shares = budget.claims[budget.claims["kind"] == "share"]
    findings = budget.audit().set_index("claim_id")
    whole = budget.claims.loc[budget.claims["measure"] == "accounts_income_total", "claim_id"].item()
    assert shares["base_claim_id"].tolist() == [whole, whole]  # 1516.64 ÷ 1687.45, as 170.81 ÷ 1687.45
    assert findings.loc[shares["claim_id"], "verdict"].astype(str).tolist() == ["consistent", "consistent"]


def test_a_figure_without_a_code_begins_another_list(tmp_path):
    budget = _budget(tmp_path, "（一）212-城乡社区支出100万元。\n"
                               "（二）政府性基金预算支出5000万元。\n"
                               "1、21208-国有土地使用权出让收入安排的支出4000万元。\n")
    assert _bounds(budget) == {}  # the fund's 21208 is not a part of the general budget's 212
