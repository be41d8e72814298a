"""Totals wider than the template's: a total whose own list names items beyond its sum rule's parts."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .rules import Rule
from .table import ClaimTable

__all__ = ["WIDER_THAN_PARTS", "listed_under", "mark_wider_totals", "wider_totals"]

_SENTENCE_END = re.compile(r"[。；;]")

#: The qualifier of a total whose own list names items beyond its rule's parts (“三公”经费…合计…其中：…会议费、
#: 培训费): a wider sum than the template's, so those items are its parts too and a change of it, which may be
#: of either whole, is not held against the prior year it implies.
WIDER_THAN_PARTS = "parts-beyond-template"


def listed_under(text: str, total_end: int, item_end: int) -> bool:
    """Whether the figure ending at ``item_end`` of a line's ``text`` is in the 其中 list of the total ending
    at ``total_end``: in the same sentence, after a 其中."""
    between = text[total_end:item_end]
    return "其中" in between and not _SENTENCE_END.search(between)


def wider_totals(rules: list[Rule], table: ClaimTable, lines: pd.DataFrame) -> np.ndarray:
    """The rows of the money statements of the text (not of a table) of a sum rule's ``total`` measure
    whose 其中 list (:func:`listed_under`; ``lines``: b, line, text), before the next figure of that measure,
    holds a figure of the same year of one of the rule's ``wider_if_listed`` measures."""
    found = []
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
            & ~table.in_table[owner] & pd.isna(table.qualifier[owner])
        items, owner = items[kept], owner[kept]
        if not len(owner):
            continue
        texts = lines.set_index(["b", "line"])["text"]
        found.extend(o for o, i in zip(owner.tolist(), items.tolist())
                     if listed_under(str(texts.get((table.b[o], table.line[o]), "")), table.char_end[o],
                                     table.char_end[i]))
    return np.unique(np.array(found, dtype="int64"))


def mark_wider_totals(rules: list[Rule], table: ClaimTable, lines: pd.DataFrame) -> None:
    """Qualify each of the :func:`wider_totals` as :data:`WIDER_THAN_PARTS`."""
    table.qualifier[wider_totals(rules, table, lines)] = WIDER_THAN_PARTS
