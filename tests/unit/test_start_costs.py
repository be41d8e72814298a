"""What a command or a notebook pays before its first result: no reader loaded for a data package; the data
files read by one reader."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from budgetkit.template import data_dir, read_toml


def test_the_data_files_are_read_as_tomllib_reads_them():
    for path in [*data_dir().glob("*.toml"), *(data_dir() / "messages").glob("*.toml")]:
        assert read_toml(path) == tomllib.loads(path.read_text(encoding="utf-8")), path


def test_line_ends_are_read_as_read_text_reads_them(tmp_path):
    path = tmp_path / "words.toml"
    path.write_bytes(b'text = """one\r\ntwo"""\r\n')
    assert read_toml(path) == {"text": "one\ntwo"}


def test_a_file_that_is_not_toml_raises(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        read_toml(path)


def test_loading_a_data_package_loads_no_document_reader():
    code = ("import sys, budgetkit; budgetkit.load(); budgetkit.load(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith('budgetkit.extract')))")
    package = data_dir() / "final-accounts" / "sh-putuo-planning-2024-final-accounts"
    result = subprocess.run([sys.executable, "-c", code, str(package)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_table_marked_once_is_made_once_and_by_make_all():
    from budgetkit import once

    made = []
    table = once.once(lambda: made.append("made") or len(made))
    try:
        once.make_all()
        assert made == ["made"]
        assert table() == 1 and made == ["made"]
    finally:
        once._MARKED.remove(table)


def test_check_makes_the_readers_and_audits_tables_while_its_pdf_is_read(monkeypatch, capsys):
    """Every table marked once and the rules are made before the PDF's pages are taken from the child
    reading them: the two cores work at once, and nothing of the sort is left for after."""
    from budgetkit import cli, once
    from budgetkit.audit import rules as rules_module
    from budgetkit.extract import reading
    from budgetkit.pdf_pages import read_ahead

    pdf = Path(__file__).resolve().parents[1] / "corpus" / "documents" / "js-party-office-2018-budget-explanation.pdf"
    for table in once._MARKED:
        table.cache_clear()
    rules_module._rules_of.cache_clear()
    seen = {}
    collect = reading.collect

    def collecting(child, path):
        seen["unmade"] = [table.__wrapped__.__qualname__ for table in once._MARKED if not table.cache_info().currsize]
        seen["rules"] = rules_module._rules_of.cache_info().currsize
        return collect(child, path)

    monkeypatch.setattr(reading, "collect", collecting)
    read_ahead(["check", str(pdf)])
    cli.main(["check", str(pdf), "--format", "json"])
    capsys.readouterr()
    assert seen == {"unmade": [], "rules": 1}
