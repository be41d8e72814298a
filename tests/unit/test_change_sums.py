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
        "三公经费支出合计35万元，比上年减少2.28万元。其中：因公出国（境）费1万元；公务用车购置及运行维护费5万元，"
        "比上年减少0.28万元；公务接待费30万元，比上年减少2万元。\n"))
    assert found == {}


def test_a_part_nil_this_year_without_a_change_sets_a_ceiling(tmp_path):
    # 因公出国 0 this year: it fell by what it had or stayed, so the total fell by at least the others' 2.28
    body = ("三公经费支出合计35万元，比上年减少{total}万元。其中：因公出国（境）费0万元；公务用车购置及运行维护费5万元，"
            "比上年减少0.28万元；公务接待费30万元，比上年减少2万元。\n")
    assert change_sums(tmp_path, body.format(total="2.28")) == {"three-public-parts-changes": [(
        "consistent", "所列各项的变动（减少记为负数）相加 -2 + -0.28 = -2.28；因公出国（境）费本年为 0、未列变动，其变动不大于 0："
                      "合计的变动至多为 -2.28，所列 -2.28 相符。")]}
    assert change_sums(tmp_path, body.format(total="3.50"))["three-public-parts-changes"][0][0] == "consistent"
    # 武陵山乡 2020: the total 0.04 below its 年初预算, 公务用车 and 接待 0.04 below theirs each, 出国 spent 0
    fell_less = change_sums(tmp_path, body.format(total="1.28"))["three-public-parts-changes"]
    assert fell_less == [("drift", "所列各项的变动（减少记为负数）相加 -2 + -0.28 = -2.28；因公出国（境）费本年为 0、未列变动，"
                                   "其变动不大于 0：合计的变动至多为 -2.28，而所列为 -1.28。")]


def test_a_second_comparison_of_a_sentence_is_of_what_the_first_is_of(tmp_path):
    """"“三公”经费较上年减少15.29万元，下降49.88%，较年初预算数减少0.04万元": the change on the year's budget is the
    total's, not the last figure read before the sentence (公务接待费)."""
    path = tmp_path / "说明.txt"
    path.write_text("2020年某乡“三公”经费情况说明\n现将某乡2020年度“三公”经费决算情况公布如下：\n"
                    "2020年度“三公”经费15.37万元，其中：因公出国（境）费0万元，公务用车购置及运行维护费14.03万元，"
                    "公务接待费1.34万元。\n"
                    "2020年度“三公”经费较上年减少15.29万元，下降49.88%，较年初预算数减少0.04万元。其中：公务用车购置及"
                    "运行维护费较上年减少2.90万元，较年初预算数减少0.04万元；公务接待费较上年减少12.39万元，较年初预算数"
                    "减少0.04万元。\n", encoding="utf-8")
    budget = extract(path)
    assert budget.document_kind == "final-accounts"  # 决算 once, 较年初预算 three times
    claims = budget.claims
    changes = claims[claims["kind"].eq("change") & claims["line"].eq(4)]
    of = dict(zip(claims["claim_id"], claims["text"]))
    assert [(text, of[ref]) for text, ref in zip(changes["text"], changes["ref_claim_id"])] == [
        ("15.29", "15.37"), ("49.88", "15.37"), ("0.04", "15.37"), ("2.90", "14.03"), ("0.04", "14.03"),
        ("12.39", "1.34"), ("0.04", "1.34")]


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


def test_a_nil_substitute_sets_the_ceiling_of_its_own_total_only(tmp_path):
    # 购置费 0 with no change: a ceiling of the vehicles' change; the 三公 total holds its three parts, not four
    found = change_sums(tmp_path, (
        "三公经费支出合计35万元，比上年减少2.28万元。其中：因公出国（境）费0万元；公务用车购置及运行维护费5万元，比上年减少"
        "0.28万元（公务用车购置费0万元；公务用车运行维护费5万元，比上年减少0.28万元）；公务接待费30万元，比上年减少2万元。\n"))
    assert [verdict for verdict, _ in found["three-public-parts-changes"]] == ["consistent"]
    assert found["official-vehicle-costs-changes"] == [(
        "consistent", "所列各项的变动（减少记为负数）相加 -0.28 = -0.28；公务用车购置费本年为 0、未列变动，其变动不大于 0："
                      "合计的变动至多为 -0.28，所列 -0.28 相符。")]
