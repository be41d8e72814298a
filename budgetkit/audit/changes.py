"""Change rules: a stated change against the stated prior year, or the prior years several changes imply."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..claims import Claim, ClaimIndex
from ..messages import text
from ..numbers import Interval
from .rows import (decimals_in, describe, difference_note, finding_row, in_unit, mixed_units, printed_decimal,
                   printed_figure, verdict_of)
from .rules import Rule
from .shares import outward, quantize

__all__ = ["change_parts", "change_rows", "direction_word", "movement_word"]


def change_parts(claims: ClaimIndex, change: Claim) -> tuple[Claim | None, Claim | None]:
    current = claims.by_id.get(change.ref) if change.ref else claims.pick(change.measure, change.year, change.code, change.section)
    prior = claims.by_id.get(change.base) if change.base else None
    return current, prior


def change_rows(rule: Rule, claims: ClaimIndex) -> list[dict]:
    changes = [c for c in claims.all if c.kind == "change" and c.value is not None]
    if rule.params["basis"] == "stated-prior":
        rows = []
        for change in changes:
            current, prior = change_parts(claims, change)
            if current is None or prior is None:
                continue
            if _prior_implied_by(change, prior) and (current.value is None or prior.value is None):
                continue  # an unprinted figure implies no prior year
            rows.append(_stated_prior_row(rule, claims, change, current, prior))
        return rows
    return implied_prior_rows(rule, claims, changes)


def _prior_implied_by(change: Claim, base: Claim) -> bool:
    """A percentage change whose base is the money change stated with it (增加2248.37万元，增长16.47%):
    the prior year is the one that change implies, this year minus the change."""
    return change.unit == "%" and base.kind == "change" and base.money


def _stated_prior_row(rule: Rule, claims: ClaimIndex, change: Claim, current: Claim, prior: Claim) -> dict:
    signed = change.signed_change
    implied = _prior_implied_by(change, prior)
    # money as printed; what is computed from it in the unit of the money change (or of the
    # change itself), at the decimals of its inputs; every unit named when they differ
    decimals = decimals_in(prior.unit if implied else change.unit, [current, prior], prior if implied else change)
    if implied:
        # prior = current − signed change, on intervals and as a point, in the comparison unit
        prior_interval = current.interval - prior.signed_change
        prior_amount = current.amount - (-prior.amount if prior.direction == "decrease" else prior.amount)
        mixed = mixed_units(current, prior)
        in_money_unit = (lambda amount: in_unit(amount, prior.unit, decimals) + (prior.unit if mixed else ""))
        implication = (f"{printed_figure(current, mixed)} {'+' if prior.direction == 'decrease' else '−'} "
                       f"{printed_figure(prior, mixed)} = {in_money_unit(prior_amount)}")
    else:
        mixed = mixed_units(current, prior) if change.unit == "%" else mixed_units(current, prior, change)
        prior_interval, prior_amount = prior.interval, prior.amount
    if change.unit == "%":
        # a percentage change is taken of the prior year; a base that can be zero has none
        computed_interval = (current.interval - prior_interval).ratio_pct(prior_interval)
        if computed_interval is None:
            zero = text("audit.change-implied-zero", implication=implication, claim=prior.id) if implied else describe(prior)
            return finding_row(rule, "semantic", change, stated=change.value, stated_interval=signed, computed=None,
                               computed_interval=None, inputs=[current, prior], unit="%",
                               explanation=text("audit.change-zero-base", zero=zero))
        point = quantize((current.amount - prior_amount) / prior_amount * 100, change.decimals)
        computed_interval = outward(computed_interval, change.decimals)
    else:
        computed_interval = current.interval - prior_interval
        point = current.amount - prior_amount
    # the stated change in the comparison unit (money in 万元), like the figures it is checked against
    stated = change.signed if not change.money else (-change.amount if change.direction == "decrease" else change.amount)
    verdict = verdict_of(signed, stated, change.last_place, computed_interval)
    if implied:
        explanation = text("audit.change-implied-percentage", implication=implication, claim=prior.id,
                           delta=in_money_unit(current.amount - prior_amount), prior=in_money_unit(prior_amount),
                           point=printed_decimal(point), direction=direction_word(change),
                           stated=printed_decimal(change.value))
    else:
        result = (f"{printed_decimal(point)}%" if change.unit == "%" else
                  in_unit(point, change.unit, decimals) + (change.unit if mixed else ""))
        explanation = text("audit.change-computed", current=printed_figure(current, mixed),
                           prior=printed_figure(prior, mixed), result=result, direction=direction_word(change),
                           stated=printed_figure(change, mixed and change.unit != "%"))
    if verdict != "consistent" and change.unit == "%":
        # a frequent error: the change divided by this year's figure instead of the prior year's — said only
        # when that quotient itself rounds to the stated figure (wide intervals of whole numbers fit too much)
        on_current = (quantize((current.amount - prior_amount) / current.amount * 100, change.decimals)
                      if current.interval.lo > 0 else None)
        if on_current is not None and signed.lo <= on_current <= signed.hi:
            verdict = "semantic"
            explanation += text("audit.change-current-year-base")
    if verdict != "consistent" and change.unit != "%":
        explanation += difference_note(claims, stated - point, change.comparison_unit, [change, current, prior])
    return finding_row(rule, verdict, change, stated=stated, stated_interval=signed, computed=point,
                       computed_interval=computed_interval, inputs=[current, prior], explanation=explanation)


_DIRECTIONS = ("increase", "decrease", "unchanged", "unspecified")


def direction_word(change: Claim) -> str:
    """The change as a phrase before its figure: 增加 / an increase of."""
    direction = change.direction if change.direction in _DIRECTIONS else "unknown"
    return text(f"audit.direction-{direction}")


def movement_word(change: Claim) -> str:
    """The direction alone, as a figure can or cannot show it: 增加 / an increase."""
    direction = change.direction if change.direction in _DIRECTIONS[:3] else "unknown"
    return text(f"audit.movement-{direction}")


def implied_prior_rows(rule: Rule, claims: ClaimIndex, changes: list[Claim]) -> list[dict]:
    """Each money change without a printed prior implies one; it must agree with every other
    statement of that prior-year quantity, printed or implied."""
    rows = []
    implied: dict[tuple[str, str | None, int], list[tuple[Claim, Interval, Decimal, Claim]]] = defaultdict(list)
    for change in changes:
        if change.unit == "%" or change.base_year is None or change.direction == "unspecified":
            continue  # an unfilled direction (增加（减少）) implies no prior year: the text rule reports it
        current, prior = change_parts(claims, change)
        if current is None or current.interval is None or current.kind == "item":
            continue  # an item the template does not name is one of many: its prior is no measure's
        interval = current.interval - change.signed_change
        value = current.amount - (-change.amount if change.direction == "decrease" else change.amount)
        implied[(change.measure, change.code, change.base_year)].append((change, interval, value, current))
    for (measure, code, year), statements in implied.items():
        printed = claims.stated(measure, year, code)
        for index, (change, interval, value, current) in enumerate(statements):
            others = [(c, c.interval, c.amount, text("audit.implied-prior-stated", figure=describe(c)))
                      for c in printed if c.id != change.base]
            others += [(s[0], s[1], s[2], text("audit.implied-prior-implied", claim=s[0].id, section=s[0].section))
                       for s in statements[:index]]
            for other, other_interval, other_value, how in others:
                verdict = verdict_of(other_interval, other_value, other.last_place, interval)
                # the prior year in the change's unit; every unit named when the figures' differ
                mixed = mixed_units(current, change, *([other] if other.kind != "change" else []))
                prior = in_unit(value, change.unit, decimals_in(change.unit, [current, change], change)) + (change.unit if mixed else "")
                explanation = text("audit.implied-prior", current=printed_figure(current, mixed),
                                   direction=direction_word(change), change=printed_figure(change, mixed),
                                   year=year, prior=prior, how=how)
                rows.append(finding_row(rule, verdict, change, stated=other_value, stated_interval=other_interval,
                                        computed=value, computed_interval=interval, inputs=[current, other],
                                        explanation=explanation))
    return rows
