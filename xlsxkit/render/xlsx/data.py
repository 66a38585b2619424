"""The Data sheets: the tidy tables of the CSV files as Excel tables, with filters.

Their cells are written row by row as plain values into a constant-memory worksheet that
still holds an Excel table (:mod:`xlsxkit.render.xlsx.streaming`).

A table of more than :data:`MAX_SHEET_ROWS` rows is not drawn when its CSV file is written
too: its sheet says where the table is (with a link to the file) and how many rows it has.
Why: every other sheet grows with what a person reads (organisations, criteria, their own
comments), but a data table grows with organisations times actions, and drawing it cell by
cell cost more than reading every return (issue 14: at 1,000 returns the per-action table
is 29,000 rows and 319,000 cells, 44% of the summary's time). A table that long is
filtered and pivoted in the CSV anyway, which Excel and LibreOffice open as they open a
workbook; the CSV holds every row, untruncated.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from xlsxkit.render.csv import ACTIONS_COLUMNS, STAGES_COLUMNS
from xlsxkit.render.xlsx.book import Book, Sheet
from xlsxkit.render.xlsx.streaming import StreamCell

#: Column widths of the data tables, by header.
DATA_WIDTHS = {
    "org_id": 24,
    "org_name": 28,
    "dimension_id": 14,
    "criterion_id": 32,
    "stage_id": 20,
    "stage_label": 20,
    "stage_index": 11,
    "action_id": 38,
    "done": 8,
    "comment": 40,
    "notes": 40,
    "lead": 18,
    "target_date": 12,
}

Value = str | int | bool | None

#: The most rows a data table is drawn with when its CSV file holds it too (see above).
MAX_SHEET_ROWS: Final = 10_000


def write_table(
    book: Book,
    sh: Sheet,
    name: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Value]],
    total: int,
    *,
    csv: InCsv | None = None,
) -> None:
    """An Excel table with filters, its cells written row by row as plain values. Texts
    must already fit a cell (see :meth:`Book.partner_text`). With CSV (the file that holds
    the same table), a table of more than :data:`MAX_SHEET_ROWS` rows is left to it."""
    if csv is not None and total > MAX_SHEET_ROWS:
        _pointer(book, sh, title, total, csv)
        return
    book.title(sh, title, "An Excel table: use the arrows in the header row to filter and sort.")
    ws = sh.ws
    widths = [DATA_WIDTHS.get(header, 18) for header in headers]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    n = book.room(sh, total)
    if n == 0:
        book.text_line(sh, "No accepted returns yet.", "subtitle")
        return
    head = sh.row
    ws.add_table(
        head,
        0,
        head + n,
        len(headers) - 1,
        {
            "name": name,
            "columns": [{"header": h} for h in headers],
            "style": "Table Style Light 9",
            "autofilter": True,
        },
    )
    for col, text in enumerate(headers):
        ws.write_string(head, col, text)
    ws.freeze_panes(head + 1, 0)
    stream = sh.stream
    boolean = book.f["boolean"]  # TRUE/FALSE in every app (LibreOffice shows 1/0 bare)
    # A row made taller for a text of several lines: every cell from the top of the row.
    top, boolean_top = book.f["data_top"], book.f["boolean_top"]
    lines_of_text = book.f["data_lines"]
    row = head + 1
    for i, values in enumerate(rows):
        if i >= n:
            break
        # A text of several lines (a partner's comment typed over two lines) would print
        # over the row above in a row of one line's height: its row is made as tall as its
        # longest such text, and those texts wrap from the top. Others stay one line high.
        tall = [c for c, v in enumerate(values) if type(v) is str and "\n" in v]
        text_format = number_format = lines_format = None
        bool_format = boolean
        height = None
        if tall:
            lines = max(_lines(str(values[c]), widths[c]) for c in tall)
            height = min(409.0, 15.0 * lines)
            text_format = number_format = top
            lines_format, bool_format = lines_of_text, boolean_top
        cells: list[StreamCell] = []
        for col, value in enumerate(values):
            if type(value) is str:
                if value:
                    cells.append((col, value, lines_format if col in tall else text_format))
            elif type(value) is bool:
                cells.append((col, value, bool_format))
            elif value is not None:
                cells.append((col, value, number_format))
        stream.row(row, cells, height)
        row += 1
    sh.row = row
    book.truncation_note(sh, n, total, "rows")


def _lines(text: str, width: float) -> int:
    """How many lines TEXT takes wrapped in a column WIDTH characters wide (an estimate:
    about 1.15 characters per unit of width in the default font)."""
    per_line = max(1, int(width * 1.15))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


@dataclass(frozen=True, kw_only=True)
class InCsv:
    """The CSV file that holds a data table too: its path as shown, and the link to it from
    the summary's folder."""

    path: Path
    link: str

    @classmethod
    def beside(cls, csv: Path, summary: Path) -> InCsv:
        try:
            link = os.path.relpath(csv.absolute(), summary.absolute().parent)
        except ValueError:  # another drive (Windows): the full path
            link = str(csv.absolute())
        return cls(path=csv, link=link)


def _pointer(book: Book, sh: Sheet, title: str, total: int, csv: InCsv) -> None:
    """The sheet of a table left to its CSV file: where it is, and why."""
    book.title(sh, title, f"{total:,} rows: this table is in the CSV file {csv.path.name}.")
    book.text_line(
        sh,
        f"With more than {MAX_SHEET_ROWS:,} rows it is not repeated here: open {csv.path} in "
        "Excel or LibreOffice to filter, sort or pivot it (every row, every text in full).",
        "subtitle",
    )
    if len(csv.link) < 200:  # Excel's limit for a link is 255 characters
        sh.ws.write_url(sh.row, 0, "external:" + csv.link, string=f"Open {csv.path.name}")
        sh.row += 1


def write_data_stages(book: Book, sh: Sheet, *, csv: InCsv | None = None) -> None:
    s, text = book.s, book.partner_text
    write_table(
        book,
        sh,
        "Stages",
        "Data: one row per organisation and success criterion",
        STAGES_COLUMNS,
        (
            (
                r.org_id,
                text(r.org_name, r.org_id, "", "org_name"),
                r.dimension_id,
                r.criterion_id,
                r.stage_id,
                r.stage_label,
                r.stage_index,
                text(r.comment, r.org_id, r.criterion_id, "comment"),
                r.round,
                r.target_stage_id,
            )
            for r in s.stage_rows()
        ),
        s.n_stage_rows,
        csv=csv,
    )


def write_data_actions(book: Book, sh: Sheet, *, csv: InCsv | None = None) -> None:
    s, text = book.s, book.partner_text
    write_table(
        book,
        sh,
        "Actions",
        "Data: one row per organisation and suggested action",
        ACTIONS_COLUMNS,
        (
            (
                r.org_id,
                text(r.org_name, r.org_id, "", "org_name"),
                r.dimension_id,
                r.criterion_id,
                r.stage_id,
                r.action_id,
                r.done,
                text(r.notes, r.org_id, r.action_id, "notes"),
                text(r.lead, r.org_id, r.action_id, "lead"),
                r.target_date,
                r.round,
            )
            for r in s.action_rows()
        ),
        s.n_action_rows,
        csv=csv,
    )
