"""Restatements of one quantity, bounds of a part by its whole, and the text checks over the lines."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ..claims import Claim, ClaimIndex
from ..messages import text
from ..numbers import PLACEHOLDER_PATTERN, Interval
from .changes import change_parts, movement_word
from .rows import describe, difference_note, finding_row, mixed_units, printed_figure, same_value, verdict_of
from .rules import Rule

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["REASON_YEAR", "bound_rows", "restatement_rows", "section_of_lines", "text_rows"]


def restatement_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    rows = []
    groups: dict[tuple, list[Claim]] = defaultdict(list)
    alias = {m: "|".join(rule.params["measures"]) for m in rule.params.get("measures", [])}
    for claim in claims.all:
        if not claim.states_quantity:
            continue
        if alias and claim.measure not in alias:
            continue
        key = (alias.get(claim.measure, claim.measure), claim.code, claim.year, claim.comparison_unit)
        groups[key].append(claim)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        if alias and len({c.measure for c in group}) < 2:
            continue  # plain restatements of one measure are the generic rule's job
        first = group[0]
        for other in group[1:]:
            if alias and other.measure == first.measure:
                continue
            verdict = verdict_of(other.interval, other.amount, other.last_place, first.interval)
            explanation = text("audit.restates" if verdict == "consistent" else "audit.restates-differ",
                               other=describe(other), first=describe(first))
            if verdict != "consistent":
                explanation += difference_note(claims, other.amount - first.amount, first.comparison_unit, [first, other])
            rows.append(finding_row(rule, verdict, other, stated=other.amount, stated_interval=other.interval,
                                    computed=first.amount, computed_interval=first.interval, inputs=[first],
                                    explanation=explanation))
    return rows


def bound_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    rows = []
    for part in claims.all:
        if part.measure != rule.params["part"] or part.kind not in ("amount", "total") or part.value is None:
            continue
        whole = claims.pick(rule.params["whole"], part.year, None, part.section)
        if whole is None:
            continue
        within = part.interval.lo <= whole.interval.hi
        verdict = "consistent" if within else "semantic"
        explanation = text("audit.bound-within" if within else "audit.bound-exceeds", part=describe(part),
                           whole=describe(whole))
        if not within:
            same = [c for c in same_value(claims, part.amount, part.comparison_unit, {part.id})
                    if c.measure != part.measure]
            if same:
                explanation += text("audit.bound-relabelled",
                                    figures=text("audit.alternatives-separator").join(describe(c) for c in same[:2]))
        rows.append(finding_row(rule, verdict, part, stated=part.amount, stated_interval=part.interval,
                                computed=whole.amount, computed_interval=Interval(Decimal(0), whole.interval.hi),
                                inputs=[whole], explanation=explanation))
    return rows


def text_rows(rule: Rule, claims: ClaimIndex, budget: Budget) -> list[dict]:
    check = rule.params["check"]
    rows = []
    if check == "placeholder":
        sections = section_of_lines(budget.raw_text)
        lines = budget.raw_text.split("\n")
        found = False
        for number, line in enumerate(lines, start=1):
            for match in PLACEHOLDER_PATTERN.finditer(line):
                found = True
                start, end = match.span()
                quote = line[max(0, start - 20):min(len(line), end + 20)].strip()
                row = finding_row(rule, "text", None, stated=None, stated_interval=None, computed=None,
                                  computed_interval=None, inputs=[c for c in claims.all if c.line == number],
                                  explanation=text("audit.placeholder", placeholder=match.group(), line=number),
                                  section=sections[number - 1], unit="")
                row.update(quote=quote, _order=_line_order(claims, number))
                rows.append(row)
        if not found:
            rows.append(finding_row(rule, "consistent", None, stated=None, stated_interval=None, computed=None,
                                    computed_interval=None, inputs=[], section="",
                                    explanation=text("audit.no-placeholder"), unit=""))
        return rows
    lines = budget.raw_text.split("\n")
    for change in claims.all:
        if change.kind != "change":
            continue
        if check == "reason-year" and change.base_year is not None and 0 < change.line <= len(lines):
            reason = REASON_YEAR.search(lines[change.line - 1], change.char_end)
            if reason is None:
                continue
            year = int(reason.group(1))
            ok = year != change.base_year
            explanation = (text("audit.reason-year", year=year) if ok else
                           text("audit.reason-year-compared", base_year=change.base_year, year=change.year, named=year))
            row = finding_row(rule, "consistent" if ok else "text", change, stated=None, stated_interval=None,
                              computed=None, computed_interval=None, inputs=[], explanation=explanation, unit="")
            row["quote"] = reason.group(0)
            rows.append(row)
        elif check == "comparison-year" and change.base_year is not None:
            ok = change.base_year < change.year
            explanation = text("audit.comparison-year" if ok else "audit.comparison-year-not-earlier",
                               year=change.year, base_year=change.base_year)
            rows.append(finding_row(rule, "consistent" if ok else "text", change, stated=None,
                                    stated_interval=None, computed=None, computed_interval=None, inputs=[],
                                    explanation=explanation, unit=""))
        elif check == "change-direction":
            if change.direction == "unspecified":
                rows.append(finding_row(rule, "text", change, stated=change.value, stated_interval=None, computed=None,
                                        computed_interval=None, inputs=[],
                                        explanation=text("audit.direction-unfilled")))
                continue
            current, prior = change_parts(claims, change)
            if current is None or prior is None or change.unit == "%":
                continue
            delta = current.interval - prior.interval
            possible = {"increase": delta.hi > 0, "decrease": delta.lo < 0, "unchanged": delta.contains(Decimal(0))}
            ok = possible.get(change.direction, True)
            mixed = mixed_units(prior, current)
            explanation = text("audit.direction-possible" if ok else "audit.direction-impossible",
                               prior=printed_figure(prior, mixed), current=printed_figure(current, mixed),
                               direction=movement_word(change))
            rows.append(finding_row(rule, "consistent" if ok else "text", change, stated=change.signed,
                                    stated_interval=None, computed=current.amount - prior.amount,
                                    computed_interval=delta, inputs=[current, prior], explanation=explanation))
    return rows


#: "主要是2023年人员经费…的增多": the reason a sentence gives for a change, and the year it names.
#: Bounded repeats: the reason must follow within a few characters, and nothing can backtrack far.
REASON_YEAR = re.compile(r"主要(?:是|原因是|系|由于)[^。；\d]{0,12}((?:19|20)\d{2})年[^。；]{0,40}")


def _line_order(claims: ClaimIndex, line: int) -> int:
    for claim in claims.all:
        if claim.line >= line:
            return claim.order
    return len(claims.all)


def section_of_lines(text: str) -> list[str]:
    """The section (一 … 十二, with its （一） subsection) each line of a document belongs to."""
    top = re.compile(r"^\s*([一二三四五六七八九十]+)、")
    sub = re.compile(r"^\s*（([一二三四五六七八九十]+)）")
    current, subsection, result = "", "", []
    for line in text.split("\n"):
        if match := top.match(line):
            current, subsection = match.group(1), ""
        elif (match := sub.match(line)) and current:
            subsection = f"（{match.group(1)}）"
        result.append(current + subsection)
    return result
