"""A collection's long tables: their columns (the claims' from datapackage.json), keys and types,
and the conversions every path into a collection shares."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa

from ..messages import text
from ..schema import VALUE_SCALE, Problem, bundled_data_dir, problem, resource_columns

__all__ = [
    "BUDGET_COLUMNS", "CLAIM_COLUMNS", "KEY_COLUMNS", "LINE_COLUMNS", "LINE_ITEM_COLUMNS", "PARQUET_COMPRESSION",
    "PROBLEM_COLUMNS", "REQUIRED_COLUMNS", "ROW_GROUP_ROWS", "TABLES", "TABLE_KEYS", "VALUE_TYPE",
    "YEAR_OVER_YEAR_RULE", "arrow_table", "concat_frames", "load_measures", "missing", "shown_value", "typed_frame",
]


KEY_COLUMNS = ["budget_id", "department", "budget_year"]


#: A problem's ``type`` is what is wrong as a stable key (``column-missing``); its ``message`` says it in words.
PROBLEM_COLUMNS = ["budget_id", "source", "file", "row", "field", "type", "message"]


#: The claims and line items as a budget holds them: their package columns, then what loading adds.
CLAIM_COLUMNS = [*resource_columns("claims"), "quote"]


LINE_ITEM_COLUMNS = [*resource_columns("line_items"), "amount_wan_yuan", "stated"]


#: document_kind: budget, final-accounts or unknown (budgetkit.schema.DOCUMENT_KINDS).
BUDGET_COLUMNS = [*KEY_COLUMNS, "prior_year", "document_kind", "source", "budget_order"]


LINE_COLUMNS = ["budget_id", "line", "text", "section"]


#: The columns each long table of a collection must have (what from_budgets makes and the audit reads);
#: claims and line_items may also carry department and budget_year, as from_budgets makes them.
REQUIRED_COLUMNS = {  # a budgets table made elsewhere may lack document_kind (read as unknown)
    "budgets": [column for column in BUDGET_COLUMNS if column != "document_kind"],
    "claims": ["budget_id", *CLAIM_COLUMNS, "claim_order"],
    "lines": LINE_COLUMNS,
    "line_items": ["budget_id", *LINE_ITEM_COLUMNS],
}


#: The keys of each long table: no two rows share one, and none of their cells is empty. A
#: budget is its budget_id and, in the SQL, its budget_order; a claim is its claim_id and, in
#: the SQL, its claim_order within its budget.
TABLE_KEYS = {
    "budgets": [["budget_id"], ["budget_order"]],
    "claims": [["budget_id", "claim_id"], ["budget_id", "claim_order"]],
    "lines": [["budget_id", "line"]],
    "line_items": [["budget_id", "code"]],
}


#: Claim values are stored at the loader's scale (schema.VALUE_SCALE) in every long table and Parquet file.
VALUE_TYPE = pa.decimal128(38, 4)


TABLES = ("budgets", "claims", "lines", "line_items")


YEAR_OVER_YEAR_RULE = "prior-year-restated-next-year"


#: Rows per Parquet row group (at most): some 800 budgets' claims (about 80 a budget) or 430
#: budgets' lines, 3.7 MB of claims or 6.4 MB of lines uncompressed, 0.5–0.7 MB in the file. A
#: filter on one budget of a 10,000-budget collection decodes one of 13 groups of claims; smaller
#: groups read more slowly in full (more footer, statistics and per-group setup) for little gain.
ROW_GROUP_ROWS = 65_536


#: zstd (level 1) rather than Parquet's usual snappy: the 10,000-budget synthetic collection takes
#: 14 MB instead of 25 MB (the lines' text compresses 2.4 times better); DuckDB reads a whole file
#: some 10–20 % slower, which the audit (mostly joins and sorts, not reading) does not show.
#: Spark, Trino, DuckDB, Polars and pyarrow all read zstd. Every column is dictionary-encoded
#: (Arrow's default), per row group: department, measure, kind, unit, budget_id repeat on every
#: row and become small integer codes; a text column whose dictionary grows past 1 MB falls back to
#: plain (leaving quote and text plain from the start read more slowly in DuckDB, for no smaller file).
PARQUET_COMPRESSION = "zstd"


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def load_measures() -> pd.DataFrame:
    return pd.read_csv(bundled_data_dir() / "measures.csv", dtype="str")


def concat_frames(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


_INTEGER_COLUMNS = {"budget_year", "prior_year", "budget_order", "line", "char_start", "char_end", "year",
                    "decimals", "base_year", "claim_order"}


_DECIMAL_COLUMNS = ("value", "amount_wan_yuan")


#: What converting a column of unexpected values raises (pyarrow's errors are ValueError and TypeError).
_TYPING_ERRORS = (TypeError, ValueError, ArithmeticError, pa.ArrowException)


def typed_frame(frame: pd.DataFrame, name: str, problems: list[Problem] | None = None) -> pd.DataFrame:
    """One Arrow type per column whatever the budgets held: strings, Int64, exact decimals.

    A column that cannot be typed raises; with ``problems`` given, a Problem is appended for each
    of its cells that cannot (table ``name``, 1-based row of ``frame``, column) and the column is
    kept as given."""
    frame = frame.reset_index(drop=True)  # the rows by position, whatever index the frame came with
    out = {}
    for column in frame.columns:
        values = frame[column]
        kind = _column_kind(column)
        try:
            out[column] = _typed_column(values, kind)
        except _TYPING_ERRORS as error:
            if problems is None:
                raise
            problems.extend(_untyped_cells(values, kind, name, column, error))
            out[column] = values
    return pd.DataFrame(out, index=range(len(frame)))


def _column_kind(column: str) -> str:
    if column in _DECIMAL_COLUMNS:
        return "decimal"
    if column in _INTEGER_COLUMNS:
        return "integer"
    return "boolean" if column == "stated" else "string"


def _typed_column(values: pd.Series, kind: str) -> pd.Series:
    if kind == "decimal":
        array = pa.array([None if pd.isna(v) else v for v in values], type=VALUE_TYPE)
        return pd.Series(array, dtype=pd.ArrowDtype(VALUE_TYPE), index=values.index)
    if kind == "integer":
        return values.astype("Int64")
    if kind == "boolean":
        return values.astype("boolean")
    return values.astype("str")


def _untyped_cells(values: pd.Series, kind: str, table: str, column: str, error: Exception) -> list[Problem]:
    """A Problem for each cell of ``values`` that cannot be typed as ``kind`` (each distinct value
    is tried alone); one for the whole column if every value can be alone but not all together."""
    cells = values.to_numpy(dtype=object)
    rows = np.flatnonzero(~pd.isna(values).to_numpy())
    keys = [_cell_key(cells[row]) for row in rows]
    messages: dict[object, Problem | None] = {}  # the problem of each distinct value (its row set below)
    for key, row in zip(keys, rows):
        if key not in messages:
            value = cells[row]
            try:
                _typed_column(pd.Series([value], dtype=object), kind)
                messages[key] = None
            except _TYPING_ERRORS:
                messages[key] = _untyped_problem(value, kind, table, column)
    found = [replace(messages[key], row=int(row) + 1) for key, row in zip(keys, rows) if messages[key]]
    return found or [problem(table, None, column, "collection.column-untyped", kind=kind, error=error)]


def _cell_key(value) -> object:
    """Tells apart values that compare equal but type differently (1, 1.0, True)."""
    try:
        hash(value)
    except TypeError:
        return (type(value), repr(value))
    return (type(value), value)


def _untyped_problem(value, kind: str, table: str, column: str) -> Problem:
    """The problem of a cell whose ``value`` cannot be typed as ``kind`` (its row set by the caller)."""
    shown = shown_value(value)
    if kind == "integer":
        return problem(table, None, column, "data.not-integer", value=shown)
    if kind == "boolean":
        return problem(table, None, column, "data.not-boolean", value=shown)
    # decimal: the value columns are exact (decimal128(38, 4)); a float is not exact
    if isinstance(value, Decimal):
        if value.is_finite() and -value.as_tuple().exponent > VALUE_SCALE:
            return problem(table, None, column, "data.too-many-decimals", value=shown, scale=VALUE_SCALE)
        return problem(table, None, column, "collection.decimal-too-wide", value=shown, scale=VALUE_SCALE)
    if isinstance(value, float):
        return problem(table, None, column, "collection.float-not-exact", value=shown)
    return problem(table, None, column, "collection.not-a-number", value=shown, kind=type(value).__name__)


def missing(value) -> bool:
    """Whether a cell holds no value (None, NaN, NA), as :func:`shown_value` shows it."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def shown_value(value) -> str:
    """A cell's value as a problem's message shows it: a text quoted ('x'), an empty cell in words."""
    if missing(value):
        return text("collection.none")
    return repr(value) if isinstance(value, str) else str(value)
