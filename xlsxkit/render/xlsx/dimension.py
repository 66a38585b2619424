"""A sheet per dimension: organisations at each stage for each criterion, with a chart, and
every suggested action's completion, least done first."""

from __future__ import annotations

from xlsxkit.render.xlsx.book import Book, Sheet, StageCell, Styled
from xlsxkit.render.xlsx.overview import stage_chart
from xlsxkit.results import views
from xlsxkit.workbook.styles import estimate_lines

#: Characters of a criterion's or action's text per line in its 60-wide column.
TEXT_LINE = 58


def _lines(text: str) -> int:
    return sum(max(1, -(-len(part) // TEXT_LINE)) for part in text.split("\n"))


def _height(text: str) -> float:
    return 15 * _lines(text) + 3


def with_details(text: str, details: tuple[str, ...]) -> str:
    """An action's text with its sub-points as bullets (as the partner's workbook shows
    them), so that a text ending "For example:" is followed by its examples."""
    return text + "".join(f"\n• {d}" for d in details)


def write_dimension(book: Book, sh: Sheet, sheet_name: str, view: views.DimensionView) -> None:
    fw = book.fw
    book.title(sh, view.name, f"{view.organisations} organisations · {book.stats()}")
    ws = sh.ws
    n_stages = len(fw.stages)
    ws.set_column(0, 0, 13)
    ws.set_column(1, 1, 60)
    ws.set_column(2, n_stages + 3, 13)
    # The chart's bar labels (number and start of the text) sit right of the printed area.
    printed = max(n_stages + 2, 5)
    labels_col = printed + 2
    ws.set_column(labels_col, labels_col, 50)
    book.text_line(sh, "Stage reached, by success criterion", "heading")
    head_row = sh.row
    book.headers(
        sh,
        [
            "",
            "Success criterion",
            *(Styled(f"stage_head:{st.id}", st.label) for st in fw.stages),
            "Not assessed",
        ],
        32,
    )
    ws.write_string(head_row, labels_col, "Chart label", book.f["header"])
    first = sh.row
    for c, label in zip(view.criteria, view.chart_labels, strict=True):
        row = sh.row
        book.line(
            sh,
            [Styled("bold", c.label), c.text, *c.counts, c.not_assessed],
            height=_height(c.text),
        )
        ws.write_string(row, labels_col, label, book.f["plain"])
    last = sh.row - 1
    sh.skip()
    chart, height = stage_chart(
        book,
        sheet_name,
        head_row,
        first,
        last,
        2,
        f"{view.name}: organisations at each stage",
        "Organisations",
        axis_max=view.organisations,
        categories_col=labels_col,
    )
    ws.insert_chart(sh.row, 0, chart, {"object_position": 3})
    sh.skip(-(-height // 20) + 2)

    book.text_line(sh, "Suggested actions, least done first", "heading")
    book.text_line(
        sh,
        "Share of organisations that have ticked each action; those nobody has done yet "
        "come first.",
        "subtitle",
    )
    book.headers(sh, ["Criterion", "Suggested action", "Stage", "Done by", "Of", "% done"])
    stage_lines = {st.id: estimate_lines(st.label, 11) for st in fw.stages}
    for a in view.least_done:
        text = with_details(a.text, a.details)
        book.line(
            sh,
            [
                f"Criterion {a.criterion_number}",
                text,
                StageCell(a.stage_id),
                a.done,
                a.organisations,
                Styled("pct", a.rate),
            ],
            height=15 * max(_lines(text), stage_lines[a.stage_id]) + 3,
        )
    ws.print_area(0, 0, sh.row, printed)
