"""The words that name the template's measures, read from ``data/vocabulary.toml``.

The file is an ordered list of entries, the first whose conditions hold deciding which measure a
figure's label names (its header comment says what each key means). It is read and checked once:
an unknown key, a measure not in ``measures.csv`` or a malformed value is a :class:`BudgetDataError`
naming the file, the entry and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..messages import text
from ..once import once
from ..schema import BudgetDataError, Problem, claim_units
from ..template import data_dir, measures, read_toml
from .classification import ClassReference
from .sections import STANDARD_ORDER, STANDARD_SUBSECTIONS

__all__ = ["Vocabulary", "load_vocabulary", "vocabulary"]

#: How many characters after a count ``followed_by`` looks at ("3辆公务用车").
FOLLOWED_BY_REACH = 8

_WORD_KEYS = ("all", "any", "none")
_COMMON_KEYS = frozenset({"measure", "not_a_measure", *_WORD_KEYS, "at_least", "section", "subsection",
                          "final_accounts"})
_KEYS = {"money": _COMMON_KEYS | {"by_function", "read_past"}, "count": _COMMON_KEYS | {"unit", "followed_by"}}
_TABLES = frozenset({"final_accounts_totals", "words", *_KEYS})
_SUBSECTIONS = frozenset(key for _, _, key in STANDARD_SUBSECTIONS)


@dataclass(frozen=True)
class _Entry:
    measure: str | None  # None: not a measure of the template
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    at_least: int = 1
    none: tuple[str, ...] = ()
    sections: frozenset[str] | None = None
    subsections: frozenset[str] | None = None
    final_accounts: bool | None = None
    by_function: bool = False
    read_past: tuple[str, ...] = ()
    unit: str | None = None
    followed_by: tuple[str, ...] = ()

    def holds(self, label: str, std: str | None, sub: str | None, final_accounts: bool) -> bool:
        return (all(word in label for word in self.all)
                and (not self.any or sum(word in label for word in self.any) >= self.at_least)
                and not any(word in label for word in self.none)
                and (self.sections is None or std in self.sections)
                and (self.subsections is None or sub in self.subsections)
                and (self.final_accounts is None or self.final_accounts == final_accounts))


@dataclass(frozen=True)
class Vocabulary:
    """The entries of ``vocabulary.toml``, asked by label."""

    money_entries: tuple[_Entry, ...]
    count_entries: tuple[_Entry, ...]
    final_accounts_totals: dict[str, str]

    def money(self, label: str, std: str | None, sub: str | None, final_accounts: bool,
              reference: ClassReference) -> tuple[str | None, str | None]:
        """The measure, and for a per-code measure the classification code, an amount's label names."""
        for entry in self.money_entries:
            if not entry.holds(label, std, sub, final_accounts):
                continue
            code = None
            if entry.by_function:
                named = label
                for word in entry.read_past:
                    named = named.replace(word, "")
                if (found := reference.class_in(named)) is None:
                    continue
                code = found[1].code
            return self.of_the_year(entry.measure, final_accounts), code
        return None, None

    def count(self, label: str, follows: str, unit: str, std: str | None, sub: str | None,
              final_accounts: bool) -> str | None:
        """The measure a count's label (or the words right after it) names."""
        after = follows[:FOLLOWED_BY_REACH]
        for entry in self.count_entries:
            if entry.unit == unit and entry.holds(label, std, sub, final_accounts) \
                    and (not entry.followed_by or any(word in after for word in entry.followed_by)):
                return entry.measure
        return None

    def of_the_year(self, measure: str | None, final_accounts: bool) -> str | None:
        """In final accounts, a budget's total of the year is the accounts' own."""
        return self.final_accounts_totals.get(measure, measure) if final_accounts else measure


@once
def vocabulary() -> Vocabulary:
    """The bundled ``vocabulary.toml``, read once."""
    return load_vocabulary(data_dir() / "vocabulary.toml")


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and check a vocabulary file; every problem is reported at once."""
    name = str(path)
    try:
        document = read_toml(path)
    except FileNotFoundError:
        raise BudgetDataError([Problem(name, None, None, text("extract.file-not-found"))]) from None
    except tomllib.TOMLDecodeError as error:
        raise BudgetDataError([Problem(name, None, None, text("extract.vocabulary-invalid-toml", error=error))]) from None
    problems: list[Problem] = []
    known = measures()
    for table in document:
        if table not in _TABLES:
            problems.append(Problem(name, None, table, text("extract.vocabulary-unknown-table", known=_listed(_TABLES))))
    words = _words(name, document.get("words", {}), problems)
    totals = document.get("final_accounts_totals", {})
    for budget_total, accounts_total in totals.items():
        for measure in (budget_total, accounts_total):
            if measure not in known:
                problems.append(Problem(name, None, f"final_accounts_totals.{budget_total}",
                                        text("extract.vocabulary-unknown-measure", measure=measure)))
    entries = {}
    for kind in _KEYS:
        listed = document.get(kind, [])
        if not isinstance(listed, list) or not all(isinstance(raw, dict) for raw in listed):
            problems.append(Problem(name, None, kind, text("extract.vocabulary-entries", kind=kind)))
            listed = []
        entries[kind] = tuple(_entry(name, kind, number, raw, words, problems)
                              for number, raw in enumerate(listed, start=1))
    if problems:
        raise BudgetDataError(problems)
    return Vocabulary(entries["money"], entries["count"], dict(totals))


def _listed(names) -> str:
    """Names a message lists (the known keys …), sorted, joined as the language joins a list."""
    return text("extract.vocabulary-list-separator").join(sorted(names))


def _words(name: str, table: dict, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    lists = {}
    for key, value in table.items():
        if _is_word_list(value):
            lists[key] = tuple(value)
        else:
            problems.append(Problem(name, None, f"words.{key}", text("extract.vocabulary-word-list")))
    return lists


def _is_word_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(word, str) and word for word in value)


def _entry(name: str, kind: str, number: int, raw: dict, words: dict, problems: list[Problem]) -> _Entry | None:
    where = f"{kind} #{number}"
    found: list[Problem] = []

    def problem(key: str | None, message: str) -> None:
        found.append(Problem(name, None, f"{where}.{key}" if key else where, message))

    unknown = [key for key in raw if key not in _KEYS[kind]]
    for key in unknown:
        problem(key, text("extract.vocabulary-unknown-key", known=_listed(_KEYS[kind])))
    values: dict = {}
    for key in (*_WORD_KEYS, "read_past", "followed_by"):
        if key not in raw:
            continue
        value = raw[key]
        if isinstance(value, str) and key in _WORD_KEYS:
            if value not in words:
                problem(key, text("extract.vocabulary-unknown-words", name=value))
            values[key] = words.get(value, ())
        elif _is_word_list(value):
            values[key] = tuple(value)
        else:
            problem(key, text("extract.vocabulary-word-list-or-name" if key in _WORD_KEYS else "extract.vocabulary-word-list"))
    for key, allowed in (("section", STANDARD_ORDER), ("subsection", _SUBSECTIONS)):
        if key in raw:
            if _is_word_list(raw[key]) and set(raw[key]) <= set(allowed):
                values[f"{key}s"] = frozenset(raw[key])
            else:
                problem(key, text("extract.vocabulary-one-of",
                                  allowed=text("extract.vocabulary-list-separator").join(allowed)))
    for key in ("final_accounts", "by_function", "not_a_measure"):
        if key in raw and not isinstance(raw[key], bool):
            problem(key, text("extract.vocabulary-boolean"))
    if "at_least" in raw:
        if not isinstance(raw["at_least"], int) or not 1 <= raw["at_least"] <= len(values.get("any", ())):
            problem("at_least", text("extract.vocabulary-at-least"))
        else:
            values["at_least"] = raw["at_least"]
    if "unit" in raw:
        if isinstance(raw["unit"], str) and raw["unit"] in claim_units():
            values["unit"] = raw["unit"]
        else:
            problem("unit", text("extract.vocabulary-unit"))
    elif kind == "count":
        problem("unit", text("extract.vocabulary-unit-missing"))
    measure = raw.get("measure")
    if ("measure" in raw) == (raw.get("not_a_measure") is True):
        problem("measure", text("extract.vocabulary-measure-or-not"))
    elif "measure" in raw and (not isinstance(measure, str) or measure not in measures()):
        problem("measure", text("extract.vocabulary-unknown-measure", measure=measure))
    elif "measure" in raw:
        per_code = measures()[measure].per_code
        if raw.get("by_function") is True and not per_code:
            problem("by_function", text("extract.vocabulary-not-per-code", measure=measure))
        if per_code and raw.get("by_function") is not True:
            problem("by_function", text("extract.vocabulary-per-code", measure=measure))
    if "read_past" in raw and raw.get("by_function") is not True:
        problem("read_past", text("extract.vocabulary-read-past"))
    conditions = {*_WORD_KEYS, "section", "subsection", "final_accounts", "by_function", "unit", "followed_by"}
    if not unknown and not conditions & raw.keys():  # a misspelt condition is reported as such
        problem(None, text("extract.vocabulary-no-condition"))
    problems.extend(found)
    if found:
        return None
    return _Entry(measure=measure if isinstance(measure, str) else None, by_function=raw.get("by_function", False),
                  final_accounts=raw.get("final_accounts"), **values)
