"""A government's budget report (政府预决算, …预算执行情况的报告): the arithmetic it states about its own figures.

Its figures are not a department's, so none is taken for a measure of the template. An amount is kept as an
item of its own (measure ``unnamed_item``, its label as printed), the subject of what its clause states right
after it: a change and its percentage (增加2954万元，增长14.27%: of the prior year that amount implies), a
completion rate whose budget is printed in it (完成年初预算225630万元的122%) or is the one budget of its sentence
the rate names (完成调整预期的96.8%), a share of a whole the report names and prints once (占财政总收入81%), a
sum a sentence adds up (…收入1549911万元。加上…916296万元，…以及…120000万元，收入总量为3565272万元: each
figure added names the total as its ``ref``). Every other figure stays unread with its reason. Which words make
a completion base, a scope or a sum is ``[government_report]`` of data/template.toml.

Every regular expression here is linear (bounded repeats), as in :mod:`.figures`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..once import once
from ..template import MONEY_UNITS, government_report_words
from .comparisons import Comparison
from .figures import YEAR, ExtractedFigure, Token
from .labels import bare_label, clean_name, last_break, strip_label
from .ledger import LineContext
from .linking import UNNAMED_ITEM, Linking

__all__ = ["GOVERNMENT_REPORT", "GovernmentReading"]

#: Why a figure of a government's budget report is not read (a message key).
GOVERNMENT_REPORT = "extract.unread-government-report"
#: Between an item and the comparison that follows it: nothing but a comma ("23653万元，较2021年决算数增加…").
_ADJACENT = re.compile(r"[\s，、]{0,3}")
#: A comparison with the year before, not a year it names ("同比增长", "比上年增加").
_PRIOR_YEAR = re.compile(r"同比|(?:比|较|与)\s{0,2}(?:上年|去年|上一年)")
#: A label that names a budget (一般公共预算, 政府性基金预算, 国有资本经营预算), not a plan a rate is taken of.
_BUDGET_NAME = re.compile(r"(?:公共|基金|经营)预算数?$")
#: A year the sentence says its figures are of, not one it compares with ("比2021年度").
_YEAR_OF = re.compile(r"(比|较|与|同|于)?\s{0,2}" + YEAR + r"\s{0,2}年")
#: The end of a sentence (or of the line) right after a figure.
_SENTENCE_END = re.compile(r"\s{0,3}(?:[。；]|$)")
#: A 类, 款 or 项 code printed with a dash before the item's name ("20103-政府办公厅（室）及相关机构事务").
_DASHED_CODE = re.compile(r"(?<![\d.])(\d{3}|\d{5}|\d{7})\s{0,2}[-－—]\s{0,2}([^\d，。；：、]{2,40})$")


@once
def _words() -> dict:
    return government_report_words()


def _alternatives(key: str) -> str:
    return "|".join(re.escape(word) for word in sorted(_words()[key], key=len, reverse=True))


class _Patterns(NamedTuple):
    base: re.Pattern  # "完成年初上报县人民代表大会预算收入计划" right before a completion rate's budget …
    of: re.Pattern  # … and "的" right after it
    share: re.Pattern  # "占财政总收入81%", "占财政收入的比重为86.2%": the whole named with 占
    how: re.Pattern  # the words of a label that say how its figure was reached ("收入完成", "决算数为")
    named: re.Pattern  # "完成调整预期的96.8%": a rate whose budget is named ("调整", "预期"), not printed in it
    approximate: re.Pattern  # "约5亿元": a figure not meant exactly
    sum_opening: re.Pattern  # "加上" opening a clause that adds its figures to the item before …
    sum_total: re.Pattern  # … and names their sum last ("收入总量为")
    sum_breaking: re.Pattern  # "减去", "其中": words that make a sentence other than a sum
    sum_included: re.Pattern  # "（含特殊转移支付60000万元）": a part of the item before, not added


@once
def _patterns() -> _Patterns:
    verbs, bases = _alternatives("completion_verbs"), _alternatives("completion_bases")
    return _Patterns(
        base=re.compile(rf"(?P<verb>{verbs})[^，。；：\d%]{{0,40}}?(?:{bases})数?\s{{0,2}}$"),
        of=re.compile(r"\s{0,2}的\s{0,2}"),
        share=re.compile(r"占\s{0,2}([^，。；：\d%的]{2,24}?)\s{0,2}(?:的)?\s{0,2}(?:比重|比例)?\s{0,2}(?:为)?\s{0,2}$"),
        how=re.compile(rf"(?:{_alternatives('label_endings')})+$"),
        named=re.compile(rf"(?:{verbs})(?P<words>[^，。；：\d%]{{0,12}}?)(?P<base>{bases})数?\s{{0,2}}的\s{{0,2}}$"),
        approximate=re.compile(rf"(?:{_alternatives('approximate_before')})\s{{0,2}}$"),
        sum_opening=re.compile(_alternatives("sum_openings")),
        sum_total=re.compile(rf"(?:(?P<of>[^，。；：\d%]{{0,12}}?)(?:{_alternatives('sum_totals')})"
                             rf"|(?:{_alternatives('sum_total_opens')})(?P<of_after>[^，。；：\d%]{{1,8}}?)"
                             rf"(?:{_alternatives('label_endings')})?)\s{{0,2}}(?:为|是)?\s{{0,2}}$"),
        sum_breaking=re.compile(_alternatives("sum_breaking")),
        sum_included=re.compile(rf"[（(]\s{{0,2}}(?:{_alternatives('sum_included')})[^（）()]{{0,40}}[）)]"))


class _Item(NamedTuple):
    """An item read in a government report: its claim, where its figure ends (in the normalised line) and
    whether it is the budget of a completion rate rather than an outturn."""

    claim: ExtractedFigure
    line: int
    after: int
    sentence_start: int
    is_base: bool


class GovernmentReading(Linking):
    """The figures of a government's budget report: items and the relations their clauses state."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._government_items: list[_Item] = []

    def _government_figure(self, ctx: LineContext, tok: Token, comparison: Comparison | None) -> bool:
        """Read ``tok`` of a government report; False when it is left for the caller to report unread."""
        if self._refuse_unreadable(ctx, tok):
            return True
        if tok.more_than or tok.qualifier_word or _patterns().approximate.search(
                ctx.line.text, max(0, tok.start - 4), tok.start):
            # "约5亿元", "增长0.5%左右", "100余万元": no relation is checked on a figure not meant exactly
            self._unparsed(ctx, tok, "extract.unread-government-approximate")
            return True
        if comparison is not None:
            self._comparison_claims(ctx, comparison)
            return tok.used
        if tok.unit == "%":
            return self._government_completion(ctx, tok) or self._government_share(ctx, tok)
        return self._government_item(ctx, tok)

    # -- items -------------------------------------------------------------------------------
    def _government_item(self, ctx: LineContext, tok: Token) -> bool:
        text = ctx.line.text
        patterns = _patterns()
        sentence_start = last_break(self._sentence_ends, tok.start)
        clause_start = max(last_break(self._clause_ends, tok.start), ctx.previous_end(tok.start))
        label = strip_label(text[clause_start:tok.start], self.department)
        if not label:
            return False
        base = patterns.base.search(text, clause_start, tok.start)
        is_base = base is not None and bool(patterns.of.match(text, tok.after))
        if is_base:  # "完成年初预算225630万元的122%": the budget is 年初预算
            label = strip_label(text[base.start() + len(base.group("verb")):tok.start], self.department) or label
        years = [int(m.group(2)) for m in _YEAR_OF.finditer(text, sentence_start, tok.start) if not m.group(1)]
        # a report on one year's execution and the next year's draft: each figure is of the year its sentence names
        year = years[-1] if years else self.year
        # the code is a number of its own, before the words of the label
        code_words = text[last_break(self._clause_ends, tok.start):tok.start]
        code = None if is_base else self._dashed_code(code_words)
        if code is not None:
            label = clean_name(_DASHED_CODE.search(code_words).group(2))
        claim = self._new(ctx, tok, "item", UNNAMED_ITEM, bare_label(label), year, tok.unit, code=code)
        self._government_items.append(_Item(claim, ctx.number, tok.after, sentence_start, is_base))
        if not is_base and code is None:
            self._sum_of_sentence(ctx, tok, claim, sentence_start, clause_start)
        return True

    def _sum_of_sentence(self, ctx: LineContext, tok: Token, total: ExtractedFigure, sentence_start: int,
                         clause_start: int) -> None:
        """"…一般公共预算收入1549911万元，为调整预算的101.9%。加上…916296万元，…969065万元，以及…120000万元，
        收入总量为3565272万元。": the figure ending a sentence, named as a total of what the item before 加上
        names (收入总量, 总收入 of …收入), is the sum of that item and every figure from 加上 on; each of them
        names it as its ``ref``. The item added to is the one of the sentence before, when 加上 opens the
        sentence, else the one of the sentence's words before 加上 ("一般公共预算支出324.31亿元，完成调整预算的
        96%，加上…，支出总计347.23亿元"). Nothing is linked when a figure of either is not an item read (a
        percentage and a completion rate's budget aside), there is not one item to add to, or the sentence
        subtracts or lists parts (其中)."""
        text, patterns = ctx.line.text, _patterns()
        named = patterns.sum_total.search(text, clause_start, tok.start)
        openings = [m.start() for m in patterns.sum_opening.finditer(text, sentence_start, clause_start)
                    if _opens_clause(text[sentence_start:m.start()])]
        if named is None or len(openings) != 1 or not _SENTENCE_END.match(text, tok.after):
            return
        opening = openings[0]
        included = [m.span() for m in patterns.sum_included.finditer(text, sentence_start, tok.start)]
        outside = "".join(text[start:end] for start, end in zip([sentence_start, *(e for _, e in included)],
                                                                [*(s for s, _ in included), tok.start]))
        if patterns.sum_breaking.search(outside):
            return
        if text[sentence_start:opening].strip():
            first = self._sentence_items(ctx, sentence_start, opening)
        elif sentence_start > 0:
            first = self._sentence_items(ctx, last_break(self._sentence_ends, sentence_start - 1), sentence_start)
        else:
            return
        added = self._sentence_items(ctx, opening, tok.start, included, outturns_only=True)
        if not added or first is None or len(first) != 1 or first[0].year != total.year:
            return
        # 收入总量 adds to an item of 收入, 支出总量 to one of 支出 (a bare 合计 names no item to add to)
        of = (named.group("of") or named.group("of_after") or "").strip()
        if not of or not _name(first[0].label, patterns.how).endswith(of):
            return
        for part in (*first, *added):
            part.ref = total

    def _sentence_items(self, ctx: LineContext, start: int, end: int, included: list[tuple[int, int]] = (),
                        outturns_only: bool = False) -> list[ExtractedFigure] | None:
        """The items read from the figures between ``start`` and ``end`` of the line, in order, but those in
        the ``included`` spans (parts of the item before them), percentages and completion rates' budgets
        (unless ``outturns_only``: then such a figure is not what a sum adds); None when a figure there is not
        an item in a unit of money, or one already added up."""
        figures = [t for t in ctx.tokens if t.role is None and start <= t.start < end
                   and not any(a <= t.start < b for a, b in included)]
        items = {(item.claim.start, item.claim.end): item for item in self._government_items[-20:]
                 if item.line == ctx.number}
        found = []
        for figure in figures:
            item = items.get(ctx.line.span(figure.start, figure.end))
            if not outturns_only and (figure.unit == "%" or item is not None and item.is_base):
                continue
            if item is None or item.is_base or figure.unit not in MONEY_UNITS or item.claim.ref is not None:
                return None
            found.append(item.claim)
        return found

    def _dashed_code(self, words: str) -> str | None:
        """The code printed before an item's name ("201-一般公共服务支出"), when the reference knows it by
        that name, or does not know it but knows the code above it (a code of another year's
        classification) and the name is not another code's; else None: a code not identified is not kept."""
        found = _DASHED_CODE.search(words)
        if found is None:
            return None
        code, name = found.group(1), clean_name(found.group(2))
        known = self.reference.by_code.get(code)
        parent = known.parent_code if known is not None else code[:-2] if len(code) > 3 else ""
        if known is None and len(code) > 3 and parent not in self.reference.by_code:
            return None
        named = self.reference.find(name, parent)
        return code if (named.code == code if named is not None else known is None) else None

    def _last_item(self, ctx: LineContext, position: int, base: bool = False) -> _Item | None:
        """The last item of the sentence ``position`` is in (its last outturn, or with ``base`` its last
        figure when that is a completion base)."""
        sentence_start = last_break(self._sentence_ends, position)
        for item in reversed(self._government_items[-20:]):
            if item.line != ctx.number or item.sentence_start != sentence_start or item.after > position:
                return None
            if item.is_base == base:
                return item
            if base:
                return None
        return None

    # -- changes -------------------------------------------------------------------------------
    def _subject(self, ctx: LineContext, comparison: Comparison) -> ExtractedFigure | None:
        if not self.government_report:
            return super()._subject(ctx, comparison)
        # the item just read, when the comparison follows it in its clause ("…23653万元，较2021年…增加")
        item = self._government_items[-1] if self._government_items else None
        if comparison.subject_start is not None or item is None or item.is_base or item.line != ctx.number \
                or item.after > comparison.compare_start or item.claim is not self.claims[-1] \
                or not _ADJACENT.fullmatch(ctx.line.text, item.after, comparison.compare_start):
            return None
        if _PRIOR_YEAR.match(ctx.line.text, comparison.compare_start):
            comparison.base_year = item.claim.year - 1  # 同比, 比上年: the year before the item's own
        return item.claim

    def _follow_on_claim(self, ctx: LineContext, comparison: Comparison) -> None:
        """The percentage of an amount change, of the prior year that amount implies (never of a figure
        printed elsewhere: in a government report every item is ``unnamed_item``)."""
        if not self.government_report:
            super()._follow_on_claim(ctx, comparison)
            return
        tok, amount, subject = comparison.change, comparison.follows.claim, comparison.follows.subject
        if tok is None or tok.used:
            return
        if amount is None or subject is None or amount.base is not None:
            self._unparsed(ctx, tok, "extract.unread-percentage-of-unknown-change" if amount is None or subject is None
                           else "extract.unread-percentage-beside-prior")
            return
        sign = {"increase": -1, "decrease": 1}.get(amount.direction)
        if sign is None or subject.value is None or amount.value is None:
            self._unparsed(ctx, tok, GOVERNMENT_REPORT)
            return
        prior = subject.value * MONEY_UNITS[subject.unit] + sign * amount.value * MONEY_UNITS[amount.unit]
        if prior <= 0:  # "50万元，增加50万元，增长100%": a growth from nothing has no base to be taken of
            self._unparsed(ctx, tok, "extract.unread-government-percentage-from-nothing")
            return
        claim = self._new(ctx, tok, "change", subject.measure,
                          f"{bare_label(subject.label)}较{amount.base_year}年{comparison.word}", subject.year, "%")
        claim.direction = comparison.direction
        claim.base_year = amount.base_year
        claim.ref, claim.base = subject, amount

    # -- completion rates and shares -------------------------------------------------------------
    def _government_completion(self, ctx: LineContext, tok: Token) -> bool:
        """"完成年初预算225630万元的122%": the outturn of the sentence over the budget printed in the rate."""
        base = self._last_item(ctx, tok.start, base=True)
        if base is None or not _patterns().of.fullmatch(ctx.line.text, base.after, tok.start):
            return self._named_completion(ctx, tok)
        outturn = self._last_item(ctx, base.after)
        if outturn is None:
            self._unparsed(ctx, tok, "extract.unread-completion-without-budget")
            return True
        if not base.claim.value:
            self._unparsed(ctx, tok, "extract.unread-completion-of-nothing")
            return True
        self._share_claim(ctx, tok, outturn.claim, base.claim)
        return True

    def _named_completion(self, ctx: LineContext, tok: Token) -> bool:
        """"调整一般公共预算收入预期为1933200万元，…收入决算为1871215万元，完成调整预期的96.8%": the outturn
        over the one budget printed before that the rate's words name (调整 … 预期) and that is of the
        outturn's own item (调整一般公共预算收入预期 of 一般公共预算收入); unread when there is not exactly one."""
        how = _patterns().how
        found = _patterns().named.search(ctx.line.text, max(ctx.previous_end(tok.start), tok.start - 30), tok.start)
        outturn = self._last_item(ctx, tok.start) if found else None
        if outturn is None:
            return False
        words, base_word = found.group("words"), found.group("base")
        item_name = _name(outturn.claim.label, how)
        bases = [item.claim for item in self._government_items
                 if item.claim is not outturn.claim and item.claim.year == outturn.claim.year
                 and _budget_of(item.claim.label, words, base_word, how) == item_name]
        if len(bases) != 1 or not bases[0].value:
            return False
        self._share_claim(ctx, tok, outturn.claim, bases[0])
        return True

    def _government_share(self, ctx: LineContext, tok: Token) -> bool:
        """"税收收入占财政总收入81%": the item the sentence states over the one item the report prints
        under the name of the whole; unread when the part is not the item just named or the whole is
        not one figure."""
        text = ctx.line.text
        how = _patterns().how
        found = _patterns().share.search(text, max(ctx.previous_end(tok.start), tok.start - 40), tok.start)
        part = self._last_item(ctx, tok.start)
        if found is None:
            return False
        if part is None:
            self._unparsed(ctx, tok, "extract.unread-share-without-part")
            return True
        # the part named again before 占, or the figure right before it
        named = strip_label(text[max(ctx.previous_end(found.start()), part.after):found.start()], self.department)
        if named and _name(named, how) != _name(part.claim.label, how) \
                or not named and ctx.previous_end(found.start()) != part.after:
            self._unparsed(ctx, tok, "extract.unread-share-without-part")
            return True
        whole_name = _name(found.group(1), how)
        named_so = [(item.claim, _name(item.claim.label, how)) for item in self._government_items
                    if not item.is_base and item.claim is not part.claim and item.claim.year == part.claim.year
                    and _name(item.claim.label, how).endswith(whole_name)]
        wholes = [claim for claim, name in named_so if name == whole_name]
        # 县本级财政总收入 beside 全县财政总收入: which one 财政总收入 means cannot be told
        if len(wholes) != 1 or len(named_so) > 1 or not wholes[0].value:
            self._unparsed(ctx, tok, "extract.unread-share-without-whole")
            return True
        self._share_claim(ctx, tok, part.claim, wholes[0])
        return True

    def _share_claim(self, ctx: LineContext, tok: Token, part: ExtractedFigure, whole: ExtractedFigure) -> None:
        how = _patterns().how
        claim = self._new(ctx, tok, "share", part.measure,
                          f"{how.sub('', bare_label(part.label))}占{how.sub('', bare_label(whole.label))}", part.year, "%")
        claim.base_measure, claim.ref, claim.base = whole.measure, part, whole


def _opens_clause(before: str) -> bool:
    """Whether a word after ``before`` (its sentence's words before it) opens a clause: nothing but spaces
    since the sentence began or since a comma."""
    before = before.rstrip()
    return not before or before.endswith(("，", ","))


def _budget_of(label: str, words: str, base_word: str, how: re.Pattern) -> str | None:
    """The item a budget's label is of, when the label holds a completion rate's words and ends in its
    base word ("调整一般公共预算收入预期" with 调整 … 预期: 一般公共预算收入); None when it does not."""
    name = _name(label, how)
    budget = re.match(rf"(.{{0,80}}?){re.escape(words)}(.{{0,80}}?){re.escape(base_word)}数?$", name) if words in name else None
    return budget.group(1) + budget.group(2) if budget and not _BUDGET_NAME.search(label) else None


def _name(label: str, how: re.Pattern) -> str:
    """What a label names, without the words saying how its figure was reached or of which scope."""
    name = how.sub("", bare_label(label))
    for scope in _words()["scopes"]:
        if name.startswith(scope):
            return name[len(scope):]
    return name
