"""Codes of the functional classification printed in a line: "201（类）03（款）01（项）", "2010301 行政运行"
or names only ("一般公共服务（类）政府办公厅（室）及相关机构事务（款）…"), looked up in the codes the
document's own tables print, then in the reference. A name printed without its 类 ("人大事务（款）行政运行（项）")
is read under the 类 heading it sits beneath ("（一）一般公共服务（类）"); a name that is not one code there
(行政运行 is a 项 of almost every 款) is left without a code.

Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..template import LEVEL_WIDTHS
from .classification import ClassReference, bare_name
from .figures import Token, first_money_after
from .labels import MARKER, clean_name

__all__ = ["CodeFinder", "CodeRef", "PrintedCodes", "find_codes"]

_CODE_DIGITS = re.compile(
    r"([^\d（）：，。；]{0,30}?)(\d{3})\s{0,2}（类）"
    r"(?:([^\d（）：，。；]{0,30}?)(\d{2})\s{0,2}（款）(?:([^\d：，。；]{0,40}?)(\d{2})\s{0,2}（项）)?)?"
)
_CODE_SEVEN = re.compile(r"(?<![\d.])(2\d{6})(?![\d.])(?!\s{0,2}(?:亿元|万元|元|%|人))\s{0,2}([^\d：，。；（]{0,60})")
_CODE_NAMES = re.compile(
    r"([^\d（）：，。；、 ]{2,24})（类）([^\d（）：，。；、]{2,30}?)（款）(?:([^\d：，。；、]{2,40}?)（项）)?"
)

#: A 款 and 项 named without their 类 ("1.人大事务（款）行政运行（项）"), the 款 sometimes marked （类）.
_CODE_UNDER_CLASS = re.compile(r"([^\d（）：，。；、]{2,30}?)（([类款])）([^\d（）：，。；、]{2,40}?)（项）")
#: A line that is only a 类 heading ("（一）一般公共服务（类）"): the 类 of the lines below it.
_CLASS_HEADING = re.compile(r"^\s{0,4}(?:（[一二三四五六七八九十]{1,3}）|[一二三四五六七八九十]{1,3}、|\d{1,2}\s{0,2}[.．、])?"
                            r"\s{0,3}([^\d（）：，。；、]{2,24})（类）\s{0,4}$")


class PrintedCodes:
    """The 科目编码 the document's own tables print with their names: a name the explanation prints
    without its code is the table's code of that name under the same parent, when exactly one is."""

    def __init__(self, printed: Iterable[tuple[str, str]] = ()):
        self._under: dict[tuple[str, str], set[str]] = {}
        self._items_of_class: dict[tuple[str, str], set[str]] = {}
        for code, name in printed:
            name = _bare_printed(name)
            if not name or len(code) not in LEVEL_WIDTHS.values():
                continue
            self._under.setdefault((code[:-2] if len(code) > LEVEL_WIDTHS["类"] else "", name), set()).add(code)
            if len(code) == LEVEL_WIDTHS["项"]:
                self._items_of_class.setdefault((code[:LEVEL_WIDTHS["类"]], name), set()).add(code)

    def find(self, name: str, parent_code: str) -> str | None:
        return _one(self._under.get((parent_code, _bare_printed(name))))

    def item_of_class(self, name: str, class_code: str) -> str | None:
        """The one 项 of that name under the 类, whatever its 款 (a 款 printed by another name)."""
        return _one(self._items_of_class.get((class_code, _bare_printed(name))))


def _bare_printed(name: str) -> str:
    return bare_name(clean_name(name).strip("．"))


def _one(codes: set[str] | None) -> str | None:
    return next(iter(codes)) if codes and len(codes) == 1 else None


@dataclass
class CodeRef:
    start: int
    end: int
    code: str
    names: dict  # level -> printed name


class CodeFinder:
    """The codes of a document's lines, read in order: a 类 heading holds for the lines below it, to
    the next 类 heading or the end of its section."""

    def __init__(self, reference: ClassReference, printed: PrintedCodes | None = None):
        self.reference = reference
        self.printed = printed or PrintedCodes()
        self._section = ""
        self._class = ""
        # the code of an item line without an amount ("12、住房保障支出（类）…住房公积金（项）。"): its figures
        # are the next line's, unless that line is another item
        self._pending: CodeRef | None = None

    def find(self, text: str, tokens: list[Token], section: str) -> tuple[list[CodeRef], list[str]]:
        top = section.split("（")[0]
        pending, self._pending = self._pending, None
        if top != self._section:
            self._section, self._class, pending = top, "", None
        if heading := _CLASS_HEADING.match(text):
            self._class = _class_code(self.reference, clean_name(heading.group(1))) or ""
            return [], []
        refs, unknown = find_codes(text, tokens, self.reference, self.printed, self._class)
        if len(refs) == 1 and not unknown and first_money_after(tokens, 0) is None:
            self._pending = refs[0]
        elif not refs and pending is not None and not MARKER.match(text):
            refs = [CodeRef(0, 0, pending.code, pending.names)]
        return refs, unknown


def find_codes(text: str, tokens: list[Token], reference: ClassReference, printed: PrintedCodes | None = None,
               class_code: str = "") -> tuple[list[CodeRef], list[str]]:
    """The codes printed in ``text`` (their tokens marked role code), and the printed names of
    classes not in the reference that an amount follows (to be reported unread); ``class_code`` is
    the 类 of the heading the line sits beneath, if any."""
    printed = printed or PrintedCodes()
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
            code = _code_from_names(reference, printed, names)
            if code is None:
                if first_money_after(tokens, match.end()):
                    unknown.append(match.group(0))
                continue
            refs.append(CodeRef(match.start(), match.end(), code, names))
    if not refs and class_code:
        for match in _CODE_UNDER_CLASS.finditer(text):
            names = {"类": "", "款": clean_name(match.group(1)).strip("．"), "项": clean_name(match.group(3))}
            code = _code_under_class(reference, printed, class_code, names, match.group(2) == "类")
            if code is not None:
                refs.append(CodeRef(match.start(), match.end(), code, names))
    for ref in refs:
        for tok in tokens:
            if tok.start < ref.end and tok.end > ref.start:
                tok.role = "code"
    return refs, unknown


def _class_code(reference: ClassReference, name: str) -> str | None:
    top = reference.find(name) or (reference.class_in(name)[1] if reference.class_in(name) else None)
    return top.code if top is not None and top.level == "类" else None


def _code_from_names(reference: ClassReference, printed: PrintedCodes, names: dict) -> str | None:
    top = _class_code(reference, names["类"])
    if top is None:
        return None
    return _below(reference, printed, top, names["款"], names["项"])


def _code_under_class(reference: ClassReference, printed: PrintedCodes, class_code: str, names: dict,
                      marked_class: bool) -> str | None:
    """A 款 and 项 under the heading's 类; a first name marked （类） that is no 类 is the 款 it names
    ("行政事业单位离退休（类）未归口管理的行政单位离退休支出（项）"), one that is a 类 must be the heading's."""
    if marked_class and (named := _class_code(reference, names["款"])) is not None:
        return printed.item_of_class(names["项"], class_code) if named == class_code else None
    return _below(reference, printed, class_code, names["款"], names["项"])


def _below(reference: ClassReference, printed: PrintedCodes, class_code: str, middle_name: str,
           item_name: str) -> str | None:
    """The code of a 款 (and 项) under a 类: as the document's tables print it, else as the reference
    has it; a 款 name neither knows leaves a 项 the one of its name under the 类 in the tables."""
    middle = printed.find(middle_name, class_code) or _reference_code(reference, middle_name, class_code)
    if not item_name:
        return middle
    if middle is None:
        return printed.item_of_class(item_name, class_code)
    return printed.find(item_name, middle) or _reference_code(reference, item_name, middle)


def _reference_code(reference: ClassReference, name: str, parent_code: str) -> str | None:
    found = reference.find(name, parent_code)
    return found.code if found else None
