"""The explanation's tables, reproduced: every figure as stated beside the one recomputed from its parts.

Layer 4 (model and audit only; no plotting). Each function takes a :class:`~budgetkit.model.Budget`
and returns a DataFrame built from its claims, line items and the measures vocabulary, never from
one document's numbers, so the same tables work for any budget in the model. Every row carries:

- ``claim_ids``: the claims whose figures the row states (space-separated);
- ``printed``: those figures as printed (``0.3万元``, ``持平``, ``××``);
- ``stated_*`` / ``recomputed_*`` / ``difference_*`` (stated − recomputed), units at the end
  (``_wan_yuan``, ``_share_pct``, ``_change_pct``, ``_count`` with ``count_unit``);
- ``recomputed_as``: the arithmetic behind the recomputed figure, with the values used;
- ``verdict`` and ``finding``: the worst audit verdict among the findings of the row's claims
  (``unchecked`` when no rule looked at them) and, for anything not consistent, why.

Money is exact (Arrow decimal); recomputed shares are rounded half-even to the decimals the
stated share was printed with, and shown again carried to four decimals.

- :mod:`.rows`: a table's rows and the audit's marks on them; :mod:`.official`: the tables of the
  template; :mod:`.printed`: the official tables (公开表) as the document prints them, read from its
  tables; :mod:`.accounts`: the tables of final accounts (部门决算) beyond the budget's (the accounts
  identity, completion rates, changes on the prior year's outturn); :mod:`.views`: the findings by verdict,
  the rule ledger and the Stylers.
"""

from .accounts import (ACCOUNTS_TABLES, accounts_changes, accounts_expenditure_by_kind, accounts_identity,
                       accounts_income_and_expenditure, completion_rates)
from .official import (TABLES, appropriation_by_item, appropriation_change, appropriation_structure,
                       basic_expenditure, budget_total, expenditure_by_kind, fiscal_income_and_expenditure,
                       funds_and_state_capital, income_by_source, meeting_training_travel, official_vehicles,
                       other_matters, state_assets, three_public, units_and_staff, work_targets)
from .printed import printed_table, printed_tables, table_checks
from .rows import UNCHECKED
from .views import findings_by_verdict, ledger, styled

__all__ = [
    "ACCOUNTS_TABLES",
    "TABLES",
    "accounts_changes",
    "accounts_expenditure_by_kind",
    "accounts_identity",
    "accounts_income_and_expenditure",
    "UNCHECKED",
    "appropriation_by_item",
    "appropriation_change",
    "appropriation_structure",
    "basic_expenditure",
    "budget_total",
    "completion_rates",
    "expenditure_by_kind",
    "fiscal_income_and_expenditure",
    "findings_by_verdict",
    "funds_and_state_capital",
    "income_by_source",
    "ledger",
    "meeting_training_travel",
    "official_vehicles",
    "other_matters",
    "printed_table",
    "printed_tables",
    "state_assets",
    "styled",
    "table_checks",
    "three_public",
    "units_and_staff",
    "work_targets",
]
