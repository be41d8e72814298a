"""The claims table read row by row: every printed figure as one typed record.

The audit, the tables and the workbook all read the claims through :func:`read_claims`, so a
figure means the same everywhere: its value as printed, its amount in the comparison unit
(money in 万元), the interval it stands for, and the text it was printed as. Two readings are
made here, for everyone: a count is exact, and a money figure printed as a bare ``0`` means
nothing was budgeted (``Claim.interval``).

Part of the model layer: pandas and the standard library only (no plotting, no openpyxl).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .numbers import MONEY_UNITS, Interval
from .schema import claim_units

__all__ = ["COUNT_UNITS", "OPENING_SECTION", "STATEMENT_KINDS", "TABLE_SECTION", "Claim", "read_claims", "top_section"]

#: Units of things counted one by one (every unit of the claims schema but money and percent):
#: a count is exact, whatever its decimals.
COUNT_UNITS = frozenset(claim_units() - set(MONEY_UNITS) - {"%"})
#: Kinds of claim that state a quantity itself (not a share of it, a change in it or a bound on it).
STATEMENT_KINDS = ("amount", "total", "count")


@dataclass(frozen=True)
class Claim:
    """One stated figure, read for arithmetic (``amount``, ``interval``) and for display (``printed``)."""

    id: str
    order: int  # row of the claims table: document order
    section: str
    kind: str
    measure: str
    code: str | None
    label: str
    year: int
    value: Decimal | None  # as printed, in ``unit``: 841.00 keeps its two decimals
    decimals: int | None
    unit: str
    qualifier: str | None
    direction: str | None
    base_measure: str | None
    base_year: int | None
    ref: str | None
    base: str | None
    text: str
    quote: str
    line: int
    char_end: int

    @property
    def states_quantity(self) -> bool:
        """An amount, total or count with a value: what a sum adds up and a share or change refers to."""
        return self.kind in STATEMENT_KINDS and self.value is not None

    # -- arithmetic: in the comparison unit, money in 万元 -------------------------------------------

    @property
    def money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def comparison_unit(self) -> str:
        return "万元" if self.money else self.unit

    @property
    def amount(self) -> Decimal | None:
        """The value in the comparison unit (money in 万元), exactly."""
        if self.value is None:
            return None
        return self.value * MONEY_UNITS.get(self.unit, Decimal(1))

    @property
    def interval(self) -> Interval | None:
        """What the printed figure can stand for, in the comparison unit.

        Counts are exact. A money figure printed as a bare ``0`` is taken as exactly nothing
        budgeted, not as a value rounded to the nearest whole unit. Anything else stands for
        ±½ unit of its last printed decimal.
        """
        if self.value is None:
            return None
        factor = MONEY_UNITS.get(self.unit, Decimal(1))
        if self.unit in COUNT_UNITS or self.decimals is None or (self.value == 0 and self.decimals == 0):
            return Interval.exact(self.value * factor)
        around = Interval.around(self.value, self.decimals)
        return Interval(around.lo * factor, around.hi * factor)

    @property
    def last_place(self) -> Decimal:
        """One unit in the last printed place, in the comparison unit (zero for exact figures)."""
        interval = self.interval
        return Decimal(0) if interval is None else (interval.hi - interval.lo)

    @property
    def signed(self) -> Decimal | None:
        """A change as a signed figure, as printed: a decrease is negative."""
        if self.value is None:
            return None
        return -self.value if self.direction == "decrease" else self.value

    @property
    def signed_change(self) -> Interval | None:
        """A change claim as a signed interval; an unspecified direction spans both signs."""
        interval = self.interval
        if interval is None:
            return None
        if self.direction == "decrease":
            return -interval
        if self.direction == "unspecified":
            return Interval(-interval.hi, interval.hi)
        return interval

    # -- display -----------------------------------------------------------------------------------

    @property
    def wan_yuan(self) -> Decimal | None:
        """The amount in 万元 as the tables show it: at least two decimals (money only)."""
        if self.value is None or not self.money:
            return None
        return _two_decimals_at_least(self.amount)

    @property
    def signed_wan_yuan(self) -> Decimal | None:
        """A money change in 万元, signed: a decrease is negative."""
        amount = self.wan_yuan
        return -amount if amount is not None and self.direction == "decrease" else amount

    @property
    def printed(self) -> str:
        """The figure as printed, with its unit when the text ends in a digit: ``0.3万元``, ``持平``, ``××``."""
        if self.text and self.text[-1].isdigit():
            return f"{self.text}{self.unit}"
        return self.text


def _two_decimals_at_least(value: Decimal) -> Decimal:
    """Two decimals, or as many as the exact value needs (a figure in 元 can need up to six)."""
    return value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value.normalize()


#: The columns of the claims table a Claim is read from, in the order _claim takes them.
_COLUMNS = ["claim_id", "section", "kind", "measure", "code", "label", "year", "value", "decimals", "unit",
            "qualifier", "direction", "base_measure", "base_year", "ref_claim_id", "base_claim_id", "text", "quote",
            "line", "char_end"]


def read_claims(frame: pd.DataFrame) -> list[Claim]:
    """Every row of a claims table (``Budget.claims``), in order, as a :class:`Claim`."""
    if not len(frame):
        return []
    # column by column (``tolist``): much faster than ``itertuples`` on Arrow columns
    columns = {name: frame[name].tolist() for name in _COLUMNS if name in frame.columns}
    columns.setdefault("quote", [None] * len(frame))  # a frame not from ``load`` may have no quotes
    rows = zip(*(columns[name] for name in _COLUMNS))
    return [_claim(order, *row) for order, row in enumerate(rows)]


def _claim(order, claim_id, section, kind, measure, code, label, year, value, decimals, unit, qualifier, direction,
           base_measure, base_year, ref_claim_id, base_claim_id, text, quote, line, char_end) -> Claim:
    decimals = _integer(decimals)
    return Claim(
        id=claim_id, order=order, section=section, kind=kind, measure=measure, code=_optional(code),
        label=_optional(label) or "", year=int(year), value=_as_printed(value, decimals), decimals=decimals,
        unit=_optional(unit) or "", qualifier=_optional(qualifier), direction=_optional(direction),
        base_measure=_optional(base_measure), base_year=_integer(base_year), ref=_optional(ref_claim_id),
        base=_optional(base_claim_id), text=_optional(text) or "", quote=_optional(quote) or "",
        line=_integer(line) or 0, char_end=_integer(char_end) or 0,
    )


def _optional(value):
    return None if pd.isna(value) else value


def _integer(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _as_printed(value: Decimal | None, decimals: int | None) -> Decimal | None:
    """Arrow hands decimals back at the column's scale (840.0500): restore the printed scale."""
    if pd.isna(value):
        return None
    if decimals is None:
        return value.normalize() if value != 0 else Decimal(0)
    return value.quantize(Decimal(1).scaleb(-decimals))


# -- where a claim is --------------------------------------------------------------------------------

#: A table's section as extraction names it: 表5（第11页）.
TABLE_SECTION = re.compile(r"^表\d+（")
#: The section of what is printed before a document's first heading: a title and preface, or, in an excerpt
#: that begins mid-document, the end of a section whose heading is cut off (so not called 前言).
OPENING_SECTION = "开头"


def top_section(section: str) -> str:
    """三（一） → 三: the numbered section a subsection belongs to. Every official table belongs to one,
    表: a table's total is summed from its own table's parts first, then from the other tables', before
    the explanation's."""
    return "表" if TABLE_SECTION.match(section) else section.split("（", 1)[0]
