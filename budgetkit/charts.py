"""Charts of a budget: matplotlib figures with Chinese labels, and deterministic exports.

Every chart function takes a :class:`~budgetkit.model.Budget` and returns a figure built without pyplot, so a
report loop leaks no open figures and a notebook shows exactly one image (see :class:`ChartFigure`).
Figures are read from the budget's claims and line items; money stays :class:`~decimal.Decimal` until it is
handed to matplotlib, and every amount printed on a chart is in 万元 with two decimals.

``CHARTS`` lists the charts in display order; ``save`` writes one figure as PNG, SVG and PDF with
byte-identical results across runs.
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, wraps
from importlib import metadata
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .files import atomic_stream
from .findings import VERDICT_INKS
from .audit import load_rules
from .numbers import MONEY_UNITS
from .template import sum_parts

__all__ = [
    "CHARTS",
    "COLLECTION_CHARTS",
    "ChartFigure",
    "FONT_FAMILY",
    "FontNotFoundError",
    "classification_tree",
    "expenditure_structure",
    "findings_by_department",
    "income_by_source",
    "save",
    "spending_shares",
    "totals_waterfall",
    "use_cjk_font",
    "year_over_year",
]

#: The Simplified Chinese face of the Noto Sans CJK collection (the collection's first face is Japanese).
FONT_FAMILY = "Noto Sans CJK SC"
FONT_PACKAGE = "noto-cjk-sans-otc"

#: Report size: 8 × 4.5 in at 200 dpi is 1600 × 900 px; no text below 9 pt.
WIDTH_IN = 8.0
HEIGHT_IN = 4.5
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "figure.titlesize": 13,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "axes.unicode_minus": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}
NOTE_SIZE = 9
#: Colours: the current year strong, the prior year grey; the three classification levels dark to light.
CURRENT = "#2f6690"
PRIOR = "#9aa5b1"
LEVEL_COLOURS = {"类": "#1b3a57", "款": "#3a7ca5", "项": "#9cc5e0"}
SEGMENT_COLOURS = ("#2f6690", "#d9822b", "#5b8e3e", "#8e5b9e", "#b23a48")
#: For parts beyond the two a group always draws (单位预留机动经费, 结转下年资金 …).
EXTRA_SEGMENT_COLOURS = ("#b23a48", "#6c757d", "#138d90")

YEAR_OVER_YEAR_TABLES = ("three_public", "meeting_training_travel")

ZERO = Decimal(0)


class FontNotFoundError(RuntimeError):
    """The Noto Sans CJK font is not installed: Chinese labels would be drawn as boxes."""


class ChartFigure(Figure):
    """A figure that shows itself in Jupyter without pyplot.

    A plain ``Figure`` made without pyplot only gets an image in a notebook once the inline backend has registered
    its PNG formatter (which happens when pyplot is imported). ``_repr_png_`` makes the figure display as exactly one
    PNG either way, as the last expression of a cell or through ``display(fig)``; since the figure is never
    registered with pyplot, the inline backend does not show it a second time at the end of the cell.
    """

    def __repr__(self) -> str:
        # text/plain in a notebook: the title and size, stable across runs (no address; no "800x450"
        # that a check for memory addresses would mistake for one)
        title = self.get_suptitle() or "untitled"
        width, height = self.get_size_inches()
        return f"<ChartFigure {title!r}, {width:g} × {height:g} in>"

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


# -- the font -----------------------------------------------------------------------------------------------------

@cache
def _font_path() -> Path:
    """The .ttc file shipped by the ``noto-cjk-sans-otc`` distribution, located through its installed metadata."""
    try:
        distribution = metadata.distribution(FONT_PACKAGE)
    except metadata.PackageNotFoundError:
        raise FontNotFoundError(
            f"the Chinese chart font is missing: install the Python package {FONT_PACKAGE!r} "
            f"(pip install {FONT_PACKAGE}), a dependency of budgetkit"
        ) from None
    candidates = sorted(
        Path(distribution.locate_file(entry))
        for entry in distribution.files or ()
        if entry.name.lower().endswith((".ttc", ".otc")) and "CJK" in entry.name
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FontNotFoundError(
        f"the package {FONT_PACKAGE!r} is installed but its NotoSansCJK .ttc file was not found: "
        f"reinstall it (pip install --force-reinstall {FONT_PACKAGE})"
    )


@cache
def _register_font() -> str:
    path = _font_path()
    font_manager.fontManager.addfont(str(path))
    names = {entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname) == path}
    if FONT_FAMILY not in names:
        raise FontNotFoundError(f"{path} has no face named {FONT_FAMILY!r} (faces: {', '.join(sorted(names))})")
    return FONT_FAMILY


def use_cjk_font() -> str:
    """Register Noto Sans CJK SC with matplotlib, make it the default family, and return its name.

    The font file is registered once per process; the rcParams are set on every call (cheap), so a notebook that
    reset its style gets Chinese labels back by calling this again.
    """
    family = _register_font()
    rc = matplotlib.rcParams
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [family, *(name for name in rc["font.sans-serif"] if name != family)]
    rc["axes.unicode_minus"] = False  # the ASCII hyphen is in every font; no reliance on U+2212
    return family


def _figure(height_in: float = HEIGHT_IN, **kwargs) -> ChartFigure:
    return ChartFigure(figsize=(WIDTH_IN, height_in), layout="constrained", **kwargs)


def _styled(build: Callable) -> Callable:
    """Run a chart builder with the CJK font and the house style, whatever the caller's rcParams say.

    Text artists copy the font family when they are created, so the figure keeps the font after the context ends.
    """

    @wraps(build)
    def chart(budget) -> ChartFigure:
        family = use_cjk_font()
        with matplotlib.rc_context({**STYLE, "font.family": [family]}):
            return build(budget)

    return chart


# -- reading the budget -------------------------------------------------------------------------------------------

def money(value: Decimal) -> str:
    """An amount in 万元 printed with two decimals, exactly."""
    return f"{value:.2f}"


def signed(value: Decimal) -> str:
    return f"{value:+.2f}"


def _label(budget, measure: str) -> str:
    rows = budget.measures.loc[budget.measures["measure"] == measure, "label"]
    return str(rows.iloc[0]) if len(rows) else measure


def _in_document_order(frame):
    return frame.sort_values(["line", "char_start", "claim_id"], kind="stable", na_position="last")


def _stated(budget, measure: str, year: int, kinds: Sequence[str] = ("total", "amount")) -> Decimal | None:
    """The first figure the document states for ``measure`` in ``year``, in 万元 (from whichever money
    unit it is printed in); None when it states none."""
    claims = budget.claims
    rows = claims[
        (claims["measure"] == measure)
        & claims["kind"].isin(list(kinds))
        & (claims["year"] == year)
        & claims["unit"].isin(list(MONEY_UNITS))
        & claims["value"].notna()
    ]
    if rows.empty:
        return None
    first = _in_document_order(rows).iloc[0]
    return _wan_yuan(first["value"], first["unit"])


def _wan_yuan(value, unit: str) -> Decimal:
    """A money figure in 万元, exactly (an amount printed in 元 or 亿元 converted)."""
    return Decimal(value) * MONEY_UNITS[unit]


def _claim(budget, claim_id) -> dict | None:
    if not _is_value(claim_id) or str(claim_id) in ("", "nan", "None", "<NA>"):  # str columns spell missing ids
        return None
    rows = budget.claims[budget.claims["claim_id"] == str(claim_id)]
    return None if rows.empty else rows.iloc[0].to_dict()


def _is_value(value) -> bool:
    return not pd.isna(value)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def _note(fig: Figure, lines: list[str]) -> None:
    if lines:
        fig.supxlabel("\n".join(lines), fontsize=NOTE_SIZE, x=0.01, ha="left", color="#444444")


def _value_labels_right(ax, ys, values: list[Decimal | None], texts: list[str], pad_pt: float = 3) -> None:
    for y, value, text in zip(ys, values, texts):
        x = float(value) if value is not None else 0.0
        ax.annotate(text, (x, y), xytext=(pad_pt, 0), textcoords="offset points", va="center", ha="left",
                    fontsize=9)


def _no_data(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#444444")
    ax.set_axis_off()


# -- the charts ---------------------------------------------------------------------------------------------------

@_styled
def income_by_source(budget) -> ChartFigure:
    """收入预算按来源: one bar per source of the ``income`` table, with the stated total and its share."""
    year = budget.year
    table = budget.measures[budget.measures["table"] == "income"]["measure"].tolist()
    totals = [m for m in table if _stated(budget, m, year, kinds=("total",)) is not None]
    total = _stated(budget, totals[0], year, kinds=("total",)) if totals else None
    sources = [m for m in table if m not in totals]
    values = [_stated(budget, m, year, kinds=("amount",)) for m in sources]

    fig = _figure()
    ax = fig.subplots()
    fig.suptitle(f"{budget.department} {year}年收入预算（按来源）")
    heading = f"收入预算合计（所列）：{money(total)}万元" if total is not None else "文件未列收入预算合计"
    ax.set_title(heading, loc="left")
    if not sources:
        _no_data(ax, "本预算没有收入来源数据")
        return fig
    ys = list(range(len(sources)))
    widths = [float(v) if v is not None else 0.0 for v in values]
    ax.barh(ys, widths, color=CURRENT, height=0.6)
    texts = []
    for value in values:
        if value is None:
            texts.append("未列")
        elif total:
            share = (value / total * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            texts.append(f"{money(value)}万元（占合计{share:.2f}%）")
        else:
            texts.append(f"{money(value)}万元")
    _value_labels_right(ax, ys, values, texts)
    ax.set_yticks(ys, [_label(budget, m) for m in sources])
    ax.invert_yaxis()
    ax.set_xlim(0, max([*widths, 1.0]) * 1.45)
    ax.set_xlabel("万元")
    notes = []
    stated_parts = [v for v in values if v is not None]
    if total is not None and stated_parts:
        parts_sum = sum(stated_parts, ZERO)
        if parts_sum != total:
            notes.append(f"注：各来源之和 {money(parts_sum)}万元，与所列合计 {money(total)}万元 相差 "
                         f"{signed(parts_sum - total)}万元。")
    missing = [_label(budget, m) for m, v in zip(sources, values) if v is None]
    if missing:
        notes.append(f"注：文件未列 {'、'.join(missing)}。")
    _note(fig, notes)
    return fig


def _stacked_bar(ax, y: float, parts: list[tuple[str, Decimal | None]], colours) -> list[str]:
    """One horizontal stacked bar; wide segments labelled inside, narrow ones listed after the bar's end."""
    stated = [(name, value) for name, value in parts if value is not None]
    total = sum((value for _, value in stated), ZERO)
    left = 0.0
    outside = []
    for (name, value), colour in zip(stated, colours):
        width = float(value)
        ax.barh([y], [width], left=left, color=colour, height=0.55, edgecolor="white", linewidth=0.8)
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
    for k, (text, colour) in enumerate(outside):
        ax.annotate(text, (left, y), xytext=(4, 11 * (len(outside) - 1) / 2 - 11 * k), textcoords="offset points",
                    va="center", ha="left", fontsize=9, color=colour)
    return [name for name, value in parts if value is None]


@_styled
def expenditure_structure(budget) -> ChartFigure:
    """支出结构: 基本支出 and 项目支出 (三（二）), 人员经费 and 公用经费 of the basic expenditure (六)."""
    year = budget.year
    # each total's parts as its sum rule names them: those of the template's tables drawn always (文件未列
    # when not stated), the others (单位预留机动经费 …) when the document states them
    rules = load_rules(budget.rules_path)
    tables = dict(zip(budget.measures["measure"], budget.measures["table"]))
    groups = [(total, name, tuple(m for m in sum_parts(rules, total)
                                  if tables.get(m, "other") != "other" or _stated(budget, m, year) is not None))
              for total, name in (("expenditure_total", "支出预算"), ("gpb_basic_total", "一般公共预算基本支出"))]
    fig = _figure()
    ax = fig.subplots()
    fig.suptitle(f"{budget.department} {year}年支出结构（万元）")
    ticks, notes, widest = [], [], 1.0
    for y, (total_measure, name, part_measures) in enumerate(groups):
        total = _stated(budget, total_measure, year)
        parts = [(_label(budget, m), _stated(budget, m, year)) for m in part_measures]
        colours = (*SEGMENT_COLOURS[2 * y: 2 * y + 2], *EXTRA_SEGMENT_COLOURS)[:len(parts)]
        missing = _stacked_bar(ax, y, parts, colours)
        stated_parts = [v for _, v in parts if v is not None]
        parts_sum = sum(stated_parts, ZERO)
        widest = max(widest, float(parts_sum), float(total or 0))
        ticks.append(f"{name}\n所列合计 {money(total)}" if total is not None else f"{name}\n合计未列")
        if total is not None and stated_parts and parts_sum != total:
            notes.append(f"注：{name}各项之和 {money(parts_sum)}万元，与所列合计 {money(total)}万元 相差 "
                         f"{signed(parts_sum - total)}万元。")
        if total is not None:  # the stated total as a tick on the bar, to see it against the parts
            ax.plot([float(total)] * 2, [y - 0.36, y + 0.36], color="#222222", linewidth=1.2)
        if missing:
            notes.append(f"注：文件未列{name}的 {'、'.join(missing)}。")
    ax.set_yticks(range(len(groups)), ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.3)
    ax.set_xlabel("万元（竖线为所列合计）")
    _note(fig, notes)
    return fig


def _tree_rows(budget) -> list[dict]:
    """The classification in depth-first order with each row's amount and where it comes from."""
    items = budget.line_items.sort_values("code", kind="stable")
    rolled = {}
    for level in ("类", "款"):
        frame = budget.rollup(level)
        rolled.update({str(c): v for c, v in zip(frame["code"], frame["from_items_wan_yuan"]) if _is_value(v)})
    rows = []
    for item in items.itertuples(index=False):
        code = str(item.code)
        stated = Decimal(item.amount_wan_yuan) if _is_value(item.amount_wan_yuan) else None
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


@_styled
def classification_tree(budget) -> ChartFigure:
    """一般公共预算当年拨款按支出功能分类: 类 → 款 → 项, indented, with 款 rolled up from 项 when not stated."""
    rows = _tree_rows(budget)
    height = max(HEIGHT_IN, 0.27 * len(rows) + 1.4)
    fig = _figure(height)
    fig.suptitle(f"{budget.department} {budget.year}年一般公共预算当年拨款：支出功能分类（万元）")
    if not rows:
        _no_data(fig.subplots(), "本预算没有功能分类科目")
        return fig
    names_ax, ax = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.3, 4.7], "wspace": 0.0})
    indent = {"类": 0.0, "款": 0.05, "项": 0.10}
    ys = list(range(len(rows)))
    for y, row in zip(ys, rows):
        # the collection has no bold face: the 类 rows stand out by colour and size instead
        top = row["level"] == "类"
        names_ax.text(indent.get(row["level"], 0.1), y, f"{row['code']} {row['name']}", ha="left", va="center",
                      fontsize=10 if top else 9, color=LEVEL_COLOURS["类"] if top else "#222222",
                      transform=names_ax.get_yaxis_transform())
        if row["amount"] is None:
            continue
        rolled = row["source"] == "rolled"
        ax.barh([y], [float(row["amount"])], height=0.7, color="white" if rolled else LEVEL_COLOURS[row["level"]],
                edgecolor=LEVEL_COLOURS[row["level"]], hatch="////" if rolled else None, linewidth=0.8)
    texts, notes = [], []
    for row in rows:
        if row["amount"] is None:
            texts.append("未列")
            continue
        text = money(row["amount"])
        if row["source"] == "rolled":
            text += "（由项合计）"
        elif row["from_items"] is not None and row["from_items"] != row["amount"]:
            text += f"（项合计 {money(row['from_items'])}）"
            notes.append(f"注：{row['code']} 所列 {money(row['amount'])}万元，其下各项合计 "
                         f"{money(row['from_items'])}万元。")
        texts.append(text)
    _value_labels_right(ax, ys, [r["amount"] for r in rows], texts)
    widest = max([float(r["amount"]) for r in rows if r["amount"] is not None] or [1.0])
    ax.set_xlim(0, widest * 1.35)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.set_xlabel("万元")
    names_ax.set_axis_off()
    legend = [Patch(facecolor=LEVEL_COLOURS[level], edgecolor=LEVEL_COLOURS[level], label=f"{level}（所列）")
              for level in ("类", "款", "项")]
    if any(r["source"] == "rolled" for r in rows):
        legend.append(Patch(facecolor="white", edgecolor=LEVEL_COLOURS["款"], hatch="////",
                            label="未列，由下级项合计"))
    ax.legend(handles=legend, loc="lower right", frameon=False)
    _note(fig, notes)
    return fig


def _changes(budget, exclude_tables: Sequence[str] = YEAR_OVER_YEAR_TABLES) -> list[dict]:
    """Stated changes of money that name both figures compared (a ``change`` claim with ref and base
    claims), every amount in 万元 whichever unit it is printed in."""
    excluded = set(budget.measures.loc[budget.measures["table"].isin(list(exclude_tables)), "measure"])
    claims = _in_document_order(budget.claims[(budget.claims["kind"] == "change")
                                              & budget.claims["unit"].isin(list(MONEY_UNITS))])
    found, seen = [], set()
    for claim in claims.itertuples(index=False):
        if claim.measure in excluded or claim.measure in seen:
            continue
        ref, base = _claim(budget, claim.ref_claim_id), _claim(budget, claim.base_claim_id)
        if ref is None or base is None or not _is_value(ref["value"]) or not _is_value(base["value"]) \
                or ref["unit"] not in MONEY_UNITS or base["unit"] not in MONEY_UNITS:
            continue
        seen.add(claim.measure)
        found.append({
            "measure": claim.measure, "label": _label(budget, claim.measure),
            "base_year": int(base["year"]), "year": int(ref["year"]),
            "base": _wan_yuan(base["value"], base["unit"]), "current": _wan_yuan(ref["value"], ref["unit"]),
            "change": _wan_yuan(claim.value, claim.unit) if _is_value(claim.value) else None,
            "direction": str(claim.direction),
        })
    return found


def _stated_change(direction: str, change: Decimal | None) -> Decimal | None:
    if change is None:
        return None
    return {"increase": change, "decrease": -change, "unchanged": ZERO}.get(direction)


@_styled
def totals_waterfall(budget) -> ChartFigure:
    """上年与本年总额对比: every total with a stated prior-year figure and change, as paired bars."""
    rows = _changes(budget)
    fig = _figure()
    fig.suptitle(f"{budget.department} 总额：{budget.prior_year}年与{budget.year}年预算对比（万元）")
    ax = fig.subplots()
    if not rows:
        _no_data(ax, "本预算未列出可与上年对比的总额")
        return fig
    bar = 0.36
    notes = []
    ticks = []
    widest = max(max(float(r["base"]), float(r["current"])) for r in rows) or 1.0
    for i, row in enumerate(rows):
        ax.barh([i - bar / 2], [float(row["base"])], height=bar, color=PRIOR)
        ax.barh([i + bar / 2], [float(row["current"])], height=bar, color=CURRENT)
        ax.annotate(f"{row['base_year']}年 {money(row['base'])}", (float(row["base"]), i - bar / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=9)
        ax.annotate(f"{row['year']}年 {money(row['current'])}", (float(row["current"]), i + bar / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
        stated = _stated_change(row["direction"], row["change"])
        difference = row["current"] - row["base"]
        change_text = f"所列变化 {signed(stated)}" if stated is not None else "所列变化方向未明"
        if stated is not None and stated != difference:
            change_text += f"\n两年数之差 {signed(difference)}"
            notes.append(f"注：{row['label']}所列变化 {signed(stated)}万元，与两年数之差 {signed(difference)}万元 不符。")
        ax.annotate(change_text, (1.0, i), xycoords=("axes fraction", "data"), ha="right", va="center", fontsize=10,
                    color="#b23a48" if stated != difference else "#222222")
        ticks.append(_wrap(row["label"], 10))
    ax.set_yticks(range(len(rows)), ticks)
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.75)
    ax.set_xlabel("万元")
    ax.legend(handles=[Patch(color=PRIOR, label=f"{budget.prior_year}年预算数"),
                       Patch(color=CURRENT, label=f"{budget.year}年预算数")],
              loc="lower right", frameon=False, ncols=2, bbox_to_anchor=(1.0, 1.0))
    _note(fig, notes)
    return fig


def _prior(budget, measure: str, current: Decimal | None) -> tuple[Decimal | None, str, str | None]:
    """The prior-year figure: (value, 'stated'|'implied'|'missing', stated change text or None)."""
    prior = budget.prior_year
    stated = _stated(budget, measure, prior, kinds=("amount", "total"))
    claims = budget.claims
    changes = _in_document_order(claims[(claims["measure"] == measure) & (claims["kind"] == "change")
                                        & (claims["base_year"] == prior)])
    implied, change_text = None, None
    for change in changes.itertuples(index=False):
        value = Decimal(change.value) if _is_value(change.value) else None
        direction = str(change.direction)
        if direction == "unchanged" or (value == ZERO and change.unit == "%"):
            change_text = "所列：持平" if direction == "unchanged" else "所列：变化0%"
            implied = current
        elif change.unit in MONEY_UNITS and value is not None and direction in ("increase", "decrease"):
            delta = _wan_yuan(value, change.unit) * (1 if direction == "increase" else -1)
            change_text = f"所列：{'增加' if delta >= 0 else '减少'}{money(abs(delta))}"
            implied = None if current is None else current - delta
        if change_text:
            break
    if stated is not None:
        if implied is not None and implied != stated:
            change_text = (change_text or "") + "（与两年数不符）"
        return stated, "stated", change_text
    if implied is not None:
        return implied, "implied", change_text
    return None, "missing", change_text


@_styled
def year_over_year(budget) -> ChartFigure:
    """“三公”经费 and 会议费、培训费、差旅费: prior year against this year, part by part."""
    year, prior = budget.year, budget.prior_year
    fig = _figure()
    fig.suptitle(f"{budget.department} {prior}年与{year}年：“三公”经费，会议费、培训费、差旅费（万元）")
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 3]})
    rules = load_rules(budget.rules_path)
    groups = [("“三公”经费", sum_parts(rules, "three_public_total")), ("会议费、培训费、差旅费", sum_parts(rules, "mtt_total"))]
    collected = []
    for title, measures in groups:
        rows = []
        for measure in measures:
            current = _stated(budget, measure, year, kinds=("amount", "total"))
            value, source, change_text = _prior(budget, measure, current)
            rows.append({"label": _label(budget, measure), "current": current, "prior": value, "source": source,
                         "change": change_text})
        collected.append((title, rows))
    top = max([float(v) for _, rows in collected for r in rows for v in (r["current"], r["prior"]) if v is not None]
              or [0.0])
    top = max(top, 0.5) * 1.45
    width = 0.36
    any_implied = any(r["source"] == "implied" for _, rows in collected for r in rows)
    for ax, (title, rows) in zip(axes, collected):
        ax.set_title(title)
        for i, row in enumerate(rows):
            for offset, value, kind in ((-width / 2, row["prior"], row["source"]),
                                        (width / 2, row["current"], "stated" if row["current"] is not None
                                         else "missing")):
                x = i + offset
                is_prior = offset < 0
                if value is None:
                    ax.text(x, top * 0.02, "未列", ha="center", va="bottom", fontsize=9, color="#444444")
                    continue
                colour = PRIOR if is_prior else CURRENT
                implied = kind == "implied"
                ax.bar([x], [float(value)], width=width, color="white" if implied else colour,
                       edgecolor=colour, hatch="////" if implied else None, linewidth=1.0)
                if value == ZERO:  # a zero bar has no height: draw its baseline so it is seen
                    ax.plot([x - width / 2, x + width / 2], [0, 0], color=colour, linewidth=3,
                            solid_capstyle="butt")
                text = money(value) + ("\n推算" if implied else "")
                ax.annotate(text, (x, float(value)), xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", fontsize=9)
        labels = [_wrap(r["label"], 7) + (f"\n{r['change']}" if r["change"] else "") for r in rows]
        labels = [label.replace("（与两年数不符）", "\n（与两年数不符）") for label in labels]
        ax.set_xticks(range(len(rows)), labels)
        ax.set_ylim(0, top)
        ax.set_xlim(-0.6, len(rows) - 0.4)
    axes[0].set_ylabel("万元")
    legend = [Patch(color=PRIOR, label=f"{prior}年（所列）"), Patch(color=CURRENT, label=f"{year}年")]
    if any_implied:
        legend.insert(1, Patch(facecolor="white", edgecolor=PRIOR, hatch="////",
                               label=f"{prior}年（由所列变化推算）"))
    fig.legend(handles=legend, loc="outside lower center", ncols=len(legend), frameon=False)
    return fig


#: The charts in display order, by kebab-case name (the report writes ``charts/<name>.png|svg|pdf``).
# -- charts of a collection --------------------------------------------------------------------------------------


def _row_height(rows: int) -> float:
    return max(HEIGHT_IN, 1.2 + 0.32 * rows)


@_styled
def findings_by_department(findings) -> ChartFigure:
    """各部门审核发现: per department, the findings (evaluations that are not consistent) by verdict."""
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    departments = list(dict.fromkeys(findings["department"]))
    fig = _figure(_row_height(len(departments)))
    ax = fig.subplots()
    years = sorted({int(y) for y in findings["budget_year"].dropna()})
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else (f"{years[0]}年" if years else "")
    fig.suptitle(f"各部门审核发现（条，{span}，{findings['budget_id'].nunique()}份预算）")
    if not departments:
        _no_data(ax, "没有可审核的预算")
        return fig
    counts = failing.groupby(["department", failing["verdict"].astype(str)]).size()
    left = [0] * len(departments)
    for verdict, colour in VERDICT_INKS.items():
        widths = [int(counts.get((d, verdict), 0)) for d in departments]
        ax.barh(range(len(departments)), widths, left=left, color=colour, height=0.6, label=verdict,
                edgecolor="white", linewidth=0.8)
        left = [a + b for a, b in zip(left, widths)]
    evaluations = findings.groupby("department").size()
    for y, (department, total) in enumerate(zip(departments, left)):
        ax.annotate(f"{total} / {int(evaluations[department])}", (total, y), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=9)
    ax.set_yticks(range(len(departments)), [_wrap(d, 14) for d in departments])
    ax.invert_yaxis()
    ax.set_xlim(0, max(max(left), 1) * 1.25)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("条（标注：发现 / 检查项）")
    ax.legend(loc="lower right", ncols=len(VERDICT_INKS), frameon=False, bbox_to_anchor=(1.0, 1.0))
    return fig


@_styled
def spending_shares(structure) -> ChartFigure:
    """各预算支出结构: 基本支出 and 项目支出 as shares of the stated 支出预算, with 三公经费's share,
    one bar per budget (a row of :func:`budgetkit.collection.spending_structure`)."""
    rows = structure.reset_index(drop=True)
    fig = _figure(_row_height(len(rows)))
    ax = fig.subplots()
    fig.suptitle("支出结构：基本支出、项目支出占支出预算（%）")
    if rows.empty:
        _no_data(ax, "没有可比较的预算")
        return fig
    notes = []
    for y, row in rows.iterrows():
        basic, project = row["basic_share_pct"], row["project_share_pct"]
        left = 0.0
        for value, colour in ((basic, SEGMENT_COLOURS[0]), (project, SEGMENT_COLOURS[1])):
            if _is_value(value):
                ax.barh([y], [float(value)], left=left, color=colour, height=0.6, edgecolor="white", linewidth=0.8)
                left += float(value)
        three = row["three_public_share_pct"]
        text = f"三公 {three}%" if _is_value(three) else "三公 未列"
        ax.annotate(text, (max(left, 100.0), y), xytext=(4, 0), textcoords="offset points", va="center",
                    ha="left", fontsize=9)
        if _is_value(basic) and _is_value(project) and basic + project != 100:
            notes.append(f"注：{row['department']} {row['budget_year']}年 基本、项目支出占比之和 {basic + project}%，"
                         "各项之和与所列支出预算不符。")
        elif not (_is_value(basic) and _is_value(project)):
            notes.append(f"注：{row['department']} {row['budget_year']}年 未列基本支出或项目支出。")
    ax.axvline(100, color="#222222", linewidth=1.0)
    ax.set_yticks(range(len(rows)), [f"{_wrap(str(d), 14)} {y}" for d, y in zip(rows["department"], rows["budget_year"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xlabel("%（竖线为100%）")
    ax.legend(handles=[Patch(color=SEGMENT_COLOURS[0], label="基本支出"), Patch(color=SEGMENT_COLOURS[1], label="项目支出")],
              loc="lower right", ncols=2, frameon=False, bbox_to_anchor=(1.0, 1.0))
    _note(fig, notes)
    return fig


#: Charts of a collection: findings-by-department draws the findings, spending-shares the spending_structure table.
COLLECTION_CHARTS: dict[str, Callable[..., Figure]] = {
    "findings-by-department": findings_by_department,
    "spending-shares": spending_shares,
}


CHARTS: dict[str, Callable[..., Figure]] = {
    "income-by-source": income_by_source,
    "expenditure-structure": expenditure_structure,
    "classification-tree": classification_tree,
    "totals-waterfall": totals_waterfall,
    "year-over-year": year_over_year,
}


# -- saving -------------------------------------------------------------------------------------------------------

#: No timestamps: the same figure gives the same bytes in every run and process.
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}
SAVE_RC = {
    "svg.hashsalt": "budgetkit",  # ids of clip paths and glyphs are hashed with this salt instead of a random one
    "svg.fonttype": "path",  # text as outlines: the SVG looks the same where the font is not installed
    "pdf.fonttype": 3,  # Type 42 of this OpenType collection gives text that some viewers do not show
}


def save(fig: Figure, path_stem: str | os.PathLike, formats: Sequence[str] = ("png", "svg", "pdf"),
         dpi: int = 200) -> list[Path]:
    """Write ``fig`` to ``<path_stem>.<format>`` for each format, atomically; return the paths in ``formats`` order.

    Each file is written to a temporary file in the same folder and moved into place, so a file with the final
    name is always complete. The bytes do not depend on the time, the process or the path.
    """
    stem = Path(path_stem)
    unknown = [f for f in formats if f not in METADATA]
    if unknown:
        raise ValueError(f"cannot save a chart as {', '.join(unknown)}: formats are {', '.join(METADATA)}")
    if dpi < 1:
        raise ValueError(f"dpi must be positive, not {dpi}")
    written = []
    with matplotlib.rc_context(SAVE_RC):
        for fmt in formats:
            target = stem.with_name(f"{stem.name}.{fmt}")
            with atomic_stream(target) as stream:
                fig.savefig(stream, format=fmt, dpi=dpi, metadata=METADATA[fmt])
            written.append(target)
    return written
