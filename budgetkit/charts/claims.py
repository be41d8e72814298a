"""What the charts of one budget read from it: each figure of its claims looked up by measure, in document
order, and the parts its sum rules name.

A chart asks for a few dozen figures; filtering the claims frame for each one cost more than drawing the chart,
so the claims are read once into plain rows grouped by measure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..audit import Rule, load_rules
from ..numbers import MONEY_UNITS
from ..template import sum_parts

__all__ = ["BudgetClaims", "rule_parts", "wan_yuan"]


#: The claims' document order: by line, then by position in the line (ties by id, a claim without a place last).
DOCUMENT_ORDER = ("line", "char_start", "claim_id")


#: The columns the charts read.
COLUMNS = (*DOCUMENT_ORDER, "kind", "measure", "year", "value", "unit", "direction", "base_year", "ref_claim_id",
           "base_claim_id")


def wan_yuan(value, unit: str) -> Decimal:
    """A money figure in 万元, exactly (an amount printed in 元 or 亿元 converted)."""
    return Decimal(value) * MONEY_UNITS[unit]


def _document_position(row: dict) -> tuple:
    return tuple(part for column in DOCUMENT_ORDER for part in (row[column] is None, row[column] or 0))


class BudgetClaims:
    """A budget's claims as rows (missing values None), in document order and by measure and id."""

    def __init__(self, budget) -> None:
        claims = budget.claims
        columns = {column: [None if missing else value
                            for value, missing in zip(claims[column].tolist(), claims[column].isna().tolist())]
                   for column in COLUMNS}
        rows = [dict(zip(COLUMNS, values)) for values in zip(*columns.values())]
        self.by_id = {}
        for row in rows:
            self.by_id.setdefault(str(row["claim_id"]), row)
        self.in_order = sorted(rows, key=_document_position)
        self.by_measure: dict[str, list[dict]] = defaultdict(list)
        for row in self.in_order:
            self.by_measure[row["measure"]].append(row)
        measures = budget.measures
        self.labels = dict(zip(measures["measure"][::-1], measures["label"][::-1]))  # the first label wins

    def label(self, measure: str) -> str:
        return str(self.labels.get(measure, measure))

    def stated(self, measure: str, year: int, kinds: Sequence[str] = ("total", "amount")) -> Decimal | None:
        """The first figure the document states for ``measure`` in ``year``, in 万元 (from whichever money
        unit it is printed in); None when it states none."""
        for row in self.by_measure.get(measure, ()):
            if (row["kind"] in kinds and row["year"] == year and row["unit"] in MONEY_UNITS
                    and row["value"] is not None):
                return wan_yuan(row["value"], row["unit"])
        return None

    def changes(self, measure: str, base_year: int) -> list[dict]:
        """The stated changes of ``measure`` against ``base_year``, in document order."""
        return [row for row in self.by_measure.get(measure, ())
                if row["kind"] == "change" and row["base_year"] == base_year]

    def money_changes(self) -> list[dict]:
        """Every stated change printed in a money unit, in document order."""
        return [row for row in self.in_order if row["kind"] == "change" and row["unit"] in MONEY_UNITS]

    def claim(self, claim_id) -> dict | None:
        if claim_id is None or str(claim_id) in ("", "nan", "None", "<NA>"):  # str columns spell missing ids
            return None
        return self.by_id.get(str(claim_id))


@lru_cache(maxsize=4)
def _rules(path: Path, mtime_ns: int, size: int) -> list[Rule]:
    """A rules file read once per process (again when it changes): each chart of a budget asks for it."""
    return load_rules(path)


def rule_parts(rules_path, total: str) -> list[str]:
    """The parts the first sum rule of ``total`` names in ``rules_path`` (:func:`budgetkit.template.sum_parts`)."""
    path = Path(rules_path)
    try:
        stat = path.stat()
    except OSError:
        return sum_parts(load_rules(path), total)  # load_rules names what is wrong with the file
    return sum_parts(_rules(path, stat.st_mtime_ns, stat.st_size), total)
