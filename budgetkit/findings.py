"""The findings layer: what an evaluation's row holds, its verdicts and their colours, and the
findings written out as records, CSV and JSON with spreadsheet-safe text.

Every output reads these: the command line, the reports, the workbook, the notebooks' tables and
the charts; none of them re-lists a verdict, a colour or a column.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FINDING_COLUMNS",
    "FORMULA_PREFIXES",
    "SEVERITY",
    "VERDICTS",
    "VERDICT_FILLS",
    "VERDICT_INKS",
    "findings_csv",
    "finding_records",
    "findings_json",
    "plain_text",
    "safe_cell",
    "table_csv",
]

#: Verdicts in rising order of severity; ``--fail-on X`` fails on X and everything after it.
VERDICTS = ("consistent", "rounding", "text", "semantic", "drift")
SEVERITY = {verdict: rank for rank, verdict in enumerate(VERDICTS)}

#: The one palette of the verdicts: a light fill behind a row or cell (tables, workbook, HTML) and a
#: strong ink for marks and borders (charts, HTML). Consistent rows are not coloured.
VERDICT_FILLS = {"rounding": "#e8f1fb", "text": "#fff6d5", "semantic": "#ffe6cc", "drift": "#fbdada"}
VERDICT_INKS = {"drift": "#b23a48", "semantic": "#d9822b", "text": "#c9a227", "rounding": "#6f9fd8"}

#: One row per evaluation of a rule (budget.audit()); a collection's findings lead with its key columns.
FINDING_COLUMNS = [
    "rule", "rule_kind", "verdict", "section", "claim_id", "measure", "label",
    "stated", "stated_interval", "computed", "computed_interval", "difference", "unit",
    "quote", "explanation", "inputs", "reason",
]
_NUMERIC = {"stated", "computed", "difference"}

#: Cells a spreadsheet would run as a formula if they started with these characters.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def finding_records(findings: pd.DataFrame) -> list[dict]:
    """One dict per finding, every value as text (None when missing); decimals exact, with no more
    zeros than each figure needs (at least two)."""
    def plain(value):
        if value is None or (not isinstance(value, str) and value != value):  # None, NaN, NA
            return None
        if isinstance(value, Decimal):
            # the column shares one scale; print each figure with no more zeros than it needs
            places = max(2, -value.normalize().as_tuple().exponent)
            return format(value.quantize(Decimal(1).scaleb(-places)), "f")
        return str(value)

    columns = list(findings.columns)
    return [{column: plain(value) for column, value in zip(columns, row)}
            for row in findings.astype(object).where(findings.notna(), None).itertuples(index=False)]


def findings_json(findings: pd.DataFrame) -> str:
    """One object per evaluation, the DataFrame's columns as keys; decimals as exact strings."""
    return json.dumps(finding_records(findings), ensure_ascii=False, indent=2) + "\n"


def findings_csv(findings: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(findings.columns)
    for record in finding_records(findings):
        writer.writerow([(value or "") if column in _NUMERIC else safe_cell(value)
                         for column, value in record.items()])
    return buffer.getvalue()


def safe_cell(value: str | None) -> str:
    """Text a spreadsheet will show and never run: a leading =, +, - or @ is quoted."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def plain_text(value) -> str:
    """A cell as text: exact decimals without a float detour; missing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return " ".join(plain_text(v) for v in value)
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def table_csv(frame: pd.DataFrame) -> str:
    """A table as UTF-8 CSV; text cells a spreadsheet would run as formulas are quoted (``'=…``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    numeric = {c for c in frame.columns if not (frame[c].dtype == object or str(frame[c].dtype) in ("str", "string"))}
    for row in frame.itertuples(index=False):
        writer.writerow([plain_text(value) if column in numeric else safe_cell(plain_text(value))
                         for column, value in zip(frame.columns, row)])
    return buffer.getvalue()
