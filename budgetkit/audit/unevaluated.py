"""The relations a document states that no rule evaluated: each share (占X%, a completion rate), each change
(比上年增加/减少, 增长/下降X%) and each total with parts listed under it that no evaluation is about, with
the reason read from what the claims lack (no figure that is its whole, its budget, its base …).

For one budget at a time (``budgetkit check`` and ``budgetkit report`` show it beside the verdicts), from the
claims and the findings already made: no rule is evaluated again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..claims import TABLE_SECTION, Claim, read_claims
from ..messages import text
from ..once import once
from ..template import LEVEL_WIDTHS, government_report_words
from .rules import Rule, load_rules
from .table import ClaimTable
from .texts import lines_frame
from .wider import wider_totals

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["UNEVALUATED_COLUMNS", "UNEVALUATED_REASONS", "unevaluated_relations"]

#: The claim kinds that state a relation, and the rule kinds whose evaluation of such a claim (as its
#: ``claim_id``) evaluates that relation: a share used only as another rule's input is not evaluated
#: as a share, nor is a change only checked for its comparison year (a text rule).
_EVALUATED_BY = {"share": {"share"}, "change": {"change", "sum"}, "total": {"sum"}}

#: Why a relation was not evaluated, each a message ``audit.unevaluated-<reason>``, in the order tried.
UNEVALUATED_REASONS = ("not-filled", "input-not-filled", "amount-not-identified", "budget-not-stated",
                       "whole-not-identified", "base-not-paired", "base-not-stated", "parts-unread",
                       "parts-beyond-template", "parts-not-identified", "no-rule")

UNEVALUATED_COLUMNS = ["claim_id", "section", "line", "kind", "label", "figure", "unit", "quote", "reason",
                       "explanation"]


def unevaluated_relations(budget: Budget, findings: pd.DataFrame,
                          rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
    """One row per relation ``budget`` states that none of ``findings`` evaluated, in document order:
    the claim (id, section, line, kind, label, figure as printed, unit, quote) and why (``reason``, one
    of :data:`UNEVALUATED_REASONS`, and its ``explanation``). A total counts only when parts are listed
    under it; one whose listed part could not be read is left to a document's extraction report, which
    says so (``Budget.extraction``), and listed for a data package. ``rules``: those ``findings`` were
    made with (``budget.rules_path`` when None)."""
    claims = budget.claims
    evaluated = findings.loc[findings["rule_kind"] != "text", ["claim_id", "rule_kind"]]
    done: dict[str, set[str]] = {}  # claim → the kinds of rule that evaluated it
    for claim_id, rule_kind in zip(evaluated["claim_id"].astype(str), evaluated["rule_kind"].astype(str)):
        done.setdefault(claim_id, set()).add(rule_kind)
    # 减少166271.4元，下降15.87%: one relation, evaluated when its percentage is (of the prior the amount implies)
    for claim_id, base in zip(claims["claim_id"].astype(str).tolist(), claims["base_claim_id"].tolist()):
        if isinstance(base, str) and "change" in done.get(claim_id, ()):
            done.setdefault(base, set()).add("change")
    asked = [kind in _EVALUATED_BY and not _EVALUATED_BY[kind] & done.get(claim_id, set())
             for claim_id, kind in zip(claims["claim_id"].tolist(), claims["kind"].tolist())]
    rows = []
    read = read_claims(claims) if any(asked) else []  # every relation evaluated: no claim is read one by one
    rules = _rules(budget, rules)
    wider: set[str] = set()  # the totals wider than the template's, as the audit finds them
    if read:
        table = ClaimTable(claims, np.zeros(len(claims), dtype="int64"))
        wider = set(table.claim_id[wider_totals(rules, table, lines_frame(budget.raw_text))].tolist())
    facts = _Facts(read, rules, wider)
    for claim in (c for c, chosen in zip(read, asked) if chosen):
        reason = facts.reason(claim)
        if reason is None or (reason == "parts-unread" and getattr(budget, "extraction", None) is not None):
            continue
        rows.append([claim.id, claim.section, claim.line, claim.kind, claim.label, claim.printed, claim.unit,
                     claim.quote, reason, text(f"audit.unevaluated-{reason}")])
    return pd.DataFrame(rows, columns=UNEVALUATED_COLUMNS).astype(
        {column: "int64" if column == "line" else "str" for column in UNEVALUATED_COLUMNS})


def _rules(budget: Budget, rules: list[Rule] | str | Path | None) -> list[Rule]:
    if rules is None:
        return load_rules(budget.rules_path)
    return load_rules(rules) if isinstance(rules, (str, Path)) else rules


@once
def _completion_words() -> re.Pattern:
    """A completion rate's words: a completion verb, then the budget it is measured against (完成年初预算的98%)."""
    words = government_report_words()
    verbs, bases = ("|".join(map(re.escape, words[key])) for key in ("completion_verbs", "completion_bases"))
    return re.compile(f"(?:{verbs}).*?(?:{bases})")


class _Facts:
    """What a budget's claims state, as the reasons ask for it: the statements of each quantity (measure,
    code, year), the claims by id, the sum rules (those of amounts: a sum of changes is the changes') and the ids of
    the totals wider than the template's (``wider``)."""

    def __init__(self, claims: list[Claim], rules: list[Rule], wider: set[str]):
        self.by_id = {claim.id: claim for claim in claims}
        self.statements: dict[tuple, list[Claim]] = {}
        for claim in claims:
            if claim.states_quantity:
                self.statements.setdefault((claim.measure, claim.code, claim.year), []).append(claim)
        self.claims = claims
        self.sums = [rule for rule in rules if rule.kind == "sum" and rule.params.get("of") != "change"]
        self.wider = wider

    def stated(self, measure: str | None, code: str | None, year: int | None) -> list[Claim]:
        return self.statements.get((measure, code, year), [])

    def reason(self, claim: Claim) -> str | None:
        """Why ``claim``'s relation was not evaluated; None when it states none (a total with no parts)."""
        if claim.kind == "total":
            return self._total_reason(claim)
        if claim.value is None:
            return "not-filled"
        if any(other is not None and other.value is None for other in map(self.by_id.get, (claim.ref, claim.base))):
            return "input-not-filled"
        if claim.ref is None and not self.stated(claim.measure, claim.code, claim.year):
            return "amount-not-identified"
        if claim.kind == "change" and claim.ref in self.wider:  # of the list's whole, or of the template's?
            return "whole-not-identified"
        if claim.base is None:
            return self._share_reason(claim) if claim.kind == "share" else self._change_reason(claim)
        return "no-rule"

    def _share_reason(self, claim: Claim) -> str:
        if _completion_words().search(claim.quote):
            return "budget-not-stated"
        # the whole the sentence names, as a quantity stated in the share's year
        return "no-rule" if self.stated(claim.base_measure, None, claim.year) else "whole-not-identified"

    def _change_reason(self, claim: Claim) -> str:
        if claim.base_year == claim.year and claim.base_measure is not None:  # 决算数大于预算数X万元
            return "budget-not-stated"
        others = [c for c in self.stated(claim.measure, claim.code, claim.base_year) if c.id != claim.ref]
        return "base-not-paired" if others else "base-not-stated"

    def _total_reason(self, claim: Claim) -> str | None:
        if claim.qualifier == "parts-unread":
            return "parts-unread"
        if claim.id in self.wider:
            return "parts-beyond-template"
        if not self._parts_listed(claim):
            return None
        return "not-filled" if claim.value is None else "parts-not-identified"

    def _parts_listed(self, total: Claim) -> bool:
        """Whether anything the sum rules take for a part of ``total`` is stated in its year: a part or a
        substitute of a rule of its measure, a sub-code of its code, a row of its table's outline under it."""
        in_table = bool(TABLE_SECTION.match(total.section))
        parts = set()  # (measure, the width of its codes, None for any)
        for rule in self.sums:
            params = rule.params
            if params.get("total") == total.measure and (in_table or "per" not in params):
                width = LEVEL_WIDTHS.get(params.get("level"))
                substitutes = [measure for listed in params.get("substitutes", {}).values() for measure in listed]
                parts.update((part, width) for part in (*params["parts"], *substitutes))
        if any(year == total.year and ((measure, None) in parts or (measure, len(code or "")) in parts)
               for measure, code, year in self.statements):
            return True
        over = {rule.params.get("over") for rule in self.sums if rule.params.get("measure") == total.measure}
        return any(c.measure == total.measure and c.year == total.year and c.id != total.id and (
            ("classification" in over and total.code and c.code and len(c.code) > len(total.code)
             and c.code.startswith(total.code)) or ("outline" in over and c.ref == total.id)) for c in self.claims)
