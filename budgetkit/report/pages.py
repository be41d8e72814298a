"""The audit as pages for people: Markdown and one self-contained HTML page, failures first by
verdict, each with its section, quote and why; the pieces a collection's pages are made of too."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from ..audit import unevaluated_relations
from ..findings import VERDICT_FILLS, VERDICT_INKS, VERDICTS, finding_records, plain_text
from ..messages import language, text, verdict_name
from .steps import verdict_counts_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model import Budget

__all__ = ["CSS", "audit_html", "audit_markdown", "finding_html", "finding_markdown", "finding_title", "html_lang",
           "html_table", "in_printed_units", "markdown_table", "markdown_text", "page_head", "summary_line",
           "verdict_heading",
           "verdict_key_html", "verdict_meaning"]


def summary_line(findings: pd.DataFrame) -> str:
    """``共核对 66 项：一致 46 项，舍入 0 项，…``: the evaluations per verdict, in the verdicts' order."""
    counts = findings["verdict"].astype(str).value_counts()
    return verdict_counts_text({v: int(counts.get(v, 0)) for v in VERDICTS})


def html_lang() -> str:
    """The ``lang`` of a page written in the current language."""
    return {"zh": "zh-CN"}.get(language(), language())


def verdict_heading(verdict: str, count: int) -> str:
    """``不符（4 项）``: a verdict's section heading."""
    return text("report.verdict-heading", verdict=verdict_name(verdict), count=count)


def finding_title(verdict: str, number: int) -> str:
    """``不符第1项``: a finding's title, numbered within its verdict (as the annotated PDF names it too)."""
    return text("report.finding-title", verdict=verdict_name(verdict), number=number)


def verdict_meaning(verdict: str) -> str:
    """What a verdict means, for the key to the verdicts."""
    return text(f"report.key-{verdict}")


def _figures(record: dict) -> str:
    unit = record.get("unit") or ""
    parts = [text(f"report.figure-{key}", value=record[key], unit=unit)
             for key in ("stated", "computed", "difference") if record.get(key) is not None]
    return text("report.figure-separator").join(parts)


def _details(record: dict) -> list[str]:
    """The finding's figures, and the claims it is computed from."""
    return [d for d in (_figures(record), text("report.figure-inputs", inputs=record["inputs"]) if record["inputs"]
                        else "") if d]


def markdown_text(text: str | None) -> str:
    """Document text inside Markdown: no HTML, no table breaks, no emphasis by accident."""
    if not text:
        return ""
    text = html.escape(text, quote=False).replace("|", "\\|")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text).replace("\\\\|", "\\|")


def finding_markdown(r: dict, title: str, level: str) -> list[str]:
    """One finding (a record of ``findings.records``) as Markdown lines under a heading ``title``."""
    where = " ".join(p for p in (r["section"], r["claim_id"]) if p)
    heading = text("report.finding-heading", title=title, rule=markdown_text(r["rule"]), where=markdown_text(where),
                   label=markdown_text(r["label"]))
    lines = [f"{level} {heading}".rstrip(), ""]
    if r["quote"]:
        lines += [f"> “{markdown_text(r['quote'])}”", ""]
    lines += [markdown_text(r["explanation"]), ""]
    if details := _details(r):
        lines.append("- " + text("report.figure-separator").join(markdown_text(d) for d in details))
    if r["reason"]:
        lines.append("- " + text("report.rule-reason", reason=markdown_text(r["reason"])))
    return lines + [""]

#: The Chinese faces users' systems have: Linux (Debian's fonts-noto-cjk), Adobe's name for the same
#: font, macOS, Windows.
CJK_FACES = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"'
#: Figures in a fixed-width face (Debian, macOS, Windows), their units (万元) in the Chinese ones.
FIGURE_FONTS = f'"DejaVu Sans Mono", Menlo, Consolas, {CJK_FACES}, monospace'

#: Each verdict's colour: the palette's ink as a block's left border, its fill behind it.
_VERDICT_CSS = "\n".join(
    " ".join(f".{v} {{ border-left-color: {VERDICT_INKS[v]}; background: {VERDICT_FILLS[v]}; }}" for v in pair)
    for pair in (("drift", "semantic"), ("text", "rounding")))

CSS = f"""
body {{ font-family: {CJK_FACES}, sans-serif;
       max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }}
h1 {{ font-size: 1.6rem; }} h2 {{ margin-top: 2rem; border-bottom: 2px solid #ccc; }}
.finding {{ border-left: 6px solid #999; padding: 0.4rem 0.8rem; margin: 0.8rem 0; background: #fafafa; }}
{_VERDICT_CSS}
.finding h3 {{ margin: 0.2rem 0; font-size: 1.05rem; }} .where {{ color: #555; font-weight: normal; }}
blockquote {{ margin: 0.4rem 0; padding-left: 0.8rem; border-left: 3px solid #bbb; color: #333; }}
.figures {{ font-family: {FIGURE_FONTS}; font-size: 0.9rem; }} .rule {{ color: #555; font-size: 0.9rem; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.4rem; vertical-align: top; }} th {{ background: #eef; }}
td.num {{ text-align: right; font-family: {FIGURE_FONTS}; white-space: nowrap; }}
table.key th {{ text-align: left; }} table.key tbody th {{ border-left-width: 6px; white-space: nowrap; }}
""".strip()


def finding_html(r: dict, title: str) -> list[str]:
    """One finding as a block of HTML lines, every text escaped."""
    e = html.escape
    where = " ".join(p for p in (r["section"], r["claim_id"]) if p)
    # the heading's message with the place in a span: split where the place begins
    marker = "\x00"
    heading = text("report.finding-heading", title=title, rule=r["rule"], where=marker + where, label=r["label"] or "")
    before, _, place = heading.partition(marker)
    out = [f'<div class="finding {e(r["verdict"])}">',
           f'<h3>{e(before.rstrip())} <span class="where">{e(place)}</span></h3>']
    if r["quote"]:
        out.append(f"<blockquote>“{e(r['quote'])}”</blockquote>")
    out.append(f"<p>{e(r['explanation'] or '')}</p>")
    if details := _details(r):
        out.append(f'<p class="figures">{e(text("report.figure-separator").join(details))}</p>')
    if r["reason"]:
        out.append(f'<p class="rule">{e(text("report.rule-reason", reason=r["reason"]))}</p>')
    return out + ["</div>"]


def verdict_key_html() -> list[str]:
    """The key to the verdicts as HTML lines: each verdict by name in its colour, as the data (CSV,
    JSON) records it, and what it means; in rising severity."""
    e = html.escape
    rows = "".join(f'<tr><th scope="row" class="{v}">{e(verdict_name(v))}</th><td><code>{v}</code></td>'
                   f"<td>{e(verdict_meaning(v))}</td></tr>" for v in VERDICTS)
    columns = "".join(f"<th>{e(text(f'report.key-{name}'))}</th>" for name in ("verdict", "data", "meaning"))
    return [f'<h2 id="key">{e(text("report.key-heading"))}</h2>',
            f'<table class="key"><thead><tr>{columns}</tr></thead><tbody>{rows}</tbody></table>']


def in_printed_units(findings: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """``findings`` with each money figure (stated, computed, difference; compared in 万元) in the unit its claim
    was printed in (911000.39元, not 91.100039万元), as the explanations state them; exact decimals."""
    import pandas as pd

    from ..template import MONEY_UNITS

    printed = dict(zip(claims["claim_id"].astype(str), claims["unit"].astype(str)))
    units = [printed.get(claim, unit) if unit == "万元" and printed.get(claim) in MONEY_UNITS else unit
             for claim, unit in zip(findings["claim_id"].astype(str), findings["unit"].astype(str))]
    compared = findings["unit"].astype(str).tolist()
    if units == compared:
        return findings

    def scaled(values: pd.Series) -> list:
        # a figure in 万元 divided by 万元 per printed unit; NaN and NA are not figures
        return [value / MONEY_UNITS[unit] if unit != was and value is not None and value == value else value
                for value, unit, was in zip(values.astype(object).tolist(), units, compared)]

    return findings.assign(**{column: pd.Series(scaled(findings[column]), index=findings.index, dtype=object)
                              for column in ("stated", "computed", "difference")},
                           unit=pd.Series(units, index=findings.index, dtype=findings["unit"].dtype))


def _ordered_failures(findings: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    records = finding_records(findings)
    groups = []
    for verdict in reversed(VERDICTS[1:]):
        chosen = [r for r in records if r["verdict"] == verdict]
        if chosen:
            groups.append((verdict, chosen))
    return groups


def _passes(findings: pd.DataFrame) -> list[dict]:
    return [r for r in finding_records(findings) if r["verdict"] == "consistent"]


def _limits(budget: Budget) -> list[str]:
    """What a check of a document could not do (budgetkit.extract's report); nothing for a data package."""
    return budget.extraction.limits() if getattr(budget, "extraction", None) is not None else []


#: The columns of the relations not evaluated as the pages show them, by their headings' message keys.
_UNEVALUATED_SHOWN = {"section": "report.passes-section", "claim_id": "report.passes-claim",
                      "label": "report.unevaluated-label", "figure": "report.passes-stated",
                      "quote": "report.unevaluated-quote", "explanation": "report.unevaluated-reason"}


def _unevaluated(budget: Budget, findings: pd.DataFrame) -> pd.DataFrame:
    """The relations the budget states that no rule evaluated, headed as the user reads them: section,
    claim, what it states, the figure, the quote, why it was not evaluated."""
    relations = unevaluated_relations(budget, findings)
    return relations[list(_UNEVALUATED_SHOWN)].rename(columns={c: text(k) for c, k in _UNEVALUATED_SHOWN.items()})


def _passes_columns() -> list[str]:
    return [text(f"report.passes-{name}") for name in ("rule", "section", "claim", "stated", "computed", "explanation")]


def audit_markdown(budget: Budget, findings: pd.DataFrame) -> str:
    """The audit for people: failures by verdict, worst first, each with section, quote and why;
    then the ledger of the evaluations that passed."""
    title = text("report.audit-title", department=markdown_text(budget.department), year=budget.year)
    lines = [f"# {title}", "", text("report.summary-sentence", summary=summary_line(findings)), ""]
    limits, relations = _limits(budget), _unevaluated(budget, findings)
    findings = in_printed_units(findings, budget.claims)
    if limits or len(relations):  # what could not be checked, before any verdict
        lines += [f"## {text('report.not-checked')}", ""]
        if limits:  # a document: what extraction could not read
            lines += [f"- {markdown_text(line.strip())}" if not line.startswith("  ") else
                      f"  - {markdown_text(line.strip())}" for line in limits] + [""]
        if len(relations):
            lines += [text("report.unevaluated-heading", count=len(relations)), "", *markdown_table(relations)]
    for verdict, records in _ordered_failures(findings):
        lines += [f"## {verdict_heading(verdict, len(records))}", ""]
        for number, r in enumerate(records, start=1):
            lines += finding_markdown(r, finding_title(verdict, number), "###")
    passes = _passes(findings)
    lines += [f"## {verdict_heading('consistent', len(passes))}", "",
              "| " + " | ".join(_passes_columns()) + " |", "|---|---|---|---:|---:|---|"]
    for r in passes:
        lines.append("| " + " | ".join(markdown_text(v or "") for v in (
            r["rule"], r["section"], r["claim_id"], (r["stated"] or "") + (r["unit"] or "" if r["stated"] else ""),
            r["computed"] or "", r["explanation"])) + " |")
    lines.append("")
    return "\n".join(lines)


def page_head(title: str) -> list[str]:
    """A page's opening lines up to its title: its language, the style sheet, the title."""
    e = html.escape
    return ["<!DOCTYPE html>", f'<html lang="{html_lang()}">', "<head>", '<meta charset="utf-8">',
            f"<title>{e(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]


def audit_html(budget: Budget, findings: pd.DataFrame) -> str:
    """The same report as :func:`audit_markdown`, as one self-contained page; all text escaped."""
    e = html.escape
    out = page_head(text("report.audit-title", department=budget.department, year=budget.year))
    out.append(f"<p>{e(text('report.summary-sentence', summary=summary_line(findings)))}</p>")
    limits, relations = _limits(budget), _unevaluated(budget, findings)
    findings = in_printed_units(findings, budget.claims)
    if limits or len(relations):
        out.append(f'<h2 id="not-checked">{e(text("report.not-checked"))}</h2>')
        if limits:
            out += ["<ul>", *(f"<li>{e(line.strip())}</li>" for line in limits), "</ul>"]
        if len(relations):
            out += [f'<p>{e(text("report.unevaluated-heading", count=len(relations)))}</p>', html_table(relations)]
    out += verdict_key_html()
    groups = _ordered_failures(findings)
    passes = _passes(findings)
    if groups:
        out.append("<nav><ul>" + "".join(f'<li><a href="#{v}">{e(verdict_heading(v, len(rs)))}</a></li>'
                                         for v, rs in groups)
                   + f'<li><a href="#consistent">{e(verdict_name("consistent"))}</a></li></ul></nav>')
    for verdict, records in groups:
        out.append(f'<h2 id="{verdict}">{e(verdict_heading(verdict, len(records)))}</h2>')
        for number, r in enumerate(records, start=1):
            out += finding_html(r, finding_title(verdict, number))
    out.append(f'<h2 id="consistent">{e(verdict_heading("consistent", len(passes)))}</h2>')
    out.append("<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in _passes_columns())
               + "</tr></thead><tbody>")
    for r in passes:
        stated = (r["stated"] or "") + ((r["unit"] or "") if r["stated"] else "")
        out.append(f"<tr><td>{e(r['rule'])}</td><td>{e(r['section'] or '')}</td><td>{e(r['claim_id'] or '')}</td>"
                   f'<td class="num">{e(stated)}</td><td class="num">{e(r["computed"] or "")}</td>'
                   f"<td>{e(r['explanation'] or '')}</td></tr>")
    out += ["</tbody></table>", "</body>", "</html>", ""]
    return "\n".join(out)


def markdown_table(frame: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(markdown_text(str(c)) for c in frame.columns) + " |",
             "|" + "|".join("---:" if str(frame[c].dtype) not in ("str", "object", "string") else "---"
                            for c in frame.columns) + "|"]
    lines += ["| " + " | ".join(markdown_text(plain_text(v)) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines + [""]


def html_table(frame: pd.DataFrame) -> str:
    e = html.escape
    numeric = {c for c in frame.columns if str(frame[c].dtype) not in ("str", "object", "string")}
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f'<td class="num">{e(plain_text(v))}</td>' if c in numeric else f"<td>{e(plain_text(v))}</td>"
                                    for c, v in zip(frame.columns, row)) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
