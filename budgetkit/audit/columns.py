"""Columns of many rows at once: Arrow text columns joined piece by piece, a message filled for every
row (each literal and field one column operation, not one ``format`` per row), and rows grouped by
equal values through integer codes. Every rule kind writes its explanations with these."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import template, text

if TYPE_CHECKING:  # pragma: no cover
    from .table import ClaimTable

__all__ = ["as_objects", "claim_ids", "expanded", "filled", "filled_each", "groups", "joined", "joined_runs",
           "matches", "patched", "text_column", "value_codes"]


# -- text columns ------------------------------------------------------------------------------------

def text_column(values) -> pa.Array:
    """Values as Arrow strings: Arrow and pandas strings as they are (no copy), other values printed
    as ``str`` prints them (numbers, years); None stays null."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)) and (pa.types.is_string(values.type)
                                                            or pa.types.is_large_string(values.type)):
        return values
    if isinstance(values, np.ndarray) and values.dtype == object:
        try:
            return pa.array(values, type=pa.string())
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # not all strings: printed below
            pass
    array = pa.array(values, from_pandas=True)
    return array if pa.types.is_string(array.type) or pa.types.is_large_string(array.type) else array.cast(pa.string())


def as_objects(texts: pa.Array) -> np.ndarray:
    """A text column as an object array of Python strings (what ``found.rows`` takes)."""
    return texts.to_numpy(zero_copy_only=False)


def _is_column(value) -> bool:
    return isinstance(value, (pa.Array, pa.ChunkedArray, np.ndarray, list, pd.Series))


def _piece(value):
    """A piece of a joined text: one text for every row, or a column of ``pa.string()``."""
    if not _is_column(value):
        return str(value)
    column = text_column(value)
    return column.cast(pa.string()) if pa.types.is_large_string(column.type) else column


#: Up to this many rows texts are joined in Python: cheaper than a column operation's fixed cost.
_FEW_ROWS = 64


def _few_texts(value) -> list | None:
    """A short column of texts (or integers, printed as ``str`` prints them) as a list, None for none;
    None for anything else (then joined as columns)."""
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value.to_pylist() if pa.types.is_string(value.type) or pa.types.is_large_string(value.type) else None
    array = np.asarray(value) if isinstance(value, list) else value.to_numpy() if isinstance(value, pd.Series) else value
    if array.dtype.kind in "iu":
        return [str(v) for v in array.tolist()]
    if array.dtype.kind == "U" or (array.dtype == object and all(v is None or type(v) is str for v in array.tolist())):
        return array.tolist()
    return None


def joined(*pieces) -> pa.Array:
    """The pieces (text columns, or one text for every row) one after another, row by row; a row with
    a missing piece is missing."""
    lengths = {len(piece) for piece in pieces if _is_column(piece)}
    n = lengths.pop() if len(lengths) == 1 else _FEW_ROWS + 1
    if n <= _FEW_ROWS:
        few = [_few_texts(piece) if _is_column(piece) else [str(piece)] * n for piece in pieces]
        if all(piece is not None for piece in few):
            return pa.array([None if None in row else "".join(row) for row in zip(*few)], pa.string())
    return pc.binary_join_element_wise(*(_piece(piece) for piece in pieces), "")


def joined_runs(texts, starts: np.ndarray, separator: str) -> pa.Array:
    """The texts (a column) of each run, from each of ``starts`` to the next (the last to the end),
    joined by ``separator``."""
    offsets = pa.array(np.r_[starts, len(texts)].astype("int32"))
    return pc.binary_join(pa.ListArray.from_arrays(offsets, _piece(texts)), separator)


def claim_ids(table: ClaimTable, *at: np.ndarray) -> pa.Array:
    """The ids of each row's claims (``at``: a column of claim rows each) separated by spaces: a finding's inputs."""
    pieces = [piece for rows in at for piece in (" ", table.claim_id[rows] if len(rows) <= _FEW_ROWS
                                                  else table.strings_of("claim_id", rows))]
    return joined(*pieces[1:])


def patched(texts: pa.Array, at: np.ndarray, values: list[str]) -> pa.Array:
    """The texts with those of rows ``at`` replaced (rare rows, made one by one)."""
    if not len(at):
        return texts
    replaced = as_objects(texts)
    replaced[at] = values
    return text_column(replaced)


# -- messages for many rows -------------------------------------------------------------------------

def filled(key: str, **fields) -> pa.Array:
    """The message ``key`` of the current language for every row (``text`` row by row): each field a
    column (Arrow or numpy, numbers printed as ``str`` prints them) or one value for all."""
    pieces = list(string.Formatter().parse(template(key)))
    if any(spec or conversion for _, field, spec, conversion in pieces if field is not None):  # pragma: no cover
        # a field with a format of its own: filled row by row, from the values themselves
        columns = {name: value for name, value in fields.items() if _is_column(value)}
        values = zip(*(value.to_pylist() if isinstance(value, (pa.Array, pa.ChunkedArray))
                       else np.asarray(value).tolist() for value in columns.values()))
        return text_column([text(key, **{**fields, **dict(zip(columns, row))}) for row in values])
    order = []
    for literal, field, _spec, _conversion in pieces:
        order += [literal] if literal else []
        order += [fields[field]] if field is not None else []
    return joined(*order)


def _rows(value, at: np.ndarray, taken: pa.Array):
    """The rows ``at`` of a field (one value for all stays as it is)."""
    if not _is_column(value):
        return value
    return value.take(taken) if isinstance(value, (pa.Array, pa.ChunkedArray)) else np.asarray(value)[at]


def filled_each(keys, **fields) -> pa.Array:
    """Each row's own message (``keys``, one per row), its fields as :func:`filled` takes them: the
    rows of each key filled at once."""
    codes, names = pd.factorize(np.asarray(keys, dtype=object))
    if not len(names):
        return pa.array([], pa.string())
    if len(names) == 1:
        return filled(names[0], **fields)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    parts = []
    for number, key in enumerate(names):
        at = order[bounds[number]:bounds[number + 1]]
        taken = pa.array(at)
        parts.append(filled(key, **{name: _rows(value, at, taken) for name, value in fields.items()}))
    inverse = np.empty(len(order), dtype="int64")
    inverse[order] = np.arange(len(order))
    return pa.concat_arrays(parts).take(pa.array(inverse))


# -- which rows belong together ----------------------------------------------------------------------

def value_codes(table: ClaimTable, name: str, values) -> np.ndarray:
    """``values`` as the table's integer codes of its column ``name`` (``ClaimTable.codes_of``); a value
    no claim has gets a code no claim has (not −1, which stands for none)."""
    codes = table.indexer(name, list(values))
    return np.where(codes >= 0, codes, -2)


def groups(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with equal values in every column: a group number per row, and each group's first row
    and size. Integers count from their least value, other values are factorized; the codes make
    one integer key (the first column most significant, renumbered should it outgrow 64 bits),
    sorted stably: rows come by budget, so the sort is of short runs and cheap."""
    n = len(columns[0])
    if n == 0:
        return (np.zeros(0, dtype="int64"),) * 3
    key, span = np.zeros(n, dtype="int64"), 1
    for column in columns:
        column = np.asarray(column)
        if column.dtype.kind in "iu":
            codes = column.astype("int64") - int(column.min())
            count = int(codes.max()) + 1
        else:  # None and NaN as one value
            codes, uniques = pd.factorize(column, use_na_sentinel=False)
            codes, count = codes.astype("int64"), max(len(uniques), 1)
        if span * count >= 2**62:
            key, uniques = pd.factorize(key)
            span = max(len(uniques), 1)
        key, span = key * count + codes, span * count
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(new)
    group = np.empty(n, dtype="int64")
    group[order] = np.cumsum(new) - 1
    return group, order[starts], np.diff(np.r_[starts, n])


def expanded(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[start, start + count)``: which range each position is of, and the position."""
    of = np.repeat(np.arange(len(start)), count)
    return of, np.arange(len(of)) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)


def matches(left: np.ndarray, right: np.ndarray, right_sorted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of positions (i, j) with ``left[i] == right[j]``: by i, then j in order (``right_sorted``:
    ``right`` ascending already, no sort needed)."""
    order = None if right_sorted else np.argsort(right, kind="stable")
    ordered = right if order is None else right[order]
    start = np.searchsorted(ordered, left, "left")
    i, position = expanded(start, np.searchsorted(ordered, left, "right") - start)
    return i, position if order is None else order[position]
