"""A government's budget report (政府预决算, 预算执行情况的报告): no figure is a department's measure, but the
relations its own clauses state about its figures are checked — a change and its percentage, a completion
rate whose budget is printed in it, a share of the one figure the report names as the whole — and every
other figure stays unread with its reason."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract
from budgetkit.messages import text

TITLE = "某区2022年政府预决算相关重要事项说明\n"
EXECUTION = "某县2023年度财政预算执行情况的报告\n"


def _budget(tmp_path: Path, body: str):
    path = tmp_path / "报告.txt"
    path.write_text(body, encoding="utf-8")
    return extract(path)


def _verdicts(budget) -> dict[str, dict[str, str]]:
    """Each claim's verdicts by rule, keyed by the claim's figure as printed (without its unit)."""
    findings = budget.audit()
    figures = budget.claims.set_index("claim_id")["text"]
    found: dict[str, dict[str, str]] = {}
    for claim_id, rule, verdict in zip(findings["claim_id"], findings["rule"], findings["verdict"].astype(str)):
        if isinstance(claim_id, str) and claim_id in figures.index:
            found.setdefault(figures[claim_id], {})[rule] = verdict
    return found


def test_an_items_change_and_its_percentage_are_checked_as_items(tmp_path):
    budget = _budget(tmp_path, TITLE + "一、支出决算说明\n"
                     "（一）201-一般公共服务支出23653万元，较2021年决算数增加2954万元，增长14.27%。\n"
                     "（二）203-国防支出9185万元，较2021年决算数减少87万元，下降8.89%。\n")
    claims = budget.claims
    # no figure is taken for a measure of the department's template
    assert set(claims["measure"]) == {"unnamed_item"}
    assert list(claims["kind"]) == ["item", "change", "change"] * 2
    verdicts = _verdicts(budget)
    assert verdicts["14.27"]["change-from-stated-prior"] == "consistent"  # 2954 ÷ (23653 − 2954)
    assert verdicts["8.89"]["change-from-stated-prior"] == "drift"  # 87 ÷ (9185 + 87) = 0.94%
    assert not budget.extraction.missing_sections  # a department's sections are not expected
    assert text("extract.government-report") in budget.extraction.unchecked  # the summary still says what it is


def test_a_growth_from_nothing_and_a_comparison_with_its_own_year(tmp_path):
    budget = _budget(tmp_path, TITLE + "一、支出决算说明\n"
                     "1、20109-海关事务50万元，较2021年决算数增加50万元，增长100%。\n"
                     "2、20123-民族事务156万元，与2022年决算数持平。\n")
    unread = budget.extraction.unparsed
    assert list(unread.loc[unread["figure"] == "100", "reason"]) == [
        text("extract.unread-government-percentage-from-nothing")]
    assert _verdicts(budget)["持平"]["comparison-year"] == "text"  # 2022 compared with 2022


def test_a_completion_rate_is_the_outturn_over_the_budget_printed_in_it(tmp_path):
    budget = _budget(tmp_path, EXECUTION + "一、一般公共预算收入执行情况\n"
                     "2023年全县财政总收入完成545876万元，完成年初预算收入计划552200万元的98.9%，"
                     "完成调整预算收入计划550000万元的99.3%，完成预算的97%，同比增长4%。\n")
    claims = budget.claims.set_index("text")
    assert (claims.loc["98.9", "ref_claim_id"], claims.loc["99.3", "ref_claim_id"]) == (
        claims.loc["545876", "claim_id"],) * 2
    assert claims.loc["99.3", "base_claim_id"] == claims.loc["550000", "claim_id"]
    verdicts = _verdicts(budget)
    assert verdicts["98.9"]["share-of-named-whole"] == "consistent"  # 545876 ÷ 552200 = 98.85%
    assert verdicts["99.3"]["share-of-named-whole"] == "consistent"  # 99.25% reaches 99.3
    # 完成预算的97%: the budget is not printed, so nothing to divide by
    unread = budget.extraction.unparsed.set_index("figure")["reason"]
    assert unread["97"] == text("extract.unread-government-report")


def test_a_share_is_of_the_one_figure_the_report_names_as_the_whole(tmp_path):
    body = (EXECUTION + "一、一般公共预算收入执行情况\n"
            "2023年全县财政总收入完成545876万元，同比增长4%。"
            "税收收入完成441240万元，同比下降5.2%，税收收入占财政总收入{share}%。\n")
    verdicts = _verdicts(_budget(tmp_path, body.format(share="81")))
    assert verdicts["81"]["share-of-named-whole"] == "consistent"  # 441240 ÷ 545876 = 80.83%
    verdicts = _verdicts(_budget(tmp_path, body.format(share="71")))
    assert verdicts["71"]["share-of-named-whole"] == "drift"


def test_a_share_whose_whole_is_not_one_printed_figure_stays_unread(tmp_path):
    budget = _budget(tmp_path, EXECUTION + "一、一般公共预算收入执行情况\n"
                     "全县财政总收入完成545876万元。县本级财政总收入完成345876万元。"
                     "税收收入完成241240万元，占财政总收入81%。\n")
    unread = budget.extraction.unparsed.set_index("figure")["reason"]
    assert unread["81"] == text("extract.unread-share-without-whole")
    assert not (budget.claims["kind"] == "share").any()


def test_each_figure_is_of_the_year_its_sentence_names(tmp_path):
    budget = _budget(tmp_path, "关于某区2023年预算执行情况和2024年预算草案的报告\n二、2024年预算草案\n"
                     "2024年区级一般公共预算收入安排295亿元，比上年增加12.82亿元，增长4.5%。\n")
    claims = budget.claims
    assert list(claims["year"]) == [2024] * 3 and list(claims["base_year"].dropna()) == [2023, 2023]
    verdicts = _verdicts(budget)
    assert verdicts["4.5"] == {"change-from-stated-prior": "consistent", "comparison-year": "consistent"}


def test_a_completion_rate_may_name_the_budget_of_its_item_printed_before(tmp_path):
    budget = _budget(tmp_path, EXECUTION + "一、一般公共预算收入执行情况\n"
                     "全区一般公共预算收入预期为2013900万元，调整一般公共预算收入预期为1933200万元，"
                     "全区一般公共预算收入决算为1871215万元，完成调整预期的96.8%。\n"
                     "增值税收入633848万元，完成调整预期的95.0%。\n")
    claims = budget.claims.set_index("text")
    assert claims.loc["96.8", "base_claim_id"] == claims.loc["1933200", "claim_id"]  # 调整…预期, not the first
    assert _verdicts(budget)["96.8"]["share-of-named-whole"] == "consistent"  # 1871215 ÷ 1933200 = 96.79%
    # 调整预期 of 增值税收入: the budget printed is 一般公共预算收入's, not its
    assert budget.extraction.unparsed.set_index("figure")["reason"]["95.0"] == text("extract.unread-government-report")


def test_a_named_budget_may_stand_lines_before_its_rate(tmp_path):
    budget = _budget(tmp_path, EXECUTION + "一、一般公共预算收入执行情况\n"
                     "2020年，我区一般公共预算全年收入预期5390000万元。\n"
                     "2020年上半年，我区一般公共预算收入完成2643400万元，完成全年预期的49%，完成年度预算的50%。\n")
    assert _verdicts(budget)["49"]["share-of-named-whole"] == "consistent"  # 2643400 ÷ 5390000 = 49.04%
    # no 年度…预算 of 一般公共预算收入 is printed
    assert budget.extraction.unparsed.set_index("figure")["reason"]["50"] == text("extract.unread-government-report")


def test_an_approximate_figure_is_not_checked(tmp_path):
    budget = _budget(tmp_path, TITLE + "一、支出决算说明\n"
                     "教育支出约9185万元，较2021年决算数增加87万元，增长8.89%。\n"
                     "卫生支出100余万元，较2021年决算数增加20万元，增长25%。\n")
    unread = budget.extraction.unparsed.set_index("figure")["reason"]
    assert (unread["9185"], unread["100"]) == (text("extract.unread-government-approximate"),) * 2
    assert not (budget.claims["kind"] == "change").any()  # nor the changes of those figures


def test_an_amount_printed_with_a_minus_sign_is_not_read(tmp_path):
    # ex-hunan-shaoyang-finance-2021-final-accounts: "上解上级支出-1.83亿元" is no 1.83 to add
    budget = _budget(tmp_path, "关于某市2021年市级决算草案的报告\n"
                               "2021年市级本年支出84.27亿元。加上上解上级支出-1.83亿元,债务还本支出6.69亿元,"
                               "安排预算稳定调节基金0.12亿元,结转下年0.4亿元,支出合计89.65亿元。\n")
    assert "drift" not in set(budget.audit()["verdict"].astype(str))
    unread = budget.extraction.unparsed
    assert list(unread.loc[unread["figure"] == "1.83", "reason"]) == [text("extract.unread-negative-amount")]
