"""The budget template's knowledge, read once from ``data/``: nothing else re-lists it.

- ``measures.csv``: every quantity the template states: its label, unit, table, whether its figure
  of the year is stated as a total, and the whole a bare 占X% after it is a share of;
- ``template.toml``: the money units and their factors to 万元, the classification levels and
  their code widths, the words that pair an explanation's file with its tables', the words that tell
  a budget (预算) from final accounts (决算);
- ``rules.toml`` (a package's own, else the bundled one): which parts make each total;
- ``official_tables.toml``: the official tables (公开表), their titles, and what their rows and columns are.

Extraction, the audit, the tables, the charts, the workbook and collections read these through
this module.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import rtoml

from .once import once

__all__ = [
    "LEVEL_BY_WIDTH",
    "LEVEL_WIDTHS",
    "MONEY_UNITS",
    "Measure",
    "OfficialTable",
    "DocumentKindWords",
    "ExecutionRow",
    "data_dir",
    "document_kind_words",
    "document_pair_words",
    "adjusted_budget_words",
    "empty_table_words",
    "figure_kind_headings",
    "execution_rows",
    "government_report_words",
    "initial_budget_words",
    "package_name_kind",
    "package_title",
    "measures",
    "official_table",
    "official_tables",
    "read_toml",
    "sum_parts",
    "sum_rules",
    "TemplateSection",
    "template_sections",
    "title_key",
]


def data_dir() -> Path:
    """The bundled data folder: ``budgetkit/_data`` in a wheel, ``data/`` in a checkout (the one
    place that says where; ``schema.bundled_data_dir`` is the bundled budget package within it)."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    return packaged if (packaged / "template.toml").is_file() else here.parent / "data"


def read_toml(path: Path) -> dict:
    """The TOML file at ``path``, parsed, its line ends read as ``Path.read_text`` reads them: the one
    reader of the data files. rtoml parses them (every command reads them as it starts; tomllib takes
    ten times as long); a file rtoml refuses is parsed by tomllib, whose error names the line and column."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError:
        return tomllib.loads(text)  # raises TOMLDecodeError, in its words


@once
def _template() -> dict:
    return read_toml(data_dir() / "template.toml")


#: 万元 in one unit of each money unit a document prints in (money is compared in 万元).
MONEY_UNITS: dict[str, Decimal] = {unit: Decimal(factor) for unit, factor in _template()["money_units"].items()}
#: The functional classification's levels, broadest first, with their code widths (类 3, 款 5, 项 7).
LEVEL_WIDTHS: dict[str, int] = dict(_template()["levels"])
LEVEL_BY_WIDTH: dict[int, str] = {width: level for level, width in LEVEL_WIDTHS.items()}


def document_pair_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words that tell an explanation's file name from its tables' (公开文件 / 公开表), longest first."""
    pairs = _template()["document_pairs"]
    return (tuple(sorted(pairs["explanation"], key=len, reverse=True)),
            tuple(sorted(pairs["tables"], key=len, reverse=True)))


@dataclass(frozen=True)
class DocumentKindWords:
    """How one document kind (``budget``, ``final-accounts``) is told: patterns of its title, words of its text."""

    kind: str
    titles: tuple[str, ...]
    content: tuple[str, ...]


def document_kind_words() -> tuple[tuple[DocumentKindWords, ...], int, int]:
    """The document kinds in the order a title is tried, how often a kind's content words must occur
    for the text alone to tell it, and the longest line read as a title (``[document_kinds]``)."""
    kinds = {kind: words for kind, words in _template()["document_kinds"].items() if isinstance(words, dict)
             and "titles" in words}
    minimum, length = (int(_template()["document_kinds"][key]) for key in ("content_minimum", "title_length"))
    return tuple(DocumentKindWords(kind, tuple(words["titles"]), tuple(words["content"]))
                 for kind, words in kinds.items()), minimum, length


@dataclass(frozen=True)
class TemplateSection:
    """A section the template of a document kind asks for: its title and the words a heading names it by."""

    title: str
    keywords: tuple[str, ...]


def template_sections(kind: str) -> tuple[TemplateSection, ...] | None:
    """The sections the template of ``kind`` asks for (``sections`` of ``[document_kinds.<kind>]``), in order;
    None for a kind that lists none (a budget's are the twelve of ``budgetkit.extract.sections``)."""
    listed = _template()["document_kinds"].get(kind, {})
    if not isinstance(listed, dict) or "sections" not in listed:
        return None
    return tuple(TemplateSection(entry["title"], tuple(entry["keywords"])) for entry in listed["sections"])


def government_report_words() -> dict[str, list[str]]:
    """The words a government's budget report is read by (``[government_report]``: completion verbs and bases,
    label endings, scopes, words of an approximate figure)."""
    return _template()["government_report"]


def package_title(kind: str, department: str, year: int) -> str:
    """The title of the data package of a document of ``kind`` (``package_titles`` of ``[document_kinds]``)."""
    return _template()["document_kinds"]["package_titles"][kind].format(department=department, year=year)


def package_name_kind(kind: str) -> str:
    """The last word of the data package's name for a document of ``kind`` (``package_names``)."""
    return _template()["document_kinds"]["package_names"][kind]


@dataclass(frozen=True)
class ExecutionRow:
    """A row of budget against outturn by kind: its key, the budget's measure, the final accounts' measure."""

    row: str
    budget: str
    outturn: str


def execution_rows() -> tuple[ExecutionRow, ...]:
    """The rows by kind of an execution table (``[execution]`` of template.toml), in order."""
    return tuple(ExecutionRow(entry["row"], entry["budget"], entry["final-accounts"])
                 for entry in _template()["execution"]["rows"])


def initial_budget_words() -> tuple[str, ...]:
    """The words of a final accounts' label that make its figure the restated budget (年初预算数)."""
    return tuple(_template()["execution"]["initial_budget_words"])


def adjusted_budget_words() -> tuple[str, ...]:
    """The words of a final accounts' label that make its figure the adjusted budget (调整预算数, 全年预算数)."""
    return tuple(_template()["execution"]["adjusted_budget_words"])


@dataclass(frozen=True)
class Measure:
    """One row of ``measures.csv``."""

    id: str
    table: str
    label: str
    unit: str
    per_code: bool
    stated_as_total: bool
    share_of: str | None
    description: str


@once
def measures() -> dict[str, Measure]:
    """The template's measures by id, in the file's order."""
    with open(data_dir() / "measures.csv", encoding="utf-8", newline="") as stream:
        return {row["measure"]: Measure(row["measure"], row["table"], row["label"], row["unit"],
                                        row["per_code"] == "true", row["stated_as_total"] == "true",
                                        row["share_of"] or None, row["description"])
                for row in csv.DictReader(stream)}


def sum_rules(rules, total: str, level: str | None = None) -> list:
    """The sum rules of ``rules`` whose total is ``total`` (of classification ``level``, or of none),
    in the file's order: what a reproduced table, the workbook and a chart lay out under that total."""
    return [rule for rule in rules if rule.kind == "sum" and rule.params.get("total") == total
            and "parts" in rule.params and rule.params.get("level") == level]


def sum_parts(rules, total: str) -> list[str]:
    """The parts of the first sum rule of ``total`` (:func:`sum_rules`, no level), in the rule's order."""
    found = sum_rules(rules, total)
    return list(found[0].params["parts"]) if found else []


@dataclass(frozen=True)
class OfficialTable:
    """One standard table of ``official_tables.toml``: how to recognise it and what its figures are."""

    id: str
    kind: str  # budget or final-accounts
    titles: tuple[str, ...]
    items: dict[str, str]  # a row's label → measure
    columns: dict[str, str]  # a column's heading → measure
    codes: str | None  # the measure of a 科目编码 row's amount
    code_columns: dict[str, str]  # a column's heading → the measure of a 科目编码 row's amount in it
    classes: str | None  # the measure of a row naming a 类 without its code
    total: str | None  # the measure of the 合计 row's amount
    halves: dict[str, str]  # printed in halves: the label of the 合计 row closing a half → its codes' measure
    outline: tuple[str, ...]  # a table of items as an outline: the headings of its levels' columns, top first
    outline_rows: str | None  # the measure of an outline's row below its top level (a 专项, an 物品)
    standard: bool  # every document of its kind publishes it (or declares it empty)
    empty_names: tuple[str, ...]  # what a 空表说明 calls its subject (政府性基金 …)


def title_key(title: str) -> str:
    """A title as compared: without spaces, quotation marks and brackets' spacing (“三公” = "三公" = 三公)."""
    return "".join(ch for ch in title if not ch.isspace() and ch not in "“”\"'‘’「」")


@once
def _official_tables_file() -> dict:
    return read_toml(data_dir() / "official_tables.toml")


@once
def official_tables() -> dict[str, OfficialTable]:
    """The standard tables by id, in the file's order."""
    data = _official_tables_file()
    return {entry["id"]: OfficialTable(
        id=entry["id"], kind=entry["kind"], titles=tuple(entry["titles"]), items=dict(entry.get("items", {})),
        columns=dict(entry.get("columns", {})), codes=entry.get("codes"),
        code_columns=dict(entry.get("code_columns", {})), classes=entry.get("classes"),
        total=entry.get("total"), halves=dict(entry.get("halves", {})), outline=tuple(entry.get("outline", ())),
        outline_rows=entry.get("outline_rows"), standard=bool(entry.get("standard", False)),
        empty_names=tuple(entry.get("empty_names", ())))
        for entry in data["table"]}


def figure_kind_headings() -> frozenset[str]:
    """The headings that name a kind of figure, not an item (``figure_kinds`` of official_tables.toml): a column
    under one is named "item／kind" (公务接待费／预算数, 货物／实际采购金额)."""
    return frozenset(_official_tables_file()["figure_kinds"])


def empty_table_words() -> dict:
    """The words of a 空表说明 (``[empty_tables]`` of official_tables.toml): ``none`` and ``empty`` words, and how
    far apart (``gap``, ``sentence``) they may stand from the subject they declare."""
    return _official_tables_file()["empty_tables"]


@once
def _titles_by_key() -> tuple[tuple[str, OfficialTable], ...]:
    """Each standard table's titles as compared (:func:`title_key`), in the file's order."""
    return tuple((title_key(name), table) for table in official_tables().values() for name in table.titles)


def official_table(title: str) -> OfficialTable | None:
    """The standard table whose title ``title`` contains (the longest title that fits), or None."""
    key = title_key(title)
    found = [(len(name), table) for name, table in _titles_by_key() if name in key]
    return max(found, key=lambda pair: pair[0])[1] if found else None
