"""Read a department's budget explanation (.txt, .docx, .pdf) straight into a :class:`~budgetkit.Budget`.

>>> from budgetkit.extract import extract, write_package
>>> budget = extract("说明.txt")          # doctest: +SKIP
>>> budget.extraction.missing_sections    # standard sections the document does not have
>>> budget.extraction.unparsed            # figures with a unit that no pattern understood
>>> write_package(budget, "out/pkg")      # a data package budgetkit.load("out/pkg") reads back

``extract`` finds the template's sections by their titles (renumbered, reordered or missing
sections are fine), turns every printed figure into a claim in the claims schema, builds the
line items of the functional classification, and loads the result through the same loader
(and validation) as a hand-made package, so ``budget.audit()`` works unchanged.
What it could not read is never dropped: ``budget.extraction`` (an :class:`ExtractionReport`)
lists unparsed figures, classification names that differ from the 2024 list, and the standard
sections not found.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..files import staged_folder
from ..messages import text
from ..model import Budget, load, load_in_memory
from ..schema import BudgetDataError, Problem, bundled_descriptor, bundled_rules_path
from ..template import package_name_kind, package_title
from .classification import reference
from .claims import ClaimExtractor
from .codes import PrintedCodes
from .document_kind import document_kind
from .expected_sections import missing_sections
from .figures import ExtractedFigure
from .reading import Document, normalize_line, read_document
from .sections import find_sections
from .table_figures import CELL_COLUMNS, table_figures
from .tables import render_tables

__all__ = ["DOCUMENT_SUFFIXES", "ExtractionReport", "extract", "is_document", "load_or_extract", "write_package"]

#: What ``extract`` reads; anything else given to ``load_or_extract`` is a data package.
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".xlsx", ".xls")

CLAIM_COLUMNS = [
    "claim_id", "section", "line", "char_start", "char_end", "text", "kind", "measure", "code", "label", "year",
    "value", "unit", "decimals", "qualifier", "direction", "base_measure", "base_year", "ref_claim_id",
    "base_claim_id",
]
LINE_ITEM_COLUMNS = ["code", "level", "name", "parent_code", "line", "purpose"]


@dataclass
class ExtractionReport:
    """What extraction found and what it could not read.

    - ``sections``: the headings found (line, level, printed numeral, standard section, title);
    - ``missing_sections``: the standard sections (``"九 政府性基金预算支出情况说明"``) not found;
    - ``unparsed``: one row per figure with a unit that no pattern understood (line, section,
      figure, text of its sentence, reason): review these by hand;
    - ``name_drift``: classification names printed differently from the 2024 list (older names,
      a name printed with another code);
    - ``notes``: anything else worth knowing (a department name that had to be guessed …).
    The figures of the document's tables are the budget's own ``table_cells``.
    """

    source: str
    format: str
    sections: pd.DataFrame
    missing_sections: list[str]
    unparsed: pd.DataFrame
    name_drift: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: What of the document is not checked although it was read: a table not recognised, sums of partly read lists.
    unchecked: list[str] = field(default_factory=list)

    def limits(self) -> list[str]:
        """What a check of this document could not do, for the user to see beside its verdicts:
        figures not read (by reason), standard sections not found, parts of the document left out."""
        lines = []
        if len(self.unparsed):
            reasons = sorted(Counter(self.unparsed["reason"]).items(), key=lambda item: (-item[1], item[0]))
            lines.append(text("extract.limits-unread", count=len(self.unparsed)))
            lines += [text("extract.limits-reason", count=count, reason=reason) for reason, count in reasons]
        if self.missing_sections:
            lines.append(text("extract.limits-missing", count=len(self.missing_sections)))
            lines += [f"  {section}" for section in self.missing_sections]
        lines += self.unchecked
        return lines

    def summary(self) -> str:
        lines = [text("extract.summary", source=self.source, format=self.format, headings=len(self.sections),
                      unparsed=len(self.unparsed), drift=len(self.name_drift))]
        if self.missing_sections:
            lines.append(text("extract.summary-missing",
                              sections=text("extract.section-separator").join(self.missing_sections)))
        lines.extend(self.notes)
        lines.extend(self.unchecked)
        return "\n".join(lines)


# -- the budget's identity ------------------------------------------------------------------

#: A year in the text, with the word that makes it a comparison year ("较 2022 年度"): those are skipped.
_YEAR_MENTION = re.compile(r"(比|较|与|同)?\s{0,2}(20\d{2})\s{0,2}年")
#: The title of a government's budget report to its 人大, not a department's budget or final accounts.
_GOVERNMENT_REPORT = re.compile(r"预算执行情况|(?:预算|决算)[（(]?草案|政府预决算|财政决算和")
_TITLE = re.compile(r"(?<![比较与同])(?<![比较与同]\s)(20\d{2})\s{0,2}年(?:度)?\s{0,2}(?:部门|单位)?(?:预算|决算)")
_INSTITUTION = re.compile(r"([^\d，。；：“”、（）\s]{2,30}?(?:局|委员会|委|院|部|办公室|办|中心|总工会|联合会|协会|会|政府|所|站|馆|队|社|校|厅|室|署))"
                          r"\s{0,2}(20\d{2})\s{0,2}年")


def _identify(lines: list[str], first_heading: int, stem: str) -> tuple[str, int, list[str]]:
    notes: list[str] = []
    department, year = "", None
    head = [(i, line.strip()) for i, line in enumerate(lines[: max(first_heading - 1, 0)][:12]) if line.strip()]
    for position, (_index, line) in enumerate(head):
        if match := _TITLE.search(line):
            year = int(match.group(1))
            department = line[: match.start()].strip(" ：:")
            if not department and position > 0:
                candidate = head[position - 1][1]
                if len(candidate) <= 40 and not re.search(r"\d", candidate):
                    department = candidate
            break
    if not department:
        counts = Counter(m.group(1) for line in lines for m in _INSTITUTION.finditer(line))
        if counts:
            department = counts.most_common(1)[0][0]
            notes.append(text("extract.department-from-text", name=department))
    if year is None:
        # the year after the department's name ("…农业农村局2024年…"), else any year not compared with
        years = Counter(int(m.group(2)) for line in lines for m in _INSTITUTION.finditer(line)) or Counter(
            int(m.group(2)) for line in lines for m in _YEAR_MENTION.finditer(line) if not m.group(1))
        if not years:
            raise BudgetDataError([Problem(stem, None, "budget.year", text("extract.no-budget-year"))])
        top = max(count for count in years.values())
        year = max(y for y, count in years.items() if count == top)
        notes.append(text("extract.year-from-text", year=year))
    if not department:
        department = Path(stem).stem
        notes.append(text("extract.department-from-file-name", name=department))
    return department, year, notes


# -- line items ------------------------------------------------------------------------------

def _line_items(claims: list[ExtractedFigure], raw_lines: list[str], year: int,
                notes: list[str]) -> list[dict]:
    ref = reference()
    items: dict[str, dict] = {}
    stated = [c for c in claims if c.code and c.kind != "share"]
    # 类 and 款 rows: where the document first states them with their own amount (五（二）), else
    # where they are first printed as part of a longer code
    for preferred in ("appropriation_by_function", "fiscal_expenditure_by_function"):
        for claim in stated:
            if claim.measure == preferred and claim.code not in items and not claim.names \
                    and claim.kind in ("amount", "total") and claim.year == year \
                    and claim.label in raw_lines[claim.line - 1]:
                items[claim.code] = {"code": claim.code, "name": claim.label, "line": claim.line, "purpose": None}
    for claim in stated:
        if not claim.names:
            continue
        for level, width in (("类", 3), ("款", 5), ("项", 7)):
            if len(claim.code) < width:
                break
            code = claim.code[:width]
            if code in items:
                continue
            name = claim.names.get(level) or ""
            if not name or name not in raw_lines[claim.line - 1]:
                official = ref.by_code.get(code)
                found = next((n for n, line in enumerate(raw_lines, start=1) for cand in
                              ([official.name, *official.other_names] if official else []) if cand in line), None)
                if found is None:
                    notes.append(text("extract.item-without-name", line=claim.line, code=code))
                    continue
                name = next(c for c in [official.name, *official.other_names] if c in raw_lines[found - 1])
                items[code] = {"code": code, "name": name, "line": found, "purpose": None}
                continue
            items[code] = {"code": code, "name": name, "line": claim.line,
                           "purpose": claim.purpose if width == len(claim.code) else None}
    rows = []
    for code in sorted(items):
        item = items[code]
        parent = code[:-2] if len(code) > 3 else None
        if parent is not None and parent not in items:
            notes.append(text("extract.item-without-parent", code=code, parent=parent))
            continue
        rows.append({**item, "level": {3: "类", 5: "款", 7: "项"}[len(code)], "parent_code": parent})
    return rows


# -- writing a package -------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def _claim_rows(claims: list[ExtractedFigure]) -> list[list]:
    rows = [CLAIM_COLUMNS]
    for c in claims:
        rows.append([c.claim_id, c.section, c.line, c.start, c.end, c.text, c.kind, c.measure, c.code, c.label,
                     c.year, c.value, c.unit, c.decimals, c.qualifier, c.direction, c.base_measure, c.base_year,
                     c.ref.claim_id if c.ref else None, c.base.claim_id if c.base else None])
    # a claim's fields are None or plain Python values: no pandas missing values to look for
    return [["" if v is None else str(v) for v in row] for row in rows]


def _frame_rows(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    rows = [columns]
    for record in frame[columns].itertuples(index=False):
        rows.append([_cell(v) for v in record])
    return rows


def _descriptor(department: str, year: int, prior_year: int, raw_name: str, raw_bytes: bytes,
                source_name: str, document_kind: str) -> dict:
    descriptor = bundled_descriptor()  # a fresh copy: changed below
    slug = re.sub(r"[^a-z0-9]+", "-", Path(raw_name).stem.lower()).strip("-") or "document"
    ending = f"{year}-{package_name_kind(document_kind)}"
    descriptor["name"] = slug if slug.endswith(f"-{ending}") else f"{slug}-{ending}"  # a file named as budgetkit names
    descriptor["title"] = package_title(document_kind, department, year)
    # not a message: the package's metadata, the same in every language (a package is byte-identical)
    descriptor["description"] = (f"Every figure of {source_name}, read by budgetkit extract, each with a locator "  # not a message
                                 f"back to the text in raw/. Stated figures are kept as stated.")
    descriptor["budget"] = {"department": department, "year": year, "prior_year": prior_year,
                            "document_kind": document_kind, "document": "raw-document", "amount_unit": "as printed"}
    resources = []
    for resource in descriptor["resources"]:
        if resource["name"] in ("measures", "audit-rules"):
            continue  # the template's vocabulary and rules: the loader falls back to the bundled ones
        if resource["name"] == "raw-document":
            resource = {**resource, "path": f"raw/{raw_name}", "bytes": len(raw_bytes),
                        "hash": "sha256:" + hashlib.sha256(raw_bytes).hexdigest(),
                        "title": "The budget explanation as read", "description":  # not a message (metadata)
                        "The text the claims point into (1-based line, 0-based character offsets): the published "  # not a message
                        "text for a .txt; for .docx and .pdf the text budgetkit read out of it."}
        resources.append(resource)
    descriptor["resources"] = resources
    return descriptor


def _write(out_dir: Path, descriptor: dict, raw_name: str, raw_text: str, tables: dict[str, str]) -> None:
    (out_dir / "raw").mkdir(parents=True, exist_ok=True)
    (out_dir / "raw" / raw_name).write_bytes(raw_text.encode("utf-8"))
    for name, content in tables.items():  # claims.csv, line_items.csv, table_cells.csv
        (out_dir / name).write_text(content, encoding="utf-8", newline="")
    (out_dir / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8", newline="")


def write_package(budget: Budget, out_dir: str | Path, replace: bool = False) -> Path:
    """Write ``budget`` as a data package ``budgetkit.load(out_dir)`` reads back; returns the folder.

    Files: datapackage.json (the bundled descriptor, budget metadata replaced), claims.csv,
    line_items.csv, table_cells.csv and raw/<document>.txt. Byte-identical for the same budget. The package is
    written whole into a folder beside ``out_dir`` and moved into place, so it is there complete
    or not at all; a folder already at ``out_dir`` is replaced only with ``replace`` (an empty
    one is used). Raises BudgetDataError naming the folder when it cannot be written.
    """
    out = Path(out_dir)
    raw_name = _raw_name(budget)
    raw_bytes = budget.raw_text.encode("utf-8")
    descriptor = _descriptor(budget.department, budget.year, budget.prior_year, raw_name, raw_bytes, raw_name,
                             budget.document_kind)
    claims_csv = _csv(_frame_rows(budget.claims, CLAIM_COLUMNS))
    items_csv = _csv(_frame_rows(budget.line_items, LINE_ITEM_COLUMNS))
    cells = budget.table_cells if budget.table_cells is not None else pd.DataFrame(columns=CELL_COLUMNS)
    cells_csv = _csv(_frame_rows(cells, CELL_COLUMNS))
    if out.is_file() or out.is_symlink():
        raise BudgetDataError([Problem(str(out), None, None, text("extract.out-is-a-file"))])
    if out.is_dir() and any(out.iterdir()) and not replace:
        raise BudgetDataError([Problem(str(out), None, None, text("extract.out-not-empty"))])
    try:
        with staged_folder(out) as staging:
            _write(staging, descriptor, raw_name, budget.raw_text,
                   {"claims.csv": claims_csv, "line_items.csv": items_csv, "table_cells.csv": cells_csv})
    except OSError as error:
        raise BudgetDataError([Problem(str(out), None, None,
                                       text("extract.cannot-write", error=error.strerror or error))]) from None
    return out


def _raw_name(budget: Budget) -> str:
    """The raw document's file name: the source document's name, or the loaded package's own."""
    source = Path(str(budget.source))
    if source.suffix.lower() in DOCUMENT_SUFFIXES:
        return f"{source.stem}.txt"
    for resource in budget.descriptor.get("resources", []):
        if resource.get("name") == budget.descriptor.get("budget", {}).get("document"):
            return Path(resource["path"]).name
    return "document.txt"


# -- the entry point ---------------------------------------------------------------------------

def extract(source: str | Path | Sequence[str | Path]) -> Budget:
    """Read a budget explanation into a :class:`Budget`; ``budget.extraction`` says what was not read.

    ``source`` may name several files of one budget — the explanation and its tables published
    apart (Jiangsu's 公开文件 and 公开表) — read as one document: the explanation's text first,
    then every table of every file. Raises :class:`~budgetkit.schema.BudgetDataError` (one message
    naming the file) for input that is not a readable .txt/.docx/.pdf, too large, or has no budget
    year, and when the files are of different years.
    """
    if isinstance(source, (str, Path)):
        return _from_document(read_document(source))
    documents = [read_document(path) for path in source]
    if not documents:
        raise BudgetDataError([Problem("", None, None, text("extract.no-document"))])
    return _from_document(_one_document(documents))


def _one_document(documents: list[Document]) -> Document:
    """Several files of one budget as one document: the prose of each, the explanation's first
    (the file with the most prose), then their tables, each table naming its file."""
    if len(documents) == 1:
        return documents[0]
    ordered = sorted(documents, key=lambda d: -len(d.text.strip()))
    for document in ordered:
        for table in document.tables:
            table.source = document.path.name
    joined = "\n".join(document.text.rstrip("\n") for document in ordered)
    return Document(path=ordered[0].path, format=ordered[0].format, text=joined,
                    tables=tuple(table for document in ordered for table in document.tables),
                    also=tuple(document.path for document in ordered[1:]))


def _from_document(document: Document) -> Budget:
    raw_lines = document.lines
    lines = [normalize_line(line) for line in raw_lines]
    sections = find_sections(lines)
    first_heading = sections.headings[0].line if sections.headings else len(lines) + 1
    # a document of tables alone says its year and department in the tables' titles and banners
    banners = [normalize_line(banner).text for table in document.tables for banner in table.banner]
    department, year, notes = _identify([line.text for line in lines] + banners, first_heading, str(document.path))
    # a 决算's year is its accounts year (2023 for the 2023 final accounts published in 2024), as its title says
    kind = document_kind([line.text for line in lines], first_heading, [table.title for table in document.tables])
    final_accounts = kind.kind == "final-accounts"
    opening = [line.text.replace(" ", "") for line in lines if line.text.strip()][:6]
    government_report = any(_GOVERNMENT_REPORT.search(line) for line in opening)
    content, tables = _with_tables(document, year)
    # the explanation's 类/款/项 named without their codes are read as the tables print them
    printed_codes = PrintedCodes((claim.code, claim.label) for claim in tables.claims if claim.code)
    extractor = ClaimExtractor(lines, sections, reference(), year, department, final_accounts, government_report,
                               printed_codes)
    try:
        claims = extractor.run()
    except BudgetDataError as error:
        raise BudgetDataError([dataclasses.replace(p, file=str(document.path)) for p in error.problems]) from None
    claims = [*claims, *tables.claims]
    # the classification's 类/款/项 where the explanation or a table (一般公共预算支出表) states them
    items = _line_items(claims, content.split("\n"), year, notes)
    raw_name = f"{document.path.stem}.txt"
    raw_bytes = content.encode("utf-8")
    descriptor = _descriptor(department, year, year - 1, raw_name, raw_bytes, document.path.name, kind.kind)
    items_csv = _csv([LINE_ITEM_COLUMNS] + [[_cell(item[c]) for c in LINE_ITEM_COLUMNS] for item in items])
    # the package write_package would write, validated by the loader without the round trip through files
    cells_csv = _csv([CELL_COLUMNS] + [[_cell(cell[c]) for c in CELL_COLUMNS] for cell in tables.cells])
    texts = {"claims.csv": _csv(_claim_rows(claims)), "line_items.csv": items_csv, "table_cells.csv": cells_csv,
             f"raw/{raw_name}": content}
    try:
        budget = load_in_memory(Path(text("extract.extracted-package", path=document.path)), descriptor, texts)
    except BudgetDataError as error:  # our own output failed validation: say so, naming the source
        problems = [dataclasses.replace(p, file=text("extract.extracted-file", path=document.path,
                                                     file=Path(p.file).name))
                    for p in error.problems]
        raise BudgetDataError(problems) from None
    budget = dataclasses.replace(budget, source=document.path, rules_path=bundled_rules_path(),
                                 document_kind_reason=kind.reason)
    budget.extraction = ExtractionReport(
        source=" + ".join(str(path) for path in (document.path, *document.also)), format=document.format,
        sections=sections.frame(),
        # the sections of a department's template of the document's kind
        missing_sections=[] if government_report else missing_sections(
            kind.kind, sections, [line.text for line in lines]),
        unparsed=_report_frame([dataclasses.astuple(u) for u in extractor.unparsed],
                               ["line", "section", "figure", "text", "reason"]),
        name_drift=_report_frame(extractor.name_drift, ["line", "code", "level", "printed", "reason"]),
        notes=[*notes, kind.reason],
        unchecked=[*tables.notes, *([text("extract.government-report")] if government_report else []), *(
            text("extract.parts-unread", line=claim.line, label=claim.label, figure=claim.text, unit=claim.unit)
            for claim in claims if claim.qualifier == "parts-unread")],
    )
    return budget


#: The line that sets a document's tables, as read, apart from its prose in the text claims point into.
TABLES_HEADING = "（以下为文件所附表格，由 budgetkit 逐格读出：一行为表格的一行，单元格之间以“ | ”分隔）"


def _with_tables(document: Document, year: int):
    """The text the claims point into (the prose, then each table rendered row by row) and what the
    tables gave (:func:`table_figures`)."""
    if not document.tables:
        return document.text, table_figures([], year, document.path.name)
    for number, table in enumerate(document.tables, start=1):
        table.number = number
    prose = document.text.rstrip("\n")
    first = prose.count("\n") + 5  # after the prose's lines, a blank line, the heading and a blank line
    lines = render_tables(list(document.tables), first)
    return "\n".join([prose, "", TABLES_HEADING, "", *lines]), table_figures(list(document.tables), year,
                                                                          document.path.name)


def _report_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows that start with a line number; ``line`` is int64 even when there are none (the usual case)."""
    if rows:
        return pd.DataFrame(rows, columns=columns)
    # built from typed empty arrays: DataFrame.astype costs more than the rest of a small frame
    return pd.DataFrame({column: np.array([], dtype="int64" if column == "line" else object) for column in columns},
                        index=pd.RangeIndex(0))


def is_document(path: str | Path | None) -> bool:
    """True for a budget explanation file extract reads (not a data package folder or descriptor)."""
    return path is not None and Path(path).is_file() and Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def load_or_extract(path: str | Path | Sequence[str | Path] | None = None) -> Budget:
    """A data package (folder or datapackage.json) is loaded; a .txt/.docx/.pdf document is extracted,
    and so are several documents of one budget given together (:func:`extract`).

    What ``budgetkit check FILE`` uses, so a finance office can check a draft before publishing it.
    """
    if isinstance(path, (list, tuple)):
        return extract(path)
    return extract(path) if is_document(path) else load(path)
