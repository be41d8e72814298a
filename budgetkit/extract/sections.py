"""Finding the template's sections (一 … 十二) and subsections (（一）…) in a document.

A section is recognised by its title, not its number: documents renumber, reorder, merge and
leave out sections, so each heading is mapped to the *standard* section of the Sichuan 2024
template by keywords, and the numeral printed is kept for the claims' ``section`` column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .reading import NormalLine

__all__ = ["PROMOTED_SUBSECTIONS", "STANDARD_ORDER", "STANDARD_SUBSECTIONS", "SectionMap", "find_sections"]

#: The twelve sections of the template: (numeral, title, keywords any one of which names it).
#: Checked in this order, so 财政拨款收支 (四) wins over 收支预算 (三).
STANDARD_SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("四", "财政拨款收支预算情况说明", ("财政拨款收支",)),
    ("五", "一般公共预算当年拨款情况说明", ("当年拨款",)),
    ("六", "一般公共预算基本支出情况说明", ("基本支出",)),
    ("七", "“三公”经费财政拨款预算安排情况说明", ("三公",)),
    ("八", "“会议费”、“培训费”、“差旅费”财政拨款预算安排情况说明", ("会议费", "培训费", "差旅费")),
    ("九", "政府性基金预算支出情况说明", ("政府性基金",)),
    ("十", "国有资本经营预算支出情况说明", ("国有资本经营",)),
    ("十一", "其他重要事项的情况说明", ("其他重要事项", "其他需要说明")),
    ("十二", "名词解释", ("名词解释",)),
    ("一", "基本职能及主要工作", ("基本职能", "主要职能", "主要职责", "主要工作")),
    ("二", "部门预算单位构成", ("单位构成", "机构设置", "预算单位")),
    ("三", "收支预算情况说明", ("收支预算", "收支总体", "收支情况")),
]
STANDARD_ORDER = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]

#: Subsections the claims depend on: (standard section, keywords, key).
STANDARD_SUBSECTIONS: list[tuple[str, tuple[str, ...], str]] = [
    ("一", ("重点工作", "主要工作", "工作任务"), "work"),
    ("一", ("职责", "职能"), "duties"),
    ("三", ("收入",), "income"),
    ("三", ("支出",), "expenditure"),
    ("五", ("规模",), "scale"),
    ("五", ("结构",), "structure"),
    ("五", ("具体使用", "使用情况"), "usage"),
    ("十一", ("机关运行",), "admin"),
    ("十一", ("政府采购",), "procurement"),
    ("十一", ("国有资产", "资产占有"), "assets"),
    ("十一", ("绩效",), "performance"),
]

#: A subsection of the template some documents print as a section of its own ("十二、政府采购预算情况说明" in
#: Jiangsu's): (keywords, standard section, subsection key), for a heading that names no standard section.
PROMOTED_SUBSECTIONS: list[tuple[tuple[str, ...], str, str]] = [
    (("政府采购",), "十一", "procurement"),
]

_NUMERAL = "[一二三四五六七八九十]{1,3}"
_TOP = re.compile(rf"^\s*({_NUMERAL})\s*[、.．]\s*(\S.{{0,60}})$")
_SUB = re.compile(rf"^\s*（({_NUMERAL})）\s*(.{{0,200}})$")
# an unnumbered heading: a short line with a template title and no sentence in it
_BARE_TITLE = re.compile(r"^\s*(\S.{1,40}?)\s*$")


@dataclass(frozen=True)
class Heading:
    line: int
    level: str  # "section" or "subsection"
    printed: str  # 三 or （一）; for an unnumbered section heading, the standard numeral
    standard: str | None  # the standard section (一 … 十二) or subsection key
    title: str
    numbered: bool


def _standard_of(title: str) -> str | None:
    for numeral, _, keywords in STANDARD_SECTIONS:
        if any(keyword in title for keyword in keywords):
            return numeral
    return None


def _promoted_of(title: str) -> tuple[str, str] | None:
    """The standard section and subsection key of a heading that prints a subsection as a section."""
    for keywords, section, key in PROMOTED_SUBSECTIONS:
        if any(keyword in title for keyword in keywords):
            return section, key
    return None


def _subsection_of(section: str | None, title: str) -> str | None:
    for parent, keywords, key in STANDARD_SUBSECTIONS:
        if parent == section and any(keyword in title[:24] for keyword in keywords):
            return key
    return None


@dataclass
class SectionMap:
    """Per line: the section as printed (三（一）), its standard section and subsection key."""

    printed: list[str]
    standard: list[str | None]
    subsection: list[str | None]
    headings: list[Heading]

    def missing(self) -> list[str]:
        found = {h.standard for h in self.headings if h.level == "section"}
        titles = {numeral: title for numeral, title, _ in STANDARD_SECTIONS}
        return [f"{numeral} {titles[numeral]}" for numeral in STANDARD_ORDER if numeral not in found]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(h.line, h.level, h.printed, h.standard or "", h.title, h.numbered) for h in self.headings],
            columns=["line", "level", "printed", "standard", "title", "numbered"],
        )


def _is_title_line(text: str) -> bool:
    """A heading holds a title, not a sentence: short, no full stop or figures after the title."""
    return len(text) <= 45 and "。" not in text.rstrip("。")[:-1] and not re.search(r"\d+(?:\.\d+)?\s*(?:万元|元|%)", text)


def find_sections(lines: list[NormalLine]) -> SectionMap:
    printed: list[str] = []
    standard: list[str | None] = []
    subsection: list[str | None] = []
    headings: list[Heading] = []
    current, current_std, sub, sub_key = "", None, "", None
    for number, line in enumerate(lines, start=1):
        text = line.text
        top = _TOP.match(text)
        bare = None
        if top is None and _is_title_line(text.strip()) and re.search(r"情况说明|名词解释|单位构成", text):
            bare = _BARE_TITLE.match(text)
        if top and _is_title_line(top.group(2)):
            title = top.group(2).strip()
            current, current_std, sub, sub_key = top.group(1), _standard_of(title), "", None
            if current_std is None and (promoted := _promoted_of(title)) is not None:
                current_std, sub_key = promoted
            headings.append(Heading(number, "section", current, current_std, title, True))
        elif bare and _standard_of(bare.group(1)) is not None:
            title = bare.group(1)
            current_std = _standard_of(title)
            current, sub, sub_key = current_std, "", None
            headings.append(Heading(number, "section", current, current_std, title, False))
        elif (match := _SUB.match(text)) and current:
            sub = f"（{match.group(1)}）"
            title = match.group(2).strip()
            sub_key = _subsection_of(current_std, title)
            headings.append(Heading(number, "subsection", sub, sub_key, title[:40], True))
        printed.append(current + sub if current else "")
        standard.append(current_std)
        subsection.append(sub_key)
    return SectionMap(printed, standard, subsection, headings)
