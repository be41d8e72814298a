"""``budgetkit report FOLDER``: a collection's outputs, checked against the collection's own findings."""

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from budgetkit.cli import main
from budgetkit.messages import using_language, verdict_name
from budgetkit.report.notebooks import notebook_parameters, notebooks_dir

TESTS = Path(__file__).resolve().parents[1]
DEMO = TESTS.parent / "data" / "collections" / "demo"
TINY = TESTS / "data" / "tiny-budget"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("collection-report")
    status = main(["report", str(DEMO), "--out", str(out), "--no-notebooks"])
    return status, out


def test_every_output_is_written(report):
    status, out = report
    assert status == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = [".budgetkit-manifest.json", "audit.html", "audit.md", "collection.xlsx", "findings.csv",
                "findings.json", "problems.csv"]
    expected += [f"charts/{name}.{fmt}" for name in ("findings-by-department", "spending-shares")
                 for fmt in ("pdf", "png", "svg")]
    expected += [f"tables/{name}.csv" for name in ("budgets", "common-findings", "spending-structure",
                                                   "verdicts-by-budget", "verdicts-by-department", "year-over-year")]
    expected += [f"tables/parquet/{name}.parquet" for name in ("budgets", "claims", "line_items", "lines")]
    assert written == sorted(expected)


def test_findings_files_hold_every_evaluation_of_every_budget(report, demo_findings):
    _, out = report
    collection, findings = demo_findings
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(findings)
    assert {r["budget_id"] for r in rows} == set(collection.budgets["budget_id"])
    failing = [r for r in rows if r["verdict"] != "consistent"]
    markdown = (out / "audit.md").read_text(encoding="utf-8")
    for row in failing:  # each failure is under its budget's heading in the readable report
        where = " ".join(part for part in (row["section"], row["claim_id"]) if part)
        assert f"{row['rule']} — {where}" in markdown
    for budget_id in {r["budget_id"] for r in failing}:
        assert f"## {budget_id} · " in markdown


def test_the_pages_are_chinese_by_default(report, demo_findings):
    from budgetkit.collection import collection_title

    _, out = report
    collection, findings = demo_findings
    markdown = (out / "audit.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# 审核报告：{collection_title(collection.budgets)}\n\n共核对 {len(findings)} 项，其中一致 ")
    assert "## 各部门核对结果\n\n| 部门 | 一致 | 舍入 | 文字 | 口径 | 不符 | 核对次数 |\n" in markdown
    assert "## 最常见的问题\n\n| 规则 | 规则类型 | 判定 | 发现次数 | 涉及预算份数 |\n" in markdown
    assert re.search(r"^\| change-from-stated-prior \| change \| 不符 \| \d+ \| \d+ \|$", markdown, re.M)
    headings = re.findall(r"^## (\S+) · (\S+) (\d{4})年（(\d+) 项）$", markdown, flags=re.M)
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    assert sum(int(count) for *_, count in headings) == len(failing)
    # each budget's findings numbered within their verdict, as a budget's own report numbers them
    for title in re.findall(r"^### (\w+?)第\d+项：", markdown, flags=re.M):
        assert title in {verdict_name(v) for v in ("drift", "semantic", "text", "rounding")}
    assert markdown.rstrip().endswith("全部核对（含一致的）见 findings.csv 和 findings.json。")
    page = (out / "audit.html").read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n') and "<h2>各部门核对结果</h2>" in page


def test_the_pages_in_english(tmp_path, monkeypatch):
    from budgetkit.report import collection as collection_report
    from budgetkit.report.steps import skipped

    monkeypatch.setattr(collection_report, "_charts", lambda audited, out: skipped("not needed here"))
    with using_language("zh"):  # the command's --lang lasts as long as the block
        assert main(["report", str(DEMO), "--lang", "en", "--out", str(tmp_path), "--no-notebooks"]) == 0
    markdown = (tmp_path / "audit.md").read_text(encoding="utf-8")
    assert re.match(r"# Audit — .+\n\n\d+ evaluations: \d+ consistent, ", markdown)
    assert "## Verdicts per department\n\n| department | consistent | rounding | text | semantic | drift | evaluations |\n" in markdown
    assert "## The most common failures\n\n| rule | rule kind | verdict | findings | budgets |\n" in markdown
    assert re.search(r"^## \S+ · \S+ \d{4} \(\d+\)$", markdown, re.M) and "\n### drift 1. " in markdown
    assert markdown.rstrip().endswith("Every evaluation, the consistent ones included, is in findings.csv and findings.json.")
    assert (tmp_path / "audit.html").read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="en">\n')


def test_workbook_sheets_match_the_tables(report, demo_findings):
    import openpyxl

    _, out = report
    _, findings = demo_findings
    workbook = openpyxl.load_workbook(out / "collection.xlsx")
    assert workbook.sheetnames == ["说明", "按部门", "按预算", "常见问题", "支出结构", "跨年核对", "审核发现"]
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    assert workbook["审核发现"].max_row == len(failing) + 1
    sheet = workbook["按部门"]
    header = [c.value for c in sheet[1]]
    assert header == ["部门", "一致", "舍入", "文字", "口径", "不符", "核对次数"]  # the headings in Chinese
    evaluations = {row[0]: row[header.index("核对次数")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert evaluations == findings.groupby("department").size().to_dict()
    header = [c.value for c in workbook["审核发现"][1]]
    assert header[:6] == ["预算编号", "部门", "预算年度", "规则", "规则类型", "审核结论"]
    verdicts = [row[5] for row in workbook["审核发现"].iter_rows(min_row=2, values_only=True)]
    assert verdicts == [verdict_name(str(v)) for v in failing["verdict"]]


def test_the_collection_workbook_in_english():
    import io

    import openpyxl
    import pandas as pd

    from budgetkit.report.collection_workbook import collection_workbook_bytes

    counts = pd.DataFrame({"department": ["文化局"], "consistent": [3], "drift": [1], "evaluations": [4]})
    sheets = {"about": None, "verdicts-by-department": counts, "其他": counts}
    with using_language("en"):
        data = collection_workbook_bytes(sheets, title="t", summary="s")
        assert collection_workbook_bytes(sheets, title="t", summary="s") == data
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["About", "By department", "其他"]  # a sheet the workbook does not know keeps its name
    assert [c.value for c in workbook["By department"][1]] == ["Department", "consistent", "drift", "Checks"]
    about = {row[0].value: row[1].value for row in workbook["About"].iter_rows() if row[0].value}
    assert about["By department"] == "Checks per department, by verdict." and about["Units"].startswith("Amounts in")
    assert workbook["About"].oddFooter.right.text.endswith("Page &P of &N")
    chinese = openpyxl.load_workbook(io.BytesIO(collection_workbook_bytes(sheets, title="t", summary="s")))
    assert chinese.sheetnames == ["说明", "按部门", "其他"]
    assert [c.value for c in chinese["按部门"][1]] == ["部门", "一致", "不符", "核对次数"]


def test_the_collection_workbook_prints_one_page_wide_in_one_font(report):
    import openpyxl

    from budgetkit.report.workbook_cells import FONT_NAME

    _, out = report
    workbook = openpyxl.load_workbook(out / "collection.xlsx")
    for ws in workbook.worksheets:
        assert (ws.page_setup.orientation, ws.page_setup.fitToHeight) == ("landscape", 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == (None if ws.title == "说明" else "$1:$1"), ws.title
        fonts = {cell.font.name for row in ws.iter_rows() for cell in row}
        assert fonts == {FONT_NAME}, ws.title
    sheet = workbook["支出结构"]
    numbers = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, (int, float))]
    assert numbers and all(c.number_format in ("#,##0", "#,##0.00###") for c in numbers)


def test_sources_are_named_relative_to_the_collection(report):
    _, out = report
    budgets = list(csv.DictReader(io.StringIO((out / "tables" / "budgets.csv").read_text(encoding="utf-8"))))
    assert [b["source"] for b in budgets] == [b["budget_id"] for b in budgets]
    for path in out.rglob("*"):
        if path.suffix in (".csv", ".md", ".html", ".json"):
            assert str(DEMO.resolve()) not in path.read_text(encoding="utf-8"), path


def test_two_runs_are_byte_identical(report, tmp_path):
    _, out = report
    assert main(["report", str(DEMO), "--out", str(tmp_path), "--no-notebooks"]) == 0
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_an_unreadable_source_is_listed_and_the_report_exits_2(tmp_path, capsys):
    shutil.copytree(TINY, tmp_path / "in" / "tiny-budget")
    (tmp_path / "in" / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    status = main(["report", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--no-notebooks"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"budgetkit report: 1个来源未能读取，见 {tmp_path / 'out' / 'problems.csv'}\n" in err
    problems = list(csv.DictReader(io.StringIO((tmp_path / "out" / "problems.csv").read_text(encoding="utf-8"))))
    assert [(p["source"], p["file"]) for p in problems] == [("broken.txt", "broken.txt")]
    assert (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8").count("\ntiny-budget,") == 11


def test_notebooks_declare_what_they_take():
    folder = notebooks_dir()
    assert folder is not None
    parameters = {path.name: notebook_parameters(path) for path in sorted(folder.glob("*.ipynb"))}
    # every notebook takes the language it writes in (lang)
    assert parameters.pop("07-collection.ipynb") == {"collection_path", "lang"}
    # every other notebook takes the budget the report is of (08 also which of its tables to show)
    assert parameters.pop("08-official-tables.ipynb") == {"budget_path", "table", "lang"}
    # 09 takes a collection too (and which pair to show): a collection's report runs it when the collection pairs
    assert parameters.pop("09-budget-against-outturn.ipynb") == {"collection_path", "department", "year", "lang"}
    # 10 takes a final accounts (by default the one in data/final-accounts/): the report runs it on a 决算 only
    assert parameters.pop("10-final-accounts.ipynb") == {"budget_path", "lang"}
    assert sorted(parameters) == [f"0{n}-{name}.ipynb" for n, name in enumerate(
        ["overview", "income-and-expenditure", "general-budget-appropriation", "basic-expenditure-and-three-public",
         "other-matters", "drift"], start=1)]
    assert set(map(frozenset, parameters.values())) == {frozenset({"budget_path", "lang"})}


def test_the_collection_notebook_runs_on_the_collection_given(tmp_path):
    sources = [str(TINY), str(DEMO / "anju-health-2022")]
    assert main(["report", *sources, "--out", str(tmp_path)]) == 0
    pages = sorted(p.name for p in (tmp_path / "notebooks").glob("*.html"))
    assert pages == ["07-collection.html"]
    page = (tmp_path / "notebooks" / "07-collection.html").read_text(encoding="utf-8")
    assert "测试区文化馆" in page and "遂宁市安居区卫生健康局" in page
    assert "遂宁市安居区教育局" not in page  # not the demo collection


def test_a_collection_that_pairs_a_budget_with_its_final_accounts_reports_budget_against_outturn(tmp_path,
                                                                                                  monkeypatch):
    """The real 梧州 pair: the tables of budget against outturn beside the summaries, and notebook 09 run on it
    as well as 07 (executed as committed to keep this fast: which notebooks run is the point)."""
    import nbformat

    from budgetkit.report import notebooks as notebook_pages

    async def committed(sources, parameters, workers, progress):
        assert parameters["collection_path"].endswith("wuzhou-unit-2023")
        return [nbformat.read(source, as_version=4) for source in sources]

    monkeypatch.setattr(notebook_pages, "_execute_all", committed)
    out = tmp_path / "out"
    assert main(["report", str(TESTS.parent / "data" / "collections" / "wuzhou-unit-2023"), "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "notebooks").glob("*.html")) == ["07-collection.html",
                                                                          "09-budget-against-outturn.html"]
    pairs = list(csv.DictReader(io.StringIO((out / "tables" / "execution-pairs.csv").read_text(encoding="utf-8"))))
    assert [(p["department"], p["year"]) for p in pairs] == [("梧州市未具名单位", "2023")]
    execution = list(csv.DictReader(io.StringIO((out / "tables" / "execution.csv").read_text(encoding="utf-8"))))
    assert [row["row"] for row in execution] == ["total", "basic", "project"]
    assert execution[1]["budget_wan_yuan"] == "88.130039" and execution[1]["evaluated"] == "False"
    for name in ("unpaired-documents", "pefa-indicators", "restated-budget"):
        assert (out / "tables" / f"{name}.csv").read_text(encoding="utf-8").count("\n") >= 1, name
    charts = sorted(p.name for p in (out / "charts" / "budget-against-outturn").iterdir())
    assert charts == [f"梧州市未具名单位-2023.{fmt}" for fmt in ("pdf", "png", "svg")]
