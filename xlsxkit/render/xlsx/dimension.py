"""A sheet per dimension: organisations at each stage for each criterion, with a chart, and
every suggested action's completion, least done first."""

from __future__ import annotations

from xlsxkit.render.xlsx.book import DATA_BAR, Book, Sheet, StageCell, Styled
from xlsxkit.render.xlsx.overview import stage_chart
from xlsxkit.results import views

#: Characters of a criterion's or action's text per line in its 60-wide column.
TEXT_LINE = 58


def _height(text: str) -> float:
    return 15 * max(1, -(-len(text) // TEXT_LINE)) + 3


def write_dimension(book: Book, sh: Sheet, sheet_name: str, view: views.DimensionView) -> None:
    fw = book.fw
    book.title(sh, view.name, f"{view.organisations} organisations · {book.stats()}")
    ws = sh.ws
    ws.set_column(0, 0, 13)
    ws.set_column(1, 1, 60)
    ws.set_column(2, len(fw.stages) + 3, 13)
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
    first = sh.row
    for c in view.criteria:
        book.line(
            sh,
            [Styled("bold", c.label), c.text, *c.counts, c.not_assessed],
            height=_height(c.text),
        )
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
    )
    ws.insert_chart(sh.row, 0, chart)
    sh.skip(int(height / 20) + 2)

    book.text_line(sh, "Suggested actions, least done first", "heading")
    book.text_line(
        sh,
        "Share of organisations that have ticked each action; those nobody has done yet "
        "come first.",
        "subtitle",
    )
    book.headers(sh, ["Criterion", "Suggested action", "Stage", "Done by", "Of", "% done"])
    first_rate = sh.row
    for a in view.least_done:
        book.line(
            sh,
            [
                f"Criterion {a.criterion_number}",
                a.text,
                StageCell(a.stage_id),
                a.done,
                a.organisations,
                Styled("pct", a.rate),
            ],
            height=_height(a.text),
        )
    if view.least_done:
        ws.conditional_format(first_rate, 5, sh.row - 1, 5, DATA_BAR)
