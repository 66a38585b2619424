"""Text that fits an Excel cell, cut visibly when it does not.

An Excel cell holds at most 32,767 characters, counted in UTF-16 code units (an emoji or any
other character outside the Basic Multilingual Plane counts two). XlsxWriter cuts a longer
string silently; the summary must never lose text without saying so. So a text that does not
fit is cut here, never inside a surrogate pair, and ends with a marker that says how much
was cut and where the whole text is; :mod:`xlsxkit.results.consolidate` lists every such
text on the Problems sheet as well.
"""

from __future__ import annotations

from typing import Final

#: Excel's limit on the text of one cell, in UTF-16 code units.
EXCEL_CELL_MAX: Final = 32_767
#: Where the whole of a cut text is, when nothing more precise is known.
IN_THE_CSVS: Final = "the CSV files (--data)"


def utf16_units(text: str) -> int:
    """Length as Excel counts it. ``surrogatepass`` keeps a lone surrogate countable."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fits(text: str, limit: int = EXCEL_CELL_MAX) -> bool:
    # Every code point is one or two UTF-16 units: most texts are decided without encoding.
    return len(text) <= limit // 2 or utf16_units(text) <= limit


def head_utf16(text: str, limit: int) -> str:
    """The longest start of TEXT of at most LIMIT UTF-16 units, never half a surrogate pair."""
    data = text.encode("utf-16-le", "surrogatepass")[: 2 * max(limit, 0)]
    if len(data) >= 2 and 0xD800 <= int.from_bytes(data[-2:], "little") <= 0xDBFF:
        data = data[:-2]  # the first half of a pair whose second half was cut off
    return data.decode("utf-16-le", "surrogatepass")


def cut_marker(cut: int, where: str) -> str:
    return f" … [cut: {cut:,} characters, see {where}]"


def fit_cell(text: str, where: str, limit: int = EXCEL_CELL_MAX) -> str:
    """TEXT if it fits LIMIT; else its start and a marker naming the characters cut (code
    points, as a person counts them) and WHERE the whole text is."""
    if fits(text, limit):
        return text
    where = head_utf16(where, 1_000)
    # The marker with the largest possible count bounds the room the marker needs.
    room = limit - utf16_units(cut_marker(len(text), where))
    head = head_utf16(text, room)
    return head + cut_marker(len(text) - len(head), where)
