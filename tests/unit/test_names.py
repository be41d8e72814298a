"""One naming scheme for tables and charts: kebab-case names, the snake_case spelling of the
functions accepted for the same thing."""

import re

import pytest

from budgetkit import charts, tables
from budgetkit.names import name_key

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_every_registered_name_is_kebab_case_and_names_its_function():
    for registry in (tables.TABLES, charts.CHARTS, charts.COLLECTION_CHARTS):
        for name, function in registry.items():
            assert KEBAB.match(name), name
            assert function.__name__ == name.replace("-", "_"), name  # the name says what the function is
            assert registry[function.__name__] is function and function.__name__ in registry


def test_a_budget_table_answers_to_either_spelling(bundled_budget):
    assert bundled_budget.table("three_public").equals(bundled_budget.table("three-public"))
    assert bundled_budget.table("three-public").equals(bundled_budget.three_public)
    assert set(bundled_budget.measures["table"]) == {name_key(t) for t in bundled_budget.measures["table"]}
    with pytest.raises(KeyError):
        bundled_budget.table("three public")


def test_chart_names_say_what_they_draw(bundled_budget):
    figure = charts.CHARTS["three-public-and-meetings-by-year"](bundled_budget)
    titles = " ".join(t.get_text() for t in figure.texts) + " ".join(a.get_title() for a in figure.axes)
    assert "三公" in titles and "会议费" in titles
    assert charts.CHARTS["totals_by_year"] is charts.totals_by_year
