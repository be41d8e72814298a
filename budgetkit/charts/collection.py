"""The charts of a collection: findings per department and the structure of spending."""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..findings import VERDICT_INKS
from ..kinds import count_by_kind
from ..messages import text, verdict_name
from ..names import Registry
from ..schema import UNKNOWN_KIND
from .style import (HEIGHT_IN, PRIOR, SEGMENT_COLOURS, add_note, ChartFigure, is_value, money, new_figure,
                    show_no_data, styled_chart, wrap_text)

__all__ = ["COLLECTION_CHARTS", "budget_against_outturn", "findings_by_department", "spending_shares"]


def _row_height(rows: int) -> float:
    return max(HEIGHT_IN, 1.2 + 0.32 * rows)


@styled_chart
def findings_by_department(findings, budgets=None) -> ChartFigure:
    """各部门审核发现: per department, the findings (evaluations that are not consistent) by verdict.
    ``budgets`` (the collection's budgets table) tells each document's kind, for the title to count them
    by kind (2份预算、1份决算); without it they are counted as documents (3份文件)."""
    failing = findings[findings["verdict"].astype(str) != "consistent"]
    departments = list(dict.fromkeys(findings["department"]))
    fig = new_figure(_row_height(len(departments)))
    ax = fig.subplots()
    years = sorted({int(y) for y in findings["budget_year"].dropna()})
    audited = findings["budget_id"].unique()
    if budgets is not None and "document_kind" in budgets:
        documents = count_by_kind(budgets.loc[budgets["budget_id"].isin(audited), "document_kind"])
    else:
        documents = count_by_kind([UNKNOWN_KIND] * len(audited))
    if len(years) > 1:
        title = text("charts.findings-title-years", first=years[0], last=years[-1], documents=documents)
    elif years:
        title = text("charts.findings-title-year", year=years[0], documents=documents)
    else:
        title = text("charts.findings-title", documents=documents)
    fig.suptitle(title)
    if not departments:
        show_no_data(ax, text("charts.findings-none"))
        return fig
    counts = failing.groupby(["department", failing["verdict"].astype(str)]).size()
    left = [0] * len(departments)
    for verdict, colour in VERDICT_INKS.items():
        widths = [int(counts.get((d, verdict), 0)) for d in departments]
        ax.barh(range(len(departments)), widths, left=left, color=colour, height=0.6, label=verdict_name(verdict),
                edgecolor="white", linewidth=0.8)
        left = [a + b for a, b in zip(left, widths)]
    evaluations = findings.groupby("department").size()
    for y, (department, total) in enumerate(zip(departments, left)):
        ax.annotate(f"{total} / {int(evaluations[department])}", (total, y), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=9)
    ax.set_yticks(range(len(departments)), [wrap_text(d, 14) for d in departments])
    ax.invert_yaxis()
    ax.set_xlim(0, max(max(left), 1) * 1.25)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(text("charts.findings-axis"))
    ax.legend(loc="lower right", ncols=len(VERDICT_INKS), frameon=False, bbox_to_anchor=(1.0, 1.0))
    return fig


@styled_chart
def spending_shares(structure) -> ChartFigure:
    """各预算支出结构: 基本支出 and 项目支出 as shares of the stated 支出预算, with 三公经费's share,
    one bar per budget (a row of :func:`budgetkit.collection.spending_structure`)."""
    rows = structure.reset_index(drop=True)
    fig = new_figure(_row_height(len(rows)))
    ax = fig.subplots()
    fig.suptitle(text("charts.shares-title"))
    if rows.empty:
        show_no_data(ax, text("charts.shares-none"))
        return fig
    notes, segments = [], []  # (y, width, left, colour): drawn by one call, as cheap as one bar
    for y, row in rows.iterrows():
        basic, project = row["basic_share_pct"], row["project_share_pct"]
        left = 0.0
        for value, colour in ((basic, SEGMENT_COLOURS[0]), (project, SEGMENT_COLOURS[1])):
            if is_value(value):
                segments.append((y, float(value), left, colour))
                left += float(value)
        three = row["three_public_share_pct"]
        label = text("charts.shares-three-public", share=three) if is_value(three) else text(
            "charts.shares-three-public-missing")
        ax.annotate(label, (max(left, 100.0), y), xytext=(4, 0), textcoords="offset points", va="center",
                    ha="left", fontsize=9)
        if is_value(basic) and is_value(project) and basic + project != 100:
            notes.append(text("charts.shares-do-not-add-up", department=row["department"], year=row["budget_year"],
                              total=basic + project))
        elif not (is_value(basic) and is_value(project)):
            notes.append(text("charts.shares-part-missing", department=row["department"], year=row["budget_year"]))
    if segments:
        ys, widths, lefts, colours = zip(*segments)
        ax.barh(ys, widths, left=lefts, color=colours, height=0.6, edgecolor="white", linewidth=0.8)
    ax.axvline(100, color="#222222", linewidth=1.0)
    ax.set_yticks(range(len(rows)), [f"{wrap_text(str(d), 14)} {y}" for d, y in zip(rows["department"], rows["budget_year"])])
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xlabel(text("charts.shares-axis"))
    ax.legend(handles=[Patch(color=SEGMENT_COLOURS[0], label=text("charts.shares-basic")),
                       Patch(color=SEGMENT_COLOURS[1], label=text("charts.shares-project"))],
              loc="lower right", ncols=2, frameon=False, bbox_to_anchor=(1.0, 1.0))
    add_note(fig, notes)
    return fig


@styled_chart
def budget_against_outturn(table) -> ChartFigure:
    """预算与决算: for one department and year, the budget and the outturn of each row of
    :func:`budgetkit.collection.execution_table` (by kind, then by 类), side by side, with the
    deviation in %; a figure a document does not state is marked, and the reason is in the note."""
    rows = table.reset_index(drop=True)
    fig = new_figure(max(HEIGHT_IN, 1.6 + 0.62 * len(rows)))
    ax = fig.subplots()
    if rows.empty:
        fig.suptitle(text("charts.execution-title-empty"))
        show_no_data(ax, text("charts.execution-none"))
        return fig
    fig.suptitle(text("charts.execution-title", department=rows.at[0, "department"], year=rows.at[0, "year"]))
    stated = [float(v) for column in ("budget_wan_yuan", "outturn_wan_yuan") for v in rows[column] if is_value(v)]
    reach = max(stated, default=1.0) or 1.0
    bar = 0.36
    notes, bars = [], []  # (y, width, colour): drawn by one call, as cheap as one bar
    for y, row in rows.iterrows():
        for offset, column, colour in ((-bar / 2, "budget_wan_yuan", PRIOR), (bar / 2, "outturn_wan_yuan",
                                                                               SEGMENT_COLOURS[0])):
            value = row[column]
            width = float(value) if is_value(value) else 0.0
            bars.append((y + offset, width, colour))
            label = text("charts.amount", amount=money(value)) if is_value(value) else text("charts.not-stated")
            ax.annotate(label, (width, y + offset), xytext=(3, 0), textcoords="offset points", va="center",
                        ha="left", fontsize=9)
        if is_value(row["deviation_percent"]):
            ax.annotate(text("charts.execution-deviation", percent=f"{row['deviation_percent']:+.2f}"),
                        (reach * 1.5, y), va="center", ha="right", fontsize=9)
        if is_value(row["reason"]) and str(row["reason"]):
            notes.append(text("charts.execution-note", name=row["name"], reason=row["reason"]))
    ys, widths, colours = zip(*bars)
    ax.barh(ys, widths, height=bar, color=colours, edgecolor="white", linewidth=0.6)
    names = [wrap_text(f"{row['row']} {row['name']}" if row["level"] == "类" else str(row["name"]), 16)
             for _, row in rows.iterrows()]
    ax.set_yticks(range(len(rows)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, reach * 1.5)
    ax.set_xlabel(text("charts.axis-wan-yuan"))
    ax.legend(handles=[Patch(color=PRIOR, label=text("charts.execution-budget")),
                       Patch(color=SEGMENT_COLOURS[0], label=text("charts.execution-outturn"))],
              loc="lower right", ncols=2, frameon=False, bbox_to_anchor=(1.0, 1.0))
    add_note(fig, notes)
    return fig


#: Charts of a whole collection (what a collection's report draws): findings-by-department draws the findings
#: (and the budgets table, for the documents' kinds), spending-shares the spending_structure table.
#: budget_against_outturn is one pair's, drawn on request.
COLLECTION_CHARTS: Registry[Callable[..., Figure]] = Registry({
    "findings-by-department": findings_by_department,
    "spending-shares": spending_shares,
})
