"""The notebooks/ workbook (01–06): its committed outputs show every claim, its code cells are thin and
parameterised, it uses every reproduced table, and it runs on another budget; every notebook is written
in Chinese first and its tables in the language of its ``lang`` parameter."""

import html
import json
import re
from pathlib import Path

import pytest

import budgetkit
from budgetkit import tables
from budgetkit.messages import using_language

ROOT = Path(__file__).resolve().parents[2]
#: The single-budget workbook (other notebooks, such as the collection's, follow their own rules).
WORKBOOK = ["01-overview", "02-income-and-expenditure", "03-general-budget-appropriation",
            "04-basic-expenditure-and-three-public", "05-other-matters", "06-drift"]
NOTEBOOKS = [ROOT / "notebooks" / f"{name}.ipynb" for name in WORKBOOK]


@pytest.fixture(scope="module")
def claims(bundled_budget):
    """The bundled budget's claims by claim_id."""
    return bundled_budget.claims.set_index("claim_id")


def test_every_claim_appears_in_some_notebook_output(claims):
    outputs = []
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                for kind in ("text/html", "text/plain"):
                    outputs.append("".join(output.get("data", {}).get(kind, "")))
    text = "\n".join(outputs)
    missing = [cid for cid in claims.index if not re.search(rf"\b{re.escape(cid)}\b", text)]
    assert missing == []


# -- the workbook ----------------------------------------------------------------------------------

def code_cells(path):
    return [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin_and_parameterised(path):
    cells = code_cells(path)
    first = cells[0]
    assert first["metadata"].get("tags") == ["parameters"]
    assert "".join(first["source"]).startswith("budget_path = None")
    assert re.search(r'^lang = "zh"', "".join(first["source"]), re.M)  # Chinese unless -p lang en
    # the imports, then the language the package's functions write in, set from the parameter
    imports = "".join(cells[1]["source"]).splitlines()
    assert imports[-1] == "budgetkit.set_language(lang)", imports
    assert len(imports) <= 3 and all(line.startswith(("import ", "from ")) for line in imports[:-1]), imports
    assert any("budgetkit.load(budget_path)" in "".join(cell["source"]) for cell in cells)
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class|for|while|import matplotlib)\b", source, re.M), source
        assert len(source.splitlines()) <= (3 if index == 1 else 2), source
        for output in cell.get("outputs", []):
            assert output["output_type"] != "stream" or output["name"] != "stderr", (path.name, output)
            assert output["output_type"] != "error", (path.name, output)
            assert not re.search(r"0x[0-9a-f]{6,}", "".join(output.get("data", {}).get("text/plain", "")))


def test_every_table_is_in_the_workbook():
    sources = "\n".join("".join(cell["source"]) for path in NOTEBOOKS for cell in code_cells(path))
    for build in tables.TABLES.values():
        assert f"tables.{build.__name__}(budget" in sources, build.__name__


def test_the_workbook_runs_on_another_budget(tmp_path):
    import papermill

    source = ROOT / "notebooks" / "02-income-and-expenditure.ipynb"
    result = papermill.execute_notebook(
        str(source), str(tmp_path / source.name), cwd=str(source.parent), progress_bar=False,
        parameters={"budget_path": str(ROOT / "tests" / "data" / "tiny-budget")},
    )
    html = "\n".join("".join(o.get("data", {}).get("text/html", "")) for c in result.cells for o in c.get("outputs", []))
    assert "c004-1" in html and "c073-1" not in html


# -- Chinese first ---------------------------------------------------------------------------------

EVERY_NOTEBOOK = sorted((ROOT / "notebooks").glob("*.ipynb"))
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def markdown_cells(path):
    return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", EVERY_NOTEBOOK, ids=lambda p: p.name)
def test_the_notebooks_are_written_in_chinese_first(path):
    cells = markdown_cells(path)
    assert cells and cells[0].startswith("# "), path.name
    for cell in cells:
        heading, *paragraphs = [p.strip() for p in cell.split("\n\n")]
        assert heading.startswith("#"), cell
        # the heading is Chinese, a short English subtitle may follow: "## 三 收支总预算 The total budget"
        assert _HAN.match(re.search(r"[A-Za-z\u4e00-\u9fff]", heading).group()), heading
        for paragraph in paragraphs:  # the explanation is Chinese (code, column names and keys aside)
            prose = re.sub(r"`[^`]*`", "", paragraph)
            assert len(_HAN.findall(prose)) > len(_LATIN.findall(prose)), paragraph


@pytest.mark.parametrize("lang", [None, "en"], ids=["default", "lang-en"])
def test_the_workbook_writes_in_the_language_given(tmp_path, lang):
    """Chinese by default, English with ``-p lang en``: the lang parameter reaches the package's
    functions (here an audit explanation in the table of findings)."""
    import papermill

    tiny = ROOT / "tests" / "data" / "tiny-budget"

    def explanation(language):
        with using_language(language):
            findings = budgetkit.load(tiny).audit()
        return findings.loc[findings["verdict"] == "drift", "explanation"].iloc[0]

    wanted, other = (explanation("en"), explanation("zh")) if lang == "en" else (explanation("zh"), explanation("en"))
    assert wanted != other
    source = ROOT / "notebooks" / "06-drift.ipynb"
    parameters = {"budget_path": str(tiny), **({"lang": lang} if lang else {})}
    result = papermill.execute_notebook(str(source), str(tmp_path / source.name), cwd=str(source.parent),
                                        progress_bar=False, parameters=parameters)
    page = "\n".join("".join(o.get("data", {}).get("text/html", "")) for c in result.cells for o in c.get("outputs", []))
    assert html.escape(wanted) in page or wanted in page
    assert html.escape(other) not in page and other not in page
