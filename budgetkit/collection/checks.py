"""Long tables built elsewhere made into a collection, checked as load_many guarantees them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa

from ..schema import BudgetDataError, Problem, problem
from .columns import (KEY_COLUMNS, LINE_ITEM_COLUMNS, REQUIRED_COLUMNS, TABLE_KEYS, TABLES, missing, shown_value,
                      typed_frame)
from .frame import Collection

__all__ = ["from_tables"]


def from_tables(budgets: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame,
                line_items: pd.DataFrame | None = None) -> Collection:
    """A collection from long tables built elsewhere (a generator, another store).

    The tables are checked as :func:`load_many` guarantees them: each has its columns
    (``REQUIRED_COLUMNS``), every value can be typed, no key (``TABLE_KEYS``: budget_id in
    budgets, claim_id within a budget in claims …) is empty or repeated, every budget_id of
    claims, lines and line_items is in budgets, and where claims or line_items carry department
    and budget_year these are their budget's (where they do not, they are taken from budgets, so
    every table is keyed as load_many's). All problems are collected, then raised as one
    :class:`~budgetkit.schema.BudgetDataError` whose problems name the table (as ``file``), the
    row (1-based position in the frame given; None for the whole table), the field and what is wrong.
    """
    if line_items is None:
        line_items = pd.DataFrame(columns=[*KEY_COLUMNS, *LINE_ITEM_COLUMNS])
    given = {"budgets": budgets, "claims": claims, "lines": lines, "line_items": line_items}
    twice: dict[str, list[Problem]] = {name: [] for name in TABLES}
    for name, frame in given.items():
        repeated = frame.columns.duplicated()
        if repeated.any():  # the first of each, so that frame[column] is a column
            twice[name] = [problem(name, None, str(column), "collection.column-twice")
                           for column in frame.columns[repeated]]
            given[name] = frame.loc[:, ~repeated]
    problems: dict[str, list[Problem]] = {name: [] for name in TABLES}
    typed = {name: typed_frame(frame, name, problems[name]) for name, frame in given.items()}
    _check_tables(typed, problems)
    found = [problem for name in TABLES
             for problem in sorted(twice[name] + problems[name], key=lambda p: -1 if p.row is None else p.row)]
    if found:
        raise BudgetDataError([replace(problem, counts="row") for problem in found])
    for name in ("claims", "line_items"):
        typed[name] = _with_budget_keys(typed[name], typed["budgets"])
    return Collection(**typed)


def _with_budget_keys(frame: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """``frame`` keyed like from_budgets' tables: department and budget_year, when it lacks them,
    taken from its budget's row in ``budgets`` (checked: every budget_id is there, once)."""
    missing = [column for column in KEY_COLUMNS if column not in frame.columns]
    if not missing:
        return frame
    keys = budgets.set_index("budget_id")[missing].reindex(frame["budget_id"]).reset_index(drop=True)
    filled = pd.concat([frame, keys], axis=1)
    return filled[[*KEY_COLUMNS, *(column for column in frame.columns if column not in KEY_COLUMNS)]]


def _check_tables(tables: dict[str, pd.DataFrame], problems: dict[str, list[Problem]]) -> None:
    """Append to ``problems`` (by table) what from_tables checks beyond typing (``problems``
    holds the typing problems: a column that could not be typed is skipped)."""
    # keys are compared as integer codes (one pd.factorize per key column, a hash pass over its
    # values; pandas' duplicated and isin on the strings cost several times as much on millions of
    # rows); pandas is asked where the problems are only once there are some
    usable = {}
    for name, frame in tables.items():
        for column in REQUIRED_COLUMNS[name]:
            if column not in frame.columns:
                problems[name].append(problem(name, None, column, "data.column-missing"))
        failed = {p.field for p in problems[name]}
        usable[name] = {column for column in frame.columns if column not in failed}
    codes = {}  # (table, column) -> (codes, uniques); -1 for an empty cell
    for name, frame in tables.items():
        keyed = dict.fromkeys(c for key in TABLE_KEYS[name] for c in key if c in usable[name])
        for column in keyed:
            codes[name, column] = pd.factorize(frame[column])
            empty = np.flatnonzero(codes[name, column][0] < 0)
            problems[name] += [problem(name, int(row) + 1, column, "data.required-empty") for row in empty]
        for key in TABLE_KEYS[name]:
            if all(column in usable[name] for column in key):
                if _repeats(frame, [codes[name, column] for column in key]):
                    _report_repeats(frame, name, key, problems[name])
    if "budget_id" not in usable["budgets"]:
        return
    budgets = tables["budgets"]
    # each budget_id's row in budgets (its first, if it is repeated)
    ids, known_ids = codes["budgets", "budget_id"]
    first_rows = _first_rows(ids, len(known_ids))
    for name in ("claims", "lines", "line_items"):
        frame = tables[name]
        if "budget_id" not in usable[name] or frame.empty:
            continue
        mine, uniques = codes[name, "budget_id"]
        # the budgets row of each row of the table: -1 for an empty budget_id, -2 for one not in budgets
        found = pd.Index(known_ids).get_indexer(uniques)
        at = np.append(np.where(found >= 0, first_rows[found], -2), -1)[mine]
        unknown = np.flatnonzero(at == -2)
        problems[name] += [problem(name, int(row) + 1, "budget_id", "collection.not-a-budget", budget=repr(budget))
                           for row, budget in zip(unknown, frame["budget_id"].take(unknown))]
        for column in ("department", "budget_year"):
            if column in usable[name] and column in usable["budgets"]:
                _check_agrees(frame, budgets, name, column, at, problems[name])


def _first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """The first row of each of ``count`` codes (-1 in ``codes``: an empty cell)."""
    present = np.flatnonzero(codes >= 0)
    numbers, first = np.unique(codes[present], return_index=True)
    firsts = np.full(count, -1)
    firsts[numbers] = present[first]
    return firsts


def _repeats(frame: pd.DataFrame, key_codes: list[tuple[np.ndarray, object]]) -> bool:
    """Whether two rows share the codes of every key column (rows with an empty key cell aside)."""
    if len(key_codes) == 1:  # a value per code
        column_codes, uniques = key_codes[0]
        return len(uniques) < int(np.count_nonzero(column_codes >= 0))
    present = np.ones(len(frame), dtype=bool)
    combined = np.zeros(len(frame), dtype=np.int64)
    space = 1
    for column_codes, uniques in key_codes:
        present &= column_codes >= 0
        combined = combined * max(len(uniques), 1) + column_codes
        space *= max(len(uniques), 1)
    combined = combined[present]
    if space <= 4 * len(combined) + 2**20:  # a count per possible key, in one pass
        return bool(np.bincount(combined, minlength=space).max(initial=0) > 1)
    ordered = np.sort(combined)
    return bool((ordered[1:] == ordered[:-1]).any())


def _report_repeats(frame: pd.DataFrame, name: str, key: list[str], problems: list[Problem]) -> None:
    """A problem for each row whose ``key`` repeats an earlier row's (rows with an empty key cell are
    reported as such, not here), on the key's last column, naming the row it repeats."""
    repeated = frame.duplicated(subset=key, keep=False).to_numpy()
    rows = pd.DataFrame({column: frame[column].to_numpy()[repeated] for column in key})
    rows = rows.assign(row=np.flatnonzero(repeated) + 1).dropna(subset=key)
    rows["first"] = rows.groupby(key, sort=False)["row"].transform("min")
    field, within = key[-1], key[:-1]
    for record in rows[rows["row"] != rows["first"]].to_dict("records"):
        fields = {"field": field, "value": shown_value(record[field]), "first": record["first"]}
        if not within:
            problems.append(problem(name, int(record["row"]), field, "collection.duplicate", **fields))
        elif within == ["budget_id"]:  # every key of TABLE_KEYS but budgets': a claim_id within its budget …
            problems.append(problem(name, int(record["row"]), field, "collection.duplicate-in-budget",
                                    budget=repr(record["budget_id"]), **fields))
        else:
            problems.append(problem(name, int(record["row"]), field, "collection.duplicate-with",
                                    within=", ".join(f"{c} {shown_value(record[c])}" for c in within), **fields))


def _check_agrees(frame: pd.DataFrame, budgets: pd.DataFrame, name: str, column: str, at: np.ndarray,
                  problems: list[Problem]) -> None:
    """``column`` of each row of ``frame`` equals that of its budget's row ``at`` in budgets (rows
    whose budget is not known, ``at`` < 0, aside). Compared by Arrow: the typed columns are Arrow
    arrays already, and taking and comparing them there costs a fraction of pandas' ways."""
    import pyarrow.compute as pc

    known = np.flatnonzero(at >= 0)
    mine = pc.take(pa.array(frame[column].array), pa.array(known))
    theirs = pc.take(pa.array(budgets[column].array), pa.array(at[known]))
    same = pc.or_kleene(pc.equal(mine, theirs), pc.and_(pc.is_null(mine), pc.is_null(theirs)))
    differ = known[~pc.fill_null(same, False).to_numpy(zero_copy_only=False)]
    if not len(differ):
        return
    budget_rows = at[differ]
    for row, value, budget_row, budget, expected in zip(
            differ.tolist(), frame[column].take(differ).tolist(), budget_rows.tolist(),
            budgets["budget_id"].take(budget_rows).tolist(), budgets[column].take(budget_rows).tolist()):
        fields = {"budget": repr(budget), "expected": shown_value(expected), "row": budget_row + 1}
        if missing(value):
            problems.append(problem(name, row + 1, column, "collection.disagrees-empty", **fields))
        else:
            problems.append(problem(name, row + 1, column, "collection.disagrees", value=shown_value(value), **fields))
