"""The reproduced tables: stated figures equal the claims, recomputations are exact, every row's
verdict is the audit's, every claim is shown somewhere, and small budgets give small tables."""

import dataclasses
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from budgetkit import load, tables
from budgetkit.audit import load_rules
from budgetkit.findings import SEVERITY, VERDICTS
from budgetkit.messages import using_language, verdict_name
from budgetkit.numbers import MONEY_UNITS
import synthetic
from builders import budget_of, claim, workbook_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def claims(bundled_budget):
    """The bundled budget's claims by claim_id."""
    return bundled_budget.claims.set_index("claim_id")


@pytest.fixture(scope="module")
def built(bundled_budget, bundled_findings):
    """Every table of the registry built on the bundled budget and its findings."""
    return {name: build(bundled_budget, bundled_findings) for name, build in tables.TABLES.items()}


def ids(frame):
    return [cid for value in frame["claim_ids"] for cid in value.split()]


def note(finding):
    """A finding's note on the rows of its claims, as the tables write it in Chinese."""
    return f"[{verdict_name(str(finding.verdict))}] {finding.rule}：{finding.explanation}"


def printed_value(claims, claim_id):
    """A claim's value at its printed scale, in 万元 for money."""
    row = claims.loc[claim_id]
    value = row["value"]
    if pd.isna(value):
        return None
    if row["unit"] in MONEY_UNITS:
        value = value * MONEY_UNITS[row["unit"]]
    if row["kind"] == "change" and row["direction"] == "decrease":
        value = -value
    return value


# -- the registry ------------------------------------------------------------------------------

def test_registry_keys_are_kebab_case_and_follow_the_document(built):
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", key) for key in tables.TABLES)
    order = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    mains = []
    for frame in built.values():
        tops = frame["section"].str.split("（").str[0]
        mains.append(order.index(tops[tops != ""].mode().iloc[0]))
    assert mains == sorted(mains)


def test_every_claim_is_in_some_table(claims, built):
    shown = {cid for frame in built.values() for cid in ids(frame)}
    assert shown == set(claims.index)


def test_no_plotting_library_is_imported():
    code = "import sys, budgetkit.tables; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# -- stated figures ------------------------------------------------------------------------------

def test_stated_figures_equal_the_claims(claims, built):
    checked = 0
    for name, frame in built.items():
        for row in frame.to_dict("records"):
            for cid in row["claim_ids"].split():
                kind, unit = claims.loc[cid, "kind"], claims.loc[cid, "unit"]
                expected = printed_value(claims, cid)
                if name == "work-targets":
                    column = "target_value"
                elif unit in MONEY_UNITS:
                    column = "stated_wan_yuan"
                elif unit == "%":
                    column = "stated_share_pct" if kind == "share" else "stated_change_pct"
                else:
                    column = "stated_count"
                value = row[column]
                if expected is None:
                    assert pd.isna(value), (name, cid)
                else:
                    assert isinstance(value, Decimal) and value == expected, (name, cid, value, expected)
                checked += 1
    assert checked >= len(claims)


def test_printed_column_keeps_the_figure_as_printed(claims, built):
    training = built["meeting-training-travel"]
    row = training[training["claim_ids"] == claims.index[claims["text"].eq("0.3")][0]].iloc[0]
    assert row["printed"] == "0.3万元" and row["stated_wan_yuan"] == Decimal("0.30")
    assert "持平" in set(built["three-public"]["printed"])


# -- recomputed figures ------------------------------------------------------------------------

def test_totals_are_the_exact_sum_of_the_parts_shown_before_them(built):
    compared = 0
    for name, frame in built.items():
        if "role" not in frame:
            continue
        unit = "wan_yuan" if "stated_wan_yuan" in frame else "count"
        if unit == "count" and "stated_count" not in frame:
            continue
        parts: dict[str, list[Decimal]] = {}
        for row in frame.to_dict("records"):
            if unit == "wan_yuan" and pd.isna(row["stated_wan_yuan"]) and "stated_count" in row:
                unit_here = "count"
            else:
                unit_here = unit
            prefix = row["role"].rsplit(" ", 1)[0] if " " in row["role"] else ""
            if row["role"].endswith("part"):
                parts.setdefault(prefix, []).append(row[f"stated_{unit_here}"])
            elif row["role"].endswith("total") and prefix in parts:
                recomputed = row[f"recomputed_{unit_here}"]
                assert recomputed == sum(parts.pop(prefix), Decimal(0)), (name, row)
                assert row[f"difference_{unit_here}"] == row[f"stated_{unit_here}"] - recomputed
                compared += 1
    assert compared >= 12


def test_known_recomputations_of_the_bundled_budget(built):
    expenditure = built["expenditure-by-kind"].set_index("role")
    assert expenditure.loc["total", "recomputed_wan_yuan"] == Decimal("841.00")
    assert expenditure.loc["total", "difference_wan_yuan"] == Decimal("-0.95")
    structure = built["appropriation-structure"]
    total = structure[structure["role"] == "total"].iloc[0]
    assert total["recomputed_wan_yuan"] == Decimal("841.00") and total["difference_wan_yuan"] == Decimal("-7.95")
    basic = expenditure.loc["part"].iloc[0]
    assert basic["stated_share_pct"] == Decimal("98.46")
    assert basic["recomputed_share_pct"] == Decimal("98.57")
    assert basic["recomputed_share_4dp_pct"] == Decimal("98.5715")
    assert basic["difference_share_pct"] == Decimal("-0.11")
    meeting = built["meeting-training-travel"]
    decrease = meeting[meeting["item"].str.startswith("会议费较")].iloc[0]
    assert decrease["stated_wan_yuan"] == Decimal("-0.30") and decrease["recomputed_wan_yuan"] == Decimal("0.00")


def test_changes_are_current_minus_prior(claims, built):
    for name, frame in built.items():
        if "role" not in frame or "recomputed_wan_yuan" not in frame:
            continue
        for row in frame[frame["role"] == "change"].to_dict("records"):
            change = claims.loc[row["claim_ids"]]
            if pd.isna(row["recomputed_wan_yuan"]):
                assert pd.isna(change["base_claim_id"]) or change["unit"] == "%", (name, row)
                continue
            current, prior = printed_value(claims, change["ref_claim_id"]), printed_value(claims, change["base_claim_id"])
            assert row["recomputed_wan_yuan"] == current - prior


def test_shares_round_half_even_to_the_printed_decimals():
    # 1.25 ÷ 1000 = 0.125 %: half-even gives 0.12 where half-up would give 0.13
    budget = budget_of([
        claim("expenditure_total", "1000.00", kind="total", section="三（二）"),
        claim("expenditure_basic", "998.75", section="三（二）"),
        claim("expenditure_basic", "99.88", kind="share", unit="%", base_measure="expenditure_total",
              section="三（二）"),
        claim("expenditure_project", "1.25", section="三（二）"),
        claim("expenditure_project", "0.13", kind="share", unit="%", base_measure="expenditure_total",
              section="三（二）"),
    ])
    frame = tables.expenditure_by_kind(budget).set_index("item")
    assert frame.loc["expenditure_project", "recomputed_share_pct"] == Decimal("0.12")
    assert frame.loc["expenditure_project", "recomputed_share_4dp_pct"] == Decimal("0.1250")
    assert frame.loc["expenditure_basic", "recomputed_share_pct"] == Decimal("99.88")
    assert frame.loc["expenditure_project", "verdict"] in ("consistent", "rounding")


def test_item_table_rolls_classes_up_from_items(bundled_budget, built):
    frame = built["appropriation-by-item"].set_index("code")
    rollup = bundled_budget.rollup("类").set_index("code")
    for code, row in rollup.iterrows():
        assert frame.loc[code, "stated_wan_yuan"] == row["stated_wan_yuan"]
        assert frame.loc[code, "recomputed_wan_yuan"] == row["from_items_wan_yuan"]
    items = bundled_budget.line_items[bundled_budget.line_items["level"] == "项"]
    for item in items.itertuples():
        assert frame.loc[item.code, "purpose"] == item.purpose
        assert frame.loc[item.code, "stated_wan_yuan"] == item.amount_wan_yuan


# -- audit marks -------------------------------------------------------------------------------

def test_row_verdicts_are_the_worst_audit_verdict_of_their_claims(bundled_findings, built):
    worst: dict[str, str] = {}
    for finding in bundled_findings.itertuples():
        if finding.claim_id:
            current = worst.get(finding.claim_id)
            if current is None or SEVERITY[str(finding.verdict)] > SEVERITY[current]:
                worst[finding.claim_id] = str(finding.verdict)
    for name, frame in built.items():
        for row in frame.to_dict("records"):
            verdicts = [worst[c] for c in row["claim_ids"].split() if c in worst]
            if verdicts:
                expected = max(verdicts, key=SEVERITY.get)
                assert SEVERITY[row["verdict"]] >= SEVERITY[expected], (name, row)
            assert row["verdict"] in (*VERDICTS, tables.UNCHECKED)
            assert (row["finding"] == "") == (row["verdict"] in ("consistent", tables.UNCHECKED)), (name, row)


def test_every_failed_finding_marks_a_row(bundled_findings, built):
    failed = bundled_findings[bundled_findings["verdict"].astype(str) != "consistent"]
    marked = " ".join(" ".join(frame["finding"]) for frame in built.values())
    for finding in failed.itertuples():
        assert note(finding) in marked


def test_known_marks_of_the_bundled_budget(built):
    total = built["expenditure-by-kind"].set_index("role").loc["total"]
    assert total["verdict"] == "drift"
    assert "expenditure-by-kind" in total["finding"] and "balanced-budget" in total["finding"]
    assets = built["state-assets"].set_index("printed")
    assert assets.loc["××", "verdict"] == "text" and "unfilled-template-text" in assets.loc["××", "finding"]
    other = built["other-matters"]
    assert other.loc[other["role"] == "current year", "verdict"].iloc[0] == "semantic"


# -- other budgets -------------------------------------------------------------------------------

def test_an_empty_budget_gives_empty_tables():
    budget = budget_of([])
    for name, build in tables.TABLES.items():
        frame = build(budget)
        assert isinstance(frame, pd.DataFrame) and frame.empty, name
        assert {"verdict", "finding", "claim_ids"} <= set(frame.columns), name


def test_a_small_budget_fills_only_its_sections():
    budget = load(ROOT / "tests" / "data" / "tiny-budget")
    built = {name: build(budget) for name, build in tables.TABLES.items()}
    assert {name for name, frame in built.items() if not frame.empty} == {
        "income-by-source", "expenditure-by-kind", "three-public"}
    income = built["income-by-source"].set_index("role")
    assert income.loc["total", "recomputed_wan_yuan"] == Decimal("100.50")
    assert income.loc["total", "difference_wan_yuan"] == Decimal("-0.50")
    assert income.loc["total", "verdict"] == "drift"
    change = built["three-public"].set_index("role").loc["change"]
    assert change["recomputed_wan_yuan"] == Decimal("0.20") and change["verdict"] == "consistent"
    assert {cid for frame in built.values() for cid in ids(frame)} == set(budget.claims["claim_id"])


def test_synthetic_budgets_show_every_claim_and_mark_every_failure(tmp_path):
    budgets = synthetic.generate(12, seed=3)
    planted = 0
    for path in synthetic.write_packages(budgets, tmp_path):
        budget = load(path)
        findings = budget.audit()
        built = [build(budget, findings) for build in tables.TABLES.values()]
        assert {cid for frame in built for cid in ids(frame)} == set(budget.claims["claim_id"]), path
        marked = " ".join(" ".join(frame["finding"]) for frame in built)
        failed = findings[findings["verdict"].astype(str) != "consistent"]
        planted += len(failed)
        for finding in failed.itertuples():
            assert note(finding) in marked, (path, finding.rule)
    assert planted > 0


def test_money_in_yuan_is_shown_in_wan_yuan():
    budget = budget_of([
        claim("income_total", "1,000,000", kind="total", unit="元", section="三（一）"),
        claim("income_general_budget", "1,000,000", unit="元", section="三（一）"),
    ])
    frame = tables.income_by_source(budget).set_index("role")
    assert frame.loc["total", "stated_wan_yuan"] == Decimal("100")
    assert frame.loc["total", "recomputed_wan_yuan"] == Decimal("100")
    assert frame.loc["part", "printed"] == "1,000,000元"


def test_a_decrease_in_yuan_is_a_negative_change_in_wan_yuan():
    budget = budget_of([
        claim("meeting", "10,000", unit="元", section="八"),
        claim("meeting", "30,000", unit="元", year=2023, section="八"),
        claim("meeting", "20,000", kind="change", unit="元", direction="decrease", base_year=2023,
              ref="c001-1", base="c002-1", section="八"),
    ])
    change = tables.meeting_training_travel(budget).set_index("role").loc["change"]
    assert change["stated_wan_yuan"] == Decimal("-2") and change["recomputed_wan_yuan"] == Decimal("-2")
    assert change["difference_wan_yuan"] == 0 and change["verdict"] == "consistent"


# -- the audit for reading -------------------------------------------------------------------------

def test_findings_by_verdict_groups_the_failures_worst_first(bundled_findings):
    grouped = tables.findings_by_verdict(bundled_findings)
    failed = bundled_findings[bundled_findings["verdict"].astype(str) != "consistent"]
    assert len(grouped) == len(failed)
    order = [SEVERITY[v] for v in grouped.index.get_level_values("verdict")]
    assert order == sorted(order, reverse=True)
    assert {"section", "quote", "explanation"} <= set(grouped.columns)
    drift = tables.findings_by_verdict(bundled_findings, "drift")
    assert list(drift.index.get_level_values("n")) == list(range(1, len(drift) + 1))
    assert len(tables.findings_by_verdict(bundled_findings, include_consistent=True)) == len(bundled_findings)
    with pytest.raises(ValueError, match="verdict 须为 consistent, rounding, text, semantic, drift 之一"):
        tables.findings_by_verdict(bundled_findings, "wrong")
    with using_language("en"), pytest.raises(ValueError, match="verdict must be one of"):
        tables.findings_by_verdict(bundled_findings, "wrong")


def test_ledger_counts_every_rule_and_evaluation(bundled_budget, bundled_findings):
    rules = load_rules(bundled_budget.rules_path)
    frame = tables.ledger(bundled_findings, bundled_budget.rules_path)
    body, total = frame.iloc[:-1], frame.iloc[-1]
    assert list(body["rule"]) == [rule.id for rule in rules] + [
        r for r in dict.fromkeys(bundled_findings["rule"]) if r not in {rule.id for rule in rules}]
    assert total["evaluations"] == len(bundled_findings)
    counts = bundled_findings["verdict"].astype(str).value_counts()
    for verdict in VERDICTS:
        assert total[f"{verdict}_count"] == counts.get(verdict, 0)


# -- display -----------------------------------------------------------------------------------

def test_styled_html_is_deterministic_and_marks_rows(bundled_findings, built):
    frame = built["expenditure-by-kind"]
    first, second = tables.styled(frame).to_html(), tables.styled(frame).to_html()
    assert first == second
    assert "0x" not in repr(tables.styled(frame)) and "0x" not in first
    assert 'class="data row2 col0 verdict-drift"' in first and "&lt;NA&gt;" not in first and "<NA>" not in first
    other = tables.styled(built["income-by-source"]).to_html()
    uuid = re.search(r'id="T_(\w+)"', first).group(1)
    assert uuid not in other
    assert 'id="T_fixed"' in tables.styled(frame, uuid="fixed").to_html()
    grouped = tables.styled(tables.findings_by_verdict(bundled_findings)).to_html()
    assert "verdict-drift" in grouped and "verdict-semantic" in grouped


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<th class="col_heading[^>]*>(.*?)</th>', html)]


def test_styled_shows_chinese_headings_and_names_and_keeps_the_frames_keys(built):
    frame = built["expenditure-by-kind"]
    columns = list(frame.columns)
    html = tables.styled(frame).to_html()
    assert list(frame.columns) == columns  # the frame keeps its column names and keys
    assert headings(html)[:7] == ["部分", "项目", "年度", "类别", "原文所列", "审核结论", "审核说明"]
    assert {"所列数（万元）", "重算数（万元）", "差额（万元）", "重算占比（%，4位小数）", "重算过程"} <= set(headings(html))
    assert ">不符</td>" in html and ">合计</td>" in html and ">分项</td>" in html and ">drift</td>" not in html
    assert 'class="data row2 col0 verdict-drift"' in html  # shading follows the key, whatever the language
    total = frame.set_index("role").loc["total"]
    assert total["verdict"] == "drift" and "[不符] expenditure-by-kind：" in total["finding"]


def test_styled_in_english(bundled_budget, bundled_findings):
    with using_language("en"):
        frame = tables.expenditure_by_kind(bundled_budget, bundled_findings)
        html = tables.styled(frame).to_html()
        ledger = tables.styled(tables.ledger(bundled_findings, bundled_budget.rules_path)).to_html()
    assert headings(html)[:7] == ["section", "item", "year", "role", "as printed", "verdict", "finding"]
    assert "stated (10,000 yuan)" in headings(html) and ">drift</td>" in html and ">total</td>" in html
    assert "[drift] expenditure-by-kind: " in frame.set_index("role").loc["total", "finding"]
    assert {"rule kind", "evaluations", "worst verdict", "drift"} <= set(headings(ledger))
    assert re.search(r">all \d+ rules \(\d+ with something to evaluate\)</td>", ledger)


def test_the_ledger_and_the_findings_read_in_chinese(bundled_budget, bundled_findings):
    frame = tables.ledger(bundled_findings, bundled_budget.rules_path)
    assert re.fullmatch(r"全部 \d+ 条规则（\d+ 条有可检查的内容）", frame.iloc[-1]["rule"])
    assert frame.iloc[-1]["worst_verdict"] == "drift"  # the key stays
    html = tables.styled(frame).to_html()
    assert {"规则", "规则类型", "检查项", "通过", "未通过", "不符（项）", "最重结论"} <= set(headings(html))
    assert ">求和</td>" in html and ">文字</td>" in html
    grouped = tables.styled(tables.findings_by_verdict(bundled_findings)).to_html()
    assert '<th class="index_name level0" >审核结论</th>' in grouped and ">序号</th>" in grouped
    assert re.search(r'<th class="row_heading level0[^"]*"[^>]*>不符</th>', grouped)
    unchecked = tables.styled(tables.work_targets(bundled_budget, bundled_findings)).to_html()
    assert ">未核对</td>" in unchecked


def test_a_budget_without_tables_says_so_in_the_language_of_the_messages():
    budget = dataclasses.replace(budget_of([]), document_kind="budget")
    frame = tables.printed_table(budget)
    assert frame.attrs["title"] == "本预算未读到列有数字的公开表"
    assert "<caption>本预算未读到列有数字的公开表</caption>" in tables.styled(frame).to_html()
    with using_language("en"):
        assert tables.printed_table(budget).attrs["title"] == "no official table with figures was read from this budget"


# -- the official tables' outlines and halves (official_tables.toml: outline, halves) -------------
PROCUREMENT = [["2024年政府采购支出预算表"], ["单位：万元"],
               ["采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"],
               ["合计", "", "", "", "", "100.00"],
               ["一、货物A", "", "", "", "", "40.00"],
               ["", "办公设备购置费", "办公设备购置", "", "", "40.00"],
               ["", "", "", "台式计算机", "分散自行组织", "40.00"],
               ["三、服务C", "", "", "", "", "60.00"],
               ["", "物业管理费", "物业管理费", "", "", "60.00"],
               ["", "", "", "物业管理服务", "分散自行组织", "60.00"]]
BASIC_IN_HALVES = [["2024年一般公共预算财政拨款基本支出决算表"], ["单位：万元"],
                   ["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"],
                   ["301", "工资福利支出", "90.00", "302", "商品和服务支出", "8.00"],
                   ["30101", "基本工资", "90.00", "30201", "办公费", "8.00"],
                   ["303", "对个人和家庭的补助", "10.00", "310", "资本性支出", "2.00"],
                   ["30302", "退休费", "10.00", "31002", "办公设备购置", "2.00"],
                   ["人员经费合计", "人员经费合计", "100.00", "公用经费合计", "公用经费合计", "10.00"]]


def _tables_read(tmp_path, sheet, merged=()):
    """The workbook of one sheet (``merged``: its merged ranges, A1:B2), read and audited: (table_cells,
    findings by rule)."""
    from budgetkit.audit import audit
    from budgetkit.extract import extract

    budget = extract(workbook_of(tmp_path, sheet, merged))
    findings = audit(budget)
    return budget.table_cells, {rule: list(group["verdict"]) for rule, group in findings.groupby("rule")}


def _measures(cells):
    return [(str(row.row_label), str(row.text), row.measure or "") for row in cells.fillna("").itertuples()]


def test_a_procurement_outline_keys_its_categories_and_sums_them(tmp_path):
    cells, verdicts = _tables_read(tmp_path, PROCUREMENT)
    # the 专项 and 物品 rows detail the category above them: rows of the outline, not parts of the 合计
    assert _measures(cells) == [("合计", "100.00", "procurement_total"), ("一、货物A", "40.00", "procurement_goods"),
                                ("办公设备购置费", "40.00", "procurement_item"), ("台式计算机", "40.00", "procurement_item"),
                                ("三、服务C", "60.00", "procurement_services"), ("物业管理费", "60.00", "procurement_item"),
                                ("物业管理服务", "60.00", "procurement_item")]
    assert verdicts["procurement-table-by-category"] == ["consistent"]
    drifting = [row[:5] + ["101.00"] if row[:1] == ["合计"] else row for row in PROCUREMENT]
    assert _tables_read(tmp_path, drifting)[1]["procurement-table-by-category"] == ["drift"]


def test_a_procurement_category_not_known_leaves_the_total_unsummed(tmp_path):
    sheet = [*PROCUREMENT[:7], ["二、其他D", "", "", "", "", "5.00"], *PROCUREMENT[7:]]
    cells, verdicts = _tables_read(tmp_path, [row[:5] + ["105.00"] if row[:1] == ["合计"] else row for row in sheet])
    assert "procurement-table-by-category" not in verdicts  # its parts were not all read: never a false drift
    assert "procurement-by-category" not in verdicts


def test_a_heading_wrapped_into_the_total_row_does_not_unkey_an_outline_total(tmp_path):
    # 采购组织形式 printed over two lines, its last character read into the 合计 row (a Jiangsu PDF)
    sheet = [row[:4] + ["式"] + row[5:] if row[:1] == ["合计"] else row for row in PROCUREMENT]
    cells, verdicts = _tables_read(tmp_path, sheet)
    assert _measures(cells)[0] == ("合计", "100.00", "procurement_total")
    assert verdicts["procurement-table-by-category"] == ["consistent"]


def test_a_basic_table_in_halves_sums_each_half_into_its_own_total(tmp_path):
    cells, verdicts = _tables_read(tmp_path, BASIC_IN_HALVES)
    keyed = {(str(row.code), row.measure) for row in cells.fillna("").itertuples() if row.code}
    assert keyed == {("301", "accounts_personnel_by_economic"), ("30101", "accounts_personnel_by_economic"),
                     ("303", "accounts_personnel_by_economic"), ("30302", "accounts_personnel_by_economic"),
                     ("302", "accounts_public_by_economic"), ("30201", "accounts_public_by_economic"),
                     ("310", "accounts_public_by_economic"), ("31002", "accounts_public_by_economic")}
    assert verdicts["accounts-personnel-by-economic-class"] == ["consistent"]  # 90 + 10 = 100: 301 + 303
    assert verdicts["accounts-public-by-economic-class"] == ["consistent"]  # 8 + 2 = 10: 302 + 310
    drifting = [row[:5] + ["12.00"] if row[:1] == ["人员经费合计"] else row for row in BASIC_IN_HALVES]
    assert _tables_read(tmp_path, drifting)[1]["accounts-public-by-economic-class"] == ["drift"]


def test_halves_not_closed_by_a_named_total_keep_the_tables_codes(tmp_path):
    sheet = BASIC_IN_HALVES[:-1]  # no 人员经费合计 / 公用经费合计: which half is which is not said
    cells, verdicts = _tables_read(tmp_path, sheet)
    assert set(cells["measure"]) == {"accounts_basic_by_economic"}
    assert not any(rule.startswith(("accounts-personnel", "accounts-public")) for rule in verdicts)


def test_a_final_accounts_three_public_table_keys_its_budget_beside_its_outturn(tmp_path):
    heading = ["合计", "", "因公出国（境）费", "", "公务用车购置及运行维护费", "", "", "", "", "", "公务接待费", ""]
    sheet = [["2024年财政拨款“三公”经费支出决算表"], ["单位：万元"], ["财政拨款“三公”经费"] + [""] * 11, heading,
             ["", "", "", "", "小计", "", "公务用车购置费", "", "公务用车运行维护费", "", "", ""],
             ["预算数", "决算数"] * 6,
             ["3.00", "1.40", "1.00", "0.00", "1.50", "1.10", "0.50", "0.50", "1.00", "0.60", "0.50", "0.30"]]
    merged = ["A3:L3", "A4:B5", "C4:D5", "E4:J4", "K4:L5", "E5:F5", "G5:H5", "I5:J5"]
    cells, verdicts = _tables_read(tmp_path, sheet, merged)
    assert list(cells["measure"]) == [
        "accounts_three_public_budget", "three_public_total", "accounts_overseas_budget", "three_public_overseas",
        "accounts_vehicles_budget", "three_public_vehicles", "accounts_vehicle_purchase_budget", "vehicle_purchase",
        "accounts_vehicle_operation_budget", "vehicle_operation", "accounts_reception_budget", "three_public_reception"]
    assert verdicts["accounts-three-public-budget-parts"] == ["consistent"]  # 1.00 + 0.50 + 1.50 = 3.00
    assert verdicts["accounts-vehicle-budget-parts"] == ["consistent"]  # 0.50 + 1.00 = 1.50
    assert verdicts["three-public-parts"] == ["consistent"]  # the outturn: 0.00 + 0.30 + 1.10 = 1.40


def test_a_basic_table_with_personnel_and_public_columns_sums_them_by_row_and_by_column(tmp_path):
    """The national template's 一般公共预算基本支出表: 科目编码 | 科目名称 | 合计 | 人员经费 | 公用经费."""
    sheet = [["2024年一般公共预算基本支出表"], ["单位：万元"], ["科目编码", "科目名称", "合计", "人员经费", "公用经费"],
             ["", "合计", "110.00", "100.00", "10.00"],
             ["301", "工资福利支出", "90.00", "90.00", ""],
             ["30101", "基本工资", "90.00", "90.00", ""],
             ["302", "商品和服务支出", "10.00", "", "10.00"],
             ["30201", "办公费", "10.00", "", "10.00"],
             ["303", "对个人和家庭的补助", "10.00", "10.00", ""],
             ["30302", "退休费", "10.00", "10.00", ""]]
    cells, verdicts = _tables_read(tmp_path, sheet)
    assert verdicts["gpb-basic-economic-row"] == ["consistent"] * 6  # each code's 合计: its two columns (a blank absent)
    assert verdicts["gpb-basic-personnel-by-economic-class"] == ["consistent"]  # 100 = 301 90 + 303 10
    assert verdicts["gpb-basic-public-by-economic-class"] == ["consistent"]  # 10 = 302 10
    assert verdicts["basic-expenditure-by-kind"] == ["consistent"]  # 110 = 100 + 10
    drifting = [row[:3] + ["95.00"] + row[4:] if row[:1] == ["301"] else row for row in sheet]
    verdicts = _tables_read(tmp_path, drifting)[1]
    assert "drift" in verdicts["gpb-basic-economic-row"] and verdicts["gpb-basic-personnel-by-economic-class"] == ["drift"]
