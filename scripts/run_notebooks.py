"""Re-execute notebooks in place, without execution timestamps.

Usage: python scripts/run_notebooks.py [NOTEBOOK.ipynb ...]
       (no arguments: every notebooks/*.ipynb; none there: do nothing)

Each notebook runs with its own folder as the working directory. Cells are
written back without ``metadata.execution`` (the timing that nbconvert
records) and without the kernel's Python patch version, so that re-running
an unchanged notebook gives an unchanged file, here and on another machine
with the same pinned packages.
Set NB_TIMEOUT to change the per-cell timeout in seconds (default 600).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path, timeout: int) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    # the kernel's patch version (3.11.7 vs 3.11.9) is not an output: keep it out of the file
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks to run")
        return 0
    timeout = int(os.environ.get("NB_TIMEOUT", "600"))
    for path in paths:
        print(f"executing {path}", flush=True)
        run(path.resolve(), timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
