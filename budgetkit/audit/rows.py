"""A finding's row: the verdict of a stated interval against a computed one, the figures in the units
they are printed in, and the explanation's recurring phrases."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from ..claims import Claim, ClaimIndex
from ..messages import text
from ..numbers import MONEY_UNITS, Interval
from .rules import Rule

__all__ = [
    "DIFFERENCE_LABELS", "SHARE_GUARD_DIGITS", "decimals_in", "describe", "difference_note", "finding_row",
    "in_unit", "mixed_units", "printed_decimal", "printed_figure", "same_value", "verdict_of",
]


#: Money is compared in 万元 (numbers.MONEY_UNITS gives the factor from each printed unit); counts
#: (claims.COUNT_UNITS) are exact: both readings are made once, by claims.Claim.
#: Computed shares are carried to this many decimals beyond the stated figure (rounded half-even
#: for the point value, outward for the interval bounds): enough to tell a rounding from a drift.
SHARE_GUARD_DIGITS = 3


#: How many labels a note lists when figures of several measures equal a difference.
DIFFERENCE_LABELS = 3


def printed_decimal(value: Decimal) -> str:
    """A decimal as printed: 841.00 stays 841.00, never 841 or 8.41E+2."""
    return format(value, "f")


def in_unit(amount: Decimal, unit: str, decimals: int) -> str:
    """An amount of the comparison unit (money in 万元) as a figure printed in ``unit``: with
    ``decimals`` decimals, and more only where the exact value needs them (never rounded)."""
    value = amount / MONEY_UNITS[unit] if unit in MONEY_UNITS else amount
    needed = max(0, -value.normalize().as_tuple().exponent) if value != 0 else 0
    value = value.quantize(Decimal(1).scaleb(-max(decimals, needed)))
    return printed_decimal(abs(value) if value == 0 else value)


def decimals_in(unit: str, inputs: Iterable[Claim], compared: Claim) -> int:
    """The decimals a figure computed from ``inputs`` carries in ``unit``: the most that any input
    printed in that unit has, else those of the figure it is compared with (printed in ``unit``)."""
    return max((c.decimals or 0 for c in inputs if c.unit == unit), default=compared.decimals or 0)


def mixed_units(*claims: Claim) -> bool:
    """Whether the figures were printed in different units: then an explanation names every figure's unit."""
    return len({c.unit for c in claims}) > 1


def printed_figure(claim: Claim, mixed: bool) -> str:
    """A figure as printed, with its unit when the explanation mixes units."""
    return printed_decimal(claim.value) + (claim.unit if mixed else "")


def interval_text(interval: Interval | None) -> str:
    if interval is None:
        return ""
    return f"[{printed_decimal(interval.lo)}, {printed_decimal(interval.hi)}]"


def finding_row(rule: Rule, verdict: str, claim: Claim | None, *, stated: Decimal | None,
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
        "stated_interval": interval_text(stated_interval),
        "computed": computed,
        "computed_interval": interval_text(computed_interval),
        "difference": None if stated is None or computed is None else stated - computed,
        "unit": unit if unit is not None else (claim.comparison_unit if claim else ""),
        "quote": claim.quote if claim else "",
        "explanation": explanation,
        "inputs": " ".join(c.id for c in inputs),
        "reason": rule.reason,
        "_order": (claim.order if claim else -1),
    }


def verdict_of(stated: Interval, stated_value: Decimal, last_place: Decimal, computed: Interval) -> str:
    """consistent when the intervals overlap; rounding when the stated figure is within one unit
    of its last printed place of the computed interval; drift otherwise."""
    if stated.overlaps(computed):
        return "consistent"
    if computed.gap(Interval.exact(stated_value)) <= last_place:
        return "rounding"
    return "drift"


def same_value(claims: ClaimIndex, amount: Decimal, unit: str, exclude: set[str]) -> list[Claim]:
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


def describe(claim: Claim) -> str:
    return text("audit.figure", label=claim.label, value=printed_decimal(claim.value), unit=claim.unit,
                section=claim.section, claim=claim.id)


def difference_note(claims: ClaimIndex, difference: Decimal, unit: str, used: Iterable[Claim]) -> str:
    """The stated figure the difference equals, when one measure's figure does; when figures of
    several measures do, none of them is named as the explanation: their labels are listed."""
    matches = same_value(claims, abs(difference), unit, {c.id for c in used})
    if not matches:
        return ""
    if len(matches) == 1:
        return text("audit.difference-equals", figure=describe(matches[0]))
    separator = text("audit.list-separator")
    more = separator + "…" if len(matches) > DIFFERENCE_LABELS else ""
    return text("audit.difference-several", labels=separator.join(c.label for c in matches[:DIFFERENCE_LABELS]) + more)
