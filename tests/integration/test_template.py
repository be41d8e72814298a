"""The template's knowledge is data: a package's own rules.toml and measures.csv change the audit, the
reproduced table, the workbook and the chart, with no code touched."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from budgetkit import load, tables
from budgetkit.schema import bundled_data_dir

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny-budget"
BUNDLED_RULES = (bundled_data_dir() / "rules.toml").read_text(encoding="utf-8")
KIND_PARTS = 'parts = ["expenditure_basic", "expenditure_project", "expenditure_reserve", "expenditure_carry_forward"]'

#: 事业单位经营支出: a column of the official 部门支出总表 that the bundled measures do not have.
NEW_MEASURE = {"measure": "expenditure_business_operations", "table": "expenditure", "label": "事业单位经营支出",
               "unit": "万元", "per_code": "false", "stated_as_total": "false", "share_of": "expenditure_total",
               "description": "Spending of a public institution's own business operations (事业单位经营支出)."}


def _package(tmp_path: Path, part_label: str, part_measure: str, rules: str, measures: list[dict] | None) -> Path:
    """The tiny budget with its expenditure line rewritten: 基本支出75.00 + 项目支出20.00 + a third part 5.00."""
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    lines = (TINY / "raw" / "tiny.txt").read_text(encoding="utf-8").split("\n")
    line = f"测试区文化馆2024年支出预算100.00万元，其中：基本支出75.00万元，项目支出20.00万元，{part_label}5.00万元。"
    lines[4] = line
    (package / "raw" / "tiny.txt").write_text("\n".join(lines), encoding="utf-8")

    def claim(claim_id, text, after, kind, measure, label):
        start = line.index(text, line.index(after) + len(after))
        return {"claim_id": claim_id, "section": "三", "line": "5", "char_start": str(start),
                "char_end": str(start + len(text)), "text": text, "kind": kind, "measure": measure, "code": "",
                "label": label, "year": "2024", "value": text, "unit": "万元", "decimals": "2"}

    with open(TINY / "claims.csv", encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        columns, rows = reader.fieldnames, [row for row in reader if row["line"] != "5"]
    rows[3:3] = [claim("c005-1", "100.00", "支出预算", "total", "expenditure_total", "支出预算"),
                 claim("c005-2", "75.00", "基本支出", "amount", "expenditure_basic", "基本支出"),
                 claim("c005-3", "20.00", "项目支出", "amount", "expenditure_project", "项目支出"),
                 claim("c005-4", "5.00", part_label, "amount", part_measure, part_label)]
    with open(package / "claims.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (package / "rules.toml").write_text(rules, encoding="utf-8")
    if measures is not None:
        with open(bundled_data_dir() / "measures.csv", encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            header, vocabulary = reader.fieldnames, list(reader)
        with open(package / "measures.csv", "w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(vocabulary + measures)
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["resources"].append({"name": "measures", "path": "measures.csv", "format": "csv"})
        (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return package


CASES = {
    # a part of a measure the template knows, which a province's rules leave out of the total or name in it
    "a part added to a total": ("单位预留机动经费", "expenditure_reserve", None,
                                BUNDLED_RULES.replace(KIND_PARTS, 'parts = ["expenditure_basic", "expenditure_project"]'),
                                BUNDLED_RULES),
    # a measure the template does not know: the package's measures.csv adds it, its rules make it a part
    "a measure added": ("事业单位经营支出", NEW_MEASURE["measure"], [NEW_MEASURE], BUNDLED_RULES,
                        BUNDLED_RULES.replace(KIND_PARTS, KIND_PARTS[:-1] + ', "expenditure_business_operations"]')),
}


def _outputs(package: Path, label: str) -> dict:
    import openpyxl

    from budgetkit import charts
    from budgetkit.report.workbook import workbook_bytes

    budget = load(package)
    findings = budget.audit()
    by_kind = findings[(findings["rule"] == "expenditure-by-kind") & (findings["claim_id"] == "c005-1")]
    table = tables.expenditure_by_kind(budget, findings)
    total_row = table[(table["role"] == "total") & (table["stated_wan_yuan"].astype(str) == "100.00")]
    data, _ = workbook_bytes(budget, findings)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["部门支出总表"]
    figure = charts.expenditure_structure(budget)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts] + [figure.get_supxlabel() or ""]
    return {
        "verdict": str(by_kind["verdict"].iloc[0]),
        "table recomputes": str(total_row["recomputed_wan_yuan"].iloc[0]),
        "table shows the part": bool(((table["item"] == label) & (table["role"] == "part")).any()),
        "workbook column": any(cell.value == label for row in sheet.iter_rows() for cell in row),
        "chart segment": any(label in text and "5.00" in text for text in texts),
        "chart notes a gap": any("相差" in text for text in texts),
    }


@pytest.mark.parametrize("case", CASES)
def test_the_packages_rules_and_measures_change_every_output(tmp_path, case):
    label, measure, measures, without, with_part = CASES[case]
    before = _outputs(_package(tmp_path / "without", label, measure, without, measures), label)
    after = _outputs(_package(tmp_path / "with", label, measure, with_part, measures), label)
    assert before == {"verdict": "drift", "table recomputes": "95.00", "table shows the part": False,
                      "workbook column": False, "chart segment": False, "chart notes a gap": True}
    assert after == {"verdict": "consistent", "table recomputes": "100.00", "table shows the part": True,
                     "workbook column": True, "chart segment": True, "chart notes a gap": False}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_collection_audits_each_budget_with_its_own_packages_rules(tmp_path, workers):
    """Two packages, one with rules that make 事业单位经营支出 a part: each budget's rows in the collection's
    findings are its own audit's, in worker processes too."""
    from budgetkit.collection import load_many

    label, measure, measures, without, with_part = CASES["a measure added"]
    paths = {"plain": _package(tmp_path / "plain", label, measure, without, measures),
             "own-rules": _package(tmp_path / "own-rules", label, measure, with_part, measures)}
    collection = load_many([paths["plain"], paths["own-rules"]], workers=workers)
    findings = collection.audit()
    assert list(findings["budget_id"].unique()) == ["package", "package#2"]
    for budget_id, path in zip(("package", "package#2"), paths.values()):
        own = load(path).audit().reset_index(drop=True)
        got = findings[findings["budget_id"] == budget_id].drop(columns=["budget_id", "department", "budget_year"])
        assert [tuple(map(str, row)) for row in got.itertuples(index=False)] == \
               [tuple(map(str, row)) for row in own.itertuples(index=False)]
    verdicts = findings[(findings["rule"] == "expenditure-by-kind") & (findings["claim_id"] == "c005-1")]["verdict"]
    assert list(verdicts.astype(str)) == ["drift", "consistent"]
