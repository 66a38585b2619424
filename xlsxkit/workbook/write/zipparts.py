"""The parts of a zip package, kept compressed, and a package written from them.

A batch's workbooks share most of their parts byte for byte (:mod:`.template`), so each
part is deflated once and its compressed bytes are copied into every workbook; only the
parts that differ are deflated again. :mod:`zipfile` has no way to add an entry that is
already compressed, hence this small writer. It writes what XlsxWriter's own zip holds
(deflate, no data descriptors, no zip64, the 1980-01-01 timestamp Excel uses), entries in
the template's order.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5HLL")
_END = struct.Struct("<4s4H2LH")
#: 1980-01-01 00:00 as a DOS date and time.
_DOS_DATE, _DOS_TIME = (0 << 9) | (1 << 5) | 1, 0
#: Below zip64's limits: a workbook part is far smaller.
_MAX = 0xFFFFFFFF


@dataclass(frozen=True, kw_only=True, slots=True)
class Part:
    """One entry: its name, CRC-32, uncompressed size and deflated bytes."""

    name: str
    crc: int
    size: int
    deflated: bytes


def deflate(name: str, data: bytes, *, small: bool = False) -> Part:
    """The part NAME holding DATA (SMALL: see :func:`chunk`)."""
    return joined(name, [(data, chunk(data, small=small))])


#: A final empty deflate block: ends a stream of flushed chunks.
_FINAL = b"\x03\x00"


def chunk(data: bytes, *, small: bool = False) -> bytes:
    """DATA deflated on its own and flushed to a byte boundary, to be joined with other
    chunks into one part (:func:`joined`): a chunk refers to nothing before it. SMALL: a
    short text, for which a small window is as good and far cheaper to set up."""
    if small:
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -9, 1)
    else:
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


def joined(name: str, chunks: list[tuple[bytes, bytes]]) -> Part:
    """The part NAME made of CHUNKS, each (its bytes, :func:`chunk` of them), in order."""
    crc = 0
    size = 0
    for data, _ in chunks:
        crc = zlib.crc32(data, crc)
        size += len(data)
    return Part(name=name, crc=crc, size=size, deflated=b"".join(c for _, c in chunks) + _FINAL)


def read_parts(data: bytes) -> dict[str, Part]:
    """The entries of the zip DATA (as written by XlsxWriter), in order, still deflated."""
    parts: dict[str, Part] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_DEFLATED:
                raise ValueError(f"{info.filename}: not deflated")
            head = _LOCAL.unpack_from(data, info.header_offset)
            start = info.header_offset + _LOCAL.size + head[10] + head[11]
            parts[info.filename] = Part(
                name=info.filename,
                crc=info.CRC,
                size=info.file_size,
                deflated=data[start : start + info.compress_size],
            )
    return parts


def unpacked(data: bytes) -> list[tuple[str, bytes]]:
    """Each entry of the zip DATA: its name and uncompressed bytes, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def write_zip(parts: list[Part]) -> bytes:
    """A zip package of PARTS, in that order."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for p in parts:
        name = p.name.encode("utf-8")
        flags = 0x800 if not p.name.isascii() else 0
        if max(offset, len(p.deflated), p.size) >= _MAX:
            raise ValueError(f"{p.name}: too large for a workbook part")
        # version 2.0 made by Unix; flags; deflated; time and date
        made = (20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE)
        sizes = (p.crc, len(p.deflated), p.size, len(name))
        local = _LOCAL.pack(b"PK\x03\x04", *made, *sizes, 0)
        # extra, comment, disk, internal attributes; read/write by the owner; where
        rest = (0, 0, 0, 0, 0o600 << 16, offset)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 3, *made, *sizes, *rest) + name)
        out += (local, name, p.deflated)
        offset += len(local) + len(name) + len(p.deflated)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(out) + directory + end
