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

__all__ = ["ROW_FIELDS", "decimals", "findings_frame", "rows", "strings"]

#: What a rule kind yields for each evaluation. ``claim`` is the row of the claim it is about (NONE
#: for none); ``section``, ``quote``, ``unit`` and ``order`` are the claim's unless given (None);
#: ``stated`` and ``computed`` are integers of 10⁻¹⁰ of ``unit`` (None for no figure); ``seq`` orders
#: the rows of one rule about one claim.
ROW_FIELDS = ("b", "claim", "verdict", "stated", "stated_interval", "computed", "computed_interval", "unit",
              "explanation", "inputs", "section", "quote", "order", "seq")
_DEFAULTS = {"stated": None, "stated_interval": "", "computed": None, "computed_interval": "", "unit": None,
             "inputs": "", "section": None, "quote": None, "order": None, "seq": 0}


def rows(**columns) -> pd.DataFrame:
    """One rule's rows from equal-length columns (scalars are repeated); missing fields take their defaults."""
    n = max((len(v) for v in columns.values() if isinstance(v, (list, np.ndarray, pd.Series))), default=0)
    data = {}
    for name in ROW_FIELDS:
        value = columns.get(name, _DEFAULTS.get(name))
        if isinstance(value, pd.Series):
            value = value.to_numpy()
        data[name] = value if isinstance(value, (list, np.ndarray)) else [value] * n
    unknown = set(columns) - set(ROW_FIELDS)
    if unknown:  # pragma: no cover - a rule kind's mistake
        raise TypeError(f"unknown row fields {sorted(unknown)}")  # not a message: a programming error
    frame = {}
    for name, values in data.items():
        if name in ("b", "claim", "seq"):
            frame[name] = np.asarray(values, dtype="int64").reshape(n)
        else:
            array = np.empty(n, dtype=object)
            array[:] = values
            frame[name] = array
    return pd.DataFrame(frame, copy=False)


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


def findings_frame(table: ClaimTable, parts: list[tuple[Rule, pd.DataFrame]]) -> pd.DataFrame:
    """The findings of every rule: one row per evaluation, sorted by budget, then failures first in
    document order, then by rule; the column ``b`` keeps each row's budget number."""
    listed = [rule for rule, frame in parts if len(frame)]
    frames = [frame for _, frame in parts if len(frame)]
    if not frames:
        empty = pd.DataFrame({column: pd.Series([], dtype="str") for column in FINDING_COLUMNS})
        for column in ("stated", "computed", "difference"):
            empty[column] = decimals([])
        empty["verdict"] = pd.Categorical([], categories=list(VERDICTS), ordered=True)
        return empty.assign(b=pd.Series([], dtype="int64"))[["b", *FINDING_COLUMNS]]
    found = pd.concat(frames, ignore_index=True)
    # rules as numbers: their order by id sorts the rows; their texts are repeated, not rebuilt
    ids = sorted({rule.id for rule in listed})
    rank = np.array([ids.index(rule.id) for rule in listed], dtype="int64")
    rule_of = np.repeat(np.arange(len(listed)), [len(frame) for frame in frames])
    claim = found["claim"].to_numpy()
    about = claim != NONE
    at = np.where(about, claim, 0)
    given = found["order"].notna().to_numpy()
    order = np.where(given, found["order"].fillna(0).to_numpy(dtype="int64"),
                     np.where(about, table.ord[at] if table.n else 0, -1))
    verdict = found["verdict"].to_numpy(dtype=object)
    severity = pd.Series(verdict).map(SEVERITY).to_numpy()
    b = found["b"].to_numpy()
    # ties (one rule about one claim) keep ``seq``, then the order the rule yielded them in
    sort = np.lexsort((np.arange(len(found)), found["seq"].to_numpy(), rank[rule_of], order, -severity, b))
    found, claim, about, rule_of = found.iloc[sort].reset_index(drop=True), claim[sort], about[sort], rule_of[sort]
    indices = pa.array(claim, mask=~about)

    def of_claim(name: str, override: str | None = None) -> pd.Series:
        values = table.texts[name].take(indices).fill_null("")
        if override is not None:
            given = found[override].notna().to_numpy()
            if given.any():
                values = pa.compute.if_else(pa.array(given), pa.array(found[override].where(given, "").tolist(),
                                                                       pa.large_string()), values.cast(pa.large_string()))
        return strings(values)

    def of_rule(values: list[str]) -> pd.Series:
        return strings(pa.DictionaryArray.from_arrays(pa.array(rule_of, pa.int32()), pa.array(values, pa.large_string()))
                       .dictionary_decode())

    stated, computed = found["stated"].to_numpy(dtype=object), found["computed"].to_numpy(dtype=object)
    try:
        difference = pd.array(stated, dtype="Int64") - pd.array(computed, dtype="Int64")
    except (OverflowError, TypeError):  # beyond 64 bits: Python's integers
        difference = [None if s is None or c is None else s - c for s, c in zip(stated, computed)]
    frame = pd.DataFrame({
        "b": found["b"].to_numpy(),
        "rule": of_rule([r.id for r in listed]), "rule_kind": of_rule([r.kind for r in listed]),
        "verdict": pd.Categorical(found["verdict"], categories=list(VERDICTS), ordered=True),
        "section": of_claim("section", "section"), "claim_id": of_claim("claim_id"), "measure": of_claim("measure"),
        "label": of_claim("label"),
        "stated": decimals(stated), "stated_interval": strings(found["stated_interval"].tolist()),
        "computed": decimals(computed), "computed_interval": strings(found["computed_interval"].tolist()),
        "difference": decimals(difference),
        "unit": of_claim("cunit", "unit"), "quote": of_claim("quote", "quote"),
        "explanation": strings(found["explanation"].tolist()), "inputs": strings(found["inputs"].tolist()),
        "reason": of_rule([r.reason for r in listed]),
    })
    return frame
