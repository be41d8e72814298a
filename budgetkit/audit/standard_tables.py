"""The standard tables a disclosure's official tables must hold: each standard table of the kind its
tables are (``standard = true`` in data/official_tables.toml) is printed among them or declared empty
(空表说明, ``[empty_tables]`` there); one that is neither is a text finding, never an error.

The tables are read from the text claims point into, where extraction renders each table under its
title line (:data:`budgetkit.schema.TITLE_LINE`): a budget whose text holds no table (prose
alone, its tables perhaps published apart) gets no row. An explanation and its tables audited as one
budget are judged together, their declarations too. Precision first: when a table was read but its
title names no standard table, a standard table not found may be that one, so the budget is not judged
(the unrecognised table is in the extraction's notes); nor is a budget whose tables are of no one kind, nor one
that prints a single standard table (a 三公 notice with its table is no disclosure of all the tables)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..messages import text
from ..once import once
from ..schema import TITLE_LINE
from ..template import OfficialTable, empty_table_words, official_table, official_tables
from .engine import text_check
from .found import rows
from .rules import Rule
from .table import NONE, ClaimTable
from .texts import candidate_lines

__all__ = ["declared_empty", "standard_table_rows", "standard_tables"]

#: What every title line starts with: the lines without it need no closer look.
_TITLE_MARK = re.compile(r"^表[0-9]")


def standard_tables(kind: str) -> list[OfficialTable]:
    """The standard tables of a document of ``kind`` (budget, final-accounts), in the file's order."""
    return [table for table in official_tables().values() if table.standard and table.kind == kind]


@once
def _declaration_patterns() -> dict[str, re.Pattern]:
    """For each subject a 空表说明 names, the sentence that declares its table empty."""
    words = empty_table_words()
    none = "|".join(map(re.escape, words["none"]))
    empty = "|".join(map(re.escape, words["empty"]))
    gap, sentence = int(words["gap"]), int(words["sentence"])
    subjects = {name for table in official_tables().values() for name in table.empty_names}
    def pattern(subject: str) -> re.Pattern:
        named, within = re.escape(subject), f"[^。；;]{{0,{sentence}}}"
        return re.compile(rf"(?:{none})[^。；;，,]{{0,{gap}}}{named}|{named}{within}(?:{empty})|(?:{empty}){within}{named}")

    return {subject: pattern(subject) for subject in sorted(subjects)}


def declared_empty(line: str) -> set[str]:
    """The subjects (政府性基金 …) ``line`` declares to have no table of their own (空表说明)."""
    return {subject for subject, pattern in _declaration_patterns().items() if pattern.search(line)}


@text_check("standard-tables")
def standard_table_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """For each budget whose text holds tables of one kind: a text row for each standard table neither
    printed nor declared empty, or one consistent row when none is missing. Not judged (no row) when a
    table's title was not recognised and a standard table is not found: that table may be the one."""
    budget_of = lines["b"].to_numpy(dtype="int64")
    texts = lines["text"]
    printed: dict[int, list[tuple[str, str]]] = {}  # budget → (table number, title) of each table
    for at in candidate_lines(texts, _TITLE_MARK).tolist():
        if match := TITLE_LINE.match(str(texts.iloc[at])):
            printed.setdefault(int(budget_of[at]), []).append((match.group(1), match.group(2)))
    declared: dict[int, set[str]] = {}
    subjects = re.compile("|".join(map(re.escape, _declaration_patterns())))
    candidates = candidate_lines(texts, subjects)
    # only a budget whose text holds tables is judged: the others' declarations need no reading
    candidates = candidates[np.isin(budget_of[candidates], np.fromiter(printed, dtype="int64", count=len(printed)))]
    for at in candidates.tolist():
        b = int(budget_of[at])
        # a sentence a PDF wraps goes on in the next line
        following = str(texts.iloc[at + 1]) if at + 1 < len(texts) and budget_of[at + 1] == b else ""
        declared.setdefault(b, set()).update(declared_empty(str(texts.iloc[at]) + following))
    hits: dict[str, list] = {"b": [], "verdict": [], "explanation": []}
    for b, tables in printed.items():
        for verdict, explanation in _judged(tables, declared.get(b, set())):
            hits["b"].append(b)
            hits["verdict"].append(verdict)
            hits["explanation"].append(explanation)
    count = len(hits["b"])
    return rows(b=np.asarray(hits["b"], dtype="int64"), claim=np.full(count, NONE, dtype="int64"),
                verdict=hits["verdict"], unit="", section=[""] * count, quote=[""] * count,
                explanation=hits["explanation"], order=np.full(count, NONE, dtype="int64"),
                seq=np.arange(count, dtype="int64"))


def _judged(tables: list[tuple[str, str]], declared: set[str]) -> list[tuple[str, str]]:
    """The rows of one budget, whose tables are ``tables`` (number, title) and whose text declares the
    subjects ``declared`` empty: (verdict, explanation) each."""
    found = [official_table(title) for _, title in tables]
    kinds = {spec.kind for spec in found if spec is not None}
    if len(kinds) != 1:
        return []  # tables of no one kind: which tables are standard cannot be told
    kind = kinds.pop()
    kind_name = text(f"data.kind-{kind}")
    present = {spec.id for spec in found if spec is not None}
    if len(present) < 2:
        return []  # one table alone is a notice of its subject (a 三公 notice and its table), not a disclosure's
    standard = standard_tables(kind)
    missing = [entry for entry in standard if entry.id not in present and not declared & set(entry.empty_names)]
    if missing and None in found:
        return []  # a table whose title was not recognised may be a missing one: not judged
    return ([("text", text("audit.standard-table-missing", title=entry.titles[0], kind=kind_name)) for entry in missing]
            or [("consistent", text("audit.standard-tables-complete", count=len(standard), kind=kind_name))])
