"""The comparisons a line makes with an earlier year: "比2023年增加X万元", "同比下降Y%", "增加X万元，增长Y%".

Each is found with its words' positions and the figures of its prior year and its change, before
any claim is made; :mod:`.linking` then makes the change claims and points them at their subject.
Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .figures import MONEY_UNITS, YEAR, ExtractedFigure, Token
from .labels import last_break

__all__ = ["Comparison", "find_comparisons"]

#: How far before 增加/减少 the 比/较/与 of its comparison may stand.
COMPARE_REACH = 60

_CHANGE_WORD = re.compile(r"增长（下降）|增加（减少）|增长（减少）|增加（下降）|下降（增长）|减少（增加）|增加|增长|减少|下降|上升|降低"
                          r"|持平|无变化"
                          r"|降幅|增幅")
_COMPARE = re.compile(r"同比|(?:相较于|相较|比|较|与)\s{0,2}(?:上年|去年|上一年|" + YEAR + r"\s{0,2}年|(?=(?:年初|调整|全年)预算))")
#: A budget compared with, right after 比/较/与 and its year, if any ("较年初预算数", "与2021年度预算相比"): without a
#: year, or of the year's own, the year's budget, which an outturn is held against; not a change on a prior year.
_BUDGET_COMPARED = re.compile(r"度?\s{0,2}(?:年初|调整|全年)?预算(?!执行)")
_DIRECTIONS = {
    "增加": "increase", "增长": "increase", "上升": "increase",
    "减少": "decrease", "下降": "decrease", "降低": "decrease", "降幅": "decrease", "增幅": "increase",
    "持平": "unchanged", "无变化": "unchanged",
    "增长（下降）": "unspecified", "增加（减少）": "unspecified", "增长（减少）": "unspecified", "增加（下降）": "unspecified",
    "下降（增长）": "unspecified", "减少（增加）": "unspecified",
}
#: Between a change amount and the percentage that follows it ("增加26.21万元，增长3.2%", "…，同比增长2.8%").
_FOLLOW_ON = re.compile(r"[\s，、]{0,3}(?:同比\s{0,2})?")
#: A comparison that opens its sentence, the subject named after it ("与2019年相比，一般公共预算财政拨款增加…").
_OPENING = re.compile(r"(?:与|同)\s{0,2}(上年|去年|上一年|" + YEAR + r"\s{0,2}年)度?\s{0,2}(?:相比|比较)\s{0,2}[，]\s{0,2}$")
#: Where a sentence ends: a change listed after 其中 is of its own sentence's comparison.
_SENTENCE_END = re.compile(r"[。！？]")
#: A comparison naming no year (较年初预算数): of the budget of the year's own.
_NO_YEAR = re.compile(r"[比较与]\s{0,2}$")
#: How far before its clause an opening comparison may begin.
OPENING_REACH = 16


@dataclass
class Comparison:
    compare_start: int
    base_year: int
    word_start: int
    word_end: int
    word: str  # the change word as printed (增加, 下降 …)
    direction: str
    prior: Token | None
    change: Token | None  # None for 持平 without a figure: the word is the change
    follows: Comparison | None = None  # "增加X万元，增长Y%": the percentage of that amount change
    claim: ExtractedFigure | None = None  # the change claim made of it
    subject: ExtractedFigure | None = None
    subject_start: int | None = None  # an opening comparison: where the words naming its subject begin
    budget: bool = False  # compared with a budget (较年初预算数, 与2021年度预算): the year's own when base_year says so
    year_printed: bool = True  # the year compared with is printed (较上年, 比2019年); False: the budget's own year


def find_comparisons(text: str, tokens: list[Token], clause_ends: list[int], prior_year: int,
                     carried: Comparison | None = None, reasons_of: Comparison | None = None) -> list[Comparison]:
    """The comparisons of ``text``, in order; ``clause_ends`` are where its clauses end. ``carried``: the
    comparison whose change ended the line before, when ``text`` begins with the words that line ended with
    ("…减少157.86万元，下降" / "29.2%"). ``reasons_of``: the comparison whose reasons this numbered line gives
    ("…相较于上年增加275.76万元，主要原因是：" / "1、公务用车购置增加126.72万元"), its changes of that comparison's year."""
    found: list[Comparison] = []
    figures = [t for t in tokens if t.role is None]
    starts = [t.start for t in figures]
    for word in _CHANGE_WORD.finditer(text):
        clause_start = last_break(clause_ends, word.start())
        # the comparison opens within a few words of its verb ("较2023年收支预算数814.78增加")
        compares = list(_COMPARE.finditer(text, max(clause_start, word.start() - COMPARE_REACH), word.start()))
        # the amount change of this line, or the one the line before ended with (this line going on after it)
        previous, after = (found[-1], found[-1].change.after if found[-1].change else 0) if found else (carried, 0)
        if follow_on := _follow_on(text, word, previous, after, figures, starts):
            found.append(follow_on)
            continue
        opening = _OPENING.search(text, max(0, clause_start - OPENING_REACH), clause_start) if not compares else None
        if opening is None and not compares and (listed := _listed_under(text, word, found, figures, starts)
                                                 or _reason_given(word, reasons_of, figures, starts)):
            found.append(listed)
            continue
        if opening is not None:
            compare, year_group = opening, 2
        elif compares:
            compare, year_group = compares[-1], 1
        else:
            continue
        if compare.group(0) == "同比" or compare.group(year_group) is None:
            base_year = prior_year
        else:
            base_year = int(compare.group(year_group))
        budget = compare is not opening and compare.group(0) != "同比" \
            and _BUDGET_COMPARED.match(text, compare.end()) is not None
        year_printed = compare is opening or compare.group(0) == "同比" or not _NO_YEAR.search(compare.group(0))
        index = bisect.bisect_left(starts, word.start()) - 1
        prior = figures[index] if index >= 0 and figures[index].start >= compare.end() \
            and figures[index].end <= word.start() else None
        change = None
        if word.group(0) not in ("持平", "无变化"):
            index = bisect.bisect_left(starts, word.end())
            change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
            if change is None:
                continue  # "有所增加": a direction without a figure states nothing to check
        found.append(Comparison(compare.start(), base_year, word.start(), word.end(), word.group(0),
                                _DIRECTIONS[word.group(0)], prior, change,
                                subject_start=clause_start if compare is opening else None, budget=budget,
                                year_printed=year_printed))
    return found


def _listed_under(text: str, word: re.Match, found: list[Comparison], figures: list[Token],
                  starts: list[int]) -> Comparison | None:
    """"…比2019年度减少233.34万元，下降39.45%，其中：因公出国（境）费支出决算减少69.08万元": a change listed after
    其中 under the comparison of its sentence is compared with that comparison's year, and is of the item named
    right before its word (a percentage after it is found as that change's follow-on)."""
    if word.group(0) in ("持平", "无变化", "降幅", "增幅"):
        return None
    head = None
    for comparison in reversed(found):  # the comparison the 其中 list is under, the items listed before it passed
        between = text[comparison.word_end:word.start()]
        if _SENTENCE_END.search(between) or "原因" in between:
            return None
        if comparison.follows is None and "其中" in between:
            head = comparison
            break
    if head is None or head.budget:
        return None
    index = bisect.bisect_left(starts, word.end())
    change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
    if change is None or change.unit not in MONEY_UNITS:
        return None
    return Comparison(word.start(), head.base_year, word.start(), word.end(), word.group(0),
                      _DIRECTIONS[word.group(0)], None, change)


def _reason_given(word: re.Match, reasons_of: Comparison | None, figures: list[Token],
                  starts: list[int]) -> Comparison | None:
    """A money change of a numbered line under "主要原因是：" (``reasons_of``, the comparison that line ended
    with): compared with that comparison's year, of the item named right before its word."""
    direction = _DIRECTIONS.get(word.group(0))
    if reasons_of is None or direction in (None, "unchanged", "unspecified"):
        return None
    index = bisect.bisect_left(starts, word.end())
    change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
    if change is None or change.unit not in MONEY_UNITS:
        return None
    return Comparison(word.start(), reasons_of.base_year, word.start(), word.end(), word.group(0), direction, None,
                      change)


def _follow_on(text: str, word: re.Match, previous: Comparison | None, after: int, figures: list[Token],
               starts: list[int]) -> Comparison | None:
    """"增加X万元，增长Y%": a percentage right after an amount change (``previous``, ending at ``after``)
    is the relative size of that change."""
    if previous is None or previous.change is None or previous.change.unit not in MONEY_UNITS \
            or previous.follows is not None or not _FOLLOW_ON.fullmatch(text, after, word.start()):
        return None
    index = bisect.bisect_left(starts, word.end())
    change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
    if change is None or change.unit != "%":
        return None
    return Comparison(previous.compare_start, previous.base_year, word.start(), word.end(), word.group(0),
                      _DIRECTIONS[word.group(0)], None, change, follows=previous)
