"""Reading a document within a budget of time and memory.

A parser of untrusted .pdf and .docx files can be made to run for minutes or take gigabytes by a file of a
few kilobytes (a long run of digits in a content stream, a stream that inflates a thousandfold). So the
readers run in a forked child process whose address space is capped and which is killed when it runs out
of time; what they return comes back through a pipe (:mod:`budgetkit.forked`). Either limit reached is one
BudgetDataError naming the file. Where the system cannot fork (not POSIX), the reader runs in this process,
unbounded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..forked import READ_MEMORY_BYTES, READ_SECONDS, Child, ChildFailure, start
from ..messages import text
from ..schema import BudgetDataError, Problem

__all__ = ["READ_MEMORY_BYTES", "READ_SECONDS", "bounded", "collect"]

T = TypeVar("T")


def bounded(read: Callable[[], T], path: Path) -> T:
    """``read()`` in a child process limited to READ_SECONDS and READ_MEMORY_BYTES more memory."""
    if not hasattr(os, "fork"):  # pragma: no cover - POSIX only
        return read()
    return collect(start(read, READ_MEMORY_BYTES), path)


def collect(child: Child, path: Path):
    """What a reading child started READ_SECONDS ago at most returns; its failure one BudgetDataError
    naming ``path``."""
    try:
        return child.result(READ_SECONDS)
    except ChildFailure as failure:
        raise _failure(path, _reason(failure)) from None


def _reason(failure: ChildFailure) -> str:
    if failure.reason == "timeout":
        return text("extract.read-timeout", seconds=READ_SECONDS)
    if failure.reason == "memory":
        return text("extract.read-memory", megabytes=READ_MEMORY_BYTES // 1024**2)
    if failure.reason == "signal":
        return text("extract.read-stopped-signal", signal=failure.number)
    if failure.reason == "status":
        return text("extract.read-stopped-status", status=failure.number)
    return failure.detail


def _failure(path: Path, message: str) -> BudgetDataError:
    return BudgetDataError([Problem(str(path), None, None, message)])
