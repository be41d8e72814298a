"""Reading a budget data package: its descriptor, its text files, and typed, validated tables.

The table schemas are declared once, in the bundled ``datapackage.json``; every budget in
the same layout is validated against those declarations. Validation collects every problem
(file, row, field, message) before anything is raised, so a transcriber sees all of them at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .messages import text
from .numbers import FigureError, parse_figure
from .once import once
from .template import data_dir, document_kind_words

__all__ = [
    "BudgetDataError",
    "DOCUMENT_KINDS",
    "Problem",
    "TABLE_CELL_SEPARATOR",
    "TITLE_LINE",
    "Table",
    "UNKNOWN_KIND",
    "bundled_data_dir",
    "bundled_rules_path",
    "bundled_descriptor",
    "VALUE_SCALE",
    "claim_units",
    "data_dictionary",
    "decimal_array",
    "parse_table",
    "place",
    "problem",
    "read_descriptor",
    "read_text",
    "resource_columns",
]

#: Decimal places kept for stated values: enough for shares printed with 3 decimals and for
#: amounts in 亿元 printed with 4.
VALUE_SCALE = 4
#: Between the cells of an official table's row in a package's raw text, where extraction renders
#: each table after the prose, one line per row: what table_cells' locators point into.
TABLE_CELL_SEPARATOR = " | "
#: The title line of each table in a package's raw text, as extraction renders it: its number and title
#: (group 1 and 2), then where it is printed and its unit.
TITLE_LINE = re.compile(r"^表(\d{1,4})\u3000(.+)（[^（]*第[\d、]+页(?:，单位：(?:亿元|万元|元))?）$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``message`` is written in the language of the moment the problem was found (:func:`problem`
    writes it from the catalogue); ``type`` is what is wrong as a stable key (``column-missing``,
    the message's name in data/messages), the same in every language, empty where none was given."""

    file: str
    row: int | None  # line of the file, 1-based, header included; None for the whole file
    # (for a table given as a DataFrame, collection.from_tables: ``file`` is the table's name, ``row``
    # the row's position in the frame, 1-based, and None for the whole table)
    field: str | None
    message: str
    counts: str = "line"  # what ``row`` counts: a file's lines, or a frame's rows ("row")
    type: str = ""

    def __str__(self) -> str:
        where = place(self.row, self.field, self.counts)
        if where is None:
            return text("data.problem", file=self.file, message=self.message)
        return text("data.problem-at", file=self.file, place=where, message=self.message)


def problem(file: str, row: int | None, field: str | None, key: str, /, **fields) -> Problem:
    """The :class:`Problem` of message ``key`` (``data.column-missing``) with its ``fields``, its
    message written now in the current language, its ``type`` the message's name."""
    return Problem(file, row, field, text(key, **fields), type=key.split(".", 1)[1])


def place(row: int | None, field: str | None, counts: str = "line") -> str | None:
    """Where in a file a problem is, as the user reads it (第3行 字段“value”, line 3, field 'value');
    None for the whole file."""
    unit = "row" if counts == "row" else "line"
    if row is not None and field:
        return text(f"data.place-{unit}-field", row=row, field=field)
    if row is not None:
        return text(f"data.place-{unit}", row=row)
    if field:
        return text("data.place-field", field=field)
    return None


class BudgetDataError(ValueError):
    """A budget package that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = text("data.problems-one") if count == 1 else text("data.problems-many", count=count)
        super().__init__("\n".join([head, *(f"  - {problem}" for problem in problems)]))

    def __reduce__(self):  # rebuilt from its problems when it crosses a process (extract.bounded, load_many)
        return type(self), (self.problems,)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [vars(problem) for problem in self.problems], columns=["file", "row", "field", "type", "message"]
        )


@lru_cache(maxsize=1)  # where the package is installed does not change while it runs
def bundled_data_dir() -> Path:
    """The bundled budget package: the data folder (:func:`budgetkit.template.data_dir`) holding it."""
    folder = data_dir()
    if (folder / "datapackage.json").is_file():
        return folder
    raise FileNotFoundError(text("data.bundled-missing"))


def bundled_rules_path() -> Path:
    """The rules a budget without a rules.toml of its own is audited by: the bundled package's."""
    return bundled_data_dir() / "rules.toml"


def read_text(path: Path) -> str:
    """Read a text file in UTF-8 (with or without BOM), GB18030 (a superset of GBK and GB2312) or Big5;
    refuse anything else clearly.

    A file that is not UTF-8 as a whole but has a line of Chinese that is mixes two encodings: decoding it
    as GBK would turn that line into other characters and lose its figures, so it is refused, naming the
    line. Big5 bytes decode as GB18030 too, into unrelated characters: a file whose GB18030 reading has none
    of a budget's common words while its Big5 reading has them is read as Big5."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8, other = [], 0  # the lines with non-ASCII bytes that are UTF-8 (with their Han count), and the others
    for number, line in enumerate(data.split(b"\n"), start=1):
        if max(line, default=0) < 0x80:
            continue
        try:
            utf8.append((number, len(_HAN.findall(line.decode("utf-8")))))
        except UnicodeDecodeError:
            other += 1
    mixed = next((number for number, han in utf8 if han >= 2), None)
    if len(utf8) < other and mixed is not None:
        raise BudgetDataError([problem(str(path), mixed, None, "data.mixed-encodings")])
    try:
        if len(utf8) >= other:  # a UTF-8 file with bytes that are not: name where
            data.decode("utf-8")
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BudgetDataError(
            [problem(str(path), line, None, "data.not-text", byte=error.start)]
        ) from None
    if not _BUDGET_WORDS_SIMPLIFIED.search(text):
        try:
            big5 = data.decode("big5")
        except UnicodeDecodeError:
            return text
        if _BUDGET_WORDS_TRADITIONAL.search(big5):
            return big5
    return text


_HAN = re.compile(r"[\u4e00-\u9fff]")
_BUDGET_WORDS_SIMPLIFIED = re.compile(r"预算|决算|万元|支出|收入|部门|经费")
_BUDGET_WORDS_TRADITIONAL = re.compile(r"預算|決算|萬元|支出|收入|部門|經費")


def read_descriptor(package_dir: Path) -> dict:
    path = package_dir / "datapackage.json"
    if not path.is_file():
        raise BudgetDataError([problem(str(path), None, None, "data.no-descriptor")])
    try:
        descriptor = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise BudgetDataError([problem(str(path), error.lineno, None, "data.invalid-json", error=error.msg)]) from None
    except RecursionError:
        raise BudgetDataError([problem(str(path), None, None, "data.json-too-deep")]) from None
    problems = descriptor_problems(descriptor, str(path))
    if problems:
        raise BudgetDataError(problems)
    return descriptor


#: The budget years a package may state (a mistyped 1023 or 20224 is not a budget year).
YEARS = range(1950, 2100)

#: A document whose kind neither its title nor its content tells (and a package made before kinds were stated).
UNKNOWN_KIND = "unknown"
#: The kinds ``budget.document_kind`` may state: those template.toml tells apart (budget, final-accounts), or unknown.
DOCUMENT_KINDS = (*(words.kind for words in document_kind_words()[0]), UNKNOWN_KIND)


def descriptor_problems(descriptor, name: str) -> list[Problem]:
    """What makes a parsed datapackage.json unusable, before any of it is used: its shape (an object
    whose resources are a list of objects with a name, a budget object) and the budget's keys' types."""
    if not isinstance(descriptor, dict):
        return [problem(name, None, None, "data.descriptor-not-object", kind=type(descriptor).__name__)]
    problems = []
    resources = descriptor.get("resources", [])
    if not isinstance(resources, list):
        problems.append(problem(name, None, "resources", "data.resources-not-list"))
    else:
        for index, resource in enumerate(resources, start=1):
            if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
                problems.append(problem(name, None, f"resources[{index}]", "data.resource-unnamed"))
    budget = descriptor.get("budget", {})
    if not isinstance(budget, dict):
        return [*problems, problem(name, None, "budget", "data.not-object")]
    for key in ("year", "prior_year"):
        value = budget.get(key)
        if key in budget and (isinstance(value, bool) or not isinstance(value, int) or value not in YEARS):
            problems.append(problem(name, None, f"budget.{key}", "data.not-a-year", first=YEARS.start,
                                    last=YEARS.stop - 1, value=repr(value)))
    for key in ("department", "document"):
        if key in budget and (not isinstance(budget[key], str) or not budget[key].strip()):
            problems.append(problem(name, None, f"budget.{key}", "data.empty-text"))
    if "document_kind" in budget and budget["document_kind"] not in DOCUMENT_KINDS:
        problems.append(problem(name, None, "budget.document_kind", "data.not-a-kind",
                                kinds=", ".join(DOCUMENT_KINDS), value=repr(budget["document_kind"])))
    return problems


def bundled_descriptor() -> dict:
    """The bundled ``datapackage.json``, parsed afresh for each caller (who may change it).

    Its text is read once per process (again if the file changes): every budget loaded or
    extracted needs the table schemas it declares."""
    path = bundled_data_dir() / "datapackage.json"
    stat = path.stat()
    return json.loads(_cached_text(path, stat.st_mtime_ns, stat.st_size))


def resource_columns(name: str) -> list[str]:
    """The columns of resource ``name`` (claims, line_items, measures) as the bundled datapackage.json
    declares them, in order: the one list every reader and writer of those tables uses."""
    resource = next(r for r in bundled_descriptor()["resources"] if r["name"] == name)
    return [f["name"] for f in resource["schema"]["fields"]]


@once
def claim_units() -> frozenset[str]:
    """The units a claim may be printed in: the ``enum`` of claims.unit in the bundled
    datapackage.json, where they are declared once (money, percent, and counts of things)."""
    claims = next(r for r in bundled_descriptor()["resources"] if r["name"] == "claims")
    unit = next(f for f in claims["schema"]["fields"] if f["name"] == "unit")
    return frozenset(unit["constraints"]["enum"])


@lru_cache(maxsize=4)
def _cached_text(path: Path, mtime_ns: int, size: int) -> str:
    return read_text(path)


def decimal_array(values: list[Decimal | None], min_scale: int = 2) -> pd.Series:
    """An exact Arrow decimal column, with the smallest scale ≥ ``min_scale`` that keeps every value."""
    scale = min_scale
    for value in values:
        if value is not None and value == value:  # skip None and NaN
            scale = max(scale, -int(value.normalize().as_tuple().exponent))
    return pd.Series(values, dtype=pd.ArrowDtype(pa.decimal128(20 + scale, scale)))


#: The range of the integer columns (Int64).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _check_field(value: str, field: dict) -> tuple[object, tuple[str, dict] | None]:
    """Convert one cell to its declared type; return (value, None), or (None, the problem's message
    key and fields)."""
    constraints = field.get("constraints", {})
    if value == "":
        if constraints.get("required"):
            return None, ("data.required-empty", {})
        return None, None
    kind = field["type"]
    if kind == "integer":
        if value.isascii() and value.isdigit():
            number = int(value)  # plain digits, the usual cell: what parse_figure would give
        else:
            try:
                converted = parse_figure(value)
            except FigureError:
                return None, ("data.not-integer", {"value": repr(value)})
            if converted.decimals:
                return None, ("data.not-integer", {"value": repr(value)})
            number = int(converted.value)
        if not INT64_MIN <= number <= INT64_MAX:  # the column is 64-bit: say so rather than overflow later
            return None, ("data.integer-too-large", {"value": repr(value)})
        if "minimum" in constraints and number < constraints["minimum"]:
            return None, ("data.below-minimum", {"number": number, "minimum": constraints["minimum"]})
        if "maximum" in constraints and number > constraints["maximum"]:
            return None, ("data.above-maximum", {"number": number, "maximum": constraints["maximum"]})
        return number, None
    if kind == "number":
        try:
            figure = parse_figure(value)
        except FigureError as error:
            return None, (error.key, error.fields)
        if figure.decimals is not None and figure.decimals > VALUE_SCALE:
            return None, ("data.too-many-decimals", {"value": repr(value), "scale": VALUE_SCALE})
        return figure.value, None
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true", None
        return None, ("data.not-boolean", {"value": repr(value)})
    if "enum" in constraints and value not in constraints["enum"]:
        allowed = ", ".join(constraints["enum"])
        return None, ("data.not-in-enum", {"value": repr(value), "allowed": allowed})
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        return None, ("data.malformed", {"value": repr(value), "pattern": constraints["pattern"]})
    return value, None


#: The pandas dtype of each schema type but number (exact decimals), and the Arrow type it is built from.
_ARRAY_TYPES = {
    "integer": (pd.Int64Dtype(), pa.int64()),
    "boolean": (pd.BooleanDtype(), pa.bool_()),
    "string": (pd.StringDtype("pyarrow", na_value=float("nan")), pa.large_string()),  # the "str" dtype
}


@dataclass
class Table:
    """A CSV resource read against its schema: the file line of each record and its typed
    cells by column (None where a cell is empty or invalid). ``frame()`` is the DataFrame."""

    fields: list[dict]
    lines: list[int]
    columns: dict[str, list]
    _arrays: dict | None = field(default=None, repr=False)

    def frame(self, **extra) -> pd.DataFrame:
        """The typed DataFrame: Int64, exact decimals, boolean, str; ``extra`` arrays become more columns."""
        if self._arrays is None:
            # through Arrow (the dtypes' own __from_arrow__): the same arrays as pd.array(values,
            # dtype=...) at a fraction of the cost, which adds up over a table's columns
            self._arrays = {}
            for spec in self.fields:
                values = self.columns[spec["name"]]
                if spec["type"] == "number":
                    self._arrays[spec["name"]] = decimal_array(values, min_scale=VALUE_SCALE).array
                else:
                    dtype, arrow_type = _ARRAY_TYPES.get(spec["type"], _ARRAY_TYPES["string"])
                    self._arrays[spec["name"]] = dtype.__from_arrow__(pa.array(values, type=arrow_type))
        # one DataFrame from whole arrays: adding columns one by one costs more than parsing the file
        return pd.DataFrame({**self._arrays, **extra}, index=pd.RangeIndex(len(self.lines)))

    def rows(self, names: list[str]):
        """(file line, record) pairs, the record a named tuple of the cells in ``names``."""
        return zip(self.lines, map(_record(tuple(names))._make, zip(*(self.columns[name] for name in names))))


@lru_cache(maxsize=16)
def _record(names: tuple[str, ...]) -> type:
    return namedtuple("Record", names)  # making the class costs more than a table's rows


def parse_table(text: str, name: str, schema: dict, problems: list[Problem]) -> Table | None:
    """The CSV ``text`` of resource ``name`` with every cell typed by ``schema``; problems are appended, not raised."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:  # a field over the csv module's limit (131,072 characters), a NUL byte
        problems.append(problem(name, reader.line_num, None, "data.unreadable-csv", error=error))
        return None
    if not rows:
        problems.append(problem(name, None, None, "data.empty-file"))
        return None
    header = [column.strip() for column in rows[0]]
    fields = schema["fields"]
    declared = [field["name"] for field in fields]
    missing = [column for column in declared if column not in header]
    for column in missing:
        problems.append(problem(name, 1, column, "data.column-missing"))
    for column in header:
        if column not in declared:
            problems.append(problem(name, 1, column, "data.column-not-in-schema"))
    if missing:
        return None
    columns: dict[str, list] = {column: [] for column in declared}
    # (field, its cell's position in a row, its column): looked up once, not for every cell
    cells = [(field, header.index(field["name"]), columns[field["name"]]) for field in fields]
    lines: list[int] = []
    for index, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line holds no record
        if len(row) != len(header):
            problems.append(problem(name, index, None, "data.cell-count", cells=len(row), header=len(header)))
            continue
        lines.append(index)
        for field, position, column in cells:
            value, wrong = _check_field(row[position].strip(), field)
            if wrong:
                problems.append(problem(name, index, field["name"], wrong[0], **wrong[1]))
            column.append(value)
    table = Table(fields, lines, columns)
    for field in fields:
        if field.get("constraints", {}).get("unique"):
            _report_duplicates(table, [field["name"]], name, problems)
    key = schema.get("primaryKey", [])
    if key and not (len(key) == 1 and fields[declared.index(key[0])].get("constraints", {}).get("unique")):
        _report_duplicates(table, key, name, problems)
    return table


def _report_duplicates(table: Table, key: list[str], name: str, problems: list[Problem]) -> None:
    # the usual case, no duplicates, is told from the cells themselves, without pandas
    seen: set = set()
    for values in zip(*(table.columns[column] for column in key)):
        if None in values:
            continue
        if values in seen:
            break
        seen.add(values)
    else:
        return
    frame = table.frame(_line=table.lines)
    present = frame.dropna(subset=key)
    duplicated = present[present.duplicated(subset=key, keep="first")]
    for _, row in duplicated.iterrows():
        value = ", ".join(str(row[column]) for column in key)
        problems.append(problem(name, int(row["_line"]), key[0], "data.duplicate-key", value=repr(value)))


def data_dictionary(descriptor: dict | None = None) -> str:
    """The tables and columns of a budget package as Markdown, from the one descriptor that declares them."""
    descriptor = descriptor or read_descriptor(bundled_data_dir())
    out: list[str] = []
    for resource in descriptor["resources"]:
        schema = resource.get("schema")
        if not schema:
            continue
        key = ", ".join(schema.get("primaryKey", []))
        out.append(f"**`{resource['path']}`** — {resource['title']}. {resource['description']} Key: `{key}`.")
        out.append("")
        out.append("| column | type | required | meaning |")
        out.append("|---|---|---|---|")
        for field in schema["fields"]:
            constraints = field.get("constraints", {})
            meaning = field["description"].replace("|", "\\|")
            if "enum" in constraints:
                meaning += " One of: " + ", ".join(f"`{v}`" for v in constraints["enum"]) + "."
            required = "yes" if constraints.get("required") else ""
            out.append(f"| `{field['name']}` | {field['type']} | {required} | {meaning} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
