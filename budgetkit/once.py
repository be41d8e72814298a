"""What a process makes once and keeps: the data files parsed, the patterns compiled from the template's words.

Each is a function of no arguments marked :func:`once`, made the first time it is asked for; :func:`make_all`
makes every one the modules imported so far have marked. ``budgetkit check`` calls it while the PDF it
audits is being read in a child (:mod:`.pdf_pages`): the two cores work at once, and none of these is
made after the pages come back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

__all__ = ["make_all", "once"]

T = TypeVar("T")

_MARKED: list[Callable[[], object]] = []


def once(function: Callable[[], T]) -> Callable[[], T]:
    """``function`` made the first time it is called and kept (``lru_cache``), and made by :func:`make_all`."""
    made = lru_cache(maxsize=1)(function)
    _MARKED.append(made)
    return made


def make_all() -> None:
    """Make every table marked :func:`once` in the modules imported so far."""
    for made in tuple(_MARKED):
        made()
