"""The bundled data package: the transcription is proved against the raw text; bad input is refused clearly."""

import hashlib
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import budgetkit
from budgetkit import BudgetDataError, load
from budgetkit.messages import using_language
from budgetkit.numbers import normalize_text, parse_figure
from budgetkit.schema import bundled_data_dir

DATA = bundled_data_dir()
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed"
RAW = DATA / "raw" / "anju-district-trade-union-federation-2024-budget-explanation.txt"

#: A number followed (after 余 or a space) by one of the units the document counts in.
UNIT_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*余?(万元|%|人|辆|个|场|名|期|台)")


@pytest.fixture(scope="module")
def budget(bundled_budget):
    return bundled_budget


def test_raw_document_is_kept_byte_for_byte():
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "raw-document")
    data = RAW.read_bytes()
    assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert resource["bytes"] == len(data)
    if SEED.is_dir():  # the published original, where this checkout sits beside it
        assert data == (SEED / RAW.name).read_bytes()


def test_every_claim_is_found_at_its_locator(budget):
    lines = RAW.read_text(encoding="utf-8").split("\n")
    for claim in budget.claims.itertuples():
        printed = lines[claim.line - 1][claim.char_start:claim.char_end]
        assert printed == claim.text, claim.claim_id
        if not pd.isna(claim.value):
            assert parse_figure(printed).value == claim.value, claim.claim_id


def test_every_number_with_a_unit_is_covered_by_a_claim(budget):
    lines = RAW.read_text(encoding="utf-8").split("\n")
    spans = {(c.line, c.char_start, c.char_end) for c in budget.claims.itertuples()}
    uncovered = []
    for number, line in enumerate(lines, start=1):
        for match in UNIT_FIGURE.finditer(normalize_text(line)):
            if (number, match.start(1), match.end(1)) not in spans:
                uncovered.append(f"line {number}: {line[max(0, match.start() - 12):match.end()]}")
    assert uncovered == []


def test_claims_have_real_dtypes_and_exact_money(budget):
    claims = budget.claims
    assert str(claims["claim_id"].dtype) == "str"
    assert str(claims["line"].dtype) == "Int64"
    assert "decimal128" in str(claims["value"].dtype)
    income = budget.income[budget.income["section"] == "三（一）"].set_index("measure")
    assert income.loc[["income_general_budget", "income_carryover"], "value"].sum() == Decimal("841.00")
    assert budget.claims["value"].isna().sum() == (budget.claims["text"] == "××").sum()


def test_codes_stay_strings_and_the_hierarchy_is_navigable(budget):
    items = budget.line_items
    assert str(items["code"].dtype) == "str"
    assert set(items["code"].str.len()) == {3, 5, 7}
    assert list(budget.children("20129")["code"]) == ["2012901", "2012950", "2012999"]
    rollup = budget.rollup("类").set_index("code")
    assert rollup.loc["201", "from_items_wan_yuan"] == Decimal("802.64")
    assert rollup.loc["208", "from_items_wan_yuan"] == Decimal("20.68")
    assert "医疗" not in "".join(items.loc[items["level"] == "类", "name"])  # 类 names as printed in 五（二）


def test_to_yuan_is_explicit_and_exact(budget):
    yuan = budgetkit.to_yuan(budget.line_items["amount_wan_yuan"])
    assert yuan.name == "amount_yuan"
    assert yuan.iloc[0] == Decimal("8026400")
    assert yuan.isna().sum() == budget.line_items["amount_wan_yuan"].isna().sum()


def test_import_loads_no_chart_workbook_document_or_sql_library():
    import subprocess
    import sys

    heavy = ("matplotlib", "openpyxl", "xlsxwriter", "docx", "pdfplumber", "duckdb", "budgetkit.collection")
    code = f"import sys, budgetkit; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert budgetkit.load_many.__module__ == "budgetkit.collection"  # the lazy public name resolves


def test_tables_are_views_of_the_claims(budget):
    assert set(budget.income["measure"]) >= {"income_total", "income_general_budget", "income_carryover"}
    assert set(budget.three_public["measure"]) >= {"three_public_total", "vehicle_purchase"}
    assert len(budget.work_targets) == 15
    with pytest.raises(KeyError, match="没有名为 'nonsense' 的分析表；现有的表为：.*income"):
        budget.table("nonsense")
    with using_language("en"), pytest.raises(KeyError, match="tables are"):
        budget.table("nonsense")


# -- bad input -------------------------------------------------------------------------------

@pytest.fixture
def package(tmp_path):
    target = tmp_path / "budget"
    shutil.copytree(DATA, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(package_dir) -> list[str]:
    with pytest.raises(BudgetDataError) as caught:
        load(package_dir)
    return [str(problem) for problem in caught.value.problems]


def test_a_copy_in_the_same_layout_loads(package):
    assert len(load(package).claims) == len(load().claims)


@pytest.mark.usefixtures("english")
def test_missing_folder_and_file(package, tmp_path):
    assert _problems(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such file or folder"]
    (package / "claims.csv").unlink()
    assert _problems(package) == [f"{package / 'claims.csv'}: file not found"]


@pytest.mark.usefixtures("english")
def test_missing_column(package):
    path = package / "line_items.csv"
    _edit(path, "code,level,name", "code,name")
    assert f"{path}, line 1, field 'level': column is missing" in _problems(package)


@pytest.mark.usefixtures("english")
def test_non_numeric_amount(package):
    path = package / "claims.csv"
    _edit(path, "收入预算,2024,840.99,", "收入预算,2024,840.9x,")
    problems = _problems(package)
    assert any(p.startswith(f"{path}, line ") and "field 'value': '840.9x' is not a number" in p for p in problems)


@pytest.mark.usefixtures("english")
def test_integer_beyond_64_bits_is_a_problem_not_a_crash(package):
    path = package / "claims.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("line")] = "9223372036854775808"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(package)
    assert f"{path}, line 2, field 'line': '9223372036854775808' is too large for an integer column" in problems


@pytest.mark.usefixtures("english")
def test_malformed_and_unknown_code(package):
    path = package / "line_items.csv"
    _edit(path, "2012950,项", "20129X0,项")
    problems = _problems(package)
    assert any("field 'code': '20129X0' is malformed" in p for p in problems)


@pytest.mark.usefixtures("english")
def test_duplicate_key(package):
    path = package / "line_items.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.splitlines()[3] + "\n", encoding="utf-8")
    assert any("field 'code': duplicate key '2012901'" in p for p in _problems(package))


@pytest.mark.usefixtures("english")
def test_child_whose_parent_is_missing(package):
    path = package / "line_items.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("20129,")), encoding="utf-8")
    problems = _problems(package)
    assert any("field 'parent_code': parent 20129 of 2012901 is not in the table" in p for p in problems)


@pytest.mark.usefixtures("english")
def test_locator_that_misses_its_figure(package):
    _edit(package / "claims.csv", "c070-1,三,70,", "c070-1,三,71,")
    assert any("field 'char_start'" in p for p in _problems(package))


@pytest.mark.usefixtures("english")
def test_an_empty_locator_cell_is_a_problem_not_a_crash(package):
    path = package / "claims.csv"
    _edit(path, "c070-1,三,70,114,", "c070-1,三,70,,")
    assert any(p.startswith(f"{path}, line ") and "field 'char_start': is required but empty" in p
               for p in _problems(package))


def test_all_problems_are_reported_at_once(package):
    _edit(package / "claims.csv", "收入预算,2024,840.99,", "收入预算,2024,abc,")
    _edit(package / "line_items.csv", "2012950,项", "2012950,款")
    assert len(_problems(package)) >= 2


def test_gbk_and_bom_files_are_read(package):
    path = package / "claims.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gbk"))
    assert len(load(package).claims) == len(load().claims)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert len(load(package).claims) == len(load().claims)


@pytest.mark.usefixtures("english")
def test_undecodable_file_is_refused_clearly(package):
    path = package / "line_items.csv"
    path.write_bytes(path.read_bytes() + b"\xff\xfe\xfa\n")
    problems = _problems(package)
    assert any(p.startswith(f"{path}, line ") and "not UTF-8, GBK or GB18030" in p for p in problems)


def test_full_width_figures_are_read_as_numbers(package):
    _edit(package / "claims.csv", "收入预算,2024,840.99,", "收入预算,2024,８４０．９９,")
    claims = load(package).claims
    assert claims.loc[claims["claim_id"] == "c073-1", "value"].iloc[0] == Decimal("840.99")


def test_problems_are_written_in_chinese_by_default_with_a_stable_type(package, monkeypatch):
    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
    claims, items = package / "claims.csv", package / "line_items.csv"
    _edit(claims, "收入预算,2024,840.99,", "收入预算,2024,840.9x,")
    _edit(items, "code,level,name", "code,name")
    with pytest.raises(BudgetDataError) as caught:
        load(package)
    error = caught.value
    assert str(error).startswith(f"预算数据有 {len(error.problems)} 处问题：\n  - ")
    problems = [str(problem) for problem in error.problems]
    assert f"{items} 第1行 字段“level”：缺少此列" in problems
    assert any(p.startswith(f"{claims} 第") and "字段“value”：'840.9x' 不是数字" in p for p in problems)
    frame = error.to_frame()
    assert list(frame.columns) == ["file", "row", "field", "type", "message"]
    assert {"column-missing", "figure-not-number"} <= set(frame["type"])
    with using_language("en"):
        with pytest.raises(BudgetDataError) as english:
            load(package)
    assert str(english.value).startswith(f"{len(error.problems)} problems in budget data:")
    assert list(english.value.to_frame()["type"]) == list(frame["type"])  # the key is the same in every language


def test_a_package_path_outside_its_folder_is_refused_in_both_languages(package):
    descriptor = package / "datapackage.json"
    _edit(descriptor, '"path": "claims.csv"', '"path": "../claims.csv"')
    assert _problems(package) == [f"{descriptor} 字段“resources.claims.path”：'../claims.csv' 不在数据包文件夹内："
                                  "数据包须以相对路径指明其文件"]
    with using_language("en"):
        assert _problems(package) == [f"{descriptor}, field 'resources.claims.path': '../claims.csv' is not inside "
                                      "the package folder: a package names its files by relative paths"]
