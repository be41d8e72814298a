"""data/final-accounts/<name>/, the data package notebook 10 reads by default, is what extraction makes of
<name>.pdf beside it today (`make examples` makes it again), and says it is final accounts."""

from __future__ import annotations

import json
from pathlib import Path

from budgetkit.extract import extract, write_package

FINAL_ACCOUNTS = Path(__file__).resolve().parents[2] / "data" / "final-accounts"
NOTEBOOK = FINAL_ACCOUNTS.parent.parent / "notebooks" / "10-final-accounts.ipynb"


def test_the_final_accounts_package_is_a_fresh_extraction_of_its_pdf(tmp_path):
    pdfs = sorted(FINAL_ACCOUNTS.glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        kept_folder, fresh_folder = FINAL_ACCOUNTS / pdf.stem, tmp_path / pdf.stem
        write_package(extract(pdf), fresh_folder)
        kept = sorted(p.relative_to(kept_folder) for p in kept_folder.rglob("*") if p.is_file())
        fresh = sorted(p.relative_to(fresh_folder) for p in fresh_folder.rglob("*") if p.is_file())
        assert kept == fresh
        changed = [str(p) for p in kept if (kept_folder / p).read_bytes() != (fresh_folder / p).read_bytes()]
        assert changed == [], f"run make examples: {pdf.stem} differs in {changed}"
        descriptor = json.loads((kept_folder / "datapackage.json").read_text(encoding="utf-8"))
        assert descriptor["budget"]["document_kind"] == "final-accounts"


def test_notebook_10_reads_the_package_by_default_and_names_its_pdf():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    parameters = next(cell for cell in notebook["cells"] if "parameters" in cell["metadata"].get("tags", []))
    default = "".join(parameters["source"]).split('budget_path = "', 1)[1].split('"', 1)[0]
    package = (NOTEBOOK.parent / default).resolve()
    assert (package / "datapackage.json").is_file()
    assert package.with_suffix(".pdf").is_file()  # the document as published, the parameter's alternative
    assert f"{default}.pdf" in "".join(notebook["cells"][0]["source"])
