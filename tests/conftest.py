"""What several test modules read, made once per session when a test first asks for it (never at import).

- ``bundled_budget``, ``bundled_findings``, ``bundled_rules``: the bundled budget (``budgetkit.load()``), its
  audit and its rules;
- ``demo_findings``: the demo collection (data/collections/demo) and its findings with the year-over-year
  restatements stacked under them, as ``budgetkit check FOLDER`` reports them;
- ``synthetic_long_tables``: two synthetic budgets without planted errors, as (budgets, claims, lines).

They are shared by every test that asks for them: a test that changes one works on a copy.
The helpers beside this file (builders.py, synthetic.py) are importable from tests/unit and tests/integration
through ``pythonpath = ["tests"]`` in pyproject.toml's [tool.pytest.ini_options].
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled_budget():
    """The bundled budget, loaded once; shared, so never modified."""
    from budgetkit import load

    return load()


@pytest.fixture(scope="session")
def bundled_findings(bundled_budget):
    """``bundled_budget.audit()``: every rule evaluation, passes included; shared, so never modified."""
    return bundled_budget.audit()


@pytest.fixture(scope="session")
def bundled_rules(bundled_budget):
    """The rules the bundled budget is audited with (data/rules.toml), as ``load_rules`` reads them."""
    from budgetkit.audit import load_rules

    return load_rules(bundled_budget.rules_path)


@pytest.fixture(scope="session")
def demo_findings():
    """(collection, findings) of data/collections/demo: the findings of every budget and of the
    restatements across years, stacked as the command line and the collection report write them."""
    from budgetkit.collection import load_many, stack_findings, year_over_year_findings

    collection = load_many(ROOT / "data" / "collections" / "demo")
    return collection, stack_findings(collection.audit(), year_over_year_findings(collection))


@pytest.fixture(scope="session")
def synthetic_long_tables():
    """(budgets, claims, lines) of two synthetic budgets (seed 7, nothing planted); copy before changing."""
    from synthetic import generate, long_tables

    return long_tables(generate(2, seed=7, drift_share=0))


@pytest.fixture
def english():
    """Messages in English for one test: the tests that pin an explanation's exact wording were
    written against the English catalogue; Chinese, the default, has tests of its own."""
    from budgetkit.messages import using_language

    with using_language("en"):
        yield


@pytest.fixture(autouse=True)
def _default_language(monkeypatch):
    """Every test starts in the default language, whatever an earlier one set (``--lang en`` in an
    in-process ``cli.main`` sets it for the process)."""
    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
