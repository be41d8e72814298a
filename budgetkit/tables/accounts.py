"""The tables a reader of final accounts (部门决算) needs beyond the budget's: the accounts identity, the year's
income and expenditure, completion rates and the changes on the prior year's outturn.

Built like :mod:`.official`: from the claims, the measures vocabulary and the sum rules of ``rules.toml``, so a
table lays out what the audit checks and nothing one document prints.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ..claims import Claim
from ..messages import text
from ..names import Registry
from ..template import adjusted_budget_words, initial_budget_words, sum_rules
from .rows import HEAD, format_decimal, rows_frame, start_table

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


#: 预算 in the name of a fund (一般公共预算财政拨款支出年初预算 is of the 年初预算; 一般公共预算收入 names no budget).
_FUND_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算")
#: What a figure's label says when it is a budget a rate can be of, the names of funds left out: 预算(数), 预期.
_BUDGET_WORD = re.compile(r"预算|预期")

#: The value of ``budget_kind`` for a budget its words name no kind of ("完成预算的43%", "决算数为预算数的98%").
PLAIN_BUDGET = "预算"


def _budget_kind(rate: Claim, budget_label: str) -> str | None:
    """Which budget ``rate`` is of, by the template's words in its label or its budget's (年初预算, 调整预算,
    全年预算), else 预算; None when the budget's label names no budget (占全县财政总收入81% is a share)."""
    if not _BUDGET_WORD.search(_FUND_NAMES.sub("", budget_label)):
        return None
    words = (*initial_budget_words(), *adjusted_budget_words())
    return next((word for word in words if word in budget_label or word in rate.label), PLAIN_BUDGET)


def _implied_budget(difference: Claim, outturn: Claim) -> Claim:
    """The budget a stated difference from it implies (决算数大于预算数55.93万元: 1741.75 − 55.93 = 1685.82), in
    万元, named after the difference it comes from, for a rate to be recomputed on."""
    return dataclasses.replace(difference, kind="item", value=outturn.wan_yuan - difference.signed_wan_yuan,
                               decimals=None, unit="万元", direction=None, label=text("tables.implied-budget"))


def completion_rates(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each completion rate ("完成年初预算的X%", "完成调整预算的X%", "为全年预算的X%", "决算数为预算数的X%"),
    with which budget it is of (``budget_kind``): the budget figure it is of (or the difference from it its
    sentence states, 决算数大于预算数55.93万元), then the outturn with the rate stated beside the one
    recomputed from the two (in the share columns)."""
    rows, marks = start_table(budget, findings)
    for rate in rows.claims.all:
        budgeted = rows.claims.by_id.get(rate.base) if rate.kind == "share" and rate.base else None
        outturn = rows.claims.by_id.get(rate.ref) if rate.ref else None
        if budgeted is None or outturn is None:
            continue
        if budgeted.kind == "change":  # a rate of the budget its stated difference implies
            if budgeted.base_year != budgeted.year or not (budgeted.money and outturn.money) \
                    or budgeted.value is None or outturn.value is None:
                continue
            kind = _budget_kind(rate, rate.label)  # 完成年初预算100%，决算数大于预算数…: the rate names it
            implied = _implied_budget(budgeted, outturn)
            if budgeted.id not in rows.shown:
                rows.figure(budgeted, "change", budget_kind=kind, recomputed_as=text(
                    "tables.change-implies-budget", current=format_decimal(outturn.wan_yuan),
                    change=format_decimal(budgeted.signed_wan_yuan), implied=format_decimal(implied.value)))
            rows.claims.by_id[f"{budgeted.id} implied"] = implied  # in this table's index only
            rate = dataclasses.replace(rate, base=f"{budgeted.id} implied")
        else:
            kind = _budget_kind(rate, budgeted.label)
            if kind is None:
                continue
            if budgeted.id not in rows.shown:
                rows.figure(budgeted, "budget", budget_kind=kind)
        rows.share_row(outturn, rate, "outturn")["budget_kind"] = kind
    return rows_frame(rows.rows, marks, ["money", "share"], head=[*HEAD, "budget_kind"])


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
