"""A collection read on a Dask cluster (two worker processes of a LocalCluster) gives exactly what
the local run gives: the same long tables, the same findings; an audit of Parquet chunks on the
cluster the same as in local processes; a scheduler that cannot be reached is one clear error."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from budgetkit.collection import SchedulerError, audit_parquet, load_many
from budgetkit.schema import bundled_data_dir

distributed = pytest.importorskip("distributed")

ROOT = bundled_data_dir().parent
DOCUMENTS = ["js-party-office-2017-budget-explanation.pdf", "ex-guangxi-wuzhou-unit-2023-budget.txt",
             "ex-sichuan-tourism-unit-2022-final-accounts.txt", "ex-neimenggu-ordos-unit-2022-three-public.txt"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """Four real documents, a data package and a file that is not a budget: a folder of them."""
    folder = tmp_path_factory.mktemp("collection")
    for name in DOCUMENTS:
        shutil.copy(ROOT / "tests" / "corpus" / "documents" / name, folder / name)
    shutil.copytree(ROOT / "data" / "raw", folder / "bundled")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return folder


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_reading_on_the_cluster_gives_the_local_collection(sources, client):
    local, remote = load_many(sources), load_many(sources, scheduler=client)
    for name in ("budgets", "claims", "lines", "problems"):
        assert getattr(remote, name).equals(getattr(local, name)), name
    assert len(local.budgets) == 5 and set(local.problems["source"]) == {str(sources / "broken.pdf")}
    assert remote.audit().equals(local.audit())


def test_parquet_chunks_audited_on_the_cluster(sources, client, tmp_path, monkeypatch):
    import budgetkit.collection.audit as chunked

    monkeypatch.setattr(chunked, "CHUNK_CLAIMS", 200)  # several chunks: several tasks
    folder = load_many(sources).to_parquet(tmp_path / "parquet")
    assert audit_parquet(folder, scheduler=client).equals(audit_parquet(folder))


def test_a_scheduler_not_there_is_one_error(sources):
    with pytest.raises(SchedulerError, match="tcp://127.0.0.1:9"):
        load_many(sources, scheduler="tcp://127.0.0.1:9")
    run = subprocess.run([sys.executable, "-m", "budgetkit", "check", str(sources), "--scheduler", "tcp://127.0.0.1:9"],
                         capture_output=True, text=True, env={"PYTHONIOENCODING": "utf-8", "PATH": ""})
    assert run.returncode == 2
    assert run.stdout == "" and run.stderr.count("\n") == 1 and "tcp://127.0.0.1:9" in run.stderr
    assert "Traceback" not in run.stderr
