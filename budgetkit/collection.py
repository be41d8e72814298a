"""Collections of budgets: a city's departments and years loaded into long tables and audited at once.

>>> from budgetkit.collection import load_many
>>> collection = load_many("data/collections/demo")      # doctest: +SKIP
>>> collection.claims                  # every claim of every budget, keyed by budget_id
>>> collection.problems                # sources that could not be loaded, with file, row and field
>>> findings = collection.audit()      # the findings of every budget, in one table
>>> collection.to_parquet("out/city")  # the long tables as Parquet files …
>>> audit_parquet("out/city")          # … audited by DuckDB without loading them into pandas

The audit is the same as ``budgetkit.audit.audit`` budget by budget (same rows, verdicts,
figures and explanations), but evaluated rule by rule over the long tables by DuckDB (SQL in
:mod:`budgetkit.collection_sql`); a large collection is cut into chunks of whole budgets, audited
side by side, one per core. DuckDB and the document extractors are imported
only when used, so ``import budgetkit`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from .audit import REASON_YEAR, Rule, load_rules, section_of_lines
from .findings import FINDING_COLUMNS, VERDICTS
from .model import Budget, load
from .numbers import MONEY_UNITS, PLACEHOLDER_PATTERN
from .schema import VALUE_SCALE, BudgetDataError, Problem, bundled_data_dir, read_descriptor

__all__ = [
    "Collection", "YEAR_OVER_YEAR_RULE", "audit_parquet", "collection_title", "common_findings", "demo_sources",
    "from_budgets", "from_tables", "load_collection", "load_many", "problem_lines", "read_parquet",
    "spending_structure", "stack_findings", "verdicts_by", "year_over_year_findings",
]

DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf")
KEY_COLUMNS = ["budget_id", "department", "budget_year"]
PROBLEM_COLUMNS = ["budget_id", "source", "file", "row", "field", "message"]
CLAIM_COLUMNS = [
    "claim_id", "section", "line", "char_start", "char_end", "text", "kind", "measure", "code", "label", "year",
    "value", "unit", "decimals", "qualifier", "direction", "base_measure", "base_year", "ref_claim_id",
    "base_claim_id", "quote",
]
LINE_ITEM_COLUMNS = ["code", "level", "name", "parent_code", "line", "purpose", "amount_wan_yuan", "stated"]
BUDGET_COLUMNS = [*KEY_COLUMNS, "prior_year", "source", "budget_order"]
LINE_COLUMNS = ["budget_id", "line", "text", "section"]
#: The columns each long table of a collection must have (what from_budgets makes and the audit reads);
#: claims and line_items may also carry department and budget_year, as from_budgets makes them.
REQUIRED_COLUMNS = {
    "budgets": BUDGET_COLUMNS,
    "claims": ["budget_id", *CLAIM_COLUMNS, "claim_order"],
    "lines": LINE_COLUMNS,
    "line_items": ["budget_id", *LINE_ITEM_COLUMNS],
}
#: The keys of each long table: no two rows share one, and none of their cells is empty. A
#: budget is its budget_id and, in the SQL, its budget_order; a claim is its claim_id and, in
#: the SQL, its claim_order within its budget.
TABLE_KEYS = {
    "budgets": [["budget_id"], ["budget_order"]],
    "claims": [["budget_id", "claim_id"], ["budget_id", "claim_order"]],
    "lines": [["budget_id", "line"]],
    "line_items": [["budget_id", "code"]],
}
#: Claim values are stored at the loader's scale (schema.VALUE_SCALE) in every long table and Parquet file.
VALUE_TYPE = pa.decimal128(38, 4)
TABLES = ("budgets", "claims", "lines", "line_items")
YEAR_OVER_YEAR_RULE = "prior-year-restated-next-year"
#: Rows per Parquet row group (at most): some 800 budgets' claims (about 80 a budget) or 430
#: budgets' lines, 3.7 MB of claims or 6.4 MB of lines uncompressed, 0.5–0.7 MB in the file. A
#: filter on one budget of a 10,000-budget collection decodes one of 13 groups of claims; smaller
#: groups read more slowly in full (more footer, statistics and per-group setup) for little gain.
ROW_GROUP_ROWS = 65_536
#: zstd (level 1) rather than Parquet's usual snappy: the 10,000-budget synthetic collection takes
#: 14 MB instead of 25 MB (the lines' text compresses 2.4 times better); DuckDB reads a whole file
#: some 10–20 % slower, which the audit (mostly joins and sorts, not reading) does not show.
#: Spark, Trino, DuckDB, Polars and pyarrow all read zstd. Every column is dictionary-encoded
#: (Arrow's default), per row group: department, measure, kind, unit, budget_id repeat on every
#: row and become small integer codes; a text column whose dictionary grows past 1 MB falls back to
#: plain (leaving quote and text plain from the start read more slowly in DuckDB, for no smaller file).
PARQUET_COMPRESSION = "zstd"


@dataclass
class Collection:
    """Many budgets as long tables keyed by ``budget_id``.

    - ``budgets``: one row per budget loaded (budget_id, department, budget_year, prior_year, source);
    - ``claims``: the claims of every budget (the claims columns plus budget_id, department, budget_year);
    - ``line_items``: the functional classification of every budget, keyed the same way;
    - ``lines``: every line of every document (budget_id, line, text, section), for the text checks;
    - ``problems``: one row per problem of a source that could not be loaded (file, row, field, message).
    """

    budgets: pd.DataFrame
    claims: pd.DataFrame
    line_items: pd.DataFrame
    lines: pd.DataFrame
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROBLEM_COLUMNS))
    #: budget_id → Budget (a budget loaded in a worker process is read again from its source when asked for)
    members: Mapping[str, Budget] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (f"<Collection: {len(self.budgets)} budgets, {len(self.claims)} claims, "
                f"{len(self.problems)} problems>")

    def budget(self, budget_id: str) -> Budget:
        """One budget of the collection as a :class:`Budget` (for its tables, charts, audit)."""
        if budget_id in self.members:
            return self.members[budget_id]
        known = set(self.budgets["budget_id"])
        if budget_id not in known:
            raise KeyError(f"no budget {budget_id!r} in this collection")
        return _load_source(Path(self.budgets.loc[self.budgets["budget_id"] == budget_id, "source"].iloc[0]))

    # -- the audit ------------------------------------------------------------------------
    def audit(self, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
        """Every rule on every budget: the findings of ``budgetkit.audit.audit`` for each budget,
        stacked, keyed by budget_id, department and budget_year."""
        sources = {name: _arrow(getattr(self, name)) for name in ("budgets", "claims", "lines")}
        return _run_audit(_connect(), _rules(rules), sources)

    def year_over_year(self) -> pd.DataFrame:
        """A rule across budgets: the prior-year figures a department's year-Y+1 document states
        against the figures its year-Y document states for the same quantity."""
        con = _connect()
        con.register("budgets_src", _arrow(self.budgets))
        con.register("claims_src", _arrow(self.claims))
        con.register("lines_src", _arrow(self.lines))
        return _year_over_year(con)

    # -- storage --------------------------------------------------------------------------
    def to_parquet(self, folder: str | Path, row_group_rows: int = ROW_GROUP_ROWS) -> Path:
        """Write the long tables as Parquet (budgets, claims, lines, line_items) into ``folder``.

        Each file holds its rows in budget_id order (each budget's rows in their order in the
        collection) in row groups of whole budgets, at most ``row_group_rows`` rows each, with
        statistics: an engine filtering on budget_id reads only the row groups whose min/max
        admit it. :func:`read_parquet` gives the rows back in the collection's order (budget_order).
        The same collection gives byte-identical files.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            _write_parquet(_by_budget_id(_arrow(getattr(self, name))), folder / f"{name}.parquet", row_group_rows)
        return folder

    def table(self, name: str) -> pd.DataFrame:
        """The claims of one analysis table (``measures.table``) across every budget."""
        measures = load_measures()
        chosen = measures.loc[measures["table"] == name, "measure"]
        if chosen.empty:
            raise KeyError(f"no table {name!r}; tables are: {', '.join(sorted(measures['table'].unique()))}")
        return self.claims[self.claims["measure"].isin(chosen)].reset_index(drop=True)


def read_parquet(folder: str | Path) -> Collection:
    """A collection written by :meth:`Collection.to_parquet`, read back into pandas."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    budgets = pq.read_table(folder / "budgets.parquet")
    if not _ascending(budgets["budget_order"]):
        budgets = budgets.take(pa.compute.sort_indices(budgets["budget_order"]))
    frames = {"budgets": budgets.to_pandas(types_mapper=pd.ArrowDtype)}
    for name in TABLES[1:]:
        frames[name] = _in_budget_order(pq.read_table(folder / f"{name}.parquet"), budgets["budget_id"]).to_pandas(
            types_mapper=pd.ArrowDtype)
    return Collection(**frames)


def _by_budget_id(table: pa.Table) -> pa.Table:
    """The rows in budget_id order (byte order, the order of Parquet's statistics); each budget's
    rows keep their order (the sort is stable)."""
    if _ascending(table["budget_id"]):
        return table
    return table.take(pa.compute.sort_indices(table, sort_keys=[("budget_id", "ascending")]))


def _ascending(values: pa.ChunkedArray) -> bool:
    """Whether ``values`` are in ascending order without nulls (then sorting them changes nothing)."""
    if values.null_count:
        return False
    return len(values) < 2 or pa.compute.all(pa.compute.less_equal(values[:-1], values[1:])).as_py()


def _row_groups(ids: pa.ChunkedArray, most: int) -> list[tuple[int, int]]:
    """(offset, length) of row groups of at most ``most`` rows over rows sorted by budget_id, cut
    between budgets (only a budget of more than ``most`` rows is cut, and spans several groups)."""
    total = len(ids)
    if total == 0:
        return [(0, 0)]
    array = ids.combine_chunks()
    # the end of every budget's rows: where the id changes, and the last row
    changes = pa.compute.not_equal(array[1:], array[:-1]).fill_null(True).to_numpy(zero_copy_only=False)
    ends = np.append(np.flatnonzero(changes) + 1, total)
    groups, start = [], 0
    while start < total:
        # the last budget end within ``most`` rows of the start, else a cut inside one large budget
        within = np.searchsorted(ends, start + most, side="right")
        end = int(ends[within - 1]) if within and ends[within - 1] > start else min(start + most, total)
        groups.append((start, end - start))
        start = end
    return groups


def _write_parquet(table: pa.Table, path: Path, row_group_rows: int) -> None:
    import pyarrow.parquet as pq

    if row_group_rows < 1:
        raise ValueError(f"row_group_rows must be at least 1, not {row_group_rows}")
    with pq.ParquetWriter(path, table.schema, compression=PARQUET_COMPRESSION, use_dictionary=True,
                          write_statistics=True,
                          sorting_columns=[pq.SortingColumn(table.column_names.index("budget_id"))]) as writer:
        for offset, length in _row_groups(table["budget_id"], row_group_rows):
            writer.write_table(table.slice(offset, length), row_group_size=max(length, 1))


def _in_budget_order(table: pa.Table, budget_ids: pa.ChunkedArray) -> pa.Table:
    """A table read from Parquet (rows in budget_id order) in the collection's order: its rows by
    their budget's place in ``budget_ids`` (rows of no budget last), each budget's rows as stored.

    The table is copied a column at a time, each old column freed and its memory given back before
    the next is copied, so the copy costs about one column's memory, not the table's: the reader's
    threads allocated the old buffers, and Arrow's allocator (mimalloc) keeps what another thread
    frees until asked to return it. Taking all columns at once raised the peak of reading 10,000
    synthetic budgets by 350–500 MB; this way by ~50 MB, in the same time (~0.6 s)."""
    rank = pa.compute.index_in(table["budget_id"], value_set=budget_ids.combine_chunks())
    if _ascending(rank):
        return table
    indices, schema, columns = pa.compute.sort_indices(rank), table.schema, []
    del rank
    pool = pa.default_memory_pool()
    while table.num_columns:
        columns.append(table.column(0).take(indices))
        table = table.remove_column(0)
        pool.release_unused()
    return pa.Table.from_arrays(columns, schema=schema)


def audit_parquet(folder: str | Path, rules: list[Rule] | str | Path | None = None,
                  memory_limit: str | None = None) -> pd.DataFrame:
    """Audit a collection stored as Parquet: DuckDB reads the files, pandas sees only the findings.

    Only the findings are held in memory; with ``memory_limit`` (``"1GB"``) DuckDB spills its
    intermediate tables to a temporary folder instead of running out of memory.
    """
    folder = Path(folder)
    missing = [f"{name}.parquet" for name in ("budgets", "claims", "lines") if not (folder / f"{name}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: no {', '.join(missing)} (write them with Collection.to_parquet)")
    sources = {name: "read_parquet('{}')".format(str(folder / f"{name}.parquet").replace("'", "''"))
               for name in ("budgets", "claims", "lines")}
    return _run_audit(_connect(memory_limit), _rules(rules), sources)


# -- loading ----------------------------------------------------------------------------------

def load_many(sources: str | Path | Iterable[str | Path | Budget], workers: int | None = None) -> Collection:
    """Load many budgets into one :class:`Collection`.

    ``sources`` is a folder (every data package — a folder with ``datapackage.json`` — beneath
    it, and every .txt/.docx/.pdf document not inside a package, read by ``budgetkit.extract``)
    or a list of such paths and :class:`Budget` objects. A source that cannot be read is recorded
    in ``problems`` with its file named; the others load regardless. ``workers`` > 1 reads the
    sources in that many processes (reading, not the audit, is what takes time per budget); they
    send back only what the long tables hold, and ``collection.budget(budget_id)`` (or ``members``)
    reads such a budget again from its source when asked for it.
    """
    entries: list[tuple[str, object]] = []  # (name, path or Budget)
    if isinstance(sources, (str, Path)):
        root = Path(sources)
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder")
        if root.is_dir() and not (root / "datapackage.json").is_file():
            entries = [(path.relative_to(root).as_posix(), path) for path in _discover(root)]
        else:
            entries = [(_name(root), root)]
    else:
        for source in sources:
            if isinstance(source, Budget):
                entries.append((f"{source.department}-{source.year}", source))
            else:
                entries.append((_name(Path(source)), Path(source)))

    ids, seen = [], {}
    for name, _ in entries:
        ids.append(name if name not in seen else f"{name}#{seen[name] + 1}")
        seen[name] = seen.get(name, 0) + 1
    paths = [source for _, source in entries if not isinstance(source, Budget)]
    if workers and workers > 1 and len(paths) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:  # what the collection keeps, not whole Budgets
            loaded = dict(zip(paths, pool.map(_load_parts, paths, chunksize=8)))
    else:
        loaded = {path: _load_one(path) for path in paths}
    budgets, problems = [], []
    for budget_id, (_, source) in zip(ids, entries):
        if isinstance(source, Budget):
            budgets.append((budget_id, source, "<in memory>"))
            continue
        budget, errors = loaded[source]
        if budget is None:
            problems += [{"budget_id": budget_id, "source": str(source), **error} for error in errors]
        else:
            budgets.append((budget_id, budget, str(source)))
    collection = from_budgets(budgets)
    collection.problems = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).astype(
        {"budget_id": "str", "source": "str", "file": "str", "row": "Int64", "field": "str", "message": "str"})
    return collection


def load_collection(paths: list[str]):
    """The collection the paths name; sources that cannot be read are in its ``problems``.

    Raises BudgetDataError when nothing at all is there to read."""
    import os
    from pathlib import Path

    collection = load_many(paths[0] if len(paths) == 1 else paths, workers=os.cpu_count())
    if collection.budgets.empty and collection.problems.empty:
        raise BudgetDataError([Problem(file=str(Path(paths[0])), row=None, field=None,
                                       message="no data packages (datapackage.json) and no .txt/.docx/.pdf "
                                               "documents in this folder")])
    return collection


def problem_lines(problems) -> list[str]:
    """Sources a collection could not read, one line each: source, file, line and field, message."""
    lines = []
    for row in problems.itertuples(index=False):
        where = ", ".join(part for part in (
            row.file if row.file and row.file != row.source else "",
            f"line {row.row}" if row.row is not None and row.row == row.row else "",  # NA is not equal to itself
            f"field {row.field!r}" if row.field and row.field == row.field else "") if part)
        lines.append(f"could not read {row.source}{' (' + where + ')' if where else ''}: {row.message}")
    return lines


def collection_title(budgets: pd.DataFrame) -> str:
    """``13 budgets of 5 departments, 2022–2024``."""
    def count(n: int, noun: str) -> str:
        return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

    years = sorted(int(y) for y in budgets["budget_year"].dropna().unique())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "no year")
    return f"{count(len(budgets), 'budget')} of {count(budgets['department'].nunique(), 'department')}, {span}"


def _name(path: Path) -> str:
    if path.name == "datapackage.json":
        path = path.parent
    if path.resolve() == bundled_data_dir().resolve():
        return str(read_descriptor(path).get("name", "bundled-budget"))
    return path.stem if path.is_file() else path.name


def _discover(root: Path) -> list[Path]:
    """Data package folders and loose documents beneath ``root``, in a stable order."""
    packages = sorted(path.parent for path in root.rglob("datapackage.json"))
    documents = [path for path in sorted(root.rglob("*")) if path.suffix.lower() in DOCUMENT_SUFFIXES
                 and path.is_file() and not any(package in path.parents for package in packages)]
    return sorted(packages + documents)


def _load_one(path: Path) -> tuple[Budget | None, list[dict]]:
    """A budget, or the problems that kept it from loading (file, row, field, message)."""
    try:
        return _load_source(path), []
    except BudgetDataError as error:
        return None, [{"file": p.file, "row": p.row, "field": p.field, "message": p.message} for p in error.problems]
    except Exception as error:  # an unreadable document must not stop the others; it is reported
        return None, [{"file": str(path), "row": None, "field": None, "message": f"{type(error).__name__}: {error}"}]


def _load_source(path: Path) -> Budget:
    if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES:
        from .extract import extract  # python-docx and pdf readers load only for documents

        return extract(path)
    return load(path)


@dataclass
class _Parts:
    """What a collection keeps of a budget loaded in a worker process, sent back instead of the
    whole :class:`Budget`, whose DataFrames (claims, line items, measures, the extraction report)
    took ~6 ms of CPU a budget to pickle and unpickle (4 of them in the collecting process), a
    fifth of extraction. Claims and line items travel as Arrow IPC streams (~0.01 ms to read back)
    and are stacked by Arrow; the lines' sections are found in the worker."""

    department: str
    year: int
    prior_year: int
    raw_text: str
    sections: list[str]
    claims: bytes
    line_items: bytes

    @classmethod
    def of(cls, budget: Budget) -> _Parts:
        return cls(department=budget.department, year=int(budget.year), prior_year=int(budget.prior_year),
                   raw_text=budget.raw_text, sections=section_of_lines(budget.raw_text),
                   claims=_ipc(budget.claims, CLAIM_COLUMNS), line_items=_ipc(budget.line_items, LINE_ITEM_COLUMNS))


def _ipc(frame: pd.DataFrame, columns: list[str]) -> bytes:
    table = _arrow(frame if list(frame.columns) == columns else frame[columns])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema.remove_metadata()) as writer:
        writer.write_table(table.replace_schema_metadata(None))
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def _load_parts(path: Path) -> tuple[_Parts | None, list[dict]]:
    """In a worker process: :func:`_load_one`, the budget given back as its :class:`_Parts`."""
    budget, errors = _load_one(path)
    return (None if budget is None else _Parts.of(budget)), errors


class _Members(Mapping):
    """budget_id → Budget: the budgets loaded in this process as they are; a budget loaded in a
    worker process (only its _Parts came back) is read again from its source when first asked for."""

    def __init__(self, loaded: dict[str, Budget], sources: dict[str, Path], order: list[str]):
        self._loaded, self._sources, self._order = loaded, sources, order

    def __getitem__(self, budget_id: str) -> Budget:
        if budget_id not in self._loaded:
            if budget_id not in self._sources:
                raise KeyError(budget_id)
            self._loaded[budget_id] = _load_source(self._sources[budget_id])
        return self._loaded[budget_id]

    def __contains__(self, budget_id: object) -> bool:
        return budget_id in self._loaded or budget_id in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


def from_budgets(budgets: list[tuple[str, Budget, str]]) -> Collection:
    """Stack loaded budgets into long tables; ``budgets`` holds (budget_id, Budget, source).

    (Within load_many a budget may also be the _Parts a worker process sent back; its source is
    then a path, from which ``members`` reads the Budget again if asked.)"""
    meta, keys = [], []
    line_ids, line_numbers, line_texts, line_sections = [], [], [], []
    for order, (budget_id, budget, source) in enumerate(budgets):
        keys.append((budget_id, budget.department, int(budget.year)))
        meta.append({"budget_id": budget_id, "department": budget.department, "budget_year": int(budget.year),
                     "prior_year": int(budget.prior_year), "source": source, "budget_order": order})
        text = budget.raw_text.split("\n")
        line_ids += [budget_id] * len(text)
        line_numbers += range(1, len(text) + 1)
        line_texts += text
        line_sections += budget.sections if isinstance(budget, _Parts) else section_of_lines(budget.raw_text)
    # every budget's lines in one frame (_concat gives the empty table its columns when there are none)
    lines = pd.DataFrame({"budget_id": line_ids, "line": line_numbers, "text": line_texts, "section": line_sections})
    claims = [_from_ipc(b.claims) if isinstance(b, _Parts) else b.claims for _, b, _ in budgets]
    line_items = [_from_ipc(b.line_items) if isinstance(b, _Parts) else b.line_items for _, b, _ in budgets]
    members = {budget_id: budget for budget_id, budget, _ in budgets if not isinstance(budget, _Parts)}
    if len(members) < len(budgets):
        members = _Members(members, {budget_id: Path(source) for budget_id, budget, source in budgets
                                     if isinstance(budget, _Parts)}, [budget_id for budget_id, _, _ in budgets])
    return Collection(
        members=members,
        budgets=_typed(pd.DataFrame(meta, columns=BUDGET_COLUMNS), "budgets"),
        claims=_typed(_stack(claims, CLAIM_COLUMNS, keys, order="claim_order"), "claims"),
        line_items=_typed(_stack(line_items, LINE_ITEM_COLUMNS, keys), "line_items"),
        lines=_typed(_concat([lines], LINE_COLUMNS), "lines"),
    )


def _stack(frames: list[pd.DataFrame | pa.Table], columns: list[str], keys: list[tuple[str, str, int]],
           order: str | None = None) -> pd.DataFrame:
    """The frames' ``columns`` one under another, each row keyed by its budget (and numbered in
    ``order`` within it). One concat and whole key columns: per-budget assign costs ~1 ms each.
    Arrow tables (from worker processes) are stacked by Arrow, into one DataFrame at once."""
    if frames and all(isinstance(frame, pa.Table) for frame in frames):
        kept = [(table, key) for table, key in zip(frames, keys) if table.num_rows]
        if not kept:
            return _concat([], [*KEY_COLUMNS, *columns, *([order] if order else [])])
        # the value decimals' scales differ by budget: "permissive" takes the widest (_typed then casts)
        stacked = pa.concat_tables([table for table, _ in kept], promote_options="permissive")
        stacked = stacked.select(columns).to_pandas(types_mapper=pd.ArrowDtype)
    else:
        frames = [frame.to_pandas(types_mapper=pd.ArrowDtype) if isinstance(frame, pa.Table) else frame
                  for frame in frames]
        selected = [(frame if list(frame.columns) == columns else frame[columns], key)
                    for frame, key in zip(frames, keys)]
        kept = [(frame, key) for frame, key in selected if len(frame)]
        if not kept:
            return _concat([], [*KEY_COLUMNS, *columns, *([order] if order else [])])
        stacked = pd.concat([frame for frame, _ in kept], ignore_index=True)
    key_columns = {name: [key[i] for frame, key in kept for _ in range(len(frame))]
                   for i, name in enumerate(KEY_COLUMNS)}
    if order:
        stacked[order] = [n for frame, _ in kept for n in range(len(frame))]
    return pd.concat([pd.DataFrame(key_columns), stacked], axis=1)


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
            twice[name] = [Problem(name, None, str(column), "column appears more than once")
                           for column in frame.columns[repeated]]
            given[name] = frame.loc[:, ~repeated]
    problems: dict[str, list[Problem]] = {name: [] for name in TABLES}
    typed = {name: _typed(frame, name, problems[name]) for name, frame in given.items()}
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
                problems[name].append(Problem(name, None, column, "column is missing"))
        failed = {p.field for p in problems[name]}
        usable[name] = {column for column in frame.columns if column not in failed}
    codes = {}  # (table, column) -> (codes, uniques); -1 for an empty cell
    for name, frame in tables.items():
        keyed = dict.fromkeys(c for key in TABLE_KEYS[name] for c in key if c in usable[name])
        for column in keyed:
            codes[name, column] = pd.factorize(frame[column])
            empty = np.flatnonzero(codes[name, column][0] < 0)
            problems[name] += [Problem(name, int(row) + 1, column, "is required but empty") for row in empty]
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
        problems[name] += [Problem(name, int(row) + 1, "budget_id", f"{budget!r} is not a budget_id in budgets")
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
        where = "".join(f" in budget {record[c]!r}" if c == "budget_id" else f" with {c} {_shown(record[c])}"
                        for c in within)
        problems.append(Problem(name, int(record["row"]), field,
                                f"duplicate {field} {_shown(record[field])}{where} (first at row {record['first']})"))


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
        stated = "is empty" if _shown(value) == "none" else f"is {_shown(value)}"
        problems.append(Problem(name, row + 1, column, f"{stated}, but budget {budget!r} has {_shown(expected)} "
                                                       f"(budgets, row {budget_row + 1})"))


def _shown(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "none"
    return repr(value) if isinstance(value, str) else str(value)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


_INTEGER_COLUMNS = {"budget_year", "prior_year", "budget_order", "line", "char_start", "char_end", "year",
                    "decimals", "base_year", "claim_order"}
_DECIMAL_COLUMNS = ("value", "amount_wan_yuan")
#: What converting a column of unexpected values raises (pyarrow's errors are ValueError and TypeError).
_TYPING_ERRORS = (TypeError, ValueError, ArithmeticError, pa.ArrowException)


def _typed(frame: pd.DataFrame, name: str, problems: list[Problem] | None = None) -> pd.DataFrame:
    """One Arrow type per column whatever the budgets held: strings, Int64, exact decimals.

    A column that cannot be typed raises; with ``problems`` given, a Problem is appended for each
    of its cells that cannot (table ``name``, 1-based row of ``frame``, column) and the column is
    kept as given."""
    frame = frame.reset_index(drop=True)  # the rows by position, whatever index the frame came with
    out = {}
    for column in frame.columns:
        values = frame[column]
        kind = _column_kind(column)
        try:
            out[column] = _typed_column(values, kind)
        except _TYPING_ERRORS as error:
            if problems is None:
                raise
            problems.extend(_untyped_cells(values, kind, name, column, error))
            out[column] = values
    return pd.DataFrame(out, index=range(len(frame)))


def _column_kind(column: str) -> str:
    if column in _DECIMAL_COLUMNS:
        return "decimal"
    if column in _INTEGER_COLUMNS:
        return "integer"
    return "boolean" if column == "stated" else "string"


def _typed_column(values: pd.Series, kind: str) -> pd.Series:
    if kind == "decimal":
        array = pa.array([None if pd.isna(v) else v for v in values], type=VALUE_TYPE)
        return pd.Series(array, dtype=pd.ArrowDtype(VALUE_TYPE), index=values.index)
    if kind == "integer":
        return values.astype("Int64")
    if kind == "boolean":
        return values.astype("boolean")
    return values.astype("str")


def _untyped_cells(values: pd.Series, kind: str, table: str, column: str, error: Exception) -> list[Problem]:
    """A Problem for each cell of ``values`` that cannot be typed as ``kind`` (each distinct value
    is tried alone); one for the whole column if every value can be alone but not all together."""
    cells = values.to_numpy(dtype=object)
    rows = np.flatnonzero(~pd.isna(values).to_numpy())
    keys = [_cell_key(cells[row]) for row in rows]
    messages: dict[object, str | None] = {}
    for key, row in zip(keys, rows):
        if key not in messages:
            value = cells[row]
            try:
                _typed_column(pd.Series([value], dtype=object), kind)
                messages[key] = None
            except _TYPING_ERRORS:
                messages[key] = _untyped_message(value, kind)
    found = [Problem(table, int(row) + 1, column, messages[key]) for key, row in zip(keys, rows) if messages[key]]
    return found or [Problem(table, None, column, f"cannot be stored as {kind} values: {error}")]


def _cell_key(value) -> object:
    """Tells apart values that compare equal but type differently (1, 1.0, True)."""
    try:
        hash(value)
    except TypeError:
        return (type(value), repr(value))
    return (type(value), value)


def _untyped_message(value, kind: str) -> str:
    shown = _shown(value)
    if kind == "integer":
        return f"{shown} is not an integer"
    if kind == "boolean":
        return f"{shown} is not true or false"
    # decimal: the value columns are exact (decimal128(38, 4)); a float is not exact
    if isinstance(value, Decimal):
        if value.is_finite() and -value.as_tuple().exponent > VALUE_SCALE:
            return f"{shown} has more than {VALUE_SCALE} decimals"
        return f"{shown} does not fit a decimal of 38 digits with {VALUE_SCALE} decimals"
    if isinstance(value, float):
        return f"{shown} is a float: give exact values as Decimal or int"
    return f"{shown} is not a number (a {type(value).__name__}): give exact values as Decimal or int"


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def load_measures() -> pd.DataFrame:
    return pd.read_csv(bundled_data_dir() / "measures.csv", dtype="str")


# -- running the SQL --------------------------------------------------------------------------

def _connect(memory_limit: str | None = None):
    import duckdb  # the SQL engine loads only when a collection is audited

    from .collection_sql import MACROS

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    # every result whose order matters has an ORDER BY (the findings are sorted at the end), so
    # DuckDB need not keep the rows of intermediate tables in the order they were made
    con.execute("SET preserve_insertion_order = false")
    con.execute(MACROS)
    return con


def _rules(rules) -> list[Rule]:
    if rules is None:
        return load_rules(bundled_data_dir() / "rules.toml")
    if isinstance(rules, (str, Path)):
        return load_rules(rules)
    return list(rules)


#: The findings before their text is attached: ``cord`` is the order of the claim a finding is
#: about (NULL for none), whose section, claim_id, measure, label and quote come from T at the
#: end; ``section`` and ``quote``, when not NULL, stand instead of the claim's.
_F_COLUMNS = """budget_id BIGINT, rule VARCHAR, verdict verdict, cord BIGINT, section VARCHAR, quote VARCHAR,
    stated BIGINT, stated_scale INTEGER, stated_interval VARCHAR, computed BIGINT, computed_scale INTEGER,
    computed_interval VARCHAR, unit VARCHAR, explanation VARCHAR, inputs VARCHAR, ord BIGINT, seq BIGINT"""


#: Most claims in a chunk of the collection audit. Every rule joins within one budget, so whole
#: budgets in budget order are audited chunk by chunk, as many at a time as there are cores, and
#: each chunk's sorted findings follow the previous chunk's. Fewer, larger chunks cost less CPU
#: (each chunk reads its sources and plans its queries again); two of this size stay under 2 GB.
CHUNK_CLAIMS = 400_000


def _run_audit(con, rules: list[Rule], sources: dict[str, object]) -> pd.DataFrame:
    """The findings of ``rules`` over ``sources`` (budgets, claims, lines: Arrow tables or SQL table
    expressions such as a Parquet scan), audited in chunks of budgets on cursors of ``con``."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from . import collection_sql as sql

    _open_sources(con, sources)
    # what every chunk shares: the verdicts and the repeated strings as ENUMs, the rules ranked
    # a verdict is an ENUM in order of severity: it sorts as an integer and reaches pandas as codes
    con.execute(f"CREATE TYPE verdict AS ENUM ({', '.join(sql.lit(v) for v in VERDICTS)})")
    # the strings repeated on every row (budget, department, rule, kind, reason) go through the sort
    # as ENUM codes; they reach Arrow as dictionaries, decoded in _findings_frame
    con.execute("""CREATE TYPE budget_text AS ENUM (SELECT DISTINCT name FROM (
                       SELECT budget_id AS name FROM budgets_src UNION ALL SELECT department FROM budgets_src)
                   WHERE name IS NOT NULL)""")
    rule_texts = sorted({text for r in rules for text in (r.id, r.kind, r.reason) if text is not None})
    con.execute(f"CREATE TYPE rule_text AS ENUM ({', '.join(sql.lit(text) for text in rule_texts)})")
    con.execute(sql.measure_type_sql(rules))
    # rule_rank: the rules in the order of their ids, an integer to sort by
    con.execute("CREATE TABLE RULES (rule VARCHAR, rule_kind VARCHAR, reason VARCHAR, rule_rank INTEGER)")
    ranks = {rule_id: rank for rank, rule_id in enumerate(sorted({r.id for r in rules}))}
    con.executemany("INSERT INTO RULES VALUES (?, ?, ?, ?)", [[r.id, r.kind, r.reason, ranks[r.id]] for r in rules])
    workers = os.cpu_count() or 1
    chunks = _chunks(con, workers)
    workers = min(len(chunks), workers)
    if workers > 1:  # one DuckDB thread per chunk: each chunk runs on the thread that submits it
        con.execute("SET threads = 1")
    with ThreadPoolExecutor(workers) as pool:  # DuckDB releases the GIL while it works
        tables = list(pool.map(lambda chunk: _audit_chunk(con.cursor(), rules, sources, chunk), chunks))
    return _findings_frame(pa.concat_tables(tables))


def _open_sources(con, sources: dict[str, object], chunk: tuple[int, int] | None = None) -> None:
    """Views budgets_src, claims_src, lines_src on ``con`` (a cursor: views are its own), limited
    to the budgets whose budget_order lies in ``chunk`` (inclusive) if given."""
    tables = {}
    for name, source in sources.items():
        if isinstance(source, pa.Table):
            con.register(f"{name}_all", source)
            source = f"{name}_all"
        tables[name] = source
    within = "" if chunk is None else f"WHERE budget_order BETWEEN {int(chunk[0])} AND {int(chunk[1])}"
    con.execute(f"CREATE TEMP VIEW budgets_src AS SELECT * FROM {tables['budgets']} {within}")
    for name in ("claims", "lines"):
        mine = "" if chunk is None else "WHERE budget_id IN (SELECT budget_id FROM budgets_src)"
        con.execute(f"CREATE TEMP VIEW {name}_src AS SELECT * FROM {tables[name]} {mine}")


def _chunks(con, workers: int = 1) -> list[tuple[int, int] | None]:
    """Ranges of budget_order holding at most about CHUNK_CLAIMS claims each, as many as a multiple
    of ``workers`` so that none waits alone at the end (``[None]``: all at once)."""
    counts = con.execute("""SELECT CAST(b.budget_order AS BIGINT) AS o, count(c.budget_id) AS n
                            FROM budgets_src b LEFT JOIN (SELECT budget_id FROM claims_src) c USING (budget_id)
                            GROUP BY o ORDER BY o""").fetchnumpy()
    orders, total = counts["o"], np.cumsum(counts["n"])
    parts = -(-int(total[-1]) // CHUNK_CLAIMS) if len(total) else 1
    if parts <= 1:
        return [None]
    parts = -(-parts // workers) * workers
    # the first budget of each chunk: where the running count of claims passes a multiple of the share
    starts = np.unique(np.searchsorted(total, [total[-1] * k / parts for k in range(1, parts)], side="right"))
    starts = [0, *(int(i) for i in starts if 0 < i < len(orders))]
    ends = [*(i - 1 for i in starts[1:]), len(orders) - 1]
    return [(int(orders[a]), int(orders[b])) for a, b in zip(starts, ends)]


def _audit_chunk(con, rules: list[Rule], sources: dict[str, object], chunk: tuple[int, int] | None) -> pa.Table:
    """The findings of the budgets of ``chunk``, sorted, as Arrow (budget, rule and verdict as ENUMs)."""
    from . import collection_sql as sql

    _open_sources(con, sources, chunk)
    con.execute(sql.ENRICH)
    # the fixed point (10⁻¹⁰ 万元) holds every rounding half-unit except of 元 printed with 6 decimals
    beyond = con.execute("""SELECT b.name, e.claim_id FROM E e JOIN B b USING (budget_id)
                            WHERE e.unit = '元' AND e.d > 5 LIMIT 1""").fetchall()
    if beyond:
        raise ValueError(f"budget {beyond[0][0]!r}, claim {beyond[0][1]}: a figure in 元 printed with more than "
                         "5 decimals is finer than the collection audit's fixed point; audit that budget alone")
    share_parts, share_wholes, change_currents = con.execute(sql.UNNAMED).fetchone()
    con.execute(sql.share_parts_sql(share_parts > 0, share_wholes > 0))
    con.execute(sql.change_parts_sql(change_currents > 0))
    con.execute(f"CREATE OR REPLACE TEMP TABLE F ({_F_COLUMNS})")
    batches = {"sum": [r for r in rules if r.kind == "sum" and "over" not in r.params],
               "bound": [r for r in rules if r.kind == "bound"]}
    for kind, builder in (("sum", sql.sums_sql), ("bound", sql.bounds_sql)):
        if batches[kind]:
            _insert_rows(con, builder(batches[kind]))
    for rule in rules:
        if any(rule in batch for batch in batches.values()):
            continue
        if rule.kind == "text" and rule.params["check"] in sql.TEXT_SQL_BUILDERS:
            query = sql.TEXT_SQL_BUILDERS[rule.params["check"]](rule)
        elif rule.kind == "text":
            _insert_frame(con, _scanned_text_rows(con, rule))
            continue
        else:
            query = sql.SQL_BUILDERS[rule.kind](rule)
        _insert_rows(con, query, rule.id)
    con.execute("DROP VIEW S; DROP TABLE E; DROP TABLE SHP; DROP TABLE CHP")  # free their memory for the result
    return con.sql("""
        WITH b AS (SELECT budget_order, CAST(budget_id AS budget_text) AS budget_id,
                          CAST(department AS budget_text) AS department, budget_year FROM budgets_src),
        r AS (SELECT rule AS id, CAST(rule AS rule_text) AS rule, CAST(rule_kind AS rule_text) AS rule_kind,
                     CAST(reason AS rule_text) AS reason, rule_rank FROM RULES)
        SELECT b.budget_id, b.department, CAST(b.budget_year AS BIGINT) AS budget_year, r.rule, r.rule_kind,
               f.verdict, coalesce(f.section, t.section) AS section,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.claim_id END AS claim_id,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.measure END AS measure,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.label END AS label,
               f.stated, f.stated_interval, f.computed, f.computed_interval, f.stated - f.computed AS difference,
               f.unit, coalesce(f.quote, t.quote) AS quote, f.explanation, f.inputs, r.reason,
               CASE WHEN f.stated IS NULL THEN 0 ELSE f.stated_scale END AS s1,
               CASE WHEN f.computed IS NULL THEN 0 ELSE f.computed_scale END AS s2
        FROM F f JOIN b ON b.budget_order = f.budget_id JOIN r ON r.id = f.rule
        LEFT JOIN T t ON t.key = claim_key(f.budget_id, f.cord)
        ORDER BY f.budget_id, f.verdict DESC, f.ord, r.rule_rank, f.seq
    """).to_arrow_table()


def _insert_rows(con, query: str, rule_id: str | None = None) -> None:
    """Insert into F the rows of a rule query: ROW_COLUMNS, then ``rule`` unless ``rule_id`` names it."""
    from .collection_sql import ROW_COLUMNS, lit

    columns = ", ".join(ROW_COLUMNS)
    names, rule = (f"{columns}, rule", "rule") if rule_id is None else (columns, f"{lit(rule_id)} AS rule")
    # every rule row is about the claim of its ord
    con.execute(f"INSERT INTO F BY NAME SELECT {columns}, {rule}, ord AS cord FROM ({query}) t({names})")


def _findings_frame(table: pa.Table) -> pd.DataFrame:
    scale = 2
    for column in ("s1", "s2"):
        if table.num_rows:
            scale = max(scale, pa.compute.max(table[column]).as_py())
    columns = {}
    for name in [*KEY_COLUMNS, *FINDING_COLUMNS]:
        if name in ("stated", "computed", "difference"):
            columns[name] = _decimal_series(table[name], scale)
        elif name == "budget_year":
            columns[name] = pd.Series(table[name].to_pandas(), dtype="Int64")
        elif name == "verdict":
            columns[name] = _verdicts(table[name])
        else:  # Arrow strings become pandas' str dtype without a Python object per value
            column = table[name]
            if pa.types.is_dictionary(column.type):  # an ENUM of _run_audit
                column = column.cast(column.type.value_type)
            columns[name] = pd.Series(column.to_pandas(), dtype="str")
    return pd.DataFrame(columns)


def _verdicts(column: pa.ChunkedArray) -> pd.Categorical:
    """The verdict ENUM (Arrow dictionary chunks) as an ordered Categorical, from its codes."""
    codes = [np.array([VERDICTS.index(v) for v in chunk.dictionary.to_pylist()], dtype="int8")[
             chunk.indices.to_numpy(zero_copy_only=False)] for chunk in column.chunks]
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.array([], dtype="int8"),
                                     categories=list(VERDICTS), ordered=True)


def _decimal_series(column, scale: int) -> pd.Series:
    """A column of Q counts (BIGINT, 10⁻¹⁰ units) as exact Arrow decimals with ``scale`` decimals."""
    from .collection_sql import SCALE

    array = column.combine_chunks().cast(pa.decimal128(38, 0)).view(pa.decimal128(38, SCALE))
    return pd.Series(array.cast(pa.decimal128(38, scale)), dtype=pd.ArrowDtype(pa.decimal128(38, scale)))


def _insert_frame(con, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("text_rows", pa.Table.from_pandas(frame, preserve_index=False))
    con.execute("INSERT INTO F BY NAME SELECT * FROM text_rows")
    con.unregister("text_rows")


def _scanned_text_rows(con, rule: Rule) -> pd.DataFrame:
    """The text checks that read the document's lines: DuckDB finds the candidate lines across the
    collection; Python's ``re`` (the pattern ``audit`` uses) reads exact spans on those few lines.
    Gives rows of F (see _F_COLUMNS); the placeholder check inserts its consistent rows into F itself."""
    from . import collection_sql as sql

    check = rule.params["check"]
    rows = []
    base = {"rule": rule.id}
    if check == "placeholder":
        hits = con.execute("""
            WITH l AS (SELECT CAST(b.budget_order AS BIGINT) AS budget_id, l.line, l.text, l.section
                       FROM lines_src l JOIN budgets_src b ON b.budget_id = l.budget_id WHERE regexp_matches(l.text, ?))
            SELECT l.budget_id, l.line, l.text, l.section,
                   coalesce((SELECT string_agg(claim_id, ' ' ORDER BY ord) FROM E WHERE E.budget_id = l.budget_id AND E.line = l.line), '') AS inputs,
                   coalesce((SELECT min(ord) FROM E WHERE E.budget_id = l.budget_id AND E.line >= l.line),
                            (SELECT count(*) FROM E WHERE E.budget_id = l.budget_id)) AS ord
            FROM l
        """, [PLACEHOLDER_PATTERN.pattern]).fetchall()
        found = set()
        for budget_id, number, line, section, inputs, order in hits:
            for match in PLACEHOLDER_PATTERN.finditer(line):
                found.add(budget_id)
                start, end = match.span()
                rows.append({**base, "budget_id": budget_id, "verdict": "text", "cord": None, "section": section,
                             "quote": line[max(0, start - 20):min(len(line), end + 20)].strip(),
                             "explanation": f"Unfilled template text {match.group()!r} on line {number}.",
                             "inputs": inputs, "ord": order, "seq": number * 10000 + start})
        # the consistent row of every other budget (most of them) goes into F without a Python object per row
        con.execute(f"""
            INSERT INTO F BY NAME SELECT CAST(budget_order AS BIGINT) AS budget_id, {sql.lit(rule.id)} AS rule,
                   'consistent' AS verdict, '' AS section, '' AS quote, 0 AS stated_scale, '' AS stated_interval,
                   0 AS computed_scale, '' AS computed_interval, '' AS unit,
                   'No unfilled template text in the document.' AS explanation, '' AS inputs, -1 AS ord, 0 AS seq
            FROM budgets_src WHERE NOT list_contains(CAST(? AS BIGINT[]), CAST(budget_order AS BIGINT))""", [sorted(found)])
    elif check == "reason-year":
        candidates = con.execute("""
            SELECT c.budget_id, c.char_end, c.base_year, c.year, c.ord, l.text
            FROM E c JOIN B b USING (budget_id) JOIN lines_src l ON l.budget_id = b.name AND l.line = c.line
            WHERE c.kind = 'change' AND c.base_year IS NOT NULL AND c.line > 0 AND l.text LIKE '%主要%'
        """).fetchall()
        for budget_id, char_end, base_year, year, order, line in candidates:
            reason = REASON_YEAR.search(line, char_end)
            if reason is None:
                continue
            named = int(reason.group(1))
            ok = named != base_year
            explanation = (f"The reason given for the change names {named}." if ok else
                           f"The reason given for a change from {base_year} to {year} attributes it to {named}, "
                           f"the year compared with.")
            # about the change claim (its section and the rest come with it), quoting the reason
            rows.append({**base, "budget_id": budget_id, "verdict": "consistent" if ok else "text",
                         "cord": order, "section": None, "quote": reason.group(0), "explanation": explanation,
                         "inputs": "", "ord": order, "seq": 0})
    else:  # pragma: no cover - load_rules admits only the checks above
        raise ValueError(f"unknown text check {check!r}")
    frame = pd.DataFrame(rows, columns=["budget_id", "rule", "verdict", "cord", "section", "quote", "explanation",
                                        "inputs", "ord", "seq"])
    return pd.DataFrame({
        "budget_id": frame["budget_id"], "rule": frame["rule"], "verdict": frame["verdict"],
        "cord": frame["cord"].astype("Int64"), "section": frame["section"],
        "stated": pd.Series([None] * len(frame), dtype="object"), "stated_scale": 0, "stated_interval": "",
        "computed": pd.Series([None] * len(frame), dtype="object"), "computed_scale": 0, "computed_interval": "",
        "unit": "", "quote": frame["quote"], "explanation": frame["explanation"], "inputs": frame["inputs"],
        "ord": frame["ord"].astype("int64"), "seq": frame["seq"].astype("int64"),
    })


# -- across budgets ---------------------------------------------------------------------------

def _year_over_year(con) -> pd.DataFrame:
    """Prior-year figures of year Y+1's document against year Y's own figures, per department."""
    from .collection_sql import ENRICH, measure_type_sql

    con.execute(measure_type_sql([]))
    con.execute(ENRICH)
    table = con.sql(f"""
        WITH b AS (SELECT CAST(budget_order AS BIGINT) AS budget_id, budget_id AS name, department,
                          CAST(budget_year AS INTEGER) AS budget_year FROM budgets_src),
        st AS (SELECT s.*, t.label, t.section FROM S s JOIN T t USING (budget_id, ord)),
        later AS (  -- figures of an earlier year stated in a later budget
            SELECT s.*, b.name, b.department, b.budget_year FROM st s JOIN b USING (budget_id) WHERE s.year < b.budget_year
        ), earlier AS (  -- the first statement of that quantity in the budget of its own year
            SELECT s.*, b.name, b.department FROM st s JOIN b USING (budget_id) WHERE s.year = b.budget_year
            QUALIFY row_number() OVER (PARTITION BY s.budget_id, s.measure, s.code, s.year, s.cunit ORDER BY s.ord) = 1
        )
        SELECT l.department, l.measure, l.code, l.year AS restated_year,
               l.name AS later_budget_id, l.claim_id AS later_claim_id, l.label AS later_label,
               l.amt AS later_q, l.as_ AS later_s,
               e.name AS earlier_budget_id, e.claim_id AS earlier_claim_id, e.label AS earlier_label,
               e.amt AS earlier_q, e.as_ AS earlier_s, l.amt - e.amt AS difference_q,
               verdict(l.lo, l.hi, l.amt, l.lp, e.lo, e.hi) AS verdict,
               describe_claim(l.label, l.v, l.vs, l.unit, l.section, l.claim_id) || ' in ' || l.name || ' '
               || CASE WHEN verdict(l.lo, l.hi, l.amt, l.lp, e.lo, e.hi) = 'consistent' THEN 'restates '
                       ELSE 'differs from ' END
               || describe_claim(e.label, e.v, e.vs, e.unit, e.section, e.claim_id) || ' in ' || e.name || '.' AS explanation,
               l.unit AS unit
        FROM later l JOIN earlier e ON e.department = l.department AND e.year = l.year AND e.measure = l.measure
             AND e.code IS NOT DISTINCT FROM l.code AND e.cunit = l.cunit
        ORDER BY l.department, l.year, l.measure, l.code, l.name, l.ord
    """).to_arrow_table()
    out = pd.DataFrame({name: table[name].to_pandas() for name in table.column_names
                        if not name.endswith(("_q", "_s"))})
    out = out.astype({name: "str" for name in out.columns if name != "restated_year"})
    out["restated_year"] = out["restated_year"].astype("Int64")
    for name in ("later", "earlier", "difference"):
        out[f"{name}_stated" if name != "difference" else name] = _decimal_series(table[f"{name}_q"], 4)
    out["verdict"] = pd.Categorical(out["verdict"], categories=list(VERDICTS), ordered=True)
    out.insert(0, "rule", YEAR_OVER_YEAR_RULE)
    columns = ["rule", "verdict", "department", "measure", "code", "restated_year", "later_budget_id",
               "later_claim_id", "later_label", "later_stated", "earlier_budget_id", "earlier_claim_id",
               "earlier_label", "earlier_stated", "difference", "unit", "explanation"]
    return out[columns]



# -- summaries for notebooks and reports ------------------------------------------------------

def demo_sources() -> list[Path]:
    """The bundled demo collection (SYNTHETIC budgets of four departments, 2022–2024) and the
    bundled real budget: sources for :func:`load_many`."""
    demo = bundled_data_dir() / "collections" / "demo"
    return [*sorted(path.parent for path in demo.glob("*/datapackage.json")), bundled_data_dir()]


def verdicts_by(findings: pd.DataFrame, by: str | list[str] = "department") -> pd.DataFrame:
    """How many evaluations got each verdict, per department (or any key columns of the findings)."""
    keys = [by] if isinstance(by, str) else list(by)
    counts = pd.crosstab([findings[key] for key in keys], findings["verdict"])
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0)
    counts.columns = [str(column) for column in counts.columns]
    counts["evaluations"] = counts.sum(axis=1)
    return counts.reset_index().rename_axis(None, axis=1)


def common_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The rules that fail most often: findings that are not consistent, per rule and verdict,
    with the number of budgets they occur in."""
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    grouped = failing.groupby(["rule", "rule_kind", "verdict"], observed=True)
    table = grouped.agg(findings=("budget_id", "size"), budgets=("budget_id", "nunique")).reset_index()
    table["verdict"] = table["verdict"].astype(str)
    return table.sort_values(["findings", "budgets", "rule"], ascending=[False, False, True]).reset_index(drop=True)


_STRUCTURE = {"expenditure_total": "expenditure_wan_yuan", "expenditure_basic": "basic_wan_yuan",
              "expenditure_project": "project_wan_yuan", "three_public_total": "three_public_wan_yuan",
              "mtt_total": "meeting_training_travel_wan_yuan"}


def spending_structure(collection: Collection) -> pd.DataFrame:
    """Per budget: total expenditure, 基本/项目 and 三公 as stated (first statement, budget year),
    and their shares of the total in percent, computed exactly and rounded half up to 2 decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    claims = collection.claims
    stated = claims[claims["kind"].isin(["amount", "total"]) & claims["measure"].isin(list(_STRUCTURE))
                    & (claims["year"] == claims["budget_year"]) & claims["code"].isna() & claims["value"].notna()]
    first = stated.drop_duplicates(["budget_id", "measure"], keep="first")
    first = first.assign(amount=[value * MONEY_UNITS.get(unit, Decimal(1))
                                 for value, unit in zip(first["value"], first["unit"])])
    wide = first.pivot(index="budget_id", columns="measure", values="amount")
    table = collection.budgets[KEY_COLUMNS].set_index("budget_id").join(wide, how="left").reset_index()

    def share(part, whole):
        if part is None or whole is None or pd.isna(part) or pd.isna(whole) or whole == 0:
            return None
        return (part / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    out = table[KEY_COLUMNS].copy()
    for measure, column in _STRUCTURE.items():
        values = table[measure] if measure in table else pd.Series([None] * len(table))
        out[column] = pd.Series([None if pd.isna(v) else Decimal(v).quantize(Decimal("0.01")) for v in values],
                                dtype=pd.ArrowDtype(pa.decimal128(20, 2)))
    whole = list(out["expenditure_wan_yuan"])
    for column, name in (("basic_wan_yuan", "basic_share_pct"), ("project_wan_yuan", "project_share_pct"),
                         ("three_public_wan_yuan", "three_public_share_pct")):
        out[name] = pd.Series([share(p, w) for p, w in zip(out[column], whole)], dtype=pd.ArrowDtype(pa.decimal128(20, 2)))
    return out


YEAR_OVER_YEAR_REASON = ("A department's budget restates last year's figures; they should equal what last year's own "
                         "budget stated, or the change the text reports is measured from a different base.")


def year_over_year_findings(collection: Collection, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The year-over-year restatements (:meth:`Collection.year_over_year`) as rows of the findings
    table, each under the later budget: they can be stacked under ``collection.audit()``."""
    pairs = collection.year_over_year() if pairs is None else pairs
    budgets = collection.budgets.set_index("budget_id")
    later = pairs["later_budget_id"]
    claims = collection.claims
    keys = list(zip(claims["budget_id"], claims["claim_id"]))
    sections, quotes = dict(zip(keys, claims["section"])), dict(zip(keys, claims["quote"]))
    rows = pd.DataFrame({
        "budget_id": later,
        "department": pairs["department"],
        "budget_year": pd.Series([budgets.at[b, "budget_year"] for b in later], dtype="Int64"),
        "rule": pairs["rule"],
        "rule_kind": "restatement",
        "verdict": pairs["verdict"],
        "section": [sections.get((b, c), "") for b, c in zip(later, pairs["later_claim_id"])],
        "claim_id": pairs["later_claim_id"],
        "measure": pairs["measure"],
        "label": pairs["later_label"],
        "stated": pairs["later_stated"],
        "stated_interval": "",
        "computed": pairs["earlier_stated"],
        "computed_interval": "",
        "difference": pairs["difference"],
        "unit": pairs["unit"],
        "quote": [quotes.get((b, c), "") for b, c in zip(later, pairs["later_claim_id"])],
        "explanation": pairs["explanation"],
        "inputs": pairs["earlier_budget_id"] + " " + pairs["earlier_claim_id"],
        "reason": YEAR_OVER_YEAR_REASON,
    })
    text = [c for c in rows.columns if c not in ("budget_year", "verdict", "stated", "computed", "difference")]
    return rows.astype({c: "str" for c in text}).reset_index(drop=True)


def stack_findings(findings: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """``more`` findings under ``findings``, every decimal column at the finer of the two scales."""
    if more.empty:
        return findings
    columns = list(findings.columns)
    more = more[columns].copy()
    for name in ("stated", "computed", "difference"):
        scale = max(findings[name].dtype.pyarrow_dtype.scale, more[name].dtype.pyarrow_dtype.scale)
        dtype = pd.ArrowDtype(pa.decimal128(38, scale))
        findings = findings.astype({name: dtype})
        more[name] = more[name].astype(dtype)
    stacked = pd.concat([findings, more], ignore_index=True)
    stacked["verdict"] = pd.Categorical(stacked["verdict"].astype(str), categories=list(VERDICTS), ordered=True)
    return stacked
