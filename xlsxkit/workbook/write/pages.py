"""Where printed pages break: keep a short sheet on one page, and never leave a heading or a
few rows of a table alone on a page.

Apps break pages by themselves, wherever the page is full, so a sheet a few rows longer
than a page prints those rows alone on page 2 (the Start sheet's last two stage rows did),
and a table can start at the foot of a page with its header row alone. Row heights are
known here (the writer sets every one of them), so the pages can be planned before the file
is written:

- a sheet at most :data:`SHRINK_TO_ONE` pages long is printed on one page, a little smaller;
- otherwise each block that must stay together (a heading with its table) and fits on a
  page starts a new page when it would not fit on the current one. Excel ignores manual
  page breaks under "fit to N pages", so the scale is then set as a percentage (the one
  that fits the width), not as "fit to one page wide".

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
    repeated: float = 0.0,
) -> Pages:
    """The pages of a sheet whose rows 0..LAST_ROW have HEIGHTS (points; a row not given is
    the default height) and whose visible columns are COLUMN_WIDTHS (characters wide).
    KEEP_TOGETHER: (first, last) rows of blocks not to split; REPEATED: the height of the
    rows repeated at the top of every page after the first."""
    page_width, page_height = printable()
    sheet_width = sum(column_points(w) for w in column_widths) or 1.0
    scale = min(1.0, page_width * WIDTH_SAFETY / sheet_width)
    room = page_height * HEIGHT_SAFETY
    rows = [heights.get(r, DEFAULT_ROW_HEIGHT) * scale for r in range(last_row + 1)]
    total = sum(rows)
    if total <= room * SHRINK_TO_ONE:
        return Pages(one_page=True, scale=math.floor(scale * 100), breaks=(), pages=1)
    starts = {first: last for first, last in keep_together}
    breaks: list[int] = []
    used = 0.0
    pages = 1
    top = repeated * scale
    for r, h in enumerate(rows):
        block_end = starts.get(r)
        if block_end is not None and used > top:
            block = sum(rows[r : block_end + 1])
            if used + block > room and top + block <= room:
                breaks.append(r)
                pages += 1
                used = top
        if used + h > room and used > top:  # the app breaks here by itself
            pages += 1
            used = top
        used += h
    return Pages(one_page=False, scale=math.floor(scale * 100), breaks=tuple(breaks), pages=pages)
