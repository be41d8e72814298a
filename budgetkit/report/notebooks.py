"""The workbook notebooks executed on a budget or a collection (nbclient, a fresh kernel each) and
exported as HTML pages with nothing of the run's time in them."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from ..files import write_atomic
from ..messages import LANGUAGES, language, text
from ..schema import UNKNOWN_KIND
from .steps import Progress, ReportError, error_reason, module_present, skipped

__all__ = ["COLLECTION", "COLLECTION_NOTEBOOK_KINDS", "NOTEBOOK_KINDS", "PAIRED", "notebook_html", "notebook_parameters",
           "notebooks_dir", "notebooks_for", "run_notebooks"]


#: Notebooks executed at once (each in its own kernel); more than the cores only adds contention.
NOTEBOOK_WORKERS = 2


#: The kinds of document (``budget.document_kind``) each notebook on one document (``budget_path``) is
#: written for. 01–05 follow a budget's explanation section by section, so they speak of a budget (and
#: read a document of unknown kind, as they did before kinds were told apart); the findings (06) and the
#: official tables as read (08) are the same for either kind; 10 reads final accounts.
NOTEBOOK_KINDS = {
    "01-overview": ("budget", UNKNOWN_KIND),
    "02-income-and-expenditure": ("budget", UNKNOWN_KIND),
    "03-general-budget-appropriation": ("budget", UNKNOWN_KIND),
    "04-basic-expenditure-and-three-public": ("budget", UNKNOWN_KIND),
    "05-other-matters": ("budget", UNKNOWN_KIND),
    "06-drift": ("budget", "final-accounts", UNKNOWN_KIND),
    "08-official-tables": ("budget", "final-accounts", UNKNOWN_KIND),
    "10-final-accounts": ("final-accounts",),
}

#: What a collection (``collection_path``) can be to a notebook: any collection, or one that pairs a budget with its
#: final accounts (:func:`budgetkit.collection.execution_pairs`).
COLLECTION, PAIRED = "collection", "paired"

#: The kinds of collection each notebook on a collection is written for: 07 reads any; 09 holds each budget
#: against its final accounts, so it needs a pair.
COLLECTION_NOTEBOOK_KINDS = {
    "07-collection": (COLLECTION, PAIRED),
    "09-budget-against-outturn": (PAIRED,),
}


def notebooks_dir() -> Path | None:
    """The workbook notebooks beside the package (a source checkout); None when installed from a wheel."""
    folder = Path(__file__).resolve().parents[2] / "notebooks"
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
                raise ReportError("notebooks", text("report.notebook-failed", name=source.name,
                                                    reason=_notebook_reason(error))) from error
            _clean_notebook(nb)
            done += 1
            progress(text("report.notebook-done", done=done, count=len(sources), name=source.name,
                          seconds=f"{time.perf_counter() - started:.1f}"))
            return nb

    return await asyncio.gather(*(one(source) for source in sources))


def notebook_html(nb, name: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    if _TIMESTAMP.search(body):  # nothing of the run's time may reach the page
        body = _TIMESTAMP.sub("", body)
    return body


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


def notebooks_for(sources: list[Path], parameter: str, kind: str | None = None) -> list[Path]:
    """The notebooks of ``sources`` that take their input as ``parameter`` and, given the ``kind`` of
    document or collection that input is, are written for that kind (:data:`NOTEBOOK_KINDS`,
    :data:`COLLECTION_NOTEBOOK_KINDS`; one not listed, any kind)."""
    kinds = COLLECTION_NOTEBOOK_KINDS if parameter == "collection_path" else NOTEBOOK_KINDS
    return [source for source in sources if parameter in notebook_parameters(source)
            and (kind is None or kind in kinds.get(source.stem, (kind,)))]


def run_notebooks(path, out: Path, progress: Progress, parameter: str = "budget_path",
                  kind: str | None = None) -> tuple[list[Path], str]:
    """Execute the workbook notebooks into HTML pages: all of them on the bundled budget (``path``
    None); on another input (a path, or a list of paths for a collection) only those that take it
    as their ``parameter`` and, for a document of ``kind`` (budget, final-accounts), are written for it."""
    folder = notebooks_dir()
    if folder is None:
        return skipped(text("report.skip-no-notebooks-folder"))
    missing = [m for m in ("nbclient", "nbconvert", "nbformat", "ipykernel") if not module_present(m)]
    if missing:
        return skipped(text("report.skip-notebook-modules", modules=text("report.module-separator").join(missing)))
    sources = sorted(folder.glob("*.ipynb"))
    parameters = {}
    if path is not None:
        # relative to the notebooks' folder (their working directory): no absolute path in the pages
        def relative(one):
            return os.path.relpath(Path(one).resolve(), folder)

        parameters = {parameter: [relative(p) for p in path] if isinstance(path, list) else relative(path)}
        sources = notebooks_for(sources, parameter, kind)
    if language() != LANGUAGES[0]:  # the notebooks' own lang = "zh" would set Chinese again
        parameters["lang"] = language()
    workers = max(1, min(NOTEBOOK_WORKERS, os.cpu_count() or 1))
    executed = _run_coroutine(_execute_all(sources, parameters, workers, progress))
    files = []
    for source, nb in zip(sources, executed):
        try:
            page = notebook_html(nb, source.stem)
        except Exception as error:  # noqa: BLE001
            raise ReportError("notebooks", text("report.notebook-export-failed", name=source.name,
                                                reason=error_reason(error))) from error
        files.append(write_atomic(out / "notebooks" / f"{source.stem}.html", page))
    return files, text("report.files-written", count=len(files))


def _notebook_reason(error: BaseException) -> str:
    name = type(error).__name__
    if name == "CellExecutionError":  # the failing cell's error, not the whole traceback
        return text("report.notebook-cell-failed", error=error.ename, message=error.evalue)
    return error_reason(error)
