"""Final accounts (部门决算) said as what they are: a 决算's repr names it 决算, and the completion-rates table lists
every rate with the budget it is of (年初预算, 调整预算, 全年预算, or a 预算 its words do not name), a rate of the budget
a stated difference implies (决算数大于预算数X万元) recomputed on that budget."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from budgetkit import load, tables
from budgetkit.messages import using_language
from builders import budget_of, claim

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "tests" / "corpus" / "documents"


# -- repr ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, zh, en", [
    ("final-accounts", "<决算 测试单位 2024年：", "<测试单位 2024, final accounts: "),
    ("budget", "<预算 测试单位 2024年：", "<测试单位 2024, budget: "),
    ("unknown", "<类型不明 测试单位 2024年：", "<测试单位 2024, kind unknown: "),
])
def test_a_documents_repr_names_its_kind(kind, zh, en):
    budget = dataclasses.replace(budget_of([claim("income_total", "840.99", kind="total")]), document_kind=kind)
    assert repr(budget).startswith(zh)
    with using_language("en"):
        assert repr(budget).startswith(en)


def test_a_real_final_accounts_repr_says_jue_suan():
    budget = load(DOCUMENTS / "ex-gansu-tianshui-kindergarten-2017-final-accounts.txt")
    assert budget.document_kind == "final-accounts"
    assert repr(budget).startswith("<决算 天水市幼儿园 2017年")


# -- the completion-rates table --------------------------------------------------------------------------------------

def _rate(number: int, budget_label: str, budget: str, outturn: str, rate: str) -> list[dict]:
    """A budget, its outturn and the rate of one on the other, claimed as the extractor claims them."""
    ids = [f"c{number:02d}{i}-1" for i in range(3)]
    return [
        claim("unnamed_item", budget, kind="item", label=budget_label, claim_id=ids[0]),
        claim("accounts_expenditure_total", outturn, kind="amount", label="支出决算", claim_id=ids[1]),
        claim("accounts_expenditure_total", rate, kind="share", unit="%", label=f"支出决算占{budget_label}",
              base_measure="unnamed_item", ref=ids[1], base=ids[0], claim_id=ids[2]),
    ]


@pytest.fixture(scope="module")
def hand_made():
    specs = [
        *_rate(1, "支出年初预算", "100.00", "95.00", "95.00"),
        *_rate(2, "支出调整预算", "120.00", "95.00", "79.17"),
        *_rate(3, "全年预算", "84.82", "62.07", "73.2"),
        *_rate(4, "因公出国（境）费预算数", "12.00", "12.00", "90.00"),  # planted: 12.00 / 12.00 is 100%
        *_rate(5, "全县财政总收入", "545876", "441240", "81"),  # a share of a whole, not a completion rate
        # 完成年初预算100%，决算数大于预算数55.93万元: a rate of the budget the difference implies
        claim("gpb_expenditure_total", "1741.75", kind="total", label="一般公共预算财政拨款支出", claim_id="c060-1"),
        claim("gpb_expenditure_total", "55.93", kind="change", label="一般公共预算财政拨款支出决算数大于预算数",
              direction="increase", base_measure="unnamed_item", base_year=2024, ref="c060-1", claim_id="c060-3"),
        claim("gpb_expenditure_total", "100", kind="share", unit="%", label="一般公共预算财政拨款支出完成年初预算",
              base_measure="gpb_expenditure_total", ref="c060-1", base="c060-3", claim_id="c060-2"),
    ]
    budget = dataclasses.replace(budget_of(specs), document_kind="final-accounts")
    return tables.completion_rates(budget)


def test_every_completion_rate_is_listed_with_the_budget_it_is_of(hand_made):
    outturns = hand_made[hand_made["role"] == "outturn"]
    assert list(outturns["budget_kind"]) == ["年初预算", "调整预算", "全年预算", "预算", "年初预算"]
    assert list(outturns["stated_share_pct"]) == [Decimal(v) for v in ("95.00", "79.17", "73.20", "90.00", "100.00")]
    assert list(outturns["recomputed_share_pct"]) == [Decimal(v) for v in ("95.00", "79.17", "73.20", "100.00",
                                                                          "103.00")]
    assert "全县财政总收入" not in set(hand_made["item"])  # 占全县财政总收入81% is a share, not a completion rate
    budgets = hand_made[hand_made["role"] == "budget"]
    assert list(budgets["item"]) == ["支出年初预算", "支出调整预算", "全年预算", "因公出国（境）费预算数"]
    assert list(budgets["budget_kind"]) == ["年初预算", "调整预算", "全年预算", "预算"]


def test_a_rate_of_the_difference_is_recomputed_on_the_budget_it_implies(hand_made):
    difference, outturn = (hand_made[hand_made["claim_ids"].str.startswith(c)].iloc[0] for c in ("c060-3", "c060-1"))
    assert difference["role"] == "change" and difference["stated_wan_yuan"] == Decimal("55.93")
    assert "1741.75 − (55.93) = 1685.82" in difference["recomputed_as"]
    assert outturn["share_of"] == "由所列差额推算的预算数 1685.82万元（c060-3）"
    assert outturn["recomputed_as"] == "1741.75 ÷ 1685.82 × 100"
    assert outturn["verdict"] == "drift"  # 1741.75 / 1685.82 is 103.32%, not 100%


def test_the_real_final_accounts_rates_of_each_budget():
    hukou = tables.completion_rates(load(DOCUMENTS / "ex-jiangxi-hukou-finance-2023-final-accounts.txt"))
    outturns = hukou[hukou["role"] == "outturn"]
    # 完成年初上报县人民代表大会预算收入计划552200万元的98.9%，完成调整预算收入计划550000万元的99.3% …
    # 完成年初预算225630万元的122%，完成调整预算收入计划275000万元的100%
    assert list(outturns["budget_kind"]) == ["预算", "调整预算", "年初预算", "调整预算"]
    assert list(outturns["stated_share_pct"]) == [Decimal(v) for v in ("98.90", "99.30", "122.00", "100.00")]
    assert set(outturns["verdict"]) == {"consistent"}
    tianshui = tables.completion_rates(load(DOCUMENTS / "ex-gansu-tianshui-kindergarten-2017-final-accounts.txt"))
    rate = tianshui[tianshui["role"] == "outturn"].iloc[0]
    assert (rate["budget_kind"], rate["stated_share_pct"], rate["verdict"]) == ("年初预算", Decimal("100.00"), "drift")
    assert rate["share_of"].startswith("由所列差额推算的预算数 1685.82万元")
