"""The message catalogue (data/messages/): complete in both languages, every key used, Chinese by default."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from budgetkit.messages import LANGUAGES, MessageError, catalogue, language, template, text, using_language

ROOT = Path(__file__).resolve().parents[2]
#: A key the code asks for: text("audit.sum-drift", …), template('…'); and one built from a prefix (f"verdicts.{…}").
KEY_IN_CODE = re.compile(r"""\b(?:text|template)\(\s*["']([a-z0-9-]+\.[a-z0-9-]+)["']""")
PREFIX_IN_CODE = re.compile(r"""\btext\(\s*f["']([a-z0-9-]+\.[a-z0-9-]*)\{""")


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_every_message_is_written_in_every_language_with_the_same_fields():
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        assert _fields(texts["zh"]) == _fields(texts["en"]), key


def test_the_chinese_text_is_chinese():
    # a message whose Chinese is a copy of its English has not been translated (names and units excepted)
    for key, texts in catalogue().items():
        if texts["zh"] == texts["en"]:
            assert not re.search(r"[a-z]{3,} [a-z]{3,}", texts["zh"]), key


def _code() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "budgetkit").rglob("*.py")))


def test_every_key_the_code_names_is_in_the_catalogue_and_every_message_is_used():
    code = _code()
    assert set(KEY_IN_CODE.findall(code)) - set(catalogue()) == set()
    named = set(re.findall(r"""["']([a-z0-9-]+\.[a-z0-9-]+)["']""", code))  # also text("a" if … else "b")
    # keys built in code from a prefix (f"audit.direction-{direction}", f"verdicts.{verdict}") count as used
    prefixes = set(PREFIX_IN_CODE.findall(code))
    unused = {key for key in catalogue() if key not in named and not any(key.startswith(p) for p in prefixes)}
    assert unused == set()


def test_chinese_is_the_default_and_english_is_one_switch_away(bundled_budget, monkeypatch):
    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
    assert language() == "zh"
    findings = bundled_budget.audit()
    row = findings[findings["rule"] == "appropriation-by-class"].iloc[0]
    assert row["explanation"] == ("各项相加 802.64 + 20.68 + 7.76 + 9.92 = 841.00，不等于所列 833.05。"
                                  "差额恰等于上年结转 7.95万元（三（一），c073-5）。")
    with using_language("en"):
        english = bundled_budget.audit()
    assert english["explanation"][findings.index[findings["rule"] == "appropriation-by-class"][0]] == (
        "The parts add up to 802.64 + 20.68 + 7.76 + 9.92 = 841.00, not the stated 833.05. "
        "The difference equals 上年结转 7.95万元 (三（一）, c073-5).")
    assert language() == "zh"
    # data keeps its English keys: the verdict, the rule id
    assert list(english["verdict"].astype(str)) == list(findings["verdict"].astype(str))


def test_a_template_filled_in_is_the_message():
    for lang in LANGUAGES:
        with using_language(lang):
            assert template("audit.sum-drift").format(listing="1 + 2", added=3, stated=4) == \
                text("audit.sum-drift", listing="1 + 2", added=3, stated=4)
            assert template("audit.sum-drift", "en") == template("audit.sum-drift", lang="en")


def test_an_unknown_key_or_language_is_one_clear_error():
    with pytest.raises(MessageError, match="no message 'audit.nothing'"):
        text("audit.nothing")
    with pytest.raises(MessageError, match="'fr' is not one of zh, en"):
        text("verdicts.drift", lang="fr")


def test_the_command_line_takes_the_language_before_or_after_the_command():
    def check(*args):
        return subprocess.run([sys.executable, "-m", "budgetkit", *args], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}).stdout

    english = check("--lang", "en", "check")
    assert english == check("check", "--lang=en")
    assert "The parts add up to" in english
    assert "各项相加" in check("check")


def test_every_bundled_rule_gives_its_reason_in_both_languages(bundled_rules):
    for rule in bundled_rules:
        assert set(rule.reasons) == set(LANGUAGES), rule.id
        assert rule.reasons["zh"] != rule.reasons["en"] and re.search(r"[\u4e00-\u9fff]{4}", rule.reasons["zh"]), rule.id
        with using_language("en"):
            assert rule.reason == rule.reasons["en"]
        assert rule.reason == rule.reasons["zh"]


def test_a_rules_file_gives_a_reason_as_one_text_or_in_both_languages(tmp_path):
    from budgetkit.audit import RulesError, load_rules

    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "a"\nkind = "share"\nreason = "占比等于部分除以总数"\n', encoding="utf-8")
    (rule,) = load_rules(path)
    with using_language("en"):
        assert rule.reason == "占比等于部分除以总数"  # the author's one text serves every language
    path.write_text('[[rule]]\nid = "a"\nkind = "share"\nreason.zh = "占比"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"rule 'a'\.reason"):
        load_rules(path)


#: English prose in a string literal: three words in a row ("is not a", "the parts add").
_PROSE = re.compile(r"[A-Za-z][a-z]+,? [a-z]+ [a-z]+")
#: What is written for machines, not read by people: SQL, CSS, and a string marked so on its line.
_MACHINE = re.compile(r"\b(SELECT|FROM|CREATE|JOIN|WHEN|CAST|INSERT|ELSE|END|VARCHAR|MACRO)\b|[;{]\s*[a-z-]+:\s")
_MARK = "# not a message"


def _user_facing_literals():
    import ast

    for path in sorted((ROOT / "budgetkit").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        skip = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re":
                skip.update(id(sub) for arg in node.args[:1] for sub in ast.walk(arg))  # a pattern
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
                continue
            statement = lines[node.lineno - 1:(node.end_lineno or node.lineno)]
            if _PROSE.search(node.value) and not _MACHINE.search(node.value) \
                    and not any(_MARK in line for line in statement):
                yield f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:70]!r}"


def test_no_text_for_people_is_written_outside_the_catalogue():
    """Every English phrase a user could read comes from data/messages; what is left in the code is
    for machines (SQL, CSS, a library's option) or marked ``# not a message`` with why."""
    assert list(_user_facing_literals()) == []
