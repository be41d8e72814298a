from decimal import Decimal

import pytest

from budgetkit.messages import using_language
from budgetkit.numbers import Figure, FigureError, Interval, normalize_text, parse_figure, wan_yuan_to_yuan


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("840.99", "840.99", 2),
        ("８４０．９９", "840.99", 2),  # full-width digits and point
        ("0.3", "0.3", 1),
        ("0", "0", 0),
        ("1,085,203.63", "1085203.63", 2),
        ("１，０８５", "1085", 0),
        ("25 ", "25", 0),
        ("1 085.5", "1085.5", 1),
        ("-0.30", "-0.30", 2),
        ("持平", "0", None),
        ("未安排", "0", None),
    ],
)
def test_parse_figure_reads_what_was_printed(text, value, decimals):
    assert parse_figure(text) == Figure(Decimal(value), decimals)


@pytest.mark.parametrize("text", ["××", "abc", "1.2.3", "", "12,34", "1e5", "８４０．９９万元"])
def test_parse_figure_refuses_with_the_text(text):
    with pytest.raises(FigureError, match="不是数字") as raised:
        parse_figure(text)
    assert repr(text) in str(raised.value)
    assert raised.value.key in ("data.figure-not-number", "data.figure-placeholder")
    with using_language("en"), pytest.raises(FigureError, match="not a number|placeholder"):
        parse_figure(text)


def test_placeholder_is_named_as_such():
    with pytest.raises(FigureError, match="'××' 是未填写的模板占位文字，不是数字") as raised:
        parse_figure("××")
    assert raised.value.key == "data.figure-placeholder"
    with using_language("en"), pytest.raises(FigureError, match="'××' is an unfilled template placeholder, not a number"):
        parse_figure("××")


def test_a_figure_error_crosses_a_process_whole():
    import pickle

    with pytest.raises(FigureError) as raised:
        parse_figure("abc")
    again = pickle.loads(pickle.dumps(raised.value))
    assert (again.key, again.fields, str(again)) == (raised.value.key, raised.value.fields, str(raised.value))


def test_money_adds_exactly():
    assert parse_figure("833.05").value + parse_figure("7.95").value == Decimal("841.00")
    assert wan_yuan_to_yuan(Decimal("833.05")) == Decimal("8330500")


def test_normalize_text_folds_full_width():
    assert normalize_text("占９８．４６％") == "占98.46%"


def test_interval_of_a_printed_figure_is_half_a_unit_either_side():
    assert parse_figure("840.99").interval == Interval(Decimal("840.985"), Decimal("840.995"))
    assert parse_figure("0.3").interval == Interval(Decimal("0.25"), Decimal("0.35"))
    assert parse_figure("持平").interval == Interval(Decimal(0), Decimal(0))


def test_interval_arithmetic():
    a = Interval(Decimal("1"), Decimal("2"))
    b = Interval(Decimal("10"), Decimal("20"))
    assert a + b == Interval(Decimal("11"), Decimal("22"))
    assert b - a == Interval(Decimal("8"), Decimal("19"))
    assert a.ratio_pct(b) == Interval(Decimal("5"), Decimal("20"))
    assert a.ratio_pct(Interval(Decimal("0"), Decimal("1"))) is None
    assert a.overlaps(Interval(Decimal("2"), Decimal("3")))
    assert not a.overlaps(Interval(Decimal("2.01"), Decimal("3")))
    assert a.gap(Interval(Decimal("2.5"), Decimal("3"))) == Decimal("0.5")
