"""Look at a returned file before any parser does: what is it, and is it safe to parse?

Returned files come from outside. Everything here works on bytes already read (bounded by
:data:`MAX_FILE_BYTES`), bounds what it decompresses, refuses XML with a DOCTYPE (entity
expansion, external entities) and measures each sheet's extent so that no reader is asked
to allocate a sheet of a billion cells.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.problems import Problem, error
from xlsxkit.problems import info as info_problem
from xlsxkit.workbook import layout as L

MAX_FILE_BYTES: Final = 25 * 1024 * 1024  # email attachments rarely exceed this
MAX_ZIP_ENTRIES: Final = 1000
MAX_ENTRY_BYTES: Final = 32 * 1024 * 1024  # uncompressed, per entry (a form sheet: ~150 KB)
MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024  # uncompressed, all entries


class Rejection(Exception):
    """The file is not read: ``problem`` is the verdict (an error with a catalogue code and a
    message that says what is wrong and what to do; the reader adds the file)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = error(code, message)


class NotAReturn(Rejection):
    """The file is not read because it is plainly not a return (an email signature image,
    an output of xlsxkit itself): it is listed as skipped, not counted as rejected, and its
    ``problem`` is an info."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code, message)
        self.problem = info_problem(code, message)


# --------------------------------------------------------------------------------------
# What is it?

SEND_WORKBOOK = (
    "ask the partner to send back the workbook they were sent (.xlsx, .xlsm, .xls or .ods)"
)

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


# --------------------------------------------------------------------------------------
# Zip containers: xlsx, xlsm, ods (and the documents people send instead)


@dataclass(kw_only=True)
class SheetScan:
    """What the XML of one xlsx sheet holds, found without building the sheet."""

    part: str
    #: Whether any cell lies beyond the reading bounds (layout.MAX_READ_ROWS/COLS). Such a
    #: sheet is cut to the bounds before any reader sees it: a single cell at XFD1048576
    #: would otherwise make a reader allocate seventeen billion cells.
    beyond_bounds: bool = False
    #: Cells with a formula but no saved value (e.g. a file saved by a program that does
    #: not calculate): A1 references.
    formulas_without_value: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ZipInfo:
    format: str  # "xlsx", "xlsm" or "ods"
    saved_at: dt.datetime | None = None
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # sheet name -> scan
    #: When sheets were trimmed to the reading bounds: the rebuilt container to parse.
    trimmed: bytes | None = None
    trimmed_sheets: dict[str, int] = field(default_factory=dict)  # sheet -> cells dropped


_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def part_key(name: str) -> str:
    """A zip part name as calamine looks parts up: backslashes read as slashes, and ASCII
    letters compared without case (its ``path_to_zip_path``). Every check here uses this
    key, so a part named ``XL\\Worksheets\\Sheet1.xml`` is checked as the sheet it is."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def inspect_zip(data: bytes) -> ZipInfo:
    """Check a zip container within bounds and say what it is. Raises :class:`Rejection`."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise Rejection(
            Code.CORRUPT,
            "the file is damaged (not a readable zip container: truncated or corrupted, "
            f"perhaps in transit); {SEND_WORKBOOK}, attached again",
        ) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Rejection(
            Code.TOO_COMPLEX,
            f"the file holds {len(infos):,} parts (a workbook has a few dozen); it is not an "
            "assessment workbook or was built to overload readers",
        )
    total = 0
    for info in infos:
        if info.file_size > MAX_ENTRY_BYTES:
            raise Rejection(
                Code.TOO_LARGE,
                f"part {info.filename!r} unpacks to {info.file_size:,} bytes (the limit is "
                f"{MAX_ENTRY_BYTES:,}); this is not a normal assessment workbook",
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise Rejection(
            Code.TOO_LARGE,
            f"the file unpacks to {total:,} bytes (the limit is {MAX_TOTAL_BYTES:,}); this is "
            "not a normal assessment workbook",
        )
    by_key: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.is_dir() or info.filename.endswith("\\"):
            continue
        key = part_key(info.filename)
        if key in by_key:
            raise Rejection(
                Code.DUPLICATE_PARTS,
                f"the file holds two parts named {by_key[key].filename!r} and "
                f"{info.filename!r}, which readers would confuse; spreadsheet apps never "
                "write this, so the file was refused as possibly hostile",
            )
        by_key[key] = info
    fmt = _container_format(zf, by_key)

    # Decompress every part a reader opens, within the bounds (never past its declared
    # size, CRC checked), refusing XML with DOCTYPE/ENTITY declarations.
    parts: dict[str, bytes] = {}
    wanted = _wanted_parts(fmt)

    def read(key: str, *, keep: bool) -> None:
        info = by_key[key]
        try:
            content = _read_entry(data, info, keep=keep)
        except zipfile.BadZipFile:
            raise Rejection(
                Code.CORRUPT,
                f"the file is damaged (part {info.filename!r} does not unpack); "
                f"{SEND_WORKBOOK}, attached again",
            ) from None
        if content is not None:
            parts[key] = content

    for key in by_key:
        if _is_parsed(fmt, key):
            read(key, keep=key in wanted or _is_sheet_part(fmt, key))

    result = ZipInfo(format=fmt)
    if fmt in ("xlsx", "xlsm"):
        core = parts.get("docprops/core.xml", b"")
        if _is_xlsxkit_summary(core):
            raise NotAReturn(
                Code.XLSXKIT_OUTPUT,
                "this is a summary workbook written by 'xlsxkit import' (an xlsxkit output), "
                "not a return; it was not read",
            )
        # A sheet may be any part the workbook's relationships name: check it too.
        for part in _sheet_parts(parts).values():
            if part in by_key and part not in parts:
                read(part, keep=True)
        result.saved_at = _ooxml_saved_at(core)
        _scan_ooxml_sheets(parts, result)
        if any(s.beyond_bounds for s in result.sheets.values()):
            result.trimmed, result.trimmed_sheets = _trim_ooxml(zf, infos, parts, result)
    else:
        if b"encryption-data" in parts.get("meta-inf/manifest.xml", b""):
            raise Rejection(
                Code.PASSWORD_PROTECTED,
                "the spreadsheet is protected with a password to open: ask the partner to "
                "remove it or send it unprotected (sheet protection is fine)",
            )
        result.saved_at = _ods_saved_at(parts.get("meta.xml", b""))
    return result


_CREATOR = re.compile(rb"<dc:creator>\s*xlsxkit\s*</dc:creator>")
_TITLE = re.compile(rb"<dc:title>([^<]*)</dc:title>")


def _is_xlsxkit_summary(core: bytes) -> bool:
    """Whether docProps/core.xml is that of a summary written by xlsxkit (render/xlsx
    sets the creator to xlsxkit and a title ending 'progress summary'; the partners'
    workbooks say 'self-assessment')."""
    title = _TITLE.search(core)
    return bool(
        _CREATOR.search(core) and title and title.group(1).strip().endswith(b"progress summary")
    )


def _zip_listing(keys: dict[str, zipfile.ZipInfo]) -> str:
    inside = [i.filename for k, i in keys.items() if k.endswith(SPREADSHEET_SUFFIXES)]
    if not inside:
        return "it holds no spreadsheet"
    shown = ", ".join(repr(n[-60:]) for n in inside[:5]) + (" ..." if len(inside) > 5 else "")
    return (
        f"it holds {len(inside)} spreadsheet(s): {shown}; unzip it into the folder and import again"
    )


def _container_format(zf: zipfile.ZipFile, keys: dict[str, zipfile.ZipInfo]) -> str:
    if "xl/workbook.xml" in keys or "xl/workbook.bin" in keys:
        if "xl/workbook.bin" in keys:
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                "this is an Excel binary workbook (.xlsb); ask the partner to save it as "
                ".xlsx (File > Save As > Excel Workbook) and send it again",
            )
        return "xlsm" if "xl/vbaproject.bin" in keys else "xlsx"
    if "mimetype" in keys:
        try:
            mimetype = zf.read(keys["mimetype"])[:200].decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            mimetype = ""
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        if "opendocument.text" in mimetype:
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                f"this is a text document (.odt), not a spreadsheet; {SEND_WORKBOOK}",
            )
    if "word/document.xml" in keys:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a Word document (.docx), not a spreadsheet; {SEND_WORKBOOK}",
        )
    if "ppt/presentation.xml" in keys:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a PowerPoint presentation, not a spreadsheet; {SEND_WORKBOOK}",
        )
    if "content.xml" in keys:
        return "ods"
    if any(k.endswith(".iwa") for k in keys) or (
        "index.xml" in keys and any(k.startswith("quicklook/") for k in keys)
    ):
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            "this is an Apple Numbers file (.numbers), which xlsxkit cannot read; ask the "
            "partner to export it as Excel (in Numbers: File > Export To > Excel) and send "
            "the .xlsx",
        )
    raise Rejection(
        Code.NOT_A_WORKBOOK,
        f"this is a zip archive, not a spreadsheet ({_zip_listing(keys)})",
    )


def _wanted_parts(fmt: str) -> set[str]:
    if fmt == "ods":
        return {"meta.xml", "meta-inf/manifest.xml"}
    return {"docprops/core.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def _is_parsed(fmt: str, key: str) -> bool:
    """Whether a part (by :func:`part_key`) is read by calamine or by xlsxkit, so must be
    checked first. Sheets named by the relationships are added by the caller."""
    if fmt == "ods":
        return key.endswith(".xml") and not key.startswith("thumbnails/")
    return (
        key == "[content_types].xml"
        or key == "docprops/core.xml"
        or (key.startswith("xl/") and not key.startswith(("xl/theme/", "xl/media/")))
    )


def _is_sheet_part(fmt: str, key: str) -> bool:
    return fmt != "ods" and key.startswith("xl/worksheets/") and key.endswith(".xml")


def _read_entry(data: bytes, info: zipfile.ZipInfo, *, keep: bool) -> bytes | None:
    """Unpack one part straight from the container's bytes, never past its declared size,
    and check its CRC; refuse XML with DOCTYPE/ENTITY declarations."""
    if info.flag_bits & 0x1:
        raise Rejection(
            Code.PASSWORD_PROTECTED,
            "the file is encrypted: ask the partner to remove the password or send it "
            "unprotected (sheet protection is fine)",
        )
    offset = info.header_offset
    if data[offset : offset + 4] != ZIP_MAGIC:
        raise zipfile.BadZipFile(info.filename)
    name_len, extra_len = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        raise zipfile.BadZipFile(info.filename)
    if info.compress_type == zipfile.ZIP_STORED:
        out = raw
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            out = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            raise zipfile.BadZipFile(info.filename) from None
        if inflater.unconsumed_tail:  # unpacks to more than it declares: a zip bomb
            raise Rejection(
                Code.TOO_LARGE,
                f"part {info.filename!r} unpacks to more than the {info.file_size:,} bytes it "
                "declares; the file was refused as possibly hostile",
            )
    else:
        raise Rejection(
            Code.CORRUPT,
            f"part {info.filename!r} uses a compression method spreadsheet apps do not use; "
            f"{SEND_WORKBOOK}",
        )
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(info.filename)
    if _DOCTYPE.search(out):
        raise Rejection(
            Code.XML_ENTITIES,
            f"part {info.filename!r} declares a DOCTYPE or XML entities, which spreadsheet "
            "apps never write; the file was refused as possibly hostile",
        )
    return out if keep else None


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_ODS_DATE = re.compile(rb"<dc:date>([^<]+)</dc:date>")


def _parse_timestamp(raw: bytes) -> dt.datetime | None:
    text = raw.decode("ascii", "replace").strip()
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    # Trim fractional seconds beyond microseconds (LibreOffice writes nanoseconds).
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def _ooxml_saved_at(core: bytes) -> dt.datetime | None:
    m = _MODIFIED.search(core)
    return _parse_timestamp(m.group(1)) if m else None


def _ods_saved_at(meta: bytes) -> dt.datetime | None:
    m = _ODS_DATE.search(meta)
    return _parse_timestamp(m.group(1)) if m else None


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<Relationship\b([^>]*)/?>")


def _unescape(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> part key, from workbook.xml and its relationships, resolved the way
    calamine resolves them: a target starting with one ``/`` is taken from the root of the
    container (anywhere, not only under ``xl/``), any other is relative to ``xl/``."""
    rels: dict[str, str] = {}
    for m in _REL.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(m.group(1))}
        rid, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rid and target:
            t = _unescape(target)
            t = t[1:] if t.startswith("/") else f"xl/{t}"
            rels[_unescape(rid)] = part_key(t)
    out: dict[str, str] = {}
    for m in _SHEET_TAG.finditer(parts.get("xl/workbook.xml", b"")):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(m.group(1))}
        name, rid = attrs.get(b"name"), attrs.get(b"id")
        if name is not None and rid is not None and _unescape(rid) in rels:
            out[_unescape(name)] = rels[_unescape(rid)]
    return out


# A cell or row position as calamine reads it: the ``r`` attribute, in either quotes,
# letters in either case, and any number of digits. Only references long enough to lie
# beyond the reading bounds are looked at closely (the patterns are built from the bounds).
_ROW_DIGITS = len(str(L.MAX_READ_ROWS))
_COL_LETTERS = len(L.col_letter(L.MAX_READ_COLS - 1))
_R_VALUE = rb"""\br\s*=\s*["']([A-Za-z]*)([0-9]*)["']"""
_R_ANY = re.compile(_R_VALUE)
_R_LONG_ROW = re.compile(rb"""\br\s*=\s*["'][A-Za-z]*([0-9]{%d,})["']""" % _ROW_DIGITS)
_R_LONG_COL = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{%d,})[0-9]*["']""" % _COL_LETTERS)
_FORMULA = re.compile(rb"<f[\s>/]")
_P = rb"(?:[\w.-]+:)?"  # any namespace prefix: calamine matches elements by local name


def _beyond(letters: bytes, digits: bytes) -> bool:
    return (bool(digits) and int(digits) > L.MAX_READ_ROWS) or (
        bool(letters) and _col_number(letters) > L.MAX_READ_COLS
    )


def _beyond_bounds(xml: bytes) -> bool:
    if any(_col_number(m.group(1)) > L.MAX_READ_COLS for m in _R_LONG_COL.finditer(xml)):
        return True
    return any(int(m.group(1)) > L.MAX_READ_ROWS for m in _R_LONG_ROW.finditer(xml))


def _scan_ooxml_sheets(parts: dict[str, bytes], result: ZipInfo) -> None:
    for name, part in _sheet_parts(parts).items():
        xml = parts.get(part)
        if xml is None:
            continue
        scan = SheetScan(part=part, beyond_bounds=_beyond_bounds(xml))
        for m in _FORMULA.finditer(xml):
            start = xml.rfind(b"<c ", 0, m.start())
            end = xml.find(b"</c>", m.end())
            if start < 0 or end < 0:
                continue
            if b"<v" not in xml[m.start() : end]:
                ref = _R_ANY.search(xml, start, xml.find(b">", start) + 1)
                if ref:
                    scan.formulas_without_value.append(
                        ref.group(1).decode().upper() + ref.group(2).decode()
                    )
        result.sheets[name] = scan


_ROW_ELEM = re.compile(rb"<(" + _P + rb")row\b([^>]*?)(?:/>|>(.*?)</\1row\s*>)", re.DOTALL)
_CELL_ELEM = re.compile(rb"<(" + _P + rb")c\b([^>]*?)(?:/>|>(.*?)</\1c\s*>)", re.DOTALL)
_CELL_START = re.compile(rb"<" + _P + rb"c\b")
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*/>")
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")
_FAR_ROW_TAG = re.compile(
    rb"<" + _P + rb"""row\b[^>]*?\br\s*=\s*["'][A-Za-z]*([0-9]{%d,})["']""" % _ROW_DIGITS
)


def _trim_sheet_xml(xml: bytes) -> tuple[bytes, int]:
    """Drop rows and cells beyond the reading bounds; returns (xml, cells dropped).

    Rows come in order in a well-formed sheet, so everything from the first row past the
    bound is cut in one go; what is left is then checked row by row and cell by cell, so
    a sheet with rows out of order is cut correctly too.
    """
    dropped = 0
    for m in _FAR_ROW_TAG.finditer(xml):
        if int(m.group(1)) > L.MAX_READ_ROWS:
            end = _SHEET_DATA_END.search(xml, m.start())
            if end:
                dropped += len(_CELL_START.findall(xml, m.start(), end.start()))
                xml = xml[: m.start()] + xml[end.start() :]
            break

    def row(m: re.Match[bytes]) -> bytes:
        nonlocal dropped
        num = _R_ANY.search(m.group(2))
        body = m.group(3) or b""
        if num and num.group(2) and int(num.group(2)) > L.MAX_READ_ROWS:
            dropped += len(_CELL_START.findall(body))
            return b""

        def cell(c: re.Match[bytes]) -> bytes:
            nonlocal dropped
            ref = _R_ANY.search(c.group(2))
            if ref and _beyond(ref.group(1), ref.group(2)):
                dropped += 1
                return b""
            return c.group(0)

        return _CELL_ELEM.sub(cell, m.group(0))

    out = _ROW_ELEM.sub(row, xml)
    out = _DIMENSION.sub(b"", out)
    return out, dropped


def _trim_ooxml(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], parts: dict[str, bytes], result: ZipInfo
) -> tuple[bytes, dict[str, int]]:
    """A copy of the container whose oversized sheets are cut to the reading bounds.

    The cut sheets are scanned again: if anything beyond the bounds is left (XML shaped
    to slip past the cut), the file is refused rather than handed to a reader."""
    big = {s.part: name for name, s in result.sheets.items() if s.beyond_bounds}
    dropped: dict[str, int] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            if info.is_dir():
                continue
            key = part_key(info.filename)
            if key in big:
                xml, n = _trim_sheet_xml(parts[key])
                if _beyond_bounds(xml):
                    raise Rejection(
                        Code.TOO_COMPLEX,
                        f"sheet {big[key]!r} has cells beyond row {L.MAX_READ_ROWS:,} or "
                        f"column {L.col_letter(L.MAX_READ_COLS - 1)} that could not be cut "
                        "off safely; the file was refused as possibly hostile. Ask the "
                        "partner to copy their answers into the workbook they were sent",
                    )
                dropped[big[key]] = n
                out.writestr(info.filename, xml)
            else:
                out.writestr(info.filename, zf.read(info))
    return buffer.getvalue(), dropped
