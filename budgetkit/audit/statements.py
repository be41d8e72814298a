"""Restatements of one quantity and bounds of a part by its whole, on the claim table of one budget
or of many at once: groups and picks over whole columns, text only for the rows found."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import text
from .columns import as_objects, filled_each, groups, joined, value_codes
from .engine import kind
from .figures import as_figures, describe_claims, difference_note, intervals, print_figures, same_value, verdicts
from .found import rows
from .rules import Rule
from .table import NONE, ClaimTable

__all__ = ["RELABELLED_FIGURES", "bound_rows", "restatement_rows"]

#: How many other figures stating the same amount a bound that is exceeded names.
RELABELLED_FIGURES = 2


@kind("restatement")
def restatement_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Every later statement of a quantity against its first: with ``measures``, those measures are
    one quantity and only statements of another measure than the first's are compared (restatements
    within one measure are the generic rule's). The explanation's statements and the official tables'
    are each compared with the first of their own, and the explanation's first with the tables' first:
    the tables are what the explanation restates, wherever they are printed. ``when_equal`` names two
    measures that must be stated and agree in a budget's year for its ``measures`` to be one quantity
    there (all income is 财政拨款: its spending is the 财政拨款's). ``when_share_of`` (measure, whole) keeps a
    statement of that measure only where the document gives it a share of a whole named with those words (基本支出
    881300.39元，占一般公共预算支出的96.74%: that 基本支出 is the 一般公共预算's)."""
    measures = list(rule.params.get("measures", []))
    measure_codes = table.codes_of("measure")[0]
    chosen = table.st.copy()
    if measures:
        chosen &= np.isin(measure_codes, value_codes(table, "measure", measures))
    g = np.flatnonzero(chosen)
    if "when_equal" in rule.params:
        g = g[_agree(table, g, rule.params["when_equal"])]
    if "when_share_of" in rule.params:
        g = g[_share_scoped(table, g, rule.params["when_share_of"])]
    in_table = table.in_table[g]
    measure = measure_codes[g]
    quantity = np.zeros(len(g), dtype="int64") if measures else measure
    group, first_at, size = groups(table.b[g], quantity, table.codes_of("code")[0][g], table.year[g],
                                   table.codes_of("cunit")[0][g])
    own, own_first, _ = groups(group, in_table)
    own_first = own_first[own]  # the first of each statement's own kind (explanation or table), as a place in g
    tables_first = np.full(len(first_at), NONE)
    tables_first[group[in_table][::-1]] = np.flatnonzero(in_table)[::-1]  # the first table's, the earliest winning
    against = np.where(own_first != np.arange(len(g)), own_first,
                       np.where(~in_table, tables_first[group] if len(g) else NONE, NONE))
    keep = against != NONE
    if measures:  # how many measures state each quantity
        _, pair_first, _ = groups(group, measure)
        distinct = np.bincount(group[pair_first], minlength=len(first_at))
        keep &= (distinct[group] >= 2) & (measure != measure[np.maximum(against, 0)])
    other, first = g[keep], g[against[keep]]
    verdict = verdicts(table.lo[other], table.hi[other], table.amt[other], table.lp[other], table.lo[first],
                       table.hi[first])
    consistent = verdict == "consistent"
    explanation = as_objects(filled_each(np.where(consistent, "audit.restates", "audit.restates-differ"),
                                         other=describe_claims(table, other), first=describe_claims(table, first)))
    for at in np.flatnonzero(~consistent).tolist():  # the few that differ: does a stated figure explain it?
        o, t = int(other[at]), int(first[at])
        difference = int(table.amt[o]) - int(table.amt[t])
        explanation[at] += difference_note(table, table.b[o], difference, table.cunit[t], (t, o))
    o_lo, o_hi, f_lo, f_hi = print_figures(*(as_figures(bound[at], table.is_[at]) for at in (other, first)
                                             for bound in (table.lo, table.hi)))
    return rows(b=table.b[other], claim=other, verdict=verdict, stated=table.amt[other],
                stated_interval=as_objects(intervals(o_lo, o_hi)), computed=table.amt[first],
                computed_interval=as_objects(intervals(f_lo, f_hi)), explanation=explanation,
                inputs=table.claim_id[first])


def _share_scoped(table: ClaimTable, rows: np.ndarray, scope: dict[str, str]) -> np.ndarray:
    """For each claim of ``rows``: not of ``scope["measure"]``, or the part of a share whose label names
    ``scope["whole"]`` (the share's words after 占)."""
    measure = value_codes(table, "measure", [scope["measure"]])[0]
    shares = np.flatnonzero(table.of_kind("share") & (table.ref != NONE))
    named = [at for at in shares.tolist() if scope["whole"] in str(table.label[at]).partition("占")[2]]
    return (table.codes_of("measure")[0][rows] != measure) | np.isin(rows, table.ref[named])


def _agree(table: ClaimTable, rows: np.ndarray, pair: list[str]) -> np.ndarray:
    """For each claim of ``rows``, whether the two measures of ``pair`` are stated (without a code) in its
    budget's year, nearest it, with overlapping intervals."""
    none = np.full(len(rows), None, dtype=object)
    a, b = (table.pick(table.b[rows], np.full(len(rows), measure, dtype=object), table.year[rows], none, rows)
            for measure in pair)
    stated = (a != NONE) & (b != NONE)
    a, b = np.maximum(a, 0), np.maximum(b, 0)
    return stated & (table.lo[a] <= table.hi[b]) & (table.lo[b] <= table.hi[a])


@kind("bound")
def bound_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each stated part against the whole nearest it: it cannot exceed the whole's upper bound; when
    it does, the figures of other measures stating the same amount may be what was meant."""
    is_part = (table.codes_of("measure")[0] == value_codes(table, "measure", [rule.params["part"]])[0]) & table.has_v \
        & np.isin(table.codes_of("kind")[0], value_codes(table, "kind", ("amount", "total")))
    candidates = np.flatnonzero(is_part)
    wholes = table.pick(table.b[candidates], np.full(len(candidates), rule.params["whole"], dtype=object),
                        table.year[candidates], np.full(len(candidates), None, dtype=object), candidates)
    found = wholes != NONE
    part, whole = candidates[found], wholes[found]
    within = table.lo[part] <= table.hi[whole]
    explanation = as_objects(filled_each(np.where(within, "audit.bound-within", "audit.bound-exceeds"),
                                         part=describe_claims(table, part), whole=describe_claims(table, whole)))
    for at in np.flatnonzero(~within).tolist():  # the few exceeded: is the part another quantity's figure?
        p = int(part[at])
        same = np.array([c for c in same_value(table, table.b[p], int(table.amt[p]), table.cunit[p], (p,))
                         if table.measure[c] != table.measure[p]][:RELABELLED_FIGURES], dtype="int64")
        if len(same):
            figures = text("audit.alternatives-separator").join(as_objects(describe_claims(table, same)))
            explanation[at] += text("audit.bound-relabelled", figures=figures)
    lo, hi, whole_hi = print_figures(as_figures(table.lo[part], table.is_[part]),
                                     as_figures(table.hi[part], table.is_[part]), as_figures(table.hi[whole], table.is_[whole]))
    return rows(b=table.b[part], claim=part, verdict=np.where(within, "consistent", "semantic").astype(object),
                stated=table.amt[part], stated_interval=as_objects(intervals(lo, hi)), computed=table.amt[whole],
                computed_interval=as_objects(joined("[0, ", whole_hi, "]")), explanation=explanation,
                inputs=table.claim_id[whole])
