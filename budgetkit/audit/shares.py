"""Share rules: a stated 占X% against the part over its whole, and the other wholes it fits.

Percentages are exact: a quotient ``n ÷ d × 100`` is carried to ``k`` decimals (the stated
figure's plus ``SHARE_GUARD_DIGITS``) by long division in unsigned 64 bits, one decimal digit at a
time, so ``n·100·10ᵏ`` never has to fit; the rare rows beyond that range use Python integers.
:func:`quantize_pct` and :func:`outward_pct` serve the change rules too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import text
from ..template import measures
from .columns import as_objects, claim_ids, expanded, filled, groups, joined, joined_runs, matches
from .engine import kind
from .figures import (SHARE_GUARD_DIGITS, as_figures, claim_figures, decimals_in, describe, in_unit, intervals,
                      print_figures, sum_printing, verdicts)
from .found import rows
from .rules import Rule
from .sums import parts_near
from .table import NONE, SCALE, ClaimTable

__all__ = ["divide_pct", "outward_pct", "pct_places", "quantize_pct", "saturated", "share_rows"]

#: The largest divisor whose remainders can take one more decimal digit in unsigned 64 bits.
_DIVISOR_LIMIT = (2**64 - 1) // 10
#: A quotient's whole part below this keeps its percentage in 10⁻¹⁰ within 64 bits.
_QUOTIENT_LIMIT = (2**63 - 1) // 10 ** (SCALE + 2)
#: Where a percentage beyond 64 bits is held for comparisons.
_SATURATION = 2**62


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


def saturated(values: np.ndarray) -> np.ndarray:
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
    """Each stated share against its part ÷ its whole (a completion rate followed by its outturn's stated
    difference from the budget: ÷ the budget that difference implies); off by more than rounding, the other
    wholes it fits."""
    shares = np.flatnonzero((table.kind == "share") & table.has_v)
    parts, wholes = _parts_and_wholes(table, shares)
    if "whole_sums" in rule.params:
        return _shares_of_summed_wholes(rule, table, shares, parts, wholes)
    found = (parts != NONE) & (wholes != NONE)
    s, p, w = shares[found], parts[found], wholes[found]
    # a completion rate whose whole is its outturn's stated difference from the budget (决算数大于预算数X万元)
    # is of the budget that difference implies: the outturn minus the difference, on intervals; a budget so
    # implied that can be zero is not evaluated
    implied = table.kind[w] == "change"
    whole_amt = np.where(implied, table.amt[p] - table.sa[w], table.amt[w])
    whole_lo = np.where(implied, table.lo[p] - table.shi[w], table.lo[w])
    whole_hi = np.where(implied, table.hi[p] - table.slo[w], table.hi[w])
    kept = ~implied | ((table.ref[w] == p) & (whole_lo > 0))
    s, p, w, implied, whole_amt, whole_lo, whole_hi = (column[kept] for column in (s, p, w, implied, whole_amt,
                                                                                   whole_lo, whole_hi))
    if not len(s):
        return rows()
    places = pct_places(table.d[s])
    positive = whole_lo > 0
    # a whole that can be zero has no share: its rows are computed as 0 ÷ 1, then say so
    p_amt, p_lo, p_hi = (np.where(positive, column[p], 0) for column in (table.amt, table.lo, table.hi))
    w_amt, w_lo, w_hi = (np.where(positive, column, 1) for column in (whole_amt, whole_lo, whole_hi))
    point = quantize_pct(p_amt, w_amt, table.d[s])
    c_lo, c_hi = outward_pct(p_lo, p_hi, w_lo, w_hi, table.d[s])
    verdict = verdicts(table.lo[s], table.hi[s], table.v[s], table.lp[s], saturated(c_lo), saturated(c_hi))
    verdict[~positive] = "semantic"
    # only a share that is off the named whole by more than rounding is read as one of another whole
    drift = np.flatnonzero((verdict == "drift") & ~implied)
    fits = _alternative_wholes(table, shares, parts, s, p, w, drift) if len(drift) else {}
    verdict[list(fits)] = "semantic"
    # the figures as printed and the messages, each a whole column at once; the rare rows one by one
    both = table.unit[p] != table.unit[w]
    noted = verdict != "consistent"
    noted[list(fits)] = False
    noted = np.flatnonzero(noted)
    part, whole, shown, stated, s_lo, s_hi, c_lo, c_hi = print_figures(
        claim_figures(table, p, both), claim_figures(table, w, both),
        as_figures(point, places, negative=(saturated(point) == 0) & (p_amt < 0)), claim_figures(table, s[noted]),
        # a share of no recorded decimals is exact: its interval is printed as the figure is
        as_figures(table.lo[s], table.is_[s]), as_figures(table.hi[s], table.is_[s]),
        as_figures(c_lo, places), as_figures(c_hi, places, negative=(saturated(c_hi) == 0) & (p_hi < 0)))
    explanations = as_objects(filled("audit.share-computed", part=part, whole=whole, whole_label=table.label[w],
                                     whole_section=table.section[w], point=shown))
    if implied.any():
        explanations[implied] = _implied_budget_texts(table, p[implied], w[implied], whole_amt[implied],
                                                      shown.take(pa.array(np.flatnonzero(implied))), both[implied])
    explanations[noted] += as_objects(filled("audit.share-stated", share=stated))
    separator = text("audit.alternatives-separator")
    for i, described in fits.items():
        explanations[i] += text("audit.share-fits-other", fits=separator.join(described))
    computed_intervals = as_objects(intervals(c_lo, c_hi))
    for i in np.flatnonzero(~positive).tolist():
        explanations[i] = text("audit.share-zero-whole", whole=describe(table, int(w[i])))
        computed_intervals[i] = ""
    return rows(b=table.b[s], claim=s, verdict=verdict, stated=table.v[s].tolist(),
                stated_interval=as_objects(intervals(s_lo, s_hi)), computed=np.where(positive, point, None),
                computed_interval=computed_intervals, unit="%", explanation=explanations,
                inputs=as_objects(claim_ids(table, p, w)))


def _implied_budget_texts(table: ClaimTable, p: np.ndarray, w: np.ndarray, budget: np.ndarray, point: pa.Array,
                          both: np.ndarray) -> np.ndarray:
    """The computation of completion rates on the budget a stated difference implies: the outturn minus
    the difference, then the outturn over that budget."""
    outturn, difference, implied = print_figures(
        claim_figures(table, p, both), claim_figures(table, w, both),
        in_unit(table, budget, p, decimals_in(table, table.unit[p], (p, w), p), both))
    sign = pc.if_else(pa.array(table.direction[w] == "decrease"), "+", "−")
    return as_objects(filled("audit.share-implied-budget", outturn=outturn, sign=sign, difference=difference,
                             claim=table.claim_id[w], budget=implied, point=point))


def _shares_of_summed_wholes(rule: Rule, table: ClaimTable, shares: np.ndarray, parts: np.ndarray,
                             wholes: np.ndarray) -> pd.DataFrame:
    """Each share of a whole the document does not print (占“三公”经费的13.75% with no 三公 total stated)
    against its part ÷ the sum of the whole's parts, when the rules name those parts (``whole_from_parts``)
    and every one is stated, itself or by a substitute; else against the parts the document lists as that
    whole's (:func:`_listed_wholes`); any other such share is not evaluated."""
    sums = rule.params["whole_sums"]
    totals = pd.Index([sum_rule.params["total"] for sum_rule in sums], dtype=object)
    of_rule = totals.get_indexer(pd.Series(table.base_measure[shares], dtype=object))
    unprinted = (wholes == NONE) & ~table.names_base[shares] & (of_rule >= 0)
    asked = unprinted & (parts != NONE)
    s, p, summed, run_starts = _stated_wholes(sums, table, shares[asked], parts[asked], of_rule[asked])
    listed = _listed_wholes(sums, table, shares[unprinted], parts[unprinted], of_rule[unprinted], s)
    s, p, summed, run_starts = (np.r_[s, listed[0]], np.r_[p, listed[1]], np.r_[summed, listed[2]],
                                np.r_[run_starts, listed[3] + len(summed)])
    by_list = np.r_[np.zeros(len(s) - len(listed[0]), dtype=bool), np.ones(len(listed[0]), dtype=bool)]
    partial = np.r_[np.zeros(len(s) - len(listed[0]), dtype=bool), listed[4]]
    if not len(s):
        return rows()
    w_amt, w_lo, w_hi = (np.add.reduceat(column[summed], run_starts) for column in (table.amt, table.lo, table.hi))
    c_lo, c_hi = outward_pct(table.lo[p], table.hi[p], w_lo, w_hi, table.d[s])
    # the parts listed of a whole whose identity has parts the document does not print bound it from
    # below only: a share above the part over their sum is off, one below it may be of the larger whole
    kept = np.flatnonzero(~partial | (table.hi[s] >= saturated(c_lo)))
    kept = kept[np.argsort(s[kept], kind="stable")]  # in the order of the claims
    counts = np.diff(np.r_[run_starts, len(summed)])[kept]
    summed = summed[expanded(run_starts[kept], counts)[1]]
    run_starts = np.cumsum(counts) - counts
    s, p, w_amt, c_lo, c_hi, by_list = s[kept], p[kept], w_amt[kept], c_lo[kept], c_hi[kept], by_list[kept]
    if not len(s):
        return rows()
    places = pct_places(table.d[s])
    point = quantize_pct(table.amt[p], w_amt, table.d[s])
    verdict = verdicts(table.lo[s], table.hi[s], table.v[s], table.lp[s], saturated(c_lo), saturated(c_hi))
    noted = np.flatnonzero(verdict != "consistent")
    # the whole printed in the part's unit, every unit named where the parts' differ
    both, decimals = sum_printing(table, summed, run_starts, p)
    shown_part, listed_parts, whole, shown, stated, s_lo, s_hi, lo_text, hi_text = print_figures(
        claim_figures(table, p, both), claim_figures(table, summed, np.repeat(both, np.diff(np.r_[run_starts, len(summed)]))),
        in_unit(table, w_amt, p, decimals, both), as_figures(point, places), claim_figures(table, s[noted]),
        as_figures(table.lo[s], table.is_[s]), as_figures(table.hi[s], table.is_[s]),
        as_figures(c_lo, places), as_figures(c_hi, places))
    labels = measures()
    # a whole the document lists the parts of is named in the words of its shares
    whole_label = [str(table.label[share]).partition("占")[2] if listed_by else labels[m].label if m in labels else m
                   for share, m, listed_by in zip(s.tolist(), table.base_measure[s], by_list.tolist())]
    explanations = as_objects(filled("audit.share-of-summed-whole", part=shown_part, whole=whole,
                                     whole_label=whole_label, listing=joined_runs(listed_parts, run_starts, " + "),
                                     point=shown))
    explanations[noted] += as_objects(filled("audit.share-stated", share=stated))
    return rows(b=table.b[s], claim=s, verdict=verdict, stated=table.v[s].tolist(),
                stated_interval=as_objects(intervals(s_lo, s_hi)), computed=point,
                computed_interval=as_objects(intervals(lo_text, hi_text)), unit="%", explanation=explanations,
                inputs=as_objects(joined(claim_ids(table, p), " ", joined_runs(table.claim_id[summed], run_starts, " "))))


def _stated_wholes(sums: list[Rule], table: ClaimTable, s: np.ndarray, p: np.ndarray,
                   of_rule: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shares ``s`` (parts ``p``, sum rules ``of_rule``) whose whole's every part is stated, itself or
    by a substitute: the shares, their parts, the parts of each whole (runs) and where each run starts."""
    empty = np.zeros(0, dtype="int64")
    found = parts_near(sums, table, of_rule, s).sort_values(["total", "rank"], kind="stable")
    if not len(found):
        return empty, empty, empty, empty
    anchor, part = found["total"].to_numpy(dtype="int64"), found["part"].to_numpy(dtype="int64")
    place = found["rank"].to_numpy(dtype="int64") // 1000  # the part a statement is of (a substitute: its part's)
    first = np.r_[True, anchor[1:] != anchor[:-1]]
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, len(anchor)])
    covered = np.add.reduceat((first | np.r_[True, place[1:] != place[:-1]]).astype("int64"), starts)
    at = np.searchsorted(s, anchor[starts])  # the share each run of parts is for
    needed = np.array([len(sums[r].params["parts"]) for r in of_rule[at]], dtype="int64")
    w_lo = np.add.reduceat(table.lo[part], starts)
    kept = np.flatnonzero((covered == needed) & (w_lo > 0))  # a whole that can be zero has no share
    if not len(kept):
        return empty, empty, empty, empty
    summed = part[expanded(starts[kept], counts[kept])[1]]
    return s[at[kept]], p[at[kept]], summed, np.cumsum(counts[kept]) - counts[kept]


def _listed_wholes(sums: list[Rule], table: ClaimTable, unprinted: np.ndarray, parts: np.ndarray,
                   of_rule: np.ndarray, done: np.ndarray) -> tuple[np.ndarray, ...]:
    """Shares of a whole not printed whose parts the document lists as that whole's: in one section and
    year, two or more figures each state their share of the same whole in the same words ("基本支出预算
    …占一般公共预算支出的84.06%", "项目支出…占一般公共预算支出的19.62%"), every one a different part of
    the whole's sum rule. Each of those shares (not ``done``) against its part ÷ the sum of the parts listed:
    the shares, their parts, the parts of each whole (runs), where each run starts, and whether the
    rule has parts the list does not state (then the sum only bounds the whole from below)."""
    empty = np.zeros(0, dtype="int64")
    lists: dict[tuple, list[tuple[int, int]]] = {}
    for share, part, r in zip(unprinted.tolist(), parts.tolist(), of_rule.tolist()):
        words = str(table.label[share]).partition("占")[2]
        key = (int(table.b[share]), int(table.sid[share]), int(table.year[share]), r, words)
        lists.setdefault(key, []).append((share, part))
    found: list[tuple[int, int, list[int], bool]] = []
    for (_, _, year, r, words), listed in lists.items():
        rule_parts = sums[r].params["parts"]
        listed_parts = [part for _, part in listed]
        measures_listed = [table.measure[part] if part != NONE else None for part in listed_parts]
        # a part not found, of another year, not one of the rule's, or listed twice: which whole is meant is unsure
        if (not words or len(listed) < 2 or NONE in listed_parts or len(set(measures_listed)) < len(listed)
                or not set(measures_listed) <= set(rule_parts)
                or any(int(table.year[part]) != year for part in listed_parts)
                or int(table.lo[listed_parts].sum()) <= 0):
            continue
        partial = len(listed) < len(rule_parts)
        found.extend((share, part, listed_parts, partial) for share, part in listed if share not in done)
    if not found:
        return empty, empty, empty, empty, np.zeros(0, dtype=bool)
    counts = np.array([len(entry[2]) for entry in found], dtype="int64")
    return (np.array([entry[0] for entry in found], dtype="int64"), np.array([entry[1] for entry in found], dtype="int64"),
            np.array([part for entry in found for part in entry[2]], dtype="int64"), np.cumsum(counts) - counts,
            np.array([entry[3] for entry in found], dtype=bool))


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
    fit = usable & (table.lo[share[of]] <= saturated(r_hi)) & (saturated(r_lo) <= table.hi[share[of]])
    fits: dict[int, list[str]] = {}
    for i in np.lexsort((cord, of)).tolist():
        if fit[i]:
            described = summed[i] if cord[i] == NONE else describe(table, int(cord[i]))
            fits.setdefault(int(drift[of[i]]), []).append(described)
    return fits


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
    group, _, size = groups(table.b[shares], table.sid[shares], key)  # no key is one key, as None == None
    order = np.argsort(group, kind="stable")
    mine = group[np.searchsorted(shares, share)]
    count = size[mine]
    of, position = expanded((np.cumsum(size) - size)[mine], count)
    part = parts[order[position]]
    at = np.maximum(part, 0)
    starts = np.cumsum(count) - count  # every share is listed with itself: no range is empty

    def each(values):
        return np.add.reduceat(values, starts) if len(starts) else np.zeros(0, dtype=values.dtype)

    amount, lo, hi = each(table.amt[at]), each(table.lo[at]), each(table.hi[at])
    mixed, decimals = sum_printing(table, at, starts, whole)
    kept = np.flatnonzero((count > 1) & (each((part != NONE).astype("int64")) == count) & (amount != table.amt[whole]))
    shown = print_figures(in_unit(table, amount[kept], whole[kept], decimals[kept], mixed[kept]))[0]
    return kept, lo[kept], hi[kept], as_objects(filled("audit.share-sum-of-parts", sum=shown)).tolist()


def _other_totals(table: ClaimTable, share: np.ndarray, part: np.ndarray,
                  whole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first total stating each amount other than the named whole's, of the share's year and the
    whole's unit, that is not the part: the share's index and the total, in order."""
    budgets = np.unique(table.b[share])
    _, claims = matches(budgets, table.b, right_sorted=True)
    totals = claims[(table.kind[claims] == "total") & table.has_v[claims]]
    of, position = matches(table.b[share], table.b[totals], right_sorted=True)
    total = totals[position]
    kept = ((table.year[total] == table.year[share[of]]) & (table.cunit[total] == table.cunit[whole[of]])
            & (table.amt[total] != table.amt[whole[of]]) & (table.claim_id[total] != table.claim_id[part[of]]))
    of, total = of[kept], total[kept]
    order = np.lexsort((total, table.amt[total], of))
    of, total = of[order], total[order]
    amount = table.amt[total]
    first_of_amount = np.r_[True, (of[1:] != of[:-1]) | (amount[1:] != amount[:-1])] if len(of) else np.zeros(0, bool)
    return of[first_of_amount], total[first_of_amount]
