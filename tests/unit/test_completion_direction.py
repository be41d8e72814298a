"""A completion rate against the direction its sentence states (check completion-direction): the rate taken as
the interval its printed decimals stand for (98% is [97.5, 98.5)) must be able to be on the side of 100% the words
say (决算数大于预算数: above; 小于: below; 持平: holding it); else a text finding naming both. And the document-year
patterns read a text printed in traditional characters the same (both checks fold the line before matching)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from budgetkit import load
from budgetkit.audit import audit
from budgetkit.messages import using_language
from builders import budget_of

ROOT = Path(__file__).resolve().parents[2]
TIANSHUI = ROOT / "tests" / "corpus" / "documents" / "ex-gansu-tianshui-kindergarten-2017-final-accounts.txt"


@pytest.fixture
def direction_rules(bundled_rules):
    return [rule for rule in bundled_rules if rule.id == "completion-direction"]


def _findings(rules, raw_text: str, year: int = 2024, kind: str = "final-accounts") -> pd.DataFrame:
    budget = dataclasses.replace(budget_of([], raw_text=raw_text), year=year, prior_year=year - 1, document_kind=kind)
    return audit(budget, rules)


def _verdicts(rules, raw_text: str) -> list[str]:
    return _findings(rules, raw_text)["verdict"].tolist()


@pytest.mark.parametrize("line, verdict", [
    ("教育支出1595.95万元，完成年初预算98%，决算数大于预算数，主要原因：人员增加。", "text"),  # at most 98.5%
    ("教育支出1595.95万元，完成年初预算100%，决算数大于预算数，主要原因：人员增加。", "consistent"),  # up to 100.5%
    ("一般公共预算财政拨款支出完成年初预算的99.5%，决算数大于预算数10.00万元。", "text"),  # [99.45, 99.55)
    ("一般公共预算财政拨款支出完成105%，决算数小于预算数，主要原因是项目推迟。", "text"),  # at least 104.5%
    ("一般公共预算财政拨款支出完成调整预算的100%，决算数小于预算数。", "consistent"),  # from 99.5%
    ("支出决算为62.07万元，完成全年预算84.82万元的73.2%，决算数低于预算数。", "consistent"),
    ("支出决算数为1264.92万元，决算数为预算数的100.6%，决算数小于预算数。", "text"),  # [100.55, 100.65)
])
def test_a_rate_is_held_against_the_direction_its_sentence_states(direction_rules, line, verdict):
    assert _verdicts(direction_rules, line) == [verdict]


def test_a_finding_names_the_rate_its_interval_and_the_words(direction_rules):
    line = "教育支出1595.95万元，完成年初预算98%，决算数大于预算数，主要原因：人员增加。"
    (row,) = _findings(direction_rules, "一、收入支出决算总体情况说明\n" + line).itertuples()
    assert row.rule == "completion-direction" and row.verdict == "text"
    assert row.quote == "完成年初预算98%，决算数大于预算数"
    for shown in ("第 2 行", "98%", "97.5%", "98.5%", "高于 100%", "“决算数大于预算数”"):
        assert shown in row.explanation, shown
    with using_language("en"):
        english = _findings(direction_rules, line)["explanation"].item()
    assert "cannot be above 100%" in english and "97.5%" in english


@pytest.mark.parametrize("line, verdict", [
    ("行政运行支出决算为1092.80万元，完成年初预算的 97.97%。决算数小于预算数的主要原因是厉行节约。", "consistent"),
    ("行政运行支出决算为1092.80万元，完成年初预算的 101.20%。决算数小于预算数的主要原因是厉行节约。", "text"),
    ("住房公积金支出决算为54.53万元，完成年初预算的100.00%。决算数同预算数持平。", "consistent"),
    ("住房公积金支出决算为54.53万元，完成年初预算的98.00%。决算数与预算数持平。", "text"),  # 100 is not in it
])
def test_the_direction_may_open_the_next_sentence(direction_rules, line, verdict):
    assert _verdicts(direction_rules, line) == [verdict]


@pytest.mark.parametrize("line", [
    "支出决算为110.00万元，完成年初预算的××%，决算数大于（小于）预算数。",  # the template, left unfilled
    "支出决算为110.00万元，完成年初预算的98%，比上年增长5%。决算数大于上年决算数。",  # no direction from its budget
    "支出决算为110.00万元，较上年增长5%，决算数大于预算数10万元。",  # a change, not a completion rate
    "基本支出72.00万元，占60%，决算数大于预算数。",  # a share of a whole, not of a budget
])
def test_no_rate_or_no_direction_from_its_budget_is_not_evaluated(direction_rules, line):
    assert _findings(direction_rules, line).empty


@pytest.mark.parametrize("line", [
    "完成年初預算98%，決算數大于預算數，主要原因：人員增加。",  # traditional characters
    "完成年初預(yù)算98%,決算數(shù)大于預(yù)算數(shù),主要原因:人員增加。",  # and pinyin after some, as printed
    "完成年初预算９８％，决算数大于预算数。",  # full-width digits and per cent
])
def test_a_line_in_traditional_characters_or_with_pinyin_is_read_the_same(direction_rules, line):
    found = _findings(direction_rules, line)
    assert found["verdict"].tolist() == ["text"]
    assert found["quote"].item() in line  # the words as printed


def test_the_corpus_rate_of_a_whole_percent_admits_a_small_excess(direction_rules):
    """tianshui line 17: 教育支出1595.95万元 "完成年初预算100%，决算数大于预算数" — a budget from 1595.95 / 1.005 =
    1588.01 up to 1595.95 prints 100%: consistent, as is line 16 (the rate's own arithmetic is the share rule's)."""
    budget = load(TIANSHUI)
    found = audit(budget, direction_rules)
    assert found["verdict"].tolist() == ["consistent", "consistent"]
    assert [e.split("：")[0] for e in found["explanation"]] == ["第 16 行", "第 17 行"]
    # about the rate's claim where the rate was claimed (line 17's was reported unread: it names no budget)
    assert found["claim_id"].fillna("").tolist() == ["c016-4", ""]
    assert all("99.5%" in e and "100.5%" in e for e in found["explanation"])
    lines = budget.raw_text.split("\n")
    assert found["quote"].iloc[1] in lines[16] and "預(yù)算" in found["quote"].iloc[1]


# -- the document's own year, in traditional characters ----------------------------------------------------------

@pytest.fixture
def own_year_rules(bundled_rules):
    return [rule for rule in bundled_rules if rule.id in ("scope-year", "explained-change-year")]


@pytest.mark.parametrize("line, year, kind, quoted", [
    ("2．從預算單位構成看，納入本部門2018年部門匯總預算編制範圍的預算單位共計一家。", 2019, "budget",
     "納入本部門2018年部門匯總預算編制範圍"),
    ("2015年衢江區“三公”經費支出決算同比下降的原因主要是：從嚴控制。", 2016, "final-accounts",
     "2015年衢江區“三公”經費支出決算同比下降的原因"),
])
def test_a_document_year_phrase_in_traditional_characters_is_matched(own_year_rules, line, year, kind, quoted):
    budget = dataclasses.replace(budget_of([], raw_text=line), year=year, prior_year=year - 1, document_kind=kind)
    found = audit(budget, own_year_rules)
    assert found["verdict"].tolist() == ["text"]
    assert found["quote"].item() == quoted  # the printed characters, not the folded ones
    fine = dataclasses.replace(budget, raw_text=line.replace(str(year - 1), str(year)))
    assert audit(fine, own_year_rules)["verdict"].tolist() == ["consistent"]
