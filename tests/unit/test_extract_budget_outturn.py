"""Final accounts state the year's budget beside its outturn: the two are different quantities, and what is
compared with the budget is no change on a prior year. Where the text cannot tell which is which, nothing is read."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract


def _budget(tmp_path: Path, text: str):
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path)


def _verdicts(findings, rule: str) -> list[str]:
    return list(findings.loc[findings["rule"] == rule, "verdict"].astype(str))


def test_a_table_printing_the_budget_beside_the_outturn_is_not_read_as_text(tmp_path):
    budget = _budget(tmp_path, "某区图书馆2021年度部门决算\n"
                               "一、2021年度“三公”经费支出决算表\n"
                               "编制单位:某馆 金额单位:万元\n"
                               "项目 | 预算数 | 决算数 |\n"
                               "公务接待费 | 0.95 | 0.39 |\n"
                               "公务用车购置及运行费 | 2.10 | 1.37 |\n"
                               "二、2021年度“三公”经费支出决算情况说明\n"
                               "公务接待费支出决算0.39万元；公务用车购置及运行维护费支出决算1.37万元。\n")
    findings = budget.audit()
    assert "drift" not in set(findings["verdict"].astype(str))  # 0.95 and 2.10 are the budget, not the outturn
    unread = budget.extraction.unparsed
    column = unread[unread["reason"].str.contains("预算数和决算数")]
    assert sorted(column["figure"]) == ["0.39", "0.95", "1.37", "2.10"]
    claims = budget.claims
    assert list(claims.loc[claims["measure"] == "three_public_reception", "value"].astype(str)) == ["0.3900"]


def test_a_comparison_with_the_year_s_own_budget_is_no_change_on_a_prior_year(tmp_path):
    budget = _budget(tmp_path, "某区图书馆2021年度部门决算\n"
                               "1.因公出国(境)费支出决算0万元,与2021年度预算相比持平,持平的原因是2021年未安排因公出国(境)计划。\n")
    claims = budget.claims
    change = claims[claims["kind"] == "change"]
    assert list(change["base_measure"]) == ["unnamed_item"] and list(change["base_year"]) == [2021]
    findings = budget.audit()
    assert _verdicts(findings, "comparison-year") == []  # not "a 2021 figure compared with 2021"
    # the reason's 未安排 is no figure of its own, restating the outturn
    assert list(claims.loc[claims["measure"] == "three_public_overseas", "kind"]) == ["amount", "change"]


def test_a_budget_before_the_outturn_is_another_quantity_and_its_change_is_held_against_it(tmp_path):
    budget = _budget(tmp_path, "某镇2021年度部门决算\n"
                               "2021年我镇“三公”经费预算为20万元,其中:因公出国(境)费0万元,公务接待费9万元,"
                               "公务用车运行维护费11万元,公务用车购置0万元。\n"
                               "2021年“三公”经费支出共计9.07万元,较年初预算数减少10.93万元,下降54.65%, "
                               "较上年支出数减少0.71万元,下降7.83%。\n")
    claims = budget.claims
    stated = claims[claims["kind"].isin(["amount", "total"])]
    assert list(stated["value"].astype(str)) == ["9.0700"]  # 20 is the budget: no statement of the outturn
    unread = budget.extraction.unparsed
    assert sorted(unread.loc[unread["reason"].str.contains("预算的组成部分"), "figure"]) == ["0", "0", "11", "9"]
    findings = budget.audit()
    assert "drift" not in set(findings["verdict"].astype(str))
    on_prior = findings[findings["rule"] == "change-from-stated-prior"].set_index("claim_id")["verdict"].astype(str)
    by_figure = dict(zip(claims["claim_id"], claims["text"]))
    verdicts = {by_figure[claim]: verdict for claim, verdict in on_prior.items()}
    # 9.07 − 20 = −10.93 and 10.93 ÷ 20 = 54.65%: on the budget; 0.71 ÷ 9.78 = 7.26%, but 0.71 ÷ 9.07 = 7.83%
    assert verdicts == {"10.93": "consistent", "54.65": "consistent", "7.83": "semantic"}


def test_a_change_on_the_year_s_budget_outside_final_accounts_is_not_read(tmp_path):
    budget = _budget(tmp_path, "某局2024年部门预算\n"
                               "2024年“三公”经费预算为20万元,较年初预算数减少10.93万元。\n")
    unread = budget.extraction.unparsed
    assert list(unread.loc[unread["reason"].str.contains("不是决算"), "figure"]) == ["10.93"]


def test_a_numbered_heading_names_the_item_of_the_bare_words_after_it(tmp_path):
    budget = _budget(tmp_path, "某馆2022年“三公”经费预算\n"
                               "二、2022三公经费支出预算情况说明\n"
                               "2022年三公经费支出预算4.30万元。其中因公出国(境)费0万元,公务接待费1.90万元,"
                               "公务用车购置及运行费2.40万元。具体情况如下:\n"
                               "(一)因公出国(境)费。支出预算0万元,与2021年相比持平。\n"
                               "(二)公务接待费。支出预算1.90万元,与2021年相比持平。\n")
    claims = budget.claims
    assert list(claims.loc[claims["line"] == 5, "measure"]) == ["three_public_reception"] * 2
    findings = budget.audit()
    assert "drift" not in set(findings["verdict"].astype(str)) and "semantic" not in set(findings["verdict"].astype(str))


def test_changes_listed_after_qizhong_are_compared_with_the_year_of_their_sentence(tmp_path):
    budget = _budget(tmp_path, "某局2020年“三公”经费决算公开\n"
                               "“三公”经费财政拨款支出决算为358.18万元,其中:因公出国(境)费决算为0万元;"
                               "公务用车购置及运行维护费支出决算为316.57万元;公务接待费支出决算为41.61万元。\n"
                               "2020年度“三公”经费财政拨款支出决算数比2019年度减少233.34万元,下降39.45%,其中:"
                               "因公出国(境)费支出决算减少69.08万元,下降100%;公务用车购置及运行维护费支出决算减少135.28万元,"
                               "下降29.94%;公务接待费支出决算减少28.98万元,下降41.05%。因公出国(境)费支出减少的主要原因是"
                               "2020年由于疫情,未安排因公出国(境)事项。\n")
    claims = budget.claims
    changes = claims[(claims["kind"] == "change") & (claims["unit"] == "%")]
    assert list(changes["base_year"]) == [2019] * 4
    assert list(changes["measure"]) == ["three_public_total", "three_public_overseas", "three_public_vehicles",
                                        "three_public_reception"]
    findings = budget.audit()
    assert set(_verdicts(findings, "change-from-stated-prior")) == {"consistent"}
    assert not ((claims["line"] == 3) & (claims["text"] == "未安排")).any()  # a reason, not a figure
