"""The list sheets: Next steps, Comments, Returns (with the chaser list) and Problems.

Lists can run to a hundred thousand rows, so a row is written with as little work as
possible: blank cells are left out, and row heights are a quick estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xlsxkit.framework.model import ReturnStatus
from xlsxkit.render.xlsx.book import EXCEL_MAX_ROWS, Book, Cell, Sheet, StageCell, StatusCell, fit
from xlsxkit.results import views
from xlsxkit.workbook.styles import estimate_lines

#: The most lines a list row is made tall enough for.
MAX_LINES = 26
#: The width of the Reason column of the chaser list (the Returns sheet's sixth column).
CHASE_REASON_WIDTH = 60


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
) -> None:
    """A titled list with headers, filters and frozen headings. Columns in NO_WRAP
    (codes, hashes) stay on one line."""
    book.title(sh, title, subtitle)
    for col, width in enumerate(widths):
        sh.ws.set_column(col, col, width)
    head = sh.row
    book.headers(sh, headers)
    sh.ws.freeze_panes(sh.row, 0)
    sh.ws.repeat_rows(head)
    room = EXCEL_MAX_ROWS - sh.row - 2
    shown = total = 0
    ws, cell, fmt = sh.ws, book.cell, book.f["list"]
    nowrap = book.f["list_nowrap"]
    capacity = [max(int(w), 1) for w in widths]
    for values in rows:
        total += 1
        if shown >= room:
            continue
        row = sh.row
        lines = 1
        for col, value in enumerate(values):
            if type(value) is str:
                if value:  # blank cells are left out: a long list stays light
                    value = fit(value)
                    if col in no_wrap:
                        ws.write_string(row, col, value, nowrap)
                        continue
                    ws.write_string(row, col, value, fmt)
                    # Apps do not grow rows of wrapped text consistently: set the height
                    # (a quick estimate: lists can run to a hundred thousand rows).
                    need = len(value) // capacity[col] + 1 + value.count("\n")
                    lines = max(lines, need)
            else:
                cell(ws, row, col, value)
        if lines > 1:
            ws.set_row(row, 15.0 * min(lines, MAX_LINES) + 2)
        sh.row = row + 1
        shown += 1
    if shown:
        sh.ws.autofilter(head, 0, sh.row - 1, len(headers) - 1)
    else:
        book.text_line(sh, empty, "subtitle")
    book.truncation_note(sh, shown, total, what)


def write_next_steps(book: Book, sh: Sheet, steps: Iterable[views.NextStepView]) -> None:
    text = book.partner_text

    def rows() -> Iterable[Sequence[Cell]]:
        for n in steps:
            yield (
                text(n.org_name, n.org_id, "", "org_name"),
                n.area,
                n.criterion,
                StageCell(n.current_stage_id),
                StageCell(n.action_stage_id) if n.action_id else "",
                n.action,
                text(n.notes, n.org_id, n.action_id, "notes"),
                text(n.lead, n.org_id, n.action_id, "lead"),
                n.target_date,
            )

    write_list(
        book,
        sh,
        "Next steps",
        "For each organisation, the suggested actions at or below its current stage that "
        "are not yet done.",
        [
            "Organisation",
            "Area",
            "Success criterion",
            "Current stage",
            "Action's stage",
            "Suggested action not yet done",
            "Notes",
            "Lead / owner",
            "Target date",
        ],
        [26, 14, 40, 16, 16, 50, 30, 18, 12],
        rows(),
        "next steps",
        empty="Nothing to list: no accepted returns, or every action is done.",
    )


def write_comments(book: Book, sh: Sheet, comments: Iterable[views.CommentView]) -> None:
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
    )


def write_returns(book: Book, sh: Sheet, chase: tuple[views.ChaseRow, ...] | None) -> None:
    write_list(
        book,
        sh,
        "Returns: every file and its verdict",
        "Each file found under the sources, once, with what happened to it and why.",
        [
            "File",
            "Status",
            "Organisation",
            "Org id",
            "Saved at",
            "Reason",
            "Email: from / date / subject",
            "sha256",
        ],
        [40, 12, 26, 16, 26, CHASE_REASON_WIDTH, 50, 66],
        (
            (
                r.source,
                StatusCell(r.status),
                book.partner_text(r.org_name, r.org_id, "", "org_name"),
                r.org_id,
                r.saved_at,
                r.reason,
                r.provenance.label() if r.provenance else "",
                r.sha256,
            )
            for r in book.s.returns
        ),
        "files",
        empty="No files were found.",
        no_wrap=frozenset({4, 7}),
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
        return
    if not chase:
        book.text_line(sh, "Nobody is missing.", "subtitle")
        return
    book.headers(sh, ["Organisation", "Status", "Org id", "Contact", "Email", "Reason"], 20)
    for m in chase:
        # A "returned blank" reason names the file: make its row tall enough for it.
        lines = estimate_lines(m.reason, CHASE_REASON_WIDTH) if m.blank_files else 1
        book.line(
            sh,
            (m.org_name, StatusCell(ReturnStatus.MISSING), m.org_id, m.contact, m.email, m.reason),
            height=15.0 * lines + 2 if lines > 1 else None,
        )


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
