"""The claims of one budget as records for the tables and the workbook, indexed as the audit reads them.

The tables and the workbook show a total beside the parts the audit summed, a share beside its whole: they
must take the statement of a quantity the audit took. So the index does not choose for itself: ``pick``
asks the audit's claim table (:meth:`ClaimTable.pick_near`), and a quantity stated twice is the same one
everywhere.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import numpy as np
import pandas as pd

from ..claims import Claim, read_claims
from .table import NONE, ClaimTable

__all__ = ["ClaimIndex", "FrameCache"]

T = TypeVar("T")


class _ReadClaims:
    """What is read from one claims frame, whichever table asks: its claims, by id and by quantity, the claim
    table and the statements it picked. Shared by every index of that frame: what was read is not changed,
    picks are only added."""

    def __init__(self, claims: pd.DataFrame):
        self.all: tuple[Claim, ...] = tuple(read_claims(claims))
        self.by_id = {claim.id: claim for claim in self.all}
        by_measure: dict[tuple[str, int], list[Claim]] = defaultdict(list)
        for claim in self.all:
            if claim.states_quantity:
                by_measure[(claim.measure, claim.year)].append(claim)
        self.by_measure = {key: tuple(claims) for key, claims in by_measure.items()}
        self.table: ClaimTable | None = None  # made when first asked for (:attr:`ClaimIndex.table`)
        #: the sections claims are in, and none: where a quantity's statement is picked near, all at once
        self.sections: tuple[str | None, ...] = (*dict.fromkeys(claim.section for claim in self.all), None)
        #: the row picked for (measure, year, code), by the section it was picked near (:meth:`ClaimIndex.pick`)
        self.picks: dict[tuple[str, int, str | None], dict[str | None, int]] = {}


class FrameCache:
    """Values made from pandas frames, kept while those very frames live: a frame is not hashable, so a value
    is found by the identity of its frames (held weakly: no frame is kept alive for it), and the last ``size``
    are kept. A frame changed in place is not noticed: a budget's frames are not changed once loaded (the
    library makes new frames)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[tuple[weakref.ref, ...], object]] = OrderedDict()

    def get(self, frames: tuple[pd.DataFrame, ...], key: Hashable, make: Callable[[], T]) -> T:
        """The value made by ``make`` for ``frames`` and ``key``, made now if not kept."""
        found = (tuple(map(id, frames)), key)
        entry = self._entries.get(found)
        if entry is not None and all(ref() is frame for ref, frame in zip(entry[0], frames)):
            self._entries.move_to_end(found)
            return entry[1]
        value = make()
        try:
            references = tuple(weakref.ref(frame) for frame in frames)
        except TypeError:  # not weakly referable (a frame subclass with slots): made every time
            return value
        self._entries[found] = (references, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value


#: A notebook or a report asks for a budget's tables one after the other, each of the same claims frame
#: (notebook 10 seven times): it is read once.
_READ = FrameCache(size=4)


class ClaimIndex:
    """The claims of one budget read once (:func:`read_claims`), indexed for the tables, the workbook
    and the charts: by id, and the statements of a quantity by measure and year.

    Indexes of the same claims frame share what was read from it; ``by_id`` is each index's own copy, for
    a table to add claims it derives (an implied budget) without the others seeing them."""

    def __init__(self, claims: pd.DataFrame):
        self.claims = claims
        self._read = _READ.get((claims,), None, lambda: _ReadClaims(claims))
        self.all: tuple[Claim, ...] = self._read.all
        self.by_id: dict[str, Claim] = dict(self._read.by_id)
        self.by_measure: dict[tuple[str, int], tuple[Claim, ...]] = self._read.by_measure

    def stated(self, measure: str, year: int, code: str | None = None) -> list[Claim]:
        """The statements of ``measure`` (for ``code``) in ``year``, in document order."""
        return [c for c in self.by_measure.get((measure, year), []) if c.code == code]

    def pick(self, measure: str, year: int, code: str | None = None, near: str | None = None) -> Claim | None:
        """The statement of a quantity the audit takes near section ``near``: in that section, else in
        its numbered section, else the first printed."""
        if not self.by_measure.get((measure, year)):
            return None  # most asks are of quantities not stated: answered without the claim table
        picks = self._read.picks.get((measure, year, code))
        if picks is None:  # the tables ask for a quantity near several sections: near every one, in one call
            picks = self._read.picks[(measure, year, code)] = dict(zip(
                self._read.sections, self._pick_near(measure, year, code, self._read.sections)))
        if near not in picks:  # a section no claim is in
            picks[near] = self._pick_near(measure, year, code, (near,))[0]
        row = picks[near]
        return None if row == NONE else self.all[row]

    def _pick_near(self, measure: str, year: int, code: str | None, sections: tuple[str | None, ...]) -> list[int]:
        n = len(sections)
        rows = self.table.pick_near(np.zeros(n, dtype="int64"), [measure] * n, [year] * n, [code] * n, list(sections))
        return rows.tolist()

    @property
    def table(self) -> ClaimTable:
        """The audit's claim table of these claims, made when first asked for (read only: shared)."""
        if self._read.table is None:
            self._read.table = ClaimTable(self.claims, np.zeros(len(self.claims), dtype="int64"))
        return self._read.table

    def of(self, measures: Iterable[str], kinds: Iterable[str] | None = None) -> list[Claim]:
        """Every claim of ``measures`` (of ``kinds``), in document order."""
        wanted, kinds = set(measures), set(kinds) if kinds is not None else None
        return [c for c in self.all if c.measure in wanted and (kinds is None or c.kind in kinds)]
