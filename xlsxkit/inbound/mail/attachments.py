"""Which attachments are returns: spreadsheets by name *and* by content, spreadsheets inside
a zip, and everything else named for what it is (a signature image, a calendar invite).

A partner may send ``assessment.xlsx``, the same workbook renamed ``answers`` with no
suffix, a zip of it because their mail server strips Office files, or a PDF print-out. The
rule: an attachment named as a spreadsheet (.xlsx .xlsm .ods .xls) is kept whatever it
holds, so that the import judges it and says what is wrong with it (nothing is silently
lost); an attachment named otherwise is kept when its content is a spreadsheet container
(the same sniff the import uses); a zip is opened, within the import's own zip bounds, and
the spreadsheets inside are kept. Nothing here parses a workbook: that is the import's job,
in its sandboxed readers.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.inbound.mail.headers import clean, decode_bytes
from xlsxkit.inbound.mail.model import Attachment, MailBounds
from xlsxkit.problems import Problem, warning
from xlsxkit.workbook.safety import (
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    MAX_ZIP_ENTRIES,
    OLE_MAGIC,
    NotAReturn,
    Rejection,
    part_key,
    sniff,
)

#: The suffixes a saved return may have (the formats the import reads).
RETURN_SUFFIXES: Final = (".xlsx", ".xlsm", ".ods", ".xls")


class AttachmentKind(StrEnum):
    SPREADSHEET = "spreadsheet"
    IMAGE = "image"  # a signature image, a logo, a screenshot
    CALENDAR = "calendar"  # a calendar invite (.ics, text/calendar)
    OTHER = "other"  # a PDF, a Word file, a text file, a zip without spreadsheets...


@dataclass(frozen=True, kw_only=True, slots=True)
class Spreadsheet:
    """A spreadsheet to save: its bytes, the suffix to save it with, and the name the
    sender gave it (for provenance; ``inside`` names the zip it came out of)."""

    data: bytes
    suffix: str
    original_name: str
    inside: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Sorted:
    """What one attachment turned out to be."""

    kind: AttachmentKind
    spreadsheets: tuple[Spreadsheet, ...] = ()
    problems: tuple[Problem, ...] = ()


def base_name(name: str) -> str:
    """The last part of an attachment's name (no folder, whichever slash the sender used),
    cleaned of controls and NULs; only ever shown or used as the seed of a safe name."""
    text = clean(name.replace("\x00", ""), 255)
    text = PureWindowsPath(PurePosixPath(text).name).name
    return text.strip(" .") or ""


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in RETURN_SUFFIXES if lower.endswith(s)), "")


def _zip_spreadsheet_suffix(data: bytes) -> str:
    """.xlsx/.xlsm/.ods when DATA is a spreadsheet container, "" for any other zip. Only the
    directory is read (and the few bytes of an ODF ``mimetype``)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return ""
    if len(infos) > MAX_ZIP_ENTRIES:
        return ""
    keys = {part_key(i.filename): i for i in infos}
    if "xl/workbook.xml" in keys:
        return ".xlsm" if "xl/vbaproject.bin" in keys else ".xlsx"
    mimetype = keys.get("mimetype")
    if mimetype is not None and mimetype.file_size < 200:
        try:
            with zf.open(mimetype) as fh:
                kind = fh.read(200).strip()
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            return ""
        if kind == b"application/vnd.oasis.opendocument.spreadsheet":
            return ".ods"
    return ""


def _content_suffix(data: bytes, name: str) -> str:
    """The suffix of a spreadsheet recognised by its content ("" when it is not one)."""
    try:
        found = sniff(data, name)
    except (Rejection, NotAReturn):
        # an encrypted workbook is still a workbook: the import says what to do with it
        return ".xls" if data.startswith(OLE_MAGIC) and b"W\x00o\x00r\x00k\x00b" in data else ""
    if found.kind == "ole":
        return ".xls"
    if found.kind == "zip":
        return _zip_spreadsheet_suffix(data)
    return ""


def _is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _is_image(attachment: Attachment) -> bool:
    if attachment.content_type.startswith("image/"):
        return True
    try:
        sniff(attachment.data, attachment.name)
    except NotAReturn as exc:
        return exc.problem.code is Code.NOT_A_SPREADSHEET
    except Rejection:
        return False
    return False


def sort_attachment(attachment: Attachment, bounds: MailBounds) -> Sorted:
    """What ATTACHMENT is, and the spreadsheets to save from it."""
    name = base_name(attachment.name)
    lower = name.lower()
    named = _suffix(name)
    if named:
        return Sorted(
            kind=AttachmentKind.SPREADSHEET,
            spreadsheets=(Spreadsheet(data=attachment.data, suffix=named, original_name=name),),
        )
    found = _content_suffix(attachment.data, name) if attachment.data else ""
    if found:
        return Sorted(
            kind=AttachmentKind.SPREADSHEET,
            spreadsheets=(Spreadsheet(data=attachment.data, suffix=found, original_name=name),),
        )
    if _is_zip(attachment.data):
        inner, problems = _from_zip(attachment.data, name, bounds)
        if inner or problems:
            return Sorted(kind=AttachmentKind.SPREADSHEET, spreadsheets=inner, problems=problems)
        return Sorted(kind=AttachmentKind.OTHER)
    if attachment.content_type == "text/calendar" or lower.endswith((".ics", ".vcs")):
        return Sorted(kind=AttachmentKind.CALENDAR)
    if _is_image(attachment):
        return Sorted(kind=AttachmentKind.IMAGE)
    return Sorted(kind=AttachmentKind.OTHER)


def _from_zip(
    data: bytes, zip_name: str, bounds: MailBounds
) -> tuple[tuple[Spreadsheet, ...], tuple[Problem, ...]]:
    """The spreadsheets inside a zip attachment, under the import's zip bounds: at most
    MAX_ZIP_ENTRIES entries, each unpacked never past MAX_ENTRY_BYTES (whatever its header
    declares), all of them never past MAX_TOTAL_BYTES. Nested zips are not opened."""
    shown = zip_name or "a zip attachment"
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return (), (
            warning(
                Code.ATTACHMENT_UNREADABLE,
                f"the zip attachment {shown!r} is damaged and could not be opened; ask the "
                "partner to attach the workbook itself",
            ),
        )
    if len(infos) > MAX_ZIP_ENTRIES:
        return (), (
            warning(
                Code.MAIL_TOO_LARGE,
                f"the zip attachment {shown!r} holds {len(infos):,} files (the limit is "
                f"{MAX_ZIP_ENTRIES:,}); it was not opened. Ask the partner for the workbook",
            ),
        )
    found: list[Spreadsheet] = []
    problems: list[Problem] = []
    total = 0
    limit = min(MAX_ENTRY_BYTES, bounds.max_attachment_bytes)
    for info in infos:
        if info.is_dir():
            continue
        raw_name = info.filename
        if not (info.flag_bits & 0x800):  # not flagged UTF-8: zipfile decoded it as cp437
            try:
                raw_name = decode_bytes(info.filename.encode("cp437"))
            except UnicodeEncodeError:
                raw_name = info.filename
        inner = base_name(raw_name)
        suffix = _suffix(inner)
        if not suffix or inner.startswith(("~$", ".")):
            continue
        where = f"{inner!r} in the zip attachment {shown!r}"
        if info.flag_bits & 0x1:
            problems.append(
                warning(
                    Code.ATTACHMENT_UNREADABLE,
                    f"{where} is encrypted (the zip has a password); ask the partner to "
                    "attach the workbook itself",
                )
            )
            continue
        if info.file_size > limit or total + info.file_size > MAX_TOTAL_BYTES:
            problems.append(_too_large(where, info.file_size, limit))
            continue
        content = _read_bounded(zf, info, limit)
        if content is None:
            problems.append(
                warning(
                    Code.ATTACHMENT_UNREADABLE,
                    f"{where} is damaged or unpacks to more than it declares; it was not "
                    "saved. Ask the partner to attach the workbook itself",
                )
            )
            continue
        total += len(content)
        found.append(Spreadsheet(data=content, suffix=suffix, original_name=inner, inside=zip_name))
    return tuple(found), tuple(problems)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The entry's bytes, read never past LIMIT nor past its declared size (a zip bomb
    declares a small size and inflates to gigabytes); None when it is damaged or lies."""
    try:
        with zf.open(info) as fh:
            content = fh.read(min(limit, info.file_size) + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError):
        return None
    if len(content) != info.file_size:
        return None
    return content


def _too_large(where: str, size: int, limit: int) -> Problem:
    return warning(
        Code.MAIL_TOO_LARGE,
        f"{where} is {size:,} bytes (the limit is {limit:,}); it was not saved. Check that "
        "it is an assessment workbook and save it by hand if it is",
    )


def too_large_attachment(name: str, size: int, limit: int) -> Problem:
    """The warning for an attachment over the attachment bound."""
    return _too_large(f"the attachment {base_name(name) or '(no name)'!r}", size, limit)
