"""Audit rules read from a rules.toml and checked: every problem named with its file, rule and key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..messages import LANGUAGES, language, text
from ..schema import Problem, problem
from ..template import read_toml

__all__ = ["RULE_KINDS", "Rule", "RulesError", "load_rules"]


RULE_KINDS = {
    "sum": {"required": (), "optional": ("total", "parts", "level", "over", "measure", "exhaustive", "substitutes", "per",
                       "wider_if_listed", "of", "base_words")},
    "share": {"required": (), "optional": ("whole_from_parts",)},
    "change": {"required": ("basis",), "optional": ("wider_sums",)},
    "restatement": {"required": (), "optional": ("measures", "when_equal", "when_share_of")},
    "bound": {"required": ("part", "whole"), "optional": ()},
    "classification-bound": {"required": ("measure",), "optional": ()},
    "text": {"required": ("check",), "optional": ("pattern", "kinds", "directions")},
}


_COMMON_KEYS = {"id", "kind", "sections", "reason"}


#: What a change rule holds a stated change against (``basis``).
_CHANGE_BASES = ("stated-prior", "implied-prior", "wider-total")

#: Where a sum rule's parts are looked for (``per``): on the total's row of its table, or in its table.
_SUM_SCOPES = ("row", "table")

_TEXT_CHECKS = ("placeholder", "comparison-year", "change-direction", "reason-year", "reason-given", "standard-tables",
                "document-year", "completion-direction")


class RulesError(ValueError):
    """A rules file that cannot be used; names the file, the rule and the key."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join([text("data.rules-problems"), *(f"  - {p}" for p in problems)]))


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    #: why the relation must hold, by language (zh, en); one text a rules file gives serves every language
    reasons: dict[str, str]
    sections: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in the language of the messages now."""
        return self.reasons.get(language(), next(iter(self.reasons.values()), ""))


def load_rules(path: str | Path) -> list[Rule]:
    """Read and check a rules file; every problem is reported at once. A file read before with the same
    bytes is not parsed again (each table a notebook shows asks for its budget's rules)."""
    try:
        content = Path(path).read_bytes()
    except OSError:
        return _read_rules(path)  # which names what is wrong with the file
    return list(_rules_of(str(path), content))


@lru_cache(maxsize=8)
def _rules_of(path: str, content: bytes) -> tuple[Rule, ...]:
    """The rules of the file at ``path`` whose bytes are ``content`` (a file that fails is not kept)."""
    return tuple(_read_rules(path))


def _read_rules(path: str | Path) -> list[Rule]:
    path = Path(path)
    name = str(path)
    try:
        document = read_toml(path)
    except FileNotFoundError:
        raise RulesError([problem(name, None, None, "data.file-not-found")]) from None
    except tomllib.TOMLDecodeError as error:
        raise RulesError([problem(name, None, None, "data.invalid-toml", error=error)]) from None
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    entries = document.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise RulesError([problem(name, None, "rule", "data.rules-not-tables")])
    for index, entry in enumerate(entries, start=1):
        where = f"rule #{index}"  # a locator, as a field is: the same in every language
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            problems.append(problem(name, None, f"{where}.id", "data.is-missing"))
            continue
        where = f"rule {rule_id!r}"
        if rule_id in seen:
            problems.append(problem(name, None, f"{where}.id", "data.rule-id-twice"))
        seen.add(rule_id)
        kind = entry.get("kind")
        if kind not in RULE_KINDS:
            problems.append(problem(name, None, f"{where}.kind", "data.not-one-of", value=repr(kind),
                                    allowed=", ".join(RULE_KINDS)))
            continue
        spec = RULE_KINDS[kind]
        for key in ("reason", *spec["required"]):
            if key not in entry:
                problems.append(problem(name, None, f"{where}.{key}", "data.is-missing"))
        for key in entry:
            if key not in _COMMON_KEYS | set(spec["required"]) | set(spec["optional"]):
                problems.append(problem(name, None, f"{where}.{key}", "data.not-a-key-of-kind", kind=kind))
        reason = entry.get("reason")
        if isinstance(reason, dict) and (set(reason) != set(LANGUAGES) or not all(isinstance(v, str) for v in reason.values())):
            problems.append(Problem(name, None, f"{where}.reason", text("audit.rule-reason-languages",
                                                                        languages=", ".join(LANGUAGES))))
        if kind == "sum" and not ({"total", "parts"} <= entry.keys() or {"over", "measure"} <= entry.keys()):
            problems.append(problem(name, None, where, "data.sum-rule-needs"))
        if kind == "sum" and "substitutes" in entry:
            problems.extend(_substitute_problems(name, where, entry))
        if kind == "text" and entry.get("check") not in _TEXT_CHECKS:
            problems.append(problem(name, None, f"{where}.check", "data.not-one-of", value=repr(entry.get("check")),
                                    allowed=", ".join(_TEXT_CHECKS)))
        if kind == "text" and entry.get("check") == "document-year":
            problems.extend(_year_pattern_problems(name, where, entry))
        if kind == "change" and entry.get("basis") not in _CHANGE_BASES:
            problems.append(problem(name, None, f"{where}.basis", "data.basis-unknown"))
        if kind == "sum" and "of" in entry:
            problems.extend(_change_sum_problems(name, where, entry))
        if kind == "sum" and "per" in entry and entry["per"] not in _SUM_SCOPES:
            problems.append(problem(name, None, f"{where}.per", "data.not-one-of", value=repr(entry["per"]),
                                    allowed=", ".join(_SUM_SCOPES)))
        if kind == "restatement" and "when_equal" in entry and not (
                isinstance(entry["when_equal"], list) and len(entry["when_equal"]) == 2
                and all(isinstance(m, str) and m for m in entry["when_equal"])):
            problems.append(problem(name, None, f"{where}.when_equal", "data.two-measures"))
        if kind == "restatement" and "when_share_of" in entry and not (
                isinstance(scope := entry["when_share_of"], dict) and set(scope) == {"measure", "whole"}
                and all(isinstance(value, str) and value for value in scope.values())):
            problems.append(problem(name, None, f"{where}.when_share_of", "data.share-scope"))
        params = {key: value for key, value in entry.items() if key not in _COMMON_KEYS}
        rules.append(Rule(rule_id, kind, _reasons(entry.get("reason", "")), tuple(entry.get("sections", ())), params))
    problems.extend(_whole_from_parts_problems(name, rules))
    problems.extend(_wider_sums_problems(name, rules))
    if not rules and not problems:
        # an empty file (or one whose tables are misspelt) would report every budget as clean
        problems.append(problem(name, None, "rule", "data.no-rules"))
    if problems:
        raise RulesError(problems)
    return rules


def _whole_from_parts_problems(name: str, rules: list[Rule]) -> list[Problem]:
    """``whole_from_parts = [<sum rule ids>]`` on a share rule: each names an exhaustive sum rule of a
    total and its parts (no level, no roll-up), whose parts then make the whole a share names when
    the document does not print it. The rules named are kept in the share rule's ``whole_sums``."""
    by_id = {rule.id: rule for rule in rules}
    problems = []
    for rule in rules:
        if "whole_from_parts" not in rule.params:
            continue
        field_name = f"rule {rule.id!r}.whole_from_parts"
        ids = rule.params["whole_from_parts"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            problems.append(problem(name, None, field_name, "data.rule-ids-not-list"))
            continue
        named = [by_id.get(i) for i in ids]
        for rule_id, sum_rule in zip(ids, named):
            if (sum_rule is None or sum_rule.kind != "sum" or "parts" not in sum_rule.params
                    or {"level", "over"} & sum_rule.params.keys() or sum_rule.params.get("exhaustive", True) is not True):
                problems.append(problem(name, None, f"{field_name}.{rule_id}", "data.not-an-exhaustive-sum"))
        totals = [r.params.get("total") for r in named if r is not None]
        if len(set(totals)) != len(totals):
            problems.append(problem(name, None, field_name, "data.one-sum-per-total"))
        rule.params["whole_sums"] = [r for r in named if r is not None]
    return problems


def _wider_sums_problems(name: str, rules: list[Rule]) -> list[Problem]:
    """``basis = "wider-total"`` on a change rule: ``wider_sums = [<sum rule ids>]`` names the sum rules whose
    totals can be wider than the template's (each with ``wider_if_listed``); kept in ``sum_rules``."""
    by_id = {rule.id: rule for rule in rules}
    problems = []
    for rule in rules:
        if rule.kind != "change" or (rule.params.get("basis") != "wider-total" and "wider_sums" not in rule.params):
            continue
        field_name = f"rule {rule.id!r}.wider_sums"
        ids = rule.params.get("wider_sums")
        if rule.params.get("basis") != "wider-total" or not isinstance(ids, list) or not ids \
                or not all(isinstance(i, str) for i in ids):
            problems.append(problem(name, None, field_name, "data.wider-sums-needed"))
            continue
        named = [by_id.get(i) for i in ids]
        for rule_id, sum_rule in zip(ids, named):
            if sum_rule is None or sum_rule.kind != "sum" or not sum_rule.params.get("wider_if_listed") \
                    or "parts" not in sum_rule.params:
                problems.append(problem(name, None, f"{field_name}.{rule_id}", "data.not-a-wider-sum"))
        rule.params["sum_rules"] = [r for r in named if r is not None]
    return problems


def _year_pattern_problems(name: str, where: str, entry: dict) -> list[Problem]:
    """A document-year rule's ``pattern``: a regular expression with a group named ``year``, told at load."""
    if "pattern" not in entry:
        return [problem(name, None, f"{where}.pattern", "data.is-missing")]
    try:
        compiled = re.compile(entry["pattern"])
    except (re.error, TypeError) as error:
        return [problem(name, None, f"{where}.pattern", "data.pattern-invalid", error=str(error))]
    if "year" not in compiled.groupindex:
        return [problem(name, None, f"{where}.pattern", "data.pattern-needs-year")]
    return []

def _change_sum_problems(name: str, where: str, entry: dict) -> list[Problem]:
    """``of = "change"``: the total's change against its parts' changes, of a plain sum of measures that
    are all of the total (no level, roll-up, outline or table scope; exhaustive); ``base_words``: the
    words of a comparison's base (上年预算, 决算) that every change of one sum must name alike."""
    if entry["of"] != "change":
        return [problem(name, None, f"{where}.of", "data.not-one-of", value=repr(entry["of"]), allowed="'change'")]
    if ("parts" not in entry or {"over", "level", "per"} & entry.keys()
            or entry.get("exhaustive", True) is not True):
        return [problem(name, None, f"{where}.of", "data.change-sum-needs")]
    words = entry.get("base_words", [])
    if not isinstance(words, list) or not all(isinstance(word, str) and word for word in words):
        return [problem(name, None, f"{where}.base_words", "data.words-not-list")]
    return []


def _substitute_problems(name: str, where: str, entry: dict) -> list[Problem]:
    """``substitutes = { part = [measures] }``: each key a part of the rule, each value a list of
    measures that are not parts themselves (a part stated beside its substitutes would count twice)."""
    substitutes, parts = entry["substitutes"], entry.get("parts")
    field_name = f"{where}.substitutes"
    if "parts" not in entry or "over" in entry:
        return [problem(name, None, field_name, "data.substitutes-need-parts")]
    if not isinstance(substitutes, dict) or not substitutes:
        return [problem(name, None, field_name, "data.substitutes-not-table")]
    problems = []
    for part, measures in substitutes.items():
        if part not in parts:
            problems.append(problem(name, None, f"{field_name}.{part}", "data.not-a-part"))
        if (not isinstance(measures, list) or not measures
                or not all(isinstance(m, str) and m for m in measures)):
            problems.append(problem(name, None, f"{field_name}.{part}", "data.measures-not-list"))
        elif overlap := [m for m in measures if m in parts or m == entry.get("total")]:
            problems.append(problem(name, None, f"{field_name}.{part}", "data.substitute-overlap",
                                    measures=", ".join(overlap)))
        elif len(set(measures)) != len(measures):
            problems.append(problem(name, None, f"{field_name}.{part}", "data.measure-twice"))
    return problems


def _reasons(reason) -> dict[str, str]:
    """A rule's reason by language: ``reason.zh`` and ``reason.en``, or one text for every language."""
    if isinstance(reason, dict):
        return {lang: str(reason[lang]) for lang in LANGUAGES if lang in reason}
    return {lang: str(reason) for lang in LANGUAGES}
