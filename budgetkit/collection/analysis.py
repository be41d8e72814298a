"""Summaries of a collection's findings and figures, for the notebooks and the reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from ..findings import VERDICTS
from ..messages import text
from ..numbers import MONEY_UNITS
from ..schema import bundled_data_dir
from .columns import KEY_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from .frame import Collection

__all__ = ["common_findings", "demo_sources", "spending_structure", "stack_findings", "verdicts_by",
           "year_over_year_findings", "year_over_year_reason"]


def demo_sources() -> list[Path]:
    """The bundled demo collection (SYNTHETIC budgets of four departments, 2022–2024) and the
    bundled real budget: sources for :func:`load_many`."""
    demo = bundled_data_dir() / "collections" / "demo"
    return [*sorted(path.parent for path in demo.glob("*/datapackage.json")), bundled_data_dir()]


def verdicts_by(findings: pd.DataFrame, by: str | list[str] = "department") -> pd.DataFrame:
    """How many evaluations got each verdict, per department (or any key columns of the findings)."""
    keys = [by] if isinstance(by, str) else list(by)
    counts = pd.crosstab([findings[key] for key in keys], findings["verdict"])
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0)
    counts.columns = [str(column) for column in counts.columns]
    counts["evaluations"] = counts.sum(axis=1)
    return counts.reset_index().rename_axis(None, axis=1)


def common_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The rules that fail most often: findings that are not consistent, per rule and verdict,
    with the number of budgets they occur in."""
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    grouped = failing.groupby(["rule", "rule_kind", "verdict"], observed=True)
    table = grouped.agg(findings=("budget_id", "size"), budgets=("budget_id", "nunique")).reset_index()
    table["verdict"] = table["verdict"].astype(str)
    return table.sort_values(["findings", "budgets", "rule"], ascending=[False, False, True]).reset_index(drop=True)


_STRUCTURE = {"expenditure_total": "expenditure_wan_yuan", "expenditure_basic": "basic_wan_yuan",
              "expenditure_project": "project_wan_yuan", "three_public_total": "three_public_wan_yuan",
              "mtt_total": "meeting_training_travel_wan_yuan"}


def spending_structure(collection: Collection) -> pd.DataFrame:
    """Per budget: total expenditure, 基本/项目 and 三公 as stated (first statement, budget year),
    and their shares of the total in percent, computed exactly and rounded half up to 2 decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    claims = collection.claims
    stated = claims[claims["kind"].isin(["amount", "total"]) & claims["measure"].isin(list(_STRUCTURE))
                    & (claims["year"] == claims["budget_year"]) & claims["code"].isna() & claims["value"].notna()]
    first = stated.drop_duplicates(["budget_id", "measure"], keep="first")
    first = first.assign(amount=[value * MONEY_UNITS.get(unit, Decimal(1))
                                 for value, unit in zip(first["value"], first["unit"])])
    wide = first.pivot(index="budget_id", columns="measure", values="amount")
    table = collection.budgets[KEY_COLUMNS].set_index("budget_id").join(wide, how="left").reset_index()

    def share(part, whole):
        if part is None or whole is None or pd.isna(part) or pd.isna(whole) or whole == 0:
            return None
        return (part / whole * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    out = table[KEY_COLUMNS].copy()
    for measure, column in _STRUCTURE.items():
        values = table[measure] if measure in table else pd.Series([None] * len(table))
        out[column] = pd.Series([None if pd.isna(v) else Decimal(v).quantize(Decimal("0.01")) for v in values],
                                dtype=pd.ArrowDtype(pa.decimal128(20, 2)))
    whole = list(out["expenditure_wan_yuan"])
    for column, name in (("basic_wan_yuan", "basic_share_pct"), ("project_wan_yuan", "project_share_pct"),
                         ("three_public_wan_yuan", "three_public_share_pct")):
        out[name] = pd.Series([share(p, w) for p, w in zip(out[column], whole)], dtype=pd.ArrowDtype(pa.decimal128(20, 2)))
    return out


def year_over_year_reason() -> str:
    """Why the year-over-year restatement is checked, in the current language (its findings' ``reason``)."""
    return text("collection.year-over-year-reason")



def year_over_year_findings(collection: Collection, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The year-over-year restatements (:meth:`Collection.year_over_year`) as rows of the findings
    table, each under the later budget: they can be stacked under ``collection.audit()``."""
    pairs = collection.year_over_year() if pairs is None else pairs
    budgets = collection.budgets.set_index("budget_id")
    later = pairs["later_budget_id"]
    claims = collection.claims
    keys = list(zip(claims["budget_id"], claims["claim_id"]))
    sections, quotes = dict(zip(keys, claims["section"])), dict(zip(keys, claims["quote"]))
    rows = pd.DataFrame({
        "budget_id": later,
        "department": pairs["department"],
        "budget_year": pd.Series([budgets.at[b, "budget_year"] for b in later], dtype="Int64"),
        "rule": pairs["rule"],
        "rule_kind": "restatement",
        "verdict": pairs["verdict"],
        "section": [sections.get((b, c), "") for b, c in zip(later, pairs["later_claim_id"])],
        "claim_id": pairs["later_claim_id"],
        "measure": pairs["measure"],
        "label": pairs["later_label"],
        "stated": pairs["later_stated"],
        "stated_interval": "",
        "computed": pairs["earlier_stated"],
        "computed_interval": "",
        "difference": pairs["difference"],
        "unit": pairs["unit"],
        "quote": [quotes.get((b, c), "") for b, c in zip(later, pairs["later_claim_id"])],
        "explanation": pairs["explanation"],
        "inputs": pairs["earlier_budget_id"] + " " + pairs["earlier_claim_id"],
        "reason": year_over_year_reason(),
    })
    text = [c for c in rows.columns if c not in ("budget_year", "verdict", "stated", "computed", "difference")]
    return rows.astype({c: "str" for c in text}).reset_index(drop=True)


def stack_findings(findings: pd.DataFrame, *more: pd.DataFrame) -> pd.DataFrame:
    """``more`` findings under ``findings`` (in its columns), copied once, every decimal column at the
    finest scale among them."""
    more = [frame for frame in more if not frame.empty]
    if not more:
        return findings
    frames = [findings, *(frame[list(findings.columns)] for frame in more)]
    scales = {name: max(frame[name].dtype.pyarrow_dtype.scale for frame in frames)
              for name in ("stated", "computed", "difference")}
    # as budgetkit.audit.found.decimals makes them
    kinds = {name: pd.ArrowDtype(pa.decimal128(20 + scale, scale)) for name, scale in scales.items()}
    stacked = pd.concat([frame.astype(kinds) for frame in frames], ignore_index=True)
    stacked["verdict"] = pd.Categorical(stacked["verdict"].astype(str), categories=list(VERDICTS), ordered=True)
    return stacked
