"""budgetkit: check and explore Chinese government departmental budget explanations."""

from .model import Budget, load, to_yuan
from .schema import BudgetDataError

__all__ = ["Budget", "BudgetDataError", "load", "to_yuan"]
__version__ = "0.1.0"
