"""From normalised lines to claims: every printed figure, what it measures, and how it relates.

One pass over the lines, left to right, so a change can point at the figure it is a change of
and a share at its part and whole. Each figure is either turned into a claim or reported as
unparsed: nothing with a unit is dropped silently. Which measure a label names is
``data/vocabulary.toml``'s to say (:mod:`.vocabulary`).

Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import re

from .. import messages
from ..schema import BudgetDataError, Problem
from ..template import measures
from .codes import CodeRef
from .comparisons import Comparison, find_comparisons
from .figures import MONEY_UNITS, SCHEMA_UNITS, YEAR, ExtractedFigure, Token, Unparsed, first_money_after, qualifier, \
    tokenize
from .labels import CLAUSE_BREAK, LABEL_REACH, LIST_LEVELS, SENTENCE_BREAK, SENTENCE_DONE, bare_label, last_break, \
    strip_label
from .ledger import NO_MEASURE, LineContext
from .government import GOVERNMENT_REPORT, GovernmentReading
from .linking import UNNAMED_ITEM
from .reading import NormalLine

__all__ = ["ClaimExtractor"]

#: A paragraph of a budget explanation runs to a few hundred characters.
MAX_LINE_CHARS = 10_000
#: Totals of everything; a sentence naming a 类/款/项 before one of these words is about that code only.
_GRAND_TOTALS = frozenset({"budget_total", "income_total", "expenditure_total", "accounts_income_total",
                           "accounts_expenditure_total"})
_CLASSIFIED = re.compile(r"（[类款项]）")
#: Any amount of spending, a 类 or 项 as much as the department's, is split into these two kinds.
_KINDS_OF_ANY_SPENDING = frozenset({"expenditure_basic", "expenditure_project"})
#: Right after an amount: its change on the prior year, or its share.
_CHANGE_OR_SHARE_FOLLOWS = re.compile(r"[\s，、]{0,3}(?:与上年相比|与上年|比上年|相较于上年|较上年|同比|[比较与]\s{0,2}\d{4}\s{0,2}年|占)")
#: 占X%, the whole named with 的 (占一般公共预算支出的19.62%) or, before a percentage, without (占基本支出预算 81.45%).
_SHARE = re.compile(r"占\s{0,2}(?:([^，。；\d]{1,24}?)\s{0,2}的|(?!比)([^，。；\d的%]{2,24}?))?\s{0,2}(?:比重|比例|比)?"
                    r"\s{0,2}(?:为)?\s{0,2}$")
#: A year a sentence says its figures are of: not one it compares with ("较2021年度", "比 2023 年").
_YEAR_OF = re.compile(r"(比|较|与|同|于)?\s{0,2}" + YEAR + r"\s{0,2}年")
#: A figure of a whole government (全区, 市级 …) or of all its departments (区直, not 区直机关工委), not of one department.
_GOVERNMENT_SCOPE = re.compile(r"全区|区级|全市|市级|全县|县级|全省|省级|全镇|镇级|全旗|旗级|[区市县省]直(?!属|机关)")
#: The title of a government's own notice of its “三公”经费 ("开远市2017年“三公”经费预算情况说明").
_GOVERNMENT_TITLE = re.compile(r"^\s{0,4}[\u4e00-\u9fff]{1,8}[市区县旗](?:本级)?\s{0,2}" + YEAR + r"\s{0,2}年度?\s{0,2}[“\"]?三公")
#: How many lines from the top a title is looked for (a web page's menus come before it).
TITLE_REACH = 30
_BANNER = re.compile(r"单位\s{0,2}[：]\s{0,2}(亿元|万元|元)")
#: A label saying its figure is of the year before ("上年财政仅安排…").
_PRIOR_YEAR_WORD = re.compile(r"上年(?!结转|结余)|去年|上一年")  # 上年结转 is money carried into this year
#: A change word right before an amount ("总计增加1062.85万元").
_CHANGE_BEFORE = re.compile(r"(?:增加|减少|增长|下降|上升|降低)\s{0,2}(?:了\s{0,2})?$")
_FOLLOWED_BY_PARTS = re.compile(r"^[\s，：]{0,3}其中")
HAN = re.compile(r"[\u4e00-\u9fff]")
#: How long a line that goes on in the next one is, at least, against the document's long lines (the
#: upper quartile of line lengths): a page's text wraps at its width.
WRAPPED_SHARE = 0.7
#: A table's cell rendered as text ("公务接待费 |"): its lines are cells, not a sentence wrapped.
_CELL = re.compile(r"[|｜]")
#: A line ending with the words that open a list of reasons ("…增加275.76万元，主要原因是："): its numbered
#: lines' changes are of the same comparison.
_REASONS_FOLLOW = re.compile(r"(?:主要)?原因(?:是|为|如下|有)?\s{0,2}[：:]\s{0,2}$")
#: A money unit that opens a line: the unit of the figure the line before ended with.
_UNIT_OPENS = re.compile(r"\s{0,2}(亿元|万元|元)(?=[\s，。；、）]|$)")
#: The column headings of a table that prints the budget beside the outturn ("项目 | 预算数 | 决算数"): a row's
#: figures read as text cannot be told apart, so none is read.
_BUDGET_HEADING = re.compile(r"(?:年初|调整|全年)?预算数?")
_OUTTURN_HEADING = re.compile(r"(?:支出)?决算数?")
#: A numbered heading naming an item, its sentence next ("（一）因公出国（境）费。支出预算0万元", or its figure after a
#: comma: "（三）公务用车购置及运行费预算，35万元"): the item the bare words of the figure ("支出预算", none) are of.
_HEADED_ITEM = re.compile(r"\s{0,4}(?:[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、])\s{0,2}"
                          r"([^，。；：:\d|]{2,24}?)\s{0,2}[。：:，]\s{0,2}")
_BARE_AMOUNT = re.compile(r"(?:支出|收入)?(?:预算|决算)?数?")
#: Why a figure of a sentence the document begins inside is not read (a message key).
HEADLESS = "extract.unread-headless"


class ClaimExtractor(GovernmentReading):
    """Turn a document's normalised lines into claims, line items' raw material and unparsed rows."""

    # -- the pass ------------------------------------------------------------------------
    def run(self) -> list[ExtractedFigure]:
        for number, line in enumerate(self.lines, start=1):
            if len(line.text) > MAX_LINE_CHARS:
                raise BudgetDataError([Problem("", number, None, messages.text(
                    "extract.line-too-long", count=len(line.text), limit=MAX_LINE_CHARS))])
        self._headings = {heading.line for heading in self.sections.headings}
        self._government_subject = any(_GOVERNMENT_TITLE.match(line.text) for line in self.lines[:TITLE_REACH])
        # a line wrapped as printed is about as long as the document's lines run; a title or a short line is not
        lengths = sorted(len(line.text.strip()) for line in self.lines if line.text.strip())
        self._wrap_width = WRAPPED_SHARE * lengths[round(0.75 * (len(lengths) - 1))] if lengths else 0
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
        if _CELL.search(text):
            cells = [cell.strip() for cell in _CELL.split(text)]
            self._budget_beside_outturn = self._budget_beside_outturn or (
                any(_BUDGET_HEADING.fullmatch(c) for c in cells) and any(_OUTTURN_HEADING.fullmatch(c) for c in cells))
        elif text.strip():
            self._budget_beside_outturn = False
        if not text.strip() or std == "十二":
            self._tail = ""
            return  # the glossary defines words; its numbers are item numbers
        numbered = next((level for pattern, level in LIST_LEVELS if pattern.match(text)), None)
        # a line that goes on the sentence of the line before it, wrapped as printed ("…占基本支出预算" /
        # "81.45%，同比增" / "加21500元"), is read after the words that line ended with
        carry = self._tail if numbered is None and not self._sentence_done and self._full_line_before \
            and not {number - 1, number} & self._headings and not _CELL.search(self._tail + text) else ""
        if numbered is not None:  # an item as deep as a total, or shallower, ends that total's list
            self._depth = numbered
            while self._owners and self._owners[-1][0] >= numbered:
                self._owners.pop()
        elif self._sentence_done:  # a new paragraph ends every list; a line that goes on a sentence ends none
            self._depth = 0
            self._owners.clear()
        self._sentence_done = bool(SENTENCE_DONE.search(text))
        if carry:
            line = NormalLine(line.original, carry + text, (line.origin[0],) * len(carry) + tuple(line.origin))
            text = line.text
        else:
            self._under_unread = False
        self._carried = len(carry)
        self._clause_ends = [m.end() for m in CLAUSE_BREAK.finditer(text)]
        self._sentence_ends = [m.end() for m in SENTENCE_BREAK.finditer(text)]
        tokens = tokenize(text)
        if tokens and tokens[-1].unit is None and tokens[-1].kind == "number" and not text[tokens[-1].end:].strip() \
                and number < len(self.lines) and (unit := _UNIT_OPENS.match(self.lines[number].text)):
            tokens[-1].unit = unit.group(1)  # "…卫生健康支出 275,373.54" / "元、住房保障支出…": wrapped before its unit
        self._first_amount = next((t.start for t in tokens if t.role is None and t.unit in MONEY_UNITS), -1)
        codes, unknown = self.codes.find(text, tokens, section)
        self.unparsed += [Unparsed(number, section, names, line.original.strip(),
                                   messages.text("extract.unread-unknown-names")) for names in unknown]
        comparisons = find_comparisons(text, tokens, self._clause_ends, self.prior_year,
                                       self._ending_comparison if carry else None,
                                       self._reasons_of if numbered is not None else None)
        # "…相较于上年增加275.76万元，主要原因是：": the numbered lines after it give the reasons, each a change
        # of the same year; a line that is no item ends them
        if _REASONS_FOLLOW.search(text):
            self._reasons_of = next((c for c in reversed(comparisons) if c.change is not None and c.year_printed
                                     and not c.budget and c.follows is None), None)
        elif numbered is None:
            self._reasons_of = None
        context = LineContext(number, line, section, std, sub, tokens)
        code_at = {id(tok): ref for ref in codes[:200] for tok in [first_money_after(tokens, ref.end)] if tok}
        by_start = {t.start: t for t in tokens}
        comparison_of: dict[int, Comparison] = {}
        for comparison in comparisons:
            for tok in (comparison.prior, comparison.change,
                        by_start.get(comparison.word_start) if comparison.change is None else None):
                if tok is not None:
                    comparison_of.setdefault(id(tok), comparison)
        if not self._figure_met and (first := next((t for t in tokens if t.role is None and t.unit), None)):
            self._figure_met = True
            if not HAN.search(text, 0, first.start):
                # the document's first figure has no words before it: the excerpt starts inside a sentence
                self._headless = (number, self._sentence_ends[0] if self._sentence_ends else len(text))
        for tok in tokens:
            if tok.role is not None or tok.used:
                continue
            if self._headless and self._headless[0] == number and tok.start < self._headless[1]:
                self._unparsed(context, tok, HEADLESS)
                continue
            if self.government_report and tok.kind == "number" and (tok.unit in MONEY_UNITS or tok.unit == "%"):
                # a government's report: only the relations its own clauses state (extract/government.py)
                if not self._government_figure(context, tok, comparison_of.get(id(tok))) and not tok.used:
                    self._unparsed(context, tok, GOVERNMENT_REPORT)
                continue
            if self._refuse_unreadable(context, tok):
                continue
            own_words = max(context.previous_end(tok.start), last_break(self._sentence_ends, tok.start))
            if id(tok) in code_at and self.final_accounts and self._is_budget_figure(
                    context, tok, strip_label(text[own_words:tok.start], self.department)):
                # "…机关事业单位基本养老保险缴费支出（项）。…年初预算为452.40万元，支出决算为446.11万元": the
                # code's figure is the outturn; its budget is another quantity
                self._budget_claim(context, tok, f"{self._code_label(code_at[id(tok)])}年初预算", code=code_at[id(tok)])
            elif id(tok) in code_at:
                self._code_claim(context, tok, code_at[id(tok)])
            elif id(tok) in comparison_of:
                self._comparison_claims(context, comparison_of[id(tok)])
            else:
                self._figure(context, tok)
        # the words after the line's last figure, from where its last sentence began: what the next line may go on
        tail_start = max(max((t.after for t in tokens), default=0), last_break(self._sentence_ends, len(text)))
        self._tail = text[tail_start:][-LABEL_REACH:]
        # the comparison whose change amount the line ends with, the words after it going on in the next line
        last = tokens[-1] if tokens else None
        self._ending_comparison = next((c for c in reversed(comparisons) if c.change is last and c.follows is None),
                                       None) if last is not None and tail_start == last.after else None
        self._full_line_before = len(line.original.strip()) >= self._wrap_width

    # -- classification codes ------------------------------------------------------------
    def _code_claim(self, ctx: LineContext, tok: Token, ref: CodeRef) -> ExtractedFigure:
        measure = "fiscal_expenditure_by_function" if ctx.std == "四" else "appropriation_by_function"
        level_names = [("类", ref.code[:3]), ("款", ref.code[:5]), ("项", ref.code[:7])][: (len(ref.code) - 1) // 2]
        for level, code in level_names:
            printed = ref.names.get(level) or ""
            if printed:
                why = self.reference.drift(code, printed)
                if why:
                    self.name_drift.append((ctx.number, code, level, printed, why))
        label = self._code_label(ref)
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
        return claim

    def _code_label(self, ref: CodeRef) -> str:
        """A classified figure's label: its deepest printed name, else the official one, else its code."""
        deepest = next((ref.names[level] for level in ("项", "款", "类") if ref.names.get(level)), "")
        official = self.reference.by_code.get(ref.code)
        return deepest or (official.name if official else ref.code)

    def _outturn_claim(self, ctx: LineContext, tok: Token, label: str) -> None:
        """The outturn a final-accounts sentence holds against the budget it just stated: the figure of
        the sentence's 类/款/项, or of the item its label (or its budget's) names, else an unnamed item."""
        side = self._budget_side
        if side.code is not None:
            outturn = self._code_claim(ctx, tok, side.code)
        else:
            name = self._outturn_name(label)
            measure, code = self._money_measure(name, ctx.std, ctx.sub)
            outturn = (self._new(ctx, tok, "item", UNNAMED_ITEM, name, self.year, tok.unit)
                       if measure is None else self._amount(ctx, tok, name, measure, code, tok.unit))
        self._budget_side = side._replace(outturn=outturn)

    # -- one figure ------------------------------------------------------------------------
    def _figure(self, ctx: LineContext, tok: Token) -> None:
        text = ctx.line.text
        previous_end = ctx.previous_end(tok.start)
        clause_start = max(last_break(self._clause_ends, tok.start), previous_end, tok.start - LABEL_REACH)
        before = text[clause_start:tok.start]
        # 占X%: a share of the part stated just before
        share = _SHARE.search(text, max(previous_end, tok.start - 40), tok.start)
        if share and tok.kind == "number" and (share.group(2) is None or tok.unit == "%"):
            self._share(ctx, tok, share)
            return
        if tok.kind == "word":
            if "原因" in text[last_break(self._sentence_ends, tok.start):tok.start]:
                return  # "主要原因是…未安排因公出国（境）事项": a reason, not the figure of an item
            if tok.text in ("未安排", "没有使用"):
                after = text[tok.end:]
                clause = CLAUSE_BREAK.search(after)
                label = strip_label(after[: clause.start() if clause else len(after)], self.department)
                measure, code = self._money_measure(label, ctx.std, ctx.sub)
                if measure is not None:
                    self._new(ctx, tok, "amount", measure, label, self.year, "万元", code=code)
            return  # 持平 outside a comparison states no figure
        label = strip_label(before, self.department)
        if _BARE_AMOUNT.fullmatch(label) and (heading := _HEADED_ITEM.fullmatch(text, 0, clause_start)):
            label = heading.group(1) + label  # "（二）公务接待费。支出预算1.90万元": 公务接待费支出预算
        unit = tok.unit
        follows = text[tok.after:tok.after + 12]
        if tok.qualifier_word == "以上" and follows[:1] and not CLAUSE_BREAK.match(follows[:1]) \
                and follows[:1] not in "的）”" and unit in SCHEMA_UNITS:
            self._threshold(ctx, tok, label, follows)
            return
        if unit is None and tok.kind == "number":
            if self._budget_beside_outturn:
                self._unparsed(ctx, tok, "extract.unread-budget-or-outturn-column")
                return
            if self._banner and ctx.std not in (None, "一"):
                measure, code = self._money_measure(label, ctx.std, ctx.sub)
                if measure is not None:
                    self._amount(ctx, tok, label, measure, code, self._banner)
                    return
            if ctx.std not in (None, "一", "十二"):
                self._unparsed(ctx, tok, "extract.unread-no-unit")
            return
        if unit is None:  # a placeholder without a unit
            return
        if unit not in SCHEMA_UNITS:
            self._unparsed(ctx, tok, "extract.unread-unknown-unit", unit=unit)
            return
        if tok.qualifier_word in ("以下", "以内", "左右"):
            self._unparsed(ctx, tok, "extract.unread-unknown-qualifier", qualifier=tok.qualifier_word)
            return
        if ctx.std == "一":
            self._target(ctx, tok, label, follows)
            return
        if unit in MONEY_UNITS:
            if _CHANGE_BEFORE.search(text, max(clause_start, tok.start - 6), tok.start):
                # "收入支出总计增加1062.85万元" without 比/较/与上年: a change, of a base not named
                self._unparsed(ctx, tok, "extract.unread-change-without-year")
                return
            if _GOVERNMENT_SCOPE.search(label) and not self._government_subject \
                    and "汇总" not in text[last_break(self._sentence_ends, tok.start):tok.start]:
                # the figure of a whole government in a department's document; a government's own notice
                # ("开远市2017年“三公”经费预算情况说明") or a sum of all its units ("经…财政局汇总，全市…") is of it
                self._unparsed(ctx, tok, "extract.unread-government-scope")
                return
            if self._is_budget_figure(ctx, tok, label):
                if not self.final_accounts:
                    self._unparsed(ctx, tok, "extract.unread-final-accounts-budget")
                    return
                self._budget_claim(ctx, tok, label)
                return
            if self._awaits_outturn(ctx, tok, label):
                # the outturn of the same sentence: what its completion rate divides
                self._outturn_claim(ctx, tok, label)
                return
            if self._part_of_budget(ctx, tok):
                # "预算为20万元，其中：因公出国（境）费0万元，公务接待费9万元…": the budget's parts, not the outturn's
                self._unparsed(ctx, tok, "extract.unread-part-of-budget")
                return
            if "原因" in text[last_break(self._sentence_ends, tok.start):tok.start]:
                # "主要原因是上年度列入此项的…128.43万元": a figure given as a reason is of another year or item
                self._unparsed(ctx, tok, "extract.unread-reason-amount")
                return
            measure, code = self._money_measure(label, ctx.std, ctx.sub)
            if self._part_of_unread(ctx, tok) and measure in _KINDS_OF_ANY_SPENDING:
                # "初中教育支出2,065,405.42元，其中：基本支出2,065,405.42元": that item's, not the department's
                self._unparsed(ctx, tok, "extract.unread-part-of-unread")
                return
            if measure in _GRAND_TOTALS and _CLASSIFIED.search(text, last_break(self._sentence_ends, tok.start), tok.start):
                measure = None  # "检察（款）：2018年预算支出合计16,444.36万元": the total of one 款, not of all
            if measure is None and label and _CHANGE_OR_SHARE_FOLLOWS.match(text, tok.after):
                # "检察监督支出（项）1,895万元，与上年相比减少134万元，降幅0.66%": an item the template does not
                # name, kept as what its own change or share is of; no sum or restatement uses it
                self._mark_listed_part_unread(ctx, tok)
                self._new(ctx, tok, "item", UNNAMED_ITEM, bare_label(label), self.year, unit)
                return
            if measure is None:
                self._unparsed(ctx, tok, NO_MEASURE)
                return
            self._amount(ctx, tok, label, measure, code, unit)
            return
        if unit == "%" and self._completion_rate(ctx, tok):
            return
        if unit == "%":
            self._unparsed(ctx, tok, "extract.unread-percentage")
            return
        if _CHANGE_BEFORE.search(text, max(clause_start, tok.start - 6), tok.start):
            # "公务用车保有量减少2辆" without 比/较/与上年: a change of the count, not the count
            self._unparsed(ctx, tok, "extract.unread-change-without-year")
            return
        measure = self.vocabulary.count(label, follows, unit, ctx.std, ctx.sub, self.final_accounts)
        if measure is None:
            self._unparsed(ctx, tok, "extract.unread-no-count", unit=unit)
            return
        kind = "total" if _FOLLOWED_BY_PARTS.match(text[tok.after:tok.after + 6]) else "count"
        claim = self._new(ctx, tok, kind, measure, label or measures()[measure].label, self.year, unit)
        claim.qualifier = None if kind == "total" else qualifier(tok)

    def _part_of_budget(self, ctx: LineContext, tok: Token) -> bool:
        """Whether ``tok`` is listed under 其中 right after a final-accounts budget of its sentence, no outturn
        of it read."""
        side = self._budget_side
        if side is None or side.outturn is not None or side.line != ctx.number \
                or side.sentence_start != last_break(self._sentence_ends, tok.start):
            return False
        budget_end = next((t.after for t in ctx.tokens
                           if ctx.line.span(t.start, t.end) == (side.budget.start, side.budget.end)), None)
        return budget_end is not None and "其中" in ctx.line.text[budget_end:tok.start]

    def _part_of_unread(self, ctx: LineContext, tok: Token) -> bool:
        """Whether ``tok`` is listed under 其中 after an amount no measure names, in the same sentence."""
        since_last = ctx.line.text[ctx.previous_end(tok.start):tok.start]
        if SENTENCE_BREAK.search(since_last):
            self._under_unread = False
        if "其中" in since_last:
            self._under_unread = self._unnamed_before
        return self._under_unread

    def _amount(self, ctx, tok, label, measure, code, unit) -> ExtractedFigure:
        # the year the sentence says it is of ("2021年度“三公”经费合计支出20.12万元，其中：…公务接待12.39万元")
        sentence = ctx.line.text[last_break(self._sentence_ends, tok.start):tok.start]
        years = [int(m.group(2)) for m in _YEAR_OF.finditer(sentence) if not m.group(1)]
        year = years[-1] if years and years[-1] < self.year else self.year
        if not years and _PRIOR_YEAR_WORD.search(label):
            year = self.prior_year  # "上年财政仅安排…140.2万元": the sentence says which year
        kind = "total" if measures()[measure].stated_as_total and year == self.year else "amount"
        return self._new(ctx, tok, kind, measure, bare_label(label) or measures()[measure].label, year, unit,
                  code=code)

    def _threshold(self, ctx: LineContext, tok: Token, label: str, follows: str) -> None:
        if ctx.std == "一":
            measure = "work_target"
        elif "设备" in follows and tok.unit in MONEY_UNITS:
            measure = "large_equipment_threshold"
        else:
            self._unparsed(ctx, tok, "extract.unread-bound")
            return
        if tok.unit not in SCHEMA_UNITS:
            self._unparsed(ctx, tok, "extract.unread-unknown-unit", unit=tok.unit)
            return
        noun = re.match(r"[^，。；：、\d]{1,12}", follows)
        claim = self._new(ctx, tok, "threshold", measure, f"{noun.group(0) if noun else ''}的{label or ''}下限".strip("的"),
                          self.year, tok.unit)
        claim.qualifier = qualifier(tok)

    def _target(self, ctx: LineContext, tok: Token, label: str, follows: str) -> None:
        noun = re.match(r"[^，。；：、]{1,16}", follows)
        text = label if len(label) >= 2 else (noun.group(0) if noun else "")
        claim = self._new(ctx, tok, "target", "work_target", text or "重点工作目标", self.year, tok.unit)
        claim.qualifier = qualifier(tok)

