"""The whole import job: read the returns, consolidate, write the summary and the data.

Reading and writing are at the edges; consolidation in the middle is pure. The outputs
are written as one set (see :mod:`xlsxkit.outfiles`): checked before anything is read (an
output may never land on a return, or on any file xlsxkit did not write), locked against a
second run for the whole job, written under temporary names and renamed into place
together at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import multiprocessing as mp
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from xlsxwriter.exceptions import XlsxFileError

from xlsxkit.errors import OutputError, PdfError
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.inbound.batch import ImportRequest, ImportResult, run_import
from xlsxkit.inbound.mail.ledger import provenance_in
from xlsxkit.outfiles import (
    OutputRefused,
    OutputSet,
    checkpoint,
    csv_header_is,
    locked,
    quiet_child,
    same_file,
    write_failure,
    xlsx_marker,
)
from xlsxkit.problems import Severity
from xlsxkit.render.csv import DATA_HEADERS, DataFiles, data_files, write_data
from xlsxkit.render.pdf import is_xlsxkit_pdf, render_pdf
from xlsxkit.render.xlsx import write_summary
from xlsxkit.results.consistency import ConsistencyRule
from xlsxkit.results.consolidate import Summary, consolidate
from xlsxkit.workbook.safety import XLSXKIT_CSV_HEADERS

__all__ = [
    "ImportOutcome",
    "OutputError",
    "check_outputs",
    "import_job",
    "output_targets",
]


def unique_parents(targets: Sequence[Path]) -> list[Path]:
    return list(dict.fromkeys(t.parent for t in targets))


def _csv_failure(data_dir: Path, exc: BaseException) -> OutputError:
    return write_failure(data_dir, "the CSV files", exc, folder=data_dir)


class _DataJob:
    """Writes the CSV files, in a forked child where the platform allows, else at once."""

    def __init__(self, summary: Summary, files: DataFiles, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.files: DataFiles | None = None
        self.process: BaseProcess | None = None
        if sys.platform.startswith("linux"):
            ctx = mp.get_context("fork")
            self.conn, child = ctx.Pipe(duplex=False)
            self.process = ctx.Process(
                target=self._child, args=(summary, files, data_dir, child), daemon=True
            )
            self.process.start()
            child.close()
        else:
            self.files = self._write(summary, files, data_dir)

    @staticmethod
    def _write(summary: Summary, files: DataFiles, data_dir: Path) -> DataFiles:
        try:
            return write_data(summary, data_dir, files=files)
        except OSError as exc:
            raise _csv_failure(data_dir, exc) from None

    @staticmethod
    def _child(summary: Summary, files: DataFiles, data_dir: Path, conn: Connection) -> None:
        quiet_child()
        try:
            written = write_data(summary, data_dir, files=files)
            checkpoint("import:data-written")
            conn.send(("ok", written))
        except OSError as exc:
            conn.send(("error", str(_csv_failure(data_dir, exc))))
        except Exception as exc:  # reported by the parent, never a traceback
            conn.send(("error", f"{data_dir}: cannot write the CSV files ({exc})"))
        finally:
            conn.close()

    def wait(self) -> DataFiles:
        if self.files is not None:
            return self.files
        assert self.process is not None
        try:
            status, payload = self.conn.recv()
        except EOFError:
            status, payload = "error", f"{self.data_dir}: the CSV writer stopped unexpectedly"
        self.process.join()
        if status != "ok" or not isinstance(payload, DataFiles):
            raise OutputError(str(payload))
        self.files = payload
        return payload

    def stop(self) -> None:
        """Make sure the child is gone (it is killed if the job did not get to wait for
        it), so that nothing writes into the temporary folder once it is removed."""
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


@dataclass(frozen=True, kw_only=True)
class ImportOutcome:
    result: ImportResult
    summary: Summary
    summary_path: Path
    data: DataFiles | None
    pdf: Path | None = None  # the PDF written, when one was asked for and could be made
    #: why the PDF asked for was not made (the xlsx outputs were written); "" otherwise
    pdf_error: str = ""

    @property
    def imported(self) -> int:
        return len(self.summary.orgs)

    @property
    def rejected(self) -> int:
        return self.summary.counts.get(ReturnStatus.REJECTED, 0)

    @property
    def warnings(self) -> int:
        return sum(1 for _, p in self.summary.problems if p.severity is Severity.WARNING)


def _not_ours(target: Path) -> str | None:
    """Why an existing TARGET must not be replaced; None when it is an earlier output."""
    try:
        st = target.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new file: its folder is checked when it is made
    except OSError as exc:
        return f"{target}: cannot be checked ({exc.strerror}); give --out another name"
    if stat.S_ISLNK(st.st_mode):
        return (
            f"{target}: is a link (to {os.readlink(target)}); xlsxkit neither writes through "
            "a link nor replaces one, as it may lead to a return. Give the path of a file"
        )
    if stat.S_ISDIR(st.st_mode):
        return f"{target}: is a folder; give a file name"
    if not stat.S_ISREG(st.st_mode):
        return f"{target}: is not a regular file; give the name of a new file"
    if target.suffix.lower() == ".pdf":
        if is_xlsxkit_pdf(target):
            return None
        return (
            f"{target}: exists and is not a PDF that xlsxkit made; xlsxkit never overwrites "
            "it. Move that file away, or give --out another name (the PDF goes beside it)"
        )
    if target.suffix.lower() == ".xlsx":
        if xlsx_marker(target) == "summary":
            return None
        return (
            f"{target}: exists and is not a summary that xlsxkit wrote (it may be a partner's "
            "return); xlsxkit never overwrites it. Give --out another name, or move that "
            "file away"
        )
    header = DATA_HEADERS.get(target.name)
    if header is not None and csv_header_is(target, header):
        return None
    # one written by an earlier xlsxkit, before columns were added
    if any(
        csv_header_is(target, line.split(","))
        for line, name in XLSXKIT_CSV_HEADERS.items()
        if name == target.name
    ):
        return None
    return (
        f"{target}: exists and is not a {target.name} that xlsxkit wrote (it may be a file "
        "a partner sent); xlsxkit never overwrites it. Give --data another folder, or move "
        "that file away"
    )


def check_outputs(targets: Sequence[Path], sources: Sequence[Path]) -> None:
    """Refuse (:class:`OutputRefused`, exit 2) outputs that are inputs or not xlsxkit's own.

    Run before anything is read or written."""
    for folder in unique_parents(targets):
        if folder.exists() and not folder.is_dir():
            raise OutputRefused(f"{folder}: is a file, not a folder; give a folder for the outputs")
    for target in targets:
        for source in sources:
            if source.is_file() and (same_file(target, source) or target == source):
                raise OutputRefused(
                    f"{target}: is one of the files to import (given as {source}); writing "
                    "an output there would destroy it. Give an output path outside the "
                    "returns, e.g. --out summary.xlsx"
                )
        why = _not_ours(target)
        if why is not None:
            raise OutputRefused(why)


def pdf_beside(summary_path: Path) -> Path:
    """Where ``--pdf`` writes the summary's PDF: beside it, summary.xlsx -> summary.pdf."""
    return summary_path.with_suffix(".pdf")


def output_targets(
    summary_path: Path,
    data_dir: Path | None,
    extra_data: Sequence[str] = (),
    *,
    pdf: bool = False,
) -> list[Path]:
    """Every file the job writes (EXTRA_DATA: further files of the data folder, by name;
    PDF: the summary's PDF). The summary comes last: it is renamed into place last."""
    targets: list[Path] = []
    if data_dir is not None:
        files = data_files(data_dir)
        targets += [files.returns, files.stages, files.actions, files.problems]
        targets += [data_dir / name for name in extra_data]
    if pdf:
        targets.append(pdf_beside(summary_path))
    return [*targets, summary_path]


#: Writes one file at the (temporary) path it is given.
FileWriter = Callable[[Path], None]
#: Called once the returns are read and consolidated, under the outputs' lock and before
#: any output is written (a campaign records the import in its store here); returns the
#: writers of the further data files named by ``extra_data`` (progress.csv), written into
#: the same output set as the CSVs.
AfterRead = Callable[[ImportResult, Summary], Mapping[str, FileWriter]]
#: Called right after AFTER_READ: the summary with what only the caller knows (a
#: campaign's deadline and earlier rounds) added.
Annotate = Callable[[Summary], Summary]


def import_job(
    request: ImportRequest,
    *,
    summary_path: Path,
    data_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    after_read: AfterRead | None = None,
    extra_data: Sequence[str] = (),
    pdf: bool = False,
    consistency: ConsistencyRule | None = None,
    annotate: Annotate | None = None,
) -> ImportOutcome:
    """Read, consolidate and write. Raises :class:`OutputError` (never leaving a partial
    or temporary file) when an output cannot be written. CONSISTENCY: the rule of the
    consistency flags (None: the default).

    With PDF, the summary is also rendered to PDF beside it (:func:`pdf_beside`) and the
    two are renamed into place together. When the PDF cannot be made (LibreOffice is not
    installed, or fails), the other outputs are written all the same, an earlier PDF is
    left as it was, and the outcome's ``pdf_error`` says why."""
    targets = output_targets(summary_path, data_dir, extra_data, pdf=pdf)
    check_outputs(targets, request.sources)
    # The email each collected file came from: collected.csv beside the files (collect
    # --out) under what the caller knows (a campaign's store).
    found = provenance_in(request.sources)
    request = dataclasses.replace(request, provenance={**found, **(request.provenance or {})})
    with locked(unique_parents(targets), what="the outputs"), contextlib.ExitStack() as settled:
        result = run_import(request, progress=progress)
        # What was read is kept to the end: the cyclic garbage collector need not walk
        # every answer of every return again and again while the summary and the CSVs are
        # written (at 10,000 returns it spent 2 s of the job doing so).
        gc.freeze()
        settled.callback(gc.unfreeze)
        checkpoint("import:read")
        summary = consolidate(
            request.framework, result, round_name=request.round, consistency=consistency
        )
        extra = after_read(result, summary) if after_read is not None else {}
        if annotate is not None:
            summary = annotate(summary)
        if data_dir is None:
            extra = {}
        elif set(extra) != set(extra_data):  # a bug in the caller, not an input
            raise ValueError(f"after_read wrote {sorted(extra)}, not {sorted(extra_data)}")
        generated_at = dt.datetime.now(dt.UTC)
        pdf_error = ""
        with OutputSet(targets, may_replace=_not_ours) as outs:
            csv_job = None
            try:
                if data_dir is not None:
                    temps = data_files(data_dir)
                    temp_files = DataFiles(
                        returns=outs.temp(temps.returns),
                        stages=outs.temp(temps.stages),
                        actions=outs.temp(temps.actions),
                        problems=outs.temp(temps.problems),
                    )
                    # The CSVs are written by a child process while this one writes the
                    # workbook.
                    csv_job = _DataJob(summary, temp_files, data_dir)
                try:
                    write_summary(
                        summary,
                        outs.temp(summary_path),
                        generated_at=generated_at,
                        tmpdir=outs.scratch(summary_path),
                        data_dir=data_dir,
                        final_path=summary_path,
                    )
                except (OSError, XlsxFileError) as exc:
                    raise write_failure(summary_path, "the summary", exc) from None
                checkpoint("import:summary-written")
                if pdf:
                    pdf_error = _render_pdf(outs.temp(summary_path), summary_path, outs)
                if csv_job is not None:
                    csv_job.wait()
                for name, write in extra.items():
                    assert data_dir is not None
                    try:
                        write(outs.temp(data_dir / name))
                    except OSError as exc:
                        raise _csv_failure(data_dir, exc) from None
            finally:
                if csv_job is not None:
                    csv_job.stop()
            outs.commit()
    data = data_files(data_dir) if data_dir is not None else None
    return ImportOutcome(
        result=result,
        summary=summary,
        summary_path=summary_path,
        data=data,
        pdf=pdf_beside(summary_path) if pdf and not pdf_error else None,
        pdf_error=pdf_error,
    )


def _render_pdf(written: Path, summary_path: Path, outs: OutputSet) -> str:
    """Render the summary WRITTEN (under its temporary name) into the output set; "" when
    done, else why not (with a word about an earlier PDF, which is left as it was)."""
    target = pdf_beside(summary_path)
    try:
        render_pdf(written, outs.temp(target), shown_as=summary_path, shown_target=target)
    except PdfError as exc:
        earlier = (
            f" ({target} is from an earlier import: it does not show this one)"
            if target.exists()
            else ""
        )
        return f"{exc}{earlier}"
    return ""
