"""The charts of one budget, drawn from its claims and its own sum rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..kinds import known_kind, this_document
from ..messages import text
from ..names import Registry
from ..numbers import MONEY_UNITS
from .claims import BudgetClaims, rule_parts, wan_yuan
from .style import (CURRENT, EXTRA_SEGMENT_COLOURS, HEIGHT_IN, LEVEL_COLOURS, PRIOR, SEGMENT_COLOURS, ZERO,
                    add_note, ChartFigure, is_value, label_values_right, money, new_figure, show_no_data, signed,
                    styled_chart, wrap_text)

__all__ = [
    "CHARTS", "classification_tree", "expenditure_structure", "income_by_source", "three_public_and_meetings_by_year",
    "totals_by_year",
]


#: Tables whose changes three_public_and_meetings_by_year draws part by part, so totals_by_year leaves them out.
YEAR_OVER_YEAR_TABLES = ("three-public", "meeting-training-travel")


#: The legend's entry of each classification level.
LEVEL_LEGENDS = {"类": "charts.tree-legend-class", "款": "charts.tree-legend-section", "项": "charts.tree-legend-item"}


def _names(names: Sequence[str]) -> str:
    return text("charts.list-separator").join(names)


@styled_chart
def income_by_source(budget) -> ChartFigure:
    """收入预算按来源: one bar per source of the ``income`` table, with the stated total and its share."""
    year, claims = budget.year, BudgetClaims(budget)
    table = budget.measures[budget.measures["table"] == "income"]["measure"].tolist()
    totals = [m for m in table if claims.stated(m, year, kinds=("total",)) is not None]
    total = claims.stated(totals[0], year, kinds=("total",)) if totals else None
    sources = [m for m in table if m not in totals]
    values = [claims.stated(m, year, kinds=("amount",)) for m in sources]

    fig = new_figure()
    ax = fig.subplots()
    kind = known_kind(budget.document_kind)  # a 决算's income is not a 收入预算
    fig.suptitle(text(f"charts.income-title-{kind}", department=budget.department, year=year))
    heading = (text(f"charts.income-total-stated-{kind}", total=money(total)) if total is not None
               else text(f"charts.income-total-missing-{kind}"))
    ax.set_title(heading, loc="left")
    if not sources:
        show_no_data(ax, text("charts.income-no-sources", document=this_document(budget.document_kind)))
        return fig
    ys = list(range(len(sources)))
    widths = [float(v) if v is not None else 0.0 for v in values]
    ax.barh(ys, widths, color=CURRENT, height=0.6)
    texts = []
    for value in values:
        if value is None:
            texts.append(text("charts.not-stated"))
        elif total:
            share = (value / total * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            texts.append(text("charts.income-amount-share", amount=money(value), share=f"{share:.2f}"))
        else:
            texts.append(text("charts.amount", amount=money(value)))
    label_values_right(ax, ys, values, texts)
    ax.set_yticks(ys, [claims.label(m) for m in sources])
    ax.invert_yaxis()
    ax.set_xlim(0, max([*widths, 1.0]) * 1.45)
    ax.set_xlabel(text("charts.axis-wan-yuan"))
    notes = []
    stated_parts = [v for v in values if v is not None]
    if total is not None and stated_parts:
        parts_sum = sum(stated_parts, ZERO)
        if parts_sum != total:
            notes.append(text("charts.income-parts-differ", parts=money(parts_sum), total=money(total),
                              difference=signed(parts_sum - total)))
    missing = [claims.label(m) for m, v in zip(sources, values) if v is None]
    if missing:
        notes.append(text("charts.income-missing", names=_names(missing)))
    add_note(fig, notes)
    return fig


def _stacked_bar(ax, y: float, parts: list[tuple[str, Decimal | None]], colours) -> list[str]:
    """One horizontal stacked bar; wide segments labelled inside, narrow ones listed after the bar's end."""
    stated = [(name, value) for name, value in parts if value is not None]
    total = sum((value for _, value in stated), ZERO)
    left = 0.0
    outside, segments = [], []
    for (name, value), colour in zip(stated, colours):
        width = float(value)
        segments.append((width, left, colour))
        share = value / total if total > 0 else ZERO
        if share >= Decimal("0.3"):
            ax.text(left + width / 2, y, f"{name} {money(value)}", ha="center", va="center", color="white",
                    fontsize=10)
        elif share >= Decimal("0.12"):
            ax.text(left + width / 2, y, f"{name}\n{money(value)}", ha="center", va="center", color="white",
                    fontsize=10)
        else:  # too narrow to hold its label: named after the bar's end, in the segment's colour
            outside.append((f"■ {name} {money(value)}", colour))
        left += width
    if segments:
        widths, lefts, segment_colours = zip(*segments)
        ax.barh([y] * len(segments), widths, left=lefts, color=segment_colours, height=0.55, edgecolor="white",
                linewidth=0.8)
    for k, (label, colour) in enumerate(outside):
        ax.annotate(label, (left, y), xytext=(4, 11 * (len(outside) - 1) / 2 - 11 * k), textcoords="offset points",
                    va="center", ha="left", fontsize=9, color=colour)
    return [name for name, value in parts if value is None]


@styled_chart
def expenditure_structure(budget) -> ChartFigure:
    """支出结构: 基本支出 and 项目支出 (三（二）), 人员经费 and 公用经费 of the basic expenditure (六)."""
    year, claims = budget.year, BudgetClaims(budget)
    # each total's parts as its sum rule names them: those of the template's tables drawn always (文件未列
    # when not stated), the others (单位预留机动经费 …) when the document states them
    tables = dict(zip(budget.measures["measure"], budget.measures["table"]))
    groups = [(total, name, tuple(m for m in rule_parts(budget.rules_path, total)
                                  if tables.get(m, "other") != "other" or claims.stated(m, year) is not None))
              for total, name in (("expenditure_total", text("charts.structure-expenditure")),
                                  ("gpb_basic_total", text("charts.structure-gpb-basic")))]
    fig = new_figure()
    ax = fig.subplots()
    fig.suptitle(text("charts.structure-title", department=budget.department, year=year))
    ticks, notes, widest = [], [], 1.0
    for y, (total_measure, name, part_measures) in enumerate(groups):
        total = claims.stated(total_measure, year)
        parts = [(claims.label(m), claims.stated(m, year)) for m in part_measures]
        colours = (*SEGMENT_COLOURS[2 * y: 2 * y + 2], *EXTRA_SEGMENT_COLOURS)[:len(parts)]
        missing = _stacked_bar(ax, y, parts, colours)
        stated_parts = [v for _, v in parts if v is not None]
        parts_sum = sum(stated_parts, ZERO)
        widest = max(widest, float(parts_sum), float(total or 0))
        ticks.append(text("charts.structure-tick-stated", name=name, total=money(total)) if total is not None
                     else text("charts.structure-tick-missing", name=name))
        if total is not None and stated_parts and parts_sum != total:
            notes.append(text("charts.structure-parts-differ", name=name, parts=money(parts_sum), total=money(total),
                              difference=signed(parts_sum - total)))
        if total is not None:  # the stated total as a tick on the bar, to see it against the parts
            ax.plot([float(total)] * 2, [y - 0.36, y + 0.36], color="#222222", linewidth=1.2)
        if missing:
            notes.append(text("charts.structure-missing", name=name, names=_names(missing)))
    ax.set_yticks(range(len(groups)), ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.3)
    ax.set_xlabel(text("charts.structure-axis"))
    add_note(fig, notes)
    return fig


def _tree_rows(budget) -> list[dict]:
    """The classification in depth-first order with each row's amount and where it comes from."""
    items = budget.line_items.sort_values("code", kind="stable")
    rolled = {}
    for level in ("类", "款"):
        frame = budget.rollup(level)
        rolled.update({str(c): v for c, v in zip(frame["code"], frame["from_items_wan_yuan"]) if is_value(v)})
    rows = []
    for item in items.itertuples(index=False):
        code = str(item.code)
        stated = Decimal(item.amount_wan_yuan) if is_value(item.amount_wan_yuan) else None
        from_items = Decimal(rolled[code]) if code in rolled else None
        if stated is not None:
            amount, source = stated, "stated"
        elif from_items is not None:
            amount, source = from_items, "rolled"
        else:
            amount, source = None, "missing"
        rows.append({"code": code, "level": str(item.level), "name": str(item.name), "amount": amount,
                     "source": source, "from_items": from_items})
    return rows


@styled_chart
def classification_tree(budget) -> ChartFigure:
    """一般公共预算当年拨款按支出功能分类: 类 → 款 → 项, indented, with 款 rolled up from 项 when not stated."""
    rows = _tree_rows(budget)
    height = max(HEIGHT_IN, 0.27 * len(rows) + 1.4)
    fig = new_figure(height)
    fig.suptitle(text("charts.tree-title", department=budget.department, year=budget.year))
    if not rows:
        show_no_data(fig.subplots(), text("charts.tree-no-items", document=this_document(budget.document_kind)))
        return fig
    names_ax, ax = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.3, 4.7], "wspace": 0.0})
    indent = {"类": 0.0, "款": 0.05, "项": 0.10}
    ys = list(range(len(rows)))
    bars = []  # (y, width, face, edge, hatch): drawn by one call, as cheap as one bar
    for y, row in zip(ys, rows):
        # the collection has no bold face: the 类 rows stand out by colour and size instead
        top = row["level"] == "类"
        names_ax.text(indent.get(row["level"], 0.1), y, f"{row['code']} {row['name']}", ha="left", va="center",
                      fontsize=10 if top else 9, color=LEVEL_COLOURS["类"] if top else "#222222",
                      transform=names_ax.get_yaxis_transform())
        if row["amount"] is None:
            continue
        rolled = row["source"] == "rolled"
        bars.append((y, float(row["amount"]), "white" if rolled else LEVEL_COLOURS[row["level"]],
                     LEVEL_COLOURS[row["level"]], "////" if rolled else None))
    if bars:
        bar_ys, widths, faces, edges, hatches = zip(*bars)
        ax.barh(bar_ys, widths, height=0.7, color=faces, edgecolor=edges, hatch=hatches, linewidth=0.8)
    texts, notes = [], []
    for row in rows:
        if row["amount"] is None:
            texts.append(text("charts.not-stated"))
            continue
        amount = money(row["amount"])
        if row["source"] == "rolled":
            texts.append(text("charts.tree-rolled", amount=amount))
        elif row["from_items"] is not None and row["from_items"] != row["amount"]:
            texts.append(text("charts.tree-items-sum", amount=amount, items=money(row["from_items"])))
            notes.append(text("charts.tree-items-differ", code=row["code"], amount=amount,
                              items=money(row["from_items"])))
        else:
            texts.append(amount)
    label_values_right(ax, ys, [r["amount"] for r in rows], texts)
    widest = max([float(r["amount"]) for r in rows if r["amount"] is not None] or [1.0])
    ax.set_xlim(0, widest * 1.35)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.set_xlabel(text("charts.axis-wan-yuan"))
    names_ax.set_axis_off()
    legend = [Patch(facecolor=LEVEL_COLOURS[level], edgecolor=LEVEL_COLOURS[level], label=text(key))
              for level, key in LEVEL_LEGENDS.items()]
    if any(r["source"] == "rolled" for r in rows):
        legend.append(Patch(facecolor="white", edgecolor=LEVEL_COLOURS["款"], hatch="////",
                            label=text("charts.tree-legend-rolled")))
    ax.legend(handles=legend, loc="lower right", frameon=False)
    names_ax.set_title(_tree_total(budget, rows, notes), loc="left")
    add_note(fig, notes)
    return fig


def _tree_total(budget, rows: list[dict], notes: list[str]) -> str:
    """The stated appropriation total beside the sum of the 类 drawn (stated, or rolled up from their 项);
    a note when they differ."""
    classes = sum((r["amount"] for r in rows if r["level"] == "类" and r["amount"] is not None), ZERO)
    total = BudgetClaims(budget).stated("appropriation_total", budget.year)
    if total is None:
        return text("charts.tree-total-missing", classes=money(classes))
    if classes != total:
        notes.insert(0, text("charts.tree-total-differs", classes=money(classes), total=money(total),
                             difference=signed(classes - total)))
    return text("charts.tree-total", total=money(total), classes=money(classes))


def _changes(budget, exclude_tables: Sequence[str] = YEAR_OVER_YEAR_TABLES) -> list[dict]:
    """Stated changes of money that name both figures compared (a ``change`` claim with ref and base
    claims), every amount in 万元 whichever unit it is printed in."""
    excluded = set(budget.measures.loc[budget.measures["table"].isin(list(exclude_tables)), "measure"])
    claims = BudgetClaims(budget)
    found, seen = [], set()
    for claim in claims.money_changes():
        measure = claim["measure"]
        if measure in excluded or measure in seen:
            continue
        ref, base = claims.claim(claim["ref_claim_id"]), claims.claim(claim["base_claim_id"])
        if ref is None or base is None or ref["value"] is None or base["value"] is None \
                or ref["unit"] not in MONEY_UNITS or base["unit"] not in MONEY_UNITS:
            continue
        seen.add(measure)
        found.append({
            "measure": measure, "label": claims.label(measure),
            "base_year": int(base["year"]), "year": int(ref["year"]),
            "base": wan_yuan(base["value"], base["unit"]), "current": wan_yuan(ref["value"], ref["unit"]),
            "change": wan_yuan(claim["value"], claim["unit"]) if claim["value"] is not None else None,
            "direction": str(claim["direction"]),
        })
    return found


def _stated_change(direction: str, change: Decimal | None) -> Decimal | None:
    if change is None:
        return None
    return {"increase": change, "decrease": -change, "unchanged": ZERO}.get(direction)


@styled_chart
def totals_by_year(budget) -> ChartFigure:
    """上年与本年总额对比: every total with a stated prior-year figure and change, as paired bars."""
    rows = _changes(budget)
    fig = new_figure()
    kind = known_kind(budget.document_kind)  # a 决算 compares outturns, not budgets
    fig.suptitle(text(f"charts.totals-title-{kind}", department=budget.department, prior=budget.prior_year,
                      year=budget.year))
    ax = fig.subplots()
    if not rows:
        show_no_data(ax, text("charts.totals-none", document=this_document(budget.document_kind)))
        return fig
    bar = 0.36
    notes = []
    ticks = []
    widest = max(max(float(r["base"]), float(r["current"])) for r in rows) or 1.0
    ax.barh([y for i in range(len(rows)) for y in (i - bar / 2, i + bar / 2)],
            [float(v) for row in rows for v in (row["base"], row["current"])], height=bar,
            color=[PRIOR, CURRENT] * len(rows))
    for i, row in enumerate(rows):
        ax.annotate(text("charts.year-amount", year=row["base_year"], amount=money(row["base"])),
                    (float(row["base"]), i - bar / 2), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=9)
        ax.annotate(text("charts.year-amount", year=row["year"], amount=money(row["current"])),
                    (float(row["current"]), i + bar / 2), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=9)
        stated = _stated_change(row["direction"], row["change"])
        difference = row["current"] - row["base"]
        if stated is None:
            change_text = text("charts.totals-change-unclear")
        elif stated != difference:
            change_text = text("charts.totals-change-and-difference", change=signed(stated),
                               difference=signed(difference))
            notes.append(text("charts.totals-change-differs", label=row["label"], change=signed(stated),
                              difference=signed(difference)))
        else:
            change_text = text("charts.totals-change", change=signed(stated))
        ax.annotate(change_text, (1.0, i), xycoords=("axes fraction", "data"), ha="right", va="center", fontsize=10,
                    color="#b23a48" if stated != difference else "#222222")
        ticks.append(wrap_text(row["label"], 10))
    ax.set_yticks(range(len(rows)), ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.75)
    ax.set_xlabel(text("charts.axis-wan-yuan"))
    ax.legend(handles=[Patch(color=PRIOR, label=text(f"charts.totals-of-year-{kind}", year=budget.prior_year)),
                       Patch(color=CURRENT, label=text(f"charts.totals-of-year-{kind}", year=budget.year))],
              loc="lower right", frameon=False, ncols=2, bbox_to_anchor=(1.0, 1.0))
    add_note(fig, notes)
    return fig


def _prior(claims: BudgetClaims, measure: str, prior: int,
           current: Decimal | None) -> tuple[Decimal | None, str, str | None, bool]:
    """The prior-year figure: (value, 'stated'|'implied'|'missing', stated change text or None, whether the
    stated change contradicts the two years' figures)."""
    stated = claims.stated(measure, prior, kinds=("amount", "total"))
    implied, change_text = None, None
    for change in claims.changes(measure, base_year=prior):
        value = Decimal(change["value"]) if change["value"] is not None else None
        direction, unit = str(change["direction"]), change["unit"]
        if direction == "unchanged" or (value == ZERO and unit == "%"):
            change_text = text("charts.yoy-stated-unchanged" if direction == "unchanged"
                               else "charts.yoy-stated-no-change")
            implied = current
        elif unit in MONEY_UNITS and value is not None and direction in ("increase", "decrease"):
            delta = wan_yuan(value, unit) * (1 if direction == "increase" else -1)
            change_text = text("charts.yoy-stated-increase" if delta >= 0 else "charts.yoy-stated-decrease",
                               amount=money(abs(delta)))
            implied = None if current is None else current - delta
        if change_text:
            break
    if stated is not None:
        return stated, "stated", change_text, implied is not None and implied != stated
    if implied is not None:
        return implied, "implied", change_text, False
    return None, "missing", change_text, False


@styled_chart
def three_public_and_meetings_by_year(budget) -> ChartFigure:
    """“三公”经费 and 会议费、培训费、差旅费: prior year against this year, part by part."""
    year, prior = budget.year, budget.prior_year
    fig = new_figure()
    fig.suptitle(text("charts.yoy-title", department=budget.department, prior=prior, year=year))
    # one scale for both panels: its numbers are printed once, on the left
    axes = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 3]})
    claims = BudgetClaims(budget)
    groups = [(text("charts.yoy-three-public"), rule_parts(budget.rules_path, "three_public_total")),
              (text("charts.yoy-meeting-training-travel"), rule_parts(budget.rules_path, "mtt_total"))]
    collected = []
    for title, measures in groups:
        rows = []
        for measure in measures:
            current = claims.stated(measure, year, kinds=("amount", "total"))
            value, source, change_text, contradicts = _prior(claims, measure, prior, current)
            rows.append({"label": claims.label(measure), "current": current, "prior": value, "source": source,
                         "change": change_text, "contradicts": contradicts})
        collected.append((title, rows))
    top = max([float(v) for _, rows in collected for r in rows for v in (r["current"], r["prior"]) if v is not None]
              or [0.0])
    top = max(top, 0.5) * 1.45
    width = 0.36
    any_implied = any(r["source"] == "implied" for _, rows in collected for r in rows)
    for ax, (title, rows) in zip(axes, collected):
        ax.set_title(title)
        bars = []  # (x, height, face, edge, hatch): drawn by one call, as cheap as one bar
        for i, row in enumerate(rows):
            for offset, value, kind in ((-width / 2, row["prior"], row["source"]),
                                        (width / 2, row["current"], "stated" if row["current"] is not None
                                         else "missing")):
                x = i + offset
                is_prior = offset < 0
                if value is None:
                    ax.text(x, top * 0.02, text("charts.yoy-not-stated"), ha="center", va="bottom", fontsize=9,
                            color="#444444")
                    continue
                colour = PRIOR if is_prior else CURRENT
                implied = kind == "implied"
                bars.append((x, float(value), "white" if implied else colour, colour, "////" if implied else None))
                if value == ZERO:  # a zero bar has no height: draw its baseline so it is seen
                    ax.plot([x - width / 2, x + width / 2], [0, 0], color=colour, linewidth=3,
                            solid_capstyle="butt")
                label = text("charts.yoy-implied", amount=money(value)) if implied else money(value)
                ax.annotate(label, (x, float(value)), xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", fontsize=9)
        if bars:
            xs, heights, faces, edges, hatches = zip(*bars)
            ax.bar(xs, heights, width=width, color=faces, edgecolor=edges, hatch=hatches, linewidth=1.0)
        labels = ["\n".join([wrap_text(r["label"], 7), *([r["change"]] if r["change"] else []),
                              *([text("charts.yoy-contradicts")] if r["contradicts"] else [])]) for r in rows]
        ax.set_xticks(range(len(rows)), labels)
        ax.set_ylim(0, top)
        ax.set_xlim(-0.6, len(rows) - 0.4)
    axes[0].set_ylabel(text("charts.axis-wan-yuan"))
    legend = [Patch(color=PRIOR, label=text("charts.yoy-prior-stated", year=prior)),
              Patch(color=CURRENT, label=text("charts.year", year=year))]
    if any_implied:
        legend.insert(1, Patch(facecolor="white", edgecolor=PRIOR, hatch="////",
                               label=text("charts.yoy-prior-implied", year=prior)))
    fig.legend(handles=legend, loc="outside lower center", ncols=len(legend), frameon=False)  # not a message: a position
    return fig


CHARTS: Registry[Callable[..., Figure]] = Registry({
    "income-by-source": income_by_source,
    "expenditure-structure": expenditure_structure,
    "classification-tree": classification_tree,
    "totals-by-year": totals_by_year,
    "three-public-and-meetings-by-year": three_public_and_meetings_by_year,
})
