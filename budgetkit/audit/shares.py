"""Share rules: a stated 占X% against the part over its whole, and the other wholes it fits."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from ..claims import Claim, ClaimIndex
from ..messages import text
from ..numbers import Interval
from .rows import (SHARE_GUARD_DIGITS, decimals_in, describe, finding_row, in_unit, mixed_units, printed_decimal,
                   printed_figure, verdict_of)
from .rules import Rule

__all__ = ["outward", "quantize", "share_rows"]


def share_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
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
            rows.append(finding_row(rule, "semantic", share, stated=share.value, stated_interval=stated_interval,
                                    computed=None, computed_interval=None, inputs=[part, whole], unit="%",
                                    explanation=text("audit.share-zero-whole", whole=describe(whole))))
            continue
        point = quantize(part.amount / whole.amount * 100, share.decimals)
        computed_interval = outward(computed_interval, share.decimals)
        verdict = verdict_of(stated_interval, share.value, share.last_place, computed_interval)
        mixed = mixed_units(part, whole)
        explanation = text("audit.share-computed", part=printed_figure(part, mixed), whole=printed_figure(whole, mixed),
                           whole_label=whole.label, whole_section=whole.section, point=printed_decimal(point))
        # only a share that is off the named whole by more than rounding is read as one of another whole
        fits = _alternative_wholes(claims, share, part, whole, shares) if verdict == "drift" else []
        if fits:
            verdict = "semantic"
            explanation += text("audit.share-fits-other", fits=text("audit.alternatives-separator").join(fits))
        elif verdict != "consistent":
            explanation += text("audit.share-stated", share=printed_decimal(share.value))
        rows.append(finding_row(rule, verdict, share, stated=share.value, stated_interval=stated_interval, computed=point,
                                computed_interval=computed_interval, inputs=[part, whole], explanation=explanation, unit="%"))
    return rows


def _alternative_wholes(claims: ClaimIndex, share: Claim, part: Claim, whole: Claim, shares: list[Claim]) -> list[str]:
    """Other wholes the stated share does fit: the sum of the parts listed with it, or a stated total."""
    candidates: list[tuple[str, Interval, Decimal]] = []
    siblings = [s for s in shares if s.section == share.section and (s.base or s.base_measure) == (share.base or share.base_measure)]
    sibling_parts = [claims.by_id.get(s.ref) if s.ref else claims.pick(s.measure, s.year, s.code, s.section) for s in siblings]
    if len(siblings) > 1 and all(p is not None for p in sibling_parts) \
            and sum((p.amount for p in sibling_parts), Decimal(0)) != whole.amount:  # else: the named whole itself
        total = Interval.exact(Decimal(0))
        for p in sibling_parts:
            total = total + p.interval
        value = sum((p.amount for p in sibling_parts), Decimal(0))
        shown = in_unit(value, whole.unit, decimals_in(whole.unit, sibling_parts, whole)) + (whole.unit if mixed_units(whole, *sibling_parts) else "")
        candidates.append((text("audit.share-sum-of-parts", sum=shown), total, value))
    seen = {whole.amount}
    for claim in claims.all:
        if claim.kind == "total" and claim.year == share.year and claim.comparison_unit == whole.comparison_unit \
                and claim.amount is not None and claim.amount not in seen and claim.id != part.id:
            seen.add(claim.amount)
            candidates.append((describe(claim), claim.interval, claim.amount))
    fits = []
    for description, interval, _value in candidates:
        ratio = part.interval.ratio_pct(interval)
        if ratio is not None and share.interval.overlaps(outward(ratio, share.decimals)):
            fits.append(description)
    return fits


def quantize(value: Decimal, decimals: int | None) -> Decimal:
    places = Decimal(1).scaleb(-((decimals or 0) + SHARE_GUARD_DIGITS))
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def outward(interval: Interval, decimals: int | None) -> Interval:
    places = Decimal(1).scaleb(-((decimals or 0) + SHARE_GUARD_DIGITS))
    return Interval(interval.lo.quantize(places, rounding=ROUND_FLOOR), interval.hi.quantize(places, rounding=ROUND_CEILING))
