"""``budgetkit report``: every output of one budget written into one folder, byte-identical run to run.

Steps (:mod:`budgetkit.report.steps` runs them), each announced on stderr and each failing with its
own name and reason:

1. load and audit the budget (a data package or a document);
2. the audit as ``audit.md`` / ``audit.html`` (failures first, by verdict; then the passes) and as
   ``findings.csv`` / ``findings.json``;
3. ``charts/<name>.png|svg|pdf`` for every chart of :data:`budgetkit.charts.CHARTS`;
4. ``tables/<name>.csv`` for every table of :data:`budgetkit.tables.TABLES` and, for final accounts, of
   :data:`budgetkit.tables.ACCOUNTS_TABLES`;
5. ``<slug>.xlsx``: the official tables with live formulas (:mod:`budgetkit.report.workbook`);
6. ``notebooks/<name>.html``: the workbook notebooks written for this kind of document (a budget or final
   accounts: :data:`~budgetkit.report.notebooks.NOTEBOOK_KINDS`), executed on it and exported.

Every file is written atomically (:mod:`budgetkit.files`), so a failed step never leaves a file
that looks complete; the runner makes the folder and keeps its manifest, so a report written over an
earlier one (of this budget or another) leaves only its own files.
"""

from __future__ import annotations

from pathlib import Path

from ..files import write_atomic
from ..findings import VERDICTS, findings_csv, findings_json, table_csv
from ..kinds import this_document
from ..messages import text
from .notebooks import run_notebooks
from .pages import audit_html, audit_markdown
from .steps import (Progress, ReportError, ReportResult, error_reason, module_present, run_steps, skipped,
                    stderr_progress)

__all__ = ["CHART_DPI", "CHART_FORMATS", "annotated_pdf_files", "audit_files", "chart_files", "run_report", "table_files",
           "workbook_file"]

CHART_FORMATS = ("png", "svg", "pdf")
CHART_DPI = 200


def run_report(path: str | Path | None = None, out: str | Path = "out", notebooks: bool = True,
               progress: Progress = stderr_progress) -> ReportResult:
    """Write every output of the budget at ``path`` (the bundled one when None) into ``out``.

    Raises :class:`~budgetkit.schema.BudgetDataError` for unreadable input,
    :class:`~budgetkit.report.steps.OutputFolderError` when ``out`` cannot be a folder, and
    :class:`ReportError` (naming the step) when a step fails.
    """
    from ..extract import load_or_extract

    out = Path(out)
    result = ReportResult(out=out)
    loaded = {}
    # what the slow notebooks step says when it starts: read when it starts, after the load has told the kind
    announce = {"notebooks": text("report.notebooks-starts", document=this_document(None))} if notebooks else {}

    def load_and_audit() -> tuple[list[Path], str]:
        budget = loaded["budget"] = load_or_extract(path)  # a package or a document
        findings = loaded["findings"] = budget.audit()
        if notebooks:
            announce["notebooks"] = text("report.notebooks-starts", document=this_document(budget.document_kind))
        result.department, result.year = budget.department, budget.year
        counts = findings["verdict"].astype(str).value_counts()
        result.verdict_counts = {v: int(counts.get(v, 0)) for v in VERDICTS}
        return [], text("report.loaded", claims=len(budget.claims), evaluations=len(findings))

    steps = [
        ("load-and-audit", load_and_audit),
        ("audit-report", lambda: audit_files(loaded["budget"], loaded["findings"], out)),
        ("charts", lambda: chart_files(loaded["budget"], out)),
        ("tables", lambda: table_files(loaded["budget"], loaded["findings"], out)),
        ("workbook", lambda: workbook_file(loaded["budget"], loaded["findings"], out)),
        ("annotated-pdf", lambda: annotated_pdf_files(loaded["budget"], loaded["findings"], out)),
        ("notebooks", lambda: run_notebooks(path, out, progress, kind=loaded["budget"].document_kind) if notebooks
         else skipped(text("report.skip-no-notebooks"))),
    ]
    run_steps(result, steps, progress, announce=announce)
    return result


def _call_with_findings(function, budget, findings):
    import inspect

    try:
        accepts = len(inspect.signature(function).parameters) >= 2
    except (TypeError, ValueError):
        accepts = False
    return function(budget, findings) if accepts else function(budget)


def audit_files(budget, findings, out: Path) -> tuple[list[Path], str]:
    files = [write_atomic(out / "audit.md", audit_markdown(budget, findings)),
             write_atomic(out / "audit.html", audit_html(budget, findings)),
             write_atomic(out / "findings.csv", findings_csv(findings)),
             write_atomic(out / "findings.json", findings_json(findings))]
    return files, text("report.files-written", count=len(files))


def chart_files(budget, out: Path) -> tuple[list[Path], str]:
    if not module_present("budgetkit.charts"):
        return skipped(text("report.skip-no-charts"))
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the environment says

    from .. import charts

    target = out / "charts"
    target.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for name, make in charts.CHARTS.items():
        try:
            figure = make(budget)
        except Exception as error:  # noqa: BLE001
            raise ReportError("charts", text("report.chart-failed", name=name, reason=error_reason(error))) from error
        try:
            files += charts.save(figure, target / name, formats=CHART_FORMATS, dpi=CHART_DPI)
        finally:
            if getattr(figure.canvas, "manager", None) is not None:  # made through pyplot: release it
                import matplotlib.pyplot as plt

                plt.close(figure)
    return files, text("report.charts-written", charts=len(charts.CHARTS), files=len(files))


def table_files(budget, findings, out: Path) -> tuple[list[Path], str]:
    from ..tables import ACCOUNTS_TABLES, TABLES

    files = []
    # final accounts state most of a budget's measures too, and their own tables besides
    made = {**TABLES, **(ACCOUNTS_TABLES if budget.document_kind == "final-accounts" else {})}
    for name, make in made.items():
        try:
            frame = _call_with_findings(make, budget, findings)
        except Exception as error:  # noqa: BLE001
            raise ReportError("tables", text("report.table-failed", name=name, reason=error_reason(error))) from error
        files.append(write_atomic(out / "tables" / f"{name}.csv", table_csv(frame)))
    return files, text("report.files-written", count=len(files))


def workbook_file(budget, findings, out: Path) -> tuple[list[Path], str]:
    from .workbook import workbook_bytes, workbook_name

    data, layout = workbook_bytes(budget, findings)
    path = write_atomic(out / workbook_name(budget), data)
    stated = sum(1 for p in layout.placements if p.role == "stated")
    formulas = len(layout.placements) - stated
    return [path], text("report.workbook-written", name=path.name, sheets=len(layout.sheets), stated=stated,
                        formulas=formulas)


def annotated_pdf_files(budget, findings, out: Path) -> tuple[list[Path], str]:
    """``<name>.annotated.pdf`` beside the other outputs, one for each PDF the budget was read from:
    the document with each finding's figures boxed and numbered, to hand back to its authors."""
    from .annotate import annotated_pdfs

    copies = annotated_pdfs(budget, findings)
    if not copies:
        return skipped(text("report.skip-not-a-pdf"))
    files = [write_atomic(out / f"{source.stem}.annotated.pdf", data) for source, data in copies.items()]
    marked = int((findings["verdict"].astype(str) != "consistent").sum())
    return files, text("report.annotated-written", names=text("report.file-separator").join(p.name for p in files),
                       marked=marked)
