"""Writing files so that a file with its final name is always complete: the one atomic writer; and the
manifest of what a report wrote into a folder, so that the next report there replaces exactly those files."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .messages import text as message

__all__ = ["MANIFEST", "Manifest", "atomic_stream", "read_manifest", "record_write", "recording_writes",
           "remove_earlier_files", "staged_folder", "write_atomic", "write_manifest"]

#: The file in a report's folder that lists what the report wrote there (it lists no file it did not write).
MANIFEST = ".budgetkit-manifest.json"

#: The lists :func:`recording_writes` blocks collect into (a context variable: each thread records its own).
_RECORDERS: ContextVar[tuple[list[Path], ...]] = ContextVar("budgetkit_recorded_writes", default=())


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
        record_write(path)
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


# -- what a run wrote, and the manifest of a report's folder -----------------------------------------------------

@contextmanager
def recording_writes() -> Iterator[list[Path]]:
    """The files moved into place while the block runs, in order: every :func:`atomic_stream`, and
    whatever else is passed to :func:`record_write` (files a library wrote and the caller moved)."""
    written: list[Path] = []
    token = _RECORDERS.set((*_RECORDERS.get(), written))
    try:
        yield written
    finally:
        _RECORDERS.reset(token)


def record_write(path: str | os.PathLike) -> None:
    """Note ``path`` as written, for every :func:`recording_writes` block around this call."""
    for written in _RECORDERS.get():
        written.append(Path(path))


@dataclass
class Manifest:
    """What a report wrote into a folder: each file (relative, ``/``-separated) with the SHA-256 of the
    bytes written, and what the report was of."""

    files: dict[str, str] = field(default_factory=dict)
    title: str = ""


def read_manifest(folder: str | os.PathLike) -> Manifest | None:
    """The manifest of ``folder``: empty when it has none, None when it has one that cannot be read
    (then nothing it names may be taken for budgetkit's own)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return Manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    title = data.get("report")
    return Manifest(files, title if isinstance(title, str) else "")


def write_manifest(folder: str | os.PathLike, files: Iterable[Path], title: str) -> Manifest:
    """List ``files`` (those inside ``folder`` that exist) with their digests in ``folder``'s manifest;
    sorted, so the same files give the same bytes."""
    folder = Path(folder)
    listed = {}
    for path in files:
        name = _name_inside(folder, path)
        if name is not None and name != MANIFEST and path.is_file() and not path.is_symlink():
            listed[name] = _digest(path)
    manifest = Manifest(dict(sorted(listed.items())), title)
    text = json.dumps({"about": message("data.manifest-about"), "report": title, "files": manifest.files},
                      ensure_ascii=False, indent=1)
    write_atomic(folder / MANIFEST, text + "\n")
    return manifest


def remove_earlier_files(folder: str | os.PathLike, earlier: Manifest,
                         written: set[str]) -> tuple[list[Path], list[Path]]:
    """Remove the files ``earlier`` lists that are not ``written`` again, and the folders that leaves
    empty. Only a regular file inside ``folder`` whose bytes are still those listed is removed: a
    file changed since is kept. Returns (removed, kept because changed)."""
    folder = Path(folder)
    removed, changed = [], []
    for name, digest in sorted(earlier.files.items()):
        path = _listed_path(folder, name)
        if path is None or _name_inside(folder, path) in written or path.is_symlink() or not path.is_file():
            continue  # compared as written names are ("a//b" is "a/b"): a file of this run is never removed
        if _digest(path) != digest:
            changed.append(path)
            continue
        try:
            path.unlink()
        except OSError:  # cannot be removed (permissions): it stays, as if changed
            changed.append(path)
            continue
        removed.append(path)
        _remove_empty_folders(path.parent, folder)
    return removed, changed


def _name_inside(folder: Path, path: Path) -> str | None:
    """``path`` relative to ``folder`` with ``/`` separators; None when it is not inside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(folder)).as_posix()
    except ValueError:
        return None


def _listed_path(folder: Path, name: str) -> Path | None:
    """The file a manifest's ``name`` stands for, only if it is inside ``folder`` (a manifest is read
    from disk: an absolute path, ``..`` or a link out of the folder names nothing budgetkit wrote)."""
    relative = PurePosixPath(name)
    if not name or "\\" in name or relative.is_absolute() or ".." in relative.parts:
        return None
    path = folder.joinpath(*relative.parts)
    try:
        path.resolve().relative_to(folder.resolve())
    except (OSError, ValueError):
        return None
    return path


def _digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return "sha256:" + hashlib.file_digest(stream, "sha256").hexdigest()


def _remove_empty_folders(folder: Path, root: Path) -> None:
    """``folder`` and its parents up to (not including) ``root``, while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or not ours to remove): stop here
            return
        folder = folder.parent
