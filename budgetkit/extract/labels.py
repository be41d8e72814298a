"""Where a figure's label begins and what its words are: sentence and clause breaks, list numbering.

Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import bisect
import re

__all__ = [
    "CLAUSE_BREAK",
    "LABEL_REACH",
    "LIST_LEVELS",
    "MARKER",
    "SENTENCE_BREAK",
    "SENTENCE_DONE",
    "bare_label",
    "clean_name",
    "last_break",
    "strip_label",
]

#: The longest label read before a figure ("…参照公务员法管理的事业单位的机关运行经费财政拨款预算为").
LABEL_REACH = 80

CLAUSE_BREAK = re.compile(r"[，；。：]")
SENTENCE_BREAK = re.compile(r"[。；]")
SENTENCE_DONE = re.compile(r"[。！？]\s*$")  # ；ends an item of a list, not the list
#: The numbering of a list item, by depth: 一、 > （一） > 1． > （1）. A total owns the items below its depth.
LIST_LEVELS = ((re.compile(r"^\s{0,4}[一二三四五六七八九十]{1,3}\s{0,2}、"), 1),
               (re.compile(r"^\s{0,4}（[一二三四五六七八九十]{1,3}）"), 2),
               (re.compile(r"^\s{0,4}\d{1,2}\s{0,2}[、.](?!\d)"), 3),
               (re.compile(r"^\s{0,4}（\d{1,2}）"), 4))
MARKER = re.compile(r"^\s{0,4}(?:（[一二三四五六七八九十\d]{1,3}）|\d{1,2}\s{0,2}[、.]|[一二三四五六七八九十]{1,3}、)\s{0,3}")
_LABEL_NOISE = re.compile(r"^(?:其中|包括|本年|收入包括|支出包括|截至)\s{0,2}")
#: The unit of the figure before, printed at the start of the next line ("元、住房保障支出 418,288.92 元").
_ORPHAN_UNIT = re.compile(r"^(?:亿元|万元|元)[\s、，；]{1,3}")


def last_break(ends: list[int], position: int) -> int:
    """The end of the last break at or before ``position`` (0 when none): a binary search."""
    index = bisect.bisect_right(ends, position)
    return ends[index - 1] if index else 0


def clean_name(name: str) -> str:
    name = MARKER.sub("", name or "")
    return name.strip(" .、，：“”").strip()


def strip_label(text: str, department: str) -> str:
    """The words naming a figure: no section marker, department name, leading year or trailing 为."""
    text = MARKER.sub("", text)
    if department:
        text = text.replace(department, "")
    text = _ORPHAN_UNIT.sub("", text.strip(" ，、：；。"))
    text = _LABEL_NOISE.sub("", text)
    text = re.sub(r"(?:为|是|共计|共|达到|达)$", "", text)  # 合计 stays: 支出合计 names a total
    return _paired_quotes(text.strip(" ，、：；"))


def _paired_quotes(text: str) -> str:
    """``text`` without a quotation mark at either end that closes or opens nothing in it: “三公”经费 keeps its
    opening mark, a stray one goes."""
    while text:
        if text[0] == "”" or (text[0] == "“" and "”" not in text):
            text = text[1:]
        elif text[-1] == "“" or (text[-1] == "”" and "“" not in text):
            text = text[:-1]
        else:
            return text
        text = text.strip(" ，、：；")
    return text


def bare_label(label: str) -> str:
    return re.sub(r"^\d{4}\s{0,2}年(?:度)?", "", label).strip()
