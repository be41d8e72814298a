"""The README tells a newcomer everything: public names, commands, the two-command quick start, current docs."""

import re
from pathlib import Path

import budgetkit
import budgetkit.audit
from budgetkit.cli import build_parser
from budgetkit.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_public_name_is_in_the_readme():
    missing = [name for name in budgetkit.__all__ if f"`{name}`" not in README]
    missing += [name for name in ("audit", "load_rules", "summarize", "assert_no_findings") if f"`{name}`" not in README]
    assert missing == []


def test_every_command_is_in_the_readme():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps sub-commands here
    assert [name for name in commands if f"budgetkit {name}" not in README] == []


def test_quick_start_is_exactly_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make report", "make test"]


def test_readme_opens_with_purpose_and_a_folder_map():
    head = README.split("## ", 1)[0]
    for folder in ("budgetkit/", "data/", "data/raw/", "notebooks/", "tests/"):
        assert re.search(rf"^{re.escape(folder)}\s+\S", head, re.M), folder


def test_data_dictionary_is_current():
    generated = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert generated.endswith(data_dictionary()), "run `make docs`"


def test_benchmark_table_is_the_latest():
    """The README shows the table `make bench` last wrote, and the command that produced it."""
    latest = (ROOT / "benchmarks" / "latest.md").read_text(encoding="utf-8")
    rows = [line for line in latest.splitlines() if line.startswith("|") or line.startswith("Produced by")]
    assert rows, "benchmarks/latest.md has no table"
    assert [row for row in rows if row not in README.splitlines()] == [], "paste benchmarks/latest.md into the README"


def _console_commands():
    """Each ``$ command`` of the README's console blocks with the lines printed under it."""
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        command, shown = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    yield command, shown
                command, shown = line[2:], []
            elif command:
                shown.append(line)
        if command:
            yield command, shown


#: Example paths the README names for the reader's own files: a command naming one is not run.
_READERS_OWN = ("path/to/", "说明.txt", "公开文件.pdf", "budgets/", "2023/", "findings.csv")


def test_readme_console_commands_run_as_printed_in_a_fresh_shell():
    """In a new shell with only the README's own `source .venv/bin/activate`, every console command
    runs (exit 0, or 1 where `check` reports findings) and prints what the README shows under it."""
    import os
    import subprocess
    import sys

    activate = ROOT / ".venv" / "bin" / "activate"
    venv = f"source {activate}" if activate.is_file() else f"PATH={Path(sys.executable).parent}:$PATH"
    ran = 0
    for command, shown in _console_commands():
        if command.startswith("source .venv/bin/activate") or any(own in command for own in _READERS_OWN):
            continue
        line = command.split("  #", 1)[0].strip()
        result = subprocess.run(["bash", "-c", f"{venv} && {line}"], cwd=ROOT, capture_output=True, text=True,
                                env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"},
                                timeout=300)
        assert result.returncode in (0, 1), f"{line}: {result.stderr[-500:]}"
        assert "Traceback" not in result.stderr, line
        if shown:
            assert result.stdout.splitlines() == shown, line
        ran += 1
    assert ran >= 5
