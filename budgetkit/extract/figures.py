"""The figures printed in a line: tokens (number, unit, qualifier) and the records extraction makes of them.

Every regular expression here is linear: bounded repeats, no nested quantifiers over the same
characters, so hostile input cannot make matching backtrack catastrophically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import template
from ..numbers import WORD_FIGURES
from ..schema import claim_units
from .labels import MARKER

__all__ = [
    "MAX_DECIMALS",
    "MAX_INTEGER_DIGITS",
    "MONEY_UNITS",
    "SCHEMA_UNITS",
    "YEAR",
    "ExtractedFigure",
    "Token",
    "Unparsed",
    "first_money_after",
    "qualifier",
    "tokenize",
]

MONEY_UNITS = frozenset(template.MONEY_UNITS)
#: Units the claims schema accepts (datapackage.json claims.unit enum); other units are reported unread.
SCHEMA_UNITS = claim_units()
#: Digits beyond these are not a budget figure (and would not fit the exact decimal column).
MAX_INTEGER_DIGITS = 14
MAX_DECIMALS = 4
#: A year the data model accepts (1950–2099): a mistyped "1023年" is not taken as a year.
YEAR = r"((?:19[5-9]|20\d)\d)"

_FIGURE = re.compile(
    r"(?<![\d.])(?:\d{1,3}(?:,\d{3}){1,6}(?![\d,])|\d{1,3}(?: \d{3}){1,6}(?![\d ])|\d{1,40})(?:\.(\d{1,12}))?"
    r"|×{2,6}|[Xx]{2,6}(?![A-Za-z])|\*{2,6}"
    r"|持平|无变化|未安排|没有使用"
)
_UNIT = re.compile(
    r"\s{0,2}(余|多)?\s{0,2}(亿元|万元|千元|元|万(?![\u3400-\u9fff\d])|%|个百分点|人次|台（套）|人|辆|个|场|名|期|台|套|家|次|项|户|所"
    r"|天|平方米|亩|公里|件|篇|座|批|处|本|张|位|倍|年|月|日|号)?\s{0,2}(以上|以下|以内|左右)?"
)

#: The brackets around the year of a document number (文号: 财库〔2013〕189号).
_OPENS_DOCUMENT_NUMBER = re.compile(r"[〔［\[]\s{0,2}$")
_CLOSES_DOCUMENT_NUMBER = re.compile(r"\s{0,2}[〕］\]]")


@dataclass
class Token:
    start: int
    end: int
    text: str
    kind: str  # number, word, placeholder
    value: Decimal | None
    decimals: int | None
    unit: str | None
    after: int  # just after unit and qualifier words
    more_than: bool
    qualifier_word: str | None
    role: str | None = None  # year, date, numbering, code, or None for a figure
    used: bool = False


@dataclass
class ExtractedFigure:
    """A figure found in a line of the document: where it stands (line, start and end in the
    original line), what it states and how it relates to other figures (ref, base). It becomes a
    row of the claims table once the extractor has given it its claim_id; not to be confused
    with :class:`budgetkit.claims.Claim`, the row read back from that table."""

    line: int
    start: int  # in the original line
    end: int
    text: str
    kind: str
    measure: str
    label: str
    year: int
    value: Decimal | None
    unit: str
    decimals: int | None
    code: str | None = None
    qualifier: str | None = None
    direction: str | None = None
    base_measure: str | None = None
    base_year: int | None = None
    ref: ExtractedFigure | None = None
    base: ExtractedFigure | None = None
    section: str = ""
    claim_id: str = ""
    purpose: str | None = None  # for a classified amount: what it is used for
    names: dict = field(default_factory=dict)  # for a classified amount: printed 类/款/项 names


@dataclass(frozen=True)
class Unparsed:
    line: int
    section: str
    figure: str
    text: str
    reason: str


def tokenize(text: str) -> list[Token]:
    """Every number, placeholder (××) and figure word (持平, 未安排) of ``text``, with its unit."""
    tokens: list[Token] = []
    for match in _FIGURE.finditer(text):
        raw = match.group(0)
        start, end = match.span()
        if raw in WORD_FIGURES:
            tokens.append(Token(start, end, raw, "word", WORD_FIGURES[raw], None, None, end, False, None))
            continue
        if not raw[0].isdigit():
            unit_match = _UNIT.match(text, end)
            tokens.append(Token(start, end, raw, "placeholder", None, None, unit_match.group(2),
                                unit_match.end(), False, unit_match.group(3)))
            continue
        unit_match = _UNIT.match(text, end)
        unit = "万元" if unit_match.group(2) == "万" else unit_match.group(2)  # 决算数合计为1000.86万，其中…
        compact = raw.replace(",", "").replace(" ", "")
        decimals = len(match.group(1)) if match.group(1) else 0
        token = Token(start, end, raw, "number", None, decimals, unit, unit_match.end(),
                      bool(unit_match.group(1)), unit_match.group(3))
        integer_digits = len(compact.split(".")[0])
        if unit in ("年",) and integer_digits == 4 or unit in ("月", "日", "号"):
            token.role = "date"
        elif unit == "年":
            token.role = "date"  # "3年" periods: not a budget figure
        elif (_OPENS_DOCUMENT_NUMBER.search(text, 0, start) and _CLOSES_DOCUMENT_NUMBER.match(text, end)
              and re.fullmatch(YEAR, compact)):
            token.role = "date"  # the year of a document number: 财库〔2013〕189号
        elif start > 0 and text[start - 1] == "第":
            token.role = "numbering"
        elif unit is None and MARKER.match(text[: unit_match.end() + 1]) and not text[:start].strip("（ "):
            token.role = "numbering"
        elif integer_digits > MAX_INTEGER_DIGITS or decimals > 12:
            token.role = None
            token.value = None
        else:
            token.value = Decimal(compact)
        tokens.append(token)
    return tokens


def first_money_after(tokens: list[Token], position: int) -> Token | None:
    for tok in tokens:
        if tok.start >= position and tok.role is None and tok.kind == "number" and tok.unit in MONEY_UNITS:
            return tok
    return None


def qualifier(tok: Token) -> str:
    if tok.more_than:
        return "more-than"
    if tok.qualifier_word == "以上":
        return "at-least"
    return "exact"
