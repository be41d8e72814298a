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
