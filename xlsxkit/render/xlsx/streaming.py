"""The one place that depends on XlsxWriter's private attributes: an Excel table in a
constant-memory worksheet, and :class:`RowStream`, which writes long lists' rows straight
into such a worksheet's XML (see its docstring).

XlsxWriter refuses ``add_table`` in constant-memory mode only because the call may write the
table's cells itself. Here the caller registers the table before writing its header row and
then writes every cell (header included) in row order; so the table is registered with
constant-memory mode briefly off, and the header cells the call would store are not stored
at all (kept, they would only leave their texts in the shared-string table, used by no cell:
every cell of a constant-memory sheet holds its text inline).

This relies on private attributes of ``xlsxwriter.worksheet.Worksheet``: ``constant_memory``
(the mode flag ``add_table`` checks), ``table_cells`` (the index of table cells it fills)
and ``_write_string`` (the method it writes the header cells with).
:data:`PRIVATE_ATTRIBUTES` names them, and ``tests/test_views.py`` checks them against the
installed XlsxWriter, so an upgrade that changes them fails loudly in the tests instead of
quietly writing a broken summary. ``pyproject.toml`` pins XlsxWriter
below its next major version for the same reason; ``benchmarks/bench_import.py`` measures
the memory this saves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from xlsxkit.workbook.write.plaintext import PlainTextWorksheet

#: The private attributes of ``Worksheet`` this module sets.
PRIVATE_ATTRIBUTES: Final = ("constant_memory", "table_cells", "_write_string")


class _NoIndex(dict[Any, Any]):
    """A dict that keeps nothing (see :class:`StreamingWorksheet`)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _not_stored(*args: Any, **kwargs: Any) -> int:
    return 0


class StreamingWorksheet(PlainTextWorksheet):
    """A constant-memory worksheet that can still hold an Excel table. The caller writes the
    table's header cells itself, after ``add_table`` and in row order."""

    def add_table(self, *args: Any, **kwargs: Any) -> Any:
        # XlsxWriter indexes every cell of a table so as to refuse overlapping merges and
        # tables added later: about 100 MB per million cells. A data sheet holds one table
        # and nothing else, so the index is not kept.
        self.table_cells = _NoIndex()
        self.constant_memory = False
        self._write_string = _not_stored  # type: ignore[method-assign]  # the caller writes them
        try:
            return super().add_table(*args, **kwargs)
        finally:
            del self._write_string
            self.constant_memory = True


# --------------------------------------------------------------------------------------
# Rows written straight into the sheet's XML.

#: The private attributes of ``Worksheet`` that :class:`RowStream` reads or sets.
ROW_STREAM_ATTRIBUTES: Final = (
    "fh",
    "table",
    "row_info",
    "col_info",
    "previous_row",
    "_write_single_row",
    "dim_rowmin",
    "dim_rowmax",
    "dim_colmin",
    "dim_colmax",
    "default_row_height",
    "original_row_height",
)

#: A cell of a streamed row: its column, its value (None: a blank cell, written only with
#: a format) and its format.
StreamCell = tuple[int, "str | int | float | bool | None", Format | None]

# XlsxWriter's escapes of an inline string (xmlwriter._escape_control_characters, then
# _escape_data), applied in the same order; most texts need none of them.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
#: Any character :func:`inline_text` changes (one search tells most texts need nothing).
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]|_x[0-9a-fA-F]{4}_")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_MAX_ROW: Final = 1_048_576
_MAX_COL: Final = 16_384


def _control(match: re.Match[str]) -> str:
    return f"_x{ord(match.group(1)):04X}_"


def inline_text(text: str) -> str:
    """TEXT as XlsxWriter writes an inline string's ``<t>`` content: control characters
    as ``_xHHHH_`` (a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``), then ``&``,
    ``<`` and ``>`` escaped. Never left raw, whatever its shape."""
    if _NEEDS_ESCAPE.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(_control, text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class RowStream:
    """Rows of plain cells written straight into a constant-memory sheet's XML, as
    XlsxWriter itself would write them (``tests/test_row_stream.py`` compares the two byte
    for byte), at a fraction of the cost.

    Why: a summary's long lists (every comment of every partner, the data tables) were
    written through XlsxWriter's per-cell path, about 17 µs a cell in Python, which cost
    more than reading the returns. Rows must come in increasing order, below anything
    XlsxWriter has written on the sheet; XlsxWriter may go on writing further down.
    """

    def __init__(self, ws: Worksheet) -> None:
        if not ws.constant_memory:
            raise ValueError("RowStream writes into a constant-memory worksheet only")
        self._ws = ws
        self._xf: dict[int, str] = {}
        self._letters: list[str] = []

    def _style(self, fmt: Format | None, col: int) -> str:
        """The ``s`` attribute of a cell in FMT (None: the column's format, if any)."""
        if fmt is None:
            info = self._ws.col_info.get(col)
            fmt = info.column_format if info is not None else None
            if fmt is None:
                return ""
        style = self._xf.get(id(fmt))
        if style is None:
            index = fmt._get_xf_index()
            style = self._xf[id(fmt)] = f' s="{index}"' if index else ""
        return style

    def row(self, row: int, cells: Iterable[StreamCell], height: float | None = None) -> None:
        """Write ROW (0-based) with CELLS, HEIGHT in points (None: the default)."""
        ws = self._ws
        previous = ws.previous_row
        # Whether XlsxWriter still holds a row (cells or a height) it has not written.
        held = bool(ws.table) or previous in ws.row_info
        if (row <= previous and (row < previous or held)) or row >= _MAX_ROW:
            raise ValueError(f"row {row} cannot be streamed (last row {previous})")
        if held:
            ws._write_single_row(row)  # what XlsxWriter holds of the row above goes first
        number = str(row + 1)
        letters, xf, style_of, special = self._letters, self._xf, self._style, _SPECIAL.search
        parts: list[str] = []
        lo = hi = -1
        for col, value, fmt in cells:
            if col >= len(letters):
                if not 0 <= col < _MAX_COL:
                    raise ValueError(f"column {col} is beyond Excel's last column")
                letters.extend(xl_col_to_name(c) for c in range(len(letters), col + 1))
            if value is None and fmt is None:
                continue  # as XlsxWriter: a blank cell without a format is not written
            style = xf.get(id(fmt)) if fmt is not None else None
            if style is None:
                style = style_of(fmt, col)
            if value is None:
                parts.append(f'<c r="{letters[col]}{number}"{style}/>')
            elif isinstance(value, str):
                text = inline_text(str(value)) if special(value) else value
                if text[:1].isspace() or text[-1:].isspace():
                    parts.append(
                        f'<c r="{letters[col]}{number}"{style} t="inlineStr"><is>'
                        f'<t xml:space="preserve">{text}</t></is></c>'
                    )
                else:
                    parts.append(
                        f'<c r="{letters[col]}{number}"{style} t="inlineStr"><is><t>{text}'
                        "</t></is></c>"
                    )
            elif value is True or value is False:
                parts.append(f'<c r="{letters[col]}{number}"{style} t="b"><v>{int(value)}</v></c>')
            else:
                parts.append(f'<c r="{letters[col]}{number}"{style}><v>{value:.16G}</v></c>')
            if lo < 0 or col < lo:
                lo = col
            if col > hi:
                hi = col
        # XlsxWriter's next row is the one below: it refuses to write into this one rather
        # than write a second <row> of the same number.
        ws.previous_row = row + 1
        if not parts:  # a row without cells is not written: its height fits no text
            return
        attrs = ""
        if height is not None:
            pixels = int(height * 4.0 / 3.0 + 0.5)
            if pixels != ws.original_row_height or pixels != ws.default_row_height:
                attrs = f' ht="{pixels * 0.75:.16g}" customHeight="1"'
            # as set_row does: the row, at the first column used so far
            lo = min(lo, ws.dim_colmin if ws.dim_colmin is not None else 0)
        ws.fh.write(f'<row r="{number}"{attrs}>{"".join(parts)}</row>')
        if ws.dim_rowmin is None or row < ws.dim_rowmin:
            ws.dim_rowmin = row
        if ws.dim_rowmax is None or row > ws.dim_rowmax:
            ws.dim_rowmax = row
        if ws.dim_colmin is None or lo < ws.dim_colmin:
            ws.dim_colmin = lo
        if ws.dim_colmax is None or hi > ws.dim_colmax:
            ws.dim_colmax = hi
