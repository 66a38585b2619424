"""How an assessment workbook looks: colours, cell formats, row heights, and text fitted to
Excel's limits.

Shared by the workbook writer and the summary writer (:mod:`xlsxkit.render.summary_xlsx`),
so both speak the same visual language. Excel counts every text limit in UTF-16 code
units (an emoji counts 2), and XlsxWriter skips a whole feature (a dropdown, a footer)
with only a warning when a text is one unit too long, so every text that meets a limit is
fitted here with :func:`fit`, which counts as Excel does and never splits a surrogate pair.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from xlsxkit.dates import MONTH_NAMES
from xlsxkit.framework.model import Stage
from xlsxkit.names import truncate_utf16, utf16_len
from xlsxkit.workbook import layout as L

# Looks ------------------------------------------------------------------------------
INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#1F4E78"
CRITERION_FILL = "#DDEBF7"
DONE_FILL = "#E2EFDA"
DONE_FONT = "#375623"
BORDER_COLOUR = "#BFBFBF"
#: The checkbox cell's own number format. LibreOffice recognises exactly this code as its
#: BOOLEAN format, so a tick typed there is saved back as a real boolean (``t="b"``); any
#: other code makes it save the tick as the number 1/0.
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'
#: How a tick is shown where the app draws no checkbox: laid over the cell by a conditional
#: format (so the cell's own format, and what LibreOffice saves, stay boolean). LibreOffice
#: shows "Done"/"Not done"; Excel without checkboxes and Gnumeric apply no number format to
#: a boolean and still show TRUE/FALSE; Excel 365 draws the checkbox.
TICK_WORDS_FORMAT = '"Done";"Done";"Not done"'
#: One date format everywhere a partner reads a date: "30 June 2027" (and long_date).
DATE_FORMAT = "d mmmm yyyy"

#: Stage fills from lowest to highest, sampled to the number of stages.
STAGE_PALETTE = ("#F4B6B6", "#F8CBAD", "#FAD7A0", "#FFD966", "#D9EAD3", "#C6E0B4", "#A9D08E")

# Column widths of a dimension sheet (in characters).
DIMENSION_WIDTHS = {
    L.COL_TEXT: 64,
    L.COL_INPUT: 20,
    L.COL_NOTE: 34,
    L.COL_LEAD: 22,  # wide enough for "Target stage by next round" on one line
    L.COL_DATE: 18,  # "30 September 2027"
    L.COL_INFO: 30,
}
LINE_HEIGHT = 15.0
ELLIPSIS = "…"


def long_date(day: dt.date) -> str:
    """DAY as every text in a workbook writes it: "30 June 2027" (the cells' DATE_FORMAT).
    English month names whatever the machine's locale, like the rest of the wording."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def stage_colours(stages: Sequence[Stage]) -> dict[str, str]:
    """Stage id -> fill colour: the framework's own, else sampled from the palette."""
    n = len(stages)
    out = {}
    for i, stage in enumerate(stages):
        pos = round(i * (len(STAGE_PALETTE) - 1) / max(n - 1, 1))
        out[stage.id] = stage.colour or STAGE_PALETTE[pos]
    return out


@functools.lru_cache(maxsize=4096)  # a batch's workbooks measure the same texts
def estimate_lines(text: str, width: float) -> int:
    """How many lines TEXT wraps to in a column WIDTH characters wide.

    Wraps word by word, as spreadsheet apps do, at one character per unit of column width:
    right for the wider fonts LibreOffice substitutes for Calibri, a little generous in
    Excel. Row heights are set from this because apps do not grow rows of wrapped text
    consistently.
    """
    capacity = max(int(width), 1)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0, 1
        for word in paragraph.split(" "):
            size = len(word)
            if used == 0:
                used = size
            elif used + 1 + size <= capacity:
                used += 1 + size
            else:
                count += 1
                used = size
            while used > capacity:
                count += 1
                used -= capacity
        lines += count
    return lines


def row_height(*cells: tuple[str, float], minimum: int = 1) -> float:
    """A row height that fits each (text, column width) in CELLS."""
    lines = max([minimum, *(estimate_lines(t, w) for t, w in cells if t)])
    return LINE_HEIGHT * lines + 3


def fit(text: str, limit: int) -> str:
    """TEXT within LIMIT UTF-16 units, as Excel counts; cut with an ellipsis when longer."""
    if utf16_len(text) <= limit:
        return text
    return truncate_utf16(text, limit - utf16_len(ELLIPSIS)).rstrip() + ELLIPSIS


def footer(left: str, codes: str) -> str:
    """A header/footer string: the plain text LEFT in the left section (its '&' escaped,
    cut to fit), then CODES (already in Excel's header/footer code language), within
    Excel's 255 UTF-16 units."""
    budget = L.MAX_HEADER_FOOTER - utf16_len("&L") - utf16_len(codes)
    text = fit(left, 120)
    escaped = text.replace("&", "&&")
    if utf16_len(escaped) > budget:
        kept: list[str] = []
        used = utf16_len(ELLIPSIS)
        for ch in text:
            cost = 2 if ch == "&" else utf16_len(ch)
            if used + cost > budget:
                break
            kept.append(ch)
            used += cost
        escaped = "".join(kept).rstrip().replace("&", "&&") + ELLIPSIS
    return f"&L{escaped}{codes}"


def make_formats(wb: Workbook, stages: Sequence[Stage]) -> dict[str, Format]:
    """The cell formats of an assessment workbook, by name; ``stage:<id>`` and
    ``stage_cf:<id>`` for each stage."""
    colours = stage_colours(stages)
    base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
    border = {"border": 1, "border_color": BORDER_COLOUR}
    f = {
        "title": wb.add_format(
            {
                **base,
                "bold": True,
                "font_size": 16,
                "font_color": HEADER_FILL,
                "text_wrap": True,
            }
        ),
        "subtitle": wb.add_format(
            {**base, "italic": True, "font_color": "#595959", "text_wrap": True}
        ),
        "heading": wb.add_format(
            {
                **base,
                "bold": True,
                "font_size": 13,
                "font_color": HEADER_FILL,
                "text_wrap": True,
            }
        ),
        "label": wb.add_format({**base, "bold": True, "text_wrap": True}),
        "value": wb.add_format({**base, "text_wrap": True}),
        "para": wb.add_format({**base, "text_wrap": True}),
        "bullet": wb.add_format({**base, "text_wrap": True, "indent": 1}),
        "header": wb.add_format(
            {
                **base,
                **border,
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": HEADER_FILL,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "band": wb.add_format(
            {**base, "bold": True, "font_size": 10, "font_color": "#595959", "valign": "bottom"}
        ),
        "criterion": wb.add_format(
            {**base, **border, "bold": True, "text_wrap": True, "bg_color": CRITERION_FILL}
        ),
        "action": wb.add_format({**base, **border, "text_wrap": True, "indent": 1}),
        "info": wb.add_format(
            {
                **base,
                **border,
                "italic": True,
                "font_size": 10,
                "font_color": "#404040",
                "text_wrap": True,
            }
        ),
        "indicator": wb.add_format(
            {**base, **border, "text_wrap": True, "bg_color": CRITERION_FILL}
        ),
        "input": wb.add_format(
            {**base, **border, "locked": False, "text_wrap": True, "bg_color": INPUT_FILL}
        ),
        "input_stage": wb.add_format(
            {
                **base,
                **border,
                "locked": False,
                "bold": True,
                "text_wrap": True,
                "bg_color": INPUT_FILL,
                "align": "center",
                "valign": "vcenter",
            }
        ),
        "checkbox": wb.add_format(
            {
                **base,
                **border,
                "locked": False,
                "align": "center",
                "valign": "vcenter",
                "num_format": BOOLEAN_FORMAT,
                "bg_color": INPUT_FILL,
            }
        ),
        "date": wb.add_format(
            {
                **base,
                **border,
                "locked": False,
                "align": "center",
                "num_format": DATE_FORMAT,
                "bg_color": INPUT_FILL,
            }
        ),
        "org_input": wb.add_format(
            {**base, **border, "locked": False, "bold": True, "bg_color": INPUT_FILL}
        ),
        "num": wb.add_format({**base, **border, "align": "center"}),
        "num_bold": wb.add_format({**base, **border, "align": "center", "bold": True}),
        "pct": wb.add_format({**base, **border, "align": "center", "num_format": "0%"}),
        "pct_bold": wb.add_format(
            {**base, **border, "align": "center", "num_format": "0%", "bold": True}
        ),
        "cell": wb.add_format({**base, **border, "text_wrap": True}),
        "cell_bold": wb.add_format({**base, **border, "text_wrap": True, "bold": True}),
        "done": wb.add_format({"bg_color": DONE_FILL, "font_color": DONE_FONT}),
        "tick_words": wb.add_format({"num_format": TICK_WORDS_FORMAT}),
        "band_alert": wb.add_format(
            {**base, "bold": True, "font_size": 10, "font_color": "#C00000", "valign": "bottom"}
        ),
        "hidden": wb.add_format({"font_size": 8, "font_color": "#808080"}),
    }
    for stage in stages:
        colour = colours[stage.id]
        f[f"stage:{stage.id}"] = wb.add_format(
            {**base, **border, "bold": True, "bg_color": colour, "text_wrap": True}
        )
        f[f"stage_cf:{stage.id}"] = wb.add_format({"bg_color": colour})
    return f
