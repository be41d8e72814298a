"""Text rules over the document's lines and the changes: placeholders left unfilled, the year a
change is compared with, the year its reason names, a final-accounts reason left empty, the
document's own year where the template names it (纳入…年部门预算编制范围), and a completion rate
against the direction its sentence states (完成年初预算98%，决算数大于预算数).

The lines of every budget are scanned at once by Arrow's regular expressions (RE2) for the few
that may hold a match; Python's ``re``, the pattern's own engine, then reads the exact spans on
those few lines only."""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..messages import template, text
from ..numbers import PINYIN_ANNOTATION, PINYIN_LETTERS, PLACEHOLDER_PATTERN, folding_characters, simplified_text
from ..once import once
from .changes import on_own_budget
from .columns import as_objects, filled, filled_each, groups, text_column, value_codes
from .engine import text_check
from .found import rows
from .rules import Rule
from .table import NONE, ClaimTable

__all__ = ["REASON_ASKED", "REASON_YEAR", "UNFILLED", "candidate_lines", "comparison_year_rows", "completion_direction_rows",
           "document_year_rows", "lines_frame", "placeholder_rows", "reason_given_rows", "reason_year_rows",
           "section_of_lines"]


#: "主要是2023年人员经费…的增多": the reason a sentence gives for a change, and the year it names.
#: Bounded repeats: the reason must follow within a few characters, and nothing can backtrack far.
REASON_YEAR = re.compile(r"主要(?:是|原因是|系|由于)[^。；\d]{0,12}((?:19|20)\d{2})年[^。；]{0,40}")

#: What every sentence REASON_YEAR reads contains: lines without it need no closer look.
REASON_MARK = "主要"

#: Where the final-accounts template asks for a reason: a sentence comparing the outturn (决算数与预算数…,
#: 决算数较上年增加…) that goes on "…的主要原因是". Read on the line folded to simplified characters.
REASON_ASKED = re.compile(r"决算[^。；;]{0,40}?主要原因(?:是|为|系|在于)?\s{0,2}[：:，,]?")
#: The reason given is empty: the sentence ends at once, or says only 无 ("主要原因：无。"). A line that
#: ends after 主要原因： goes on to the next one (a PDF's wrap), so it is not empty.
_NO_REASON = re.compile(r"\s{0,2}(?:(?:无|暂无|没有)\s{0,2})?[。；;]")
#: What every line REASON_ASKED reads contains (the same in traditional characters).
_REASON_WORDS = re.compile("主要原因")
#: A 决算's completion rate of its budget (完成年初预算的98.65%, 完成预算的13.68%, 决算数为预算数的80%): where it is not
#: 100% the template asks why; its reason is given in its paragraph (原因).
_COMPLETION_RATE = re.compile(r"(?:完成[^，。；;、]{0,12}?预算|决算数?为[^，。；;、]{0,8}?预算数?)[^，。；;\d]{0,6}?的?"
                              r"\s{0,2}(\d{1,4}(?:\.\d{1,4})?)\s{0,2}[%％]")
#: How many lines on a completion rate's paragraph may go (a PDF wraps it) before its reason, if any.
_REASON_REACH = 3
_HEADING = re.compile(r"^\s{0,4}(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.．、])")

#: The template's placeholders, and a share whose figure was left out after its whole ("占基本支出预算%"; not a
#: heading's 占比（%）). RE2-compatible, as the placeholders are.
UNFILLED = re.compile(PLACEHOLDER_PATTERN.pattern + r"|占[^，。；、\d%％（）()|]{1,24}[%％]")

#: A quote of a placeholder: this many characters either side of it.
QUOTE_CONTEXT = 20

#: Lines are keyed by budget and line number in one integer: budget · 2³² + line.
_LINE_BITS = 32


def section_of_lines(text: str) -> list[str]:
    """The section (一 … 十二, with its （一） subsection) each line of a document belongs to."""
    top = re.compile(r"^\s*([一二三四五六七八九十]+)、")
    sub = re.compile(r"^\s*（([一二三四五六七八九十]+)）")
    current, subsection, result = "", "", []
    for line in text.split("\n"):
        if match := top.match(line):
            current, subsection = match.group(1), ""
        elif (match := sub.match(line)) and current:
            subsection = f"（{match.group(1)}）"
        result.append(current + subsection)
    return result


def _re2_superset(pattern: str) -> str:
    """``pattern`` for RE2, matching wherever Python's ``re`` does: Python's ``\\s`` is every Unicode
    space (the ideographic one too), RE2's only the ASCII ones, so ``\\s`` becomes a class of all."""
    return pattern.replace(r"\s", _re2_spaces())


@once
def _re2_spaces() -> str:
    """RE2's class of the characters Python's ``\\s`` matches (none is above U+3000)."""
    return "[" + "".join(f"\\x{{{code:x}}}" for code in range(0x3001) if chr(code).isspace()) + "]"


def candidate_lines(texts, pattern: re.Pattern) -> np.ndarray:
    """The positions of the texts that ``pattern`` may match (a superset, found by RE2 at once)."""
    array = text_column(texts)
    try:
        hits = pc.match_substring_regex(array, _re2_superset(pattern.pattern))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a construct RE2 lacks: Python reads every line
        return np.flatnonzero([line is not None and pattern.search(line) is not None for line in array.to_pylist()])
    return np.flatnonzero(hits.fill_null(False).to_numpy(zero_copy_only=False))


#: Full-width digits, point and per cent, read as the ASCII ones (RE2's ``\d`` is ASCII only); the Chinese
#: punctuation a pattern names (，；：) is kept as printed.
_FULL_WIDTH = "０１２３４５６７８９．％"
_FULL_WIDTH_FOLD = str.maketrans(_FULL_WIDTH, "0123456789.%")


@once
def _needs_folding() -> re.Pattern:
    """What a line that reads otherwise once folded holds: a character OpenCC folds to another one (a
    traditional character), a full-width digit, or a pinyin annotation. RE2-compatible, made once."""
    return re.compile("[" + folding_characters() + _FULL_WIDTH + "]|" + PINYIN_LETTERS)


#: The last lines frame (weakly) and its lines that need folding: every rule that folds reads the same frame.
_LAST_FOLDING: tuple = (None, None)


def _folding_lines(lines: pd.DataFrame) -> np.ndarray:
    """The positions of the lines of ``lines`` that read otherwise once folded, found once per frame."""
    global _LAST_FOLDING
    frame, found = _LAST_FOLDING
    if frame is None or frame() is not lines:
        found = candidate_lines(lines["text"], _needs_folding())
        _LAST_FOLDING = (weakref.ref(lines), found)
    return found


def _folded_line(line: str) -> tuple[str, Sequence[int]]:
    """``line`` as a template's words are matched: traditional characters folded to simplified ones (預算 →
    预算), full-width digits to ASCII ones, pinyin annotations left out (預(yù)算 → 预算); with the position in
    ``line`` of each character kept."""
    if _needs_folding().search(line) is None:  # most lines: nothing to fold (translating them costs more)
        return line, range(len(line))
    skipped = {i for match in PINYIN_ANNOTATION.finditer(line) for i in range(*match.span())}
    if not skipped:  # every character kept, one for one
        return simplified_text(line).translate(_FULL_WIDTH_FOLD), range(len(line))
    kept = [i for i in range(len(line)) if i not in skipped]
    return simplified_text("".join(line[i] for i in kept)).translate(_FULL_WIDTH_FOLD), kept


def _simplified(line: str) -> str:
    """``line`` in simplified characters, one for one; as printed where nothing in it folds (most lines)."""
    return line if _needs_folding().search(line) is None else simplified_text(line)


def _printed(line: str, origin: Sequence[int], start: int, end: int) -> str:
    """The printed words of folded characters ``start:end`` of ``line`` (whose origins are ``origin``)."""
    return line[origin[start]:origin[end - 1] + 1] if end > start else ""


def _first_claim_from(table: ClaimTable, start: int, end: int, number: int) -> int:
    """Where a finding about line ``number`` goes among its budget's claims (``start:end`` of the table):
    before the first claim from that line on."""
    places = _claim_places(table)
    if places.in_line_order and start < end:  # found by bisection, not by a scan of the budget's claims
        return int(np.searchsorted(places.keys, places.key(start, number), side="left")) - start
    later = np.flatnonzero(table.line[start:end] >= number)
    return int(later[0]) if len(later) else end - start


class _ClaimPlaces:
    """Each claim's budget and line as one sortable key, and the first claim ending at each (budget, line,
    character): what a text rule's hits are placed by, made once per claim table (a collection's rules ask it
    thousands of times)."""

    def __init__(self, table: ClaimTable):
        self.b = table.b.astype("int64")
        self.keys = (self.b << _LINE_BITS) + table.line.astype("int64")
        #: whether every budget's claims are in the order of their lines (then a line's first is bisected)
        self.in_line_order = bool(np.all(self.keys[1:] >= self.keys[:-1]))
        self._lines, self._ends = table.line, table.char_end  # not the table: it is held weakly, by its arrays
        self._endings: dict[tuple[int, int, int], int] | None = None

    def key(self, start: int, number: int) -> int:
        return (int(self.b[start]) << _LINE_BITS) + number

    def ending(self, start: int, number: int, char_end: int) -> int:
        if self._endings is None:
            endings: dict[tuple[int, int, int], int] = {}
            for at, place in enumerate(zip(self.b.tolist(), self._lines.tolist(), self._ends.tolist())):
                endings.setdefault(place, at)
            self._endings = endings
        return self._endings.get((int(self.b[start]), number, char_end), NONE)


#: The last claim table (weakly) and its places: the text rules of one audit read the same table.
_LAST_PLACES: tuple = (None, None)


def _claim_places(table: ClaimTable) -> _ClaimPlaces:
    global _LAST_PLACES
    owner, places = _LAST_PLACES
    if owner is None or owner() is not table:
        places = _ClaimPlaces(table)
        _LAST_PLACES = (weakref.ref(table), places)
    return places


def _budgets(table: ClaimTable, lines: pd.DataFrame) -> np.ndarray:
    return np.union1d(np.unique(lines["b"].to_numpy(dtype="int64")), np.unique(table.b))


@text_check("placeholder")
def placeholder_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each unfilled placeholder, quoted with its context and placed before the first claim from its
    line on; one consistent row for each budget that has none."""
    budget_of, number_of, texts, sections, starts, ends = _matching_lines(table, lines, UNFILLED)
    hits = {"b": [], "section": [], "quote": [], "explanation": [], "inputs": [], "order": []}
    for at, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        line, number = texts[at], int(number_of[at])
        inputs = " ".join(table.claim_id[start:end][table.line[start:end] == number])
        order = _first_claim_from(table, start, end, number)
        for match in UNFILLED.finditer(line):
            begin, finish = match.span()
            hits["b"].append(int(budget_of[at]))
            hits["section"].append(sections[at])
            hits["quote"].append(line[max(0, begin - QUOTE_CONTEXT):finish + QUOTE_CONTEXT].strip())
            hits["explanation"].append(text("audit.placeholder", placeholder=match.group(), line=number))
            hits["inputs"].append(inputs)
            hits["order"].append(order)
    # one consistent row for each budget without a placeholder: about no claim, before every claim
    clean = np.setdiff1d(_budgets(table, lines), np.asarray(hits["b"], dtype="int64")).tolist()
    return _text_rows(hits, clean, [text("audit.no-placeholder")] * len(clean))


def _matching_lines(table: ClaimTable, lines: pd.DataFrame, pattern: re.Pattern,
                   folding: bool = False) -> tuple[np.ndarray, ...]:
    """The lines ``pattern`` may match (``folding``: once folded, see :func:`_folded_line`): each one's budget,
    number, text and section, and where its budget's claims start and end in the table (each budget's
    claims are one run of its rows)."""
    at = candidate_lines(lines["text"], pattern)
    if folding:  # a line printed in traditional characters, or annotated with pinyin, may match once folded
        at = np.union1d(at, _folding_lines(lines))
    found = lines.take(at)
    budget_of = found["b"].to_numpy(dtype="int64")
    return (budget_of, found["line"].to_numpy(dtype="int64"), found["text"].to_numpy(dtype=object),
            found["section"].to_numpy(dtype=object), np.searchsorted(table.b, budget_of, side="left"),
            np.searchsorted(table.b, budget_of, side="right"))


def _text_rows(hits: dict[str, list], clean: list[int], clean_explanations: list[str]) -> pd.DataFrame:
    """A text rule's rows: a text finding for each hit (about the claim ``hits["claim"]`` names, if any),
    then a consistent one for each budget of ``clean`` (about no claim, before every claim)."""
    count = len(hits["b"]) + len(clean)
    claims = hits.get("claim", [NONE] * len(hits["b"])) + [NONE] * len(clean)
    return rows(b=np.asarray(hits["b"] + clean, dtype="int64"), claim=np.asarray(claims, dtype="int64"),
                verdict=hits.get("verdict", ["text"] * len(hits["b"])) + ["consistent"] * len(clean), unit="",
                section=hits["section"] + [""] * len(clean), quote=hits["quote"] + [""] * len(clean),
                explanation=hits["explanation"] + clean_explanations,
                inputs=hits.get("inputs", [""] * len(hits["b"])) + [""] * len(clean),
                order=hits["order"] + [NONE] * len(clean), seq=np.arange(count, dtype="int64"))


def _compared_changes(table: ClaimTable) -> np.ndarray:
    """Whether each claim is a change that names the year it is compared with (not a change on the year's
    own budget, 决算数大于预算数)."""
    return ((table.codes_of("kind")[0] == value_codes(table, "kind", ["change"])[0]) & (table.base_year != NONE)
            & ~on_own_budget(table))


def _line_positions(lines: pd.DataFrame, budget: np.ndarray, number: np.ndarray) -> np.ndarray:
    """The position in ``lines`` of each budget's line ``number`` (NONE where it has no such line)."""
    keys = (lines["b"].to_numpy(dtype="int64") << _LINE_BITS) + lines["line"].to_numpy(dtype="int64")
    wanted = (np.asarray(budget, dtype="int64") << _LINE_BITS) + np.asarray(number, dtype="int64")
    if len(keys) == 0:
        return np.full(len(wanted), NONE, dtype="int64")
    order = np.argsort(keys, kind="stable")  # lines come in order: a run already sorted costs little
    at = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    return np.where(keys[order][at] == wanted, order[at], NONE)


@text_check("reason-year")
def reason_year_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """The year a change's reason names, after the change on its line: the budget year, not the
    year it is compared with."""
    changes = np.flatnonzero(_compared_changes(table) & (table.line > 0))
    at = _line_positions(lines, table.b[changes], table.line[changes])
    changes, at = changes[at != NONE], at[at != NONE]
    texts = lines["text"].take(at).to_numpy(dtype=object)
    marked = pc.match_substring(text_column(texts), REASON_MARK).fill_null(False).to_numpy(zero_copy_only=False)
    changes, texts = changes[marked], texts[marked]
    found, named, quotes, also_own = [], [], [], []
    years = table.year[changes]
    for i, (line, start) in enumerate(zip(texts.tolist(), table.char_end[changes].tolist())):
        reason = REASON_YEAR.search(line, start)
        if reason is not None:
            found.append(i)
            named.append(int(reason.group(1)))
            quotes.append(reason.group(0))
            # 主要原因是2021年及2022年均未安排…: a reason that names the budget year too speaks of it
            also_own.append(str(years[i]) + "年" in reason.group(0))
    claims, named = changes[np.asarray(found, dtype="int64")], np.asarray(named, dtype="int64")
    ok = (named != table.base_year[claims]) | np.asarray(also_own, dtype=bool)
    explanation = as_objects(pc.if_else(pa.array(ok), filled("audit.reason-year", year=named), filled(
        "audit.reason-year-compared", base_year=table.base_year[claims], year=table.year[claims], named=named)))
    return rows(b=table.b[claims], claim=claims, verdict=np.where(ok, "consistent", "text").astype(object),
                quote=np.asarray(quotes, dtype=object), explanation=explanation, unit="")


@text_check("reason-given")
def reason_given_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each reason the final-accounts template asks for (…决算数…的主要原因是…) left empty, placed before
    the first claim from its line on; one consistent row for each budget whose reasons are all given."""
    budget_of, number_of, texts, sections, starts, ends = _matching_lines(table, lines, _REASON_WORDS)
    hits = {"b": [], "section": [], "quote": [], "explanation": [], "order": [], "claim": []}
    asked: dict[int, int] = {}
    for at, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        printed, number, b = texts[at], int(number_of[at]), int(budget_of[at])
        folded = _simplified(printed)  # one for one: offsets stay the printed ones
        for match in REASON_ASKED.finditer(folded):
            asked[b] = asked.get(b, 0) + 1
            if (empty := _NO_REASON.match(folded, match.end())) is None:
                continue
            sentence_start = max(folded.rfind("。", 0, match.start()), folded.rfind("；", 0, match.start())) + 1
            hits["b"].append(b)
            hits["section"].append(sections[at])
            hits["quote"].append(printed[max(sentence_start, match.start() - QUOTE_CONTEXT):empty.end()].strip())
            hits["explanation"].append(text("audit.reason-not-given", line=number))
            hits["order"].append(_first_claim_from(table, start, end, number))
            hits["claim"].append(NONE)
    for b, number, section, quote, order, rate in _reasons_missing(table, lines):
        asked[b] = asked.get(b, 0) + 1
        hits["b"].append(b)
        hits["section"].append(section)
        hits["quote"].append(quote)
        hits["explanation"].append(text("audit.reason-missing", line=number))
        hits["order"].append(order)
        hits["claim"].append(rate)  # the rate whose reason is missing, where it was read as a claim
    clean = sorted(set(asked) - set(hits["b"]))
    return _text_rows(hits, clean, [text("audit.reasons-given", count=asked[b]) for b in clean])


def _reasons_missing(table: ClaimTable, lines: pd.DataFrame) -> list[tuple]:
    """In each final accounts, every completion rate of its budget that is not 100% as printed (预决算持平的
    不用说明) whose paragraph — its line and up to :data:`_REASON_REACH` lines after, to the next rate or
    heading — gives no reason (原因): budget, line, section, quote, order and the rate's claim (NONE if unread) of each."""
    finals = np.flatnonzero(table.document_kind == "final-accounts")
    if not len(finals):
        return []
    chosen = lines[lines["b"].isin(finals)]
    budget_of, number_of, texts, sections, starts, ends = _matching_lines(table, chosen, _COMPLETION_RATE)
    by_line = dict(zip(zip(chosen["b"].tolist(), chosen["line"].tolist()), chosen["text"].astype(str).tolist()))
    missing = []
    for at, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        b, number, printed = int(budget_of[at]), int(number_of[at]), str(texts[at])
        rates = [rate for rate in _COMPLETION_RATE.finditer(printed) if _asks_reason(printed, rate)]
        if not rates:
            continue
        paragraph = printed[rates[0].start():]
        for following in range(number + 1, number + 1 + _REASON_REACH):
            line = by_line.get((b, following))
            if line is None or _HEADING.match(line) or _COMPLETION_RATE.search(line):
                break
            paragraph += line
        if "原因" in paragraph:
            continue
        rate = rates[0]
        missing.append((b, number, sections[at], printed[max(0, rate.start() - QUOTE_CONTEXT):rate.end()].strip(),
                        _first_claim_from(table, start, end, number),
                        _claim_ending(table, start, end, number, rate.end(1))))
    return missing


def _asks_reason(line: str, rate: re.Match) -> bool:
    """Whether the template asks why for this completion rate: a department's outturn (支出决算为…, 决算数为…, in its
    sentence: not a government report's 收入完成…) that is not 100% as printed, with no 其中 list after it whose
    items give their own reasons (…决算数为1264.92万元，完成预算59.7%。其中：1.…)."""
    sentence = line[max(line.rfind("。", 0, rate.start()), line.rfind("；", 0, rate.start())) + 1:rate.start()]
    return "决算" in sentence and _not_whole(rate.group(1)) and not _DETAILS_FOLLOW.match(line, rate.end())


#: A list of items after a rate (its items are asked their reasons, the rate itself is not).
_DETAILS_FOLLOW = re.compile(r"[^。；;]{0,4}[。；;：:，,]?\s{0,2}其中")


def _not_whole(rate: str) -> bool:
    """Whether a completion rate as printed cannot be 100% (its interval of ±½ of its last place excludes it)."""
    value = Decimal(rate)
    half = Decimal(1).scaleb(value.as_tuple().exponent) / 2
    return not value - half <= 100 <= value + half


def _named_kind(phrase: str, kinds: dict[str, str]) -> str | None:
    """The document kind a phrase names: that of its last word of ``kinds`` (…一般公共预算…支出决算减少的原因 is
    about final accounts); None when it names none."""
    last = max(((phrase.rfind(word), kind) for word, kind in kinds.items() if word in phrase), default=None)
    return None if last is None else last[1]


def _document_of(table: ClaimTable, b: int) -> tuple[int, str | None]:
    """Budget ``b``'s own year (NONE where unknown) and document kind."""
    if b >= len(table.document_year):
        return NONE, None
    return int(table.document_year[b]), table.document_kind[b]


@text_check("document-year")
def document_year_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each phrase that by the template names the document's own year (``pattern``, its year the group ``year``):
    consistent when it is the year of the budget or accounts, a text finding when it is another, placed before
    the first claim from its line on. Not evaluated where the document's year is unknown, or where the phrase
    names a kind of document (``kinds``: word → document kind) other than the document's, or one of an unknown
    document: a budget may speak of the prior year's outturn (纳入2018年决算编制范围)."""
    pattern, kinds = re.compile(rule.params["pattern"]), rule.params.get("kinds", {})
    budget_of, number_of, texts, sections, starts, ends = _matching_lines(table, lines, pattern, folding=True)
    hits = {"b": [], "section": [], "quote": [], "explanation": [], "order": [], "verdict": []}
    for at, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        b, number = int(budget_of[at]), int(number_of[at])
        year, kind = _document_of(table, b)
        if year == NONE:
            continue
        folded, origin = _folded_line(texts[at])
        for match in pattern.finditer(folded):
            # a group ``before`` is what may not come before the phrase (比 before a year compared with)
            begin = match.end("before") if "before" in pattern.groupindex else match.start()
            named_kind = _named_kind(folded[begin:match.end()], kinds)
            if named_kind is not None and named_kind != kind:
                continue
            named = int(match.group("year"))
            hits["b"].append(b)
            hits["section"].append(sections[at])
            hits["quote"].append(_printed(texts[at], origin, begin, match.end()).strip())
            hits["explanation"].append(text("audit.document-year", year=year) if named == year
                                       else text("audit.document-year-differs", named=named, year=year, line=number))
            hits["verdict"].append("consistent" if named == year else "text")
            hits["order"].append(_first_claim_from(table, start, end, number))
    return _text_rows(hits, [], [])


#: Where a completion rate's interval must lie for each direction its sentence may state: above 100%, below it,
#: or holding it (持平).
_SIDES = ("above", "below", "equal")
_HUNDRED = Decimal(100)


def _admits(side: str, low: Decimal, high: Decimal) -> bool:
    """Whether a rate somewhere in [low, high] can be on ``side`` of 100%."""
    return high > _HUNDRED if side == "above" else low < _HUNDRED if side == "below" else low <= _HUNDRED <= high


@text_check("completion-direction")
def completion_direction_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each completion rate followed by the direction of the outturn from its budget (``pattern``, its groups
    ``rate`` and ``direction``; ``directions``: word → above, below or equal): consistent when the rate, taken
    as the interval its printed decimals stand for, can be on that side of 100%, a text finding when it
    cannot (完成年初预算98%，决算数大于预算数); about the rate's claim where the rate was claimed. Which figures
    the rate is of is not needed: the rate alone tells whether the outturn can be above or below its budget."""
    pattern, directions = re.compile(rule.params["pattern"]), rule.params["directions"]
    budget_of, number_of, texts, sections, starts, ends = _matching_lines(table, lines, pattern, folding=True)
    hits = {"b": [], "section": [], "quote": [], "explanation": [], "order": [], "verdict": [], "claim": []}
    side_words = {side: text(f"audit.completion-side-{side}") for side in _SIDES}
    explained = {True: template("audit.completion-direction"), False: template("audit.completion-direction-impossible")}
    for at, (start, end) in enumerate(zip(starts.tolist(), ends.tolist())):
        number = int(number_of[at])
        folded, origin = _folded_line(texts[at])
        for match in pattern.finditer(folded):
            words = match.group("direction")
            side = next((directions[word] for word in directions if word in words), None)
            if side not in _SIDES:  # words the rule does not name: no direction to hold the rate against
                continue
            rate = Decimal(match.group("rate"))
            half = Decimal(5).scaleb(rate.as_tuple().exponent - 1)
            possible = _admits(side, rate - half, rate + half)
            figures = {"rate": match.group("rate"), "low": rate - half, "high": rate + half, "line": number,
                       "words": _printed(texts[at], origin, *match.span("direction")),
                       "side": side_words[side]}
            hits["b"].append(int(budget_of[at]))
            hits["section"].append(sections[at])
            hits["quote"].append(_printed(texts[at], origin, *match.span()).strip())
            hits["explanation"].append(explained[possible].format(**figures))
            hits["verdict"].append("consistent" if possible else "text")
            hits["order"].append(_first_claim_from(table, start, end, number))
            hits["claim"].append(_claim_ending(table, start, end, number, origin[match.end("rate") - 1] + 1))
    return _text_rows(hits, [], [])


def _claim_ending(table: ClaimTable, start: int, end: int, number: int, char_end: int) -> int:
    """The claim among ``start:end`` of the table (one budget's claims) whose figure ends at ``char_end`` of
    line ``number``, else NONE."""
    return _claim_places(table).ending(start, number, char_end) if start < end else NONE


@text_check("comparison-year")
def comparison_year_rows(rule: Rule, table: ClaimTable, lines: pd.DataFrame) -> pd.DataFrame:
    """Each change is compared with an earlier year than its own."""
    changes = np.flatnonzero(_compared_changes(table))
    year, base_year = table.year[changes], table.base_year[changes]
    earlier = base_year < year
    # few distinct pairs of years: each explanation is written once
    pair, at, _ = groups(year, base_year)
    keys = np.where(earlier[at], "audit.comparison-year", "audit.comparison-year-not-earlier")
    written = as_objects(filled_each(keys, year=year[at], base_year=base_year[at]))
    return rows(b=table.b[changes], claim=changes, verdict=np.where(earlier, "consistent", "text").astype(object),
                explanation=written[pair], unit="")


def lines_frame(raw_text: str, b: int = 0) -> pd.DataFrame:
    """A document's lines as the text rules read them: budget number, line number, text and section."""
    lines = raw_text.split("\n")
    return pd.DataFrame({"b": np.full(len(lines), b, dtype="int64"), "line": np.arange(1, len(lines) + 1),
                         "text": pd.Series(lines, dtype="str"), "section": pd.Series(section_of_lines(raw_text), dtype="str")})
