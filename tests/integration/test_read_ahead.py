"""A PDF read ahead: ``python -m budgetkit`` starts parsing the PDFs it is given before it imports pandas,
and the reader takes that child's pages instead of parsing the file again; what it reads is the same."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from budgetkit.extract import reading
from budgetkit.extract.reading import read_document
from budgetkit.extract.unpacking import MAX_DIGIT_RUN
from budgetkit.messages import text
from budgetkit.pdf_pages import read_ahead, taken_ahead
from budgetkit.schema import BudgetDataError

DOCUMENTS = Path(__file__).resolve().parents[1] / "corpus" / "documents"
TABLES = DOCUMENTS / "js-npc-office-2019-budget-tables.pdf"
EXPLANATION = DOCUMENTS / "js-party-office-2018-budget-explanation.pdf"


def test_the_pdf_page_reader_imports_neither_pandas_nor_pdfplumber():
    code = ("import sys, budgetkit.pdf_pages; "
            "print(sorted(m for m in ('pandas', 'pdfplumber', 'budgetkit.schema', 'budgetkit.extract') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _not_parsed_here(path):
    raise AssertionError(f"{path} parsed again: the pages read ahead were not taken")


def test_a_pdf_read_ahead_is_read_as_it_is_without(monkeypatch):
    without = read_document(TABLES)
    read_ahead(["check", str(TABLES), "--format", "json"])
    monkeypatch.setattr(reading, "read_pages", _not_parsed_here)
    ahead = read_document(TABLES)
    assert taken_ahead(TABLES) is None  # taken once
    assert ahead.text == without.text and ahead.tables == without.tables and ahead.tables


def test_a_pdf_changed_since_it_was_read_ahead_is_read_again(tmp_path):
    path = tmp_path / "budget.pdf"
    shutil.copyfile(TABLES, path)
    read_ahead([str(path)])
    shutil.copyfile(EXPLANATION, path)  # another document under the same name
    assert read_document(path).text == read_document(EXPLANATION).text


def test_a_pdf_read_ahead_is_still_refused_by_its_streams(tmp_path):
    """The streams are checked before the pages read ahead are taken: a file they refuse is refused."""
    path = tmp_path / "digits.pdf"
    path.write_bytes(TABLES.read_bytes() + b"\n%" + b"1" * 2_000_000 + b"\n")
    read_ahead([str(path)])
    with pytest.raises(BudgetDataError) as raised:
        read_document(path)
    assert taken_ahead(path) is None
    assert raised.value.problems[0].message == text("extract.pdf-digit-run", offset=TABLES.stat().st_size + 2,
                                                    limit=MAX_DIGIT_RUN)
