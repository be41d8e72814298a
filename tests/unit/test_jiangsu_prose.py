"""The prose of Jiangsu's provincial template (2017–2019): one 财政拨款 total stated in three sections, the
change of 财政拨款预算支出 named again without 预算, and the 政府采购 categories after 其中."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from budgetkit.audit import audit
from budgetkit.extract import extract
from builders import budget_of, claim

TITLE = "江苏省某厅2018年度部门预算\n"
FISCAL = ("四、财政拨款收支预算总体情况说明\n"
          "某厅2018年度财政拨款收、支总预算{total}万元。与上年相比，财政拨款收、支总计各增加2248.37万元，增长16.47%。\n"
          "五、财政拨款支出预算情况说明\n"
          "某厅2018年财政拨款预算支出{spending}万元，占本年支出合计的100%。"
          "与上年相比，财政拨款支出增加2248.37万元，增长16.47%。\n")
PROCUREMENT = ("十二、政府采购预算情况说明\n"
               "2018年度政府采购支出预算总额{total}万元，其中：拟采购货物支出59万元、拟采购工程支出0万元、"
               "拟购买服务支出2005.25万元。\n")


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _findings(budget, rule: str):
    findings = budget.audit()
    return findings[findings["rule"] == rule]


def _claim(budget, text: str):
    claims = budget.claims
    return claims[claims["label"].str.endswith(text)].iloc[0]


def test_the_three_statements_of_the_fiscal_total_are_one_measure(tmp_path):
    budget = _budget(tmp_path, TITLE + FISCAL.format(total="15897.44", spending="15897.44"))
    total, spending = _claim(budget, "收、支总预算"), _claim(budget, "财政拨款预算支出")
    assert (total["measure"], spending["measure"]) == ("fiscal_total", "fiscal_total")
    restated = _findings(budget, "same-figure-restated")
    assert list(restated["verdict"].astype(str)) == ["consistent"]


def test_a_spending_that_differs_from_the_fiscal_total_is_drift_naming_both(tmp_path):
    budget = _budget(tmp_path, TITLE + FISCAL.format(total="15897.44", spending="15879.44"))
    restated = _findings(budget, "same-figure-restated")
    assert list(restated["verdict"].astype(str)) == ["drift"]
    explanation = restated["explanation"].iloc[0]
    assert "收、支总预算" in explanation and "财政拨款预算支出" in explanation


def test_the_change_naming_the_spending_without_its_budget_word_is_of_it(tmp_path):
    budget = _budget(tmp_path, TITLE + FISCAL.format(total="15897.44", spending="15897.44"))
    spending = _claim(budget, "财政拨款预算支出")
    changes = budget.claims[budget.claims["ref_claim_id"] == spending["claim_id"]]
    assert sorted(changes["unit"]) == ["%", "%", "万元"]  # its share, its change and the change's percentage
    assert not budget.extraction.unparsed["text"].str.contains("财政拨款支出增加").any()


def test_the_general_budget_spending_keeps_its_change_unread(tmp_path):
    # "一般公共预算财政拨款支出预算…，财政拨款支出增加": the change names another quantity than the figure read
    text = TITLE + "八、一般公共预算支出预算情况说明\n某厅2018年一般公共预算财政拨款支出预算15897.44万元，与上年相比，" \
                   "财政拨款支出增加2248.37万元，增长16.47%。\n"
    budget = _budget(tmp_path, text)
    assert budget.claims[budget.claims["kind"] == "change"].empty


def test_fiscal_income_and_fiscal_total_are_one_quantity_where_all_income_is_fiscal(bundled_rules):
    rule = [r for r in bundled_rules if r.id == "fiscal-income-restated"]

    def verdicts(received: str) -> list[str]:
        specs = [claim("income_total", received, kind="total", section="一（一）", claim_id="c004-1"),
                 claim("income_fiscal", "15897.44", kind="total", section="一（一）", claim_id="c005-1"),
                 claim("fiscal_total", "15879.44", kind="total", section="四", claim_id="c007-1")]
        budget = budget_of(specs)
        budget.claims["line"] = pd.array([4, 5, 7], dtype="Int64")
        return list(audit(budget, rule)["verdict"].astype(str))

    # 收入预算总计 = 财政拨款收入预算总计: nothing carried over, so the 财政拨款收、支总预算 is that figure
    assert verdicts("15897.44") == ["drift"]
    # other income beside it, money carried over among it perhaps: the 收、支总预算 may hold more; not compared
    assert verdicts("15997.44") == []


def test_the_procurement_categories_are_its_parts(tmp_path):
    budget = _budget(tmp_path, TITLE + PROCUREMENT.format(total="2064.25"))
    measures = list(budget.claims["measure"])
    assert measures.count("procurement_goods") == measures.count("procurement_works") == 1
    assert measures.count("procurement_services") == 1
    assert set(_findings(budget, "procurement-by-category")["verdict"].astype(str)) == {"consistent"}
    exceeded = _budget(tmp_path, TITLE + PROCUREMENT.format(total="2046.25"))
    assert "consistent" not in set(_findings(exceeded, "procurement-by-category")["verdict"].astype(str))


def test_services_the_government_buys_or_bought_outside_procurement_are_not_its_parts(tmp_path):
    elsewhere = "三、收支预算情况说明\n项目支出预算数为500万元，其中拟购买服务支出3000万元。\n"
    text = TITLE + elsewhere + PROCUREMENT.format(total="2064.25") + "政府购买服务预算120万元。\n"
    budget = _budget(tmp_path, text)
    assert (budget.claims["measure"] == "procurement_services").sum() == 1
    assert set(_findings(budget, "procurement-by-category")["verdict"].astype(str)) == {"consistent"}


def test_the_vehicles_held_in_a_section_of_their_own_bound_their_uses(tmp_path):
    text = TITLE + "十三、国有资产占用情况\n本部门共有车辆{held}辆。其中，一般公务用车13辆、执法执勤用车40辆、其他用车2辆。\n"
    found = _findings(_budget(tmp_path, text.format(held="55")), "owned-vehicles-by-use")
    assert list(found["verdict"].astype(str)) == ["consistent"]
    exceeded = _findings(_budget(tmp_path, text.format(held="35")), "owned-vehicles-by-use")
    assert list(exceeded["verdict"].astype(str)) != ["consistent"] and len(exceeded) == 1


def test_the_net_change_after_its_reasons_is_the_items_again(tmp_path):
    text = TITLE + ("一、收支预算总体情况说明\n（二）支出预算总计2000万元。包括：\n"
                    "2．社会保障和就业（类）支出1289.52万元。\n"
                    "与上年相比减少710.87万元，减少35.54%。主要原因：一是退休人员工资改由社保发放；二是在职人员缴纳"
                    "基本养老保险。增减相抵后与上年相比减少{net}万元。\n")
    budget = _budget(tmp_path, text.format(net="710.87"))
    item = _claim(budget, "社会保障和就业（类）支出")
    changes = budget.claims[(budget.claims["ref_claim_id"] == item["claim_id"]) & (budget.claims["unit"] == "万元")]
    assert list(changes["value"].astype(str)) == ["710.8700", "710.8700"]
    assert set(_findings(budget, "implied-prior-agrees")["verdict"].astype(str)) == {"consistent"}
    differing = _budget(tmp_path, text.format(net="701.87"))
    assert "drift" in set(_findings(differing, "implied-prior-agrees")["verdict"].astype(str))
