"""Read one returned workbook into a :class:`~xlsxkit.framework.model.Return`, through the
layout contract. Never raises for bad input: every verdict is a Return with a status and
reason.

Identity comes from the hidden identity sheet, never from the file name (:mod:`.identity`);
answers are found by the ids in the hidden id column, on whatever sheet they are
(:mod:`.rows`), and decoded field by field over the same :data:`layout.FIELDS` table the
writer fills (:mod:`.answers`). What one return may carry into the main process is bounded
(:mod:`.state`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from python_calamine import CalamineError

from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer, Framework, Return, ReturnStatus
from xlsxkit.problems import Problem, error
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import StageMatcher, is_blank, text_value
from xlsxkit.workbook.plan import default_plan
from xlsxkit.workbook.read.answers import Context, read_answer, read_text
from xlsxkit.workbook.read.book import Book, open_workbook, short
from xlsxkit.workbook.read.identity import read_identity, workbook_stage_labels
from xlsxkit.workbook.read.rows import find_rows, version_warning
from xlsxkit.workbook.read.state import MAX_RETURN_TEXT, ReadState
from xlsxkit.workbook.safety import (
    MAX_FILE_BYTES,
    SEND_WORKBOOK,
    NotAReturn,
    Rejection,
    ZipInfo,
    inspect_zip,
    sniff,
)

__all__ = ["MAX_RETURN_TEXT", "read_return", "rejected"]


def read_return(path: Path, framework: Framework, *, display: str | None = None) -> Return:
    """Read PATH as a returned workbook. Any unexpected failure becomes a rejection."""
    source = display or str(path)
    try:
        return _read(path, source, framework)
    except Rejection as rej:
        return rejected(source, rej.problem)
    except MemoryError:
        return rejected(
            source,
            error(
                Code.TOO_LARGE,
                "the file needs more memory to read than a workbook ever should; it was refused",
            ),
        )
    except Exception as exc:  # an xlsxkit bug must not stop the batch
        summary = f"{type(exc).__name__}: {exc}"[:300]
        return rejected(
            source,
            error(
                Code.INTERNAL_ERROR,
                f"xlsxkit failed to read this file ({summary}); this is a bug in xlsxkit: please "
                "report it with the file",
            ),
        )


def rejected(source: str, problem: Problem, *, sha256: str = "") -> Return:
    """SOURCE rejected, with PROBLEM (an error) as its verdict, located at the file."""
    verdict = dataclasses.replace(
        problem, location=dataclasses.replace(problem.location, file=source)
    )
    return Return(source=source, status=ReturnStatus.REJECTED, verdict=verdict, sha256=sha256)


def _read(path: Path, source: str, framework: Framework) -> Return:
    try:
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            raise Rejection(
                Code.TOO_LARGE,
                f"the file is {stat.st_size / 1e6:.1f} MB; an assessment workbook is about "
                f"30 KB and at most {MAX_FILE_BYTES // (1024 * 1024)} MB is read; {SEND_WORKBOOK}",
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Rejection(Code.UNREADABLE, f"cannot read the file: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        kind = sniff(data, path.name)
        zip_info = inspect_zip(data) if kind.kind == "zip" else None
    except NotAReturn as rej:
        verdict = dataclasses.replace(
            rej.problem, location=dataclasses.replace(rej.problem.location, file=source)
        )
        return Return(source=source, status=ReturnStatus.SKIPPED, verdict=verdict, sha256=digest)
    except Rejection as rej:
        return rejected(source, rej.problem, sha256=digest)
    mtime = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
    state = ReadState(source=source, framework=framework)
    try:
        result = _parse(data, zip_info, state)
    except Rejection as rej:
        return rejected(source, rej.problem, sha256=digest)
    saved = zip_info.saved_at if zip_info and zip_info.saved_at else None
    return dataclasses.replace(
        result,
        saved_at=(saved or mtime).isoformat(timespec="seconds"),
        saved_at_source="document" if saved else "file",
        file_saved_at=mtime.isoformat(timespec="seconds"),
        problems=tuple(state.problems),
        sha256=digest,
    )


def _parse(data: bytes, zip_info: ZipInfo | None, state: ReadState) -> Return:
    """The accepted return in DATA (file-level fields are filled in by the caller)."""
    wb = open_workbook(data, zip_info)
    book = Book(wb)
    try:
        names = list(wb.sheet_names)
    except (CalamineError, ValueError) as exc:
        raise Rejection(
            Code.CORRUPT, f"the workbook's sheet list is damaged ({short(exc)})"
        ) from None
    if not names:
        raise Rejection(Code.NO_SHEETS, f"the workbook has no sheets; {SEND_WORKBOOK}")
    if zip_info is not None:
        # Sheets cut to the reading bounds before parsing (see workbook.safety): their cells
        # are reported with the sheet's other stray content.
        state.trimmed.update(zip_info.trimmed_sheets)
    identity_sheet, identity = read_identity(book, names, state)
    fw = state.framework
    framework_id = identity.get(L.KEY_FRAMEWORK_ID, "")
    framework_version = identity.get(L.KEY_FRAMEWORK_VERSION, "")
    framework_hash = identity.get(L.KEY_FRAMEWORK_HASH, "")
    org_id = identity.get(L.KEY_ORG_ID, "")
    org_name = identity.get(L.KEY_ORG_NAME, "")
    generic = identity.get(L.KEY_GENERIC, "").lower() == "true"
    layout_version = identity.get(L.KEY_LAYOUT_VERSION, "")
    if layout_version not in L.READABLE_LAYOUTS:
        raise Rejection(
            Code.UNKNOWN_LAYOUT,
            f"the workbook was made by a different xlsxkit (layout {layout_version[:40] or '?'}, "
            f"this one reads layouts {', '.join(L.READABLE_LAYOUTS)}); import it with the "
            "xlsxkit that made it",
        )
    if framework_id != fw.id:
        title = identity.get(L.KEY_FRAMEWORK_TITLE, "")[:300]
        raise Rejection(
            Code.OTHER_FRAMEWORK,
            f"the workbook belongs to another framework: {framework_id[:100] or '?'} "
            f"version {framework_version[:40] or '?'}{f' ({title!r})' if title else ''}, "
            f"not {fw.id}; import it with that framework (--framework)",
        )

    # Stage labels the workbook itself offered, by stage id: an older wording still maps.
    matcher = StageMatcher(fw.stages, workbook_stage_labels(book, identity_sheet))
    formulas = {
        name: set(scan.formulas_without_value)
        for name, scan in (zip_info.sheets.items() if zip_info else [])
    }
    plan = default_plan(fw)
    rows = find_rows(book, names, identity_sheet, identity, plan, state)
    if generic:
        org_field = L.FIELD[L.FieldName.ORG_NAME]
        typed = rows.org_typed
        if typed is None or is_blank(typed.at(org_field.col)):
            raise Rejection(
                Code.NO_ORGANISATION,
                "this is a generic workbook and no organisation name was typed on its Start "
                "sheet: ask the partner to type it in the yellow cell and send it again",
            )
        org_name = " ".join(text_value(read_text(typed, org_field, state)).split())
        org_id = ""  # decided by the import, from the manifest or the name

    if framework_hash != fw.content_hash:
        version_warning(framework_version, framework_hash, rows.seen, state)

    ctx = Context(matcher=matcher, formulas=formulas, state=state)
    answers: list[Answer] = [read_answer(item, found, ctx) for item, found in rows.found.items()]
    return Return(
        source=state.source,
        status=ReturnStatus.ACCEPTED,
        org_id=org_id,
        org_name=org_name,
        generic=generic,
        token=identity.get(L.KEY_TOKEN, ""),
        framework_id=framework_id,
        framework_version=framework_version,
        framework_hash=framework_hash,
        round=identity.get(L.KEY_ROUND, ""),
        answers=tuple(answers),
    )
