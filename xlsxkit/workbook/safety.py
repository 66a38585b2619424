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


@dataclass(frozen=True, kw_only=True, slots=True)
class Sniffed:
    kind: str  # "zip", "ole", or a rejected kind
    description: str


def sniff(data: bytes) -> Sniffed:
    """Classify DATA by its content, never by its file name."""
    if not data:
        raise Rejection(Code.EMPTY_FILE, f"the file is empty (0 bytes); {SEND_WORKBOOK}")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return Sniffed(kind="zip", description="a zip container")
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    for magic, description in _SIGNATURES:
        if data.startswith(magic):
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                f"this is {description}, not a spreadsheet; {SEND_WORKBOOK}",
            )
    head = data[:4096]
    text = _as_text(head)
    if text is not None:
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
_REF_ANY = re.compile(rb'\br="[A-Z]{1,3}[0-9]{1,7}"')
_CELL_ELEM = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
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
    names = {i.filename for i in infos}
    fmt = _container_format(zf, names)

    # Decompress every part within the bounds (zipfile stops at the declared size and
    # checks the CRC), refusing XML with DOCTYPE/ENTITY declarations.
    parts: dict[str, bytes] = {}
    wanted = _wanted_parts(fmt)
    for info in infos:
        if info.is_dir() or not _is_parsed(fmt, info.filename):
            continue  # no reader ever opens this part: it is only size-checked
        keep = info.filename in wanted or _is_sheet_part(fmt, info.filename)
        try:
            content = _read_entry(data, info, keep=keep)
        except zipfile.BadZipFile:
            raise Rejection(
                Code.CORRUPT,
                f"the file is damaged (part {info.filename!r} does not unpack); "
                f"{SEND_WORKBOOK}, attached again",
            ) from None
        if content is not None:
            parts[info.filename] = content

    result = ZipInfo(format=fmt)
    if fmt in ("xlsx", "xlsm"):
        result.saved_at = _ooxml_saved_at(parts.get("docProps/core.xml", b""))
        _scan_ooxml_sheets(parts, result)
        if any(s.beyond_bounds for s in result.sheets.values()):
            result.trimmed, result.trimmed_sheets = _trim_ooxml(zf, infos, parts, result)
    else:
        if b"encryption-data" in parts.get("META-INF/manifest.xml", b""):
            raise Rejection(
                Code.PASSWORD_PROTECTED,
                "the spreadsheet is protected with a password to open: ask the partner to "
                "remove it or send it unprotected (sheet protection is fine)",
            )
        result.saved_at = _ods_saved_at(parts.get("meta.xml", b""))
    return result


def _container_format(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                "this is an Excel binary workbook (.xlsb); ask the partner to save it as "
                ".xlsx (File > Save As > Excel Workbook) and send it again",
            )
        return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    if "mimetype" in names:
        try:
            mimetype = zf.read("mimetype")[:200].decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            mimetype = ""
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods"
        if "opendocument.text" in mimetype:
            raise Rejection(
                Code.NOT_A_WORKBOOK,
                f"this is a text document (.odt), not a spreadsheet; {SEND_WORKBOOK}",
            )
    if "word/document.xml" in names:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a Word document (.docx), not a spreadsheet; {SEND_WORKBOOK}",
        )
    if "ppt/presentation.xml" in names:
        raise Rejection(
            Code.NOT_A_WORKBOOK,
            f"this is a PowerPoint presentation, not a spreadsheet; {SEND_WORKBOOK}",
        )
    if "content.xml" in names:
        return "ods"
    raise Rejection(
        Code.NOT_A_WORKBOOK,
        f"this is a zip archive, not a spreadsheet; {SEND_WORKBOOK} (not zipped)",
    )


def _wanted_parts(fmt: str) -> set[str]:
    if fmt == "ods":
        return {"meta.xml", "META-INF/manifest.xml"}
    return {"docProps/core.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def _is_parsed(fmt: str, name: str) -> bool:
    """Whether a part is read by calamine or by xlsxkit (so must be checked before)."""
    if fmt == "ods":
        return name.endswith(".xml") and not name.startswith("Thumbnails/")
    return (
        name == "[Content_Types].xml"
        or name == "docProps/core.xml"
        or (name.startswith("xl/") and not name.startswith(("xl/theme/", "xl/media/")))
    )


def _is_sheet_part(fmt: str, name: str) -> bool:
    return fmt != "ods" and name.startswith("xl/worksheets/") and name.endswith(".xml")


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
    """Sheet name -> part name, from workbook.xml and its relationships."""
    rels: dict[str, str] = {}
    for m in _REL.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        attrs = dict(_ATTR.findall(m.group(1)))
        rid, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rid and target:
            t = _unescape(target)
            t = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
            rels[_unescape(rid)] = t
    out: dict[str, str] = {}
    for m in _SHEET_TAG.finditer(parts.get("xl/workbook.xml", b"")):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(m.group(1))}
        name, rid = attrs.get(b"name"), attrs.get(b"id")
        if name is not None and rid is not None and _unescape(rid) in rels:
            out[_unescape(name)] = rels[_unescape(rid)]
    return out


# Cell references with a row of four digits or more, and with a column beyond BL: the only
# ones that can lie beyond the reading bounds (5,000 rows, 64 columns).
_REF_ROW_4 = re.compile(rb'\br="[A-Z]{1,3}([0-9]{4,7})"')
_REF_FAR_COL = re.compile(rb'\br="(?:[A-Z]{3}|[C-Z][A-Z]|B[M-Z])[0-9]')
_FORMULA = re.compile(rb"<f[\s>/]")
assert L.MAX_READ_ROWS == 5000 and L.MAX_READ_COLS == 64  # the patterns above assume it


def _beyond_bounds(xml: bytes) -> bool:
    if _REF_FAR_COL.search(xml):
        return True
    return any(int(m.group(1)) > L.MAX_READ_ROWS for m in _REF_ROW_4.finditer(xml))


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
                ref = _R_ATTR.search(xml, start, xml.find(b">", start) + 1)
                if ref:
                    scan.formulas_without_value.append(
                        ref.group(1).decode() + ref.group(2).decode()
                    )
        result.sheets[name] = scan


_ROW_ELEM = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.DOTALL)
_ROW_NUM = re.compile(rb'\br="([0-9]{1,7})"')
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")


_FAR_ROW_TAG = re.compile(rb'<row\b[^>]*?\br="(?:[5-9][0-9]{3}|[1-9][0-9]{4,6})"')


def _trim_sheet_xml(xml: bytes) -> tuple[bytes, int]:
    """Drop rows and cells beyond the reading bounds; returns (xml, cells dropped).

    Rows come in order in a well-formed sheet, so everything from the first row past the
    bound is cut in one go; what is left is then checked row by row and cell by cell, so
    a sheet with rows out of order is cut correctly too.
    """
    dropped = 0
    for m in _FAR_ROW_TAG.finditer(xml):
        num = _ROW_NUM.search(m.group(0))
        if num and int(num.group(1)) > L.MAX_READ_ROWS:
            end = xml.find(b"</sheetData>", m.start())
            if end > 0:
                dropped += len(_REF_ANY.findall(xml, m.start(), end))
                xml = xml[: m.start()] + xml[end:]
            break

    def row(m: re.Match[bytes]) -> bytes:
        nonlocal dropped
        num = _ROW_NUM.search(m.group(1))
        body = m.group(2) or b""
        if num and int(num.group(1)) > L.MAX_READ_ROWS:
            dropped += len(_REF_ANY.findall(body))
            return b""

        def cell(c: re.Match[bytes]) -> bytes:
            nonlocal dropped
            ref = _R_ATTR.search(c.group(1))
            if ref and (
                _col_number(ref.group(1)) > L.MAX_READ_COLS or int(ref.group(2)) > L.MAX_READ_ROWS
            ):
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
    """A copy of the container whose oversized sheets are cut to the reading bounds."""
    big = {s.part: name for name, s in result.sheets.items() if s.beyond_bounds}
    dropped: dict[str, int] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            if info.is_dir():
                continue
            if info.filename in big:
                xml, n = _trim_sheet_xml(parts[info.filename])
                dropped[big[info.filename]] = n
                out.writestr(info.filename, xml)
            else:
                out.writestr(info.filename, zf.read(info))
    return buffer.getvalue(), dropped
