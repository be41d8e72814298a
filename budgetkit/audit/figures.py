"""Figures of the claim table as an explanation prints them, for many rows at once: 841.00 as 841.00,
a sum in the unit of the figure it is compared with, an interval as ``[lo, hi]``, a claim described
by its label; and the verdict of a stated interval against a computed one.

A column to print is a :class:`Figures` (integers of 10⁻ˢᶜᵃˡᵉ, their decimals, what follows each);
:func:`print_figures` prints any number of them in one pass, so a rule pays the column operations'
fixed cost once, however many figures its messages hold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import text
from .columns import as_objects, filled, joined, patched, text_column
from .table import NONE, SCALE, ClaimTable

__all__ = ["DIFFERENCE_LABELS", "SHARE_GUARD_DIGITS", "Figures", "as_figures", "claim_figures", "decimals_in",
           "describe", "describe_claims", "difference_note", "fixed", "in_unit", "intervals", "mixed",
           "needed_decimals", "print_figures", "same_value", "sum_printing", "verdicts"]

#: How many labels a note lists when figures of several measures equal a difference.
DIFFERENCE_LABELS = 3

#: Computed shares are carried to this many decimals beyond the stated figure (rounded half-even
#: for the point value, outward for the interval bounds): enough to tell a rounding from a drift.
SHARE_GUARD_DIGITS = 3

_POWERS = 10 ** np.arange(19, dtype="int64")
#: Figures this large (Python integers: percentages of tiny wholes) are printed one by one.
_BEYOND = 2**62
#: Up to this many figures are printed one by one (cheaper than the column operations' fixed cost).
_FEW = 64
#: Claims :func:`describe` prints one by one before it prints every claim's value at once.
_DESCRIBED_ONE_BY_ONE = 256


def fixed(q: int, scale: int, decimals: int) -> str:
    """The integer ``q`` of 10⁻ˢᶜᵃˡᵉ printed with ``decimals`` decimals (digits beyond are cut: callers
    pass enough for the exact value)."""
    q = int(q)
    sign = "-" if q < 0 else ""
    q = abs(q)
    if decimals <= scale:
        q //= 10 ** (scale - decimals)
    else:
        q *= 10 ** (decimals - scale)
    if decimals == 0:
        return f"{sign}{q}"
    digits = str(q).rjust(decimals + 1, "0")
    return f"{sign}{digits[:-decimals]}.{digits[-decimals:]}"


def needed_decimals(q, scale) -> np.ndarray:
    """The decimals the exact value of each ``q`` (10⁻ˢᶜᵃˡᵉ) needs."""
    q = np.abs(np.asarray(q, dtype="int64"))
    scale = np.broadcast_to(np.asarray(scale, dtype="int64"), q.shape)
    zeros = np.zeros(len(q), dtype="int64")
    for k in range(1, int(scale.max(initial=0)) + 1):
        more = (k <= scale) & (q % _POWERS[k] == 0)
        if not more.any():
            break
        zeros += more
    return np.where(q == 0, 0, scale - zeros)


# -- columns of figures ------------------------------------------------------------------------------

class Figures(NamedTuple):
    """A column of figures to print: integers of 10⁻ˢᶜᵃˡᵉ (an object array holds Python integers
    beyond 64 bits), their decimals (digits beyond are cut), what follows each (a unit, or nothing),
    which zeros keep a minus sign (a negative quotient rounded to zero, as decimal arithmetic prints
    it) and which rows have no figure (printed as their suffix alone)."""
    q: np.ndarray
    scale: np.ndarray
    decimals: np.ndarray
    suffix: np.ndarray
    negative: np.ndarray
    blank: np.ndarray


def _column(values, n: int, dtype) -> np.ndarray:
    """``values`` as a column of ``n`` rows: a scalar repeated."""
    values = np.asarray(values, dtype=dtype)
    return values if values.shape == (n,) else np.full(n, values, dtype=dtype)


def as_figures(q, decimals, *, scale=SCALE, suffix="", negative=False, blank=False) -> Figures:
    """Integers of 10⁻ˢᶜᵃˡᵉ to print at ``decimals`` (each argument a column or one value for all)."""
    q = np.asarray(q)
    q = q if q.dtype == object else q.astype("int64")
    n = len(q)
    return Figures(q, _column(scale, n, "int64"), _column(decimals, n, "int64"), _column(suffix, n, object),
                   _column(negative, n, bool), _column(blank, n, bool))


def claim_figures(table: ClaimTable, at: np.ndarray, with_unit=False) -> Figures:
    """Claims' values as printed: with their decimals, or as few as the value needs when none are
    recorded; each with its unit where ``with_unit``; a claim without a value as nothing."""
    at = np.asarray(at, dtype="int64")
    d, v = table.d[at], table.v[at]
    unrecorded = d == NONE
    if unrecorded.any():
        d = np.where(unrecorded, needed_decimals(v, SCALE), d)
    return as_figures(v, d, suffix=np.where(with_unit, table.unit[at], ""), blank=~table.has_v[at])


def in_unit(table: ClaimTable, amount, of: np.ndarray, decimals, with_unit=False) -> Figures:
    """Amounts of the comparison unit (money in 万元) as figures in the unit of claims ``of``: at
    ``decimals``, and more only where the exact value needs them (never rounded); the unit named
    where ``with_unit``."""
    scale = SCALE + table.power[of]
    amount = np.asarray(amount, dtype="int64")
    return as_figures(amount, np.maximum(decimals, needed_decimals(amount, scale)), scale=scale,
                      suffix=np.where(with_unit, table.unit[of], ""))


def _one(q: int, scale: int, decimals: int, suffix: str, negative: bool, blank: bool) -> str:
    """One figure of a :class:`Figures` column, in Python's integers."""
    if blank:
        return suffix
    return ("-" if q < 0 or negative else "") + fixed(abs(q), scale, decimals) + suffix


def print_figures(*columns: Figures) -> list[pa.Array]:
    """Every column of figures as a text column, printed in one pass."""
    q, scale, decimals, suffix, negative, blank = (np.concatenate(parts) for parts in zip(*columns))
    if len(q) <= _FEW:
        texts = text_column([_one(*row) for row in zip(q.tolist(), scale.tolist(), decimals.tolist(), suffix.tolist(),
                                                        negative.tolist(), blank.tolist())])
    else:
        rare = blank | (decimals < 0) | (decimals > np.minimum(scale, 18))
        if q.dtype == object:
            rare |= np.array([abs(v) >= _BEYOND for v in q.tolist()], dtype=bool)
        whole = np.where(rare, 0, q).astype("int64")
        places = np.where(rare, 0, decimals)
        units, fraction = np.divmod(np.abs(whole) // _POWERS[np.clip(scale - places, 0, 18)], _POWERS[places])
        # 10ᵈ + fraction printed without its leading 1: the d digits of the fraction, its zeros kept
        digits = pc.utf8_slice_codeunits(pc.cast(pa.array(fraction + _POWERS[places]), pa.string()), 1)
        texts = joined(pc.if_else(pa.array((whole < 0) | negative), "-", ""), pc.cast(pa.array(units), pa.string()),
                       pc.if_else(pa.array(places > 0), ".", ""), digits, suffix)
        at = np.flatnonzero(rare)
        texts = patched(texts, at, [_one(int(q[i]), int(scale[i]), int(decimals[i]), suffix[i], bool(negative[i]),
                                               bool(blank[i])) for i in at.tolist()])
    ends = np.cumsum([len(column.q) for column in columns]).tolist()
    return [texts.slice(end - len(column.q), len(column.q)) for end, column in zip(ends, columns)]


def intervals(lo: pa.Array, hi: pa.Array) -> pa.Array:
    """Printed bounds as intervals: ``[lo, hi]``."""
    return joined("[", lo, ", ", hi, "]")


def mixed(table: ClaimTable, *at: np.ndarray) -> np.ndarray:
    """Whether the figures of each row (claims ``at``, a column each) were printed in different
    units: then every figure's unit is named."""
    first = table.unit[at[0]]
    return np.logical_or.reduce([table.unit[r] != first for r in at[1:]])


def decimals_in(table: ClaimTable, unit: np.ndarray, inputs: tuple[np.ndarray, ...],
                compared: np.ndarray) -> np.ndarray:
    """The decimals a figure computed from ``inputs`` (claims, a column each) carries in ``unit``: the
    most that any input printed in that unit has, else those of the figure it is compared with."""
    found = np.max([np.where(table.unit[r] == unit, table.vs[r], -1) for r in inputs], axis=0)
    return np.where(found >= 0, found, table.vs[compared])


def sum_printing(table: ClaimTable, parts: np.ndarray, starts: np.ndarray,
                 into: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How the sum of each run of ``parts`` (runs from each of ``starts``) is printed in the unit of
    claim ``into`` (one per run): whether a part is in another unit (then every figure names its
    unit), and the decimals it carries (:func:`decimals_in` of the run)."""
    if not len(starts):
        return np.zeros(0, dtype=bool), np.zeros(0, dtype="int64")
    same = table.unit[parts] == np.repeat(table.unit[into], np.diff(np.r_[starts, len(parts)]))
    found = np.maximum.reduceat(np.where(same, table.vs[parts], -1), starts)
    return np.logical_or.reduceat(~same, starts), np.where(found >= 0, found, table.vs[into])


def describe_claims(table: ClaimTable, at: np.ndarray, values: pa.Array | None = None) -> pa.Array:
    """Claims as an explanation names them: label, figure (``values`` when printed already) and unit,
    section and id."""
    if values is None:
        values = print_figures(claim_figures(table, at))[0]
    if len(at) <= _FEW:  # a few: one by one is cheaper than taking from whole columns
        return filled("audit.figure", label=table.label[at], value=values, unit=table.unit[at],
                      section=table.section[at], claim=table.claim_id[at])
    return filled("audit.figure", **{field: table.strings_of(column, at) for field, column in
                                     (("label", "label"), ("unit", "unit"), ("section", "section"),
                                      ("claim", "claim_id"))}, value=values)


def _printed(table: ClaimTable, row: int) -> str:
    """A claim's value as printed for :func:`describe`: the first few one by one, then every claim's
    at once (kept with the table), when a rule describes many."""
    values = getattr(table, "_printed", None)
    if values is None:
        table._described = getattr(table, "_described", 0) + 1
        if table._described <= _DESCRIBED_ONE_BY_ONE:
            return as_objects(print_figures(claim_figures(table, [row]))[0])[0]
        values = np.full(table.n, "", dtype=object)
        at = np.flatnonzero(table.has_v)
        values[at] = as_objects(print_figures(claim_figures(table, at))[0])
        table._printed = values
    return values[row]


def describe(table: ClaimTable, row: int) -> str:
    """One claim as :func:`describe_claims` names it (for rare rows made one by one)."""
    return text("audit.figure", label=table.label[row], value=_printed(table, row), unit=table.unit[row],
                section=table.section[row], claim=table.claim_id[row])


# -- verdicts and the figures that explain a difference -----------------------------------------------

def verdicts(s_lo, s_hi, stated, last_place, c_lo, c_hi) -> np.ndarray:
    """consistent when the intervals overlap; rounding when the stated figure is within one unit of
    its last printed place of the computed interval; drift otherwise (arrays of equal length)."""
    s_lo, s_hi, stated, last_place, c_lo, c_hi = (np.asarray(a, dtype="int64") for a in (s_lo, s_hi, stated, last_place, c_lo, c_hi))
    overlap = (s_lo <= c_hi) & (c_lo <= s_hi)
    gap = np.maximum(stated - c_hi, c_lo - stated)
    return np.where(overlap, "consistent", np.where(gap <= last_place, "rounding", "drift")).astype(object)


def same_value(table: ClaimTable, b: int, amount: int, unit: str, exclude: Iterable[int]) -> list[int]:
    """Stated figures of budget ``b`` whose amount equals ``amount`` exactly, the first of each
    measure, in document order: a number that may explain a difference."""
    if amount == 0:
        return []
    stated = getattr(table, "_stated_amounts", None)
    if stated is None:
        stated = table._stated_amounts = table.of_kind("amount", "total") & table.has_v
    # the budget's claims are one run of the table (budgets ascending): only that run is searched
    run = slice(int(np.searchsorted(table.b, int(b), side="left")), int(np.searchsorted(table.b, int(b), side="right")))
    start = run.start
    hits = start + np.flatnonzero(stated[run] & (table.amt[run] == int(amount)) & (table.cunit[run] == unit))
    excluded, seen, found = set(exclude), set(), []
    for row in hits.tolist():
        if row not in excluded and table.measure[row] not in seen:
            seen.add(table.measure[row])
            found.append(row)
    return found


def difference_note(table: ClaimTable, b: int, difference: int, unit: str, used: Iterable[int]) -> str:
    """The stated figure the difference equals, when one measure's figure does; when figures of
    several measures do, none of them is named as the explanation: their labels are listed."""
    matches = same_value(table, b, abs(int(difference)), unit, used)
    if not matches:
        return ""
    if len(matches) == 1:
        return text("audit.difference-equals", figure=describe(table, matches[0]))
    separator = text("audit.list-separator")
    more = separator + "…" if len(matches) > DIFFERENCE_LABELS else ""
    return text("audit.difference-several",
                labels=separator.join(table.label[r] for r in matches[:DIFFERENCE_LABELS]) + more)
