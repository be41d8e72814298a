"""The scoreboard: budgetkit measured on the real-documents corpus in ``tests/corpus/`` (``make score``).

For every document in ``tests/corpus/documents/`` (and ``documents/planted/``), and every answer key in
``tests/corpus/keys/``, budgetkit reads the document in-process exactly as ``budgetkit check FILE`` does
(``budgetkit.extract.load_or_extract`` → ``budgetkit.audit.audit``), and the result is compared with the
document's text and its hand-made key. What is in the corpus when the script runs is what is scored:
documents and keys are being added while the tool is worked on, so nothing here is hard-wired to them.
A document budgetkit cannot read (``BudgetDataError``, or any other exception, named by its type) is a row
with its error; its key's relations count as not evaluated.

**Figures with a unit.** Counted independently of the extractor's patterns, as
``tests/unit/test_model.py::test_every_number_with_a_unit_is_covered_by_a_claim`` proves the bundled budget: the
text budgetkit read (``budget.raw_text``, whose lines and offsets the claims point into) is scanned line by
line, NFKC-folded one character at a time so offsets map back to the line as printed, for a number
(``123``, ``1,234.50``, ``0.3``; not an ordinal, 第37次会议, which counts nothing) followed — after optional
spaces and 余 — by a unit of the claims schema's ``unit`` enum (``data/datapackage.json``: 万元, 元, 亿元, %, 人,
人次, 辆, 个 …), longest unit first. Units printed in traditional characters (萬元, 億元, 個, 輛 …) are folded to the simplified forms first: they are
the same units, and a document printed in them has figures too. Each figure found is then

- *read* when a claim on the same line spans an overlapping range of characters (``line``,
  ``char_start``, ``char_end``);
- *unread* when an unused row of ``budget.extraction.unparsed`` on the same line prints that figure at an
  overlapping position (the report gives the line and the figure as printed; its position is where that
  text occurs in the line, within the reported sentence where it can be found; each row is used once);
- *dropped* otherwise: neither read nor reported — the one outcome the extractor promises never happens.

**Relations: matching a key row to findings.** A key row (``keys/<doc_id>.csv``, format in
``tests/corpus/README.md``) matches a finding (a row of the findings frame) when all of these hold:

1. *kind*: key ``sum`` or ``bound`` ↔ rule_kind ``sum`` or ``bound`` (a bound is a sum that need not be
   exhaustive, and the audit evaluates "其中" lists either way), key ``bound`` ↔ ``classification-bound`` too
   (a 款 against its 类); ``share`` ↔ ``share``; ``change`` ↔
   ``change``; ``completion`` ↔ ``share`` or ``change`` (whichever the audit names it); ``restatement`` ↔
   ``restatement``; ``text`` ↔ ``text``.
2. *figure* (not for ``text`` rows, whose ``stated`` is empty): the key's ``stated`` read as an exact decimal
   (thousands separators and spaces removed) equals the finding's figure. Money is compared in 万元, as the
   audit does: the key's figure times ``budgetkit.numbers.MONEY_UNITS[unit]`` must equal the finding's
   ``stated`` (absolute value: a decrease is stated negative) when the finding's unit is 万元, or the
   finding's claim's value times the factor of the claim's own unit; a figure in % or a count compares
   unconverted with a unit that agrees. The finding's ``stated`` as printed in its claim's unit is accepted too
   (a change's stated figure is the signed figure as printed). A ``restatement`` is one relation whichever of
   its two statements the key calls stated: a finding that restates the key's stated figure (its input) with
   the key's other figure (``figures``) matches too, its quote then looked for on the restated figure's line.
3. *quote*: the key's ``quote``, with whitespace removed and NFKC-folded, occurs in (a) the finding's quote,
   or (b) the text of the line of the finding's claim (for a finding with no claim, such as an unfilled
   placeholder: the lines that contain its quote — the one its explanation names, "on line N", when several
   do), or (c) that line joined with the lines before and after it, at a place that overlaps the line
   itself. Whitespace is removed on both sides, so a PDF line break that budgetkit's text keeps and the
   key's quote spans (or the reverse) does not prevent a match; so are the bars between the cells of a
   table row as budgetkit renders it, so a key quotes a table row as the page prints it
   (一、基本支出 12,323.48). A key's unit in traditional characters (萬元) is the same unit (万元).

A key row is *evaluated* when at least one finding matches it. One relation can be several evaluations (a
total checked by two sum rules, a change whose implied prior is compared with each other statement of it):
each of them is matched to the row.

**Verdicts: true positives, false alarms, misses.** For V in drift, semantic, text: each finding with verdict
V is assigned to the key row it matches best — a row expecting V first, then the closer quote match (a, b,
c above), then the earlier relation. It is a true positive when that row expects V; otherwise a *false
alarm* — keyed (a row expecting something else, e.g. consistent) or unkeyed (no key row at all) — and each
false alarm is listed. A key row expecting V is *found* when some finding it matches has verdict V, *missed*
otherwise (listed, with what the tool said instead). TP counts key rows found, FP the false-alarm findings,
FN the key rows missed: precision = TP / (TP + FP), recall = TP / (TP + FN). Key rows expecting consistent or
rounding that some matching finding judges drift or semantic are counted apart as *keyed false alarms*.

Output: the table and the lists on stdout (at most 100 columns for the table); ``out/score/score.csv`` (one
row per document and a TOTAL row), ``out/score/alarms.csv`` (every false alarm and miss) and
``out/score/dropped.csv`` (every figure silently dropped), byte-identical from run to run.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
OUT = ROOT / "out" / "score"

#: The columns of a key, as tests/corpus/README.md defines them.
KEY_COLUMNS = ["relation", "kind", "stated", "unit", "figures", "computed", "expected", "quote", "page", "note"]
KEY_KINDS = ("sum", "share", "change", "restatement", "bound", "completion", "text")
KEY_EXPECTED = ("consistent", "rounding", "drift", "semantic", "text")
#: Units a key's ``stated`` may be printed in: the README's money and %, and the counts of the claims schema's
#: unit enum (辆, 人 …: a count is "the unit printed with stated" too); traditional spellings are the same units.
KEY_UNITS = ("万元", "元", "亿元", "%", "倍")


def key_units() -> tuple[str, ...]:
    from budgetkit.claims import COUNT_UNITS

    return KEY_UNITS + tuple(sorted(COUNT_UNITS))

#: The rule kinds of the audit a key kind is evaluated by.
RULE_KINDS_OF = {
    "sum": ("sum", "bound"), "bound": ("bound", "sum", "classification-bound"), "share": ("share",),
    "change": ("change",), "completion": ("share", "change"), "restatement": ("restatement",), "text": ("text",),
}
#: The verdicts scored for precision and recall.
SCORED = ("drift", "semantic", "text")
#: Traditional characters of units (and 余) folded to the simplified forms, one character to one.
TRADITIONAL = str.maketrans({"萬": "万", "億": "亿", "輛": "辆", "個": "个", "場": "场", "臺": "台",
                             "項": "项", "戶": "户", "餘": "余"})
WIDTH = 100


# -- the corpus ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorpusDocument:
    doc_id: str
    path: Path | None  # None: a key with no document
    key_path: Path | None  # None: a document with no key


def corpus_documents(corpus: Path = CORPUS) -> list[CorpusDocument]:
    """Every document of documents/ and documents/planted/, and every key, by doc_id (sorted)."""
    from budgetkit.extract import DOCUMENT_SUFFIXES

    files: dict[str, Path] = {}
    for folder in (corpus / "documents", corpus / "documents" / "planted"):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.startswith("."):
                    files.setdefault(path.stem, path)
    keys = {p.stem: p for p in sorted((corpus / "keys").glob("*.csv"))} if (corpus / "keys").is_dir() else {}
    return [CorpusDocument(doc_id, files.get(doc_id), keys.get(doc_id))
            for doc_id in sorted(files.keys() | keys.keys())]


def read_csv_rows(path: Path) -> tuple[list[str], list[dict]]:
    """A CSV's header and rows as text (UTF-8, a BOM tolerated); cells stripped of surrounding spaces."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return [], []
    header = [cell.strip() for cell in rows[0]]
    return header, [{name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
                    for row in rows[1:]]


def read_provenance(corpus: Path = CORPUS) -> list[dict] | None:
    """provenance.csv's rows, or None while it does not exist."""
    path = corpus / "provenance.csv"
    if not path.is_file():
        return None
    return read_csv_rows(path)[1]


def fold(text: str) -> str:
    """Text for comparing quotes: NFKC, whitespace and the bars between a table's cells (as budgetkit
    renders a table row: ``一、基本支出 | 12,323.48``) removed, so a key quotes a table row as printed."""
    return "".join(unicodedata.normalize("NFKC", text).replace("|", " ").split())


def parse_decimal(text: str) -> Decimal | None:
    """A figure as printed (``1,234.50``, ``１２．５``, ``3 000``) as an exact decimal; None if it is not one."""
    compact = "".join(unicodedata.normalize("NFKC", text or "").split()).replace(",", "")
    if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None


def key_unit(unit: str) -> str:
    """A key's unit in simplified characters (萬元 → 万元)."""
    return unicodedata.normalize("NFKC", unit or "").strip().translate(TRADITIONAL)


@dataclass(frozen=True)
class KeyRow:
    doc_id: str
    order: int
    relation: str
    kind: str
    stated_text: str
    stated: Decimal | None
    unit: str
    expected: str
    quote: str
    page: str
    note: str
    figures: str = ""

    @property
    def comparison_unit(self) -> str:
        from budgetkit.numbers import MONEY_UNITS

        return "万元" if self.unit in MONEY_UNITS else self.unit

    @property
    def amount(self) -> Decimal | None:
        """``stated`` in the audit's comparison unit (money in 万元)."""
        from budgetkit.numbers import MONEY_UNITS

        if self.stated is None:
            return None
        return self.stated * MONEY_UNITS.get(self.unit, Decimal(1))


def read_key(doc_id: str, path: Path) -> list[KeyRow]:
    """A key's rows in file order; a row that cannot be read is kept (its figure None: never matched)."""
    _, rows = read_csv_rows(path)
    return [KeyRow(doc_id=doc_id, order=n, relation=row.get("relation", ""), kind=row.get("kind", ""),
                   stated_text=row.get("stated", ""), stated=parse_decimal(row.get("stated", "")),
                   unit=key_unit(row.get("unit", "")), expected=row.get("expected", ""),
                   quote=row.get("quote", ""), page=row.get("page", ""), note=row.get("note", ""),
                   figures=row.get("figures", ""))
            for n, row in enumerate(rows)]


# -- figures with a unit ------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitFigure:
    line: int  # 1-based, in the text budgetkit read
    start: int  # 0-based offsets of the number in that line as printed
    end: int
    figure: str
    unit: str


def _units() -> list[str]:
    from budgetkit.schema import claim_units

    return sorted({unicodedata.normalize("NFKC", u) for u in claim_units()}, key=lambda u: (-len(u), u))


_FIGURE: re.Pattern | None = None


def _figure_pattern() -> re.Pattern:
    global _FIGURE
    if _FIGURE is None:
        units = "|".join(re.escape(u) for u in _units())
        _FIGURE = re.compile(r"(?<![\d.第])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)[ \t]*余?(" + units + ")")
    return _FIGURE


def _fold_line(line: str) -> tuple[str, list[int]]:
    """The line NFKC-folded (traditional unit characters made simplified) and, for each folded
    character, the index of the character of ``line`` it comes from."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(line):
        folded = unicodedata.normalize("NFKC", char).translate(TRADITIONAL) if ord(char) > 127 else char
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def unit_figures(text: str) -> list[UnitFigure]:
    """Every number followed by a unit of the claims schema, in the lines of ``text``."""
    pattern = _figure_pattern()
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        folded, origin = _fold_line(line)
        for match in pattern.finditer(folded):
            start, end = origin[match.start(1)], origin[match.end(1) - 1] + 1
            found.append(UnitFigure(number, start, end, line[start:end], match.group(2)))
    return found


def classify_figures(figures: list[UnitFigure], claims: pd.DataFrame, unparsed: pd.DataFrame,
                     lines: list[str]) -> list[str]:
    """For each figure: ``read``, ``unread`` or ``dropped`` (see the module docstring)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for line, start, end in zip(claims["line"].tolist(), claims["char_start"].tolist(), claims["char_end"].tolist()):
        if pd.isna(line) or pd.isna(start) or pd.isna(end):
            continue
        spans.setdefault(int(line), []).append((int(start), int(end)))
    reported: dict[int, list[list]] = {}  # line -> [[candidate spans], used]
    for row in unparsed.itertuples(index=False):
        line_no = int(row.line)
        if not 0 < line_no <= len(lines) or not str(row.figure):
            continue
        line, figure = lines[line_no - 1], str(row.figure)
        occurrences = [m.start() for m in re.finditer(re.escape(figure), line)]
        sentence_at = line.find(str(row.text)) if str(row.text) else -1
        if sentence_at >= 0:  # occurrences inside the reported sentence first
            inside = [o for o in occurrences if sentence_at <= o < sentence_at + len(str(row.text))]
            occurrences = inside + [o for o in occurrences if o not in inside]
        reported.setdefault(line_no, []).append([[(o, o + len(figure)) for o in occurrences], False])
    statuses = []
    for fig in figures:
        if any(s < fig.end and fig.start < e for s, e in spans.get(fig.line, ())):
            statuses.append("read")
            continue
        status = "dropped"
        for entry in reported.get(fig.line, ()):
            if not entry[1] and any(s < fig.end and fig.start < e for s, e in entry[0]):
                entry[1] = True
                status = "unread"
                break
        statuses.append(status)
    return statuses


# -- matching key rows and findings ---------------------------------------------------------------------

@dataclass
class Finding:
    index: int  # row of the findings frame
    rule: str
    rule_kind: str
    verdict: str
    claim_id: str
    stated: Decimal | None
    unit: str
    quote: str
    explanation: str
    line: int  # the claim's line, else the line holding the quote (the one the explanation names), else 0
    claim_value: Decimal | None = None
    claim_unit: str = ""
    claim_text: str = ""
    #: folded text a key's quote is looked for in: the finding's quote, its line(s), and each line joined with
    #: its neighbours (text, start and end of the line itself in it)
    contexts: tuple = ("", (), ())
    #: for a restatement, the statement it restates: its amount in the comparison unit and its contexts
    restated: tuple | None = None

    @property
    def printed(self) -> str:
        """The stated figure as printed (its claim's text and unit), else the audit's stated figure."""
        if self.claim_text and self.claim_value is not None:
            return f"{self.claim_text}{self.claim_unit}"
        return "" if self.stated is None else f"{plain_decimal(self.stated)}{self.unit}"


def plain_decimal(value: Decimal) -> str:
    """A decimal with the zeros it needs, at least two places as the CLI prints them (841.00, 0.3 → 0.30)."""
    places = max(2, -value.normalize().as_tuple().exponent)
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def _decimal(value) -> Decimal | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return Decimal(str(value))


def findings_of(budget, findings: pd.DataFrame) -> list[Finding]:
    """The findings frame as records, each with the text a key's quote is looked for in."""
    from budgetkit.numbers import MONEY_UNITS

    lines = budget.raw_text.split("\n")
    claims = budget.claims
    by_id = {}
    for cid, line, value, unit, text in zip(claims["claim_id"].tolist(), claims["line"].tolist(),
                                            claims["value"].tolist(), claims["unit"].tolist(),
                                            claims["text"].tolist()):
        by_id[cid] = (None if pd.isna(line) else int(line), _decimal(value), "" if pd.isna(unit) else str(unit),
                      "" if pd.isna(text) else str(text))
    folded_lines = [fold(line) for line in lines]
    records = []
    columns = ["rule", "rule_kind", "verdict", "claim_id", "stated", "unit", "quote", "explanation", "inputs"]
    for index, row in enumerate(findings.reindex(columns=columns).astype(object).itertuples(index=False)):
        rule, kind, verdict, claim_id, stated, unit, quote, explanation, inputs = (
            ("" if (not isinstance(v, Decimal) and pd.isna(v)) else v) for v in row)
        claim_id, quote = str(claim_id), str(quote)
        line_no, value, claim_unit, claim_text = by_id.get(claim_id, (None, None, "", ""))
        if line_no:
            numbers = [line_no]
        elif quote:
            numbers = [n for n, line in enumerate(lines, start=1) if quote in line] or \
                      [n for n, line in enumerate(folded_lines, start=1) if fold(quote) and fold(quote) in line]
            named = [int(n) for n in re.findall(r"\bline (\d+)\b", str(explanation))]
            if len(numbers) > 1 and named and named[0] in numbers:
                numbers = [named[0]]  # the line the finding names, of those that hold its quote
        else:
            numbers = []
        restated = None
        other = str(inputs).split()
        if kind == "restatement" and len(other) == 1 and other[0] in by_id and by_id[other[0]][0]:
            other_line, other_value, other_unit, _ = by_id[other[0]]
            amount = None if other_value is None else abs(other_value) * MONEY_UNITS.get(other_unit, Decimal(1))
            restated = (amount, ("", (folded_lines[other_line - 1],), _wide(folded_lines, [other_line])))
        records.append(Finding(index=index, rule=str(rule), rule_kind=str(kind), verdict=str(verdict),
                               claim_id=claim_id, stated=_decimal(stated) if stated != "" else None,
                               unit=str(unit), quote=quote, explanation=str(explanation),
                               line=numbers[0] if numbers else 0, claim_value=value, claim_unit=claim_unit,
                               claim_text=claim_text,
                               contexts=(fold(quote), tuple(folded_lines[n - 1] for n in numbers),
                                         _wide(folded_lines, numbers)),
                               restated=restated))
    return records


def _wide(folded_lines: list[str], numbers: list[int]) -> tuple:
    """Each line joined with its neighbours, with where the line itself starts and ends in it."""
    wide = []
    for n in numbers:
        before = folded_lines[n - 2] if n > 1 else ""
        after = folded_lines[n] if n < len(folded_lines) else ""
        wide.append((before + folded_lines[n - 1] + after, len(before), len(before) + len(folded_lines[n - 1])))
    return tuple(wide)


def figure_agrees(key: KeyRow, finding: Finding) -> bool:
    """The key's stated figure is the finding's (module docstring, point 2)."""
    from budgetkit.numbers import MONEY_UNITS

    amount = key.amount
    if amount is None:
        return False
    stated = None if finding.stated is None else abs(finding.stated)
    if stated is not None and finding.unit == key.comparison_unit and stated == amount:
        return True
    if finding.claim_value is not None:
        claim_amount = abs(finding.claim_value) * MONEY_UNITS.get(finding.claim_unit, Decimal(1))
        claim_comparison = "万元" if finding.claim_unit in MONEY_UNITS else finding.claim_unit
        if claim_comparison == key.comparison_unit and claim_amount == amount:
            return True
        if stated is not None and finding.claim_unit == key.unit and stated == key.stated:
            return True
    return False


def quote_tier(key: KeyRow, finding: Finding, contexts: tuple | None = None) -> int | None:
    """0, 1 or 2: where the key's quote is found — the finding's quote, its line, or its line joined with
    the lines before and after it where the quote overlaps the line itself; None when it is not."""
    quote = fold(key.quote)
    own_quote, own_lines, wide = finding.contexts if contexts is None else contexts
    if not quote:
        return None
    if own_quote and quote in own_quote:
        return 0
    if any(quote in line for line in own_lines):
        return 1
    for text, start, end in wide:
        at = text.find(quote)
        while at >= 0:
            if at < end and at + len(quote) > start:
                return 2
            at = text.find(quote, at + 1)
    return None


def match(key: KeyRow, finding: Finding) -> int | None:
    """The quote tier when ``key`` and ``finding`` match (kind, figure, quote), else None."""
    if finding.rule_kind not in RULE_KINDS_OF.get(key.kind, ()):
        return None
    if key.kind == "restatement" and finding.restated is not None and not figure_agrees(key, finding):
        return _restated_the_other_way(key, finding)
    if key.kind != "text" and not figure_agrees(key, finding):
        return None
    return quote_tier(key, finding)


def _restated_the_other_way(key: KeyRow, finding: Finding) -> int | None:
    """A restatement keyed from its other end: the key's stated figure is the one the finding restates
    (and quotes its line), the key's other figure the finding's own."""
    amount, contexts = finding.restated
    other = parse_decimal(key.figures)
    own = None if finding.stated is None else abs(finding.stated)
    if amount is None or other is None or own is None or amount != key.amount:
        return None
    from budgetkit.numbers import MONEY_UNITS

    if own != other * MONEY_UNITS.get(key.unit, Decimal(1)):
        return None
    return quote_tier(key, finding, contexts)


# -- scoring one document -----------------------------------------------------------------------------

@dataclass
class Alarm:
    doc_id: str
    category: str  # false-alarm or missed
    verdict: str  # the finding's verdict (false alarm) or the key's expected verdict (missed)
    relation: str  # the key row's relation ("" for an unkeyed false alarm)
    expected: str  # what the key row expects ("" when unkeyed)
    rule: str  # the finding's rule (missed: the rules that evaluated the relation, or "")
    claim_id: str
    line: int
    stated: str
    quote: str
    explanation: str  # the tool's explanation (missed: what it said, or "not evaluated")
    order: tuple = ()


@dataclass
class DocumentScore:
    doc_id: str
    file: str
    has_key: bool
    error: str = ""
    figures: int | None = None
    read: int | None = None
    unread: int | None = None
    dropped: int | None = None
    keyed: int = 0
    evaluated: int = 0
    findings: int | None = None
    counts: dict = field(default_factory=dict)  # (verdict, "tp"|"fp"|"fn") -> n
    keyed_false_alarms: int = 0
    alarms: list[Alarm] = field(default_factory=list)
    dropped_figures: list[tuple[UnitFigure, str]] = field(default_factory=list)  # (figure, its line's text)
    key_rows: list[KeyRow] = field(default_factory=list)
    matches: dict = field(default_factory=dict)  # relation order -> [finding index]
    finding_records: list[Finding] = field(default_factory=list)


def extract_and_audit(path: Path):
    """What ``budgetkit check FILE`` does: the document read into a Budget, and its audit."""
    from budgetkit.audit import audit
    from budgetkit.extract import load_or_extract

    budget = load_or_extract(path)
    return budget, audit(budget)


def safe_result(path: Path):
    """(budget, findings), or the exception reading the document raised: a BudgetDataError (the document
    cannot be read) or a crash of the extractor — either is the document's row's error, never the board's."""
    try:
        return extract_and_audit(path)
    except Exception as error:  # noqa: BLE001
        return error


def score_document(document: CorpusDocument, result=None) -> DocumentScore:
    """Score one document; ``result`` is (budget, findings) or an exception, when already computed."""
    score = DocumentScore(doc_id=document.doc_id, has_key=document.key_path is not None,
                          file=document.path.name if document.path else "")
    score.key_rows = read_key(document.doc_id, document.key_path) if document.key_path else []
    score.keyed = len(score.key_rows)
    if document.path is None:
        score.error = "no document for this key"
    else:
        if result is None:
            result = safe_result(document.path)
        if isinstance(result, BaseException):
            score.error = error_text(result, document.path)
        else:
            _score_budget(score, *result)
    _score_keys(score)
    return score


def error_text(error: BaseException, path: Path) -> str:
    """What went wrong, on one line, without the document's own path (the row names it)."""
    from budgetkit.schema import BudgetDataError

    if isinstance(error, BudgetDataError):
        parts = []
        for problem in error.problems:
            where = "" if Path(str(problem.file)).name.startswith(path.name) else f"{Path(str(problem.file)).name}: "
            if problem.row is not None:
                where += f"{problem.counts} {problem.row}: "
            if problem.field:
                where += f"{problem.field}: "
            parts.append(where + str(problem.message))
        text = "; ".join(parts)
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.replace(str(path), path.name).split())


def _score_budget(score: DocumentScore, budget, findings: pd.DataFrame) -> None:
    lines = budget.raw_text.split("\n")
    figures = unit_figures(budget.raw_text)
    statuses = classify_figures(figures, budget.claims, budget.extraction.unparsed, lines)
    score.figures = len(figures)
    score.read, score.unread, score.dropped = (statuses.count(s) for s in ("read", "unread", "dropped"))
    score.dropped_figures = [(f, lines[f.line - 1]) for f, s in zip(figures, statuses) if s == "dropped"]
    score.findings = len(findings)
    score.finding_records = findings_of(budget, findings)


def _score_keys(score: DocumentScore) -> None:
    keys, records = score.key_rows, score.finding_records
    pairs: dict[int, list[tuple[int, int]]] = {f.index: [] for f in records}  # finding -> [(tier, key order)]
    score.matches = {k.order: [] for k in keys}
    for key in keys:
        for finding in records:
            tier = match(key, finding)
            if tier is not None:
                pairs[finding.index].append((tier, key.order))
                score.matches[key.order].append(finding.index)
    score.evaluated = sum(1 for k in keys if score.matches[k.order])
    by_index = {f.index: f for f in records}
    counts = {(v, c): 0 for v in SCORED for c in ("tp", "fp", "fn")}
    for finding in records:
        if finding.verdict not in SCORED:
            continue
        candidates = sorted(pairs[finding.index],
                            key=lambda p: (keys[p[1]].expected != finding.verdict, p[0], p[1]))
        best = keys[candidates[0][1]] if candidates else None
        if best is not None and best.expected == finding.verdict:
            continue  # a true positive: counted by key row below
        counts[(finding.verdict, "fp")] += 1
        score.alarms.append(Alarm(
            doc_id=score.doc_id, category="false-alarm", verdict=finding.verdict,
            relation=best.relation if best else "", expected=best.expected if best else "", rule=finding.rule,
            claim_id=finding.claim_id, line=finding.line, stated=finding.printed, quote=finding.quote,
            explanation=finding.explanation, order=(0, finding.line, finding.index)))
    for key in keys:
        matched = [by_index[i] for i in score.matches[key.order]]
        verdicts = {f.verdict for f in matched}
        if key.expected in ("consistent", "rounding") and verdicts & {"drift", "semantic"}:
            score.keyed_false_alarms += 1
        if key.expected not in SCORED:
            continue
        if key.expected in verdicts:
            counts[(key.expected, "tp")] += 1
            continue
        counts[(key.expected, "fn")] += 1
        if matched:
            said = "; ".join(f"{f.verdict} ({f.rule}): {f.explanation}" for f in matched[:3])
        else:
            said = "not evaluated"
        score.alarms.append(Alarm(
            doc_id=score.doc_id, category="missed", verdict=key.expected, relation=key.relation,
            expected=key.expected, rule=" ".join(dict.fromkeys(f.rule for f in matched)),
            claim_id=" ".join(dict.fromkeys(f.claim_id for f in matched if f.claim_id)),
            line=matched[0].line if matched else 0,
            stated=f"{key.stated_text}{key.unit}" if key.stated_text else "", quote=key.quote,
            explanation=said, order=(1, key.order, 0)))
    score.counts = counts
    score.alarms.sort(key=lambda a: a.order)


# -- the corpus ------------------------------------------------------------------------------------

@dataclass
class CorpusScore:
    documents: list[DocumentScore]

    def total(self, name: str) -> int:
        return sum(getattr(d, name) or 0 for d in self.documents)

    def count(self, verdict: str, what: str) -> int:
        return sum(d.counts.get((verdict, what), 0) for d in self.documents)

    @property
    def alarms(self) -> list[Alarm]:
        return [a for d in self.documents for a in d.alarms]

    def precision(self, verdict: str) -> float | None:
        tp, fp = self.count(verdict, "tp"), self.count(verdict, "fp")
        return tp / (tp + fp) if tp + fp else None

    def recall(self, verdict: str) -> float | None:
        tp, fn = self.count(verdict, "tp"), self.count(verdict, "fn")
        return tp / (tp + fn) if tp + fn else None

    @property
    def evaluated_share(self) -> float | None:
        keyed = self.total("keyed")
        return self.total("evaluated") / keyed if keyed else None


def score_corpus(corpus: Path = CORPUS, results: dict | None = None) -> CorpusScore:
    """Score every document of the corpus; ``results`` maps doc_id to (budget, findings) or an exception."""
    results = results or {}
    return CorpusScore([score_document(d, results.get(d.doc_id)) for d in corpus_documents(corpus)])


# -- output -----------------------------------------------------------------------------------------

SCORE_COLUMNS = [
    "doc_id", "file", "key", "error", "figures", "read", "unread", "dropped", "relations_keyed",
    "relations_evaluated", "findings", *(f"{v}_{c}" for v in SCORED for c in ("tp", "fp", "fn")),
    "keyed_false_alarms",
]
ALARM_COLUMNS = ["doc_id", "category", "verdict", "relation", "expected", "rule", "claim_id", "line", "stated",
                 "quote", "explanation"]
DROPPED_COLUMNS = ["doc_id", "line", "char_start", "char_end", "figure", "unit", "context"]


def score_frame(score: CorpusScore) -> pd.DataFrame:
    """One row per document, then a TOTAL row; counts that do not exist (an unread document) are empty."""
    rows = []
    for d in score.documents:
        rows.append([d.doc_id, d.file, "yes" if d.has_key else "no", d.error, d.figures, d.read, d.unread,
                     d.dropped, d.keyed, d.evaluated, d.findings,
                     *(d.counts.get((v, c), 0) for v in SCORED for c in ("tp", "fp", "fn")), d.keyed_false_alarms])
    rows.append(["TOTAL", "", str(sum(d.has_key for d in score.documents)),
                 str(sum(bool(d.error) for d in score.documents)), score.total("figures"), score.total("read"),
                 score.total("unread"), score.total("dropped"), score.total("keyed"), score.total("evaluated"),
                 score.total("findings"), *(score.count(v, c) for v in SCORED for c in ("tp", "fp", "fn")),
                 score.total("keyed_false_alarms")])
    frame = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    for column in SCORE_COLUMNS[4:]:
        frame[column] = frame[column].astype("Int64")
    return frame


def alarms_frame(score: CorpusScore) -> pd.DataFrame:
    return pd.DataFrame([[a.doc_id, a.category, a.verdict, a.relation, a.expected, a.rule, a.claim_id, a.line,
                          a.stated, a.quote, a.explanation] for a in score.alarms], columns=ALARM_COLUMNS)


def dropped_frame(score: CorpusScore) -> pd.DataFrame:
    rows = []
    for d in score.documents:
        for fig, line in d.dropped_figures:
            rows.append([d.doc_id, fig.line, fig.start, fig.end, fig.figure, fig.unit,
                         line[max(0, fig.start - 15):fig.end + 15].strip()])
    return pd.DataFrame(rows, columns=DROPPED_COLUMNS)


def safe_cell(value) -> str:
    """A cell a spreadsheet shows and never runs (budgetkit check's CSV does the same)."""
    from budgetkit.findings import safe_cell as quoted

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return quoted(str(value)) if isinstance(value, str) else str(value)


def frame_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for record in frame.astype(object).itertuples(index=False):
        writer.writerow([safe_cell(v) for v in record])
    return buffer.getvalue()


def write_outputs(score: CorpusScore, out: Path = OUT) -> list[Path]:
    """score.csv, alarms.csv and dropped.csv in ``out``; each written whole (to a temporary name first)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("score.csv", score_frame(score)), ("alarms.csv", alarms_frame(score)),
                        ("dropped.csv", dropped_frame(score))):
        path = out / name
        temporary = out / f".{name}.tmp"
        temporary.write_bytes(frame_csv(frame).encode("utf-8"))
        temporary.replace(path)
        written.append(path)
    return written


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal columns (Han characters take two)."""
    text = " ".join(str(text).split())
    if _width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        w = _width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(score: CorpusScore, width: int = WIDTH) -> str:
    """The scoreboard for a terminal: one line per document and a total line, at most ``width`` columns
    (a doc_id too long for its column gets a line of its own, its figures on the next)."""
    def cells(d: DocumentScore | None) -> list[str]:
        if d is None:
            figures = f"{score.total('read')}/{score.total('unread')}/{score.total('dropped')}"
            relations = f"{score.total('keyed')}/{score.total('evaluated')}"
            verdicts = ["/".join(str(score.count(v, c)) for c in ("tp", "fp", "fn")) for v in SCORED]
            return [figures, relations, *verdicts]
        figures = "-" if d.figures is None else f"{d.read}/{d.unread}/{d.dropped}"
        relations = f"{d.keyed}/{d.evaluated}" if d.has_key else "no key"
        verdicts = ["/".join(str(d.counts.get((v, c), 0)) for c in ("tp", "fp", "fn")) for v in SCORED]
        return [figures, relations, *verdicts]

    groups = ["figures", "relations", "drift", "semantic", "text"]
    heads = ["read/unr/drp", "key/eval", "TP/FP/FN", "TP/FP/FN", "TP/FP/FN"]
    body = [cells(d) for d in score.documents] + [cells(None)]
    widths = [max(len(g), len(h), *(len(row[i]) for row in body)) for i, (g, h) in enumerate(zip(groups, heads))]
    stats_width = sum(widths) + len(widths) + 1  # two spaces after the doc_id, one between the groups
    longest = max([len("doc_id"), *(len(d.doc_id) for d in score.documents)])
    id_width = max(len("doc_id"), min(longest, width - stats_width))

    def line(first: str, values: list[str]) -> str:
        return (first.ljust(id_width) + "  " + " ".join(v.rjust(w) for v, w in zip(values, widths))).rstrip()

    rule = "-" * (id_width + stats_width)
    out = [line("", groups), line("doc_id", heads), rule]
    for d, row in zip(score.documents, body):
        if len(d.doc_id) > id_width:
            out += [d.doc_id, line("", row)]
        else:
            out.append(line(d.doc_id, row))
        if d.error:
            out.append("  " + _cut(f"not read: {d.error}", width - 2))
    out += [rule, line("TOTAL", body[-1]), ""]
    figures, keyed = score.total("figures"), score.total("keyed")

    def part(name: str) -> str:
        n = score.total(name)
        return f"{n} ({n / figures:.0%})" if figures else str(n)

    out.append(f"figures with a unit: {figures}; read {part('read')}, reported unread {part('unread')}, "
               f"silently dropped {part('dropped')}")
    out.append(f"relations keyed: {keyed}; evaluated {score.total('evaluated')}"
               + (f" ({score.evaluated_share:.0%}; target 90%)" if keyed else ""))
    for verdict in SCORED:
        out.append(f"{verdict:<9} precision {_ratio(score.precision(verdict))}, recall {_ratio(score.recall(verdict))}"
                   f"  (TP {score.count(verdict, 'tp')}, false alarms {score.count(verdict, 'fp')},"
                   f" missed {score.count(verdict, 'fn')})")
    out.append(f"keyed false alarms: {score.total('keyed_false_alarms')} key rows expecting consistent or rounding "
               f"judged drift or semantic")
    unreadable = sum(bool(d.error) for d in score.documents)
    without_key = sum(not d.has_key for d in score.documents)
    out.append(f"documents: {len(score.documents)}; not read {unreadable}; without a key {without_key}")
    return "\n".join(out) + "\n"


def alarm_lists(score: CorpusScore, width: int = WIDTH) -> str:
    """The false alarms, then the misses, grouped by document, one line each."""
    out = []
    for category, title in (("false-alarm", "False alarms"), ("missed", "Missed")):
        alarms = [a for a in score.alarms if a.category == category]
        by_verdict = {v: sum(a.verdict == v for a in alarms) for v in SCORED}
        summary = ", ".join(f"{n} {v}" for v, n in by_verdict.items())
        keyed = sum(bool(a.relation) for a in alarms) if category == "false-alarm" else None
        out.append(f"{title} ({len(alarms)}: {summary}"
                   + (f"; {keyed} on keyed relations" if keyed is not None else "") + ")")
        current = None
        for a in alarms:
            if a.doc_id != current:
                current = a.doc_id
                out.append(f"  {a.doc_id}")
            if category == "false-alarm":
                what = a.rule + (f" [{a.relation} expects {a.expected}]" if a.relation else "")
            else:
                what = f"{a.relation} expects {a.verdict}" + (f" [{a.rule}]" if a.rule else "")
            figure = a.stated or (f"“{_cut(a.quote, 24)}”" if a.quote else "")
            head = f"    {a.verdict:<8} {what}  {figure}".rstrip()
            room = width - _width(head) - 2
            out.append(head + ("  " + _cut(a.explanation, room) if room >= 12 else ""))
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score budgetkit on the real-documents corpus (make score).")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder (default: tests/corpus)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the CSV files go (default: out/score)")
    args = parser.parse_args(argv)
    documents = corpus_documents(args.corpus)
    results = {}
    for n, document in enumerate(documents, start=1):
        print(f"[{n}/{len(documents)}] {document.doc_id}", file=sys.stderr)
        if document.path is not None:
            results[document.doc_id] = safe_result(document.path)
    score = CorpusScore([score_document(d, results.get(d.doc_id)) for d in documents])
    sys.stdout.write(table(score))
    sys.stdout.write("\n" + alarm_lists(score))
    written = write_outputs(score, args.out)
    print("written: " + ", ".join(str(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
