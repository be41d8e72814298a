"""The notebooks/ workbook (01–06): its committed outputs show every claim, its code cells are thin and
parameterised, it uses every reproduced table, and it runs on another budget."""

import json
import re
from pathlib import Path

import pytest

from budgetkit import tables

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
    assert any("budgetkit.load(budget_path)" in "".join(cell["source"]) for cell in cells)
    for cell in cells:
        source = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class|for|while|import matplotlib)\b", source, re.M), source
        assert len(source.splitlines()) <= 2, source
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
