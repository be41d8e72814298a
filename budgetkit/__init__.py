"""budgetkit: check and explore Chinese government departmental budget explanations."""

from .model import Budget, load, to_yuan
from .schema import BudgetDataError

__all__ = ["Budget", "BudgetDataError", "load", "load_many", "to_yuan"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # load_many brings the collection layer (DuckDB, a process pool) only when first used,
    # so `import budgetkit` costs little more than `import pandas`
    if name == "load_many":
        from .collection import load_many

        return load_many
    raise AttributeError(f"module 'budgetkit' has no attribute {name!r}")
