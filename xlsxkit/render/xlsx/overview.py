"""The Overview and Heatmap sheets, and the stacked stage chart the dimension sheets share."""

from __future__ import annotations

from xlsxwriter.chart import Chart

from xlsxkit.render.xlsx.book import (
    DATA_BAR,
    NOT_ASSESSED_FILL,
    Book,
    Cell,
    Sheet,
    StageCell,
    Styled,
)
from xlsxkit.results import views
from xlsxkit.workbook.styles import estimate_lines

#: Heatmap headers longer than this are shortened (the whole text is on the dimension sheet).
HEATMAP_HEADER_MAX = 90


def stage_chart(
    book: Book,
    sheet: str,
    head_row: int,
    first: int,
    last: int,
    first_col: int,
    title: str,
    axis: str,
) -> tuple[Chart, int]:
    """A stacked bar chart of the stage counts in columns FIRST_COL.. (stages, then
    'Not assessed'), one bar per row FIRST..LAST, categories in column 0."""
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    fills = [*(book.colours[st.id] for st in book.fw.stages), NOT_ASSESSED_FILL]
    for i, fill in enumerate(fills):
        col = first_col + i
        chart.add_series(
            {
                "name": [sheet, head_row, col],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, col, last, col],
                "fill": {"color": fill},
                "border": {"color": "#7F7F7F"},
            }
        )
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"name": axis, "min": 0})
    chart.set_legend({"position": "bottom"})
    height = 120 + 42 * (last - first + 1)
    chart.set_size({"width": 760, "height": height})
    return chart, height


def _tile(tile: views.Tile) -> str:
    if tile.value is None:
        return "–"
    return f"{tile.value:.0%}" if tile.share else str(tile.value)


def write_overview(book: Book, sh: Sheet, view: views.Overview) -> None:
    fw = book.fw
    book.title(sh, f"{fw.title}: partnership progress", book.stats())
    sh.ws.set_column(0, 0, 30)
    sh.ws.set_column(1, len(fw.stages) + 3, 14)
    book.text_line(sh, "Returns", "heading")
    book.line(sh, [Styled("big", _tile(t)) for t in view.tiles], height=30)
    book.line(sh, [Styled("big_label", t.label) for t in view.tiles], height=30)
    if view.expected is not None:
        received = (
            f"{view.received} of {view.expected} organisations have returned an accepted workbook."
        )
        if view.blank:
            received += (
                f" {view.blank} file(s) came back blank, with nothing filled in: see the "
                "Returns sheet."
            )
    else:
        received = (
            "Expected and missing come from the manifest (--manifest); without it they "
            "are not known."
        )
    book.text_line(sh, received, "subtitle")
    sh.skip()
    book.text_line(sh, "Stages reached across the partnership", "heading")
    book.text_line(
        sh,
        "Number of success-criterion answers at each stage, over all organisations.",
        "subtitle",
    )
    head_row = sh.row
    book.headers(
        sh,
        [
            "Area",
            *(Styled(f"stage_head:{st.id}", st.label) for st in fw.stages),
            "Not assessed",
            "Answers",
        ],
        32,
    )
    first = sh.row
    for area in view.areas:
        book.line(
            sh,
            [
                Styled("bold", area.label),
                *area.counts,
                area.not_assessed,
                Styled("num_bold", area.answers),
            ],
        )
    last = sh.row - 1
    sh.skip()
    book.text_line(sh, "Suggested actions done", "heading")
    book.headers(sh, ["Area", "Actions done", "Possible", "% done"], 20)
    for row in (*view.actions_done, view.all_actions):
        book.line(sh, [Styled("bold", row.label), row.done, row.possible, Styled("pct", row.rate)])
    sh.skip()
    chart, _ = stage_chart(
        book, "Overview", head_row, first, last, 1, "Stage reached, by area", "Criterion answers"
    )
    sh.ws.insert_chart(sh.row, 0, chart)


def _short(text: str) -> str:
    if len(text) <= HEATMAP_HEADER_MAX:
        return text
    return text[: HEATMAP_HEADER_MAX - 1] + "…"


def write_heatmap(book: Book, sh: Sheet, view: views.Heatmap) -> None:
    book.title(
        sh,
        "Heatmap: stage reached by each organisation",
        "Each cell names the stage; the colour repeats it. The last columns give the share "
        "of each area's suggested actions that are done.",
    )
    ws = sh.ws
    n_cols, n_areas = len(view.columns), len(view.areas)
    ws.set_column(0, 0, 32)
    ws.set_column(1, n_cols, 17)
    ws.set_column(n_cols + 1, n_cols + n_areas, 12)
    head = sh.row
    book.headers(
        sh,
        [
            "Organisation",
            *(col.label for col in view.columns),
            *(f"{area}: % actions done" for area in view.areas),
        ],
        32,
    )
    texts: list[Cell] = ["", *(_short(col.text) for col in view.columns)]
    book.line(sh, [*texts, *([""] * n_areas)], height=110)
    ws.freeze_panes(sh.row, 1)
    ws.repeat_rows(head, sh.row - 1)
    first = sh.row
    n = book.room(sh, len(view.rows))
    for org in view.rows[:n]:
        lines = estimate_lines(org.org_name, 30)
        book.line(
            sh,
            [
                Styled("bold", book.partner_text(org.org_name, org.org_id, "", "org_name")),
                *(StageCell(stage_id) for stage_id in org.stages),
                *(Styled("pct", share) for share in org.actions_done),
            ],
            height=15.0 * lines + 2 if lines > 1 else None,
        )
    if view.rows:
        ws.conditional_format(first, n_cols + 1, sh.row - 1, n_cols + n_areas, DATA_BAR)
    else:
        book.text_line(sh, "No accepted returns yet.", "subtitle")
    book.truncation_note(sh, n, len(view.rows), "organisations")
