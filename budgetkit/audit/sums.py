"""Sum rules: a stated total against the sum of its stated parts, and the classification roll-up."""

from __future__ import annotations

from decimal import Decimal

from ..claims import Claim, ClaimIndex
from ..messages import text
from ..numbers import Interval
from ..template import LEVEL_WIDTHS
from .rows import decimals_in, difference_note, finding_row, in_unit, mixed_units, printed_figure, verdict_of
from .rules import Rule

__all__ = ["sum_rows"]


def sum_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    if "over" in rule.params:
        return rollup_rows(rule, claims)
    rows = []
    exhaustive = rule.params.get("exhaustive", True)
    level = rule.params.get("level")
    width = LEVEL_WIDTHS.get(level) if level else None
    substitutes = rule.params.get("substitutes", {})
    for total in claims.all:
        if total.measure != rule.params["total"] or total.kind not in ("total", "amount", "count"):
            continue
        if total.value is None or total.qualifier == "parts-unread":
            continue  # parts-unread: the document lists parts of it that could not be read (extraction says so)
        parts: list[Claim] = []
        for measure in rule.params["parts"]:
            found = _sum_parts(claims, measure, total, width)
            if not found:  # a part not stated: the substitutes stated stand in for it
                for substitute in substitutes.get(measure, ()):
                    found.extend(_sum_parts(claims, substitute, total, width))
            parts.extend(found)
        if not parts:
            continue
        rows.append(_sum_row(rule, claims, total, parts, exhaustive))
    return rows


def _sum_parts(claims: ClaimIndex, measure: str, total: Claim, width: int | None) -> list[Claim]:
    """The statements of one part measure for ``total``: one per code of the level, or the one nearest the total."""
    if width:
        candidates = claims.by_measure.get((measure, total.year), [])
        codes = sorted({c.code for c in candidates if c.code and len(c.code) == width})
        return [p for code in codes if (p := claims.pick(measure, total.year, code, total.section))]
    part = claims.pick(measure, total.year, None, total.section)
    return [] if part is None else [part]


def _sum_row(rule: Rule, claims: ClaimIndex, total: Claim, parts: list[Claim], exhaustive: bool) -> dict:
    computed = sum((p.amount for p in parts), Decimal(0))
    interval = Interval.exact(Decimal(0))
    for part in parts:
        interval = interval + part.interval
    stated_interval = total.interval
    # figures as printed; the sum in the stated total's unit, at the parts' decimals
    mixed = mixed_units(total, *parts)
    listing = " + ".join(printed_figure(p, mixed) for p in parts)
    added = in_unit(computed, total.unit, decimals_in(total.unit, parts, total)) + (total.unit if mixed else "")
    stated = printed_figure(total, mixed)
    if not exhaustive:
        verdict = "consistent" if interval.lo <= stated_interval.hi else verdict_of(
            stated_interval, total.amount, total.last_place, Interval(interval.lo, interval.lo))
        explanation = text("audit.sum-bound-consistent" if verdict == "consistent" else "audit.sum-bound-exceeds",
                           listing=listing, added=added, stated=stated)
    else:
        verdict = verdict_of(stated_interval, total.amount, total.last_place, interval)
        explanation = text("audit.sum-consistent" if verdict == "consistent" else "audit.sum-drift",
                           listing=listing, added=added, stated=stated)
        if verdict != "consistent":
            explanation += difference_note(claims, total.amount - computed, total.comparison_unit, [total, *parts])
    return finding_row(rule, verdict, total, stated=total.amount, stated_interval=stated_interval, computed=computed,
                       computed_interval=interval, inputs=parts, explanation=explanation)


def rollup_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    measure = rule.params["measure"]
    rows = []
    coded = [c for c in claims.all if c.measure == measure and c.kind in ("amount", "total") and c.code and c.value is not None]
    for year in sorted({c.year for c in coded}):
        in_year = [c for c in coded if c.year == year]
        codes = {c.code for c in in_year}
        for code in sorted(codes):
            descendants = [d for d in sorted(codes) if d != code and d.startswith(code)]
            nearest = [d for d in descendants
                       if not any(a != d and d.startswith(a) and len(a) > len(code) for a in descendants)]
            if not nearest:
                continue
            # the total is the statement of the code itself, its parts the statements of sub-codes
            total = claims.pick(measure, year, code)
            parts = [p for d in nearest if (p := claims.pick(measure, year, d, total.section)) is not None]
            rows.append(_sum_row(rule, claims, total, parts, exhaustive=True))
    return rows
