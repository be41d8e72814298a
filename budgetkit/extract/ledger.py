"""What the extractor has read so far, and the two things it does with a figure: make it a claim
or report it unread (never drop it). The walk over the lines (:mod:`.claims`) and the linking of
changes and shares (:mod:`.linking`) build on this.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..claims import OPENING_SECTION
from ..messages import text
from .classification import ClassReference
from .codes import CodeFinder, PrintedCodes
from .figures import MAX_DECIMALS, MAX_INTEGER_DIGITS, MONEY_UNITS, ExtractedFigure, Token, Unparsed
from .labels import LABEL_REACH, SENTENCE_DONE
from .reading import NormalLine
from .sections import SectionMap
from .vocabulary import vocabulary

__all__ = ["NO_MEASURE", "Ledger", "LineContext"]

#: Why an amount of the template is not identified (a message key): as a listed part, it leaves its
#: total's sum unknown.
NO_MEASURE = "extract.unread-no-measure"
#: A minus sign right before an amount ("上解上级支出-1.83亿元"), not a dash between two numbers (1-5月).
_MINUS = re.compile(r"(?:^|(?<=[^\d]))[-－−]$")
#: Why an amount listed under a total could not be identified (message keys): any of them leaves the
#: total's sum unknown, as an absent part would make it wrong. A reason, a change, a budget or a part of
#: another amount is no part of the total.
_PART_NOT_IDENTIFIED = frozenset({NO_MEASURE, "extract.unread-no-unit", "extract.unread-unknown-unit",
                                  "extract.unread-unknown-qualifier", "extract.unread-too-many-digits",
                                  "extract.unread-too-many-decimals", "extract.unread-government-scope",
                                  "extract.unread-negative-amount"})


@dataclass
class LineContext:
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


class Ledger:
    """The claims, unread figures and classification names off the list found so far, and the state
    later figures of the pass depend on: the latest figure of each measure, the totals being listed."""

    def __init__(self, lines: list[NormalLine], sections: SectionMap, reference: ClassReference,
                 year: int, department: str, final_accounts: bool = False, government_report: bool = False,
                 printed_codes: PrintedCodes | None = None):
        self.lines = lines
        self.final_accounts = final_accounts  # a 决算: its grand totals include the year-end balances
        # a government's budget report (…预算执行情况和…预算草案的报告): none of its figures is a department's
        self.government_report = government_report
        self.sections = sections
        self.reference = reference
        # the 类/款/项 of the lines, their names looked up in the codes the document's tables print
        self.codes = CodeFinder(reference, printed_codes)
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
        # the last change read: (line, where its comparison starts, what it is of)
        self._last_compared: tuple[int, int, ExtractedFigure] | None = None
        # final accounts: every budget stated beside (or before) an outturn, for a change on it (较年初预算数减少)
        self._budgets: list[ExtractedFigure] = []
        self._clause_ends: list[int] = []
        self._sentence_ends: list[int] = []
        # an excerpt that begins inside a sentence: (line, end of that first sentence) once the first figure is met
        self._headless: tuple[int, int] | None = None
        self._figure_met = False
        # the words the line before ended with, and how many of them the line being read begins with
        self._tail = ""
        self._carried = 0
        self._headings: set[int] = set()
        self._wrap_width = 0.0
        self._ending_comparison = None
        self._reasons_of = None  # the comparison whose numbered reasons the lines give (claims.py)
        # the document is a government's own (its title names it): 全市, 全区 … name the document's subject
        self._government_subject = False
        self._full_line_before = False
        # the figure before was an amount no measure names, and the figures being read are listed under it (其中)
        self._unnamed_before = False
        self._under_unread = False
        # the table being read prints the budget beside the outturn (项目 | 预算数 | 决算数)
        self._budget_beside_outturn = False

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

    def _latest(self, measure: str, code: str | None) -> ExtractedFigure | None:
        return self._latest_by_measure.get((measure, code))

    # -- claims and unread figures -------------------------------------------------------------
    def _new(self, ctx: LineContext, tok: Token, kind: str, measure: str, label: str, year: int, unit: str,
             code: str | None = None) -> ExtractedFigure:
        tok.used = True
        self._unnamed_before = False
        start, end = ctx.line.span(tok.start, tok.end)
        claim = ExtractedFigure(line=ctx.number, start=start, end=end, text=ctx.line.original[start:end], kind=kind,
                                measure=measure, label=label or measure, year=year, value=tok.value, unit=unit,
                                decimals=tok.decimals if tok.kind == "number" else None, code=code,
                                section=ctx.section or OPENING_SECTION)
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

    def _refuse_unreadable(self, ctx: LineContext, tok: Token | None) -> bool:
        """Report a figure too long or too precise to be a budget figure; True when reported."""
        if tok is None or tok.used or tok.kind != "number":
            return False
        if tok.value is None:
            self._unparsed(ctx, tok, "extract.unread-too-many-digits", digits=MAX_INTEGER_DIGITS)
        elif tok.decimals is not None and tok.decimals > MAX_DECIMALS:
            self._unparsed(ctx, tok, "extract.unread-too-many-decimals", decimals=tok.decimals, limit=MAX_DECIMALS)
        elif tok.unit in MONEY_UNITS and _MINUS.search(ctx.line.text, max(0, tok.start - 2), tok.start):
            self._unparsed(ctx, tok, "extract.unread-negative-amount")
        else:
            return False
        return True

    def _unparsed(self, ctx: LineContext, tok: Token, reason: str, **fields) -> None:
        """Report ``tok`` unread; ``reason`` is the key of the message saying why, ``fields`` its fields."""
        tok.used = True
        if tok.unit in MONEY_UNITS:
            self._last_figure_read = False
            self._unnamed_before = reason == NO_MEASURE
        money_like = tok.unit in MONEY_UNITS or (tok.unit is None and tok.kind == "number"
                                                 and (bool(tok.decimals) or "," in tok.text))
        if money_like and reason in _PART_NOT_IDENTIFIED:
            self._mark_listed_part_unread(ctx, tok)
        original = ctx.line.original
        start, end = ctx.line.span(tok.start, tok.end)
        window = max(0, start - 150)
        begin = max(original.rfind("。", window, start), original.rfind("；", window, start), window - 1) + 1
        stops = [i for i in (original.find("。", end, end + 150), original.find("；", end, end + 150)) if i >= 0]
        stop = min(stops) + 1 if stops else min(len(original), end + 150)
        sentence = original[begin:stop].strip()
        self.unparsed.append(Unparsed(ctx.number, ctx.section, original[start:end], sentence, text(reason, **fields)))

    # -- totals whose parts are listed ------------------------------------------------------------
    def _mark_listed_part_unread(self, ctx: LineContext, tok: Token) -> None:
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
        if not last or SENTENCE_DONE.search(self.lines[last - 1].text):
            return
        owners = {id(owner) for _, owner in self._owners}
        for claim in self.claims:
            if claim.kind == "total" and claim.unit in MONEY_UNITS and (
                    claim.line == last or (id(claim) in owners and not self._listed_on_own_line(claim))):
                claim.qualifier = "parts-unread"

    def _listed_on_own_line(self, total: ExtractedFigure) -> bool:
        """Whether ``total``'s line lists amounts after it and closes their sentence there ("…11.52万元。其中：
        因公出国（境）费…0万元、…35万元。"): the list is whole where it is printed, and the numbered items the
        excerpt cuts off later detail its parts (（一）…（三）…), not more of them."""
        after = [c for c in self.claims if c.line == total.line and c.start > total.end and c.kind == "amount"]
        return bool(after) and "。" in self.lines[total.line - 1].original[max(c.end for c in after):]

    def _classified(self, text: str, position: int) -> bool:
        """Whether the words before ``position`` name a 类/款/项 of the functional classification."""
        before = text[max(0, position - LABEL_REACH):position]
        return bool(re.search(r"（[类款项]）", before)) or self.reference.class_in(before) is not None

    def _assign_ids(self) -> None:
        by_line: dict[int, list[ExtractedFigure]] = {}
        for claim in self.claims:
            by_line.setdefault(claim.line, []).append(claim)
        for line, claims in by_line.items():
            for n, claim in enumerate(sorted(claims, key=lambda c: c.start), start=1):
                claim.claim_id = f"c{line:03d}-{n}"
        self.claims.sort(key=lambda c: (c.line, c.start))
