"""Three 三公 notices found as real documents read right (tests/corpus: 武陵山乡 2020, 徐圩乡 2020): the vehicles
bought are not those held, a change of a count without its year is no count, an item's name may stand before a
comma ahead of its figure, and a total whose own line lists its parts keeps its sum when the excerpt cuts off a
numbered item that details one of them."""

from pathlib import Path

import budgetkit
from budgetkit.extract import extract

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documents"


def _extracted(tmp_path, body):
    path = tmp_path / "notice.txt"
    path.write_text(body, encoding="utf-8")
    return extract(path)


def test_vehicles_bought_and_a_change_of_the_fleet_are_not_the_fleet(tmp_path):
    budget = _extracted(tmp_path, "武陵山乡2020年“三公”经费决算情况说明\n"
                        "2020年度公务用车购置数0辆，公务用车保有量6 辆。\n"
                        "公务用车运行维护费较上年减少2.90万元，主要是因公车改革，公务用车保有量减少2辆。\n")
    counts = budget.claims[budget.claims["unit"] == "辆"]
    assert counts["text"].tolist() == ["6"]  # 保有量 only: 购置数 is another quantity
    unread = budget.extraction.unparsed.set_index("figure")["reason"]
    assert unread["2"] == budgetkit.messages.text("extract.unread-change-without-year")
    assert not (budget.audit()["verdict"].astype(str) == "drift").any()  # was two false restatements


def test_a_total_that_leaves_out_a_listed_part_is_drift_on_the_real_notice():
    budget = budgetkit.load(CORPUS / "ex-anhui-huaiyuan-xuwei-township-2020-three-public.txt")
    claims = budget.claims.set_index("claim_id")
    # "（三）公务用车购置及运行费预算,35万元": the heading names the figure the comma separates from it
    assert claims.loc["c040-1", "measure"] == "three_public_vehicles"
    # the line of the total lists every part and closes; the item cut off at the end details one of them
    assert claims.loc["c037-1", "qualifier"] != "parts-unread"
    found = budget.audit()
    summed = found[found["rule"] == "three-public-parts"]
    assert summed[["claim_id", "verdict", "computed"]].astype(str).values.tolist() == [
        ["c037-1", "drift", "46.52"]]  # 0 + 11.52 + 35, not 11.52


def test_a_list_cut_off_on_its_own_line_is_still_not_summed(tmp_path):
    budget = _extracted(tmp_path, "某局2020年“三公”经费预算情况说明\n"
                        "2020年“三公”经费支出预算为46.52万元，其中：因公出国（境）费支出预算为0万元，公务接待费支出预算为11.52万元，"
                        "公务用车购置及运行费支出预算为")
    assert budget.claims.set_index("label").loc["“三公”经费支出预算", "qualifier"] == "parts-unread"


def test_a_label_opening_with_a_quotation_keeps_it(tmp_path):
    # sh-putuo-planning-2024-final-accounts: the label was 三公”经费财政拨款支出决算, its opening mark cut
    budget = _extracted(tmp_path, "测试局2024年度部门决算\n七、“三公”经费财政拨款支出决算情况说明\n"
                        "2024年，“三公”经费财政拨款支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%。\n")
    labels = budget.claims.set_index("text")["label"]
    assert labels["0.39"] == "“三公”经费财政拨款支出决算"
    assert labels["13.68"] == "“三公”经费财政拨款支出决算占“三公”经费财政拨款支出年初预算"
