"""Read returned files in parallel worker processes that a hostile file cannot take down
with it.

Each worker reads one file at a time under a memory limit. If a file makes a worker crash
(a native reader aborting on an impossible allocation) or hang, only that file is
rejected, the worker is replaced, and the batch goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from xlsxkit.model import Framework, Return
from xlsxkit.reader import _rejected, read_return

#: Address space a worker may use. Reading a 30 KB workbook needs a few MB.
WORKER_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
#: Longest one file may take to read.
FILE_TIMEOUT_SECONDS = 120.0


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
    # Rust's panic output would reach the user's terminal; the verdict says it instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        result = read_return(job.path, framework, display=job.display)
        conn.send((job.index, result))


@dataclass(kw_only=True)
class _Slot:
    process: BaseProcess
    conn: Connection
    job: Job | None = None
    started: float = 0.0


def _context() -> Any:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return mp.get_context(method)


def _start(framework: Framework) -> _Slot:
    ctx = _context()
    parent, child = ctx.Pipe(duplex=True)
    process = ctx.Process(target=_worker, args=(child, framework), daemon=True)
    process.start()
    child.close()
    return _Slot(process=process, conn=parent)


def _crashed(job: Job, exitcode: int | None) -> Return:
    return _rejected(
        job.display,
        "unsafe-file",
        "reading this file exhausted the memory or crashed the reader "
        f"(exit {exitcode}); it is not a normal assessment workbook and was refused. "
        "Ask the partner to send the original workbook again",
    )


def _timed_out(job: Job) -> Return:
    return _rejected(
        job.display,
        "too-slow",
        f"reading this file took longer than {FILE_TIMEOUT_SECONDS:.0f} s; it is not a normal "
        "assessment workbook and was refused",
    )


def read_all(
    jobs: Sequence[Job],
    framework: Framework,
    *,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, Return]]:
    """Yield (job index, Return) for every job, in completion order."""
    pending = list(reversed(jobs))
    slots = [_start(framework) for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while pending or any(s.job for s in slots):
            for slot in slots:
                if slot.job is None and pending:
                    slot.job = pending.pop()
                    slot.started = time.monotonic()
                    slot.conn.send(slot.job)
            busy = [s for s in slots if s.job is not None]
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=1.0)
            for i, slot in enumerate(slots):
                job = slot.job
                if job is None:
                    continue
                result: Return | None = None
                if slot.conn in ready:
                    try:
                        _, result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                if result is None and (
                    slot.process.sentinel in ready or not slot.process.is_alive()
                ):
                    slot.process.join(timeout=5)
                    result = _crashed(job, slot.process.exitcode)
                    slots[i] = _start(framework)
                elif result is None and time.monotonic() - slot.started > FILE_TIMEOUT_SECONDS:
                    slot.process.kill()
                    slot.process.join(timeout=5)
                    result = _timed_out(job)
                    slots[i] = _start(framework)
                if result is not None:
                    slots[i].job = None
                    if progress:
                        progress(1)
                    yield job.index, result
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
