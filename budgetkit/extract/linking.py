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
from .figures import MONEY_UNITS, SCHEMA_UNITS, ExtractedFigure, Token
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
#: The words of an outturn's label that name no item ("支出决算为"): the item is the budget's.
_BARE_OUTTURN = re.compile(r"^(支出|收入)?决算数?$")
_BUDGET_WORDS = re.compile(r"(?:年初|调整|全年)?预算数?$")


class BudgetSide(NamedTuple):
    """A final-accounts sentence holding an outturn against its budget, as far as it has been read."""

    line: int
    sentence_start: int
    budget: ExtractedFigure
    outturn: ExtractedFigure | None = None
    code: CodeRef | None = None  # the 类/款/项 the sentence is of, whose figure is the outturn


class Linking(Ledger):
    """Change, share and completion-rate claims, linked to the claims they are of."""

    # -- changes -----------------------------------------------------------------------------
    def _subject(self, ctx: LineContext, comparison: Comparison) -> ExtractedFigure | None:
        text = ctx.line.text
        sentence_start = last_break(self._sentence_ends, comparison.compare_start)
        begin = max(sentence_start, ctx.previous_end(comparison.compare_start), comparison.compare_start - LABEL_REACH)
        label = strip_label(text[begin:comparison.compare_start], self.department)
        if label:  # the sentence names what changed: that, or nothing (never a guess)
            measure, code = self._money_measure(label, ctx.std, ctx.sub)
            return self._latest(measure, code) if measure is not None else None
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
        subject = self._subject(ctx, comparison)
        comparison.subject = subject
        tokens = [t for t in (comparison.prior, comparison.change) if t is not None]
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
            prior_claim = self._new(ctx, tok, "amount", subject.measure, label, comparison.base_year, unit,
                                    code=subject.code)
        change_label = f"{bare_label(subject.label)}较{comparison.base_year}年{comparison.word}"
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

    def _follow_on_claim(self, ctx: LineContext, comparison: Comparison) -> None:
        """The percentage of an amount change: checked against the prior year's figure where the document
        prints one, else against the prior year that change implies."""
        tok, amount = comparison.change, comparison.follows.claim
        if tok is None or tok.used:
            return
        subject = comparison.follows.subject
        if amount is None or subject is None or amount.base is not None:
            # with the prior year printed, the amount change is checked against it; the percentage
            # would need that printed prior as its base, which the claim cannot name beside the change
            reason = ("extract.unread-percentage-of-unknown-change" if amount is None
                      else "extract.unread-percentage-beside-prior")
            self._unparsed(ctx, tok, reason)
            return
        if subject.value == 0 and amount.value == 0:
            self._unparsed(ctx, tok, "extract.unread-percentage-of-nothing")
            return
        claim = self._new(ctx, tok, "change", subject.measure,
                          f"{bare_label(subject.label)}较{comparison.base_year}年{comparison.word}", subject.year, "%",
                          code=subject.code)
        claim.direction = comparison.direction
        claim.base_year = comparison.base_year
        claim.ref = subject
        # the prior year's figure printed elsewhere in the document is what a percentage is of; without
        # one, the prior year is the one the amount change implies (this year minus the change)
        printed_prior = next((c for c in reversed(self.claims) if c.measure == subject.measure and c.code == subject.code
                              and c.year == comparison.base_year and c.kind in ("amount", "total")
                              and c.value is not None), None)
        claim.base = printed_prior or amount

    # -- shares --------------------------------------------------------------------------------
    def _share(self, ctx: LineContext, tok: Token, share: re.Match) -> None:
        part = next((c for c in reversed(self.claims[-50:]) if c.line == ctx.number and c.kind in ("amount", "total", "item")
                     and c.unit in MONEY_UNITS), None)
        if part is None:
            self._unparsed(ctx, tok, "extract.unread-share-without-part")
            return
        whole_label = (share.group(1) or "").strip()
        whole_measure = None
        if whole_label:
            whole_measure, _ = self._money_measure(whole_label, ctx.std, ctx.sub)
        whole_measure = whole_measure or measures()[part.measure].share_of
        whole_measure = self.vocabulary.of_the_year(whole_measure, self.final_accounts)
        if whole_measure is None:
            self._unparsed(ctx, tok, "extract.unread-share-without-whole")
            return
        whole = self._latest(whole_measure, None)
        whole_name = bare_label(whole.label) if whole is not None else measures()[whole_measure].label
        claim = self._new(ctx, tok, "share", part.measure, f"{bare_label(part.label)}占{whole_label or whole_name}",
                          self.year, "%", code=part.code)
        claim.base_measure = whole_measure
        claim.ref = part
        claim.base = whole

    # -- final accounts: an outturn held against its budget ---------------------------------------
    def _is_budget_figure(self, ctx: LineContext, tok: Token, label: str) -> bool:
        """Whether the figure labelled ``label`` is the budget of a final-accounts sentence: named so
        (年初预算为), or "…预算为A万元" with the outturn (决算为B万元) right after it in its sentence."""
        if _NAMED_BUDGET.search(label):
            return True
        if not (self.final_accounts and _PLAIN_BUDGET.search(label)):
            return False
        outturn = _OUTTURN_FOLLOWS.match(ctx.line.text, tok.after)
        return outturn is not None and not _OTHER_YEAR.search(outturn.group(0))

    def _budget_claim(self, ctx: LineContext, tok: Token, label: str, code: CodeRef | None = None) -> None:
        """"年初预算为10210.34万元，支出决算为9746.50万元，完成年初预算的95.45%": the budget an outturn is
        held against, kept as an item (another quantity than the outturn) for its completion rate."""
        claim = self._new(ctx, tok, "item", UNNAMED_ITEM, bare_label(label), self.year, tok.unit)
        self._budget_side = BudgetSide(ctx.number, last_break(self._sentence_ends, tok.start), claim, code=code)

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
        if not _COMPLETION.search(ctx.line.text, max(0, tok.start - 12), tok.start):
            return False
        side = self._budget_side
        sentence_start = last_break(self._sentence_ends, tok.start)
        # the rate of its own sentence's pair, or a sentence of the rate alone right after the pair
        linked = (side is not None and side.outturn is not None and side.outturn is self._last_current
                  and self._last_figure_read and ((side.line, side.sentence_start) == (ctx.number, sentence_start) or (
                      side.line in (ctx.number, ctx.number - 1)
                      and _BARE_COMPLETION.fullmatch(ctx.line.text, sentence_start, tok.start))))
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
