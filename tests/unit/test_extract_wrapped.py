"""Reading prose as printed: a sentence wrapped over lines (a PDF's text saved as .txt), a share whose whole
is named without 的, a comparison that opens its sentence or repeats 同比, the kinds of income and spending
of final accounts, a budget named inside its completion rate — and what is not read for want of certainty."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _verdicts(budget, rule: str) -> list[str]:
    findings = budget.audit()
    return list(findings.loc[findings["rule"] == rule, "verdict"].astype(str))


def _claims(budget, **where):
    """The claims whose columns hold these values (a figure as printed: "62.07")."""
    claims = budget.claims
    for column, value in where.items():
        claims = claims[claims[column].astype(str).str.replace(r"\.?0+$", "", regex=True) == str(value)] \
            if column == "value" else claims[claims[column] == value]
    return claims


def test_a_share_names_its_whole_without_de(tmp_path):
    budget = _budget(tmp_path, "2023年部门预算\n基本支出预算 881300.39 元。其中：工资福利支出预算 716052.51 元，"
                               "占基本支出预算 81.25%。\n")
    share = _claims(budget, kind="share")
    assert list(share["base_measure"]) == ["expenditure_basic"]
    assert _verdicts(budget, "share-of-named-whole") == ["consistent"]  # 716052.51 ÷ 881300.39 = 81.2495%


def test_words_after_zhan_that_name_no_measure_leave_the_share_unread(tmp_path):
    budget = _budget(tmp_path, "2023年部门预算\n项目支出 29700 元，占某某 100%。\n")
    assert _claims(budget, kind="share").empty
    assert "无法判断占比（占）的总数是什么" in set(budget.extraction.unparsed["reason"])


def test_a_sentence_wrapped_over_lines_is_read_on(tmp_path):
    budget = _budget(tmp_path, "2024年部门预算\n"
                               "1. 基本支出预算 2476260.58 元，占一般公共预算支出\n"
                               "的84.06%，同比减少 4966.66 元，下降 0.2%。\n"
                               "资本性支出 31500 元，占基本支出预算 1.27%，同比增\n"
                               "加21500 元，增长 215%。\n")
    share = _claims(budget, kind="share", value="84.06")
    basic = _claims(budget, measure="expenditure_basic", kind="amount")["claim_id"].iloc[0]
    assert share["ref_claim_id"].iloc[0] == basic
    changes = _claims(budget, kind="change")
    assert set(changes["ref_claim_id"]) == {basic, _claims(budget, value="31500")["claim_id"].iloc[0]}
    assert "21500.0000" in set(changes["value"].astype(str))
    assert set(_verdicts(budget, "change-from-stated-prior")) == {"consistent"}  # 21500 ÷ 10000 = 215%


def test_a_figure_wrapped_before_its_unit_takes_the_unit_of_the_next_line(tmp_path):
    budget = _budget(tmp_path, "2023年部门预算\n四、财政拨款收支预算情况说明\n"
                               "支出包括：教育支出 5,806,105.16 元、卫生健康支出 275,373.54\n"
                               "元、住房保障支出 418,288.92 元。\n")
    by_code = _claims(budget, measure="fiscal_expenditure_by_function")
    assert list(by_code["code"]) == ["205", "210", "221"]
    assert list(by_code["label"]) == ["教育支出", "卫生健康支出", "住房保障支出"]


def test_a_table_rendered_as_cells_is_not_read_as_a_wrapped_sentence(tmp_path):
    budget = _budget(tmp_path, "2023年度部门决算\n一、2023年度“三公”经费支出决算表\n单位:万元\n项 目 |\n"
                               "因公出国(境)费 |\n|\n公务接待费 |\n1 |\n0.53 |\n")
    assert budget.claims.empty  # "公务接待费 |" / "1 |": cells of a row, not 公务接待费 of 1万元


def test_parts_listed_under_an_amount_no_measure_names_are_that_amount_s(tmp_path):
    budget = _budget(tmp_path, "2023年部门预算\n五、一般公共预算支出情况说明\n"
                               "初中教育支出 2,065,405.42 元，其中：基本支出\n2,065,405.42 元，项目支出 0元。\n"
                               "2023年基本支出 7,034,418.94 元。\n")
    basic = _claims(budget, measure="expenditure_basic")
    assert list(basic["value"].astype(str)) == ["7034418.9400"]
    assert _claims(budget, measure="expenditure_project").empty
    reasons = budget.extraction.unparsed["reason"]
    assert (reasons == "“其中”所列是前一个未能读取的金额的组成部分，不是本部门的该项数字").sum() == 2


def test_a_percentage_after_tongbi_again_is_the_size_of_the_amount_change(tmp_path):
    budget = _budget(tmp_path, "2018年部门预算\n2018年收入总预算317.6万元，同比增加8.25万元，同比增长2.8%。\n")
    percent = _claims(budget, kind="change", unit="%")
    amount = _claims(budget, kind="change", unit="万元")
    assert percent["base_claim_id"].iloc[0] == amount["claim_id"].iloc[0]
    # 8.25 ÷ (317.6 − 8.25) = 2.67%, not 2.8%
    assert _verdicts(budget, "change-from-stated-prior") != ["consistent"]


def test_a_comparison_that_opens_its_sentence_is_of_the_figure_named_after_it(tmp_path):
    budget = _budget(tmp_path, "2020年度部门决算\n"
                               "2020年一般公共预算财政拨款支出1264.92万元，占本年支出合计的31.45%。与2019年相比，"
                               "一般公共预算财政拨款增加27.44万元，增长2.22%。\n")
    item = _claims(budget, value="1264.92")["claim_id"].iloc[0]
    changes = _claims(budget, kind="change")
    assert list(changes["ref_claim_id"]) == [item, item] and set(changes["base_year"]) == {2019}
    assert _verdicts(budget, "change-from-stated-prior") == ["consistent"]  # 27.44 ÷ 1237.48 = 2.2174%


def test_a_comparison_that_opens_its_sentence_naming_something_else_links_nothing(tmp_path):
    budget = _budget(tmp_path, "2020年度部门决算\n"
                               "2020年一般公共预算财政拨款支出1264.92万元，占本年支出合计的31.45%。与2019年相比，"
                               "某某资金增加27.44万元。\n")
    assert _claims(budget, kind="change").empty


def test_an_aside_or_an_unfilled_share_between_a_figure_and_its_change_names_no_other_subject(tmp_path):
    budget = _budget(tmp_path, "2022年部门预算\n"
                               "2022年“三公”经费支出合计585.53万元（包括基本支出和项目支出安排的经费），同比减少144.92万元。\n"
                               "商品和服务支出预算 75800 元，占基本支出预算%，同比增加52044.27 元，增长 50.63%。\n")
    changes = _claims(budget, kind="change")
    three_public = _claims(budget, measure="three_public_total", kind="total")["claim_id"].iloc[0]
    goods = _claims(budget, value="75800")["claim_id"].iloc[0]
    assert list(changes["ref_claim_id"]) == [three_public, goods, goods]
    # 52044.27 ÷ (75800 − 52044.27) = 219.08%, not 50.63%
    assert "drift" in _verdicts(budget, "change-from-stated-prior")


def test_the_kinds_of_spending_of_final_accounts_are_its_parts(tmp_path):
    budget = _budget(tmp_path, "2022年度部门决算\n三、支出决算情况说明\n"
                               "2022年本年支出合计4143.91万元，其中：基本支出1140.27万元，占27.52%；项目支出3003.64万元，"
                               "占72.48%；上缴上级支出0万元，占0%；经营支出0万元，占0%；对附属单位补助支出0万元，占0%。\n")
    measures = set(_claims(budget, kind="amount")["measure"])
    assert {"accounts_expenditure_superior", "accounts_expenditure_operating",
            "accounts_expenditure_affiliates"} <= measures
    assert _verdicts(budget, "accounts-expenditure-by-kind") == ["consistent"]
    assert _verdicts(budget, "share-of-named-whole") == ["consistent"] * 5


def test_the_year_s_income_of_final_accounts_with_its_kinds(tmp_path):
    budget = _budget(tmp_path, "2017年度部门决算\n二、收入决算情况\n"
                               "2017年度，本单位收入为1687.45万元，其中：一般公共预算财政拨款收入1516.64万元；"
                               "事业收入170.81万元，占10.12%；经营收入0万元；其他收入0万元。\n")
    total = _claims(budget, measure="accounts_income_total")
    assert list(total["value"].astype(str)) == ["1687.4500"]
    assert _verdicts(budget, "accounts-income-by-source") == ["consistent"]
    assert _verdicts(budget, "share-of-named-whole") == ["consistent"]  # 170.81 ÷ 1687.45 = 10.12%


def test_total_income_of_final_accounts_may_hold_the_balances_so_it_is_not_read(tmp_path):
    budget = _budget(tmp_path, "2021年度部门决算\n"
                               "（一）本单位2021年度总收入581.45万元，其中本年收入390.55万元。\n")
    assert list(_claims(budget, kind="total")["value"].astype(str)) == ["390.5500"]


def test_a_budget_named_inside_its_completion_rate_is_held_against_the_outturn_before_it(tmp_path):
    budget = _budget(tmp_path, "2023年度部门决算\n"
                               "2023年度“三公”经费财政拨款支出决算为62.07万元，完成全年预算84.82万元的73.2%，"
                               "比上年决算数增加38.97万元，增长168.7%。\n")
    outturn = _claims(budget, value="62.07")["claim_id"].iloc[0]
    rate = _claims(budget, kind="share")
    assert list(rate["ref_claim_id"]) == [outturn]
    assert list(_claims(budget, claim_id=rate["base_claim_id"].iloc[0])["label"]) == ["全年预算"]
    assert set(_claims(budget, kind="change")["ref_claim_id"]) == {outturn}
    assert _verdicts(budget, "share-of-named-whole") == ["consistent"]  # 62.07 ÷ 84.82 = 73.18%
    assert _verdicts(budget, "change-from-stated-prior") == ["consistent"]  # 38.97 ÷ 23.10 = 168.70%


def test_a_share_left_without_its_figure_is_unfilled_template_text(tmp_path):
    budget = _budget(tmp_path, "2022年部门预算\n商品和服务支出预算 75800 元，占基本支出预算%，同比增加52044.27 元。\n"
                               "项目 | 金额 | 占比（%） |\n")
    findings = budget.audit()
    unfilled = findings[(findings["rule"] == "unfilled-template-text") & (findings["verdict"].astype(str) == "text")]
    assert list(unfilled["explanation"]) == ["第 2 行有未填写的模板文字“占基本支出预算%”。"]


def test_a_percentage_on_the_next_line_is_the_size_of_the_amount_change_that_ended_the_line(tmp_path):
    budget = _budget(tmp_path, "2021年度部门决算\n"
                               "1.一般公共预算财政拨款收入382.17万元，为市本级财政当年拨付的资金。较2020年度决算数减少157.86万元，下降\n"
                               "29.2%，主要原因是军休人员自然减员，减少下拨相应的离退休费、生活补助及其他经费和抚恤金。\n")
    percent = _claims(budget, kind="change", unit="%")
    assert percent["base_claim_id"].iloc[0] == _claims(budget, kind="change", unit="万元")["claim_id"].iloc[0]
    assert _verdicts(budget, "change-from-stated-prior") == ["consistent"]  # 157.86 ÷ 540.03 = 29.23%


def test_an_item_listed_under_the_total_of_its_line_is_a_share_of_that_total(tmp_path):
    budget = _budget(tmp_path, "2020年度部门决算\n"
                               "2020年一般公共预算财政拨款支出1264.92万元，主要用于以下方面：社会保障和就业支出67.64万元，占5.35%；"
                               "卫生健康支出1196.48万元，占94.59%；农林水支出0.8万元，占0.06%。\n")
    total = _claims(budget, measure="gpb_expenditure_total")
    assert list(total["kind"]) == ["total"]
    assert set(_claims(budget, kind="share")["base_claim_id"]) == {total["claim_id"].iloc[0]}
    assert _verdicts(budget, "share-of-named-whole") == ["consistent"] * 3


def test_a_government_s_own_notice_reads_its_whole_government_figures(tmp_path):
    text = ("{title}\n2017年全市“三公”经费的预算总额为2,310万元，其中，安排公务接待费1,336万元；安排公务用车费1,054万元，"
            "其中公务用车运行维护费1,054万元，公务用车购置0万元；安排因公出国（境）费20万元。\n")
    own = _budget(tmp_path, text.format(title="开远市2017年“三公”经费预算情况说明"))
    assert _verdicts(own, "three-public-parts") == ["drift"]  # 20 + 1336 + 1054 = 2410, not 2310
    assert _verdicts(own, "official-vehicle-costs") == ["consistent"]
    department = _budget(tmp_path, text.format(title="开远市财政局2017年部门预算"))
    assert department.extraction.unparsed["figure"].tolist() == ["2,310"]  # the city's, in a department's document


def test_a_sum_of_a_government_s_units_is_the_government_s(tmp_path):
    budget = _budget(tmp_path, "经绵竹市财政局汇总，2025年全市行政单位使用财政拨款安排“三公”经费预算总额为1969万元，"
                               "较2024年的2190万元减少221万元，下降10.1%；其中：因公出国（境）经费40万元；公务接待费242万元；"
                               "公务用车购置及运行维护费1687万元。\n")
    assert _verdicts(budget, "three-public-parts") == ["consistent"]
    # 1969 − 2190 = −221, and the percentage of the prior its own sentence prints: 221 ÷ 2190 = 10.09%
    assert _verdicts(budget, "change-from-stated-prior") == ["consistent", "consistent"]
    percent = _claims(budget, kind="change", unit="%")
    assert _claims(budget, claim_id=percent["base_claim_id"].iloc[0])["year"].tolist() == [2024]


def test_a_listed_part_read_without_its_unit_leaves_the_total_unsummed(tmp_path):
    budget = _budget(tmp_path, "2024年部门预算\n三、收支预算情况说明\n"
                               "2024年收入预算合计100.50万元，其中：一般公共预算拨款收入60.25万元，政府性基金预算收入40.25。\n")
    total = _claims(budget, kind="total")
    assert list(total["qualifier"]) == ["parts-unread"]
    assert "drift" not in set(budget.audit()["verdict"].astype(str))  # 60.25 alone is not the 100.50
