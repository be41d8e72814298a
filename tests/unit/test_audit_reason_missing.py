"""A 决算's completion rate that is not 100% asks for its reason (决算数小于预算数的主要原因…): one left out of its
paragraph is a text finding; a rate of 100%, a headline whose 其中 items give theirs, and a government report's
收入完成… are not asked."""

import budgetkit

HEAD = "测试局2024年度部门决算\n七、“三公”经费财政拨款支出决算情况说明\n"
RATE = "“三公”经费财政拨款支出年初预算为2.85万元，支出决算为{outturn}万元，完成预算的{rate}%。"
REASON = "决算数小于预算数的主要原因：严格控制“三公”经费支出。"


def _reason_rows(tmp_path, body):
    path = tmp_path / "决算.txt"
    path.write_text(HEAD + body + "\n", encoding="utf-8")
    found = budgetkit.load(path).audit()
    return found[found["rule"] == "reason-given"]


def test_a_rate_without_its_reason_is_a_text_finding(tmp_path):
    rows = _reason_rows(tmp_path, RATE.format(outturn="0.39", rate="13.68"))
    assert rows["verdict"].astype(str).tolist() == ["text"]
    assert "第 3 行" in rows["explanation"].iloc[0] and "13.68%" in rows["quote"].iloc[0]
    # the finding names the rate it asks the reason of, so the workbook and the report can point at it
    claims = budgetkit.load(tmp_path / "决算.txt").claims
    rate = claims[claims["kind"].eq("share") & claims["text"].eq("13.68")]
    assert rows["claim_id"].tolist() == rate["claim_id"].tolist() and len(rate) == 1


def test_a_reason_in_the_paragraph_or_on_the_line_after_is_given(tmp_path):
    for body in (RATE.format(outturn="0.39", rate="13.68") + REASON,
                 RATE.format(outturn="0.39", rate="13.68") + "\n" + REASON):
        assert _reason_rows(tmp_path, body)["verdict"].astype(str).tolist() == ["consistent"]


def test_a_whole_rate_and_a_headline_with_items_are_not_asked(tmp_path):
    assert _reason_rows(tmp_path, RATE.format(outturn="2.85", rate="100")).empty
    headline = ("2024年一般公共预算支出决算数为1264.92万元，完成预算59.7%。其中：\n"
                "1.行政运行（项）：支出决算为67.64万元，完成预算89.53%，决算数小于预算数的主要原因是人员减少。")
    assert _reason_rows(tmp_path, headline)["verdict"].astype(str).tolist() == ["consistent"]
    report = "税收收入完成169975万元，完成预算98%，同比增长6%。"
    assert _reason_rows(tmp_path, report).empty
