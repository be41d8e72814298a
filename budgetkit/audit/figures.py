"""Figures of the claim table as an explanation prints them: 841.00 as 841.00, a sum in the unit of
the figure it is compared with, an interval as ``[lo, hi]``, a claim described by its label."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from ..messages import text
from .table import MONEY_POWERS, NONE, SCALE, ClaimTable

__all__ = ["DIFFERENCE_LABELS", "SHARE_GUARD_DIGITS", "decimals_in", "describe", "difference_note", "fixed", "in_unit",
           "interval_text", "mixed", "printed", "printed_figure", "printed_values", "same_value", "verdicts"]

#: How many labels a note lists when figures of several measures equal a difference.
DIFFERENCE_LABELS = 3

#: Computed shares are carried to this many decimals beyond the stated figure (rounded half-even
#: for the point value, outward for the interval bounds): enough to tell a rounding from a drift.
SHARE_GUARD_DIGITS = 3


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


def _needed(q: int, scale: int) -> int:
    """The decimals the exact value of ``q`` (10⁻ˢᶜᵃˡᵉ) needs."""
    q = abs(int(q))
    if q == 0:
        return 0
    zeros = 0
    while zeros < scale and q % 10 == 0:
        q //= 10
        zeros += 1
    return scale - zeros


def printed(table: ClaimTable, row: int) -> str:
    """A claim's value as printed: with its decimals, or as few as it needs when none are recorded."""
    values = getattr(table, "_printed", None)
    if values is None:
        values = table._printed = printed_values(table)
    return values[row]


def printed_values(table: ClaimTable) -> np.ndarray:
    """Every claim's value as printed, at once (Arrow prints a decimal at its scale: 841.00)."""
    out = np.full(table.n, "", dtype=object)
    exact = pa.array(table.v).cast(pa.decimal128(38, 0)).view(pa.decimal128(38, SCALE))
    for decimals in np.unique(table.d[table.has_v]).tolist():
        rows = np.flatnonzero(table.has_v & (table.d == decimals))
        if decimals == NONE or decimals > SCALE:
            out[rows] = [fixed(int(table.v[r]), SCALE, _needed(int(table.v[r]), SCALE)) for r in rows.tolist()]
        else:
            out[rows] = exact.take(pa.array(rows)).cast(pa.decimal128(38, decimals)).cast(pa.string()).to_numpy(
                zero_copy_only=False)
    return out


def printed_figure(table: ClaimTable, row: int, with_unit: bool) -> str:
    """A figure as printed, with its unit when the explanation mixes units."""
    return printed(table, row) + (table.unit[row] if with_unit else "")


def mixed(table: ClaimTable, rows: Iterable[int]) -> bool:
    """Whether the figures were printed in different units: then every figure's unit is named."""
    return len({table.unit[r] for r in rows}) > 1


def in_unit(amount: int, unit: str, decimals: int) -> str:
    """An amount of the comparison unit (money in 万元, 10⁻ˢᶜᴬᴸᴱ) as a figure printed in ``unit``: with
    ``decimals`` decimals, and more only where the exact value needs them (never rounded)."""
    scale = SCALE + MONEY_POWERS.get(unit, 0)
    return fixed(amount, scale, max(decimals, _needed(amount, scale)))


def decimals_in(table: ClaimTable, unit: str, inputs: Iterable[int], compared: int) -> int:
    """The decimals a figure computed from ``inputs`` carries in ``unit``: the most that any input
    printed in that unit has, else those of the figure it is compared with."""
    found = [max(int(table.d[r]), 0) for r in inputs if table.unit[r] == unit]
    return max(found) if found else max(int(table.d[compared]), 0)


def interval_text(lo: int, hi: int, decimals: int) -> str:
    return f"[{fixed(lo, SCALE, decimals)}, {fixed(hi, SCALE, decimals)}]"


def describe(table: ClaimTable, row: int) -> str:
    """A claim as an explanation names it: label, figure and unit, section and id."""
    return text("audit.figure", label=table.label[row], value=printed(table, row), unit=table.unit[row],
                section=table.section[row], claim=table.claim_id[row])


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
        stated = table._stated_amounts = np.isin(table.kind, ("amount", "total")) & table.has_v
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
