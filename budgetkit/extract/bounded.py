"""Reading a document within a budget of time and memory.

A parser of untrusted .pdf and .docx files can be made to run for minutes or take gigabytes by a file of a
few kilobytes (a long run of digits in a content stream, a stream that inflates a thousandfold). So the
readers run in a forked child process whose address space is capped and which is killed when it runs out
of time; what they return comes back through a pipe. Either limit reached is one BudgetDataError naming the
file. Where the system cannot fork (not POSIX), the reader runs in this process, unbounded.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..messages import text
from ..schema import BudgetDataError, Problem

__all__ = ["READ_MEMORY_BYTES", "READ_SECONDS", "bounded"]

#: How long reading one document may take: a 300-page PDF with a text layer reads in well under a minute.
READ_SECONDS = 120
#: How much more memory than this process uses reading one document may take.
READ_MEMORY_BYTES = 2 * 1024**3

T = TypeVar("T")


def bounded(read: Callable[[], T], path: Path) -> T:
    """``read()`` in a child process limited to READ_SECONDS and READ_MEMORY_BYTES more memory."""
    if not hasattr(os, "fork"):  # pragma: no cover - POSIX only
        return read()
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send the result or the error, and leave without cleanup
        status = 0
        try:
            os.close(receive)
            _cap_memory(READ_MEMORY_BYTES)
            try:
                payload = pickle.dumps((True, read()))
            except MemoryError:
                payload = pickle.dumps((False, _failure(path, text("extract.read-memory",
                                                                   megabytes=READ_MEMORY_BYTES // 1024**2))))
            except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
                payload = pickle.dumps((False, error if _picklable(error) else _failure(path, repr(error))))
            with os.fdopen(send, "wb") as stream:
                stream.write(payload)
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(send)
    return _collect(pid, receive, path)


def _collect(pid: int, receive: int, path: Path):
    deadline = time.monotonic() + READ_SECONDS
    chunks = []
    with os.fdopen(receive, "rb") as stream:
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([stream], [], [], max(0.0, left))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise _failure(path, text("extract.read-timeout", seconds=READ_SECONDS))
            chunk = os.read(stream.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        if os.WIFSIGNALED(status):
            raise _failure(path, text("extract.read-stopped-signal", signal=os.WTERMSIG(status)))
        raise _failure(path, text("extract.read-stopped-status", status=os.WEXITSTATUS(status)))
    ok, value = pickle.loads(b"".join(chunks))
    if ok:
        return value
    raise value


def _cap_memory(extra: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as statm:  # the address space in use, in pages
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux: no cap
        return
    resource.setrlimit(resource.RLIMIT_AS, (in_use + extra, in_use + extra))


def _picklable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001
        return False
    return True


def _failure(path: Path, message: str) -> BudgetDataError:
    return BudgetDataError([Problem(str(path), None, None, message)])
