"""Read the list of partner organisations (CSV or a spreadsheet) into Organisations.

The list has the header ``id,name,contact,email``. ``id`` may be blank: it then becomes a
slug of the name. Problems are reported with their line (CSV) or row (spreadsheet), and a
list with any error yields no organisations, so nothing is generated from a bad list.
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
from xlsxkit.names import normalise_label, slugify
from xlsxkit.problems import Location, Problem, Report, error, warning

COLUMNS = ("id", "name", "contact", "email")
MAX_ORG_FILE_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200
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
    return bool(EMAIL_PATTERN.match(text))


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


def _csv_rows(path: Path, raw: bytes, report: Report) -> list[_Row] | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        report.add(
            error(
                Code.ORG_LIST_ENCODING, "cannot read the text: save it as UTF-8 CSV", file=str(path)
            )
        )
        return None
    first_line = text.splitlines()[0] if text else ""
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    header: list[str] | None = None
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
        values = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}
        rows.append(
            _Row(where=Location(file=str(path), line=line), label=f"line {line}", values=values)
        )
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
    return rows


def _sheet_rows(path: Path, raw: bytes, report: Report) -> list[_Row] | None:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheet_name = wb.sheet_names[0]
        grid = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False, nrows=100_000)
    except (CalamineError, IndexError, ValueError) as exc:
        report.add(
            error(
                Code.ORG_LIST_UNREADABLE,
                f"cannot read this spreadsheet ({exc}); save it as .xlsx or .csv",
                file=str(path),
            )
        )
        return None
    rows: list[_Row] = []
    header: list[str] | None = None
    for r, record in enumerate(grid, start=1):
        cells = [_cell_text(v) for v in record]
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
    return rows


def _check_header(header: Sequence[str], report: Report, where: Location) -> bool:
    if "name" not in header:
        report.add(
            error(
                Code.ORG_LIST_HEADER,
                "the header must be id,name,contact,email; found "
                + (",".join(h for h in header if h) or "(nothing)"),
                location=where,
            )
        )
        return False
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        report.add(
            warning(
                Code.ORG_LIST_EXTRA_COLUMNS,
                f"columns {', '.join(unknown)} are not used and were ignored",
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
                    f"the name is {len(name)} characters; at most {MAX_NAME_LENGTH}",
                    location=row.where,
                )
            )
            bad = True
        if given_id and not ID_PATTERN.match(given_id):
            report.add(
                error(
                    Code.ORG_INVALID_ID,
                    f"id {given_id!r} is not valid: use letters, digits, '.', '_' or '-' "
                    f"(at most 64), e.g. {org_id_for(given_id)!r}, or leave it blank",
                    location=row.where,
                )
            )
            bad = True
        if email and not is_valid_email(email):
            report.add(
                error(
                    Code.ORG_INVALID_EMAIL,
                    f"{email!r} is not an email address, e.g. name@example.org",
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
        orgs.append(Organisation(id=org_id, name=name, contact=v.get("contact", ""), email=email))
    return orgs


def read_org_list(path: Path | None, *, extra_names: Sequence[str] = ()) -> OrgListResult:
    """Read PATH (CSV or spreadsheet), plus organisations named on the command line."""
    report = Report()
    rows: list[_Row] | None = []
    if path is not None:
        try:
            size = path.stat().st_size
            if size > MAX_ORG_FILE_BYTES:
                report.add(
                    error(
                        Code.ORG_LIST_TOO_LARGE,
                        f"the file is {size:,} bytes; is it the right file?",
                        file=str(path),
                    )
                )
                return OrgListResult(organisations=(), report=report)
            raw = path.read_bytes()
        except OSError as exc:
            report.add(
                error(
                    Code.ORG_LIST_UNREADABLE,
                    f"cannot read the file: {exc.strerror}",
                    file=str(path),
                )
            )
            return OrgListResult(organisations=(), report=report)
        if path.suffix.lower() in SPREADSHEET_SUFFIXES or raw[:4] in (
            b"PK\x03\x04",
            b"\xd0\xcf\x11\xe0",
        ):
            rows = _sheet_rows(path, raw, report)
        else:
            rows = _csv_rows(path, raw, report)
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
    return "\n".join(p.render() for p in problems)
