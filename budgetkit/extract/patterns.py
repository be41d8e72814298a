"""From normalised lines to claims: every printed figure, what it measures, and how it relates.

One pass over the lines, left to right, so a change can point at the figure it is a change of
and a share at its part and whole. Each figure is either turned into a claim by a pattern
below or reported as unparsed: nothing with a unit is dropped silently.

Every regular expression here is linear: bounded repeats, no nested quantifiers over the
same characters, so hostile input cannot make matching backtrack catastrophically.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import template
from ..numbers import WORD_FIGURES
from ..schema import BudgetDataError, Problem, claim_units
from .classification import ClassReference
from .reading import NormalLine
from .sections import SectionMap
from .vocabulary import vocabulary

__all__ = ["ClaimExtractor", "ExtractedFigure", "Unparsed"]

MONEY_UNITS = frozenset(template.MONEY_UNITS)
#: Units the claims schema accepts (datapackage.json claims.unit enum); other units are reported unread.
SCHEMA_UNITS = claim_units()
#: Digits beyond these are not a budget figure (and would not fit the exact decimal column).
MAX_INTEGER_DIGITS = 14
MAX_DECIMALS = 4
#: A paragraph of a budget explanation runs to a few hundred characters.
MAX_LINE_CHARS = 10_000
#: The longest label read before a figure ("…参照公务员法管理的事业单位的机关运行经费财政拨款预算为").
LABEL_REACH = 80
#: How far before 增加/减少 the 比/较/与 of its comparison may stand.
COMPARE_REACH = 60

_FIGURE = re.compile(
    r"(?<![\d.])(?:\d{1,3}(?:,\d{3}){1,6}(?![\d,])|\d{1,3}(?: \d{3}){1,6}(?![\d ])|\d{1,40})(?:\.(\d{1,12}))?"
    r"|×{2,6}|[Xx]{2,6}(?![A-Za-z])|\*{2,6}"
    r"|持平|无变化|未安排|没有使用"
)
_UNIT = re.compile(
    r"\s{0,2}(余|多)?\s{0,2}(亿元|万元|千元|元|%|个百分点|人次|台（套）|人|辆|个|场|名|期|台|套|家|次|项|户|所"
    r"|天|平方米|亩|公里|件|篇|座|批|处|本|张|位|倍|年|月|日|号)?\s{0,2}(以上|以下|以内|左右)?"
)
_CHANGE_WORD = re.compile(r"增长（下降）|增加（减少）|增长（减少）|增加（下降）|增加|增长|减少|下降|上升|降低|持平|无变化"
                          r"|降幅|增幅")
#: A year the data model accepts (1950–2099): a mistyped "1023年" is not taken as a year.
_YEAR = r"((?:19[5-9]|20\d)\d)"
_COMPARE = re.compile(r"同比|(?:比|较|与)\s{0,2}(?:上年|去年|上一年|" + _YEAR + r"\s{0,2}年)")
_CLAUSE_BREAK = re.compile(r"[，；。：]")
_SENTENCE_BREAK = re.compile(r"[。；]")
#: The numbering of a list item, by depth: 一、 > （一） > 1． > （1）. A total owns the items below its depth.
_LIST_LEVELS = ((re.compile(r"^\s{0,4}[一二三四五六七八九十]{1,3}\s{0,2}、"), 1),
                (re.compile(r"^\s{0,4}（[一二三四五六七八九十]{1,3}）"), 2),
                (re.compile(r"^\s{0,4}\d{1,2}\s{0,2}[、.](?!\d)"), 3),
                (re.compile(r"^\s{0,4}（\d{1,2}）"), 4))
#: Why an amount of the template is not identified: as a listed part, it leaves its total's sum unknown.
_SENTENCE_DONE = re.compile(r"[。！？]\s*$")  # ；ends an item of a list, not the list
GOVERNMENT_REPORT = "a government's budget report, not a department's budget: its figures are not the template's"
#: Totals of everything; a sentence naming a 类/款/项 before one of these words is about that code only.
_GRAND_TOTALS = frozenset({"budget_total", "income_total", "expenditure_total", "accounts_income_total",
                           "accounts_expenditure_total"})
_CLASSIFIED = re.compile(r"（[类款项]）")
#: The measure of an amount the template does not name, kept (kind item) as the subject of its change or share.
UNNAMED_ITEM = "unnamed_item"
#: Right after an amount: its change on the prior year, or its share.
_CHANGE_OR_SHARE_FOLLOWS = re.compile(r"[\s，、]{0,3}(?:与上年相比|与上年|比上年|较上年|同比|[比较与]\s{0,2}\d{4}\s{0,2}年|占)")
NO_MEASURE = "no measure of the template matches this amount's label"
_MARKER = re.compile(r"^\s{0,4}(?:（[一二三四五六七八九十\d]{1,3}）|\d{1,2}\s{0,2}[、.]|[一二三四五六七八九十]{1,3}、)\s{0,3}")
_SHARE = re.compile(r"占\s{0,2}(?:([^，。；\d]{1,24}?)\s{0,2}的)?\s{0,2}(?:比重|比例|比)?\s{0,2}(?:为)?\s{0,2}$")
_YEAR_IN = re.compile(_YEAR + r"\s{0,2}年")
#: A year a sentence says its figures are of: not one it compares with ("较2021年度", "比 2023 年").
_YEAR_OF = re.compile(r"(比|较|与|同|于)?\s{0,2}" + _YEAR + r"\s{0,2}年")
#: A figure of a whole government (全区, 市级 …), not of one department.
_GOVERNMENT_SCOPE = re.compile(r"全区|区级|全市|市级|全县|县级|全省|省级|全镇|镇级|全旗|旗级")
_BANNER = re.compile(r"单位\s{0,2}[：]\s{0,2}(亿元|万元|元)")
#: A label saying its figure is of the year before ("上年财政仅安排…").
_PRIOR_YEAR_WORD = re.compile(r"上年(?!结转|结余)|去年|上一年")  # 上年结转 is money carried into this year
#: A change word right before an amount ("总计增加1062.85万元").
_CHANGE_BEFORE = re.compile(r"(?:增加|减少|增长|下降|上升|降低)\s{0,2}(?:了\s{0,2})?$")
#: A completion rate: the outturn as a percentage of the budget ("完成年初预算的95.45%", "为预算数的98%").
_COMPLETION = re.compile(r"(?:完成|为|达到)(?:了)?(?:年初|全年|调整)?预算(?:数)?的?\s{0,2}$")
#: In final accounts, the budget a figure of the year is compared with.
_OTHER_BUDGET_FIGURE = re.compile(r"年初预算|调整预算|全年预算")
_FOLLOWED_BY_PARTS = re.compile(r"^[\s，：]{0,3}其中")

DIRECTIONS = {
    "增加": "increase", "增长": "increase", "上升": "increase",
    "减少": "decrease", "下降": "decrease", "降低": "decrease", "降幅": "decrease", "增幅": "increase",
    "持平": "unchanged", "无变化": "unchanged",
    "增长（下降）": "unspecified", "增加（减少）": "unspecified", "增长（减少）": "unspecified", "增加（下降）": "unspecified",
}
#: Between a change amount and the percentage that follows it ("增加26.21万元，增长3.2%").
_FOLLOW_ON = re.compile(r"[\s，、]{0,3}")


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
    row of the claims table (``extract._claim_rows``) once the extractor has given it its claim_id;
    not to be confused with :class:`budgetkit.claims.Claim`, the row read back from that table."""

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


@dataclass
class _CodeRef:
    start: int
    end: int
    code: str
    names: dict  # level -> printed name


@dataclass
class _Comparison:
    compare_start: int
    base_year: int
    word_start: int
    word_end: int
    direction: str
    prior: Token | None
    change: Token | None  # None for 持平 without a figure: the word is the change
    follows: _Comparison | None = None  # "增加X万元，增长Y%": the percentage of that amount change
    claim: ExtractedFigure | None = None  # the change claim made of it
    subject: ExtractedFigure | None = None


class ClaimExtractor:
    """Turn a document's normalised lines into claims, line items' raw material and unparsed rows."""

    def __init__(self, lines: list[NormalLine], sections: SectionMap, reference: ClassReference,
                 year: int, department: str, final_accounts: bool = False, government_report: bool = False):
        self.lines = lines
        self.final_accounts = final_accounts  # a 决算: its grand totals include the year-end balances
        # a government's budget report (…预算执行情况和…预算草案的报告): none of its figures is a department's
        self.government_report = government_report
        self.sections = sections
        self.reference = reference
        self.vocabulary = vocabulary()
        self.year = year
        self.prior_year = year - 1
        self.department = department
        self.claims: list[ExtractedFigure] = []
        self.unparsed: list[Unparsed] = []
        self.name_drift: list[tuple[int, str, str, str, str]] = []
        self._banner: str | None = None
        self._banner_section: str | None = None
        self._line_number = 0
        self._measure_cache: dict[tuple, tuple] = {}
        self._latest_by_measure: dict[tuple[str, str | None], ExtractedFigure] = {}
        self._last_current: ExtractedFigure | None = None
        self._last_figure_read = False
        # the totals whose listed parts are being read: (list depth of the total's line, total)
        self._owners: list[tuple[int, ExtractedFigure]] = []
        self._depth = 0
        self._sentence_done = True
        self._first_amount = -1
        # final accounts: (line, sentence start, budget item, its outturn) of the sentence being read
        self._budget_side: tuple | None = None
        self._clause_ends: list[int] = []
        self._sentence_ends: list[int] = []

    # -- the pass ------------------------------------------------------------------------
    def run(self) -> list[ExtractedFigure]:
        for number, line in enumerate(self.lines, start=1):
            if len(line.text) > MAX_LINE_CHARS:
                raise BudgetDataError([Problem("", number, None, f"a line of {len(line.text)} characters (more than "
                                               f"{MAX_LINE_CHARS}): not a budget explanation")])
        for number, line in enumerate(self.lines, start=1):
            self._line(number, line)
        self._cut_off_lists()
        self._assign_ids()
        seen: set = set()
        drift = []
        for row in self.name_drift:  # one row per printed name and code, at its first line
            if row[1:4] not in seen:
                seen.add(row[1:4])
                drift.append(row)
        self.name_drift = drift
        return self.claims

    def _line(self, number: int, line: NormalLine) -> None:
        self._line_number = number
        text = line.text
        section = self.sections.printed[number - 1]
        std = self.sections.standard[number - 1]
        sub = self.sections.subsection[number - 1]
        if self._banner_section != section.split("（")[0]:
            self._banner = None
        if banner := _BANNER.search(text):
            self._banner, self._banner_section = banner.group(1), section.split("（")[0]
        if not text.strip() or std == "十二":
            return  # the glossary defines words; its numbers are item numbers
        numbered = next((level for pattern, level in _LIST_LEVELS if pattern.match(text)), None)
        if numbered is not None:  # an item as deep as a total, or shallower, ends that total's list
            self._depth = numbered
            while self._owners and self._owners[-1][0] >= numbered:
                self._owners.pop()
        elif self._sentence_done:  # a new paragraph ends every list; a line that goes on a sentence ends none
            self._depth = 0
            self._owners.clear()
        self._sentence_done = bool(_SENTENCE_DONE.search(text))
        self._clause_ends = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        self._sentence_ends = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
        tokens = self._tokens(text)
        self._first_amount = next((t.start for t in tokens if t.role is None and t.unit in MONEY_UNITS), -1)
        codes = self._codes(number, text, tokens)
        comparisons = self._comparisons(text, tokens)
        context = _LineContext(number, line, section, std, sub, tokens)
        code_at = {id(tok): ref for ref in codes[:200] for tok in [self._first_money_after(tokens, ref.end)] if tok}
        by_start = {t.start: t for t in tokens}
        comparison_of: dict[int, _Comparison] = {}
        for comparison in comparisons:
            for tok in (comparison.prior, comparison.change,
                        by_start.get(comparison.word_start) if comparison.change is None else None):
                if tok is not None:
                    comparison_of.setdefault(id(tok), comparison)
        for tok in tokens:
            if tok.role is not None or tok.used:
                continue
            if self.government_report and tok.kind == "number" and (tok.unit in MONEY_UNITS or tok.unit == "%"):
                self._unparsed(context, tok, GOVERNMENT_REPORT)
                continue
            if self._refuse_unreadable(context, tok):
                continue
            if id(tok) in code_at:
                self._code_claim(context, tok, code_at[id(tok)])
            elif id(tok) in comparison_of:
                self._comparison_claims(context, comparison_of[id(tok)])
            else:
                self._figure(context, tok)

    # -- tokens --------------------------------------------------------------------------
    def _tokens(self, text: str) -> list[Token]:
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
            unit = unit_match.group(2)
            compact = raw.replace(",", "").replace(" ", "")
            decimals = len(match.group(1)) if match.group(1) else 0
            token = Token(start, end, raw, "number", None, decimals, unit, unit_match.end(),
                          bool(unit_match.group(1)), unit_match.group(3))
            integer_digits = len(compact.split(".")[0])
            if unit in ("年",) and integer_digits == 4 or unit in ("月", "日", "号"):
                token.role = "date"
            elif unit == "年":
                token.role = "date"  # "3年" periods: not a budget figure
            elif start > 0 and text[start - 1] == "第":
                token.role = "numbering"
            elif unit is None and _MARKER.match(text[: unit_match.end() + 1]) and not text[:start].strip("（ "):
                token.role = "numbering"
            elif integer_digits > MAX_INTEGER_DIGITS or decimals > 12:
                token.role = None
                token.value = None
            else:
                token.value = Decimal(compact)
            tokens.append(token)
        return tokens

    @staticmethod
    def _first_money_after(tokens: list[Token], position: int) -> Token | None:
        for tok in tokens:
            if tok.start >= position and tok.role is None and tok.kind == "number" and tok.unit in MONEY_UNITS:
                return tok
        return None

    # -- classification codes ------------------------------------------------------------
    _CODE_DIGITS = re.compile(
        r"([^\d（）：，。；]{0,30}?)(\d{3})\s{0,2}（类）"
        r"(?:([^\d（）：，。；]{0,30}?)(\d{2})\s{0,2}（款）(?:([^\d：，。；]{0,40}?)(\d{2})\s{0,2}（项）)?)?"
    )
    _CODE_SEVEN = re.compile(r"(?<![\d.])(2\d{6})(?![\d.])(?!\s{0,2}(?:亿元|万元|元|%|人))\s{0,2}([^\d：，。；（]{0,60})")
    _CODE_NAMES = re.compile(
        r"([^\d（）：，。；、 ]{2,24})（类）([^\d（）：，。；、]{2,30}?)（款）(?:([^\d：，。；、]{2,40}?)（项）)?"
    )

    def _codes(self, number: int, text: str, tokens: list[Token]) -> list[_CodeRef]:
        refs: list[_CodeRef] = []
        for match in self._CODE_DIGITS.finditer(text):
            code = match.group(2) + (match.group(4) or "") + (match.group(6) or "")
            names = {"类": _clean_name(match.group(1)), "款": _clean_name(match.group(3) or ""),
                     "项": _clean_name(match.group(5) or "")}
            refs.append(_CodeRef(match.start(2), match.end(), code, names))
        if not refs:
            for match in self._CODE_SEVEN.finditer(text):
                code = match.group(1)
                # "2050101 教育支出/教育管理事务/行政运行" or "2050101行政运行"
                parts = [_clean_name(p) for p in re.split(r"[/／—\-]", match.group(2))][:3]
                names = dict(zip(("类", "款", "项")[3 - len(parts):], parts))
                names = {"类": "", "款": "", **names}
                refs.append(_CodeRef(match.start(1), match.end(1), code, names))
        if not refs:
            for match in self._CODE_NAMES.finditer(text):
                names = {"类": _clean_name(match.group(1)), "款": _clean_name(match.group(2)),
                         "项": _clean_name(match.group(3) or "")}
                code = self._code_from_names(names)
                if code is None:
                    if self._first_money_after(tokens, match.end()):
                        self.unparsed.append(Unparsed(number, self.sections.printed[number - 1], match.group(0),
                                                      self.lines[number - 1].original.strip(),
                                                      "classification names not in the reference table"))
                    continue
                refs.append(_CodeRef(match.start(), match.end(), code, names))
        for ref in refs:
            for tok in tokens:
                if tok.start < ref.end and tok.end > ref.start:
                    tok.role = "code"
        return refs

    def _code_from_names(self, names: dict) -> str | None:
        top = self.reference.find(names["类"]) or (
            self.reference.class_in(names["类"])[1] if self.reference.class_in(names["类"]) else None)
        if top is None:
            return None
        middle = self.reference.find(names["款"], top.code)
        if middle is None:
            return None
        if not names["项"]:
            return middle.code
        item = self.reference.find(names["项"], middle.code)
        return item.code if item else None

    def _code_claim(self, ctx: _LineContext, tok: Token, ref: _CodeRef) -> None:
        measure = "fiscal_expenditure_by_function" if ctx.std == "四" else "appropriation_by_function"
        level_names = [("类", ref.code[:3]), ("款", ref.code[:5]), ("项", ref.code[:7])][: (len(ref.code) - 1) // 2]
        for level, code in level_names:
            printed = ref.names.get(level) or ""
            if printed:
                why = self.reference.drift(code, printed)
                if why:
                    self.name_drift.append((ctx.number, code, level, printed, why))
        deepest = next((ref.names[level] for level in ("项", "款", "类") if ref.names.get(level)), "")
        official = self.reference.by_code.get(ref.code)
        label = deepest or (official.name if official else ref.code)
        purpose_at = ctx.line.text.find("主要用于", tok.after)
        purpose = None
        if purpose_at >= 0:
            begin = purpose_at + len("主要用于")
            if ctx.line.text[begin:begin + 1] in ("：", "，"):
                begin += 1
            start, _ = ctx.line.span(begin, begin + 1) if begin < len(ctx.line.text) else (len(ctx.line.original),) * 2
            purpose = ctx.line.original[start:].strip() or None
        claim = self._new(ctx, tok, "amount", measure, label, self.year, tok.unit, code=ref.code)
        claim.purpose = purpose
        claim.names = dict(ref.names)

    # -- comparisons -----------------------------------------------------------------------
    def _comparisons(self, text: str, tokens: list[Token]) -> list[_Comparison]:
        found: list[_Comparison] = []
        figures = [t for t in tokens if t.role is None]
        starts = [t.start for t in figures]
        for word in _CHANGE_WORD.finditer(text):
            clause_start = _last_break(self._clause_ends, word.start())
            # the comparison opens within a few words of its verb ("较2023年收支预算数814.78增加")
            compares = list(_COMPARE.finditer(text, max(clause_start, word.start() - COMPARE_REACH), word.start()))
            if not compares:
                if follow_on := self._follow_on(text, word, found, figures, starts):
                    found.append(follow_on)
                continue
            compare = compares[-1]
            if compare.group(0) == "同比" or compare.group(1) is None:
                base_year = self.prior_year
            else:
                base_year = int(compare.group(1))
            index = bisect.bisect_left(starts, word.start()) - 1
            prior = figures[index] if index >= 0 and figures[index].start >= compare.end() \
                and figures[index].end <= word.start() else None
            change = None
            if word.group(0) not in ("持平", "无变化"):
                index = bisect.bisect_left(starts, word.end())
                change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
                if change is None:
                    continue  # "有所增加": a direction without a figure states nothing to check
            found.append(_Comparison(compare.start(), base_year, word.start(), word.end(),
                                     DIRECTIONS[word.group(0)], prior, change))
        return found

    @staticmethod
    def _follow_on(text: str, word: re.Match, found: list[_Comparison], figures: list[Token],
                   starts: list[int]) -> _Comparison | None:
        """"增加X万元，增长Y%": a percentage right after an amount change is the relative size of that change."""
        previous = found[-1] if found else None
        if previous is None or previous.change is None or previous.change.unit not in MONEY_UNITS \
                or previous.follows is not None or not _FOLLOW_ON.fullmatch(text, previous.change.after, word.start()):
            return None
        index = bisect.bisect_left(starts, word.end())
        change = figures[index] if index < len(figures) and figures[index].start <= word.end() + 3 else None
        if change is None or change.unit != "%":
            return None
        return _Comparison(previous.compare_start, previous.base_year, word.start(), word.end(),
                           DIRECTIONS[word.group(0)], None, change, follows=previous)

    def _subject(self, ctx: _LineContext, comparison: _Comparison) -> ExtractedFigure | None:
        text = ctx.line.text
        sentence_start = _last_break(self._sentence_ends, comparison.compare_start)
        begin = max(sentence_start, ctx.previous_end(comparison.compare_start), comparison.compare_start - LABEL_REACH)
        label = _strip_label(text[begin:comparison.compare_start], self.department)
        if label:  # the sentence names what changed: that, or nothing (never a guess)
            measure, code = self._money_measure(label, ctx.std, ctx.sub)
            return self._latest(measure, code) if measure is not None else None
        # "…840.99万元。比2023年…": the figure just stated, when it was the last figure read; after a
        # figure that could not be read, the change is of that unknown figure, not of an earlier one
        return self._last_current if self._last_figure_read else None

    def _latest(self, measure: str, code: str | None) -> ExtractedFigure | None:
        return self._latest_by_measure.get((measure, code))

    def _refuse_unreadable(self, ctx: _LineContext, tok: Token | None) -> bool:
        """Report a figure too long or too precise to be a budget figure; True when reported."""
        if tok is None or tok.used or tok.kind != "number":
            return False
        if tok.value is None:
            self._unparsed(ctx, tok, f"more than {MAX_INTEGER_DIGITS} digits: not a budget figure")
        elif tok.decimals is not None and tok.decimals > MAX_DECIMALS:
            self._unparsed(ctx, tok, f"{tok.decimals} decimals: more than the {MAX_DECIMALS} the claims table keeps")
        else:
            return False
        return True

    def _comparison_claims(self, ctx: _LineContext, comparison: _Comparison) -> None:
        self._refuse_unreadable(ctx, comparison.prior)
        self._refuse_unreadable(ctx, comparison.change)
        if comparison.follows is not None:
            self._follow_on_claim(ctx, comparison)
            return
        subject = self._subject(ctx, comparison)
        comparison.subject = subject
        tokens = [t for t in (comparison.prior, comparison.change) if t is not None]
        if subject is None:
            for tok in tokens:
                tok.used = True
                self._unparsed(ctx, tok, "a change whose subject could not be told")
            return
        prior_claim = None
        if comparison.prior is not None and not comparison.prior.used:
            tok = comparison.prior
            unit = tok.unit or (comparison.change.unit if comparison.change is not None
                                and comparison.change.unit in MONEY_UNITS else None) or subject.unit
            subject_name = _bare_label(subject.label)
            label = f"{comparison.base_year}年{subject_name}" + ("" if re.search(r"预算数?$", subject_name) else "预算")
            prior_claim = self._new(ctx, tok, "amount", subject.measure, label, comparison.base_year, unit,
                                    code=subject.code)
        word = _CHANGE_WORD.match(ctx.line.text, comparison.word_start).group(0)
        change_label = f"{_bare_label(subject.label)}较{comparison.base_year}年{word}"
        if comparison.change is not None:
            tok = comparison.change
            if tok.used:
                return
            unit = tok.unit or subject.unit
            claim = self._new(ctx, tok, "change", subject.measure, change_label, subject.year, unit, code=subject.code)
        else:
            word_tok = next((t for t in ctx.tokens if t.kind == "word" and t.start == comparison.word_start), None)
            if word_tok is None or word_tok.used:
                return
            claim = self._new(ctx, word_tok, "change", subject.measure, change_label, subject.year, subject.unit,
                              code=subject.code)
        claim.direction = comparison.direction
        claim.base_year = comparison.base_year
        claim.ref = subject
        claim.base = prior_claim
        comparison.claim = claim

    def _follow_on_claim(self, ctx: _LineContext, comparison: _Comparison) -> None:
        """The percentage of an amount change: checked against the prior year that change implies."""
        tok, amount = comparison.change, comparison.follows.claim
        if tok is None or tok.used:
            return
        subject = comparison.follows.subject
        if amount is None or subject is None or amount.base is not None:
            # with the prior year printed, the amount change is checked against it; the percentage
            # would need that printed prior as its base, which the claim cannot name beside the change
            reason = ("a percentage change of a change whose subject could not be told" if amount is None
                      else "a percentage change beside a printed prior year: not linked yet")
            self._unparsed(ctx, tok, reason)
            return
        if subject.value == 0 and amount.value == 0:
            self._unparsed(ctx, tok, "a percentage change of nothing to nothing: no base to take it of")
            return
        word = _CHANGE_WORD.match(ctx.line.text, comparison.word_start).group(0)
        claim = self._new(ctx, tok, "change", subject.measure,
                          f"{_bare_label(subject.label)}较{comparison.base_year}年{word}", subject.year, "%",
                          code=subject.code)
        claim.direction = comparison.direction
        claim.base_year = comparison.base_year
        claim.ref = subject
        claim.base = amount

    # -- one figure ------------------------------------------------------------------------
    def _figure(self, ctx: _LineContext, tok: Token) -> None:
        text = ctx.line.text
        previous_end = ctx.previous_end(tok.start)
        clause_start = max(_last_break(self._clause_ends, tok.start), previous_end, tok.start - LABEL_REACH)
        before = text[clause_start:tok.start]
        # 占X%: a share of the part stated just before
        if (share := _SHARE.search(text, max(previous_end, tok.start - 40), tok.start)) and tok.kind == "number":
            self._share(ctx, tok, share)
            return
        if tok.kind == "word":
            if tok.text in ("未安排", "没有使用"):
                after = text[tok.end:]
                clause = _CLAUSE_BREAK.search(after)
                label = _strip_label(after[: clause.start() if clause else len(after)], self.department)
                measure, code = self._money_measure(label, ctx.std, ctx.sub)
                if measure is not None:
                    self._new(ctx, tok, "amount", measure, label, self.year, "万元", code=code)
            return  # 持平 outside a comparison states no figure
        label = _strip_label(before, self.department)
        unit = tok.unit
        follows = text[tok.after:tok.after + 12]
        if tok.qualifier_word == "以上" and follows[:1] and not _CLAUSE_BREAK.match(follows[:1]) \
                and follows[:1] not in "的）”" and unit in SCHEMA_UNITS:
            self._threshold(ctx, tok, label, follows)
            return
        if unit is None and tok.kind == "number":
            if self._banner and ctx.std not in (None, "一"):
                measure, code = self._money_measure(label, ctx.std, ctx.sub)
                if measure is not None:
                    self._amount(ctx, tok, label, measure, code, self._banner)
                    return
            if ctx.std not in (None, "一", "十二"):
                self._unparsed(ctx, tok, "a number without a unit")
            return
        if unit is None:  # a placeholder without a unit
            return
        if unit not in SCHEMA_UNITS:
            self._unparsed(ctx, tok, f"unit {unit!r} is not one the claims table knows")
            return
        if tok.qualifier_word in ("以下", "以内", "左右"):
            self._unparsed(ctx, tok, f"qualifier {tok.qualifier_word!r} is not one the claims table knows")
            return
        if ctx.std == "一":
            self._target(ctx, tok, label, follows)
            return
        if unit in MONEY_UNITS:
            if _CHANGE_BEFORE.search(text, max(clause_start, tok.start - 6), tok.start):
                # "收入支出总计增加1062.85万元" without 比/较/与上年: a change, of a base not named
                self._unparsed(ctx, tok, "a change without the year it is compared with")
                return
            if _GOVERNMENT_SCOPE.search(label):
                self._unparsed(ctx, tok, "a figure of a whole government (全区, 市级 …), not of a department's budget")
                return
            sentence_start = _last_break(self._sentence_ends, tok.start)
            if _OTHER_BUDGET_FIGURE.search(label):
                if not self.final_accounts:
                    self._unparsed(ctx, tok, "a budget figure of final accounts (年初预算, 调整预算): not read yet")
                    return
                # "年初预算为10210.34万元，支出决算为9746.50万元，完成年初预算的95.45%": the budget an outturn is
                # held against, kept as an item (another quantity than the outturn) for its completion rate
                claim = self._new(ctx, tok, "item", UNNAMED_ITEM, _bare_label(label), self.year, unit)
                self._budget_side = (ctx.number, sentence_start, claim, None)
                return
            if self._budget_side and self._budget_side[:2] == (ctx.number, sentence_start) \
                    and self._budget_side[3] is None and "决算" in label:
                # the outturn of the same sentence: what its completion rate divides
                measure, code = self._money_measure(label, ctx.std, ctx.sub)
                outturn = (self._new(ctx, tok, "item", UNNAMED_ITEM, _bare_label(label), self.year, unit)
                           if measure is None else self._amount(ctx, tok, label, measure, code, unit))
                self._budget_side = (*self._budget_side[:3], outturn)
                return
            if "原因" in text[_last_break(self._sentence_ends, tok.start):tok.start]:
                # "主要原因是上年度列入此项的…128.43万元": a figure given as a reason is of another year or item
                self._unparsed(ctx, tok, "an amount given as the reason for a change: what it is of cannot be told")
                return
            measure, code = self._money_measure(label, ctx.std, ctx.sub)
            if measure in _GRAND_TOTALS and _CLASSIFIED.search(text, _last_break(self._sentence_ends, tok.start), tok.start):
                measure = None  # "检察（款）：2018年预算支出合计16,444.36万元": the total of one 款, not of all
            if measure is None and label and _CHANGE_OR_SHARE_FOLLOWS.match(text, tok.after):
                # "检察监督支出（项）1,895万元，与上年相比减少134万元，降幅0.66%": an item the template does not
                # name, kept as what its own change or share is of; no sum or restatement uses it
                self._mark_listed_part_unread(ctx, tok)
                self._new(ctx, tok, "item", UNNAMED_ITEM, _bare_label(label), self.year, unit)
                return
            if measure is None:
                self._unparsed(ctx, tok, NO_MEASURE)
                return
            self._amount(ctx, tok, label, measure, code, unit)
            return
        if unit == "%" and _COMPLETION.search(text, max(0, tok.start - 12), tok.start) and self._budget_side \
                and self._budget_side[:2] == (ctx.number, _last_break(self._sentence_ends, tok.start)) \
                and self._budget_side[3] is not None and self._budget_side[3] is self._last_current \
                and self._last_figure_read:
            # the rate right after its outturn; "其中：因公出国费决算为0.00万元，完成预算的0.00%" has no budget of its own
            _, _, budget, outturn = self._budget_side
            claim = self._new(ctx, tok, "share", outturn.measure, f"{_bare_label(outturn.label)}占{budget.label}",
                              self.year, "%", code=outturn.code)
            claim.base_measure, claim.ref, claim.base = budget.measure, outturn, budget
            return
        if unit == "%":
            self._unparsed(ctx, tok, "a percentage that is neither a share (占) nor a change (比…增长)")
            return
        measure = self.vocabulary.count(label, follows, unit, ctx.std, ctx.sub, self.final_accounts)
        if measure is None:
            self._unparsed(ctx, tok, f"no count of the template matches this figure in {unit}")
            return
        kind = "total" if _FOLLOWED_BY_PARTS.match(text[tok.after:tok.after + 6]) else "count"
        claim = self._new(ctx, tok, kind, measure, label or template.measures()[measure].label, self.year, unit)
        claim.qualifier = None if kind == "total" else _qualifier(tok)

    def _amount(self, ctx, tok, label, measure, code, unit) -> ExtractedFigure:
        # the year the sentence says it is of ("2021年度“三公”经费合计支出20.12万元，其中：…公务接待12.39万元")
        sentence = ctx.line.text[_last_break(self._sentence_ends, tok.start):tok.start]
        years = [int(m.group(2)) for m in _YEAR_OF.finditer(sentence) if not m.group(1)]
        year = years[-1] if years and years[-1] < self.year else self.year
        if not years and _PRIOR_YEAR_WORD.search(label):
            year = self.prior_year  # "上年财政仅安排…140.2万元": the sentence says which year
        kind = "total" if template.measures()[measure].stated_as_total and year == self.year else "amount"
        return self._new(ctx, tok, kind, measure, _bare_label(label) or template.measures()[measure].label, year, unit,
                  code=code)

    def _share(self, ctx: _LineContext, tok: Token, share: re.Match) -> None:
        part = next((c for c in reversed(self.claims[-50:]) if c.line == ctx.number and c.kind in ("amount", "total", "item")
                     and c.unit in MONEY_UNITS), None)
        if part is None:
            self._unparsed(ctx, tok, "a share (占) with no amount stated before it on the line")
            return
        whole_label = (share.group(1) or "").strip()
        whole_measure = None
        if whole_label:
            whole_measure, _ = self._money_measure(whole_label, ctx.std, ctx.sub)
        whole_measure = whole_measure or template.measures()[part.measure].share_of
        whole_measure = self.vocabulary.of_the_year(whole_measure, self.final_accounts)
        if whole_measure is None:
            self._unparsed(ctx, tok, "a share (占) whose whole could not be told")
            return
        whole = self._latest(whole_measure, None)
        whole_name = _bare_label(whole.label) if whole is not None else template.measures()[whole_measure].label
        claim = self._new(ctx, tok, "share", part.measure, f"{_bare_label(part.label)}占{whole_label or whole_name}",
                          self.year, "%", code=part.code)
        claim.base_measure = whole_measure
        claim.ref = part
        claim.base = whole

    def _threshold(self, ctx: _LineContext, tok: Token, label: str, follows: str) -> None:
        if ctx.std == "一":
            measure = "work_target"
        elif "设备" in follows and tok.unit in MONEY_UNITS:
            measure = "large_equipment_threshold"
        else:
            self._unparsed(ctx, tok, "a bound (以上) the template has no measure for")
            return
        if tok.unit not in SCHEMA_UNITS:
            self._unparsed(ctx, tok, f"unit {tok.unit!r} is not one the claims table knows")
            return
        noun = re.match(r"[^，。；：、\d]{1,12}", follows)
        claim = self._new(ctx, tok, "threshold", measure, f"{noun.group(0) if noun else ''}的{label or ''}下限".strip("的"),
                          self.year, tok.unit)
        claim.qualifier = _qualifier(tok)

    def _target(self, ctx: _LineContext, tok: Token, label: str, follows: str) -> None:
        noun = re.match(r"[^，。；：、]{1,16}", follows)
        text = label if len(label) >= 2 else (noun.group(0) if noun else "")
        claim = self._new(ctx, tok, "target", "work_target", text or "重点工作目标", self.year, tok.unit)
        claim.qualifier = _qualifier(tok)

    # -- measures --------------------------------------------------------------------------
    def _money_measure(self, label: str, std: str | None, sub: str | None) -> tuple[str | None, str | None]:
        """The measure (and classification code) a money figure's label names, in its section."""
        key = (label, std, sub)
        if key not in self._measure_cache:
            self._measure_cache[key] = self._resolve_money(label, std, sub)
        measure, code, drift = self._measure_cache[key]
        if drift:
            self.name_drift.append((self._line_number, *drift))
        return measure, code

    def _resolve_money(self, label: str, std: str | None, sub: str | None) -> tuple[str | None, str | None, tuple]:
        measure, code = self.vocabulary.money(label, std, sub, self.final_accounts, self.reference)
        drift: tuple = ()
        if code is not None and (found := self.reference.class_in(label)):
            why = self.reference.drift(found[1].code, found[0])
            if why:
                drift = (found[1].code, "类", found[0], why)
        return measure, code, drift

    # -- bookkeeping -------------------------------------------------------------------------
    def _new(self, ctx: _LineContext, tok: Token, kind: str, measure: str, label: str, year: int, unit: str,
             code: str | None = None) -> ExtractedFigure:
        tok.used = True
        start, end = ctx.line.span(tok.start, tok.end)
        claim = ExtractedFigure(line=ctx.number, start=start, end=end, text=ctx.line.original[start:end], kind=kind,
                                measure=measure, label=label or measure, year=year, value=tok.value, unit=unit,
                                decimals=tok.decimals if tok.kind == "number" else None, code=code,
                                section=ctx.section or "前言")
        self.claims.append(claim)
        if claim.year == self.year and kind == "item":
            self._last_current, self._last_figure_read = claim, True
        elif claim.year == self.year and kind in ("amount", "total"):
            self._latest_by_measure[(measure, code)] = claim
            self._last_current = claim
            self._last_figure_read = True
            if kind == "total" and unit in MONEY_UNITS:
                while self._owners and self._owners[-1][0] >= self._depth:
                    self._owners.pop()
                self._owners.append((self._depth, claim))
        elif kind == "amount":
            self._last_figure_read = False  # a prior year's figure is not what a later change is of
        return claim

    def _mark_listed_part_unread(self, ctx: _LineContext, tok: Token) -> None:
        """An item of the total being listed (the first amount of a list line, or one after the total on
        its own line) that no measure names leaves the total's sum unknown; a list by 类 of the functional
        classification is another breakdown, not missing parts."""
        owner = self._owners[-1][1] if self._owners else None
        if owner is not None and not self._classified(ctx.line.text, tok.start) \
                and (owner.line == ctx.number or tok.start == self._first_amount):
            owner.qualifier = "parts-unread"

    def _cut_off_lists(self) -> None:
        """An excerpt that ends mid-sentence may have cut a list short: a total stated on that last line
        (or still listing its parts there) has parts that were never printed, so its sum is not checked."""
        last = next((n for n in range(len(self.lines), 0, -1) if self.lines[n - 1].text.strip()), 0)
        if not last or _SENTENCE_DONE.search(self.lines[last - 1].text):
            return
        owners = {id(owner) for _, owner in self._owners}
        for claim in self.claims:
            if claim.kind == "total" and claim.unit in MONEY_UNITS and (claim.line == last or id(claim) in owners):
                claim.qualifier = "parts-unread"

    def _classified(self, text: str, position: int) -> bool:
        """Whether the words before ``position`` name a 类/款/项 of the functional classification."""
        before = text[max(0, position - LABEL_REACH):position]
        return bool(re.search(r"（[类款项]）", before)) or self.reference.class_in(before) is not None

    def _unparsed(self, ctx: _LineContext, tok: Token, reason: str) -> None:
        tok.used = True
        if tok.unit in MONEY_UNITS:
            self._last_figure_read = False
            if reason == NO_MEASURE:
                self._mark_listed_part_unread(ctx, tok)
        original = ctx.line.original
        start, end = ctx.line.span(tok.start, tok.end)
        window = max(0, start - 150)
        begin = max(original.rfind("。", window, start), original.rfind("；", window, start), window - 1) + 1
        stops = [i for i in (original.find("。", end, end + 150), original.find("；", end, end + 150)) if i >= 0]
        stop = min(stops) + 1 if stops else min(len(original), end + 150)
        sentence = original[begin:stop].strip()
        self.unparsed.append(Unparsed(ctx.number, ctx.section, original[start:end], sentence, reason))

    def _assign_ids(self) -> None:
        by_line: dict[int, list[ExtractedFigure]] = {}
        for claim in self.claims:
            by_line.setdefault(claim.line, []).append(claim)
        for line, claims in by_line.items():
            for n, claim in enumerate(sorted(claims, key=lambda c: c.start), start=1):
                claim.claim_id = f"c{line:03d}-{n}"
        self.claims.sort(key=lambda c: (c.line, c.start))


@dataclass
class _LineContext:
    number: int
    line: NormalLine
    section: str
    std: str | None
    sub: str | None
    tokens: list[Token]
    _afters: list[int] = field(default_factory=list)

    def previous_end(self, position: int) -> int:
        """Where the last figure (with its unit) before ``position`` ends; 0 when there is none."""
        if not self._afters:
            self._afters = sorted(t.after for t in self.tokens if t.role is None) or [0]
        index = bisect.bisect_right(self._afters, position)
        return self._afters[index - 1] if index else 0


def _last_break(ends: list[int], position: int) -> int:
    """The end of the last break at or before ``position`` (0 when none): a binary search."""
    index = bisect.bisect_right(ends, position)
    return ends[index - 1] if index else 0


def _qualifier(tok: Token) -> str:
    if tok.more_than:
        return "more-than"
    if tok.qualifier_word == "以上":
        return "at-least"
    return "exact"


def _clean_name(name: str) -> str:
    name = _MARKER.sub("", name or "")
    return name.strip(" .、，：“”").strip()


_LABEL_NOISE = re.compile(r"^(?:其中|包括|本年|收入包括|支出包括|截至)\s{0,2}")


def _strip_label(text: str, department: str) -> str:
    """The words naming a figure: no section marker, department name, leading year or trailing 为."""
    text = _MARKER.sub("", text)
    if department:
        text = text.replace(department, "")
    text = text.strip(" ，、：；。")
    text = _LABEL_NOISE.sub("", text)
    text = re.sub(r"(?:为|是|共计|共|达到|达)$", "", text)  # 合计 stays: 支出合计 names a total
    return text.strip(" ，、：；“”")


def _bare_label(label: str) -> str:
    return re.sub(r"^\d{4}\s{0,2}年(?:度)?", "", label).strip()
