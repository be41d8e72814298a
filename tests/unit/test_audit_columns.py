"""The audit's column shortcuts give exactly what the general path gives: texts joined in Python for
a few rows and as Arrow columns for many, a rule's rows as Arrow or as Python objects, a few values
looked up one by one or hashed, the claim table built from only the columns it reads."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from budgetkit.audit import ClaimTable, evaluate, lines_frame, load_rules
from budgetkit.audit.columns import joined
from budgetkit.audit.found import findings_frame, rows
from budgetkit.audit.table import CLAIM_TABLE_COLUMNS, NONE


def many(column, times):
    """``column`` repeated ``times`` times (past the few rows joined in Python)."""
    if isinstance(column, pa.Array):
        return pa.concat_arrays([column] * times)
    return np.concatenate([np.asarray(column)] * times)


@pytest.mark.parametrize("pieces", [
    ("a", pa.array(["x", None, "z"]), "-", np.array([1, 2, 3])),
    (pa.array(["p", "q", "r"], pa.large_string()), " ", np.array(["u", None, "w"], dtype=object)),
    (np.array([1.5, 2.0, 3.25]), "万元"),  # floats as Arrow prints them: 2 for 2.0
    (np.array([True, False, True]), "|"),
])
def test_a_few_rows_are_joined_as_the_columns_are(pieces):
    few = joined(*pieces).to_pylist()
    columns = joined(*(many(p, 30) if isinstance(p, (pa.Array, np.ndarray)) else p for p in pieces)).to_pylist()
    assert len(columns) == 90 > 64  # the column path
    assert columns == few * 30


def test_a_rules_rows_are_the_same_from_arrow_and_from_python_objects(bundled_budget):
    table = ClaimTable(bundled_budget.claims, np.zeros(len(bundled_budget.claims), dtype="int64"))
    at = np.flatnonzero(table.has_v)[:5]
    texts = ["甲", None, "乙", "", "丙"]
    as_arrow = rows(b=table.b[at], claim=at, verdict=["drift", "consistent", "text", "rounding", "semantic"],
                    stated=table.amt[at], computed=[None, 2**70, 3, None, -5], explanation=pa.array(texts),
                    inputs=pa.array(texts, pa.large_string()), section=pa.array(texts), order=[NONE, 1, 2, 3, 4])
    as_objects = rows(b=table.b[at].tolist(), claim=at.tolist(), verdict=np.array(
        ["drift", "consistent", "text", "rounding", "semantic"], dtype=object), stated=table.amt[at].tolist(),
        computed=np.array([None, 2**70, 3, None, -5], dtype=object), explanation=np.array(texts, dtype=object),
        inputs=texts, section=np.array(texts, dtype=object), order=np.array([NONE, 1, 2, 3, 4]))
    rule = load_rules(bundled_budget.rules_path)[0]
    frame = findings_frame(table, [(rule, as_arrow)])
    pd.testing.assert_frame_equal(frame, findings_frame(table, [(rule, as_objects)]))
    # a figure beyond 64 bits is kept exactly, and a section given overrides the claim's
    assert "118059162071.7411303424" in frame["computed"].astype(str).tolist()
    assert set(frame["section"]) >= {"甲", "乙", ""}


def test_values_looked_up_one_by_one_or_hashed_get_the_same_codes(bundled_budget):
    table = ClaimTable(bundled_budget.claims, np.zeros(len(bundled_budget.claims), dtype="int64"))
    measures = [m for m in pd.unique(table.measure) if m is not None][:10] + ["no-such-measure", None]
    few = table.indexer("measure", measures)
    hashed = table.indexer("measure", measures * 10)
    assert hashed.tolist() == few.tolist() * 10
    assert few[-2] == -1 and few[-1] == -1
    assert (few[:-2] >= 0).all()
    one = np.full(200, measures[3], dtype=object)  # one measure asked for every request, as picks ask
    assert table.indexer("measure", one).tolist() == [few[3]] * 200
    assert table.indexer("measure", np.full(200, None, dtype=object)).tolist() == [-1] * 200


def test_texts_taken_from_arrow_are_the_attributes_texts(bundled_budget):
    table = ClaimTable(bundled_budget.claims, np.zeros(len(bundled_budget.claims), dtype="int64"))
    at = np.arange(table.n)[::-1]
    for name in ("claim_id", "label", "section", "unit", "measure"):
        assert table.strings_of(name, at).to_pylist() == getattr(table, name)[at].tolist(), name


def test_text_columns_read_as_dictionaries_audit_as_plain_texts(bundled_budget, bundled_rules):
    # a collection's audit reads the claims' texts of few values from Parquet as dictionaries
    claims = bundled_budget.claims
    lines = lines_frame(bundled_budget.raw_text)
    budget = np.zeros(len(claims), dtype="int64")
    arrow = pa.Table.from_pandas(claims[[c for c in claims.columns if c in CLAIM_TABLE_COLUMNS]], preserve_index=False)
    texts = [name for name in arrow.column_names if pa.types.is_string(arrow.schema.field(name).type)
             or pa.types.is_large_string(arrow.schema.field(name).type)]
    assert {"measure", "section", "claim_id"} <= set(texts)
    plain = arrow.to_pandas(types_mapper=pd.ArrowDtype)
    coded = arrow.cast(pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), pa.string())) if f.name in texts
                                  and f.name != "quote" else f for f in arrow.schema]))
    coded = coded.to_pandas(types_mapper=pd.ArrowDtype)
    assert isinstance(coded["measure"].dtype.pyarrow_dtype, pa.DictionaryType)
    pd.testing.assert_frame_equal(evaluate(ClaimTable(coded, budget), bundled_rules, lines),
                                  evaluate(ClaimTable(plain, budget), bundled_rules, lines))


def test_the_claim_table_reads_only_the_columns_it_names(bundled_budget, bundled_rules):
    claims = bundled_budget.claims
    lines = lines_frame(bundled_budget.raw_text)
    budget = np.zeros(len(claims), dtype="int64")
    assert set(claims.columns) - set(CLAIM_TABLE_COLUMNS)  # there are columns to leave out
    narrow = claims[[c for c in claims.columns if c in CLAIM_TABLE_COLUMNS]]
    pd.testing.assert_frame_equal(evaluate(ClaimTable(narrow, budget), bundled_rules, lines),
                                  evaluate(ClaimTable(claims, budget), bundled_rules, lines))
