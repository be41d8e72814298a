"""Sum rules: a stated total against the sum of its stated parts, and the classification roll-up.

Every sum rule of a rules file is evaluated at once: one table of (rule, total, part) requests,
one pick of the parts for all of them, one sum per total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import template
from ..template import LEVEL_WIDTHS
from .engine import kind
from .figures import decimals_in, difference_note, in_unit, interval_text, mixed, printed_figure, verdicts
from .found import rows
from .rules import Rule
from .table import NONE, ClaimTable

__all__ = ["rollup_parts", "sum_parts", "sum_rows"]


@kind("sum", batch=True)
def sum_rows(rules: list[Rule], table: ClaimTable, lines: pd.DataFrame) -> list[tuple[Rule, pd.DataFrame]]:
    number = {id(rule): n for n, rule in enumerate(rules)}
    plain = [rule for rule in rules if "over" not in rule.params]
    parts = sum_parts(plain, table)
    parts["rule"] = np.array([number[id(rule)] for rule in plain] or [0], dtype="int64")[
        parts["rule"].to_numpy(dtype="int64")]
    parts = pd.concat([parts, *(rollup_parts(rule, number[id(rule)], table) for rule in rules if "over" in rule.params)],
                      ignore_index=True).sort_values(["rule", "total", "rank", "code"], kind="stable")
    exhaustive = np.array([bool(rule.params.get("exhaustive", True)) for rule in rules])
    found = sum_findings(table, parts["rule"].to_numpy(), parts["total"].to_numpy(), parts["part"].to_numpy(), exhaustive)
    return [(rule, found.get(n, rows())) for n, rule in enumerate(rules)]


def sum_parts(rules: list[Rule], table: ClaimTable) -> pd.DataFrame:
    """rule (its number in ``rules``), total, rank, code and part of every part of every total."""
    spec = pd.DataFrame([(number, rule.params["total"], LEVEL_WIDTHS.get(rule.params.get("level")) or 0)
                         for number, rule in enumerate(rules)], columns=["rule", "measure", "width"])
    candidates = np.flatnonzero(np.isin(table.kind, ("total", "amount", "count")) & table.has_v
                                & (table.qualifier != "parts-unread"))
    totals = spec.merge(pd.DataFrame({"measure": table.measure[candidates], "total": candidates}), on="measure")
    part_spec = pd.DataFrame([(number, index * 1000, measure) for number, rule in enumerate(rules)
                              for index, measure in enumerate(rule.params["parts"])], columns=["rule", "rank", "measure"])
    found = _pick_parts(table, totals.drop(columns="measure").merge(part_spec, on="rule"))
    # a part not stated: the substitutes stated stand in for it, each in its place after the part
    substitutes = pd.DataFrame([(number, index * 1000, index * 1000 + offset, substitute)
                                for number, rule in enumerate(rules)
                                for index, measure in enumerate(rule.params["parts"])
                                for offset, substitute in enumerate(rule.params.get("substitutes", {}).get(measure, ()), 1)],
                               columns=["rule", "part_rank", "rank", "measure"])
    if len(substitutes):
        wanted = totals.drop(columns="measure").merge(substitutes, on="rule")
        stated = pd.MultiIndex.from_frame(found[["rule", "total", "rank"]])
        unstated = ~pd.MultiIndex.from_frame(wanted[["rule", "total", "part_rank"]]).isin(stated)
        found = pd.concat([found, _pick_parts(table, wanted[unstated].drop(columns="part_rank"))], ignore_index=True)
    return found


def _pick_parts(table: ClaimTable, requests: pd.DataFrame) -> pd.DataFrame:
    """For requests (rule, total, width, rank, measure): the statements of the part measure for the
    total, one per code of the level (width), or the one nearest the total."""
    coded = requests[requests["width"] > 0]
    if len(coded):
        statements = table.statements()
        codes = statements.assign(width=statements["code"].str.len())[["b", "measure", "year", "width", "code"]]
        coded = coded.assign(b=table.b[coded["total"]], year=table.year[coded["total"]]).merge(
            codes.drop_duplicates(), on=["b", "measure", "year", "width"]).drop(columns=["b", "year"])
    plain = requests[requests["width"] == 0].assign(code=None)
    every = pd.concat([plain, coded], ignore_index=True)
    total = every["total"].to_numpy(dtype="int64")
    code = every["code"].to_numpy(dtype=object)
    part = table.pick(table.b[total], every["measure"].to_numpy(dtype=object), table.year[total],
                      np.where(code == "", None, code), total)
    kept = part != NONE
    return pd.DataFrame({"rule": every["rule"].to_numpy()[kept], "total": total[kept],
                         "rank": every["rank"].to_numpy()[kept], "code": np.where(pd.isna(code[kept]), "", code[kept]),
                         "part": part[kept]})


def rollup_parts(rule: Rule, number: int, table: ClaimTable) -> pd.DataFrame:
    """Each code's statement as the total of its nearest sub-codes' statements: the codes whose
    longest stated prefix it is."""
    measure = rule.params["measure"]
    coded = np.flatnonzero((table.measure == measure) & np.isin(table.kind, ("amount", "total"))
                           & ~pd.isna(table.code) & table.has_v)
    codes = pd.DataFrame({"b": table.b[coded], "year": table.year[coded],
                          "code": pd.Series(table.code[coded], dtype=object)}).drop_duplicates(ignore_index=True)
    known = pd.MultiIndex.from_frame(codes)
    parent = pd.Series(None, index=codes.index, dtype=object)
    lengths = codes["code"].str.len()
    for length in range(int(lengths.max()) - 1 if len(codes) else 0, 0, -1):
        open_ = parent.isna() & (lengths > length)
        prefix = codes.loc[open_, "code"].str[:length]
        stated = pd.MultiIndex.from_arrays([codes.loc[open_, "b"], codes.loc[open_, "year"], prefix]).isin(known)
        parent[prefix.index[stated]] = prefix[stated]
    children = codes.assign(parent=parent).dropna(subset=["parent"]).sort_values(["b", "year", "parent", "code"])
    heads = children.drop_duplicates(["b", "year", "parent"])
    # the total is the statement of the code itself, its parts the statements of sub-codes near it
    total = table.pick(heads["b"], np.full(len(heads), measure, dtype=object), heads["year"], heads["parent"],
                       np.full(len(heads), NONE))
    children = children.merge(heads.assign(total=total)[["b", "year", "parent", "total"]], on=["b", "year", "parent"])
    part = table.pick(children["b"], np.full(len(children), measure, dtype=object), children["year"],
                      children["code"], children["total"])
    kept = part != NONE
    return pd.DataFrame({"rule": number, "total": children["total"].to_numpy()[kept], "rank": 0,
                         "code": children["code"].to_numpy(dtype=object)[kept], "part": part[kept]})


def sum_findings(table: ClaimTable, rule: np.ndarray, total_of: np.ndarray, part: np.ndarray,
                 exhaustive: np.ndarray) -> dict[int, pd.DataFrame]:
    """A row per (rule, total) from its parts (grouped, in order), by rule number."""
    if not len(part):
        return {}
    starts = np.r_[0, np.flatnonzero((np.diff(total_of) != 0) | (np.diff(rule) != 0)) + 1]
    total, of_rule = total_of[starts], rule[starts]
    complete = exhaustive[of_rule]
    computed = np.add.reduceat(table.amt[part], starts)
    lo, hi = np.add.reduceat(table.lo[part], starts), np.add.reduceat(table.hi[part], starts)
    decimals = np.maximum.reduceat(table.is_[part], starts).clip(min=0)
    s_lo, s_hi, stated, last = table.lo[total], table.hi[total], table.amt[total], table.lp[total]
    # parts that need not be all of the total only bound it from below
    verdict = np.where(complete, verdicts(s_lo, s_hi, stated, last, lo, hi),
                       np.where(lo <= s_hi, "consistent", verdicts(s_lo, s_hi, stated, last, lo, lo)))
    ends = np.r_[starts[1:], len(part)]
    messages = {"sum-consistent": template("audit.sum-consistent"), "sum-drift": template("audit.sum-drift"),
                "sum-bound-consistent": template("audit.sum-bound-consistent"),
                "sum-bound-exceeds": template("audit.sum-bound-exceeds")}
    explanations, inputs = [], []
    for i, t in enumerate(total.tolist()):
        members = part[starts[i]:ends[i]].tolist()
        both = mixed(table, [t, *members])
        # figures as printed; the sum in the stated total's unit, at the parts' decimals
        figures = {"listing": " + ".join(printed_figure(table, p, both) for p in members),
                   "added": in_unit(int(computed[i]), table.unit[t], decimals_in(table, table.unit[t], members, t))
                   + (table.unit[t] if both else ""),
                   "stated": printed_figure(table, t, both)}
        holds = verdict[i] == "consistent"
        if complete[i]:
            explanation = messages["sum-consistent" if holds else "sum-drift"].format(**figures)
            if not holds:
                explanation += difference_note(table, table.b[t], int(stated[i]) - int(computed[i]), table.cunit[t],
                                               [t, *members])
        else:
            explanation = messages["sum-bound-consistent" if holds else "sum-bound-exceeds"].format(**figures)
        explanations.append(explanation)
        inputs.append(" ".join(table.claim_id[p] for p in members))
    found = rows(b=table.b[total], claim=total, verdict=verdict, stated=stated.tolist(),
                 stated_interval=[interval_text(a, z, d) for a, z, d in zip(s_lo.tolist(), s_hi.tolist(),
                                                                             table.is_[total].tolist())],
                 computed=computed.tolist(),
                 computed_interval=[interval_text(a, z, d) for a, z, d in zip(lo.tolist(), hi.tolist(), decimals.tolist())],
                 explanation=explanations, inputs=inputs)
    return {int(number): group.reset_index(drop=True) for number, group in found.groupby(of_rule, sort=False)}
