"""Budget against outturn: a department's budget (预算) and final accounts (决算) of one year, paired
within a collection, held side by side.

>>> from budgetkit.collection import load_many, execution_pairs, execution_table, pefa_indicators
>>> collection = load_many("data/collections/wuzhou-unit-2023")     # doctest: +SKIP
>>> execution_pairs(collection)          # one row per department and year with both documents
>>> unpaired_documents(collection)       # every other budget, with the reason it has no counterpart
>>> execution_table(collection, "wuzhou-unit", 2023)   # by kind and by 类: budget, outturn, deviation
>>> pefa_indicators(collection)          # PI-1 and PI-2 (PEFA 2016) for each pair
>>> restated_budget(collection)          # the 决算's 年初预算数 against the budget document's figure

What is compared is data (``[execution]`` of data/template.toml): the rows by kind, each the measure
the budget states it by and the one final accounts state its outturn by, and the words that make a
final accounts' figure its restatement of the budget. A row is evaluated only when both documents state
its figure once (or state it alike); otherwise it is kept, not evaluated, with the reason. Money is in
万元, exact (Decimal); a percentage is rounded half-even to two decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd

from ..audit.figures import verdicts
from ..audit.table import Q
from ..claims import read_claims
from ..messages import text
from ..schema import UNKNOWN_KIND, decimal_array
from ..template import MONEY_UNITS, adjusted_budget_words, execution_rows, initial_budget_words
from .frame import Collection

__all__ = ["execution_pairs", "execution_table", "pefa_indicators", "restated_budget", "restated_budget_findings",
           "unpaired_documents"]

BUDGET, FINAL_ACCOUNTS = "budget", "final-accounts"

_PERCENT = Decimal("0.01")

PAIR_COLUMNS = ["department", "year", "budget_id", "accounts_budget_id"]


def _kinds(collection: Collection) -> pd.Series:
    budgets = collection.budgets
    if "document_kind" in budgets:
        return budgets["document_kind"].astype(str)
    return pd.Series(UNKNOWN_KIND, index=budgets.index)  # a budgets table made before kinds were stated


def _grouped(collection: Collection) -> dict[tuple[str, int], dict[str, list[str]]]:
    """(department, year) → kind → the budget_ids of that kind, in the collection's order."""
    budgets = collection.budgets
    groups: dict[tuple[str, int], dict[str, list[str]]] = {}
    for budget_id, department, year, kind in zip(budgets["budget_id"], budgets["department"],
                                                 budgets["budget_year"], _kinds(collection)):
        groups.setdefault((str(department), int(year)), {}).setdefault(kind, []).append(str(budget_id))
    return groups


def execution_pairs(collection: Collection) -> pd.DataFrame:
    """One row per department and year of which the collection holds exactly one budget and one
    final accounts: department, year, budget_id (the budget's), accounts_budget_id (the 决算's)."""
    rows = [(department, year, kinds[BUDGET][0], kinds[FINAL_ACCOUNTS][0])
            for (department, year), kinds in _grouped(collection).items()
            if len(kinds.get(BUDGET, ())) == 1 and len(kinds.get(FINAL_ACCOUNTS, ())) == 1]
    return pd.DataFrame(rows, columns=PAIR_COLUMNS).astype({"year": "Int64"})


def unpaired_documents(collection: Collection) -> pd.DataFrame:
    """Every budget of the collection that is in no pair, with why: budget_id, department, year,
    document_kind, reason."""
    rows = []
    for (department, year), kinds in _grouped(collection).items():
        budgets, accounts = kinds.get(BUDGET, []), kinds.get(FINAL_ACCOUNTS, [])
        paired = len(budgets) == 1 and len(accounts) == 1
        for kind, ids in kinds.items():
            if paired and kind in (BUDGET, FINAL_ACCOUNTS):
                continue
            for budget_id in ids:
                if kind not in (BUDGET, FINAL_ACCOUNTS):
                    reason = text("collection.unpaired-kind-unknown")
                elif len(ids) > 1:
                    reason = text("collection.unpaired-several", count=len(ids), kind=text(f"data.kind-{kind}"))
                elif len(others := kinds.get(FINAL_ACCOUNTS if kind == BUDGET else BUDGET, [])) > 1:
                    reason = text("collection.unpaired-several", count=len(others),
                                  kind=text(f"data.kind-{FINAL_ACCOUNTS if kind == BUDGET else BUDGET}"))
                else:
                    reason = text("collection.unpaired-no-counterpart", department=department, year=year,
                                  kind=text(f"data.kind-{FINAL_ACCOUNTS if kind == BUDGET else BUDGET}"))
                rows.append((budget_id, department, year, kind, reason))
    frame = pd.DataFrame(rows, columns=["budget_id", "department", "year", "document_kind", "reason"])
    order = {budget_id: n for n, budget_id in enumerate(collection.budgets["budget_id"])}
    frame = frame.iloc[frame["budget_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
    return frame.astype({"year": "Int64"})


#: The measure of an amount the template does not name (measures.csv): what its share or change is of, alone.
UNNAMED = "unnamed_item"


def _money_claims(collection: Collection, budget_id: str, year: int) -> pd.DataFrame:
    """A budget's money amounts and totals of ``year``: each with its amount in 万元 and the interval
    it stands for, as every rule reads them (``claims.Claim``). A final accounts' budget figure kept as
    an item of its own ("“三公”经费财政拨款支出年初预算为2.85万元", what its completion rate divides) is
    of the quantity whose outturn that rate holds against it: its measure and code are that outturn's."""
    claims = collection.claims
    mine = claims[claims["budget_id"] == budget_id]
    labels = mine["label"].fillna("").astype(str)
    restated = labels.map(lambda label: any(word in label for word in initial_budget_words()))
    adjusted = labels.map(lambda label: any(word in label for word in adjusted_budget_words()))
    # a budget figure a completion rate divides by, whether or not its label says which budget it is
    rated = mine["kind"].eq("item") & mine["claim_id"].isin(_completion_rates(mine)["base_claim_id"])
    kinds = mine["kind"].isin(["amount", "total"]) | (mine["kind"].eq("item") & (restated | rated))
    chosen = kinds & (mine["year"] == year) & mine["unit"].isin(list(MONEY_UNITS)) & mine["value"].notna()
    rows = mine[chosen]
    rows = rows.assign(**_budgeted_quantity(mine, rows))
    restated, adjusted, rated = restated[chosen], adjusted[chosen], rated[chosen]
    read = read_claims(rows)
    return pd.DataFrame({"measure": rows["measure"].astype(str).to_numpy(), "code": rows["code"].to_numpy(),
                         "claim_id": rows["claim_id"].astype(str).to_numpy(), "label": rows["label"].to_numpy(),
                         "wan_yuan": [c.amount for c in read], "lo": [c.interval.lo for c in read],
                         "hi": [c.interval.hi for c in read], "last_place": [c.last_place for c in read],
                         "restated": restated.to_numpy(dtype=bool), "adjusted": adjusted.to_numpy(dtype=bool),
                         "rated": rated.to_numpy(dtype=bool)})


def _completion_rates(claims: pd.DataFrame) -> pd.DataFrame:
    """The completion rates among ``claims``: shares of an outturn (ref_claim_id) over a budget (base_claim_id)."""
    return claims[claims["kind"].eq("share") & claims["base_claim_id"].notna() & claims["ref_claim_id"].notna()]


def _budgeted_quantity(claims: pd.DataFrame, rows: pd.DataFrame) -> dict[str, pd.Series]:
    """``measure`` and ``code`` of ``rows``, an unnamed item taking those of the outturn a completion rate
    (a share whose base it is) holds against it; an item no rate names stays unnamed."""
    rates = _completion_rates(claims)
    outturn_of = dict(zip(rates["base_claim_id"], rates["ref_claim_id"]))
    by_id = claims.set_index("claim_id")
    measures, codes = rows["measure"].copy(), rows["code"].copy()
    for index, claim_id, measure in zip(rows.index, rows["claim_id"], rows["measure"]):
        if measure == UNNAMED and (outturn := outturn_of.get(claim_id)) in by_id.index:
            measures[index], codes[index] = by_id.at[outturn, "measure"], by_id.at[outturn, "code"]
    return {"measure": measures, "code": codes}


def _one_figure(figures: pd.DataFrame) -> tuple[Decimal | None, str | None]:
    """The one figure a document states for a quantity (stated alike however often), or None and why."""
    if figures.empty:
        return None, "missing"
    distinct = sorted(set(figures["wan_yuan"]))
    return (distinct[0], None) if len(distinct) == 1 else (None, "differs")


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * 100 / denominator).quantize(_PERCENT, rounding=ROUND_HALF_EVEN)


def _pair(collection: Collection, department: str, year: int) -> pd.Series:
    pairs = execution_pairs(collection)
    found = pairs[(pairs["department"] == department) & (pairs["year"] == year)]
    if found.empty:
        raise KeyError(text("collection.no-execution-pair", department=department, year=year))
    return found.iloc[0]


def _classes(collection: Collection, budget_id: str) -> dict[str, tuple[str, Decimal | None]]:
    """A budget's 类 with their stated amounts in 万元: code → (name, amount or None)."""
    items = collection.line_items
    rows = items[(items["budget_id"] == budget_id) & (items["level"] == "类")]
    return {str(code): (str(name), None if pd.isna(amount) else Decimal(amount))
            for code, name, amount in zip(rows["code"], rows["name"], rows["amount_wan_yuan"])}


def execution_table(collection: Collection, department: str, year: int) -> pd.DataFrame:
    """Budget against outturn for one department and year of the collection (:func:`execution_pairs`).

    One row per kind row of the template (支出合计, 基本支出, 项目支出), then one per 类 of the
    functional classification either document states: department, year, level (kind or 类), row (the row's key or the
    类 code), name, budget_wan_yuan, outturn_wan_yuan, deviation_wan_yuan (outturn − budget),
    deviation_percent (of the budget), evaluated, reason (why a row is not evaluated). Raises
    KeyError when the collection holds no such pair."""
    pair = _pair(collection, department, year)
    budget = _money_claims(collection, pair["budget_id"], year)
    outturn = _money_claims(collection, pair["accounts_budget_id"], year)
    outturn = outturn[~(outturn["restated"] | outturn["adjusted"])]  # the 决算's 年初/调整预算数 are not its outturn
    rows = []
    for row in execution_rows():
        planned, why_budget = _one_figure(budget[(budget["measure"] == row.budget) & budget["code"].isna()])
        spent, why_outturn = _one_figure(outturn[(outturn["measure"] == row.outturn) & outturn["code"].isna()])
        rows.append(("kind", row.row, text(f"collection.execution-row-{row.row}"), planned, spent,
                     _why(why_budget, why_outturn)))
    planned_classes = _classes(collection, pair["budget_id"])
    spent_classes = _classes(collection, pair["accounts_budget_id"])
    for code in sorted(set(planned_classes) | set(spent_classes)):
        name = (planned_classes.get(code) or spent_classes.get(code))[0]
        # a 类 one document does not list is 0 there, when it lists others; one that lists none states nothing
        planned = planned_classes.get(code, (None, Decimal(0) if planned_classes else None))[1]
        spent = spent_classes.get(code, (None, Decimal(0) if spent_classes else None))[1]
        why = _why(None if planned is not None else "missing", None if spent is not None else "missing")
        rows.append(("类", code, name, planned, spent, why))
    return _execution_frame(department, year, rows)


def _why(budget: str | None, outturn: str | None) -> str | None:
    """Why a row is not evaluated (None when it is): a side whose figure is missing or stated differently."""
    reasons = [text(f"collection.execution-{problem}", side=text(f"data.kind-{side}"))
               for side, problem in ((BUDGET, budget), (FINAL_ACCOUNTS, outturn)) if problem]
    return text("audit.alternatives-separator").join(reasons) if reasons else None


def _execution_frame(department: str, year: int, rows: list[tuple]) -> pd.DataFrame:
    levels, keys, names, planned, spent, deviations, percents, evaluated, reasons = ([] for _ in range(9))
    for level, key, name, budget, outturn, why in rows:
        ok = why is None
        deviation = outturn - budget if ok else None
        if ok and budget == 0:
            why = text("collection.execution-zero-budget")
        levels.append(level)
        keys.append(key)
        names.append(name)
        planned.append(budget)
        spent.append(outturn)
        deviations.append(deviation)
        percents.append(_percent(deviation, budget) if ok and budget != 0 else None)
        evaluated.append(ok)
        reasons.append(why)
    return pd.DataFrame({
        "department": pd.Series([department] * len(rows), dtype="str"),
        "year": pd.Series([year] * len(rows), dtype="Int64"),
        "level": pd.Series(levels, dtype="str"), "row": pd.Series(keys, dtype="str"),
        "name": pd.Series(names, dtype="str"),
        "budget_wan_yuan": decimal_array(planned), "outturn_wan_yuan": decimal_array(spent),
        "deviation_wan_yuan": decimal_array(deviations), "deviation_percent": decimal_array(percents),
        "evaluated": pd.Series(evaluated, dtype="boolean"), "reason": pd.Series(reasons, dtype="str"),
    })


def pefa_indicators(collection: Collection) -> pd.DataFrame:
    """PEFA 2016 PI-1 and PI-2 (dimension 2.1, by function) for each pair of the collection.

    - ``pi1_percent``: aggregate expenditure outturn, the total outturn as a percentage of the total
      budget (the kind row ``total`` of :func:`execution_table`);
    - ``pi2_percent``: composition variance by 类: each 类's budget adjusted by the change in the
      total (budget_i × Σ outturn / Σ budget), then Σ|outturn_i − adjusted_i| / Σ adjusted_i, in %
      (the PEFA calculation: the deviations left after removing the change in aggregate expenditure,
      of the adjusted budget). Every 类 of either document is a category; one not listed by a
      document counts as 0 there.
    Each is None, with its reason (``pi1_reason``, ``pi2_reason``), when its figures are not all stated.
    """
    rows = []
    for pair in execution_pairs(collection).itertuples(index=False):
        table = execution_table(collection, pair.department, int(pair.year))
        total = table[(table["level"] == "kind") & (table["row"] == "total")].iloc[0]
        if not total["evaluated"] or total["budget_wan_yuan"] == 0:
            pi1, pi1_reason = None, total["reason"]
        else:
            pi1, pi1_reason = _percent(total["outturn_wan_yuan"], total["budget_wan_yuan"]), None
        pi2, pi2_reason = _composition_variance(table[table["level"] == "类"])
        rows.append((pair.department, pair.year, pair.budget_id, pair.accounts_budget_id, pi1, pi1_reason, pi2,
                     pi2_reason))
    frame = pd.DataFrame(rows, columns=[*PAIR_COLUMNS, "pi1_percent", "pi1_reason", "pi2_percent", "pi2_reason"])
    return frame.assign(year=frame["year"].astype("Int64"), pi1_percent=decimal_array(list(frame["pi1_percent"])),
                        pi2_percent=decimal_array(list(frame["pi2_percent"])))


def _composition_variance(classes: pd.DataFrame) -> tuple[Decimal | None, str | None]:
    if classes.empty:
        return None, text("collection.execution-no-classes")
    if not classes["evaluated"].all():
        unstated = classes.loc[~classes["evaluated"].astype(bool), "row"]
        return None, text("collection.execution-classes-unstated", codes=text("audit.list-separator").join(unstated))
    budget = sum(classes["budget_wan_yuan"], Decimal(0))
    outturn = sum(classes["outturn_wan_yuan"], Decimal(0))
    if budget == 0 or outturn == 0:
        return None, text("collection.execution-zero-total")
    # Σ adjusted_i = outturn: each budget_i × outturn / budget, divided exactly before the one rounding
    deviations = sum((abs(o * budget - b * outturn) for b, o in zip(classes["budget_wan_yuan"],
                                                                     classes["outturn_wan_yuan"])), Decimal(0))
    return _percent(deviations, budget * outturn), None


def restated_budget(collection: Collection) -> pd.DataFrame:
    """The figures each pair's final accounts restate from the budget (its 年初预算数: a label holding
    an ``initial_budget_words`` word), held against the budget document's figure of the same measure
    and year, as restatements across documents: consistent when their rounding intervals overlap,
    drift when they do not; not evaluated (verdict empty) with the reason when the budget document
    states no figure of that measure, or states it differently; rounding when they differ by no more
    than the restatement's last printed place, as the audit's restatements do.

    Columns: department, year, budget_id, accounts_budget_id, claim_id (the 决算's), measure, label,
    restated_wan_yuan, budget_wan_yuan, difference_wan_yuan (restated − budget), verdict, reason."""
    rows = []
    for pair in execution_pairs(collection).itertuples(index=False):
        budget = _money_claims(collection, pair.budget_id, int(pair.year))
        accounts = _money_claims(collection, pair.accounts_budget_id, int(pair.year))
        for claim in accounts[accounts["restated"] | accounts["rated"]].itertuples(index=False):
            # only a 年初预算数 is surely the budget document's figure; an adjusted one, or one the 决算 does not
            # name, is listed with the reason
            unsure = ("restated-adjusted" if claim.adjusted else "restated-unspecified" if not claim.restated
                      else "restated-unnamed" if claim.measure == UNNAMED else None)
            if unsure:
                rows.append((pair.department, pair.year, pair.budget_id, pair.accounts_budget_id, claim.claim_id,
                             claim.measure, claim.label, claim.wan_yuan, None, None, None,
                             text(f"collection.execution-{unsure}")))
                continue
            same = budget[(budget["measure"] == claim.measure) & ~budget["restated"] & ~budget["adjusted"]
                          & (budget["code"].isna() if pd.isna(claim.code) else budget["code"] == claim.code)]
            stated, why = _one_figure(same)
            verdict = difference = reason = None
            if why is not None:
                reason = text(f"collection.execution-{why}", side=text(f"data.kind-{BUDGET}"))
            else:
                # the widest statement of that amount, against the restatement: the audit's verdicts
                earlier = same[same["wan_yuan"] == stated].sort_values("last_place").iloc[-1]
                difference = claim.wan_yuan - stated
                verdict = str(verdicts(*([int(value * Q)] for value in (
                    claim.lo, claim.hi, claim.wan_yuan, claim.last_place, earlier["lo"], earlier["hi"])))[0])
            rows.append((pair.department, pair.year, pair.budget_id, pair.accounts_budget_id, claim.claim_id,
                         claim.measure, claim.label, claim.wan_yuan, stated, difference, verdict, reason))
    columns = [*PAIR_COLUMNS, "claim_id", "measure", "label", "restated_wan_yuan", "budget_wan_yuan",
               "difference_wan_yuan", "verdict", "reason"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(year=frame["year"].astype("Int64"),
                        **{name: decimal_array(list(frame[name]))
                           for name in ("restated_wan_yuan", "budget_wan_yuan", "difference_wan_yuan")})


def restated_budget_findings(collection: Collection, restated: pd.DataFrame | None = None) -> pd.DataFrame:
    """The evaluated rows of :func:`restated_budget` as rows of the findings table, each under the final
    accounts whose 年初预算数 it is (the budget document's figure its computed one): they can be stacked under
    ``collection.audit()`` as the year-over-year restatements are, so a 决算 that restates its budget wrongly
    is a finding where the user looks, not only a row of a table."""
    restated = restated_budget(collection) if restated is None else restated
    judged = restated[restated["verdict"].notna()].reset_index(drop=True)
    claims = collection.claims
    keys = list(zip(claims["budget_id"], claims["claim_id"]))
    sections, quotes = dict(zip(keys, claims["section"])), dict(zip(keys, claims["quote"]))
    at = list(zip(judged["accounts_budget_id"], judged["claim_id"]))
    key = {"consistent": "collection.restated-budget-consistent"}
    rows = pd.DataFrame({
        "budget_id": judged["accounts_budget_id"],
        "department": judged["department"],
        "budget_year": judged["year"].astype("Int64"),
        "rule": "budget-restated-in-final-accounts",
        "rule_kind": "restatement",
        "verdict": judged["verdict"],
        "section": [sections.get(k, "") for k in at],
        "claim_id": judged["claim_id"],
        "measure": judged["measure"],
        "label": judged["label"],
        "stated": judged["restated_wan_yuan"],
        "stated_interval": "",
        "computed": judged["budget_wan_yuan"],
        "computed_interval": "",
        "difference": judged["difference_wan_yuan"],
        "unit": "万元",
        "quote": [quotes.get(k, "") for k in at],
        "explanation": [text(key.get(verdict, "collection.restated-budget-differs"), label=label,
                             restated=restated_figure, budget=budget_figure, budget_id=budget_id)
                        for verdict, label, restated_figure, budget_figure, budget_id in zip(
                            judged["verdict"], judged["label"], judged["restated_wan_yuan"],
                            judged["budget_wan_yuan"], judged["budget_id"])],
        "inputs": judged["budget_id"],
        "reason": text("collection.restated-budget-reason"),
    })
    strings = [c for c in rows.columns if c not in ("budget_year", "verdict", "stated", "computed", "difference")]
    return rows.astype({c: "str" for c in strings})
