"""Generate one workbook per organisation, plus the manifest the import uses.

A folder holds one batch: the workbooks and the manifest that lists their tokens. The
two must always agree, so they are written as one set (see :mod:`xlsxkit.outfiles`):
under a lock, to temporary names, renamed into place together at the end (the manifest
last).

Into a folder that already holds a batch of the same framework and round, ``generate``
adds workbooks only for the organisations its manifest does not list (a late partner),
appends their rows to the manifest, and leaves every existing workbook and token byte for
byte as it was, because they may have been sent already. ``force`` regenerates the whole
batch with new tokens instead; it still replaces only files that xlsxkit wrote.

A batch of :data:`TEMPLATE_THRESHOLD` workbooks or more is written from a template made
once per process (:mod:`xlsxkit.workbook.write.template`): each workbook then costs a
few milliseconds instead of some 45, and holds, part for part, what XlsxWriter would have
written for it. Workbooks the template cannot write (prefilled from a last round, the
generic one, a name that is also a heading) are written directly, in the same batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from xlsxwriter.exceptions import XlsxFileError

from xlsxkit.csvsafe import neutralise, write_csv
from xlsxkit.errors import GenerateError, ManifestError, OutputError
from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.names import safe_file_stem
from xlsxkit.outfiles import (
    RUN_DIR_PREFIX,
    OutputRefused,
    OutputSet,
    checkpoint,
    csv_header_is,
    locked,
    quiet_child,
    write_failure,
)
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.manifest import (
    LEGACY_MANIFEST_COLUMNS,
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    ManifestRow,
    read_manifest,
)
from xlsxkit.workbook.write import WorkbookSpec, write_workbook
from xlsxkit.workbook.write.template import BatchTemplate

#: Batches at least this big are written by several processes.
PARALLEL_THRESHOLD = 24
#: Batches at least this big are written from a template (see
#: :mod:`xlsxkit.workbook.write.template`): making one costs about three workbooks.
TEMPLATE_THRESHOLD = 8


class Mode(StrEnum):
    NEW = "new"  # an empty or new folder
    ADDED = "added"  # late partners added to the batch already in the folder
    REGENERATED = "regenerated"  # --force over a batch: every workbook has a new token


@dataclass(frozen=True, kw_only=True)
class GenerateRequest:
    framework: Framework
    organisations: Sequence[Organisation]  # empty: one generic workbook
    out_dir: Path
    instructions: InstructionsTemplate
    round: str = ""
    deadline: dt.date | None = None
    return_to: str = ""
    password: str | None = None
    force: bool = False
    jobs: int | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    #: A campaign round's pre-fill, by organisation id: the answers each workbook starts
    #: from, and the name of the round they were accepted in.
    prefill: Mapping[str, Sequence[Answer]] = field(default_factory=dict)
    previous_round: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class GenerateResult:
    out_dir: Path
    manifest: Path
    rows: tuple[ManifestRow, ...]  # the whole manifest, earlier rows included
    generic: bool
    mode: Mode = Mode.NEW
    #: The rows written by this run (all of them unless late partners were added).
    added: tuple[ManifestRow, ...] = ()
    #: Workbooks of the earlier batch left as they were (ADDED) or made invalid (REGENERATED).
    earlier: int = 0
    #: REGENERATED: earlier workbooks left in place because they changed since they were
    #: written (they may hold a partner's answers); the new ones got other names.
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class _Task:
    organisation: Organisation | None
    file: str
    token: str
    temp: Path


@dataclass(frozen=True, kw_only=True)
class _Batch:
    """The batch already in the folder, if any."""

    rows: tuple[ManifestRow, ...]
    raw: bytes  # the manifest as it is on disk, appended to byte for byte


# --------------------------------------------------------------------------------------
# the folder


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _visible_entries(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out) if not n.startswith(RUN_DIR_PREFIX))


def _read_batch(out: Path) -> _Batch | None:
    manifest = out / MANIFEST_NAME
    if not manifest.exists() and not manifest.is_symlink():
        return None
    ours = manifest.is_file() and not manifest.is_symlink()
    if ours and not (
        csv_header_is(manifest, MANIFEST_COLUMNS)
        or csv_header_is(manifest, LEGACY_MANIFEST_COLUMNS)
    ):
        ours = False
    if not ours:
        raise OutputRefused(
            f"{manifest}: is not a manifest that xlsxkit wrote; xlsxkit never replaces it. "
            "Choose another --out folder, or move that file away"
        )
    try:
        rows = read_manifest(manifest)
        raw = manifest.read_bytes()
    except (ManifestError, OSError) as exc:
        raise GenerateError(f"{manifest}: cannot read the batch already there: {exc}") from None
    return _Batch(rows=tuple(rows), raw=raw)


def _check_same_batch(request: GenerateRequest, batch: _Batch) -> None:
    manifest = request.out_dir / MANIFEST_NAME
    fw = request.framework
    if any(not r.framework for r in batch.rows):
        raise GenerateError(
            f"{request.out_dir}: holds a batch from an earlier version of xlsxkit, whose "
            f"{MANIFEST_NAME} does not record the framework and round, so organisations "
            "cannot be added to it safely. Generate into a new folder, or add --force to "
            "regenerate every workbook (the ones already sent become invalid)"
        )
    theirs = {(r.framework, r.framework_version, r.round) for r in batch.rows}
    ours = (fw.id, fw.version, request.round)
    if theirs != {ours}:
        them = ", ".join(
            f"framework {f} {v}, " + (f"round {r!r}" if r else "no round")
            for f, v, r in sorted(theirs)
        )
        us = f"framework {fw.id} {fw.version}, " + (
            f"round {request.round!r}" if request.round else "no round"
        )
        raise GenerateError(
            f"{request.out_dir}: holds another batch ({them}, in {manifest.name}), not this "
            f"one ({us}); workbooks of two batches cannot share a folder. Generate into a "
            "new folder, or give the same --round, or add --force to replace that batch"
        )


def _replaceable(out: Path, batch: _Batch | None) -> set[str]:
    """Names of files xlsxkit may replace: workbooks listed in the manifest and unchanged
    since (byte for byte what was written: a changed one may hold a partner's answers)."""
    names: set[str] = set()
    for row in batch.rows if batch else ():
        path = out / row.file
        if row.file and path.is_file() and not path.is_symlink() and _sha256(path) == row.sha256:
            names.add(row.file)
    return names


def _plan(
    request: GenerateRequest, organisations: Sequence[Organisation], taken: set[str]
) -> list[tuple[Organisation | None, str]]:
    if not organisations:
        stem = safe_file_stem(f"{request.framework.id}-self-assessment", taken=taken)
        return [(None, f"{stem}.xlsx")]
    return [
        (org, f"{safe_file_stem(org.name, taken=taken, fallback=org.id)}.xlsx")
        for org in organisations
    ]


# --------------------------------------------------------------------------------------
# writing


class _Worker:
    """What a process writing workbooks keeps: the request (set once per process, so the
    framework is not sent with every task) and the batch's template, made on first use."""

    def __init__(self, request: GenerateRequest, *, template: bool) -> None:
        self.request = request
        self._want_template = template
        self._template: BatchTemplate | None = None

    def template(self, spec: WorkbookSpec) -> BatchTemplate | None:
        if self._want_template:
            self._want_template = False  # made once, even when it cannot be used
            self._template = BatchTemplate.build(spec)
        return self._template


_STATE: dict[str, _Worker] = {}


def _init_worker(request: GenerateRequest, template: bool = False) -> None:
    _STATE["worker"] = _Worker(request, template=template)


def _init_pool_worker(request: GenerateRequest, template: bool) -> None:
    quiet_child()
    _init_worker(request, template)


def _write_one(task: _Task) -> tuple[str, str]:
    worker = _STATE["worker"]
    request = worker.request
    spec = WorkbookSpec(
        framework=request.framework,
        organisation=task.organisation,
        instructions=request.instructions,
        token=task.token,
        round=request.round,
        deadline=request.deadline,
        return_to=request.return_to,
        generated_at=request.generated_at,
        password=request.password,
        prefill=request.prefill.get(task.organisation.id, ()) if task.organisation else (),
        previous_round=(
            request.previous_round.get(task.organisation.id) if task.organisation else None
        ),
    )
    template = worker.template(spec)
    data = template.render(spec) if template else None
    if data is None:  # not one the template can write: see BatchTemplate.render
        write_workbook(spec, task.temp)
        data = task.temp.read_bytes()
    else:
        task.temp.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    checkpoint("generate:workbook")
    return task.file, digest


def _write_all(
    request: GenerateRequest, tasks: list[_Task], progress: Callable[[int], None] | None
) -> dict[str, str]:
    jobs = request.jobs or os.cpu_count() or 1
    digests: dict[str, str] = {}
    template = len(tasks) >= TEMPLATE_THRESHOLD
    if jobs > 1 and len(tasks) >= PARALLEL_THRESHOLD:
        pool = ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_pool_worker, initargs=(request, template)
        )
        try:
            for file, digest in pool.map(_write_one, tasks, chunksize=8):
                digests[file] = digest
                if progress:
                    progress(1)
        finally:
            # On an error or Ctrl-C: drop what has not started and wait for what has, so
            # that no worker writes into the temporary folder after it is removed.
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        _init_worker(request, template)
        for task in tasks:
            file, digest = _write_one(task)
            digests[file] = digest
            if progress:
                progress(1)
    return digests


def _row(request: GenerateRequest, task: _Task, digest: str) -> ManifestRow:
    org = task.organisation
    return ManifestRow(
        org_id=org.id if org else "",
        org_name=org.name if org else "",
        contact=org.contact if org else "",
        email=org.email if org else "",
        file=task.file,
        token=task.token,
        sha256=digest,
        framework=request.framework.id,
        framework_version=request.framework.version,
        round=request.round,
    )


def _append(raw: bytes, rows: Sequence[ManifestRow]) -> bytes:
    """RAW with ROWS appended, as :func:`write_csv` writes them; earlier bytes untouched."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow([neutralise(getattr(r, c)) for c in MANIFEST_COLUMNS])
    head = raw if raw.endswith(b"\n") or not raw else raw + b"\r\n"
    return head + buf.getvalue().encode("utf-8")


def generate(
    request: GenerateRequest, *, progress: Callable[[int], None] | None = None
) -> GenerateResult:
    """Write the workbooks and the manifest as one set. Raises :class:`GenerateError` or
    :class:`~xlsxkit.outfiles.OutputError`; either way nothing in the folder changed."""
    out = request.out_dir
    with locked([out], what="the workbooks"):
        batch = _read_batch(out)
        if batch is None and _visible_entries(out) and not request.force:
            raise GenerateError(
                f"{out}: the folder is not empty; choose an empty or new folder (it holds no "
                "batch of workbooks to add to), or add --force to write into it (files that "
                "xlsxkit did not write are left alone)"
            )
        if batch is not None and not request.force:
            _check_same_batch(request, batch)
            mode = Mode.ADDED
            listed = {r.org_id for r in batch.rows}
            todo = [o for o in request.organisations if o.id not in listed]
            if progress and len(request.organisations) > len(todo):
                progress(len(request.organisations) - len(todo))  # already there
            # A generic workbook (no organisations) is listed under the empty id.
            if not todo and (request.organisations or "" in listed):
                return GenerateResult(
                    out_dir=out,
                    manifest=out / MANIFEST_NAME,
                    rows=batch.rows,
                    generic=not request.organisations,
                    mode=mode,
                    added=(),
                    earlier=len(batch.rows),
                )
            replaceable: set[str] = set()
            changed: tuple[str, ...] = ()
        else:
            mode = Mode.REGENERATED if batch is not None else Mode.NEW
            todo = list(request.organisations)
            replaceable = _replaceable(out, batch)
            changed = tuple(
                r.file
                for r in (batch.rows if batch else ())
                if r.file and r.file not in replaceable and (out / r.file).exists()
            )
        # New names never clash with a file that stays: only replaceable files give theirs.
        taken = {MANIFEST_NAME.rsplit(".", 1)[0].casefold()}
        taken |= {
            Path(n).stem.casefold()
            for n in _visible_entries(out)
            if n not in replaceable and n != MANIFEST_NAME
        }
        planned = _plan(request, todo, taken)
        files = [out / file for _, file in planned]
        manifest = out / MANIFEST_NAME

        def not_ours(path: Path) -> str | None:
            if path == manifest or path.name in replaceable:
                return None
            return f"{path}: appeared while the workbooks were written; it was left alone"

        with OutputSet([*files, manifest], may_replace=not_ours) as outs:
            tasks = [
                _Task(organisation=org, file=file, token=secrets.token_hex(8), temp=outs.temp(path))
                for (org, file), path in zip(planned, files, strict=True)
            ]
            try:
                digests = _write_all(request, tasks, progress)
            except (OSError, XlsxFileError) as exc:
                raise write_failure(out, "the workbooks", exc, folder=out) from None
            checkpoint("generate:written")
            new_rows = tuple(_row(request, t, digests[t.file]) for t in tasks)
            try:
                if mode is Mode.ADDED and batch is not None:
                    outs.temp(manifest).write_bytes(_append(batch.raw, new_rows))
                else:
                    write_csv(
                        outs.temp(manifest),
                        MANIFEST_COLUMNS,
                        ([getattr(r, c) for c in MANIFEST_COLUMNS] for r in new_rows),
                    )
            except OSError as exc:
                raise write_failure(manifest, "the manifest", exc) from None
            checkpoint("generate:manifest-written")
            outs.commit()
        rows = (*batch.rows, *new_rows) if mode is Mode.ADDED and batch else new_rows
        return GenerateResult(
            out_dir=out,
            manifest=manifest,
            rows=rows,
            generic=not request.organisations,
            mode=mode,
            added=new_rows,
            earlier=len(batch.rows) if batch else 0,
            changed=changed,
        )


__all__ = [
    "GenerateError",
    "GenerateRequest",
    "GenerateResult",
    "Mode",
    "OutputError",
    "generate",
]
