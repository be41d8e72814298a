"""Printed figures: parsing them as typed, and interval arithmetic on what they can stand for.

A figure printed with ``d`` decimals stands for every value that rounds to it, the interval
``value ± ½·10⁻ᵈ`` (the XBRL Calculations 1.1 convention). Sums add intervals; shares and
changes are computed on intervals; two figures agree when their intervals overlap. All
arithmetic is on :class:`decimal.Decimal`, so 833.05 + 7.95 is exactly 841.00.

Standard library only: this layer must stay importable without pandas (OpenCC, which folds
traditional characters, is imported the first time a traditional character is met).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

from .messages import text
from .once import once
from .template import MONEY_UNITS

__all__ = [
    "Figure",
    "FigureError",
    "Interval",
    "MONEY_UNITS",
    "PINYIN_ANNOTATION",
    "PINYIN_LETTERS",
    "PLACEHOLDER_PATTERN",
    "WORD_FIGURES",
    "folding_characters",
    "normalize_text",
    "parse_figure",
    "simplified",
    "simplified_text",
    "wan_yuan_to_yuan",
]

#: Words that state a quantity without digits. Each means exactly zero (no rounding).
WORD_FIGURES = {
    "持平": Decimal(0),  # "与2023年持平": a change of exactly zero
    "无变化": Decimal(0),
    "未安排": Decimal(0),  # "2024年未安排公务用车购置费": nothing budgeted
    "没有使用": Decimal(0),  # "没有使用政府性基金预算拨款安排的支出"
}


#: Unfilled template text that survives publication: ××, （未）, 增长（下降）; matched in the text as
#: printed, so in traditional characters too (增長（下降）, 增加（減少）).
#: Template text left unfilled: ××, （未）, a pair of directions (增长（下降）, 下降（增长）), a blank where the
#: figure goes (占 %, 减少 万元). RE2-compatible (no lookaround): DuckDB runs it over a collection's lines too.
PLACEHOLDER_PATTERN = re.compile(
    r"[×xX＊*]{2,}|（未）|\(未\)"
    r"|(?:增[长長加]|[减減]少|下降|上升)[（(](?:下降|[减減]少|增[长長加]|降低|上升)[）)]"
    r"|占\s{0,2}[%％]|(?:增加|[减減]少|增[长長]|下降)\s{0,2}[万萬]元")

# One optional sign, digits with optional thousands separators, optional decimals.
# Anchored and free of nested quantifiers, so it cannot backtrack catastrophically.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
#: ASCII digits with optional decimals, no sign, separator or space: most figures in a table.
_PLAIN_NUMBER = re.compile(r"\d+(?:\.(\d+))?", re.ASCII)


class FigureError(ValueError):
    """A printed figure that cannot be read as a number: the message ``key`` of what is wrong and its
    ``fields``, written in the current language when raised."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(text(key, **fields))

    def __reduce__(self):
        return _figure_error, (self.key, self.fields)


def _figure_error(key: str, fields: dict) -> FigureError:
    return FigureError(key, **fields)


def normalize_text(text: str) -> str:
    """Fold full-width digits and punctuation to their ASCII forms (NFKC): ８４０．９９ → 840.99, ％ → %,
    and traditional characters to simplified ones (沒有使用 → 没有使用)."""
    text = unicodedata.normalize("NFKC", text)
    return text if text.isascii() else simplified_text(text)


@once
def _t2s():
    """OpenCC's traditional → simplified converter, made on first use (``import budgetkit`` does not load it)."""
    import opencc  # lazy: only text with CJK characters in it needs it

    return opencc.OpenCC("t2s").convert


#: Pinyin some sites print after a character ("預(yù)算"): not part of the words, read past.
#: ``PINYIN_LETTERS`` alone is for engines without look-behind (Arrow's RE2), to find lines that may hold one.
PINYIN_LETTERS = "[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüḿ]{1,6}[）)]"
PINYIN_ANNOTATION = re.compile(r"(?<=[\u4e00-\u9fff])" + PINYIN_LETTERS)

#: The blocks of CJK characters (unified ideographs with extension A, compatibility ideographs) where
#: OpenCC folds a traditional character to a simplified one.
_CJK_BLOCKS = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))


@once
def folding_characters() -> str:
    """Every character of the CJK blocks that :func:`simplified` turns into another one (預, 萬 …), in code
    order: found by one OpenCC call over the blocks, one character a line, not one call per character."""
    chars = [chr(code) for first, last in _CJK_BLOCKS for code in range(first, last + 1)]
    converted = _t2s()("\n".join(chars)).split("\n")
    return "".join(char for char, into in zip(chars, converted) if len(into) == 1 and into != char)


@lru_cache(maxsize=8192)
def simplified(char: str) -> str:
    """One character in simplified form (預 → 预, 萬 → 万), converted on its own by OpenCC (t2s) so
    that offsets stay exact; a character that would not become exactly one character stays as it is."""
    if char < "\u2e80" or "\ud800" <= char <= "\udfff":  # not CJK (and no lone surrogate reaches OpenCC)
        return char
    converted = _t2s()(char)
    return converted if len(converted) == 1 else char


class _Simplifying(dict):
    """The table ``str.translate`` folds by: each character's code to :func:`simplified` of it, filled as met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = simplified(chr(code))
        return folded


_SIMPLIFYING = _Simplifying()


def simplified_text(text: str) -> str:
    """``text`` with every character :func:`simplified`, one for one (offsets stay exact), at the speed of
    ``str.translate``: the audit folds every line of every document it matches template words in."""
    return text.translate(_SIMPLIFYING)


@dataclass(frozen=True)
class Figure:
    """A number as printed: its exact value and the decimals it was printed with.

    ``decimals`` is ``None`` for a figure that is exact by nature (a word such as 持平).
    """

    value: Decimal
    decimals: int | None

    @property
    def interval(self) -> Interval:
        return Interval.around(self.value, self.decimals)


def parse_figure(text: str) -> Figure:
    """Read a figure as typed in a document.

    Accepts full-width digits (８４０．９９), thousands separators (1,085,203.63), spaces inside
    the number (``1 085``), and the words of :data:`WORD_FIGURES`. Raises :class:`FigureError`
    with the offending text for anything else, including template placeholders such as ××.
    """
    if not isinstance(text, str):
        raise FigureError("data.figure-not-text", kind=type(text).__name__)
    if plain := _PLAIN_NUMBER.fullmatch(text):
        # the usual cell (840.99): what the general path below gives, without normalising the text
        return Figure(Decimal(text), len(plain.group(1)) if plain.group(1) else 0)
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped not in WORD_FIGURES and not stripped.isascii():
        stripped = normalize_text(stripped)  # traditional characters too: 沒有使用 → 没有使用
    if stripped in WORD_FIGURES:
        return Figure(WORD_FIGURES[stripped], None)
    compact = stripped.replace(" ", "").replace("\u3000", "")
    match = _NUMBER.fullmatch(compact)
    if match is None:
        if PLACEHOLDER_PATTERN.search(stripped):
            raise FigureError("data.figure-placeholder", text=repr(text))
        raise FigureError("data.figure-not-number", text=repr(text))
    try:
        value = Decimal(compact.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid literals
        raise FigureError("data.figure-not-number", text=repr(text)) from error
    decimals = len(match.group(1)) if match.group(1) else 0
    return Figure(value, decimals)


def wan_yuan_to_yuan(amount: Decimal) -> Decimal:
    """Convert 万元 to 元, exactly (1 万元 = 10 000 元)."""
    return amount * int(1 / MONEY_UNITS["元"])  # an integer factor keeps the printed scale (841.00 → 8410000.00)


def _half_unit(decimals: int | None) -> Decimal:
    if decimals is None:
        return Decimal(0)
    return Decimal(5).scaleb(-decimals - 1)


@dataclass(frozen=True)
class Interval:
    """A closed interval ``[lo, hi]`` of exact decimals."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def around(cls, value: Decimal, decimals: int | None) -> Interval:
        """The values a figure printed with ``decimals`` decimals can stand for."""
        half = _half_unit(decimals)
        return cls(value - half, value + half)

    @classmethod
    def exact(cls, value: Decimal) -> Interval:
        return cls(value, value)

    @property
    def mid(self) -> Decimal:
        return (self.lo + self.hi) / 2

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def ratio_pct(self, whole: Interval) -> Interval | None:
        """``self ÷ whole × 100`` for non-negative intervals; ``None`` when the whole can be zero."""
        if whole.lo <= 0:
            return None
        with localcontext() as context:
            context.prec = 28
            bounds = [a / b * 100 for a in (self.lo, self.hi) for b in (whole.lo, whole.hi)]
        return Interval(min(bounds), max(bounds))

    def overlaps(self, other: Interval) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def gap(self, other: Interval) -> Decimal:
        """The distance between two intervals; zero when they overlap."""
        if self.overlaps(other):
            return Decimal(0)
        return max(other.lo - self.hi, self.lo - other.hi)

    def contains(self, value: Decimal) -> bool:
        return self.lo <= value <= self.hi

    def __str__(self) -> str:
        return f"[{self.lo}, {self.hi}]"
