"""Totals wider than the template's: a total whose own list names items beyond its sum rule's parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rules import Rule
from .table import ClaimTable

__all__ = ["WIDER_THAN_PARTS", "mark_wider_totals"]

#: The qualifier of a total whose own list names items beyond its rule's parts (“三公”经费…合计…其中：…会议费、
#: 培训费): a wider sum than the template's, so neither its sum nor a change of it is evaluated.
WIDER_THAN_PARTS = "parts-beyond-template"


def mark_wider_totals(rules: list[Rule], table: ClaimTable) -> None:
    """Qualify as :data:`WIDER_THAN_PARTS` each money statement of a sum rule's ``total`` measure after which,
    on its own line and before the next figure of that measure, a figure of the same year is of one of the
    rule's ``wider_if_listed`` measures."""
    for rule in rules:
        wider = rule.params.get("wider_if_listed") if rule.kind == "sum" else None
        if not wider:
            continue
        own = table.measure == rule.params["total"]
        listed = pd.Series(table.measure, dtype=object).isin(list(wider)).to_numpy() & table.has_v
        # each figure's nearest figure of the total's measure before it, on its line
        at = np.where(own, np.arange(table.n), -1)
        nearest = np.maximum.accumulate(at) if table.n else at
        owner = nearest[listed]
        kept = owner >= 0
        items, owner = np.flatnonzero(listed)[kept], owner[kept]
        kept = (table.b[owner] == table.b[items]) & (table.line[owner] == table.line[items]) \
            & (table.year[owner] == table.year[items]) & table.st[owner] & table.money[owner] \
            & pd.isna(table.qualifier[owner])
        table.qualifier[owner[kept]] = WIDER_THAN_PARTS
