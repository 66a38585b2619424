"""The drawing kit of the summary workbook: formats, typed cells, and sheets written strictly
top to bottom.

The workbook is written in XlsxWriter's constant-memory mode, row by row, so that a large
partnership's summary streams to disk instead of being held in memory. Every sheet is
therefore written strictly top to bottom, through a :class:`Sheet` cursor.

Every string is written with ``write_string``: it is text, never a formula. A text longer
than an Excel cell holds is cut with a visible marker (:mod:`xlsxkit.results.cellfit`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlsxkit import __version__
from xlsxkit.framework.model import Framework, ReturnStatus
from xlsxkit.outfiles import MARKER_PROPERTY
from xlsxkit.render.xlsx.streaming import RowStream, StreamCell, StreamingWorksheet
from xlsxkit.results.cellfit import EXCEL_CELL_MAX, IN_THE_CSVS, fit_cell
from xlsxkit.results.consolidate import Summary
from xlsxkit.results.dashboard import round_name
from xlsxkit.workbook.styles import HEADER_FILL, stage_colours

EXCEL_MAX_ROWS = 1_048_576
NOT_ASSESSED_FILL = "#D9D9D9"
STATUS_FILLS = {
    ReturnStatus.ACCEPTED: "#C6EFCE",
    ReturnStatus.SUPERSEDED: "#EDEDED",
    ReturnStatus.DUPLICATE: "#EDEDED",
    ReturnStatus.REJECTED: "#F8CBAD",
    ReturnStatus.SKIPPED: "#EDEDED",
    ReturnStatus.MISSING: "#FFE699",
    ReturnStatus.BLANK: "#FFE699",
}


# typed cells ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageCell:
    """A stage, named and coloured; None is "Not assessed"."""

    stage_id: str | None


@dataclass(frozen=True, slots=True)
class StatusCell:
    status: str


@dataclass(frozen=True, slots=True)
class Styled:
    """A text or number in one of the named formats of :func:`make_formats`."""

    style: str
    value: str | int | float


#: A cell to write: plain text (bordered, wrapped), a number, a stage, a status or a styled
#: value; None is a bordered blank.
Cell = str | int | float | None | StageCell | StatusCell | Styled


def make_formats(wb: Workbook, fw: Framework, colours: dict[str, str]) -> dict[str, Format]:
    add = wb.add_format
    base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
    border = {"border": 1, "border_color": "#BFBFBF"}
    centre = {**base, **border, "align": "center"}
    f = {
        "title": add({**base, "bold": True, "font_size": 16, "font_color": HEADER_FILL}),
        "subtitle": add({**base, "italic": True, "font_color": "#595959"}),
        "heading": add({**base, "bold": True, "font_size": 13, "font_color": HEADER_FILL}),
        "header": add(
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
        "text": add({**base, **border, "text_wrap": True}),
        "list": add({**base, "text_wrap": True, "bottom": 1, "bottom_color": "#D9D9D9"}),
        "list_nowrap": add({**base, "bottom": 1, "bottom_color": "#D9D9D9"}),
        "boolean": add({"num_format": '"TRUE";"TRUE";"FALSE"', "align": "center"}),
        # A data-table text of several lines: wrapped from the top of its own (taller) row,
        # so that no line is printed over the row above.
        "data_lines": add({"text_wrap": True, "valign": "top"}),
        "data_top": add({"valign": "top"}),  # the other cells of such a row
        "boolean_top": add(
            {"num_format": '"TRUE";"TRUE";"FALSE"', "align": "center", "valign": "top"}
        ),
        "bold": add({**base, **border, "bold": True, "text_wrap": True}),
        "num": add(centre),
        "num_bold": add({**centre, "bold": True}),
        "pct": add({**centre, "num_format": "0%"}),
        "pct_bold": add({**centre, "num_format": "0%", "bold": True}),
        "big": add(
            {**base, "bold": True, "font_size": 20, "align": "center", "font_color": HEADER_FILL}
        ),
        "big_label": add({**base, "align": "center", "text_wrap": True, "font_color": "#595959"}),
        "big_num": add(
            {
                **base,
                "bold": True,
                "font_size": 20,
                "align": "center",
                "font_color": HEADER_FILL,
                "num_format": "#,##0",
            }
        ),
        "big_pct": add(
            {
                **base,
                "bold": True,
                "font_size": 20,
                "align": "center",
                "font_color": HEADER_FILL,
                "num_format": "0%",
            }
        ),
        "avg": add({**centre, "num_format": "0.0"}),
        "avg_bold": add({**centre, "num_format": "0.0", "bold": True}),
        "int": add({**centre, "num_format": "#,##0"}),
        "when": add(
            {**base, "num_format": "d mmm yyyy hh:mm", "bottom": 1, "bottom_color": "#D9D9D9"}
        ),
        "date": add({**base, "num_format": "d mmm yyyy"}),
        "date_cell": add({**base, **border, "num_format": "d mmm yyyy", "align": "left"}),
        "email": add({**base, **border, "shrink": True}),
        "plain": add({**base, **border}),
        "label": add({**base, **border}),
        "label_bold": add({**base, **border, "bold": True}),
        "missing_row": add(
            {**centre, "italic": True, "bg_color": STATUS_FILLS[ReturnStatus.MISSING]}
        ),
        "group": add(
            {
                **base,
                "bold": True,
                "font_size": 13,
                "font_color": HEADER_FILL,
                "bottom": 2,
                "bottom_color": HEADER_FILL,
            }
        ),
        "not_assessed": add(
            {
                **centre,
                "italic": True,
                "bg_color": NOT_ASSESSED_FILL,
                "font_color": "#404040",
                "text_wrap": True,
            }
        ),
    }
    for stage in fw.stages:
        colour = colours[stage.id]
        f[f"stage:{stage.id}"] = add(
            {**centre, "bg_color": colour, "text_wrap": True, "bold": True}
        )
        f[f"stage_head:{stage.id}"] = add(
            {**centre, "bg_color": colour, "bold": True, "text_wrap": True, "valign": "vcenter"}
        )
    for status, colour in STATUS_FILLS.items():
        f[f"status:{status}"] = add({**centre, "bg_color": colour, "bold": True})
    return f


def when(t: dt.datetime) -> str:
    """A time as the summary prints it: 29 Nov 2026 06:33 (in UTC when it has a zone)."""
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
    return f"{t.day} {t:%b %Y %H:%M}"


def day(d: dt.date) -> str:
    """A date as the summary prints it: 15 Jan 2027."""
    return f"{d.day} {d:%b %Y}"


def fit(text: str, where: str = IN_THE_CSVS) -> str:
    """TEXT as it can go in a cell: cut, with a marker saying WHERE the rest is, only when
    it is longer than a cell holds (a length test first: almost every text is short)."""
    return text if len(text) <= EXCEL_CELL_MAX // 2 else fit_cell(text, where)


class Sheet:
    """A worksheet written strictly top to bottom."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0
        #: Rows of many cells (lists, tables) are written through it (see RowStream).
        self.stream = RowStream(ws)

    def skip(self, n: int = 1) -> None:
        self.row += n


class Book:
    """The summary workbook being written: its formats and the row-by-row writing helpers
    every sheet module shares."""

    def __init__(
        self,
        summary: Summary,
        path: Path,
        generated_at: dt.datetime,
        tmpdir: Path | None = None,
    ) -> None:
        self.s = summary
        self.fw = summary.framework
        self.generated_at = generated_at
        self.wb: Workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                # XlsxWriter's own temporary files (they hold partner text) go where the
                # caller cleans up, not in $TMPDIR.
                **({"tmpdir": str(tmpdir)} if tmpdir is not None else {}),
            },
        )
        self.round = round_name(summary)
        self.colours = stage_colours(self.fw.stages)
        self.f = make_formats(self.wb, self.fw, self.colours)
        self.text_format = self.f["text"]
        #: stage id ("" for none) -> (label, format) of a stage cell
        self.stage_cells = {st.id: (st.label, self.f[f"stage:{st.id}"]) for st in self.fw.stages}
        self.stage_cells[""] = ("Not assessed", self.f["not_assessed"])

    def sheet(self, name: str, *, fit_width: bool = True) -> Sheet:
        """A new sheet printed A4 landscape: one page wide (FIT_WIDTH), else at the scale
        the caller sets."""
        ws = self.wb.add_worksheet(name, worksheet_class=StreamingWorksheet)
        ws.set_landscape()
        ws.set_paper(9)
        if fit_width:
            ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L{self.fw.title.replace('&', '&&')[:100]}&C&A&RPage &P of &N")
        return Sheet(ws)

    def stats(self) -> str:
        round_ = f"round {self.round} · " if self.round else ""
        return (
            f"{self.fw.title} · {round_}framework version {self.fw.version} · generated "
            f"{when(self.generated_at)} UTC by xlsxkit {__version__}"
        )

    def one_page(self, sh: Sheet) -> None:
        """Print SH on one page: fit to 1 × 1."""
        sh.ws.fit_to_pages(1, 1)

    def partner_text(self, text: str, org_id: str, item_id: str, field: str) -> str:
        """A partner's text for a cell; when cut, the marker names the return's cell."""
        if len(text) <= EXCEL_CELL_MAX // 2:
            return text
        return fit_cell(text, self.s.cut_where(org_id, item_id, field))

    def title(self, sh: Sheet, title: str, subtitle: str) -> None:
        sh.ws.set_row(0, 24)
        sh.ws.write_string(0, 0, fit(title), self.f["title"])
        sh.ws.write_string(1, 0, fit(subtitle), self.f["subtitle"])
        sh.row = 3

    def line(self, sh: Sheet, cells: Sequence[Cell], *, height: float | None = None) -> None:
        """Write one row of CELLS at the cursor and move down."""
        parts = self.parts
        sh.stream.row(sh.row, [(col, *parts(value)) for col, value in enumerate(cells)], height)
        sh.row += 1

    def text_line(self, sh: Sheet, text: str, fmt: str) -> None:
        sh.stream.row(sh.row, [(0, fit(text), self.f[fmt])])
        sh.row += 1

    def headers(self, sh: Sheet, headers: Sequence[str | Styled], height: float = 30) -> None:
        header = self.f["header"]
        cells: list[StreamCell] = [
            (col, fit(str(text.value)), self.f[text.style])
            if isinstance(text, Styled)
            else (col, fit(text), header)
            for col, text in enumerate(headers)
        ]
        sh.stream.row(sh.row, cells, height)
        sh.row += 1

    def parts(self, value: Cell) -> tuple[str | int | float | None, Format | None]:
        """The value and format a Cell is written with (a None value is a blank cell in
        that format)."""
        if type(value) is str:  # the common case first: most cells are text
            return (fit(value) if value else None), self.text_format
        if isinstance(value, StageCell):
            return self.stage_cells[value.stage_id or ""]
        if isinstance(value, StatusCell):
            return value.status, self.f[f"status:{value.status}"]
        if isinstance(value, Styled):
            styled = value.value
            return (fit(styled) if isinstance(styled, str) else styled), self.f[value.style]
        if isinstance(value, int | float):
            return (int(value) if isinstance(value, bool) else value), self.f["num"]
        return None, self.text_format

    def room(self, sh: Sheet, n: int) -> int:
        """How many of N rows fit below the cursor, leaving a row for a note."""
        return min(n, EXCEL_MAX_ROWS - sh.row - 2)

    def truncation_note(
        self, sh: Sheet, shown: int, total: int, what: str, where: str = ""
    ) -> None:
        """Say that only SHOWN of TOTAL WHAT are on SH, and WHERE the rest are."""
        if shown >= total:
            return
        if where:
            text = f"Only the first {shown:,} of {total:,} {what} are listed here; {where}."
        else:
            text = (
                f"Only the first {shown:,} of {total:,} {what} fit in a sheet; the CSV files "
                "(--data) hold all of them."
            )
        self.text_line(sh, text, "subtitle")

    def close(self, first: Sheet) -> None:
        first.ws.activate()
        self.wb.set_properties(
            {
                "title": f"{self.fw.title}: progress summary",
                "author": "xlsxkit",
                "comments": f"Generated by xlsxkit {__version__}",
                "created": self.generated_at.replace(tzinfo=None),
            }
        )
        # How a later run knows this file is its own to replace, and discovery knows it
        # is not a return.
        self.wb.set_custom_property(MARKER_PROPERTY, "summary")
        self.wb.close()
