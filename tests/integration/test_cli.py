"""The command line, called as a user would; outputs compared exactly."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from budgetkit.cli import main
from budgetkit.findings import FINDING_COLUMNS, safe_cell

TESTS = Path(__file__).resolve().parents[1]
TINY = TESTS / "data" / "tiny-budget"
EXPECTED = TESTS / "expected"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_table_output_is_exact(capsys):
    status, out, err = run(capsys, "check", str(TINY))
    assert out == (EXPECTED / "tiny-check.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")


def test_check_csv_output_is_exact(capsys):
    status, out, _ = run(capsys, "check", str(TINY), "--format", "csv")
    assert out == (EXPECTED / "tiny-check.csv").read_text(encoding="utf-8")
    assert status == 1


def test_json_has_the_dataframe_columns_as_stable_keys(capsys):
    _, out, _ = run(capsys, "check", "--format", "json")
    records = json.loads(out)
    assert records and all(list(record) == FINDING_COLUMNS for record in records)
    drift = [r for r in records if r["verdict"] == "drift"]
    assert {"stated", "computed", "difference"} <= drift[0].keys()
    assert drift[0]["stated"] == "840.05"  # decimals as exact strings, as printed


@pytest.mark.parametrize(("fail_on", "status"), [("drift", 1), ("semantic", 1), ("text", 1), ("rounding", 1)])
def test_fail_on_the_bundled_budget(capsys, fail_on, status):
    assert run(capsys, "check", "--fail-on", fail_on, "--format", "csv")[0] == status


def test_fail_on_threshold_lets_a_clean_budget_pass(capsys, tmp_path):
    import shutil

    package = tmp_path / "clean"
    shutil.copytree(TINY, package)
    for name in ("claims.csv", "raw/tiny.txt"):
        path = package / name
        path.write_text(path.read_text(encoding="utf-8").replace("10.50", "10.00"), encoding="utf-8")
    status, out, _ = run(capsys, "check", str(package), "--fail-on", "rounding")
    assert status == 0
    assert out.endswith("11 evaluations: 11 consistent, 0 rounding, 0 text, 0 semantic, 0 drift\n")


def test_bad_input_exits_2_with_file_line_and_field(capsys, tmp_path):
    import shutil

    package = tmp_path / "broken"
    shutil.copytree(TINY, package)
    path = package / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",90.00,万元", ",9O.00,万元"), encoding="utf-8")
    status, out, err = run(capsys, "check", str(package))
    assert status == 2 and out == ""
    assert f"{path}, line 3, field 'value': '9O.00' is not a number" in err
    assert "Traceback" not in err


def test_missing_rules_file_is_a_clear_error(capsys, tmp_path):
    status, _, err = run(capsys, "check", "--rules", str(tmp_path / "none.toml"))
    assert status == 2 and "none.toml: file not found" in err


def test_the_installed_entry_point_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "budgetkit", "check", str(TINY), "--format", "json"],
                            capture_output=True, text=True, encoding="utf-8", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)[0]["verdict"] == "drift"


def test_csv_cells_from_documents_cannot_run_as_formulas(capsys):
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("@cmd") == "'@cmd"
    assert safe_cell("一般公共预算") == "一般公共预算"
    _, out, _ = run(capsys, "check", "--format", "csv")
    for row in csv.DictReader(io.StringIO(out)):
        for column in ("quote", "explanation", "label", "reason"):
            assert not row[column].startswith(("=", "+", "-", "@"))


# -- collections: a folder of packages and documents, or several paths -----------------------------------------

DEMO = TESTS.parent / "data" / "collections" / "demo"


def test_check_a_collection_folder_is_exact(capsys):
    status, out, err = run(capsys, "check", str(DEMO))
    assert out == (EXPECTED / "demo-check.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")


def test_collection_counts_add_up_to_the_findings_table(capsys, demo_findings):
    collection, findings = demo_findings
    _, out, _ = run(capsys, "check", str(DEMO))
    counts = findings["verdict"].astype(str).value_counts()
    assert out.splitlines()[-1].startswith(f"{len(findings)} evaluations in {len(collection.budgets)} budgets: "
                                           f"{counts.get('consistent', 0)} consistent")
    table = out.split("\nbudget ", 1)[1].splitlines()[1:len(collection.budgets) + 1]
    assert [line.split()[0] for line in table] == list(collection.budgets["budget_id"])
    assert sum(sum(int(n) for n in line.split()[1:]) for line in table) == len(findings)
    _, csv_out, _ = run(capsys, "check", str(DEMO), "--format", "csv")
    rows = list(csv.reader(io.StringIO(csv_out)))
    assert rows[0][:3] == ["budget_id", "department", "budget_year"] and len(rows) == len(findings) + 1
    assert "prior-year-restated-next-year" in {row[3] for row in rows[1:]}


def test_several_paths_are_checked_as_one_collection(capsys):
    status, out, _ = run(capsys, "check", str(TINY), str(DEMO / "anju-health-2022"))
    assert out.startswith("budgetkit check — 2 budgets of 2 departments, 2022–2024\n")
    assert status == 1


def test_an_unreadable_source_is_named_and_the_others_are_checked(capsys, tmp_path):
    import shutil

    shutil.copytree(TINY, tmp_path / "tiny-budget")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    status, out, err = run(capsys, "check", str(tmp_path))
    assert "── tiny-budget · " in out and "11 evaluations in 1 budget:" in out
    assert f"could not read {tmp_path / 'broken.txt'}" in err
    assert status == 2  # the audit is incomplete


def test_a_folder_with_nothing_to_read_is_a_clear_error(capsys, tmp_path):
    status, out, err = run(capsys, "check", str(tmp_path))
    assert status == 2 and out == ""
    assert f"{tmp_path}: no data packages (datapackage.json) and no .txt/.docx/.pdf documents" in err


def test_checking_a_fragment_says_what_it_could_not_check(capsys):
    """23 consistent evaluations of two sections are not a clean budget: the summary says so."""
    fragment = TESTS / "documents" / "fragment-agriculture-bureau-2024-sections-7-8.txt"
    status, out, _ = run(capsys, "check", str(fragment), "--failures-only")
    assert status == 0
    assert out.endswith(
        "23 evaluations: 23 consistent, 0 rounding, 0 text, 0 semantic, 0 drift\n\n"
        "Not checked:\n"
        "  10 standard sections not found:\n"
        "    一 基本职能及主要工作\n    二 部门预算单位构成\n    三 收支预算情况说明\n    四 财政拨款收支预算情况说明\n"
        "    五 一般公共预算当年拨款情况说明\n    六 一般公共预算基本支出情况说明\n    九 政府性基金预算支出情况说明\n"
        "    十 国有资本经营预算支出情况说明\n    十一 其他重要事项的情况说明\n    十二 名词解释\n")


# -- the version ------------------------------------------------------------------------------------------------

def test_version_is_the_package_metadata_and_the_project_file(tmp_path):
    import tomllib
    from importlib.metadata import version

    result = subprocess.run([sys.executable, "-m", "budgetkit", "--version"],
                            capture_output=True, text=True, encoding="utf-8", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"budgetkit {version('budgetkit')}\n", "")
    project = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert version("budgetkit") == project["version"]  # the installed metadata is not stale
