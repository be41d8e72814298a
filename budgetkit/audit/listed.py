"""Parts listed under a whole by the code hierarchy: a 款 printed under its 类 (201 > 20103) can never
exceed it, however few of the 类's 款 the document lists or an excerpt keeps."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import as_objects, filled_each, joined, value_codes
from .engine import kind
from .figures import as_figures, describe_claims, intervals, print_figures
from .found import rows
from .rules import Rule
from .table import NONE, ClaimTable

__all__ = ["code_parents", "classification_bound_rows"]


def code_parents(table: ClaimTable, listed: np.ndarray) -> np.ndarray:
    """For each row of ``listed`` (claims in document order), the row of ``listed`` whose code is the
    longest prefix of its code among the claims printed before it in its budget, section and year, in
    the same kind of unit (money or one count); NONE when there is none, or for a claim without a code.
    A list under a code reaches to the next statement of a code of its own length or shorter, or of a
    figure without a code (another list begins: a fund's 212 is not the general budget's)."""
    parent = np.full(len(listed), NONE, dtype="int64")
    open_codes: dict[tuple, dict[str, int]] = {}  # place -> code -> its latest statement, a place in listed
    for at, row in enumerate(listed.tolist()):
        place = (int(table.b[row]), table.section[row], int(table.year[row]), table.cunit[row])
        stated = open_codes.setdefault(place, {})
        if pd.isna(table.code[row]):
            stated.clear()
            continue
        code = str(table.code[row])
        prefixes = [stated[code[:length]] for length in range(len(code) - 1, 2, -1) if code[:length] in stated]
        if prefixes:
            parent[at] = prefixes[0]
        for other in [c for c in stated if len(c) >= len(code)]:
            del stated[other]  # a code of this length or shorter closes the lists of those before it
        stated[code] = at
    return parent


@kind("classification-bound")
def classification_bound_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each coded figure of ``measure`` against the figure of the code above it printed before it (its
    longest stated prefix, in its section and year): the part cannot exceed the whole's upper bound."""
    of_measure = table.codes_of("measure")[0] == value_codes(table, "measure", [rule.params["measure"]])[0]
    listed = np.flatnonzero(of_measure & table.has_v & table.of_kind("item", "amount", "total"))
    listed = listed[np.lexsort((table.ord[listed], table.b[listed]))]
    parent = code_parents(table, listed)
    found = parent != NONE
    part, whole = listed[found], listed[parent[found]]
    within = table.lo[part] <= table.hi[whole]
    explanation = as_objects(filled_each(np.where(within, "audit.bound-within", "audit.bound-exceeds"),
                                         part=describe_claims(table, part), whole=describe_claims(table, whole)))
    lo, hi, whole_hi = print_figures(as_figures(table.lo[part], table.is_[part]),
                                     as_figures(table.hi[part], table.is_[part]),
                                     as_figures(table.hi[whole], table.is_[whole]))
    return rows(b=table.b[part], claim=part, verdict=np.where(within, "consistent", "drift").astype(object),
                stated=table.amt[part], stated_interval=as_objects(intervals(lo, hi)), computed=table.amt[whole],
                computed_interval=as_objects(joined("[0, ", whole_hi, "]")), explanation=explanation,
                inputs=table.claim_id[whole])
