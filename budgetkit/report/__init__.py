"""``budgetkit report``: every output of a budget, or of a collection of budgets, written into one
folder, byte-identical run to run.

- :mod:`.steps`: the one step runner, its errors and the summary of what was written;
- :mod:`.budget` and :mod:`.collection`: the steps of a budget's and a collection's report;
- :mod:`.pages`: the audit as Markdown and HTML; :mod:`.notebooks`: the notebooks as HTML pages;
- :mod:`.workbook` (a budget's official tables) and :mod:`.collection_workbook`, both written
  with the cells of :mod:`.workbook_cells` (they import XlsxWriter: not imported by this package).
"""

from .budget import run_report
from .collection import run_collection_report
from .notebooks import notebooks_dir
from .pages import audit_html, audit_markdown
from .steps import STEPS, ReportError, ReportResult, summary

__all__ = [
    "ReportError",
    "ReportResult",
    "STEPS",
    "audit_html",
    "audit_markdown",
    "notebooks_dir",
    "run_collection_report",
    "run_report",
    "summary",
]
