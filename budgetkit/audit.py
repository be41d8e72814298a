"""The audit: rules read from ``rules.toml``, evaluated on rounding intervals, as a findings frame.

Every printed figure stands for an interval (``numbers.Interval``); a relation holds when the
stated interval and the interval recomputed from the parts overlap. Nothing here knows any one
document's numbers: findings come from rules evaluated on the claims.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from .claims import Claim, ClaimIndex
from .findings import FINDING_COLUMNS, SEVERITY, VERDICTS
from .numbers import MONEY_UNITS, PLACEHOLDER_PATTERN, Interval
from .schema import Problem, decimal_array
from .template import LEVEL_WIDTHS

if TYPE_CHECKING:  # pragma: no cover
    from .model import Budget

__all__ = [
    "AuditFailure",
    "RULE_KINDS",
    "RulesError",
    "assert_no_findings",
    "audit",
    "load_rules",
    "summarize",
]

RULE_KINDS = {
    "sum": {"required": (), "optional": ("total", "parts", "level", "over", "measure", "exhaustive", "substitutes")},
    "share": {"required": (), "optional": ()},
    "change": {"required": ("basis",), "optional": ()},
    "restatement": {"required": (), "optional": ("measures",)},
    "bound": {"required": ("part", "whole"), "optional": ()},
    "text": {"required": ("check",), "optional": ()},
}
_COMMON_KEYS = {"id", "kind", "sections", "reason"}
_TEXT_CHECKS = ("placeholder", "comparison-year", "change-direction", "reason-year")

#: Money is compared in 万元 (numbers.MONEY_UNITS gives the factor from each printed unit); counts
#: (claims.COUNT_UNITS) are exact: both readings are made once, by claims.Claim.
#: Computed shares are carried to this many decimals beyond the stated figure (rounded half-even
#: for the point value, outward for the interval bounds): enough to tell a rounding from a drift.
SHARE_GUARD_DIGITS = 3
#: How many labels a note lists when figures of several measures equal a difference.
DIFFERENCE_LABELS = 3

class RulesError(ValueError):
    """A rules file that cannot be used; names the file, the rule and the key."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(["problems in audit rules:", *(f"  - {p}" for p in problems)]))


class AuditFailure(AssertionError):
    """Raised by :func:`assert_no_findings` when findings at or above a severity exist."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    reason: str
    sections: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)


def load_rules(path: str | Path) -> list[Rule]:
    """Read and check a rules file; every problem is reported at once."""
    path = Path(path)
    name = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError([Problem(name, None, None, "file not found")]) from None
    except tomllib.TOMLDecodeError as error:
        raise RulesError([Problem(name, None, None, f"invalid TOML: {error}")]) from None
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(document.get("rule", []), start=1):
        where = f"rule #{index}"
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            problems.append(Problem(name, None, f"{where}.id", "is missing"))
            continue
        where = f"rule {rule_id!r}"
        if rule_id in seen:
            problems.append(Problem(name, None, f"{where}.id", "is used by an earlier rule"))
        seen.add(rule_id)
        kind = entry.get("kind")
        if kind not in RULE_KINDS:
            problems.append(Problem(name, None, f"{where}.kind", f"{kind!r} is not one of {', '.join(RULE_KINDS)}"))
            continue
        spec = RULE_KINDS[kind]
        for key in ("reason", *spec["required"]):
            if key not in entry:
                problems.append(Problem(name, None, f"{where}.{key}", "is missing"))
        for key in entry:
            if key not in _COMMON_KEYS | set(spec["required"]) | set(spec["optional"]):
                problems.append(Problem(name, None, f"{where}.{key}", f"is not a key of a {kind} rule"))
        if kind == "sum" and not ({"total", "parts"} <= entry.keys() or {"over", "measure"} <= entry.keys()):
            problems.append(Problem(name, None, where, "a sum rule needs total and parts, or over and measure"))
        if kind == "sum" and "substitutes" in entry:
            problems.extend(_substitute_problems(name, where, entry))
        if kind == "text" and entry.get("check") not in _TEXT_CHECKS:
            problems.append(Problem(name, None, f"{where}.check", f"{entry.get('check')!r} is not one of {', '.join(_TEXT_CHECKS)}"))
        if kind == "change" and entry.get("basis") not in ("stated-prior", "implied-prior"):
            problems.append(Problem(name, None, f"{where}.basis", "must be stated-prior or implied-prior"))
        params = {key: value for key, value in entry.items() if key not in _COMMON_KEYS}
        rules.append(Rule(rule_id, kind, str(entry.get("reason", "")), tuple(entry.get("sections", ())), params))
    if problems:
        raise RulesError(problems)
    return rules


def _substitute_problems(name: str, where: str, entry: dict) -> list[Problem]:
    """``substitutes = { part = [measures] }``: each key a part of the rule, each value a list of
    measures that are not parts themselves (a part stated beside its substitutes would count twice)."""
    substitutes, parts = entry["substitutes"], entry.get("parts")
    field_name = f"{where}.substitutes"
    if "parts" not in entry or "over" in entry:
        return [Problem(name, None, field_name, "needs total and parts: only a part can have substitutes")]
    if not isinstance(substitutes, dict) or not substitutes:
        return [Problem(name, None, field_name, "must be a table of part = [measures]")]
    problems = []
    for part, measures in substitutes.items():
        if part not in parts:
            problems.append(Problem(name, None, f"{field_name}.{part}", "is not one of the rule's parts"))
        if (not isinstance(measures, list) or not measures
                or not all(isinstance(m, str) and m for m in measures)):
            problems.append(Problem(name, None, f"{field_name}.{part}", "must be a list of measures"))
        elif overlap := [m for m in measures if m in parts or m == entry.get("total")]:
            problems.append(Problem(name, None, f"{field_name}.{part}",
                                    f"{', '.join(overlap)} is the total or a part of the rule itself"))
        elif len(set(measures)) != len(measures):
            problems.append(Problem(name, None, f"{field_name}.{part}", "names a measure twice"))
    return problems


# -- rows -------------------------------------------------------------------------------------

def _fmt(value: Decimal) -> str:
    """A decimal as printed: 841.00 stays 841.00, never 841 or 8.41E+2."""
    return format(value, "f")


def _in_unit(amount: Decimal, unit: str, decimals: int) -> str:
    """An amount of the comparison unit (money in 万元) as a figure printed in ``unit``: with
    ``decimals`` decimals, and more only where the exact value needs them (never rounded)."""
    value = amount / MONEY_UNITS[unit] if unit in MONEY_UNITS else amount
    needed = max(0, -value.normalize().as_tuple().exponent) if value != 0 else 0
    value = value.quantize(Decimal(1).scaleb(-max(decimals, needed)))
    return _fmt(abs(value) if value == 0 else value)


def _decimals(unit: str, inputs: Iterable[Claim], compared: Claim) -> int:
    """The decimals a figure computed from ``inputs`` carries in ``unit``: the most that any input
    printed in that unit has, else those of the figure it is compared with (printed in ``unit``)."""
    return max((c.decimals or 0 for c in inputs if c.unit == unit), default=compared.decimals or 0)


def _mixed(*claims: Claim) -> bool:
    """Whether the figures were printed in different units: then an explanation names every figure's unit."""
    return len({c.unit for c in claims}) > 1


def _printed(claim: Claim, mixed: bool) -> str:
    """A figure as printed, with its unit when the explanation mixes units."""
    return _fmt(claim.value) + (claim.unit if mixed else "")


def _interval_text(interval: Interval | None) -> str:
    if interval is None:
        return ""
    return f"[{_fmt(interval.lo)}, {_fmt(interval.hi)}]"


def _row(rule: Rule, verdict: str, claim: Claim | None, *, stated: Decimal | None,
         stated_interval: Interval | None, computed: Decimal | None, computed_interval: Interval | None,
         inputs: Iterable[Claim], explanation: str, unit: str | None = None, section: str | None = None) -> dict:
    inputs = list(inputs)
    return {
        "rule": rule.id,
        "rule_kind": rule.kind,
        "verdict": verdict,
        "section": section if section is not None else (claim.section if claim else ""),
        "claim_id": claim.id if claim else "",
        "measure": claim.measure if claim else "",
        "label": claim.label if claim else "",
        "stated": stated,
        "stated_interval": _interval_text(stated_interval),
        "computed": computed,
        "computed_interval": _interval_text(computed_interval),
        "difference": None if stated is None or computed is None else stated - computed,
        "unit": unit if unit is not None else (claim.comparison_unit if claim else ""),
        "quote": claim.quote if claim else "",
        "explanation": explanation,
        "inputs": " ".join(c.id for c in inputs),
        "reason": rule.reason,
        "_order": (claim.order if claim else -1),
    }


def _verdict(stated: Interval, stated_value: Decimal, last_place: Decimal, computed: Interval) -> str:
    """consistent when the intervals overlap; rounding when the stated figure is within one unit
    of its last printed place of the computed interval; drift otherwise."""
    if stated.overlaps(computed):
        return "consistent"
    if computed.gap(Interval.exact(stated_value)) <= last_place:
        return "rounding"
    return "drift"


def _same_value(claims: ClaimIndex, amount: Decimal, unit: str, exclude: set[str]) -> list[Claim]:
    """Stated figures whose value equals ``amount`` exactly: a number that may explain a difference."""
    if amount == 0:
        return []
    found, seen = [], set()
    for claim in claims.all:
        if claim.id in exclude or claim.kind not in ("amount", "total") or claim.amount is None:
            continue
        if claim.comparison_unit == unit and claim.amount == amount and claim.measure not in seen:
            seen.add(claim.measure)
            found.append(claim)
    return found


def _describe(claim: Claim) -> str:
    return f"{claim.label} {_fmt(claim.value)}{claim.unit} ({claim.section}, {claim.id})"


def _difference_note(claims: ClaimIndex, difference: Decimal, unit: str, used: Iterable[Claim]) -> str:
    """The stated figure the difference equals, when one measure's figure does; when figures of
    several measures do, none of them is named as the explanation: their labels are listed."""
    matches = _same_value(claims, abs(difference), unit, {c.id for c in used})
    if not matches:
        return ""
    if len(matches) == 1:
        return f" The difference equals {_describe(matches[0])}."
    more = ", …" if len(matches) > DIFFERENCE_LABELS else ""
    return (" Several stated figures equal the difference ("
            + ", ".join(c.label for c in matches[:DIFFERENCE_LABELS]) + more + ").")


# -- rule kinds ---------------------------------------------------------------------------------

def _sum_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    if "over" in rule.params:
        return _rollup_rows(rule, claims)
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
    mixed = _mixed(total, *parts)
    listing = " + ".join(_printed(p, mixed) for p in parts)
    added = _in_unit(computed, total.unit, _decimals(total.unit, parts, total)) + (total.unit if mixed else "")
    stated = _printed(total, mixed)
    if not exhaustive:
        verdict = "consistent" if interval.lo <= stated_interval.hi else _verdict(
            stated_interval, total.amount, total.last_place, Interval(interval.lo, interval.lo))
        explanation = (f"The listed parts {listing} = {added} do not exceed the total."
                       if verdict == "consistent" else
                       f"The listed parts {listing} = {added} exceed the stated total {stated}.")
    else:
        verdict = _verdict(stated_interval, total.amount, total.last_place, interval)
        if verdict == "consistent":
            explanation = f"{listing} = {added}, within rounding of the stated {stated}."
        else:
            explanation = f"The parts add up to {listing} = {added}, not the stated {stated}."
            explanation += _difference_note(claims, total.amount - computed, total.comparison_unit, [total, *parts])
    return _row(rule, verdict, total, stated=total.amount, stated_interval=stated_interval, computed=computed,
                computed_interval=interval, inputs=parts, explanation=explanation)


def _rollup_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
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


def _share_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    rows = []
    shares = [c for c in claims.all if c.kind == "share" and c.value is not None]
    for share in shares:
        part = claims.by_id.get(share.ref) if share.ref else claims.pick(share.measure, share.year, share.code, share.section)
        whole = claims.by_id.get(share.base) if share.base else claims.pick(share.base_measure, share.year, None, share.section)
        if part is None or whole is None:
            continue
        stated_interval = share.interval
        computed_interval = part.interval.ratio_pct(whole.interval)
        if computed_interval is None:
            rows.append(_row(rule, "semantic", share, stated=share.value, stated_interval=stated_interval,
                             computed=None, computed_interval=None, inputs=[part, whole], unit="%",
                             explanation=f"The whole {_describe(whole)} is zero: no share of it can be stated."))
            continue
        point = _quantize(part.amount / whole.amount * 100, share.decimals)
        computed_interval = _outward(computed_interval, share.decimals)
        verdict = _verdict(stated_interval, share.value, share.last_place, computed_interval)
        mixed = _mixed(part, whole)
        explanation = (f"{_printed(part, mixed)} ÷ {_printed(whole, mixed)} ({whole.label}, {whole.section}) "
                       f"= {_fmt(point)}%.")
        if verdict != "consistent":
            fits = _alternative_wholes(claims, share, part, whole, shares)
            if fits:
                verdict = "semantic"
                explanation += (" The stated share does not fit the whole the sentence names, but fits "
                                + "; ".join(fits) + ".")
            else:
                explanation += f" The stated share is {_fmt(share.value)}%."
        rows.append(_row(rule, verdict, share, stated=share.value, stated_interval=stated_interval, computed=point,
                         computed_interval=computed_interval, inputs=[part, whole], explanation=explanation, unit="%"))
    return rows


def _alternative_wholes(claims: ClaimIndex, share: Claim, part: Claim, whole: Claim, shares: list[Claim]) -> list[str]:
    """Other wholes the stated share does fit: the sum of the parts listed with it, or a stated total."""
    candidates: list[tuple[str, Interval, Decimal]] = []
    siblings = [s for s in shares if s.section == share.section and (s.base or s.base_measure) == (share.base or share.base_measure)]
    sibling_parts = [claims.by_id.get(s.ref) if s.ref else claims.pick(s.measure, s.year, s.code, s.section) for s in siblings]
    if len(siblings) > 1 and all(p is not None for p in sibling_parts):
        total = Interval.exact(Decimal(0))
        for p in sibling_parts:
            total = total + p.interval
        value = sum((p.amount for p in sibling_parts), Decimal(0))
        shown = _in_unit(value, whole.unit, _decimals(whole.unit, sibling_parts, whole)) + (whole.unit if _mixed(whole, *sibling_parts) else "")
        candidates.append((f"{shown}, the sum of the parts listed with it", total, value))
    seen = {whole.amount}
    for claim in claims.all:
        if claim.kind == "total" and claim.year == share.year and claim.comparison_unit == whole.comparison_unit \
                and claim.amount is not None and claim.amount not in seen and claim.id != part.id:
            seen.add(claim.amount)
            candidates.append((_describe(claim), claim.interval, claim.amount))
    fits = []
    for description, interval, _value in candidates:
        ratio = part.interval.ratio_pct(interval)
        if ratio is not None and share.interval.overlaps(_outward(ratio, share.decimals)):
            fits.append(description)
    return fits


def _quantize(value: Decimal, decimals: int | None) -> Decimal:
    places = Decimal(1).scaleb(-((decimals or 0) + SHARE_GUARD_DIGITS))
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def _outward(interval: Interval, decimals: int | None) -> Interval:
    places = Decimal(1).scaleb(-((decimals or 0) + SHARE_GUARD_DIGITS))
    return Interval(interval.lo.quantize(places, rounding=ROUND_FLOOR), interval.hi.quantize(places, rounding=ROUND_CEILING))


def _change_parts(claims: ClaimIndex, change: Claim) -> tuple[Claim | None, Claim | None]:
    current = claims.by_id.get(change.ref) if change.ref else claims.pick(change.measure, change.year, change.code, change.section)
    prior = claims.by_id.get(change.base) if change.base else None
    return current, prior


def _change_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    changes = [c for c in claims.all if c.kind == "change" and c.value is not None]
    if rule.params["basis"] == "stated-prior":
        rows = []
        for change in changes:
            current, prior = _change_parts(claims, change)
            if current is None or prior is None:
                continue
            if _prior_implied_by(change, prior) and (current.value is None or prior.value is None):
                continue  # an unprinted figure implies no prior year
            rows.append(_stated_prior_row(rule, claims, change, current, prior))
        return rows
    return _implied_prior_rows(rule, claims, changes)


def _prior_implied_by(change: Claim, base: Claim) -> bool:
    """A percentage change whose base is the money change stated with it (增加2248.37万元，增长16.47%):
    the prior year is the one that change implies, this year minus the change."""
    return change.unit == "%" and base.kind == "change" and base.money


def _stated_prior_row(rule: Rule, claims: ClaimIndex, change: Claim, current: Claim, prior: Claim) -> dict:
    signed = change.signed_change
    implied = _prior_implied_by(change, prior)
    # money as printed; what is computed from it in the unit of the money change (or of the
    # change itself), at the decimals of its inputs; every unit named when they differ
    decimals = _decimals(prior.unit if implied else change.unit, [current, prior], prior if implied else change)
    if implied:
        # prior = current − signed change, on intervals and as a point, in the comparison unit
        prior_interval = current.interval - prior.signed_change
        prior_amount = current.amount - (-prior.amount if prior.direction == "decrease" else prior.amount)
        mixed = _mixed(current, prior)
        in_money_unit = (lambda amount: _in_unit(amount, prior.unit, decimals) + (prior.unit if mixed else ""))
        implication = (f"{_printed(current, mixed)} {'+' if prior.direction == 'decrease' else '−'} "
                       f"{_printed(prior, mixed)} = {in_money_unit(prior_amount)}")
    else:
        mixed = _mixed(current, prior) if change.unit == "%" else _mixed(current, prior, change)
        prior_interval, prior_amount = prior.interval, prior.amount
    if change.unit == "%":
        # a percentage change is taken of the prior year; a base that can be zero has none
        computed_interval = (current.interval - prior_interval).ratio_pct(prior_interval)
        if computed_interval is None:
            zero = (f"{implication}, the prior year the change {prior.id} implies" if implied else _describe(prior))
            return _row(rule, "semantic", change, stated=change.value, stated_interval=signed, computed=None,
                        computed_interval=None, inputs=[current, prior], unit="%",
                        explanation=f"Growth from a zero base ({zero}) has no percentage.")
        point = _quantize((current.amount - prior_amount) / prior_amount * 100, change.decimals)
        computed_interval = _outward(computed_interval, change.decimals)
    else:
        computed_interval = current.interval - prior_interval
        point = current.amount - prior_amount
    # the stated change in the comparison unit (money in 万元), like the figures it is checked against
    stated = change.signed if not change.money else (-change.amount if change.direction == "decrease" else change.amount)
    verdict = _verdict(signed, stated, change.last_place, computed_interval)
    if implied:
        explanation = (f"{implication} (the prior year the change {prior.id} implies); "
                       f"{in_money_unit(current.amount - prior_amount)} ÷ {in_money_unit(prior_amount)} = {_fmt(point)}%; "
                       f"the text states {_direction_word(change)} {_fmt(change.value)}.")
    else:
        result = (f"{_fmt(point)}%" if change.unit == "%" else
                  _in_unit(point, change.unit, decimals) + (change.unit if mixed else ""))
        explanation = (f"{_printed(current, mixed)} − {_printed(prior, mixed)} = {result}; the text states "
                       f"{_direction_word(change)} {_printed(change, mixed and change.unit != '%')}.")
    if verdict != "consistent" and change.unit == "%":
        # a frequent error: the change divided by this year's figure instead of the prior year's — said only
        # when that quotient itself rounds to the stated figure (wide intervals of whole numbers fit too much)
        on_current = (_quantize((current.amount - prior_amount) / current.amount * 100, change.decimals)
                      if current.interval.lo > 0 else None)
        if on_current is not None and signed.lo <= on_current <= signed.hi:
            verdict = "semantic"
            explanation += CURRENT_YEAR_BASE
    if verdict != "consistent" and change.unit != "%":
        explanation += _difference_note(claims, stated - point, change.comparison_unit, [change, current, prior])
    return _row(rule, verdict, change, stated=stated, stated_interval=signed, computed=point,
                computed_interval=computed_interval, inputs=[current, prior], explanation=explanation)


#: Said when a percentage change fits the change divided by this year's figure rather than the prior year's.
CURRENT_YEAR_BASE = " The stated percentage fits the change divided by this year's figure, not by the prior year's."


def _direction_word(change: Claim) -> str:
    return {"increase": "an increase of", "decrease": "a decrease of", "unchanged": "no change,",
            "unspecified": "a change (direction left unfilled) of"}.get(change.direction or "", "a change of")


def _implied_prior_rows(rule: Rule, claims: ClaimIndex, changes: list[Claim]) -> list[dict]:
    """Each money change without a printed prior implies one; it must agree with every other
    statement of that prior-year quantity, printed or implied."""
    rows = []
    implied: dict[tuple[str, str | None, int], list[tuple[Claim, Interval, Decimal, Claim]]] = defaultdict(list)
    for change in changes:
        if change.unit == "%" or change.base_year is None or change.direction == "unspecified":
            continue  # an unfilled direction (增加（减少）) implies no prior year: the text rule reports it
        current, prior = _change_parts(claims, change)
        if current is None or current.interval is None or current.kind == "item":
            continue  # an item the template does not name is one of many: its prior is no measure's
        interval = current.interval - change.signed_change
        value = current.amount - (-change.amount if change.direction == "decrease" else change.amount)
        implied[(change.measure, change.code, change.base_year)].append((change, interval, value, current))
    for (measure, code, year), statements in implied.items():
        printed = claims.stated(measure, year, code)
        for index, (change, interval, value, current) in enumerate(statements):
            others = [(c, c.interval, c.amount, f"stated as {_describe(c)}") for c in printed if c.id != change.base]
            others += [(s[0], s[1], s[2], f"implied by {s[0].id} ({s[0].section})") for s in statements[:index]]
            for other, other_interval, other_value, how in others:
                verdict = _verdict(other_interval, other_value, other.last_place, interval)
                # the prior year in the change's unit; every unit named when the figures' differ
                mixed = _mixed(current, change, *([other] if other.kind != "change" else []))
                prior = _in_unit(value, change.unit, _decimals(change.unit, [current, change], change)) + (change.unit if mixed else "")
                explanation = (f"{_printed(current, mixed)} − ({_direction_word(change)} {_printed(change, mixed)}) "
                               f"implies {year} = {prior}; {how}.")
                rows.append(_row(rule, verdict, change, stated=other_value, stated_interval=other_interval,
                                 computed=value, computed_interval=interval, inputs=[current, other],
                                 explanation=explanation))
    return rows


def _restatement_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
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
            verdict = _verdict(other.interval, other.amount, other.last_place, first.interval)
            explanation = f"{_describe(other)} restates {_describe(first)}."
            if verdict != "consistent":
                explanation = (f"{_describe(other)} and {_describe(first)} state one quantity with "
                               f"different values.")
                explanation += _difference_note(claims, other.amount - first.amount, first.comparison_unit, [first, other])
            rows.append(_row(rule, verdict, other, stated=other.amount, stated_interval=other.interval,
                             computed=first.amount, computed_interval=first.interval, inputs=[first],
                             explanation=explanation))
    return rows


def _bound_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    rows = []
    for part in claims.all:
        if part.measure != rule.params["part"] or part.kind not in ("amount", "total") or part.value is None:
            continue
        whole = claims.pick(rule.params["whole"], part.year, None, part.section)
        if whole is None:
            continue
        within = part.interval.lo <= whole.interval.hi
        verdict = "consistent" if within else "semantic"
        explanation = f"{_describe(part)} {'does not exceed' if within else 'exceeds'} {_describe(whole)}."
        if not within:
            same = [c for c in _same_value(claims, part.amount, part.comparison_unit, {part.id})
                    if c.measure != part.measure]
            if same:
                explanation += (" It equals " + "; ".join(_describe(c) for c in same[:2])
                                + ": a larger quantity looks relabelled.")
        rows.append(_row(rule, verdict, part, stated=part.amount, stated_interval=part.interval,
                         computed=whole.amount, computed_interval=Interval(Decimal(0), whole.interval.hi),
                         inputs=[whole], explanation=explanation))
    return rows


def _text_rows(rule: Rule, claims: ClaimIndex, budget: Budget) -> list[dict]:
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
                row = _row(rule, "text", None, stated=None, stated_interval=None, computed=None,
                           computed_interval=None, inputs=[c for c in claims.all if c.line == number],
                           explanation=f"Unfilled template text {match.group()!r} on line {number}.",
                           section=sections[number - 1], unit="")
                row.update(quote=quote, _order=_line_order(claims, number))
                rows.append(row)
        if not found:
            rows.append(_row(rule, "consistent", None, stated=None, stated_interval=None, computed=None,
                             computed_interval=None, inputs=[], section="",
                             explanation="No unfilled template text in the document.", unit=""))
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
            explanation = (f"The reason given for the change names {year}."
                           if ok else f"The reason given for a change from {change.base_year} to {change.year} "
                                      f"attributes it to {year}, the year compared with.")
            row = _row(rule, "consistent" if ok else "text", change, stated=None, stated_interval=None,
                       computed=None, computed_interval=None, inputs=[], explanation=explanation, unit="")
            row["quote"] = reason.group(0)
            rows.append(row)
        elif check == "comparison-year" and change.base_year is not None:
            ok = change.base_year < change.year
            explanation = (f"Compares {change.year} with {change.base_year}."
                           if ok else f"A {change.year} figure is compared with {change.base_year}, "
                                      f"not with an earlier year.")
            rows.append(_row(rule, "consistent" if ok else "text", change, stated=None,
                             stated_interval=None, computed=None, computed_interval=None, inputs=[],
                             explanation=explanation, unit=""))
        elif check == "change-direction":
            if change.direction == "unspecified":
                rows.append(_row(rule, "text", change, stated=change.value, stated_interval=None, computed=None,
                                 computed_interval=None, inputs=[],
                                 explanation="The direction of the change was left as the template's 增长（下降）."))
                continue
            current, prior = _change_parts(claims, change)
            if current is None or prior is None or change.unit == "%":
                continue
            delta = current.interval - prior.interval
            possible = {"increase": delta.hi > 0, "decrease": delta.lo < 0, "unchanged": delta.contains(Decimal(0))}
            ok = possible.get(change.direction, True)
            mixed = _mixed(prior, current)
            explanation = (f"From {_printed(prior, mixed)} to {_printed(current, mixed)} the figure "
                           f"{'can' if ok else 'cannot'} show {_direction_word(change).rstrip(' of,')}.")
            rows.append(_row(rule, "consistent" if ok else "text", change, stated=change.signed,
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


_EVALUATORS = {
    "sum": _sum_rows,
    "share": _share_rows,
    "change": _change_rows,
    "restatement": _restatement_rows,
    "bound": _bound_rows,
}


def audit(budget: Budget, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
    """Evaluate every rule on ``budget``: one row per evaluation, failures first in document order."""
    if rules is None:
        rules = load_rules(budget.rules_path)
    elif isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    claims = ClaimIndex(budget.claims)
    rows: list[dict] = []
    for rule in rules:
        if rule.kind == "text":
            rows.extend(_text_rows(rule, claims, budget))
        else:
            rows.extend(_EVALUATORS[rule.kind](rule, claims))
    return _findings_frame(rows)


def _findings_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "_order"])
    if frame.empty:
        return frame.drop(columns="_order").astype({column: "str" for column in FINDING_COLUMNS
                                                     if column not in ("stated", "computed", "difference")})
    frame["_severity"] = frame["verdict"].map(SEVERITY)
    frame = frame.sort_values(["_severity", "_order", "rule"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns=["_severity", "_order"]).reset_index(drop=True)
    for column in ("stated", "computed", "difference"):
        values = decimal_array([None if pd.isna(v) else v for v in frame[column]], min_scale=2)
        frame[column] = values.set_axis(frame.index)
    for column in FINDING_COLUMNS:
        if column not in ("stated", "computed", "difference"):
            frame[column] = frame[column].astype("str")
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=list(VERDICTS), ordered=True)
    return frame


def summarize(findings: pd.DataFrame) -> pd.DataFrame:
    """How many evaluations each verdict got, in order of severity (the ledger's totals)."""
    counts = findings["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    return counts.rename_axis("verdict").reset_index(name="evaluations")


def assert_no_findings(findings: pd.DataFrame, fail_on: str = "drift") -> None:
    """Raise :class:`AuditFailure` if any finding is at or above ``fail_on`` in severity."""
    if fail_on not in SEVERITY:
        raise ValueError(f"fail_on must be one of {', '.join(VERDICTS[1:])}")
    failing = findings[findings["verdict"].map(lambda v: SEVERITY[str(v)] >= SEVERITY[fail_on]).astype(bool)]
    if not failing.empty:
        lines = [f"{len(failing)} finding(s) at or above {fail_on!r}:"]
        lines += [f"  - [{r.verdict}] {r.rule} {r.section} {r.claim_id}: {r.explanation}" for r in failing.itertuples()]
        raise AuditFailure("\n".join(lines))
