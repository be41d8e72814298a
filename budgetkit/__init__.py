"""budgetkit: check and explore Chinese government departmental budget explanations."""

from .messages import set_language
from .model import Budget, to_yuan
from .schema import BudgetDataError

__all__ = ["Budget", "BudgetDataError", "load", "load_many", "set_language", "to_yuan"]
__version__ = "0.1.0"


def load(path=None) -> Budget:
    """A budget as DataFrames: the bundled one (``path`` None), a data package (a folder holding
    datapackage.json, or the descriptor itself), or a document (.txt, .docx or PDF with a text layer),
    which is read by :func:`budgetkit.extract.extract` — its ``extraction`` report says what it could
    not read. Bad input raises one :class:`BudgetDataError` naming the file, line and field."""
    from .extract import load_or_extract  # the document readers load only when first used

    return load_or_extract(path)


def __getattr__(name: str):
    # load_many brings the collection layer (DuckDB, a process pool) only when first used,
    # so `import budgetkit` costs little more than `import pandas`
    if name == "load_many":
        from .collection import load_many

        return load_many
    raise AttributeError(f"module 'budgetkit' has no attribute {name!r}")  # not a message: Python's own wording
