"""Final accounts (部门决算) in the report: its own tables (tables.accounts), notebook 10, and `budgetkit report`
choosing the notebooks written for the kind of document it reports on (report.notebooks.NOTEBOOK_KINDS)."""

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from budgetkit import load, report, tables
from budgetkit.report import notebooks as notebook_pages

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "10-final-accounts.ipynb"
FINAL_ACCOUNTS = ROOT / "tests" / "corpus" / "documents" / "ex-beijing-chaoyang-park-center-2024-final-accounts.txt"

# A final accounts whose identity holds and whose first completion rate is planted wrong (110 / 100 is 110%).
PLANTED = """测试区测试局2024年度部门决算
一、收入支出决算总体情况说明
测试区测试局 2024 年度收入支出总计 120.00 万元。
二、收入决算情况说明
本年收入合计 120.00 万元，其中：财政拨款收入 120.00 万元。
三、支出决算情况说明
本年支出合计 120.00 万元，其中：基本支出 72.00 万元，占 60.00%；项目支出 48.00 万元，占 40.00%。
五、一般公共预算财政拨款支出决算情况说明
一般公共预算财政拨款支出年初预算为 100.00 万元，支出决算为 110.00 万元，完成年初预算的 105.00%。
七、“三公”经费财政拨款支出决算情况说明
“三公”经费财政拨款支出年初预算为 4.00 万元，支出决算为 3.00 万元，完成年初预算的 75.00%。2024 年度“三公”经费财政拨款支出决算数比 2023 年度减少 1.00 万元。
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    path = tmp_path_factory.mktemp("final-accounts") / "测试局决算.txt"
    path.write_text(PLANTED, encoding="utf-8")
    budget = load(path)
    assert budget.document_kind == "final-accounts"
    return budget, budget.audit()


def test_the_accounts_identity_is_recomputed_from_both_sides(planted):
    frame = tables.accounts_identity(*planted)
    totals = frame[frame["role"] == "total"]
    assert len(totals) == 2  # 总计 as the sum of its sources, and again of its uses
    assert list(totals["recomputed_wan_yuan"]) == [Decimal("120.00")] * 2
    assert set(totals["verdict"]) == {"consistent"}


def test_completion_rates_show_the_budget_then_the_outturn_with_the_rate_recomputed(planted):
    frame = tables.completion_rates(*planted)
    assert list(frame["role"]) == ["budget", "outturn"] * 2
    outturns = frame[frame["role"] == "outturn"]
    assert list(outturns["stated_share_pct"]) == [Decimal("105.00"), Decimal("75.00")]
    assert list(outturns["recomputed_share_pct"]) == [Decimal("110.00"), Decimal("75.00")]
    # the planted rate, and the right one, whose reason the template asks for and the document leaves out
    assert list(outturns["verdict"]) == ["drift", "text"]
    assert "年初预算" in outturns["share_of"].iloc[0]


def test_changes_and_expenditure_by_kind_of_final_accounts(planted):
    changes = tables.accounts_changes(*planted)
    change = changes[changes["role"] == "change"].iloc[0]
    assert change["stated_wan_yuan"] == Decimal("-1.00") and "4.00" in change["recomputed_as"]  # 3.00 − (−1.00)
    kinds = tables.accounts_expenditure_by_kind(*planted)
    assert list(kinds["recomputed_share_pct"].dropna()) == [Decimal("60.00"), Decimal("40.00")]
    assert kinds.loc[kinds["role"] == "total", "recomputed_wan_yuan"].item() == Decimal("120.00")
    assert set(tables.ACCOUNTS_TABLES) == {"accounts-identity", "accounts-income-and-expenditure",
                                           "accounts-expenditure-by-kind", "completion-rates", "accounts-changes"}


# -- which notebooks the report runs ------------------------------------------------------------------------

def test_every_notebook_on_one_document_declares_its_kinds():
    folder = notebook_pages.notebooks_dir()
    takes_a_document = {p.stem for p in folder.glob("*.ipynb") if "budget_path" in notebook_pages.notebook_parameters(p)}
    assert takes_a_document == set(notebook_pages.NOTEBOOK_KINDS)


def pages_written(tmp_path, monkeypatch, document) -> list[str]:
    """The notebook pages `budgetkit report` writes for ``document``, the notebooks executed as they are
    (their committed outputs) to keep this fast: what is chosen is the point, not what they compute."""
    import nbformat

    async def committed(sources, parameters, workers, progress):
        return [nbformat.read(source, as_version=4) for source in sources]

    monkeypatch.setattr(notebook_pages, "_execute_all", committed)
    out = tmp_path / Path(document).stem
    result = report.run_report(document, out, notebooks=True, progress=lambda _: None)
    assert "notebooks" not in result.skipped
    return sorted(p.stem for p in result.files["notebooks"])


def test_the_report_on_final_accounts_renders_notebook_10_and_not_the_budget_ones(tmp_path, monkeypatch):
    assert pages_written(tmp_path, monkeypatch, FINAL_ACCOUNTS) == ["06-drift", "08-official-tables",
                                                                    "10-final-accounts"]


def test_the_report_on_a_budget_renders_the_budget_notebooks_and_not_10(tmp_path, monkeypatch):
    budget = tmp_path / "tiny-budget"  # a data package of unknown kind is read as a budget, as before
    shutil.copytree(ROOT / "tests" / "data" / "tiny-budget", budget)
    assert pages_written(tmp_path, monkeypatch, budget) == [
        "01-overview", "02-income-and-expenditure", "03-general-budget-appropriation",
        "04-basic-expenditure-and-three-public", "05-other-matters", "06-drift", "08-official-tables"]


def test_notebook_10_runs_on_the_final_accounts_given(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOK, folder / NOTEBOOK.name)
    monkeypatch.setattr(notebook_pages, "notebooks_dir", lambda: folder)
    document = tmp_path / FINAL_ACCOUNTS.name
    shutil.copy(FINAL_ACCOUNTS, document)
    written, _ = notebook_pages.run_notebooks(document, tmp_path / "out", lambda _: None, kind="final-accounts")
    assert [p.name for p in written] == ["10-final-accounts.html"]
    page = written[0].read_text(encoding="utf-8")
    assert "北京市朝阳区公园和绿化建设管理中心" in page and "9859.38" not in page  # the document given, not the default
    assert "Traceback" not in page and str(tmp_path) not in page


def test_notebook_10_is_thin_and_its_outputs_are_committed():
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert cells[0]["metadata"].get("tags") == ["parameters"]
    assert notebook_pages.notebook_parameters(NOTEBOOK) == {"budget_path", "lang"}
    assert "".join(cells[1]["source"]).splitlines()[-1] == "budgetkit.set_language(lang)"
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class|for|while)\b", source, re.M) and len(source.splitlines()) <= 3
        assert all(o["output_type"] != "error" for o in cell.get("outputs", [])), source
        assert index < 2 or cell.get("outputs"), source  # after the parameters and imports, each shows something
    sources = "\n".join("".join(c["source"]) for c in cells)
    for build in tables.ACCOUNTS_TABLES.values():  # every table of final accounts is shown
        assert f"tables.{build.__name__}(budget" in sources, build.__name__


# -- the report's tables and the data package of final accounts ---------------------------------------------

def test_the_report_writes_the_tables_of_final_accounts_beside_the_budget_ones(tmp_path):
    result = report.run_report(FINAL_ACCOUNTS, tmp_path / "out", notebooks=False, progress=lambda _: None)
    written = {p.stem for p in result.files["tables"]}
    assert written == set(tables.TABLES) | set(tables.ACCOUNTS_TABLES)
    changes = (tmp_path / "out" / "tables" / "accounts-changes.csv").read_text(encoding="utf-8").splitlines()
    assert len(changes) == 1 + 6  # the header and the document's changes on the prior year's outturn


def test_the_report_on_a_budget_writes_no_tables_of_final_accounts(tmp_path):
    budget = tmp_path / "tiny-budget"
    shutil.copytree(ROOT / "tests" / "data" / "tiny-budget", budget)
    result = report.run_report(budget, tmp_path / "out", notebooks=False, progress=lambda _: None)
    assert {p.stem for p in result.files["tables"]} == set(tables.TABLES)


def test_the_package_of_final_accounts_is_named_and_titled_as_final_accounts(tmp_path):
    from budgetkit.extract import extract, write_package

    document = tmp_path / "测试局决算.txt"
    document.write_text(PLANTED, encoding="utf-8")
    package = write_package(extract(document), tmp_path / "package")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["budget"]["document_kind"] == "final-accounts"
    assert descriptor["title"] == "测试区测试局2024年度部门决算"
    assert descriptor["name"].endswith("-2024-final-accounts") and "budget" not in descriptor["name"]


def test_the_workbook_of_final_accounts_calls_its_figures_outturns(planted):
    import io

    import openpyxl

    from budgetkit.report.workbook import workbook_bytes

    data, _ = workbook_bytes(*planted)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.title == "测试区测试局2024年度部门决算"
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row[0]}
    assert about["决算年度"] == "2024（上年 2023）" and "预算年度" not in about
    texts = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)}
    # the 三公 sheet's row and the two-sided sheets' heading say 决算数, never 预算数, of the outturns
    assert {"2024年度决算数（文中所述）", "决算数（文中所述）"} <= texts
    assert not {"2024年预算数（文中所述）", "预算数（文中所述）"} & texts


def test_a_change_whose_direction_is_left_unfilled_has_no_difference():
    """普陀's “三公” change 下降（增长）27.78%: the printed figure has no sign, so it is not taken as a rise of 27.78
    against the recomputed fall (no difference of 55.56), and the row says why."""
    budget = load(ROOT / "data" / "final-accounts" / "sh-putuo-planning-2024-final-accounts")
    changes = tables.accounts_changes(budget)
    unfilled = changes[changes["printed"].eq("27.78%") & changes["item"].str.endswith("下降（增长）")].iloc[0]
    assert unfilled["recomputed_change_pct"] == Decimal("-27.78") and pd.isna(unfilled["difference_change_pct"])
    assert unfilled["recomputed_as"].endswith("文中未填写增减方向，不计差额")
    filled = changes[changes["item"].str.endswith("下降") & changes["printed"].eq("27.78%")].iloc[0]
    assert filled["difference_change_pct"] == Decimal("0.00")
