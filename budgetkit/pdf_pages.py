"""What pdfplumber reads of each page of a PDF: its ruled tables and its lines of text, as plain data.

This is the part of reading a PDF that parses it, and it runs in a bounded child process
(:mod:`budgetkit.forked`); :mod:`budgetkit.extract.reading` and :mod:`budgetkit.extract.tables` make
prose and tables of what it returns. It imports nothing of budgetkit that imports pandas, so that
``python -m budgetkit check 文件.pdf`` starts reading the PDF (:func:`read_ahead`) before it imports
pandas, the reading and the imports running at once.

A page set sideways is first turned the right way up; white cell backgrounds are no ruling; a frame
around a paragraph is no table. What went wrong is said without words (:class:`PdfUnread`), as the
words are the parent's, in its language.
"""

from __future__ import annotations

import atexit
import io
import math
import os
import weakref
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .forked import READ_MEMORY_BYTES, Child, start

__all__ = ["MAX_PDF_PAGES", "FoundTable", "PageRead", "PdfUnread", "TextLine", "read_ahead", "read_pages", "reading_ahead",
           "taken_ahead"]

MAX_PDF_PAGES = 300


@dataclass(frozen=True)
class TextLine:
    """A line of text as pdfplumber clusters it (``extract_text_lines``), with its box and widest character."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    char_width: float


@dataclass(frozen=True)
class FoundTable:
    """A ruled table pdfplumber found (``find_tables``): its box, its cells' boxes and the text of each
    slot of its rows (``extract``, None where no cell starts)."""

    bbox: tuple[float, float, float, float]
    cells: list[tuple[float, float, float, float]]
    texts: list[list[str | None]]


@dataclass(frozen=True)
class PageRead:
    """One page: its tables, the lines of the whole page (read only when it has tables: their captions are
    among them) and the lines outside the tables (the prose)."""

    tables: list[FoundTable]
    lines: list[TextLine]
    prose: list[TextLine]


class PdfUnread(Exception):
    """The PDF could not be read: ``reason`` ``pages`` (``detail`` the page count), ``encrypted`` or
    ``unreadable`` (``detail`` the parser's error)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


def read_pages(path: Path) -> list[PageRead]:
    """Every page of the PDF at ``path``, read (at most MAX_PDF_PAGES)."""
    import pdfplumber  # lazy: only PDF reading needs it

    pages = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise PdfUnread("pages", str(len(pdf.pages)))
            for page in pdf.pages:
                page = upright(page)
                found = find_grids(page)
                lines = _lines(page) if found else []
                if found:
                    boxes = [table.bbox for table in found]
                    page = page.filter(lambda obj, boxes=boxes: not _inside_any(obj, boxes))
                tables = [FoundTable(tuple(table.bbox), list(table.cells), table.extract()) for table in found]
                pages.append(PageRead(tables, lines, _lines(page)))
    except PdfUnread:
        raise
    except Exception as error:  # pdfminer raises many types for broken files
        raise _unread(error) from None
    return pages


def _lines(page) -> list[TextLine]:
    return [TextLine(line["text"], line["x0"], line["top"], line["x1"], line["bottom"],
                     max((c["x1"] - c["x0"] for c in line.get("chars") or []), default=0.0))
            for line in page.extract_text_lines()]


def _unread(error: Exception) -> PdfUnread:
    """Why a PDF could not be read: pdfplumber wraps pdfminer's errors, often without a message."""
    cause = error.args[0] if type(error).__name__ == "PdfminerException" and error.args else error
    name = type(cause).__name__
    if name in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"):
        return PdfUnread("encrypted")
    detail = str(cause).strip()
    return PdfUnread("unreadable", f"{name}: {detail}" if detail else name)


def _inside_any(obj: dict, boxes: list[tuple]) -> bool:
    """Whether a character (or any layout object) has its centre inside one of ``boxes``."""
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _is_grid(found) -> bool:
    """Whether a ruled box pdfplumber found is a table: a frame around a paragraph has one column
    and is prose."""
    return len({cell[0] for cell in found.cells}) > 1


#: A fill colour that paints white, in gray, RGB or CMYK.
_WHITE = {(1,), (1, 1, 1), (0, 0, 0, 0)}


def _paints_white(obj: dict) -> bool:
    """A shape filled white and not stroked: a cell's background, invisible on the page. Its edges are
    no ruling (a sheet printed to PDF paints each cell and its padding white, splitting every row)."""
    if obj.get("object_type") not in ("rect", "curve") or not obj.get("fill") or obj.get("stroke"):
        return False
    colour = obj.get("non_stroking_color")
    colour = tuple(colour) if isinstance(colour, (list, tuple)) else (colour,)
    return colour in _WHITE


#: The PDF (pypdf's reading) each pdfplumber document's sideways pages are copied from, while it is open.
_PAGE_SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def upright(page):
    """``page`` the right way up: a page whose text is set sideways (its characters run up or down the
    page as displayed, with no /Rotate or the wrong one) is turned, by a /Rotate on a copy of it, so
    that its text runs left to right, as a reader turns the paper; any other page is itself."""
    turns = Counter(round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90
                    for a, b, *_ in (char.get("matrix", (1, 0)) for char in page.chars))
    turn, count = turns.most_common(1)[0] if turns else (0, 0)
    if not turn or 2 * count <= len(page.chars):
        return page
    import pdfplumber  # lazy, like the reading of every PDF
    import pypdf

    if page.pdf not in _PAGE_SOURCES:  # parsed once for all its sideways pages, apart from pdfplumber's stream
        _PAGE_SOURCES[page.pdf] = pypdf.PdfReader(page.pdf.path or _copied(page.pdf.stream))
    writer = pypdf.PdfWriter()
    writer.add_page(_PAGE_SOURCES[page.pdf].pages[page.page_number - 1])
    writer.pages[0].rotate(turn)
    copy = io.BytesIO()
    writer.write(copy)
    return pdfplumber.open(copy).pages[0]


def _copied(stream) -> io.BytesIO:
    """The bytes of ``stream``, its position left where it was (pdfminer reads on from there)."""
    at = stream.tell()
    stream.seek(0)
    copy = io.BytesIO(stream.read())
    stream.seek(at)
    return copy


def find_grids(page) -> list:
    """The ruled tables pdfplumber finds on ``page`` (its ``find_tables()``), read from the lines
    drawn on it: white backgrounds are not ruling, and a frame around a paragraph is not a table."""
    return [found for found in page.filter(lambda obj: not _paints_white(obj)).find_tables() if _is_grid(found)]


# -- reading ahead -----------------------------------------------------------------------------------------------

#: The PDFs being read ahead, by (real path, size, modification time): the child reading each.
_AHEAD: dict[tuple[str, int, int], Child] = {}


def _identity(path: Path) -> tuple[str, int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return os.path.realpath(path), status.st_size, status.st_mtime_ns


def read_ahead(arguments: list[str]) -> None:
    """Start reading each PDF named in ``arguments`` (a command line) in a bounded child now: what
    :func:`taken_ahead` gives the reader when it comes to that file. A PDF the command does not read
    is read for nothing, and its child stopped when this process ends."""
    if not hasattr(os, "fork"):  # pragma: no cover - POSIX only
        return
    for argument in arguments:
        path = Path(argument)
        if path.suffix.lower() != ".pdf" or not path.is_file():
            continue
        identity = _identity(path)
        if identity is not None and identity not in _AHEAD:
            if not _AHEAD:
                atexit.register(_stop_unread)
            _AHEAD[identity] = start(lambda path=path: read_pages(path), READ_MEMORY_BYTES)


def reading_ahead() -> bool:
    """Whether a PDF is being read ahead (:func:`read_ahead`) and not yet taken."""
    return bool(_AHEAD)


def taken_ahead(path: Path) -> Child | None:
    """The child reading ``path`` ahead (:func:`read_ahead`), if one is and the file is unchanged since."""
    identity = _identity(path)
    return _AHEAD.pop(identity, None) if identity is not None else None


def _stop_unread() -> None:
    for child in _AHEAD.values():
        child.stop()
    _AHEAD.clear()
