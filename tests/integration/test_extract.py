"""budgetkit.extract: a budget explanation read straight into the model, checked against the
hand transcription, on test documents written for these tests, and on hostile input."""

from __future__ import annotations

import os
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import budgetkit
from budgetkit.extract import extract, write_package
from budgetkit.extract.reading import join_wrapped_lines, normalize_line
from budgetkit.schema import BudgetDataError, bundled_data_dir, read_text

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
BUNDLED_RAW = bundled_data_dir() / "raw" / "anju-district-trade-union-federation-2024-budget-explanation.txt"
CLEAN = DOCUMENTS / "clean-culture-bureau-2024.txt"
EDUCATION = DOCUMENTS / "county-education-bureau-2024-yuan-gbk.txt"
HEALTH = DOCUMENTS / "health-bureau-2024-old-names-fullwidth.txt"
FRAGMENT = DOCUMENTS / "fragment-agriculture-bureau-2024-sections-7-8.txt"

COMPARED = ["claim_id", "section", "line", "char_start", "char_end", "text", "kind", "measure", "code", "year",
            "value", "unit", "decimals", "qualifier", "direction", "base_measure", "base_year", "ref_claim_id",
            "base_claim_id"]


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def claim_differences(got: pd.DataFrame, want: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, column) where two claims tables differ; whole missing/extra claims too."""
    a = got[COMPARED].map(_cell).set_index("claim_id")
    b = want[COMPARED].map(_cell).set_index("claim_id")
    rows = [(cid, "(claim)", "", "missing") for cid in b.index.difference(a.index)]
    rows += [(cid, "(claim)", "extra", "") for cid in a.index.difference(b.index)]
    for cid in b.index.intersection(a.index, sort=False):
        for column in b.columns:
            if a.at[cid, column] != b.at[cid, column]:
                rows.append((cid, column, a.at[cid, column], b.at[cid, column]))
    return pd.DataFrame(rows, columns=["claim_id", "column", "extracted", "transcribed"])


@pytest.fixture(scope="module")
def bundled():
    return extract(BUNDLED_RAW)


@pytest.fixture(scope="module")
def hand(bundled_budget):
    return bundled_budget


# -- the bundled document against the hand transcription ------------------------------------

def test_bundled_claims_equal_the_hand_transcription(bundled, hand):
    differences = claim_differences(bundled.claims, hand.claims)
    assert differences.empty, "extracted claims differ from data/claims.csv:\n" + differences.to_string(index=False)


def test_bundled_line_items_equal_the_hand_transcription(bundled, hand):
    columns = ["code", "level", "name", "parent_code", "line", "purpose", "amount_wan_yuan", "stated"]
    got = bundled.line_items[columns].map(_cell)
    want = hand.line_items[columns].map(_cell)
    pd.testing.assert_frame_equal(got, want)


def test_bundled_locators_point_into_the_published_text(bundled):
    assert bundled.raw_text == read_text(BUNDLED_RAW)
    lines = bundled.raw_text.split("\n")
    for claim in bundled.claims.itertuples():
        assert lines[claim.line - 1][claim.char_start:claim.char_end] == claim.text, claim.claim_id


def test_bundled_extraction_reads_everything(bundled):
    report = bundled.extraction
    assert bundled.department == "遂宁市安居区总工会" and bundled.year == 2024 and bundled.prior_year == 2023
    assert report.missing_sections == []
    assert report.unparsed.empty, report.unparsed.to_string()
    drift = set(zip(report.name_drift["code"], report.name_drift["printed"]))
    assert drift == {("20805", "行政事业单位离退休"), ("210", "医疗卫生健康支出")}


def test_bundled_audit_matches_the_audit_of_the_transcription(bundled, hand):
    columns = ["rule", "verdict", "claim_id", "stated", "computed", "inputs"]
    got, want = bundled.audit()[columns].map(_cell), hand.audit()[columns].map(_cell)
    pd.testing.assert_frame_equal(got, want)


# -- the test documents -----------------------------------------------------------------------

def _verdicts(budget) -> dict[str, int]:
    findings = budget.audit()
    return {str(v): int(n) for v, n in findings["verdict"].value_counts().items() if n}


def test_clean_document_audits_consistent_throughout():
    budget = extract(CLEAN)
    assert _verdicts(budget) == {"consistent": len(budget.audit())}
    assert len(budget.audit()) > 50
    assert budget.extraction.unparsed.empty
    assert budget.extraction.missing_sections == ["十二 名词解释"]
    # codes given only by names resolve through the reference table
    assert set(budget.line_items["code"]) >= {"207", "20701", "2070101", "2070199", "20805", "2080506"}


def test_health_document_full_width_old_names_and_planted_errors():
    budget = extract(HEALTH)
    claims = budget.claims.set_index("claim_id")
    income = budget.claims[budget.claims["measure"] == "income_total"].iloc[0]
    assert income["text"] == "２１１０．００" and income["value"] == Decimal("2110.00") and income["decimals"] == 2
    findings = budget.audit()
    planted_total = findings[(findings["rule"] == "income-by-source") & (findings["claim_id"] == income["claim_id"])]
    assert list(planted_total["verdict"].astype(str)) == ["drift"]
    share = budget.claims[(budget.claims["kind"] == "share") & (budget.claims["code"] == "210")].iloc[0]
    assert share["text"] == "８５．７１" and share["base_measure"] == "appropriation_total"
    wrong_base = findings[(findings["rule"] == "share-of-named-whole") & (findings["claim_id"] == share["claim_id"])]
    assert list(wrong_base["verdict"].astype(str)) == ["semantic"]
    assert "收支总预算" in wrong_base["explanation"].iloc[0]  # the base it was computed on
    assert _verdicts(budget) == {"consistent": len(findings) - 3, "drift": 2, "semantic": 1}
    # old class names resolve to the 2024 codes and are reported
    drift = budget.extraction.name_drift
    assert {("210", "医疗卫生与计划生育支出"), ("20805", "行政事业单位离退休")} <= set(zip(drift["code"], drift["printed"]))
    assert claims.loc[share["ref_claim_id"], "code"] == "210"
    # renumbered (no 部门预算单位构成) and reordered (会议费 before 三公): found by title
    assert budget.extraction.missing_sections == ["二 部门预算单位构成"]
    sections = budget.extraction.sections
    printed = dict(zip(sections.loc[sections["level"] == "section", "standard"],
                       sections.loc[sections["level"] == "section", "printed"]))
    assert printed["三"] == "二" and printed["八"] == "六" and printed["七"] == "七"
    # 较上年 / 同比 / 与上年持平: compared with the prior year, which is not printed
    changes = budget.claims[(budget.claims["kind"] == "change") & (budget.claims["section"] == "六")]
    assert list(changes["direction"]) == ["increase", "decrease", "unchanged"]
    assert list(changes["base_year"]) == [2023, 2023, 2023] and changes["base_claim_id"].isna().all()


def test_education_document_gbk_in_yuan_with_separators():
    assert EDUCATION.read_bytes().decode("gbk")  # the file really is GBK
    budget = extract(EDUCATION)
    total = budget.claims[budget.claims["measure"] == "budget_total"].iloc[0]
    assert (total["text"], total["value"], total["unit"]) == ("105,364,218.50", Decimal("105364218.50"), "元")
    spaced = budget.claims[budget.claims["measure"] == "procurement_total"].iloc[0]
    assert (spaced["text"], spaced["value"]) == ("1 200 000.00", Decimal("1200000.00"))
    threshold = budget.claims[budget.claims["measure"] == "large_equipment_threshold"].iloc[0]
    assert threshold["unit"] == "万元"  # unit as printed per figure, not per document
    # seven-digit codes with names
    items = budget.line_items.set_index("code")
    assert items.loc["2050202", "name"] == "小学教育" and items.loc["20502", "name"] == "普通教育"
    # the audit compares money in 万元 whatever the printed unit
    assert set(_verdicts(budget)) == {"consistent"}
    # a count in any unit of the claims schema is a work target, exact
    target = budget.claims[budget.claims["unit"] == "次"].iloc[0]
    assert (target["kind"], target["label"], target["value"], target["qualifier"]) == (
        "target", "开展教师培训", Decimal("12"), "exact")
    assert budget.extraction.unparsed.empty


def test_a_unit_the_claims_table_does_not_know_is_reported_not_dropped(tmp_path):
    text = EDUCATION.read_bytes().decode("gbk").replace("教师培训12次", "教师培训12批")
    path = tmp_path / "education.txt"
    path.write_bytes(text.encode("gbk"))
    unparsed = extract(path).extraction.unparsed
    assert list(unparsed["figure"]) == ["12"] and unparsed["reason"].iloc[0] == "单位“批”不是 claims 表所列的单位"
    assert "教师培训12批" in unparsed["text"].iloc[0]


def test_fragment_has_two_sections_and_reports_the_rest():
    budget = extract(FRAGMENT)
    assert budget.department == "青石县农业农村局" and budget.year == 2024
    assert set(budget.claims["section"].str[0]) == {"七", "八"}
    assert [s.split()[0] for s in budget.extraction.missing_sections] == \
        ["一", "二", "三", "四", "五", "六", "九", "十", "十一", "十二"]
    assert "没有标题行：部门名称“青石县农业农村局”取自正文" in budget.extraction.notes
    assert set(_verdicts(budget)) == {"consistent"}


# -- other formats ---------------------------------------------------------------------------

def _claims_without_position(budget) -> list[tuple]:
    columns = ["section", "text", "kind", "measure", "code", "year", "value", "unit", "decimals", "qualifier",
               "direction", "base_measure", "base_year"]
    return sorted(tuple(_cell(v) for v in row) for row in budget.claims[columns].itertuples(index=False))


def test_utf8_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    budget = extract(path)
    assert _claims_without_position(budget) == _claims_without_position(extract(CLEAN))
    lines = budget.raw_text.split("\n")
    for claim in budget.claims.itertuples():
        assert lines[claim.line - 1][claim.char_start:claim.char_end] == claim.text


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    for line in CLEAN.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "项目", "金额"
    table.cell(1, 0).text, table.cell(1, 1).text = "会议费", "1.00"
    path = tmp_path / "clean.docx"
    document.save(str(path))
    budget = extract(path)
    txt = extract(CLEAN)
    assert budget.raw_text.startswith(txt.raw_text)
    # the table is read as a table, not as prose: rendered after the prose, its figure a cell with its row's label
    assert "会议费 | 1.00" in budget.raw_text.split("\n")[txt.raw_text.count("\n"):]
    cells = budget.table_cells
    assert cells[["text", "row_label", "heading", "page", "row", "column"]].values.tolist() == [
        ["1.00", "会议费", "金额", 1, 2, 2]]
    pd.testing.assert_frame_equal(budget.claims.drop(columns="quote"), txt.claims.drop(columns="quote"))
    assert budget.extraction.format == "docx"


def _pdf_from_text(text: str, path: Path, width: int = 34) -> None:
    """A PDF with a real (TrueType, extractable) CJK text layer, lines wrapped at ``width`` characters."""
    import matplotlib

    matplotlib.use("pdf")
    import glob
    import os

    import noto_cjk_sans_otc
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    font = glob.glob(os.path.join(os.path.dirname(noto_cjk_sans_otc.__file__), "*.ttc"))[0]
    prop = font_manager.FontProperties(fname=font, size=9)
    rows: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        rows.extend(line[i:i + width] for i in range(0, len(line), width))
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata={"CreationDate": None}) as pdf:
        for page_start in range(0, len(rows), 45):
            figure = plt.figure(figsize=(8.27, 11.69))
            for n, row in enumerate(rows[page_start:page_start + 45]):
                figure.text(0.06, 0.95 - n * 0.02, row, fontproperties=prop)
            pdf.savefig(figure)
            plt.close(figure)


@pytest.fixture(scope="module")
def clean_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "clean.pdf"
    _pdf_from_text(CLEAN.read_text(encoding="utf-8"), path)
    return path


def test_pdf_text_layer_with_wrapped_lines(clean_pdf):
    budget = extract(clean_pdf)
    assert budget.extraction.format == "pdf"
    assert _claims_without_position(budget) == _claims_without_position(extract(CLEAN))
    assert set(_verdicts(budget)) == {"consistent"}


def test_pdf_of_the_bundled_document_gives_the_transcribed_figures(tmp_path, hand):
    path = tmp_path / "anju.pdf"
    _pdf_from_text(BUNDLED_RAW.read_text(encoding="utf-8"), path)
    budget = extract(path)
    assert budget.extraction.unparsed.empty
    got, want = _claims_without_position(budget), _claims_without_position(hand)
    only_pdf = [row for row in got if row not in want]
    only_hand = [row for row in want if row not in got]
    assert only_pdf == [] and only_hand == []


def test_pdf_wraps_between_a_number_and_its_unit_are_joined():
    text = join_wrapped_lines(["（一）收入预算情况", "收入预算840.", "99万元，其中：上年结转7.95", "万元。", "二、部门预算单位构成"])
    assert text.split("\n") == ["（一）收入预算情况", "收入预算840.99万元，其中：上年结转7.95万元。", "二、部门预算单位构成"]


def test_importing_extract_stays_cheap():
    import subprocess
    import sys

    code = ("import sys, budgetkit.extract; "
            "print(sorted(m for m in ('docx', 'pdfplumber', 'pdfminer', 'defusedxml', 'lxml', 'matplotlib', 'opencc') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- normalisation -----------------------------------------------------------------------------

def test_normalised_lines_map_back_to_the_original_characters():
    line = normalize_line("收支总预算８４０．９９万元，占９８．４６％（一）")
    assert line.text == "收支总预算840.99万元，占98.46%（一）"
    start = line.text.index("840.99")
    assert line.span(start, start + 6) == (5, 11)
    assert normalize_line("1,085,203.63元, 共(3)项").text == "1,085,203.63元， 共（3）项"


def _traditional(text: str) -> str:
    """``text`` in traditional characters, converted by OpenCC (s2t) one character at a time."""
    import opencc

    s2t = opencc.OpenCC("s2t").convert
    return "".join(t if len(t := s2t(char)) == 1 else char for char in text)


def test_traditional_characters_are_folded_for_matching_and_kept_as_printed():
    printed = "收支總預算８４０．９９萬元，與上年相比增長５．２％，㈠經費1.2億元"
    line = normalize_line(printed)
    assert line.original == printed
    assert line.text == "收支总预算840.99万元，与上年相比增长5.2%，（一）经费1.2亿元"
    assert len(line.origin) == len(line.text)
    start = line.text.index("840.99万元")
    assert printed[slice(*line.span(start, start + len("840.99万元")))] == "８４０．９９萬元"
    start = line.text.index("经费1.2亿元")
    assert printed[slice(*line.span(start, start + len("经费1.2亿元")))] == "經費1.2億元"
    # a simplified line is unchanged, and simplified text is never "simplified" further
    simplified = "收支总预算840.99万元，与上年相比增长5.2%"
    assert normalize_line(simplified).text == simplified


def test_figures_printed_in_traditional_words_are_read():
    from budgetkit.numbers import PLACEHOLDER_PATTERN, parse_figure

    assert parse_figure("沒有使用").value == Decimal(0)
    assert parse_figure("無變化").value == Decimal(0)
    assert PLACEHOLDER_PATTERN.search("增長（下降）") and PLACEHOLDER_PATTERN.search("增加（減少）")


def test_a_traditional_character_copy_gives_the_same_claims(tmp_path):
    simplified_text = CLEAN.read_text(encoding="utf-8")
    traditional_text = _traditional(simplified_text)
    assert "萬元" in traditional_text and "預算" in traditional_text and "经费" not in traditional_text
    path = tmp_path / "clean-culture-bureau-2024-traditional.txt"
    path.write_text(traditional_text, encoding="utf-8")
    simplified, traditional = extract(CLEAN), extract(path)

    assert len(traditional.claims) == len(simplified.claims) > 50
    same = [column for column in COMPARED if column != "text"]
    got = traditional.claims[same].map(_cell)
    want = simplified.claims[same].map(_cell)
    assert got.equals(want), claim_differences(traditional.claims.assign(text=simplified.claims["text"]),
                                               simplified.claims).to_string()
    # quotes and texts keep the characters as printed, and locators point into the traditional text
    lines = traditional_text.split("\n")
    for claim, plain in zip(traditional.claims.itertuples(), simplified.claims.itertuples()):
        assert claim.text == _traditional(plain.text)
        assert lines[claim.line - 1][claim.char_start:claim.char_end] == claim.text
        assert claim.quote == _traditional(plain.quote)
    assert any("萬元" in quote for quote in traditional.claims["quote"])
    assert not any("万元" in quote or "预算" in quote for quote in traditional.claims["quote"])
    # audited alike: the same verdicts, quoted in traditional characters
    a, b = simplified.audit(), traditional.audit()
    assert b["verdict"].tolist() == a["verdict"].tolist()
    assert set(b["verdict"]) == {"consistent"}


def test_table_banner_governs_unitless_amounts(tmp_path):
    path = tmp_path / "banner.txt"
    path.write_text("青石县水务局2024年部门预算编制说明\n七、“三公”经费财政拨款预算安排情况说明\n单位：元\n"
                    "“三公”经费财政拨款预算数\t12,000.00\n公务接待费\t12,000.00\n", encoding="utf-8")
    budget = extract(path)
    assert list(budget.claims["unit"]) == ["元", "元"]
    assert list(budget.claims["measure"]) == ["three_public_total", "three_public_reception"]


def test_amount_no_pattern_understands_is_reported(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("青石县水务局2024年部门预算编制说明\n三、收支预算情况说明\n"
                    "青石县水务局2024年水利工程建设资金50.00万元，亩均投入800元。\n", encoding="utf-8")
    budget = extract(path)
    assert budget.claims.empty
    assert list(budget.extraction.unparsed["figure"]) == ["50.00", "800"]
    assert (budget.extraction.unparsed["reason"] == "该金额的名称与模板中任何指标都不对应").all()


def test_shares_without_percent_sign_yi_yuan_and_growth_from_zero(tmp_path):
    path = tmp_path / "variants.txt"
    path.write_text(
        "青石县水务局2024年部门预算编制说明\n三、收支预算情况说明\n（二）支出预算情况\n"
        "青石县水务局2024年支出预算1.2500亿元，其中：基本支出1.0000亿元，占80.000；项目支出0.2500亿元，占20.000。\n"
        "八、“会议费”、“培训费”、“差旅费”财政拨款预算安排情况说明\n"
        "青石县水务局2024年“会议费”、“培训费”、“差旅费”财政拨款预算数5.00万元，其中：会议费5.00万元，培训费0万元，差旅费0万元。\n"
        "会议费较2023年0万元增加5.00万元。\n", encoding="utf-8")
    budget = extract(path)
    claims = budget.claims.set_index("claim_id")
    assert claims.loc["c004-1", ["value", "unit", "decimals"]].tolist() == [Decimal("1.2500"), "亿元", 4]
    assert claims.loc["c004-3", ["kind", "text", "unit", "decimals", "base_claim_id"]].tolist() == \
        ["share", "80.000", "%", 3, "c004-1"]
    growth = claims.loc["c007-2"]
    assert (growth["kind"], growth["direction"], growth["base_claim_id"]) == ("change", "increase", "c007-1")
    assert claims.loc["c007-1", "value"] == 0 and claims.loc["c007-1", "year"] == 2023
    assert set(_verdicts(budget)) == {"consistent"}


def test_a_class_amount_left_as_a_placeholder_states_no_line_item_amount(tmp_path):
    path = tmp_path / "placeholder.txt"
    path.write_text("青石县水务局2024年部门预算编制说明\n五、一般公共预算当年拨款情况说明\n"
                    "（二）一般公共预算当年拨款结构情况\n一般公共服务支出××万元，占82.38%。\n", encoding="utf-8")
    budget = extract(path)
    item = budget.line_items.set_index("code").loc["201"]
    assert item["name"] == "一般公共服务支出" and not item["stated"] and pd.isna(item["amount_wan_yuan"])


def test_reference_table_lists_2024_classes_with_older_names():
    from budgetkit.extract.classification import reference

    ref = reference()
    assert ref.by_code["210"].name == "卫生健康支出"
    assert ref.find("医疗卫生与计划生育支出").code == "210"
    assert ref.find("行政事业单位离退休", "208").code == "20805"
    assert ref.by_code["20805"].name == "行政事业单位养老支出"
    assert ref.drift("210", "卫生健康") is None  # dropping 支出 is not drift
    assert ref.drift("210", "医疗卫生健康支出") == "210 卫生健康支出的旧称或别称"
    assert "208" in ref.drift("201", "社会保障和就业支出")  # a name printed with the wrong code
    codes = [code for code, c in ref.by_code.items() if c.level == "类"]
    assert {"201", "205", "208", "210", "212", "213", "221", "224", "229"} <= set(codes)
    for code, c in ref.by_code.items():
        assert len(code) in (3, 5, 7) and (c.parent_code == code[:-2] if len(code) > 3 else c.parent_code == "")


# -- errors ------------------------------------------------------------------------------------

def _one_clear_error(path) -> str:
    with pytest.raises(BudgetDataError) as caught:
        extract(path)
    message = str(caught.value)
    assert str(path) in message and "Traceback" not in message
    return message


def test_missing_and_unsupported_files(tmp_path):
    assert "找不到文件" in _one_clear_error(tmp_path / "nope.txt")
    odd = tmp_path / "budget.ods"
    odd.write_bytes(b"PK")
    assert "不支持的文件类型“.ods”" in _one_clear_error(odd)
    workbook = tmp_path / "budget.xlsx"  # a workbook is read, so a broken one is said to be broken
    workbook.write_bytes(b"PK")
    assert "不是 .xlsx 文件（不是 zip 压缩包）" in _one_clear_error(workbook)


def test_undecodable_text_names_its_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("青石县2024年部门预算\n第二行\n".encode("utf-8") + b"\xff\xfe\xfa\n")
    assert "第3行" in _one_clear_error(path)


def test_text_without_a_year_is_refused(tmp_path):
    path = tmp_path / "noyear.txt"
    path.write_text("没有年份的文字。\n", encoding="utf-8")
    assert "无法确定预算年度" in _one_clear_error(path)


def test_oversized_inputs_are_refused_before_parsing(tmp_path, monkeypatch):
    from budgetkit.extract import reading

    monkeypatch.setattr(reading, "MAX_TEXT_BYTES", 100)
    monkeypatch.setattr(reading, "MAX_DOCUMENT_BYTES", 100)
    for name in ("big.txt", "big.docx", "big.pdf"):
        path = tmp_path / name
        path.write_bytes(b"0" * 200)
        assert "文件大小 200 字节，超过" in _one_clear_error(path)


def test_docx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (120 * 1024 * 1024) + b"/>")
    assert path.stat().st_size < 1024 * 1024
    assert "疑为压缩炸弹" in _one_clear_error(path)  # refused from the sizes the archive declares, before inflating


def test_docx_with_entity_declarations_is_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              '<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    path = tmp_path / "laughs.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", laughs)
    assert "XML 含有被禁止的声明，拒绝读取" in _one_clear_error(path)


def test_broken_docx_and_pdf(tmp_path):
    not_zip = tmp_path / "broken.docx"
    not_zip.write_bytes(b"this is not a zip archive")
    assert "不是 .docx 文件" in _one_clear_error(not_zip)
    not_pdf = tmp_path / "broken.pdf"
    not_pdf.write_bytes(b"%PDF-1.4\n garbage")
    assert "无法读取该 PDF 文件" in _one_clear_error(not_pdf)


def test_a_monstrous_line_is_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("青石县水务局2024年部门预算编制说明\n三、收支预算情况说明\n" + "占" * 30_000 + "\n", encoding="utf-8")
    assert "一行有 30000 个字符" in _one_clear_error(path)


# -- the vocabulary ----------------------------------------------------------------------------

def test_the_bundled_vocabulary_names_only_measures_of_the_template():
    from budgetkit.extract.vocabulary import vocabulary
    from budgetkit.template import measures

    words = vocabulary()
    named = {entry.measure for entry in (*words.money_entries, *words.count_entries)} - {None}
    assert named <= set(measures()) and {"three_public_total", "staff_active"} <= named


@pytest.mark.usefixtures("english")  # the messages are pinned in English; the default is Chinese
@pytest.mark.parametrize(("entry", "field", "message"), [
    ('measure = "three_public_total"\ncontians = ["三公"]', "money #2.contians", "unknown key"),
    ('measure = "three_public_totl"\nall = ["三公"]', "money #2.measure", "not a measure of measures.csv"),
    ('all = ["三公"]', "money #2.measure", "either a measure or not_a_measure"),
    ('measure = "three_public_total"', "money #2", "has no condition"),
    ('measure = "three_public_total"\nsection = ["十三"]', "money #2.section", "must be a list of"),
    ('measure = "three_public_total"\nnone = "qualifiers"', "money #2.none", "not a list of [words]"),
    ('measure = "appropriation_by_function"\nsection = ["五"]', "money #2.by_function", "stated per code"),
])
def test_a_vocabulary_mistake_is_one_clear_error_naming_the_entry_and_key(tmp_path, entry, field, message):
    from budgetkit.extract.vocabulary import load_vocabulary

    path = tmp_path / "vocabulary.toml"
    path.write_text(f'[[money]]\nmeasure = "meeting"\nall = ["会议费"]\n\n[[money]]\n{entry}\n', encoding="utf-8")
    with pytest.raises(BudgetDataError) as caught:
        load_vocabulary(path)
    assert [(p.file, p.field) for p in caught.value.problems] == [(str(path), field)]
    assert message in str(caught.value)


def test_a_share_whose_whole_is_not_stated_names_the_whole_by_its_template_label(tmp_path):
    path = tmp_path / "accounts.txt"
    path.write_text("青石县幼儿园2017年度部门决算公开\n二、部门决算情况说明\n（二）支出决算情况\n"
                    "本单位支出情况如下：基本支出1121.09万元，占57.71%。\n", encoding="utf-8")
    shares = extract(path).claims.query("kind == 'share'")
    assert list(zip(shares["label"], shares["base_measure"])) == [("基本支出占本年支出合计（决算）",
                                                                   "accounts_expenditure_total")]


def test_a_vocabulary_mistake_is_named_in_chinese_by_default(tmp_path, monkeypatch):
    from budgetkit.extract.vocabulary import load_vocabulary

    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
    path = tmp_path / "vocabulary.toml"
    path.write_text('[[money]]\nmeasure = "three_public_totl"\ncontians = ["三公"]\n', encoding="utf-8")
    with pytest.raises(BudgetDataError) as caught:
        load_vocabulary(path)
    assert [p.message for p in caught.value.problems] == [
        "未知的键；可用的有：all、any、at_least、by_function、final_accounts、measure、none、not_a_measure、read_past、"
        "section、subsection",
        "“three_public_totl”不是 measures.csv 中的指标"]


# -- the package written -----------------------------------------------------------------------

def test_write_package_round_trips_byte_identically(tmp_path, bundled):
    first = write_package(bundled, tmp_path / "a")
    second = write_package(extract(BUNDLED_RAW), tmp_path / "b")
    files = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert files == ["claims.csv", "datapackage.json", "line_items.csv",
                     "raw/anju-district-trade-union-federation-2024-budget-explanation.txt", "table_cells.csv"]
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    loaded = budgetkit.load(first)
    pd.testing.assert_frame_equal(loaded.claims, bundled.claims)
    assert loaded.department == bundled.department and loaded.year == 2024
    assert (first / "raw" / files[3].split("/")[1]).read_bytes() == BUNDLED_RAW.read_bytes()
    assert str(tmp_path) not in (first / "datapackage.json").read_text(encoding="utf-8")


# -- hostile and mutated input -----------------------------------------------------------------

SEED_TEXT = BUNDLED_RAW.read_text(encoding="utf-8")
FRAGMENTS = ["占", "较2023年", "增加", "增长（下降）", "持平", "（一）", "201（类）", "29（款）", "01（项）",
             "万元", "元", "%", "以上", "余", "××", "其中：", "。", "，", "\n", "七、“三公”经费", "9" * 40,
             "1,000,000", "0.", "２０２４年", "单位：元", "（类）", "2012901", "未安排", "没有使用"]


@st.composite
def mutated_documents(draw) -> bytes:
    text = SEED_TEXT
    for _ in range(draw(st.integers(0, 12))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "repeat", "fragment"]))
        if action == "insert":
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 400)):]
        elif action == "repeat":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) * draw(st.integers(1, 3000)) + text[at:]
        else:
            text = text[:at] + "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=40))) + text[at:]
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=16)) + data[at:]
    return data


def _extract_or_one_error(path: Path) -> None:
    try:
        budget = extract(path)
    except BudgetDataError as error:
        message = str(error)
        assert message.count("\n") < 50 and str(path) in message
        assert "(extracted" not in message and "（提取结果" not in message, "extraction wrote a package its own loader refuses:\n" + message
    else:
        assert isinstance(budget, budgetkit.Budget)
        lines = budget.raw_text.split("\n")
        for claim in budget.claims.itertuples():
            assert lines[claim.line - 1][claim.char_start:claim.char_end] == claim.text


#: ``make fuzz`` runs the two fuzz tests below with this many examples each (CI: the defaults).
FUZZ_EXAMPLES = int(os.environ.get("BUDGETKIT_FUZZ_EXAMPLES", "0")) or None


@settings(max_examples=FUZZ_EXAMPLES or 80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_documents())
def test_mutated_documents_give_a_budget_or_one_clear_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.txt"
    path.write_bytes(data)
    _extract_or_one_error(path)


@settings(max_examples=FUZZ_EXAMPLES or 40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".docx", ".pdf"]))
def test_random_bytes_give_a_budget_or_one_clear_error(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"random{suffix}"
    path.write_bytes(data)
    _extract_or_one_error(path)


LISTED = """江苏省测试厅2018年部门预算公开
一、收支预算总体情况说明
（二）支出预算总计 6,000 万元。包括：
1．公共安全（类）支出 5,561 万元。
2．检察监督支出（项） 439.00 万元，与上年相比减少 134.00 万元，降幅 23.39 %。
二、收入预算情况说明
本部门本年收入预算合计 6,000 万元，其中：
一般公共预算收入 5,000 万元；
专项收费收入 1,000 万元。
"""


def test_an_item_the_template_does_not_name_is_what_its_change_is_of(tmp_path):
    """检察监督支出（项）: no measure names it, so it is an item — its change and percentage are read and checked
    (439.00 + 134.00 = 573.00; 134.00 ÷ 573.00 = 23.386%), and it is no total's part or restatement."""
    path = tmp_path / "listed.txt"
    path.write_text(LISTED, encoding="utf-8")
    budget = extract(path)
    items = budget.claims[budget.claims["kind"] == "item"]
    assert list(zip(items["label"], items["value"].astype(str))) == [("检察监督支出（项）", "439.0000")]
    changes = budget.claims[(budget.claims["kind"] == "change") & (budget.claims["ref_claim_id"] == items["claim_id"].iloc[0])]
    assert list(changes["unit"]) == ["万元", "%"]
    findings = budget.audit()
    pct = findings[(findings["rule"] == "change-from-stated-prior") & (findings["unit"] == "%")]
    assert list(pct["verdict"]) == ["consistent"]
    assert not (findings["inputs"].str.contains(items["claim_id"].iloc[0]) & (findings["rule_kind"] != "change")).any()


def test_a_total_with_a_listed_part_no_measure_names_is_not_summed(tmp_path):
    """收入预算合计 6,000 with 专项收费收入 1,000 unread: summing 5,000 alone would be a false drift."""
    path = tmp_path / "listed.txt"
    path.write_text(LISTED, encoding="utf-8")
    budget = extract(path)
    marked = budget.claims[budget.claims["qualifier"] == "parts-unread"]
    assert list(marked["measure"]) == ["income_total"]
    findings = budget.audit()
    assert not ((findings["rule"] == "income-by-source") & (findings["claim_id"] == marked["claim_id"].iloc[0])).any()
    assert any("其下所列某项未能读取，故未核对其合计" in line for line in budget.extraction.limits())


ACCOUNTS = """测试区规划局2024年度部门决算
五、一般公共预算财政拨款支出决算情况说明
一般公共预算财政拨款支出年初预算为 10210.34 万元，支出决算为 9746.50 万元，完成年初预算的 95.45%。
“三公”经费财政拨款支出年初预算为 2.85 万元，支出决算为 0.39 万元，完成预算的 13.68%，其中：因公出国（境）费决算为 0.00 万元，完成预算的 0.00%。
"""


def test_a_completion_rate_is_the_outturn_over_the_budget_of_its_sentence(tmp_path):
    """完成年初预算的95.45%: 9746.50 ÷ 10210.34 = 95.457% (printed truncated: rounding); a part's rate without a
    budget of its own ("其中：因公出国（境）费…完成预算的0.00%") is not held against the total's budget."""
    path = tmp_path / "accounts.txt"
    path.write_text(ACCOUNTS, encoding="utf-8")
    budget = extract(path)
    findings = budget.audit()
    rates = findings[findings["rule"] == "share-of-named-whole"]
    assert list(zip(rates["stated"].astype(str), rates["verdict"])) == [("95.45", "rounding"), ("13.68", "consistent")]
    unread = budget.extraction.unparsed
    assert list(unread[unread["figure"] == "0.00"]["reason"].str.startswith("百分比")) == [True]


# -- in Chinese by default, in English on request ---------------------------------------------------

def test_what_extraction_could_not_read_is_said_in_chinese_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)
    path = tmp_path / "listed.txt"
    path.write_text(LISTED, encoding="utf-8")
    report = extract(path).extraction
    assert list(report.unparsed["reason"]) == ["该金额的名称与模板中任何指标都不对应"]
    assert report.limits()[:3] == ["1 个数字未能读取，未予核对（budgetkit extract 逐一列出）：",
                                   "  该金额的名称与模板中任何指标都不对应（1 处）",
                                   f"未找到模板中的 {len(report.missing_sections)} 个部分："]
    assert report.unchecked == ["第7行：本部门本年收入预算合计 6,000万元——其下所列某项未能读取，故未核对其合计"]
    assert report.summary().startswith(f"{path}（txt）：标题 3 个，未能读取的数字 1 个，科目名称与2024年科目表不符 0 个\n")
    assert "\n未找到的部分：一 基本职能及主要工作；二 部门预算单位构成；四 " in report.summary()


def test_what_extraction_could_not_read_is_said_in_english_on_request(tmp_path):
    from budgetkit.messages import using_language

    path = tmp_path / "listed.txt"
    path.write_text(LISTED, encoding="utf-8")
    with using_language("en"):
        report = extract(path).extraction
        limits, summary = report.limits(), report.summary()
    assert limits[:3] == ["1 figures not read, so not checked (budgetkit extract lists each):",
                          "  1 × no measure of the template matches this amount's label",
                          f"{len(report.missing_sections)} standard sections not found:"]
    assert report.unchecked == ["line 7: 本部门本年收入预算合计 6,000万元 — a part listed under it could not be read, "
                                "so its sum is not checked"]
    assert summary.startswith(f"{path} (txt): 3 headings, 1 unparsed figures, 0 classification names off the 2024 list\n") and "\nsections not found: 一 基本职能及主要工作; 二 部门预算单位构成; 四 " in summary


def test_a_table_not_keyed_is_named_in_the_language_of_the_notes():
    from budgetkit.extract.table_figures import table_figures
    from budgetkit.extract.tables import ReadTable, TableCell
    from budgetkit.messages import using_language

    def notes(source: str, title: str) -> list[str]:
        cells = {(0, 0): TableCell("收入", 0, 0, 3, (0, 0, 1, 1)), (0, 1): TableCell("1.00", 0, 1, 3, (1, 0, 2, 1))}
        table = ReadTable(title=title, caption="", unit="", pages=[3, 4], grid=[["收入", "1.00"]], cells=cells,
                          header_rows=0, number=2, source=source, row_lines={0: 10})
        reading = table_figures([table], 2024)
        assert [cell["measure"] for cell in reading.cells] == [""]  # read, not keyed, in either language
        return reading.notes

    assert notes("说明.pdf", "某某情况表") == ["表2（说明.pdf 第3—4页）某某情况表：不是标准表格之一，其数字已读取，未予核对"]
    assert notes("", "") == ["表2（第3—4页）（无标题）：不是标准表格之一，其数字已读取，未予核对"]
    # a workbook's tables are on its sheets, a .docx's are its tables: neither has pages
    assert notes("公开表.xlsx", "某某情况表")[0].startswith("表2（公开表.xlsx 第3—4张工作表）")
    assert notes("说明.docx", "某某情况表")[0].startswith("表2（说明.docx 第3—4个表格）")
    with using_language("en"):
        assert notes("说明.pdf", "某某情况表") == [
            "Table 2 (说明.pdf, pp. 3–4) 某某情况表: not one of the standard tables; its figures are read, not checked"]
        assert notes("", "") == ["Table 2 (pp. 3–4) (untitled): not one of the standard tables; its figures are read, "
                                 "not checked"]
        assert notes("公开表.xlsx", "某某情况表")[0].startswith("Table 2 (公开表.xlsx, sheets 3–4)")


def test_a_bad_file_is_named_in_chinese_by_default_and_in_english_with_lang_en(tmp_path, capsys, monkeypatch):
    from budgetkit.cli import main

    monkeypatch.setenv("BUDGETKIT_LANG", "zh")  # recorded, so that the language --lang en sets is undone after
    monkeypatch.delenv("BUDGETKIT_LANG")
    missing = tmp_path / "缺失.txt"
    assert main(["extract", str(missing)]) == 2
    assert f"{missing}：找不到文件" in capsys.readouterr().err
    assert main(["--lang", "en", "extract", str(missing)]) == 2
    assert f"{missing}: file not found" in capsys.readouterr().err
    monkeypatch.delenv("BUDGETKIT_LANG", raising=False)  # --lang holds for the process: a new command here
    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage")
    assert main(["check", str(broken)]) == 2
    assert f"{broken}：无法读取该 PDF 文件（" in capsys.readouterr().err
    assert main(["check", "--lang", "en", str(broken)]) == 2
    assert f"{broken}: not a readable PDF (" in capsys.readouterr().err
    monkeypatch.delenv("BUDGETKIT_LANG")


def test_the_package_written_is_the_same_in_either_language(tmp_path):
    from budgetkit.messages import using_language

    first = write_package(extract(BUNDLED_RAW), tmp_path / "zh")
    with using_language("en"):
        second = write_package(extract(BUNDLED_RAW), tmp_path / "en")
    files = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
