"""Change rules on the claim table of one budget or of many at once: a stated change against this
year minus the stated prior year (a percentage of the prior year, which a money change stated with
it can imply), the prior years money changes imply against each other statement of that year, and
whether a stated direction fits the two figures compared.

Arithmetic over whole columns, exact (percentages as :mod:`.shares` takes them). Explanations are
made a column at a time too: figures printed by :mod:`.figures`, messages filled over Arrow text
columns by :mod:`.columns`; only rare notes are added row by row."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import text
from .change_sums import change_parts, every_part_stated
from .columns import as_objects, claim_ids, filled, filled_each, groups, joined, joined_runs, matches, text_column
from .engine import kind, text_check
from .figures import (as_figures, claim_figures, decimals_in, describe, describe_claims, difference_note, in_unit,
                      intervals, mixed, print_figures, verdicts)
from .found import rows
from .rules import Rule
from .shares import outward_pct, pct_places, quantize_pct, saturated
from .table import NONE, SCALE, ClaimTable
from .sums import parts_near
from .wider import WIDER_THAN_PARTS, listed_under

__all__ = ["change_parts", "change_rows", "direction_rows", "direction_word", "implied_prior_rows", "movement_word",
           "on_own_budget", "stated_prior_rows", "wider_total_rows"]

_DIRECTIONS = ("increase", "decrease", "unchanged", "unspecified")


def direction_word(direction: str | None) -> str:
    """The change as a phrase before its figure: 增加 / an increase of."""
    return text(f"audit.direction-{direction if direction in _DIRECTIONS else 'unknown'}")


def _percentage_direction_word(direction: str | None) -> str:
    """The change as a phrase before a percentage, as the template prints it (增长 X% / 下降 X%)."""
    if direction in ("increase", "decrease"):
        return text(f"audit.direction-{direction}-percentage")
    return direction_word(direction)


def movement_word(direction: str | None) -> str:
    """The direction alone, as a figure can or cannot show it: 增加 / an increase."""
    return text(f"audit.movement-{direction if direction in _DIRECTIONS[:3] else 'unknown'}")


def on_own_budget(table: ClaimTable) -> np.ndarray:
    """Whether each claim is a change of a final-accounts figure on its year's own budget (决算数大于预算数
    55.93万元): its base year its own, its base measure the budget's. It implies that budget, not a prior year."""
    return (table.kind == "change") & (table.base_year == table.year) & pd.notna(table.base_measure)


def _words(word, directions: np.ndarray) -> pa.Array:
    """``word`` of each direction, each phrase made once."""
    known = {d: word(d) for d in (*_DIRECTIONS, None)}
    return text_column([known[d] if d in known else known[None] for d in directions.tolist()])


# -- stated prior -------------------------------------------------------------------------------

@kind("change")
def change_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """A change rule, by the prior year it checks against: stated, or implied by the changes."""
    if rule.params["basis"] == "stated-prior":
        return stated_prior_rows(rule, table, lines)
    if rule.params["basis"] == "wider-total":
        return wider_total_rows(rule, table, lines)
    return implied_prior_rows(rule, table, lines)


def stated_prior_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each stated change against this year minus the prior year its sentence states; a percentage is
    taken of that prior year, which a money change stated with it implies (增加2248.37万元，增长16.47%)."""
    change, current, prior = change_parts(table)
    known = (current != NONE) & (prior != NONE)
    c, u, p = change[known], current[known], prior[known]
    # an unprinted figure implies no prior year, nor can it be compared
    keep = table.has_v[c] & table.has_v[u] & table.has_v[p]
    c, u, p = c[keep], u[keep], p[keep]
    pct = table.unit[c] == "%"
    implied = pct & (table.kind[p] == "change") & table.money[p]
    # the prior year: stated, or this year minus the money change (on intervals and as a point)
    q_amt = np.where(implied, table.amt[u] - table.sa[p], table.amt[p])
    q_lo = np.where(implied, table.lo[u] - table.shi[p], table.lo[p])
    q_hi = np.where(implied, table.hi[u] - table.slo[p], table.hi[p])
    q_is = np.where(implied, np.maximum(table.is_[u], table.is_[p]), table.is_[p])
    # the change: stated (its own interval), or this year minus the stated prior; this year minus a prior
    # it implies would count this year's rounding twice and admit a percentage no figure allows
    delta = table.amt[u] - q_amt
    d_lo = np.where(implied, table.slo[p], table.lo[u] - q_hi)
    d_hi = np.where(implied, table.shi[p], table.hi[u] - q_lo)
    # a percentage change is taken of the prior year; a base that can be zero has none
    zero = pct & (q_lo <= 0)
    ok = pct & ~zero
    k = pct_places(table.d[c])
    point, c_lo, c_hi = delta.copy(), d_lo.copy(), d_hi.copy()
    c_is = np.where(pct, k, np.maximum(table.is_[u], q_is))
    if ok.any():
        i = np.flatnonzero(ok)
        quotients = (quantize_pct(delta[i], q_amt[i], table.d[c[i]]),
                     *outward_pct(d_lo[i], d_hi[i], q_lo[i], q_hi[i], table.d[c[i]]))
        if any(q.dtype == object for q in quotients):  # rare: a percentage beyond 64 bits, as Python ints
            point, c_lo, c_hi = point.astype(object), c_lo.astype(object), c_hi.astype(object)
        point[i], c_lo[i], c_hi[i] = quotients
    # a negative quotient rounded to zero keeps its sign when printed
    negative_point, negative_hi = ok & (point == 0) & (delta < 0), ok & (c_hi == 0) & (d_hi < 0)
    stated = table.sa[c]
    verdict = np.where(zero, "semantic", verdicts(table.slo[c], table.shi[c], stated, table.lp[c], saturated(c_lo),
                                                  saturated(c_hi)))
    verdict = verdict.astype(object)
    # a frequent error: the change divided by this year's figure instead of the prior year's — said only
    # when that quotient itself rounds to the stated figure (wide intervals of whole numbers fit too much)
    on_current = np.zeros(len(c), dtype=bool)
    suspect = ok & (verdict != "consistent") & (table.lo[u] > 0)
    if suspect.any():
        i = np.flatnonzero(suspect)
        quotient = quantize_pct(delta[i], table.amt[u[i]], table.d[c[i]])
        on_current[i] = (table.slo[c[i]] <= quotient) & (quotient <= table.shi[c[i]])
        verdict[on_current] = "semantic"
    # a money difference that equals another stated figure is named
    noted = np.flatnonzero((verdict != "consistent") & ~pct)
    notes = {j: difference_note(table, table.b[c[j]], int(stated[j]) - int(point[j]), table.cunit[c[j]],
                                (int(c[j]), int(u[j]), int(p[j]))) for j in noted.tolist()}
    explanations, stated_intervals, computed_intervals = _stated_prior_texts(
        table, c, u, p, pct, implied, zero, on_current, q_amt, delta, point, k, negative_point, c_lo, c_hi, c_is,
        negative_hi, notes)
    return rows(b=table.b[c], claim=c, verdict=verdict, stated=np.where(zero, table.v[c], stated),
                stated_interval=stated_intervals, computed=np.where(zero, None, point.astype(object)),
                computed_interval=computed_intervals, explanation=explanations,
                inputs=as_objects(claim_ids(table, u, p)))


def _stated_prior_texts(table: ClaimTable, c, u, p, pct, implied, zero, on_current, q_amt, delta, point, k,
                        negative_point, c_lo, c_hi, c_is, negative_hi, notes) -> tuple[np.ndarray, ...]:
    """The explanations and intervals of the stated-prior rows: money as printed; what is computed from
    it in the unit of the money change (or of the change itself), at the decimals of its inputs; every
    unit named when they differ."""
    n = len(c)
    in_money = np.where(implied, p, c)
    places = decimals_in(table, table.unit[in_money], (u, p), in_money)
    mix = np.where(pct, mixed(table, u, p), mixed(table, u, p, c))
    # the computed change: a percentage (the message of an implied prior adds its own sign), else money
    money = in_unit(table, saturated(point), c, places, mix)  # (a percentage beyond 64 bits is no money)
    result = as_figures(point, np.where(pct, k, money.decimals), scale=np.where(pct, SCALE, money.scale),
                        suffix=np.where(pct, np.where(implied, "", "%"), money.suffix), negative=negative_point)
    i = np.flatnonzero(implied)
    # the stated figure as printed: a percentage with its %, money with its unit when the units differ
    current, prior, stated, result, s_lo, s_hi, lo, hi, prior_year, difference = print_figures(
        claim_figures(table, u, mix), claim_figures(table, p, mix), claim_figures(table, c, mix | pct), result,
        as_figures(table.slo[c], table.is_[c]), as_figures(table.shi[c], table.is_[c]),
        as_figures(c_lo, c_is), as_figures(c_hi, c_is, negative=negative_hi),
        in_unit(table, q_amt[i], p[i], places[i], mix[i]), in_unit(table, delta[i], p[i], places[i], mix[i]))
    explanations = np.full(n, "", dtype=object)
    words = pc.if_else(pa.array(pct), _words(_percentage_direction_word, table.direction[c]),
                       _words(direction_word, table.direction[c]))
    current_year_base = text("audit.change-current-year-base") if on_current.any() else ""

    def of(column: pa.Array, rows_: np.ndarray) -> pa.Array:
        return column if len(rows_) == len(column) else column.take(pa.array(rows_))

    for key, chosen in (("audit.change-computed", ~pct), ("audit.change-computed-percentage", pct)):
        j = np.flatnonzero(chosen & ~implied & ~zero)
        if len(j):
            explanations[j] = as_objects(filled(
                key, current=of(current, j), prior=of(prior, j), result=of(result, j),
                direction=of(words, j), stated=of(stated, j)))
    if len(i):
        # the prior year the money change implies: this year minus that change
        sign = pc.if_else(pa.array(table.direction[p[i]] == "decrease"), "+", "−")
        implication = as_objects(joined(of(current, i), " ", sign, " ", of(prior, i), " = ", prior_year))
        valued = np.flatnonzero(~zero[i])
        explanations[i[valued]] = as_objects(filled(
            "audit.change-implied-percentage", implication=implication[valued],
            claim=table.claim_id[p[i[valued]]], delta=of(difference, valued), prior=of(prior_year, valued),
            point=of(result, i[valued]), direction=of(words, i[valued]), stated=of(stated, i[valued])))
    for j in np.flatnonzero(zero).tolist():  # rare: a prior year that can be zero
        zero_is = (text("audit.change-implied-zero", implication=implication[np.searchsorted(i, j)],
                        claim=table.claim_id[p[j]]) if implied[j] else describe(table, int(p[j])))
        explanations[j] = text("audit.change-zero-base", zero=zero_is)
    for j, note in notes.items():
        explanations[j] += note
    explanations[on_current] += current_year_base
    computed_intervals = np.where(zero, "", as_objects(intervals(lo, hi)))
    return explanations, as_objects(intervals(s_lo, s_hi)), computed_intervals


# -- implied prior ------------------------------------------------------------------------------

def implied_prior_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each money change without a printed prior implies one (this year minus the change); it must
    agree with every other statement of that prior-year quantity, printed or implied by an earlier change."""
    change, current, base = change_parts(table)
    u = np.maximum(current, 0)
    # an unfilled direction (增加（减少）) implies no prior year: the text rule reports it; an item the
    # template does not name is one of many: its prior is no measure's
    # a change on the year's own budget (决算数大于预算数) implies a budget, not a prior year; a change of a
    # total wider than the template's (its list names 会议费, 培训费) may be of either whole
    chosen = (table.has_v[change] & (table.unit[change] != "%") & (table.base_year[change] != NONE)
              & ~on_own_budget(table)[change]
              & (table.direction[change] != "unspecified") & (current != NONE) & table.has_v[u] & (table.kind[u] != "item")
              & (table.qualifier[u] != WIDER_THAN_PARTS))
    c, u, base = change[chosen], u[chosen], base[chosen]
    if not len(c):
        return rows(b=c, claim=c, verdict=[], explanation=[])
    statements = np.flatnonzero(table.st)
    # only statements of a year, budget and measure some change implies (cheap tests first)
    for column, wanted in ((table.year, table.base_year[c]), (table.b, table.b[c]), (table.measure, table.measure[c])):
        statements = statements[pd.Series(column[statements], dtype=column.dtype).isin(pd.unique(wanted)).to_numpy()]
    # the prior year each change implies, on intervals and as a point
    lo, hi = table.lo[u] - table.shi[c], table.hi[u] - table.slo[c]
    value, places = table.amt[u] - table.sa[c], np.maximum(table.is_[u], table.is_[c])
    # one integer per quantity (budget, measure, year, code) of the changes' priors and the statements
    both = np.r_[c, statements]
    code = table.code[both]
    keys, _, _ = groups(table.b[both], table.measure[both], np.r_[table.base_year[c], table.year[statements]],
                        np.where(pd.isna(code), "", code).astype(object))
    # the other statements: printed (not the change's own base) …
    i, s = matches(keys[:len(c)], keys[len(c):])
    printed_other = statements[s]
    mine = printed_other != base[i]
    i, printed_other = i[mine], printed_other[mine]
    # … or implied by an earlier change of the same quantity
    j, e = matches(keys[:len(c)], keys[:len(c)])
    earlier = e < j
    j, e = j[earlier], e[earlier]
    at = np.r_[i, j]
    if not len(at):
        return rows(b=at, claim=at, verdict=[], explanation=[])
    other = np.r_[printed_other, c[e]]
    by_change = np.r_[np.zeros(len(i), dtype=bool), np.ones(len(j), dtype=bool)]
    o_lo, o_hi = np.r_[table.lo[printed_other], lo[e]], np.r_[table.hi[printed_other], hi[e]]
    o_value, o_places = np.r_[table.amt[printed_other], value[e]], np.r_[table.is_[printed_other], places[e]]
    cc, uu = c[at], u[at]
    verdict = verdicts(o_lo, o_hi, o_value, table.lp[other], lo[at], hi[at])
    # the prior year in the change's unit; every unit named when the figures' differ
    mix = mixed(table, uu, cc) | (~by_change & (table.unit[other] != table.unit[cc]))
    current, changed, prior_year, other_value, s_lo, s_hi, c_lo, c_hi = print_figures(
        claim_figures(table, uu, mix), claim_figures(table, cc, mix),
        in_unit(table, value[at], cc, decimals_in(table, table.unit[cc], (uu, cc), cc), mix),
        claim_figures(table, other),
        as_figures(o_lo, o_places), as_figures(o_hi, o_places), as_figures(lo[at], places[at]),
        as_figures(hi[at], places[at]))
    how = pc.if_else(pa.array(by_change),
                     filled("audit.implied-prior-implied", claim=table.claim_id[other], section=table.section[other]),
                     filled("audit.implied-prior-stated", figure=describe_claims(table, other, other_value)))
    explanations = filled("audit.implied-prior", current=current, direction=_words(direction_word, table.direction[cc]),
                          change=changed, year=table.base_year[cc], prior=prior_year, how=how)
    return rows(b=table.b[cc], claim=cc, verdict=verdict, stated=o_value,
                stated_interval=as_objects(intervals(s_lo, s_hi)), computed=value[at],
                computed_interval=as_objects(intervals(c_lo, c_hi)), explanation=as_objects(explanations),
                inputs=as_objects(claim_ids(table, uu, other)), seq=np.where(by_change, table.n + other, other))


# -- a change of a total wider than the template's ------------------------------------------------

def wider_total_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each money change of a total wider than the template's (:data:`WIDER_THAN_PARTS`: its 其中 list names
    会议费, 培训费) on a prior year whose total is stated as widely, its own sentence naming no prior figure:
    against the difference of the two totals; a change that fits only the difference of the template's
    parts listed under them (the “三公”经费 without 会议费, 培训费) is of another whole than the one it names."""
    change, current, prior = change_parts(table)
    chosen = (table.has_v[change] & table.money[change] & (prior == NONE) & (current != NONE)
              & (table.base_year[change] != NONE) & (table.base_year[change] != table.year[change])
              & pd.Series(table.direction[change], dtype=object).isin(_DIRECTIONS[:3]).to_numpy())
    c, u = change[chosen], current[chosen]
    keep = table.qualifier[u] == WIDER_THAN_PARTS
    c, u = c[keep], u[keep]
    p = table.pick(table.b[u], table.measure[u], table.base_year[c], np.full(len(u), None, dtype=object), u)
    keep = p != NONE
    keep[keep] = table.qualifier[p[keep]] == WIDER_THAN_PARTS
    c, u, p = c[keep], u[keep], p[keep]
    found = []  # (change, this year's total, the prior's, each total's template parts and further items)
    for sum_rule in rule.params["sum_rules"]:
        mine = np.flatnonzero(table.measure[u] == sum_rule.params["total"])
        listed = _listed_parts(sum_rule, table, lines, np.r_[u[mine], p[mine]])
        found.extend((c[i], u[i], p[i], *listed[u[i]], *listed[p[i]]) for i in mine.tolist()
                     if u[i] in listed and p[i] in listed)
    if not found:
        return rows(b=c[:0], claim=c[:0], verdict=[], explanation=[])
    c, u, p, now, further, before, _ = (list(column) for column in zip(*found))
    c, u, p = (np.array(column, dtype="int64") for column in (c, u, p))
    counts_now, counts_before = np.array([len(run) for run in now]), np.array([len(run) for run in before])
    now, before = (np.array([x for run in runs for x in run], dtype="int64") for runs in (now, before))
    starts_now, starts_before = (np.r_[0, np.cumsum(counts)[:-1]].astype("int64") for counts in (counts_now, counts_before))
    # the change of the two totals, and of the template's parts listed under them, on intervals
    wide = table.amt[u] - table.amt[p]
    wide_lo, wide_hi = table.lo[u] - table.hi[p], table.hi[u] - table.lo[p]

    def summed(values: np.ndarray, at: np.ndarray, starts: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values[at], starts)

    narrow = summed(table.amt, now, starts_now) - summed(table.amt, before, starts_before)
    narrow_lo = summed(table.lo, now, starts_now) - summed(table.hi, before, starts_before)
    narrow_hi = summed(table.hi, now, starts_now) - summed(table.lo, before, starts_before)
    as_wide = verdicts(table.slo[c], table.shi[c], table.sa[c], table.lp[c], wide_lo, wide_hi)
    as_narrow = verdicts(table.slo[c], table.shi[c], table.sa[c], table.lp[c], narrow_lo, narrow_hi)
    verdict = np.where((as_wide != "consistent") & (as_narrow == "consistent"), "semantic", as_wide).astype(object)
    # figures as printed, every unit named when they differ; the differences at their inputs' decimals
    mix = mixed(table, u, p, c)
    places = decimals_in(table, table.unit[c], (u, p), c)
    listing_now, listing_before, current_total, prior_total, stated, wide_shown, narrow_shown = print_figures(
        claim_figures(table, now, np.repeat(mix, counts_now)),
        claim_figures(table, before, np.repeat(mix, counts_before)),
        claim_figures(table, u, mix), claim_figures(table, p, mix), claim_figures(table, c, mix),
        in_unit(table, wide, c, places, mix), in_unit(table, narrow, c, places, mix))
    beyond = [text("audit.list-separator").join(dict.fromkeys(str(table.label[x]) for x in run)) for run in further]
    keys = np.where(verdict == "consistent", "audit.wider-change-consistent",
                    np.where(verdict == "semantic", "audit.wider-change-semantic", "audit.wider-change-drift"))
    explanations = filled_each(keys, current=current_total, prior=prior_total, wide=wide_shown, stated=stated,
                               direction=_words(direction_word, table.direction[c]), beyond=text_column(beyond),
                               now_parts=joined_runs(listing_now, starts_now, " + "),
                               prior_parts=joined_runs(listing_before, starts_before, " + "), narrow=narrow_shown)
    wide_places = np.maximum(table.is_[u], table.is_[p])
    lo_shown, hi_shown, s_lo, s_hi = print_figures(
        as_figures(wide_lo, wide_places), as_figures(wide_hi, wide_places),
        as_figures(table.slo[c], table.is_[c]), as_figures(table.shi[c], table.is_[c]))
    return rows(b=table.b[c], claim=c, verdict=verdict, stated=table.sa[c], stated_interval=intervals(s_lo, s_hi),
                computed=wide, computed_interval=intervals(lo_shown, hi_shown), explanation=explanations,
                inputs=as_objects(claim_ids(table, u, p)))


def _listed_parts(rule: Rule, table: ClaimTable, lines: pd.DataFrame,
                  totals: np.ndarray) -> dict[int, tuple[list[int], list[int]]]:
    """For each of ``totals`` (rows of sum ``rule``'s total measure) whose 其中 list holds every part of the
    rule (itself or all its substitutes): the rows of those parts and of the further items listed."""
    found = parts_near([rule], table, np.zeros(len(totals), dtype="int64"), totals).sort_values(
        ["total", "part"], kind="stable")
    total, part, rank = (found[name].to_numpy(dtype="int64") for name in ("total", "part", "rank"))
    texts = lines.set_index(["b", "line"])["text"]
    listed = np.array([table.line[t] == table.line[x] and listed_under(
        str(texts.get((table.b[t], table.line[t]), "")), table.char_end[t], table.char_end[x])
        for t, x in zip(total.tolist(), part.tolist())], dtype=bool)
    total, part, rank = total[listed], part[listed], rank[listed]
    beyond = rank >= len(rule.params["parts"]) * 1000
    runs = {t: (part[(total == t) & ~beyond].tolist(), part[(total == t) & beyond].tolist())
            for t in np.unique(total[~beyond]).tolist()}  # each total with a part of the template listed
    mine = ~beyond
    run = np.searchsorted(np.array(list(runs), dtype="int64"), total[mine])
    whole = every_part_stated([rule], np.zeros(len(runs), dtype="int64"), rank[mine], run)
    return {t: listed_here for (t, listed_here), complete in zip(runs.items(), whole.tolist()) if complete}


# -- the direction a change states ------------------------------------------------------------------

#: The template's two directions left at the end of a change's label ("较2023年下降（增长）"), as printed.
_UNFILLED_WORDS = re.compile(r"(?:增长|下降|增加|减少|上升|降低)\s?[（(]\s?(?:增长|下降|增加|减少|上升|降低)\s?[）)]$")


def _template_words(label: str) -> str:
    """The unfilled direction as the document prints it ("下降（增长）"), else the template's 增长（下降）."""
    found = _UNFILLED_WORDS.search(str(label))
    return found.group(0) if found else "增长（下降）"


@text_check("change-direction")
def direction_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """增加、减少、持平 against the two figures compared: whether their intervals allow that movement;
    a direction left as the template's 增长（下降） is reported as unfilled."""
    change, current, prior = change_parts(table)
    unfilled = change[table.direction[change] == "unspecified"]
    known = ((table.direction[change] != "unspecified") & (current != NONE) & (prior != NONE)
             & (table.unit[change] != "%"))
    c, u, p = change[known], current[known], prior[known]
    readable = table.has_v[u] & table.has_v[p]
    c, u, p = c[readable], u[readable], p[readable]
    d_lo, d_hi = table.lo[u] - table.hi[p], table.hi[u] - table.lo[p]
    direction = table.direction[c]
    possible = np.where(direction == "increase", d_hi > 0,
                        np.where(direction == "decrease", d_lo < 0,
                                 np.where(direction == "unchanged", (d_lo <= 0) & (0 <= d_hi), True)))
    mix = mixed(table, p, u)
    places = np.maximum(table.is_[u], table.is_[p])
    prior_shown, current_shown, lo, hi = print_figures(claim_figures(table, p, mix), claim_figures(table, u, mix),
                                                       as_figures(d_lo, places), as_figures(d_hi, places))
    figures = {"prior": prior_shown, "current": current_shown, "direction": _words(movement_word, direction)}
    explanations = pc.if_else(pa.array(possible), filled("audit.direction-possible", **figures),
                              filled("audit.direction-impossible", **figures))
    both = np.r_[unfilled, c]
    stated = np.where(table.has_v[both], np.r_[table.v[unfilled], table.sv[c]].astype(object), None)
    blank = np.full(len(unfilled), "", dtype=object)
    unfilled_text = np.array([text("audit.direction-unfilled", words=_template_words(label))
                              for label in table.label[unfilled]], dtype=object)
    return rows(b=table.b[both], claim=both,
                verdict=np.r_[np.full(len(unfilled), "text", dtype=object), np.where(possible, "consistent", "text")],
                stated=stated, computed=np.r_[np.full(len(unfilled), None), (table.amt[u] - table.amt[p]).astype(object)],
                computed_interval=np.r_[blank, as_objects(intervals(lo, hi))],
                explanation=np.r_[unfilled_text, as_objects(explanations)],
                inputs=np.r_[blank, as_objects(claim_ids(table, u, p))])
