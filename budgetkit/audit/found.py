"""The rows the rules yield, gathered as columns and made one findings frame: each row's claim,
figures as exact decimals, verdicts in order of severity, failures first in document order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from ..findings import FINDING_COLUMNS, SEVERITY, VERDICTS
from .rules import Rule
from .table import NONE, SCALE, ClaimTable

__all__ = ["ROW_FIELDS", "Rows", "decimals", "findings_frame", "rows", "strings"]

#: What a rule kind yields for each evaluation. ``claim`` is the row of the claim it is about (NONE
#: for none); ``section``, ``quote``, ``unit`` and ``order`` are the claim's unless given (None);
#: ``stated`` and ``computed`` are integers of 10⁻¹⁰ of ``unit`` (None for no figure); ``seq`` orders
#: the rows of one rule about one claim.
ROW_FIELDS = ("b", "claim", "verdict", "stated", "stated_interval", "computed", "computed_interval", "unit",
              "explanation", "inputs", "section", "quote", "order", "seq")
_DEFAULTS = {"stated": None, "stated_interval": "", "computed": None, "computed_interval": "", "unit": None,
             "inputs": "", "section": None, "quote": None, "order": None, "seq": 0}
_NUMBERS = ("b", "claim", "seq")
_FIGURES = ("stated", "computed")


class Rows:
    """One rule's rows as columns, each kept as the rule made it until :func:`findings_frame` joins
    every rule's at once: numbers as int64 arrays, the verdicts as an object array, figures as int64
    with a mask (an object array of Python integers when one is beyond 64 bits), texts as Arrow."""

    __slots__ = ("n", "columns")

    def __init__(self, n: int, columns: dict):
        self.n, self.columns = n, columns

    def __len__(self) -> int:
        return self.n

    def take(self, at: np.ndarray) -> Rows:
        """The rows ``at``, in that order."""
        taken, arrow_at = {}, pa.array(at, pa.int64())
        for name, value in self.columns.items():
            if isinstance(value, tuple):
                taken[name] = tuple(part[at] for part in value)
            elif isinstance(value, pa.Array):
                taken[name] = value.take(arrow_at)
            else:
                taken[name] = value[at]
        return Rows(len(at), taken)


def _length(value) -> int | None:
    return len(value) if isinstance(value, (list, np.ndarray, pd.Series, pa.Array, pa.ChunkedArray)) else None


def _text(value, n: int) -> pa.Array:
    """A text field as one Arrow large_string array of ``n`` (a scalar repeated, None as null)."""
    if value is None:
        return pa.nulls(n, pa.large_string())
    if isinstance(value, str):
        return pa.repeat(pa.scalar(value, pa.large_string()), n)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        return value.cast(pa.large_string())
    if isinstance(value, pd.Series):
        value = value.to_numpy(dtype=object)
    return pa.array(value, pa.large_string(), from_pandas=True)


def _figure(value, n: int):
    """A figure field as (int64 values, missing) or, with a value beyond 64 bits, an object array."""
    if value is None:
        return np.zeros(n, dtype="int64"), np.ones(n, dtype=bool)
    array = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    if array.dtype.kind in "iu" and array.shape == (n,):
        return array.astype("int64", copy=False), np.zeros(n, dtype=bool)
    if array.shape != (n,):  # one value for every row
        array = np.full(n, value, dtype=object)
    try:
        integers = pd.array(array, dtype="Int64")
    except (OverflowError, TypeError):
        return array.astype(object)
    return integers.to_numpy(dtype="int64", na_value=0), np.asarray(integers.isna())


def rows(**columns) -> Rows:
    """One rule's rows from equal-length columns (scalars are repeated); missing fields take their defaults."""
    unknown = set(columns) - set(ROW_FIELDS)
    if unknown:  # pragma: no cover - a rule kind's mistake
        raise TypeError(f"unknown row fields {sorted(unknown)}")  # not a message: a programming error
    n = max((length for length in map(_length, columns.values()) if length is not None), default=0)
    made = {}
    for name in ROW_FIELDS:
        value = columns.get(name, _DEFAULTS.get(name))
        if name in _NUMBERS:  # b and claim are given whenever there are rows
            made[name] = np.full(n, value or 0, dtype="int64") if _length(value) is None \
                else np.asarray(value, dtype="int64").reshape(n)
        elif name == "verdict":
            array = np.empty(n, dtype=object)
            array[:] = value.to_numpy(zero_copy_only=False) if isinstance(value, pa.Array) else value
            made[name] = array
        elif name in (*_FIGURES, "order"):  # order: an integer where given
            made[name] = _figure(value, n)
        else:  # texts; unit, section and quote null where the claim's are taken
            made[name] = _text(value, n)
    return Rows(n, made)


def decimals(values, least: int = 2) -> pd.Series:
    """Integers of 10⁻ˢᶜᴬᴸᴱ (None for none) as exact decimals, at the smallest scale ≥ ``least`` that keeps them."""
    try:
        integers = pd.array(values, dtype="Int64")
    except (OverflowError, TypeError):  # a quotient beyond 64 bits (a share of a tiny whole): exactly, as Decimals
        from decimal import Decimal

        from ..schema import decimal_array

        return decimal_array([None if v is None or v is pd.NA else Decimal(int(v)).scaleb(-SCALE) for v in values],
                             min_scale=least)
    present = ~np.asarray(integers.isna())
    q = integers.to_numpy(dtype="int64", na_value=0)
    scale = least
    for places in range(SCALE, least, -1):
        if (q % 10 ** (SCALE - places + 1) != 0).any():  # needs more than places − 1
            scale = places
            break
    array = pa.array(q, mask=~present).cast(pa.decimal128(38, 0)).view(pa.decimal128(38, SCALE))
    return pd.Series(array.cast(pa.decimal128(20 + scale, scale)), dtype=pd.ArrowDtype(pa.decimal128(20 + scale, scale)))


def strings(values) -> pd.Series:
    """Python strings as a column of pandas' ``str`` (Arrow) dtype, without a check per value."""
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, pa.large_string())
    return pd.Series(pd.array(array.cast(pa.large_string()), dtype="str"))


def _joined_figures(pieces: list) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Every rule's figures of one field as one Int64 array, or an object array of Python integers
    (None for none) when one is beyond 64 bits."""
    if all(isinstance(piece, tuple) for piece in pieces):
        return pd.arrays.IntegerArray(np.concatenate([values for values, _ in pieces]),
                                      np.concatenate([missing for _, missing in pieces]))
    objects = []
    for piece in pieces:
        if isinstance(piece, tuple):
            values, missing = piece
            piece = values.astype(object)
            piece[missing] = None
        objects.append(piece)
    return np.concatenate(objects)


def findings_frame(table: ClaimTable, parts: list[tuple[Rule, Rows]]) -> pd.DataFrame:
    """The findings of every rule: one row per evaluation, sorted by budget, then failures first in
    document order, then by rule; the column ``b`` keeps each row's budget number."""
    listed = [rule for rule, found in parts if len(found)]
    found = [found.columns for _, found in parts if len(found)]
    if not found:
        empty = pd.DataFrame({column: pd.Series([], dtype="str") for column in FINDING_COLUMNS})
        for column in ("stated", "computed", "difference"):
            empty[column] = decimals([])
        empty["verdict"] = pd.Categorical([], categories=list(VERDICTS), ordered=True)
        return empty.assign(b=pd.Series([], dtype="int64"))[["b", *FINDING_COLUMNS]]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([columns[name] for columns in found])

    def joined_text(name: str) -> pa.Array:
        return pa.concat_arrays([columns[name] for columns in found])

    # rules as numbers: their order by id sorts the rows; their texts are repeated, not rebuilt
    ids = sorted({rule.id for rule in listed})
    rank = np.array([ids.index(rule.id) for rule in listed], dtype="int64")
    rule_of = np.repeat(np.arange(len(listed)), [len(columns["b"]) for columns in found])
    claim = joined("claim")
    about = claim != NONE
    at = np.where(about, claim, 0)
    order_values, order_missing = (np.concatenate(parts) for parts in zip(*(columns["order"] for columns in found)))
    order = np.where(~order_missing, order_values, np.where(about, table.ord[at] if table.n else 0, -1))
    verdict_codes, verdict_names = pd.factorize(joined("verdict"))
    severity = np.array([SEVERITY.get(name, np.nan) for name in verdict_names], dtype="float64")[verdict_codes]
    b = joined("b")
    # ties (one rule about one claim) keep ``seq``, then the order the rule yielded them in
    sort = np.lexsort((np.arange(len(b)), joined("seq"), rank[rule_of], order, -severity, b))
    claim, about, rule_of = claim[sort], about[sort], rule_of[sort]
    arrow_sort = pa.array(sort, pa.int64())
    indices = pa.array(claim, mask=~about)

    def of_claim(name: str, override: str | None = None) -> pd.Series:
        values = table.texts[name].take(indices).fill_null("")
        if override is not None:
            given = joined_text(override).take(arrow_sort)
            if given.null_count < len(given):
                values = pa.compute.if_else(given.is_valid(), given, values.cast(pa.large_string()))
        return strings(values)

    def of_rule(values: list[str]) -> pd.Series:
        return strings(pa.DictionaryArray.from_arrays(pa.array(rule_of, pa.int32()), pa.array(values, pa.large_string()))
                       .dictionary_decode())

    def sorted_text(name: str) -> pd.Series:
        return strings(joined_text(name).take(arrow_sort))

    stated, computed = (_joined_figures([columns[name] for columns in found]) for name in _FIGURES)
    stated, computed = stated[sort], computed[sort]
    if isinstance(stated, pd.arrays.IntegerArray) and isinstance(computed, pd.arrays.IntegerArray):
        difference = stated - computed
    else:  # beyond 64 bits: Python's integers
        stated, computed = (np.asarray(values, dtype=object) for values in (stated, computed))
        stated, computed = (np.where(pd.isna(values), None, values) for values in (stated, computed))
        difference = [None if s is None or c is None else s - c for s, c in zip(stated, computed)]
    codes = np.array([list(VERDICTS).index(name) if name in VERDICTS else -1 for name in verdict_names],
                     dtype="int64")[verdict_codes[sort]]
    frame = pd.DataFrame({
        "b": b[sort],
        "rule": of_rule([r.id for r in listed]), "rule_kind": of_rule([r.kind for r in listed]),
        "verdict": pd.Categorical.from_codes(codes, categories=list(VERDICTS), ordered=True),
        "section": of_claim("section", "section"), "claim_id": of_claim("claim_id"), "measure": of_claim("measure"),
        "label": of_claim("label"),
        "stated": decimals(stated), "stated_interval": sorted_text("stated_interval"),
        "computed": decimals(computed), "computed_interval": sorted_text("computed_interval"),
        "difference": decimals(difference),
        "unit": of_claim("cunit", "unit"), "quote": of_claim("quote", "quote"),
        "explanation": sorted_text("explanation"), "inputs": sorted_text("inputs"),
        "reason": of_rule([r.reason for r in listed]),
    })
    return frame
