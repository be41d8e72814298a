"""Regenerate docs/data-dictionary.md from the one descriptor that declares every column."""

from pathlib import Path

from budgetkit.schema import data_dictionary

HEADER = """# Data dictionary

Generated from `data/datapackage.json` by `make docs`; a test fails when it is out of date.

"""

target = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"
target.write_text(HEADER + data_dictionary(), encoding="utf-8")
print(f"wrote {target}")
