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
from ..messages import text, verdict_name

__all__ = ["OutputFolderError", "Progress", "ReportError", "ReportResult", "STEPS", "Skipped", "error_reason",
           "module_present", "run_steps", "skipped", "step_name", "stderr_progress", "summary", "verdict_counts_text"]

#: The steps, by their stable keys (``ReportError.step``, ``ReportResult.files``' keys); users read
#: them as :func:`step_name` gives them.
STEPS = ("load-and-audit", "audit-report", "charts", "tables", "workbook", "annotated-pdf", "notebooks")

Progress = Callable[[str], None]
#: A step: the files it wrote and one line saying what they are (a :class:`Skipped` reason when it wrote none).
Step = Callable[[], tuple[list[Path], str]]


class Skipped(str):
    """Why a step wrote nothing (as the user reads it): what a skipped step returns beside no files."""


def skipped(reason: str) -> tuple[list[Path], Skipped]:
    """What a step returns when it writes nothing: no files, and why (a message, in the user's language)."""
    return [], Skipped(reason)


def step_name(step: str) -> str:
    """A step's name as the user reads it (读取并审核 for ``load-and-audit``)."""
    return text(f"report.step-{step}") if step in STEPS else step


class ReportError(RuntimeError):
    """A step of the report failed; says which step and why."""

    def __init__(self, step: str, reason: str):
        self.step, self.reason = step, reason
        number = STEPS.index(step) + 1 if step in STEPS else 0
        super().__init__(text("report.step-failed", number=number, count=len(STEPS), step=step_name(step),
                              reason=reason))


class OutputFolderError(ValueError):
    """The folder a report is to be written into cannot be one: a file is in its place, or it cannot be made.
    ``message`` names the folder and says why."""

    def __init__(self, folder: Path, message: str):
        self.folder, self.reason = folder, message
        super().__init__(message)


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
    return f"[{STEPS.index(step) + 1}/{len(STEPS)}] {step_name(step)}"


def error_reason(error: BaseException) -> str:
    """One line: the error and where it was raised (the innermost frame), never a traceback."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    message = str(error).strip().splitlines()
    fields = {"error": type(error).__name__, "message": message[0] if message else ""}
    if tb is None:
        return text("report.error-reason-nowhere", **fields)
    return text("report.error-reason", file=Path(tb.tb_frame.f_code.co_filename).name, line=tb.tb_lineno, **fields)


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
        progress(text("report.step-starts", label=_step_label(step), what=announce[step]))
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
    if not files and isinstance(detail, Skipped):
        result.skipped[step] = str(detail)
        detail = text("report.step-skipped", reason=detail)
    result.seconds[step] = time.perf_counter() - started
    progress(text("report.step-done", label=_step_label(step), detail=detail, seconds=f"{result.seconds[step]:.1f}"))


def refuse_a_file_as_folder(out: Path) -> None:
    """Raise :class:`OutputFolderError` when ``out``, or the nearest of its parents that exists, is not a folder."""
    for path in (out, *out.parents):
        if path.exists() or path.is_symlink():
            if path.is_dir():
                return
            if path == out:
                raise OutputFolderError(out, text("report.out-is-a-file", folder=out))
            raise OutputFolderError(out, text("report.out-parent-is-a-file", folder=out, parent=path))


def open_output_folder(out: Path, progress: Progress) -> Manifest:
    """Make ``out`` and read the manifest of the report written there before (an empty one when none was)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(out, text("report.out-cannot-be-made", folder=out,
                                          reason=error.strerror or error)) from error
    earlier = read_manifest(out)
    if earlier is None:
        progress(text("report.manifest-unreadable", manifest=out / MANIFEST))
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


def _width(words: str) -> int:
    """Columns ``words`` take in a terminal: a Chinese character two, others one."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in words)


def _padded(words: str, width: int = 13) -> str:
    return words + " " * max(0, width - _width(words))


def _files(count: int) -> str:
    return text("report.summary-one-file" if count == 1 else "report.summary-files", count=count)


def _removed_line(result: ReportResult) -> str:
    """The earlier report's files this one removed, where they were and whose they were."""
    removed = result.removed
    where = _places(result.out, removed)
    whose = (text("report.summary-removed-whose-titled", places=where, title=result.replaced) if result.replaced
             else text("report.summary-removed-whose", places=where))
    return f"  {_padded(text('report.summary-removed'))} {_files(len(removed))} {'':>9}  {whose}"


def _places(out: Path, files: list[Path]) -> str:
    """Where ``files`` are: those directly in ``out`` by name, the others by their folder, once each."""
    names = [str(p) for p in files if p.parent == out]
    folders = sorted({p.parent.relative_to(out).as_posix() for p in files if p.parent != out})
    return text("report.place-separator").join(names + [f"{out / folder}/" for folder in folders])


def verdict_counts_text(counts: dict[str, int]) -> str:
    """``共核对 66 项：一致 46 项，…``: how many evaluations got each verdict, in the verdicts' order."""
    listed = text("report.count-separator").join(text("report.verdict-count", verdict=verdict_name(v), count=n)
                                                  for v, n in counts.items())
    return text("report.summary-line", count=sum(counts.values()), counts=listed)


def summary(result: ReportResult) -> str:
    """What was written where: relative paths, counts and sizes; what was skipped and why."""
    out = result.out
    lines = [text("report.summary-title", title=result.title or f"{result.department} {result.year}", out=out)]
    total_files = total_bytes = 0
    for step in STEPS[1:]:
        files = result.files.get(step, [])
        if step in result.skipped:
            lines.append(f"  {_padded(step_name(step))} {text('report.summary-skipped', reason=result.skipped[step])}")
            continue
        size = sum(p.stat().st_size for p in files)
        total_files += len(files)
        total_bytes += size
        lines.append(f"  {_padded(step_name(step))} {_files(len(files))} {_size(size):>9}  {_places(out, files)}")
    lines.append(f"  {_padded(text('report.summary-total'))} {text('report.summary-files', count=total_files)} "
                 f"{_size(total_bytes):>9}")
    if result.removed:
        lines.append(_removed_line(result))
    for path in result.kept:
        lines.append(f"  {_padded(text('report.summary-kept'))} {text('report.summary-kept-why', path=path)}")
    lines.append(text("report.summary-audit", summary=verdict_counts_text(result.verdict_counts),
                      page=out / "audit.html"))
    return "\n".join(lines) + "\n"
