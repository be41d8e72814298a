"""Where a collection's independent jobs run: in this process, in local worker processes, or on a
Dask cluster.

Reading one document and auditing one chunk of whole budgets are jobs that need nothing from each
other, so the same function runs them anywhere; what a job sends back is already small (the long
tables as Arrow, or a chunk's findings). An Arrow table a local worker process returns comes back
as an Arrow IPC file in memory (/dev/shm), mapped by the calling process, not pickled through the pipe:
pickling a chunk's findings (~50 MB) and reading them back cost more CPU than writing them to Parquet.
A Dask scheduler is named by its address
(``tcp://10.0.0.5:8786``) or given as a ``distributed.Client``; its workers must import budgetkit
and see the files the jobs name (a shared disk, or the same machine for a ``LocalCluster``).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from ..messages import text

__all__ = ["SchedulerError", "iter_jobs", "run_jobs"]


class SchedulerError(RuntimeError):
    """A Dask scheduler that cannot be used: dask.distributed not installed, or no scheduler at the address."""


def run_jobs(function: Callable, jobs: Sequence, workers: int | None = None, scheduler=None,
             initializer: Callable[[], None] | None = None, chunksize: int = 1) -> list:
    """``[function(job) for job in jobs]``, in order: on the Dask cluster of ``scheduler`` when given,
    else in ``workers`` local processes (each set up by ``initializer``), else here."""
    return list(iter_jobs(function, jobs, workers, scheduler, initializer, chunksize))


def iter_jobs(function: Callable, jobs: Sequence, workers: int | None = None, scheduler=None,
              initializer: Callable[[], None] | None = None, chunksize: int = 1) -> Iterator:
    """:func:`run_jobs` one result at a time, in the jobs' order, each as soon as it and those before
    it are done: a caller that writes each away holds one result, not all."""
    if scheduler is not None:
        yield from _on_cluster(function, jobs, scheduler, initializer)
        return
    workers = min(len(jobs), workers or 1)
    if workers <= 1:
        yield from map(function, jobs)
        return
    from concurrent.futures import ProcessPoolExecutor

    with tempfile.TemporaryDirectory(prefix="budgetkit-", dir=_memory_folder()) as folder, \
            ProcessPoolExecutor(max_workers=workers, initializer=initializer) as pool:
        for result in pool.map(_TablesAsFiles(function, folder), jobs, chunksize=chunksize):
            yield result.read() if isinstance(result, _TableFile) else result


def _memory_folder() -> str | None:
    """A folder whose files are held in memory (tmpfs), when there is one; else the temporary folder."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@dataclass(frozen=True)
class _TableFile:
    """An Arrow table a worker process wrote to ``path`` (Arrow IPC), read back once."""

    path: str

    def read(self) -> pa.Table:
        if os.name == "posix":  # mapped, not copied: the mapping outlives the file's name, so the file goes at once
            table = pa.ipc.open_file(pa.memory_map(self.path)).read_all()
        else:  # a mapped file cannot be removed (Windows): read into memory
            with pa.OSFile(self.path) as source:
                table = pa.ipc.open_file(source).read_all()
        os.unlink(self.path)
        return table


@dataclass(frozen=True)
class _TablesAsFiles:
    """``function`` run in a worker process, an Arrow table it returns written to a file of ``folder``."""

    function: Callable
    folder: str

    def __call__(self, job):
        result = self.function(job)
        if not isinstance(result, pa.Table):
            return result
        path = os.path.join(self.folder, f"{uuid.uuid4().hex}.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, result.schema) as writer:
            writer.write_table(result)
        return _TableFile(path)


def _on_cluster(function: Callable, jobs: Sequence, scheduler, initializer) -> Iterator:
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerError(text("collection.scheduler-needs-distributed")) from None
    if isinstance(scheduler, str):
        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise SchedulerError(text("collection.scheduler-unreachable", address=scheduler, error=error)) from None
        with client:
            yield from _on_cluster(function, jobs, client, initializer)
        return
    if initializer is not None:
        scheduler.run(initializer)
    # pure=False: two jobs with equal arguments are still two jobs; each result taken in the jobs' order
    for future in scheduler.map(function, list(jobs), pure=False):
        yield future.result()
        future.release()
