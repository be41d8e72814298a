"""The budget model: one :class:`Budget` whose attributes are typed pandas DataFrames.

Its claims table is read row by row, as typed records, by :mod:`budgetkit.claims`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .messages import text as message
from .names import name_key
from .numbers import MONEY_UNITS, PLACEHOLDER_PATTERN, FigureError, parse_figure, wan_yuan_to_yuan
from .schema import (
    BudgetDataError,
    Problem,
    Table,
    bundled_data_dir,
    bundled_rules_path,
    bundled_descriptor,
    decimal_array,
    parse_table,
    problem,
    read_descriptor,
    read_text,
    UNKNOWN_KIND,
)
from .template import LEVEL_BY_WIDTH, LEVEL_WIDTHS

__all__ = ["Budget", "load", "load_in_memory", "quote_around", "to_yuan"]

#: Where a quote around a figure ends: the clause delimiters of Chinese running text.
#: Clause delimiters; an ASCII comma between a digit and three more (15,844.04) separates thousands instead.
_CLAUSE_BREAK = re.compile(r"[，、；;。：:]|(?<!\d),|,(?!\d{3}(?!\d))")
#: A clause shorter than this (such as "占98.46%") is quoted with the clause before it.
_SHORT_CLAUSE = 12


@dataclass
class Budget:
    """A department's budget explanation: its figures as stated, and what they describe.

    - ``claims``: every figure as printed, with its locator, kind, measure and unit;
    - ``line_items``: the functional classification 类/款/项 with parents, purposes and amounts;
    - ``measures``: the vocabulary of quantities the template states;
    - ``table_cells``: every figure of the official tables, keyed to a measure or not, with its place.
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
    #: Every figure of the official tables (table_cells.csv): table, row, column, headings, page, box,
    #: the measure it is keyed to (or none). Empty for an explanation without tables.
    table_cells: pd.DataFrame | None = field(default=None, repr=False)
    #: budget (预算), final-accounts (决算) or unknown: datapackage.json's ``budget.document_kind``, or
    #: what extraction recognised; ``year`` is the budget year of a budget, the accounts year of final accounts.
    document_kind: str = UNKNOWN_KIND
    #: Why the kind is what it is (extraction's reason, or that the package does not state it); None when stated.
    document_kind_reason: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        # 预算 or 决算 as the document is one (kind-budget, kind-final-accounts, kind-unknown)
        return message("data.budget-repr", kind=message(f"data.kind-{self.document_kind}"), department=self.department,
                       year=self.year, claims=len(self.claims), line_items=len(self.line_items))

    # -- analysis tables --------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """The claims of one analysis table (``measures.table``: ``three-public``, or ``three_public``),
        money in 万元 as printed."""
        measures = self.measures.loc[self.measures["table"] == name_key(name), "measure"]
        if measures.empty:
            known = ", ".join(sorted(self.measures["table"].unique()))
            raise KeyError(message("data.no-table", name=repr(name), known=known))
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
        return self.table("three-public")

    @property
    def meeting_training_travel(self) -> pd.DataFrame:
        """会议费、培训费、差旅费, with prior-year figures and changes."""
        return self.table("meeting-training-travel")

    @property
    def work_targets(self) -> pd.DataFrame:
        """The quantified work targets of section 一（二）."""
        return self.table("work-targets")

    # -- the functional classification ---------------------------------------------------
    def children(self, code: str) -> pd.DataFrame:
        """The line items one level below ``code``."""
        return self.line_items[self.line_items["parent_code"] == code].reset_index(drop=True)

    def rollup(self, level: str = "类") -> pd.DataFrame:
        """Sum the 项 amounts up to ``level`` (类 or 款), exactly; stated amounts stand beside."""
        if level not in LEVEL_WIDTHS:
            raise ValueError(message("data.level-unknown", level=repr(level)))
        width = LEVEL_WIDTHS[level]
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


def quote_around(line: str, start: int, end: int, breaks: list[int] | None = None) -> str:
    """The clause of ``line`` that holds characters ``start:end`` (with the clause before, if short).

    ``breaks``: the line's clause delimiters' positions, when a caller quotes many figures of one line
    (found once, then searched by bisection: linear in the line, not in the line times its figures)."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(line)] if breaks is None else breaks
    first_after = bisect.bisect_left(breaks, end)
    last_before = bisect.bisect_left(breaks, start)  # breaks[:last_before] < start
    begin = breaks[last_before - 1] + 1 if last_before else 0
    after = breaks[first_after] if first_after < len(breaks) else None
    if end - begin + (after - end if after is not None else len(line) - end) < _SHORT_CLAUSE and last_before:
        begin = breaks[last_before - 2] + 1 if last_before > 1 else 0
    finish = after if after is not None else len(line)
    return line[begin:finish].strip()


def _quotes(lines: list[str], locators) -> list[str]:
    """quote_around for every (line, start, end), each line's delimiters found once."""
    breaks: dict[int, list[int]] = {}
    quotes = []
    for line, start, end in locators:
        if line not in breaks:
            breaks[line] = [m.start() for m in _CLAUSE_BREAK.finditer(lines[line - 1])]
        quotes.append(quote_around(lines[line - 1], start, end, breaks[line]))
    return quotes


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
            raise BudgetDataError([problem(str(package_dir), None, None, "data.no-such-path")])
    descriptor = read_descriptor(package_dir) if package_dir != bundled else bundled_descriptor()
    return _load_package(package_dir, descriptor, _read_file)


def load_in_memory(package_dir: Path, descriptor: dict, texts: dict[str, str]) -> Budget:
    """A package whose files are held in memory, validated exactly as :func:`load` validates files.

    ``texts`` maps resource paths (``claims.csv``, ``raw/x.txt``) to their text; problems name
    them under ``package_dir``, which need not exist. What extraction uses instead of writing
    a package to a temporary folder and loading it.
    """
    # as read_text would read the text back from a UTF-8 file: a leading BOM is not part of it
    held = {package_dir / name: text.removeprefix("\ufeff") for name, text in texts.items()}
    return _load_package(package_dir, descriptor, lambda path: held[path] if path in held else _read_file(path))


def _inside(package_dir: Path, relative, where: str, descriptor_path: str, problems: list[Problem]) -> Path | None:
    """The file a descriptor names, if it lies inside the package folder: a relative path with no '..'
    that no link leads out of. Anything else is a problem naming the field, never the outside file's content."""
    if not isinstance(relative, str) or not relative:
        problems.append(problem(descriptor_path, None, where, "data.path-not-text"))
        return None
    path = Path(relative)
    if path.is_absolute() or ".." in path.parts or "\\" in relative:
        problems.append(problem(descriptor_path, None, where, "data.path-outside", path=repr(relative)))
        return None
    root = package_dir.resolve()
    target = (package_dir / path).resolve()
    if target != root and root not in target.parents:
        problems.append(problem(descriptor_path, None, where, "data.path-link-out", path=repr(relative)))
        return None
    return target


def _read_file(path: Path) -> str | None:
    """A text file's text; None when there is no such file."""
    return read_text(path) if path.is_file() else None


def _read(read: Callable[[Path], str | None], path: Path, problems: list[Problem]) -> str | None:
    try:
        text = read(path)
    except BudgetDataError as error:
        problems.extend(error.problems)
        return None
    if text is None:
        problems.append(problem(str(path), None, None, "data.file-not-found"))
    return text


@lru_cache(maxsize=4)
def _bundled_measures(path: Path, mtime_ns: int, size: int) -> tuple[Table | None, tuple[Problem, ...]]:
    """The template's vocabulary, shared by every budget: parsed once per process (again if the file changes)."""
    problems: list[Problem] = []
    schema = _resource(bundled_descriptor(), "measures")["schema"]
    text = _read(_read_file, path, problems)
    return (parse_table(text, str(path), schema, problems) if text is not None else None), tuple(problems)


def _load_package(package_dir: Path, descriptor: dict, read: Callable[[Path], str | None]) -> Budget:
    bundled = bundled_data_dir()
    reference = bundled_descriptor()
    problems: list[Problem] = []
    descriptor_path = str(package_dir / "datapackage.json")

    budget_meta = descriptor.get("budget", {})
    for key in ("department", "year", "document"):
        if key not in budget_meta:
            problems.append(problem(descriptor_path, None, f"budget.{key}", "data.is-missing"))

    tables: dict[str, Table | None] = {}
    for name in ("measures", "claims", "line_items", "table_cells"):
        declared = _resource(reference, name)
        resource = _resource(descriptor, name)
        if resource is None and name == "measures":
            directory, resource = bundled, declared  # the template's vocabulary, shared by all budgets
        elif resource is None and name == "table_cells":  # a package made before tables were read, or by hand
            tables[name] = parse_table(",".join(f["name"] for f in declared["schema"]["fields"]) + "\n",
                                       name, declared["schema"], problems)
            continue
        elif resource is None:
            problems.append(problem(descriptor_path, None, f"resources.{name}", "data.resource-missing"))
            tables[name] = None
            continue
        else:
            directory = package_dir
            if _inside(package_dir, resource.get("path"), f"resources.{name}.path", descriptor_path, problems) is None:
                tables[name] = None
                continue
        path = directory / resource["path"]
        if name == "measures" and directory == bundled and resource["path"] == declared["path"] and path.is_file():
            stat = path.stat()
            tables[name], found = _bundled_measures(path, stat.st_mtime_ns, stat.st_size)
            problems.extend(found)
            continue
        text = _read(read, path, problems)
        tables[name] = parse_table(text, str(path), declared["schema"], problems) if text is not None else None

    raw_text = ""
    document = _resource(descriptor, budget_meta.get("document", ""))
    if "document" in budget_meta and document is None:
        problems.append(problem(descriptor_path, None, "budget.document", "data.names-no-resource",
                                name=repr(budget_meta["document"])))
    elif document is not None:
        where = f"resources.{budget_meta['document']}.path"
        if _inside(package_dir, document.get("path"), where, descriptor_path, problems) is not None:
            raw_text = _read(read, package_dir / document["path"], problems) or ""

    measures, claims, line_items = tables["measures"], tables["claims"], tables["line_items"]
    if measures is not None and claims is not None:
        _check_claims(claims, measures, raw_text, str(package_dir / "claims.csv"), problems)
    if tables["table_cells"] is not None and claims is not None:
        _check_table_cells(tables["table_cells"], claims, raw_text, str(package_dir / "table_cells.csv"), problems)
    if line_items is not None:
        _check_line_items(line_items, raw_text, str(package_dir / "line_items.csv"), problems)
    if problems:
        raise BudgetDataError(problems)

    lines = raw_text.split("\n")
    quotes = _quotes(lines, zip(claims.columns["line"], claims.columns["char_start"], claims.columns["char_end"]))
    return Budget(
        department=str(budget_meta["department"]),
        year=int(budget_meta["year"]),
        prior_year=int(budget_meta.get("prior_year", int(budget_meta["year"]) - 1)),
        source=package_dir,
        raw_text=raw_text,
        claims=claims.frame(quote=pd.array(quotes, dtype="str")),
        line_items=_attach_amounts(line_items, claims),
        measures=measures.frame(),  # a DataFrame of its own (pandas copies the arrays the budgets share)
        table_cells=tables["table_cells"].frame(),
        rules_path=package_dir / "rules.toml" if (package_dir / "rules.toml").is_file() else bundled_rules_path(),
        descriptor=descriptor,
        document_kind=str(budget_meta.get("document_kind", UNKNOWN_KIND)),
        document_kind_reason=None if "document_kind" in budget_meta else message("data.kind-not-stated"),
    )


_CLAIM_CHECKED = ["measure", "base_measure", "ref_claim_id", "base_claim_id", "text", "value", "decimals", "kind",
                 "direction", "base_year", "code", "line", "char_start", "char_end"]


def _check_claims(claims: Table, measures: Table, raw_text: str, name: str, problems: list[Problem]) -> None:
    # on the parsed cells (None where empty), not the DataFrame: reading a frame cell by cell is slow
    known = {measure for measure in measures.columns["measure"] if measure is not None}
    ids = {claim_id for claim_id in claims.columns["claim_id"] if claim_id is not None}
    lines = raw_text.split("\n") if raw_text else []
    for index, (at, row) in enumerate(claims.rows(_CLAIM_CHECKED)):
        for column in ("measure", "base_measure"):
            value = getattr(row, column)
            if isinstance(value, str) and value not in known:
                problems.append(problem(name, at, column, "data.unknown-measure", value=repr(value)))
        for column in ("ref_claim_id", "base_claim_id"):
            value = getattr(row, column)
            if isinstance(value, str) and value not in ids:
                problems.append(problem(name, at, column, "data.no-such-claim", value=repr(value)))
        text = row.text
        if not isinstance(text, str):
            continue
        if row.value is None:
            if not PLACEHOLDER_PATTERN.search(text):
                problems.append(problem(name, at, "value", "data.value-empty"))
        else:
            try:
                figure = parse_figure(text)
            except FigureError as error:
                problems.append(problem(name, at, "text", error.key, **error.fields))
            else:
                if figure.value != row.value:
                    shown = claims.frame()["value"].iloc[index]  # as the table holds it, at the column's scale
                    problems.append(problem(name, at, "value", "data.value-disagrees", value=shown, text=repr(text)))
                printed = figure.decimals
                stated = row.decimals
                if printed != stated:
                    problems.append(problem(name, at, "decimals", "data.decimals-disagree", stated=stated,
                                            text=repr(text), printed=printed))
        if row.kind == "share" and not isinstance(row.base_measure, str):
            problems.append(problem(name, at, "base_measure", "data.share-needs-base"))
        if row.kind == "change" and row.direction is None:
            problems.append(problem(name, at, "direction", "data.change-needs-direction"))
        if row.kind == "change" and row.base_year is None:
            problems.append(problem(name, at, "base_year", "data.change-needs-base-year"))
        if isinstance(row.code, str) and len(row.code) not in LEVEL_BY_WIDTH:
            problems.append(problem(name, at, "code", "data.code-not-classification", code=repr(row.code)))
        # a locator with an empty cell is reported as such above; it points nowhere to compare
        if lines and row.line is not None and row.char_start is not None and row.char_end is not None:
            if row.line > len(lines):
                problems.append(problem(name, at, "line", "data.line-beyond", count=len(lines)))
            elif lines[row.line - 1][row.char_start:row.char_end] != text:
                found = lines[row.line - 1][row.char_start:row.char_end]
                problems.append(problem(name, at, "char_start", "data.locator-misses", found=repr(found),
                                        text=repr(text)))


def _check_table_cells(cells: Table, claims: Table, raw_text: str, name: str, problems: list[Problem]) -> None:
    """A cell's claim is a claim of the package, and its locator points at the figure it prints."""
    ids = {claim_id for claim_id in claims.columns["claim_id"] if claim_id is not None}
    lines = raw_text.split("\n") if raw_text else []
    for at, row in cells.rows(["claim_id", "text", "line", "char_start", "char_end"]):
        if isinstance(row.claim_id, str) and row.claim_id not in ids:
            problems.append(problem(name, at, "claim_id", "data.no-such-claim", value=repr(row.claim_id)))
        if lines and isinstance(row.text, str) and None not in (row.line, row.char_start, row.char_end):
            if row.line > len(lines) or lines[row.line - 1][row.char_start:row.char_end] != row.text:
                problems.append(problem(name, at, "char_start", "data.cell-locator-misses", text=repr(row.text)))


def _check_line_items(items: Table, raw_text: str, name: str, problems: list[Problem]) -> None:
    codes = {code for code in items.columns["code"] if code is not None}
    lines = raw_text.split("\n") if raw_text else []
    for at, row in items.rows(["code", "level", "parent_code", "name", "line"]):
        code = row.code
        if not isinstance(code, str):
            continue
        level = LEVEL_BY_WIDTH.get(len(code))
        if isinstance(row.level, str) and level != row.level:
            problems.append(problem(name, at, "level", "data.level-disagrees", stated=row.level, code=code,
                                    level=level))
        expected_parent = code[:-2] if len(code) > 3 else None
        parent = row.parent_code if isinstance(row.parent_code, str) else None
        if parent != expected_parent:
            problems.append(problem(name, at, "parent_code", "data.parent-wrong", parent=repr(parent), code=code,
                                    expected=repr(expected_parent)))
        elif parent is not None and parent not in codes:
            problems.append(problem(name, at, "parent_code", "data.parent-missing", parent=parent, code=code))
        if lines and isinstance(row.name, str) and row.line is not None:
            if row.line > len(lines) or row.name not in lines[row.line - 1]:
                problems.append(problem(name, at, "name", "data.name-not-on-line", name=repr(row.name), line=row.line))


def _attach_amounts(items: Table, claims: Table) -> pd.DataFrame:
    """Each line item's stated 当年拨款 amount, from its claim; missing where the document states none."""
    # a document printed in 元 or 亿元 still gives amounts in 万元, exactly
    # (an amount printed as a placeholder, ××万元, states none)
    by_code = {code: None if value is None else value * MONEY_UNITS[unit] for _, (code, value, unit, measure, kind)
               in claims.rows(["code", "value", "unit", "measure", "kind"])
               if measure == "appropriation_by_function" and kind in ("amount", "total")}  # not its change
    amounts = [by_code.get(code) for code in items.columns["code"]]
    return items.frame(amount_wan_yuan=decimal_array(amounts).array,
                       stated=np.array([a is not None for a in amounts], dtype="bool"))
