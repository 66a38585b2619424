"""The list sheets: Next steps, Comments, Returns (with the chaser list) and Problems.

Lists can run to a hundred thousand rows, so a row is written with as little work as
possible: blank cells are left out, and row heights are a quick estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from xlsxkit.framework.model import ReturnStatus
from xlsxkit.render.xlsx.book import (
    EXCEL_MAX_ROWS,
    Book,
    Cell,
    Sheet,
    StageCell,
    StatusCell,
    Styled,
    fit,
)
from xlsxkit.render.xlsx.data import MAX_SHEET_ROWS
from xlsxkit.render.xlsx.dimension import with_details as dimension_text
from xlsxkit.render.xlsx.streaming import StreamCell
from xlsxkit.results import views
from xlsxkit.results.dashboard import admin_counts
from xlsxkit.workbook.styles import estimate_lines

#: The most lines a list row is made tall enough for.
MAX_LINES = 26
#: The width of the Reason column of the chaser list (the Returns sheet's sixth column).
CHASE_REASON_WIDTH = 60
#: The most rows the Next steps and Comments lists are drawn with when the CSV files are
#: written too (the same bound as the data tables: see :mod:`.data`). A person reads a
#: list that long in the CSV, filtered, not in a sheet; drawn, every comment of 10,000
#: returns would cost more than reading them.
MAX_LIST_ROWS = MAX_SHEET_ROWS


@dataclass(frozen=True, kw_only=True, slots=True)
class Limit:
    """At most ROWS rows of a list of TOTAL; the rest are WHERE (a phrase)."""

    rows: int
    total: int
    where: str


def write_list(
    book: Book,
    sh: Sheet,
    title: str,
    subtitle: str,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[Cell]],
    what: str,
    *,
    empty: str,
    no_wrap: frozenset[int] = frozenset(),
    intro: Callable[[Book, Sheet], None] | None = None,
    limit: Limit | None = None,
) -> None:
    """A titled list with headers, filters and frozen headings. Columns in NO_WRAP
    (codes, hashes) stay on one line. INTRO writes what comes between the title and the
    list. LIMIT: at most so many rows, the rest in the CSV files it names."""
    book.title(sh, title, subtitle)
    if intro is not None:
        intro(book, sh)
    for col, width in enumerate(widths):
        sh.ws.set_column(col, col, width)
    head = sh.row
    book.headers(sh, headers)
    sh.ws.freeze_panes(sh.row, 0)
    sh.ws.repeat_rows(head)
    room = EXCEL_MAX_ROWS - sh.row - 2
    if limit is not None and limit.rows < room:
        room = limit.rows
    shown = total = 0
    stream, parts, fmt = sh.stream, book.parts, book.f["list"]
    nowrap = book.f["list_nowrap"]
    capacity = [max(int(w * 1.15), 1) for w in widths]  # Calibri 11: ~1.15 characters a unit
    for values in rows:
        total += 1
        if shown >= room:
            if limit is not None and limit.rows == room:
                total = limit.total  # the rest are in the CSV files: not made at all
                break
            continue
        lines = 1
        cells: list[StreamCell] = []
        for col, value in enumerate(values):
            if type(value) is str:
                if value:  # blank cells are left out: a long list stays light
                    value = fit(value)
                    if col in no_wrap:
                        cells.append((col, value, nowrap))
                        continue
                    cells.append((col, value, fmt))
                    # Apps do not grow rows of wrapped text consistently: set the height
                    # (a quick estimate: lists can run to a hundred thousand rows).
                    need = len(value) // capacity[col] + 1 + value.count("\n")
                    lines = max(lines, need)
            else:
                cells.append((col, *parts(value)))
        stream.row(sh.row, cells, 15.0 * min(lines, MAX_LINES) + 2 if lines > 1 else None)
        sh.row += 1
        shown += 1
    if shown:
        sh.ws.autofilter(head, 0, sh.row - 1, len(headers) - 1)
    else:
        book.text_line(sh, empty, "subtitle")
    book.truncation_note(sh, shown, total, what, limit.where if limit is not None else "")


#: Next steps: the columns of an organisation's block, and their widths.
NEXT_HEADERS = (
    "Success criterion",
    "Current stage",
    "Action's stage",
    "Suggested action not yet done",
    "Notes",
    "Lead / owner",
    "Target date",
)
NEXT_WIDTHS = (40, 15, 15, 56, 30, 18, 13)
#: Excel keeps at most this many manual page breaks on a sheet.
MAX_PAGE_BREAKS = 1023


def _date_serial(text: str) -> float | None:
    """An ISO date as an Excel date serial, None when it is not one."""
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return float((d - dt.date(1899, 12, 30)).days)


def write_next_steps(
    book: Book, sh: Sheet, steps: Iterable[views.NextStepView], *, limit: Limit | None = None
) -> None:
    """One block per organisation, each starting on a new page (so that a block can be
    printed or sent to its partner on its own): its name, then per criterion the actions
    still to do; the criterion and current stage are written once, on its first row.
    LIMIT: at most so many rows, the rest in the CSV file it names."""
    text = book.partner_text
    book.title(
        sh,
        "Next steps",
        "For each organisation, the suggested actions at or below its current stage that are "
        "not yet done, criterion by criterion; each organisation starts on a new page.",
    )
    ws = sh.ws
    for col, width in enumerate(NEXT_WIDTHS):
        ws.set_column(col, col, width)
    # Calibri 11 fits about 1.15 average characters per unit of column width (a unit is
    # the width of "0"): rows are not made taller than their text.
    capacity = [max(int(w * 1.15) - 1, 1) for w in NEXT_WIDTHS]
    stage_lines = {st.id: estimate_lines(st.label, NEXT_WIDTHS[1] - 2) for st in book.fw.stages}
    breaks: list[int] = []
    org = criterion = None
    shown = total = 0
    room = EXCEL_MAX_ROWS - sh.row - 4
    for n in steps:
        total += 1
        if limit is not None and shown >= limit.rows:
            total = limit.total  # the rest are in the CSV file: not made at all
            break
        if sh.row >= room:
            continue
        if n.org_id != org:
            if org is not None:
                sh.skip()
                breaks.append(sh.row)
            name = fit(text(n.org_name, n.org_id, "", "org_name"))
            sh.stream.row(sh.row, [(0, name, book.f["group"])], 22)
            sh.skip()
            book.headers(sh, NEXT_HEADERS)
            org, criterion = n.org_id, None
        first = n.criterion_id != criterion
        criterion = n.criterion_id
        action = dimension_text(n.action, n.details)
        date = _date_serial(n.target_date) if n.target_date else None
        cells: list[Cell] = [
            f"{n.criterion_label} — {n.criterion}" if first else "",
            StageCell(n.current_stage_id) if first else "",
            StageCell(n.action_stage_id) if n.action_id else "",
            action,
            text(n.notes, n.org_id, n.action_id, "notes"),
            text(n.lead, n.org_id, n.action_id, "lead"),
            Styled("date_cell", date) if date is not None else n.target_date,
        ]
        lines = max(
            estimate_lines(value, capacity[col]) if isinstance(value, str) and value else 1
            for col, value in enumerate(cells)
        )
        for stage_id in (n.current_stage_id if first else None, n.action_stage_id):
            if stage_id:  # a stage's label wraps in its narrow column too
                lines = max(lines, stage_lines[stage_id])
        book.line(sh, cells, height=15.0 * min(lines, MAX_LINES) + 3 if lines > 1 else None)
        shown += 1
    if not shown:
        book.text_line(
            sh, "Nothing to list: no accepted returns, or every action is done.", "subtitle"
        )
    book.truncation_note(sh, shown, total, "next steps", limit.where if limit is not None else "")
    if breaks:
        ws.set_h_pagebreaks(breaks[:MAX_PAGE_BREAKS])


def write_comments(
    book: Book, sh: Sheet, comments: Iterable[views.CommentView], *, limit: Limit | None = None
) -> None:
    text = book.partner_text
    write_list(
        book,
        sh,
        "Comments, evidence, notes, leads and dates",
        "Everything the partners wrote, as they wrote it (shown as text, never run).",
        ["Organisation", "Area", "Item", "Kind", "What they wrote"],
        [26, 14, 50, 12, 70],
        (
            (
                text(c.org_name, c.org_id, "", "org_name"),
                c.area,
                c.item,
                c.kind,
                text(c.text, c.org_id, c.item_id, c.field),
            )
            for c in comments
        ),
        "comments",
        empty="No comments yet.",
        limit=limit,
    )


#: The Returns sheet's columns; sha256 comes last and is left out of the printed area (it
#: is for matching files, not for reading, and would shrink the printed text to fit).
RETURNS_HEADERS = (
    "File",
    "Status",
    "Organisation",
    "Org id",
    "Saved at (UTC)",
    "Reason",
    "Email: from / date / subject",
    "sha256",
)
RETURNS_WIDTHS = (40, 12, 26, 16, 30, CHASE_REASON_WIDTH, 50, 12)


def _time_serial(text: str) -> float | None:
    """An ISO time as an Excel date-time serial in UTC; None when it is not one."""
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return (t - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def _admin_counts(book: Book, sh: Sheet) -> None:
    counts = admin_counts(book.s)
    book.headers(sh, list(counts), 30)
    book.line(sh, [Styled("int", n) for n in counts.values()])
    sh.skip()


def write_returns(book: Book, sh: Sheet, chase: tuple[views.ChaseRow, ...] | None) -> None:
    def saved(text: str) -> Cell:
        serial = _time_serial(text) if text else None
        return Styled("when", serial) if serial is not None else text

    write_list(
        book,
        sh,
        "Returns: every file and its verdict",
        "Each file found under the sources, once, with what happened to it and why. Times "
        "are in UTC.",
        RETURNS_HEADERS,
        RETURNS_WIDTHS,
        (
            (
                r.source,
                StatusCell(r.status),
                book.partner_text(r.org_name, r.org_id, "", "org_name"),
                r.org_id,
                saved(r.saved_at),
                r.reason,
                r.provenance.label() if r.provenance else "",
                r.sha256,
            )
            for r in book.s.returns
        ),
        "files",
        empty="No files were found.",
        no_wrap=frozenset({7}),
        intro=_admin_counts,
    )
    sh.skip()
    blank = any(m.blank_files for m in chase or ())
    book.text_line(
        sh,
        "Missing: sent a workbook, none came back"
        + (" filled in (some came back blank)" if blank else ""),
        "heading",
    )
    if chase is None:
        book.text_line(sh, "Not known: give --manifest to see who has not returned.", "subtitle")
    elif not chase:
        book.text_line(sh, "Nobody is missing.", "subtitle")
    else:
        # The reason is prose and wraps; an address never does (the widest column holds it,
        # shrunk to fit only when it is longer still).
        book.headers(sh, ["Organisation", "Status", "Contact", "Org id", "Reason", "Email"], 20)
        for m in chase:
            lines = max(
                estimate_lines(m.org_name, RETURNS_WIDTHS[0] - 1),
                estimate_lines(m.contact, RETURNS_WIDTHS[2] - 1),
                estimate_lines(m.org_id, RETURNS_WIDTHS[3] - 1),
                estimate_lines(m.what, RETURNS_WIDTHS[4] - 1),
            )
            book.line(
                sh,
                (
                    Styled("bold", m.org_name),
                    StatusCell(ReturnStatus.MISSING),
                    m.contact,
                    m.org_id,
                    m.what,
                    Styled("email", m.email),
                ),
                height=15.0 * min(lines, MAX_LINES) + 3 if lines > 1 else None,
            )
    sh.ws.print_area(0, 0, sh.row, len(RETURNS_HEADERS) - 2)


def write_problems(book: Book, sh: Sheet, problems: Iterable[views.ProblemView]) -> None:
    write_list(
        book,
        sh,
        "Problems: every warning and rejection",
        "Where each problem is (file, sheet, cell) and what to do about it.",
        ["File", "Organisation", "Severity", "Code", "Sheet", "Cell", "Message"],
        [36, 24, 10, 20, 14, 8, 80],
        (
            (
                p.source,
                book.partner_text(p.organisation, p.org_id, "", "org_name"),
                p.severity,
                p.code,
                p.sheet,
                p.cell,
                p.message,
            )
            for p in problems
        ),
        "problems",
        empty="No problems.",
    )
