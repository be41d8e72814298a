"""The audit: rules read from ``rules.toml``, evaluated on rounding intervals, as a findings frame.

Every printed figure stands for an interval; a relation holds when the stated interval and the
interval recomputed from the parts overlap. Nothing here knows any one document's numbers: findings
come from rules evaluated on the claims.

One engine for one budget and for many: the claims become a claim table (:mod:`.table`, exact fixed
point, one row per claim of every budget), each rule kind is evaluated on it for all its budgets at
once (:mod:`.sums` with :mod:`.change_sums`, :mod:`.listed`, :mod:`.shares`, :mod:`.changes`,
:mod:`.statements`, :mod:`.texts`), and the rows become one findings frame (:mod:`.found`); :mod:`.figures` prints
figures as explanations show them and :mod:`.columns` fills messages and groups rows, both for many
rows at once; :mod:`.engine` runs each rule through its kind. A single budget is a collection of one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..findings import SEVERITY, VERDICTS
from ..messages import text, verdict_name
from . import changes, listed, shares, standard_tables, statements, sums, texts  # noqa: F401  (each registers its rule kinds)
from .engine import evaluate
from .figures import DIFFERENCE_LABELS, SHARE_GUARD_DIGITS
from .rules import RULE_KINDS, Rule, RulesError, load_rules
from .table import ClaimTable
from .texts import REASON_YEAR, lines_frame, section_of_lines
from .unevaluated import UNEVALUATED_COLUMNS, UNEVALUATED_REASONS, unevaluated_relations

__all__ = [
    "AuditFailure", "ClaimTable", "DIFFERENCE_LABELS", "REASON_YEAR", "RULE_KINDS", "Rule", "RulesError",
    "SHARE_GUARD_DIGITS", "UNEVALUATED_COLUMNS", "UNEVALUATED_REASONS", "assert_no_findings", "audit", "evaluate",
    "lines_frame", "load_rules", "section_of_lines", "summarize", "unevaluated_relations",
]

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget


class AuditFailure(AssertionError):
    """Raised by :func:`assert_no_findings` when findings at or above a severity exist."""


def audit(budget: Budget, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
    """Evaluate every rule on ``budget``: one row per evaluation, failures first in document order."""
    if rules is None:
        rules = load_rules(budget.rules_path)
    elif isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    documents = pd.DataFrame({"budget_year": [budget.year], "document_kind": [budget.document_kind]})
    table = ClaimTable(budget.claims, np.zeros(len(budget.claims), dtype="int64"), documents=documents)
    return evaluate(table, rules, lines_frame(budget.raw_text)).drop(columns="b")


def summarize(findings: pd.DataFrame) -> pd.DataFrame:
    """How many evaluations each verdict got, in order of severity (the ledger's totals)."""
    counts = findings["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    return counts.rename_axis("verdict").reset_index(name="evaluations")


def assert_no_findings(findings: pd.DataFrame, fail_on: str = "drift") -> None:
    """Raise :class:`AuditFailure` if any finding is at or above ``fail_on`` in severity."""
    if fail_on not in SEVERITY:
        raise ValueError(text("audit.fail-on-values", values=", ".join(VERDICTS[1:])))
    failing = findings[findings["verdict"].map(lambda v: SEVERITY[str(v)] >= SEVERITY[fail_on]).astype(bool)]
    if not failing.empty:
        lines = [text("audit.findings-at-or-above", count=len(failing), verdict=verdict_name(fail_on))]
        lines += [f"  - [{verdict_name(str(r.verdict))}] {r.rule} {r.section} {r.claim_id}: {r.explanation}"
                  for r in failing.itertuples()]
        raise AuditFailure("\n".join(lines))
