"""The same Parquet, the same rules, on a Dask cluster: timed beside the local worker processes, with
the findings compared row for row.

    python benchmarks/cluster.py 10000                         # a LocalCluster of one worker per core
    python benchmarks/cluster.py 10000 --documents 200         # also: reading 200 documents on it
    python benchmarks/cluster.py 10000 --scheduler tcp://10.0.0.5:8786   # a cluster already running

The synthetic collection is benchmarks/synthetic.py's (cached). Each chunk of whole budgets is one
task; on a cluster of several machines the workers must see the Parquet folder (and the documents)
at the same path. Prints one line per measurement and exits 1 when the cluster's findings differ.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import documents, parquet_collection  # noqa: E402  (this folder's module)


def _timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("budgets", type=int)
    parser.add_argument("--documents", type=int, default=0, help="also read this many synthetic documents")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scheduler", help="a running Dask scheduler's address (default: start a LocalCluster)")
    args = parser.parse_args(argv)

    import distributed

    from budgetkit.collection import audit_parquet, load_many

    folder = parquet_collection(args.budgets)
    cluster = None
    if args.scheduler is None:
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    client = distributed.Client(args.scheduler or cluster)
    same = True
    try:
        local, local_seconds = _timed(lambda: audit_parquet(folder))
        remote, remote_seconds = _timed(lambda: audit_parquet(folder, scheduler=client))
        same &= remote.equals(local)
        print(f"audit of {args.budgets:,} budgets from Parquet: local processes {local_seconds:.1f} s, "
              f"Dask {remote_seconds:.1f} s ({len(client.scheduler_info()['workers'])} workers); "
              f"{len(local):,} findings, {'identical' if remote.equals(local) else 'DIFFERENT'}")
        if args.documents:
            where = documents(args.documents)
            local, local_seconds = _timed(lambda: load_many(where, workers=args.workers).audit())
            remote, remote_seconds = _timed(lambda: load_many(where, scheduler=client).audit())
            same &= remote.equals(local)
            print(f"reading and auditing {args.documents:,} documents: local processes {local_seconds:.1f} s, "
                  f"Dask {remote_seconds:.1f} s; {len(local):,} findings, "
                  f"{'identical' if remote.equals(local) else 'DIFFERENT'}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
