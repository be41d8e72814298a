"""Codes of the functional classification printed in a line: "201（类）03（款）01（项）", "2010301 行政运行"
or names only ("一般公共服务（类）政府办公厅（室）及相关机构事务（款）…"), looked up in the reference.

Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .classification import ClassReference
from .figures import Token, first_money_after
from .labels import clean_name

__all__ = ["CodeRef", "find_codes"]

_CODE_DIGITS = re.compile(
    r"([^\d（）：，。；]{0,30}?)(\d{3})\s{0,2}（类）"
    r"(?:([^\d（）：，。；]{0,30}?)(\d{2})\s{0,2}（款）(?:([^\d：，。；]{0,40}?)(\d{2})\s{0,2}（项）)?)?"
)
_CODE_SEVEN = re.compile(r"(?<![\d.])(2\d{6})(?![\d.])(?!\s{0,2}(?:亿元|万元|元|%|人))\s{0,2}([^\d：，。；（]{0,60})")
_CODE_NAMES = re.compile(
    r"([^\d（）：，。；、 ]{2,24})（类）([^\d（）：，。；、]{2,30}?)（款）(?:([^\d：，。；、]{2,40}?)（项）)?"
)


@dataclass
class CodeRef:
    start: int
    end: int
    code: str
    names: dict  # level -> printed name


def find_codes(text: str, tokens: list[Token], reference: ClassReference) -> tuple[list[CodeRef], list[str]]:
    """The codes printed in ``text`` (their tokens marked role code), and the printed names of
    classes not in the reference that an amount follows (to be reported unread)."""
    refs: list[CodeRef] = []
    unknown: list[str] = []
    for match in _CODE_DIGITS.finditer(text):
        code = match.group(2) + (match.group(4) or "") + (match.group(6) or "")
        names = {"类": clean_name(match.group(1)), "款": clean_name(match.group(3) or ""),
                 "项": clean_name(match.group(5) or "")}
        refs.append(CodeRef(match.start(2), match.end(), code, names))
    if not refs:
        for match in _CODE_SEVEN.finditer(text):
            code = match.group(1)
            # "2050101 教育支出/教育管理事务/行政运行" or "2050101行政运行"
            parts = [clean_name(p) for p in re.split(r"[/／—\-]", match.group(2))][:3]
            names = dict(zip(("类", "款", "项")[3 - len(parts):], parts))
            names = {"类": "", "款": "", **names}
            refs.append(CodeRef(match.start(1), match.end(1), code, names))
    if not refs:
        for match in _CODE_NAMES.finditer(text):
            names = {"类": clean_name(match.group(1)), "款": clean_name(match.group(2)),
                     "项": clean_name(match.group(3) or "")}
            code = _code_from_names(reference, names)
            if code is None:
                if first_money_after(tokens, match.end()):
                    unknown.append(match.group(0))
                continue
            refs.append(CodeRef(match.start(), match.end(), code, names))
    for ref in refs:
        for tok in tokens:
            if tok.start < ref.end and tok.end > ref.start:
                tok.role = "code"
    return refs, unknown


def _code_from_names(reference: ClassReference, names: dict) -> str | None:
    top = reference.find(names["类"]) or (
        reference.class_in(names["类"])[1] if reference.class_in(names["类"]) else None)
    if top is None:
        return None
    middle = reference.find(names["款"], top.code)
    if middle is None:
        return None
    if not names["项"]:
        return middle.code
    item = reference.find(names["项"], middle.code)
    return item.code if item else None
