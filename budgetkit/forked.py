"""A function run in a forked child process whose address space is capped, its result sent back through a pipe.

The machinery of :mod:`budgetkit.extract.bounded`, apart from it and importing nothing of budgetkit, so that
``python -m budgetkit`` can start reading a PDF before it imports pandas (:mod:`budgetkit.pdf_pages`): the
child's pdfplumber and the parent's imports then run at once. What went wrong is said here as an exception
without words (:class:`ChildFailure`); the caller names the file and words it.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable

__all__ = ["READ_MEMORY_BYTES", "READ_SECONDS", "Child", "ChildFailure", "start"]

#: How long reading one document may take: a 300-page PDF with a text layer reads in well under a minute.
READ_SECONDS = 120
#: How much more memory than the parent uses reading one document may take.
READ_MEMORY_BYTES = 2 * 1024**3


class ChildFailure(Exception):
    """The child gave no result: ``reason`` is ``timeout``, ``memory``, ``signal`` or ``status`` (``number``
    the signal or exit status), or ``error`` (``number`` None, ``detail`` the repr of an error that could
    not be sent back as itself)."""

    def __init__(self, reason: str, number: int | None = None, detail: str = ""):
        super().__init__(reason, number, detail)
        self.reason, self.number, self.detail = reason, number, detail


class Child:
    """A forked child running one function; :meth:`result` waits for what it returns."""

    def __init__(self, pid: int, receive: int):
        self.pid, self.receive, self.started = pid, receive, time.monotonic()

    def result(self, seconds: float):
        """What the function returned, or the error it raised, raised here; :class:`ChildFailure` when it
        ran longer than ``seconds`` since it started (then it is killed) or stopped without a result."""
        deadline = self.started + seconds
        chunks = []
        with os.fdopen(self.receive, "rb") as stream:
            while True:
                ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    self.stop()
                    raise ChildFailure("timeout")
                chunk = os.read(stream.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        if not chunks:
            if os.WIFSIGNALED(status):
                raise ChildFailure("signal", os.WTERMSIG(status))
            raise ChildFailure("status", os.WEXITSTATUS(status))
        ok, value = pickle.loads(b"".join(chunks))
        if ok:
            return value
        raise value

    def stop(self) -> None:
        """Kill the child (its result is no longer wanted) and reap it."""
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):  # already reaped
            pass


def start(function: Callable[[], object], memory_bytes: int) -> Child:
    """Fork a child that runs ``function()`` with at most ``memory_bytes`` more address space than this
    process has, and sends back its result or its error (POSIX only: the caller checks ``os.fork``)."""
    receive, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the result or the error, and leave without cleanup
        status = 0
        try:
            os.close(receive)
            _cap_memory(memory_bytes)
            try:
                payload = pickle.dumps((True, function()))
            except MemoryError:
                payload = pickle.dumps((False, ChildFailure("memory")))
            except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
                payload = pickle.dumps((False, error if _picklable(error) else ChildFailure("error", None,
                                                                                              repr(error))))
            with os.fdopen(send, "wb") as stream:
                stream.write(payload)
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(send)
    return Child(pid, receive)


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
