"""Broken and hostile input: nothing overwritten or half-written, nothing read from outside a package,
a collection that survives its broken members. Every case is built here from a few lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetkit.cli import main
from budgetkit.files import write_atomic
from budgetkit.model import quote_around

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny-budget"
SECRET = "outside-secret-7f3a"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


# -- a collection survives its broken members --------------------------------------------------

@pytest.fixture
def broken_collection(tmp_path) -> Path:
    folder = tmp_path / "city"
    shutil.copytree(TINY, folder / "tiny-budget")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    (folder / "hollow").mkdir()
    (folder / "hollow" / "datapackage.json").write_text("{}", encoding="utf-8")
    return folder


def test_check_names_every_broken_member_and_checks_the_others(capsys, broken_collection):
    status, out, err = run(capsys, "check", broken_collection)
    assert status == 2  # the audit is incomplete: a source was not read
    assert "tiny-budget" in out and "\n不符  income-by-source" in out and "Traceback" not in err
    assert f"{broken_collection / 'broken.pdf'} 未读入：无法读取该 PDF 文件" in err
    hollow = broken_collection / "hollow"
    assert f"{hollow}（{hollow / 'datapackage.json'} 字段“budget.year”）未读入：缺失" in err


def test_report_writes_the_good_members_and_lists_the_others(capsys, broken_collection, tmp_path):
    out = tmp_path / "out"
    status, _, err = run(capsys, "report", broken_collection, "--out", out, "--no-notebooks")
    assert status == 2 and "Traceback" not in err
    problems = (out / "problems.csv").read_text(encoding="utf-8")
    assert "broken.pdf" in problems and "hollow" in problems
    assert "tiny-budget" in (out / "findings.csv").read_text(encoding="utf-8")


# -- nothing overwritten, nothing half-written ---------------------------------------------------

def test_extract_never_writes_over_a_package_unless_forced(capsys, tmp_path):
    document = tmp_path / "说明.txt"
    shutil.copy(TINY / "raw" / "tiny.txt", document)
    package = tmp_path / "package"
    package.mkdir()
    (package / "claims.csv").write_text("hand-made labels\n", encoding="utf-8")
    status, _, err = run(capsys, "extract", document, "--out", package)
    assert status == 2 and "已存在且不为空：数据包从不覆盖已有内容" in err and "--force" in err
    assert [p.name for p in package.iterdir()] == ["claims.csv"]
    assert (package / "claims.csv").read_text(encoding="utf-8") == "hand-made labels\n"
    status, out, _ = run(capsys, "extract", document, "--out", package, "--force")
    assert status == 0 and out.startswith("budgetkit extract: ") and out.splitlines()[0].endswith(f"写入 {package}")
    assert sorted(p.name for p in package.iterdir()) == ["claims.csv", "datapackage.json", "line_items.csv", "raw",
                                                         "table_cells.csv"]
    assert "hand-made labels" not in (package / "claims.csv").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.part"))  # nothing left beside it


def test_extract_refuses_a_file_as_its_folder(capsys, tmp_path):
    document = tmp_path / "说明.txt"
    shutil.copy(TINY / "raw" / "tiny.txt", document)
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    status, _, err = run(capsys, "extract", document, "--out", tmp_path / "taken")
    assert status == 2 and "是一个文件，不是存放数据包的文件夹" in err and "Traceback" not in err


def test_the_next_write_cleans_what_an_interrupted_one_left(tmp_path):
    target = tmp_path / "audit.md"
    (tmp_path / ".audit.md.x1y2.part").write_text("half", encoding="utf-8")
    (tmp_path / ".other.md.x1y2.part").write_text("not ours", encoding="utf-8")
    write_atomic(target, "whole")
    assert target.read_text(encoding="utf-8") == "whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.md.x1y2.part", "audit.md"]


# -- a package is a closed box ---------------------------------------------------------------------

def _package_naming(tmp_path: Path, claims_path: str) -> Path:
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "claims":
            resource["path"] = claims_path
    (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return package


@pytest.mark.parametrize("how", ["absolute", "parent", "link"])
def test_a_package_reads_no_file_outside_its_folder(capsys, tmp_path, monkeypatch, how):
    monkeypatch.setenv("BUDGETKIT_LANG", "zh")  # undone after the test, whatever --lang en sets
    outside = tmp_path / "outside.csv"
    outside.write_text(f"{SECRET},1\n", encoding="utf-8")
    if how == "link":
        package = _package_naming(tmp_path, "claims.csv")
        (package / "claims.csv").unlink()
        (package / "claims.csv").symlink_to(outside)
    else:
        package = _package_naming(tmp_path, str(outside) if how == "absolute" else "../outside.csv")
    status, out, err = run(capsys, "check", package)
    assert status == 2 and "字段“resources.claims.path”" in err
    assert SECRET not in out + err and "Traceback" not in err
    status, out, err = run(capsys, "--lang", "en", "check", package)
    assert status == 2 and "field 'resources.claims.path'" in err and SECRET not in out + err



def _separates_thousands(line: str, i: int) -> bool:
    after = line[i + 1:i + 5]
    return i > 0 and line[i - 1].isdigit() and len(after) >= 3 and after[:3].isdigit() and not after[3:4].isdigit()


def _reference_breaks(line: str) -> list[int]:
    return [i for i, c in enumerate(line) if c in "，、；;。：:" or c == "," and not _separates_thousands(line, i)]


def _quote_reference(line: str, start: int, end: int) -> str:
    """The clause around start:end, found by scanning every delimiter (the quadratic way)."""
    breaks = _reference_breaks(line)
    before, after = [b for b in breaks if b < start], [b for b in breaks if b >= end]
    begin = before[-1] + 1 if before else 0
    if end - begin + ((after[0] if after else len(line)) - end) < 12 and before:
        begin = before[-2] + 1 if len(before) > 1 else 0
    return line[begin:after[0] if after else len(line)].strip()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="18%，,.。：、万元基本支出", min_size=1, max_size=80), st.data())
def test_quotes_found_once_per_line_are_the_clauses_around_each_figure(line, data):
    """budget.claims' quotes: each line's clause breaks are found once and searched (linear in the line,
    where finding them again for every figure of a 600,000-character line took minutes)."""
    start = data.draw(st.integers(0, len(line) - 1))
    end = data.draw(st.integers(start + 1, len(line)))
    breaks = _reference_breaks(line)
    assert quote_around(line, start, end, breaks) == quote_around(line, start, end) == _quote_reference(line, start, end)


@pytest.mark.parametrize("line, figure, quote", [
    ("基本支出15,844.04万元，占65.56%。", "65.56%", "基本支出15,844.04万元，占65.56%"),
    ("收入1,085,203.63元,增加1,234元", "1,234元", "收入1,085,203.63元,增加1,234元"),
    ("工资福利支出905709.06 元,占79.89%,同比增加", "79.89%", "工资福利支出905709.06 元,占79.89%"),
    ("项目1,2,3,合计", "合计", "3,合计"),
])
def test_a_quote_begins_at_a_clause_not_inside_a_figure_with_thousands_separators(line, figure, quote):
    start = line.index(figure)
    assert quote_around(line, start, start + len(figure)) == quote


# -- one clear error, never a traceback ------------------------------------------------------------

@pytest.mark.parametrize("shape, field, message", [
    ("[]", None, "应为 JSON 对象，而不是 list"),
    ('{"resources": 5}', "“resources”", "应为资源（resources）的列表"),
    ("[" * 100_000 + "]" * 100_000, None, "JSON 格式有误：嵌套层数过多"),
])
def test_a_descriptor_of_the_wrong_shape_is_one_error(capsys, tmp_path, shape, field, message):
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    (package / "datapackage.json").write_text(shape, encoding="utf-8")
    status, _, err = run(capsys, "check", package)
    assert status == 2 and message in err and "Traceback" not in err
    assert field is None or f"字段{field}" in err


@pytest.mark.parametrize("year", [True, "2024", 1023, 2024.5])
def test_a_budget_year_that_is_not_a_year_is_one_error(capsys, tmp_path, monkeypatch, year):
    monkeypatch.setenv("BUDGETKIT_LANG", "zh")  # undone after the test, whatever --lang en sets
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["budget"]["year"] = year
    (package / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    status, _, err = run(capsys, "check", package)
    assert status == 2 and "字段“budget.year”：应为 1950 至 2099 之间的年份（数字），而不是 " in err
    status, _, err = run(capsys, "check", package, "--lang", "en")
    assert status == 2 and "field 'budget.year': must be a year from 1950 to 2099" in err


def test_an_encrypted_pdf_says_it_is_encrypted(capsys, tmp_path, monkeypatch):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    with open(tmp_path / "加密.pdf", "wb") as stream:
        writer.write(stream)
    status, _, err = run(capsys, "check", tmp_path / "加密.pdf")
    assert status == 2 and "加密.pdf：该 PDF 已加密，须凭密码打开" in err and "Traceback" not in err
    monkeypatch.setenv("BUDGETKIT_LANG", "en")  # as --lang en sets it, undone after the test
    status, _, err = run(capsys, "check", tmp_path / "加密.pdf")
    assert status == 2 and "加密.pdf: the PDF is encrypted" in err and "Traceback" not in err


def test_a_carriage_return_inside_a_line_is_a_line_break(tmp_path):
    """Old Mac line ends, or one stray CR: read as a line break, never written into a claims.csv row."""
    from budgetkit.extract import extract, write_package

    text = (TINY / "raw" / "tiny.txt").read_text(encoding="utf-8").replace("，其中：", "，\r其中：", 1)
    (tmp_path / "说明.txt").write_text(text, encoding="utf-8", newline="")
    budget = extract(tmp_path / "说明.txt")
    assert not budget.claims["label"].str.contains("\r").any() and not budget.claims["text"].str.contains("\r").any()
    import budgetkit

    assert len(budgetkit.load(write_package(budget, tmp_path / "package")).claims) == len(budget.claims)


def test_a_terminal_that_cannot_show_chinese_gets_escapes_not_a_crash():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    env.pop("BUDGETKIT_LANG", None)
    result = subprocess.run([sys.executable, "-m", "budgetkit", "check"], capture_output=True, env=env, cwd=ROOT)
    assert result.returncode == 1 and b"Traceback" not in result.stderr  # 1: the bundled budget has findings
    assert b"\\u5ba1\\u6838\\u7ed3\\u679c\\uff1a\\u9042" in result.stdout  # 审核结果：遂宁… as escapes


def test_an_empty_rules_file_is_an_error_not_a_clean_audit(capsys, tmp_path):
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    (package / "rules.toml").write_text("# every rule removed by mistake\n", encoding="utf-8")
    status, out, err = run(capsys, "check", package)
    assert status == 2 and out == "" and "审核规则有问题：" in err and "没有定义任何 [[rule]]" in err


def test_a_csv_field_over_the_csv_limit_is_one_error_with_its_line(capsys, tmp_path):
    package = tmp_path / "package"
    shutil.copytree(TINY, package)
    lines = (package / "claims.csv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("收入预算", "收" * 200_000, 1)
    (package / "claims.csv").write_text("\n".join(lines), encoding="utf-8")
    status, _, err = run(capsys, "check", package)
    assert status == 2 and "claims.csv 第2行：无法读取的 CSV 行：field larger than field limit" in err


def test_a_path_the_system_refuses_is_one_error(capsys, tmp_path):
    status, _, err = run(capsys, "check", tmp_path / ("a" * 300))
    assert status == 2 and "File name too long" in err and "Traceback" not in err


# -- reading a document within a budget of time and memory ---------------------------------------------

def test_a_reader_that_runs_too_long_is_stopped_and_named(monkeypatch, tmp_path):
    import time

    from budgetkit.extract import bounded
    from budgetkit.schema import BudgetDataError

    monkeypatch.setattr(bounded, "READ_SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(BudgetDataError, match=r"slow\.pdf：读取用时超过单个文件的上限 1 秒"):
        bounded.bounded(lambda: time.sleep(30), tmp_path / "slow.pdf")
    assert time.monotonic() - started < 20  # killed, not waited for


def test_a_reader_that_needs_too_much_memory_is_stopped_and_named(monkeypatch, tmp_path):
    from budgetkit.extract import bounded
    from budgetkit.schema import BudgetDataError

    monkeypatch.setattr(bounded, "READ_MEMORY_BYTES", 64 * 1024**2)
    with pytest.raises(BudgetDataError, match=r"big\.pdf：读取所需内存超过单个文件的上限 64 MB"):
        bounded.bounded(lambda: bytearray(1024**3), tmp_path / "big.pdf")


def test_a_bounded_reader_gives_back_its_result_and_its_errors(tmp_path):
    from budgetkit.extract.bounded import bounded
    from budgetkit.schema import BudgetDataError, Problem

    assert bounded(lambda: ("text", ("left out",)), tmp_path / "a.pdf") == ("text", ("left out",))

    def refuse():
        raise BudgetDataError([Problem("a.pdf", 3, "page", "a clear reason")])

    with pytest.raises(BudgetDataError) as raised:
        bounded(refuse, tmp_path / "a.pdf")
    assert raised.value.problems == [Problem("a.pdf", 3, "page", "a clear reason")]


def _docx_with_table(path: Path, rows: int, markup) -> Path:
    """A .docx whose one table has ``rows`` rows of two cells, each cell's properties given ``markup``."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("测试区文化馆2024年部门预算编制说明")
    document.add_paragraph("三、收支预算情况说明")
    table = document.add_table(rows=rows, cols=2)
    for index, row in enumerate(table.rows):
        row.cells[0].text, row.cells[1].text = "收入预算", "100.00万元"
        tc = row.cells[0]._tc
        for name, value in markup(index):
            element = OxmlElement(name)
            if value is not None:
                element.set(qn("w:val"), value)
            tc.get_or_add_tcPr().append(element)
    document.save(path)
    return path


@pytest.mark.parametrize("markup", [
    pytest.param(lambda index: [("w:gridSpan", "two")], id="gridSpan-not-a-number"),
    pytest.param(lambda index: [("w:vMerge", "restart" if index == 0 else None)], id="vMerge-over-1000-rows"),
])
def test_docx_merge_markup_is_read_in_one_pass(tmp_path, markup):
    """python-docx raises on a gridSpan that is no number and takes a minute for 1,000 rows of vMerge."""
    from budgetkit.extract import extract
    from budgetkit.extract.reading import read_document

    path = _docx_with_table(tmp_path / "说明.docx", 1000, markup)
    budget = extract(path)  # a budget, not a traceback
    (table,) = read_document(path).tables
    assert table.grid == [["收入预算", "100.00万元"]] * 1000  # every row read, a merged cell's text on every slot
    assert budget.raw_text.count(" | 100.00万元\n") == 1000


def test_docx_merged_cells_read_as_word_shows_them(tmp_path):
    """The one-pass reading of merges gives python-docx's reading on a table it can resolve."""
    import docx

    from budgetkit.extract import extract
    from budgetkit.extract.reading import read_document

    document = docx.Document()
    document.add_paragraph("测试区文化馆2024年部门预算编制说明")
    table = document.add_table(rows=4, cols=4)
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            cell.text = f"第{i}行第{j}列"
    table.cell(0, 0).merge(table.cell(0, 1))  # across
    table.cell(1, 2).merge(table.cell(3, 2))  # down
    table.cell(2, 0).merge(table.cell(3, 1))  # a block
    document.save(tmp_path / "说明.docx")
    # a table's cell is one text, its paragraphs joined (a merge joins the merged cells' paragraphs)
    expected = [[cell.text.replace("\n", "") for cell in row.cells]
                for row in docx.Document(str(tmp_path / "说明.docx")).tables[0].rows]
    (table,) = read_document(tmp_path / "说明.docx").tables
    assert table.grid == expected
    # each merged cell is one cell, at its first slot, its box its columns and rows (1-based, inclusive)
    assert {slot: cell.box for slot, cell in table.cells.items() if cell.box[:2] != cell.box[2:]} == {
        (0, 0): (1.0, 1.0, 2.0, 1.0), (1, 2): (3.0, 2.0, 3.0, 4.0), (2, 0): (1.0, 3.0, 2.0, 4.0)}
    assert len(table.cells) == 16 - 1 - 2 - 3
    extract(tmp_path / "说明.docx")  # and the document is read as a budget


# -- encodings ---------------------------------------------------------------------------------------

def test_a_gbk_file_with_one_utf8_line_is_refused_naming_the_line(capsys, tmp_path):
    lines = (TINY / "raw" / "tiny.txt").read_text(encoding="utf-8").split("\n")
    encoded = [line.encode("utf-8" if number == 4 else "gbk") for number, line in enumerate(lines, start=1)]
    (tmp_path / "说明.txt").write_bytes(b"\n".join(encoded))
    status, _, err = run(capsys, "check", tmp_path / "说明.txt")
    assert status == 2 and "说明.txt 第4行：本行为 UTF-8 编码，而文件其余部分不是" in err


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_gbk_and_big5_documents_give_the_findings_of_their_utf8_text(capsys, tmp_path, encoding):
    import opencc

    text = (TINY / "raw" / "tiny.txt").read_text(encoding="utf-8")
    if encoding == "big5":  # Big5 holds traditional characters only
        text = opencc.OpenCC("s2t").convert(text)
    (tmp_path / "utf8.txt").write_text(text, encoding="utf-8")
    (tmp_path / f"{encoding}.txt").write_bytes(text.encode(encoding))
    assert run(capsys, "check", tmp_path / "utf8.txt", "--format", "csv")[1] == \
        run(capsys, "check", tmp_path / f"{encoding}.txt", "--format", "csv")[1]


def test_a_change_in_a_unit_the_claims_table_does_not_know_is_unread(tmp_path):
    """Found by `make fuzz`: 较2023年增加1本 became a change claim its own package refused."""
    from budgetkit.extract import extract

    (tmp_path / "说明.txt").write_text("测试区文化馆2024年部门预算编制说明\n十一、其他重要事项的情况说明\n"
                                      "2024年机关运行经费财政拨款预算10.00万元，较2023年增加1本。\n", encoding="utf-8")
    budget = extract(tmp_path / "说明.txt")
    assert "本" not in set(budget.claims["unit"])
    assert (budget.extraction.unparsed["reason"] == "单位“本”不是 claims 表所列的单位").any()


# -- what a document unpacks to, checked before it is parsed --------------------------------------------

def _refused_fast(path: Path) -> str:
    """The one error reading ``path`` gives, within seconds (the pre-check's inflating, not a parser run to its
    cap), naming the file."""
    import time

    from budgetkit.extract.reading import read_document
    from budgetkit.schema import BudgetDataError

    started = time.monotonic()
    with pytest.raises(BudgetDataError) as raised:
        read_document(path)
    assert time.monotonic() - started < 10  # a generous bound on a shared machine: refusals take well under 1 s
    (problem,) = raised.value.problems
    assert problem.file == str(path)
    return problem.message


def _pdf(*streams: tuple[bytes, bytes]) -> bytes:
    """A one-page PDF whose page content is the first of ``streams`` (dictionary entries, data), the others
    objects of their own."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"]
    objects += [b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data) for entries, data in streams]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _flate(data: bytes) -> tuple[bytes, bytes]:
    import zlib

    return b"/Filter /FlateDecode", zlib.compress(data, 9)


def _rezipped(source: Path, target: Path, replaced: dict[str, bytes]) -> Path:
    """``source``'s archive written again as ``target``, the members ``replaced`` given new contents."""
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            new.writestr(member.filename, replaced.get(member.filename, old.read(member)))
    return target


def _declared_smaller(path: Path, name: str) -> Path:
    """``path`` with member ``name`` declaring half its real size, in its local header and in the directory."""
    import struct
    import zipfile

    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, member.header_offset + 22, member.file_size // 2)
    entries = [at for at in range(len(data) - 46) if data[at:at + 4] == b"PK\x01\x02"]
    (entry,) = [at for at in entries if struct.unpack_from("<I", data, at + 42)[0] == member.header_offset]
    struct.pack_into("<I", data, entry + 24, member.file_size // 2)
    path.write_bytes(bytes(data))
    return path


def test_a_docx_of_empty_paragraphs_is_refused_from_its_compression_ratio(tmp_path):
    """The issue's case: a small .docx whose document.xml is millions of empty paragraphs ran 214 s, 2.5 GB."""
    import docx

    docx.Document().save(tmp_path / "plain.docx")
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    bomb = _rezipped(tmp_path / "plain.docx", tmp_path / "空段落.docx",
                     {"word/document.xml": body + b"<w:p/>" * 4_000_000 + b"</w:body></w:document>"})
    assert bomb.stat().st_size < 200 * 1024  # 24 MB declared: under the 100 MB of all members, refused by its ratio
    message = _refused_fast(bomb)
    assert message.startswith("word/document.xml：解压后为压缩大小的") and "疑为压缩炸弹" in message


def test_a_docx_of_more_paragraphs_than_lines_allowed_is_refused_at_the_limit(tmp_path, monkeypatch):
    """Within the ratio, a million empty paragraphs took 35 s to read before their lines were counted."""
    import docx

    from budgetkit.extract import unpacking

    monkeypatch.setattr(unpacking, "MAX_MEMBER_RATIO", 1000)
    docx.Document().save(tmp_path / "plain.docx")
    body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    path = _rezipped(tmp_path / "plain.docx", tmp_path / "段落.docx",
                     {"word/document.xml": body + b"<w:p/>" * 1_000_000 + b"</w:body></w:document>"})
    assert _refused_fast(path) == "超过 50000 行：不是预算或决算说明"


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_member_unpacking_to_more_than_it_declares_is_refused(tmp_path, kind):
    """zipfile and calamine stop at the declared size too, each with its own error (Bad CRC-32, an XmlError);
    the pre-check, reading with a cap, names the member and what is wrong."""
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_paragraph("测试区文化馆2024年部门预算编制说明" * 200)
        document.save(tmp_path / "说明.docx")
        path, member = tmp_path / "说明.docx", "word/document.xml"
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in range(200):
            workbook.active.append(["收入预算", row * 1.25])
        workbook.save(tmp_path / "预算表.xlsx")
        path, member = tmp_path / "预算表.xlsx", "xl/worksheets/sheet1.xml"
    from budgetkit.extract.reading import read_document

    read_document(path)  # as written, it reads
    message = _refused_fast(_declared_smaller(path, member))
    assert message.startswith(f"{member}：解压后超过其声明的") and "拒绝读取" in message


def test_a_damaged_member_is_named(tmp_path):
    import docx

    docx.Document().save(tmp_path / "说明.docx")
    data = bytearray((tmp_path / "说明.docx").read_bytes())
    import zipfile

    with zipfile.ZipFile(tmp_path / "说明.docx") as archive:
        member = archive.getinfo("word/document.xml")
    data[member.header_offset + 30 + len(member.filename) + 40] ^= 0xFF  # a flipped byte in its compressed data
    (tmp_path / "说明.docx").write_bytes(bytes(data))
    assert _refused_fast(tmp_path / "说明.docx").startswith("word/document.xml：")


def test_a_pdf_whose_streams_inflate_a_thousandfold_is_refused(tmp_path):
    """The issue's case: a 1 MB PDF inflating to 1 GB took 2.2 GB; here 40 KB to 40 MB (over the 32 MB any PDF may)."""
    path = tmp_path / "炸弹.pdf"
    path.write_bytes(_pdf(_flate(b"BT /F1 12 Tf 10 10 Td (2024) Tj ET" + b" " * (40 * 1024**2))))
    assert path.stat().st_size < 100 * 1024
    assert _refused_fast(path) == f"各数据流解压后共超过 {32 * 1024**2} 字节（PDF 解压后至多为文件大小的 100 倍，不少于 " \
                                  f"{32 * 1024**2}、不超过 {256 * 1024**2} 字节）：疑为压缩炸弹，拒绝读取"


def test_one_pdf_stream_over_its_limit_is_refused_naming_where_it_is(tmp_path, monkeypatch):
    from budgetkit.extract import unpacking

    monkeypatch.setattr(unpacking, "MAX_PDF_STREAM_BYTES", 1024**2)
    data = _pdf((b"", b"BT ET"), _flate(b" " * (2 * 1024**2)))
    path = tmp_path / "大流.pdf"
    path.write_bytes(data)
    offset = data.index(b"stream\n", data.index(b"/FlateDecode")) + len(b"stream\n")
    assert _refused_fast(path) == f"第 {offset} 字节处的数据流解压后超过 {1024**2} 字节：疑为压缩炸弹，拒绝读取"


@pytest.mark.parametrize("compressed", [False, True], ids=["as-is", "flate"])
def test_a_pdf_with_a_run_of_digits_longer_than_a_number_is_refused(tmp_path, compressed):
    """The issue's case: a 33 KB PDF with a long run of digits in a content stream ran 68 s inside pdfminer."""
    content = b"BT /F1 12 Tf 10 10 Td (" + b"7" * 20_000 + b") Tj ET"
    path = tmp_path / "数字.pdf"
    path.write_bytes(_pdf(_flate(content) if compressed else (b"", content)))
    message = _refused_fast(path)
    assert "连续超过 10000 位的数字" in message and ("数据流解压后" in message) == compressed


def test_digit_runs_are_counted_across_the_chunks_a_stream_inflates_in(tmp_path):
    """A run straddling two chunks of output is one run; a run of exactly the limit is read."""
    from budgetkit.extract.unpacking import MAX_DIGIT_RUN, check_pdf_streams
    from budgetkit.schema import BudgetDataError

    padding = b" " * (1024**2 - 5_000)  # the inflater gives 1 MB at a time: the run starts 5,000 before its end
    path = tmp_path / "跨块.pdf"
    path.write_bytes(_pdf(_flate(padding + b"7" * MAX_DIGIT_RUN + b" Tj")))
    check_pdf_streams(path)
    path.write_bytes(_pdf(_flate(padding + b"7" * (MAX_DIGIT_RUN + 1) + b" Tj")))
    with pytest.raises(BudgetDataError, match="连续超过 10000 位的数字"):
        check_pdf_streams(path)


def test_the_pixels_of_an_image_are_not_a_run_of_digits(tmp_path):
    from budgetkit.extract.unpacking import check_pdf_streams

    pixels = b"5" * 30_000  # a dark grey image, one byte a pixel: digits to a byte scanner
    image = b"/Type /XObject /Subtype /Image /Width 300 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8"
    for stream in ((image, pixels), (image + b" " + _flate(pixels)[0], _flate(pixels)[1])):
        path = tmp_path / "图像.pdf"
        path.write_bytes(_pdf((b"", b"BT ET"), stream))
        check_pdf_streams(path)


def test_a_pdf_of_more_streams_than_a_budget_has_is_refused(tmp_path):
    path = tmp_path / "流.pdf"
    path.write_bytes(_pdf(*[(b"", b"q Q")] * 50_001))
    assert _refused_fast(path) == "数据流超过 50000 个（一份预算或决算文件有几十到几千个）：拒绝读取"


def test_every_real_pdf_passes_the_pre_check_quickly():
    import time

    from budgetkit.extract.unpacking import check_pdf_streams

    pdfs = sorted({*ROOT.glob("tests/corpus/documents/*.pdf"), *ROOT.glob("data/examples/*.pdf")})
    assert len(pdfs) >= 10
    started = time.monotonic()
    for path in pdfs:
        check_pdf_streams(path)
    assert time.monotonic() - started < 10  # about 0.5 s for all of them (1.2 MB the largest: ~25 ms)
