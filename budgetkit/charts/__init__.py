"""Charts of a budget and of a collection: matplotlib figures with Chinese labels, and deterministic exports.

Every chart function takes a :class:`~budgetkit.model.Budget` and returns a figure built without pyplot, so a
report loop leaks no open figures and a notebook shows exactly one image (see :class:`ChartFigure`).
Figures are read from the budget's claims and line items; money stays :class:`~decimal.Decimal` until it is
handed to matplotlib, and every amount printed on a chart is in 万元 with two decimals.

``CHARTS`` lists the charts in display order; ``save`` writes one figure as PNG, SVG and PDF with
byte-identical results across runs.

- :mod:`.style`: the font, sizes, colours, figures and files every chart shares;
- :mod:`.budget`: the charts of one budget, reading its figures through :mod:`.claims`; :mod:`.collection`: the
  charts of a collection.
"""

from .budget import (CHARTS, classification_tree, expenditure_structure, income_by_source,
                     three_public_and_meetings_by_year, totals_by_year)
from .collection import COLLECTION_CHARTS, budget_against_outturn, findings_by_department, spending_shares
from .style import ChartFigure, FONT_FAMILY, FontNotFoundError, save, use_cjk_font

__all__ = [
    "CHARTS",
    "COLLECTION_CHARTS",
    "ChartFigure",
    "FONT_FAMILY",
    "FontNotFoundError",
    "budget_against_outturn",
    "classification_tree",
    "expenditure_structure",
    "findings_by_department",
    "income_by_source",
    "save",
    "spending_shares",
    "three_public_and_meetings_by_year",
    "totals_by_year",
    "use_cjk_font",
]
