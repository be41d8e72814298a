"""from_tables: long tables made elsewhere are checked as load_many guarantees them, and every
problem is reported at once with its table, row (1-based, in the frame given), field and message."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from budgetkit.collection import from_tables, load_many, spending_structure
from budgetkit.collection.columns import LINE_ITEM_COLUMNS
from budgetkit.messages import using_language
from budgetkit.schema import BudgetDataError, bundled_data_dir

#: The wording of each problem is pinned in English; the Chinese default has a test of its own (at the end).
pytestmark = pytest.mark.usefixtures("english")

FIRST, SECOND = "anju-union-2022", "anju-union-2023"


@pytest.fixture
def tables(synthetic_long_tables) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(budgets, claims, lines) of two budgets, FIRST and SECOND, 80 claims each, fresh copies."""
    budgets, claims, lines = (frame.copy() for frame in synthetic_long_tables)
    assert list(budgets["budget_id"]) == [FIRST, SECOND]
    assert list(claims["budget_id"][:2]) == [FIRST, FIRST] and claims["budget_id"].iloc[80] == SECOND
    assert list(claims["claim_id"][:2]) == ["c006-1", "c006-2"]
    claims["value"] = claims["value"].astype(object)  # so that a test can put any value in a cell
    return budgets, claims, lines


def _line_items(budget_id: str = FIRST, codes: tuple[str, ...] = ("201", "205")) -> pd.DataFrame:
    rows = [{"budget_id": budget_id, "code": code, "level": "类", "name": f"类{code}", "parent_code": None,
             "line": 30, "purpose": None, "amount_wan_yuan": Decimal("1.5"), "stated": True} for code in codes]
    return pd.DataFrame(rows, columns=["budget_id", *LINE_ITEM_COLUMNS])


def problems_of(budgets, claims, lines, line_items=None) -> list[tuple]:
    with pytest.raises(BudgetDataError) as raised:
        from_tables(budgets, claims, lines, line_items)
    return [(p.file, p.row, p.field, p.message) for p in raised.value.problems]


def test_sound_tables_make_a_collection(tables):
    budgets, claims, lines = tables
    collection = from_tables(budgets, claims, lines, _line_items())
    assert len(collection.budgets) == 2 and len(collection.claims) == 160 and len(collection.line_items) == 2
    assert collection.claims["value"].dtype == pd.ArrowDtype(pa.decimal128(38, 4))
    # a claim_id may recur in another budget: the key is (budget_id, claim_id)
    assert claims["claim_id"].iloc[80] == claims["claim_id"].iloc[0]


def test_the_tables_of_a_loaded_collection_pass():
    demo = bundled_data_dir() / "collections" / "demo"
    loaded = load_many(sorted(path.parent for path in demo.glob("*/datapackage.json"))[:3])
    again = from_tables(loaded.budgets, loaded.claims, loaded.lines, loaded.line_items)
    pd.testing.assert_frame_equal(again.claims, loaded.claims)
    pd.testing.assert_frame_equal(again.budgets, loaded.budgets)


def test_claims_and_line_items_without_department_and_budget_year_get_their_budgets(tables):
    budgets, claims, lines = tables
    keyed = from_tables(budgets, claims, lines, _line_items())
    collection = from_tables(budgets, claims.drop(columns=["department", "budget_year"]), lines, _line_items())
    pd.testing.assert_frame_equal(collection.claims, keyed.claims)
    assert list(collection.line_items[["budget_id", "budget_year"]].iloc[0]) == [FIRST, 2022]
    spending_structure(collection)  # reads the claims' budget_year


def test_missing_columns_are_named_with_their_table(tables):
    budgets, claims, lines = tables
    problems = problems_of(budgets.drop(columns=["budget_order"]), claims.drop(columns=["claim_order", "quote"]),
                           lines.drop(columns=["section"]), _line_items().drop(columns=["stated"]))
    assert problems == [
        ("budgets", None, "budget_order", "column is missing"),
        ("claims", None, "quote", "column is missing"),
        ("claims", None, "claim_order", "column is missing"),
        ("lines", None, "section", "column is missing"),
        ("line_items", None, "stated", "column is missing"),
    ]


def test_a_column_given_twice_is_reported(tables):
    budgets, claims, lines = tables
    problems = problems_of(budgets, pd.concat([claims, claims[["unit"]]], axis=1), lines)
    assert problems == [("claims", None, "unit", "column appears more than once")]


def test_a_repeated_budget_id_is_reported_on_the_later_row(tables):
    budgets, claims, lines = tables
    again = budgets.iloc[[0]].assign(budget_order=2, department="另一个部门")
    problems = problems_of(pd.concat([budgets, again], ignore_index=True), claims, lines)
    assert problems == [("budgets", 3, "budget_id", f"duplicate budget_id '{FIRST}' (first at row 1)")]


def test_a_repeated_budget_order_is_reported(tables):
    budgets, claims, lines = tables
    budgets.loc[1, "budget_order"] = 0
    assert problems_of(budgets, claims, lines) == [
        ("budgets", 2, "budget_order", "duplicate budget_order 0 (first at row 1)")]


def test_a_repeated_claim_id_within_a_budget_is_reported(tables):
    budgets, claims, lines = tables
    claims.loc[4, "claim_id"] = "c006-2"
    claims.loc[81, "claim_id"] = "c006-1"  # the first claim_id of SECOND: repeated within SECOND, row 82
    assert problems_of(budgets, claims, lines) == [
        ("claims", 5, "claim_id", f"duplicate claim_id 'c006-2' in budget '{FIRST}' (first at row 2)"),
        ("claims", 82, "claim_id", f"duplicate claim_id 'c006-1' in budget '{SECOND}' (first at row 81)"),
    ]


def test_a_repeated_claim_order_within_a_budget_is_reported(tables):
    budgets, claims, lines = tables
    claims.loc[5, "claim_order"] = 4
    assert problems_of(budgets, claims, lines) == [
        ("claims", 6, "claim_order", f"duplicate claim_order 4 in budget '{FIRST}' (first at row 5)")]


def test_a_repeated_line_and_line_item_code_are_reported(tables):
    budgets, claims, lines = tables
    lines.loc[3, "line"] = 3
    assert problems_of(budgets, claims, lines, _line_items(codes=("201", "205", "201"))) == [
        ("lines", 4, "line", f"duplicate line 3 in budget '{FIRST}' (first at row 3)"),
        ("line_items", 3, "code", f"duplicate code '201' in budget '{FIRST}' (first at row 1)"),
    ]


def test_an_empty_key_cell_is_reported(tables):
    budgets, claims, lines = tables
    claims.loc[2, "claim_id"] = None
    lines.loc[0, "budget_id"] = None
    assert problems_of(budgets, claims, lines) == [
        ("claims", 3, "claim_id", "is required but empty"),
        ("lines", 1, "budget_id", "is required but empty"),
    ]


def test_a_budget_id_not_in_budgets_is_reported_in_every_table(tables):
    budgets, claims, lines = tables
    claims.loc[7, "budget_id"] = "anju-union-2025"
    lines.loc[10, "budget_id"] = "nowhere"
    problems = problems_of(budgets, claims.drop(columns=["department", "budget_year"]), lines,
                           _line_items(budget_id="elsewhere", codes=("201",)))
    assert problems == [
        ("claims", 8, "budget_id", "'anju-union-2025' is not a budget_id in budgets"),
        ("lines", 11, "budget_id", "'nowhere' is not a budget_id in budgets"),
        ("line_items", 1, "budget_id", "'elsewhere' is not a budget_id in budgets"),
    ]


def test_department_and_budget_year_must_be_their_budgets(tables):
    budgets, claims, lines = tables
    claims.loc[3, "department"] = "遂宁市教育局"
    claims.loc[90, "budget_year"] = 2022
    claims.loc[91, "department"] = None
    items = _line_items().assign(budget_year=2023)
    department = budgets.loc[0, "department"]
    assert problems_of(budgets, claims, lines, items) == [
        ("claims", 4, "department", f"is '遂宁市教育局', but budget '{FIRST}' has '{department}' (budgets, row 1)"),
        ("claims", 91, "budget_year", f"is 2022, but budget '{SECOND}' has 2023 (budgets, row 2)"),
        ("claims", 92, "department", f"is empty, but budget '{SECOND}' has '{department}' (budgets, row 2)"),
        ("line_items", 1, "budget_year", f"is 2023, but budget '{FIRST}' has 2022 (budgets, row 1)"),
        ("line_items", 2, "budget_year", f"is 2023, but budget '{FIRST}' has 2022 (budgets, row 1)"),
    ]


def test_values_that_cannot_be_typed_are_reported_by_row_and_field(tables):
    budgets, claims, lines = tables
    claims["year"] = claims["year"].astype(object)
    claims.loc[0, "value"] = "12.5万"
    claims.loc[1, "value"] = Decimal("1.23456")
    claims.loc[2, "value"] = 1.5
    claims.loc[3, "year"] = 2022.5
    claims.loc[4, "year"] = "二〇二二"
    budgets["budget_year"] = budgets["budget_year"].astype(object)
    budgets.loc[1, "budget_year"] = "2023年"
    items = _line_items().astype({"stated": object})
    items.loc[1, "stated"] = "yes"
    assert problems_of(budgets, claims, lines, items) == [
        ("budgets", 2, "budget_year", "'2023年' is not an integer"),
        ("claims", 1, "value", "'12.5万' is not a number (a str): give exact values as Decimal or int"),
        ("claims", 2, "value", "1.23456 has more than 4 decimals"),
        ("claims", 3, "value", "1.5 is a float: give exact values as Decimal or int"),
        ("claims", 4, "year", "2022.5 is not an integer"),
        ("claims", 5, "year", "'二〇二二' is not an integer"),
        ("line_items", 2, "stated", "'yes' is not true or false"),
    ]


def test_every_problem_is_reported_at_once_in_table_and_row_order(tables):
    budgets, claims, lines = tables
    budgets.loc[1, "budget_order"] = 0
    claims.loc[4, "claim_id"] = "c006-1"
    claims.loc[9, "budget_id"] = "anju-union-2030"
    claims.loc[12, "budget_year"] = 2019
    claims.loc[20, "value"] = "n/a"
    lines = lines.drop(columns=["text"])
    with pytest.raises(BudgetDataError) as raised:
        from_tables(budgets, claims, lines)
    problems = [(p.file, p.row, p.field, p.message) for p in raised.value.problems]
    assert problems == [
        ("budgets", 2, "budget_order", "duplicate budget_order 0 (first at row 1)"),
        ("claims", 5, "claim_id", f"duplicate claim_id 'c006-1' in budget '{FIRST}' (first at row 1)"),
        ("claims", 10, "budget_id", "'anju-union-2030' is not a budget_id in budgets"),
        ("claims", 13, "budget_year", f"is 2019, but budget '{FIRST}' has 2022 (budgets, row 1)"),
        ("claims", 21, "value", "'n/a' is not a number (a str): give exact values as Decimal or int"),
        ("lines", None, "text", "column is missing"),
    ]
    message = str(raised.value)
    assert message.startswith("6 problems in budget data:")
    assert "  - claims, row 5, field 'claim_id': duplicate claim_id 'c006-1'" in message
    frame = raised.value.to_frame()
    assert list(frame.columns) == ["file", "row", "field", "type", "message"]
    assert list(frame["type"]) == ["duplicate", "duplicate-in-budget", "not-a-budget", "disagrees", "not-a-number",
                                   "column-missing"]


def test_rows_are_counted_in_the_frame_given_whatever_its_index(tables):
    budgets, claims, lines = tables
    shuffled = claims.set_axis(range(1000, 1000 + len(claims)))  # an index that is not 0, 1, 2 …
    kept = from_tables(budgets, shuffled, lines)
    pd.testing.assert_frame_equal(kept.claims, from_tables(budgets, claims, lines).claims)
    shuffled.loc[1003, "claim_id"] = "c006-1"  # the 4th row of the frame
    assert problems_of(budgets, shuffled, lines) == [
        ("claims", 4, "claim_id", f"duplicate claim_id 'c006-1' in budget '{FIRST}' (first at row 1)")]


def test_the_error_counts_rows_of_the_frame(tables):
    budgets, claims, lines = tables
    repeated = claims.loc[2, "claim_id"]
    claims.loc[3, "claim_id"] = repeated
    with pytest.raises(BudgetDataError) as raised:
        from_tables(budgets, claims, lines)
    assert str(raised.value).splitlines()[1] == (
        f"  - claims, row 4, field 'claim_id': duplicate claim_id {repeated!r} in budget '{FIRST}' (first at row 3)")


def test_the_problems_are_written_in_chinese_by_default(tables):
    budgets, claims, lines = tables
    claims.loc[4, "claim_id"] = "c006-1"
    claims.loc[12, "budget_year"] = 2019
    claims.loc[20, "value"] = "n/a"
    lines = lines.drop(columns=["text"])
    with using_language("zh"):
        with pytest.raises(BudgetDataError) as raised:
            from_tables(budgets, claims, lines)
    message = str(raised.value)
    assert message.splitlines() == [
        "预算数据有 4 处问题：",
        f"  - claims 表第5行 字段“claim_id”：预算 '{FIRST}' 中 claim_id 'c006-1' 重复（首次出现在表第1行）",
        f"  - claims 表第13行 字段“budget_year”：为 2019，但预算 '{FIRST}' 为 2022（budgets 表第1行）",
        "  - claims 表第21行 字段“value”：'n/a' 不是数字（而是 str）：精确数值请以 Decimal 或 int 给出",
        "  - lines 字段“text”：缺少此列",
    ]
