"""A collection's audit: the one engine of :mod:`budgetkit.audit` over whole budgets a chunk at a
time, chunks side by side in worker processes, from pandas or straight from Parquet; and the one
rule that spans budgets, the prior-year figures a later document restates."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from ..audit import ClaimTable, Rule, evaluate, load_rules
from ..audit.table import CLAIM_TABLE_COLUMNS, SCALE
from ..audit.figures import describe, verdicts
from ..audit.found import decimals
from ..files import atomic_stream
from ..findings import VERDICTS
from ..messages import text
from ..schema import UNKNOWN_KIND, bundled_rules_path
from .analysis import stack_findings
from .columns import KEY_COLUMNS, PARQUET_COMPRESSION, ROW_GROUP_ROWS, YEAR_OVER_YEAR_RULE
from .jobs import iter_jobs, run_jobs

__all__ = ["CHUNK_CLAIMS", "audit_frames", "audit_parquet_folder", "audit_parquet_folder_to", "budget_chunks",
           "resolve_rules", "year_over_year_pairs"]


#: Most claims in a chunk of the collection audit. Every rule stays within one budget, so whole
#: budgets are audited a chunk at a time, chunks side by side in as many processes as there are
#: cores; a collection of one chunk is audited in the calling process. From Parquet a chunk is whole
#: row groups of the claims (two of ``ROW_GROUP_ROWS``: about 1,600 budgets), so that none is decoded twice.
CHUNK_CLAIMS = 2 * ROW_GROUP_ROWS


def resolve_rules(rules) -> list[Rule]:
    if rules is None:
        return load_rules(bundled_rules_path())
    if isinstance(rules, (str, Path)):
        return load_rules(rules)
    return list(rules)


def budget_chunks(claims_per_budget: np.ndarray, most: int | None = None,
                  blocks: np.ndarray | None = None) -> list[tuple[int, int]]:
    """[start, end) ranges of budgets, in order, each with at most about ``most`` claims (a budget
    with more is a chunk of its own). ``blocks``: the budgets at which a block starts (the first
    budget of each row group of the claims file): a chunk is then whole blocks, as many as fit, so
    that no row group is decoded for two chunks; a block of more than ``most`` claims is cut by budgets."""
    most = most or CHUNK_CLAIMS
    counts = np.asarray(claims_per_budget, dtype="int64")
    if blocks is None:
        return _runs(counts, most, np.arange(len(counts) + 1))
    bounds = np.unique(np.r_[0, np.asarray(blocks, dtype="int64"), len(counts)].clip(0, len(counts)))
    held = np.r_[0, np.cumsum(counts)][bounds]
    chunks = []
    for start, end in _runs(np.diff(held), most, bounds):
        if end - start > 1 and counts[start:end].sum() > most:  # one block larger than a chunk
            chunks += [(start + a, start + b) for a, b in _runs(counts[start:end], most, np.arange(end - start + 1))]
        else:
            chunks.append((start, end))
    return chunks


def _runs(sizes: np.ndarray, most: int, bounds: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive items (item i spans ``bounds[i]`` to ``bounds[i + 1]``) of at most ``most``
    in all, cut greedily (an item larger than ``most`` is a run of its own), as ranges of ``bounds``."""
    chunks, start, held = [], 0, 0
    for index, size in enumerate(sizes.tolist()):
        if held and held + size > most:
            chunks.append((int(bounds[start]), int(bounds[index])))
            start, held = index, 0
        held += size
    if start < len(sizes) or not chunks:
        chunks.append((int(bounds[start]), int(bounds[len(sizes)])))
    return chunks


def _numbered(budgets: pd.DataFrame, frame: pd.DataFrame, by: str) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame``'s rows in budget order (then ``by``) and the budget number of each."""
    ids = [pa.array(column.astype(str), from_pandas=True).cast(pa.large_string()) for column in
           (budgets["budget_id"], frame["budget_id"])]
    # rows of no budget of the collection (−1) are not audited
    b = pa.compute.index_in(ids[1], value_set=ids[0]).fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    keep = b >= 0
    order = np.lexsort((frame[by].to_numpy(dtype="int64"), b)) if len(frame) else np.zeros(0, dtype="int64")
    order = order[keep[order]]
    if len(order) == len(frame) and (np.diff(order) > 0).all():  # in order already: no copy
        return frame.reset_index(drop=True), b
    return frame.iloc[order].reset_index(drop=True), b[order]


def audit_budgets(budgets: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """The findings of whole budgets (one chunk), led by the budgets' keys, in budget order."""
    budgets = budgets.reset_index(drop=True)
    claims, b = _numbered(budgets, claims, "claim_order")
    lines, line_b = _numbered(budgets, lines, "line")
    table = ClaimTable(claims, b, names=budgets["budget_id"].astype(str).tolist(), documents=budgets)
    line_frame = pd.DataFrame({"b": line_b, "line": lines["line"].to_numpy(dtype="int64"),
                               "text": lines["text"], "section": lines["section"]})  # texts stay in Arrow
    found = evaluate(table, rules, line_frame)
    keys = budgets[KEY_COLUMNS].iloc[found["b"].to_numpy()].reset_index(drop=True)
    keys["budget_year"] = keys["budget_year"].astype("Int64")
    for column in ("budget_id", "department"):
        keys[column] = keys[column].astype("str")
    return pd.concat([keys, found.drop(columns="b").reset_index(drop=True)], axis=1)


def _one_thread() -> None:
    """A worker process is one of as many as there are cores: Arrow's own threads would only compete."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def _audit_chunk(arguments) -> pa.Table:
    budgets, claims, lines, rules = arguments
    return _as_arrow(audit_budgets(budgets.to_pandas(types_mapper=pd.ArrowDtype),
                                   claims.to_pandas(types_mapper=pd.ArrowDtype),
                                   lines.to_pandas(types_mapper=pd.ArrowDtype), rules))


def _as_arrow(findings: pd.DataFrame) -> pa.Table:
    """A chunk's findings as they travel back from a worker (an Arrow table; see jobs)."""
    return pa.Table.from_pandas(findings, preserve_index=False)


def _as_findings(table: pa.Table) -> pd.DataFrame:
    """:func:`_as_arrow` read back: the frame as the worker had it (pandas' metadata keeps each column's
    dtype; the figures stay exact decimals)."""
    return table.to_pandas(types_mapper=lambda kind: pd.ArrowDtype(kind) if pa.types.is_decimal(kind) else None)


def audit_frames(budgets: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame, rules: list[Rule],
                 workers: int | None = None) -> pd.DataFrame:
    """The findings of every budget of the long tables, in budget order (``budget_order``)."""
    budgets = budgets.sort_values("budget_order", kind="stable").reset_index(drop=True)
    counts = claims["budget_id"].astype(str).value_counts().reindex(budgets["budget_id"].astype(str), fill_value=0)
    chunks = budget_chunks(counts.to_numpy())
    workers = min(len(chunks), workers or os.cpu_count() or 1)
    if workers <= 1:
        return audit_budgets(budgets, claims, lines, rules)
    tables = {name: pa.Table.from_pandas(frame, preserve_index=False)
              for name, frame in (("claims", claims), ("lines", lines))}
    ids = {name: table["budget_id"].cast(pa.string()) for name, table in tables.items()}
    jobs = []
    for start, end in chunks:
        chunk = budgets.iloc[start:end]
        wanted = pa.array(chunk["budget_id"].astype(str).tolist(), pa.string())
        jobs.append((pa.Table.from_pandas(chunk, preserve_index=False),
                     *(tables[name].filter(pa.compute.is_in(ids[name], wanted)) for name in ("claims", "lines")), rules))
    return stack_findings(*map(_as_findings, run_jobs(_audit_chunk, jobs, workers, initializer=_one_thread)))


def audit_parquet_folder(folder: Path, rules: list[Rule], workers: int | None = None, scheduler=None) -> pd.DataFrame:
    """The findings of a collection stored as Parquet (:meth:`Collection.to_parquet`), read a chunk of
    whole budgets at a time: only one chunk's claims and lines per process are in memory. The files
    are in budget_id order, so chunks are runs of budget_ids (each read from its own row groups) and
    the findings are put in budget order at the end. On a Dask cluster (``scheduler``) each chunk is a
    task of its own, read by its worker from the same folder."""
    budgets, jobs = _parquet_chunks(folder, rules)
    found = [_as_findings(table) for table in
             iter_jobs(_audit_parquet_chunk, jobs, workers or os.cpu_count(), scheduler, initializer=_one_thread)]
    stacked = stack_findings(*found)
    del found  # the chunks' frames, copied into the stack
    return in_budget_order(stacked, budgets)


def audit_parquet_folder_to(folder: Path, rules: list[Rule], out: Path, workers: int | None = None,
                            scheduler=None) -> int:
    """:func:`audit_parquet_folder` with the findings written to the Parquet file ``out`` as each chunk
    is done, so that only the chunks at work are in memory, whatever the collection's size: one row
    group per chunk, in budget_id order (each budget's findings as :func:`audit_budgets` orders them),
    figures at the engine's fixed point (decimal(38, 10)); the file is whole or not there. The number
    of findings."""
    import pyarrow.parquet as pq

    _, jobs = _parquet_chunks(folder, rules)
    # each worker sends its chunk's findings as the Arrow table written, so this process only writes
    found = iter_jobs(_streamed_parquet_chunk, jobs, workers or os.cpu_count(), scheduler, initializer=_one_thread)
    rows, schema, writer = 0, None, None
    with atomic_stream(out) as stream:
        try:
            for table in found:
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(stream, schema, compression=PARQUET_COMPRESSION, write_statistics=True,
                                              use_dictionary=[name for name in schema.names if name not in _MOSTLY_DISTINCT])
                writer.write_table(table.cast(schema), row_group_size=max(len(table), 1))
                rows += len(table)
        finally:
            if writer is not None:
                writer.close()
    return rows


#: Findings' texts that seldom repeat within a chunk: written plain, not first tried as a dictionary that
#: outgrows its page (a tenth of the writing's CPU, for a file some 3 % larger).
_MOSTLY_DISTINCT = ("quote", "explanation", "stated_interval", "computed_interval")


def _parquet_chunks(folder: Path, rules: list[Rule]) -> tuple[pd.DataFrame, list[tuple]]:
    """The budgets of a Parquet collection in budget_id order, and a job per chunk of whole budgets."""
    import pyarrow.parquet as pq

    budgets = pq.read_table(folder / "budgets.parquet").to_pandas(types_mapper=pd.ArrowDtype)
    budgets = budgets.assign(_id=budgets["budget_id"].astype(str)).sort_values("_id", kind="stable")
    # the claims of each budget, counted in Arrow (no Python string per claim)
    counted = pa.compute.value_counts(pq.read_table(folder / "claims.parquet", columns=["budget_id"],
                                                    read_dictionary=["budget_id"])["budget_id"])
    if pa.types.is_dictionary(counted.field("values").type):
        counted = pa.StructArray.from_arrays([counted.field("values").dictionary_decode(), counted.field("counts")],
                                             ["values", "counts"])
    ids = pa.array(budgets["_id"].to_numpy(dtype=object), counted.field("values").type)
    at = pa.compute.index_in(ids, value_set=counted.field("values")).to_numpy(zero_copy_only=False)
    found = ~np.isnan(at.astype("float64"))
    counts = np.zeros(len(ids), dtype="int64")
    counts[found] = counted.field("counts").to_numpy()[at[found].astype("int64")]
    blocks = _row_group_starts(folder / "claims.parquet", budgets["_id"].to_numpy(dtype=object))
    budgets = budgets.drop(columns="_id").reset_index(drop=True)
    return budgets, [(str(folder), budgets.iloc[start:end], rules) for start, end in budget_chunks(counts, None, blocks)]


def _row_group_starts(path: Path, ids: np.ndarray) -> np.ndarray | None:
    """The budgets (positions in ``ids``, ascending) at which a row group of the file begins, where
    the groups hold whole budgets (the previous group ends before); None without budget_id statistics."""
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    column = metadata.schema.to_arrow_schema().get_field_index("budget_id")
    bounds = []
    for index in range(metadata.num_row_groups):
        statistics = metadata.row_group(index).column(column).statistics
        if metadata.row_group(index).num_rows == 0:
            continue
        if statistics is None or not statistics.has_min_max or not isinstance(statistics.min, str):
            return None
        bounds.append((statistics.min, statistics.max))
    starts = [low for (low, _), (_, previous_high) in zip(bounds[1:], bounds) if previous_high < low]
    return np.searchsorted(ids, np.array(starts, dtype=object)) if starts else np.zeros(0, dtype="int64")


def in_budget_order(findings: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Findings stacked in another order of budgets put in budget order (each budget's rows as they were)."""
    order = pd.Series(budgets["budget_order"].to_numpy(dtype="int64"), index=budgets["budget_id"].astype(str))
    rank = order.reindex(findings["budget_id"].astype(str)).to_numpy()
    if len(rank) < 2 or (np.diff(rank) >= 0).all():
        return findings
    return findings.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


#: Claim columns of few distinct texts, read as dictionaries: each text decoded once, and the claim
#: table, which makes each distinct text a Python string once, finds them distinct already.
_FEW_TEXTS = ("claim_id", "section", "kind", "measure", "code", "label", "unit", "qualifier", "direction",
              "base_measure", "ref_claim_id", "base_claim_id")


def _audit_parquet_chunk(arguments) -> pa.Table:
    return _as_arrow(_parquet_chunk_findings(arguments))


def _parquet_chunk_findings(arguments) -> pd.DataFrame:
    import pyarrow.parquet as pq

    folder, budgets, rules = arguments
    ids = budgets["budget_id"].astype(str)
    within = [("budget_id", ">=", ids.iloc[0]), ("budget_id", "<=", ids.iloc[-1])]  # whole row groups
    frames = []
    for name, read in (("claims", CLAIM_TABLE_COLUMNS), ("lines", None)):
        path = Path(folder) / f"{name}.parquet"
        # of the claims only what the claim table reads (not their texts, the largest column but one)
        columns = None if read is None else [c for c in pq.read_schema(path).names if c in {"budget_id", *read}]
        dictionaries = [c for c in columns or () if c in _FEW_TEXTS]
        frames.append(pq.read_table(path, filters=within, columns=columns, read_dictionary=dictionaries)
                      .to_pandas(types_mapper=pd.ArrowDtype))
    # numbered in the files' order, so that their rows need no reordering; put in budget order at the end
    return audit_budgets(budgets, *frames, rules)


def _streamed_parquet_chunk(arguments) -> pa.Table:
    """A chunk's findings as :func:`audit_parquet_folder_to` writes them: figures at the engine's fixed point."""
    table = _as_arrow(_parquet_chunk_findings(arguments)).replace_schema_metadata(None)
    return table.cast(pa.schema([pa.field(f.name, pa.decimal128(38, SCALE) if pa.types.is_decimal(f.type) else f.type)
                                 for f in table.schema]))


# -- across budgets ----------------------------------------------------------------------------------

def year_over_year_pairs(budgets: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Prior-year figures of year Y+1's document against year Y's own figures, per department and
    document kind: a budget's prior-year figures are the prior year's budget, not its final accounts'
    outturn (documents of unknown kind are held against each other, as before kinds were told)."""
    budgets = budgets.sort_values("budget_order", kind="stable").reset_index(drop=True)
    claims, b = _numbered(budgets, claims, "claim_order")
    table = ClaimTable(claims, b, names=budgets["budget_id"].astype(str).tolist())
    rows = np.flatnonzero(table.st)
    info = budgets[["budget_id", "department", "budget_year"]].astype(object)
    kinds = (budgets["document_kind"].astype(str) if "document_kind" in budgets.columns
             else pd.Series(UNKNOWN_KIND, index=budgets.index)).to_numpy(dtype=object)
    st = pd.DataFrame({"g": rows, "b": table.b[rows], "ord": table.ord[rows], "measure": table.measure[rows],
                       "code": table.code[rows], "year": table.year[rows], "cunit": table.cunit[rows],
                       "department": info["department"].to_numpy()[table.b[rows]],
                       "budget_year": info["budget_year"].to_numpy()[table.b[rows]], "kind": kinds[table.b[rows]]})
    later = st[st["year"] < st["budget_year"]]
    earlier = st[st["year"] == st["budget_year"]].drop_duplicates(["b", "measure", "code", "year", "cunit"])
    keys = ["department", "kind", "year", "measure", "code", "cunit"]
    pairs = later.merge(earlier[[*keys, "g", "b"]], on=keys, suffixes=("", "_earlier"))
    pairs = pairs[pairs["department"].notna()]
    names = info["budget_id"].to_numpy()
    pairs = pairs.assign(later_budget=names[pairs["b"].to_numpy()]).sort_values(
        ["department", "year", "measure", "code", "later_budget", "ord"], na_position="last", kind="stable")
    l, e = pairs["g"].to_numpy(), pairs["g_earlier"].to_numpy()
    verdict = verdicts(table.lo[l], table.hi[l], table.amt[l], table.lp[l], table.lo[e], table.hi[e])
    explanations = [text("audit.year-over-year-restates" if v == "consistent" else "audit.year-over-year-differs",
                         later=describe(table, x), later_budget=names[table.b[x]],
                         earlier=describe(table, y), earlier_budget=names[table.b[y]])
                    for v, x, y in zip(verdict, l.tolist(), e.tolist())]
    out = pd.DataFrame({
        "rule": YEAR_OVER_YEAR_RULE, "verdict": pd.Categorical(verdict, categories=list(VERDICTS), ordered=True),
        "department": pd.Series(pairs["department"].to_numpy(), dtype="str"),
        "measure": pd.Series(table.measure[l], dtype="str"), "code": pd.Series(table.code[l], dtype="str"),
        "restated_year": pd.Series(table.year[l], dtype="Int64"),
        "later_budget_id": pd.Series(names[table.b[l]], dtype="str"),
        "later_claim_id": pd.Series(table.claim_id[l], dtype="str"),
        "later_label": pd.Series(table.label[l], dtype="str"),
        "later_stated": decimals(pd.Series(table.amt[l].tolist(), dtype=object), least=4),
        "earlier_budget_id": pd.Series(names[table.b[e]], dtype="str"),
        "earlier_claim_id": pd.Series(table.claim_id[e], dtype="str"),
        "earlier_label": pd.Series(table.label[e], dtype="str"),
        "earlier_stated": decimals(pd.Series(table.amt[e].tolist(), dtype=object), least=4),
        "difference": decimals(pd.Series((table.amt[l] - table.amt[e]).tolist(), dtype=object), least=4),
        "unit": pd.Series(table.unit[l], dtype="str"), "explanation": pd.Series(explanations, dtype="str"),
    })
    return out
