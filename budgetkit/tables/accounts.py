"""The tables a reader of final accounts (部门决算) needs beyond the budget's: the accounts identity, the year's
income and expenditure, completion rates and the changes on the prior year's outturn.

Built like :mod:`.official`: from the claims, the measures vocabulary and the sum rules of ``rules.toml``, so a
table lays out what the audit checks and nothing one document prints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ..names import Registry
from ..template import adjusted_budget_words, initial_budget_words, sum_rules
from .rows import rows_frame, start_table

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = ["ACCOUNTS_TABLES", "accounts_changes", "accounts_expenditure_by_kind", "accounts_identity",
           "accounts_income_and_expenditure", "completion_rates"]


# The totals of the accounts identity, in the measures vocabulary (data/measures.csv); their parts are rules.toml's.
GRAND_TOTALS = ["accounts_grand_total", "accounts_fiscal_grand_total"]


def accounts_identity(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """The accounts identity: 总计 as the sum of its sources (年初结转和结余 + 本年收入 …) and as the sum of its
    uses (本年支出 + 结余分配 + 年末结转和结余), and the same for the 财政拨款 alone."""
    rows, marks = start_table(budget, findings)
    measures = []
    for total in GRAND_TOTALS:
        rows.sums(total, role_prefix="")
        measures += [total, *(part for rule in sum_rules(rows.claims.rules, total) for part in rule.params["parts"])]
    rows.rest(rows.claims.of(measures, kinds=["amount", "total", "item"]))
    return rows_frame(rows.rows, marks, ["money"])


def accounts_income_and_expenditure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """本年收入合计 beside the sum of its sources, and 本年支出合计 beside the sum of the 类 listed."""
    rows, marks = start_table(budget, findings)
    rows.sums("accounts_income_total", role_prefix="income ")
    rows.sums("accounts_expenditure_total", level="类", role_prefix="expenditure ")
    return rows_frame(rows.rows, marks, ["money"])


def accounts_expenditure_by_kind(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """基本支出 and 项目支出 of the year, their shares of the named whole, and 本年支出合计 beside their sum."""
    rows, marks = start_table(budget, findings)
    rows.sums("accounts_expenditure_total", role_prefix="")
    return rows_frame(rows.rows, marks, ["money", "share"])


def completion_rates(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each completion rate ("完成年初预算的X%", "决算数为预算数的X%"): the budget figure it is of, then the
    outturn with the rate stated beside the one recomputed from the two (in the share columns)."""
    rows, marks = start_table(budget, findings)
    budget_words = (*initial_budget_words(), *adjusted_budget_words())
    for rate in rows.claims.all:
        budgeted = rows.claims.by_id.get(rate.base) if rate.kind == "share" and rate.base else None
        outturn = rows.claims.by_id.get(rate.ref) if rate.ref else None
        if budgeted is None or outturn is None or not any(word in budgeted.label for word in budget_words):
            continue
        if budgeted.id not in rows.shown:
            rows.figure(budgeted, "budget")
        rows.share_row(outturn, rate, "outturn")
    return rows_frame(rows.rows, marks, ["money", "share"])


def accounts_changes(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every change the document states (on the prior year's outturn, in final accounts): this year's figure,
    the prior year's, the change stated beside the one recomputed, in the order the document states them."""
    rows, marks = start_table(budget, findings)
    rows.change_block(list(dict.fromkeys(c.measure for c in rows.claims.all if c.kind == "change")))
    return rows_frame(rows.rows, marks, ["money", "change_pct"])


#: The final accounts' own tables, in the order a 决算 reads.
ACCOUNTS_TABLES: Registry[Callable[[Budget], pd.DataFrame]] = Registry({
    "accounts-identity": accounts_identity,
    "accounts-income-and-expenditure": accounts_income_and_expenditure,
    "accounts-expenditure-by-kind": accounts_expenditure_by_kind,
    "completion-rates": completion_rates,
    "accounts-changes": accounts_changes,
})
