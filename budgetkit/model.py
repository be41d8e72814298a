"""The budget model: one :class:`Budget` whose attributes are typed pandas DataFrames.

Its claims table is read row by row, as typed records, by :mod:`budgetkit.claims`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .numbers import MONEY_UNITS, PLACEHOLDER_PATTERN, FigureError, parse_figure, wan_yuan_to_yuan
from .schema import (
    BudgetDataError,
    Problem,
    bundled_data_dir,
    decimal_array,
    read_descriptor,
    read_table,
    read_text,
)

__all__ = ["Budget", "load", "to_yuan"]

LEVEL_BY_LENGTH = {3: "类", 5: "款", 7: "项"}

#: Where a quote around a figure ends: the clause delimiters of Chinese running text.
_CLAUSE_BREAK = re.compile(r"[，,、；;。：:]")
#: A clause shorter than this (such as "占98.46%") is quoted with the clause before it.
_SHORT_CLAUSE = 12


@dataclass
class Budget:
    """A department's budget explanation: its figures as stated, and what they describe.

    - ``claims``: every figure as printed, with its locator, kind, measure and unit;
    - ``line_items``: the functional classification 类/款/项 with parents, purposes and amounts;
    - ``measures``: the vocabulary of quantities the template states.
    Analysis tables (``income``, ``expenditure`` …) are views of the claims.
    """

    department: str
    year: int
    prior_year: int
    source: Path
    raw_text: str
    claims: pd.DataFrame
    line_items: pd.DataFrame
    measures: pd.DataFrame
    rules_path: Path
    descriptor: dict = field(repr=False)
    #: What extraction from a raw document could not read (budgetkit.extract); None for a data package.
    extraction: object | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"<Budget {self.department} {self.year}: {len(self.claims)} claims, "
            f"{len(self.line_items)} line items>"
        )

    # -- analysis tables --------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """The claims of one analysis table (``measures.table``), money in 万元 as printed."""
        measures = self.measures.loc[self.measures["table"] == name, "measure"]
        if measures.empty:
            known = ", ".join(sorted(self.measures["table"].unique()))
            raise KeyError(f"no table {name!r}; tables are: {known}")
        rows = self.claims[self.claims["measure"].isin(measures)]
        columns = ["claim_id", "section", "kind", "measure", "code", "label", "year", "value", "unit", "decimals", "text"]
        frame = rows[columns].reset_index(drop=True)
        # narrow the shared 4-decimal scale to what these figures were printed with
        return frame.assign(value=decimal_array(list(frame["value"].map(_none_if_missing)), min_scale=0))

    @property
    def income(self) -> pd.DataFrame:
        """收入: income by source, with the stated total."""
        return self.table("income")

    @property
    def expenditure(self) -> pd.DataFrame:
        """支出: basic and project expenditure, with the stated total and shares."""
        return self.table("expenditure")

    @property
    def basic_expenditure(self) -> pd.DataFrame:
        """一般公共预算基本支出: personnel and public costs."""
        return self.table("basic")

    @property
    def three_public(self) -> pd.DataFrame:
        """“三公”经费 and its parts, with prior-year figures and changes."""
        return self.table("three_public")

    @property
    def meeting_training_travel(self) -> pd.DataFrame:
        """会议费、培训费、差旅费, with prior-year figures and changes."""
        return self.table("meeting_training_travel")

    @property
    def work_targets(self) -> pd.DataFrame:
        """The quantified work targets of section 一（二）."""
        return self.table("work_targets")

    # -- the functional classification ---------------------------------------------------
    def children(self, code: str) -> pd.DataFrame:
        """The line items one level below ``code``."""
        return self.line_items[self.line_items["parent_code"] == code].reset_index(drop=True)

    def rollup(self, level: str = "类") -> pd.DataFrame:
        """Sum the 项 amounts up to ``level`` (类 or 款), exactly; stated amounts stand beside."""
        if level not in ("类", "款", "项"):
            raise ValueError(f"level must be 类, 款 or 项, not {level!r}")
        width = {"类": 3, "款": 5, "项": 7}[level]
        leaves = self.line_items[self.line_items["level"] == "项"]
        sums = (
            leaves.assign(code=leaves["code"].str.slice(0, width))
            .groupby("code", sort=True)["amount_wan_yuan"]
            .agg(lambda amounts: sum(amounts.dropna(), Decimal(0)))
        )
        items = self.line_items[self.line_items["level"] == level].set_index("code")
        frame = pd.DataFrame(
            {
                "code": items.index.astype("str"),
                "name": items["name"].to_numpy(),
                "stated_wan_yuan": items["amount_wan_yuan"].to_numpy(),
                "from_items_wan_yuan": decimal_array([sums.get(code) for code in items.index]).to_numpy(),
            }
        )
        return frame.reset_index(drop=True)

    # -- the audit ----------------------------------------------------------------------
    def audit(self) -> pd.DataFrame:
        """Evaluate every rule on this budget: one row per evaluation, passes included."""
        from .audit import audit

        return audit(self)


def _none_if_missing(value):
    return None if pd.isna(value) else value


def to_yuan(amounts_wan_yuan: pd.Series) -> pd.Series:
    """Convert a column of 万元 to 元, exactly (×10 000); the name says the new unit."""
    converted = decimal_array([None if pd.isna(v) else wan_yuan_to_yuan(v) for v in amounts_wan_yuan])
    name = str(amounts_wan_yuan.name or "amount")
    converted.index = amounts_wan_yuan.index
    return converted.rename(name.replace("wan_yuan", "yuan") if "wan_yuan" in name else f"{name}_yuan")


def quote_around(line: str, start: int, end: int) -> str:
    """The clause of ``line`` that holds characters ``start:end`` (with the clause before, if short)."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(line)]
    before = [b for b in breaks if b < start]
    after = [b for b in breaks if b >= end]
    begin = before[-1] + 1 if before else 0
    if end - begin + (after[0] - end if after else len(line) - end) < _SHORT_CLAUSE and before:
        begin = before[-2] + 1 if len(before) > 1 else 0
    finish = after[0] if after else len(line)
    return line[begin:finish].strip()


def _resource(descriptor: dict, name: str) -> dict | None:
    for resource in descriptor.get("resources", []):
        if resource.get("name") == name:
            return resource
    return None


def load(path: str | Path | None = None) -> Budget:
    """Load a budget data package: the bundled 2024 budget with no argument, else ``path``.

    ``path`` is a folder holding ``datapackage.json`` (or that file itself). Tables are
    validated against the schemas budgetkit declares; every problem is reported at once in
    one :class:`BudgetDataError` naming file, line and field.
    """
    bundled = bundled_data_dir()
    if path is None:
        package_dir = bundled
    else:
        package_dir = Path(path)
        if package_dir.name == "datapackage.json":
            package_dir = package_dir.parent
        if not package_dir.exists():
            raise BudgetDataError([Problem(str(package_dir), None, None, "no such file or folder")])
    reference = read_descriptor(bundled)
    descriptor = read_descriptor(package_dir) if package_dir != bundled else reference
    problems: list[Problem] = []
    descriptor_path = str(package_dir / "datapackage.json")

    budget_meta = descriptor.get("budget", {})
    for key in ("department", "year", "document"):
        if key not in budget_meta:
            problems.append(Problem(descriptor_path, None, f"budget.{key}", "is missing"))

    tables: dict[str, pd.DataFrame | None] = {}
    for name in ("measures", "claims", "line_items"):
        declared = _resource(reference, name)
        resource = _resource(descriptor, name)
        if resource is None and name == "measures":
            directory, resource = bundled, declared  # the template's vocabulary, shared by all budgets
        elif resource is None:
            problems.append(Problem(descriptor_path, None, f"resources.{name}", "resource is missing"))
            tables[name] = None
            continue
        else:
            directory = package_dir
        tables[name] = read_table(directory / resource["path"], declared["schema"], problems)

    raw_text = ""
    document = _resource(descriptor, budget_meta.get("document", ""))
    if "document" in budget_meta and document is None:
        problems.append(Problem(descriptor_path, None, "budget.document", f"names no resource {budget_meta['document']!r}"))
    elif document is not None:
        raw_path = package_dir / document["path"]
        if not raw_path.is_file():
            problems.append(Problem(str(raw_path), None, None, "file not found"))
        else:
            try:
                raw_text = read_text(raw_path)
            except BudgetDataError as error:
                problems.extend(error.problems)

    measures, claims, line_items = tables["measures"], tables["claims"], tables["line_items"]
    if measures is not None and claims is not None:
        _check_claims(claims, measures, raw_text, str(package_dir / "claims.csv"), problems)
    if line_items is not None:
        _check_line_items(line_items, raw_text, str(package_dir / "line_items.csv"), problems)
    if problems:
        raise BudgetDataError(problems)

    lines = raw_text.split("\n")
    claims = claims.assign(
        quote=pd.Series(
            [quote_around(lines[line - 1], start, end) for line, start, end in
             zip(claims["line"], claims["char_start"], claims["char_end"])],
            dtype="str",
        )
    )
    line_items = _attach_amounts(line_items, claims)
    return Budget(
        department=str(budget_meta["department"]),
        year=int(budget_meta["year"]),
        prior_year=int(budget_meta.get("prior_year", int(budget_meta["year"]) - 1)),
        source=package_dir,
        raw_text=raw_text,
        claims=claims.drop(columns="_line"),
        line_items=line_items.drop(columns="_line"),
        measures=measures.drop(columns="_line"),
        rules_path=package_dir / "rules.toml" if (package_dir / "rules.toml").is_file() else bundled / "rules.toml",
        descriptor=descriptor,
    )


def _check_claims(claims: pd.DataFrame, measures: pd.DataFrame, raw_text: str, name: str,
                  problems: list[Problem]) -> None:
    known = set(measures["measure"].dropna())
    ids = set(claims["claim_id"].dropna())
    lines = raw_text.split("\n") if raw_text else []
    for at, row in zip(claims["_line"], claims.drop(columns="_line").itertuples(index=False)):
        for column in ("measure", "base_measure"):
            value = getattr(row, column)
            if isinstance(value, str) and value not in known:
                problems.append(Problem(name, at, column, f"unknown measure {value!r}"))
        for column in ("ref_claim_id", "base_claim_id"):
            value = getattr(row, column)
            if isinstance(value, str) and value not in ids:
                problems.append(Problem(name, at, column, f"refers to no claim {value!r}"))
        text = row.text
        if not isinstance(text, str):
            continue
        if pd.isna(row.value):
            if not PLACEHOLDER_PATTERN.search(text):
                problems.append(Problem(name, at, "value", "is empty, but the text is not a template placeholder"))
        else:
            try:
                figure = parse_figure(text)
            except FigureError as error:
                problems.append(Problem(name, at, "text", str(error)))
            else:
                if figure.value != row.value:
                    problems.append(Problem(name, at, "value", f"{row.value} disagrees with the printed text {text!r}"))
                printed = figure.decimals
                stated = None if pd.isna(row.decimals) else int(row.decimals)
                if printed != stated:
                    problems.append(Problem(name, at, "decimals", f"is {stated}, but {text!r} has {printed}"))
        if row.kind == "share" and not isinstance(row.base_measure, str):
            problems.append(Problem(name, at, "base_measure", "a share must name the whole it is of"))
        if row.kind == "change" and pd.isna(row.direction):
            problems.append(Problem(name, at, "direction", "a change must state its direction"))
        if row.kind == "change" and pd.isna(row.base_year):
            problems.append(Problem(name, at, "base_year", "a change must state the year it compares with"))
        if isinstance(row.code, str) and len(row.code) not in LEVEL_BY_LENGTH:
            problems.append(Problem(name, at, "code", f"{row.code!r} is not a 类, 款 or 项 code"))
        if lines and not pd.isna(row.line):
            if row.line > len(lines):
                problems.append(Problem(name, at, "line", f"the document has only {len(lines)} lines"))
            elif lines[row.line - 1][row.char_start:row.char_end] != text:
                found = lines[row.line - 1][row.char_start:row.char_end]
                problems.append(Problem(name, at, "char_start", f"the document has {found!r} here, not {text!r}"))


def _check_line_items(items: pd.DataFrame, raw_text: str, name: str, problems: list[Problem]) -> None:
    codes = set(items["code"].dropna())
    lines = raw_text.split("\n") if raw_text else []
    for at, row in zip(items["_line"], items.drop(columns="_line").itertuples(index=False)):
        code = row.code
        if not isinstance(code, str):
            continue
        level = LEVEL_BY_LENGTH.get(len(code))
        if isinstance(row.level, str) and level != row.level:
            problems.append(Problem(name, at, "level", f"is {row.level}, but code {code} is a {level}"))
        expected_parent = code[:-2] if len(code) > 3 else None
        parent = row.parent_code if isinstance(row.parent_code, str) else None
        if parent != expected_parent:
            problems.append(Problem(name, at, "parent_code", f"is {parent!r}, but the parent of {code} is {expected_parent!r}"))
        elif parent is not None and parent not in codes:
            problems.append(Problem(name, at, "parent_code", f"parent {parent} of {code} is not in the table"))
        if lines and isinstance(row.name, str) and not pd.isna(row.line):
            if row.line > len(lines) or row.name not in lines[row.line - 1]:
                problems.append(Problem(name, at, "name", f"{row.name!r} is not printed on line {row.line}"))


def _attach_amounts(items: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Each line item's stated 当年拨款 amount, from its claim; missing where the document states none."""
    stated = claims[(claims["measure"] == "appropriation_by_function") & (claims["kind"] != "share")]
    # a document printed in 元 or 亿元 still gives amounts in 万元, exactly
    by_code = {code: value * MONEY_UNITS[unit] for code, value, unit in zip(stated["code"], stated["value"], stated["unit"])}
    amounts = [by_code.get(code) for code in items["code"]]
    return items.assign(amount_wan_yuan=decimal_array(amounts).to_numpy(),
                        stated=pd.Series([a is not None for a in amounts], dtype="bool").to_numpy())
