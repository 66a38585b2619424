"""The whole import job: read the returns, consolidate, write the summary and the data.

Reading and writing are at the edges; consolidation in the middle is pure.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.consolidate import Summary, consolidate
from xlsxkit.data import DataFiles, write_data
from xlsxkit.importer import ImportRequest, ImportResult, run_import
from xlsxkit.model import ReturnStatus
from xlsxkit.summary import write_summary


class OutputError(Exception):
    """An output could not be written; the message says which and what to do."""


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
        return sum(1 for p in self.summary.problems if p.severity == "warning")


def import_job(
    request: ImportRequest,
    *,
    summary_path: Path,
    data_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    result = run_import(request, progress=progress)
    summary = consolidate(request.framework, result)
    generated_at = dt.datetime.now(dt.UTC)
    partial = summary_path.with_name(f".{summary_path.name}.partial")
    try:
        summary_path.parent.mkdir(parents=True, exist_ok=True)
        write_summary(summary, partial, generated_at=generated_at)
        os.replace(partial, summary_path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(
            f"{summary_path}: cannot write the summary ({exc.strerror or exc}); if it is open "
            "in a spreadsheet app, close it and run the import again"
        ) from None
    data = None
    if data_dir is not None:
        try:
            data = write_data(summary, data_dir)
        except OSError as exc:
            raise OutputError(
                f"{data_dir}: cannot write the CSV files ({exc.strerror or exc}); if one is "
                "open in a spreadsheet app, close it and run the import again"
            ) from None
    return ImportOutcome(result=result, summary=summary, summary_path=summary_path, data=data)
