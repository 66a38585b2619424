"""The streaming pass over a zip part finds what the whole-part patterns find, whatever the
chunk boundaries and however a reference is spelled; a cut sheet is handed on in a container
whose other parts are copied as they were."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsxkit.workbook.safety import Rejection, stream
from xlsxkit.workbook.safety.rezip import rebuild
from xlsxkit.workbook.safety.trim import beyond_bounds, formulas_without_value

_REFS = st.sampled_from(
    [b"A1", b"BL5000", b"BM1", b"A5001", b"a05001", b"AAA1", b"XFD1048576", b"Z999", b"BL1"]
)
_SPELLINGS = st.sampled_from(
    [b'r="%s"', b"r='%s'", b'r = "%s"', b'r=\t"%s"', b'r\n="%s"', b'xr="%s"', b"r=\"%s'"]
)


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    cells = []
    for _ in range(draw(st.integers(0, 12))):
        attr = draw(_SPELLINGS) % draw(_REFS)
        body = draw(st.sampled_from([b"<v>1</v>", b"<f>A1</f>", b"<f>1</f><v>1</v>", b""]))
        cells.append(b"<c " + attr + b">" + body + b"</c>")
    return b"<worksheet><sheetData><row>" + b"".join(cells) + b"</row></sheetData></worksheet>"


def _scan(xml: bytes, *, method: int = zipfile.ZIP_DEFLATED) -> stream.PartScan:
    packed = xml
    if method == zipfile.ZIP_DEFLATED:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = packer.compress(xml) + packer.flush()
    return stream.scan_part(
        packed, "s.xml", 0, len(packed), len(xml), method, zlib.crc32(xml), sheet=True, keep=True
    )


@settings(max_examples=300, deadline=None)
@given(xml=sheets(), chunk=st.integers(5, 200), stored=st.booleans())
def test_any_chunking_measures_a_sheet_as_the_whole_part_patterns_do(
    xml: bytes, chunk: int, stored: bool
) -> None:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(stream, "CHUNK", chunk)
        m.setattr(stream, "FEED", max(1, chunk // 3))
        scan = _scan(xml, method=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    assert scan.beyond_bounds == beyond_bounds(xml)
    assert scan.formulas_without_value == formulas_without_value(xml)
    assert scan.content == xml


def test_a_doctype_is_refused_even_when_split_over_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK", 3)
    with pytest.raises(Rejection) as caught:
        _scan(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    assert "DOCTYPE" in str(caught.value)


def test_a_part_that_inflates_past_its_declared_size_is_a_zip_bomb() -> None:
    xml = b"<x>" + b"a" * 100_000 + b"</x>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(xml) + packer.flush()
    with pytest.raises(Rejection) as caught:
        stream.scan_part(
            packed, "s.xml", 0, len(packed), 1000, 8, zlib.crc32(xml), sheet=False, keep=False
        )
    assert "unpacks to more than the 1,000 bytes" in str(caught.value)


def test_a_wrong_crc_or_a_short_part_is_damage() -> None:
    xml = b"<x>hello</x>"
    with pytest.raises(stream.Damaged):
        stream.scan_part(xml, "s.xml", 0, len(xml), len(xml), 0, 1, sheet=False, keep=False)
    with pytest.raises(stream.Damaged):
        stream.scan_part(xml, "s.xml", 0, len(xml), len(xml) + 5, 8, 0, sheet=False, keep=False)


def test_a_rebuilt_container_replaces_one_part_and_copies_the_others_unchanged() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", b"application/x", zipfile.ZIP_STORED)
        out.writestr("xl/worksheets/sheet1.xml", b"<old/>" * 100)
        out.writestr("xl/m\u00e9dia/\u00e9.png", b"\x89PNG" + bytes(range(256)))
    data = buffer.getvalue()
    zf = zipfile.ZipFile(io.BytesIO(data))
    entries = []
    for info in zf.infolist():
        name_len, extra_len = (
            int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
            int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
        )
        entries.append((info, info.header_offset + 30 + name_len + extra_len))
    rebuilt = zipfile.ZipFile(
        io.BytesIO(rebuild(data, entries, {"xl/worksheets/sheet1.xml": b"<new/>"}))
    )
    assert rebuilt.testzip() is None
    assert rebuilt.namelist() == zf.namelist()
    assert rebuilt.read("xl/worksheets/sheet1.xml") == b"<new/>"
    assert rebuilt.read("mimetype") == b"application/x"
    assert rebuilt.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert rebuilt.read("xl/m\u00e9dia/\u00e9.png") == zf.read("xl/m\u00e9dia/\u00e9.png")
