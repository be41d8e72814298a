"""The official tables as sheets of the workbook: stated figures as values, every recomputed total,
share and difference as a live formula beside them (stored with the value it computes), each
placement recorded in the layout. This module lists the tables and what writes each; the writers
are grouped by how the table is laid out."""

from __future__ import annotations

from .workbook_across_sheets import basic_sheet, expenditure_sheet, income_sheet, three_public_sheet
from .workbook_code_sheets import general_budget_sheet, gov_fund_sheet, state_capital_sheet
from .workbook_ledger_sheets import fiscal_sheet, overview_sheet

__all__ = ["OFFICIAL_TABLES"]


#: The official tables in the order of the 部门预算公开表, each by its key and what writes it. The key
#: names its messages: the sheet's name (workbook.sheet-KEY: 部门收支总表 …), its title with the year
#: (workbook.title-KEY) and its line in the 说明 sheet (workbook.about-note-KEY).
OFFICIAL_TABLES = (
    ("overview", overview_sheet),
    ("income", income_sheet),
    ("expenditure", expenditure_sheet),
    ("fiscal", fiscal_sheet),
    ("general-budget", general_budget_sheet),
    ("basic", basic_sheet),
    ("three-public", three_public_sheet),
    ("gov-fund", gov_fund_sheet),
    ("state-capital", state_capital_sheet),
)
