"""Read returned files in parallel worker processes that a hostile file cannot take down
with it.

Each worker reads its files one at a time under a memory limit and reports each result as
soon as it has it. Workers are handed a few files at a time to keep the round trips
cheap. If a file makes a worker crash (a native reader aborting on an impossible
allocation) or hang, that file, the one the worker was on, is rejected; the worker's other
files go back in the queue, a new worker takes its place, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework, Return
from xlsxkit.problems import error
from xlsxkit.workbook.read import read_return, rejected

#: Address space a worker may use. Reading a 30 KB workbook needs a few MB.
WORKER_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
#: Longest one file may take to read.
FILE_TIMEOUT_SECONDS = 120.0
#: Files handed to a worker at a time.
CHUNK = 8

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    index: int
    path: Path
    display: str


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on every platform
        pass


def _worker(conn: Connection, framework: Framework) -> None:
    _limit_memory()
    # A native reader's panic output, or Python's own fatal-error stack dump (which
    # faulthandler writes to a copy of stderr taken before this process started), would
    # reach the user's terminal; the verdict says what happened.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    while True:
        try:
            jobs = conn.recv()
        except (EOFError, OSError):
            return
        if jobs is None:
            return
        for job in jobs:
            conn.send((job.index, read_return(job.path, framework, display=job.display)))


@dataclass(kw_only=True)
class _Slot:
    process: BaseProcess
    conn: Connection
    jobs: deque[Job] = field(default_factory=deque)  # handed over, not yet reported
    started: float = 0.0  # when the worker began its current file


def start_method() -> str:
    """How workers are started here: fork on Linux (cheap), spawn elsewhere."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _start(framework: Framework, method: str | None = None) -> _Slot:
    ctx: Any = mp.get_context(method or start_method())
    parent, child = ctx.Pipe(duplex=True)
    process = ctx.Process(target=_worker, args=(child, framework), daemon=True)
    process.start()
    child.close()
    return _Slot(process=process, conn=parent)


def _crashed(job: Job, exitcode: int | None) -> Return:
    return rejected(
        job.display,
        error(
            Code.UNSAFE_FILE,
            "reading this file exhausted the memory or crashed the reader "
            f"(exit {exitcode}); it is not a normal assessment workbook and was refused. "
            "Ask the partner to send the original workbook again",
        ),
    )


def _timed_out(job: Job) -> Return:
    return rejected(
        job.display,
        error(
            Code.TOO_SLOW,
            f"reading this file took longer than {FILE_TIMEOUT_SECONDS:.0f} s; it is not a "
            "normal assessment workbook and was refused",
        ),
    )


def _stop(slot: _Slot) -> None:
    slot.process.kill()
    slot.process.join(timeout=5)
    slot.conn.close()


def read_all(
    jobs: Sequence[Job],
    framework: Framework,
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
    method: str | None = None,
) -> Iterator[tuple[int, Return]]:
    """Yield (job index, Return) for every job, in completion order. METHOD overrides how
    workers are started (see :func:`start_method`)."""
    pending: deque[Job] = deque(jobs)
    n_workers = max(1, min(workers, len(jobs)))
    chunk = max(1, min(CHUNK, len(jobs) // (n_workers * 4) or 1))
    slots = [_start(framework, method) for _ in range(n_workers)]
    try:
        while pending or any(s.jobs for s in slots):
            for slot in slots:
                if not slot.jobs and pending:
                    batch = [pending.popleft() for _ in range(min(chunk, len(pending)))]
                    slot.jobs.extend(batch)
                    slot.started = time.monotonic()
                    slot.conn.send(batch)
            busy = [s for s in slots if s.jobs]
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=1.0)
            for i, slot in enumerate(slots):
                if not slot.jobs:
                    continue
                if slot.conn in ready:
                    try:
                        while slot.jobs and slot.conn.poll():
                            index, result = slot.conn.recv()
                            slot.jobs.popleft()
                            slot.started = time.monotonic()
                            if progress:
                                progress(1)
                            yield index, result
                        continue
                    except (EOFError, OSError):
                        pass  # the worker died: handled below
                failed: Return | None = None
                if not slot.process.is_alive():
                    slot.process.join(timeout=5)
                    failed = _crashed(slot.jobs[0], slot.process.exitcode)
                elif time.monotonic() - slot.started > FILE_TIMEOUT_SECONDS:
                    failed = _timed_out(slot.jobs[0])
                if failed is None:
                    continue
                culprit = slot.jobs.popleft()
                pending.extendleft(reversed(slot.jobs))
                _stop(slot)
                slots[i] = _start(framework, method)
                if progress:
                    progress(1)
                yield culprit.index, failed
    finally:
        for slot in slots:
            with contextlib.suppress(OSError, ValueError):
                slot.conn.send(None)
        for slot in slots:
            slot.process.join(timeout=5)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join(timeout=5)
            slot.conn.close()


# --------------------------------------------------------------------------------------
# One call in a sandbox, for the other spreadsheets xlsxkit parses (the organisation list).


@dataclass(frozen=True, kw_only=True, slots=True)
class SandboxFailure:
    """The sandboxed call did not return: MESSAGE says why, in words for a coordinator."""

    code: Code  # unsafe-file or too-slow, as for returns
    message: str


def _sandboxed(conn: Connection, func: Callable[..., object], args: tuple[object, ...]) -> None:
    _limit_memory()
    # The crash is reported as the result; neither a native reader's panic nor Python's
    # fault handler (which writes to its own copy of stderr) may reach the terminal.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    conn.send(func(*args))
    conn.close()


def run_sandboxed(
    func: Callable[..., T], *args: object, timeout: float = FILE_TIMEOUT_SECONDS
) -> T | SandboxFailure:
    """FUNC(*ARGS) run in a worker process under the same memory limit as the readers of
    returns, within TIMEOUT seconds. FUNC must not raise (return an error value instead); a
    crash, an exhausted memory limit or a hang come back as a :class:`SandboxFailure`."""
    ctx: Any = mp.get_context(start_method())
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_sandboxed, args=(child, func, args), daemon=True)
    process.start()
    child.close()
    try:
        ready = wait([parent, process.sentinel], timeout=timeout)
        if parent in ready:
            with contextlib.suppress(EOFError, OSError):
                result: T = parent.recv()
                return result
        if not ready:
            return SandboxFailure(
                code=Code.TOO_SLOW,
                message=f"reading it took longer than {timeout:.0f} s and was stopped",
            )
        process.join(timeout=5)
        return SandboxFailure(
            code=Code.UNSAFE_FILE,
            message="reading it exhausted the memory or crashed the reader "
            f"(exit {process.exitcode})",
        )
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        parent.close()
