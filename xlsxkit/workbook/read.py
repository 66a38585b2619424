"""Read one returned workbook into a :class:`~xlsxkit.framework.model.Return`, through the layout
contract. Never raises for bad input: every verdict is a Return with a status and reason.

Identity comes from the hidden identity sheet, never from the file name; answers are
found by the ids in the hidden id column, on whatever sheet they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from xlsxkit.codes import Code
from xlsxkit.framework.model import Answer, Framework, Return, ReturnStatus
from xlsxkit.problems import Problem, error, warning
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.normalise import (
    UNREADABLE,
    StageMatcher,
    describe,
    free_text,
    is_blank,
    parse_date,
    parse_done,
    text_value,
)
from xlsxkit.workbook.safety import (
    MAX_FILE_BYTES,
    SEND_WORKBOOK,
    NotAReturn,
    Rejection,
    ZipInfo,
    inspect_zip,
    sniff,
)

Grid = list[list[Any]]


@dataclass(kw_only=True)
class _Found:
    """Where an item was found: sheet, 0-based row, and the row's cells."""

    sheet: str
    row: int
    cells: list[Any]

    def at(self, col: int) -> Any:
        return self.cells[col] if len(self.cells) > col else None

    def ref(self, col: int) -> str:
        return L.cell_ref(self.row, col)


@dataclass(kw_only=True)
class _State:
    source: str
    framework: Framework
    problems: list[Problem] = field(default_factory=list)
    #: sheet -> cells cut off beyond the reading bounds before parsing
    trimmed: dict[str, int] = field(default_factory=dict)

    def warn(
        self, code: Code, message: str, *, sheet: str | None = None, cell: str | None = None
    ) -> None:
        self.problems.append(warning(code, message, file=self.source, sheet=sheet, cell=cell))


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
    state = _State(source=source, framework=framework)
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


def _open(data: bytes, zip_info: ZipInfo | None) -> CalamineWorkbook:
    payload = zip_info.trimmed if zip_info and zip_info.trimmed else data
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(payload))
    except PasswordError:
        raise Rejection(
            Code.PASSWORD_PROTECTED,
            "the workbook is protected with a password to open: ask the partner to remove it "
            "or send it unprotected (sheet protection is fine)",
        ) from None
    except (CalamineError, ValueError, OSError) as exc:
        raise Rejection(
            Code.CORRUPT,
            f"the workbook is damaged and cannot be read ({_short(exc)}); {SEND_WORKBOOK}, "
            "saved again",
        ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


class _Book:
    """An open workbook whose sheets are each read once, within the reading bounds."""

    def __init__(self, wb: CalamineWorkbook) -> None:
        self.wb = wb
        self._grids: dict[str, Grid] = {}

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            try:
                sheet = self.wb.get_sheet_by_name(name)
                rows: Grid = sheet.to_python(skip_empty_area=False, nrows=L.MAX_READ_ROWS)
            except (CalamineError, ValueError) as exc:
                raise Rejection(
                    Code.CORRUPT,
                    f"sheet {name!r} is damaged and cannot be read ({_short(exc)}); "
                    f"{SEND_WORKBOOK}",
                ) from None
            self._grids[name] = [r[: L.MAX_READ_COLS] for r in rows]
        return self._grids[name]


def _cell(grid: Grid, row: int, col: int) -> Any:
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return None


def _parse(data: bytes, zip_info: ZipInfo | None, state: _State) -> Return:
    """The accepted return in DATA (file-level fields are filled in by the caller)."""
    wb = _open(data, zip_info)
    book = _Book(wb)
    try:
        names = list(wb.sheet_names)
    except (CalamineError, ValueError) as exc:
        raise Rejection(
            Code.CORRUPT, f"the workbook's sheet list is damaged ({_short(exc)})"
        ) from None
    if not names:
        raise Rejection(Code.NO_SHEETS, f"the workbook has no sheets; {SEND_WORKBOOK}")
    _report_trimmed(zip_info, state)
    identity_sheet, identity = _identity(book, names)
    fw = state.framework
    framework_id = identity.get(L.KEY_FRAMEWORK_ID, "")
    framework_version = identity.get(L.KEY_FRAMEWORK_VERSION, "")
    framework_hash = identity.get(L.KEY_FRAMEWORK_HASH, "")
    org_id = identity.get(L.KEY_ORG_ID, "")
    org_name = identity.get(L.KEY_ORG_NAME, "")
    generic = identity.get(L.KEY_GENERIC, "").lower() == "true"
    layout_version = identity.get(L.KEY_LAYOUT_VERSION, "")
    if layout_version != L.LAYOUT_VERSION:
        raise Rejection(
            Code.UNKNOWN_LAYOUT,
            f"the workbook was made by a different xlsxkit (layout {layout_version or '?'}, "
            f"this one reads layout {L.LAYOUT_VERSION}); import it with the xlsxkit that made it",
        )
    if framework_id != fw.id:
        title = identity.get(L.KEY_FRAMEWORK_TITLE, "")
        raise Rejection(
            Code.OTHER_FRAMEWORK,
            f"the workbook belongs to another framework: {framework_id or '?'} "
            f"version {framework_version or '?'}{f' ({title!r})' if title else ''}, "
            f"not {fw.id}; import it with that framework (--framework)",
        )

    # Stage labels the workbook itself offered, by stage id: an older wording still maps.
    aliases = _workbook_stage_labels(book, identity_sheet)
    matcher = StageMatcher(fw.stages, aliases)
    formulas = {
        name: set(scan.formulas_without_value)
        for name, scan in (zip_info.sheets.items() if zip_info else [])
    }
    found, org_typed, seen_ids = _find_rows(book, names, identity_sheet, identity, state)
    if generic:
        if org_typed is None or is_blank(org_typed[0]):
            raise Rejection(
                Code.NO_ORGANISATION,
                "this is a generic workbook and no organisation name was typed on its Start "
                "sheet: ask the partner to type it in the yellow cell and send it again",
            )
        org_name = " ".join(text_value(org_typed[0]).split())
        org_id = ""  # decided by the import, from the manifest or the name

    if framework_hash != fw.content_hash:
        _version_warning(framework_version, framework_hash, seen_ids, state)

    answers: list[Answer] = []
    for item_id, where in found.items():
        if fw.has_criterion(item_id):
            answers.append(_criterion_answer(item_id, where, matcher, formulas, state))
        elif fw.has_action(item_id):
            answers.append(_action_answer(item_id, where, formulas, state))
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


def _report_trimmed(zip_info: ZipInfo | None, state: _State) -> None:
    """Remember the sheets cut to the reading bounds before parsing (see
    :mod:`xlsxkit.workbook.safety`); their cells are reported with the sheet's other stray
    content."""
    if zip_info is not None:
        state.trimmed.update(zip_info.trimmed_sheets)


def _identity(book: _Book, names: Sequence[str]) -> tuple[str, dict[str, str]]:
    candidates = [n for n in names if n == L.IDENTITY_SHEET] + [
        n for n in names if n != L.IDENTITY_SHEET
    ]
    for name in candidates:
        grid = book.grid(name)
        if text_value(_cell(grid, 0, L.IDENTITY_KEY_COL)) != L.IDENTITY_MARKER:
            continue
        pairs: dict[str, str] = {}
        for row in grid[L.IDENTITY_FIRST_ROW :]:
            key = text_value(row[L.IDENTITY_KEY_COL] if len(row) > L.IDENTITY_KEY_COL else None)
            if key:
                value = row[L.IDENTITY_VALUE_COL] if len(row) > L.IDENTITY_VALUE_COL else None
                pairs[key] = text_value(value)
        return name, pairs
    raise Rejection(
        Code.NO_IDENTITY,
        "the workbook has no xlsxkit identity sheet: it is not a workbook generated by xlsxkit, "
        "or its content was copied into a new workbook, which loses the hidden identity. Ask "
        "the partner to fill in the original workbook they were sent",
    )


def _workbook_stage_labels(book: _Book, identity_sheet: str) -> list[tuple[str, str]]:
    grid = book.grid(identity_sheet)
    out = []
    for row in grid[L.LIST_FIRST_ROW :]:
        label = text_value(row[L.LIST_STAGE_COL] if len(row) > L.LIST_STAGE_COL else None)
        stage_id = text_value(row[L.LIST_STAGE_ID_COL] if len(row) > L.LIST_STAGE_ID_COL else None)
        if label and stage_id:
            out.append((label, stage_id))
    return out


def _find_rows(
    book: _Book,
    names: Sequence[str],
    identity_sheet: str,
    identity: dict[str, str],
    state: _State,
) -> tuple[dict[str, _Found], list[Any] | None, set[str]]:
    """Every row that carries an id, by id, from whichever sheet it is on.

    Sheets named as generated are read first, so when a partner copied a sheet, the
    original's answers win. Also returns the typed organisation name (generic workbooks)
    and every id seen.
    """
    fw = state.framework
    generated = {v for k, v in identity.items() if k.startswith(L.SHEET_KEY_PREFIX)}
    generated.add(L.START_SHEET)
    order = [n for n in names if n in generated] + [n for n in names if n not in generated]
    found: dict[str, _Found] = {}
    seen: set[str] = set()
    org_typed: list[Any] | None = None
    generic = identity.get(L.KEY_GENERIC, "").lower() == "true"
    for name in order:
        if name == identity_sheet or (name == L.START_SHEET and not generic):
            continue  # a personalised workbook's Start sheet holds no answers
        grid = book.grid(name)
        ids_here = 0
        last_item_row = -1
        for r, row in enumerate(grid):
            raw_id = row[L.COL_ID] if row else None
            if not isinstance(raw_id, str) or not raw_id.strip():
                continue
            item_id = raw_id.strip()
            kind = row[L.COL_KIND] if len(row) > L.COL_KIND else None
            if kind == L.KIND_ORG_NAME and item_id == L.START_ORG_ROW_ID:
                ids_here += 1
                if org_typed is None:
                    org_typed = [_cell(grid, r, L.START_VALUE_COL)]
                continue
            if kind not in (L.KIND_CRITERION, L.KIND_ACTION):
                continue  # not a row of the form (e.g. text on a sheet the partner added)
            if not (fw.has_criterion(item_id) or fw.has_action(item_id)):
                seen.add(item_id)  # an item of another version of the framework
                ids_here += 1
                continue
            seen.add(item_id)
            ids_here += 1
            last_item_row = r
            if item_id in found:
                first = found[item_id]
                state.warn(
                    Code.DUPLICATE_ITEM,
                    f"item {item_id} appears again here (a copied sheet?); the answer on "
                    f"sheet {first.sheet!r} row {first.row + 1} was used",
                    sheet=name,
                    cell=L.cell_ref(r, L.COL_ID),
                )
                continue
            found[item_id] = _Found(sheet=name, row=r, cells=list(row))
        far = state.trimmed.pop(name, 0)
        if last_item_row >= 0:
            _outside_form(grid, name, last_item_row, far, state)
        elif ids_here == 0 and (_non_empty(grid) or far):
            state.warn(
                Code.EXTRA_SHEET,
                f"sheet {name!r} is not part of the form; its content "
                f"({_non_empty(grid) + far:,} cells) was not imported",
                sheet=name,
            )
    for name, far in state.trimmed.items():
        state.warn(
            Code.CONTENT_OUTSIDE_FORM,
            f"{far:,} cells far outside the form (beyond row {L.MAX_READ_ROWS:,} or column "
            f"{L.col_letter(L.MAX_READ_COLS - 1)}) were ignored",
            sheet=name,
        )
    return found, org_typed, seen


def _outside_form(grid: Grid, sheet: str, last_item_row: int, far: int, state: _State) -> None:
    """Warn about content below or to the right of a dimension sheet's form; FAR cells were
    already cut off beyond the reading bounds."""
    first: str | None = None
    count = far
    for r, row in enumerate(grid):
        start = 0 if r > last_item_row + 1 else L.LAST_COL + 1
        for c in range(start, len(row)):
            if not is_blank(row[c]):
                count += 1
                first = first or L.cell_ref(r, c)
    if count:
        where = f" (first at {first})" if first else ""
        state.warn(
            Code.CONTENT_OUTSIDE_FORM,
            f"{count:,} cell(s) outside the form{where} were ignored; answers are read only "
            "from the form's own rows",
            sheet=sheet,
            cell=first,
        )


def _non_empty(grid: Grid) -> int:
    return sum(1 for row in grid for v in row if not is_blank(v))


def _version_warning(version: str, content_hash: str, seen: set[str], state: _State) -> None:
    fw = state.framework
    ours = {c.id for c in fw.criteria} | {a.id for a in fw.actions}
    only_workbook = sorted(seen - ours)
    only_framework = sorted(ours - seen)
    detail = []
    if only_workbook:
        detail.append(
            f"{len(only_workbook)} item(s) in the workbook are not in this framework and were "
            f"ignored: {_some(only_workbook)}"
        )
    if only_framework:
        detail.append(
            f"{len(only_framework)} item(s) of this framework are not in the workbook and stay "
            f"unanswered: {_some(only_framework)}"
        )
    if not detail:
        detail.append("every item id matches; only the wording differs")
    state.warn(
        Code.FRAMEWORK_VERSION,
        f"the workbook was made from {fw.id} version {version or '?'} "
        f"(content {content_hash[:19] or '?'}), not version {fw.version} "
        f"({fw.content_hash[:19]}); answers were taken for every item in both. "
        + "; ".join(detail),
    )


def _some(ids: list[str], limit: int = 10) -> str:
    return ", ".join(ids[:limit]) + ("..." if len(ids) > limit else "")


def _missing_value(
    found: _Found, col: int, formulas: dict[str, set[str]], state: _State, what: str
) -> bool:
    ref = found.ref(col)
    if ref in formulas.get(found.sheet, set()):
        state.warn(
            Code.MISSING_CACHED_VALUE,
            f"the {what} is a formula saved without its value (the app that saved the file "
            "did not calculate it); left unanswered. Open and save the file in Excel or "
            "LibreOffice, then import it again",
            sheet=found.sheet,
            cell=ref,
        )
        return True
    return False


def _criterion_answer(
    item_id: str,
    found: _Found,
    matcher: StageMatcher,
    formulas: dict[str, set[str]],
    state: _State,
) -> Answer:
    raw_stage = found.at(L.COL_INPUT)
    stage_id: str | None = None
    if not _missing_value(found, L.COL_INPUT, formulas, state, "stage"):
        matched = matcher.match(raw_stage)
        if matched is UNREADABLE:
            labels = ", ".join(s.label for s in state.framework.stages)
            state.warn(
                Code.UNREADABLE_STAGE,
                f"{describe(raw_stage)} is not a stage of this framework ({labels}); the "
                "criterion was left unanswered. Ask the partner which stage they meant",
                sheet=found.sheet,
                cell=found.ref(L.COL_INPUT),
            )
        elif isinstance(matched, str):
            stage_id = matched
    return Answer(
        item_id=item_id,
        sheet=found.sheet,
        row=found.row + 1,
        stage_id=stage_id,
        comment=free_text(found.at(L.COL_NOTE)),
    )


def _action_answer(
    item_id: str, found: _Found, formulas: dict[str, set[str]], state: _State
) -> Answer:
    at = found.at
    done: bool | None = None
    if not _missing_value(found, L.COL_INPUT, formulas, state, "tick"):
        parsed = parse_done(at(L.COL_INPUT))
        if parsed is UNREADABLE:
            state.warn(
                Code.UNREADABLE_TICK,
                f"{describe(at(L.COL_INPUT))} is not a tick: use TRUE/FALSE, yes/no, x or ✓; "
                "the action was left unanswered",
                sheet=found.sheet,
                cell=found.ref(L.COL_INPUT),
            )
        elif isinstance(parsed, bool):
            done = parsed
    target = ""
    raw_date = at(L.COL_DATE)
    parsed_date = parse_date(raw_date)
    if parsed_date is UNREADABLE:
        state.warn(
            Code.UNREADABLE_DATE,
            f"{describe(raw_date)} is not a date xlsxkit can read without guessing; the target "
            "date was left blank. Write dates as 2027-03-31",
            sheet=found.sheet,
            cell=found.ref(L.COL_DATE),
        )
    elif isinstance(parsed_date, dt.date):
        target = parsed_date.isoformat()
    return Answer(
        item_id=item_id,
        sheet=found.sheet,
        row=found.row + 1,
        done=done,
        notes=free_text(at(L.COL_NOTE)),
        lead=free_text(at(L.COL_LEAD)),
        target_date=target,
    )
