"""The findings as tables for reading: by verdict, the rule ledger, and pandas Stylers that shade rows."""

from __future__ import annotations

import hashlib
import html
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import Rule, load_rules
from ..findings import SEVERITY, VERDICT_FILLS, VERDICTS
from ..messages import has_message, text, verdict_name
from .rows import UNCHECKED

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["REASON_COLUMNS", "findings_by_verdict", "heading", "ledger", "reading_order", "styled"]


FINDING_VIEW = ["section", "claim_id", "rule", "label", "quote", "stated", "computed", "difference", "unit",
                "explanation"]


def findings_by_verdict(findings: pd.DataFrame, verdict: str | None = None,
                        include_consistent: bool = False) -> pd.DataFrame:
    """Findings grouped by verdict, worst first, in document order within a verdict.

    Indexed by (verdict, n); consistent evaluations only with ``include_consistent``.
    ``verdict`` keeps one group.
    """
    if verdict is not None and verdict not in VERDICTS:
        raise ValueError(text("tables.verdict-unknown", verdicts=", ".join(VERDICTS), verdict=verdict))
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
    totals = {"rule": text("tables.ledger-total", rules=len(names), evaluated=evaluated), "rule_kind": ""}
    for column in ["evaluations", "passed", "failed", *(f"{v}_count" for v in VERDICTS)]:
        totals[column] = sum(row[column] for row in rows)
    totals["worst_verdict"] = _worst({v: totals[f"{v}_count"] for v in VERDICTS})
    frame = pd.DataFrame([*rows, totals])
    counts = [c for c in frame.columns if c not in ("rule", "rule_kind", "worst_verdict")]
    return frame.astype({"rule": "str", "rule_kind": "str", "worst_verdict": "str", **{c: "int64" for c in counts}})


def _worst(counts: dict[str, int]) -> str:
    """The most severe verdict with a count, or "" when nothing was evaluated."""
    return next((v for v in reversed(VERDICTS) if counts[v]), "")


#: The columns that say why a row is shaded: a table row's verdict and finding, a finding's
#: explanation, a rule's worst verdict.
REASON_COLUMNS = ("verdict", "finding", "explanation", "worst_verdict")

#: The column a row's reason follows (the first present): the figure as printed, a finding's label,
#: the rule, a printed table's title.
REASON_FOLLOWS = ("printed", "label", "rule", "title")

#: Columns of words rather than figures wrap instead of widening the table. Their minimum widths
#: are what a browser lays an overflowing table out with, so the reason is given room for a few
#: lines (a narrower column makes a shaded row a tall block of one word a line).
WRAPPED_COLUMNS = {
    # a section names an official table with its file and pages (表6（….pdf 第8页）): it wraps too
    **dict.fromkeys(("heading", "item", "label", "name", "role", "rule", "section", "title"), "min-width: 6em;"),
    **dict.fromkeys(("quote", "purpose", "share_of", "recomputed_as"), "min-width: 8em;"),
    **dict.fromkeys(("finding", "explanation"), "min-width: 20em;"),
}


def reading_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its reason columns moved right after the printed figure (or what names the row).

    The figures and supporting columns follow: at 1280 px in JupyterLab a wide table scrolls,
    and what scrolls away must not be why a row is shaded.
    """
    anchor = next((c for c in REASON_FOLLOWS if c in frame.columns), None)
    reasons = [c for c in REASON_COLUMNS if c in frame.columns]
    if anchor is None or not reasons:
        return frame
    others = [c for c in frame.columns if c not in reasons]
    cut = others.index(anchor) + 1
    return frame[others[:cut] + reasons + others[cut:]]


def styled(frame: pd.DataFrame, uuid: str | None = None) -> Styler:
    """``frame`` as a pandas Styler that colours rows whose verdict is not consistent, its columns in
    :func:`reading_order`, in the language of the messages: each column under its heading
    (``stated_wan_yuan`` under 所列数（万元）), verdicts, roles, levels and rule kinds by their names,
    and the frame's ``attrs["title"]`` as its caption. The frame itself keeps its column names and keys.

    The table id is fixed (``uuid``, else a digest of the frame's content), so the HTML is the
    same on every run and two tables on one page never share CSS selectors.
    """
    from pandas.io.formats.style import Styler

    class BudgetStyler(Styler):
        def __repr__(self) -> str:  # the default repr carries a memory address
            rows, columns = self.data.shape
            return text("tables.styler-repr", rows=rows, columns=columns)

    if uuid is None:
        digest = hashlib.sha256(frame.to_csv().encode("utf-8")).hexdigest()
        uuid = f"budgetkit_{digest[:12]}"
    frame = reading_order(frame)
    # the index's names shown as headings; the frame keeps its own (the verdicts are read from them)
    shown = frame.rename_axis(index=[heading(name) if name is not None else None for name in frame.index.names])
    styler = BudgetStyler(shown, uuid=uuid, cell_ids=False)
    styler.format(na_rep="", escape="html")
    # a decimal column holds every row at its finest scale (98.57151 beside 841.00000): show each
    # figure without the zeros that scale added, but with the 2 decimals money is printed with
    decimal_columns = [name for name, dtype in frame.dtypes.items() if "decimal" in str(dtype)]
    if decimal_columns:
        styler.format(_figure_text, subset=decimal_columns, na_rep="")
    # the keys a column holds shown by their names (drift as 不符, part as 分项)
    for column, name_of in KEY_COLUMNS.items():
        if column in frame.columns:
            styler.format(_escaped(name_of), subset=[column], na_rep="")
    if "verdict" in (frame.index.names or []):
        styler.format_index(_escaped(_verdict_text), axis="index", level=frame.index.names.index("verdict"))
    styler.format_index(_column_heading, axis="columns")
    styler.set_table_styles(_column_styles(frame) + _shade_rows(styler, frame))
    if frame.attrs.get("title"):
        styler.set_caption(html.escape(str(frame.attrs["title"])))
    if isinstance(frame.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    return styler.set_table_attributes('class="budgetkit-table"')


def heading(name) -> str:
    """A column's heading in the language of the messages; a column the catalogue does not name
    (a printed table's own headings) keeps its name."""
    name = str(name)
    verdict, _, suffix = name.rpartition("_")
    if suffix == "count" and verdict in SEVERITY:  # the ledger's drift_count …
        return text("tables.verdict-count", verdict=verdict_name(verdict))
    slug = name.replace("_", "-")
    if has_message(f"tables.column-{slug}"):
        return text(f"tables.column-{slug}")
    return name


def _column_heading(name) -> str:
    """A column's heading as HTML; a long name (recomputed_share_4dp_pct) may break after its
    underscores, so a header is not wider than its figures."""
    return _breakable_name(html.escape(heading(name)))


def _escaped(name_of):
    return lambda value: html.escape(name_of(value))


def _verdict_text(value) -> str:
    value = str(value)
    if value in SEVERITY:
        return verdict_name(value)
    return text("tables.verdict-unchecked") if value == UNCHECKED else value


def _role_text(value) -> str:
    slug = str(value).replace(" ", "-")
    return text(f"tables.role-{slug}") if has_message(f"tables.role-{slug}") else str(value)


#: The message of each classification level's name.
LEVELS = {"类": "tables.level-class", "款": "tables.level-subclass", "项": "tables.level-item"}


def _level_text(value) -> str:
    return text(LEVELS[value]) if value in LEVELS else str(value)


def _rule_kind_text(value) -> str:
    kind = str(value)
    return text(f"tables.rule-kind-{kind}") if has_message(f"tables.rule-kind-{kind}") else kind


#: Columns of keys, each shown by its keys' names.
KEY_COLUMNS = {"verdict": _verdict_text, "worst_verdict": _verdict_text, "role": _role_text, "level": _level_text,
               "rule_kind": _rule_kind_text}


def _column_styles(frame: pd.DataFrame) -> list[dict]:
    """Figures on one line and right-aligned, words left-aligned; the columns of words that hold
    any wrap, at their minimum widths."""
    styles = [{"selector": "td, th", "props": "white-space: nowrap; vertical-align: top;"},
              # a heading wraps where a break is marked (_breakable_name), never between two Chinese
              # characters: 审核说明 is not written one character a line over a narrow column
              {"selector": "th.col_heading", "props": "white-space: normal; word-break: keep-all;"}]
    for position, (name, dtype) in enumerate(frame.dtypes.items()):
        numeric = pd.api.types.is_numeric_dtype(dtype) or "decimal" in str(dtype)
        props = f"text-align: {'right' if numeric else 'left'};"
        if name in WRAPPED_COLUMNS and _has_text(frame[name]):  # an empty column needs no room
            props += f" white-space: normal; {WRAPPED_COLUMNS[name]}"
        styles.append({"selector": f"td.col{position}, th.col_heading.col{position}", "props": props})
    return styles


def _shade_rows(styler: Styler, frame: pd.DataFrame) -> list[dict]:
    """Marks the cells of each shaded row with its verdict on ``styler``; returns one CSS rule per
    verdict (one class a row and one rule a verdict keep the HTML small)."""
    verdicts = _row_verdicts(frame)
    if verdicts is None:
        return []
    classes = [[f"verdict-{v}" if v in VERDICT_FILLS else ""] * frame.shape[1] for v in verdicts]
    styler.set_td_classes(pd.DataFrame(classes, index=styler.data.index, columns=styler.data.columns))
    return [{"selector": f"td.verdict-{v}", "props": f"background-color: {colour};"}
            for v, colour in VERDICT_FILLS.items()]


def _has_text(column: pd.Series) -> bool:
    return bool(column.fillna("").astype(str).str.len().gt(0).any())


def _breakable_name(name: str) -> str:
    """An escaped column name with a line-break opportunity after each underscore and before each
    opening bracket (所列数<wbr>（万元）)."""
    return str(name).replace("_", "_<wbr>").replace("（", "<wbr>（")


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
