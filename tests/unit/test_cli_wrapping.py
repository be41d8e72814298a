"""Wrapping terminal lines (``budgetkit.cli.wrapped``): columns counted as a terminal shows them, breaks
where Chinese and Latin text allow them, continuation lines under the text they continue."""

import pytest

from budgetkit.cli import terminal_width, wrapped


def test_wide_characters_take_two_columns_and_a_full_line_stays_whole():
    assert wrapped("", "中" * 30, 60) == ["中" * 30]
    assert wrapped("", "中" * 31, 60) == ["中" * 30, "中"]


def test_latin_words_are_never_cut():
    assert wrapped("", "state one quantity with different values", 14) == [
        "state one", "quantity with", "different", "values"]


def test_chinese_breaks_between_characters_but_not_before_a_closing_mark():
    assert wrapped("", "一二三，四五", 6) == ["一二", "三，四", "五"]


def test_a_number_stays_with_the_character_after_it():
    assert wrapped("", "旅游局2023年", 10) == ["旅游局", "2023年"]
    assert wrapped("", "口径0项、不符10项", 10) == ["口径0项、", "不符10项"]


def test_an_opening_mark_stays_with_what_it_opens():
    lines = wrapped("", "ab “三公”经费", 5)
    assert lines == ["ab", "“三", "公”经", "费"]
    assert not any(line.endswith("“") for line in lines)


def test_continuation_lines_hang_under_the_text_after_the_prefix():
    assert wrapped("说明 ", "aaa bbb ccc", 10) == ["说明 aaa", "     bbb", "     ccc"]


def test_spaces_at_a_break_are_dropped():
    assert wrapped("", "aaaa    bbbb", 6) == ["aaaa", "bbbb"]
    assert wrapped("  ", "", 10) == [""]


def test_a_word_wider_than_the_line_is_cut_after_a_hyphen_where_one_fits():
    assert wrapped("", "performance-scope-within-appropriation", 20) == ["performance-scope-", "within-appropriation"]
    assert wrapped("", "x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@pytest.mark.parametrize(("columns", "width"), [("120", 120), ("60", 60), ("12", 40)])
def test_the_width_is_the_terminals_and_never_unreadably_narrow(monkeypatch, columns, width):
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_width() == width


def test_control_characters_from_a_document_are_shown_not_sent_to_the_terminal():
    assert wrapped("", "收入\x1b[2J\x1b]0;title\x07预算", 60) == ["收入\\x1b[2J\\x1b]0;title\\x07预算"]


def test_a_line_end_or_tab_inside_a_quote_is_a_space():
    assert wrapped("  ", "一般\n公共\t预算", 60) == ["  一般 公共 预算"]
