"""The audit as pages for people: Markdown and one self-contained HTML page, failures first by
verdict, each with its section, quote and why; the pieces a collection's pages are made of too."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from ..findings import VERDICT_FILLS, VERDICT_INKS, VERDICTS, finding_records, plain_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model import Budget

__all__ = ["CSS", "VERDICT_KEY", "audit_html", "audit_markdown", "finding_html", "finding_markdown", "html_table",
           "markdown_table", "markdown_text", "summary_line", "verdict_key_html"]


def summary_line(findings: pd.DataFrame) -> str:
    counts = findings["verdict"].astype(str).value_counts()
    return f"{len(findings)} evaluations: " + ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)


def _figures(record: dict) -> str:
    unit = record.get("unit") or ""
    parts = []
    for key, name in (("stated", "stated"), ("computed", "computed"), ("difference", "difference")):
        if record.get(key) is not None:
            parts.append(f"{name} {record[key]}{unit}")
    return "; ".join(parts)


def markdown_text(text: str | None) -> str:
    """Document text inside Markdown: no HTML, no table breaks, no emphasis by accident."""
    if not text:
        return ""
    text = html.escape(text, quote=False).replace("|", "\\|")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text).replace("\\\\|", "\\|")


def finding_markdown(r: dict, title: str, level: str) -> list[str]:
    """One finding (a record of ``findings.records``) as Markdown lines under a heading ``title``."""
    where = " ".join(p for p in (r["section"], r["claim_id"]) if p)
    lines = [f"{level} {title}. {markdown_text(r['rule'])} — {markdown_text(where)} {markdown_text(r['label'])}".rstrip(), ""]
    if r["quote"]:
        lines += [f"> “{markdown_text(r['quote'])}”", ""]
    lines += [markdown_text(r["explanation"]), ""]
    details = [d for d in (_figures(r), f"inputs {r['inputs']}" if r["inputs"] else "") if d]
    if details:
        lines.append("- " + "; ".join(markdown_text(d) for d in details))
    if r["reason"]:
        lines.append(f"- rule: {markdown_text(r['reason'])}")
    return lines + [""]


#: What each verdict means, in the page's two languages (zh, en), in rising severity.
VERDICT_KEY = {
    "consistent": ("所列数字与由其组成部分重新计算的数字，按各自印刷位数的舍入区间相互重叠。",
                   "the stated figure and the one recomputed from its parts overlap as rounding intervals"),
    "rounding": ("相差不超过末位数字的一个单位，但超出舍入区间。",
                 "off by no more than one unit in the last printed place, but outside the interval"),
    "text": ("文字上的不一致：未填写的模板占位符（××、（未）、增长（下降）），与句意矛盾的比较年度，"
             "与其自身起止数字相矛盾的增减。",
             "a textual inconsistency: an unfilled template placeholder (××, （未）, 增长（下降）), a comparison "
             "year that contradicts the sentence, a change its own endpoints contradict"),
    "semantic": ("只有换用文字所称以外的基数，计算才成立（占比除以了另一个总数，增减百分比除以本年而非上年），"
                 "或违反了文件自身名词解释中的定义。",
                 "the arithmetic only works on another base than the one the text names (a share of the wrong "
                 "whole, a percentage change divided by this year instead of the prior year), or a definition "
                 "of the document's own glossary is violated"),
    "drift": ("实质性的不一致。", "a material disagreement"),
}

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
    out = [f'<div class="finding {e(r["verdict"])}">',
           f"<h3>{e(title)}. {e(r['rule'])} <span class=\"where\">{e(where)} {e(r['label'] or '')}</span></h3>"]
    if r["quote"]:
        out.append(f"<blockquote>“{e(r['quote'])}”</blockquote>")
    out.append(f"<p>{e(r['explanation'] or '')}</p>")
    figures = _figures(r)
    if figures or r["inputs"]:
        out.append(f'<p class="figures">{e(figures)}{"; inputs " + e(r["inputs"]) if r["inputs"] else ""}</p>')
    if r["reason"]:
        out.append(f'<p class="rule">rule: {e(r["reason"])}</p>')
    return out + ["</div>"]


def verdict_key_html() -> list[str]:
    """The key to the verdicts as HTML lines: each verdict in its colour, what it means in both languages."""
    rows = "".join(f'<tr><th scope="row" class="{v}">{v}</th><td lang="zh-CN">{html.escape(zh)}</td>'
                   f'<td lang="en">{html.escape(en)}</td></tr>' for v, (zh, en) in VERDICT_KEY.items())
    return ['<h2 id="key">判定说明 Key to the verdicts</h2>',
            f'<table class="key"><thead><tr><th>verdict</th><th>含义</th><th>meaning</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"]


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


def audit_markdown(budget: Budget, findings: pd.DataFrame) -> str:
    """The audit for people: failures by verdict, worst first, each with section, quote and why;
    then the ledger of the evaluations that passed."""
    lines = [f"# 审核报告 Audit — {markdown_text(budget.department)} {budget.year}", "",
             f"{summary_line(findings)}.", ""]
    if limits := _limits(budget):  # a document: what could not be checked, before any verdict
        lines += ["## 未检查 Not checked", "", *(f"- {markdown_text(line.strip())}" if not line.startswith("  ") else
                                                 f"  - {markdown_text(line.strip())}" for line in limits), ""]
    for verdict, records in _ordered_failures(findings):
        lines += [f"## {verdict} ({len(records)})", ""]
        for number, r in enumerate(records, start=1):
            lines += finding_markdown(r, f"{verdict} {number}", "###")
    passes = _passes(findings)
    lines += [f"## consistent ({len(passes)})", "", "| rule | section | claim | stated | computed | explanation |",
              "|---|---|---|---:|---:|---|"]
    for r in passes:
        lines.append("| " + " | ".join(markdown_text(v or "") for v in (
            r["rule"], r["section"], r["claim_id"], (r["stated"] or "") + (r["unit"] or "" if r["stated"] else ""),
            r["computed"] or "", r["explanation"])) + " |")
    lines.append("")
    return "\n".join(lines)


def audit_html(budget: Budget, findings: pd.DataFrame) -> str:
    """The same report as :func:`audit_markdown`, as one self-contained page; all text escaped."""
    e = html.escape
    title = f"审核报告 Audit — {budget.department} {budget.year}"
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
           f"<h1>{e(title)}</h1>", f"<p>{e(summary_line(findings))}.</p>"]
    if limits := _limits(budget):
        out += ['<h2 id="not-checked">未检查 Not checked</h2>', "<ul>",
                *(f"<li>{e(line.strip())}</li>" for line in limits), "</ul>"]
    out += verdict_key_html()
    groups = _ordered_failures(findings)
    if groups:
        out.append("<nav><ul>" + "".join(f'<li><a href="#{v}">{e(v)} ({len(rs)})</a></li>' for v, rs in groups)
                   + '<li><a href="#consistent">consistent</a></li></ul></nav>')
    for verdict, records in groups:
        out.append(f'<h2 id="{verdict}">{e(verdict)} ({len(records)})</h2>')
        for number, r in enumerate(records, start=1):
            out += finding_html(r, f"{verdict} {number}")
    passes = _passes(findings)
    out.append(f'<h2 id="consistent">consistent ({len(passes)})</h2>')
    out.append("<table><thead><tr><th>rule</th><th>section</th><th>claim</th><th>stated</th><th>computed</th>"
               "<th>explanation</th></tr></thead><tbody>")
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
