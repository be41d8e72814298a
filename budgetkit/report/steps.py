"""The steps of a report, run in order by one runner: each announced, timed and failing with its
own name and a one-line reason (never a traceback); and the summary of what was written."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Progress", "ReportError", "ReportResult", "STEPS", "error_reason", "module_present", "run_steps",
           "stderr_progress", "summary"]

STEPS = ("load and audit", "audit report", "charts", "tables", "workbook", "notebooks")

Progress = Callable[[str], None]
#: A step: the files it wrote and one line saying what they are ("skipped (why)" when it wrote none).
Step = Callable[[], tuple[list[Path], str]]


class ReportError(RuntimeError):
    """A step of the report failed; says which step and why."""

    def __init__(self, step: str, reason: str):
        self.step, self.reason = step, reason
        number = STEPS.index(step) + 1 if step in STEPS else 0
        super().__init__(f"step {number}/{len(STEPS)} ({step}) failed: {reason}")


@dataclass
class ReportResult:
    out: Path
    title: str = ""  # what was reported on: "<department> <year>", or a collection's size
    department: str = ""
    year: int = 0
    verdict_counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)  # step -> files written (absolute)
    skipped: dict[str, str] = field(default_factory=dict)  # step -> why
    seconds: dict[str, float] = field(default_factory=dict)
    problems: int = 0  # a collection's sources that could not be read

    def all_files(self) -> list[Path]:
        return [path for paths in self.files.values() for path in paths]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _step_label(step: str) -> str:
    return f"[{STEPS.index(step) + 1}/{len(STEPS)}] {step}"


def error_reason(error: BaseException) -> str:
    """One line: the error and where it was raised (the innermost frame), never a traceback."""
    where = ""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" (at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})"
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}{where}"


def module_present(name: str) -> bool:
    import importlib.util

    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def run_steps(result: ReportResult, steps: list[tuple[str, Step]], progress: Progress,
              announce: dict[str, str] | None = None) -> None:
    """Run report steps in order; each records its files in ``result`` and fails as a
    :class:`ReportError` naming the step, with a one-line reason and no traceback. Input that
    cannot be read (BudgetDataError) and unusable rules (RulesError) pass through as they are.
    ``announce``: steps slow enough to say when they start, with what they do."""
    from ..audit import RulesError
    from ..schema import BudgetDataError

    for step, action in steps:
        if step in (announce or {}):
            progress(f"{_step_label(step)} … {announce[step]}")
        started = time.perf_counter()
        try:
            files, detail = action()
        except (ReportError, BudgetDataError, RulesError):
            raise
        except Exception as error:  # noqa: BLE001 - reported with the step's name, no traceback
            raise ReportError(step, error_reason(error)) from error
        result.files[step] = files
        if not files and detail.startswith("skipped"):
            result.skipped[step] = detail.removeprefix("skipped").strip(" ()")
        result.seconds[step] = time.perf_counter() - started
        progress(f"{_step_label(step)} … {detail} ({result.seconds[step]:.1f} s)")


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def summary(result: ReportResult) -> str:
    """What was written where: relative paths, counts and sizes; what was skipped and why."""
    out = result.out
    lines = [f"budgetkit report — {result.title or f'{result.department} {result.year}'} → {out}/"]
    total_files = total_bytes = 0
    for step in STEPS[1:]:
        files = result.files.get(step, [])
        if step in result.skipped:
            lines.append(f"  {step:<13} skipped: {result.skipped[step]}")
            continue
        size = sum(p.stat().st_size for p in files)
        total_files += len(files)
        total_bytes += size
        folders = sorted({str(p.parent.relative_to(out)) for p in files})
        where = ", ".join(str(out / p.relative_to(out)) if p.parent == out else "" for p in files).strip(", ")
        where = ", ".join([w for w in where.split(", ") if w] + [f"{out / f}/" for f in folders if f != "."])
        noun = "file " if len(files) == 1 else "files"
        lines.append(f"  {step:<13} {len(files):>3} {noun} {_size(size):>9}  {where}")
    lines.append(f"  {'total':<13} {total_files:>3} files {_size(total_bytes):>9}")
    counts = ", ".join(f"{n} {v}" for v, n in result.verdict_counts.items())
    lines.append(f"audit: {sum(result.verdict_counts.values())} evaluations: {counts} "
                 f"(read {out / 'audit.html'})")
    return "\n".join(lines) + "\n"
