"""The one audit engine: every rule evaluated on a claim table of one budget or of many at once."""

from __future__ import annotations

import pandas as pd

from .found import findings_frame
from .rules import Rule
from .table import ClaimTable
from .wider import mark_wider_totals

__all__ = ["EVALUATORS", "TEXT_CHECKS", "evaluate", "evaluator", "kind", "text_check"]

#: Each rule kind's evaluation: ``(rule, table, lines) -> rows`` (found.rows); text rules by their check.
EVALUATORS: dict[str, object] = {}
TEXT_CHECKS: dict[str, object] = {}
#: Kinds evaluated for all their rules at once: ``(rules, table, lines) -> [(rule, rows), …]``.
BATCHED: set[str] = set()


def kind(name: str, batch: bool = False):
    """Register a rule kind's evaluation; ``batch``: it takes every rule of the kind at once."""
    def register(function):
        EVALUATORS[name] = function
        if batch:
            BATCHED.add(name)
        return function
    return register


def text_check(name: str):
    """Register a text rule's check."""
    def register(function):
        TEXT_CHECKS[name] = function
        return function
    return register


def evaluator(rule: Rule):
    return TEXT_CHECKS.get(rule.params.get("check")) if rule.kind == "text" else EVALUATORS.get(rule.kind)


def evaluate(table: ClaimTable, rules: list[Rule], lines: pd.DataFrame, skip_missing: bool = False) -> pd.DataFrame:
    """The findings of ``rules`` on ``table`` (``lines``: b, line, text, section of each budget's lines)."""
    mark_wider_totals(rules, table, lines)
    parts, batches = [], {}
    for rule in rules:
        function = evaluator(rule)
        if function is None and skip_missing:
            continue
        if rule.kind in BATCHED:
            batches.setdefault(rule.kind, []).append(rule)
        else:
            parts.append((rule, function(rule, table, lines)))
    for name, batch in batches.items():
        parts.extend(EVALUATORS[name](batch, table, lines))
    return findings_frame(table, parts)
