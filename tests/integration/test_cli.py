"""The command line, called as a user would; outputs compared exactly, in Chinese (the default) and with
``--lang en`` in English. Tests of what other parts of the house say through the command line (a budget
data error, a collection's unreadable source) read it in English, the wording those tests were written
against."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from budgetkit.cli import main
from budgetkit.findings import FINDING_COLUMNS, safe_cell
from budgetkit.messages import text, using_language, verdict_name

TESTS = Path(__file__).resolve().parents[1]
TINY = TESTS / "data" / "tiny-budget"
EXPECTED = TESTS / "expected"


def run(capsys, *args):
    """``budgetkit ARGS`` as its own process would run: a ``--lang`` lasts for this run only."""
    with own_process():
        status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@contextmanager
def own_process():
    """The language as it was before: ``--lang`` sets it for the process, and each command is one."""
    before = os.environ.get("BUDGETKIT_LANG")
    try:
        yield
    finally:
        os.environ.pop("BUDGETKIT_LANG", None)
        if before is not None:
            os.environ["BUDGETKIT_LANG"] = before


@pytest.fixture(autouse=True)
def columns(monkeypatch):
    """A terminal 100 columns wide, whatever runs the tests (``-s`` in a terminal included); the language
    the test asks for (``--lang`` sets it for the process: it is put back after the test)."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("BUDGETKIT_LANG", "zh")  # recorded, so whatever --lang leaves is undone
    monkeypatch.delenv("BUDGETKIT_LANG")  # the default


def test_check_lists_failures_then_counts_the_passes_at_100_columns(capsys):
    status, out, err = run(capsys, "check", str(TINY))
    assert out == (EXPECTED / "tiny-check-100.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")
    assert run(capsys, "check", str(TINY), "--failures-only")[1] == out  # today's option, now the default


@pytest.mark.parametrize("lang, heading", [("zh", "审核结果：wuzhou-excerpt 2022年"),
                                           ("en", "budgetkit check — wuzhou-excerpt 2022")])
def test_a_department_named_by_its_file_is_spaced_from_the_year(capsys, tmp_path, lang, heading):
    excerpt = tmp_path / "wuzhou-excerpt.txt"  # no department in the text: the file's name stands for it
    excerpt.write_text("六、一般公共预算基本支出情况说明\n2022 年一般公共预算基本支出 1133753.33 元,其中:\n"
                       "人员经费 1030180.29 元,占基本支出预算 90.86%。\n公用经费 103573.04 元,占基本支出预算 9.14%。\n",
                       encoding="utf-8")
    assert run(capsys, "--lang", lang, "check", str(excerpt))[1].splitlines()[0] == heading


def test_check_is_chinese_by_default_and_english_with_lang_en(capsys):
    chinese = run(capsys, "check", str(TINY))[1]
    assert chinese.splitlines()[0] == "审核结果：测试区文化馆2024年"
    assert "\n不符  income-by-source  三 c004-1\n" in chinese  # the verdict's name, two spaces before the rule
    assert chinese.endswith("\n一致10项：未逐项列出（加 --all 逐项列出）\n\n"
                            "共核对11项，其中一致10项、舍入0项、文字0项、口径0项、不符1项\n")
    status, english, err = run(capsys, "--lang", "en", "check", str(TINY))
    assert english == (EXPECTED / "tiny-check-100-en.txt").read_text(encoding="utf-8")
    assert (status, err) == (1, "")
    assert run(capsys, "check", str(TINY), "--lang=en")[1] == english  # after the command too


def test_verdict_labels_stay_aligned_in_either_language(capsys):
    """Every failure's rule, quote and reason begin in one column: the widest verdict name's, wide
    characters counted as two (不符 is four columns, as wide as DRIFT's first four letters)."""
    from wcwidth import wcswidth

    for lang, column in (("zh", 6), ("en", 11)):
        out = run(capsys, "check", "--lang", lang)[1]
        blocks = [block.splitlines() for block in out.split("\n\n")[1:] if block.startswith(
            tuple(verdict_name(v, lang).upper() for v in ("rounding", "text", "semantic", "drift")))]
        assert len(blocks) > 5, lang
        for head, *rest in blocks:
            label = head.split("  ")[0]
            assert wcswidth(head) - wcswidth(head.lstrip(label).lstrip(" ")) == column, head
            assert all(line[:column].isspace() and not line[column].isspace() for line in rest), rest


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
    with pytest.raises(SystemExit) as exit_, own_process():
        main(["check", "--all", "--failures-only"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "not allowed with argument" in err  # argparse's own words, after ours
    assert err.startswith("用法：budgetkit check [-h]") and "\nbudgetkit check: 参数错误：argument --failures-only" in err
    with pytest.raises(SystemExit), own_process():
        main(["check", "--all", "--failures-only", "--lang", "en"])
    err = capsys.readouterr().err
    assert err.startswith("usage: budgetkit check [-h]")
    assert err.endswith("\nbudgetkit check: error: argument --failures-only: not allowed with argument --all\n")


def help_of(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit_, own_process():
        main([*args, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_the_help_is_in_the_language_asked_for(capsys):
    chinese = help_of(capsys, "check")
    assert chinese.startswith("用法：budgetkit check [-h] [--scheduler ADDRESS] [--format {table,json,csv}] "
                              "[--lang {zh,en}]\n                      [--fail-on")  # continued under the first option
    for line in ("位置参数：", "选项：", "  -h, --help            显示本帮助并退出",
                 "  --rules RULES         改用指定的 rules.toml 规则文件，不用数据包自带的规则"):
        assert line in chinese.splitlines(), line
    english = help_of(capsys, "--lang", "en", "check")
    assert english.startswith("usage: budgetkit check [-h]")
    for line in ("positional arguments:", "options:", "  -h, --help            show this help message and exit",
                 "  --rules RULES         a rules.toml to use instead of the package's own"):
        assert line in english.splitlines(), line
    assert "审核文中所列的每个合计、比重和增减，列出不相符之处。" in chinese
    assert "Audit every stated total, share and change; list what does not add up." in english
    for command in ("report", "extract"):
        assert help_of(capsys, command).startswith(f"用法：budgetkit {command} [-h]")
    top = help_of(capsys)
    assert "    check         按规则审核文中所列的每个数字" in top.splitlines()


def test_chinese_help_is_wrapped_by_columns(capsys, monkeypatch):
    from wcwidth import wcswidth

    for width in (100, 60):
        monkeypatch.setenv("COLUMNS", str(width))
        for command in ((), ("check",), ("report",), ("extract",)):
            lines = help_of(capsys, *command).splitlines()
            chinese = [line for line in lines if wcswidth(line) > len(line)]  # argparse's usage may overflow
            assert chinese and max(wcswidth(line) for line in chinese) <= width - 2, (width, command)
    monkeypatch.setenv("COLUMNS", "100")
    out = help_of(capsys, "check")
    fail_on = out.split("  --fail-on {rounding,text,semantic,drift}\n", 1)[1].split("\n  --rules", 1)[0]
    assert fail_on.splitlines() == [  # Chinese breaks between characters, under the help's column
        " " * 24 + "存在此严重程度或更严重的问题时，以退出状态 1 结束（rounding 舍入 < text 文",
        " " * 24 + "字 < semantic 口径 < drift 不符；默认：drift）"]


def test_check_csv_output_is_exact(capsys):
    status, out, _ = run(capsys, "check", str(TINY), "--format", "csv", "--lang", "en")
    assert out == (EXPECTED / "tiny-check.csv").read_text(encoding="utf-8")
    assert status == 1


def test_csv_and_json_keep_their_english_keys_in_chinese(capsys):
    """Only the explanations (and the rules' reasons) are in the language asked for: columns, verdicts,
    rule ids, sections, figures and quotes are the same data in either."""
    from budgetkit import load

    chinese = list(csv.DictReader(io.StringIO(run(capsys, "check", str(TINY), "--format", "csv")[1])))
    english = list(csv.DictReader(io.StringIO(run(capsys, "check", str(TINY), "--format", "csv", "--lang", "en")[1])))
    assert list(chinese[0]) == list(english[0]) == FINDING_COLUMNS
    translated = ("explanation", "reason")
    assert [{k: v for k, v in row.items() if k not in translated} for row in chinese] == \
        [{k: v for k, v in row.items() if k not in translated} for row in english]
    assert [row["explanation"] for row in chinese] == list(load(TINY).audit()["explanation"])
    assert chinese[0]["explanation"] == "各项相加 90.00 + 10.50 = 100.50，不等于所列 100.00。"
    records = json.loads(run(capsys, "check", str(TINY), "--format", "json")[1])
    assert [r["verdict"] for r in records] == [row["verdict"] for row in english]


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
    assert out.endswith("共核对11项，其中一致11项、舍入0项、文字0项、口径0项、不符0项\n")
    assert run(capsys, "check", str(package), "--lang", "en")[1].endswith(
        "11 evaluations: 11 consistent, 0 rounding, 0 text, 0 semantic, 0 drift\n")


@pytest.mark.usefixtures("english")
def test_bad_input_exits_2_with_file_line_and_field(capsys, tmp_path):
    import shutil

    package = tmp_path / "broken"
    shutil.copytree(TINY, package)
    path = package / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",90.00,万元", ",9O.00,万元"), encoding="utf-8")
    status, out, err = run(capsys, "check", str(package))
    assert status == 2 and out == ""
    assert f"{path}, line 3, field 'value': '9O.00' is not a number" in err
    assert "Traceback" not in err and err.startswith("budgetkit check: ")


@pytest.mark.usefixtures("english")
def test_missing_rules_file_is_a_clear_error(capsys, tmp_path):
    status, _, err = run(capsys, "check", "--rules", str(tmp_path / "none.toml"))
    assert status == 2 and "none.toml: file not found" in err


def test_an_error_is_one_message_after_the_commands_name_in_either_language(capsys, tmp_path):
    from budgetkit.audit import RulesError, load_rules

    for lang in ("zh", "en"):
        status, out, err = run(capsys, "check", "--rules", str(tmp_path / "none.toml"), "--lang", lang)
        with using_language(lang):
            try:
                load_rules(tmp_path / "none.toml")
            except RulesError as error:
                message = str(error)
        assert (status, out, err) == (2, "", f"budgetkit check: {message}\n")
    too_long = tmp_path / ("a" * 300)
    status, _, err = run(capsys, "check", str(too_long))
    assert status == 2 and err == f"budgetkit check: {too_long}：File name too long\n"  # the system's words
    assert run(capsys, "check", str(too_long), "--lang", "en")[2] == f"budgetkit check: {too_long}: File name too long\n"


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


@pytest.mark.parametrize(("lang", "heading", "summary"), [
    # the demo's packages state that they are budgets: counted as budgets
    ("zh", "预算", "{budgets}份预算共核对{total}项，其中一致{consistent}项、"),
    ("en", "budget", "{total} evaluations in {budgets} budgets: {consistent} consistent, "),
])
def test_collection_counts_add_up_to_the_findings_table(capsys, demo_findings, lang, heading, summary):
    collection, findings = demo_findings
    _, out, _ = run(capsys, "check", str(DEMO), "--lang", lang)
    counts = findings["verdict"].astype(str).value_counts()
    assert out.splitlines()[-1].startswith(summary.format(total=len(findings), budgets=len(collection.budgets),
                                                          consistent=counts.get("consistent", 0)))
    header, *table = out.split(f"\n{heading} ", 1)[1].splitlines()[:len(collection.budgets) + 1]
    assert header.split() == [verdict_name(v, lang) for v in ("consistent", "rounding", "text", "semantic", "drift")]
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
    assert sum(line.startswith("  一致  ") for line in out.splitlines()) == len(consistent)
    default = run(capsys, "check", str(DEMO))[1]
    assert out.endswith(default.split("\n预算 ", 1)[1])  # the same counts per budget, the same summary
    english = run(capsys, "check", str(DEMO), "--all", "--lang", "en")[1]
    assert sum(line.startswith("  ok  ") for line in english.splitlines()) == len(consistent)


def test_several_paths_are_checked_as_one_collection(capsys):
    status, out, _ = run(capsys, "check", str(TINY), str(DEMO / "anju-health-2022"))
    assert out.startswith("审核结果：1份预算、1份类型不明的文件，2个部门，2022—2024年\n")  # tiny states no kind
    assert status == 1
    english = run(capsys, "check", str(TINY), str(DEMO / "anju-health-2022"), "--lang", "en")[1]
    assert english.startswith("budgetkit check — 1 budget and 1 document of unknown kind of 2 departments, 2022–2024\n")


def test_an_unreadable_source_is_named_and_the_others_are_checked(capsys, tmp_path):
    import shutil

    shutil.copytree(TINY, tmp_path / "tiny-budget")
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    status, out, err = run(capsys, "check", str(tmp_path))
    assert "\n── tiny-budget · 测试区文化馆2024年 ──\n" in out and "\n1份文件共核对11项，" in out
    assert err.startswith(f"budgetkit check: ") and str(tmp_path / "broken.txt") in err
    assert status == 2  # the audit is incomplete
    status, out, err = run(capsys, "check", str(tmp_path), "--lang", "en")
    assert "\n── tiny-budget · 测试区文化馆 2024 ──\n" in out and "11 evaluations in 1 document:" in out
    assert f"budgetkit check: could not read {tmp_path / 'broken.txt'}" in err
    assert status == 2


@pytest.mark.usefixtures("english")
def test_a_folder_with_nothing_to_read_is_a_clear_error(capsys, tmp_path):
    status, out, err = run(capsys, "check", str(tmp_path))
    assert status == 2 and out == ""
    assert f"{tmp_path}: no data packages (datapackage.json) and no .txt/.docx/.pdf documents" in err


FRAGMENT = TESTS / "documents" / "fragment-agriculture-bureau-2024-sections-7-8.txt"


def test_checking_a_fragment_says_what_it_could_not_check(capsys, monkeypatch):
    """23 consistent evaluations of two sections are not a clean budget: the summary says so."""
    from budgetkit.extract import extract

    monkeypatch.setenv("COLUMNS", "60")
    status, out, _ = run(capsys, "check", str(FRAGMENT))
    assert status == 0
    limits = extract(FRAGMENT).extraction.limits()  # what extraction says it left out, in Chinese
    assert out == (
        "审核结果：青石县农业农村局2024年\n\n"
        "一致23项：未逐项列出（加 --all 逐项列出）\n\n"
        "共核对23项，其中一致23项、舍入0项、文字0项、口径0项、不符0项\n\n"  # 60 columns, just fits
        "未核对：\n" + "".join(f"  {line}\n" for line in limits)
        # （一）因公出国（境）经费与2023年预算持平: no 2023 figure of it is printed
        + "  1 处写明的关系未核对（加 --all 逐一列出）：\n    文中没有可以确定为所比较年份数额的数字（1 处）\n")
    assert len(limits) == 11


def test_all_lists_each_relation_the_check_did_not_evaluate_wrapped_under_its_text(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = run(capsys, "check", str(FRAGMENT), "--all")[1]
    assert out.endswith("    十二 名词解释\n"
                        "  1 处写明的关系未核对：\n"
                        "    七（一） c005-1  “（一）因公出国（境）经费与2023年预算持\n"
                        "    平”：文中没有可以确定为所比较年份数额的数字\n")


@pytest.mark.usefixtures("english")
def test_checking_a_fragment_says_what_it_could_not_check_in_english(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    status, out, _ = run(capsys, "check", str(FRAGMENT))
    assert status == 0
    assert out == (
        "budgetkit check — 青石县农业农村局 2024\n\n"
        "consistent (23): not listed (--all lists them)\n\n"
        "23 evaluations: 23 consistent, 0 rounding, 0 text, 0\nsemantic, 0 drift\n\n"
        "Not checked:\n"
        "  10 standard sections not found:\n"
        "    一 基本职能及主要工作\n    二 部门预算单位构成\n    三 收支预算情况说明\n    四 财政拨款收支预算情况说明\n"
        "    五 一般公共预算当年拨款情况说明\n    六 一般公共预算基本支出情况说明\n    九 政府性基金预算支出情况说明\n"
        "    十 国有资本经营预算支出情况说明\n    十一 其他重要事项的情况说明\n    十二 名词解释\n"
        "  relations the document states that were not evaluated: 1\n  (--all lists each)\n"
        "    1 × no figure of the document could be identified as the\n"
        "        figure of the year it compares with\n")


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


@pytest.mark.parametrize(("lang", "label", "hang", "mark"), [("zh", 4, 6, "  一致  "), ("en", 10, 11, "  ok  ")])
def test_continuation_lines_are_indented_under_the_text_they_continue(capsys, monkeypatch, bundled_findings,
                                                                       lang, label, hang, mark):
    from wcwidth import wcswidth

    out = check_output(capsys, monkeypatch, 60, "--all", "--lang", lang)
    passes_heading = text("cli.passes-heading", lang, count=int((bundled_findings["verdict"] == "consistent").sum()))
    blocks = out.split(f"\n{passes_heading}\n")[0].split("\n\n")[1:]  # the failure blocks
    names = [verdict_name(v, lang).upper() for v in ("drift", "semantic", "text", "rounding")]
    quotes_continued = 0
    for block in blocks:
        head, *rest = block.splitlines()
        assert head.split(" ")[0] in names and rest
        assert wcswidth(head.split(" ")[0]) <= label and head[len(head.split(" ")[0]):].startswith("  ")
        in_quote = False
        for line in rest:
            indent = len(line) - len(line.lstrip(" "))
            assert indent == (hang + 1 if in_quote else hang), line  # a quote continues inside its opening mark
            quotes_continued += in_quote
            in_quote = (in_quote or line[hang] == "“") and not line.endswith("”")
    assert quotes_continued
    passes = out.split(f"\n{passes_heading}\n", 1)[1].split("\n\n")[0].splitlines()
    assert passes and all(line.startswith(mark) for line in passes if not line.startswith(" " * wcswidth(mark)))
    continued = [line for line in passes if not line.startswith(mark)]
    columns = wcswidth(mark)
    assert continued and all(line.startswith(" " * columns) and line[columns] != " " for line in continued)


def test_a_document_keeps_what_could_not_be_checked_in_the_summary(capsys, monkeypatch):
    from budgetkit.audit import unevaluated_relations
    from budgetkit.extract import extract

    budget = extract(CORPUS_PDF)
    limits = budget.extraction.limits()
    assert limits  # the corpus document has figures it could not read
    relations = unevaluated_relations(budget, budget.audit())
    assert len(relations)  # and changes on a prior year it does not print
    out = check_output(capsys, monkeypatch, 60, str(CORPUS_PDF))
    tail, counted = out.split("\n未核对：\n", 1)[1].split(f"  {len(relations)} 处写明的关系未核对（加 --all 逐一列出）：\n")
    assert "".join(tail.split()) == "".join("".join(limits).split())  # every line, in order, only rewrapped
    # then the relations, counted by reason, most first
    counts = [int(n) for n in re.findall(r"（(\d+) 处）", counted)]
    assert sum(counts) == len(relations) and counts == sorted(counts, reverse=True)


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
    assert "——另有\\x1b[31m12个" in out  # the unread line is still shown, harmlessly
    assert "\n  未读取：第8行（七）" in out
    status, out, _ = run(capsys, "extract", str(document), "--out", str(tmp_path / "pkg"), "--force", "--lang", "en")
    assert status == 0 and "\x1b" not in out and "— 另有\\x1b[31m12个" in out
    assert "\n  not read: line 8 (七) " in out


def test_extract_says_what_it_wrote_in_either_language(capsys, tmp_path):
    status, out, _ = run(capsys, "extract", str(TINY / "raw" / "tiny.txt"), "--out", str(tmp_path / "pkg"))
    assert status == 0
    assert out.splitlines()[0] == f"budgetkit extract: 已将测试区文化馆2024年的12个文中数字、0行科目明细写入 {tmp_path / 'pkg'}"
    status, out, _ = run(capsys, "extract", str(TINY / "raw" / "tiny.txt"), "--out", str(tmp_path / "pkg"), "--force",
                         "--lang", "en")
    assert out.splitlines()[0] == f"budgetkit extract: 12 claims, 0 line items of 测试区文化馆 2024 written to {tmp_path / 'pkg'}"
