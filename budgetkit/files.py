"""Writing files so that a file with its final name is always complete: the one atomic writer."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_stream", "staged_folder", "write_atomic"]


@contextmanager
def atomic_stream(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary stream to a temporary file beside ``path``, moved into place (``os.replace``) when
    the block ends without an error and removed when it raises; the file gets the mode a plain
    ``open()`` would give it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through :func:`atomic_stream`."""
    with atomic_stream(path) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _file_mode() -> int:
    """The mode a plain ``open()`` would give (temporary files are created 0600)."""
    return 0o666 & ~_umask()


@contextmanager
def staged_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary folder beside ``path`` to write into, moved into place when the block ends without an
    error (a folder already at ``path`` is replaced) and removed when it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
            os.replace(path, old / path.name)
            os.replace(staging, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _remove_stale(path: Path) -> None:
    """What an interrupted earlier write of ``path`` left beside it (``.<name>.*.part``)."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
