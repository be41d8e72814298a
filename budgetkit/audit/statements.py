"""Restatements of one quantity and bounds of a part by its whole, on the claim table of one budget
or of many at once: groups and picks over whole columns, text only for the rows found."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pyarrow as pa

from ..messages import template, text
from .engine import kind
from .figures import difference_note, fixed, printed_values, same_value, verdicts
from .found import rows
from .rules import Rule
from .table import NONE, SCALE, ClaimTable

__all__ = ["bound_rows", "column_codes", "describe_rows", "filled", "fixed_all", "groups", "interval_texts",
           "restatement_rows"]

#: How many other figures stating the same amount a bound that is exceeded names.
RELABELLED_FIGURES = 2


# -- explanations for many rows at once ------------------------------------------------------------

def filled(key: str, n: int, **columns) -> np.ndarray:
    """The message ``key`` for ``n`` rows at once (``text`` row by row): each field an array of
    strings or one value for all; fields with a format spec are filled row by row."""
    pieces = list(string.Formatter().parse(template(key)))
    if any(spec or conversion for _, field, spec, conversion in pieces if field is not None):
        return np.array([text(key, **{name: value[i] if isinstance(value, np.ndarray) else value
                                      for name, value in columns.items()}) for i in range(n)], dtype=object)
    out = np.full(n, "", dtype=object)
    for literal, field, _spec, _conversion in pieces:
        if literal:
            out = out + literal
        if field is not None:
            value = columns[field]
            if not isinstance(value, np.ndarray):
                value = str(value)
            elif value.dtype != object:
                value = value.astype(str).astype(object)
            out = out + value
    return out


def fixed_all(q: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """:func:`figures.fixed` of integers of 10⁻ˢᶜᴬᴸᴱ for many at once (digits beyond ``decimals`` cut)."""
    q, decimals = np.asarray(q, dtype="int64"), np.asarray(decimals, dtype="int64")
    out = np.full(len(q), "", dtype=object)
    for d in np.unique(decimals).tolist():
        at = np.flatnonzero(decimals == d)
        if not 0 <= d <= SCALE:  # more decimals than the fixed point holds: rare, printed one by one
            out[at] = [fixed(int(v), SCALE, d) for v in q[at].tolist()]
            continue
        cut = np.sign(q[at]) * (np.abs(q[at]) // 10 ** (SCALE - d))
        shown = pa.array(cut).cast(pa.decimal128(38, 0)).view(pa.decimal128(38, d)).cast(pa.string())
        out[at] = np.where((q[at] < 0) & (cut == 0), "-", "").astype(object) + shown.to_numpy(zero_copy_only=False)
    return out


def interval_texts(lo: np.ndarray, hi: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """:func:`figures.interval_text` for many intervals at once."""
    return "[" + fixed_all(lo, decimals) + ", " + fixed_all(hi, decimals) + "]"


def _printed(table: ClaimTable) -> np.ndarray:
    """Every claim's value as printed, made once per table (the cache ``figures.printed`` keeps)."""
    values = getattr(table, "_printed", None)
    if values is None:
        values = table._printed = printed_values(table)
    return values


def describe_rows(table: ClaimTable, claims: np.ndarray) -> np.ndarray:
    """:func:`figures.describe` of many claims at once."""
    return filled("audit.figure", len(claims), label=table.label[claims], value=_printed(table)[claims],
                  unit=table.unit[claims], section=table.section[claims], claim=table.claim_id[claims])


# -- which statements belong together --------------------------------------------------------------

def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Small integers naming equal values (None and NaN as one value) and how many there are."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype("int64"), max(len(uniques), 1)


def column_codes(table: ClaimTable, name: str) -> tuple[np.ndarray, pd.Index]:
    """A text column of the table as integer codes and the values they stand for, made once per
    table (every rule that groups on the column reuses them)."""
    cache = table.__dict__.setdefault("_column_codes", {})
    if name not in cache:
        codes, uniques = pd.factorize(getattr(table, name), use_na_sentinel=False)
        cache[name] = (codes.astype("int64"), pd.Index(uniques, dtype=object))
    return cache[name]


def groups(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with equal values in every column: a group number per row, and each group's first row
    and size. Integers count from their least value, other values are factorized; the codes make
    one integer key (the first column most significant, renumbered should it outgrow 64 bits),
    sorted stably: rows come by budget, so the sort is of short runs and cheap."""
    n = len(columns[0])
    if n == 0:
        return (np.zeros(0, dtype="int64"),) * 3
    key, span = np.zeros(n, dtype="int64"), 1
    for column in columns:
        column = np.asarray(column)
        if column.dtype.kind in "iu":
            codes = column.astype("int64") - int(column.min())
            count = int(codes.max()) + 1
        else:
            codes, count = _codes(column)
        if span * count >= 2**62:
            key, uniques = pd.factorize(key)
            span = max(len(uniques), 1)
        key, span = key * count + codes, span * count
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(new)
    group = np.empty(n, dtype="int64")
    group[order] = np.cumsum(new) - 1
    return group, order[starts], np.diff(np.r_[starts, n])


@kind("restatement")
def restatement_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Every later statement of a quantity against its first: with ``measures``, those measures are
    one quantity and only statements of another measure than the first's are compared (restatements
    within one measure are the generic rule's)."""
    measures = list(rule.params.get("measures", []))
    measure_codes, measure_names = column_codes(table, "measure")
    chosen = table.st.copy()
    if measures:
        chosen &= np.isin(measure_codes, measure_names.get_indexer(measures))
    g = np.flatnonzero(chosen)
    measure = measure_codes[g]
    quantity = np.zeros(len(g), dtype="int64") if measures else measure
    group, first_at, size = groups(table.b[g], quantity, column_codes(table, "code")[0][g], table.year[g],
                                   column_codes(table, "cunit")[0][g])
    first = g[first_at][group]
    keep = (size[group] >= 2) & (g != first)
    if measures:  # how many measures state each quantity
        _, pair_first, _ = groups(group, measure)
        distinct = np.bincount(group[pair_first], minlength=len(first_at))
        keep &= (distinct[group] >= 2) & (measure != measure[first_at][group])
    other, first = g[keep], first[keep]
    verdict = verdicts(table.lo[other], table.hi[other], table.amt[other], table.lp[other], table.lo[first],
                       table.hi[first])
    n = len(other)
    pair = {"other": describe_rows(table, other), "first": describe_rows(table, first)}
    consistent = verdict == "consistent"
    explanation = np.where(consistent, filled("audit.restates", n, **pair), filled("audit.restates-differ", n, **pair))
    for at in np.flatnonzero(~consistent).tolist():  # the few that differ: does a stated figure explain it?
        o, t = int(other[at]), int(first[at])
        difference = int(table.amt[o]) - int(table.amt[t])
        explanation[at] += difference_note(table, table.b[o], difference, table.cunit[t], (t, o))
    return rows(b=table.b[other], claim=other, verdict=verdict, stated=table.amt[other],
                stated_interval=interval_texts(table.lo[other], table.hi[other], table.is_[other]),
                computed=table.amt[first],
                computed_interval=interval_texts(table.lo[first], table.hi[first], table.is_[first]),
                explanation=explanation, inputs=table.claim_id[first])


@kind("bound")
def bound_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each stated part against the whole nearest it: it cannot exceed the whole's upper bound; when
    it does, the figures of other measures stating the same amount may be what was meant."""
    measure_codes, measure_names = column_codes(table, "measure")
    kind_codes, kind_names = column_codes(table, "kind")
    is_part = (measure_codes == measure_names.get_indexer([rule.params["part"]])[0]) & table.has_v \
        & np.isin(kind_codes, kind_names.get_indexer(["amount", "total"]))
    candidates = np.flatnonzero(is_part)
    wholes = table.pick(table.b[candidates], np.full(len(candidates), rule.params["whole"], dtype=object),
                        table.year[candidates], np.full(len(candidates), None, dtype=object), candidates)
    found = wholes != NONE
    part, whole = candidates[found], wholes[found]
    within = table.lo[part] <= table.hi[whole]
    n = len(part)
    pair = {"part": describe_rows(table, part), "whole": describe_rows(table, whole)}
    explanation = np.where(within, filled("audit.bound-within", n, **pair), filled("audit.bound-exceeds", n, **pair))
    for at in np.flatnonzero(~within).tolist():  # the few exceeded: is the part another quantity's figure?
        p = int(part[at])
        same = np.array([c for c in same_value(table, table.b[p], int(table.amt[p]), table.cunit[p], (p,))
                         if table.measure[c] != table.measure[p]][:RELABELLED_FIGURES], dtype="int64")
        if len(same):
            figures = text("audit.alternatives-separator").join(describe_rows(table, same))
            explanation[at] += text("audit.bound-relabelled", figures=figures)
    computed_interval = "[0, " + fixed_all(table.hi[whole], table.is_[whole]) + "]"
    return rows(b=table.b[part], claim=part, verdict=np.where(within, "consistent", "semantic").astype(object),
                stated=table.amt[part], stated_interval=interval_texts(table.lo[part], table.hi[part], table.is_[part]),
                computed=table.amt[whole], computed_interval=computed_interval, explanation=explanation,
                inputs=table.claim_id[whole])
