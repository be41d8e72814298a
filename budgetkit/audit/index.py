"""The claims of one budget as records for the tables and the workbook, indexed as the audit reads them.

The tables and the workbook show a total beside the parts the audit summed, a share beside its whole: they
must take the statement of a quantity the audit took. So the index does not choose for itself: ``pick``
asks the audit's claim table (:meth:`ClaimTable.pick_near`), and a quantity stated twice is the same one
everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..claims import Claim, read_claims
from .table import NONE, ClaimTable

__all__ = ["ClaimIndex"]


class ClaimIndex:
    """The claims of one budget read once (:func:`read_claims`), indexed for the tables, the workbook
    and the charts: by id, and the statements of a quantity by measure and year."""

    def __init__(self, claims: pd.DataFrame):
        self.claims = claims
        self.all: list[Claim] = read_claims(claims)
        self.by_id = {claim.id: claim for claim in self.all}
        self.by_measure: dict[tuple[str, int], list[Claim]] = defaultdict(list)
        for claim in self.all:
            if claim.states_quantity:
                self.by_measure[(claim.measure, claim.year)].append(claim)

    def stated(self, measure: str, year: int, code: str | None = None) -> list[Claim]:
        """The statements of ``measure`` (for ``code``) in ``year``, in document order."""
        return [c for c in self.by_measure.get((measure, year), []) if c.code == code]

    def pick(self, measure: str, year: int, code: str | None = None, near: str | None = None) -> Claim | None:
        """The statement of a quantity the audit takes near section ``near``: in that section, else in
        its numbered section, else the first printed."""
        if not self.by_measure.get((measure, year)):
            return None  # most asks are of quantities not stated: answered without the claim table
        row = self.table.pick_near(np.zeros(1, dtype="int64"), [measure], [year], [code], [near])[0]
        return None if row == NONE else self.all[row]

    @property
    def table(self) -> ClaimTable:
        """The audit's claim table of these claims, made when first asked for."""
        if "_table" not in self.__dict__:
            self._table = ClaimTable(self.claims, np.zeros(len(self.claims), dtype="int64"))
        return self._table

    def of(self, measures: Iterable[str], kinds: Iterable[str] | None = None) -> list[Claim]:
        """Every claim of ``measures`` (of ``kinds``), in document order."""
        wanted, kinds = set(measures), set(kinds) if kinds is not None else None
        return [c for c in self.all if c.measure in wanted and (kinds is None or c.kind in kinds)]
