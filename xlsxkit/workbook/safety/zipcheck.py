"""Zip containers (xlsx, xlsm, ods, and the documents people send instead), unpacked safely.

A zip's directory can lie: parts that declare a small size and inflate to gigabytes, two
parts whose names a reader would confuse, a CRC that does not match, XML with DOCTYPE or
entity declarations (entity expansion, external entities). So nothing here trusts
``zipfile``'s reading: entries and sizes are bounded first, every part a reader will open is
unpacked straight from the container's bytes never past its declared size, its CRC checked,
and refused if it declares entities. Part names are compared as calamine compares them
(:func:`part_key`), so a part cannot dodge a check by its spelling. What is left is said
plainly: which format, when it was last saved, and each sheet's measured extent.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.safety.odf import normalise_content
from xlsxkit.workbook.safety.rejection import SEND_WORKBOOK, NotAReturn, Rejection
from xlsxkit.workbook.safety.rezip import rebuild
from xlsxkit.workbook.safety.sniff import SPREADSHEET_SUFFIXES, ZIP_MAGIC
from xlsxkit.workbook.safety.stream import Damaged, PartScan, scan_bytes, scan_part
from xlsxkit.workbook.safety.trim import SheetScan, beyond_bounds, trim_sheet_xml

MAX_ZIP_ENTRIES: Final = 1000
MAX_ENTRY_BYTES: Final = 32 * 1024 * 1024  # uncompressed, per entry (a form sheet: ~150 KB)
MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024  # uncompressed, all entries


@dataclass(kw_only=True)
class ZipInfo:
    format: str  # "xlsx", "xlsm" or "ods"
    saved_at: dt.datetime | None = None
    sheets: dict[str, SheetScan] = field(default_factory=dict)  # sheet name -> scan
    #: When sheets were trimmed to the reading bounds: the rebuilt container to parse.
    trimmed: bytes | None = None
    trimmed_sheets: dict[str, int] = field(default_factory=dict)  # sheet -> cells dropped


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def part_key(name: str) -> str:
    """A zip part name as calamine looks parts up: backslashes read as slashes, and ASCII
    letters compared without case (its ``path_to_zip_path``). Every check here uses this
    key, so a part named ``XL\\Worksheets\\Sheet1.xml`` is checked as the sheet it is."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


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

    # One pass over every part a reader opens (workbook.safety.stream): inflated once,
    # never past its declared size, CRC checked, refused with DOCTYPE/ENTITY declarations,
    # and each sheet measured against the reading bounds as it goes. The workbook's own
    # list of sheets comes first, so that each part is known to be a sheet or not when
    # it is read.
    parts: dict[str, bytes] = {}
    scans: dict[str, PartScan] = {}
    starts: dict[str, int] = {}

    def read(key: str, *, sheet: bool, keep: bool) -> PartScan:
        info = by_key[key]
        starts[key] = start = _entry_start(data, info)
        try:
            scan = scan_part(
                data,
                info.filename,
                start,
                info.compress_size,
                info.file_size,
                info.compress_type,
                info.CRC,
                sheet=sheet,
                keep=keep,
            )
        except Damaged:
            raise _damaged(info) from None
        if keep and scan.content is not None:
            parts[key] = scan.content
        return scan

    wanted = _wanted_parts(fmt)
    for key in by_key:
        if key in wanted:
            read(key, sheet=False, keep=True)
    sheet_parts = _sheet_parts(parts) if fmt != "ods" else {}
    sheet_keys = set(sheet_parts.values())
    for key in by_key:
        if key in wanted:
            if key in sheet_keys:  # a relationship naming a control part as a sheet
                scans[key] = scan_bytes(parts[key], sheet=True)
        elif key in sheet_keys or _is_parsed(fmt, key):
            scans[key] = read(key, sheet=key in sheet_keys, keep=False)

    result = ZipInfo(format=fmt)
    if fmt in ("xlsx", "xlsm"):
        core = parts.get("docprops/core.xml", b"")
        kind = _xlsxkit_output(core)
        if kind is not None:
            raise NotAReturn(
                Code.XLSXKIT_OUTPUT,
                f"this is {kind} (an xlsxkit output), not a return; it was not read",
            )
        result.saved_at = _ooxml_saved_at(core)
        for name, part in sheet_parts.items():
            scan = scans.get(part)
            if scan is not None:
                result.sheets[name] = SheetScan(
                    part=part,
                    beyond_bounds=scan.beyond_bounds,
                    formulas_without_value=list(scan.formulas_without_value),
                )
        if any(s.beyond_bounds for s in result.sheets.values()):
            result.trimmed, result.trimmed_sheets = _trim_ooxml(data, infos, starts, scans, result)
    else:
        if b"encryption-data" in parts.get("meta-inf/manifest.xml", b""):
            raise Rejection(
                Code.PASSWORD_PROTECTED,
                "the spreadsheet is protected with a password to open: ask the partner to "
                "remove it or send it unprotected (sheet protection is fine)",
            )
        result.saved_at = _ods_saved_at(parts.get("meta.xml", b""))
        compacted = normalise_content(parts.get("content.xml", b""))
        if compacted is not None:
            result.trimmed = _rebuilt_ods(infos, parts, compacted)
    return result


def _damaged(info: zipfile.ZipInfo) -> Rejection:
    return Rejection(
        Code.CORRUPT,
        f"the file is damaged (part {info.filename!r} does not unpack); "
        f"{SEND_WORKBOOK}, attached again",
    )


_CREATOR = re.compile(rb"<dc:creator>\s*xlsxkit\s*</dc:creator>")
_TITLE = re.compile(rb"<dc:title>([^<]*)</dc:title>")


def _xlsxkit_output(core: bytes) -> str | None:
    """What xlsxkit output docProps/core.xml is that of, in words; None for any other file.
    render/xlsx sets the creator to xlsxkit and a title ending 'progress summary' (the
    summary) or ': feedback' (a partner's feedback, which may come back attached to a
    reply); the partners' workbooks say 'self-assessment'."""
    title = _TITLE.search(core)
    if not (_CREATOR.search(core) and title):
        return None
    text = title.group(1).strip()
    if text.endswith(b"progress summary"):
        return "a summary workbook written by 'xlsxkit import'"
    if text.endswith(b": feedback"):
        return "a partner's feedback workbook written by 'xlsxkit feedback'"
    return None


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
        # Every XML part is kept: a pretty-printed content.xml (Gnumeric) is rebuilt from them.
        return {"meta.xml", "meta-inf/manifest.xml", "content.xml", "styles.xml", "settings.xml"}
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


def _entry_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where the part's compressed bytes start in DATA, from its local header; refuses
    encrypted parts and compression methods spreadsheet apps do not use."""
    if info.flag_bits & 0x1:
        raise Rejection(
            Code.PASSWORD_PROTECTED,
            "the file is encrypted: ask the partner to remove the password or send it "
            "unprotected (sheet protection is fine)",
        )
    offset = info.header_offset
    if data[offset : offset + 4] != ZIP_MAGIC or len(data) < offset + 30:
        raise _damaged(info)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Rejection(
            Code.CORRUPT,
            f"part {info.filename!r} uses a compression method spreadsheet apps do not use; "
            f"{SEND_WORKBOOK}",
        )
    name_len, extra_len = struct.unpack("<HH", data[offset + 26 : offset + 30])
    return int(offset + 30 + name_len + extra_len)


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


def _rebuilt_ods(infos: list[zipfile.ZipInfo], parts: dict[str, bytes], content: bytes) -> bytes:
    """The spreadsheet rebuilt from the parts already unpacked and checked, with CONTENT as
    its ``content.xml``: the ``mimetype`` entry first and stored, as ODF requires, and
    nothing a reader does not open (pictures, thumbnails) copied."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", _ODS_MIMETYPE, zipfile.ZIP_STORED)
        for info in infos:
            key = part_key(info.filename)
            if key == "content.xml":
                out.writestr(info.filename, content)
            elif key in parts:
                out.writestr(info.filename, parts[key])
    return buffer.getvalue()


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _trim_ooxml(
    data: bytes,
    infos: list[zipfile.ZipInfo],
    starts: dict[str, int],
    scans: dict[str, PartScan],
    result: ZipInfo,
) -> tuple[bytes, dict[str, int]]:
    """A copy of the container whose oversized sheets are cut to the reading bounds (the
    other parts copied as they are, still compressed: see :mod:`.rezip`).

    The cut sheets are scanned again: if anything beyond the bounds is left (XML shaped
    to slip past the cut), the file is refused rather than handed to a reader."""
    big = {s.part: name for name, s in result.sheets.items() if s.beyond_bounds}
    dropped: dict[str, int] = {}
    replaced: dict[str, bytes] = {}
    entries: list[tuple[zipfile.ZipInfo, int]] = []
    for info in infos:
        if info.is_dir():
            continue
        key = part_key(info.filename)
        if key in big:
            content = scans[key].content
            assert content is not None  # a sheet beyond the bounds keeps its bytes
            xml, n = trim_sheet_xml(content)
            if beyond_bounds(xml):
                raise Rejection(
                    Code.TOO_COMPLEX,
                    f"sheet {big[key]!r} has cells beyond row {L.MAX_READ_ROWS:,} or "
                    f"column {L.col_letter(L.MAX_READ_COLS - 1)} that could not be cut "
                    "off safely; the file was refused as possibly hostile. Ask the "
                    "partner to copy their answers into the workbook they were sent",
                )
            dropped[big[key]] = n
            replaced[info.filename] = xml
        start = starts.get(key)
        entries.append((info, _entry_start(data, info) if start is None else start))
    return rebuild(data, entries, replaced), dropped
