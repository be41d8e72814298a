"""The sections expected of a document depend on its kind: final accounts (决算) are told of the sections of
their own template they lack (data/template.toml), never of a budget's (收支预算情况说明 …)."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract
from budgetkit.template import template_sections

FINAL_ACCOUNTS = """某单位2023年度部门决算
一、主要职能
负责本单位职能范围内的工作。
二、部门决算单位构成
本部门决算仅含本级。
三、收入支出决算总体情况说明
2023年度收入支出总计100.00万元。
四、财政拨款收入支出决算总体情况说明
2023年度财政拨款收入支出总计80.00万元。
五、政府性基金预算财政拨款收入支出决算情况说明
本单位2023年度无政府性基金预算财政拨款收入和支出。
六、财政拨款“三公”经费支出决算表
"""


def _missing(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "说明.txt"
    path.write_text(text, encoding="utf-8")
    return extract(path).extraction.missing_sections


def test_final_accounts_are_told_of_their_own_sections_they_lack(tmp_path):
    missing = _missing(tmp_path, FINAL_ACCOUNTS)
    expected = [section.title for section in template_sections("final-accounts")]
    assert missing == [title for title in expected if title in missing]  # in the template's order
    # the sections printed are found: 财政拨款收入支出决算总体 is not 收入支出决算总体, 政府性基金…决算情况说明 not 支出决算情况
    for found in ("主要职能", "部门决算单位构成", "收入支出决算总体情况说明", "财政拨款收入支出决算总体情况说明",
                  "政府性基金预算财政拨款收入支出决算情况说明"):
        assert found not in missing
    # those not printed are told; a table's title (…支出决算表) is no section of the explanation
    for lacking in ("收入决算情况说明", "支出决算情况说明", "一般公共预算财政拨款支出决算情况说明",
                    "财政拨款“三公”经费支出决算情况说明", "名词解释"):
        assert lacking in missing
    assert not any("预算情况说明" in title or "当年拨款" in title for title in missing)


def test_a_budget_is_still_held_against_the_budget_template(tmp_path):
    budget = "某单位2024年部门预算编制说明\n一、基本职能及主要工作\n负责本单位职能范围内的工作。\n"
    missing = _missing(tmp_path, budget)
    assert "三 收支预算情况说明" in missing
    assert not any("决算" in title for title in missing)
