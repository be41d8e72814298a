"""The claims of one budget or of many as columns: what every rule reads, in exact fixed point.

A budget is a collection of one. Each claim is a row; its figures are integers counting 10⁻¹⁰ of
the comparison unit (money in 万元, ``SCALE``), so sums, differences and comparisons are exact and
vectorised; the interval a printed figure stands for (±½ unit of its last decimal, exact for counts
and a bare 0) is ``lo``/``hi``. References between claims are row numbers (``-1`` for none), and
:meth:`ClaimTable.pick` finds, for many requests at once, the statement of a quantity the tables
and the workbook take too (``audit.index.ClaimIndex``).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from ..claims import COUNT_UNITS, STATEMENT_KINDS, TABLE_SECTION, top_section
from ..messages import text
from ..template import MONEY_UNITS

__all__ = ["CLAIM_TABLE_COLUMNS", "LARGEST_AMOUNT", "MONEY_POWERS", "NONE", "Q", "SCALE", "ClaimTable"]

#: Figures are integers of 10⁻¹⁰ of their unit: every rounding half-unit of a figure printed in 万元
#: or 亿元 with up to 9 decimals, or in 元 with up to 5, and amounts up to 9·10⁸ 万元.
SCALE = 10
Q = 10**SCALE

#: The largest amount (万元) carried: its sums stay within 64 bits.
LARGEST_AMOUNT = 10**8

#: Each money unit's factor to 万元 as a power of ten (元 −4, 亿元 +4).
MONEY_POWERS = {unit: int(factor.log10()) for unit, factor in MONEY_UNITS.items()}
if any(MONEY_UNITS[unit] != Decimal(10) ** power for unit, power in MONEY_POWERS.items()):  # pragma: no cover
    raise ValueError("a money factor is not a power of ten")  # not a message: an invariant of template.toml

#: No claim: the row number a reference to nothing holds.
NONE = -1

#: Up to this many values are looked up one by one (:meth:`ClaimTable.indexer`).
_FEW_LOOKUPS = 64

#: The columns of the claims a claim table reads (and a collection's audit reads from Parquet), with
#: ``claim_order``, by which a budget's claims are put in order.
CLAIM_TABLE_COLUMNS = ("claim_id", "section", "kind", "measure", "code", "label", "unit", "qualifier", "direction",
                       "base_measure", "quote", "year", "base_year", "decimals", "line", "char_end", "value",
                       "ref_claim_id", "base_claim_id", "claim_order")


def _strings(column: pd.Series, missing: str | None = None) -> np.ndarray:
    """A text column as an object array, missing values as ``missing``: each distinct text made a
    Python string once (a column repeats few texts many times)."""
    try:
        array = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # values of mixed types: one by one
        return column.to_numpy(dtype=object, na_value=missing)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_null(array.type):
        return np.full(len(array), missing, dtype=object)
    encoded = array.dictionary_encode()
    distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)
    distinct[:-1] = encoded.dictionary.to_numpy(zero_copy_only=False)
    distinct[-1] = missing
    return distinct[encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()]


def _arrow_strings(column: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (no Python object per value when it is Arrow already)."""
    array = pa.array(column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _integers(column: pd.Series, missing: int) -> np.ndarray:
    return pd.array(column, dtype="Int64").to_numpy(dtype="int64", na_value=missing)


def _fixed_point(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values as integers of 10⁻ˢᶜᴬᴸᴱ and whether each is printed."""
    array = pa.array(column, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_decimal(array.type):
        array = array.cast(pa.decimal128(38, 4))
    scale = array.type.scale
    if scale > SCALE:  # pragma: no cover - the claims schema keeps four decimals
        array = array.cast(pa.decimal128(38, SCALE))
        scale = SCALE
    present = array.is_valid().to_numpy(zero_copy_only=False)
    unscaled = array.view(pa.decimal128(array.type.precision, 0)).fill_null(0)
    units = unscaled.cast(pa.int64()).to_numpy(zero_copy_only=False)
    return units * 10 ** (SCALE - scale), present


def _digits(q: np.ndarray) -> np.ndarray:
    """The decimals each integer of 10⁻ˢᶜᴬᴸᴱ needs."""
    needed = np.zeros(len(q), dtype="int64")
    for places in range(SCALE, 0, -1):
        open_ = (needed == 0) & (q % 10 ** (SCALE - places + 1) != 0)
        needed[open_] = places
    return needed


def _zeros(q: np.ndarray) -> np.ndarray:
    """How many zeros end the whole number each integer of 10⁻ˢᶜᴬᴸᴱ is (none for a fraction or zero)."""
    whole = np.where(q % Q == 0, np.abs(q) // Q, 0)
    zeros = np.zeros(len(q), dtype="int64")
    for power in range(1, 19):
        zeros += (whole != 0) & (whole % 10**power == 0)
    return zeros


class ClaimTable:
    """The claims of budgets ``budget`` (one number per row, ascending; each budget's claims in their
    order) read for the rules. Every attribute is an array with one entry per claim."""

    def __init__(self, claims: pd.DataFrame, budget: np.ndarray, names: list[str] | None = None,
                 documents: pd.DataFrame | None = None):
        n = len(claims)
        self.n = n
        self.b = np.asarray(budget, dtype="int64")
        starts = np.r_[0, np.flatnonzero(np.diff(self.b)) + 1] if n else np.array([], dtype="int64")
        lengths = np.diff(np.r_[starts, n])
        #: the claim's order within its budget
        self.ord = np.arange(n) - np.repeat(starts, lengths)
        self.g = np.arange(n)
        self.names = names  # each budget number's name, for errors
        #: each budget number's own year (budget_year; NONE where unknown) and document_kind, from ``documents``
        #: (one row per budget number, as a collection's budgets table); none given: every year unknown
        documents = pd.DataFrame() if documents is None else documents.reset_index(drop=True)
        self.document_year = (_integers(documents["budget_year"], NONE) if "budget_year" in documents.columns
                              else np.full(len(documents), NONE, dtype="int64"))
        self.document_kind = (_strings(documents["document_kind"].astype(str)) if "document_kind" in documents.columns
                              else np.full(len(documents), None, dtype=object))
        for name in ("claim_id", "section", "kind", "measure", "code", "label", "unit", "qualifier", "direction",
                     "base_measure"):
            missing = "" if name in ("section", "label", "unit") else None  # no section, label, unit: empty
            setattr(self, name, _strings(claims[name], missing) if name in claims.columns
                    else np.full(n, missing, dtype=object))
        #: the texts a finding shows of its claim, as Arrow arrays (taken for many rows at once); the
        #: quote is read only there
        self.texts = {name: _arrow_strings(claims[name]) if name in claims.columns else pa.nulls(n, pa.large_string())
                      for name in ("claim_id", "measure", "label", "section", "quote")}
        for name in ("label", "section", "quote"):
            self.texts[name] = self.texts[name].fill_null("")
        self.texts["unit"] = (_arrow_strings(claims["unit"]) if "unit" in claims.columns
                              else pa.nulls(n, pa.large_string())).fill_null("")
        self.year = _integers(claims["year"], 0)
        self.base_year = _integers(claims["base_year"], NONE)
        self.d = _integers(claims["decimals"], NONE)
        self.line = _integers(claims["line"], 0) if "line" in claims.columns else np.zeros(n, dtype="int64")
        self.char_end = _integers(claims["char_end"], 0) if "char_end" in claims.columns else np.zeros(n, dtype="int64")
        self.v, self.has_v = _fixed_point(claims["value"])
        self._units()
        self.texts["cunit"] = pa.array(self.cunit, pa.large_string())
        self._sections()
        self._references(claims)
        kind = pd.Series(self.kind, dtype=object)
        self.st = kind.isin(STATEMENT_KINDS).to_numpy() & self.has_v
        self._check_range()

    # -- the figures ----------------------------------------------------------------------------
    def _units(self) -> None:
        # each distinct unit looked up once
        codes, units = pd.factorize(self.unit)
        money = np.array([unit in MONEY_POWERS for unit in units] + [False], dtype=bool)
        self.money = money[codes]
        self.power = np.array([MONEY_POWERS.get(unit, 0) for unit in units] + [0], dtype="int64")[codes]
        self.cunit = np.where(self.money, "万元", self.unit).astype(object)
        up = 10 ** np.maximum(self.power, 0)
        down = 10 ** np.maximum(-self.power, 0)
        self.amt = self.v * up // down
        counted = np.array([unit in COUNT_UNITS for unit in units] + [False], dtype=bool)[codes]
        self.exact = counted | (self.d == NONE) | ((self.v == 0) & (self.d == 0))
        #: printed decimals, decimals of the amount in 万元 and of its interval's bounds
        self.vs = np.maximum(self.d, 0)
        # an exact figure printed without recorded decimals keeps the decimals its value has
        # a figure without recorded decimals is its value as written: 40元 is 0.004万元, 0元 is 0.0000万元
        self.as_ = self.vs + np.maximum(-self.power, 0)
        unrecorded = np.flatnonzero(self.d == NONE)  # few: their digits counted alone
        v = self.v[unrecorded]
        self.as_[unrecorded] = np.maximum(0, _digits(v) - _zeros(v) + np.maximum(-self.power[unrecorded], 0))
        self.is_ = np.where(self.exact, self.as_, self.d + 1 + np.maximum(-self.power, 0))
        with np.errstate(all="ignore"):
            shift = np.clip(SCALE - 1 - self.d, 0, 18)
            half = np.where(self.exact | ~self.has_v, 0, 5 * 10**shift * up // down)
        self.half = half.astype("int64")
        self.lo, self.hi, self.lp = self.amt - self.half, self.amt + self.half, 2 * self.half
        decrease = self.direction == "decrease"
        self.sign = np.where(decrease, -1, 1)
        self.sv, self.sa = self.sign * self.v, self.sign * self.amt
        # a change as a signed interval; an unfilled direction (增加（减少）) spans both signs
        spans = decrease | (self.direction == "unspecified")
        self.slo = np.where(spans, -(self.amt + self.half), self.amt - self.half)
        self.shi = np.where(decrease, -(self.amt - self.half), self.amt + self.half)

    def _check_range(self) -> None:
        fine = self.has_v & (self.d > SCALE - 1 + np.minimum(self.power, 0))
        large = self.has_v & (np.abs(self.v.astype("float64")) * 10.0**self.power >= LARGEST_AMOUNT * float(Q))
        for bad, key in ((fine, "audit.finer-than-fixed-point"), (large, "audit.beyond-fixed-point")):
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                budget = self.names[self.b[row]] if self.names else ""
                raise ValueError(text(key, budget=budget, claim=self.claim_id[row]))

    # -- where a claim is -------------------------------------------------------------------------
    def _sections(self) -> None:
        """Sections as integers: ``sid`` names the section, ``top`` the numbered section it belongs to."""
        self.sid, sections = pd.factorize(pd.Series(self.section, dtype=object))
        tops = [top_section(s) for s in sections]
        top_codes, top_names = pd.factorize(pd.Series(tops, dtype=object))
        self._section_names, self._top_names = pd.Index(sections, dtype=object), pd.Index(top_names, dtype=object)
        self.top = top_codes[self.sid] if len(self.sid) else np.zeros(0, dtype="int64")
        #: whether each claim is printed in an official table (its section names the table), each section read once
        printed_in_table = np.array([TABLE_SECTION.match(s) is not None for s in sections], dtype=bool)
        self.in_table = printed_in_table[self.sid] if len(sections) else np.zeros(len(self.sid), dtype=bool)

    def _references(self, claims: pd.DataFrame) -> None:
        """``ref``/``base``: the row of the claim each names (NONE for none or an unknown id)."""
        named = {}
        for name, column in (("ref", "ref_claim_id"), ("base", "base_claim_id")):
            ids = _strings(claims[column]) if column in claims.columns else np.full(self.n, None, dtype=object)
            named[name] = (ids, ~pd.isna(ids))
            setattr(self, f"names_{name}", named[name][1])
        # a claim is (budget, id): ids as integers, keyed with their budget and looked up sorted
        wanted = [ids[given] for ids, given in named.values()]
        codes, _ = pd.factorize(np.concatenate([self.claim_id, *wanted]).astype(object))
        span = int(codes.max()) + 1 if len(codes) else 1
        keys = self.b * span + codes[:self.n]
        order = np.argsort(keys, kind="stable")
        offset = self.n
        for name, (ids, given) in named.items():
            rows = np.full(self.n, NONE, dtype="int64")
            asked = self.b[given] * span + codes[offset:offset + int(given.sum())]
            offset += int(given.sum())
            at = np.searchsorted(keys[order], asked).clip(max=max(self.n - 1, 0))
            found = keys[order][at] == asked if self.n else np.zeros(len(asked), dtype=bool)
            rows[np.flatnonzero(given)[found]] = order[at[found]]
            setattr(self, name, rows)

    def strings_of(self, name: str, at: np.ndarray) -> pa.Array:
        """The texts of the column ``name`` (``claim_id``, ``label``, ``section``, ``unit`` …) of the claims
        ``at``, as Arrow strings: the column is made an Arrow array once, then taken for many rows at once."""
        if name in self.texts:  # Arrow already, as each attribute's texts are (missing as the attribute has them)
            return self.texts[name].take(pa.array(np.asarray(at, dtype="int64")))
        cache = self.__dict__.setdefault("_string_columns", {})
        if name not in cache:
            values = getattr(self, name)
            try:
                cache[name] = pa.array(values, pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all texts: printed as ``str`` prints them
                cache[name] = pa.array(values, from_pandas=True).cast(pa.string())
        return cache[name].take(pa.array(np.asarray(at, dtype="int64")))

    def of_kind(self, *kinds: str) -> np.ndarray:
        """Whether each claim is of one of ``kinds`` (kept: every rule kind asks)."""
        cache = self.__dict__.setdefault("_kinds", {})
        if kinds not in cache:
            wanted = self.codes_of("kind")[1].get_indexer(pd.Index(list(kinds), dtype=object))
            cache[kinds] = np.isin(self.codes_of("kind")[0], wanted[wanted >= 0])  # integers: no text compared
        return cache[kinds]

    # -- which statement of a quantity ---------------------------------------------------------------
    def codes_of(self, name: str) -> tuple[np.ndarray, pd.Index]:
        """A text column as integer codes (−1 for none) and the values they stand for (kept)."""
        cache = self.__dict__.setdefault("_codes", {})
        if name not in cache:
            codes, values = pd.factorize(pd.Series(getattr(self, name), dtype=object))
            cache[name] = (codes.astype("int64"), pd.Index(values, dtype=object))
        return cache[name]

    def indexer(self, name: str, values) -> np.ndarray:
        """The codes (:meth:`codes_of`) of ``values`` of the column ``name``; −1 for a value no claim
        has. A few values are looked up one by one (a hash table's fixed cost is the larger)."""
        _, index = self.codes_of(name)
        values = np.asarray(values, dtype=object)
        if len(values) > _FEW_LOOKUPS:
            # requests repeat a few values (often one measure for all): each distinct value looked up
            # once, several times cheaper than an object Index of every request
            asked, distinct = pd.factorize(values)
            if not len(distinct):
                return np.full(len(values), -1, dtype="int64")
            found = index.get_indexer(pd.Index(distinct, dtype=object)).astype("int64")
            return np.where(asked >= 0, found[asked], -1)
        lookups = self.__dict__.setdefault("_lookups", {})
        if name not in lookups:
            lookups[name] = {value: code for code, value in enumerate(index.tolist())}
        found = lookups[name]
        return np.array([found.get(value, -1) for value in values.tolist()], dtype="int64")

    def _quantity_keys(self, b, measure_codes, code_codes, year) -> np.ndarray:
        """One integer per (budget, measure, code, year); −1 where a part of it is not in the table."""
        _, measures = self.codes_of("measure")
        _, codes = self.codes_of("code")
        first = int(self.year.min()) if self.n else 0
        years = (int(self.year.max()) - first + 1) if self.n else 1
        offset = np.asarray(year, dtype="int64") - first
        valid = (measure_codes >= 0) & (code_codes >= -1) & (offset >= 0) & (offset < years)
        dims = (max(int(self.b.max()) + 1 if self.n else 1, 1), max(len(measures), 1), len(codes) + 1, years)
        key = np.ravel_multi_index((np.where(valid, b, 0), np.where(valid, measure_codes, 0),
                                    np.where(valid, code_codes + 1, 0), np.where(valid, offset, 0)), dims)
        return np.where(valid, key, -1)

    def _statement_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The statements' quantity keys, sorted, and their rows in that order (document order within a key)."""
        if not hasattr(self, "_by_quantity"):
            rows = np.flatnonzero(self.st)
            measure, _ = self.codes_of("measure")
            code, _ = self.codes_of("code")
            key = self._quantity_keys(self.b[rows], measure[rows], code[rows], self.year[rows])
            order = np.lexsort((rows, key))
            self._by_quantity = (key[order], rows[order])
        return self._by_quantity

    def pick(self, b, measure, year, code, near) -> np.ndarray:
        """For each request (arrays of equal length: budget, measure, year, code or None, and the row
        of a claim whose section to look near, or NONE), the row of the statement nearest it: in the
        same section, else in its numbered section, else the first printed; NONE when the quantity is
        not stated. The tables and the workbook take the same statement (:meth:`pick_near`)."""
        near = np.asarray(near, dtype="int64")
        given = near >= 0
        sid = np.where(given, self.sid[np.maximum(near, 0)] if self.n else NONE, NONE)
        top = np.where(given, self.top[np.maximum(near, 0)] if self.n else NONE, NONE)
        return self._nearest(b, measure, year, code, sid, top)

    def pick_near(self, b, measure, year, code, sections) -> np.ndarray:
        """:meth:`pick` with the sections to look near named (None for none): a section no claim is in
        is near no statement, but its numbered section may be."""
        sections = pd.Series(np.asarray(sections, dtype=object), dtype=object)
        given = sections.notna().to_numpy()
        sid = np.where(given, self._section_names.get_indexer(sections.fillna("")), NONE)
        tops = sections.fillna("").map(top_section)
        top = np.where(given, self._top_names.get_indexer(tops), NONE)
        # an unknown section or numbered section (−1 from get_indexer) matches nothing, unlike none at all
        return self._nearest(b, measure, year, code, np.where(given & (sid < 0), -2, sid),
                             np.where(given & (top < 0), -2, top))

    def _nearest(self, b, measure, year, code, sid, top) -> np.ndarray:
        n = len(b)
        result = np.full(n, NONE, dtype="int64")
        if n == 0 or not self.n:
            return result
        code = np.asarray(code, dtype=object)
        missing = pd.isna(code)
        code_codes = np.full(n, -1, dtype="int64")
        if (~missing).any():
            found = self.indexer("code", code[~missing])
            code_codes[~missing] = np.where(found >= 0, found, -2)
        keys = self._quantity_keys(np.asarray(b, dtype="int64"), self.indexer("measure", measure), code_codes, year)
        sorted_keys, sorted_rows = self._statement_index()
        lo = np.searchsorted(sorted_keys, keys, "left")
        counts = np.where(keys >= 0, np.searchsorted(sorted_keys, keys, "right") - lo, 0)
        if not counts.any():
            return result
        request = np.repeat(np.arange(n), counts)
        starts = np.cumsum(counts) - counts
        candidate = sorted_rows[lo[request] + np.arange(len(request)) - starts[request]]
        sid, top = np.asarray(sid)[request], np.asarray(top)[request]
        rank = np.where((sid == NONE) | (self.sid[candidate] == sid), 0, np.where(self.top[candidate] == top, 1, 2))
        order = np.lexsort((candidate, rank, request))
        request, candidate = request[order], candidate[order]
        first = np.r_[True, request[1:] != request[:-1]]
        result[request[first]] = candidate[first]
        return result
