"""Which statement of a quantity stated more than once: the tables and the workbook take the audit's."""

import numpy as np
import pytest

from budgetkit.audit.index import ClaimIndex
from tests.builders import claim, claims_frame

# 基本支出 stated four times: in 三（一）, 三（二）, 四 and 表1; 项目支出 once
CLAIMS = claims_frame([
    claim("expenditure_basic", "500.00", section="三（一）", claim_id="a"),
    claim("expenditure_basic", "500.0", section="三（二）", claim_id="b"),
    claim("expenditure_basic", "500", section="四", claim_id="c"),
    claim("expenditure_basic", "500.00", section="表1（第9页）", claim_id="d"),
    claim("expenditure_project", "20.00", section="四", claim_id="e"),
    claim("expenditure_basic", "480.00", section="四", claim_id="f", year=2023),
])


@pytest.mark.parametrize(("near", "taken"), [
    ("三（二）", "b"),  # the same section
    ("三（三）", "a"),  # no statement in 三（三）: the first of its numbered section 三
    ("四（一）", "c"),
    ("表2（第10页）", "d"),  # every table is in one numbered section, 表
    ("五", "a"),  # nothing near: the first printed
    (None, "a"),
])
def test_the_statement_nearest_a_section(near, taken):
    assert ClaimIndex(CLAIMS).pick("expenditure_basic", 2024, None, near).id == taken


def test_a_quantity_of_another_year_or_not_stated_is_none():
    index = ClaimIndex(CLAIMS)
    assert index.pick("expenditure_basic", 2023, None, "三（一）").id == "f"
    assert index.pick("expenditure_basic", 2022) is None
    assert index.pick("income_total", 2024) is None
    assert index.pick("expenditure_project", 2024, "201") is None


def test_the_index_takes_what_the_audit_takes():
    """Near the section of each claim, the index's pick is the claim table's pick near that claim."""
    index = ClaimIndex(CLAIMS)
    rows = np.arange(len(CLAIMS))
    taken = index.table.pick(np.zeros(len(rows), dtype="int64"), ["expenditure_basic"] * len(rows),
                             [2024] * len(rows), [None] * len(rows), rows)
    assert [index.all[row].id for row in taken] == [
        index.pick("expenditure_basic", 2024, None, claim.section).id for claim in index.all]


def test_indexes_of_one_frame_read_it_once_and_keep_their_own_additions():
    """The tables of one budget read its claims once; what one table adds to its index (an implied budget)
    is not in another's, and a frame with other claims is read anew."""
    first, second = ClaimIndex(CLAIMS), ClaimIndex(CLAIMS)
    assert first.all is second.all and first.table is second.table
    first.by_id["a implied"] = first.by_id["a"]
    assert "a implied" not in second.by_id and "a implied" not in ClaimIndex(CLAIMS).by_id
    other = ClaimIndex(CLAIMS.iloc[:2].copy())
    assert [c.id for c in other.all] == ["a", "b"] and other.table is not first.table
