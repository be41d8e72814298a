"""``budgetkit report``: every output of a budget written into one folder, byte-identical run to run.

Steps, each announced on stderr and each failing with its own name and reason:

1. load and audit the budget;
2. the audit as ``audit.md`` / ``audit.html`` (failures first, by verdict; then the passes) and as
   ``findings.csv`` / ``findings.json``;
3. ``charts/<name>.png|svg|pdf`` for every chart of :data:`budgetkit.charts.CHARTS`;
4. ``tables/<name>.csv`` for every table of :data:`budgetkit.tables.TABLES`;
5. ``<slug>.xlsx``: the official tables with live formulas (:mod:`budgetkit.xlsx`);
6. ``notebooks/<name>.html``: the workbook notebooks executed on this budget and exported.

Every file is written under a temporary name in its own folder and renamed into place
(``os.replace``), so a failed step never leaves a file that looks complete.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .model import Budget

__all__ = [
    "ReportError",
    "ReportResult",
    "STEPS",
    "audit_html",
    "audit_markdown",
    "notebooks_dir",
    "run_report",
    "table_csv",
    "write_atomic",
]

STEPS = ("load and audit", "audit report", "charts", "tables", "workbook", "notebooks")
CHART_FORMATS = ("png", "svg", "pdf")
CHART_DPI = 200
#: Notebooks executed at once (each in its own kernel); more than the cores only adds contention.
NOTEBOOK_WORKERS = 2


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


# -- writing -------------------------------------------------------------------------------------------------

def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _file_mode() -> int:
    """The mode a plain ``open()`` would give (temporary files are created 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _plain(value) -> str:
    """A cell as text: exact decimals without a float detour; missing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return " ".join(_plain(v) for v in value)
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def table_csv(frame: pd.DataFrame) -> str:
    """A table as UTF-8 CSV; text cells a spreadsheet would run as formulas are quoted (``'=…``)."""
    from .cli import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    numeric = {c for c in frame.columns if not (frame[c].dtype == object or str(frame[c].dtype) in ("str", "string"))}
    for row in frame.itertuples(index=False):
        writer.writerow([_plain(value) if column in numeric else safe_cell(_plain(value))
                         for column, value in zip(frame.columns, row)])
    return buffer.getvalue()


# -- the audit, for reading ----------------------------------------------------------------------------------

def _ordered_failures(findings: pd.DataFrame) -> list[tuple[str, list[dict]]]:
    from .audit import VERDICTS
    from .cli import _records

    records = _records(findings)
    groups = []
    for verdict in reversed(VERDICTS[1:]):
        chosen = [r for r in records if r["verdict"] == verdict]
        if chosen:
            groups.append((verdict, chosen))
    return groups


def _passes(findings: pd.DataFrame) -> list[dict]:
    from .cli import _records

    return [r for r in _records(findings) if r["verdict"] == "consistent"]


def _summary_line(findings: pd.DataFrame) -> str:
    from .audit import VERDICTS

    counts = findings["verdict"].astype(str).value_counts()
    return f"{len(findings)} evaluations: " + ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)


def _figures(record: dict) -> str:
    unit = record.get("unit") or ""
    parts = []
    for key, name in (("stated", "stated"), ("computed", "computed"), ("difference", "difference")):
        if record.get(key) is not None:
            parts.append(f"{name} {record[key]}{unit}")
    return "; ".join(parts)


def _md(text: str | None) -> str:
    """Document text inside Markdown: no HTML, no table breaks, no emphasis by accident."""
    if not text:
        return ""
    text = html.escape(text, quote=False).replace("|", "\\|")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text).replace("\\\\|", "\\|")


def finding_markdown(r: dict, title: str, level: str) -> list[str]:
    """One finding (a record of ``cli._records``) as Markdown lines under a heading ``title``."""
    where = " ".join(p for p in (r["section"], r["claim_id"]) if p)
    lines = [f"{level} {title}. {_md(r['rule'])} — {_md(where)} {_md(r['label'])}".rstrip(), ""]
    if r["quote"]:
        lines += [f"> “{_md(r['quote'])}”", ""]
    lines += [_md(r["explanation"]), ""]
    details = [d for d in (_figures(r), f"inputs {r['inputs']}" if r["inputs"] else "") if d]
    if details:
        lines.append("- " + "; ".join(_md(d) for d in details))
    if r["reason"]:
        lines.append(f"- rule: {_md(r['reason'])}")
    return lines + [""]


def _limits(budget: Budget) -> list[str]:
    """What a check of a document could not do (budgetkit.extract's report); nothing for a data package."""
    return budget.extraction.limits() if getattr(budget, "extraction", None) is not None else []


def audit_markdown(budget: Budget, findings: pd.DataFrame) -> str:
    """The audit for people: failures by verdict, worst first, each with section, quote and why;
    then the ledger of the evaluations that passed."""
    lines = [f"# 审核报告 Audit — {_md(budget.department)} {budget.year}", "",
             f"{_summary_line(findings)}.", ""]
    if limits := _limits(budget):  # a document: what could not be checked, before any verdict
        lines += ["## 未检查 Not checked", "", *(f"- {_md(line.strip())}" if not line.startswith("  ") else
                                                 f"  - {_md(line.strip())}" for line in limits), ""]
    for verdict, records in _ordered_failures(findings):
        lines += [f"## {verdict} ({len(records)})", ""]
        for number, r in enumerate(records, start=1):
            lines += finding_markdown(r, f"{verdict} {number}", "###")
    passes = _passes(findings)
    lines += [f"## consistent ({len(passes)})", "", "| rule | section | claim | stated | computed | explanation |",
              "|---|---|---|---:|---:|---|"]
    for r in passes:
        lines.append("| " + " | ".join(_md(v or "") for v in (
            r["rule"], r["section"], r["claim_id"], (r["stated"] or "") + (r["unit"] or "" if r["stated"] else ""),
            r["computed"] or "", r["explanation"])) + " |")
    lines.append("")
    return "\n".join(lines)


_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #ccc; }
.finding { border-left: 6px solid #999; padding: 0.4rem 0.8rem; margin: 0.8rem 0; background: #fafafa; }
.drift { border-color: #c0392b; background: #fbdada; } .semantic { border-color: #d68910; background: #ffe6cc; }
.text { border-color: #b7950b; background: #fff6d5; } .rounding { border-color: #2e86c1; background: #e8f1fb; }
.finding h3 { margin: 0.2rem 0; font-size: 1.05rem; } .where { color: #555; font-weight: normal; }
blockquote { margin: 0.4rem 0; padding-left: 0.8rem; border-left: 3px solid #bbb; color: #333; }
.figures { font-family: monospace; } .rule { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.4rem; vertical-align: top; } th { background: #eef; }
td.num { text-align: right; font-family: monospace; white-space: nowrap; }
""".strip()


def finding_html(r: dict, title: str) -> list[str]:
    """One finding as a block of HTML lines, every text escaped."""
    e = html.escape
    where = " ".join(p for p in (r["section"], r["claim_id"]) if p)
    out = [f'<div class="finding {e(r["verdict"])}">',
           f"<h3>{e(title)}. {e(r['rule'])} <span class=\"where\">{e(where)} {e(r['label'] or '')}</span></h3>"]
    if r["quote"]:
        out.append(f"<blockquote>“{e(r['quote'])}”</blockquote>")
    out.append(f"<p>{e(r['explanation'] or '')}</p>")
    figures = _figures(r)
    if figures or r["inputs"]:
        out.append(f'<p class="figures">{e(figures)}{"; inputs " + e(r["inputs"]) if r["inputs"] else ""}</p>')
    if r["reason"]:
        out.append(f'<p class="rule">rule: {e(r["reason"])}</p>')
    return out + ["</div>"]


def audit_html(budget: Budget, findings: pd.DataFrame) -> str:
    """The same report as :func:`audit_markdown`, as one self-contained page; all text escaped."""
    e = html.escape
    title = f"审核报告 Audit — {budget.department} {budget.year}"
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(title)}</title>", f"<style>\n{_CSS}\n</style>", "</head>", "<body>",
           f"<h1>{e(title)}</h1>", f"<p>{e(_summary_line(findings))}.</p>"]
    if limits := _limits(budget):
        out += ['<h2 id="not-checked">未检查 Not checked</h2>', "<ul>",
                *(f"<li>{e(line.strip())}</li>" for line in limits), "</ul>"]
    groups = _ordered_failures(findings)
    if groups:
        out.append("<nav><ul>" + "".join(f'<li><a href="#{v}">{e(v)} ({len(rs)})</a></li>' for v, rs in groups)
                   + '<li><a href="#consistent">consistent</a></li></ul></nav>')
    for verdict, records in groups:
        out.append(f'<h2 id="{verdict}">{e(verdict)} ({len(records)})</h2>')
        for number, r in enumerate(records, start=1):
            out += finding_html(r, f"{verdict} {number}")
    passes = _passes(findings)
    out.append(f'<h2 id="consistent">consistent ({len(passes)})</h2>')
    out.append("<table><thead><tr><th>rule</th><th>section</th><th>claim</th><th>stated</th><th>computed</th>"
               "<th>explanation</th></tr></thead><tbody>")
    for r in passes:
        stated = (r["stated"] or "") + ((r["unit"] or "") if r["stated"] else "")
        out.append(f"<tr><td>{e(r['rule'])}</td><td>{e(r['section'] or '')}</td><td>{e(r['claim_id'] or '')}</td>"
                   f'<td class="num">{e(stated)}</td><td class="num">{e(r["computed"] or "")}</td>'
                   f"<td>{e(r['explanation'] or '')}</td></tr>")
    out += ["</tbody></table>", "</body>", "</html>", ""]
    return "\n".join(out)


# -- notebooks -----------------------------------------------------------------------------------------------

def notebooks_dir() -> Path | None:
    """The workbook notebooks beside the package (a source checkout); None when installed from a wheel."""
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    return folder if folder.is_dir() and any(folder.glob("*.ipynb")) else None


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")


def _clean_notebook(nb) -> None:
    """Drop what differs between runs: papermill's and nbclient's timings."""
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)


def notebook_parameters(source: Path) -> set[str]:
    """The names a notebook's cell tagged ``parameters`` assigns (papermill's convention)."""
    import json

    cells = json.loads(source.read_text(encoding="utf-8")).get("cells", [])
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    text = "".join("".join(c.get("source", "")) for c in tagged)
    return set(re.findall(r"^([A-Za-z_]\w*)\s*=", text, flags=re.M))


def _with_parameters(nb, parameters: dict):
    """The notebook with ``parameters`` set in a cell after the one tagged ``parameters``
    (tagged ``injected-parameters``, as papermill does); none given: the notebook unchanged."""
    import nbformat

    if not parameters:
        return nb
    assignments = "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(f"# Parameters\n{assignments}")
    cell.metadata["tags"] = ["injected-parameters"]
    cell["id"] = "injected-parameters"  # nbformat would draw a random id
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)
    return nb


async def _execute_all(sources: list[Path], parameters: dict, workers: int, progress: Progress) -> list:
    """Execute the notebooks, ``workers`` at a time, each in a fresh kernel whose own log lines
    (not the cells' output) are kept off the terminal."""
    import asyncio
    import subprocess

    import nbformat
    from nbclient import NotebookClient

    gate = asyncio.Semaphore(workers)
    done = 0

    async def one(source: Path):
        nonlocal done
        async with gate:
            started = time.perf_counter()
            nb = _with_parameters(nbformat.read(source, as_version=4), parameters)
            client = NotebookClient(nb, timeout=600, kernel_name=nb.metadata.get("kernelspec", {}).get(
                "name", "python3"), resources={"metadata": {"path": str(source.parent)}}, record_timing=False)
            try:
                await client.async_execute(stderr=subprocess.DEVNULL)
            except Exception as error:  # noqa: BLE001
                raise ReportError("notebooks", f"{source.name}: {_notebook_reason(error)}") from error
            _clean_notebook(nb)
            done += 1
            progress(f"    {done}/{len(sources)} {source.name} ({time.perf_counter() - started:.1f} s)")
            return nb

    return await asyncio.gather(*(one(source) for source in sources))


def notebook_html(nb, name: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    if _TIMESTAMP.search(body):  # nothing of the run's time may reach the page
        body = _TIMESTAMP.sub("", body)
    return body


# -- steps -------------------------------------------------------------------------------------------------

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _step_label(step: str) -> str:
    return f"[{STEPS.index(step) + 1}/{len(STEPS)}] {step}"


def _reason(error: BaseException) -> str:
    """One line: the error and where it was raised (the innermost frame), never a traceback."""
    where = ""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" (at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})"
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}{where}"


def _module_present(name: str) -> bool:
    import importlib.util

    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _call_with_findings(function, budget, findings):
    import inspect

    try:
        accepts = len(inspect.signature(function).parameters) >= 2
    except (TypeError, ValueError):
        accepts = False
    return function(budget, findings) if accepts else function(budget)


def _run_coroutine(coroutine):
    """Run ``coroutine`` to completion, also when the caller's thread already runs an event loop
    (a notebook, or a test session that drives a browser): then it runs on a thread of its own."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_report(path: str | Path | None = None, out: str | Path = "out", notebooks: bool = True,
               progress: Progress = _stderr) -> ReportResult:
    """Write every output of the budget at ``path`` (the bundled one when None) into ``out``.

    Raises :class:`~budgetkit.schema.BudgetDataError` for unreadable input and
    :class:`ReportError` (naming the step) when a step fails.
    """
    from .audit import VERDICTS
    from .extract import load_or_extract

    out = Path(out)
    result = ReportResult(out=out)

    def begin(step: str) -> float:
        if step == "notebooks" and notebooks:  # the slow one: say it started
            progress(f"{_step_label(step)} … executing each notebook on the budget")
        return time.perf_counter()

    def done(step: str, started: float, detail: str) -> None:
        result.seconds[step] = time.perf_counter() - started
        progress(f"{_step_label(step)} … {detail} ({result.seconds[step]:.1f} s)")

    step = STEPS[0]
    started = begin(step)
    budget = load_or_extract(path)  # a package or a document; BudgetDataError passes through: bad input, exit 2
    try:
        findings = budget.audit()
    except Exception as error:  # noqa: BLE001 - reported with the step's name
        from .audit import RulesError

        if isinstance(error, RulesError):
            raise
        raise ReportError(step, _reason(error)) from error
    result.department, result.year = budget.department, budget.year
    counts = findings["verdict"].astype(str).value_counts()
    result.verdict_counts = {v: int(counts.get(v, 0)) for v in VERDICTS}
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(step, f"cannot write into {out}: {error.strerror or error}") from error
    done(step, started, f"{len(budget.claims)} stated figures, {len(findings)} evaluations")

    steps: list[tuple[str, Callable[[], tuple[list[Path], str]]]] = [
        ("audit report", lambda: _audit_files(budget, findings, out)),
        ("charts", lambda: _charts(budget, out)),
        ("tables", lambda: _tables(budget, findings, out)),
        ("workbook", lambda: _workbook(budget, findings, out)),
        ("notebooks", lambda: _notebooks(path, out, progress) if notebooks else ([], "skipped (--no-notebooks)")),
    ]
    run_steps(result, steps, begin, done)
    return result


def run_steps(result: ReportResult, steps: list[tuple[str, Callable[[], tuple[list[Path], str]]]],
              begin: Callable[[str], float], done: Callable[[str, float, str], None]) -> None:
    """Run report steps in order; each records its files in ``result`` and fails as a
    :class:`ReportError` naming the step, with a one-line reason and no traceback."""
    for step, action in steps:
        started = begin(step)
        try:
            files, detail = action()
        except ReportError:
            raise
        except Exception as error:  # noqa: BLE001 - reported with the step's name, no traceback
            raise ReportError(step, _reason(error)) from error
        result.files[step] = files
        if not files and detail.startswith("skipped"):
            result.skipped[step] = detail.removeprefix("skipped").strip(" ()")
        done(step, started, detail)


def _audit_files(budget, findings, out: Path) -> tuple[list[Path], str]:
    from .cli import findings_csv, findings_json

    files = [write_atomic(out / "audit.md", audit_markdown(budget, findings)),
             write_atomic(out / "audit.html", audit_html(budget, findings)),
             write_atomic(out / "findings.csv", findings_csv(findings)),
             write_atomic(out / "findings.json", findings_json(findings))]
    return files, f"{len(files)} files"


def _charts(budget, out: Path) -> tuple[list[Path], str]:
    if not _module_present("budgetkit.charts"):
        return [], "skipped (budgetkit.charts is not in this installation)"
    import shutil

    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the environment says

    from . import charts

    target = out / "charts"
    target.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    # charts.save writes the files itself: let it write into a scratch folder beside the
    # target, then move each finished file into place
    scratch = Path(tempfile.mkdtemp(prefix=".charts.", dir=out))
    try:
        for name, make in charts.CHARTS.items():
            try:
                figure = make(budget)
            except Exception as error:  # noqa: BLE001
                raise ReportError("charts", f"chart {name!r}: {_reason(error)}") from error
            try:
                written = charts.save(figure, scratch / name, formats=CHART_FORMATS, dpi=CHART_DPI)
            finally:
                if getattr(figure.canvas, "manager", None) is not None:  # made through pyplot: release it
                    import matplotlib.pyplot as plt

                    plt.close(figure)
            for path in written:
                destination = target / Path(path).name
                os.chmod(path, _file_mode())
                os.replace(path, destination)
                files.append(destination)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return files, f"{len(charts.CHARTS)} charts, {len(files)} files"


def _tables(budget, findings, out: Path) -> tuple[list[Path], str]:
    from .tables import TABLES

    files = []
    for name, make in TABLES.items():
        try:
            frame = _call_with_findings(make, budget, findings)
        except Exception as error:  # noqa: BLE001
            raise ReportError("tables", f"table {name!r}: {_reason(error)}") from error
        files.append(write_atomic(out / "tables" / f"{name}.csv", table_csv(frame)))
    return files, f"{len(files)} files"


def _workbook(budget, findings, out: Path) -> tuple[list[Path], str]:
    from .xlsx import workbook_bytes, workbook_name

    data, layout = workbook_bytes(budget, findings)
    path = write_atomic(out / workbook_name(budget), data)
    stated = sum(1 for p in layout.placements if p.role == "stated")
    formulas = len(layout.placements) - stated
    return [path], f"{path.name}: {len(layout.sheets)} sheets, {stated} stated figures, {formulas} formulas"


def _notebooks(path, out: Path, progress: Progress, parameter: str = "budget_path") -> tuple[list[Path], str]:
    """Execute the workbook notebooks into HTML pages: all of them on the bundled budget (``path``
    None); on another input (a path, or a list of paths for a collection) only those that take it
    as their ``parameter``."""
    folder = notebooks_dir()
    if folder is None:
        return [], "skipped (no notebooks/ folder beside the package: run from a source checkout)"
    missing = [m for m in ("nbclient", "nbconvert", "nbformat", "ipykernel") if not _module_present(m)]
    if missing:
        return [], f"skipped ({', '.join(missing)} not installed: pip install 'budgetkit[dev]')"
    sources = sorted(folder.glob("*.ipynb"))
    parameters = {}
    if path is not None:
        # relative to the notebooks' folder (their working directory): no absolute path in the pages
        def relative(one):
            return os.path.relpath(Path(one).resolve(), folder)

        parameters = {parameter: [relative(p) for p in path] if isinstance(path, list) else relative(path)}
        sources = [source for source in sources if parameter in notebook_parameters(source)]
    workers = max(1, min(NOTEBOOK_WORKERS, os.cpu_count() or 1))
    executed = _run_coroutine(_execute_all(sources, parameters, workers, progress))
    files = []
    for source, nb in zip(sources, executed):
        try:
            page = notebook_html(nb, source.stem)
        except Exception as error:  # noqa: BLE001
            raise ReportError("notebooks", f"{source.name}: export to HTML: {_reason(error)}") from error
        files.append(write_atomic(out / "notebooks" / f"{source.stem}.html", page))
    return files, f"{len(files)} files"


def _notebook_reason(error: BaseException) -> str:
    name = type(error).__name__
    if name == "CellExecutionError":  # the failing cell's error, not the whole traceback
        return f"a cell raised {error.ename}: {error.evalue}"
    return _reason(error)


# -- the summary ---------------------------------------------------------------------------------------------

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
