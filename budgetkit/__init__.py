"""budgetkit: check and explore Chinese government departmental budget explanations."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Budget

__all__ = ["Budget", "BudgetDataError", "load", "load_many", "set_language", "to_yuan"]
__version__ = "0.1.0"


def load(path=None) -> Budget:
    """A budget as DataFrames: the bundled one (``path`` None), a data package (a folder holding
    datapackage.json, or the descriptor itself), or a document (.txt, .docx or PDF with a text layer),
    which is read by :func:`budgetkit.extract.extract` — its ``extraction`` report says what it could
    not read. Bad input raises one :class:`BudgetDataError` naming the file, line and field."""
    from pathlib import Path

    if path is None or isinstance(path, (str, Path)) and (Path(path).is_dir() or Path(path).name == "datapackage.json"):
        from .model import load as load_package  # a package needs no document reader (nor its imports)

        return load_package(path)
    from .extract import load_or_extract  # the document readers load only when first used

    return load_or_extract(path)


def __getattr__(name: str):
    # each brings its layer only when first used: the message catalogue (set_language), pandas (Budget, to_yuan, BudgetDataError), the
    # collection layer (DuckDB, a process pool) for load_many; so `python -m budgetkit check 文件.pdf`
    # starts reading the PDF before pandas is imported (budgetkit.pdf_pages.read_ahead)
    if name in ("Budget", "to_yuan"):
        from .model import Budget, to_yuan

        return Budget if name == "Budget" else to_yuan
    if name == "set_language":
        from .messages import set_language

        return set_language
    if name == "BudgetDataError":
        from .schema import BudgetDataError

        return BudgetDataError
    if name == "load_many":
        from .collection import load_many

        return load_many
    raise AttributeError(f"module 'budgetkit' has no attribute {name!r}")  # not a message: Python's own wording
