"""The real-documents corpus (tests/corpus/): its integrity, the scoreboard's matching, and the targets.

Integrity must always hold: every document has a key and a provenance row, every key row is in the format of
tests/corpus/README.md and its quote is printed where it says. The targets of the corpus issue are tests too, all
met: no false drift or semantic verdict, every keyed drift, semantic and text finding found, 90 % of keyed relations
evaluated and no fewer than before, no figure dropped. The scoring itself is scripts/score.py
(``make score``); the corpus is read as it is when the tests run.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
CLEAN = ROOT / "tests" / "documents" / "clean-culture-bureau-2024.txt"


def _load_score():
    spec = importlib.util.spec_from_file_location("budgetkit_score", ROOT / "scripts" / "score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


score = _load_score()

PROVENANCE_COLUMNS = ["doc_id", "file", "source", "original_name", "publisher", "level", "province", "year", "kind",
                      "content", "excerpt", "features", "planted"]
PROVENANCE_VALUES = {
    "level": {"province", "city", "county", "national"},
    "kind": {"budget", "final-accounts", "three-public", "template"},
    "content": {"explanation", "tables", "explanation+tables"},
    "excerpt": {"yes", "no"},
}


# -- the corpus as it is now --------------------------------------------------------------------------

def _documents():
    return score.corpus_documents(CORPUS)


def _keys():
    return [(d, score.read_csv_rows(d.key_path)) for d in _documents() if d.key_path is not None]


def _provenance():
    rows = score.read_provenance(CORPUS)
    assert rows is not None, "tests/corpus/provenance.csv is missing"
    return rows


@pytest.fixture(scope="session")
def audits():
    """Each document of the corpus read and audited once, as `budgetkit check FILE` does: doc_id →
    (budget, findings), or the exception that reading it raised."""
    return {d.doc_id: score.safe_result(d.path) for d in _documents() if d.path is not None}


@pytest.fixture(scope="session")
def scored(audits):
    return score.score_corpus(CORPUS, results=audits)


# -- integrity ----------------------------------------------------------------------------------------

def test_every_document_has_a_key():
    missing = [d.path.relative_to(CORPUS).as_posix() for d in _documents() if d.path and d.key_path is None]
    assert missing == [], "documents without keys/<doc_id>.csv: " + ", ".join(missing)


def test_every_document_has_a_provenance_row():
    rows = _provenance()
    named = {row.get("doc_id", "") for row in rows}
    missing = [d.doc_id for d in _documents() if d.path is not None and d.doc_id not in named]
    assert missing == [], "documents without a row in provenance.csv: " + ", ".join(missing)


def test_every_provenance_row_names_a_file_that_exists():
    rows = _provenance()
    documents = CORPUS / "documents"
    absent = [f"{row.get('doc_id')}: {row.get('file')!r}" for row in rows
              if not row.get("file") or not any((folder / row["file"]).is_file()
                                                for folder in (documents, documents / "planted"))]
    assert absent == [], "provenance rows whose file is not in documents/: " + "; ".join(absent)


def test_provenance_has_the_readme_columns_and_values():
    rows = _provenance()
    header, _ = score.read_csv_rows(CORPUS / "provenance.csv")
    assert sorted(header) == sorted(PROVENANCE_COLUMNS), f"provenance.csv columns: {header}"
    bad = [f"{row.get('doc_id')}: {column} {row.get(column)!r}" for row in rows
           for column, allowed in PROVENANCE_VALUES.items() if row.get(column) not in allowed]
    assert bad == [], "values the README does not allow: " + "; ".join(bad)


def _key_problems(header: list[str], rows: list[dict]) -> list[str]:
    if sorted(header) != sorted(score.KEY_COLUMNS):
        return [f"columns {header}, not the README's {score.KEY_COLUMNS}"]
    problems, last = [], 0
    for n, row in enumerate(rows, start=2):
        where = f"line {n} ({row['relation'] or 'no relation'})"
        number = re.fullmatch(r"r(\d{2,})", row["relation"])
        if not number:
            problems.append(f"{where}: relation {row['relation']!r} is not r01, r02 …")
        elif int(number.group(1)) <= last:
            problems.append(f"{where}: relations are not numbered in order")
        else:
            last = int(number.group(1))
        if row["kind"] not in score.KEY_KINDS:
            problems.append(f"{where}: kind {row['kind']!r} is not one of {', '.join(score.KEY_KINDS)}")
        if row["expected"] not in score.KEY_EXPECTED:
            problems.append(f"{where}: expected {row['expected']!r} is not one of {', '.join(score.KEY_EXPECTED)}")
        text = row["kind"] == "text"
        if text:
            if row["stated"]:
                problems.append(f"{where}: a text relation has no stated figure (got {row['stated']!r})")
        else:
            if score.parse_decimal(row["stated"]) is None:
                problems.append(f"{where}: stated {row['stated']!r} is not a decimal")
            if score.key_unit(row["unit"]) not in score.key_units():
                problems.append(f"{where}: unit {row['unit']!r} is not one of {', '.join(score.KEY_UNITS)} "
                                f"or a count of the claims schema")
            if row["stated"] and row["stated"] not in row["quote"] and \
                    score.fold(row["stated"]) not in score.fold(row["quote"]):
                problems.append(f"{where}: the quote {row['quote']!r} does not contain stated {row['stated']!r}")
        if (row["computed"] or not text) and score.parse_decimal(row["computed"]) is None:
            problems.append(f"{where}: computed {row['computed']!r} is not a decimal")
        if not row["quote"] or len(row["quote"]) > 40 or "\n" in row["quote"] or "\r" in row["quote"]:
            problems.append(f"{where}: quote {row['quote']!r} is not 1–40 characters on one line")
        if not re.fullmatch(r"[1-9]\d*", row["page"]):
            problems.append(f"{where}: page {row['page']!r} is not a page or line number")
    return problems


def test_every_key_row_has_the_readme_columns_and_allowed_values():
    problems = [f"keys/{d.key_path.name} {p}" for d, (header, rows) in _keys() for p in _key_problems(header, rows)]
    assert problems == [], "\n".join(problems)


@lru_cache(maxsize=64)
def _pdf_page(path: Path, page: int) -> str | None:
    """pdfplumber's text of one page (1-based), whitespace removed; None when there is no such page."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        if not 0 < page <= len(pdf.pages):
            return None
        return "".join((pdf.pages[page - 1].extract_text() or "").split())


@lru_cache(maxsize=64)
def _text_lines(path: Path) -> tuple[str, ...]:
    from budgetkit.schema import read_text

    return tuple(read_text(path).split("\n"))


def _squash(text: str) -> str:
    return "".join(text.split())


def test_every_key_quote_is_printed_on_its_page_or_line():
    """A PDF's quote on pdfplumber's text of its page, a text file's on its line (or running on into the
    next one), whitespace removed on both sides."""
    problems = []
    for document, (_, rows) in _keys():
        if document.path is None:
            problems.append(f"keys/{document.key_path.name}: no document {document.doc_id}.* in documents/")
            continue
        for row in rows:
            quote, where = _squash(row.get("quote", "")), f"keys/{document.key_path.name} {row.get('relation')}"
            if not quote or not re.fullmatch(r"[1-9]\d*", row.get("page", "")):
                continue  # reported by the format test
            page = int(row["page"])
            if document.path.suffix.lower() == ".pdf":
                text = _pdf_page(document.path, page)
                if text is None:
                    problems.append(f"{where}: the PDF has no page {page}")
                elif quote not in text:
                    problems.append(f"{where}: {row['quote']!r} is not on page {page}")
            else:
                lines = _text_lines(document.path)
                if not 0 < page <= len(lines):
                    problems.append(f"{where}: the document has no line {page}")
                elif quote not in _squash(lines[page - 1] + (lines[page] if page < len(lines) else "")):
                    elsewhere = [n for n, line in enumerate(lines, start=1) if quote in _squash(line)]
                    problems.append(f"{where}: {row['quote']!r} is not on line {page}"
                                    + (f" (it is on line {elsewhere[0]})" if elsewhere else ""))
    assert problems == [], "\n".join(problems)


def test_no_document_crashes_the_extractor(audits):
    from budgetkit.schema import BudgetDataError

    crashes = {doc_id: f"{type(r).__name__}: {r}" for doc_id, r in audits.items()
               if isinstance(r, BaseException) and not isinstance(r, BudgetDataError)}
    assert crashes == {}


# -- the scoreboard itself ---------------------------------------------------------------------------

def test_unit_figures_are_found_by_position_in_any_script():
    text = "收入1,234.50万元，占12.5％；其中２０人次\n共3個單位，0.61萬元"
    found = [(f.line, f.start, f.end, f.figure, f.unit) for f in score.unit_figures(text)]
    assert found == [(1, 2, 10, "1,234.50", "万元"), (1, 14, 18, "12.5", "%"), (1, 22, 24, "２０", "人次"),
                     (2, 1, 2, "3", "个"), (2, 6, 10, "0.61", "万元")]


def _toy():
    """A budget-like object and findings: one claim wrapped over a line break, as in a PDF."""
    raw_text = "前言\n本年收入合计为1,234.50\n万元，比上年增加10.00万元\n结束"
    claims = pd.DataFrame({"claim_id": ["c002-1", "c003-1"], "line": [2, 3], "char_start": [7, 8],
                           "char_end": [15, 13], "value": [Decimal("1234.50"), Decimal("10.00")],
                           "unit": ["万元", "万元"], "text": ["1,234.50", "10.00"]})
    findings = pd.DataFrame({
        "rule": ["income-by-source", "change-from-stated-prior"], "rule_kind": ["sum", "change"],
        "verdict": ["drift", "consistent"], "claim_id": ["c002-1", "c003-1"],
        "stated": [Decimal("1234.50"), Decimal("-10.00")], "unit": ["万元", "万元"],
        "quote": ["本年收入合计为1,234.50", "比上年增加10.00万元"], "explanation": ["parts add up to 1,200", "ok"]})
    return SimpleNamespace(raw_text=raw_text, claims=claims), findings


def _key(relation, kind, stated, unit, quote, expected="consistent", order=0):
    return score.KeyRow(doc_id="toy", order=order, relation=relation, kind=kind, stated_text=stated,
                        stated=score.parse_decimal(stated), unit=score.key_unit(unit), expected=expected,
                        quote=quote, page="2", note="")


def test_a_key_matches_across_a_pdf_line_break_and_in_another_money_unit():
    budget, findings = _toy()
    total, change = score.findings_of(budget, findings)
    # the quote runs over the line break budgetkit kept; the key states the figure in 元
    assert score.match(_key("r01", "sum", "12,345,000", "元", "合计为1,234.50万元"), total) == 2
    assert score.match(_key("r01", "bound", "1,234.50", "萬元", "收入合计为1,234.50"), total) == 0
    assert score.match(_key("r01", "sum", "1,234.5", "万元", "比上年增加10.00万元"), total) is None  # other quote
    assert score.match(_key("r01", "share", "1,234.50", "万元", "合计为1,234.50"), total) is None  # other kind
    assert score.match(_key("r01", "sum", "1,234.50", "%", "合计为1,234.50"), total) is None  # other unit
    assert score.match(_key("r02", "change", "10.00", "万元", "增加10.00万元"), change) == 0  # a decrease's sign
    assert score.match(_key("r02", "change", "100000", "元", "增加10.00万元"), change) == 0


def test_a_restatement_is_matched_from_either_end():
    """A table's 合计 5364.75 restating the text's 5377.64: keyed with the text's figure as stated and the
    table's as the other, it is the same relation the audit reports from the table's end."""
    raw_text = "一般公共预算财政拨款基本支出5377.64万元\n合计 | 5364.75"
    claims = pd.DataFrame({"claim_id": ["c001-1", "c002-1"], "line": [1, 2], "char_start": [14, 5],
                           "char_end": [21, 12], "value": [Decimal("5377.64"), Decimal("5364.75")],
                           "unit": ["万元", "万元"], "text": ["5377.64", "5364.75"]})
    findings = pd.DataFrame({"rule": ["same-figure-restated"], "rule_kind": ["restatement"], "verdict": ["drift"],
                             "claim_id": ["c002-1"], "stated": [Decimal("5364.75")], "unit": ["万元"],
                             "quote": ["合计 | 5364.75"], "explanation": ["state one quantity"], "inputs": ["c001-1"]})
    (finding,) = score.findings_of(SimpleNamespace(raw_text=raw_text, claims=claims), findings)
    key = _key("r01", "restatement", "5377.64", "万元", "基本支出5377.64万元", "drift")
    assert score.match(key, finding) is None  # no other figure keyed: the key's end only
    assert score.match(dataclasses.replace(key, figures="5364.75"), finding) == 1
    assert score.match(dataclasses.replace(key, figures="5364.76"), finding) is None
    assert score.match(_key("r01", "restatement", "5364.75", "万元", "合计 5364.75", "drift"), finding) == 0  # in its quote


def test_false_alarms_and_misses_are_counted_and_listed():
    budget, findings = _toy()
    result = score.DocumentScore(doc_id="toy", file="toy.txt", has_key=True)
    result.finding_records = score.findings_of(budget, findings)
    result.key_rows = [_key("r01", "sum", "1,234.50", "万元", "合计为1,234.50万元", "consistent", 0),
                       _key("r02", "change", "10.00", "万元", "增加10.00万元", "drift", 1),
                       _key("r03", "share", "5.00", "%", "占5.00%", "semantic", 2)]
    result.keyed = 3
    score._score_keys(result)
    assert result.evaluated == 2 and result.keyed_false_alarms == 1
    assert result.counts[("drift", "tp")] == 0 and result.counts[("drift", "fp")] == 1
    assert result.counts[("drift", "fn")] == 1 and result.counts[("semantic", "fn")] == 1
    assert [(a.category, a.verdict, a.relation, a.expected) for a in result.alarms] == [
        ("false-alarm", "drift", "r01", "consistent"), ("missed", "drift", "r02", "drift"),
        ("missed", "semantic", "r03", "semantic")]
    assert result.alarms[2].explanation == "not evaluated"


def test_figures_are_read_unread_or_dropped_by_position():
    lines = ["收入100.00万元，支出90.00万元，人员5人", "另有3个"]
    figures = score.unit_figures("\n".join(lines))
    claims = pd.DataFrame({"line": [1], "char_start": [2], "char_end": [8]})
    unparsed = pd.DataFrame({"line": [1, 2], "section": ["", ""], "figure": ["5", "3"],
                             "text": ["人员5人", "另有3个"], "reason": ["x", "y"]})
    assert score.classify_figures(figures, claims, unparsed, lines) == ["read", "dropped", "unread", "unread"]


def test_score_runs_on_a_small_corpus_and_writes_the_same_bytes_twice(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "documents" / "planted").mkdir(parents=True)
    (corpus / "keys").mkdir()
    (corpus / "documents" / "culture.txt").write_bytes(CLEAN.read_bytes())
    (corpus / "documents" / "planted" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (corpus / "keys" / "culture.csv").write_text(
        "relation,kind,stated,unit,figures,computed,expected,quote,page,note\n"
        "r01,sum,1250.00,万元,1200.00 + 50.00,1250.00,consistent,收入预算1250.00万元，其中,26,\n"
        "r02,share,80.00,%,1000.00 / 1250.00,80.0000,drift,基本支出1000.00万元，占80.00%,30,planted\n",
        encoding="utf-8")
    (corpus / "keys" / "gone.csv").write_text("relation,kind,stated,unit,figures,computed,expected,quote,page,note\n",
                                              encoding="utf-8")
    outputs = []
    for run in ("one", "two"):
        assert score.main(["--corpus", str(corpus), "--out", str(tmp_path / run)]) == 0
        outputs.append(capsys.readouterr().out)
    files = ["score.csv", "alarms.csv", "dropped.csv"]
    assert [(tmp_path / "one" / f).read_bytes() for f in files] == [(tmp_path / "two" / f).read_bytes() for f in files]
    board = pd.read_csv(tmp_path / "one" / "score.csv", dtype=str, keep_default_na=False).set_index("doc_id")
    assert list(board.index) == ["broken", "culture", "gone", "TOTAL"]
    assert board.loc["broken", "error"] and board.loc["broken", "key"] == "no"
    assert board.loc["gone", "error"] == "no document for this key"
    culture = board.loc["culture"]
    assert (culture["relations_keyed"], culture["relations_evaluated"]) == ("2", "2")
    assert (culture["drift_fn"], culture["dropped"], culture["error"]) == ("1", "0", "")
    assert int(culture["read"]) > 20 and culture["unread"] == "0"
    alarms = pd.read_csv(tmp_path / "one" / "alarms.csv", dtype=str, keep_default_na=False)
    assert alarms[["doc_id", "category", "relation"]].values.tolist() == [["culture", "missed", "r02"]]
    assert "consistent (share-of-named-whole)" in alarms.loc[0, "explanation"]
    table = outputs[0].split("\n\n")[0]
    assert max(_columns(line) for line in table.splitlines()) <= 100
    assert all(line.isascii() for line in table.splitlines() if not line.startswith("  not read:"))
    assert re.search(r"^TOTAL\s", table, re.M) and "not read:" in table


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# -- the targets --------------------------------------------------------------------------------------

def _listing(alarms) -> str:
    return "\n".join(f"{a.doc_id} {a.rule or a.relation} {a.stated}: {a.explanation}" for a in alarms)


def test_no_false_drift_verdicts(scored):
    false = [a for a in scored.alarms if a.category == "false-alarm" and a.verdict == "drift"]
    assert false == [], f"{len(false)} false drift verdicts:\n" + _listing(false)


def test_no_false_semantic_verdicts(scored):
    false = [a for a in scored.alarms if a.category == "false-alarm" and a.verdict == "semantic"]
    assert false == [], f"{len(false)} false semantic verdicts:\n" + _listing(false)


@pytest.mark.parametrize("verdict", ["drift", "semantic", "text"])
def test_every_keyed_relation_of_this_verdict_is_found(scored, verdict):
    missed = [a for a in scored.alarms if a.category == "missed" and a.verdict == verdict]
    assert missed == [], f"{len(missed)} key rows expecting {verdict} missed:\n" + _listing(missed)


def test_at_least_90_percent_of_keyed_relations_are_evaluated(scored):
    keyed, evaluated = scored.total("keyed"), scored.total("evaluated")
    assert keyed and evaluated >= 0.9 * keyed, f"{evaluated} of {keyed} keyed relations evaluated"


#: The keyed relations evaluated when this was last raised (the Jiangsu template's totals, 政府采购 outlines,
#: prose 项 against the tables, 款 within their 类): a change that evaluates fewer is a step back; raise it as
#: more are evaluated. (1468 before wuzhou 2022 r09 was keyed as the bound of a cut-off list: as a sum it had
#: been counted evaluated by the finding on r10, the same total's 人员经费 + 公用经费.)
EVALUATED_AT_LEAST = 1467


def test_no_fewer_keyed_relations_are_evaluated_than_before(scored):
    evaluated = scored.total("evaluated")
    assert evaluated >= EVALUATED_AT_LEAST, f"{evaluated} keyed relations evaluated, was {EVALUATED_AT_LEAST}"


def test_no_figure_with_a_unit_is_silently_dropped(scored):
    dropped = [(d.doc_id, f.line, f.figure + f.unit) for d in scored.documents for f, _ in d.dropped_figures]
    assert dropped == [], f"{len(dropped)} figures neither read nor reported: {dropped[:20]}"
