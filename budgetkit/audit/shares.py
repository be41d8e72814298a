"""Share rules: a stated 占X% against the part over its whole, and the other wholes it fits.

Percentages are exact: a quotient ``n ÷ d × 100`` is carried to ``k`` decimals (the stated
figure's plus ``SHARE_GUARD_DIGITS``) by long division in unsigned 64 bits, one decimal digit at a
time, so ``n·100·10ᵏ`` never has to fit; the rare rows beyond that range use Python integers.
:func:`quantize_pct` and :func:`outward_pct` serve the change rules too.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import text
from .engine import kind
from .figures import SHARE_GUARD_DIGITS, decimals_in, describe, fixed, in_unit, printed, verdicts
from .found import rows
from .rules import Rule
from .table import NONE, SCALE, ClaimTable

__all__ = ["divide_pct", "outward_pct", "pct_places", "quantize_pct", "share_rows"]

#: The largest divisor whose remainders can take one more decimal digit in unsigned 64 bits.
_DIVISOR_LIMIT = (2**64 - 1) // 10
#: A quotient's whole part below this keeps its percentage in 10⁻¹⁰ within 64 bits.
_QUOTIENT_LIMIT = (2**63 - 1) // 10 ** (SCALE + 2)
#: Where a percentage beyond 64 bits is held for comparisons.
_SATURATION = 2**62
_POWERS = 10 ** np.arange(19, dtype="int64")
#: Up to this many figures are printed one by one (cheaper than the column operations' fixed cost).
_FEW = 64


def pct_places(decimals) -> np.ndarray:
    """The decimals a percentage is carried to: the stated figure's (NONE as 0) plus the guard digits."""
    return np.maximum(np.asarray(decimals, dtype="int64"), 0) + SHARE_GUARD_DIGITS


def divide_pct(numerator, divisor, decimals, rounding: str) -> np.ndarray:
    """``numerator ÷ divisor × 100`` at :func:`pct_places` ``(decimals)`` decimals, as integers of 10⁻¹⁰ %:
    ``rounding`` is ``"floor"``, ``"ceiling"`` or ``"half-even"``. Exact for any integers and decimals
    up to ``SCALE − SHARE_GUARD_DIGITS``; a zero divisor gives 0 (callers mask those rows)."""
    numerator = np.asarray(numerator, dtype="int64")
    divisor = np.asarray(divisor, dtype="int64")
    places = np.broadcast_to(pct_places(decimals), numerator.shape)
    flip = divisor < 0  # n ÷ d = (−n) ÷ (−d): the divisor made positive
    numerator, divisor = np.where(flip, -numerator, numerator), np.where(divisor == 0, 1, np.abs(divisor))
    negative = numerator < 0
    size = np.abs(numerator)
    whole, rest = size // divisor, size % divisor
    safe = (divisor <= _DIVISOR_LIMIT) & (whole < _QUOTIENT_LIMIT)
    quotient, remainder = _long_division(whole, rest, divisor, places + 2)
    if rounding == "half-even":
        up = (remainder > divisor - remainder) | ((remainder == divisor - remainder) & (quotient % 2 == 1))
    elif rounding in ("floor", "ceiling"):
        # away from zero when the remainder is left and the rounding points that way
        up = (remainder > 0) & (negative == (rounding == "floor"))
    else:  # pragma: no cover - a caller's mistake
        raise ValueError(rounding)  # not a message: a programming error
    result = np.where(negative, -(quotient + up), quotient + up) * 10 ** (SCALE - places)
    if safe.all():
        return result
    return _beyond(result, ~safe, numerator, divisor, places, rounding)


def _long_division(whole: np.ndarray, rest: np.ndarray, divisor: np.ndarray, digits: np.ndarray):
    """``floor((whole·d + rest)·10^digits ÷ d)`` and its remainder, a digit at a time (``digits`` per row)."""
    quotient = whole.copy()
    remainder = rest.astype("uint64")
    unsigned = divisor.astype("uint64")
    for step in range(int(digits.max()) if len(digits) else 0):
        active = step < digits
        shifted = remainder * np.uint64(10)
        digit = shifted // unsigned
        remainder = np.where(active, shifted - digit * unsigned, remainder)
        quotient = np.where(active, quotient * 10 + digit.astype("int64"), quotient)
    return quotient, remainder.astype("int64")


def _beyond(result: np.ndarray, outside: np.ndarray, numerator, divisor, places, rounding: str) -> np.ndarray:
    """The rows outside 64 bits, in Python integers (an object array when a result does not fit)."""
    values = result.astype(object)
    for i in np.flatnonzero(outside):
        n, d, k = int(numerator[i]), int(divisor[i]), int(places[i])
        q, r = divmod(n * 100 * 10**k, d)  # floor, also for negative n
        if rounding == "ceiling":
            q += r > 0
        elif rounding == "half-even":
            q += 2 * r > d or (2 * r == d and q % 2 == 1)
        values[i] = q * 10 ** (SCALE - k)
    try:
        return values.astype("int64")
    except OverflowError:
        return values


def _saturated(values: np.ndarray) -> np.ndarray:
    """Percentages as 64-bit integers to compare with stated ones: those beyond (in an object array) held
    at ±2⁶², which no stated figure comes near."""
    if values.dtype != object:
        return values
    return np.array([min(max(v, -_SATURATION), _SATURATION) for v in values.tolist()], dtype="int64")


def quantize_pct(numerator, divisor, decimals) -> np.ndarray:
    """The point value ``numerator ÷ divisor × 100``, rounded half-even at :func:`pct_places` decimals
    (old ``quantize``), as integers of 10⁻¹⁰ %."""
    return divide_pct(numerator, divisor, decimals, "half-even")


def outward_pct(lo, hi, whole_lo, whole_hi, decimals) -> tuple[np.ndarray, np.ndarray]:
    """``[lo, hi] ÷ [whole_lo, whole_hi] × 100`` for a positive whole (``whole_lo > 0``; callers mask
    the rest), its bounds floored and ceiled at :func:`pct_places` decimals (old ``ratio_pct`` then
    ``outward``): 10⁻¹⁰ %."""
    lo, hi = np.asarray(lo, dtype="int64"), np.asarray(hi, dtype="int64")
    whole_lo, whole_hi = np.asarray(whole_lo, dtype="int64"), np.asarray(whole_hi, dtype="int64")
    lowest = divide_pct(lo, np.where(lo >= 0, whole_hi, whole_lo), decimals, "floor")
    highest = divide_pct(hi, np.where(hi >= 0, whole_lo, whole_hi), decimals, "ceiling")
    return lowest, highest


@kind("share")
def share_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each stated share against its part ÷ its whole; off by more than rounding, the other wholes it fits."""
    shares = np.flatnonzero((table.kind == "share") & table.has_v)
    parts, wholes = _parts_and_wholes(table, shares)
    found = (parts != NONE) & (wholes != NONE)
    s, p, w = shares[found], parts[found], wholes[found]
    if not len(s):
        return rows()
    places = pct_places(table.d[s])
    positive = table.lo[w] > 0
    # a whole that can be zero has no share: its rows are computed as 0 ÷ 1, then say so
    p_amt, p_lo, p_hi = (np.where(positive, column[p], 0) for column in (table.amt, table.lo, table.hi))
    w_amt, w_lo, w_hi = (np.where(positive, column[w], 1) for column in (table.amt, table.lo, table.hi))
    point = quantize_pct(p_amt, w_amt, table.d[s])
    c_lo, c_hi = outward_pct(p_lo, p_hi, w_lo, w_hi, table.d[s])
    verdict = verdicts(table.lo[s], table.hi[s], table.v[s], table.lp[s], _saturated(c_lo), _saturated(c_hi))
    verdict[~positive] = "semantic"
    # only a share that is off the named whole by more than rounding is read as one of another whole
    drift = np.flatnonzero(verdict == "drift")
    fits = _alternative_wholes(table, shares, parts, s, p, w, drift) if len(drift) else {}
    verdict[list(fits)] = "semantic"
    # the figures as printed and the messages, each a whole column at once (a whole's texts once for
    # all its shares); the rare rows one by one
    both = table.unit[p] != table.unit[w]
    whole_of, wholes = pd.factorize(w)
    whole_text = pc.take(_printed_many(table, wholes), whole_of)
    explanation = _message_columns(
        "audit.share-computed", part=_join(_printed_many(table, p), _strings(np.where(both, table.unit[p], ""))),
        whole=_join(whole_text, _strings(np.where(both, table.unit[w], ""))),
        whole_label=pc.take(_strings(table.label[wholes]), whole_of),
        whole_section=pc.take(_strings(table.section[wholes]), whole_of),
        point=_fixed_many(point, places, (_saturated(point) == 0) & (p_amt < 0)))
    explanations = _objects(explanation)
    noted = verdict != "consistent"
    noted[list(fits)] = False
    noted = np.flatnonzero(noted)
    explanations[noted] += _objects(_message_columns("audit.share-stated", share=_printed_many(table, s[noted])))
    separator = text("audit.alternatives-separator")
    for i, described in fits.items():
        explanations[i] += text("audit.share-fits-other", fits=separator.join(described))
    computed_intervals = _objects(_intervals(c_lo, c_hi, places, (_saturated(c_hi) == 0) & (p_hi < 0)))
    for i in np.flatnonzero(~positive).tolist():
        explanations[i] = text("audit.share-zero-whole", whole=describe(table, int(w[i])))
        computed_intervals[i] = ""
    computed = np.where(positive, point, None)
    # a share of no recorded decimals is exact: its interval printed as the figure is
    stated_intervals = _objects(_intervals(table.lo[s], table.hi[s], table.is_[s]))
    for i in np.flatnonzero(table.d[s] == NONE).tolist():
        stated_intervals[i] = "[{0}, {0}]".format(printed(table, int(s[i])))
    return rows(b=table.b[s], claim=s, verdict=verdict, stated=table.v[s].tolist(),
                stated_interval=stated_intervals, computed=computed,
                computed_interval=computed_intervals, unit="%", explanation=explanations,
                inputs=_objects(_join(_strings(table.claim_id[p]), " ", pc.take(_strings(table.claim_id[wholes]),
                                                                                 whole_of))))


# -- text columns (arrow strings: each piece of a message made for every row at once) -------------------------------
def _strings(values) -> pa.Array:
    return pa.array(values, type=pa.string())


def _objects(texts: pa.Array) -> np.ndarray:
    return texts.to_numpy(zero_copy_only=False)


def _join(*pieces) -> pa.Array:
    """The pieces (text columns or one text for every row) one after another."""
    return pc.binary_join_element_wise(*pieces, "")


def _patched(texts: pa.Array, at: np.ndarray, values: list[str]) -> pa.Array:
    """The texts with those of rows ``at`` replaced (rare rows, made one by one)."""
    if not len(at):
        return texts
    patched = _objects(texts)
    patched[at] = values
    return _strings(patched)


def _message_columns(key: str, **columns: pa.Array) -> pa.Array:
    """The message ``key`` of the current language for every row, its fields the text columns given."""
    placeholders = {field: "{" + field + "}" for field in columns}
    template = text(key, **placeholders)
    pieces = list(string.Formatter().parse(template))
    plain = template.format(**placeholders) == template and not any(spec or how for *_, spec, how in pieces)
    if not plain:  # pragma: no cover - a message with braces or formats of its own: one by one
        values = {field: column.to_pylist() for field, column in columns.items()}
        return _strings([text(key, **dict(zip(values, row))) for row in zip(*values.values())])
    joined = []
    for literal, field, _spec, _conversion in pieces:
        joined += [literal] if literal else []
        joined += [columns[field]] if field is not None else []
    return _join(*joined)


def _fixed_many(q, decimals, negative=False) -> pa.Array:
    """``figures.fixed(q, SCALE, decimals)`` for whole columns; ``negative``: where a zero is one rounded
    from below, printed ``-0.000`` as a decimal keeps its sign."""
    exact = np.asarray(q)
    q = _saturated(exact)
    sign = np.where((q < 0) | negative, "-", "")
    decimals = np.broadcast_to(np.asarray(decimals, dtype="int64"), q.shape)
    finer = decimals > SCALE
    places = np.where(finer, SCALE, np.maximum(decimals, 0))
    units, fraction = np.divmod(np.abs(q) // _POWERS[SCALE - places], _POWERS[places])
    if len(q) <= _FEW:
        texts = _strings([f"{minus}{unit}.{digits:0{k}d}" if k else f"{minus}{unit}" for minus, unit, digits, k
                          in zip(sign.tolist(), units.tolist(), fraction.tolist(), places.tolist())])
    else:
        # 10ᵏ + fraction printed without its leading 1: the k digits of the fraction, its zeros kept
        digits = pc.utf8_slice_codeunits(pc.cast(pa.array(fraction + _POWERS[places]), pa.string()), 1)
        texts = _join(_strings(sign), pc.cast(pa.array(units), pa.string()),
                      pc.if_else(pa.array(places > 0), ".", ""), digits)
    at = np.flatnonzero(finer | (np.abs(q) == _SATURATION))  # and those beyond 64 bits
    return _patched(texts, at, [fixed(int(exact[i]), SCALE, int(decimals[i])) for i in at])


def _printed_many(table: ClaimTable, claims: np.ndarray) -> pa.Array:
    """``figures.printed`` for many claims."""
    at = np.flatnonzero(table.d[claims] == NONE)
    return _patched(_fixed_many(table.v[claims], table.d[claims]), at, [printed(table, int(claims[i])) for i in at])


def _intervals(lo, hi, decimals, negative_hi=False) -> pa.Array:
    """``figures.interval_text`` for whole columns."""
    return _join("[", _fixed_many(lo, decimals), ", ", _fixed_many(hi, decimals, negative_hi), "]")


def _parts_and_wholes(table: ClaimTable, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each share's part and whole: the claims it names, else the statements of its measure and its
    base measure nearest it (one pick for both)."""
    ask_part, ask_whole = shares[~table.names_ref[shares]], shares[~table.names_base[shares]]
    asked = np.r_[ask_part, ask_whole]
    picked = table.pick(table.b[asked], np.r_[table.measure[ask_part], table.base_measure[ask_whole]],
                        table.year[asked], np.r_[table.code[ask_part], np.full(len(ask_whole), None, dtype=object)],
                        asked)
    parts, wholes = table.ref[shares].copy(), table.base[shares].copy()
    parts[~table.names_ref[shares]] = picked[:len(ask_part)]
    wholes[~table.names_base[shares]] = picked[len(ask_part):]
    return parts, wholes


def _alternative_wholes(table: ClaimTable, shares: np.ndarray, parts: np.ndarray, s: np.ndarray, p: np.ndarray,
                        w: np.ndarray, drift: np.ndarray) -> dict[int, list[str]]:
    """Other wholes the stated share of each ``drift`` row does fit: the sum of the parts listed with
    it, or a stated total; the descriptions of those it fits, in that order, by row."""
    share, part, whole = s[drift], p[drift], w[drift]
    sum_of, sum_lo, sum_hi, summed = _sibling_sums(table, shares, parts, share, whole)
    total_of, total = _other_totals(table, share, part, whole)
    of, cord = np.r_[sum_of, total_of], np.r_[np.full(len(sum_of), NONE), total]
    lo, hi = np.r_[sum_lo, table.lo[total]], np.r_[sum_hi, table.hi[total]]
    usable = lo > 0  # else the ratio has no bound: that whole fits nothing
    r_lo, r_hi = outward_pct(table.lo[part[of]], table.hi[part[of]], np.where(usable, lo, 1), np.where(usable, hi, 1),
                             table.d[share[of]])
    fit = usable & (table.lo[share[of]] <= _saturated(r_hi)) & (_saturated(r_lo) <= table.hi[share[of]])
    fits: dict[int, list[str]] = {}
    for i in np.lexsort((cord, of)).tolist():
        if fit[i]:
            described = summed[i] if cord[i] == NONE else describe(table, int(cord[i]))
            fits.setdefault(int(drift[of[i]]), []).append(described)
    return fits


def _expanded(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[start, start + count)``: which range each position is of, and the position."""
    of = np.repeat(np.arange(len(start)), count)
    return of, np.arange(len(of)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)


def _sibling_sums(table: ClaimTable, shares: np.ndarray, parts: np.ndarray, share: np.ndarray,
                  whole: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The sum of the parts of the shares listed with each share (same section, same whole named), when
    there are several, every part is found and the sum is not the named whole itself: the share's
    index, the sum's interval and its description."""
    nearby = np.isin(table.b[shares], np.unique(table.b[share]))  # the shares of the budgets asked about
    shares, parts = shares[nearby], parts[nearby]
    base = table.base[shares]
    key = np.where(table.names_base[shares], np.where(base >= 0, table.claim_id[np.maximum(base, 0)], None),
                   table.base_measure[shares])
    key_code = pd.factorize(key)[0]  # no key (-1) is one key, as None == None
    place = pd.factorize(table.b[shares] * (int(table.sid.max()) + 1) + table.sid[shares])[0]
    group = place * (int(key_code.max()) + 2) + key_code + 1
    order = np.argsort(group, kind="stable")
    grouped = group[order]
    mine = group[np.searchsorted(shares, share)]
    first = np.searchsorted(grouped, mine, "left")
    count = np.searchsorted(grouped, mine, "right") - first
    of, position = _expanded(first, count)
    part = parts[order[position]]
    at = np.maximum(part, 0)
    same_unit = table.unit[at] == table.unit[whole[of]]
    starts = np.cumsum(count) - count  # every share is listed with itself: no range is empty

    def each(values, reduce=np.add):
        return reduce.reduceat(values, starts) if len(starts) else np.zeros(0, dtype=values.dtype)

    amount, lo, hi = each(table.amt[at]), each(table.lo[at]), each(table.hi[at])
    mixed = each(~same_unit, np.logical_or)
    decimals = each(np.where(same_unit, np.maximum(table.d[at], 0), NONE), np.maximum)
    kept = np.flatnonzero((count > 1) & (each((part != NONE).astype("int64")) == count) & (amount != table.amt[whole]))
    descriptions = []
    for i in kept.tolist():
        w = int(whole[i])
        shown = in_unit(int(amount[i]), table.unit[w],
                        int(decimals[i]) if decimals[i] != NONE else decimals_in(table, table.unit[w], [], w))
        descriptions.append(text("audit.share-sum-of-parts", sum=shown + (table.unit[w] if mixed[i] else "")))
    return kept, lo[kept], hi[kept], descriptions


def _other_totals(table: ClaimTable, share: np.ndarray, part: np.ndarray,
                  whole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first total stating each amount other than the named whole's, of the share's year and the
    whole's unit, that is not the part: the share's index and the total, in order."""
    budgets = np.unique(table.b[share])
    first = np.searchsorted(table.b, budgets, "left")
    _, claims = _expanded(first, np.searchsorted(table.b, budgets, "right") - first)
    totals = claims[(table.kind[claims] == "total") & table.has_v[claims]]
    first = np.searchsorted(table.b[totals], table.b[share], "left")
    of, position = _expanded(first, np.searchsorted(table.b[totals], table.b[share], "right") - first)
    total = totals[position]
    kept = ((table.year[total] == table.year[share[of]]) & (table.cunit[total] == table.cunit[whole[of]])
            & (table.amt[total] != table.amt[whole[of]]) & (table.claim_id[total] != table.claim_id[part[of]]))
    of, total = of[kept], total[kept]
    order = np.lexsort((total, table.amt[total], of))
    of, total = of[order], total[order]
    amount = table.amt[total]
    first_of_amount = np.r_[True, (of[1:] != of[:-1]) | (amount[1:] != amount[:-1])] if len(of) else np.zeros(0, bool)
    return of[first_of_amount], total[first_of_amount]
