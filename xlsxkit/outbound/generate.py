"""Generate one workbook per organisation, plus the manifest the import uses."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from xlsxkit.csvsafe import write_csv
from xlsxkit.errors import GenerateError
from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.names import safe_file_stem
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.manifest import MANIFEST_COLUMNS, MANIFEST_NAME, ManifestRow
from xlsxkit.workbook.write import WorkbookSpec, write_workbook

#: Batches at least this big are written by several processes.
PARALLEL_THRESHOLD = 24


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
    rows: tuple[ManifestRow, ...]
    generic: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class _Task:
    organisation: Organisation | None
    file: str
    token: str


def _plan(request: GenerateRequest) -> list[_Task]:
    taken = {MANIFEST_NAME.rsplit(".", 1)[0]}
    if not request.organisations:
        stem = safe_file_stem(f"{request.framework.id}-self-assessment", taken=taken)
        return [_Task(organisation=None, file=f"{stem}.xlsx", token=secrets.token_hex(8))]
    return [
        _Task(
            organisation=org,
            file=f"{safe_file_stem(org.name, taken=taken, fallback=org.id)}.xlsx",
            token=secrets.token_hex(8),
        )
        for org in request.organisations
    ]


def _check_out_dir(request: GenerateRequest) -> None:
    out = request.out_dir
    if out.exists() and not out.is_dir():
        raise GenerateError(f"{out}: is a file, not a folder; give a folder for the workbooks")
    if out.is_dir() and any(out.iterdir()) and not request.force:
        raise GenerateError(
            f"{out}: the folder is not empty; choose an empty or new folder, or add --force "
            "to write into it (files with the same names are replaced)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GenerateError(f"{out}: cannot create the folder: {exc.strerror}") from None


# Worker state: set once per process, so the framework is not sent with every task.
_STATE: dict[str, GenerateRequest] = {}


def _init_worker(request: GenerateRequest) -> None:
    _STATE["request"] = request


def _write_one(task: _Task) -> tuple[str, str]:
    request = _STATE["request"]
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
    target = request.out_dir / task.file
    partial = target.with_name(f".{task.file}.partial")
    write_workbook(spec, partial)
    os.replace(partial, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    return task.file, digest


def generate(
    request: GenerateRequest, *, progress: Callable[[int], None] | None = None
) -> GenerateResult:
    """Write every workbook and the manifest. Raises :class:`GenerateError`."""
    _check_out_dir(request)
    tasks = _plan(request)
    jobs = request.jobs or os.cpu_count() or 1
    digests: dict[str, str] = {}
    try:
        if jobs > 1 and len(tasks) >= PARALLEL_THRESHOLD:
            with ProcessPoolExecutor(
                max_workers=jobs, initializer=_init_worker, initargs=(request,)
            ) as pool:
                for file, digest in pool.map(_write_one, tasks, chunksize=8):
                    digests[file] = digest
                    if progress:
                        progress(1)
        else:
            _init_worker(request)
            for task in tasks:
                file, digest = _write_one(task)
                digests[file] = digest
                if progress:
                    progress(1)
    except OSError as exc:
        raise GenerateError(
            f"{request.out_dir}: cannot write a workbook: {exc.strerror or exc}"
        ) from None
    rows = tuple(
        ManifestRow(
            org_id=t.organisation.id if t.organisation else "",
            org_name=t.organisation.name if t.organisation else "",
            contact=t.organisation.contact if t.organisation else "",
            email=t.organisation.email if t.organisation else "",
            file=t.file,
            token=t.token,
            sha256=digests[t.file],
        )
        for t in tasks
    )
    manifest = request.out_dir / MANIFEST_NAME
    write_csv(
        manifest,
        MANIFEST_COLUMNS,
        ([getattr(r, c) for c in MANIFEST_COLUMNS] for r in rows),
    )
    return GenerateResult(
        out_dir=request.out_dir, manifest=manifest, rows=rows, generic=not request.organisations
    )
