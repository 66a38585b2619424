"""The whole import job: read the returns, consolidate, write the summary and the data.

Reading and writing are at the edges; consolidation in the middle is pure.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from xlsxkit.errors import OutputError
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, ImportResult, run_import
from xlsxkit.problems import Severity
from xlsxkit.render.csv import DataFiles, write_data
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consolidate import Summary, consolidate


def _csv_error(data_dir: Path, exc: OSError) -> str:
    return (
        f"{data_dir}: cannot write the CSV files ({exc.strerror or exc}); if one is open in "
        "a spreadsheet app, close it and run the import again"
    )


class _DataJob:
    """Writes the CSV files, in a forked child where the platform allows, else at once."""

    def __init__(self, summary: Summary, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.files: DataFiles | None = None
        self.process: Any = None
        if sys.platform.startswith("linux"):
            ctx = mp.get_context("fork")
            self.conn, child = ctx.Pipe(duplex=False)
            self.process = ctx.Process(target=self._child, args=(summary, data_dir, child))
            self.process.start()
            child.close()
        else:
            self.files = self._write(summary, data_dir)

    @staticmethod
    def _write(summary: Summary, data_dir: Path) -> DataFiles:
        try:
            return write_data(summary, data_dir)
        except OSError as exc:
            raise OutputError(_csv_error(data_dir, exc)) from None

    @staticmethod
    def _child(summary: Summary, data_dir: Path, conn: Connection) -> None:
        try:
            conn.send(("ok", write_data(summary, data_dir)))
        except OSError as exc:
            conn.send(("error", _csv_error(data_dir, exc)))
        except Exception as exc:  # reported by the parent, never a traceback
            conn.send(("error", f"{data_dir}: cannot write the CSV files ({exc})"))
        finally:
            conn.close()

    def wait(self) -> DataFiles:
        if self.files is not None:
            return self.files
        try:
            status, payload = self.conn.recv()
        except EOFError:
            status, payload = "error", f"{self.data_dir}: the CSV writer stopped unexpectedly"
        self.process.join()
        if status != "ok" or not isinstance(payload, DataFiles):
            raise OutputError(str(payload))
        self.files = payload
        return payload


def _write_extra(data_dir: Path, extra: Mapping[str, FileWriter]) -> None:
    for name, write in extra.items():
        target = data_dir / name
        partial = target.with_name(f".{name}.partial")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            write(partial)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise OutputError(_csv_error(data_dir, exc)) from None


@dataclass(frozen=True, kw_only=True)
class ImportOutcome:
    result: ImportResult
    summary: Summary
    summary_path: Path
    data: DataFiles | None

    @property
    def imported(self) -> int:
        return len(self.summary.orgs)

    @property
    def rejected(self) -> int:
        return self.summary.counts.get(ReturnStatus.REJECTED, 0)

    @property
    def warnings(self) -> int:
        return sum(1 for _, p in self.summary.problems if p.severity is Severity.WARNING)


#: Writes one file at the (temporary) path it is given.
FileWriter = Callable[[Path], None]
#: Called once the returns are read and consolidated, before any output is written (a
#: campaign records the import in its store here); returns further files for the data
#: folder, by name (progress.csv), written with the CSVs.
AfterRead = Callable[[ImportResult, Summary], Mapping[str, FileWriter]]


def import_job(
    request: ImportRequest,
    *,
    summary_path: Path,
    data_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    after_read: AfterRead | None = None,
) -> ImportOutcome:
    result = run_import(request, progress=progress)
    summary = consolidate(request.framework, result, round_name=request.round)
    extra = after_read(result, summary) if after_read is not None else {}
    if data_dir is not None:
        _write_extra(data_dir, extra)
    generated_at = dt.datetime.now(dt.UTC)
    # The CSVs are written by a child process while this one writes the workbook.
    csv_job = _DataJob(summary, data_dir) if data_dir is not None else None
    partial = summary_path.with_name(f".{summary_path.name}.partial")
    try:
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        write_summary(summary, partial, generated_at=generated_at)
        os.replace(partial, summary_path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if csv_job is not None:
            csv_job.wait()
        raise OutputError(
            f"{summary_path}: cannot write the summary ({exc.strerror or exc}); if it is open "
            "in a spreadsheet app, close it and run the import again"
        ) from None
    data = csv_job.wait() if csv_job is not None else None
    return ImportOutcome(result=result, summary=summary, summary_path=summary_path, data=data)
