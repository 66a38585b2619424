"""What a returned file is, by its content, whatever its name says.

Partners rename files, attach a PDF print-out or a screenshot instead of the workbook, send
a zip of several returns, or an old .xls with a password. The first bytes tell these apart
before any parser is involved, so that each gets a message saying what was received and
what to ask the partner for; the name only decides whether an image is a stray email
signature (skipped) or was sent as the return (rejected).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.workbook.safety.rejection import SEND_WORKBOOK, NotAReturn, Rejection

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a Rich Text document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC: Final = b"PK\x03\x04"


#: Names a partner gives a spreadsheet. A file named so is meant as a return whatever it
#: holds; an image named otherwise is an email signature or a logo.
SPREADSHEET_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".csv", ".numbers")

#: The header lines of the CSV files xlsxkit writes (import --data, and generate's
#: manifest). Kept here, below the writers, so that the reader can recognise them; a test
#: pins them to the writers' own columns.
XLSXKIT_CSV_HEADERS: Final = {
    "source,org_id,org_name,status,reason,saved_at,sha256": "returns.csv",
    "org_id,org_name,dimension_id,criterion_id,stage_id,stage_label,stage_index,comment": (
        "stages.csv"
    ),
    "org_id,org_name,dimension_id,criterion_id,stage_id,action_id,done,notes,lead,target_date": (
        "actions.csv"
    ),
    "source,org_id,severity,code,sheet,cell,message": "problems.csv",
    "org_id,org_name,contact,email,file,token,sha256,framework,framework_version,round": (
        "manifest.csv"
    ),
    "org_id,org_name,contact,email,file,token,sha256": "manifest.csv",  # before the batch
    # with campaigns: stages and actions gained columns (the headers above are those of
    # earlier versions, still recognised), and progress.csv
    "org_id,org_name,dimension_id,criterion_id,stage_id,stage_label,stage_index,comment,"
    "round,target_stage_id": "stages.csv",
    "org_id,org_name,dimension_id,criterion_id,stage_id,action_id,done,notes,lead,target_date,"
    "round": "actions.csv",
    "org_id,org_name,criterion_id,previous_round,previous_stage_id,stage_id,change": (
        "progress.csv"
    ),
    # with collect: returns.csv gained the email's columns; collect's log beside its files
    "source,org_id,org_name,status,reason,saved_at,sha256,message_id,from,date,subject,"
    "mailbox": "returns.csv",
    "file,sha256,original_name,inside_zip,already_saved,message_id,from,date,subject,mailbox,"
    "location,outcome": "collected.csv",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Sniffed:
    kind: str  # "zip", "ole", or a rejected kind
    description: str


def sniff(data: bytes, name: str = "") -> Sniffed:
    """Classify DATA by its content. NAME (the file name) only decides whether an image is
    a stray signature (skipped) or was sent as the return (rejected)."""
    if not data:
        raise Rejection(Code.EMPTY_FILE, f"the file is empty (0 bytes); {SEND_WORKBOOK}")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return Sniffed(kind="zip", description="a zip container")
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    for magic, description in _SIGNATURES:
        if data.startswith(magic):
            if description.endswith(" image") and not name.lower().endswith(SPREADSHEET_SUFFIXES):
                raise NotAReturn(
                    Code.NOT_A_SPREADSHEET,
                    f"this is {description} (such as an email signature or a logo), not a "
                    "spreadsheet; not a return",
                )
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                f"this is {description}, not a spreadsheet; {SEND_WORKBOOK}",
            )
    head = data[:4096]
    text = _as_text(head)
    if text is not None and _looks_like_email(text):
        raise Rejection(Code.EMAIL_MESSAGE, _email_advice(data))
    if text is not None:
        first = text.lstrip("\ufeff").splitlines()[0].strip() if text.strip() else ""
        output = XLSXKIT_CSV_HEADERS.get(first)
        if output is not None:
            raise NotAReturn(
                Code.XLSXKIT_OUTPUT,
                f"this is an xlsxkit output (a {output} file written by xlsxkit), not a "
                "return; it was not read",
            )
        lowered = text.lstrip().lower()
        if lowered.startswith(("<!doctype html", "<html")):
            what, kind = "a web page (HTML)", "html"
        elif lowered.startswith("<?xml"):
            what, kind = "an XML file", "xml"
        elif _looks_like_csv(text):
            what, kind = "a CSV text file", "csv"
        else:
            what, kind = "a plain text file", "text"
        extra = (
            " (a CSV has lost the workbook's hidden identity and checkboxes)"
            if kind == "csv"
            else ""
        )
        raise Rejection(
            Code.NOT_A_WORKBOOK, f"this is {what}, not a spreadsheet{extra}; {SEND_WORKBOOK}"
        )
    raise Rejection(
        Code.NOT_A_WORKBOOK,
        f"this file is not a spreadsheet xlsxkit can read (unknown format); {SEND_WORKBOOK}",
    )


_MAIL_HEADER = re.compile(
    r"^(?:from|to|subject|date|received|return-path|message-id|mime-version|"
    r"content-type|delivered-to|x-[\w-]+):",
    re.IGNORECASE,
)


def _looks_like_email(text: str) -> bool:
    """Whether TEXT starts like a saved email message (.eml): a block of mail headers."""
    lines = text.lstrip("\ufeff").splitlines()[:30]
    headers = [line for line in lines if _MAIL_HEADER.match(line)]
    names = {h.split(":", 1)[0].lower() for h in headers}
    return bool(lines) and _MAIL_HEADER.match(lines[0]) is not None and len(names) >= 3


def _email_advice(data: bytes) -> str:
    """What to do with a saved email: name its spreadsheet attachments when it has any."""
    import email
    import email.policy

    attached: list[str] = []
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            filename = part.get_filename()
            if filename and filename.lower().endswith(SPREADSHEET_SUFFIXES):
                attached.append(filename)
    except Exception:  # a damaged message still gets the general advice
        attached = []
    holds = (
        f"; it has {len(attached)} spreadsheet attachment(s): "
        + ", ".join(repr(a[:80]) for a in attached[:5])
        if attached
        else ""
    )
    return (
        f"this is a saved email message (.eml), not a spreadsheet{holds}. Open it, save the "
        "attached workbook into the folder being imported, and import again"
    )


def _as_text(head: bytes) -> str | None:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable / len(text) > 0.95:
            return text
    return None


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    if len(lines) < 2:
        return False  # one line of prose with a comma is not a table
    for sep in (",", ";", "\t"):
        counts = [line.count(sep) for line in lines]
        if counts[0] >= 1 and all(c == counts[0] for c in counts[: max(1, len(counts) - 1)]):
            return True
    return False


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _xls_is_encrypted(data: bytes) -> bool:
    """Whether an .xls starts its workbook stream with BOF then FILEPASS (encryption).

    Reads only the compound file's first directory sector and the stream's first sector;
    anything unexpected means "not known to be encrypted", and the reader decides.
    """
    try:
        sector = 1 << struct.unpack_from("<H", data, 30)[0]
        directory = (struct.unpack_from("<I", data, 48)[0] + 1) * sector
        for i in range(sector // 128):
            entry = data[directory + i * 128 : directory + (i + 1) * 128]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            name = entry[: max(0, name_len - 2)].decode("utf-16-le", "ignore")
            if name not in ("Workbook", "Book"):
                continue
            start, size = struct.unpack_from("<II", entry, 116)
            if size < 4096:
                return False  # kept in the mini stream: not worth following here
            head = data[(start + 1) * sector : (start + 1) * sector + 64]
            bof_type, bof_len = struct.unpack_from("<HH", head, 0)
            if bof_type != 0x0809:
                return False
            (next_type,) = struct.unpack_from("<H", head, 4 + bof_len)
            return bool(next_type == 0x002F)  # FILEPASS
    except (struct.error, ValueError):
        return False
    return False


def _sniff_ole(data: bytes) -> Sniffed:
    """An OLE2 compound file: an .xls, an encrypted OOXML workbook, or an Office document."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise Rejection(
            Code.PASSWORD_PROTECTED,
            "the workbook is protected with a password to open: ask the partner to remove "
            "it or send it unprotected (sheet protection is fine)",
        )
    if _utf16("Workbook") in data or _utf16("Book") in data:
        if _xls_is_encrypted(data):
            raise Rejection(
                Code.PASSWORD_PROTECTED,
                "the workbook is protected with a password to open: ask the partner to remove "
                "it or send it unprotected (sheet protection is fine)",
            )
        return Sniffed(kind="ole", description="an Excel 97-2003 workbook (.xls)")
    if _utf16("__substg1.0_") in data or _utf16("__properties_version1.0") in data:
        raise Rejection(
            Code.EMAIL_MESSAGE,
            "this is a saved Outlook email message (.msg), not a spreadsheet. Open it in "
            "Outlook, save the attached workbook into the folder being imported, and import "
            "again",
        )
    if _utf16("WordDocument") in data:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a Word document (.doc), not a spreadsheet; {SEND_WORKBOOK}",
        )
    if _utf16("PowerPoint Document") in data:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a PowerPoint presentation, not a spreadsheet; {SEND_WORKBOOK}",
        )
    raise Rejection(
        Code.NOT_A_WORKBOOK,
        f"this is an Office file that is not a spreadsheet xlsxkit can read; {SEND_WORKBOOK}",
    )
