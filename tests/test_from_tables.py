"""from_tables: long tables made elsewhere become a collection as load_many makes them."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from budgetkit.collection import from_tables
from synthetic import generate, long_tables

FIRST, SECOND = "anju-union-2022", "anju-union-2023"


@lru_cache(maxsize=1)
def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return long_tables(generate(2, seed=7, drift_share=0))


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(budgets, claims, lines) of two budgets, FIRST and SECOND, 80 claims each, fresh copies."""
    budgets, claims, lines = (frame.copy() for frame in _tables())
    assert list(budgets["budget_id"]) == [FIRST, SECOND]
    return budgets, claims, lines


def test_rows_are_taken_by_position_whatever_the_index(tables):
    budgets, claims, lines = tables
    shuffled = claims.set_axis(range(1000, 1000 + len(claims)))  # an index that is not 0, 1, 2 …
    kept = from_tables(budgets, shuffled, lines)
    pd.testing.assert_frame_equal(kept.claims, from_tables(budgets, claims, lines).claims)
    assert kept.claims["claim_id"].notna().all()
