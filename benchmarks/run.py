"""budgetkit benchmarks: ratios measured side by side in one run, targets beside them.

    python benchmarks/run.py                  # everything (make bench)
    python benchmarks/run.py --quick          # fewer repeats, smaller collections
    python benchmarks/run.py --only import,audit

Every timing is taken in a fresh process (``subprocess``), the best of several runs, with its
baseline measured in the same run, interleaved, so the ratio depends as little as it can on how
busy the machine happens to be. Peak memory is the child's ``ru_maxrss``; the audit and extract jobs
also show their CPU seconds and the load average beside wall time. budgetkit's bytecode is compiled first, as
installing it compiles it (:func:`compile_bytecode`). Prints a Markdown table and
writes it to benchmarks/latest.md. Never used as a test: timings are information, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HERE = Path(__file__).resolve().parent


def timed(command: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def side_by_side(command: list[str], baseline: list[str], repeat: int, cwd: Path = ROOT) -> tuple[float, float]:
    """The best of ``repeat`` interleaved runs of a command and of its baseline (after one warm-up
    each). Other processes only ever add time, so the minimum is the figure least disturbed by a
    busy machine (as ``timeit`` advises); interleaving gives both the same conditions."""
    timed(command, cwd), timed(baseline, cwd)
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed(command, cwd))
        base.append(timed(baseline, cwd))
    return min(ours), min(base)


def timed_with_cpu(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the process and the children it waited for) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def side_by_side_with_cpu(command: list[str], baseline: list[str], repeat: int) -> tuple[tuple[float, float], ...]:
    """:func:`side_by_side`, with the least CPU time of each beside its least wall time: on a shared
    machine wall time depends on the other processes, CPU time much less."""
    timed_with_cpu(command), timed_with_cpu(baseline)
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed_with_cpu(command))
        base.append(timed_with_cpu(baseline))
    return tuple((min(wall for wall, _ in runs), min(cpu for _, cpu in runs)) for runs in (ours, base))


def job(name: str, n: int, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run([PYTHON, str(HERE / "synthetic.py"), name, str(n)], cwd=ROOT, capture_output=True,
                         text=True, check=False, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise RuntimeError(f"{name} {n} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_mb(command: list[str]) -> float:
    """The peak resident memory of one run of ``command`` in a fresh process, MB: its ru_maxrss, or its
    largest child's (budgetkit reads a PDF in a child process)."""
    import resource

    probe = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; "
             "code = 0\ntry:\n    runpy.run_module(sys.argv[0], run_name='__main__') if sys.argv[0] == 'budgetkit' "
             "else runpy.run_path(sys.argv[0], run_name='__main__')\nexcept SystemExit as exit:\n    code = exit.code\n"
             "print(max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))"
             " / 1024, file=sys.stderr)")
    del resource
    out = subprocess.run([PYTHON, "-c", probe, *command[1:]], cwd=ROOT, capture_output=True, text=True, check=False)
    return float(out.stderr.strip().splitlines()[-1])


def pdf_rows(add, repeat: int) -> None:
    """Each corpus PDF audited (``budgetkit check``: its explanation and its tables read, the audit run)
    beside pdfplumber alone reading the same PDF's text and tables (benchmarks/pdf_baseline.py)."""
    ratios = []
    for pdf in sorted((ROOT / "tests" / "corpus" / "documents").glob("*.pdf")):
        ours_command = [PYTHON, "-m", "budgetkit", "check", str(pdf), "--format", "json"]
        base_command = [PYTHON, str(HERE / "pdf_baseline.py"), str(pdf)]
        (ours, ours_cpu), (base, base_cpu) = side_by_side_with_cpu(ours_command, base_command, repeat)
        memory = peak_mb([PYTHON, "budgetkit", "check", str(pdf), "--format", "json"])
        ratios.append(ours / base)
        add(f"`budgetkit check` {pdf.name} vs pdfplumber's text and tables",
            f"{ours:.2f} s (CPU {ours_cpu:.2f} s), peak {memory:.0f} MB", f"{base:.2f} s (CPU {base_cpu:.2f} s)",
            f"{ours / base:.2f}×, CPU {ours_cpu / base_cpu:.2f}× (target ≤ 1.5×, < 500 MB)",
            mark(ours / base <= 1.5 and memory < 500))
    if ratios:
        add("corpus PDFs: the worst and the median ratio", f"{max(ratios):.2f}×",
            f"median {sorted(ratios)[len(ratios) // 2]:.2f}×", "information", "")


def cpu_time(result: dict) -> str:
    """The job's CPU seconds and the load average as it ended: on a shared machine wall time
    depends on the other processes, CPU time much less."""
    return f"CPU {result['cpu_seconds']:.1f} s, load {result['load']:.1f}"


def execute_notebook(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()


#: The one cell of the floor notebook: the libraries no notebook that draws a chart can do without.
FLOOR_CELL = "import pandas, matplotlib.figure"


def notebook_command(path: Path | None, cells: tuple[str, ...] = ()) -> list[str]:
    """Execute a notebook with nbclient in a fresh process and kernel (``None``: a notebook of ``cells``,
    by default an empty one)."""
    if path is None:
        path = Path(tempfile.mkdtemp()) / "generated.ipynb"
        code_cells = [{"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {},
                       "outputs": [], "source": source} for i, source in enumerate(cells)]
        path.write_text(json.dumps({"cells": code_cells, "metadata": {"kernelspec": {"name": "python3",
                                    "display_name": "Python 3", "language": "python"}},
                                    "nbformat": 4, "nbformat_minor": 5}))
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from run import execute_notebook; "
            f"from pathlib import Path; execute_notebook(Path({str(path)!r}))")
    return [PYTHON, "-c", code]


def compile_bytecode() -> None:
    """budgetkit's modules compiled to bytecode before anything is timed, as installing budgetkit compiles them
    (pip does): where PYTHONDONTWRITEBYTECODE is set, every timed process would otherwise compile budgetkit from
    source, which no installed copy does, while pandas and matplotlib load their installed bytecode. Python
    reads a module's bytecode only while its source is unchanged."""
    import compileall

    compileall.compile_dir(ROOT / "budgetkit", quiet=1)


def mark(ok: bool) -> str:
    return "pass" if ok else "**miss**"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller collections")
    parser.add_argument("--only", default="import,check,notebooks,audit,extract,pdf",
                        help="comma-separated: import, check, notebooks, audit, extract, pdf")
    parser.add_argument("--budgets", type=int, default=10_000, help="budgets in the audited collection")
    parser.add_argument("--documents", type=int, default=1_000, help="synthetic documents to extract")
    parser.add_argument("--notebook-repeat", type=int, default=5, help="runs per notebook (the best is kept)")
    parser.add_argument("--output", default=str(HERE / "latest.md"))
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    repeat = 3 if args.quick else 7
    budgets = 1_000 if args.quick else args.budgets
    documents = 100 if args.quick else args.documents
    rows: list[tuple[str, str, str, str, str]] = []  # measurement, result, baseline, target, mark

    def add(*row):
        rows.append(row)
        print(" | ".join(row), flush=True)

    compile_bytecode()

    if "audit" in only:
        job("prepare", budgets)  # generation and Parquet writing are not part of the measurement
        measured = {}
        for name, label in (("audit-parquet", "from the Parquet files a chunk at a time"),
                            ("audit-memory", "read into pandas first")):
            result = measured[name] = job(name, budgets)
            ok = result["seconds"] < 10 * budgets / 10_000 and result["peak_mb"] < 2048
            add(f"audit {budgets:,} synthetic budgets ({label}, {os.cpu_count()} cores)",
                f"{result['seconds']:.1f} s ({cpu_time(result)}), peak {result['peak_mb']:.0f} MB",
                f"{budgets / result['seconds']:,.0f} budgets/s, {result['rows']:,} findings",
                f"< {10 * budgets / 10_000:.0f} s and < 2 GB", mark(ok))
        # each budget followed by its year's 决算 (with errors planted in both): a document's time beside a budget's
        # alone (the run above), memory per 10,000 documents, and every planted error found with no other flagged
        accounts = {"BUDGETKIT_BENCH_FINAL_ACCOUNTS": "1"}
        job("prepare", budgets, accounts)
        result = job("audit-accounts", budgets, accounts)
        alone = measured["audit-parquet"]
        ratio = (result["seconds"] / result["documents"]) / (alone["seconds"] / budgets)
        per_10k = result["peak_mb"] * 10_000 / result["documents"]
        ok = ratio <= 1.5 and per_10k < 2048 and result["recall"] == result["precision"] == 1
        add(f"audit {budgets:,} synthetic budgets each with its 决算 ({result['documents']:,} documents, from Parquet, "
            f"{os.cpu_count()} cores)",
            f"{result['seconds']:.1f} s ({cpu_time(result)}), peak {result['peak_mb']:.0f} MB",
            f"{result['documents'] / result['seconds']:,.0f} documents/s; of {result['planted']:,} planted errors "
            f"({result['in_accounts']:,} in 决算) recall {result['recall']:.2f}, precision {result['precision']:.2f}",
            f"{ratio:.2f}× a budget's time per document, {per_10k:.0f} MB per 10,000 documents (target ≤ 1.5×, "
            "< 2 GB; recall and precision 1)", mark(ok))
    if "extract" in only:
        result = job("extract", documents)
        rate = documents / result["seconds"]
        add(f"extract {documents:,} synthetic .txt explanations (load_many, {os.cpu_count()} processes)",
            f"{result['seconds']:.1f} s ({cpu_time(result)}), peak {result['peak_mb']:.0f} MB",
            f"{rate:,.1f} documents/s, {result['problems']} problems",
            "1,000 in < 30 s (≥ 33.3/s)", mark(rate >= 1000 / 30))

    if "pdf" in only:
        pdf_rows(add, 1 if args.quick else 2)
    if "import" in only:
        ours, base = side_by_side([PYTHON, "-c", "import budgetkit"], [PYTHON, "-c", "import pandas"], repeat)
        add("`import budgetkit` vs `import pandas`", f"{ours:.2f} s", f"{base:.2f} s",
            f"{ours / base:.2f}× (target ≤ 1.2×)", mark(ours / base <= 1.2))
    if "check" in only:
        ours, base = side_by_side([PYTHON, "-m", "budgetkit", "check"], [PYTHON, "-c", "import pandas"], repeat)
        add("`budgetkit check` (bundled budget) vs `import pandas`", f"{ours:.2f} s", f"{base:.2f} s",
            f"{ours / base:.2f}× (target ≤ 1.5×)", mark(ours / base <= 1.5))
    if "notebooks" in only:
        notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
        times = 1 if args.quick else args.notebook_repeat
        empty_notebook = notebook_command(None)
        # what the empty notebook is made of: the harness's own imports, then a kernel started and shut down
        harness, bare = side_by_side([PYTHON, "-c", "import nbformat, nbclient"], [PYTHON, "-c", "pass"], repeat)
        add("import nbformat and nbclient (part of every notebook run below)", f"{harness:.2f} s",
            f"{bare:.2f} s (python alone)", "information", "")
        # the floor: what every charting notebook pays before its first line of budgetkit
        floor_notebook = notebook_command(None, (FLOOR_CELL,))
        floor, empty = side_by_side(floor_notebook, empty_notebook, times)
        add(f"execute a notebook of one cell, `{FLOOR_CELL}`, vs an empty notebook", f"{floor:.2f} s "
            f"(+{floor - empty:.2f} s)", f"{empty:.2f} s", f"{floor / empty:.2f}× (the floor)", "")
        for path in notebooks:
            # judged against the floor notebook, run interleaved with it (issue 17); the ratio to the
            # empty notebook (best of its runs above) is kept beside it, for information
            seconds, floor = side_by_side(notebook_command(path), floor_notebook, times)
            add(f"execute `{path.name}` vs the floor notebook (nbclient)",
                f"{seconds:.2f} s ({seconds - floor:+.2f} s)", f"{floor:.2f} s",
                f"{seconds / floor:.2f}× (target ≤ 1.3×); {seconds / empty:.2f}× an empty notebook",
                mark(seconds / floor <= 1.3))
    import numpy
    import pandas

    arguments = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python benchmarks/run.py", *arguments])
    table = ["| measurement | measured | baseline / throughput | ratio or target | |", "|---|---|---|---|---|"]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    text = "\n".join([
        "# budgetkit benchmarks",
        "",
        f"Produced by `{command}`"
        f" on {os.cpu_count()} cores, Python {platform.python_version()}, pandas {pandas.__version__}, "
        f"numpy {numpy.__version__}; load average {os.getloadavg()[0]:.1f} when it finished. Best of {repeat} "
        f"fresh-process runs (notebooks: {1 if args.quick else args.notebook_repeat}), each beside its baseline in the same run.",
        "",
        *table,
        "",
    ])
    Path(args.output).write_text(text, encoding="utf-8")
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
