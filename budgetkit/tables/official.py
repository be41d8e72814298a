"""The template's tables reproduced, in reading order: one function per table of the explanation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from ..claims import Claim, top_section
from ..names import Registry
from ..template import LEVEL_WIDTHS, sum_parts
from .rows import difference_of, FindingMarks, format_decimal, rows_frame, start_table, TableClaims

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget


# The template's structure, in the measures vocabulary (data/measures.csv).
FUND_MEASURES = ["gov_fund_expenditure", "state_capital_expenditure"]

__all__ = [
    "TABLES", "appropriation_by_item", "appropriation_change", "appropriation_structure", "basic_expenditure",
    "budget_total", "expenditure_by_kind", "fiscal_income_and_expenditure", "funds_and_state_capital",
    "income_by_source", "meeting_training_travel", "official_vehicles", "other_matters", "state_assets",
    "three_public", "units_and_staff", "work_targets",
]


BY_FUNCTION = "appropriation_by_function"


def work_targets(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """一（二）: the quantified work targets (what is counted, the figure, its unit and qualifier)."""
    rows, marks = start_table(budget, findings)
    for claim in rows.claims.in_table("work-targets"):
        rows.add([claim], claim.kind, target_value=claim.value, unit=claim.unit,
                 qualifier=claim.qualifier or "", quote=claim.quote)
    head = ["section", "item", "role", "printed", "target_value", "unit", "qualifier", "quote"]
    frame = rows_frame(rows.rows, marks, head=head)
    return frame.drop(columns="recomputed_as")


def units_and_staff(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """二: staff in post and retired."""
    rows, marks = start_table(budget, findings)
    rows.rest(rows.claims.in_table("staff"))
    return rows_frame(rows.rows, marks, ["count"])


def budget_total(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三: the total budget beside the sum of its income sources and of its expenditure kinds; its change."""
    rows, marks = start_table(budget, findings)
    rows.sums("budget_total")
    rows.change_block(["budget_total"])
    rows.rest(rows.claims.in_table("overview"))
    return rows_frame(rows.rows, marks, ["money"])


def income_by_source(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三（一）: income by source and the stated total beside their sum."""
    rows, marks = start_table(budget, findings)
    rows.sums("income_total")
    rows.rest(c for c in rows.claims.in_table("income") if top_section(c.section) == "三")
    return rows_frame(rows.rows, marks, ["money"])


def expenditure_by_kind(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三（二）: basic and project expenditure, their shares of the named whole, the total."""
    rows, marks = start_table(budget, findings)
    rows.sums("expenditure_total")
    rows.rest(rows.claims.in_table("expenditure"))
    return rows_frame(rows.rows, marks, ["money", "share"])


def fiscal_income_and_expenditure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """四: the fiscal-appropriation total against its income and against its expenditure by 类; its change."""
    rows, marks = start_table(budget, findings)
    rows.sums("fiscal_total", role_prefix="income ")
    rows.sums("fiscal_total", level="类", role_prefix="expenditure ")
    rows.change_block(["fiscal_total"])
    rows.rest(rows.claims.in_table("fiscal"))
    rows.rest(c for c in rows.claims.in_table("income") if top_section(c.section) == "四")
    return rows_frame(rows.rows, marks, ["money"])


def appropriation_change(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（一）: the scale of this year's appropriation and its change on the prior year."""
    rows, marks = start_table(budget, findings)
    rows.change_block(["appropriation_total"])
    rows.rest(rows.claims.of(["appropriation_total"]))
    return rows_frame(rows.rows, marks, ["money"])


def appropriation_structure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（二）: the appropriation by 类 with shares stated and recomputed, and the total beside their sum."""
    rows, marks = start_table(budget, findings)
    rows.sums("appropriation_total", level="类")
    rows.rest(c for c in rows.claims.of([BY_FUNCTION]) if c.kind == "share")
    return rows_frame(rows.rows, marks, ["money", "share"])


def appropriation_by_item(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（三）: every 类/款/项 with its purpose and amount; 类 and 款 stated beside the sum of their 项."""
    claims = TableClaims(budget)
    marks = FindingMarks.of(budget.audit() if findings is None else findings, claims)
    year = budget.year
    items = budget.line_items
    names = dict(zip(items["code"], items["name"]))
    purposes = {code: purpose for code, purpose in zip(items["code"], items["purpose"]) if isinstance(purpose, str)}
    stated: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims.of([BY_FUNCTION], kinds=["amount", "total"]):
        if claim.code and claim.year == year:
            stated[claim.code].append(claim)
    codes = sorted(set(items["code"].dropna()) | set(stated))
    leaves = {code: next((c for c in stated.get(code, []) if c.value is not None), None)
              for code in codes if len(code) == LEVEL_WIDTHS["项"]}
    rows = []
    for code in codes:
        shown = stated.get(code, [])
        first = next((c for c in shown if c.value is not None), shown[0] if shown else None)
        below = [leaf for leaf_code, leaf in leaves.items() if leaf_code != code and leaf_code.startswith(code)]
        recomputed = as_ = None
        if below and all(leaf is not None for leaf in below):
            recomputed = sum((leaf.wan_yuan for leaf in below), Decimal(0))
            as_ = " + ".join(format_decimal(leaf.value) for leaf in below)
        amount = first.wan_yuan if first else None
        rows.append({
            "code": code,
            "level": {3: "类", 5: "款", 7: "项"}.get(len(code), ""),
            "name": names.get(code) or (first.label if first else ""),
            "purpose": purposes.get(code, ""),
            "section": " ".join(dict.fromkeys(c.section for c in shown)),
            "printed": " / ".join(c.printed for c in shown),
            "stated_wan_yuan": amount,
            "recomputed_wan_yuan": recomputed,
            "difference_wan_yuan": difference_of(amount, recomputed),
            "recomputed_as": as_ or "",
            "claim_ids": [c.id for c in shown],
        })
    head = ["code", "level", "name", "purpose", "section", "printed"]
    return rows_frame(rows, marks, ["money"], head=head)


def basic_expenditure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """六: 人员经费 and 公用经费 beside the stated basic expenditure."""
    rows, marks = start_table(budget, findings)
    rows.sums("gpb_basic_total")
    rows.rest(rows.claims.in_table("basic"))
    return rows_frame(rows.rows, marks, ["money"])


def three_public(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """七: “三公”经费 and its parts, the vehicle costs, and each change on the prior year."""
    rows, marks = start_table(budget, findings)
    rows.sums("three_public_total")
    rows.sums("three_public_vehicles", role_prefix="vehicle costs ")
    # final accounts: the 三公 table's budget (预算数) beside its outturn
    rows.sums("accounts_three_public_budget")
    rows.sums("accounts_vehicles_budget", role_prefix="vehicle costs ")
    rows.change_block([*sum_parts(rows.claims.rules, "three_public_total"), "three_public_total",
                       *sum_parts(rows.claims.rules, "three_public_vehicles")])
    rows.rest(c for c in rows.claims.in_table("three-public") if c.money or c.unit == "%")
    return rows_frame(rows.rows, marks, ["money", "change_pct"])


def official_vehicles(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """七（三）: official vehicles, by type (listed after 其中)."""
    rows, marks = start_table(budget, findings)
    rows.sums("official_vehicles")
    rows.rest(c for c in rows.claims.in_table("three-public") if not (c.money or c.unit == "%"))
    return rows_frame(rows.rows, marks, ["count"])


def meeting_training_travel(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """八: 会议费、培训费、差旅费 beside their stated total, with the prior year and each change."""
    rows, marks = start_table(budget, findings)
    rows.sums("mtt_total")
    rows.change_block([*sum_parts(rows.claims.rules, "mtt_total"), "mtt_total"])
    rows.rest(rows.claims.in_table("meeting-training-travel"))
    return rows_frame(rows.rows, marks, ["money"])


def funds_and_state_capital(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """九–十: expenditure from the government-fund and the state-capital budgets."""
    rows, marks = start_table(budget, findings)
    rows.rest(rows.claims.of(FUND_MEASURES))
    return rows_frame(rows.rows, marks, ["money"])


def other_matters(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """十一（一）（二）（四）: 机关运行经费 and its change, government procurement, performance management."""
    rows, marks = start_table(budget, findings)
    other = [c for c in rows.claims.in_table("other") if c.measure not in FUND_MEASURES]
    rows.change_block(sorted({c.measure for c in other}, key=[c.measure for c in other].index))
    rows.rest(other)
    return rows_frame(rows.rows, marks, ["money"])


def state_assets(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """十一（三）: vehicles held, by use (listed after 其中), large equipment and its value threshold."""
    rows, marks = start_table(budget, findings)
    rows.sums("vehicles_owned")
    rows.rest(rows.claims.in_table("assets"))
    return rows_frame(rows.rows, marks, ["count", "money"])


#: Every reproduced table, in the order the explanation reads.
TABLES: Registry[Callable[[Budget], pd.DataFrame]] = Registry({
    "work-targets": work_targets,
    "units-and-staff": units_and_staff,
    "budget-total": budget_total,
    "income-by-source": income_by_source,
    "expenditure-by-kind": expenditure_by_kind,
    "fiscal-income-and-expenditure": fiscal_income_and_expenditure,
    "appropriation-change": appropriation_change,
    "appropriation-structure": appropriation_structure,
    "appropriation-by-item": appropriation_by_item,
    "basic-expenditure": basic_expenditure,
    "three-public": three_public,
    "official-vehicles": official_vehicles,
    "meeting-training-travel": meeting_training_travel,
    "funds-and-state-capital": funds_and_state_capital,
    "other-matters": other_matters,
    "state-assets": state_assets,
})
