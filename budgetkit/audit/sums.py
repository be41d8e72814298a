"""Sum rules: a stated total against the sum of its stated parts, and the classification roll-up.

Every sum rule of a rules file is evaluated at once: one table of (rule, total, part) requests,
one pick of the parts for all of them, one sum per total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..template import LEVEL_WIDTHS
from .change_sums import change_sum_findings
from .columns import filled_each, groups, joined, joined_runs, matches, value_codes
from .engine import kind
from .figures import (as_figures, claim_figures, difference_note, in_unit, intervals, print_figures, sum_printing,
                      verdicts)
from .found import Rows, rows
from .rules import Rule
from .table import NONE, Q, ClaimTable
from .wider import WIDER_THAN_PARTS

__all__ = ["listing_parts", "outline_parts", "parts_near", "rollup_parts", "shared_parts", "sum_parts", "sum_rows"]

#: The qualifiers of a total no list of shares or sentence's sum is about.
_NOT_SUMMED = ("parts-unread", WIDER_THAN_PARTS)


@kind("sum", batch=True)
def sum_rows(rules: list[Rule], table: ClaimTable, lines: pd.DataFrame) -> list[tuple[Rule, Rows]]:
    of_changes = [n for n, rule in enumerate(rules) if rule.params.get("of") == "change"]
    plain = [n for n, rule in enumerate(rules) if "over" not in rule.params and n not in of_changes]
    rollups = [n for n, rule in enumerate(rules) if rule.params.get("over") == "classification"]
    outlines = [n for n, rule in enumerate(rules) if rule.params.get("over") == "outline"]
    listings = [n for n, rule in enumerate(rules) if rule.params.get("over") == "listing"]
    shared = [n for n, rule in enumerate(rules) if rule.params.get("over") == "shares"]
    parts = []
    for numbers, made in ((plain, sum_parts), (rollups, rollup_parts), (outlines, outline_parts),
                          (listings, listing_parts), (shared, shared_parts)):
        found = made([rules[n] for n in numbers], table)
        # each rule's number in ``rules``, not in its own list
        parts.append(found.assign(rule=np.array(numbers or [0], dtype="int64")[found["rule"].to_numpy(dtype="int64")]))
    parts = pd.concat(parts, ignore_index=True).sort_values(["rule", "total", "rank", "code"], kind="stable")
    exhaustive = np.array([bool(rule.params.get("exhaustive", True)) for rule in rules])
    allowance = parts["allowance"].fillna(0).to_numpy(dtype="int64") if "allowance" in parts else None
    found = sum_findings(table, parts["rule"].to_numpy(), parts["total"].to_numpy(), parts["part"].to_numpy(), exhaustive,
                         allowance)
    if of_changes:  # a sum of changes: the parts the amounts are summed from, their changes summed
        chosen = [rules[n] for n in of_changes]
        changed = sum_parts(chosen, table).sort_values(["rule", "total", "rank", "code"], kind="stable")
        found.update({of_changes[n]: changes_found
                      for n, changes_found in change_sum_findings(chosen, table, lines, changed).items()})
    none = rows()  # one empty frame for every rule without a total (the findings skip it)
    return [(rule, found.get(n, none)) for n, rule in enumerate(rules)]


def sum_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code and part of every part of every total."""
    measure_codes = table.codes_of("measure")[0]
    candidates = np.flatnonzero(table.of_kind("total", "amount", "count") & table.has_v
                                & (table.qualifier != "parts-unread"))
    # every (rule, total): the statements of the rule's total measure
    pair_rule, at = matches(value_codes(table, "measure", [rule.params["total"] for rule in rules]),
                            measure_codes[candidates])
    return parts_near(rules, table, pair_rule, candidates[at])


def parts_near(rules: list[Rule], table: ClaimTable, pair_rule: np.ndarray, total: np.ndarray) -> pd.DataFrame:
    """For each total (a row of ``table``; ``pair_rule``: the number in ``rules`` of its sum rule), the
    statements of its rule's parts nearest it, a substitute where a part is not stated: rule, total,
    rank, code and part. A share of a total the document does not print asks with its own row."""
    # per = "row" or "table": a total printed in an official table, its parts in that table (on its row:
    # the row's other columns, of its code or of none)
    per = np.array([rule.params.get("per", "") for rule in rules] or [""], dtype=object)
    in_table = table.in_table[total]
    kept = (per[pair_rule] == "") | in_table
    pair_rule, total = pair_rule[kept], total[kept]
    width = np.array([LEVEL_WIDTHS.get(rule.params.get("level")) or 0 for rule in rules], dtype="int64")
    parts = [(number, index * 1000, measure, None) for number, rule in enumerate(rules)
             for index, measure in enumerate(rule.params["parts"])]
    if not parts:
        return pd.DataFrame({name: np.zeros(0, dtype="int64") for name in ("rule", "total", "rank", "part")}).assign(
            code=np.zeros(0, dtype=object))
    found = _pick_parts(table, pair_rule, total, width, per, parts)
    # a part not stated: the substitutes stated stand in for it, each in its place after the part
    substitutes = [(number, index * 1000 + offset, substitute, index * 1000) for number, rule in enumerate(rules)
                   for index, measure in enumerate(rule.params["parts"])
                   for offset, substitute in enumerate(rule.params.get("substitutes", {}).get(measure, ()), 1)]
    if substitutes:
        found = pd.concat([found, _pick_parts(table, pair_rule, total, width, per, substitutes, found)],
                          ignore_index=True)
    # a total wider than the template's (its own list names 会议费, 培训费): those listed items are parts too
    wider = [(number, (len(rule.params["parts"]) + index) * 1000, measure, None) for number, rule in enumerate(rules)
             for index, measure in enumerate(rule.params.get("wider_if_listed", ()))]
    listed = np.flatnonzero(table.qualifier[total] == WIDER_THAN_PARTS)
    if wider and len(listed):
        extra = _pick_parts(table, pair_rule[listed], total[listed], width, per, wider)
        extra = extra[table.line[extra["part"].to_numpy()] == table.line[extra["total"].to_numpy()]]
        found = pd.concat([found, extra.assign(pair=listed[extra["pair"].to_numpy()])], ignore_index=True)
    return found.drop(columns="pair")


def _pick_parts(table: ClaimTable, pair_rule: np.ndarray, total: np.ndarray, width: np.ndarray, per: np.ndarray,
                spec: list[tuple], stated: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each (rule, total) pair, every part of its rule in ``spec`` (rule, rank, measure, and the rank
    of the part a substitute stands in for, read only where no statement of that part is ``stated``):
    the statements of the part measure for the total, one per code of the level (width), the total's
    code on the total's own row (per "row": a table's columns), or the one nearest the total (in its
    table for per "table"); with the pair's number. A part not stated (a blank cell) is absent, not zero."""
    rule, rank, measure, instead_of = (np.array(column, dtype=dtype) for column, dtype in
                                       zip(zip(*spec), ("int64", "int64", object, object)))
    pair, entry = matches(pair_rule, rule)
    if stated is not None:
        done = stated["rank"].to_numpy()
        span = int(max(rank.max(), done.max(initial=0))) + 1
        done = stated["pair"].to_numpy() * span + done
        wanted = ~np.isin(pair * span + instead_of[entry].astype("int64"), done)
        pair, entry = pair[wanted], entry[wanted]
    t, level = total[pair], width[pair_rule[pair]]
    # a part of a level: one request per code of that width stated of the part measure in the total's year
    coded = np.flatnonzero(level > 0)
    of, code = _codes_of_width(table, table.b[t[coded]], measure[entry[coded]], table.year[t[coded]], level[coded])
    request = np.r_[np.flatnonzero(level == 0), coded[of]]
    scope = per[pair_rule[pair[request]]]
    row = scope == "row"
    code = np.r_[np.full(len(request) - len(of), None, dtype=object), code]
    code[row] = np.where(pd.isna(table.code[t[request[row]]]), None, table.code[t[request[row]]])
    part = table.pick(table.b[t[request]], measure[entry[request]], table.year[t[request]], code, t[request])
    # a row's part is the statement printed on the total's line in its table, a table's in that table
    at = np.maximum(part, 0)
    kept = (part != NONE) & ((scope == "") | (table.sid[at] == table.sid[t[request]])) \
        & (~row | (table.line[at] == table.line[t[request]]))
    request = request[kept]
    return pd.DataFrame({"rule": rule[entry[request]], "total": t[request], "rank": rank[entry[request]],
                         "code": np.where(pd.isna(code[kept]), "", code[kept]), "part": part[kept],
                         "pair": pair[request]})


def _codes_of_width(table: ClaimTable, b: np.ndarray, measure: np.ndarray, year: np.ndarray,
                    width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For requests (budget, measure, year, code width): each distinct code of that width stated of the
    quantity, with the request it is for."""
    statements = np.flatnonzero(table.st)
    code_codes, code_names = table.codes_of("code")
    lengths = np.r_[code_names.str.len().to_numpy(dtype="int64"), 0]  # no code (−1): of no width
    n = len(b)
    keys = groups(np.r_[b, table.b[statements]], np.r_[value_codes(table, "measure", measure),
                                                       table.codes_of("measure")[0][statements]],
                  np.r_[year, table.year[statements]], np.r_[width, lengths[code_codes[statements]]])[0]
    of, statement = matches(keys[:n], keys[n:])
    code = code_codes[statements[statement]]
    first = np.unique(of * (len(code_names) + 1) + code + 1, return_index=True)[1]  # each code once
    return of[first], code_names.to_numpy(dtype=object)[code[first]]


def rollup_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code and part of every classification roll-up: each
    code's statement as the total of its nearest sub-codes' statements, the codes whose longest
    stated prefix it is (every measure rolled up at once)."""
    measures = [rule.params["measure"] for rule in rules]
    coded = np.flatnonzero(np.isin(table.codes_of("measure")[0], value_codes(table, "measure", measures))
                           & table.of_kind("amount", "total")
                           & ~pd.isna(table.code) & table.has_v)
    # each code stated of a measure in a budget's year, once: its place (measure, budget, year, and the
    # official table it is printed in: a table's codes roll up within it) and code as numbers
    in_table = table.in_table[coded]
    place = groups(table.measure[coded], table.b[coded], table.year[coded], np.where(in_table, table.sid[coded], NONE))[0]
    code, names = pd.factorize(table.code[coded])
    names = pd.Index(names, dtype=object)
    stated, first = np.unique(place * len(names) + code, return_index=True)
    coded, place, code, in_table = coded[first], place[first], code[first], in_table[first]
    lengths = names.str.len().to_numpy(dtype="int64")
    # a code's parent: its longest prefix stated in the same place
    parent = np.full(len(coded), NONE)
    for length in range(int(lengths.max()) - 1 if len(names) else 0, 0, -1):
        prefix = names.get_indexer(names.str[:length])[code]  # NONE where no code is that prefix
        open_ = (parent == NONE) & (lengths[code] > length) & (prefix != NONE)
        open_[open_] = np.isin(place[open_] * len(names) + prefix[open_], stated)
        parent[open_] = prefix[open_]
    child = np.flatnonzero(parent != NONE)
    heads, head_of = np.unique(place[child] * len(names) + parent[child], return_index=True, return_inverse=True)[1:]
    # the total is the statement of the code itself, its parts the statements of sub-codes near it
    at = coded[child[heads]]
    total = table.pick(table.b[at], table.measure[at], table.year[at], names.to_numpy()[parent[child[heads]]],
                       np.where(in_table[child[heads]], at, NONE))[head_of]
    at = coded[child]
    part = table.pick(table.b[at], table.measure[at], table.year[at], table.code[at], total)
    kept = part != NONE
    at, total, part = at[kept], total[kept], part[kept]
    # each rule the roll-ups of its measure
    mine = [np.flatnonzero(table.measure[at] == measure) for measure in measures]
    every = np.concatenate(mine) if mine else np.zeros(0, dtype="int64")
    return pd.DataFrame({"rule": np.repeat(np.arange(len(rules)), [len(m) for m in mine]), "total": total[every],
                         "rank": 0, "code": table.code[at][every], "part": part[every]})


def outline_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code and part of every heading of an official table's
    outline: the rows of the rule's measure that detail it (each names its heading, ``ref``), in the
    heading's table, the heading the total (its rows are linked only where every one of them was read)."""
    return _headed_parts(rules, table, in_table=True)


def listing_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code and part of every total a sentence of the text adds
    up (加上…, 收入总量为…): the figures of the rule's measure that name it as their total (``ref``), in its
    section (the extraction links them only where every figure of the sum was read)."""
    return _headed_parts(rules, table, in_table=False)


def shared_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code, part and allowance of every stated total whose
    items are listed under it each with its share of it ("基本支出预算2476260.58元…其中：工资福利支出预算
    2016908.34元，占基本支出预算81.45%…"): the items of the rule's measure those shares are of, in the total's
    section, when there are two or more, each once, every share of the total in that section is of one of
    them and the shares add up to 100% within their rounding. What 100% less the shares' lowest sum
    leaves of the total is the allowance: a part the list could leave out is no larger (a completion rate,
    of a budget kept as an item, is no total's share)."""
    measures = [rule.params["measure"] for rule in rules]
    empty = pd.DataFrame({name: np.zeros(0, dtype="int64") for name in ("rule", "total", "rank", "part",
                                                                          "allowance")}).assign(code="")
    shares = np.flatnonzero((table.kind == "share") & table.has_v & (table.base != NONE) & (table.ref != NONE))
    whole, part = table.base[shares], table.ref[shares]
    kept = table.st[whole] & table.money[whole] & (table.sid[whole] == table.sid[shares])
    shares, whole, part = shares[kept], whole[kept], part[kept]
    found = []
    for total in np.unique(whole).tolist():
        mine = whole == total
        listed = part[mine]
        of_rule = [n for n, measure in enumerate(measures)
                   if all(table.measure[p] == measure and table.kind[p] == "item" for p in listed.tolist())]
        low, high = int(table.lo[shares[mine]].sum()), int(table.hi[shares[mine]].sum())
        if len(listed) < 2 or len(np.unique(listed)) < len(listed) or not of_rule or not low <= 100 * Q <= high \
                or (table.sid[listed] != table.sid[total]).any() or table.qualifier[total] in _NOT_SUMMED:
            continue
        # the largest share a part left out can have, of the total's upper bound, rounded up
        allowance = -(-(100 * Q - low) * int(table.hi[total]) // (100 * Q)) if low < 100 * Q else 0
        found.extend((of_rule[0], total, int(table.ord[p]), p, allowance) for p in sorted(listed.tolist()))
    if not found:
        return empty
    rule, total, rank, part, allowance = (np.array(column, dtype="int64") for column in zip(*found))
    return pd.DataFrame({"rule": rule, "total": total, "rank": rank, "code": "", "part": part, "allowance": allowance})


def _headed_parts(rules: list[Rule], table: ClaimTable, in_table: bool) -> pd.DataFrame:
    """The parts of :func:`outline_parts` (``in_table``) or :func:`listing_parts`: figures of each rule's
    measure that name the total they detail (``ref``), in its section."""
    measures = [rule.params["measure"] for rule in rules]
    heading = table.ref
    rows = np.flatnonzero(np.isin(table.codes_of("measure")[0], value_codes(table, "measure", measures))
                          & table.of_kind("item", "amount", "total") & table.has_v & (table.in_table == in_table)
                          & (heading != NONE))
    rows = rows[(table.sid[heading[rows]] == table.sid[rows]) & table.has_v[heading[rows]]
                & ~pd.Series(table.qualifier[heading[rows]], dtype=object).isin(_NOT_SUMMED).to_numpy()]
    mine = [np.flatnonzero(table.measure[rows] == measure) for measure in measures]
    every = rows[np.concatenate(mine)] if mine else np.zeros(0, dtype="int64")
    return pd.DataFrame({"rule": np.repeat(np.arange(len(rules)), [len(m) for m in mine]), "total": heading[every],
                         "rank": table.ord[every], "code": "", "part": every})


def sum_findings(table: ClaimTable, rule: np.ndarray, total_of: np.ndarray, part: np.ndarray,
                 exhaustive: np.ndarray, allowance: np.ndarray | None = None) -> dict[int, Rows]:
    """A row per (rule, total) from its parts (grouped, in order), by rule number. ``allowance`` (by part
    row, one value per total): how much less than the total its parts may add up to (a part the list may
    leave out, as small as the parts' stated shares allow)."""
    if not len(part):
        return {}
    starts = np.r_[0, np.flatnonzero((np.diff(total_of) != 0) | (np.diff(rule) != 0)) + 1]
    total, of_rule = total_of[starts], rule[starts]
    complete = exhaustive[of_rule]
    computed = np.add.reduceat(table.amt[part], starts)
    lo, hi = np.add.reduceat(table.lo[part], starts), np.add.reduceat(table.hi[part], starts)
    decimals = np.maximum.reduceat(table.is_[part], starts).clip(min=0)
    s_lo, s_hi, stated, last = table.lo[total], table.hi[total], table.amt[total], table.lp[total]
    if allowance is not None:
        s_lo = s_lo - allowance[starts]
    # parts that need not be all of the total only bound it from below
    verdict = np.where(complete, verdicts(s_lo, s_hi, stated, last, lo, hi),
                       np.where(lo <= s_hi, "consistent", verdicts(s_lo, s_hi, stated, last, lo, lo)))
    # figures as printed, every unit named where a part's differs from the total's; the sum in the
    # stated total's unit, at the parts' decimals
    both, places = sum_printing(table, part, starts, total)
    counts = np.diff(np.r_[starts, len(part)])
    parts, added, shown, s_lo_text, s_hi_text, lo_text, hi_text = print_figures(
        claim_figures(table, part, np.repeat(both, counts)), in_unit(table, computed, total, places, both),
        claim_figures(table, total, both), as_figures(s_lo, table.is_[total]), as_figures(s_hi, table.is_[total]),
        as_figures(lo, decimals), as_figures(hi, decimals))
    holds = verdict == "consistent"
    keys = np.where(complete, np.where(holds, "audit.sum-consistent", "audit.sum-drift"),
                    np.where(holds, "audit.sum-bound-consistent", "audit.sum-bound-exceeds"))
    explanations = filled_each(keys, listing=joined_runs(parts, starts, " + "), added=added, stated=shown)
    notes = np.full(len(total), "", dtype=object)
    for i in np.flatnonzero(complete & ~holds).tolist():  # the few that drift: does a stated figure explain it?
        t = int(total[i])
        notes[i] = difference_note(table, table.b[t], int(stated[i]) - int(computed[i]), table.cunit[t],
                                   [t, *part[starts[i]:starts[i] + counts[i]].tolist()])
    if any(notes.tolist()):
        explanations = joined(explanations, notes)
    found = rows(b=table.b[total], claim=total, verdict=verdict, stated=stated,
                 stated_interval=intervals(s_lo_text, s_hi_text), computed=computed,
                 computed_interval=intervals(lo_text, hi_text), explanation=explanations,
                 inputs=joined_runs(table.claim_id[part], starts, " "))
    by_rule = np.argsort(of_rule, kind="stable")
    numbers, firsts = np.unique(of_rule[by_rule], return_index=True)
    runs = np.split(by_rule, firsts[1:])
    return {int(number): found.take(run) for number, run in zip(numbers.tolist(), runs)}
