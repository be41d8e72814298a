"""The :class:`Collection`: many budgets as long tables keyed by budget_id, audited and stored at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from ..audit import Rule
from ..kinds import count_by_kind
from ..messages import text
from ..names import name_key
from ..model import Budget
from ..schema import UNKNOWN_KIND
from .analysis import stack_findings
from .columns import PROBLEM_COLUMNS, ROW_GROUP_ROWS, TABLES, arrow_table, load_measures
from .audit import audit_frames, audit_parquet_folder, audit_parquet_folder_to, resolve_rules, year_over_year_pairs
from .parquet import ascending, by_budget_id, in_budget_order, write_parquet

__all__ = ["Collection", "Source", "audit_parquet", "audit_parquet_to", "collection_documents", "read_parquet", "source_of",
           "source_text"]


#: What one budget is read from: a package or document, or the files of one budget published apart.
Source = Path | tuple[Path, ...]


def source_text(source: Source) -> str:
    """A source as the budgets table records it: its path, or the paths of its files joined by " + "."""
    return " + ".join(str(path) for path in source) if isinstance(source, tuple) else str(source)


def source_of(text: str) -> Source:
    """The source a budgets table's ``source`` names (:func:`source_text` read back)."""
    parts = text.split(" + ")
    return tuple(Path(part) for part in parts) if len(parts) > 1 else Path(text)


def collection_documents(budgets: pd.DataFrame) -> str:
    """The documents of a collection's ``budgets`` table counted by kind: ``2份预算、1份决算``."""
    kinds = budgets["document_kind"] if "document_kind" in budgets else [UNKNOWN_KIND] * len(budgets)
    return count_by_kind(kinds)


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
    #: budget_id → the rules.toml of its own package, for the budgets that have one (the others, and a
    #: collection read from Parquet, are audited with the bundled rules)
    rules_paths: dict[str, Path] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return text("collection.collection-repr", documents=collection_documents(self.budgets),
                    claims=len(self.claims), problems=len(self.problems))

    def budget(self, budget_id: str) -> Budget:
        """One budget of the collection as a :class:`Budget` (for its tables, charts, audit)."""
        if budget_id in self.members:
            return self.members[budget_id]
        known = set(self.budgets["budget_id"])
        if budget_id not in known:
            raise KeyError(text("collection.no-budget", budget=repr(budget_id)))
        from ..extract import load_or_extract

        return load_or_extract(source_of(self.budgets.loc[self.budgets["budget_id"] == budget_id, "source"].iloc[0]))

    # -- the audit ------------------------------------------------------------------------
    def audit(self, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
        """Every rule on every budget: the findings of ``budgetkit.audit.audit`` for each budget,
        stacked, keyed by budget_id, department and budget_year. Each budget is audited with
        ``rules`` when given, else with its own package's rules.toml (``rules_paths``) if it has
        one and the bundled rules if not, as ``budget.audit()`` does."""
        if rules is not None or not self.rules_paths:
            return audit_frames(self.budgets, self.claims, self.lines, resolve_rules(rules))
        groups: dict[Path | None, list[str]] = {}
        for budget_id in self.budgets["budget_id"]:
            groups.setdefault(self.rules_paths.get(budget_id), []).append(budget_id)
        found = []
        for path, ids in groups.items():
            def mine(frame: pd.DataFrame) -> pd.DataFrame:
                return frame[frame["budget_id"].isin(ids)]
            found.append(audit_frames(mine(self.budgets), mine(self.claims), mine(self.lines), resolve_rules(path)))
        order = {budget_id: n for n, budget_id in enumerate(self.budgets.sort_values("budget_order")["budget_id"])}
        stacked = stack_findings(*found)
        return stacked.iloc[stacked["budget_id"].map(order).argsort(kind="stable")].reset_index(drop=True)

    def year_over_year(self) -> pd.DataFrame:
        """A rule across budgets: the prior-year figures a department's year-Y+1 document states
        against the figures its year-Y document states for the same quantity."""
        return year_over_year_pairs(self.budgets, self.claims)

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
            write_parquet(by_budget_id(arrow_table(getattr(self, name))), folder / f"{name}.parquet", row_group_rows)
        return folder

    def table(self, name: str) -> pd.DataFrame:
        """The claims of one analysis table (``measures.table``) across every budget."""
        measures = load_measures()
        chosen = measures.loc[measures["table"] == name_key(name), "measure"]
        if chosen.empty:
            raise KeyError(text("data.no-table", name=repr(name), known=", ".join(sorted(measures["table"].unique()))))
        return self.claims[self.claims["measure"].isin(chosen)].reset_index(drop=True)


def read_parquet(folder: str | Path) -> Collection:
    """A collection written by :meth:`Collection.to_parquet`, read back into pandas."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    budgets = pq.read_table(folder / "budgets.parquet")
    if not ascending(budgets["budget_order"]):
        budgets = budgets.take(pa.compute.sort_indices(budgets["budget_order"]))
    frames = {"budgets": budgets.to_pandas(types_mapper=pd.ArrowDtype)}
    for name in TABLES[1:]:
        frames[name] = in_budget_order(pq.read_table(folder / f"{name}.parquet"), budgets["budget_id"]).to_pandas(
            types_mapper=pd.ArrowDtype)
    return Collection(**frames)


def audit_parquet(folder: str | Path, rules: list[Rule] | str | Path | None = None, scheduler=None) -> pd.DataFrame:
    """Audit a collection stored as Parquet (:meth:`Collection.to_parquet`) a chunk of whole budgets
    at a time, chunks side by side: only the chunks at work and the findings are held in memory.
    ``scheduler`` (a Dask scheduler's address or a ``distributed.Client``) runs the chunks on that
    cluster, whose workers read the same folder."""
    return audit_parquet_folder(_parquet_folder(folder), resolve_rules(rules), scheduler=scheduler)


def audit_parquet_to(folder: str | Path, out: str | Path, rules: list[Rule] | str | Path | None = None,
                     scheduler=None) -> Path:
    """:func:`audit_parquet` for a collection too large for its findings to be held: each chunk's
    findings are written to the Parquet file ``out`` as the chunk is done (one row group each, in
    budget_id order, figures as decimal(38, 10)); ``out`` is whole or not written. Returns ``out``."""
    out = Path(out)
    audit_parquet_folder_to(_parquet_folder(folder), resolve_rules(rules), out, scheduler=scheduler)
    return out


def _parquet_folder(folder: str | Path) -> Path:
    """``folder`` when it holds a collection's Parquet files; else FileNotFoundError naming the missing ones."""
    folder = Path(folder)
    missing = [f"{name}.parquet" for name in ("budgets", "claims", "lines") if not (folder / f"{name}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(text("collection.no-parquet", folder=folder, files=text("audit.list-separator").join(missing)))
    return folder
