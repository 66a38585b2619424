"""Where printed pages break: keep a short sheet on one page, and never leave a heading or a
few rows of a table alone on a page.

Apps break pages by themselves, wherever the page is full, so a sheet a few rows longer
than a page prints those rows alone on page 2 (the Start sheet's last two stage rows did),
and a table can start at the foot of a page with its header row alone. Row heights are
known here (the writer sets every one of them), so the pages can be planned before the file
is written:

- a sheet at most :data:`SHRINK_TO_ONE` pages long is printed on one page, a little smaller;
- otherwise each *section* (a heading with its table) that fits on a page starts a new
  page, and each block that must stay together starts one when it would not fit on the
  current one.

Where a page is full depends on the app's own measure of the sheet's width (fit to one page
wide shrinks a sheet more in LibreOffice without Calibri's metric twin than in Excel), so a
break that only holds for one measure is avoided: a section starts a page whatever the
measure. LibreOffice keeps these breaks; Excel ignores manual breaks on a sheet fitted to
one page wide and breaks it where the page is full.

Measures are the apps' own: a column of width W characters is ``int(W * 7 + 0.5) + 5``
pixels (Calibri 11's digit width) at 0.75 points a pixel; an A4 landscape page less the
workbook's margins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: A4 landscape, in points.
PAGE_WIDTH, PAGE_HEIGHT = 841.89, 595.28
#: The margins every workbook sets (left, right, top, bottom; inches).
MARGINS = (0.4, 0.4, 0.5, 0.6)
#: Part of the page height kept free of rows: the footer and the apps' rounding.
HEIGHT_SAFETY = 0.92
#: Part of the width kept free: fonts substituted for Calibri are a little wider.
WIDTH_SAFETY = 0.97
#: A sheet up to this many pages long prints on one page (shrunk to no less than 1/1.2).
SHRINK_TO_ONE = 1.5
DEFAULT_ROW_HEIGHT = 15.0


def column_points(width: float) -> float:
    """The printed width of a column WIDTH characters wide."""
    pixels = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return pixels * 0.75


def printable() -> tuple[float, float]:
    left, right, top, bottom = MARGINS
    return PAGE_WIDTH - (left + right) * 72, PAGE_HEIGHT - (top + bottom) * 72


@dataclass(frozen=True, kw_only=True, slots=True)
class Pages:
    """How to print a sheet: on one page, or at SCALE percent with manual BREAKS (0-based
    rows that start a new page)."""

    one_page: bool
    scale: int
    breaks: tuple[int, ...]
    pages: int


def plan_pages(
    heights: Mapping[int, float],
    last_row: int,
    column_widths: Sequence[float],
    *,
    keep_together: Sequence[tuple[int, int]] = (),
    sections: Sequence[tuple[int, int]] = (),
    repeated: float = 0.0,
) -> Pages:
    """The pages of a sheet whose rows 0..LAST_ROW have HEIGHTS (points; a row not given is
    the default height) and whose visible columns are COLUMN_WIDTHS (characters wide).
    KEEP_TOGETHER: (first, last) rows of blocks not to split, nested ones too (of the blocks
    starting on one row, the longest that fits on a page is kept whole); REPEATED: the
    height of the rows repeated at the top of every page after the first. SECTIONS: (first,
    last) rows of sections that start a page when the sheet is longer than one (nested: of
    the sections starting on one row, the longest that fits on a page; one inside a section
    placed whole does not start a page)."""
    page_width, page_height = printable()
    sheet_width = sum(column_points(w) for w in column_widths) or 1.0
    scale = min(1.0, page_width * WIDTH_SAFETY / sheet_width)
    room = page_height * HEIGHT_SAFETY
    rows = [heights.get(r, DEFAULT_ROW_HEIGHT) * scale for r in range(last_row + 1)]
    total = sum(rows)
    if total <= room * SHRINK_TO_ONE:
        return Pages(one_page=True, scale=math.floor(scale * 100), breaks=(), pages=1)
    starts: dict[int, list[int]] = {}
    for first, last in keep_together:
        starts.setdefault(first, []).append(last)
    section_starts: dict[int, list[int]] = {}
    for first, last in sections:
        section_starts.setdefault(first, []).append(last)
    whole_until = -1  # the last row of a section placed whole
    breaks: list[int] = []
    used = 0.0
    pages = 1
    top = repeated * scale
    for r, h in enumerate(rows):
        placed = [
            last
            for last in sorted(section_starts.get(r, ()), reverse=True)
            if top + sum(rows[r : last + 1]) <= room
        ]
        if placed and r > whole_until:
            whole_until = placed[0]
            if used > top:
                breaks.append(r)
                pages += 1
                used = top
        fitting = [
            sum(rows[r : last + 1])
            for last in sorted(starts.get(r, ()), reverse=True)
            if top + sum(rows[r : last + 1]) <= room
        ]
        if fitting and used > top and used + fitting[0] > room:
            breaks.append(r)
            pages += 1
            used = top
        if used + h > room and used > top:  # the app breaks here by itself
            pages += 1
            used = top
        used += h
    return Pages(one_page=False, scale=math.floor(scale * 100), breaks=tuple(breaks), pages=pages)
