"""A 类/款/项 the explanation names without its code is keyed to the code its 类 heading and the
document's own tables give it, and only when that is one code."""

from __future__ import annotations

from pathlib import Path

from budgetkit.extract import extract
from budgetkit.extract.classification import reference
from budgetkit.extract.codes import CodeFinder, PrintedCodes
from budgetkit.extract.figures import tokenize

#: What a 一般公共预算财政拨款支出决算表 prints: codes beside their names.
TABLE = PrintedCodes([("212", "十一、城乡社区支出"), ("21201", "城乡社区管理事务"), ("2120101", "行政运行"),
                      ("208", "社会保障和就业支出"), ("20805", "行政事业单位离退休"),
                      ("2080504", "未归口管理的行政单位离退休"),
                      ("221", "住房保障支出"), ("22102", "住房改革支出"), ("2210201", "住房公积金"),
                      ("201", "一般公共服务支出"), ("20101", "人大事务"), ("2010101", "行政运行"),
                      ("20103", "政府办公厅（室）及相关机构事务"), ("2010301", "行政运行")])


def _codes(lines: list[str], printed: PrintedCodes | None = TABLE, section: str = "五") -> list[list[str]]:
    finder = CodeFinder(reference(), printed)
    return [[ref.code for ref in finder.find(line, tokenize(line), section)[0]] for line in lines]


def test_a_kuan_and_xiang_are_read_under_the_class_heading_they_sit_beneath():
    lines = ["（一）一般公共服务（类）", "1.人大事务（款）行政运行（项）支出6372.32万元，与上年相比增加1826.38万元。"]
    assert _codes(lines) == [[], ["2010101"]]
    assert _codes(lines[1:]) == [[]]  # without its 类, 行政运行 is a 项 of almost every 款


def test_a_name_the_reference_does_not_hold_is_the_code_the_tables_print():
    line = "8、城乡社区支出（类）城乡社区管理事务（款）行政运行（项）。年初预算为1115.48万元，支出决算为1092.80万元。"
    assert _codes([line]) == [["2120101"]]
    assert _codes([line], printed=None) == [[]]


def test_a_kuan_marked_as_a_class_is_read_as_the_kuan_of_the_heading():
    lines = ["（二）社会保障和就业（类）", "1．行政事业单位离退休（类）未归口管理的行政单位离退休支出（项） 256.76万元。"]
    assert _codes(lines) == [[], ["2080504"]]


def test_a_name_that_is_two_codes_under_its_class_is_left_without_a_code():
    # the 款 printed is none the tables know, and 行政运行 is a 项 of two 款 of 201 in them
    line = "一般公共服务（类）某某事务（款）行政运行（项）支出100万元。"
    assert _codes([line]) == [[]]
    # a 项 name the tables print once under the 类 is that 项, whatever name its 款 is printed with
    assert _codes(["住房保障支出（类）住房保障支出（款）住房公积金（项）支出289.59万元。"]) == [["2210201"]]


def test_an_item_line_without_an_amount_gives_its_code_to_the_next_line_only():
    lines = ["12、住房保障支出（类）住房改革支出（款）住房公积金（项）。",
             "主要用于：住房公积金支出。年初预算为289.59万元，支出决算为289.59万元。",
             "年初预算为10万元。"]
    assert _codes(lines) == [["2210201"], ["2210201"], []]
    numbered = [lines[0], "13、城乡社区支出（类）某某事务（款）某某（项）。年初预算为1万元。"]
    assert _codes(numbered) == [["2210201"], []]


def test_a_class_heading_holds_to_the_end_of_its_section():
    finder = CodeFinder(reference(), TABLE)
    line = "1.人大事务（款）行政运行（项）支出6372.32万元。"
    finder.find("（一）一般公共服务（类）", tokenize("（一）一般公共服务（类）"), "五（一）")
    assert [ref.code for ref in finder.find(line, tokenize(line), "五（一）")[0]] == ["2010101"]
    assert finder.find(line, tokenize(line), "六")[0] == []


def test_an_explanation_keys_the_figure_of_a_name_under_its_heading(tmp_path: Path):
    path = tmp_path / "说明.txt"
    path.write_text("五、财政拨款支出预算情况说明\n"
                    "2018年财政拨款预算支出15897.44万元。其中：\n"
                    "（一）一般公共服务（类）\n"
                    "1.人大事务（款）行政运行（项）支出6372.32万元，与上年相比持平。\n", encoding="utf-8")
    claims = extract(path).claims
    amount = claims[(claims["kind"] == "amount") & (claims["value"].astype(str) == "6372.3200")]
    assert list(amount["code"]) == ["2010101"]
