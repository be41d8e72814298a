"""The command line, called as a user would; outputs compared exactly."""

import csv
import io
import json
import re
import subprocess
import sys
from collections import Counter
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


@pytest.fixture(autouse=True)
def columns(monkeypatch):
    """A terminal 100 columns wide, whatever runs the tests (``-s`` in a terminal included)."""
    monkeypatch.setenv("COLUMNS", "100")


def test_check_lists_failures_then_counts_the_passes_at_100_columns(capsys):
    status, out, err = run(capsys, "check", str(TINY))
    assert out == (EXPECTED / "tiny-check-100.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")
    assert run(capsys, "check", str(TINY), "--failures-only")[1] == out  # today's option, now the default


def test_check_all_lists_every_evaluation_wrapped_at_60_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    status, out, err = run(capsys, "check", str(TINY), "--all")
    assert out == (EXPECTED / "tiny-check-all-60.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")


def test_check_all_on_a_wide_terminal_is_the_unwrapped_listing(capsys, monkeypatch):
    """Nothing but the wrapping and the count of passes changed: wide enough, --all prints as before."""
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = run(capsys, "check", str(TINY), "--all")
    assert out == (EXPECTED / "tiny-check.txt").read_text(encoding="utf-8")


def test_all_and_failures_only_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--all", "--failures-only"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


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


def test_check_a_collection_folder_is_exact_at_100_columns(capsys):
    status, out, err = run(capsys, "check", str(DEMO))
    assert out == (EXPECTED / "demo-check-100.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")


def test_a_collection_on_a_wide_terminal_is_unwrapped(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert run(capsys, "check", str(DEMO))[1] == (EXPECTED / "demo-check.txt").read_text(encoding="utf-8")


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


def test_a_collection_with_all_lists_every_budgets_passes_under_it(capsys, demo_findings):
    collection, findings = demo_findings
    _, out, _ = run(capsys, "check", str(DEMO), "--all")
    headings = [line.split(" · ")[0][3:] for line in out.splitlines() if line.startswith("── ")]
    assert headings == list(collection.budgets["budget_id"])
    consistent = findings[findings["verdict"].astype(str) == "consistent"]
    assert sum(line.startswith("  ok  ") for line in out.splitlines()) == len(consistent)
    default = run(capsys, "check", str(DEMO))[1]
    assert out.endswith(default.split("\nbudget ", 1)[1])  # the same counts per budget, the same summary


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


def test_checking_a_fragment_says_what_it_could_not_check(capsys, monkeypatch):
    """23 consistent evaluations of two sections are not a clean budget: the summary says so."""
    monkeypatch.setenv("COLUMNS", "60")
    fragment = TESTS / "documents" / "fragment-agriculture-bureau-2024-sections-7-8.txt"
    status, out, _ = run(capsys, "check", str(fragment))
    assert status == 0
    assert out == (
        "budgetkit check — 青石县农业农村局 2024\n\n"
        "consistent (23): not listed (--all lists them)\n\n"
        "23 evaluations: 23 consistent, 0 rounding, 0 text, 0\nsemantic, 0 drift\n\n"
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


# -- wrapping to the terminal: every line fits, nothing is lost or cut inside a word -----------------------------

CORPUS_PDF = TESTS / "corpus" / "documents" / "js-npc-office-2018-budget.pdf"


def check_output(capsys, monkeypatch, columns: int, *args) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    return run(capsys, "check", *args)[1]


def columns_of(line: str) -> int:
    from wcwidth import wcswidth

    return wcswidth(line)


@pytest.mark.parametrize("source", [None, CORPUS_PDF], ids=["bundled", "corpus-pdf"])
def test_wrapped_output_fits_and_keeps_every_word(capsys, monkeypatch, source):
    args = ["--all", *([str(source)] if source else [])]
    unwrapped = check_output(capsys, monkeypatch, 100_000, *args)
    for width in (100, 60, 41):
        out = check_output(capsys, monkeypatch, width, *args)
        too_wide = [line for line in out.splitlines() if columns_of(line) > width]
        assert too_wide == [], width
        assert out.split() != unwrapped.split()  # it did wrap ...
        assert "".join(out.split()) == "".join(unwrapped.split())  # ... moving only spaces and line ends
        # a Latin word or a number cut across lines would show as two runs where the unwrapped output has one
        assert Counter(re.findall(r"[A-Za-z0-9]+", out)) == Counter(re.findall(r"[A-Za-z0-9]+", unwrapped))


def test_continuation_lines_are_indented_under_the_text_they_continue(capsys, monkeypatch):
    out = check_output(capsys, monkeypatch, 60, "--all")
    blocks = out.split("\nconsistent (")[0].split("\n\n")[1:]  # the failure blocks
    quotes_continued = 0
    for block in blocks:
        head, *rest = block.splitlines()
        assert head[:10].strip() in ("DRIFT", "SEMANTIC", "TEXT", "ROUNDING") and rest
        in_quote = False
        for line in rest:
            indent = len(line) - len(line.lstrip(" "))
            assert indent == (12 if in_quote else 11), line  # a quote continues inside its opening mark
            quotes_continued += in_quote
            in_quote = (in_quote or line[11] == "“") and not line.endswith("”")
    assert quotes_continued
    passes = out.split("\nconsistent (", 1)[1].split("\n\n")[0].splitlines()[1:]
    continued = [line for line in passes if not line.startswith("  ok  ")]
    assert continued and all(line.startswith(" " * 6) and line[6] != " " for line in continued)


def test_a_document_keeps_what_could_not_be_checked_in_the_summary(capsys, monkeypatch):
    from budgetkit.extract import extract

    limits = extract(CORPUS_PDF).extraction.limits()
    assert limits  # the corpus document has figures it could not read
    out = check_output(capsys, monkeypatch, 60, str(CORPUS_PDF))
    tail = out.split("\nNot checked:\n", 1)[1]
    assert "".join(tail.split()) == "".join("".join(limits).split())  # every line, in order, only rewrapped


def test_not_a_terminal_wraps_to_100_columns(tmp_path):
    import os

    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    result = subprocess.run([sys.executable, "-m", "budgetkit", "check"], capture_output=True, text=True,
                            encoding="utf-8", cwd=tmp_path, env=environment)
    widths = [columns_of(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1 and 90 < max(widths) <= 100


def test_extract_shows_a_documents_control_characters_as_escapes(capsys, tmp_path):
    document = tmp_path / "说明.txt"
    text = (TINY / "raw" / "tiny.txt").read_text(encoding="utf-8")
    document.write_text(text + "另有\x1b[31m12个\n", encoding="utf-8")
    status, out, _ = run(capsys, "extract", str(document), "--out", str(tmp_path / "pkg"))
    assert status == 0 and "\x1b" not in out
    assert "— 另有\\x1b[31m12个" in out  # the unread line is still shown, harmlessly
