"""Read the list of partner organisations (CSV or a spreadsheet) into Organisations.

The list has the header ``id,name,contact,email``. ``id`` may be blank: it then becomes a
slug of the name. Problems are reported with their line (CSV) or row (spreadsheet), and a
list with any error yields no organisations, so nothing is generated from a bad list.

The list is an input like a return: it is read within a size bound, and a spreadsheet goes
through the same checks as a returned workbook (what it really is, zip bounds, sheets cut to
the reading bounds) and is parsed in a sandboxed worker process, so a hostile or broken file
is an error about that file, never a crash of ``generate``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxkit.codes import Code
from xlsxkit.framework.model import Organisation
from xlsxkit.inbound.pool import SandboxFailure, run_sandboxed
from xlsxkit.inputs import MAX_ORG_LIST_BYTES, InputFileError, InputProblem, read_bounded
from xlsxkit.names import normalise_label, slugify
from xlsxkit.problems import Location, Problem, Report, error, warning
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.safety import (
    OLE_MAGIC,
    SEND_WORKBOOK,
    ZIP_MAGIC,
    Rejection,
    inspect_zip,
    sniff,
)

COLUMNS = ("id", "name", "contact", "email")
MAX_NAME_LENGTH = 200
MAX_CONTACT_LENGTH = 200
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
#: Problems printed by org_problems_text; the rest are counted (they are usually one mistake
#: repeated down a column).
MAX_PROBLEMS_SHOWN = 50
#: What the sandboxed reader hands back at most: each cell's text is cut here (a name is at
#: most MAX_NAME_LENGTH), and all the text of the sheet together is bounded, so that a tiny
#: file repeating one huge shared string in every cell costs the main process nothing.
MAX_CELL_CHARS = 1024
MAX_SHEET_CHARS = 4 * 1024 * 1024
SAVE_AGAIN = "save the list again as .xlsx or .csv (UTF-8) and try again"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]{2,}$")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True, kw_only=True)
class OrgListResult:
    organisations: tuple[Organisation, ...]
    report: Report


@dataclass(frozen=True, kw_only=True, slots=True)
class _Row:
    where: Location  # where the row is, for its problems
    label: str  # "line 4" / "row 4"
    values: dict[str, str]


def is_valid_email(text: str) -> bool:
    return len(text) <= MAX_EMAIL_LENGTH and bool(EMAIL_PATTERN.match(text))


def _shown(text: str, limit: int = 60) -> str:
    """TEXT quoted for a message, shortened: a pasted paragraph must not flood the screen."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def org_id_for(name: str) -> str:
    """The id of an organisation listed without one: a slug of its name."""
    slug = slugify(name, max_length=48)
    if slug:
        return slug
    digest = hashlib.sha256(normalise_label(name).encode("utf-8")).hexdigest()[:8]
    return f"org-{digest}"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(raw: bytes) -> str | None:
    """The text of a CSV: UTF-16 with a byte-order mark (Excel's "Unicode text"), UTF-8 (with
    or without a BOM), else Windows-1252, which decodes nearly anything."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None  # pragma: no cover - cp1252 decodes nearly anything


def _csv_rows(path: Path, raw: bytes, report: Report, *, allow_empty: bool) -> list[_Row] | None:
    text = _decode(raw)
    if text is None:
        report.add(
            error(
                Code.ORG_LIST_ENCODING,
                "cannot read the text: save the list as CSV UTF-8 (or as .xlsx)",
                file=str(path),
            )
        )
        return None
    first_line = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    header: list[str] | None = None
    # The csv module refuses fields over 128 KB; the file is already bounded, so a long value
    # is read and reported like any other (a name too long), not refused as unreadable.
    field_limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        for record in reader:
            line = reader.line_num
            if header is None:
                if not any(c.strip() for c in record):
                    continue
                header = [c.strip().lower() for c in record]
                if not _check_header(header, report, Location(file=str(path), line=line)):
                    return None
                continue
            if not any(c.strip() for c in record):
                continue
            values = {
                h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)
            }
            rows.append(
                _Row(where=Location(file=str(path), line=line), label=f"line {line}", values=values)
            )
    except csv.Error as exc:  # pragma: no cover - Python 3.11's csv refuses little else
        report.add(
            error(
                Code.ORG_LIST_UNREADABLE,
                f"cannot be read as CSV ({exc}); is it the right file? Otherwise {SAVE_AGAIN}",
                file=str(path),
            )
        )
        return None
    finally:
        csv.field_size_limit(field_limit)
    if header is None:
        report.add(
            error(
                Code.ORG_LIST_EMPTY,
                "the list is empty: it needs the header id,name,contact,email and one row "
                "per organisation",
                file=str(path),
            )
        )
        return None
    if not rows and not allow_empty:
        report.add(_no_organisations(Location(file=str(path), line=2)))
    return rows


def _no_organisations(where: Location) -> Problem:
    return error(
        Code.ORG_LIST_NO_ORGANISATIONS,
        "the list has a header but no organisations: add one row per organisation under "
        "the header (or, for one generic workbook, give neither --orgs nor --org)",
        location=where,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Sheet:
    """What the sandboxed reader found on the first sheet: its name and cells as text."""

    name: str
    cells: list[list[str]]


def _sheet_text(value: object) -> str:
    text = _cell_text(value)
    return text[:MAX_CELL_CHARS]


def _read_first_sheet(payload: bytes) -> _Sheet | str:
    """Run in the sandbox: the first sheet's cells as text, or why it cannot be read. Never
    raises, so that the only failures the sandbox reports are crashes and hangs."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(payload))
        if not wb.sheet_names:
            return "the spreadsheet has no sheets"
        name = wb.sheet_names[0]
        grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=L.MAX_READ_ROWS)
    except PasswordError:
        return "the spreadsheet is protected with a password to open; remove the password"
    except (CalamineError, ValueError, OSError, IndexError, MemoryError) as exc:
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
        return f"the spreadsheet is damaged or not one ({first or type(exc).__name__})"
    cells: list[list[str]] = []
    budget = MAX_SHEET_CHARS
    for record in grid:
        row = [_sheet_text(v) for v in record[: L.MAX_READ_COLS]]
        budget -= sum(len(c) for c in row)
        if budget < 0:
            return (
                f"the first sheet holds more than {MAX_SHEET_CHARS:,} characters of text, "
                "far more than a list of organisations; is it the right file?"
            )
        cells.append(row)
    return _Sheet(name=str(name), cells=cells)


def _open_sheet(path: Path, raw: bytes, report: Report) -> _Sheet | None:
    """The first sheet of the spreadsheet RAW, through the same checks and sandbox as a
    returned workbook; None (with an error in REPORT) when it cannot be used."""
    try:
        kind = sniff(raw)
        zip_info = inspect_zip(raw) if kind.kind == "zip" else None
    except Rejection as rej:
        # The checks speak of returns; the advice for a coordinator's own list differs.
        message = rej.problem.message.replace(SEND_WORKBOOK, SAVE_AGAIN)
        report.add(error(Code.ORG_LIST_UNREADABLE, message, file=str(path)))
        return None
    payload = zip_info.trimmed if zip_info and zip_info.trimmed else raw
    result = run_sandboxed(_read_first_sheet, payload)
    if isinstance(result, SandboxFailure):
        report.add(
            error(
                Code.ORG_LIST_UNREADABLE,
                f"cannot read this spreadsheet: {result.message}; it is not a normal list of "
                f"organisations: {SAVE_AGAIN}",
                file=str(path),
            )
        )
        return None
    if isinstance(result, str):
        report.add(error(Code.ORG_LIST_UNREADABLE, f"{result}; {SAVE_AGAIN}", file=str(path)))
        return None
    dropped = zip_info.trimmed_sheets.get(result.name, 0) if zip_info else 0
    if dropped:
        # Cut cells could be organisations: refuse rather than generate for part of a list.
        report.add(
            error(
                Code.ORG_LIST_TOO_LARGE,
                f"{dropped:,} cell(s) lie beyond row {L.MAX_READ_ROWS:,} or column "
                f"{L.cell_ref(0, L.MAX_READ_COLS - 1).rstrip('0123456789')}, beyond any list of "
                "organisations; delete them (Ctrl+End shows the last cell in use) or save the "
                "list as .csv",
                file=str(path),
                sheet=result.name,
            )
        )
        return None
    return result


def _sheet_rows(path: Path, raw: bytes, report: Report, *, allow_empty: bool) -> list[_Row] | None:
    sheet = _open_sheet(path, raw, report)
    if sheet is None:
        return None
    sheet_name = sheet.name
    rows: list[_Row] = []
    header: list[str] | None = None
    for r, cells in enumerate(sheet.cells, start=1):
        if header is None:
            if not any(cells):
                continue
            header = [c.lower() for c in cells]
            where = Location(file=str(path), sheet=sheet_name, cell=f"A{r}")
            if not _check_header(header, report, where):
                return None
            continue
        if not any(cells):
            continue
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        rows.append(
            _Row(
                where=Location(file=str(path), sheet=sheet_name, cell=f"A{r}"),
                label=f"row {r}",
                values=values,
            )
        )
    if header is None:
        report.add(
            error(
                Code.ORG_LIST_EMPTY,
                "the first sheet is empty: it needs the header id,name,contact,email and "
                "one row per organisation",
                file=str(path),
                sheet=sheet_name,
            )
        )
        return None
    if not rows and not allow_empty:
        report.add(_no_organisations(Location(file=str(path), sheet=sheet_name)))
    return rows


def _check_header(header: Sequence[str], report: Report, where: Location) -> bool:
    found = ",".join(h for h in header if h)
    if "name" not in header:
        report.add(
            error(
                Code.ORG_LIST_HEADER,
                "the header must be id,name,contact,email; found "
                + (_shown(found, 100) if found else "(nothing)"),
                location=where,
            )
        )
        return False
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        report.add(
            warning(
                Code.ORG_LIST_EXTRA_COLUMNS,
                f"columns {_shown(', '.join(unknown), 100)} are not used and were ignored",
                location=where,
            )
        )
    return True


def _organisations(rows: Iterable[_Row], report: Report) -> list[Organisation]:
    orgs: list[Organisation] = []
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in rows:
        v = row.values
        name = " ".join(v.get("name", "").split())
        given_id = v.get("id", "")
        email = v.get("email", "")
        contact = v.get("contact", "")
        bad = False
        if not name:
            report.add(
                error(
                    Code.ORG_BLANK_NAME,
                    "the name is blank; every organisation needs a name",
                    location=row.where,
                )
            )
            bad = True
        elif len(name) > MAX_NAME_LENGTH:
            report.add(
                error(
                    Code.ORG_NAME_TOO_LONG,
                    f"the name is longer than {MAX_NAME_LENGTH} characters; shorten it",
                    location=row.where,
                )
            )
            bad = True
        if len(contact) > MAX_CONTACT_LENGTH:
            report.add(
                error(
                    Code.ORG_CONTACT_TOO_LONG,
                    f"the contact is longer than {MAX_CONTACT_LENGTH} characters; shorten it",
                    location=row.where,
                )
            )
            bad = True
        if given_id and not ID_PATTERN.match(given_id):
            report.add(
                error(
                    Code.ORG_INVALID_ID,
                    f"id {_shown(given_id)} is not valid: use letters, digits, '.', '_' or "
                    f"'-' (at most 64), e.g. {org_id_for(given_id)!r}, or leave it blank",
                    location=row.where,
                )
            )
            bad = True
        if email and not is_valid_email(email):
            report.add(
                error(
                    Code.ORG_INVALID_EMAIL,
                    f"{_shown(email)} is not an email address, e.g. name@example.org",
                    location=row.where,
                )
            )
            bad = True
        if bad:
            continue
        org_id = given_id or org_id_for(name)
        key_id = org_id.casefold()
        key_name = normalise_label(name)
        if key_id in ids:
            made = "" if given_id else " (made from the name, as the id is blank)"
            report.add(
                error(
                    Code.ORG_DUPLICATE_ID,
                    f"id {org_id!r}{made} is already used on {ids[key_id]}; give each "
                    "organisation its own id",
                    location=row.where,
                )
            )
            continue
        if key_name in names:
            report.add(
                error(
                    Code.ORG_DUPLICATE_NAME,
                    f"{name!r} is already listed on {names[key_name]}",
                    location=row.where,
                )
            )
            continue
        ids[key_id] = row.label
        names[key_name] = row.label
        orgs.append(Organisation(id=org_id, name=name, contact=contact, email=email))
    return orgs


def _is_binary(raw: bytes) -> bool:
    head = raw[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def read_org_list(path: Path | None, *, extra_names: Sequence[str] = ()) -> OrgListResult:
    """Read PATH (CSV or spreadsheet), plus organisations named on the command line."""
    report = Report()
    rows: list[_Row] | None = []
    if path is not None:
        try:
            raw = read_bounded(path, MAX_ORG_LIST_BYTES, "organisation list")
        except InputFileError as exc:
            code = (
                Code.ORG_LIST_TOO_LARGE
                if exc.problem is InputProblem.TOO_LARGE
                else Code.ORG_LIST_UNREADABLE
            )
            report.add(error(code, exc.reason, file=str(path)))
            return OrgListResult(organisations=(), report=report)
        # What the file is decides, not its name: a CSV renamed .xlsx is still read as CSV.
        if raw.startswith((ZIP_MAGIC, b"PK\x05\x06", OLE_MAGIC)) or _is_binary(raw):
            rows = _sheet_rows(path, raw, report, allow_empty=bool(extra_names))
        elif path.suffix.lower() in SPREADSHEET_SUFFIXES and not raw.strip():
            # An empty file: say so as for a workbook.
            rows = _sheet_rows(path, raw, report, allow_empty=bool(extra_names))
        else:
            rows = _csv_rows(path, raw, report, allow_empty=bool(extra_names))
    if rows is None:
        return OrgListResult(organisations=(), report=report)
    rows = [*rows] + [
        _Row(where=Location(path=f"--org {n!r}"), label=f"--org {n!r}", values={"name": n})
        for n in extra_names
    ]
    orgs = _organisations(rows, report)
    if not report.ok:
        orgs = []
    return OrgListResult(organisations=tuple(orgs), report=report)


def org_problems_text(problems: Iterable[Problem]) -> str:
    shown = list(problems)
    lines = [p.render() for p in shown[:MAX_PROBLEMS_SHOWN]]
    if len(shown) > MAX_PROBLEMS_SHOWN:
        lines.append(f"... and {len(shown) - MAX_PROBLEMS_SHOWN} more problems like these")
    return "\n".join(lines)
