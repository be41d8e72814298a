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
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .audit import Rule, load_rules
from .findings import SEVERITY, VERDICT_FILLS, VERDICTS
from .claims import Claim, ClaimIndex, top_section
from .numbers import PLACEHOLDER_PATTERN
from .schema import decimal_array
from .template import LEVEL_WIDTHS, sum_parts, sum_rules

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from .model import Budget

__all__ = [
    "TABLES",
    "UNCHECKED",
    "appropriation_by_item",
    "appropriation_change",
    "appropriation_structure",
    "basic_expenditure",
    "budget_total",
    "expenditure_by_kind",
    "fiscal_income_and_expenditure",
    "findings_by_verdict",
    "funds_and_state_capital",
    "income_by_source",
    "ledger",
    "meeting_training_travel",
    "official_vehicles",
    "other_matters",
    "state_assets",
    "styled",
    "three_public",
    "units_and_staff",
    "work_targets",
]

#: The verdict of a row no audit rule evaluated.
UNCHECKED = "unchecked"
#: Decimals of the second, finer recomputed share (``recomputed_share_4dp_pct``).
SHARE_DETAIL_DECIMALS = 4
#: Decimals a recomputed figure is rounded to when the document states none to compare with.
DEFAULT_PCT_DECIMALS = 2

# The template's structure, in the measures vocabulary (data/measures.csv).
FUND_MEASURES = ["gov_fund_expenditure", "state_capital_expenditure"]
BY_FUNCTION = "appropriation_by_function"

HEAD = ["section", "item", "year", "role", "printed"]
MONEY = ["stated_wan_yuan", "recomputed_wan_yuan", "difference_wan_yuan"]
SHARE = ["stated_share_pct", "recomputed_share_pct", "difference_share_pct", "recomputed_share_4dp_pct", "share_of"]
CHANGE_PCT = ["stated_change_pct", "recomputed_change_pct", "difference_change_pct"]
COUNT = ["stated_count", "recomputed_count", "difference_count", "count_unit"]
TAIL = ["recomputed_as", "verdict", "finding", "claim_ids"]
GROUPS = {"money": MONEY, "share": SHARE, "change_pct": CHANGE_PCT, "count": COUNT}


# -- the claims (read by budgetkit.claims), indexed for the tables -----------------------------

class _Claims(ClaimIndex):
    """The claim index with what the tables add: the budget's year and each measure's table."""

    def __init__(self, budget: Budget):
        super().__init__(budget.claims)
        self.year = budget.year
        measures = budget.measures
        self.table_of = dict(zip(measures["measure"], measures["table"]))
        self.rules = load_rules(budget.rules_path)

    def in_table(self, table: str) -> list[Claim]:
        return [c for c in self.all if self.table_of.get(c.measure) == table]


def _records(frame: pd.DataFrame, columns: list[str] | None = None) -> list:
    """Rows as named tuples; column by column (``tolist``), much faster than ``itertuples`` on Arrow columns."""
    from collections import namedtuple

    columns = list(frame.columns) if columns is None else columns
    Row = namedtuple("Row", columns)
    return [Row(*values) for values in zip(*(frame[c].tolist() for c in columns))] if len(frame) else []


# -- audit marks -------------------------------------------------------------------------------

class _Marks:
    """The audit's findings by claim: which verdicts each claim got, and why."""

    def __init__(self, findings: pd.DataFrame, claims: _Claims):
        self.by_claim: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in _records(findings, ["verdict", "rule", "explanation", "claim_id", "inputs"]):
            verdict = str(row.verdict)
            note = f"[{verdict}] {row.rule}: {row.explanation}"
            for claim_id in self._claims_of(row, claims):
                self.by_claim[claim_id].append((verdict, note))

    @staticmethod
    def _claims_of(row, claims: _Claims) -> list[str]:
        if row.claim_id:
            return [row.claim_id]
        # A finding about a line (unfilled template text) marks the claims printed with the
        # placeholder; when none carries it, every claim on that line.
        inputs = [claims.by_id[i] for i in str(row.inputs).split() if i in claims.by_id]
        carrying = [c.id for c in inputs if PLACEHOLDER_PATTERN.search(c.text) or PLACEHOLDER_PATTERN.search(c.label)]
        return carrying or [c.id for c in inputs]

    def verdict(self, claim_ids: Iterable[str]) -> tuple[str, str]:
        marks = [mark for claim_id in claim_ids for mark in self.by_claim.get(claim_id, [])]
        if not marks:
            return UNCHECKED, ""
        worst = max(marks, key=lambda mark: SEVERITY[mark[0]])[0]
        notes = []
        for verdict in reversed(VERDICTS[1:]):
            notes += [note for v, note in marks if v == verdict and note not in notes]
        return worst, " | ".join(notes)


# -- rows --------------------------------------------------------------------------------------

def _fmt(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _round(value: Decimal, decimals: int | None) -> Decimal:
    places = Decimal(1).scaleb(-(DEFAULT_PCT_DECIMALS if decimals is None else decimals))
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def _ratio_pct(part: Decimal, whole: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return part / whole * 100


def _diff(stated: Decimal | None, recomputed: Decimal | None) -> Decimal | None:
    return None if stated is None or recomputed is None else stated - recomputed


class _Rows:
    """The rows of one table, each showing some claims once per role."""

    def __init__(self, claims: _Claims):
        self.claims = claims
        self.rows: list[dict] = []
        self.shown: set[str] = set()

    def add(self, shown: list[Claim], role: str, item: str | None = None, **values) -> dict:
        first = shown[0] if shown else None
        row = {
            "section": first.section if first else "",
            "item": item if item is not None else (first.label if first else ""),
            "year": first.year if first else None,
            "role": role,
            "printed": " / ".join(c.printed for c in shown),
            "claim_ids": [c.id for c in shown],
            **values,
        }
        self.shown.update(c.id for c in shown)
        self.rows.append(row)
        return row

    def figure(self, claim: Claim, role: str, item: str | None = None, **values) -> dict:
        """One stated figure in the column group its unit belongs to."""
        if claim.money:
            values.setdefault("stated_wan_yuan", claim.signed_wan_yuan if claim.kind == "change" else claim.wan_yuan)
        elif claim.unit == "%" and claim.kind == "change":
            values.setdefault("stated_change_pct", claim.signed)
        elif claim.unit == "%" and claim.kind == "share":
            values.setdefault("stated_share_pct", claim.value)
        else:
            values.setdefault("stated_count", claim.value)
            values.setdefault("count_unit", claim.unit)
        return self.add([claim], role, item, **values)

    # -- blocks --------------------------------------------------------------------------------
    def sums(self, total_measure: str, level: str | None = None, role_prefix: str | None = None) -> None:
        """A :meth:`sum_block` for each sum rule of ``total_measure`` (template.sum_rules), with the
        rule's parts, level and exhaustiveness; the rows' role says which side of a two-sided total
        (income, expenditure) the parts are on when ``role_prefix`` is None and the total has two."""
        rules = sum_rules(self.claims.rules, total_measure, level)
        for rule in rules:
            parts = rule.params["parts"]
            prefix = role_prefix if role_prefix is not None else (
                f"{self.claims.table_of.get(parts[0], '')} " if len(rules) > 1 else "")
            self.sum_block(total_measure, parts, level=level, role_prefix=prefix,
                           exhaustive=rule.params.get("exhaustive", True))

    def sum_block(self, total_measure: str, part_measures: list[str], *, level: str | None = None,
                  role_prefix: str = "", exhaustive: bool = True, item: str | None = None) -> None:
        """Each stated total of ``total_measure`` with its parts (stated nearest to it) and their sum."""
        year = self.claims.year
        totals = self.claims.stated(total_measure, year)
        if not totals:
            return
        for total in totals:
            parts = self._parts(part_measures, year, total.section, level)
            for part in parts:
                if part.id not in self.shown:  # a part shown already in this table is not repeated
                    self._part_row(part, role_prefix + "part")
            self._total_row(total, parts, role_prefix + "total", exhaustive, item)

    def _parts(self, measures: list[str], year: int, near: str, level: str | None) -> list[Claim]:
        parts = []
        for measure in measures:
            if level is None:
                if (part := self.claims.pick(measure, year, None, near)) is not None:
                    parts.append(part)
                continue
            width = LEVEL_WIDTHS[level]
            codes = sorted({c.code for c in self.claims.all if c.measure == measure and c.year == year
                            and c.code and len(c.code) == width})
            parts += [p for code in codes if (p := self.claims.pick(measure, year, code, near)) is not None]
        return parts

    def _part_row(self, part: Claim, role: str) -> None:
        shares = [c for c in self.claims.all if c.kind == "share" and c.value is not None and (
            c.ref == part.id or (c.ref is None and c.measure == part.measure and c.code == part.code
                                 and c.section == part.section and c.year == part.year))]
        if not shares:
            self.figure(part, role)
            return
        for share in shares:
            values = {"stated_wan_yuan": part.wan_yuan, "stated_share_pct": share.value}
            values.update(self._share(share, part))
            if not part.money:
                values = {"stated_count": part.value, "count_unit": part.unit, **{
                    k: v for k, v in values.items() if k != "stated_wan_yuan"}}
            self.add([part, share], role, **values)

    def _share(self, share: Claim, part: Claim) -> dict:
        whole = self.claims.by_id.get(share.base) if share.base else (
            self.claims.pick(share.base_measure, share.year, None, share.section) if share.base_measure else None)
        if whole is None:
            return {"recomputed_as": "the whole the share is of is not stated"}
        of = f"{whole.label} {_fmt(whole.value)}{whole.unit} ({whole.id})"
        part_amount = part.wan_yuan if part.money else part.value
        whole_amount = whole.wan_yuan if whole.money else whole.value
        if not whole_amount:
            return {"share_of": of, "recomputed_as": f"{of} is zero: no share of it"}
        exact = _ratio_pct(part_amount, whole_amount)
        rounded = _round(exact, share.decimals)
        return {
            "share_of": of,
            "recomputed_share_pct": rounded,
            "difference_share_pct": share.value - rounded,
            "recomputed_share_4dp_pct": _round(exact, SHARE_DETAIL_DECIMALS),
            "recomputed_as": f"{_fmt(part.value)} ÷ {_fmt(whole.value)} × 100",
        }

    def _total_row(self, total: Claim, parts: list[Claim], role: str, exhaustive: bool,
                   item: str | None) -> None:
        if not parts:
            self.figure(total, role, item)
            return
        listing = " + ".join(_fmt(p.value) for p in parts)
        note = "" if exhaustive else " (parts listed after 其中: at most the total)"
        if total.money:
            recomputed = sum((p.wan_yuan for p in parts if p.money), Decimal(0))
            self.figure(total, role, item, recomputed_wan_yuan=recomputed,
                        difference_wan_yuan=_diff(total.wan_yuan, recomputed), recomputed_as=listing + note)
        else:
            recomputed = sum((p.value for p in parts), Decimal(0))
            self.figure(total, role, item, recomputed_count=recomputed,
                        difference_count=_diff(total.value, recomputed), recomputed_as=listing + note)

    def change_block(self, measures: list[str]) -> None:
        """Every change of ``measures``: this year's figure, the prior year's, the change stated
        and recomputed (current − prior, or its percentage of the prior)."""
        for change in self.claims.of(measures, kinds=["change"]):
            current = self.claims.by_id.get(change.ref) if change.ref else self.claims.pick(
                change.measure, change.year, change.code, change.section)
            prior = self.claims.by_id.get(change.base) if change.base else None
            # "增加X万元，增长Y%": the percentage's base is the amount change, whose prior year is implied
            prior_role = "amount change" if prior is not None and prior.kind == "change" else "prior year"
            for claim, role in ((current, "current year"), (prior, prior_role)):
                if claim is not None and claim.id not in self.shown:
                    self.figure(claim, role)
            self.figure(change, "change", **self._change(change, current, prior))

    @staticmethod
    def _change(change: Claim, current: Claim | None, prior: Claim | None) -> dict:
        if change.value is None:
            return {}
        if current is None or current.value is None:
            return {"recomputed_as": "no current-year figure stated: nothing to recompute"}
        if prior is None or prior.value is None:
            note = "no prior-year figure stated"
            if change.unit != "%" and change.money and current.money:
                implied = current.wan_yuan - change.signed_wan_yuan
                year = change.year - 1 if change.base_year is None else change.base_year
                note += f"; it implies {year} = {_fmt(current.wan_yuan)} − ({_fmt(change.signed_wan_yuan)}) = {_fmt(implied)}"
            return {"recomputed_as": note}
        if change.unit == "%" and prior.kind == "change":
            if not (prior.money and current.money):
                return {"recomputed_as": "the amount change is not money: no prior year to take the percentage of"}
            implied = current.wan_yuan - prior.signed_wan_yuan
            if not implied:
                return {"recomputed_as": f"the change implies a prior year of {_fmt(implied)}: growth from zero has no percentage"}
            recomputed = _round(_ratio_pct(prior.signed_wan_yuan, implied), change.decimals)
            return {"recomputed_change_pct": recomputed, "difference_change_pct": change.signed - recomputed,
                    "recomputed_as": f"{_fmt(prior.signed_wan_yuan)} ÷ ({_fmt(current.wan_yuan)} − "
                                     f"({_fmt(prior.signed_wan_yuan)})) × 100"}
        if change.unit == "%":
            if not prior.value:
                return {"recomputed_as": f"the prior year is {_fmt(prior.value)}: growth from zero has no percentage"}
            recomputed = _round(_ratio_pct(current.value - prior.value, prior.value), change.decimals)
            return {"recomputed_change_pct": recomputed, "difference_change_pct": change.signed - recomputed,
                    "recomputed_as": f"({_fmt(current.value)} − {_fmt(prior.value)}) ÷ {_fmt(prior.value)} × 100"}
        if change.money and current.money and prior.money:
            recomputed = current.wan_yuan - prior.wan_yuan
            return {"recomputed_wan_yuan": recomputed, "difference_wan_yuan": change.signed_wan_yuan - recomputed,
                    "recomputed_as": f"{_fmt(current.value)} − {_fmt(prior.value)}"}
        recomputed = current.value - prior.value
        return {"recomputed_count": recomputed, "difference_count": change.signed - recomputed,
                "recomputed_as": f"{_fmt(current.value)} − {_fmt(prior.value)}"}

    def rest(self, claims: Iterable[Claim]) -> None:
        """Every claim of ``claims`` not shown yet, as printed (so that no stated figure is left out)."""
        for claim in claims:
            if claim.id in self.shown:
                continue
            if claim.kind == "change":
                current = self.claims.by_id.get(claim.ref) if claim.ref else None
                prior = self.claims.by_id.get(claim.base) if claim.base else None
                self.figure(claim, "change", **self._change(claim, current, prior))
            else:
                role = claim.kind if claim.kind in ("total", "share", "threshold") else (
                    "amount" if claim.money else "count")
                self.figure(claim, role)


# -- frames ------------------------------------------------------------------------------------

def _column(name: str, values: list) -> pd.Series:
    if name.endswith(("_wan_yuan", "_pct")) or name in ("stated_count", "recomputed_count", "difference_count",
                                                        "target_value"):
        scale = SHARE_DETAIL_DECIMALS if name.endswith("_4dp_pct") else (
            0 if name.endswith("_count") or name == "target_value" else 2)
        return decimal_array([None if v is None else v for v in values], min_scale=scale)
    if name == "year":
        return pd.Series(values, dtype="Int64")
    return pd.Series(["" if v is None else str(v) for v in values], dtype="str")


def _frame(rows: list[dict], marks: _Marks, groups: Iterable[str] = (), head: list[str] | None = None) -> pd.DataFrame:
    """Rows to a typed frame: HEAD, the value groups declared or used, TAIL."""
    wanted = [g for g in GROUPS if g in groups or any(row.get(c) is not None for row in rows for c in GROUPS[g])]
    columns = [*(head or HEAD), *(c for g in wanted for c in GROUPS[g]), *TAIL]
    for row in rows:
        row["verdict"], row["finding"] = marks.verdict(row["claim_ids"])
        row["claim_ids"] = " ".join(row["claim_ids"])
    data = {name: _column(name, [row.get(name) for row in rows]) for name in columns}
    return pd.DataFrame(data, columns=columns).reset_index(drop=True)


def _start(budget: Budget, findings: pd.DataFrame | None) -> tuple[_Rows, _Marks]:
    claims = _Claims(budget)
    marks = _Marks(budget.audit() if findings is None else findings, claims)
    return _Rows(claims), marks


# -- the tables, in reading order -----------------------------------------------------------------

def work_targets(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """一（二）: the quantified work targets (what is counted, the figure, its unit and qualifier)."""
    rows, marks = _start(budget, findings)
    for claim in rows.claims.in_table("work_targets"):
        rows.add([claim], claim.kind, target_value=claim.value, unit=claim.unit,
                 qualifier=claim.qualifier or "", quote=claim.quote)
    head = ["section", "item", "role", "printed", "target_value", "unit", "qualifier", "quote"]
    frame = _frame(rows.rows, marks, head=head)
    return frame.drop(columns="recomputed_as")


def units_and_staff(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """二: staff in post and retired."""
    rows, marks = _start(budget, findings)
    rows.rest(rows.claims.in_table("staff"))
    return _frame(rows.rows, marks, ["count"])


def budget_total(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三: the total budget beside the sum of its income sources and of its expenditure kinds; its change."""
    rows, marks = _start(budget, findings)
    rows.sums("budget_total")
    rows.change_block(["budget_total"])
    rows.rest(rows.claims.in_table("overview"))
    return _frame(rows.rows, marks, ["money"])


def income_by_source(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三（一）: income by source and the stated total beside their sum."""
    rows, marks = _start(budget, findings)
    rows.sums("income_total")
    rows.rest(c for c in rows.claims.in_table("income") if top_section(c.section) == "三")
    return _frame(rows.rows, marks, ["money"])


def expenditure_by_kind(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """三（二）: basic and project expenditure, their shares of the named whole, the total."""
    rows, marks = _start(budget, findings)
    rows.sums("expenditure_total")
    rows.rest(rows.claims.in_table("expenditure"))
    return _frame(rows.rows, marks, ["money", "share"])


def fiscal_income_and_expenditure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """四: the fiscal-appropriation total against its income and against its expenditure by 类; its change."""
    rows, marks = _start(budget, findings)
    rows.sums("fiscal_total", role_prefix="income ")
    rows.sums("fiscal_total", level="类", role_prefix="expenditure ")
    rows.change_block(["fiscal_total"])
    rows.rest(rows.claims.in_table("fiscal"))
    rows.rest(c for c in rows.claims.in_table("income") if top_section(c.section) == "四")
    return _frame(rows.rows, marks, ["money"])


def appropriation_change(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（一）: the scale of this year's appropriation and its change on the prior year."""
    rows, marks = _start(budget, findings)
    rows.change_block(["appropriation_total"])
    rows.rest(rows.claims.of(["appropriation_total"]))
    return _frame(rows.rows, marks, ["money"])


def appropriation_structure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（二）: the appropriation by 类 with shares stated and recomputed, and the total beside their sum."""
    rows, marks = _start(budget, findings)
    rows.sums("appropriation_total", level="类")
    rows.rest(c for c in rows.claims.of([BY_FUNCTION]) if c.kind == "share")
    return _frame(rows.rows, marks, ["money", "share"])


def appropriation_by_item(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """五（三）: every 类/款/项 with its purpose and amount; 类 and 款 stated beside the sum of their 项."""
    claims = _Claims(budget)
    marks = _Marks(budget.audit() if findings is None else findings, claims)
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
            as_ = " + ".join(_fmt(leaf.value) for leaf in below)
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
            "difference_wan_yuan": _diff(amount, recomputed),
            "recomputed_as": as_ or "",
            "claim_ids": [c.id for c in shown],
        })
    head = ["code", "level", "name", "purpose", "section", "printed"]
    return _frame(rows, marks, ["money"], head=head)


def basic_expenditure(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """六: 人员经费 and 公用经费 beside the stated basic expenditure."""
    rows, marks = _start(budget, findings)
    rows.sums("gpb_basic_total")
    rows.rest(rows.claims.in_table("basic"))
    return _frame(rows.rows, marks, ["money"])


def three_public(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """七: “三公”经费 and its parts, the vehicle costs, and each change on the prior year."""
    rows, marks = _start(budget, findings)
    rows.sums("three_public_total")
    rows.sums("three_public_vehicles", role_prefix="vehicle costs ")
    rows.change_block([*sum_parts(rows.claims.rules, "three_public_total"), "three_public_total",
                       *sum_parts(rows.claims.rules, "three_public_vehicles")])
    rows.rest(c for c in rows.claims.in_table("three_public") if c.money or c.unit == "%")
    return _frame(rows.rows, marks, ["money", "change_pct"])


def official_vehicles(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """七（三）: official vehicles, by type (listed after 其中)."""
    rows, marks = _start(budget, findings)
    rows.sums("official_vehicles")
    rows.rest(c for c in rows.claims.in_table("three_public") if not (c.money or c.unit == "%"))
    return _frame(rows.rows, marks, ["count"])


def meeting_training_travel(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """八: 会议费、培训费、差旅费 beside their stated total, with the prior year and each change."""
    rows, marks = _start(budget, findings)
    rows.sums("mtt_total")
    rows.change_block([*sum_parts(rows.claims.rules, "mtt_total"), "mtt_total"])
    rows.rest(rows.claims.in_table("meeting_training_travel"))
    return _frame(rows.rows, marks, ["money"])


def funds_and_state_capital(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """九–十: expenditure from the government-fund and the state-capital budgets."""
    rows, marks = _start(budget, findings)
    rows.rest(rows.claims.of(FUND_MEASURES))
    return _frame(rows.rows, marks, ["money"])


def other_matters(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """十一（一）（二）（四）: 机关运行经费 and its change, government procurement, performance management."""
    rows, marks = _start(budget, findings)
    other = [c for c in rows.claims.in_table("other") if c.measure not in FUND_MEASURES]
    rows.change_block(sorted({c.measure for c in other}, key=[c.measure for c in other].index))
    rows.rest(other)
    return _frame(rows.rows, marks, ["money"])


def state_assets(budget: Budget, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """十一（三）: vehicles held, by use (listed after 其中), large equipment and its value threshold."""
    rows, marks = _start(budget, findings)
    rows.sums("vehicles_owned")
    rows.rest(rows.claims.in_table("assets"))
    return _frame(rows.rows, marks, ["count", "money"])


#: Every reproduced table, in the order the explanation reads.
TABLES: dict[str, Callable[[Budget], pd.DataFrame]] = {
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
}


# -- the audit, for reading ----------------------------------------------------------------------

FINDING_VIEW = ["section", "claim_id", "rule", "label", "quote", "stated", "computed", "difference", "unit",
                "explanation"]


def findings_by_verdict(findings: pd.DataFrame, verdict: str | None = None,
                        include_consistent: bool = False) -> pd.DataFrame:
    """Findings grouped by verdict, worst first, in document order within a verdict.

    Indexed by (verdict, n); consistent evaluations only with ``include_consistent``.
    ``verdict`` keeps one group.
    """
    if verdict is not None and verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    verdicts = findings["verdict"].astype(str)
    keep = verdicts != "consistent" if not include_consistent else verdicts == verdicts
    if verdict is not None:
        keep = verdicts == verdict
    chosen = findings[keep.to_numpy()]
    order = chosen["verdict"].astype(str).map(SEVERITY)
    chosen = chosen.assign(_severity=order.to_numpy(), _n=range(len(chosen)))
    chosen = chosen.sort_values(["_severity", "_n"], ascending=[False, True], kind="stable")
    numbers = chosen.groupby("_severity", sort=False).cumcount() + 1
    index = pd.MultiIndex.from_arrays([chosen["verdict"].astype(str).to_numpy(), numbers.to_numpy()],
                                      names=["verdict", "n"])
    return chosen[FINDING_VIEW].set_axis(index)


def ledger(findings: pd.DataFrame, rules: list[Rule] | str | Path | None = None) -> pd.DataFrame:
    """Per rule: evaluations, how many passed (consistent) and failed, the count of each verdict and
    the worst verdict; a last row totals every rule. Rules given (a list or a rules file) that found nothing to
    evaluate are listed with zero evaluations."""
    if isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    kinds = dict(zip(findings["rule"], findings["rule_kind"]))
    names = list(dict.fromkeys(findings["rule"]))
    if rules is not None:
        kinds.update({rule.id: rule.kind for rule in rules})
        names = [rule.id for rule in rules] + [n for n in names if n not in {r.id for r in rules}]
    verdicts = findings["verdict"].astype(str)
    rows = []
    for name in names:
        mine = verdicts[(findings["rule"] == name).to_numpy()]
        counts = {v: int((mine == v).sum()) for v in VERDICTS}
        rows.append({"rule": name, "rule_kind": kinds.get(name, ""), "evaluations": len(mine),
                     "passed": counts["consistent"], "failed": len(mine) - counts["consistent"],
                     **{f"{v}_count": counts[v] for v in VERDICTS}, "worst_verdict": _worst(counts)})
    evaluated = sum(1 for row in rows if row["evaluations"])
    totals = {"rule": f"all {len(names)} rules ({evaluated} with something to evaluate)", "rule_kind": ""}
    for column in ["evaluations", "passed", "failed", *(f"{v}_count" for v in VERDICTS)]:
        totals[column] = sum(row[column] for row in rows)
    totals["worst_verdict"] = _worst({v: totals[f"{v}_count"] for v in VERDICTS})
    frame = pd.DataFrame([*rows, totals])
    counts = [c for c in frame.columns if c not in ("rule", "rule_kind", "worst_verdict")]
    return frame.astype({"rule": "str", "rule_kind": "str", "worst_verdict": "str", **{c: "int64" for c in counts}})


def _worst(counts: dict[str, int]) -> str:
    """The most severe verdict with a count, or "" when nothing was evaluated."""
    return next((v for v in reversed(VERDICTS) if counts[v]), "")


# -- display -----------------------------------------------------------------------------------

#: Row colours for verdicts that are not consistent (light, readable with dark text).
#: Columns of words rather than figures wrap instead of widening the table, so a table of findings
#: fits a JupyterLab output area (about 70em) and the explanation stays on screen: names and rule
#: ids in a narrow column, quoted sentences wider, explanations widest. CSS width limits per column.
WRAPPED_COLUMNS = {
    **dict.fromkeys(("label", "name", "rule"), "min-width: 8em; max-width: 14em;"),
    **dict.fromkeys(("quote", "purpose", "share_of", "recomputed_as"), "min-width: 10em; max-width: 18em;"),
    **dict.fromkeys(("finding", "explanation"), "min-width: 14em; max-width: 30em;"),
}


def styled(frame: pd.DataFrame, uuid: str | None = None) -> Styler:
    """``frame`` as a pandas Styler that colours rows whose verdict is not consistent.

    The table id is fixed (``uuid``, else a digest of the frame's content), so the HTML is the
    same on every run and two tables on one page never share CSS selectors.
    """
    from pandas.io.formats.style import Styler

    class BudgetStyler(Styler):
        def __repr__(self) -> str:  # the default repr carries a memory address
            rows, columns = self.data.shape
            return f"<styled table: {rows} rows × {columns} columns>"

    if uuid is None:
        digest = hashlib.sha256(frame.to_csv().encode("utf-8")).hexdigest()
        uuid = f"budgetkit_{digest[:12]}"
    styler = BudgetStyler(frame, uuid=uuid, cell_ids=False)
    styler.format(na_rep="", escape="html")
    # a decimal column holds every row at its finest scale (98.57151 beside 841.00000): show each
    # figure without the zeros that scale added, but with the 2 decimals money is printed with
    decimal_columns = [name for name, dtype in frame.dtypes.items() if "decimal" in str(dtype)]
    if decimal_columns:
        styler.format(_figure_text, subset=decimal_columns, na_rep="")
    # figures on one line and right-aligned, words left-aligned; long explanations wrap
    styles = [{"selector": "td, th", "props": "white-space: nowrap; vertical-align: top;"}]
    for position, (name, dtype) in enumerate(frame.dtypes.items()):
        numeric = pd.api.types.is_numeric_dtype(dtype) or "decimal" in str(dtype)
        props = f"text-align: {'right' if numeric else 'left'};"
        if name in WRAPPED_COLUMNS:
            props += f" white-space: normal; {WRAPPED_COLUMNS[name]}"
        styles.append({"selector": f"td.col{position}, th.col_heading.col{position}", "props": props})
    verdicts = _row_verdicts(frame)
    if verdicts is not None:
        # one class per row and one CSS rule per verdict keep the HTML small
        classes = [[f"verdict-{v}" if v in VERDICT_FILLS else ""] * frame.shape[1] for v in verdicts]
        styler.set_td_classes(pd.DataFrame(classes, index=frame.index, columns=frame.columns))
        styles += [{"selector": f"td.verdict-{v}", "props": f"background-color: {colour};"}
                   for v, colour in VERDICT_FILLS.items()]
    styler.set_table_styles(styles)
    if isinstance(frame.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    return styler.set_table_attributes('class="budgetkit-table"')


def _figure_text(value) -> str:
    """An exact decimal as text, trailing zeros beyond the second decimal dropped (841.00000 → 841.00)."""
    if not isinstance(value, Decimal):
        return str(value)
    text = format(value, "f")
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0").ljust(2, "0")
        text = f"{whole}.{fraction}"
    return text


def _row_verdicts(frame: pd.DataFrame) -> list[str] | None:
    for column in ("verdict", "worst_verdict"):
        if column in frame.columns:
            return [str(v) for v in frame[column]]
    if "verdict" in (frame.index.names or []):
        return [str(v) for v in frame.index.get_level_values("verdict")]
    return None
