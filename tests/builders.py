"""Small hand-made budgets for the tests: claims written as a few keywords, everything else defaulted."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from budgetkit.model import Budget, load
from budgetkit.numbers import parse_figure
from budgetkit.schema import bundled_data_dir, decimal_array

CLAIM_COLUMNS = [
    "claim_id", "section", "line", "char_start", "char_end", "text", "kind", "measure", "code", "label", "year",
    "value", "unit", "decimals", "qualifier", "direction", "base_measure", "base_year", "ref_claim_id",
    "base_claim_id", "quote",
]


def claim(measure: str, text: str, **fields) -> dict:
    """One claim: ``claim("income_total", "840.99", kind="total")``."""
    return {"measure": measure, "text": text, **fields}


def claims_frame(specs: list[dict]) -> pd.DataFrame:
    rows = []
    for number, spec in enumerate(specs, start=1):
        text = spec["text"]
        figure = None if "×" in text else parse_figure(text)
        row = {
            "claim_id": spec.get("claim_id", f"c{number:03d}-1"),
            "section": spec.get("section", "三"),
            "line": number,
            "char_start": 0,
            "char_end": len(text),
            "text": text,
            "kind": spec.get("kind", "amount"),
            "measure": spec["measure"],
            "code": spec.get("code"),
            "label": spec.get("label", spec["measure"]),
            "year": spec.get("year", 2024),
            "value": None if figure is None else figure.value,
            "unit": spec.get("unit", "万元"),
            "decimals": None if figure is None else figure.decimals,
            "qualifier": spec.get("qualifier"),
            "direction": spec.get("direction"),
            "base_measure": spec.get("base_measure"),
            "base_year": spec.get("base_year"),
            "ref_claim_id": spec.get("ref"),
            "base_claim_id": spec.get("base"),
            "quote": spec.get("quote", f"{spec.get('label', spec['measure'])}{text}"),
        }
        rows.append(row)
    frame = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    for column in ("line", "char_start", "char_end", "year", "decimals", "base_year"):
        frame[column] = frame[column].astype("Int64")
    frame["value"] = decimal_array(list(frame["value"]), min_scale=4)
    for column in CLAIM_COLUMNS:
        if column not in ("line", "char_start", "char_end", "year", "decimals", "base_year", "value"):
            frame[column] = frame[column].astype("str")
    return frame


@lru_cache(maxsize=1)
def _bundled() -> Budget:
    return load()


def budget_of(specs: list[dict], raw_text: str = "") -> Budget:
    """A budget held in memory only, for exercising the audit on exactly these claims."""
    bundled = _bundled()
    return Budget(
        department="测试单位", year=2024, prior_year=2023, source=Path("."), raw_text=raw_text or "\n" * len(specs),
        claims=claims_frame(specs), line_items=bundled.line_items.iloc[0:0], measures=bundled.measures,
        rules_path=bundled_data_dir() / "rules.toml", descriptor={},
    )


def workbook_of(tmp_path: Path, sheet: list[list[str]], merged=(), name: str = "公开表.xlsx") -> Path:
    """An .xlsx of one sheet of ``sheet``'s rows (``merged``: its merged ranges, A1:B2), written with openpyxl."""
    import pytest

    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    for row in sheet:
        workbook.active.append(row)
    for cells in merged:
        workbook.active.merge_cells(cells)
    path = tmp_path / name
    workbook.save(path)
    return path
