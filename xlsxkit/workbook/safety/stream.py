"""One streaming pass over each part of a zip container: unpack, check, measure, once.

Every part a reader will open is inflated here exactly once, straight from the container's
bytes, in chunks of :data:`CHUNK` bytes, never past the size its directory entry declares
(a part that inflates further is a zip bomb) and with its CRC checked as it goes. Each
chunk is checked while it is in hand: no DOCTYPE or ENTITY declaration (entity expansion,
external entities), and, for a sheet, every ``r`` reference measured against the reading
bounds and every formula saved without its value noted.

Why this shape: the checks used to cost three times the parse they protect, because
Python regular expressions that start with ``\\b`` cannot use the regex engine's fast
literal search and so try every byte of every sheet. Here the common spelling
(``r="..."``) is found by a pattern that starts with that literal, and only references
long enough to lie beyond the bounds can match it at all; any other spelling of the
attribute (other quotes, spaces around ``=``), which no spreadsheet app writes, is noticed
by byte counts and sends that chunk through the full patterns of :mod:`.trim`, so nothing
a reader would take as a reference escapes the measure.

What is checked at a time ends just after a ``</c>`` in a sheet, just after a ``>`` in any
other part (inflated bytes wait until one comes), so no reference, declaration or cell is
ever split between two checks: an attribute lies inside one tag, and a tag holds no ``>``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.safety.rejection import Rejection
from xlsxkit.workbook.safety.trim import beyond_bounds, col_number, formulas_without_value

#: Bytes inflated at a time: parts of ordinary returns (a sheet is ~30-150 KB) are one chunk.
CHUNK: Final = 1 << 20
#: Compressed bytes fed to the inflater at a time (so its unconsumed input stays small).
FEED: Final = 1 << 18

_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Only references long enough to lie beyond the bounds match: four or more row digits
# (MAX_READ_ROWS has four) or two or more column letters (MAX_READ_COLS ends at BL).
_ROW_DIGITS = len(str(L.MAX_READ_ROWS))
_COL_LETTERS = len(L.col_letter(L.MAX_READ_COLS - 1))
#: The spelling every app writes, r="...", for a reference that may lie beyond the bounds;
#: or r= followed by anything but a double quote (another spelling: see _beyond_bounds).
_R_CANONICAL = re.compile(
    rb"""r=(?:"(?:[A-Za-z]*[0-9]{%d,}|[A-Za-z]{%d,}[0-9]*)["']|[^"])"""
    % (_ROW_DIGITS, _COL_LETTERS)
)
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
#: Every whitespace byte (as ``\s`` in a bytes pattern) read as a space.
_SPACES = bytes.maketrans(b"\t\n\r\f\v", b"     ")


class Damaged(Exception):
    """A part does not unpack as its directory entry says (truncated, wrong CRC or size)."""


@dataclass(kw_only=True)
class PartScan:
    """What one pass over a part found."""

    #: The part's bytes, when the caller asked to keep them (or a sheet beyond the bounds,
    #: which is cut before parsing).
    content: bytes | None = None
    beyond_bounds: bool = False
    formulas_without_value: list[str] = field(default_factory=list)


def _doctype(name: str) -> Rejection:
    return Rejection(
        Code.XML_ENTITIES,
        f"part {name!r} declares a DOCTYPE or XML entities, which spreadsheet "
        "apps never write; the file was refused as possibly hostile",
    )


def _bomb(name: str, size: int) -> Rejection:
    return Rejection(
        Code.TOO_LARGE,
        f"part {name!r} unpacks to more than the {size:,} bytes it declares; the file was "
        "refused as possibly hostile",
    )


def inflate(
    data: bytes, name: str, start: int, compressed: int, size: int, method: int
) -> Iterator[bytes]:
    """The part's bytes in chunks, never more than SIZE in all. Raises :class:`Damaged`
    when it does not unpack to exactly SIZE bytes, :class:`Rejection` for a zip bomb."""
    raw = memoryview(data)[start : start + compressed]
    if len(raw) != compressed:
        raise Damaged(name)
    if method == 0:  # stored
        if compressed != size:
            raise Damaged(name)
        for pos in range(0, size, CHUNK):
            yield bytes(raw[pos : pos + CHUNK])
        return
    inflater = zlib.decompressobj(-15)
    produced = 0
    pos = 0
    pending: bytes | memoryview = b""
    while True:
        if not pending:
            if pos >= compressed:
                break
            pending = raw[pos : pos + FEED]
            pos += FEED
        try:
            out = inflater.decompress(pending, CHUNK)
        except zlib.error:
            raise Damaged(name) from None
        pending = inflater.unconsumed_tail
        produced += len(out)
        if produced > size:  # unpacks to more than it declares: a zip bomb
            raise _bomb(name, size)
        if out:
            yield out
        if inflater.eof:
            break
    if not inflater.eof:  # input used up: what the inflater still holds is under 300 bytes
        out = inflater.flush()
        produced += len(out)
        if produced > size:
            raise _bomb(name, size)
        if out:
            yield out
    if produced != size:
        raise Damaged(name)


def scan_part(
    data: bytes,
    name: str,
    start: int,
    compressed: int,
    size: int,
    method: int,
    crc: int,
    *,
    sheet: bool,
    keep: bool,
) -> PartScan:
    """Inflate one part once, checking every chunk (see the module's docstring)."""
    result = PartScan()
    running = 0
    kept: list[bytes] = []
    # Inflated bytes not checked yet, and whether they hold a boundary to cut at: the
    # checks run on whole cells (a sheet) or whole tags (any other part).
    boundary = b"</c>" if sheet else b">"
    pending: list[bytes] = []
    cuttable = False
    for chunk in inflate(data, name, start, compressed, size, method):
        running = zlib.crc32(chunk, running)
        if keep or sheet:
            kept.append(chunk)
        if cuttable:
            buffer = pending[0] if len(pending) == 1 else b"".join(pending)
            cut = buffer.rfind(boundary) + len(boundary)
            _check(buffer[:cut], name, sheet, result)
            pending = [buffer[cut:]] if cut < len(buffer) else []
        joint = pending[-1][-len(boundary) :] + chunk[: len(boundary)] if pending else b""
        cuttable = boundary in chunk or boundary in joint
        pending.append(chunk)
    if pending:
        _check(pending[0] if len(pending) == 1 else b"".join(pending), name, sheet, result)
    if running != crc:
        raise Damaged(name)
    if keep or result.beyond_bounds:
        result.content = kept[0] if len(kept) == 1 else b"".join(kept)
    return result


def scan_bytes(content: bytes, *, sheet: bool) -> PartScan:
    """The checks of :func:`scan_part` over a part already inflated (and kept)."""
    result = PartScan(content=content)
    _check(content, "", sheet, result)
    return result


def _check(text: bytes, name: str, sheet: bool, result: PartScan) -> None:
    if _DOCTYPE.search(text):
        raise _doctype(name)
    if not sheet:
        return
    if not result.beyond_bounds:
        result.beyond_bounds = _beyond_bounds(text)
    if b"<f" in text:
        result.formulas_without_value.extend(formulas_without_value(text))


def _beyond_bounds(text: bytes) -> bool:
    """Whether any reference in TEXT lies beyond the reading bounds: the fast pattern for
    the spelling every app writes, the full patterns of :mod:`.trim` when TEXT has any
    other (whitespace before an ``=``, or ``r=`` without a double quote)."""
    hits = _R_CANONICAL.findall(text)
    if (hits and any(h[2:3] != b'"' for h in hits)) or b" =" in text.translate(_SPACES):
        return beyond_bounds(text)
    if not hits:
        return False
    for m in _R_CANONICAL.finditer(text):
        at = m.start()
        if at and text[at - 1] in _WORD:
            continue  # another attribute whose name ends in r (a reader ignores it)
        value = m.group(0)[3:-1]
        letters = value.rstrip(b"0123456789")
        digits = value[len(letters) :]
        if (digits and int(digits) > L.MAX_READ_ROWS) or (
            letters and col_number(letters) > L.MAX_READ_COLS
        ):
            return True
    return False
