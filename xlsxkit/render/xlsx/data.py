"""The Data sheets: the tidy tables of the CSV files as Excel tables, with filters.

Their cells are written row by row as plain values into a constant-memory worksheet that
still holds an Excel table (:mod:`xlsxkit.render.xlsx.streaming`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from xlsxkit.render.csv import ACTIONS_COLUMNS, STAGES_COLUMNS
from xlsxkit.render.xlsx.book import Book, Sheet

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


def write_table(
    book: Book,
    sh: Sheet,
    name: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Value]],
    total: int,
) -> None:
    """An Excel table with filters, its cells written row by row as plain values. Texts
    must already fit a cell (see :meth:`Book.partner_text`)."""
    book.title(sh, title, "An Excel table: use the arrows in the header row to filter and sort.")
    ws = sh.ws
    for col, header in enumerate(headers):
        ws.set_column(col, col, DATA_WIDTHS.get(header, 18))
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
    write_string: Callable[..., Any] = ws.write_string
    write_number: Callable[..., Any] = ws.write_number
    write_boolean: Callable[..., Any] = ws.write_boolean
    boolean = book.f["boolean"]  # TRUE/FALSE in every app (LibreOffice shows 1/0 bare)
    row = head + 1
    for i, values in enumerate(rows):
        if i >= n:
            break
        for col, value in enumerate(values):
            if type(value) is str:
                if value:
                    write_string(row, col, value)
            elif type(value) is bool:
                write_boolean(row, col, value, boolean)
            elif value is not None:
                write_number(row, col, value)
        row += 1
    sh.row = row
    book.truncation_note(sh, n, total, "rows")


def write_data_stages(book: Book, sh: Sheet) -> None:
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
    )


def write_data_actions(book: Book, sh: Sheet) -> None:
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
    )
