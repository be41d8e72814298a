"""The data layer's and the collection's messages: Chinese by default, English one switch away, and the
same stable keys (a problem's type, its field) in both."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from budgetkit.audit import RulesError, load_rules
from budgetkit.collection import collection_title, problem_lines, year_over_year_reason
from budgetkit.files import MANIFEST, write_manifest
from budgetkit.messages import using_language
from budgetkit.schema import BudgetDataError, Problem, problem


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("BUDGETKIT_LANG", "zh")


def test_a_problem_is_written_now_and_keeps_its_key():
    found = problem("claims.csv", 3, "value", "data.not-integer", value="'x'")
    assert found == Problem("claims.csv", 3, "value", "'x' 不是整数", "line", "not-integer")
    assert str(found) == "claims.csv 第3行 字段“value”：'x' 不是整数"
    with using_language("en"):
        english = problem("claims.csv", 3, "value", "data.not-integer", value="'x'")
        assert str(english) == "claims.csv, line 3, field 'value': 'x' is not an integer"
    assert english.type == found.type == "not-integer"
    assert str(Problem("budgets", 2, None, "…", counts="row")) == "budgets 表第2行：…"
    assert str(Problem("datapackage.json", None, "budget", "…")) == "datapackage.json 字段“budget”：…"
    assert str(Problem("datapackage.json", None, None, "…")) == "datapackage.json：…"


def test_the_error_counts_its_problems_in_the_language_of_the_moment():
    one = [Problem("a.csv", None, None, "x")]
    assert str(BudgetDataError(one)) == "预算数据有 1 处问题：\n  - a.csv：x"
    with using_language("en"):
        assert str(BudgetDataError(one * 2)).splitlines()[0] == "2 problems in budget data:"
        assert str(BudgetDataError(one)).splitlines()[0] == "1 problem in budget data:"


def test_a_rules_file_names_its_problems_in_chinese_and_english(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nkind = "sum"\ntotal = "a"\nreason = "r"\nbogus = 1\n'
                    '[[rule]]\nid = "y"\nkind = "share-ish"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == "审核规则有问题："
    assert f"  - {path} 字段“rule 'x'.bogus”：不是 sum 类规则的键" in lines
    assert f"  - {path} 字段“rule 'y'.kind”：'share-ish' 不是以下之一：sum, share, change, restatement, bound, classification-bound, text" in lines
    assert f"  - {path} 字段“rule 'x'”：sum 规则须有 total 和 parts，或 over 和 measure" in lines
    with using_language("en"), pytest.raises(RulesError) as english:
        load_rules(path)
    assert str(english.value).splitlines()[0] == "problems in audit rules:"
    assert f"{path}, field 'rule 'x'.bogus': is not a key of a sum rule" in str(english.value)
    # the fields and the types are the same in both languages
    assert ([(p.field, p.type) for p in english.value.problems] == [(p.field, p.type) for p in caught.value.problems]
            == [("rule 'x'.bogus", "not-a-key-of-kind"), ("rule 'x'", "sum-rule-needs"), ("rule 'y'.kind", "not-one-of")])
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    with pytest.raises(RulesError, match="没有定义任何 \\[\\[rule\\]\\]：没有规则的审核什么也不检查"):
        load_rules(tmp_path / "empty.toml")


def test_a_collection_title_counts_its_budgets_departments_and_years():
    def budgets(*rows):  # budgets, as their document_kind says
        return pd.DataFrame(rows, columns=["department", "budget_year"]).assign(document_kind="budget")

    three = budgets(("甲", 2022), ("甲", 2023), ("乙", 2024))
    assert collection_title(three) == "3份预算，2个部门，2022—2024年"
    assert collection_title(budgets(("甲", 2022), ("甲", 2023))) == "2份预算，1个部门，2022—2023年"
    assert collection_title(budgets(("甲", 2024))) == "1份预算，1个部门，2024年"
    assert collection_title(budgets()) == "0份文件，0个部门，年度不详"
    with using_language("en"):
        assert collection_title(three) == "3 budgets of 2 departments, 2022–2024"
        assert collection_title(budgets(("甲", 2022), ("甲", 2023))) == "2 budgets of 1 department, 2022–2023"
        assert collection_title(budgets(("甲", 2024))) == "1 budget of 1 department, 2024"
        assert collection_title(budgets()) == "0 documents of 0 departments, no year"


def test_problem_lines_name_the_source_file_line_and_field():
    problems = pd.DataFrame([
        {"source": "city/a", "file": "city/a/claims.csv", "row": 3, "field": "value", "type": "not-integer",
         "message": "'x' 不是整数"},
        {"source": "city/b.pdf", "file": "city/b.pdf", "row": None, "field": None, "type": "pdf-unreadable",
         "message": "无法读取"},
        {"source": "city/c", "file": "city/c/datapackage.json", "row": None, "field": "budget.year",
         "type": "is-missing", "message": "缺失"},
        {"source": "city/d.txt", "file": "city/d.txt", "row": 4, "field": None, "type": "mixed-encodings",
         "message": "…"},
    ])
    assert problem_lines(problems) == [
        "city/a（city/a/claims.csv 第3行 字段“value”）未读入：'x' 不是整数",
        "city/b.pdf 未读入：无法读取",
        "city/c（city/c/datapackage.json 字段“budget.year”）未读入：缺失",
        "city/d.txt（第4行）未读入：…",
    ]
    with using_language("en"):
        assert problem_lines(problems)[0] == "could not read city/a (city/a/claims.csv, line 3, field 'value'): 'x' 不是整数"
        assert problem_lines(problems)[3] == "could not read city/d.txt (line 4): …"


def test_the_year_over_year_reason_and_the_manifest_are_written_in_the_language_of_the_moment(tmp_path):
    assert "上年" in year_over_year_reason()
    with using_language("en"):
        assert year_over_year_reason().startswith("A department's budget restates last year's figures")
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    write_manifest(tmp_path, [tmp_path / "a.csv"], "某局 2024")
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))["about"].startswith("budgetkit report 写入")
    with using_language("en"):
        write_manifest(tmp_path, [tmp_path / "a.csv"], "某局 2024")
    assert json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))["about"].startswith("The files budgetkit")
