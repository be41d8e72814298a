"""The workbook's sheets of the tables read from a PDF: each table as printed, each figure the number it
prints, the figures a finding disagrees about filled in its verdict's colour with a comment, and the
findings sheet saying where each table finding is. Expected figures are read off the PDF's page."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from budgetkit import load
from budgetkit.extract.reading import read_document
from budgetkit.findings import VERDICT_FILLS, VERDICTS
from budgetkit.messages import using_language
from budgetkit.report.workbook import workbook_bytes
from budgetkit.report.workbook_cells import column_heading
from budgetkit.report.workbook_read_tables import PLACE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "tests" / "corpus" / "documents" / "js-procuratorate-2017-budget.pdf"
TEMPLATE_SHEETS = 10  # 说明 and the nine tables of the template


@pytest.fixture(scope="module")
def budget():
    return load(PDF)


@pytest.fixture(scope="module")
def document():
    """The PDF as budgetkit.extract reads it: its tables with their heading rows and cells' boxes."""
    return read_document(PDF)


@pytest.fixture(scope="module")
def findings(budget):
    return budget.audit()


@pytest.fixture(scope="module")
def written(budget, findings):
    return workbook_bytes(budget, findings)


@pytest.fixture(scope="module")
def workbook(written):
    return openpyxl.load_workbook(io.BytesIO(written[0]))


def read_sheets(workbook) -> list:
    return workbook.worksheets[TEMPLATE_SHEETS:-1]


def fill_of(cell) -> str | None:
    return "#" + cell.fill.fgColor.rgb[-6:].lower() if cell.fill.fill_type == "solid" else None


def involved(findings, claim_id: str) -> list[tuple[str, str]]:
    """(rule, verdict) of each finding not consistent that states ``claim_id`` or is computed from it."""
    return [(f.rule, f.verdict) for f in findings.itertuples() if claim_id and f.verdict != "consistent"
            and claim_id in [f.claim_id, *str(f.inputs or "").split()]]


def keyed_header(ws, columns) -> list[str]:
    """The findings sheet's header row as the columns' names (its headings are translated)."""
    names = {column_heading(column): column for column in columns}
    return [names[cell.value] for cell in ws[1]]


def sheet_of_table(workbook, number: int):
    return next(ws for ws in read_sheets(workbook) if ws["A1"].value.startswith(f"表{number}\u3000"))


def test_each_table_read_has_a_sheet_in_order_between_the_template_and_the_findings(workbook, budget):
    cells = budget.table_cells
    tables = cells.drop_duplicates("table").sort_values("table")
    sheets = read_sheets(workbook)
    assert workbook.sheetnames[TEMPLATE_SHEETS - 1] == "国有资本经营预算支出表" and workbook.sheetnames[-1] == "审核结果"
    assert len(sheets) == len(tables) >= 10
    for ws, table in zip(sheets, tables.itertuples()):
        assert ws.title == f"表{table.table} {table.title}"[:31]
        pages = sorted({int(p) for p in cells.loc[cells["table"] == table.table, "page"]})
        span = f"{pages[0]}—{pages[-1]}" if len(pages) > 1 else str(pages[0])
        assert ws["A1"].value == f"表{table.table}\u3000{table.title}（{PDF.name} 第{span}页，单位：{table.unit}）"
        title = next(r for r in ws.merged_cells.ranges if r.min_row == 1)
        assert (title.min_col, title.max_col) == (1, ws.max_column) and not ws["A1"].alignment.wrap_text


def test_the_heading_rows_are_those_the_pdf_was_read_with_and_print_on_every_page(workbook, budget, document):
    read = {number: table for number, table in enumerate(document.tables, start=1)}
    numbers = sorted(set(budget.table_cells["table"]))
    for ws, number in zip(read_sheets(workbook), numbers):
        headings = read[number].header_rows
        assert ws.print_title_rows == f"$1:${1 + headings}", ws.title
        assert ws.freeze_panes == f"A{2 + headings}", ws.title
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        heading_fills = {fill_of(c) for row in ws.iter_rows(min_row=2, max_row=1 + headings) for c in row if c.value}
        assert heading_fills == {"#d9e1f2"}, ws.title


def _printed_beside(page_text: str, label: str) -> str:
    """The figure printed right after ``label`` on a line of the page's text."""
    return next(m.group(1) for line in page_text.splitlines()
                if (m := re.search(re.escape(label) + r"\s+([\d,]+\.\d+)", line)))


def _cell_beside(ws, label: str):
    """The first number to the right of the cell holding ``label``."""
    for row in ws.iter_rows():
        texts = [c.value for c in row]
        if label in texts:
            return next(c for c in row[texts.index(label) + 1:] if isinstance(c.value, (int, float)))
    raise AssertionError(f"{label} not on {ws.title}")


def test_a_figure_is_the_number_printed_with_its_decimals_and_the_drift_it_is_part_of(workbook, budget, findings):
    with pdfplumber.open(PDF) as pdf:
        page = pdf.pages[9].extract_text()  # page 10: 一、收支预算总表
    printed = _printed_beside(page, "一、基本支出")
    cell = _cell_beside(read_sheets(workbook)[0], "一、基本支出")
    assert cell.value == float(Decimal(printed.replace(",", "")))
    assert cell.number_format == "#,##0.00"
    assert fill_of(cell) == VERDICT_FILLS["drift"]
    assert "不符：same-figure-restated\n" in cell.comment.text  # the verdict's name, the rule, then the explanation
    # beside it, 一、财政拨款's figure: the audit finds nothing wrong with it, so it is left plain
    plain = _cell_beside(read_sheets(workbook)[0], "一、财政拨款")
    assert plain.value == float(Decimal(_printed_beside(page, "一、财政拨款").replace(",", "")))
    assert fill_of(plain) is None and plain.comment is None


def test_every_figure_is_coloured_and_commented_exactly_when_a_finding_not_consistent_involves_it(
        workbook, written, budget, findings):
    placed = [p for p in written[1].placements if p.role == "printed"]
    assert len(placed) == len(budget.table_cells)
    coloured = 0
    for placement in placed:
        cell = workbook[placement.sheet][placement.cell]
        marks = involved(findings, placement.claim_id)
        worst = max((verdict for _, verdict in marks), key=VERDICTS.index, default=None)
        assert fill_of(cell) == (VERDICT_FILLS[worst] if worst else None), (placement, marks)
        assert (cell.comment is not None) == bool(marks)
        if marks:
            coloured += 1
            assert all(rule in cell.comment.text for rule, _ in marks)
    assert coloured >= 2  # 表1 (drift: the text's 基本支出 12323.46 against its 12323.48), 表10 (semantic)
    semantic = [p for p in placed if ("admin-operating-cost-within-public-costs", "semantic")
                in involved(findings, p.claim_id)]
    assert semantic and fill_of(workbook[semantic[0].sheet][semantic[0].cell]) == VERDICT_FILLS["semantic"]


def test_figures_are_in_their_row_and_column_with_the_decimals_and_separators_printed(workbook, budget):
    for figure in budget.table_cells.itertuples():
        # table row r, column c is the sheet's row r + 1 (under the title row), column c
        cell = sheet_of_table(workbook, figure.table).cell(figure.row + 1, figure.column)
        text = figure.text
        decimals = len(text.partition(".")[2])
        assert cell.value == float(Decimal(text.replace(",", ""))), (figure.table, figure.row, figure.column, text)
        assert cell.number_format == ("#,##0" if "," in text else "0") + ("." + "0" * decimals if decimals else "")


def test_the_findings_sheet_says_where_each_table_finding_is_and_links_to_its_cell(workbook, budget, findings):
    ws = workbook["审核结果"]
    headings = [c.value for c in ws[1]]
    assert headings[headings.index("数字编号") + 1: headings.index("数字编号") + 6] == ["表号", "页码", "行", "列", "单元格"]
    header = keyed_header(ws, [*findings.columns, *PLACE_COLUMNS])
    assert header[header.index("claim_id") + 1: header.index("claim_id") + 6] == [
        "table", "page", "row", "column", "sheet_cell"]
    keyed = budget.table_cells[budget.table_cells["claim_id"].fillna("") != ""]
    cells = keyed.set_index("claim_id")
    rows = [{h: c.value for h, c in zip(header, row)} for row in ws.iter_rows(min_row=2)]
    # a finding is placed at its own figure when a table prints it, else at the first table figure it is computed from
    located = [r for r in rows if {r["claim_id"], *str(r["inputs"] or "").split()} & set(cells.index)]
    assert located and len(rows) == len(findings)
    for row in located:
        cell = cells.loc[next(c for c in [row["claim_id"], *str(row["inputs"] or "").split()] if c in cells.index)]
        assert (row["table"], row["page"], row["row"], row["column"]) == (
            cell["table"], cell["page"], cell["row"], cell["column"])
        sheet, ref = re.fullmatch(r"'(.+)'!([A-Z]+\d+)", row["sheet_cell"]).groups()
        assert workbook[sheet][ref].value == float(Decimal(cell["text"].replace(",", "")))
    drift = next(r for r in located if r["rule"] == "same-figure-restated" and r["table"] == 1)
    link = ws.cell(rows.index(drift) + 2, header.index("sheet_cell") + 1).hyperlink
    assert link.location == drift["sheet_cell"]
    prose = [r for r in rows if r["claim_id"] == "" or r["claim_id"] is None or (
        r["claim_id"] not in cells.index and not set(str(r["inputs"] or "").split()) & set(cells.index))]
    assert prose and all(r["table"] is None and r["sheet_cell"] is None for r in prose)


def test_the_guide_says_what_the_read_tables_are(workbook):
    guide = [[c.value for c in row] for row in workbook["说明"].iter_rows()]
    assert any(row[0] == "原表" and "逐格读出" in row[1] for row in guide)
    listed = {row[0]: row[1] for row in guide if row[0]}
    for ws in read_sheets(workbook):
        assert "照印" in listed[ws.title] and PDF.name in listed[ws.title] and "批注" in listed[ws.title]


def test_the_workbook_of_a_pdf_is_the_same_bytes_every_run(budget, findings, written):
    assert workbook_bytes(budget, findings)[0] == written[0]


def test_a_budget_without_tables_gets_no_read_table_sheets(bundled_budget, bundled_findings):
    assert bundled_budget.table_cells is None or bundled_budget.table_cells.empty
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(bundled_budget, bundled_findings)[0]))
    assert not [name for name in workbook.sheetnames if name.startswith("表")]
    assert column_heading("sheet_cell") not in [c.value for c in workbook["审核结果"][1]]
    assert not any(row[0].value == "原表" for row in workbook["说明"].iter_rows())


def _spans_on_the_page(table) -> set[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column), 1-based, of each heading cell spanning others,
    from where pdfplumber found the cells' boxes on the page (its columns' and rows' edges)."""
    lefts, tops = {}, {}
    for (r, c), cell in table.cells.items():
        lefts[c] = min(lefts.get(c, cell.box[0]), cell.box[0])
        tops[r] = min(tops.get(r, cell.box[1]), cell.box[1])
    spans = set()
    for (r, c), cell in table.cells.items():
        if r < table.header_rows and cell.text:
            last_column = max(k for k, x in lefts.items() if k >= c and x < cell.box[2] - 0.5)
            last_row = max(k for k, y in tops.items() if r <= k < table.header_rows and y < cell.box[3] - 0.5)
            if (last_row, last_column) != (r, c):
                spans.add((r + 1, c + 1, last_row + 1, last_column + 1))
    return spans


@pytest.mark.parametrize("number", [1, 11])  # 收支预算总表 and the 三公 table: headings over rows and columns
def test_a_heading_is_merged_over_the_cells_it_spans_on_the_page(workbook, document, number):
    table = document.tables[number - 1]
    expected = _spans_on_the_page(table)
    assert len(expected) >= 5
    ws = sheet_of_table(workbook, number)
    # the sheet's row r + 1 is the table's row r
    merged = {(m.min_row - 1, m.min_col, m.max_row - 1, m.max_col) for m in ws.merged_cells.ranges if m.min_row > 1}
    assert merged == expected


def test_in_english_the_read_tables_are_headed_in_english_and_their_figures_keep_the_documents_labels(budget):
    with using_language("en"):
        findings = budget.audit()
        data, layout = workbook_bytes(budget, findings)
        again = workbook_bytes(budget, findings)[0]
    assert data == again  # one language, the same bytes every run
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "About" and workbook.sheetnames[-1] == "Findings"
    cells = budget.table_cells
    tables = cells.drop_duplicates("table").sort_values("table")
    first = next(tables.itertuples())
    ws = read_sheets(workbook)[0]
    assert ws.title == f"Table {first.table} {first.title}"[:31]  # the document's title as printed
    assert ws["A1"].value == f"Table {first.table}: {first.title} ({PDF.name}, p. 10; unit: {first.unit})"
    cell = _cell_beside(ws, "一、基本支出")  # the document's labels stay as printed
    assert "drift: same-figure-restated\n" in cell.comment.text
    header = [c.value for c in workbook["Findings"][1]]
    assert header[header.index("Claim ID") + 1: header.index("Claim ID") + 6] == ["Table", "Page", "Row", "Column", "Cell"]
    guide = {row[0].value: row[1].value for row in workbook["About"].iter_rows() if row[0].value}
    assert "read cell by cell" in guide["Tables as printed"]
    assert guide[ws.title].startswith(f"The table of {PDF.name}, p. 10, as printed")
    assert any(f"The table of {PDF.name}, pp. 11–12, as printed" in (note or "") for note in guide.values())  # 表4
    assert all(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) for name in workbook.sheetnames)


def test_every_sheet_name_the_workbooks_give_is_valid_in_both_languages():
    from budgetkit.messages import LANGUAGES, catalogue

    names = {key: texts for key, texts in catalogue().items()
             if key.startswith(("workbook.sheet-", "workbook.collection-sheet-"))}
    assert len(names) == 9 + 2 + 7
    for key, texts in names.items():
        for lang in LANGUAGES:
            assert 0 < len(texts[lang]) <= 31 and not re.search(r"[\[\]:*?/\\]", texts[lang]), (key, lang)
            assert not texts[lang].startswith("'") and not texts[lang].endswith("'"), (key, lang)
        assert len({texts[lang] for lang in LANGUAGES}) == len(LANGUAGES), key
