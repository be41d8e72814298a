"""Which change is a claim's own, and sum rules of changes (``of = "change"``): a total's stated change
against the changes its parts state ("合计…同比减少144.92万元，其中：…同比减少0万元 …").

When a total is the sum of its parts in both years, its change is the sum of theirs (and so is the prior
year each change implies). Evaluated only where the total and every part state a money change of their
own, on one prior year, in words that compare with the same kind of figure: a change on the prior year's
budget (上年预算) and one on its outturn (上年决算) are of different quantities."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import text
from .columns import filled_each, groups, joined, joined_runs
from .figures import Figures, as_figures, claim_figures, in_unit, intervals, print_figures, sum_printing, verdicts
from .found import Rows, rows
from .rules import Rule
from .table import NONE, ClaimTable

__all__ = ["change_parts", "change_sum_findings", "every_part_stated", "quantity_changes"]

#: The words that begin a comparison ("同比减少", "较2024年减少", "比上年预算数增加").
_COMPARISON = re.compile(r"同比|比|较")
#: What ends the phrase of one figure: punctuation between two clauses.
_CLAUSE_END = re.compile(r"[，,。；;：:（()）、]")
#: The figure itself at the end of the text before it ends (the phrase is the words before it).
_FIGURE = re.compile(r"[\d.,，\s]+$")


def change_parts(table: ClaimTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every change claim's row, its current figure's (the claim named, else the statement nearest
    it) and its prior figure's (the claim named, NONE for none); read once per table."""
    cached = getattr(table, "_change_parts", None)
    if cached is None:
        change = np.flatnonzero(table.kind == "change")
        current = table.ref[change].copy()
        unnamed = ~table.names_ref[change]
        if unnamed.any():
            asked = change[unnamed]
            current[unnamed] = table.pick(table.b[asked], table.measure[asked], table.year[asked],
                                          table.code[asked], asked)
        cached = table._change_parts = (change, current, table.base[change])
    return cached


def quantity_changes(table: ClaimTable) -> tuple[np.ndarray, pd.Series]:
    """Each claim's quantity (budget, measure, year, code; NONE for a claim that states none), and the
    money change of each quantity on each prior year (indexed by quantity and that year): the change the
    linking attached to a statement of the quantity (a summary lists the parts, a paragraph of each
    restates it with its change). A quantity whose changes on one year differ has none on it (which
    one is the quantity's cannot be told)."""
    statements = np.flatnonzero(table.st)
    code = table.code[statements]
    quantity = np.full(table.n, NONE, dtype="int64")
    quantity[statements] = groups(table.b[statements], table.measure[statements], table.year[statements],
                                  np.where(pd.isna(code), "", code).astype(object))[0]
    change, current, _ = change_parts(table)
    linked = (table.names_ref[change] & (current != NONE) & table.has_v[change] & table.money[change]
              & (table.base_year[change] != NONE) & (table.direction[change] != "unspecified"))
    c = change[linked]
    found = pd.DataFrame({"quantity": quantity[current[linked]], "year": table.base_year[c], "change": c,
                          "amount": table.sa[c]})
    found = found[found["quantity"] != NONE]
    by = found.groupby(["quantity", "year"], sort=False)
    one = by["amount"].transform("nunique") == 1
    return quantity, found[one].groupby(["quantity", "year"], sort=False)["change"].first()


def _comparison_phrases(table: ClaimTable, lines: pd.DataFrame, changes: np.ndarray) -> list[str]:
    """The words each change compares with: the phrase before its figure, from its comparison word
    (同比, 比, 较) or else from the start of its clause ("比上年预算数减少", "同比减少")."""
    wanted = pd.MultiIndex.from_arrays([table.b[changes], table.line[changes]]).unique()
    at = pd.MultiIndex.from_arrays([lines["b"].to_numpy(dtype="int64"), lines["line"].to_numpy(dtype="int64")])
    kept = at.isin(wanted)
    texts = dict(zip(at[kept], lines["text"][kept].astype(str).tolist()))
    phrases = []
    for b, line, end in zip(table.b[changes].tolist(), table.line[changes].tolist(), table.char_end[changes].tolist()):
        clause = _CLAUSE_END.split(_FIGURE.sub("", texts.get((b, line), "")[:end]))[-1]
        starts = [found.start() for found in _COMPARISON.finditer(clause)]
        phrases.append(clause[starts[-1]:] if starts else clause)
    return phrases


def change_sum_findings(rules: list[Rule], table: ClaimTable, lines: pd.DataFrame,
                        parts: pd.DataFrame) -> dict[int, Rows]:
    """A row per (rule, total, prior year) of ``parts`` (rule, total, rank, part: the sum rules' amounts,
    grouped in order) whose total and every part have a money change on that prior year, in words that
    name the same of the rule's ``base_words``: the total's change against the sum of the parts', by
    rule number. A relation found from two statements of its total is evaluated once."""
    of_rule, c, p, starts, slack, nil_parts = _relations(rules, table, parts)
    if not len(c):
        return {}
    counts = np.diff(np.r_[starts, len(p)])
    of_run = np.repeat(np.arange(len(c)), counts)
    phrases = np.array(_comparison_phrases(table, lines, np.r_[c, p]), dtype=object)
    words = [list(rules[n].params.get("base_words", ())) for n in range(len(rules))]
    named = np.array(["|".join(w for w in words[n] if w in phrase)
                      for n, phrase in zip(np.r_[of_rule, of_rule[of_run]].tolist(), phrases.tolist())], dtype=object)
    alike = np.add.reduceat((named[len(c):] == named[:len(c)][of_run]).astype("int64"), starts) == counts
    relation = pd.Series([(n, t, " ".join(map(str, run))) for n, t, run in
                          zip(of_rule.tolist(), c.tolist(), np.split(p, starts[1:]))])
    kept = alike & ~relation.duplicated().to_numpy()
    if not kept.any():
        return {}
    of_rule, c, p, counts = of_rule[kept], c[kept], p[kept[of_run]], counts[kept]
    slack, nil_parts = slack[kept], nil_parts[kept]
    starts = np.r_[0, np.cumsum(counts)[:-1]].astype("int64")
    computed = np.add.reduceat(table.sa[p], starts)
    lo, hi = np.add.reduceat(table.slo[p], starts), np.add.reduceat(table.shi[p], starts) + slack
    # a part nil this year with no change stated fell by what it had, or stayed: the sum is a ceiling only
    bounded = (nil_parts != "").astype(bool)
    lo = np.where(bounded, _NO_FLOOR, lo)
    decimals = np.maximum.reduceat(table.is_[p], starts).clip(min=0)
    verdict = verdicts(table.slo[c], table.shi[c], table.sa[c], table.lp[c], lo, hi)
    both, places = sum_printing(table, p, starts, c)
    listed, added, stated, s_lo, s_hi, c_lo, c_hi = print_figures(
        _signed(table, p, np.repeat(both, counts)), in_unit(table, computed, c, places, both),
        _signed(table, c, both), as_figures(table.slo[c], table.is_[c]), as_figures(table.shi[c], table.is_[c]),
        as_figures(lo, decimals), as_figures(hi, decimals))
    keys = np.where(verdict == "consistent", "audit.change-sum-consistent", "audit.change-sum-drift")
    keys = np.where(bounded, np.where(verdict == "consistent", "audit.change-sum-ceiling-consistent",
                                      "audit.change-sum-ceiling-drift"), keys)
    explanations = filled_each(keys, listing=joined_runs(listed, starts, " + "), added=added, stated=stated,
                               nil=nil_parts)
    computed_interval = pc.if_else(pa.array(bounded), joined("[-∞, ", c_hi, "]"), intervals(c_lo, c_hi))
    found = rows(b=table.b[c], claim=c, verdict=verdict, stated=table.sa[c], stated_interval=intervals(s_lo, s_hi),
                 computed=computed, computed_interval=computed_interval, explanation=explanations,
                 inputs=joined_runs(table.claim_id[p], starts, " "))
    by_rule = np.argsort(of_rule, kind="stable")
    numbers, firsts = np.unique(of_rule[by_rule], return_index=True)
    return {int(number): found.take(run) for number, run in zip(numbers.tolist(), np.split(by_rule, firsts[1:]))}


#: The floor of a sum of changes that has none (a part's fall is not known): below every figure.
_NO_FLOOR = np.iinfo("int64").min // 4


def _relations(rules: list[Rule], table: ClaimTable, parts: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """The sums of changes ``parts`` allows: the rule, the total's change and its parts' changes (runs
    from ``starts``), one per total and prior year where every part of the rule is stated and has a
    change on that year — or has none stated but is nil this year (因公出国（境）费0万元): its change is at most
    its figure (the prior year's, or the year's budget, is not below 0), which each relation's ``slack``
    adds to the ceiling, ``nil_parts`` naming those parts ("" where there are none). Such a relation
    needs at least one part with its change stated."""
    quantity, changes = quantity_changes(table)
    changes = changes.reset_index()
    rule, total, part = (parts[name].to_numpy(dtype="int64") for name in ("rule", "total", "part"))
    starts = np.r_[0, np.flatnonzero((np.diff(total) != 0) | (np.diff(rule) != 0)) + 1] if len(part) else part
    counts = np.diff(np.r_[starts, len(part)])
    run = np.repeat(np.arange(len(starts)), counts)
    # each total's changes (a candidate per prior year), each part's change on that year
    totals = pd.DataFrame({"run": np.arange(len(starts)), "quantity": quantity[total[starts]]}).merge(
        changes, on="quantity").sort_values(["run", "year"], kind="stable").reset_index(drop=True)
    members = pd.DataFrame({"run": run, "order": np.arange(len(part)), "quantity": quantity[part]}).merge(
        totals[["run", "year"]].reset_index(names="candidate"), on="run").merge(
        changes.rename(columns={"change": "part_change"}), on=["quantity", "year"]).sort_values(
        ["candidate", "order"], kind="stable")
    of_run = totals["run"].to_numpy(dtype="int64")
    found = members.groupby("candidate").size().reindex(totals.index, fill_value=0).to_numpy()
    stated = every_part_stated(rules, rule[starts], parts["rank"].to_numpy(), run)[of_run]
    complete = (found == counts[of_run]) & stated
    slack = np.zeros(len(totals), dtype="int64")
    nil_parts = np.full(len(totals), "", dtype=object)
    # few: a total with some parts' changes stated, the others' not
    for candidate in np.flatnonzero(stated & (found > 0) & (found < counts[of_run])).tolist():
        listed = set(members.loc[members["candidate"] == candidate, "order"].tolist())
        first = starts[of_run[candidate]]
        missing = [int(at) for order, at in enumerate(part[first:first + counts[of_run[candidate]]], start=first)
                   if order not in listed]
        if all(table.amt[at] == 0 for at in missing):
            complete[candidate] = True
            slack[candidate] = sum(int(table.hi[at]) for at in missing)
            nil_parts[candidate] = text("audit.list-separator").join(table.label[at].strip("（()）")
                                                                     for at in missing)
    members = members[complete[members["candidate"].to_numpy(dtype="int64")]]
    counts = members.groupby("candidate", sort=True).size()
    of_run = of_run[complete]
    return (rule[starts[of_run]], totals["change"].to_numpy(dtype="int64")[complete],
            members["part_change"].to_numpy(dtype="int64"),
            np.r_[0, np.cumsum(counts.to_numpy())[:-1]].astype("int64"), slack[complete], nil_parts[complete])


def every_part_stated(rules: list[Rule], run_rule: np.ndarray, rank: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Whether each run of parts states every part of its rule, itself or by all its substitutes (ranks
    as :func:`.sums.parts_near` gives them: a part's index × 1000, its substitutes' after it): a part
    this year does not state may have had a prior year, so its change is not known to be none."""
    ranks = pd.Series(rank).groupby(run).agg(set)
    whole = []
    for n, stated in zip(run_rule.tolist(), ranks.tolist()):
        params = rules[n].params
        substitutes = params.get("substitutes", {})
        whole.append(all(index * 1000 in stated or (
            measure in substitutes and all(index * 1000 + k in stated for k in range(1, len(substitutes[measure]) + 1)))
            for index, measure in enumerate(params["parts"])))
    return np.array(whole, dtype=bool)


def _signed(table: ClaimTable, at: np.ndarray, with_unit) -> Figures:
    """Changes as printed, a decrease with a minus sign; each with its unit where ``with_unit``."""
    return claim_figures(table, at, with_unit)._replace(q=table.sv[at])
