"""The document's own year: phrases that by the template name it (纳入…年部门预算编制范围, X年…同比下降的原因)
are held against the year of the budget or accounts, for one budget and for a collection (check document-year)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from budgetkit.audit import RulesError, audit, load_rules
from budgetkit.collection import Collection
from budgetkit.collection.audit import audit_frames, audit_parquet_folder
from builders import budget_of

OWN_YEAR_RULES = ("scope-year", "explained-change-year")


@pytest.fixture
def own_year_rules(bundled_rules):
    return [rule for rule in bundled_rules if rule.id in OWN_YEAR_RULES]


def _findings(rules, raw_text: str, year: int = 2019, kind: str = "budget") -> pd.DataFrame:
    budget = dataclasses.replace(budget_of([], raw_text=raw_text), year=year, prior_year=year - 1, document_kind=kind)
    return audit(budget, rules)


def test_a_scope_left_from_last_years_template_is_a_text_finding(own_year_rules):
    line = "2．从预算单位构成看，纳入本部门2018年部门汇总预算编制范围的预算单位共计一家。"
    found = _findings(own_year_rules, "一、部门概况\n" + line)
    assert found["verdict"].tolist() == ["text"]
    assert found["rule"].tolist() == ["scope-year"]
    assert "纳入本部门2018年部门汇总预算编制范围" in found["quote"].iloc[0]
    assert "2018" in found["explanation"].iloc[0] and "2019" in found["explanation"].iloc[0]
    fine = _findings(own_year_rules, "一、部门概况\n" + line.replace("2018", "2019"))
    assert fine["verdict"].tolist() == ["consistent"]


def test_the_year_whose_change_is_explained_is_the_documents(own_year_rules):
    line = "2015年衢江区“三公”经费支出决算同比下降的原因主要是:从严控制和压缩“三公”经费。"
    found = _findings(own_year_rules, line, year=2016, kind="final-accounts")
    assert found["verdict"].tolist() == ["text"]
    assert found["rule"].tolist() == ["explained-change-year"]
    assert found["quote"].iloc[0].startswith("2015年衢江区")
    kunming = "。2018年度一般公共预算财政拨款“三公”经费支出决算减少的主要原因是厉行节约。"
    assert _findings(own_year_rules, kunming, year=2018, kind="final-accounts")["verdict"].tolist() == ["consistent"]


def test_a_year_compared_with_or_another_documents_year_is_not_evaluated(own_year_rules):
    compared = "公务接待费支出预算240万元,比2023年预算减少10万元,下降4%,下降原因主要是厉行节约。"
    assert _findings(own_year_rules, compared, year=2024).empty
    # a budget may speak of the prior year's outturn: its 决算 is another document's
    outturn = "纳入本部门2018年部门决算编制范围的单位共一家。"
    assert _findings(own_year_rules, outturn).empty
    # a document of unknown kind: a phrase naming a kind is not held against it
    assert _findings(own_year_rules, "纳入本部门2018年部门预算编制范围。", kind="unknown").empty


def _stale_scopes(long_tables) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """The long tables with a scope of the prior year in each of the first two budgets, the second one's year
    unknown; and the first one's budget_id."""
    budgets, claims, lines = (frame.copy() for frame in long_tables)
    first, second = budgets["budget_id"].astype(str).tolist()[:2]
    years = dict(zip(budgets["budget_id"].astype(str), budgets["budget_year"].astype(int)))
    for budget_id in (first, second):
        at = lines.index[lines["budget_id"].astype(str) == budget_id][0]
        lines.loc[at, "text"] = f"纳入本部门{years[budget_id] - 1}年部门预算编制范围的单位共一家。"
    budgets["document_kind"] = "budget"
    budgets["budget_year"] = pd.array([years[first], None] + [years[b] for b in budgets["budget_id"].iloc[2:]],
                                      dtype="Int64")
    return budgets, claims, lines, first


def test_a_collection_reads_each_budgets_own_year_and_skips_an_unknown_one(synthetic_long_tables, own_year_rules):
    budgets, claims, lines, first = _stale_scopes(synthetic_long_tables)
    found = audit_frames(budgets, claims, lines, own_year_rules, workers=1)
    assert found["budget_id"].astype(str).tolist() == [first]
    assert found["verdict"].tolist() == ["text"]


def test_a_collection_read_from_parquet_reads_each_budgets_own_year(synthetic_long_tables, own_year_rules, tmp_path):
    budgets, claims, lines, first = _stale_scopes(synthetic_long_tables)
    no_line_items = pd.DataFrame({"budget_id": pd.Series([], dtype=str)})
    Collection(budgets, claims, no_line_items, lines).to_parquet(tmp_path / "city")
    found = audit_parquet_folder(tmp_path / "city", own_year_rules, workers=1)
    assert found["budget_id"].astype(str).tolist() == [first]
    assert found["verdict"].tolist() == ["text"]


def test_a_document_year_rule_needs_its_pattern(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nid = "own-year"\nkind = "text"\ncheck = "document-year"\nreason = "x"\n',
                     encoding="utf-8")
    with pytest.raises(RulesError, match="pattern"):
        load_rules(rules)


@pytest.mark.parametrize("pattern, message", [
    ("纳入(?P<year>\\\\d{4}年", "unterminated subpattern"),  # unbalanced: not a pattern at all
    ("纳入\\\\d{4}年", "year"),  # no group that reads the year
])
def test_a_document_year_pattern_is_refused_when_the_rules_load(tmp_path, pattern, message):
    rules = tmp_path / "rules.toml"
    rules.write_text(f'[[rule]]\nid = "own-year"\nkind = "text"\ncheck = "document-year"\nreason = "x"\n'
                     f'pattern = "{pattern}"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(rules)
