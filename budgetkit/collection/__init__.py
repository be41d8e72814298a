"""Collections of budgets: a city's departments and years loaded into long tables and audited at once.

>>> from budgetkit.collection import load_many
>>> collection = load_many("data/collections/demo")      # doctest: +SKIP
>>> collection.claims                  # every claim of every budget, keyed by budget_id
>>> collection.problems                # sources that could not be loaded, with file, row and field
>>> findings = collection.audit()      # the findings of every budget, in one table
>>> collection.to_parquet("out/city")  # the long tables as Parquet files …
>>> audit_parquet("out/city")          # … audited from the files, a chunk of budgets at a time

The audit is ``budgetkit.audit``'s one engine over many budgets at once (:mod:`.audit`): the same
rows, verdicts, figures and explanations as budget by budget; a large collection is cut into chunks
of whole budgets, audited side by side, one per core. Each budget is audited with its own package's
rules.toml when it has one. The document extractors are imported only when used, so
``import budgetkit`` stays cheap.

- :mod:`.columns`: the long tables' columns, keys and types; :mod:`.frame`: the Collection;
- :mod:`.sources`: reading folders, packages and documents; :mod:`.checks`: tables built elsewhere;
- :mod:`.parquet`: the Parquet files; :mod:`.analysis`: summaries for notebooks and reports;
- :mod:`.execution`: budget against outturn, a department's 预算 and 决算 of one year paired.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..messages import text
from ..model import Budget
from ..schema import BudgetDataError, problem
from .analysis import (common_findings, demo_sources, spending_structure, stack_findings, verdicts_by,
                       year_over_year_findings, year_over_year_reason)
from .checks import from_tables
from .execution import (execution_pairs, execution_table, pefa_indicators, restated_budget, restated_budget_findings,
                        unpaired_documents)
from .columns import PROBLEM_COLUMNS, YEAR_OVER_YEAR_RULE
from .audit import audit_frames
from .frame import Collection, Source, audit_parquet, audit_parquet_to, collection_documents, read_parquet, source_text
from .jobs import SchedulerError, run_jobs
from .sources import (collection_title, discover, from_budgets, load_one, load_parts,
                      pair_documents, problem_lines, source_name)

__all__ = [
    "Collection", "SchedulerError", "YEAR_OVER_YEAR_RULE", "audit_frames", "audit_parquet", "audit_parquet_to",
    "collection_documents", "collection_title",
    "common_findings", "demo_sources", "execution_pairs", "execution_table", "from_budgets", "from_tables",
    "load_collection", "load_many", "pefa_indicators", "problem_lines", "read_parquet", "restated_budget",
    "restated_budget_findings",
    "spending_structure", "stack_findings", "unpaired_documents", "verdicts_by", "year_over_year_findings",
    "year_over_year_reason",
]


def __getattr__(name: str):
    if name == "YEAR_OVER_YEAR_REASON":  # the reason in the current language, as when it was a constant
        return year_over_year_reason()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # not a message: Python's own wording


def load_many(sources: str | Path | Iterable[str | Path | Budget], workers: int | None = None,
              scheduler=None) -> Collection:
    """Load many budgets into one :class:`Collection`.

    ``sources`` is a folder (every data package — a folder with ``datapackage.json`` — beneath
    it, and every .txt/.docx/.pdf document not inside a package, read by ``budgetkit.extract``)
    or a list of such paths and :class:`Budget` objects. A source that cannot be read is recorded
    in ``problems`` with its file named; the others load regardless. ``workers`` > 1 reads the
    sources in that many processes (reading, not the audit, is what takes time per budget); they
    send back only what the long tables hold, and ``collection.budget(budget_id)`` (or ``members``)
    reads such a budget again from its source when asked for it. ``scheduler`` (a Dask scheduler's
    address, or a ``distributed.Client``) reads them on that cluster instead, the same way.
    """
    entries: list[tuple[str, object]] = []  # (name, path or Budget)
    if isinstance(sources, (str, Path)):
        root = Path(sources)
        if not root.exists():
            raise FileNotFoundError(text("collection.no-such-path", path=root))
        if root.is_dir() and not (root / "datapackage.json").is_file():
            entries = [(_entry_name(source, root), source) for source in pair_documents(discover(root))]
        else:
            entries = [(source_name(root), root)]
    else:
        budgets_given = [source for source in sources if isinstance(source, Budget)]
        paths = pair_documents([Path(source) for source in sources if not isinstance(source, Budget)])
        entries = [(f"{b.department}-{b.year}", b) for b in budgets_given] + [(_entry_name(p), p) for p in paths]

    ids, seen = [], {}
    for name, _ in entries:
        ids.append(name if name not in seen else f"{name}#{seen[name] + 1}")
        seen[name] = seen.get(name, 0) + 1
    paths = [source for _, source in entries if not isinstance(source, Budget)]
    if scheduler is not None or (workers and workers > 1 and len(paths) > 1):
        # what the collection keeps comes back, not whole Budgets
        loaded = dict(zip(paths, run_jobs(load_parts, paths, workers, scheduler, chunksize=8)))
    else:
        loaded = {path: load_one(path) for path in paths}
    budgets, problems = [], []
    for budget_id, (_, source) in zip(ids, entries):
        if isinstance(source, Budget):
            budgets.append((budget_id, source, "<in memory>"))
            continue
        budget, errors = loaded[source]
        if budget is None:
            problems += [{"budget_id": budget_id, "source": source_text(source), **error} for error in errors]
        else:
            budgets.append((budget_id, budget, source_text(source)))
    collection = from_budgets(budgets)
    collection.problems = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).astype(
        {"budget_id": "str", "source": "str", "file": "str", "row": "Int64", "field": "str", "type": "str",
         "message": "str"})
    return collection


def _entry_name(source: Source, root: Path | None = None) -> str:
    """A budget's id in the collection: its path below ``root`` (or its name); an explanation read
    with its tables is named by both files (``2018/公开文件.pdf + 公开表.pdf``)."""
    first = source[0] if isinstance(source, tuple) else source
    name = first.relative_to(root).as_posix() if root is not None else source_name(first)
    rest = "".join(f" + {path.name if root is not None else source_name(path)}" for path in source[1:]) \
        if isinstance(source, tuple) else ""
    return name + rest


def load_collection(paths: list[str], scheduler=None):
    """The collection the paths name; sources that cannot be read are in its ``problems``.

    Raises BudgetDataError when nothing at all is there to read."""
    import os
    from pathlib import Path

    collection = load_many(paths[0] if len(paths) == 1 else paths, workers=os.cpu_count(), scheduler=scheduler)
    if collection.budgets.empty and collection.problems.empty:
        raise BudgetDataError([problem(str(Path(paths[0])), None, None, "collection.nothing-to-read")])
    return collection
