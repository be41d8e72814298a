"""The annotated copy of a corpus PDF, read back with pypdf and checked against the page.

What is checked is read from the copy, not from the code that made it: the boxes are counted by the
verdict they carry, each box's rectangle is turned back into pdfplumber's coordinates here (or handed
to pdfium, which reads PDF user space itself) and the text printed inside it compared with the
claim's printed text; the note on the first page must list every finding of ``budget.audit()``.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pypdf
import pypdfium2
import pytest

from budgetkit.extract import extract
from budgetkit.findings import SEVERITY, VERDICT_INKS, VERDICTS
from budgetkit.messages import using_language, verdict_name
from budgetkit.report.annotate import annotated_pdfs
from budgetkit.schema import BudgetDataError

DOCUMENTS = Path(__file__).resolve().parents[1] / "corpus" / "documents"
PROCURATORATE = DOCUMENTS / "js-procuratorate-2017-budget.pdf"
PARTY_OFFICE = [DOCUMENTS / "js-party-office-2017-budget-explanation.pdf",
                DOCUMENTS / "js-party-office-2017-budget-tables.pdf"]


@dataclasses.dataclass
class Annotated:
    budget: object
    findings: object
    copies: dict[Path, bytes]


def _annotated(source) -> Annotated:
    budget = extract(source)
    findings = budget.audit()
    return Annotated(budget, findings, annotated_pdfs(budget, findings))


@pytest.fixture(scope="module")
def procuratorate():
    return _annotated(PROCURATORATE)


@pytest.fixture(scope="module")
def party_office():
    return _annotated(PARTY_OFFICE)


def _verdict_of(name: str) -> str:
    """A verdict's key from its name as a box's subject gives it (不符 → drift), in either language."""
    names = {verdict_name(v, lang): v for v in VERDICTS for lang in ("zh", "en")}
    return names.get(name, name)


def _annotations(data: bytes) -> list[dict]:
    """Every annotation of a PDF: its page (0-based), subtype, rectangle and entries as text; ``verdict``
    the key of the verdict its subject names."""
    found = []
    for index, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            found.append({"page": index, "subtype": str(annotation["/Subtype"]),
                          "rect": [float(v) for v in annotation["/Rect"]],
                          "name": str(annotation.get("/NM", "")),
                          "subject": str(annotation.get("/Subj", "")),
                          "verdict": _verdict_of(str(annotation.get("/Subj", ""))),
                          "contents": str(annotation.get("/Contents", "")),
                          "colour": [float(v) for v in annotation.get("/C", [])]})
    return found


def _boxes(data: bytes) -> list[dict]:
    boxes = [a for a in _annotations(data) if a["subtype"] == "/Square"]
    for box in boxes:  # /NM budgetkit-<number>-<claim id>
        box["number"], box["claim_id"] = re.fullmatch(r"budgetkit-(\d+)-(c\d+-\d+)", box["name"]).groups()
    return boxes


def _note(data: bytes) -> str:
    notes = [a for a in _annotations(data) if a["subtype"] == "/Text"]
    assert len(notes) == 1 and notes[0]["page"] == 0
    return notes[0]["contents"]


def _failures(findings):
    return findings[findings["verdict"].astype(str) != "consistent"]


def _claims_of(row) -> list[str]:
    claims = [row.claim_id] if isinstance(row.claim_id, str) and row.claim_id else []
    claims += str(row.inputs).split() if isinstance(row.inputs, str) else []
    return list(dict.fromkeys(claims))


def _not_placed(note: str) -> list[str]:
    lines = [line for line in note.splitlines() if "未能标注" in line or "not placed" in line]
    return re.findall(r"(c\d+-\d+) ?[（(]", "\n".join(lines))


def _table_cells(budget):
    """The figures of the budget's tables with their pages."""
    return budget.table_cells


def _compact(text: str) -> str:
    return "".join(text.split())


def _printed(budget, claim_id: str) -> str:
    return _compact(budget.claims.set_index("claim_id").loc[claim_id, "text"])


def _text_inside(path: Path, page_index: int, rect: list[float]) -> str:
    """The characters printed wholly inside ``rect`` (PDF user space) of an unrotated page whose
    MediaBox starts at 0 0, read with pdfplumber (top-left origin)."""
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[page_index]
        assert page.rotation == 0 and tuple(page.page_obj.mediabox[:2]) == (0, 0)
        x0, y0, x1, y1 = rect
        return _compact(page.within_bbox((x0, page.height - y1, x1, page.height - y0)).extract_text())


def test_each_finding_that_is_not_consistent_boxes_each_of_its_figures_in_its_verdicts_ink(procuratorate):
    (data,) = procuratorate.copies.values()
    boxes, failures = _boxes(data), _failures(procuratorate.findings)
    assert set(failures["verdict"].astype(str)) >= {"drift", "semantic"}
    assert _not_placed(_note(data)) == []  # every figure of this document is placed: all are boxed
    expected = {verdict: sum(len(_claims_of(row)) for row in rows.itertuples())
                for verdict, rows in failures.groupby(failures["verdict"].astype(str), observed=True)}
    counted = {verdict: sum(1 for b in boxes if b["verdict"] == verdict) for verdict in expected}
    assert counted == expected
    assert len(boxes) == sum(expected.values())
    for box in boxes:
        red, green, blue = (int(VERDICT_INKS[box["verdict"]][i:i + 2], 16) / 255 for i in (1, 3, 5))
        assert box["colour"] == pytest.approx([red, green, blue], abs=1e-3)
        assert box["subject"] == verdict_name(box["verdict"], "zh")  # named in the report's language


def test_each_box_holds_its_figure_on_the_page_it_is_printed_on(procuratorate):
    (data,) = procuratorate.copies.values()
    cells = _table_cells(procuratorate.budget)
    for box in _boxes(data):
        inside = _text_inside(PROCURATORATE, box["page"], box["rect"])
        printed = _printed(procuratorate.budget, box["claim_id"])
        assert printed in inside and len(inside) <= len(printed) + 2, (box["name"], inside)
        in_table = cells[cells["claim_id"] == box["claim_id"]]
        if len(in_table):  # a table's figure: on the page its cell was read from
            assert box["page"] == int(in_table["page"].iloc[0]) - 1


def test_each_box_carries_its_findings_number_rule_and_explanation(procuratorate):
    (data,) = procuratorate.copies.values()
    annotations = _annotations(data)
    numbers = [a for a in annotations if a["subtype"] == "/FreeText"]
    failures = _failures(procuratorate.findings).itertuples()
    # numbered worst first, in the audit's order within a verdict
    by_number = dict(enumerate(sorted(failures, key=lambda row: -SEVERITY[str(row.verdict)]), start=1))
    for box in _boxes(data):
        row = by_number[int(box["number"])]
        assert box["contents"].startswith(f"{box['number']}. {verdict_name(str(row.verdict))} · {row.rule}\n")
        assert row.explanation in box["contents"] and box["claim_id"] in _claims_of(row)
        tabs = [n for n in numbers if n["name"] == f"{box['name']}-number"]
        assert len(tabs) == 1 and tabs[0]["contents"] == box["number"] and tabs[0]["page"] == box["page"]


def test_the_first_pages_note_lists_every_finding(procuratorate):
    (data,) = procuratorate.copies.values()
    note = _note(data)
    failures = _failures(procuratorate.findings)
    assert note.startswith(f"budgetkit 审核：{procuratorate.budget.department} {procuratorate.budget.year}年，"
                           f"共 {len(failures)} 项发现（未通过的核对），编号标在各框上\n")
    # each finding as audit.md titles it: 不符第1项 …
    listed = re.findall(r"^(\d+)\. \[(\w+?)第\d+项\] (\S+)：(.*)$", note, flags=re.M)
    assert len(listed) == len(failures)
    assert sorted((_verdict_of(verdict), rule, explanation) for _, verdict, rule, explanation in listed) == sorted(
        zip(failures["verdict"].astype(str), failures["rule"], failures["explanation"]))
    assert [int(number) for number, *_ in listed] == list(range(1, len(failures) + 1))
    assert re.search(r"^   已标注：c\d+-\d+ 第\d+页", note, re.M)


def test_with_english_the_boxes_and_the_note_are_in_english(procuratorate):
    with using_language("en"):
        findings = procuratorate.budget.audit()
        (data,) = annotated_pdfs(procuratorate.budget, findings).values()
    note = _note(data)
    failures = _failures(findings)
    assert note.startswith(f"budgetkit audit — {procuratorate.budget.department} {procuratorate.budget.year}: "
                           f"{len(failures)} findings (not consistent), numbered on their boxes\n")
    listed = re.findall(r"^(\d+)\. \[(\w+) \d+\] (\S+): (.*)$", note, flags=re.M)
    assert sorted((verdict, rule, explanation) for _, verdict, rule, explanation in listed) == sorted(
        zip(failures["verdict"].astype(str), failures["rule"], failures["explanation"]))
    assert re.search(r"^   boxed: c\d+-\d+ p\. \d+", note, re.M)
    boxes = _boxes(data)
    assert boxes and all(box["subject"] == box["verdict"] for box in boxes)
    assert all(re.match(rf"{box['number']}\. {box['verdict']} · ", box["contents"]) for box in boxes)


def test_two_runs_give_the_same_bytes_and_a_copy_identifies_itself_as_changed(procuratorate):
    again = annotated_pdfs(procuratorate.budget, procuratorate.findings)
    assert again == procuratorate.copies
    (data,) = again.values()
    source, copied = pypdf.PdfReader(PROCURATORATE).trailer["/ID"], pypdf.PdfReader(io.BytesIO(data)).trailer["/ID"]
    assert copied[0] == source[0] and copied[1] != source[1]


def test_a_box_is_drawn_in_its_ink_where_it_lies(procuratorate, tmp_path):
    """Rendered by pdfium: the box's edge has the verdict's ink (its appearance is in the file)."""
    (data,) = procuratorate.copies.values()
    box = _boxes(data)[0]
    path = tmp_path / "annotated.pdf"
    path.write_bytes(data)
    page = pypdfium2.PdfDocument(path)[box["page"]]
    image = page.render(scale=2).to_pil().convert("RGB")
    x0, y0, x1, y1 = box["rect"]
    height = page.get_height()
    edge = (round((x0 + x1)), round((height - y1) * 2 + 1))  # the middle of the top edge, inside its 1.2-point line
    ink = tuple(int(VERDICT_INKS[box["verdict"]][i:i + 2], 16) for i in (1, 3, 5))
    assert max(abs(a - b) for a, b in zip(image.getpixel(edge), ink)) < 40


def test_an_explanation_and_its_tables_each_box_the_figures_printed_in_them(party_office):
    copies = party_office.copies
    assert sorted(copies) == sorted(PARTY_OFFICE)
    failures = _failures(party_office.findings)
    wanted = sum(len(_claims_of(row)) for row in failures.itertuples())
    boxed = {path: _boxes(data) for path, data in copies.items()}
    not_placed = _not_placed(_note(copies[PARTY_OFFICE[0]]))
    assert sum(len(boxes) for boxes in boxed.values()) + sum(
        len([c for c in _claims_of(row) if c in not_placed]) for row in failures.itertuples()) == wanted
    assert all(boxed.values())  # each file holds figures of these findings
    for path, boxes in boxed.items():
        for box in boxes:
            inside = _text_inside(path, box["page"], box["rect"])
            assert _printed(party_office.budget, box["claim_id"]) in inside, (path.name, box["name"], inside)
        note = _note(copies[path])
        assert len(re.findall(r"^\d+\. \[", note, flags=re.M)) == len(failures)
        other = next(p for p in PARTY_OFFICE if p != path)
        for claim_id in {b["claim_id"] for b in boxed[other]}:
            assert re.search(rf"在另一文件中：.*{claim_id} {re.escape(other.name)} 第\d+页", note)


def test_a_figure_printed_more_often_than_it_was_read_is_listed_as_not_placed_and_not_boxed(procuratorate, tmp_path):
    """The PDF has changed since it was read: one page printed twice. Its figures are read once and
    printed twice, so which is meant cannot be told; the others are found as before."""
    (original,) = procuratorate.copies.values()
    page = Counter(box["page"] for box in _boxes(original)).most_common(1)[0][0]  # the page boxed most
    writer = pypdf.PdfWriter(clone_from=PROCURATORATE)
    writer.insert_page(pypdf.PdfReader(PROCURATORATE).pages[page], page + 1)
    changed = tmp_path / PROCURATORATE.name  # the name its tables were read from
    writer.write(changed)
    extraction = copy.copy(procuratorate.budget.extraction)
    extraction.source = str(changed)
    budget = dataclasses.replace(procuratorate.budget, extraction=extraction)
    (data,) = annotated_pdfs(budget, procuratorate.findings).values()
    on_that_page = {b["claim_id"] for b in _boxes(original) if b["page"] == page}
    assert set(_not_placed(_note(data))) == on_that_page
    boxes = _boxes(data)
    assert {b["claim_id"] for b in boxes} == {b["claim_id"] for b in _boxes(original)} - on_that_page
    for box in boxes:
        assert _printed(budget, box["claim_id"]) in _text_inside(changed, box["page"], box["rect"])


def _turned(source: Path, rotation: int, origin: tuple[float, float], target: Path) -> Path:
    """``source`` with each page's content turned counter-clockwise by ``rotation`` and shown upright by
    /Rotate, its MediaBox starting at ``origin``: the same pages, in other coordinates."""
    writer = pypdf.PdfWriter(clone_from=source)
    for page in writer.pages:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        turn = pypdf.Transformation().rotate(rotation)
        corners = [turn.apply_on((x, y)) for x in (x0, x1) for y in (y0, y1)]
        left, bottom = min(c[0] for c in corners), min(c[1] for c in corners)
        page.add_transformation(turn.translate(origin[0] - left, origin[1] - bottom))
        width, height = max(c[0] for c in corners) - left, max(c[1] for c in corners) - bottom
        box = pypdf.generic.RectangleObject((origin[0], origin[1], origin[0] + width, origin[1] + height))
        page.mediabox = page.cropbox = box
        if rotation:
            page.rotate(rotation)
    writer.write(target)
    return target


@pytest.mark.parametrize("rotation, origin", [(0, (100, 50)), (90, (40, -60)), (180, (0, 0)), (270, (-30, 20))])
def test_boxes_hold_their_figures_on_rotated_pages_and_moved_media_boxes(rotation, origin, tmp_path):
    """pdfium reads the text under each box in PDF user space, without pdfplumber's coordinates."""
    source = _turned(PROCURATORATE, rotation, origin, tmp_path / f"turned-{rotation}.pdf")
    annotated = _annotated(source)
    (data,) = annotated.copies.values()
    boxes = _boxes(data)
    assert boxes
    path = tmp_path / "annotated.pdf"
    path.write_bytes(data)
    document = pypdfium2.PdfDocument(path)
    for box in boxes:
        inside = _compact(document[box["page"]].get_textpage().get_text_bounded(*box["rect"]))
        assert _printed(annotated.budget, box["claim_id"]) in inside, (box["name"], inside)


def test_a_budget_not_read_from_a_pdf_has_no_annotated_copy(bundled_budget, bundled_findings):
    assert annotated_pdfs(bundled_budget, bundled_findings) == {}


def test_a_pdf_that_cannot_be_read_any_more_is_named(procuratorate, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot a PDF at all\n")
    for path in (broken, tmp_path / "gone.pdf"):
        extraction = copy.copy(procuratorate.budget.extraction)
        extraction.source = str(path)
        budget = dataclasses.replace(procuratorate.budget, extraction=extraction)
        with pytest.raises(BudgetDataError) as raised:
            annotated_pdfs(budget, procuratorate.findings)
        assert str(path) in str(raised.value) and "Traceback" not in str(raised.value)
