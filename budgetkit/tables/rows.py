"""The rows of a reproduced table: each stated figure beside what the audit recomputes, with the
verdict of the rule that checked it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import load_rules
from ..audit.index import ClaimIndex, FrameCache
from ..claims import Claim
from ..findings import SEVERITY, VERDICTS
from ..messages import language, text, verdict_name
from ..numbers import PLACEHOLDER_PATTERN
from ..schema import decimal_array
from ..template import LEVEL_WIDTHS, sum_rules

if TYPE_CHECKING:  # pragma: no cover
    from ..model import Budget

__all__ = [
    "FindingMarks", "HEAD", "TableClaims", "UNCHECKED", "difference_of", "format_decimal", "rows_frame", "start_table",
]


#: The verdict of a row no audit rule evaluated.
UNCHECKED = "unchecked"


#: Decimals of the second, finer recomputed share (``recomputed_share_4dp_pct``).
SHARE_DETAIL_DECIMALS = 4


#: Decimals a recomputed figure is rounded to when the document states none to compare with.
DEFAULT_PCT_DECIMALS = 2


HEAD = ["section", "item", "year", "role", "printed"]


MONEY = ["stated_wan_yuan", "recomputed_wan_yuan", "difference_wan_yuan"]


SHARE = ["stated_share_pct", "recomputed_share_pct", "difference_share_pct", "recomputed_share_4dp_pct", "share_of"]


CHANGE_PCT = ["stated_change_pct", "recomputed_change_pct", "difference_change_pct"]


COUNT = ["stated_count", "recomputed_count", "difference_count", "count_unit"]


TAIL = ["recomputed_as", "verdict", "finding", "claim_ids"]


GROUPS = {"money": MONEY, "share": SHARE, "change_pct": CHANGE_PCT, "count": COUNT}


class TableClaims(ClaimIndex):
    """The claim index with what the tables add: the budget's year and each measure's table."""

    def __init__(self, budget: Budget):
        super().__init__(budget.claims)
        self.year = budget.year
        measures = budget.measures
        self.table_of = dict(zip(measures["measure"], measures["table"]))
        self.rules = load_rules(budget.rules_path)

    def in_table(self, table: str) -> list[Claim]:
        return [c for c in self.all if self.table_of.get(c.measure) == table]


def _row_tuples(frame: pd.DataFrame, columns: list[str] | None = None) -> list:
    """Rows as named tuples; column by column (``tolist``), much faster than ``itertuples`` on Arrow columns."""
    from collections import namedtuple

    columns = list(frame.columns) if columns is None else columns
    Row = namedtuple("Row", columns)
    return [Row(*values) for values in zip(*(frame[c].tolist() for c in columns))] if len(frame) else []


class FindingMarks:
    """The audit's findings by claim: which verdicts each claim got, and why (read only once made:
    :meth:`of` shares one among the tables of a budget)."""

    @classmethod
    def of(cls, findings: pd.DataFrame, claims: TableClaims) -> FindingMarks:
        """The marks of ``findings`` on ``claims``, made once for the same findings, claims frame and language
        (a notebook's tables each mark the same findings)."""
        return _MARKS.get((findings, claims.claims), language(), lambda: cls(findings, claims))

    def __init__(self, findings: pd.DataFrame, claims: TableClaims):
        self.by_claim: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in _row_tuples(findings, ["verdict", "rule", "explanation", "claim_id", "inputs"]):
            verdict = str(row.verdict)
            note = text("tables.finding-note", verdict=verdict_name(verdict) if verdict in SEVERITY else verdict,
                        rule=row.rule, explanation=row.explanation)
            for claim_id in self._claims_of(row, claims):
                self.by_claim[claim_id].append((verdict, note))

    @staticmethod
    def _claims_of(row, claims: TableClaims) -> list[str]:
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


#: The marks of the findings last shown in tables.
_MARKS = FrameCache(size=4)


def format_decimal(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def _round(value: Decimal, decimals: int | None) -> Decimal:
    places = Decimal(1).scaleb(-(DEFAULT_PCT_DECIMALS if decimals is None else decimals))
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def _ratio_pct(part: Decimal, whole: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return part / whole * 100


def difference_of(stated: Decimal | None, recomputed: Decimal | None) -> Decimal | None:
    return None if stated is None or recomputed is None else stated - recomputed


class _Rows:
    """The rows of one table, each showing some claims once per role."""

    def __init__(self, claims: TableClaims):
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
            self.share_row(part, share, role)

    def share_row(self, part: Claim, share: Claim, role: str) -> dict:
        """``part`` with one ``share`` of it, stated beside the share recomputed from the share's whole."""
        values = {"stated_wan_yuan": part.wan_yuan, "stated_share_pct": share.value}
        values.update(self._share(share, part))
        if not part.money:
            values = {"stated_count": part.value, "count_unit": part.unit, **{
                k: v for k, v in values.items() if k != "stated_wan_yuan"}}
        return self.add([part, share], role, **values)

    def _share(self, share: Claim, part: Claim) -> dict:
        whole = self.claims.by_id.get(share.base) if share.base else (
            self.claims.pick(share.base_measure, share.year, None, share.section) if share.base_measure else None)
        if whole is None:
            return {"recomputed_as": text("tables.share-whole-missing")}
        of = text("tables.share-of", label=whole.label, value=format_decimal(whole.value), unit=whole.unit,
                  claim=whole.id)
        part_amount = part.wan_yuan if part.money else part.value
        whole_amount = whole.wan_yuan if whole.money else whole.value
        if not whole_amount:
            return {"share_of": of, "recomputed_as": text("tables.share-whole-zero", whole=of)}
        exact = _ratio_pct(part_amount, whole_amount)
        rounded = _round(exact, share.decimals)
        return {
            "share_of": of,
            "recomputed_share_pct": rounded,
            "difference_share_pct": share.value - rounded,
            "recomputed_share_4dp_pct": _round(exact, SHARE_DETAIL_DECIMALS),
            "recomputed_as": f"{format_decimal(part.value)} ÷ {format_decimal(whole.value)} × 100",
        }

    def _total_row(self, total: Claim, parts: list[Claim], role: str, exhaustive: bool,
                   item: str | None) -> None:
        if not parts:
            self.figure(total, role, item)
            return
        listing = " + ".join(format_decimal(p.value) for p in parts)
        if not exhaustive:
            listing = text("tables.parts-at-most-total", listing=listing)
        if total.money:
            recomputed = sum((p.wan_yuan for p in parts if p.money), Decimal(0))
            self.figure(total, role, item, recomputed_wan_yuan=recomputed,
                        difference_wan_yuan=difference_of(total.wan_yuan, recomputed), recomputed_as=listing)
        else:
            recomputed = sum((p.value for p in parts), Decimal(0))
            self.figure(total, role, item, recomputed_count=recomputed,
                        difference_count=difference_of(total.value, recomputed), recomputed_as=listing)

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
            recomputed = self._change(change, current, prior)
            if change.direction == "unspecified" and any(key.startswith("difference_") for key in recomputed):
                # 增长（下降）27.78%: the sign is not printed, so no difference from the signed recomputation
                recomputed = {k: v for k, v in recomputed.items() if not k.startswith("difference_")}
                recomputed["recomputed_as"] = text("tables.change-direction-unstated", how=recomputed["recomputed_as"])
            self.figure(change, "change", **recomputed)

    @staticmethod
    def _change(change: Claim, current: Claim | None, prior: Claim | None) -> dict:
        if change.value is None:
            return {}
        if current is None or current.value is None:
            return {"recomputed_as": text("tables.change-no-current")}
        if prior is None or prior.value is None:
            if change.unit != "%" and change.money and current.money:
                implied = current.wan_yuan - change.signed_wan_yuan
                if change.base_year == change.year and change.base_measure:
                    # 决算数大于预算数55.93万元: a difference from the year's own budget, which it implies
                    return {"recomputed_as": text("tables.change-implies-budget",
                                                  current=format_decimal(current.wan_yuan),
                                                  change=format_decimal(change.signed_wan_yuan),
                                                  implied=format_decimal(implied))}
                year = change.year - 1 if change.base_year is None else change.base_year
                return {"recomputed_as": text("tables.change-no-prior-implies", year=year,
                                              current=format_decimal(current.wan_yuan),
                                              change=format_decimal(change.signed_wan_yuan),
                                              implied=format_decimal(implied))}
            return {"recomputed_as": text("tables.change-no-prior")}
        if change.unit == "%" and prior.kind == "change":
            if not (prior.money and current.money):
                return {"recomputed_as": text("tables.change-amount-not-money")}
            implied = current.wan_yuan - prior.signed_wan_yuan
            if not implied:
                return {"recomputed_as": text("tables.change-implied-zero", prior=format_decimal(implied))}
            recomputed = _round(_ratio_pct(prior.signed_wan_yuan, implied), change.decimals)
            return {"recomputed_change_pct": recomputed, "difference_change_pct": change.signed - recomputed,
                    "recomputed_as": f"{format_decimal(prior.signed_wan_yuan)} ÷ ({format_decimal(current.wan_yuan)} − "
                                     f"({format_decimal(prior.signed_wan_yuan)})) × 100"}
        if change.unit == "%":
            if not prior.value:
                return {"recomputed_as": text("tables.change-prior-zero", prior=format_decimal(prior.value))}
            recomputed = _round(_ratio_pct(current.value - prior.value, prior.value), change.decimals)
            return {"recomputed_change_pct": recomputed, "difference_change_pct": change.signed - recomputed,
                    "recomputed_as": f"({format_decimal(current.value)} − {format_decimal(prior.value)}) ÷ {format_decimal(prior.value)} × 100"}
        if change.money and current.money and prior.money:
            recomputed = current.wan_yuan - prior.wan_yuan
            return {"recomputed_wan_yuan": recomputed, "difference_wan_yuan": change.signed_wan_yuan - recomputed,
                    "recomputed_as": f"{format_decimal(current.value)} − {format_decimal(prior.value)}"}
        recomputed = current.value - prior.value
        return {"recomputed_count": recomputed, "difference_count": change.signed - recomputed,
                "recomputed_as": f"{format_decimal(current.value)} − {format_decimal(prior.value)}"}

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


def _column(name: str, values: list) -> pd.Series:
    if name.endswith(("_wan_yuan", "_pct")) or name in ("stated_count", "recomputed_count", "difference_count",
                                                        "target_value"):
        scale = SHARE_DETAIL_DECIMALS if name.endswith("_4dp_pct") else (
            0 if name.endswith("_count") or name == "target_value" else 2)
        return decimal_array([None if v is None else v for v in values], min_scale=scale)
    if name == "year":
        return pd.Series(values, dtype="Int64")
    return pd.Series(["" if v is None else str(v) for v in values], dtype="str")


def rows_frame(rows: list[dict], marks: FindingMarks, groups: Iterable[str] = (), head: list[str] | None = None) -> pd.DataFrame:
    """Rows to a typed frame: HEAD, the value groups declared or used, TAIL."""
    wanted = [g for g in GROUPS if g in groups or any(row.get(c) is not None for row in rows for c in GROUPS[g])]
    columns = [*(head or HEAD), *(c for g in wanted for c in GROUPS[g]), *TAIL]
    for row in rows:
        row["verdict"], row["finding"] = marks.verdict(row["claim_ids"])
        row["claim_ids"] = " ".join(row["claim_ids"])
    data = {name: _column(name, [row.get(name) for row in rows]) for name in columns}
    return pd.DataFrame(data, columns=columns).reset_index(drop=True)


def start_table(budget: Budget, findings: pd.DataFrame | None) -> tuple[_Rows, FindingMarks]:
    claims = TableClaims(budget)
    marks = FindingMarks.of(budget.audit() if findings is None else findings, claims)
    return _Rows(claims), marks
