"""``budgetkit report FOLDER``: every output of a collection of budgets in one folder.

The same steps as a single budget's report (:mod:`budgetkit.report`), for many budgets at once:

1. load every data package and document beneath the folder (or the paths given) and audit them
   all, with last year's figures restated in the next year's budget as findings too;
2. ``audit.md`` / ``audit.html`` (verdicts per department, the most common failures, then each
   budget's failures), ``findings.csv`` / ``findings.json`` (every evaluation of every budget),
   ``problems.csv`` (the sources that could not be read: file, line, field, message);
3. ``charts/``: findings per department and the structure of spending, as PNG, SVG and PDF (and, for each pair of
   a budget and its final accounts, ``budget-against-outturn/<department>-<year>``);
4. ``tables/``: the summaries as CSV, and the long tables as Parquet for DuckDB, Spark or pandas;
5. ``collection.xlsx``: the summaries and every finding that is not consistent, one sheet each;
6. ``notebooks/07-collection.html``: the collection notebook executed on this collection; when it pairs a budget
   with its final accounts, ``tables/`` also holds budget against outturn (:data:`PAIR_TABLES`) and
   ``notebooks/09-budget-against-outturn.html`` is executed on it too.

Files are written atomically and are byte-identical run to run for the same input.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..collection import collection_title, load_collection, problem_lines
from ..files import record_write, write_atomic
from ..findings import SEVERITY, VERDICTS, findings_csv, findings_json, finding_records, table_csv
from ..messages import text, verdict_name
from .budget import CHART_DPI, CHART_FORMATS
from .notebooks import COLLECTION, PAIRED, run_notebooks
from .pages import (finding_html, finding_markdown, finding_title, html_table, markdown_table, markdown_text, page_head,
                    summary_line)
from .steps import (Progress, ReportError, ReportResult, error_reason, module_present, run_steps, skipped,
                    stderr_progress)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..collection import Collection

__all__ = ["run_collection_report"]

#: The summary tables of a collection (tables/<name>.csv), in reading order.
SUMMARY_TABLES = (
    "budgets",  # one row per budget read: department, budget year, prior year, source
    "verdicts-by-department",  # evaluations per verdict, per department
    "verdicts-by-budget",  # evaluations per verdict, per budget
    "common-findings",  # rules that fail, by verdict, with the number of budgets they fail in
    "spending-structure",  # 支出预算, 基本/项目支出 and 三公经费 per budget, with their shares in percent
    "year-over-year",  # last year's figures in each budget against that year's own budget
)

#: The tables of budget against outturn (tables/<name>.csv), written when the collection pairs a budget with its
#: final accounts (:mod:`budgetkit.collection.execution`).
PAIR_TABLES = (
    "execution-pairs",  # department, year and the two documents of each pair
    "unpaired-documents",  # every other document, with why it has no counterpart
    "execution",  # each pair's budget and outturn by kind and by 类, the deviation in 万元 and %
    "pefa-indicators",  # PEFA PI-1 and PI-2 of each pair
    "restated-budget",  # each 年初预算数 the 决算 states, against the budget document's figure
)

#: The columns of the summaries the pages show, headed as the user reads them (the CSVs keep the keys).
_SHOWN_COLUMNS = ("department", "evaluations", "rule", "rule_kind", "verdict", "findings", "budgets")


class _Audited:
    """What every step reads: the collection, its findings, and the summaries drawn from them."""

    def __init__(self, collection: Collection, rules, root: Path):
        from ..collection import restated_budget_findings, stack_findings, year_over_year_findings

        self.collection, self.root = collection, root
        self.pairs = collection.year_over_year()
        self.findings = stack_findings(collection.audit(rules), year_over_year_findings(collection, self.pairs),
                                       restated_budget_findings(collection))
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        from ..collection import (common_findings, execution_pairs, pefa_indicators, restated_budget,
                                  spending_structure, unpaired_documents, verdicts_by)

        if name not in self._tables:
            self._tables[name] = {
                "budgets": lambda: _relative_sources(self.collection.budgets.drop(columns=["budget_order"]), self.root),
                "verdicts-by-department": lambda: verdicts_by(self.findings),
                "verdicts-by-budget": lambda: verdicts_by(self.findings, by=["budget_id", "department", "budget_year"]),
                "common-findings": lambda: common_findings(self.findings),
                "spending-structure": lambda: spending_structure(self.collection),
                "year-over-year": lambda: self.pairs,
                "execution-pairs": lambda: execution_pairs(self.collection),
                "unpaired-documents": lambda: unpaired_documents(self.collection),
                "execution": self._execution,
                "pefa-indicators": lambda: pefa_indicators(self.collection),
                "restated-budget": lambda: restated_budget(self.collection),
            }[name]()
        return self._tables[name]

    @property
    def has_pairs(self) -> bool:
        """Whether the collection pairs a budget with its final accounts (department and year)."""
        return not self.table("execution-pairs").empty

    def _execution(self) -> pd.DataFrame:
        import pandas as pd

        from ..collection import execution_table

        pairs = self.table("execution-pairs")
        return pd.concat([execution_table(self.collection, department, int(year))
                          for department, year in zip(pairs["department"], pairs["year"])], ignore_index=True)


def _relative_sources(frame: pd.DataFrame, root: Path, columns: tuple[str, ...] = ("source",)) -> pd.DataFrame:
    """``frame`` with its path ``columns`` relative to the collection's folder: reports name the
    budgets as the collection does, not the machine's folders."""
    def relative(source) -> str:
        if not isinstance(source, str) or not source:
            return source
        try:
            return Path(source).resolve().relative_to(root).as_posix() or "."
        except ValueError:
            return source

    return frame.assign(**{column: [relative(s) for s in frame[column]] for column in columns})


def _root(paths: list[str | Path]) -> Path:
    """The folder a collection's paths share (the folder itself when one is given)."""
    resolved = [Path(p).resolve() for p in paths]
    if len(resolved) == 1:
        return resolved[0] if resolved[0].is_dir() else resolved[0].parent
    return Path(os.path.commonpath(resolved))


def run_collection_report(paths: list[str | Path], out: str | Path = "out", notebooks: bool = True,
                          rules=None, progress: Progress = stderr_progress, scheduler=None) -> ReportResult:
    """Write every output of the collection the ``paths`` name (a folder, or several paths) into ``out``.

    Raises :class:`~budgetkit.schema.BudgetDataError` when nothing can be read at all,
    :class:`~budgetkit.report.steps.OutputFolderError` when ``out`` cannot be a folder, and
    :class:`~budgetkit.report.ReportError` (naming the step) when a step fails. Sources that
    cannot be read are listed in ``problems.csv`` and announced on ``progress``. ``scheduler`` reads
    the documents on a Dask cluster (:func:`budgetkit.collection.load_many`).
    """
    out = Path(out)
    result = ReportResult(out=out)
    loaded = {}

    def load_and_audit() -> tuple[list[Path], str]:
        # BudgetDataError passes through: exit 2
        collection = load_collection([str(p) for p in paths], scheduler=scheduler)
        audited = loaded["audited"] = _Audited(collection, rules, _root(paths))
        result.title = collection_title(collection.budgets)
        counts = audited.findings["verdict"].astype(str).value_counts()
        result.verdict_counts = {v: int(counts.get(v, 0)) for v in VERDICTS}
        for line in problem_lines(collection.problems):
            progress(f"    {line}")
        unread = collection.problems["source"].nunique()
        key = ("report.collection-loaded" if not unread else "report.collection-loaded-one-unread" if unread == 1
               else "report.collection-loaded-unread")
        return [], text(key, title=result.title, unread=unread, evaluations=len(audited.findings))

    notebook_input = [str(p) for p in paths] if len(paths) > 1 else str(paths[0])
    steps = [
        ("load-and-audit", load_and_audit),
        ("audit-report", lambda: _audit_files(loaded["audited"], out)),
        ("charts", lambda: _charts(loaded["audited"], out)),
        ("tables", lambda: _tables(loaded["audited"], out)),
        ("workbook", lambda: _workbook(loaded["audited"], out)),
        ("annotated-pdf", lambda: skipped(text("report.skip-collection-pdf"))),
        ("notebooks", lambda: run_notebooks(notebook_input, out, progress, parameter="collection_path",
                                            kind=PAIRED if loaded["audited"].has_pairs else COLLECTION)
         if notebooks else skipped(text("report.skip-no-notebooks"))),
    ]
    announce = {"notebooks": text("report.collection-notebook-starts")} if notebooks else {}
    run_steps(result, steps, progress, announce=announce)
    result.problems = loaded["audited"].collection.problems["source"].nunique()
    return result


# -- 2. the audit, for reading ----------------------------------------------------------------------------------

def _failures_by_budget(audited: _Audited) -> list[tuple[dict, list[dict]]]:
    """(budget row, its failing findings as records, worst first) for each budget with failures."""
    findings = audited.findings
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    by_budget: dict[str, list[dict]] = {}
    for record in finding_records(failing):
        by_budget.setdefault(record["budget_id"], []).append(record)
    out = []
    for budget in audited.collection.budgets.to_dict("records"):
        chosen = by_budget.get(budget["budget_id"], [])
        if chosen:
            out.append((budget, sorted(chosen, key=lambda r: -SEVERITY[r["verdict"]])))
    return out


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A summary as the pages show it: its columns headed, and its verdicts named, as the user reads them."""
    if "verdict" in frame.columns:
        frame = frame.assign(verdict=[verdict_name(v) for v in frame["verdict"].astype(str)])
    headings = {c: verdict_name(c) if c in VERDICTS else text(f"report.column-{c}")
                for c in frame.columns if c in VERDICTS or c in _SHOWN_COLUMNS}
    return frame.rename(columns=headings)


def _titles(records: list[dict]) -> list[str]:
    """A budget's findings' titles, numbered within each verdict as a budget's own report numbers them."""
    numbers: dict[str, int] = {}
    titles = []
    for record in records:
        numbers[record["verdict"]] = numbers.get(record["verdict"], 0) + 1
        titles.append(finding_title(record["verdict"], numbers[record["verdict"]]))
    return titles


def _budget_heading(budget: dict, count: int, escape=str) -> str:
    """``<budget id> · <department> <year>（n 项）``; ``escape``: what the budget's own text goes through."""
    return text("report.budget-heading", budget_id=escape(budget["budget_id"]), department=escape(budget["department"]),
                year=budget["budget_year"], count=count)


def audit_markdown(audited: _Audited) -> str:
    """A collection's audit for people: the counts, the common failures, then each budget's failures."""
    budgets = audited.collection.budgets
    lines = [f"# {text('report.collection-audit-title', title=collection_title(budgets))}", "",
             text("report.summary-sentence", summary=summary_line(audited.findings)), ""]
    problems = audited.collection.problems
    if len(problems):
        lines += [f"## {text('report.sources-not-read', count=problems['source'].nunique())}", ""]
        lines += [f"- {markdown_text(line)}" for line in problem_lines(problems)] + [""]
    lines += [f"## {text('report.verdicts-per-department')}", ""]
    lines += markdown_table(_shown(audited.table("verdicts-by-department")))
    lines += [f"## {text('report.most-common-failures')}", ""] + markdown_table(_shown(audited.table("common-findings")))
    for budget, records in _failures_by_budget(audited):
        lines += [f"## {_budget_heading(budget, len(records), markdown_text)}", ""]
        for record, title in zip(records, _titles(records)):
            lines += finding_markdown(record, title, "###")
    lines += [text("report.every-evaluation"), ""]
    return "\n".join(lines)


def audit_html(audited: _Audited) -> str:
    """The same report as :func:`audit_markdown`, as one self-contained page; all text escaped."""
    e = html.escape
    budgets = audited.collection.budgets
    out = page_head(text("report.collection-audit-title", title=collection_title(budgets)))
    out.append(f"<p>{e(text('report.summary-sentence', summary=summary_line(audited.findings)))}</p>")
    problems = audited.collection.problems
    if len(problems):
        out.append(f"<h2>{e(text('report.sources-not-read', count=problems['source'].nunique()))}</h2><ul>")
        out += [f"<li>{e(line)}</li>" for line in problem_lines(problems)]
        out.append("</ul>")
    out += [f"<h2>{e(text('report.verdicts-per-department'))}</h2>",
            html_table(_shown(audited.table("verdicts-by-department"))),
            f"<h2>{e(text('report.most-common-failures'))}</h2>", html_table(_shown(audited.table("common-findings")))]
    for budget, records in _failures_by_budget(audited):
        out.append(f"<h2>{e(_budget_heading(budget, len(records)))}</h2>")
        for record, title in zip(records, _titles(records)):
            out += finding_html(record, title)
    out += [f"<p>{e(text('report.every-evaluation'))}</p>", "</body>", "</html>", ""]
    return "\n".join(out)


def _audit_files(audited: _Audited, out: Path) -> tuple[list[Path], str]:
    problems = _relative_sources(audited.collection.problems, audited.root, ("source", "file"))
    files = [write_atomic(out / "audit.md", audit_markdown(audited)),
             write_atomic(out / "audit.html", audit_html(audited)),
             write_atomic(out / "findings.csv", findings_csv(audited.findings)),
             write_atomic(out / "findings.json", findings_json(audited.findings)),
             write_atomic(out / "problems.csv", table_csv(problems))]
    return files, text("report.files-written", count=len(files))


# -- 3. charts ---------------------------------------------------------------------------------------------------

def _charts(audited: _Audited, out: Path) -> tuple[list[Path], str]:
    if not module_present("budgetkit.charts"):
        return skipped(text("report.skip-no-charts"))
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the environment says

    from .. import charts

    inputs = {"findings-by-department": (audited.findings, audited.collection.budgets),
              "spending-shares": (audited.table("spending-structure"),)}
    files: list[Path] = []
    for name, make in charts.COLLECTION_CHARTS.items():
        try:
            figure = make(*inputs[name])
        except Exception as error:  # noqa: BLE001 - named with the chart, as a budget's charts are
            raise ReportError("charts", text("report.chart-failed", name=name, reason=error_reason(error))) from error
        files += charts.save(figure, out / "charts" / name, formats=CHART_FORMATS, dpi=CHART_DPI)
    drawn = len(charts.COLLECTION_CHARTS)
    if audited.has_pairs:  # one chart of budget against outturn per pair, named by its department and year
        execution = audited.table("execution")
        for (department, year), table in execution.groupby(["department", "year"], sort=False):
            figure = charts.budget_against_outturn(table)
            files += charts.save(figure, out / "charts" / "budget-against-outturn" / f"{department}-{year}",
                                 formats=CHART_FORMATS, dpi=CHART_DPI)
            drawn += 1
    return files, text("report.collection-charts-written", files=len(files), charts=drawn, formats=len(CHART_FORMATS))


# -- 4. tables ---------------------------------------------------------------------------------------------------

def _tables(audited: _Audited, out: Path) -> tuple[list[Path], str]:
    import tempfile

    names = (*SUMMARY_TABLES, *(PAIR_TABLES if audited.has_pairs else ()))
    files = [write_atomic(out / "tables" / f"{name}.csv", table_csv(audited.table(name))) for name in names]
    # the long tables for engines that read Parquet; written beside, then moved into place
    target = out / "tables" / "parquet"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".parquet.", dir=out / "tables") as scratch:
        audited.collection.to_parquet(scratch)
        for written in sorted(Path(scratch).glob("*.parquet")):
            os.replace(written, target / written.name)
            record_write(target / written.name)
            files.append(target / written.name)
    return files, text("report.collection-tables-written", summaries=len(names), long=len(files) - len(names))


# -- 5. the workbook ---------------------------------------------------------------------------------------------

def _workbook(audited: _Audited, out: Path) -> tuple[list[Path], str]:
    if not module_present("xlsxwriter"):
        return skipped(text("report.skip-no-xlsxwriter"))
    from .collection_workbook import collection_workbook_bytes

    findings = audited.findings
    # by the keys of COLLECTION_SHEETS: the workbook names each sheet in the current language
    sheets = {
        "about": None,
        **{name: audited.table(name) for name in ("verdicts-by-department", "verdicts-by-budget", "common-findings",
                                                  "spending-structure", "year-over-year")},
        "findings": findings[findings["verdict"].astype(str) != "consistent"].reset_index(drop=True),
    }
    data = collection_workbook_bytes(sheets, title=collection_title(audited.collection.budgets),
                                     summary=summary_line(findings))
    path = write_atomic(out / "collection.xlsx", data)
    return [path], text("report.collection-workbook-written", name=path.name, sheets=len(sheets),
                        findings=len(sheets["findings"]))
