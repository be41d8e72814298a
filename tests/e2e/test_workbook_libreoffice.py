"""The workbook as a user's LibreOffice opens and prints it: Debian's LibreOffice Calc (installed by
scripts/ensure_libreoffice.sh, with fonts-noto-cjk in place of the workbook's Microsoft YaHei)
recalculates every formula to the value stored with it, and prints each official table on one
landscape page with its title on one line, the findings one page wide with their header on every page.

When LibreOffice is missing the tests skip locally with the reason, but fail in CI (environment
variable CI set): there the script must have installed it first.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from budgetkit.messages import using_language
from budgetkit.report.workbook import workbook_bytes
from budgetkit.report.workbook_cells import column_heading

SOFFICE = Path("/usr/bin/soffice")
CONVERT_TIMEOUT_S = 180
OFFICIAL = ["部门收支总表", "部门收入总表", "部门支出总表", "财政拨款收支总表", "一般公共预算支出表",
            "一般公共预算基本支出表", "一般公共预算“三公”经费支出表", "政府性基金预算支出表", "国有资本经营预算支出表"]

#: LibreOffice's setting "recalculation on file load" for Excel 2007 and newer: 0 = always. Its
#: default, never, would show the stored values and prove nothing about the formulas.
ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
</oor:items>
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _has_cjk_font() -> bool:
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return "Noto Sans CJK SC" in listed.stdout


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """A LibreOffice user profile of its own that recalculates every formula on loading."""
    missing = [what for what, present in (("LibreOffice", SOFFICE.exists()), ("Noto Sans CJK SC", _has_cjk_font()))
               if not present]
    if missing:
        reason = f"{' and '.join(missing)} not installed: run scripts/ensure_libreoffice.sh"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("libreoffice-profile")
    (folder / "user").mkdir()
    (folder / "user" / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory, bundled_budget, bundled_findings) -> Path:
    path = tmp_path_factory.mktemp("workbook") / "budget.xlsx"
    path.write_bytes(workbook_bytes(bundled_budget, bundled_findings)[0])
    return path


def convert(profile: Path, source: Path, to: str, out: Path) -> Path:
    """``source`` converted by LibreOffice into ``out`` (format ``to``: xlsx or pdf)."""
    out.mkdir(exist_ok=True)
    command = [str(SOFFICE), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", to, "--outdir", str(out), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S)
    converted = out / f"{source.stem}.{to}"
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    return converted


def zero_stored_values(source: Path, target: Path) -> int:
    """A copy of ``source`` whose formulas all store 0, so that what LibreOffice shows is what it
    computed; returns how many formulas there are."""
    count = 0
    with zipfile.ZipFile(source) as reading, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as writing:
        for entry in reading.infolist():
            data = reading.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/sheet"):
                text, found = re.subn(r"(<f>[^<]*</f>)<v>[^<]*</v>", r"\1<v>0</v>", data.decode("utf-8"))
                count += found
                data = text.encode("utf-8")
            writing.writestr(entry, data)
    return count


def test_libreoffice_recalculates_every_formula_to_its_stored_value(profile, xlsx, tmp_path):
    zeroed = tmp_path / "zeroed.xlsx"
    formulas = zero_stored_values(xlsx, zeroed)
    recalculated = openpyxl.load_workbook(convert(profile, zeroed, "xlsx", tmp_path / "out"), data_only=True)
    stored = openpyxl.load_workbook(xlsx, data_only=True)
    with_formulas = openpyxl.load_workbook(xlsx)
    compared = nonzero = 0
    for ws in with_formulas.worksheets:
        for row in ws.iter_rows():
            for cell in (c for c in row if c.data_type == "f"):
                expected = stored[ws.title][cell.coordinate].value
                got = recalculated[ws.title][cell.coordinate].value
                assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (ws.title, cell.coordinate, cell.value)
                compared += 1
                nonzero += expected != 0
    assert compared == formulas >= 40 and nonzero >= 20


def test_libreoffice_prints_each_table_on_one_landscape_page(profile, xlsx, tmp_path, bundled_findings):
    from pypdf import PdfReader

    pages = PdfReader(convert(profile, xlsx, "pdf", tmp_path / "out")).pages
    texts = [page.extract_text() for page in pages]
    assert all(page.mediabox.width > page.mediabox.height for page in pages)  # landscape
    assert all(f"第 {n} 页，共 {len(pages)} 页" in text for n, text in enumerate(texts, start=1))
    assert "工作表" in texts[0] and "审核结果" in texts[0]  # 说明 first, on one page
    for number, name in enumerate(OFFICIAL, start=1):
        # each table on one page of its own, its title on one line (a line break would split it)
        assert f"2024年{name}" in texts[number].splitlines(), (number, name)
    findings_pages = texts[1 + len(OFFICIAL):]
    # one page wide: every page of the findings carries the header's second and last column (规则类型, 规则依据)
    first, last = column_heading(str(bundled_findings.columns[1])), column_heading(str(bundled_findings.columns[-1]))
    assert (first, last) == ("规则类型", "规则依据")
    assert findings_pages and all(first in text and last in text for text in findings_pages)
    assert len(findings_pages) <= math.ceil(len(bundled_findings) / 15)


def test_in_english_each_table_prints_on_one_page_with_its_title_on_one_line(profile, bundled_budget, tmp_path):
    from pypdf import PdfReader

    with using_language("en"):
        data, layout = workbook_bytes(bundled_budget, bundled_budget.audit())
    xlsx = tmp_path / "budget-en.xlsx"
    xlsx.write_bytes(data)
    titles = [openpyxl.load_workbook(xlsx)[name]["A1"].value for name in layout.sheets[1:1 + len(OFFICIAL)]]
    assert titles[0] == "2024 Departmental Revenue and Expenditure Summary"
    pages = PdfReader(convert(profile, xlsx, "pdf", tmp_path / "out")).pages
    texts = [page.extract_text() for page in pages]
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(texts, start=1))
    assert "Sheet" in texts[0] and "Findings" in texts[0]  # About first, on one page
    for number, title in enumerate(titles, start=1):
        assert title in texts[number].splitlines(), (number, title)
    assert all("Rule kind" in text and "Rule basis" in text for text in texts[1 + len(OFFICIAL):])
