"""Rebuild a zip container with some parts replaced, copying the others as they are.

When a sheet is cut to the reading bounds, the reader is handed a copy of the container
with that sheet replaced. Every other part is copied byte for byte, still compressed (its
CRC and sizes were checked by the streaming pass), so no part is inflated a second time
and none is compressed again. Sizes stay far below the zip64 limits: the container is
bounded by MAX_FILE_BYTES and every part by MAX_ENTRY_BYTES.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_UTF8_NAME = 0x800


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    date = (max(year, 1980) - 1980) << 9 | month << 5 | day
    return (hour << 11 | minute << 5 | second // 2), date


def rebuild(
    data: bytes,
    entries: Iterable[tuple[zipfile.ZipInfo, int]],
    replaced: Mapping[str, bytes],
) -> bytes:
    """A container holding ENTRIES (each with the offset of its compressed bytes in DATA)
    in order; an entry whose file name is in REPLACED gets those bytes, deflated."""
    out = bytearray()
    central = bytearray()
    count = 0
    for info, start in entries:
        try:
            name = info.filename.encode("ascii")
            flags = 0
        except UnicodeEncodeError:
            name = info.filename.encode("utf-8")
            flags = _UTF8_NAME
        if info.filename in replaced:
            content = replaced[info.filename]
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = packer.compress(content) + packer.flush()
            method, crc, size = zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content)
        else:
            body = data[start : start + info.compress_size]
            method, crc, size = info.compress_type, info.CRC, info.file_size
        time, date = _dos_time(info)
        offset = len(out)
        fields = (flags, method, time, date, crc, len(body), size, len(name))
        out += _LOCAL.pack(b"PK\x03\x04", 20, *fields, 0) + name + body
        central += _CENTRAL.pack(b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, 0, offset) + name
        count += 1
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + end)
