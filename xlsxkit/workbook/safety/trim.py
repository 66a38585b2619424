"""Measure a sheet's extent from its XML, and cut it to the reading bounds.

A single cell at XFD1048576 makes a reader allocate a sheet of seventeen billion cells, and
the XML that declares it is a few bytes. So no sheet reaches a reader before its ``r``
references are measured here (with patterns built from :data:`layout.MAX_READ_ROWS` and
:data:`layout.MAX_READ_COLS`, so the bounds are stated once), and a sheet that reaches
beyond them is cut to them rather than refused: partners paste far-away notes by accident,
and their answers are still inside. Everything works on bytes with regular expressions,
because building the sheet to measure it is the very cost this avoids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlsxkit.workbook import layout as L


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


def col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


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
        bool(letters) and col_number(letters) > L.MAX_READ_COLS
    )


def beyond_bounds(xml: bytes) -> bool:
    if any(col_number(m.group(1)) > L.MAX_READ_COLS for m in _R_LONG_COL.finditer(xml)):
        return True
    return any(int(m.group(1)) > L.MAX_READ_ROWS for m in _R_LONG_ROW.finditer(xml))


_ROW_ELEM = re.compile(rb"<(" + _P + rb")row\b([^>]*?)(?:/>|>(.*?)</\1row\s*>)", re.DOTALL)
_CELL_ELEM = re.compile(rb"<(" + _P + rb")c\b([^>]*?)(?:/>|>(.*?)</\1c\s*>)", re.DOTALL)
_CELL_START = re.compile(rb"<" + _P + rb"c\b")
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*/>")
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")
_FAR_ROW_TAG = re.compile(
    rb"<" + _P + rb"""row\b[^>]*?\br\s*=\s*["'][A-Za-z]*([0-9]{%d,})["']""" % _ROW_DIGITS
)


def trim_sheet_xml(xml: bytes) -> tuple[bytes, int]:
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


def formulas_without_value(xml: bytes) -> list[str]:
    """A1 references of the cells in XML with a formula but no saved value."""
    out: list[str] = []
    for m in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c ", 0, m.start())
        end = xml.find(b"</c>", m.end())
        if start < 0 or end < 0:
            continue
        if b"<v" not in xml[m.start() : end]:
            ref = _R_ANY.search(xml, start, xml.find(b">", start) + 1)
            if ref:
                out.append(ref.group(1).decode().upper() + ref.group(2).decode())
    return out


def scan_sheet(part: str, xml: bytes) -> SheetScan:
    """Measure one sheet's XML: whether it reaches beyond the bounds, and which formula
    cells have no saved value."""
    return SheetScan(
        part=part,
        beyond_bounds=beyond_bounds(xml),
        formulas_without_value=formulas_without_value(xml),
    )
