"""Import a batch of returned files: find them (:mod:`.discover`), read them safely in
parallel (:mod:`.pool`), and give every one its verdict (:mod:`.resolve`, pure).

This is the one entry point of the inbound stage; I/O stays at its edges.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxkit.framework.model import Framework, Provenance, Return
from xlsxkit.inbound.discover import discover
from xlsxkit.inbound.pool import Job, read_all
from xlsxkit.inbound.resolve import ImportResult, resolve
from xlsxkit.workbook.manifest import ManifestRow

__all__ = ["ImportRequest", "ImportResult", "count_files", "run_import"]


@dataclass(frozen=True, kw_only=True)
class ImportRequest:
    sources: Sequence[Path]
    framework: Framework
    manifest: Sequence[ManifestRow] | None = None
    jobs: int | None = None
    #: Paths never to read as returns (the manifest, the outputs of this run).
    exclude: Sequence[Path] = ()
    #: In a campaign, the name of the round imported: another round's workbook is rejected.
    round: str | None = None
    #: Show the files below this absolute folder relative to it (the campaign folder).
    shown_from: Path | None = None
    #: The email each collected file came from, by sha256 (``xlsxkit collect``).
    provenance: Mapping[str, Provenance] | None = None


def run_import(
    request: ImportRequest, *, progress: Callable[[int], None] | None = None
) -> ImportResult:
    now = dt.datetime.now(dt.UTC)
    found = discover(request.sources, request.exclude, shown_from=request.shown_from)
    jobs = [Job(index=i, path=f.path, display=f.display) for i, f in enumerate(found.files)]
    results: list[Return | None] = [None] * len(jobs)
    if jobs:
        workers = request.jobs or os.cpu_count() or 1
        for index, ret in read_all(jobs, request.framework, workers=workers, progress=progress):
            results[index] = ret
    read = [r for r in results if r is not None]
    result = resolve(
        read + found.listed,
        request.framework,
        request.manifest,
        now=now,
        expected_round=request.round,
    )
    known = request.provenance or {}
    returns = tuple(
        dataclasses.replace(r, provenance=known[r.sha256]) if r.sha256 in known else r
        for r in result.returns
    )
    return dataclasses.replace(
        result, returns=returns, locations={f.display: f.path for f in found.files}
    )


def count_files(request: ImportRequest) -> int:
    """How many files an import of REQUEST would read (for a progress bar)."""
    return len(discover(request.sources, request.exclude, shown_from=request.shown_from).files)
