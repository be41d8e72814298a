"""Claims that point at other claims: a change at the figure it is a change of (and its printed prior
year), a share (占X%) at its part and whole, a completion rate (完成年初预算的X%) at its outturn and budget.

A change is of the figure its sentence names, or of the figure just read, or of nothing: never a guess.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..template import measures
from .codes import CodeRef
from .comparisons import Comparison
from .figures import MONEY_UNITS, SCHEMA_UNITS, YEAR, ExtractedFigure, Token
from .labels import LABEL_REACH, bare_label, last_break, strip_label
from .ledger import Ledger, LineContext

__all__ = ["UNNAMED_ITEM", "BudgetSide", "Linking"]

#: The measure of an amount the template does not name, kept (kind item) as the subject of its change or share.
UNNAMED_ITEM = "unnamed_item"

#: The words of a completion rate: the outturn as a percentage of the budget ("完成年初预算的95.45%", "为预算数的98%").
_COMPLETION_WORDS = r"(?:完成|为|达到)(?:了)?(?:年初|全年|调整)?预算(?:数)?的?\s{0,2}"
_COMPLETION = re.compile(_COMPLETION_WORDS + "$")
#: A sentence that is only a completion rate ("…支出决算为0.88万元。\n完成年初预算的100.00%。"): of the pair just read.
_BARE_COMPLETION = re.compile(r"\s{0,4}" + _COMPLETION_WORDS)
#: In final accounts, the budget a figure of the year is held against: 年初预算, 调整预算, 全年预算 …
_NAMED_BUDGET = re.compile(r"年初预算|调整预算|全年预算")
#: … or a label ending in 预算 that is not the name of a budget (一般公共预算, 政府性基金预算, 国有资本经营预算),
#: when the outturn follows it.
_PLAIN_BUDGET = re.compile(r"(?<!公共)(?<!基金)(?<!经营)预算数?$")
#: The outturn stated after the budget in the same sentence ("预算为6.35万元，支出决算为6.35万元").
_OUTTURN_FOLLOWS = re.compile(r"[^。；\d]{0,24}决算数?\s{0,2}(?:为|是)?\s{0,2}\d")
#: An outturn of another year than the accounts year ("上年决算为5.74万元"): not the one a budget is held against.
_OTHER_YEAR = re.compile(r"上年|去年|上一年|以前年度|\d{4}\s{0,2}年")
#: The outturn following a budget in its sentence, a year perhaps printed before it ("预算为44.52万元，2019年实际支出
#: “三公经费”决算为22.62万元"): in a document not known to be a 决算, what tells the budget from the outturn …
_DATED_OUTTURN_FOLLOWS = re.compile(r"[^。；\d]{0,8}?(?:" + YEAR + r"\s{0,2}年度?)?[^。；\d]{0,24}决算数?\s{0,2}(?:为|是)?"
                                    r"\s{0,2}\d")
#: … when its sentence names one year only and no prior year.
_SENTENCE_YEAR = re.compile(YEAR + r"\s{0,2}年")
_PRIOR_YEAR_WORDS = re.compile(r"上年|去年|上一年|以前年度")
#: The words of an outturn's label that name no item ("支出决算为"): the item is the budget's.
_BARE_OUTTURN = re.compile(r"^(支出|收入)?决算数?$")
_BUDGET_WORDS = re.compile(r"(?:年初|调整|全年)?预算数?$")
#: A budget named inside its completion rate, after the outturn ("完成全年预算84.82万元的73.2%").
_COMPLETES = re.compile(r"完成(?:了)?(?:年初|全年|调整)?预算数?$")
_RATE_AFTER_BUDGET = re.compile(r"\s{0,2}的\s{0,2}")
#: The difference a completion rate's clause goes on to state ("完成年初预算100%，决算数大于预算数55.93万元"):
#: the outturn's change on its budget, the figure right after these words.
_DIFFERENCE = re.compile(r"\s{0,2}[，,]\s{0,2}(?:支出)?决算数?\s{0,2}(大于|高于|超过|多于|小于|低于|少于)\s{0,2}"
                         r"(?:年初|调整|全年)?预算数?\s{0,2}")
_DIFFERENCE_DIRECTIONS = {"大于": "increase", "高于": "increase", "超过": "increase", "多于": "increase",
                          "小于": "decrease", "低于": "decrease", "少于": "decrease"}
#: Where one sentence ends and the next begins: a completion rate and its outturn are one sentence's.
_FULL_STOP = re.compile(r"[。！？]")
#: Words between a figure and its change that do not name another subject: an aside in brackets
#: ("585.53万元（包括基本支出和项目支出安排的经费），同比减少"), an unfilled share ("75800元，占基本支出预算%，同比增加"),
#: the net of the reasons just given ("主要原因：一是…；二是…。增减相抵后与上年相比减少710.87万元").
_NOT_A_SUBJECT = re.compile(r"（[^（）]{1,60}）|占[^，。；\d]{1,24}%|(?:增减)?相抵后")
#: What a figure's label says before its name: the department and the year ("省委办公厅 2017 年").
_BEFORE_NAME = re.compile(r"^[^\d，。；]{0,40}?\d{4}\s{0,2}年度?")
#: 预算 inside a name of spending or income, which its change leaves out (财政拨款预算支出 → 财政拨款支出).
_BUDGET_WORD = re.compile(r"预算(?=支出|收入)|(?<=支出|收入)预算数?$")


def _names_again(label: str, named: str) -> bool:
    """Whether ``named`` (the subject a change names) is the name of the figure labelled ``label``, the
    department, the year and the word 预算 left out ("2018年财政拨款预算支出15897.44万元…与上年相比，财政拨款
    支出增加…")."""
    name = _BUDGET_WORD.sub("", _BEFORE_NAME.sub("", label).strip())
    return bool(named) and name == _BUDGET_WORD.sub("", named)


class BudgetSide(NamedTuple):
    """A final-accounts sentence holding an outturn against its budget, as far as it has been read."""

    line: int
    sentence_start: int
    budget: ExtractedFigure
    outturn: ExtractedFigure | None = None
    code: CodeRef | None = None  # the 类/款/项 the sentence is of, whose figure is the outturn
    rate_at: int | None = None  # "…决算为B万元，完成预算A万元的C%": where the budget A ends, its rate C following


class Linking(Ledger):
    """Change, share and completion-rate claims, linked to the claims they are of."""

    # -- changes -----------------------------------------------------------------------------
    def _subject(self, ctx: LineContext, comparison: Comparison) -> ExtractedFigure | None:
        text = ctx.line.text
        if comparison.subject_start is not None:  # "与2019年相比，一般公共预算财政拨款增加…": named after it
            end = comparison.prior.start if comparison.prior is not None else comparison.word_start
            label = strip_label(text[comparison.subject_start:end], self.department)
        else:
            sentence_start = last_break(self._sentence_ends, comparison.compare_start)
            begin = max(sentence_start, ctx.previous_end(comparison.compare_start),
                        comparison.compare_start - LABEL_REACH)
            label = strip_label(text[begin:comparison.compare_start], self.department)
        if _NOT_A_SUBJECT.fullmatch(label):
            label = ""
        if label:  # the sentence names what changed: that, or nothing (never a guess)
            measure, code = self._money_measure(label, ctx.std, ctx.sub)
            if measure is not None:
                return self._latest(measure, code)
            # words no measure names, naming again the figure just read ("一般公共预算财政拨款支出1264.92万元。
            # 与2019年相比，一般公共预算财政拨款增加…")
            last = self._last_current
            named_again = self._last_figure_read and last is not None and (
                bare_label(last.label).startswith(label) or _names_again(last.label, label))
            return last if named_again else None
        # "“三公”经费较上年减少15.29万元，下降49.88%，较年初预算数减少0.04万元": a second comparison of its sentence,
        # no figure read since the first, is of what the first is of
        if self._last_compared is not None:
            line, start, subject = self._last_compared
            last = self._last_current
            if line == ctx.number and last_break(self._sentence_ends, start) == last_break(
                    self._sentence_ends, comparison.compare_start) and (last is None or last.line != line
                                                                        or last.start < start):
                return subject
        # "…840.99万元。比2023年…": the figure just stated, when it was the last figure read; after a
        # figure that could not be read, the change is of that unknown figure, not of an earlier one
        return self._last_current if self._last_figure_read else None

    def _comparison_claims(self, ctx: LineContext, comparison: Comparison) -> None:
        self._refuse_unreadable(ctx, comparison.prior)
        self._refuse_unreadable(ctx, comparison.change)
        figures = [t for t in (comparison.prior, comparison.change) if t is not None]
        if strange := next((t.unit for t in figures if t.unit and t.unit not in SCHEMA_UNITS), None):
            for tok in figures:
                if not tok.used:
                    self._unparsed(ctx, tok, "extract.unread-unknown-unit", unit=strange)
            return
        if comparison.follows is not None:
            self._follow_on_claim(ctx, comparison)
            return
        if comparison.budget and not comparison.year_printed and not self.final_accounts:
            for tok in figures:  # 较年初预算 outside final accounts: what is held against that budget, not told
                if not tok.used:
                    self._unparsed(ctx, tok, "extract.unread-change-on-budget")
            return
        own_budget = self._on_own_budget(comparison)
        subject = self._subject(ctx, comparison)
        comparison.subject = subject
        tokens = [t for t in (comparison.prior, comparison.change) if t is not None]
        if own_budget and subject is not None and subject.year != self.year:
            subject = None  # an outturn of another year is not what the year's budget is held against
        if subject is None:
            for tok in tokens:
                tok.used = True
                self._unparsed(ctx, tok, "extract.unread-change-without-subject")
            return
        prior_claim = None
        if comparison.prior is not None and not comparison.prior.used:
            tok = comparison.prior
            unit = tok.unit or (comparison.change.unit if comparison.change is not None
                                and comparison.change.unit in MONEY_UNITS else None) or subject.unit
            subject_name = bare_label(subject.label)
            label = f"{comparison.base_year}年{subject_name}" + ("" if re.search(r"预算数?$", subject_name) else "预算")
            if own_budget:  # "较年初预算数20万元减少…": the year's budget, another quantity than its outturn
                current, read = self._last_current, self._last_figure_read
                prior_claim = self._new(ctx, tok, "item", UNNAMED_ITEM, label, self.year, unit, code=subject.code)
                self._last_current, self._last_figure_read = current, read
            else:
                prior_claim = self._new(ctx, tok, "amount", subject.measure, label, comparison.base_year, unit,
                                        code=subject.code)
        change_label = f"{bare_label(subject.label)}较{self._compared_with(comparison)}{comparison.word}"
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
        if own_budget:  # a change of the outturn on the year's own budget, not on a prior year
            claim.base_measure, claim.base_year = UNNAMED_ITEM, self.year
        claim.ref = subject
        claim.base = prior_claim if prior_claim is not None or not own_budget else self._budget_of(subject)
        comparison.claim = claim
        self._last_compared = (ctx.number, comparison.compare_start, subject)

    def _budget_of(self, outturn: ExtractedFigure) -> ExtractedFigure | None:
        """The budget the document states for ``outturn``'s item ("2021年我镇“三公”经费预算为20万元。…支出共计
        9.07万元，较年初预算数减少10.93万元"): the one budget of the year whose words name the same measure, else
        none (two budgets of one item, or none, and which one is meant cannot be told)."""
        named = [budget for budget in self._budgets if budget.year == self.year and budget.unit in MONEY_UNITS
                 and self._money_measure(_BUDGET_WORDS.sub("", budget.label), None, None)
                 == (outturn.measure, outturn.code)]
        return named[0] if len(named) == 1 else None

    def _compared_with(self, comparison: Comparison) -> str:
        """What a change label says its figure is compared with: a year (2019年), or the year's budget."""
        return f"{self.year}年预算" if self._on_own_budget(comparison) else f"{comparison.base_year}年"

    def _on_own_budget(self, comparison: Comparison) -> bool:
        """Whether ``comparison`` holds an outturn against the budget of the year itself ("较年初预算数减少",
        "与2021年度预算相比持平" in the 2021 accounts), not against a prior year. In a budget, "较2024年预算"
        of the 2024 budget is a comparison with the wrong year, said so by the audit."""
        head = comparison.follows or comparison
        return self.final_accounts and head.budget and (not head.year_printed or head.base_year == self.year)

    def _follow_on_claim(self, ctx: LineContext, comparison: Comparison) -> None:
        """The percentage of an amount change: checked against the prior year's figure where the document
        prints one, else against the prior year that change implies."""
        tok, amount = comparison.change, comparison.follows.claim
        if tok is None or tok.used:
            return
        subject = comparison.follows.subject
        if amount is None or subject is None:
            self._unparsed(ctx, tok, "extract.unread-percentage-of-unknown-change")
            return
        if subject.value == 0 and amount.value == 0:
            self._unparsed(ctx, tok, "extract.unread-percentage-of-nothing")
            return
        claim = self._new(ctx, tok, "change", subject.measure,
                          f"{bare_label(subject.label)}较{self._compared_with(comparison)}{comparison.word}",
                          subject.year, "%", code=subject.code)
        claim.direction = comparison.direction
        claim.base_year = comparison.base_year
        claim.ref = subject
        # the prior year's figure printed elsewhere in the document is what a percentage is of; without
        # one, the prior year is the one the amount change implies (this year minus the change)
        # ("较2024年的2190万元减少221万元，下降10.1%": the prior printed in the sentence itself)
        own_budget = self._on_own_budget(comparison)
        if own_budget:  # of the year's budget: printed in its comparison, or implied by the amount change
            claim.base_measure, claim.base_year = UNNAMED_ITEM, self.year
            printed_prior = amount.base
        else:
            printed_prior = amount.base or next((c for c in reversed(self.claims) if c.measure == subject.measure
                                                 and c.code == subject.code and c.year == comparison.base_year
                                                 and c.kind in ("amount", "total") and c.value is not None), None)
        claim.base = printed_prior or amount

    # -- shares --------------------------------------------------------------------------------
    def _share(self, ctx: LineContext, tok: Token, share: re.Match) -> None:
        # the part stated in the share's line, or in the line before when the share's 占 was carried from it
        lines = (ctx.number, ctx.number - 1) if share.start() < self._carried else (ctx.number,)
        part = next((c for c in reversed(self.claims[-50:]) if c.line in lines and c.kind in ("amount", "total", "item")
                     and c.unit in MONEY_UNITS), None)
        if part is None:
            self._unparsed(ctx, tok, "extract.unread-share-without-part")
            return
        whole_label = (share.group(1) or share.group(2) or "").strip()
        whole_measure = None
        if whole_label:
            whole_measure, _ = self._money_measure(whole_label, ctx.std, ctx.sub)
        if share.group(2) and whole_measure is None:  # 占 and words no measure names, no 的: no whole to take
            self._unparsed(ctx, tok, "extract.unread-share-without-whole")
            return
        whole_measure = whole_measure or measures()[part.measure].share_of
        # "一般公共预算财政拨款支出1264.92万元，主要用于：社会保障和就业支出67.64万元，占5.35%": an item no
        # measure names, listed under the total of its line, is a share of that total
        owner = self._owners[-1][1] if self._owners else None
        listed_under = (not whole_label and whole_measure is None and owner is not None
                        and owner.line == part.line and owner.start < part.start)
        if listed_under:
            whole_measure = owner.measure
        whole_measure = self.vocabulary.of_the_year(whole_measure, self.final_accounts)
        if whole_measure is None:
            self._unparsed(ctx, tok, "extract.unread-share-without-whole")
            return
        whole = owner if listed_under else self._latest(whole_measure, None)
        whole_name = bare_label(whole.label) if whole is not None else measures()[whole_measure].label
        claim = self._new(ctx, tok, "share", part.measure, f"{bare_label(part.label)}占{whole_label or whole_name}",
                          self.year, "%", code=part.code)
        claim.base_measure = whole_measure
        claim.ref = part
        claim.base = whole

    # -- final accounts: an outturn held against its budget ---------------------------------------
    def _is_budget_figure(self, ctx: LineContext, tok: Token, label: str) -> bool:
        """Whether the figure labelled ``label`` is the budget of a final-accounts sentence: named so
        (年初预算为), or "…预算为A万元" with the outturn of the year (决算为B万元) right after it in its sentence,
        or none."""
        if _NAMED_BUDGET.search(label) or self.final_accounts and _COMPLETES.match(label) and self._outturn_before(ctx):
            return True
        if not _PLAIN_BUDGET.search(label):
            return False
        if not self.final_accounts:
            # not known to be a 决算: a budget only when the outturn of its own year follows in its sentence
            dated = _DATED_OUTTURN_FOLLOWS.match(ctx.line.text, tok.after)
            if dated is None:
                return False
            sentence = ctx.line.text[last_break(self._sentence_ends, tok.start):dated.end()]
            return len(set(_SENTENCE_YEAR.findall(sentence))) <= 1 and not _PRIOR_YEAR_WORDS.search(sentence)
        outturn = _OUTTURN_FOLLOWS.match(ctx.line.text, tok.after)
        # no outturn following ("2021年我镇“三公”经费预算为20万元，其中：…"): still the budget, not the outturn
        return outturn is None or not _OTHER_YEAR.search(outturn.group(0))

    def _outturn_before(self, ctx: LineContext) -> ExtractedFigure | None:
        """The outturn (…决算为B万元) read just before, in the line being read."""
        last = self._last_current if self._last_figure_read else None
        return last if last is not None and "决算" in last.label and last.line == ctx.number else None

    def _budget_claim(self, ctx: LineContext, tok: Token, label: str, code: CodeRef | None = None) -> None:
        """"年初预算为10210.34万元，支出决算为9746.50万元，完成年初预算的95.45%": the budget an outturn is
        held against, kept as an item (another quantity than the outturn) for its completion rate."""
        outturn = self._outturn_before(ctx)
        sentence_start = last_break(self._sentence_ends, tok.start)
        name = re.sub(r"^完成(?:了)?", "", bare_label(label))  # 完成全年预算84.82万元: the 全年预算
        claim = self._new(ctx, tok, "item", UNNAMED_ITEM, name, self.year, tok.unit)
        self._budget_side = BudgetSide(ctx.number, sentence_start, claim, code=code)
        self._budgets.append(claim)
        if _COMPLETES.match(label) and outturn is not None and outturn.start >= ctx.line.span(sentence_start,
                                                                                              sentence_start)[0]:
            # "支出决算为62.07万元，完成全年预算84.82万元的73.2%，比上年决算数增加…": the budget of the outturn
            # just read, its rate right after it; what changes on the prior year is still that outturn
            self._budget_side = self._budget_side._replace(outturn=outturn, rate_at=tok.after)
            self._last_current = outturn

    def _awaits_outturn(self, ctx: LineContext, tok: Token, label: str) -> bool:
        """Whether ``tok`` (labelled ``label``) is the outturn of the budget its sentence just stated."""
        side = self._budget_side
        return (side is not None and side.outturn is None and "决算" in label and not _OTHER_YEAR.search(label)
                and (side.line, side.sentence_start) == (ctx.number, last_break(self._sentence_ends, tok.start)))

    def _outturn_name(self, label: str) -> str:
        """The item an outturn is of: its own label, or, for a bare 支出决算, the item its budget names
        ("“三公”经费支出预算为6.35万元，支出决算为6.35万元": “三公”经费支出决算)."""
        bare = _BARE_OUTTURN.match(bare_label(label))
        if bare is None:
            return bare_label(label)
        item = _BUDGET_WORDS.sub("", self._budget_side.budget.label)
        words = bare.group(1) or ""
        return item + ("" if item.endswith(words) else words) + "决算"

    def _completion_rate(self, ctx: LineContext, tok: Token) -> bool:
        """A percentage right after the outturn its sentence holds against a budget (年初预算为A万元，支出决算为
        B万元，完成年初预算的C%) is B over A, claimed like a share; True when claimed or reported unread (a
        completion rate without its budget: "其中：因公出国费决算为0.00万元，完成预算的0.00%")."""
        side = self._budget_side
        after_budget = side is not None and side.rate_at is not None and side.line == ctx.number \
            and _RATE_AFTER_BUDGET.fullmatch(ctx.line.text, side.rate_at, tok.start) is not None
        if not (after_budget or _COMPLETION.search(ctx.line.text, max(0, tok.start - 12), tok.start)):
            return False
        sentence_start = last_break(self._sentence_ends, tok.start)
        # the rate of its own sentence's pair, or a sentence of the rate alone right after the pair
        linked = after_budget or (side is not None and side.outturn is not None and side.outturn is self._last_current
                  and self._last_figure_read and ((side.line, side.sentence_start) == (ctx.number, sentence_start) or (
                      side.line in (ctx.number, ctx.number - 1)
                      and _BARE_COMPLETION.fullmatch(ctx.line.text, sentence_start, tok.start))))
        if not linked and self._rate_on_difference(ctx, tok, sentence_start):
            return True
        if not linked:  # "支出决算数为1264.92万元，完成预算59.7%": the budget it is of is not printed beside it
            self._unparsed(ctx, tok, "extract.unread-completion-without-budget")
            return True
        budget, outturn = side.budget, side.outturn
        if budget.value == 0:  # "预算为0万元，支出决算为0万元，完成预算的0%": no budget to take it of
            self._unparsed(ctx, tok, "extract.unread-completion-of-nothing")
            return True
        claim = self._new(ctx, tok, "share", outturn.measure, f"{bare_label(outturn.label)}占{budget.label}",
                          self.year, "%", code=outturn.code)
        claim.base_measure, claim.ref, claim.base = budget.measure, outturn, budget
        return True

    def _rate_on_difference(self, ctx: LineContext, tok: Token, clause_start: int) -> bool:
        """"支出总计1741.75万元，…；完成年初预算100%，决算数大于预算数55.93万元": a rate opening its clause, of
        the outturn just read in its sentence, followed by the outturn's difference from its budget. The
        difference is claimed as a change of the outturn on that year's budget (its base year its own), the
        rate as a share of the outturn on the budget the difference implies; True when both are claimed."""
        text = ctx.line.text
        outturn = self._last_current if self._last_figure_read else None
        side = self._budget_side
        if not (self.final_accounts and outturn is not None and outturn.kind in ("amount", "total")
                and outturn.year == self.year and outturn.unit in MONEY_UNITS and outturn.line == ctx.number
                and (side is None or side.line != ctx.number)
                and _BARE_COMPLETION.fullmatch(text, clause_start, tok.start)):
            return False
        outturn_end = next((t.end for t in ctx.tokens if ctx.line.span(t.start, t.end) == (outturn.start, outturn.end)),
                           None)
        words = _DIFFERENCE.match(text, tok.after)
        if outturn_end is None or _FULL_STOP.search(text, outturn_end, tok.start) or words is None:
            return False
        difference = next((t for t in ctx.tokens if t.start == words.end() and t.role is None), None)
        if difference is None or difference.used or difference.value is None or difference.unit not in MONEY_UNITS:
            return False
        name = bare_label(outturn.label)
        completes = text[clause_start:tok.start].strip()  # the words as printed: 完成年初预算, 完成预算的 …
        rate = self._new(ctx, tok, "share", outturn.measure, name + completes, self.year, "%", code=outturn.code)
        change = self._new(ctx, difference, "change", outturn.measure, f"{name}决算数{words.group(1)}预算数",
                           self.year, difference.unit, code=outturn.code)
        change.direction = _DIFFERENCE_DIRECTIONS[words.group(1)]
        change.base_measure, change.base_year = UNNAMED_ITEM, self.year  # of the year's own budget, not a prior year
        change.ref = outturn
        rate.base_measure, rate.ref, rate.base = outturn.measure, outturn, change
        return True
