"""What a document unpacks to, checked before it is parsed.

A .docx or .xlsx is a zip archive and a PDF holds Flate-compressed streams: a file of a few kilobytes can
unpack to gigabytes, and a parser given it runs until the reading child's cap (:mod:`.bounded`) stops it,
minutes later. So before any parser sees the file its compressed parts are inflated here, a chunk at a
time, and counted against the limits below: a bomb is refused within a second, with one
:class:`~budgetkit.schema.BudgetDataError` naming the file and the limit, and never held in memory.

- a zip archive: the sizes its directory declares (in all, and the ratio of each member to its compressed
  size), then each member inflated and checked against its declared size and checksum: a member that
  unpacks to more than it declares is refused before it gets further;
- a PDF: every stream inflated, each within a limit and all together within a limit and a multiple of the
  file's size; and no run of digits longer than a number can be (issue 18: one made a 33 KB PDF take a
  minute in pdfminer; a number token is read whole, and a run of digits is not pixels unless the
  stream's dictionary says it is an image). Streams that do not inflate (not Flate, encrypted, damaged) are left to the parser, which
  the reading child still bounds.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from ..schema import BudgetDataError, problem

__all__ = [
    "MAX_DIGIT_RUN",
    "MAX_MEMBER_RATIO",
    "MAX_PDF_INFLATED_BYTES",
    "MAX_PDF_INFLATION_RATIO",
    "MAX_PDF_STREAMS",
    "MAX_PDF_STREAM_BYTES",
    "MAX_UNPACKED_BYTES",
    "MIN_PDF_INFLATED_BYTES",
    "RATIO_FLOOR_BYTES",
    "check_archive",
    "check_pdf_streams",
]

#: The sum of the uncompressed sizes a .docx's or .xlsx's members declare.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: How many times its compressed size one member may unpack to: Office's XML compresses 5 to 50 times (a
#: table of identical rows some 250 times), deflate at most 1032 times (a bomb of one element repeated some
#: 700). Checked for members over RATIO_FLOOR_BYTES only.
MAX_MEMBER_RATIO = 500
RATIO_FLOOR_BYTES = 1024 * 1024
#: What one PDF stream may inflate to: a page's content stream is kilobytes, an embedded CJK font a few MB,
#: a Flate image of an A4 page at 600 dpi in colour 100 MB. Images count too: pdfminer does not inflate
#: them, but a content stream is a bomb whatever its dictionary says it is.
MAX_PDF_STREAM_BYTES = 128 * 1024 * 1024
#: What all the streams of one PDF may inflate to together: MAX_PDF_INFLATION_RATIO times the file's size
#: (budgets' PDFs inflate 2 to 10 times), at least MIN_PDF_INFLATED_BYTES, at most MAX_PDF_INFLATED_BYTES.
MAX_PDF_INFLATION_RATIO = 100
MIN_PDF_INFLATED_BYTES = 32 * 1024 * 1024
MAX_PDF_INFLATED_BYTES = 256 * 1024 * 1024
#: Streams of one PDF: a budget's has tens to a few thousand (each tried costs some microseconds).
MAX_PDF_STREAMS = 50_000
#: Digits in a row in a PDF (a figure has tens; a hex string of glyph codes a few hundred).
MAX_DIGIT_RUN = 10_000

#: Zip compression methods: stored and deflate, the only ones Office, WPS and LibreOffice write.
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature …, file name length, extra field length
_INPUT_CHUNK = 64 * 1024
_OUTPUT_CHUNK = 1024 * 1024


def _fail(path: Path, key: str, **fields) -> BudgetDataError:
    return BudgetDataError([problem(str(path), None, None, key, **fields)])


# -- zip archives (.docx, .xlsx) ------------------------------------------------------------------

def check_archive(path: Path, kind: str, max_members: int | None = None) -> list[zipfile.ZipInfo]:
    """The members of a zip-packaged document, refused from the sizes they declare, then each inflated
    (never held whole) and refused if it unpacks to more than it declares or is damaged."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise _fail(path, "extract.not-a-zip", kind=kind) from None
    if max_members is not None and len(members) > max_members:
        raise _fail(path, "extract.too-many-members", count=len(members), kind=kind)
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail(path, "extract.zip-bomb", unpacked=unpacked, limit=MAX_UNPACKED_BYTES)
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_MEMBER_RATIO * max(member.compress_size, 1):
            raise _fail(path, "extract.zip-ratio", member=member.filename,
                        ratio=member.file_size // max(member.compress_size, 1), limit=MAX_MEMBER_RATIO)
    data = path.read_bytes()  # the size is bounded by MAX_DOCUMENT_BYTES before this is called
    for member in members:
        _check_member(path, data, member)
    return members


def _check_member(path: Path, data: bytes, member: zipfile.ZipInfo) -> None:
    """Inflate ``member`` from the archive's bytes to at most one byte more than it declares."""
    if member.compress_type not in (_STORED, _DEFLATED):
        raise _fail(path, "extract.zip-method", member=member.filename, method=member.compress_type)
    header = data[member.header_offset:member.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(header)[0] != b"PK\x03\x04":
        raise _fail(path, "extract.zip-member-misplaced", member=member.filename)
    _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    compressed = memoryview(data)[start:start + member.compress_size]
    if len(compressed) < member.compress_size:
        raise _fail(path, "extract.zip-member-truncated", member=member.filename)
    if member.compress_type == _STORED:
        if member.compress_size != member.file_size:
            raise _fail(path, "extract.zip-member-larger", member=member.filename, declared=member.file_size)
        crc = zlib.crc32(compressed)
    else:
        crc = _inflate_member(path, member, compressed)
    if crc != member.CRC:
        raise _fail(path, "extract.zip-member-checksum", member=member.filename)


def _inflated(decompressor, source: memoryview):
    """What ``source`` inflates to, a chunk of at most _OUTPUT_CHUNK bytes at a time, up to the end of its
    compressed stream (or of ``source``); a zlib.error where it is not a stream."""
    position = 0
    pending: bytes | memoryview = b""
    while not decompressor.eof:
        if not pending and position < len(source):
            pending, position = source[position:position + _INPUT_CHUNK], position + _INPUT_CHUNK
        out = decompressor.decompress(pending, _OUTPUT_CHUNK)
        pending = decompressor.unconsumed_tail
        if out:
            yield out
        elif not pending and position >= len(source):
            return  # all of it given, and nothing more comes out


def _inflate_member(path: Path, member: zipfile.ZipInfo, compressed: memoryview) -> int:
    """The CRC-32 of a deflated member, inflated a chunk at a time to at most a chunk more than it declares."""
    crc = produced = 0
    try:
        for out in _inflated(zlib.decompressobj(-zlib.MAX_WBITS), compressed):
            produced += len(out)
            if produced > member.file_size:
                raise _fail(path, "extract.zip-member-larger", member=member.filename, declared=member.file_size)
            crc = zlib.crc32(out, crc)
    except zlib.error as error:
        raise _fail(path, "extract.zip-member-damaged", member=member.filename, error=error) from None
    if produced < member.file_size:
        raise _fail(path, "extract.zip-member-truncated", member=member.filename)
    return crc


# -- PDF streams ------------------------------------------------------------------------------------

#: What a stream's dictionary says of an image (its data is pixels, where digits in a row mean nothing).
_IMAGE = re.compile(rb"/Subtype\s*/Image")
#: Every digit as 0, so that a run of more than MAX_DIGIT_RUN digits is one substring search (in C).
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_TOO_MANY_DIGITS = b"0" * (MAX_DIGIT_RUN + 1)
#: How far before a stream's keyword its dictionary is looked for.
_DICTIONARY_REACH = 4096


def check_pdf_streams(path: Path) -> None:
    """Refuse a PDF whose streams inflate beyond the limits, or that holds a run of digits too long to
    be a number (see the module's docstring)."""
    data = path.read_bytes()  # the size is bounded by MAX_DOCUMENT_BYTES before this is called
    total_limit = min(MAX_PDF_INFLATED_BYTES, max(MIN_PDF_INFLATED_BYTES, MAX_PDF_INFLATION_RATIO * len(data)))
    total = 0
    # every stream is tried, whatever its dictionary names (a /Filter may be an indirect object): one that
    # is not Flate fails on its first bytes
    for count, (keyword, start) in enumerate(_stream_starts(data), start=1):
        if count > MAX_PDF_STREAMS:
            raise _fail(path, "extract.pdf-too-many-streams", limit=MAX_PDF_STREAMS)
        total += _inflate_stream(path, data, keyword, start, total_limit - total, total_limit)
    digits = data.translate(_DIGITS_AS_ZERO)
    run = digits.find(_TOO_MANY_DIGITS)
    while run >= 0:
        pixels_end = _image_data_end(data, run)
        if pixels_end is None:
            raise _fail(path, "extract.pdf-digit-run", offset=run, limit=MAX_DIGIT_RUN)
        run = digits.find(_TOO_MANY_DIGITS, pixels_end)


def _is_image(data: bytes, keyword: int) -> bool:
    """Whether the dictionary before the ``stream`` keyword at ``keyword`` says the stream is an image."""
    opening = data.rfind(b"obj", max(0, keyword - _DICTIONARY_REACH), keyword)
    return opening >= 0 and _IMAGE.search(data, opening, keyword) is not None


def _image_data_end(data: bytes, at: int) -> int | None:
    """Where the data of the unfiltered image that byte ``at`` is part of ends; None when ``at`` is not in
    the data of an image (looked up only for a run of digits, which real files do not have)."""
    keyword = data.rfind(b"stream", 0, at)
    if keyword < 0 or data[keyword - 3:keyword] == b"end" or not _is_image(data, keyword):
        return None
    end = data.find(b"endstream", keyword)
    return end if end > at else None


def _stream_starts(data: bytes):
    """Where each ``stream`` keyword is (not the end of ``endstream``) and where its data starts, after
    the end of line that follows it (found with bytes.find: a regular expression takes several times longer)."""
    keyword = data.find(b"stream")
    while keyword >= 0:
        after = keyword + len(b"stream")
        if not (keyword and data[keyword - 1:keyword].isalpha()):
            if data[after:after + 2] == b"\r\n":
                yield keyword, after + 2
            elif data[after:after + 1] in (b"\n", b"\r"):
                yield keyword, after + 1
        keyword = data.find(b"stream", after)


def _inflate_stream(path: Path, data: bytes, keyword: int, start: int, total_left: int, total_limit: int) -> int:
    """The bytes the Flate stream starting at ``start`` inflates to, refused past MAX_PDF_STREAM_BYTES or
    past ``total_left`` (what the file's other streams left of ``total_limit``), or for a run of digits
    unless it is an image. A stream that does not inflate counts what it gave before its error, as
    pdfminer salvages that much."""
    produced = carry = 0  # carry: the digits ending the output so far
    pixels = False  # an image, found so at its first long run of digits
    try:
        for out in _inflated(zlib.decompressobj(), memoryview(data)[start:]):
            produced += len(out)
            if produced > MAX_PDF_STREAM_BYTES:
                raise _fail(path, "extract.pdf-stream-bomb", offset=start, limit=MAX_PDF_STREAM_BYTES)
            if produced > total_left:
                raise _fail(path, "extract.pdf-inflation-bomb", limit=total_limit, ratio=MAX_PDF_INFLATION_RATIO,
                            floor=MIN_PDF_INFLATED_BYTES, cap=MAX_PDF_INFLATED_BYTES)
            if not pixels:
                carry = _digits_ending(out, carry)
                if carry is None:
                    pixels = _is_image(data, keyword)
                    if not pixels:
                        raise _fail(path, "extract.pdf-stream-digit-run", offset=start, limit=MAX_DIGIT_RUN)
    except zlib.error:
        pass  # not Flate, or damaged from here on
    return produced


def _digits_ending(out: bytes, carry: int) -> int | None:
    """The digits in a row ending ``out``, counted on from ``carry`` (those ending the output before it);
    None when ``out`` makes a run of more than MAX_DIGIT_RUN."""
    digits = out.translate(_DIGITS_AS_ZERO)
    leading = len(digits) - len(digits.lstrip(b"0"))
    if carry + leading > MAX_DIGIT_RUN or _TOO_MANY_DIGITS in digits:
        return None
    if leading == len(digits):
        return carry + leading
    return len(digits) - len(digits.rstrip(b"0"))
