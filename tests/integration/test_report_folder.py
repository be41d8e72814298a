"""`budgetkit report --out DIR` into a folder reported into before: it replaces its own files, never
mixes two reports, never removes a file it did not write; --out naming a file; a failing step's name."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from budgetkit.cli import main
from budgetkit.files import MANIFEST
from budgetkit.messages import using_language
from budgetkit.report import budget as budget_report
from budgetkit.report import collection as collection_report
from budgetkit.report.steps import skipped

TESTS = Path(__file__).resolve().parents[1]
TINY = TESTS / "data" / "tiny-budget"
DEMO = TESTS.parent / "data" / "collections" / "demo"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(autouse=True)
def no_charts(monkeypatch):
    """Charts take most of a report's time and have their own tests; the folder's logic is the same."""
    monkeypatch.setattr(budget_report, "chart_files", lambda budget, out: skipped("not needed here"))


def report(capsys, out: Path, *paths: Path) -> tuple[int, str, str]:
    return run(capsys, "report", *map(str, paths), "--out", str(out), "--no-notebooks")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(folder: Path) -> dict[str, str]:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]


def test_a_budget_reported_over_another_leaves_exactly_its_own_files(capsys, tmp_path):
    """Budget B into A's folder gives what B alone into a new folder gives, and a file of the user's stays."""
    shared, alone = tmp_path / "shared", tmp_path / "alone"
    assert report(capsys, shared, TINY)[0] == 0
    (shared / "my-notes.txt").write_text("mine", encoding="utf-8")
    (shared / "tables" / "my-sums.csv").write_text("mine", encoding="utf-8")
    first = set(manifest(shared))
    status, out, _ = report(capsys, shared)  # the bundled budget
    assert status == 0 and report(capsys, alone)[0] == 0
    expected = files(alone) | {"my-notes.txt": b"mine", "tables/my-sums.csv": b"mine"}
    assert files(shared) == expected
    gone = sorted(first - set(manifest(alone)))
    assert gone and all(not (shared / name).exists() for name in gone)  # the tiny budget's workbook, at least
    removed = rf"^  删除 +{len(gone)} 个文件 +/.*：此前报告（测试区文化馆 2024）的文件$"
    assert re.search(removed, out, re.M)


@pytest.mark.usefixtures("english")
def test_the_summary_names_what_it_removed_and_kept_in_english(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    edited = tmp_path / "tiny-test-budget.xlsx"
    edited.write_bytes(b"the user's own workbook now")
    status, out, _ = report(capsys, tmp_path, DEMO)
    assert status == 0
    assert re.search(r"^  removed +\d+ files? +/.*: of the earlier report \(测试区文化馆 2024\)$", out, re.M)
    assert f"  kept          {edited}: written by an earlier report, changed since (or not removable), so left as it is" in out


def test_the_manifest_lists_every_file_written_with_its_digest(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    listed = manifest(tmp_path)
    written = {name: data for name, data in files(tmp_path).items() if name != MANIFEST}
    assert set(listed) == set(written)
    assert listed == {name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in written.items()}


def test_reporting_the_same_budget_again_removes_nothing_and_writes_the_same_bytes(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    before = files(tmp_path)
    status, out, _ = report(capsys, tmp_path, TINY)
    assert (status, files(tmp_path)) == (0, before) and "removed" not in out


def test_a_collection_over_a_budget_and_back(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    budget_files = set(files(tmp_path))
    assert report(capsys, tmp_path, DEMO)[0] == 0
    collection_files = set(files(tmp_path))
    assert set(manifest(tmp_path)) == collection_files - {MANIFEST}
    assert "tiny-test-budget.xlsx" in budget_files - collection_files
    assert report(capsys, tmp_path, TINY)[0] == 0
    assert set(files(tmp_path)) == budget_files  # the collection's problems.csv, parquet/ … are gone
    assert not (tmp_path / "tables" / "parquet").exists()  # a folder left empty goes with its files


def test_a_file_changed_since_it_was_written_is_kept(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    edited = tmp_path / "tiny-test-budget.xlsx"
    edited.write_bytes(b"the user's own workbook now")
    status, out, _ = report(capsys, tmp_path)
    assert status == 0 and edited.read_bytes() == b"the user's own workbook now"
    assert f"  保留          {edited}：此前报告写入的文件，之后已被改动（或无法删除），原样保留\n" in out
    assert "tiny-test-budget.xlsx" not in manifest(tmp_path)  # no longer budgetkit's: never removed later


def test_a_manifest_naming_files_outside_the_folder_removes_nothing(capsys, tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside.txt"
    outside.write_text("not budgetkit's", encoding="utf-8")
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    digest = "sha256:" + hashlib.sha256(outside.read_bytes()).hexdigest()
    (out / MANIFEST).write_text(json.dumps({"files": {"../outside.txt": digest, str(outside): digest,
                                                      "link/outside.txt": digest}}), encoding="utf-8")
    assert report(capsys, out, TINY)[0] == 0
    assert outside.read_text(encoding="utf-8") == "not budgetkit's"


def test_an_unreadable_manifest_removes_nothing_and_is_written_anew(capsys, tmp_path):
    (tmp_path / "old.csv").write_text("kept", encoding="utf-8")
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    status, _, err = report(capsys, tmp_path, TINY)
    assert status == 0 and (tmp_path / "old.csv").is_file()
    assert f"    {tmp_path / MANIFEST} 无法读取：其中所列文件原样保留，清单重新写入\n" in err
    assert "old.csv" not in manifest(tmp_path) and "audit.md" in manifest(tmp_path)


def test_a_failed_report_over_another_leaves_only_its_own_files(capsys, tmp_path, monkeypatch):
    """The workbook step fails: the earlier budget's workbook must not pass for this budget's."""
    import budgetkit.report.workbook

    assert report(capsys, tmp_path, TINY)[0] == 0

    def broken(budget, findings=None):
        raise OSError("disk full")

    monkeypatch.setattr(budgetkit.report.workbook, "workbook_bytes", broken)
    status, out, err = report(capsys, tmp_path)
    assert (status, out) == (3, "")
    assert "budgetkit report: 第 5/7 步（工作簿）失败：OSError: disk full（位于 " in err
    assert not list(tmp_path.glob("*.xlsx"))
    assert set(manifest(tmp_path)) == set(files(tmp_path)) - {MANIFEST}
    assert "遂宁市安居区总工会" in (tmp_path / "audit.md").read_text(encoding="utf-8")


def test_a_step_failing_midway_lists_the_files_it_did_write(capsys, tmp_path, monkeypatch):
    """Tables written before the one that failed are this run's: listed, so the next report replaces them."""
    assert report(capsys, tmp_path, TINY)[0] == 0
    earlier_tables = {name for name in manifest(tmp_path) if name.startswith("tables/")}
    real, calls = budget_report.table_csv, []

    def third_fails(frame):
        calls.append(frame)
        if len(calls) == 3:
            raise ValueError("a table that cannot be written")
        return real(frame)

    monkeypatch.setattr(budget_report, "table_csv", third_fails)
    status, _, err = report(capsys, tmp_path)
    assert status == 3 and "第 4/7 步（表格）失败：ValueError: a table that cannot be written（位于 " in err
    tables = {name for name in files(tmp_path) if name.startswith("tables/")}
    assert len(tables) == 2 and tables <= set(manifest(tmp_path))
    assert set(manifest(tmp_path)) == set(files(tmp_path)) - {MANIFEST}
    assert len(earlier_tables) > 2  # the earlier budget's other tables were removed, not left beside them


def test_unreadable_input_leaves_the_earlier_report_as_it_was(capsys, tmp_path):
    assert report(capsys, tmp_path, TINY)[0] == 0
    before = files(tmp_path)
    status, _, _ = report(capsys, tmp_path, tmp_path / "nowhere")
    assert status == 2 and files(tmp_path) == before


@pytest.mark.parametrize("paths", [(), (DEMO,)], ids=["budget", "collection"])
def test_out_naming_a_file_says_a_folder_is_needed(capsys, tmp_path, paths):
    taken = tmp_path / "taken"
    taken.write_text("a file", encoding="utf-8")
    status, out, err = report(capsys, taken, *paths)
    assert (status, out) == (2, "")
    assert err.endswith(f"--out {taken} 是文件，不是文件夹：请指定一个文件夹（新建或已有）来写入报告\n")
    assert err.count("\n") == 1 and err.startswith("budgetkit report")
    status, _, err = report(capsys, taken / "inside", *paths)
    assert status == 2 and err.endswith(f"--out {taken / 'inside'} 无法创建：{taken} 是文件，不是文件夹\n")
    assert err.count("\n") == 1
    with using_language("en"):
        status, out, err = report(capsys, taken, *paths)
    assert (status, out) == (2, "")
    assert err.endswith(f"--out {taken} is a file, not a folder: name a folder (new or existing) "
                        "to write the report into\n") and err.count("\n") == 1
    with using_language("zh"):  # the command's --lang en lasts as long as the block
        status, _, err = report(capsys, taken / "inside", *paths, "--lang", "en")
    assert err.endswith(f"--out {taken / 'inside'} cannot be made: {taken} is a file, not a folder\n")
    assert taken.read_text(encoding="utf-8") == "a file"


def test_a_failing_collection_step_is_named(capsys, tmp_path, monkeypatch):
    def broken(audited, out):
        raise KeyError("no such sheet")

    monkeypatch.setattr(collection_report, "_workbook", broken)
    status, _, err = report(capsys, tmp_path, DEMO)
    assert status == 3
    assert "budgetkit report: 第 5/7 步（工作簿）失败：KeyError: 'no such sheet'（位于 " in err and "Traceback" not in err


def test_a_failing_collection_chart_is_named(capsys, tmp_path, monkeypatch):
    from budgetkit import charts

    def broken(frame):
        raise ValueError("no budgets to draw")

    monkeypatch.setitem(charts.COLLECTION_CHARTS, "spending-shares", broken)
    status, _, err = report(capsys, tmp_path, DEMO)
    assert status == 3
    assert "第 3/7 步（图表）失败：图表 spending-shares：ValueError: no budgets to draw（位于 " in err


def test_a_step_is_named_even_when_a_helper_names_another(tmp_path):
    from budgetkit.report.steps import ReportError, ReportResult, run_steps

    def tables():
        raise ReportError("charts", "a helper shared with the charts step failed")

    steps = [("load-and-audit", lambda: ([], "loaded")), ("tables", tables)]
    with pytest.raises(ReportError) as error:
        run_steps(ReportResult(out=tmp_path), steps, progress=lambda _: None)
    assert error.value.step == "tables"
    assert str(error.value) == "第 4/7 步（表格）失败：a helper shared with the charts step failed"
    with using_language("en"), pytest.raises(ReportError) as error:
        run_steps(ReportResult(out=tmp_path), steps, progress=lambda _: None)
    assert str(error.value) == "step 4/7 (tables) failed: a helper shared with the charts step failed"
