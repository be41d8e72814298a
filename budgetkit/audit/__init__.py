"""The audit: rules read from ``rules.toml``, evaluated on rounding intervals, as a findings frame.

Every printed figure stands for an interval (``numbers.Interval``); a relation holds when the
stated interval and the interval recomputed from the parts overlap. Nothing here knows any one
document's numbers: findings come from rules evaluated on the claims.

- :mod:`.rules`: reading and checking a rules file; :mod:`.rows`: a finding's row, figures and phrases;
- :mod:`.sums`, :mod:`.shares`, :mod:`.changes`, :mod:`.statements`: each rule kind's evaluation.

The same rules over many budgets at once, as SQL, are :mod:`budgetkit.collection.sql_rules`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..claims import ClaimIndex
from ..findings import FINDING_COLUMNS, SEVERITY, VERDICTS
from ..messages import text, verdict_name
from ..schema import decimal_array
from .changes import change_rows
from .rows import DIFFERENCE_LABELS, SHARE_GUARD_DIGITS
from .rules import RULE_KINDS, Rule, RulesError, load_rules
from .shares import share_rows
from .statements import REASON_YEAR, bound_rows, restatement_rows, section_of_lines, text_rows
from .sums import sum_rows

__all__ = [
    "AuditFailure", "DIFFERENCE_LABELS", "REASON_YEAR", "RULE_KINDS", "Rule", "RulesError",
    "SHARE_GUARD_DIGITS", "assert_no_findings", "audit", "load_rules", "section_of_lines", "summarize",
]

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget


class AuditFailure(AssertionError):
    """Raised by :func:`assert_no_findings` when findings at or above a severity exist."""


_EVALUATORS = {
    "sum": sum_rows,
    "share": share_rows,
    "change": change_rows,
    "restatement": restatement_rows,
    "bound": bound_rows,
}


def audit(budget: Budget, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
    """Evaluate every rule on ``budget``: one row per evaluation, failures first in document order."""
    if rules is None:
        rules = load_rules(budget.rules_path)
    elif isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    claims = ClaimIndex(budget.claims)
    rows: list[dict] = []
    for rule in rules:
        if rule.kind == "text":
            rows.extend(text_rows(rule, claims, budget))
        else:
            rows.extend(_EVALUATORS[rule.kind](rule, claims))
    return _findings_frame(rows)


def _findings_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "_order"])
    if frame.empty:
        return frame.drop(columns="_order").astype({column: "str" for column in FINDING_COLUMNS
                                                     if column not in ("stated", "computed", "difference")})
    frame["_severity"] = frame["verdict"].map(SEVERITY)
    frame = frame.sort_values(["_severity", "_order", "rule"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns=["_severity", "_order"]).reset_index(drop=True)
    for column in ("stated", "computed", "difference"):
        values = decimal_array([None if pd.isna(v) else v for v in frame[column]], min_scale=2)
        frame[column] = values.set_axis(frame.index)
    for column in FINDING_COLUMNS:
        if column not in ("stated", "computed", "difference"):
            frame[column] = frame[column].astype("str")
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=list(VERDICTS), ordered=True)
    return frame


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
