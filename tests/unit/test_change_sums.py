"""A total's change against its parts' changes (sum rules with ``of = "change"``): "合计…同比减少X万元，
其中：…同比减少Y万元 …" holds only when the parts' changes add up to the total's."""

from __future__ import annotations

import pytest

from budgetkit.audit import RulesError, load_rules
from budgetkit.extract import extract
from budgetkit.messages import using_language

RULES = ("three-public-parts-changes", "official-vehicle-costs-changes")
TITLE = "某区2019年度“三公”经费公开说明\n"


def change_sums(tmp_path, body: str) -> dict[str, list[tuple[str, str]]]:
    """The rows of the two change-sum rules for a document of ``body``: rule → [(verdict, explanation)]."""
    path = tmp_path / "说明.txt"
    path.write_text(TITLE + body, encoding="utf-8")
    with using_language("zh"):
        findings = extract(path).audit()
    mine = findings[findings["rule"].isin(RULES)]
    return {rule: [(str(v), str(e)) for v, e in zip(group["verdict"], group["explanation"])]
            for rule, group in mine.groupby("rule", sort=False)}


def test_a_part_left_out_of_the_totals_change_is_drift(tmp_path):
    # the 接待 decrease 0.11 is not in the total's 144.92; the vehicles' 144.92 is in neither of its parts
    found = change_sums(tmp_path, (
        "三公经费支出合计585.53万元，同比减少144.92万元。其中：因公出国（境）经费0万元，同比减少0万元。"
        "公务用车购置及运行费585.53万元，同比减少144.92万元（公务用车购置费0万元，同比减少0万元；"
        "公务用车运行维护费585.53万元，同比减少0万元）。公务接待费0.00万元，同比减少0.11万元。\n"))
    assert found == {
        "three-public-parts-changes": [
            ("drift", "各项的变动（减少记为负数）相加 0 + -0.11 + -144.92 = -145.03，不等于合计的变动 -144.92。")],
        "official-vehicle-costs-changes": [
            ("drift", "各项的变动（减少记为负数）相加 0 + 0 = 0，不等于合计的变动 -144.92。")]}


def test_changes_that_add_up_hold_and_unchanged_is_zero(tmp_path):
    found = change_sums(tmp_path, (
        "2019年“三公”经费预算总额为1969万元，较2018年的2190万元减少221万元，下降10.1%；其中：因公出国（境）经费"
        "40万元，较上年持平；公务接待费242万元，较上年减少12万元，下降4.7%；公务用车购置及运行维护费1687万元，"
        "较上年减少209万元，下降11%。\n"))
    assert found == {"three-public-parts-changes": [
        ("consistent", "各项的变动（减少记为负数）0 + -12 + -209 = -221，与合计的变动 -221 在舍入范围内相符。")]}


def test_a_part_without_a_change_is_not_evaluated(tmp_path):
    found = change_sums(tmp_path, (
        "三公经费支出合计35万元，比上年减少2.28万元。其中：因公出国（境）费0万元；公务用车购置及运行维护费5万元，"
        "比上年减少0.28万元；公务接待费30万元，比上年减少2万元。\n"))
    assert found == {}


def test_a_part_not_stated_this_year_is_not_evaluated(tmp_path):
    # no 因公出国 this year: it may have had a prior year, so the total's change need not be the two others'
    found = change_sums(tmp_path, (
        "三公经费支出合计35万元，比上年减少3万元。其中：公务用车购置及运行维护费5万元，比上年减少1万元；"
        "公务接待费30万元，比上年减少2万元。\n"))
    assert found == {}


def test_changes_on_the_budget_and_on_the_outturn_are_not_added(tmp_path):
    body = ("三公经费支出合计35万元，比上年预算减少3万元。其中：因公出国（境）费0万元，比上年{word}减少1万元；"
            "公务用车购置及运行维护费5万元，比上年预算减少1万元；公务接待费30万元，比上年预算减少2万元。\n")
    assert change_sums(tmp_path, body.format(word="决算")) == {}
    assert [verdict for verdict, _ in change_sums(tmp_path, body.format(word="预算"))["three-public-parts-changes"]] \
        == ["consistent"]


@pytest.mark.parametrize(("entry", "field"), [
    ('of = "amount"\ntotal = "three_public_total"\nparts = ["three_public_overseas"]', ".of"),
    ('of = "change"\nover = "classification"\nmeasure = "appropriation_by_function"', ".of"),
    ('of = "change"\ntotal = "three_public_total"\nparts = ["three_public_overseas"]\nexhaustive = false', ".of"),
    ('of = "change"\ntotal = "three_public_total"\nparts = ["three_public_overseas"]\nbase_words = "预算"',
     ".base_words"),
])
def test_a_change_sum_rule_that_cannot_be_evaluated_is_refused(tmp_path, entry, field):
    path = tmp_path / "rules.toml"
    path.write_text(f'[[rule]]\nid = "x"\nkind = "sum"\nreason = "r"\n{entry}\n', encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    assert [str(p.field) for p in raised.value.problems] == [f"rule 'x'{field}"]


def test_a_collection_finds_the_change_sums_each_budget_finds(tmp_path):
    from budgetkit.collection import from_budgets

    bodies = {"drift": ("三公经费支出合计35万元，比上年减少3.00万元。其中：因公出国（境）费0万元，比上年减少1.00万元；"
                        "公务用车购置及运行维护费5万元，比上年减少1.00万元；公务接待费30万元，比上年减少2.00万元。\n"),
              "bases": ("三公经费支出合计35万元，比上年预算减少4万元。其中：因公出国（境）费0万元，比上年决算减少1万元；"
                        "公务用车购置及运行维护费5万元，比上年预算减少1万元；公务接待费30万元，比上年预算减少2万元。\n")}
    budgets = {}
    for name, body in bodies.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(TITLE + body, encoding="utf-8")
        budgets[name] = extract(path)
    columns = ["rule", "verdict", "claim_id", "stated", "computed", "explanation", "inputs"]
    with using_language("zh"):
        together = from_budgets([(name, budget, "") for name, budget in budgets.items()]).audit()
        for name, budget in budgets.items():
            alone = budget.audit()
            mine = together[(together["budget_id"] == name) & together["rule"].isin(RULES)]
            assert mine[columns].astype(str).values.tolist() == \
                alone[alone["rule"].isin(RULES)][columns].astype(str).values.tolist()
    assert together[together["rule"].isin(RULES)]["budget_id"].tolist() == ["drift"]
    assert together[together["rule"].isin(RULES)]["verdict"].astype(str).tolist() == ["drift"]  # -1.00 - 1.00 - 2.00 ≠ -3.00
