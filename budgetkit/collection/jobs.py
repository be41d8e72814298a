"""Where a collection's independent jobs run: in this process, in local worker processes, or on a
Dask cluster.

Reading one document and auditing one chunk of whole budgets are jobs that need nothing from each
other, so the same function runs them anywhere; what a job sends back is already small (the long
tables as Arrow, or a chunk's findings). A Dask scheduler is named by its address
(``tcp://10.0.0.5:8786``) or given as a ``distributed.Client``; its workers must import budgetkit
and see the files the jobs name (a shared disk, or the same machine for a ``LocalCluster``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

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

    with ProcessPoolExecutor(max_workers=workers, initializer=initializer) as pool:
        yield from pool.map(function, jobs, chunksize=chunksize)


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
