"""Reading a budget explanation (.txt, .docx, .pdf) or its tables (.xlsx, .xls) into lines of text
and tables, and normalising the text.

The text returned is what claims point into: for a .txt file it is the file's own text, so
locators hold against the published document; for .docx and .pdf it is the prose this module
reconstructs (paragraphs in document order; PDF line wraps joined), for a workbook the titles and
banners of its sheets. Tables are read as tables (:mod:`.tables`, :mod:`.office_tables`) and
rendered after the prose by the extractor; the whole is written next to the package as
``raw/<name>.txt``.

Everything here treats the input as untrusted: sizes are bounded before anything is parsed,
what a .docx, .xlsx or PDF unpacks to is checked before it is parsed (:mod:`.unpacking`: zip and
compression bombs, a member larger than it declares, a run of digits no number has), a .docx is checked
for XML entity tricks before it is opened, reading runs in a child bounded in time and memory (:mod:`.bounded`),
tables are bounded in sheets, rows, columns and cells, and every failure is one
:class:`~budgetkit.schema.BudgetDataError` naming the file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..messages import text
from ..numbers import PINYIN_ANNOTATION, simplified, simplified_text
from ..schema import BudgetDataError, Problem, read_text
from ..pdf_pages import MAX_PDF_PAGES, PdfUnread, TextLine, read_pages, taken_ahead
from .bounded import bounded, collect
from .office_tables import PlacedCell, TableLimits, placed_tables, read_workbook
from .tables import ReadTable, join_continued, page_tables
from .text_tables import cell_tables
from .unpacking import check_archive, check_pdf_streams

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_TABLE_CELLS",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "MAX_TEXT_BYTES",
    "MAX_WORKBOOK_SHEETS",
    "Document",
    "NormalLine",
    "join_wrapped_lines",
    "normalize_line",
    "read_document",
]

#: A budget explanation is tens of kilobytes; these bounds keep hostile files cheap to refuse.
MAX_TEXT_BYTES = 2 * 1024 * 1024
#: Characters of text read out of a .docx or PDF (a long budget explanation has ~100 000).
MAX_TEXT_CHARS = 1_000_000
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_LINES = 50_000
#: A budget's workbook has one sheet per official table (9 to 15); a few more for notes.
MAX_WORKBOOK_SHEETS = 100
#: Rows and columns of one table (a sheet's used range, a .docx table): a long 项目支出表 has a few thousand rows.
MAX_TABLE_ROWS = 10_000
MAX_TABLE_COLUMNS = 200
#: Slots of all the tables of one workbook or .docx together (a budget's tables have some ten thousand).
MAX_TABLE_CELLS = 300_000


def _table_limits() -> TableLimits:
    # read at each call, so that a test may lower them
    return TableLimits(sheets=MAX_WORKBOOK_SHEETS, rows=MAX_TABLE_ROWS, columns=MAX_TABLE_COLUMNS,
                       cells=MAX_TABLE_CELLS)


@dataclass(frozen=True)
class Document:
    """A document's text as the claims will point into it."""

    path: Path
    format: str  # txt, docx, pdf, xlsx or xls
    text: str
    tables: tuple[ReadTable, ...] = ()  # its tables, read as tables (not in ``text``: they are not prose)
    also: tuple[Path, ...] = ()  # the other files of the budget read with this one (its tables published apart)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _fail(path: Path, message: str, line: int | None = None) -> BudgetDataError:
    return BudgetDataError([Problem(str(path), line, None, message)])


def read_document(source: str | Path) -> Document:
    """Read ``source`` by its suffix: .txt (UTF-8, UTF-8 with BOM, GBK, GB18030), .docx, .pdf, .xlsx or .xls."""
    path = Path(source)
    tables: tuple[ReadTable, ...] = ()
    if not path.is_file():
        raise _fail(path, text("extract.file-not-found"))
    suffix = path.suffix.lower()
    size = path.stat().st_size
    # the parser is imported here, once, not in each reading child (lazy still: only documents need it)
    if suffix == ".docx":
        import docx  # noqa: F401

        content, tables = bounded(lambda: _read_docx(path, size, _table_limits()), path)
    elif suffix in (".xlsx", ".xls"):
        import python_calamine  # noqa: F401

        content, tables = bounded(lambda: _read_workbook(path, size, _table_limits()), path)
    elif suffix == ".pdf":  # its pages are parsed in a bounded child: see _read_pdf
        content, tables = _read_pdf(path, size)
    elif suffix in (".txt", ".text", ""):
        if size > MAX_TEXT_BYTES:
            raise _fail(path, text("extract.text-too-large", size=size, limit=MAX_TEXT_BYTES))
        # universal newlines: a CR (with or without LF) ends a line, and a CR left inside a line would end
        # a row of the claims.csv written from it
        content = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
        if "\x00" in content:
            raise _fail(path, text("extract.nul-characters"), content[: content.index("\x00")].count("\n") + 1)
        suffix = ".txt"
        # a table's title ends in 表; a text too long is refused below
        if "表" in content and len(content) <= MAX_TEXT_CHARS and content.count("\n") < MAX_LINES:
            lines = content.split("\n")  # tables printed one cell per line
            kept, found = cell_tables(lines, [normalize_line(line).text for line in lines])
            content, tables = "\n".join(kept), tuple(found)
    else:
        raise _fail(path, text("extract.unsupported-type", suffix=path.suffix))
    if len(content) > MAX_TEXT_CHARS:
        raise _fail(path, text("extract.too-many-characters", count=len(content), limit=MAX_TEXT_CHARS))
    if content.count("\n") >= MAX_LINES:
        raise _fail(path, text("extract.too-many-lines", limit=MAX_LINES))
    return Document(path=path, format=suffix.lstrip("."), text=content, tables=tables)


# -- workbooks -----------------------------------------------------------------------------

def _read_workbook(path: Path, size: int, limits: TableLimits) -> tuple[str, tuple[ReadTable, ...]]:
    """A workbook's tables (:func:`.office_tables.read_workbook`), its size checked first; an .xlsx is
    a zip archive, checked for a zip bomb before calamine inflates it (an .xls is one compound file,
    bounded by its size). Its XML is parsed by calamine (quick-xml, which expands no declared entity)
    and openpyxl (through defusedxml)."""
    if size > MAX_DOCUMENT_BYTES:
        raise _fail(path, text("extract.document-too-large", size=size, limit=MAX_DOCUMENT_BYTES,
                               kind=path.suffix.lower()))
    if path.suffix.lower() == ".xlsx":
        check_archive(path, ".xlsx")
    return read_workbook(path, limits)


# -- .docx --------------------------------------------------------------------------------

def _read_docx(path: Path, size: int, limits: TableLimits) -> tuple[str, tuple[ReadTable, ...]]:
    if size > MAX_DOCUMENT_BYTES:
        raise _fail(path, text("extract.document-too-large", size=size, limit=MAX_DOCUMENT_BYTES, kind=".docx"))
    members = check_archive(path, ".docx", max_members=2000)
    try:
        with zipfile.ZipFile(path) as archive:
            _check_xml_members(path, archive, members)
    except zipfile.BadZipFile:
        raise _fail(path, text("extract.not-a-zip", kind=".docx")) from None
    import docx  # lazy: python-docx is only needed here
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise _fail(path, text("extract.docx-unreadable", error=f"{type(error).__name__}: {error}")) from None
    except Exception as error:  # lxml.etree.XMLSyntaxError and friends: still one clear message
        raise _fail(path, text("extract.docx-unreadable", error=f"{type(error).__name__}: {error}")) from None
    return _docx_content(path, document, limits)


class _NoTree:
    """A parser target that builds nothing: the XML is only checked, its elements not made into objects."""

    def close(self) -> None:
        return None


def _check_xml_members(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Parse every XML part with defusedxml first, a chunk at a time and building no tree (a million
    elements cost no memory and a third of the time): a DTD or entity declaration is refused."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        parser = DefusedXMLParser(target=_NoTree(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    parser.feed(chunk)
            parser.close()
        except DefusedXmlException as error:
            raise _fail(path, text("extract.xml-refused", member=member.filename, error=type(error).__name__)) from None
        except ParseError as error:
            raise _fail(path, text("extract.xml-malformed", member=member.filename, error=error)) from None


def _docx_content(path: Path, document, limits: TableLimits) -> tuple[str, tuple[ReadTable, ...]]:
    """The paragraphs in document order (the prose) and the tables, each read as a table: a row read
    as a sentence would glue a label of one column to a figure of another, as in a PDF. A table's
    caption is the paragraphs just above it (its title, its 单位 banner), which stay in the prose too."""
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    tables: list[ReadTable] = []
    since_table: list[str] = []  # the paragraphs since the last table
    number = slots = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            if len(lines) >= MAX_LINES:  # refused now, not after reading a million empty paragraphs
                raise _fail(path, text("extract.too-many-lines", limit=MAX_LINES))
            lines.append(Paragraph(block, document).text)
            since_table.append(lines[-1])
        elif tag == "tbl":
            rows, columns = _docx_table_size(path, block, number + 1, limits)
            if columns <= 1:  # a one-column table frames paragraphs (a text box): prose, as a PDF's frame is
                framed = [line for row in _table_rows(block) if row for line in row[0][0].split("\n")]
                lines.extend(framed)
                since_table.extend(framed)
                continue
            number += 1
            slots += rows * columns
            if slots > limits.cells:
                raise _fail(path, text("extract.docx-table-cells", number=number, cells=slots, limit=limits.cells))
            caption = [line.strip() for line in since_table if line.strip()][-3:]
            tables.extend(_docx_tables(block, number, caption))
            since_table = []
    return "\n".join(line.replace("\r", "") for line in lines), tuple(tables)


def _docx_table_size(path: Path, table, number: int, limits: TableLimits) -> tuple[int, int]:
    """The rows and columns of a w:tbl (its declared grid, or its widest row, cells counted with the columns
    they span), refused over the limits before its cells' text is read."""
    rows = table.findall(f"{_W}tr")
    if len(rows) > limits.rows:
        raise _fail(path, text("extract.docx-table-rows", number=number, rows=len(rows), limit=limits.rows))
    grid = table.find(f"{_W}tblGrid")
    declared = len(grid.findall(f"{_W}gridCol")) if grid is not None else 0
    columns = max([declared, *(sum(_cell_span(tc)[0] for tc in row.iterchildren(f"{_W}tc")) for row in rows)])
    if columns > limits.columns:
        raise _fail(path, text("extract.docx-table-columns", number=number, columns=columns, limit=limits.columns))
    return len(rows), columns


def _docx_tables(table, number: int, caption: list[str]) -> list[ReadTable]:
    """A w:tbl as tables on a grid: each cell placed once, at its first slot, spanning its gridSpan
    columns and the rows its vertical merge continues over."""
    rows = _table_rows(table)
    placed: dict[tuple[int, int], list] = {}  # top-left slot → [rows, columns, text]
    origin_of: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c, (content, span, continues) in enumerate(row):
            if span == 0:
                continue  # a later slot of a cell spanning columns
            above = origin_of.get((r - 1, c))
            if continues and above is not None and placed[above][1] == span:
                placed[above][0] = r - above[0] + 1
                origin = above
            else:
                placed[(r, c)] = [1, span, content]
                origin = (r, c)
            for k in range(c, c + span):
                origin_of[(r, k)] = origin
    columns = max((len(row) for row in rows), default=0)
    cells = [PlacedCell(r, c, height, width, content) for (r, c), (height, width, content) in placed.items()]
    return placed_tables(cells, len(rows), columns, number, caption=caption)


#: The namespace of WordprocessingML elements (w:tr, w:tc, w:p …).
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _table_rows(table) -> list[list[tuple[str, int, bool]]]:
    """Each grid column of each row of a w:tbl as (text, span, continues): the text Word shows there
    (a cell spanning columns (gridSpan) repeated over them, a cell continuing a vertical merge (vMerge)
    taking the text above it), the columns the cell spans at its first slot and 0 at the others, and
    whether it continues the cell above. Read from the XML in one pass (python-docx resolves merges row
    by row, quadratic in a long merge, and raises on a gridSpan that is not a number)."""
    from docx.text.paragraph import Paragraph

    rows: list[list[tuple[str, int, bool]]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        above = rows[-1] if rows else []
        row: list[tuple[str, int, bool]] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            span, continues = _cell_span(tc)
            column = len(row)
            continues = continues and column < len(above)
            if continues:
                text = above[column][0]
            else:
                text = "\n".join(Paragraph(p, None).text for p in tc.iterchildren(f"{_W}p"))
            row.extend([(text, span, continues)] + [(text, 0, continues)] * (span - 1))
        rows.append(row)
    return rows


def _cell_span(tc) -> tuple[int, bool]:
    """The grid columns a w:tc spans (gridSpan, 1 when absent or no number from 1 to 64) and whether it
    continues the vertical merge of the cell above it (vMerge without val="restart")."""
    properties = tc.find(f"{_W}tcPr")
    if properties is None:
        return 1, False
    grid_span = properties.find(f"{_W}gridSpan")
    value = grid_span.get(f"{_W}val") if grid_span is not None else None
    span = int(value) if value and value.isdigit() and 0 < int(value) <= 64 else 1
    merge = properties.find(f"{_W}vMerge")
    return span, merge is not None and merge.get(f"{_W}val") in (None, "continue")


# -- PDF ------------------------------------------------------------------------------------

def _read_pdf(path: Path, size: int) -> tuple[str, tuple[ReadTable, ...]]:
    """The prose of a PDF and its tables. A table (pdfplumber's ruled tables) is not prose: a row
    read as a sentence glues a label of one column to a figure of another, so its characters are
    left out of the prose and the table is read as a table (:mod:`.tables`).
    A page number alone on the first or last line of a page is left out too: joined to the next
    line it would become part of a figure ("19" + "3．…" read as 193).
    The pages are parsed in a bounded child (:func:`~budgetkit.pdf_pages.read_pages`), which
    ``python -m budgetkit`` may have started already (:func:`~budgetkit.pdf_pages.read_ahead`)."""
    ahead = taken_ahead(path)
    try:
        if size > MAX_DOCUMENT_BYTES:
            raise _fail(path, text("extract.document-too-large", size=size, limit=MAX_DOCUMENT_BYTES, kind="PDF"))
        bounded(lambda: check_pdf_streams(path), path)
    except BaseException:  # refused before its pages are taken: the child reading them ahead is stopped
        if ahead is not None:
            ahead.stop()
        raise
    try:
        if ahead is not None:
            pages = collect(ahead, path)
        else:
            import pdfplumber  # noqa: F401 - imported here once, not in each reading child

            pages = bounded(lambda: read_pages(path), path)
    except PdfUnread as unread:
        if unread.reason == "pages":
            raise _fail(path, text("extract.pdf-pages", pages=int(unread.detail), limit=MAX_PDF_PAGES)) from None
        if unread.reason == "encrypted":
            raise _fail(path, text("extract.pdf-encrypted")) from None
        raise _fail(path, text("extract.pdf-unreadable", error=unread.detail)) from None
    page_lines: list[str] = []
    full_lines: list[bool] = []
    tables: list[ReadTable] = []
    for number, page in enumerate(pages, start=1):
        if page.tables:
            tables.extend(page_tables(page, number))
        lines = _without_page_numbers(page.prose)
        # a line reaching the page's right margin wrapped: it goes on in the next line
        right = max((line.x1 for line in lines), default=0)
        page_lines.extend(line.text for line in lines)
        full_lines.extend(line.x1 >= right - 2 * line.char_width for line in lines)
    if not any(line.strip() for line in page_lines) and not tables:
        raise _fail(path, text("extract.pdf-no-text"))
    return join_wrapped_lines(page_lines, full_lines), tuple(join_continued(tables))


#: A page number printed alone: 7, - 7 -, 第7页, 7/31.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–─－]\s*)?(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*/\s*\d{1,3})?(?:\s*[-—–─－])?\s*$")


def _without_page_numbers(lines: list[TextLine]) -> list[TextLine]:
    lines = [line for line in lines if line.text.strip()]
    if lines and _PAGE_NUMBER.match(simplified_text(lines[-1].text)):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.match(simplified_text(lines[0].text)):
        lines = lines[1:]
    return lines


_SENTENCE_END = re.compile(r"[。；：！？:;]\s*$")
#: A template heading that happens to fill the line: numbered, no clause in it, a title's last word.
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）)[^，。；]{1,60}"
                      r"(?:说明|情况|解释|构成|工作|经费|职责|职能)\s*$")
_ENDS_IN_NUMBER = re.compile(r"[\d.,，．]$")
_STARTS_WITH_UNIT = re.compile(r"^\s*(?:亿元|万元|元|%|％|人|辆|个|场|名|期|台|[\d.,．，])")


def join_wrapped_lines(lines: list[str], full: list[bool] | None = None) -> str:
    """Undo a PDF's line wraps: a full-width line that does not end a sentence continues on the
    next (the text wrapped); a number split from its unit or its digits always joins. A short
    line ends its paragraph or is a heading. A line is full when about as long as most long lines,
    or when ``full`` (the page's geometry) says it reaches the right margin: digits are narrower
    than Han characters, so a justified line of figures reaches the margin in fewer characters."""
    out: list[str] = []
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0  # the page's full line width
    full = [len(line.strip()) >= 0.85 * width or bool(full and full[i]) for i, line in enumerate(lines)]
    last_full = False
    for raw, is_full in zip(lines, full):
        line = raw.rstrip()
        if not line.strip():
            last_full = False
            continue
        if out:
            previous = out[-1]  # the unit and heading patterns are written in simplified characters
            split_number = bool(_ENDS_IN_NUMBER.search(previous)) and bool(_STARTS_WITH_UNIT.match(simplified_text(line)))
            heading = bool(_HEADING.match(simplified_text(previous)))
            if split_number or (last_full and not heading and not _SENTENCE_END.search(previous)):
                out[-1] = previous + line.lstrip()
                last_full = is_full
                continue
        out.append(line)
        last_full = is_full
    return "\n".join(out)


# -- normalisation with a map back to the original characters -------------------------------

#: Chinese punctuation kept as printed (NFKC would fold it to ASCII and lose clause breaks).
_KEEP = set("（）：，；。、“”‘’！？《》【】·")
_FOLD = {"(": "（", ")": "）", ":": "：", ";": "；", "!": "！", "?": "？", "\u3000": " ", "\u00a0": " ", "\t": " "}


@dataclass(frozen=True)
class NormalLine:
    """A line folded for matching (NFKC digits and %, Chinese punctuation kept full-width,
    traditional characters folded to simplified: 萬元 → 万元), with ``origin[i]`` the index in the
    original line of normalised character ``i``. ``original`` is the line as printed."""

    original: str
    text: str
    origin: Sequence[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original character span of normalised characters ``start:end``."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    if char in _KEEP:
        return char
    folded = unicodedata.normalize("NFKC", char)
    if "\u2044" in folded:  # a vulgar fraction (¼ → 1⁄4): no digits of a figure, kept as printed
        return char
    return "".join(simplified(_FOLD.get(c, c)) for c in folded)


#: An ASCII comma that is not a thousands separator (digit, comma, exactly three digits) is a clause break.
_LONE_COMMA = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))")


#: Spaces between Han characters ("收 入 、 支 出 预 算 总 计"): typesetting, not words; read past.
_SPACED_HAN = re.compile(r"(?<=[\u4e00-\u9fff、，（）“”])[ \u3000]+(?=[\u4e00-\u9fff、，（）“”])")


def normalize_line(line: str) -> NormalLine:
    folds = {char: _fold(char) for char in set(line)}
    skipped = {i for match in PINYIN_ANNOTATION.finditer(line) for i in range(*match.span())} if "(" in line or "（" in line else set()
    if " " in line or "\u3000" in line:
        skipped |= {i for match in _SPACED_HAN.finditer(line) for i in range(*match.span())}
    if skipped:
        pieces, positions = [], []
        for index, char in enumerate(line):
            if index not in skipped:
                pieces.append(folds[char])
                positions.extend([index] * len(folds[char]))
        text, origin = "".join(pieces), tuple(positions)
    elif all(len(folded) == 1 for folded in folds.values()):
        # the usual case: every character folds to one, so offsets are unchanged (done in C)
        text = line.translate({ord(char): folded for char, folded in folds.items() if folded != char})
        origin: Sequence[int] = range(len(line))
    else:
        pieces, positions = [], []
        for index, char in enumerate(line):
            folded = folds[char]
            pieces.append(folded)
            positions.extend([index] * len(folded))
        text, origin = "".join(pieces), tuple(positions)
    if "," in text:
        text = _LONE_COMMA.sub("，", text)
    return NormalLine(original=line, text=text, origin=origin)
