"""The steps of a report, run in order by one runner: each announced, timed and failing with its
own name and a one-line reason (never a traceback); and the summary of what was written.

The runner owns the output folder: it refuses a file in its place before anything is read, makes it
once the input is loaded, and ends every run that wrote into it — whole or failed — by listing what
this run wrote in the folder's manifest (:data:`budgetkit.files.MANIFEST`) and removing what the
earlier report there wrote and this one did not: the folder never mixes two reports, and no file
budgetkit did not write (or that was changed since) is removed.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..files import MANIFEST, Manifest, read_manifest, recording_writes, remove_earlier_files, write_manifest

__all__ = ["OutputFolderError", "Progress", "ReportError", "ReportResult", "STEPS", "error_reason", "module_present",
           "run_steps", "stderr_progress", "summary"]

STEPS = ("load and audit", "audit report", "charts", "tables", "workbook", "annotated PDF", "notebooks")

Progress = Callable[[str], None]
#: A step: the files it wrote and one line saying what they are ("skipped (why)" when it wrote none).
Step = Callable[[], tuple[list[Path], str]]


class ReportError(RuntimeError):
    """A step of the report failed; says which step and why."""

    def __init__(self, step: str, reason: str):
        self.step, self.reason = step, reason
        number = STEPS.index(step) + 1 if step in STEPS else 0
        super().__init__(f"step {number}/{len(STEPS)} ({step}) failed: {reason}")


class OutputFolderError(ValueError):
    """The folder a report is to be written into cannot be one: a file is in its place, or it cannot be made."""

    def __init__(self, folder: Path, reason: str):
        self.folder, self.reason = folder, reason
        super().__init__(f"{folder} {reason}")


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
    replaced: str = ""  # what the earlier report in the folder was of, when it wrote files this one did not
    removed: list[Path] = field(default_factory=list)  # its files that this report does not write
    kept: list[Path] = field(default_factory=list)  # its files left because they were changed since

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
    """Run report steps in order, the first loading the input and the others writing into
    ``result.out``; each records its files in ``result`` and fails as a :class:`ReportError` naming
    the step, with a one-line reason and no traceback. Input that cannot be read (BudgetDataError),
    unusable rules (RulesError) and an output folder that cannot be one (:class:`OutputFolderError`)
    pass through as they are. ``announce``: steps slow enough to say when they start, with what they do."""
    refuse_a_file_as_folder(result.out)  # before the input is read: a typo in --out should not wait for it
    (load_step, load), *writing = steps
    _run_step(result, load_step, load, progress, announce or {})
    earlier = open_output_folder(result.out, progress)
    with recording_writes() as written:
        try:
            for step, action in writing:
                _run_step(result, step, action, progress, announce or {})
        except BaseException:
            with contextlib.suppress(OSError):  # the step's own error is the one to report
                settle_output_folder(result, earlier, written)
            raise
        settle_output_folder(result, earlier, written)


def _run_step(result: ReportResult, step: str, action: Step, progress: Progress, announce: dict[str, str]) -> None:
    from ..audit import RulesError
    from ..schema import BudgetDataError

    if step in announce:
        progress(f"{_step_label(step)} … {announce[step]}")
    started = time.perf_counter()
    try:
        files, detail = action()
    except ReportError as error:
        if error.step != step:  # raised by a helper of another step's: name the step that failed
            raise ReportError(step, error.reason) from error
        raise
    except (BudgetDataError, RulesError, OutputFolderError):
        raise
    except Exception as error:  # noqa: BLE001 - reported with the step's name, no traceback
        raise ReportError(step, error_reason(error)) from error
    result.files[step] = files
    if not files and detail.startswith("skipped"):
        result.skipped[step] = detail.removeprefix("skipped").strip(" ()")
    result.seconds[step] = time.perf_counter() - started
    progress(f"{_step_label(step)} … {detail} ({result.seconds[step]:.1f} s)")


def refuse_a_file_as_folder(out: Path) -> None:
    """Raise :class:`OutputFolderError` when ``out``, or the nearest of its parents that exists, is not a folder."""
    for path in (out, *out.parents):
        if path.exists() or path.is_symlink():
            if path.is_dir():
                return
            if path == out:
                raise OutputFolderError(out, "is a file, not a folder: name a folder (new or existing) "
                                             "to write the report into")
            raise OutputFolderError(out, f"cannot be made: {path} is a file, not a folder")


def open_output_folder(out: Path, progress: Progress) -> Manifest:
    """Make ``out`` and read the manifest of the report written there before (an empty one when none was)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(out, f"cannot be made: {error.strerror or error}") from error
    earlier = read_manifest(out)
    if earlier is None:
        progress(f"    {out / MANIFEST} cannot be read: the files it names are left as they are, "
                 "and it is written anew")
        return Manifest()
    return earlier


def settle_output_folder(result: ReportResult, earlier: Manifest, written: list[Path]) -> None:
    """List in the folder's manifest what this run wrote, and remove what the earlier report there
    wrote and this one did not (unless changed since)."""
    mine = [*written, *result.all_files()]  # files a step moved into place itself are in its list
    title = result.title or f"{result.department} {result.year}"
    manifest = write_manifest(result.out, mine, title)
    result.removed, result.kept = remove_earlier_files(result.out, earlier, set(manifest.files))
    if result.removed or result.kept:
        result.replaced = earlier.title


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def _removed_line(result: ReportResult) -> str:
    """The earlier report's files this one removed, where they were and whose they were."""
    removed = result.removed
    noun = "file " if len(removed) == 1 else "files"
    of = f" ({result.replaced})" if result.replaced else ""
    where = _places(result.out, removed)
    return f"  {'removed':<13} {len(removed):>3} {noun} {'':>9}  {where}: of the earlier report{of}"


def _places(out: Path, files: list[Path]) -> str:
    """Where ``files`` are: those directly in ``out`` by name, the others by their folder, once each."""
    names = [str(p) for p in files if p.parent == out]
    folders = sorted({p.parent.relative_to(out).as_posix() for p in files if p.parent != out})
    return ", ".join(names + [f"{out / folder}/" for folder in folders])


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
        noun = "file " if len(files) == 1 else "files"
        lines.append(f"  {step:<13} {len(files):>3} {noun} {_size(size):>9}  {_places(out, files)}")
    lines.append(f"  {'total':<13} {total_files:>3} files {_size(total_bytes):>9}")
    if result.removed:
        lines.append(_removed_line(result))
    for path in result.kept:
        lines.append(f"  {'kept':<13} {path}: written by an earlier report, changed since (or not removable), "
                     "so left as it is")
    counts = ", ".join(f"{n} {v}" for v, n in result.verdict_counts.items())
    lines.append(f"audit: {sum(result.verdict_counts.values())} evaluations: {counts} "
                 f"(read {out / 'audit.html'})")
    return "\n".join(lines) + "\n"
