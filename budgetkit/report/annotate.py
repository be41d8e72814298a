"""The annotated copy of a budget's PDF, for a reviewer to hand back to its authors.

Every finding that is not consistent gets a number, worst first in the audit's order; the figure it
states and the figures it is computed from are boxed on their page in the verdict's ink (the palette
of :data:`budgetkit.findings.VERDICT_INKS`):

- a Square annotation around each figure (``/NM`` ``budgetkit-<number>-<claim id>``, ``/Subj`` the
  verdict's name), whose note (``/Contents``) is the finding's number, verdict, rule and explanation,
  in the report's language — viewers show it in their own fonts, so its Chinese needs no font in the file;
- the number on a tab above the box (a FreeText annotation drawn in Helvetica: digits only), the
  tabs of several findings about one figure side by side, upright on a rotated page;
- a note (Text annotation) on the first page listing every finding, where its figures are boxed and
  which could not be placed, and why.

A budget read from two files (its explanation and its tables) gives two copies, each boxing the
figures printed in it, numbered alike, each note naming the figures printed in the other file.

Where a figure is printed:

- a table's figure: the box its cell was read from, checked against the page (its text must be
  printed inside it), in whichever of the budget's files holds it;
- a prose figure: by its characters and those around it on its line of the text as read, the
  context widened until it is printed in the files as many times as it was read (once, usually; a
  paragraph repeated word for word is matched by order: the text as read keeps the pages' order). A
  figure with no such place is listed as not placed, never boxed at a guess.

pdfplumber (top-left origin, the displayed page) finds the places; the annotations are written in
the page's default user space (bottom-left origin, before /Rotate, wherever the MediaBox starts). The
copy is byte-identical run to run: the source's /Info and first file identifier are kept, the second
identifier is a digest of the annotations, and no annotation carries a date.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import VERDICT_INKS, VERDICTS, finding_records
from ..kinds import this_document
from ..messages import text, verdict_name
from ..schema import BudgetDataError, Problem, resource_columns
from .pages import finding_title

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..model import Budget

__all__ = ["annotated_pdfs"]

#: Points around a figure's characters inside its box, and the width of the box's line.
_PADDING = 1.5
_LINE_WIDTH = 1.2
#: The number beside a box: its size in points and the width of one digit (Helvetica-Bold's digits are all 556/1000 em).
_LABEL_SIZE = 8.5
_DIGIT_WIDTH = 0.556
#: Boxes of several findings around one figure are drawn this much wider each, at most this many times.
_RING_STEP = _LINE_WIDTH + 0.8
_MOST_RINGS = 2
#: Context widths (characters each side of a prose figure) tried in turn until one place fits.
_CONTEXTS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class _Finding:
    """A finding to mark: its number, verdict, rule, explanation and the claims it is about (stated first)."""

    number: int
    verdict: str
    rule: str
    explanation: str
    claims: tuple[str, ...]
    audit_name: str  # as audit.md titles it: "不符第1项"


@dataclass(frozen=True)
class _Place:
    """Where a figure is printed: its file, page (0-based) and box in pdfplumber coordinates."""

    file: Path
    page: int
    box: tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class _PageGeometry:
    """What turns pdfplumber's coordinates of a page into its default user space."""

    mediabox: tuple[float, float, float, float]  # as stored, user space
    rotation: int
    origin: tuple[float, float]  # pdfplumber's mediabox x0 and top: where its coordinates start

    def user_point(self, x: float, top: float) -> tuple[float, float]:
        # (dx, dy): from the displayed page's top-left corner; the page is shown turned clockwise by /Rotate
        dx, dy = x - self.origin[0], top - self.origin[1]
        x0, y0, x1, y1 = self.mediabox
        return {0: (x0 + dx, y1 - dy), 90: (x0 + dy, y0 + dx),
                180: (x1 - dx, y0 + dy), 270: (x1 - dy, y1 - dx)}[self.rotation]

    def user_rect(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        (ax, ay), (bx, by) = self.user_point(box[0], box[1]), self.user_point(box[2], box[3])
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


@dataclass
class _PrintedChar:
    """One printed character of a page's text lines, in reading order."""

    text: str
    page: int
    line: int
    box: tuple[float, float, float, float]


@dataclass
class _ReadPdf:
    """What placing figures needs of one PDF: each page's geometry and characters, and its text lines' characters."""

    path: Path
    geometry: list[_PageGeometry]
    page_chars: list[list[_PrintedChar]]
    stream: list[_PrintedChar]  # non-blank characters of every page's text lines, in reading order
    text: str  # their text, one character per entry of ``stream``


# -- the findings to mark ------------------------------------------------------------------------

def _findings_to_mark(findings: pd.DataFrame) -> list[_Finding]:
    """The findings that are not consistent, worst first, numbered 1…n; each names its claims once."""
    records = finding_records(findings)
    marked = []
    for verdict in reversed(VERDICTS[1:]):
        chosen = [r for r in records if r["verdict"] == verdict]
        for within, r in enumerate(chosen, start=1):
            claims = [r["claim_id"] or "", *(r["inputs"] or "").split()]
            marked.append(_Finding(len(marked) + 1, verdict, r["rule"] or "", r["explanation"] or "",
                                  tuple(dict.fromkeys(c for c in claims if c)), finding_title(verdict, within)))
    return marked


# -- reading the PDFs -------------------------------------------------------------------------

def _source_pdfs(budget: Budget) -> list[Path]:
    """The PDFs a budget was read from: ``budget.extraction.source`` names them, joined by " + "."""
    extraction = getattr(budget, "extraction", None)
    if extraction is None:
        return []
    return [Path(name) for name in extraction.source.split(" + ") if name.lower().endswith(".pdf")]


def _read_pdf(path: Path) -> _ReadPdf:
    import pdfplumber  # lazy: only annotating needs it here

    if not path.is_file():
        raise BudgetDataError([Problem(str(path), None, None, text("report.pdf-not-found"))])
    read = _ReadPdf(path, [], [], [], "")
    pieces: list[str] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for index, page in enumerate(pdf.pages):
                read.geometry.append(_PageGeometry(tuple(float(v) for v in page.page_obj.mediabox),
                                                  int(page.rotation) % 360,
                                                  (float(page.mediabox[0]), float(page.mediabox[1]))))
                read.page_chars.append([_printed(c, index, -1) for c in page.chars])
                for number, line in enumerate(page.extract_text_lines(return_chars=True)):
                    for char in line["chars"]:
                        for letter in char["text"]:  # a ligature is several letters of one glyph
                            if not letter.isspace():
                                read.stream.append(_printed(char, index, number, letter))
                                pieces.append(letter)
    except Exception as error:  # noqa: BLE001 - pdfminer raises many types for broken files
        raise BudgetDataError([Problem(str(path), None, None, text(
            "report.pdf-unreadable", error=type(error).__name__, message=error))]) from None
    read.text = "".join(pieces)
    return read


def _printed(char: dict, page: int, line: int, letter: str | None = None) -> _PrintedChar:
    return _PrintedChar(char["text"] if letter is None else letter, page, line,
                       (float(char["x0"]), float(char["top"]), float(char["x1"]), float(char["bottom"])))


# -- placing figures ----------------------------------------------------------------------------

def _place_claims(budget: Budget, claim_ids: list[str], pdfs: list[_ReadPdf]) -> dict[str, _Place | str]:
    """Each claim's place, or why it has none."""
    claims = budget.claims.drop_duplicates("claim_id").set_index("claim_id")
    cells = _table_cells_of(budget)
    cells = cells[cells["claim_id"].fillna("").astype(str) != ""].drop_duplicates("claim_id").set_index("claim_id")
    read_text = _ReadText(budget.raw_text)
    places: dict[str, _Place | str] = {}
    for claim_id in claim_ids:
        if claim_id in cells.index:
            places[claim_id] = _place_table_figure(cells.loc[claim_id], pdfs)
        elif claim_id in claims.index:
            places[claim_id] = _place_prose_figure(claims.loc[claim_id], read_text, pdfs)
        else:
            places[claim_id] = text("report.place-no-claim", document=this_document(budget.document_kind))
    return places


def _table_cells_of(budget: Budget) -> pd.DataFrame:
    """The figures of the budget's tables with their pages and boxes."""
    import pandas as pd

    if budget.table_cells is not None:
        return budget.table_cells
    return pd.DataFrame(columns=resource_columns("table_cells"))


def _text_of(value) -> str:
    """A cell of a frame as text: missing (None, NaN, NA) as empty."""
    return "" if value is None or (not isinstance(value, str) and value != value) else str(value)


class _ReadText:
    """The budget's text as read, by line, and without blanks as one string (as the PDFs' streams are)."""

    def __init__(self, raw_text: str):
        self.lines = raw_text.split("\n")
        compacted = [_compact(line) for line in self.lines]
        self.starts = [0]
        for line in compacted:
            self.starts.append(self.starts[-1] + len(line))
        self.compact = "".join(compacted)


def _compact(text: str) -> str:
    return "".join(letter for letter in text if not letter.isspace())


def _enclosing(boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _place_table_figure(cell, pdfs: list[_ReadPdf]) -> _Place | str:
    """The cell's figure where its box holds exactly its text, in exactly one of the files (its own, when named)."""
    try:
        page = int(cell["page"]) - 1
        x0, top, x1, bottom = (float(cell[k]) for k in ("x0", "top", "x1", "bottom"))
    except (TypeError, ValueError):
        return text("report.place-no-box")
    named = _text_of(cell.get("file"))
    found = []
    for pdf in pdfs:
        if page >= len(pdf.page_chars) or (named and pdf.path.name != named):
            continue
        inside = [c for c in pdf.page_chars[page] if x0 <= (c.box[0] + c.box[2]) / 2 <= x1
                  and top <= (c.box[1] + c.box[3]) / 2 <= bottom and not c.text.isspace()]
        if inside and _compact("".join(c.text for c in inside)) == _compact(_text_of(cell["text"])):
            found.append(_Place(pdf.path, page, _enclosing([c.box for c in inside])))
    if len(found) == 1:
        return found[0]
    return (text("report.place-other-text", page=page + 1) if not found
            else text("report.place-several-files", files=len(found)))


def _place_prose_figure(claim, read_text: _ReadText, pdfs: list[_ReadPdf]) -> _Place | str:
    """The figure's characters in the PDFs, found with the characters beside it on its line: the
    narrowest context printed as many times as it was read, the n-th time it was read being the n-th
    time it is printed (the text as read keeps the PDFs' order; once each is the usual case)."""
    number, start, end = int(claim["line"]), int(claim["char_start"]), int(claim["char_end"])
    line = read_text.lines[number - 1] if 0 < number <= len(read_text.lines) else ""
    if line[start:end] != str(claim["text"]) or not _compact(line[start:end]):
        return text("report.place-not-on-line", line=number)
    before, figure, after = _compact(line[:start]), _compact(line[start:end]), _compact(line[end:])
    at = read_text.starts[number - 1] + len(before)  # where the figure starts in the text as read, blanks left out
    counts = None  # (printed, read) of the widest context printed at all
    for width in _CONTEXTS:
        left, right = before[max(0, len(before) - width):], after[:width]
        windows = [(left, right), (left, ""), ("", right)]
        printed_somewhere = False
        for window_left, window_right in windows:
            window = window_left + figure + window_right
            printed, read = _occurrences(window, pdfs), _occurrences_in(read_text.compact, window)
            if printed and len(printed) == len(read):
                pdf, printed_at = printed[read.index(at - len(window_left))]
                return _place_of(pdf, printed_at + len(window_left), len(figure))
            if printed:
                printed_somewhere, counts = True, (len(printed), len(read))
        if not printed_somewhere or (len(left) == len(before) and len(right) == len(after)):
            break  # a wider context is printed nowhere, or there is none
    if counts is None:
        return text("report.place-broken")
    return text("report.place-ambiguous", printed=counts[0], read=counts[1])


def _occurrences_in(text: str, window: str) -> list[int]:
    found, at = [], text.find(window)
    while at >= 0:
        found.append(at)
        at = text.find(window, at + 1)
    return found


def _occurrences(window: str, pdfs: list[_ReadPdf]) -> list[tuple[_ReadPdf, int]]:
    """Where ``window`` is printed, in the budget's files in the order they were read."""
    return [(pdf, at) for pdf in pdfs for at in _occurrences_in(pdf.text, window)]


def _place_of(pdf: _ReadPdf, at: int, length: int) -> _Place | str:
    chars = pdf.stream[at:at + length]
    if len({(c.page, c.line) for c in chars}) > 1:
        return text("report.place-two-lines")
    return _Place(pdf.path, chars[0].page, _enclosing([c.box for c in chars]))


# -- writing the annotations ---------------------------------------------------------------------

def _ink(verdict: str) -> list[float]:
    colour = VERDICT_INKS[verdict].lstrip("#")
    return [round(int(colour[i:i + 2], 16) / 255, 4) for i in (0, 2, 4)]


def _pdf_number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


class _Annotations:
    """pypdf objects for one copy: boxes, their numbers and the first page's note."""

    def __init__(self, writer, geometry: list[_PageGeometry]):
        from pypdf import generic

        self.writer, self.geometry, self.g = writer, geometry, generic
        self.digest = hashlib.md5(usedforsecurity=False)  # of every annotation: the copy's own file identifier
        self.font = self.indirect(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica-Bold"),
            generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding")}))

    def identify(self) -> None:
        """The file identifier of a changed copy: the source's first one kept, the second one new (PDF 14.4),
        made of the annotations rather than at random, so the copy is the same bytes run to run."""
        g = self.g
        source = self.writer._ID  # pypdf has no public handle on the trailer's /ID
        first = source[0] if source else g.ByteStringObject(self.digest.digest())
        self.writer._ID = g.ArrayObject([first, g.ByteStringObject(self.digest.digest())])

    def indirect(self, obj):
        # pypdf has no public call registering a new object: a stream (an appearance) must be indirect
        return self.writer._add_object(obj)

    def names(self, mapping: dict):
        g = self.g
        return g.DictionaryObject({g.NameObject(k): v for k, v in mapping.items()})

    def numbers(self, values) -> object:
        return self.g.ArrayObject([self.g.FloatObject(_pdf_number(v)) for v in values])

    def appearance(self, content: str, bbox, matrix=None, font: bool = False):
        g = self.g
        stream = g.DecodedStreamObject()
        stream.set_data(content.encode("ascii"))
        entries = {"/Type": g.NameObject("/XObject"), "/Subtype": g.NameObject("/Form"), "/BBox": self.numbers(bbox)}
        if matrix is not None:
            entries["/Matrix"] = self.numbers(matrix)
        if font:
            entries["/Resources"] = self.names({"/Font": self.names({"/F1": self.font})})
        stream.update({g.NameObject(k): v for k, v in entries.items()})
        return self.names({"/N": self.indirect(stream)})

    def annotation(self, page: int, subtype: str, rect, name: str, contents: str, entries: dict) -> None:
        g = self.g
        self.digest.update(f"{page} {subtype} {[_pdf_number(v) for v in rect]} {name} {contents}\n".encode())
        self.writer.add_annotation(page, self.names({
            "/Type": g.NameObject("/Annot"), "/Subtype": g.NameObject(subtype), "/Rect": self.numbers(rect),
            "/NM": g.TextStringObject(name), "/T": g.TextStringObject("budgetkit"),
            "/Contents": g.TextStringObject(contents), "/F": g.NumberObject(4), **entries}))  # 4: print it

    def box(self, finding: _Finding, claim_id: str, place: _Place, ring: int) -> None:
        """A box around the figure (``ring`` > 0: drawn that much wider, where other findings box it too)."""
        g = self.g
        grow = _PADDING + min(ring, _MOST_RINGS) * _RING_STEP
        x0, top, x1, bottom = place.box
        rect = self.geometry[place.page].user_rect((x0 - grow, top - grow, x1 + grow, bottom + grow))
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        half = _LINE_WIDTH / 2
        colour = " ".join(_pdf_number(v) for v in _ink(finding.verdict))
        content = (f"{colour} RG {_pdf_number(_LINE_WIDTH)} w {_pdf_number(half)} {_pdf_number(half)} "
                   f"{_pdf_number(width - _LINE_WIDTH)} {_pdf_number(height - _LINE_WIDTH)} re S")
        self.annotation(place.page, "/Square", rect, f"budgetkit-{finding.number}-{claim_id}",
                        text("report.box-note", number=finding.number, verdict=verdict_name(finding.verdict),
                             rule=finding.rule, explanation=finding.explanation), {
                            "/C": self.numbers(_ink(finding.verdict)),
                            "/BS": self.names({"/W": g.FloatObject(_pdf_number(_LINE_WIDTH))}),
                            "/Subj": g.TextStringObject(verdict_name(finding.verdict)),
                            "/AP": self.appearance(content, (0, 0, width, height))})

    def label(self, finding: _Finding, claim_id: str, place: _Place, offset: float) -> float:
        """The finding's number on a tab above the box's top-left corner, ``offset`` to the right of it
        (other findings' tabs of the figure come first); returns the tab's width."""
        g = self.g
        digits = str(finding.number)
        width, height = len(digits) * _DIGIT_WIDTH * _LABEL_SIZE + 3, _LABEL_SIZE + 1.5
        grow = _PADDING + _MOST_RINGS * _RING_STEP  # above the widest box: every tab of a figure on one row
        left, top = place.box[0] - grow + offset, place.box[1] - grow
        geometry = self.geometry[place.page]
        rect = geometry.user_rect((left, top - height, left + width, top))
        turn = math.radians(geometry.rotation)  # drawn upright on the displayed page
        matrix = (round(math.cos(turn)), round(math.sin(turn)), -round(math.sin(turn)), round(math.cos(turn)), 0, 0)
        colour = " ".join(_pdf_number(v) for v in _ink(finding.verdict))
        content = (f"{colour} rg 0 0 {_pdf_number(width)} {_pdf_number(height)} re f "  # the tab, then white digits
                   f"BT /F1 {_pdf_number(_LABEL_SIZE)} Tf 1 g 1.5 {_pdf_number(0.3 * _LABEL_SIZE)} Td ({digits}) Tj ET")
        self.annotation(place.page, "/FreeText", rect, f"budgetkit-{finding.number}-{claim_id}-number", digits, {
            "/DA": g.TextStringObject(f"/Helv {_pdf_number(_LABEL_SIZE)} Tf 1 g"),
            "/Subj": g.TextStringObject(verdict_name(finding.verdict)),
            "/AP": self.appearance(content, (0, 0, width, height), matrix, font=True)})
        return width

    def note(self, contents: str, worst: str | None) -> None:
        """The first page's note at its displayed top-left corner, in the ink of the worst finding."""
        x, top = self.geometry[0].origin
        rect = self.geometry[0].user_rect((x + 4, top + 4, x + 24, top + 24))
        colour = {"/C": self.numbers(_ink(worst))} if worst else {}
        self.annotation(0, "/Text", rect, "budgetkit-summary", contents, {
            "/Name": self.g.NameObject("/Comment"), "/Open": self.g.BooleanObject(False), **colour})


def _summary_text(budget: Budget, findings: list[_Finding], places: dict[str, _Place | str], pdf: Path) -> str:
    """The first page's note: every finding by number, where its figures are boxed, and what is not."""
    separator = text("report.note-separator")
    lines = [text("report.note-title", department=budget.department, year=budget.year, count=len(findings))]
    for finding in findings:
        lines.append(text("report.note-finding", number=finding.number, title=finding.audit_name, rule=finding.rule,
                          explanation=finding.explanation))
        boxed = [text("report.note-figure-on-page", claim=c, page=p.page + 1) for c in finding.claims
                 if isinstance(p := places[c], _Place) and p.file == pdf]
        elsewhere = [text("report.note-figure-in-file", claim=c, file=p.file.name, page=p.page + 1)
                     for c in finding.claims if isinstance(p := places[c], _Place) and p.file != pdf]
        missing = [text("report.note-figure-why", claim=c, why=places[c]) for c in finding.claims
                   if not isinstance(places[c], _Place)]
        if boxed:
            lines.append(text("report.note-boxed", figures=separator.join(boxed)))
        if elsewhere:
            lines.append(text("report.note-elsewhere", figures=separator.join(elsewhere)))
        if missing:
            lines.append(text("report.note-not-placed", figures=separator.join(missing)))
        if not finding.claims:
            lines.append(text("report.note-nothing-to-box"))
    return "\n".join(lines)


def _annotated_copy(budget: Budget, findings: list[_Finding], places: dict[str, _Place | str],
                    pdf: _ReadPdf) -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError

    try:
        writer = PdfWriter(clone_from=str(pdf.path))
    except (OSError, PyPdfError) as error:
        raise BudgetDataError([Problem(str(pdf.path), None, None, text(
            "report.pdf-not-copied", error=type(error).__name__, message=error))]) from None
    annotations = _Annotations(writer, pdf.geometry)
    annotations.note(_summary_text(budget, findings, places, pdf.path), findings[0].verdict if findings else None)
    rings: dict[str, int] = defaultdict(int)  # boxes already drawn around a figure
    tabs: dict[str, float] = defaultdict(float)  # the width its numbers take already
    for finding in findings:
        for claim_id in finding.claims:
            place = places[claim_id]
            if isinstance(place, _Place) and place.file == pdf.path:
                annotations.box(finding, claim_id, place, rings[claim_id])
                tabs[claim_id] += annotations.label(finding, claim_id, place, tabs[claim_id]) + 1
                rings[claim_id] += 1
    annotations.identify()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def annotated_pdfs(budget: Budget, findings: pd.DataFrame) -> dict[Path, bytes]:
    """For each PDF ``budget`` was read from (none for a data package or a .txt/.docx), a copy with
    every finding of ``findings`` that is not consistent numbered and its figures printed in that
    file boxed, and a note on its first page listing them all. Byte-identical run to run.

    Raises :class:`~budgetkit.schema.BudgetDataError` naming the file when a PDF cannot be read.
    """
    paths = _source_pdfs(budget)
    if not paths:
        return {}
    marked = _findings_to_mark(findings)
    pdfs = [_read_pdf(path) for path in paths]
    places = _place_claims(budget, list(dict.fromkeys(c for f in marked for c in f.claims)), pdfs)
    return {pdf.path: _annotated_copy(budget, marked, places, pdf) for pdf in pdfs}
