"""A table a text prints one cell per line (an Anhui 三公 notice copied from its web page) is read as a table
where its title, headings and one row of figures leave nothing to guess (budgetkit.extract.text_tables), and
left to the prose reader otherwise."""

from pathlib import Path

import budgetkit
from budgetkit.extract.reading import read_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documents"

NOTICE = """某局2024年一般公共预算“三公”经费预算
一、2024年一般公共预算“三公”经费支出预算表
单位:万元
“三公”经费合计
因公出国(境)费
公务用车购置及运行费
公务
接待费
小计
公务用车购置费
公务用车运行费
{figures}
二、2024年一般公共预算“三公”经费支出预算情况说明
某局2024年一般公共预算“三公”经费支出预算为328.7万元。其中:因公出国(境)费支出预算为10万元,公务接待费支出预算为240万元,公务用车购置及运行费支出预算为78.7万元。
(二)公务用车购置及运行费支出预算78.7万元。其中:公务用车运行费35.7万元;公务用车购置费43万元。
"""
FIGURES = "328.7\n10\n78.7\n43\n35.7\n240"


def _read(tmp_path, body):
    path = tmp_path / "notice.txt"
    path.write_text(body, encoding="utf-8")
    return path, read_document(path)


def test_headings_then_one_row_of_figures_make_the_table(tmp_path):
    path, document = _read(tmp_path, NOTICE.format(figures=FIGURES))
    (table,) = document.tables
    assert (table.title, table.unit, table.pages) == ("2024年一般公共预算“三公”经费支出预算表", "万元", [2, 17])
    # 公务用车购置及运行费 over the three columns under it; 公务 / 接待费 one heading broken over two lines
    assert table.grid == [["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置及运行费",
                           "公务用车购置及运行费", "公务接待费"],
                          ["“三公”经费合计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行费", "公务接待费"],
                          ["328.7", "10", "78.7", "43", "35.7", "240"]]
    lines = document.text.split("\n")
    assert lines[1:17] == [""] * 16 and lines[17].startswith("二、")  # the prose keeps its line numbers
    budget = budgetkit.load(path)
    found = budget.audit()
    restated = found[found["rule"] == "same-figure-restated"]
    assert len(restated) >= 5 and set(restated["verdict"]) == {"consistent"}
    assert not (found["rule"] == "standard-tables").any()  # one table alone: a notice, not a disclosure's tables


def test_a_table_and_its_text_that_disagree_are_drift_on_the_real_notice():
    budget = budgetkit.load(CORPUS / "ex-anhui-shouxian-justice-2022-three-public.txt")
    found = budget.audit()
    drift = found[found["verdict"].astype(str) == "drift"]
    # the table prints 购置费 50 and 运行费 25; the text 运行费 50 and 购置费 25
    assert sorted(drift["stated"].astype(str)) == ["25.00", "50.00"]
    assert set(drift["rule"]) == {"same-figure-restated"}


def test_a_table_that_leaves_something_to_guess_stays_prose(tmp_path):
    # one figure short of the six columns: which column lacks it cannot be told
    assert _read(tmp_path, NOTICE.format(figures="328.7\n10\n78.7\n43\n240"))[1].tables == ()
    # a heading that is not one of the table's columns
    assert _read(tmp_path, NOTICE.format(figures=FIGURES).replace("公务\n接待费", "其他费用"))[1].tables == ()
    # no 单位 banner
    assert _read(tmp_path, NOTICE.format(figures=FIGURES).replace("单位:万元\n", ""))[1].tables == ()
