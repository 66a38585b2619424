"""The Overview and Heatmap sheets, and the stacked stage chart the dimension sheets share."""

from __future__ import annotations

from xlsxwriter.chart import Chart

from xlsxkit.render.xlsx.book import (
    NOT_ASSESSED_FILL,
    Book,
    Sheet,
    StageCell,
    Styled,
)
from xlsxkit.results import views
from xlsxkit.workbook.styles import estimate_lines

#: Characters of a criterion's text in its heatmap header, after its label ("People 1 —");
#: the whole text is in the key below the heatmap.
HEATMAP_HEADER_TEXT = 60
#: The width of the heatmap's name column, and the most lines a name wraps to there (every
#: row is as tall, so a long name makes every row taller).
NAME_WIDTH = 40
NAME_LINES_MAX = 3
#: Pixels per bar of a stage chart, and its fixed part (title, axis, legend).
BAR_PX, CHART_PX = 34, 180


def stage_chart(
    book: Book,
    sheet: str,
    head_row: int,
    first: int,
    last: int,
    first_col: int,
    title: str,
    axis: str,
    *,
    axis_max: int,
    categories_col: int = 0,
) -> tuple[Chart, int]:
    """A stacked bar chart of the stage counts in columns FIRST_COL.. (stages, then
    'Not assessed'), one bar per row FIRST..LAST, categories in column CATEGORIES_COL; the
    axis ends at AXIS_MAX, the longest bar (never a rounded-up figure past the data)."""
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    fills = [*(book.colours[st.id] for st in book.fw.stages), NOT_ASSESSED_FILL]
    for i, fill in enumerate(fills):
        col = first_col + i
        chart.add_series(
            {
                "name": [sheet, head_row, col],
                "categories": [sheet, first, categories_col, last, categories_col],
                "values": [sheet, first, col, last, col],
                "fill": {"color": fill},
                "border": {"color": "#7F7F7F"},
                "gap": 50,
            }
        )
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    top = max(axis_max, 1)
    chart.set_x_axis(
        {
            "name": axis,
            "min": 0,
            "max": top,
            "major_unit": max(1, -(-top // 10)),  # whole answers or organisations
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_legend({"position": "bottom"})
    height = CHART_PX + BAR_PX * (last - first + 1)
    chart.set_size({"width": 760, "height": height})
    return chart, height


def _tile(tile: views.Tile) -> Styled | None:
    if tile.value is None:
        return None
    return Styled("big_pct" if tile.share else "big_num", tile.value)


def write_overview(book: Book, sh: Sheet, view: views.Overview) -> None:
    fw = book.fw
    round_ = f" — round {book.round}" if book.round else ""
    book.title(sh, f"{fw.title}: partnership progress{round_}", book.stats())
    book.one_page(sh)
    sh.ws.set_column(0, 0, 30)
    sh.ws.set_column(1, len(fw.stages) + 3, 14)
    book.text_line(sh, "Returns", "heading")
    book.line(sh, [_tile(t) or Styled("big_label", "not known") for t in view.tiles], height=30)
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
    # The chart comes right below its figures and the page is fitted to one page, so the
    # chart and its legend are never split by a page break.
    chart, height = stage_chart(
        book,
        sh.ws.name,
        head_row,
        first,
        last,
        1,
        "Stage reached, by area",
        "Criterion answers",
        axis_max=max((a.answers for a in view.areas), default=0),
    )
    sh.ws.insert_chart(sh.row, 0, chart, {"object_position": 3})
    sh.skip(-(-height // 20) + 1)
    book.text_line(sh, "Suggested actions done", "heading")
    book.headers(sh, ["Area", "Actions done", "Possible", "% done"], 20)
    for row in (*view.actions_done, view.all_actions):
        book.line(sh, [Styled("bold", row.label), row.done, row.possible, Styled("pct", row.rate)])


#: The key of the criteria spans the average's column and up to this many more.
KEY_COLUMNS = 7
#: Heatmap column widths: a criterion's, an area's share, the average's.
CRITERION_WIDTH, AREA_WIDTH, AVERAGE_WIDTH = 17, 12, 11
#: An A4 landscape page's printable width in pixels at 100 % (277 mm less the margins).
PAGE_PX = 980
#: The smallest scale at which the heatmap is still fitted to one page wide; a wider one
#: prints at PRINT_SCALE % over several pages, the organisations' names repeated on each.
MIN_FIT, PRINT_SCALE = 0.55, 60


def _px(width: float) -> float:
    return 7 * width + 5


def fits_one_page(view: views.Heatmap) -> bool:
    """Whether the heatmap is printed one page wide (else at PRINT_SCALE %)."""
    width = _px(NAME_WIDTH) + _px(AVERAGE_WIDTH)
    width += len(view.columns) * _px(CRITERION_WIDTH) + len(view.areas) * _px(AREA_WIDTH)
    return width * MIN_FIT <= PAGE_PX


def write_heatmap(book: Book, sh: Sheet, view: views.Heatmap) -> None:
    round_ = f" — round {book.round}" if book.round else ""
    book.title(
        sh,
        f"Heatmap: stage reached by each organisation{round_}",
        "Each cell names the stage; the colour repeats it. Organisations are ordered by "
        "their average stage (not assessed counts 0); the last columns give the share of "
        "each area's suggested actions that are done. The criteria's whole texts are in the "
        "key below.",
    )
    ws = sh.ws
    n_stages = len(book.fw.stages)
    n_cols, n_areas = len(view.columns), len(view.areas)
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(1, 1, AVERAGE_WIDTH)
    ws.set_column(2, n_cols + 1, CRITERION_WIDTH)
    ws.set_column(n_cols + 2, n_cols + n_areas + 1, AREA_WIDTH)
    if not fits_one_page(view):
        # Too wide to read fitted to one page: pages across, then down, each with the
        # names and averages of the organisations on its left.
        ws.set_print_scale(PRINT_SCALE)
        ws.repeat_columns(0, 1)
        ws.print_across()
    head = sh.row
    headers = [
        "Organisation",
        f"Average stage (of {n_stages})",
        *(f"{c.label} — {views.short(c.text, HEATMAP_HEADER_TEXT)}" for c in view.columns),
        *(f"{area}: % actions done" for area in view.areas),
    ]
    lines = max(estimate_lines(h, 13) for h in headers)
    book.headers(sh, headers, 15.0 * min(lines, 8) + 4)
    ws.freeze_panes(sh.row, 1)
    ws.repeat_rows(head, sh.row - 1)
    names = [o.org_name for o in view.rows] + [m.org_name for m in view.missing]
    name_lines = min(
        max((estimate_lines(x, NAME_WIDTH - 2) for x in names), default=1), NAME_LINES_MAX
    )
    height = 15.0 * name_lines + 4
    n = book.room(sh, len(view.rows))
    for org in view.rows[:n]:
        book.line(
            sh,
            [
                Styled("bold", book.partner_text(org.org_name, org.org_id, "", "org_name")),
                Styled("avg_bold", org.average),
                *(StageCell(stage_id) for stage_id in org.stages),
                *(Styled("pct", share) for share in org.actions_done),
            ],
            height=height,
        )
    room = book.room(sh, len(view.missing) + 1)
    for m in view.missing[: max(room - 1, 0)]:
        what = "Returned blank" if m.blank else "Not returned"
        book.line(
            sh,
            [
                Styled("bold", m.org_name),
                None,
                *(Styled("missing_row", what) for _ in view.columns),
                *([None] * n_areas),
            ],
            height=height,
        )
    if view.rows:
        book.line(
            sh,
            [
                Styled("header", "Partnership average"),
                Styled("avg_bold", view.average),
                *(Styled("avg_bold", c.average) for c in view.columns),
                *(Styled("pct_bold", x) for x in view.area_done),
            ],
            height=20,
        )
    else:
        book.text_line(sh, "No accepted returns yet.", "subtitle")
    book.truncation_note(sh, n, len(view.rows), "organisations")
    sh.skip()
    book.text_line(sh, "Key: the success criteria", "heading")
    # Each text wraps in a cell merged over the columns of the first page's width.
    last = min(n_cols + n_areas + 1, KEY_COLUMNS)
    width = AVERAGE_WIDTH + CRITERION_WIDTH * (last - 1)
    for c in view.columns[: book.room(sh, len(view.columns))]:
        lines = estimate_lines(c.text, int(width * 1.1))
        ws.set_row(sh.row, 15.0 * lines + 3)
        ws.write_string(sh.row, 0, c.label, book.f["bold"])
        if last > 1:
            ws.merge_range(sh.row, 1, sh.row, last, c.text, book.f["text"])
        else:
            ws.write_string(sh.row, 1, c.text, book.f["text"])
        sh.skip()
