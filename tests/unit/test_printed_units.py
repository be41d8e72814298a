"""The report states a finding's figures in the unit its document printed them in, exactly."""

from decimal import Decimal

from budgetkit.audit import audit
from budgetkit.report.pages import audit_markdown, in_printed_units
from builders import budget_of, claim


def _yuan_budget():
    # 梧州 2023: 一般公共预算基本支出 911000.39 元 = 人员经费 809961.19 + 公用经费 71339.2 (29700 short)
    return budget_of([claim("gpb_basic_total", "911000.39", kind="total", unit="元", section="六"),
                      claim("basic_personnel", "809961.19", unit="元", section="六"),
                      claim("basic_public", "71339.2", unit="元", section="六")])


def test_money_compared_in_wan_yuan_is_shown_in_yuan():
    budget = _yuan_budget()
    findings = audit(budget)
    drift = findings[findings["verdict"] == "drift"]
    assert drift["unit"].tolist() == ["万元"] and drift["stated"].iloc[0] == Decimal("91.100039")
    shown = in_printed_units(drift, budget.claims).iloc[0]
    assert (shown["unit"], shown["stated"], shown["computed"], shown["difference"]) == (
        "元", Decimal("911000.39"), Decimal("881300.39"), Decimal("29700"))
    assert findings["unit"].tolist() == in_printed_units(findings, budget.claims)["unit"].replace("元", "万元").tolist()
    assert "所列 911000.39元；重算 881300.39元；差额 29700.00元" in audit_markdown(budget, findings)


def test_figures_printed_in_wan_yuan_are_left_as_they_are():
    budget = budget_of([claim("gpb_basic_total", "91.10", kind="total", section="六"),
                        claim("basic_personnel", "80.99", section="六"), claim("basic_public", "7.13", section="六")])
    findings = audit(budget)
    assert in_printed_units(findings, budget.claims) is findings
