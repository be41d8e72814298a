"""Budgets read from folders, packages and documents (in worker processes when many) and stacked
into a collection's long tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..audit import section_of_lines
from ..extract import DOCUMENT_SUFFIXES, load_or_extract
from ..messages import text
from ..model import Budget
from ..schema import BudgetDataError, bundled_data_dir, bundled_rules_path, place, read_descriptor
from ..template import document_pair_words
from .columns import (BUDGET_COLUMNS, CLAIM_COLUMNS, KEY_COLUMNS, LINE_COLUMNS, LINE_ITEM_COLUMNS, arrow_table,
                      concat_frames, typed_frame)
from .frame import Collection, Source, collection_documents, source_of, source_text

__all__ = ["collection_title", "discover", "from_budgets", "load_one", "load_parts", "pair_documents", "problem_lines",
           "source_name"]


def collection_title(budgets: pd.DataFrame) -> str:
    """``13份预算，5个部门，2022—2024年`` (``13 budgets of 5 departments, 2022–2024``), the documents
    counted by kind (``2份预算、1份决算，…``; ``3份文件，…`` when ``budgets`` states no kind)."""
    years = sorted(int(y) for y in budgets["budget_year"].dropna().unique())
    if len(years) > 1:
        span = text("collection.years", first=years[0], last=years[-1])
    else:
        span = text("collection.year", year=years[0]) if years else text("collection.no-year")
    documents, departments = collection_documents(budgets), budgets["department"].nunique()
    if departments == 1:
        return text("collection.title-one-department", documents=documents, span=span)
    return text("collection.title", documents=documents, departments=departments, span=span)


def problem_lines(problems) -> list[str]:
    """Sources a collection could not read, one line each: source, file, line and field, message."""
    lines = []
    for row in problems.itertuples(index=False):
        file, line, field = (None if pd.isna(value) else value for value in (row.file, row.row, row.field))
        file = file if file and file != row.source else None
        at = place(None if line is None else int(line), field)  # a source's problems are in its files' lines
        where = text("data.place-in-file", file=file, place=at) if file and at else (file or at)
        if where:
            lines.append(text("collection.unread-at", source=row.source, where=where, message=row.message))
        else:
            lines.append(text("collection.unread", source=row.source, message=row.message))
    return lines


def source_name(path: Path) -> str:
    if path.name == "datapackage.json":
        path = path.parent
    if path.resolve() == bundled_data_dir().resolve():
        return str(read_descriptor(path).get("name", "bundled-budget"))
    return path.stem if path.is_file() else path.name


def discover(root: Path) -> list[Path]:
    """Data package folders and loose documents beneath ``root``, in a stable order."""
    packages = sorted(path.parent for path in root.rglob("datapackage.json"))
    documents = [path for path in sorted(root.rglob("*")) if path.suffix.lower() in DOCUMENT_SUFFIXES
                 and path.is_file() and not any(package in path.parents for package in packages)]
    return sorted(packages + documents)


def pair_documents(paths: list[Path]) -> list[Source]:
    """``paths`` with each explanation and its tables published as two files (…公开文件.pdf and
    …公开表.pdf, in one folder) made one source; every other path as it is, in the same order."""
    explanation_words, table_words = document_pair_words()
    stems: dict[tuple[Path, str], dict[str, list[Path]]] = {}
    for path in paths:
        if path.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        for kind, words in (("explanation", explanation_words), ("tables", table_words)):
            word = next((w for w in words if w in path.stem), None)
            if word is not None:
                at = path.stem.rindex(word)
                stem = (path.stem[:at] + path.stem[at + len(word):]).strip(" -_　")
                stems.setdefault((path.parent, stem), {}).setdefault(kind, []).append(path)
                break
    pairs: dict[Path, tuple[Path, Path]] = {}
    for found in stems.values():
        if len(found.get("explanation", ())) == 1 and len(found.get("tables", ())) == 1:
            pair = (found["explanation"][0], found["tables"][0])
            pairs[pair[0]] = pairs[pair[1]] = pair
    sources: list[Source] = []
    for path in paths:
        if path not in pairs:
            sources.append(path)
        elif pairs[path][0] == path:
            sources.append(pairs[path])
    return sources


def load_one(path: Source) -> tuple[Budget | None, list[dict]]:
    """A budget, or the problems that kept it from loading (file, row, field, type, message)."""
    try:
        return load_or_extract(path), []
    except BudgetDataError as error:
        return None, [{"file": p.file, "row": p.row, "field": p.field, "type": p.type, "message": p.message}
                      for p in error.problems]
    except Exception as error:  # an unreadable document must not stop the others; it is reported
        return None, [{"file": source_text(path), "row": None, "field": None, "type": "read-failed",
                       "message": text("collection.read-failed", kind=type(error).__name__, error=error)}]


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
    document_kind: str
    raw_text: str
    sections: list[str]
    claims: bytes
    line_items: bytes
    rules_path: Path

    @classmethod
    def of(cls, budget: Budget) -> _Parts:
        return cls(department=budget.department, year=int(budget.year), prior_year=int(budget.prior_year),
                   document_kind=budget.document_kind, raw_text=budget.raw_text,
                   sections=section_of_lines(budget.raw_text),
                   claims=_ipc(budget.claims, CLAIM_COLUMNS), line_items=_ipc(budget.line_items, LINE_ITEM_COLUMNS),
                   rules_path=budget.rules_path)


def _ipc(frame: pd.DataFrame, columns: list[str]) -> bytes:
    table = arrow_table(frame if list(frame.columns) == columns else frame[columns])
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema.remove_metadata()) as writer:
        writer.write_table(table.replace_schema_metadata(None))
    return sink.getvalue().to_pybytes()


def _from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def load_parts(path: Source) -> tuple[_Parts | None, list[dict]]:
    """In a worker process: :func:`load_one`, the budget given back as its :class:`_Parts`."""
    budget, errors = load_one(path)
    return (None if budget is None else _Parts.of(budget)), errors


class _Members(Mapping):
    """budget_id → Budget: the budgets loaded in this process as they are; a budget loaded in a
    worker process (only its _Parts came back) is read again from its source when first asked for."""

    def __init__(self, loaded: dict[str, Budget], sources: dict[str, Source], order: list[str]):
        self._loaded, self._sources, self._order = loaded, sources, order

    def __getitem__(self, budget_id: str) -> Budget:
        if budget_id not in self._loaded:
            if budget_id not in self._sources:
                raise KeyError(budget_id)
            self._loaded[budget_id] = load_or_extract(self._sources[budget_id])
        return self._loaded[budget_id]

    def __contains__(self, budget_id: object) -> bool:
        return budget_id in self._loaded or budget_id in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


def from_budgets(budgets: list[tuple[str, Budget, str]]) -> Collection:
    """Stack loaded budgets into long tables; ``budgets`` holds (budget_id, Budget, source), the
    source a :data:`Source` or its text.

    (Within load_many a budget may also be the _Parts a worker process sent back; its source is
    then a path, from which ``members`` reads the Budget again if asked.)"""
    meta, keys = [], []
    line_ids, line_numbers, line_texts, line_sections = [], [], [], []
    for order, (budget_id, budget, source) in enumerate(budgets):
        keys.append((budget_id, budget.department, int(budget.year)))
        meta.append({"budget_id": budget_id, "department": budget.department, "budget_year": int(budget.year),
                     "prior_year": int(budget.prior_year), "document_kind": budget.document_kind,
                     "source": source_text(source) if not isinstance(source, str) else source, "budget_order": order})
        text = budget.raw_text.split("\n")
        line_ids += [budget_id] * len(text)
        line_numbers += range(1, len(text) + 1)
        line_texts += text
        line_sections += budget.sections if isinstance(budget, _Parts) else section_of_lines(budget.raw_text)
    # every budget's lines in one frame (concat_frames gives the empty table its columns when there are none)
    lines = pd.DataFrame({"budget_id": line_ids, "line": line_numbers, "text": line_texts, "section": line_sections})
    claims = [_from_ipc(b.claims) if isinstance(b, _Parts) else b.claims for _, b, _ in budgets]
    line_items = [_from_ipc(b.line_items) if isinstance(b, _Parts) else b.line_items for _, b, _ in budgets]
    members = {budget_id: budget for budget_id, budget, _ in budgets if not isinstance(budget, _Parts)}
    if len(members) < len(budgets):
        members = _Members(members, {budget_id: source_of(source) if isinstance(source, str) else source
                                     for budget_id, budget, source in budgets if isinstance(budget, _Parts)},
                           [budget_id for budget_id, _, _ in budgets])
    bundled_rules = bundled_rules_path().resolve()
    rules_paths = {budget_id: Path(budget.rules_path) for budget_id, budget, _ in budgets
                   if Path(budget.rules_path).resolve() != bundled_rules}
    return Collection(
        members=members,
        rules_paths=rules_paths,
        budgets=typed_frame(pd.DataFrame(meta, columns=BUDGET_COLUMNS), "budgets"),
        claims=typed_frame(stack_frames(claims, CLAIM_COLUMNS, keys, order="claim_order"), "claims"),
        line_items=typed_frame(stack_frames(line_items, LINE_ITEM_COLUMNS, keys), "line_items"),
        lines=typed_frame(concat_frames([lines], LINE_COLUMNS), "lines"),
    )


def stack_frames(frames: list[pd.DataFrame | pa.Table], columns: list[str], keys: list[tuple[str, str, int]],
                 order: str | None = None) -> pd.DataFrame:
    """The frames' ``columns`` one under another, each row keyed by its budget (and numbered in
    ``order`` within it). One concat and whole key columns: per-budget assign costs ~1 ms each.
    Arrow tables (from worker processes) are stacked by Arrow, into one DataFrame at once."""
    if frames and all(isinstance(frame, pa.Table) for frame in frames):
        kept = [(table, key) for table, key in zip(frames, keys) if table.num_rows]
        if not kept:
            return concat_frames([], [*KEY_COLUMNS, *columns, *([order] if order else [])])
        # the value decimals' scales differ by budget: "permissive" takes the widest (typed then casts)
        stacked = pa.concat_tables([table for table, _ in kept], promote_options="permissive")
        stacked = stacked.select(columns).to_pandas(types_mapper=pd.ArrowDtype)
    else:
        frames = [frame.to_pandas(types_mapper=pd.ArrowDtype) if isinstance(frame, pa.Table) else frame
                  for frame in frames]
        selected = [(frame if list(frame.columns) == columns else frame[columns], key)
                    for frame, key in zip(frames, keys)]
        kept = [(frame, key) for frame, key in selected if len(frame)]
        if not kept:
            return concat_frames([], [*KEY_COLUMNS, *columns, *([order] if order else [])])
        stacked = pd.concat([frame for frame, _ in kept], ignore_index=True)
    key_columns = {name: [key[i] for frame, key in kept for _ in range(len(frame))]
                   for i, name in enumerate(KEY_COLUMNS)}
    if order:
        stacked[order] = [n for frame, _ in kept for n in range(len(frame))]
    return pd.concat([pd.DataFrame(key_columns), stacked], axis=1)
