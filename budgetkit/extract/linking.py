"""Claims that point at other claims: a change at the figure it is a change of (and its printed prior
year), a share (占X%) at its part and whole, a completion rate (完成年初预算的X%) at its outturn and budget.

A change is of the figure its sentence names, or of the figure just read, or of nothing: never a guess.
"""

from __future__ import annotations

import re

from ..template import measures
from .comparisons import Comparison
from .figures import MONEY_UNITS, SCHEMA_UNITS, ExtractedFigure, Token
from .labels import LABEL_REACH, bare_label, last_break, strip_label
from .ledger import Ledger, LineContext

__all__ = ["Linking"]

#: A completion rate: the outturn as a percentage of the budget ("完成年初预算的95.45%", "为预算数的98%").
_COMPLETION = re.compile(r"(?:完成|为|达到)(?:了)?(?:年初|全年|调整)?预算(?:数)?的?\s{0,2}$")


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

    def _completion_rate(self, ctx: LineContext, tok: Token) -> bool:
        """A percentage right after the outturn its sentence holds against a budget (年初预算为A万元，支出决算为
        B万元，完成年初预算的C%) is B over A, claimed like a share; True when claimed. "其中：因公出国费决算为
        0.00万元，完成预算的0.00%" has no budget of its own."""
        side = self._budget_side
        if not (_COMPLETION.search(ctx.line.text, max(0, tok.start - 12), tok.start) and side
                and side[:2] == (ctx.number, last_break(self._sentence_ends, tok.start))
                and side[3] is not None and side[3] is self._last_current and self._last_figure_read):
            return False
        _, _, budget, outturn = side
        claim = self._new(ctx, tok, "share", outturn.measure, f"{bare_label(outturn.label)}占{budget.label}",
                          self.year, "%", code=outturn.code)
        claim.base_measure, claim.ref, claim.base = budget.measure, outturn, budget
        return True
