"""Synthetic inputs for the benchmarks, cached between runs, and the measured jobs themselves.

Run as a script, it does one job in a fresh process and prints one JSON line (wall seconds, the
user+sys CPU seconds of the process and its children during the job, peak resident memory, all
from ``time`` and ``resource.getrusage``), so ``run.py`` can measure it from outside:

    python benchmarks/synthetic.py audit-parquet 10000     # the audit over the Parquet long tables, a chunk at a time
    python benchmarks/synthetic.py audit-memory 10000      # the same tables read into pandas first
    python benchmarks/synthetic.py audit-accounts 10000    # 10,000 budgets each with its 决算, and the recall
    python benchmarks/synthetic.py audit-large 150000      # a country's budgets, findings streamed to Parquet
    python benchmarks/synthetic.py load-packages 200       # load_many over data packages
    python benchmarks/synthetic.py extract 1000            # load_many over .txt explanations

The generator is the test suite's (tests/synthetic.py): budgets in the standard template with
planted drift. Inputs are cached under $BUDGETKIT_BENCH_CACHE (default: the system temp folder), named after the
generator's version (a hash of tests/synthetic.py).
$BUDGETKIT_BENCH_FINAL_ACCOUNTS=1 follows each budget with its year's final accounts (决算); ``n`` stays the
number of budgets.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEED = 20240
#: The share of the budgets followed by their year's final accounts (决算): $BUDGETKIT_BENCH_FINAL_ACCOUNTS, 0 by
#: default (budgets only, as the targets were measured). Named in every cache folder it changes, so a cache of
#: budgets alone is never taken for one with 决算.
FINAL_ACCOUNTS = float(os.environ.get("BUDGETKIT_BENCH_FINAL_ACCOUNTS", "0"))
ACCOUNTS_TAG = f"-fa{FINAL_ACCOUNTS:g}" if FINAL_ACCOUNTS else ""
CACHE = Path(os.environ.get("BUDGETKIT_BENCH_CACHE", Path(tempfile.gettempdir()) / "budgetkit-bench"))
#: The generator's own version, in every cache folder's name: a cache it wrote before a change is not reused.
GENERATOR_TAG = hashlib.sha256((ROOT / "tests" / "synthetic.py").read_bytes()).hexdigest()[:8]


def _generator():
    """tests/synthetic.py, under its own name (this file is called synthetic.py too)."""
    import importlib.util

    if "budgetkit_test_synthetic" not in sys.modules:
        spec = importlib.util.spec_from_file_location("budgetkit_test_synthetic", ROOT / "tests" / "synthetic.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["budgetkit_test_synthetic"]


def parquet_collection(n: int) -> Path:
    """``n`` synthetic budgets as Parquet long tables (built without files, then written once; the
    folder is named after the layout too, so a change of row groups or compression writes anew)."""
    from budgetkit.collection import from_tables
    from budgetkit.collection.columns import PARQUET_COMPRESSION, ROW_GROUP_ROWS

    generate, long_tables = _generator().generate, _generator().long_tables

    folder = CACHE / f"parquet-{n}-{SEED}{ACCOUNTS_TAG}-{GENERATOR_TAG}-{ROW_GROUP_ROWS}-{PARQUET_COMPRESSION}"
    if not (folder / "claims.parquet").is_file():
        from_tables(*long_tables(generate(n, seed=SEED, final_accounts=FINAL_ACCOUNTS))).to_parquet(folder)
    return folder


#: Budgets of one generated collection; a larger one is made of copies of it under other budget_ids.
TILE = 10_000


def large_parquet_collection(n: int) -> Path:
    """``n`` budgets (a multiple of ``TILE``) as Parquet: the ``TILE`` synthetic budgets written again
    under the budget_ids ``t00/…``, ``t01/…`` … (budget_id order kept, row groups as they were), so a
    country's worth is made in seconds and little memory. Each copy's findings are the original's."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if n % TILE:
        raise SystemExit(f"{n} is not a multiple of {TILE}")
    source = parquet_collection(TILE)
    folder = CACHE / f"{source.name}-x{n // TILE}"
    if (folder / "claims.parquet").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    documents = pq.ParquetFile(source / "budgets.parquet").metadata.num_rows  # with their 决算, when they have them
    for path in sorted(source.glob("*.parquet")):
        original = pq.ParquetFile(path)
        with pq.ParquetWriter(folder / path.name, original.schema_arrow, compression="zstd", write_statistics=True) as out:
            for copy in range(n // TILE):
                for group in range(original.num_row_groups):
                    table = original.read_row_group(group)
                    kind = table.schema.field("budget_id").type
                    ids = pc.binary_join_element_wise(pa.scalar(f"t{copy:02d}/", kind), table["budget_id"],
                                                      pa.scalar("", kind))
                    table = table.set_column(table.schema.get_field_index("budget_id"), "budget_id", ids)
                    if "budget_order" in table.column_names:
                        order = pc.add(table["budget_order"], pa.scalar(copy * documents, table["budget_order"].type))
                        table = table.set_column(table.schema.get_field_index("budget_order"), "budget_order", order)
                    out.write_table(table, row_group_size=max(table.num_rows, 1))
    return folder


def _written(kind: str, n: int) -> Path:
    """``n`` synthetic budgets written by the generator's ``write_<kind>`` (packages or documents),
    once: a ``.complete`` marker tells a finished folder from an interrupted one."""
    generator = _generator()
    folder = CACHE / f"{kind}-{n}-{SEED}{ACCOUNTS_TAG}-{GENERATOR_TAG}"
    if not (folder / ".complete").is_file():
        getattr(generator, f"write_{kind}")(generator.generate(n, seed=SEED, final_accounts=FINAL_ACCOUNTS), folder)
        (folder / ".complete").write_text("")
    return folder


def packages(n: int) -> Path:
    return _written("packages", n)


def documents(n: int) -> Path:
    return _written("documents", n)


class _TreeMemory(threading.Thread):
    """The peak memory of this process and its worker processes together: each one's proportional set
    size (PSS: a page shared by forked workers counted once, in shares). Reading it is the kernel walking
    every page table, so a sample waits at least 50 times as long as the last one took (and 100 ms): the
    sampling takes at most 2 % of a core from the job it measures (every 100 ms, it took some 12 %)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb, self._done = 0, threading.Event()

    def cpu_seconds(self) -> float:
        """The CPU this thread has spent sampling (reading smaps_rollup is the kernel walking every page
        table: seconds over a long run), which is the measurement's, not the job's."""
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(self.ident))
        except (OSError, TypeError):  # not started, or ended
            return 0.0

    @staticmethod
    def _tree(pid: int) -> list[int]:
        found = [pid]
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in task.read_text().split():
                found += _TreeMemory._tree(int(child))
        return found

    @staticmethod
    def _pss_kb(pid: int) -> int:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
        return 0

    def run(self) -> None:
        pause = 0.1
        while not self._done.wait(pause):
            began = time.perf_counter()
            try:
                self.peak_kb = max(self.peak_kb, sum(self._pss_kb(pid) for pid in self._tree(os.getpid())))
            except OSError:  # a worker ended between listing and reading
                continue
            pause = max(0.1, 50 * (time.perf_counter() - began))

    def stop(self) -> None:
        self._done.set()
        self.join()


_MEMORY = _TreeMemory() if Path("/proc/self/smaps_rollup").exists() else None
if _MEMORY:
    _MEMORY.start()


def _peak_mb() -> float:
    # with /proc: the sampled peak of the whole tree; else ru_maxrss (KiB on Linux) of this process
    # and of its largest worker once for each core, an upper bound
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if _MEMORY:
        _MEMORY.stop()
        return max(_MEMORY.peak_kb, own) / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * (os.cpu_count() or 1)) / 1024


def _cpu_seconds() -> float:
    # user + sys of this process and of its children (load_many's workers): on a shared machine
    # CPU time varies less than wall time, which waits whenever other processes hold the cores; less
    # the memory sampler's own, which grows with the wall time, not with the job
    spent = sum(usage.ru_utime + usage.ru_stime
                for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
    return spent - (_MEMORY.cpu_seconds() if _MEMORY else 0.0)


def main(job: str, n: int) -> dict:
    if job == "audit-parquet":
        folder = parquet_collection(n)
        from budgetkit.collection import audit_parquet

        start, cpu = time.perf_counter(), _cpu_seconds()
        findings = audit_parquet(folder)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        return {"job": job, "n": n, "seconds": seconds, "cpu_seconds": cpu, "rows": len(findings), "peak_mb": _peak_mb(),
                "load": os.getloadavg()[0]}
    if job == "audit-accounts":  # run with $BUDGETKIT_BENCH_FINAL_ACCOUNTS set (run.py sets it)
        folder = parquet_collection(n)
        from budgetkit.collection import audit_parquet

        start, cpu = time.perf_counter(), _cpu_seconds()
        findings = audit_parquet(folder)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        generator = _generator()
        truth = generator.ground_truth(generator.generate(n, seed=SEED, final_accounts=FINAL_ACCOUNTS))
        within = truth[~truth["kind"].isin(generator.CROSS_DOCUMENT_KINDS)]
        recall, precision, _, _ = generator.recall_precision(findings, within)
        return {"job": job, "n": n, "seconds": seconds, "cpu_seconds": cpu, "rows": len(findings), "peak_mb": _peak_mb(),
                "load": os.getloadavg()[0], "documents": int(findings["budget_id"].nunique()),
                "planted": len(within), "in_accounts": int(within["budget_id"].str.endswith("final-accounts").sum()),
                "recall": recall, "precision": precision}
    if job == "audit-large":
        folder = large_parquet_collection(n)
        from budgetkit.collection import audit_parquet_to

        out = Path(tempfile.mkdtemp(prefix="budgetkit-large-")) / "findings.parquet"
        start, cpu = time.perf_counter(), _cpu_seconds()
        audit_parquet_to(folder, out)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(out).metadata.num_rows
        out.unlink()
        out.parent.rmdir()
        return {"job": job, "n": n, "seconds": seconds, "cpu_seconds": cpu, "rows": rows, "peak_mb": _peak_mb(),
                "load": os.getloadavg()[0]}
    if job == "audit-memory":
        folder = parquet_collection(n)
        from budgetkit.collection import read_parquet

        start, cpu = time.perf_counter(), _cpu_seconds()
        findings = read_parquet(folder).audit()
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        return {"job": job, "n": n, "seconds": seconds, "cpu_seconds": cpu, "rows": len(findings), "peak_mb": _peak_mb(),
                "load": os.getloadavg()[0]}
    if job in ("load-packages", "extract"):
        folder = packages(n) if job == "load-packages" else documents(n)
        from budgetkit.collection import load_many

        start, cpu = time.perf_counter(), _cpu_seconds()
        collection = load_many(folder, workers=os.cpu_count())
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        return {"job": job, "n": n, "seconds": seconds, "cpu_seconds": cpu, "rows": len(collection.budgets),
                "problems": len(collection.problems), "peak_mb": _peak_mb(),
                "load": os.getloadavg()[0]}
    if job == "prepare":
        parquet_collection(n)
        return {"job": job, "n": n}
    raise SystemExit(f"unknown job {job!r}: audit-parquet, audit-accounts, audit-large, audit-memory, load-packages, "
                     "extract or prepare")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
