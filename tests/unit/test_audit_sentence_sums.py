"""A sum a government's budget report adds up in a sentence ("…收入1549911万元。加上…916296万元，…以及…
120000万元，收入总量为3565272万元"): the total against the item added to and every figure added."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetkit.extract import extract

RULE = "government-sum-of-sentence"
REPORT = "关于某区2023年预算执行情况和2024年预算草案的报告\n一、2023年预算执行情况\n（一）一般公共预算执行情况\n"


def _budget(tmp_path: Path, body: str):
    path = tmp_path / "报告.txt"
    path.write_text(REPORT + body + "\n", encoding="utf-8")
    return extract(path)


def _sums(budget) -> dict[str, str]:
    """The verdict of each sum of a sentence, by its total as printed."""
    findings = budget.audit()
    findings = findings[findings["rule"] == RULE]
    figures = budget.claims.set_index("claim_id")["text"]
    return {figures[claim]: str(verdict) for claim, verdict in zip(findings["claim_id"], findings["verdict"])}


INCOME = ("全区一般公共预算收入1549911万元，为调整预算的101.9%，比2022年增长8.0%。加上市级财政税收返还和补助收入"
          "916296万元（含特殊转移支付60000万元），上年结转收入、调入资金等969065万元，以及地方政府一般债务转贷收入"
          "120000万元，收入总量为{total}万元。")


@pytest.mark.parametrize(("total", "verdict"), [("3555272", "consistent"), ("3565272", "drift")])
def test_the_item_before_and_every_figure_added_make_the_total(tmp_path, total, verdict):
    # 1549911 + 916296 + 969065 + 120000 = 3555272; the 60000 in brackets is part of the 916296, not added
    budget = _budget(tmp_path, INCOME.format(total=total))
    assert _sums(budget) == {total: verdict}
    parts = budget.claims[budget.claims["ref_claim_id"].notna()]
    assert list(parts["text"]) == ["1549911", "916296", "969065", "120000"]


def test_the_item_added_to_may_open_the_sentence_of_the_sum(tmp_path):
    # the completion rate's budget (76.35) is not what is added to
    body = ("一般公共预算支出76.14亿元，完成调整预算76.35亿元的99.7%，加上地方政府一般债务还本支出6.89亿元，"
            "结转下年支出1.81亿元，支出总计84.84亿元。2024年一般公共预算总收入预计为104.05亿元。")
    assert _sums(_budget(tmp_path, body)) == {"84.84": "consistent"}


@pytest.mark.parametrize("body", [
    # 减: the sentence subtracts
    "全区一般公共预算支出300万元。加上上解支出50万元，减去债务还本支出20万元，支出总量为330万元。",
    # 其中: the figures are parts of one another, not addends
    "全区一般公共预算收入300万元。加上转移支付收入50万元，其中专项转移支付20万元，收入总量为350万元。",
    # two items before: which one is added to is unsure
    "全区一般公共预算收入300万元，政府性基金收入100万元。加上转移支付收入50万元，收入总量为350万元。",
    # the total names 支出, the item before is a 收入
    "全区一般公共预算收入300万元。加上上解支出50万元，支出总量为350万元。",
    # a bare 合计 names nothing to add to
    "全区一般公共预算收入300万元。加上转移支付收入50万元，合计为350万元。",
    # a figure added that is not read
    "全区一般公共预算收入300万元。加上转移支付收入约50万元，收入总量为350万元。",
])
def test_a_sentence_not_surely_a_sum_is_not_summed(tmp_path, body):
    budget = _budget(tmp_path, body)
    assert _sums(budget) == {}
    assert budget.claims["ref_claim_id"].isna().all()
