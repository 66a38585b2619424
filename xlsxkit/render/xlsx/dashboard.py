"""The Dashboard: the board's one page, first in the summary.

It answers "how are we doing, and are we improving?" on one A4 landscape page (fit to 1 × 1
page): the round and its deadline, the response rate, the stage distribution per dimension
as a chart (then and now, with an earlier round), the criteria furthest behind, and, with
an earlier round, the most improved criteria and organisations and the regressions.

The sheet is written in constant-memory mode, so strictly row by row; but the page has two
columns (the chart on the left, the lists on the right). The cells are therefore placed on
a :class:`Grid` first and written out in row order at the end: a page's worth of cells.
The chart's figures are printed below it, as a table of shares, so that the page can be
read without telling colours apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xlsxkit.render.xlsx.book import NOT_ASSESSED_FILL, Book, Sheet, day
from xlsxkit.results.dashboard import Dashboard, Mover, Shares
from xlsxkit.results.history import Change
from xlsxkit.results.views import short

#: Columns: the left block (chart, its table and the tiles: an area's name and up to seven
#: stages and "not assessed"), a gap, and the right block (the lists).
LEFT = (40, 11, 11, 11, 11, 11, 11, 11, 11)
GAP = 9
RIGHT = 10  # first column of the right block: its text column, then two figures
RIGHT_WIDTHS = (46, 13, 13)
#: Pixels per bar of the chart, its fixed part (axis, legend) and its least height.
BAR_PX, CHART_PX, CHART_MIN_PX = 22, 110, 380
DEFAULT_ROW_PT = 15.0
TEXT_MAX = 70  # characters of a criterion's text shown in a list


Value = str | int | float | None


@dataclass
class Grid:
    """The cells of a page, placed in any order and written out in row order."""

    cells: dict[int, dict[int, tuple[Value, str]]] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)

    def put(self, row: int, col: int, value: Value, style: str) -> None:
        self.cells.setdefault(row, {})[col] = (value, style)

    def height(self, row: int, points: float) -> None:
        self.heights[row] = max(points, self.heights.get(row, 0))

    @property
    def last_row(self) -> int:
        return max(self.cells, default=0)

    def write(self, book: Book, sh: Sheet) -> None:
        ws = sh.ws
        for row in sorted(self.cells.keys() | self.heights.keys()):
            if row in self.heights:
                ws.set_row(row, self.heights[row])
            for col, (value, style) in sorted(self.cells.get(row, {}).items()):
                fmt = book.f[style]
                if value is None:
                    ws.write_blank(row, col, None, fmt)
                elif isinstance(value, str):
                    ws.write_string(row, col, value, fmt)
                else:
                    ws.write_number(row, col, value, fmt)
        sh.row = max(self.cells.keys() | self.heights.keys(), default=0) + 1


def write_dashboard(book: Book, sh: Sheet, sheet_name: str, view: Dashboard) -> None:
    fw, ws, g = book.fw, sh.ws, Grid()
    for col, width in enumerate(LEFT):
        ws.set_column(col, col, width)
    ws.set_column(GAP, GAP, 2)
    for i, width in enumerate(RIGHT_WIDTHS):
        ws.set_column(RIGHT + i, RIGHT + i, width)
    ws.hide_gridlines(2)
    book.one_page(sh)

    g.put(0, 0, fw.title, "title")
    g.height(0, 24)
    round_ = f"Round {view.round_name}" if view.round_name else "Round not named"
    deadline = f"deadline {day(view.deadline)}" if view.deadline else "deadline not recorded"
    g.put(1, 0, f"{round_} · {deadline}", "heading")
    g.put(2, 0, book.stats(), "subtitle")

    _tiles(g, view)

    g.put(7, 0, "Stage reached, by area: share of the criterion answers", "heading")
    bars = len(view.now) * (2 if view.then is not None else 1)
    height = max(CHART_PX + BAR_PX * bars, CHART_MIN_PX)
    last = _right(book, g, view)
    # The table starts in the first row below the chart; the rows beside it are as tall
    # as the lists on the right made them.
    table, px = 8, 0.0
    while px < height:
        px += g.heights.get(table, DEFAULT_ROW_PT) * 4 / 3
        table += 1
    _table(book, g, view, table + 1)
    table += 1
    chart = book.wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    fills = [*(book.colours[st.id] for st in fw.stages), NOT_ASSESSED_FILL]
    first = table + 1
    for i, fill in enumerate(fills):
        chart.add_series(
            {
                "name": [sheet_name, table, 1 + i],
                "categories": [sheet_name, first, 0, first + bars - 1, 0],
                "values": [sheet_name, first, 1 + i, first + bars - 1, 1 + i],
                "fill": {"color": fill},
                "border": {"color": "#7F7F7F"},
                "gap": 40 if bars > 8 else 120,
            }
        )
    chart.set_title({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_size({"width": sum(7 * w + 5 for w in LEFT), "height": height})
    g.write(book, sh)
    ws.insert_chart(8, 0, chart, {"object_position": 3})
    ws.print_area(0, 0, max(last, g.last_row), RIGHT + len(RIGHT_WIDTHS) - 1)


def _tiles(g: Grid, view: Dashboard) -> None:
    g.height(4, 32)
    g.height(5, 30)
    if view.response_rate is not None:
        g.put(4, 0, view.response_rate, "big_pct")
        g.put(5, 0, f"Response rate ({view.received} of {view.expected} returned)", "big_label")
    else:
        g.put(4, 0, None, "big_num")
        g.put(5, 0, "Response rate: not known without the manifest", "big_label")
    g.put(4, 2, view.received, "big_num")
    g.put(5, 2, "Organisations returned", "big_label")
    if view.expected is not None:
        g.put(4, 4, view.expected, "big_num")
        g.put(5, 4, "Organisations expected", "big_label")
    if view.actions_done is not None:
        g.put(4, 6, view.actions_done, "big_pct")
        g.put(5, 6, "Suggested actions done", "big_label")
    up, down = view.moved.get(Change.UP, 0), view.moved.get(Change.DOWN, 0)
    if view.then is not None:
        g.put(4, RIGHT, f"▲ {up} up   ▼ {down} down", "big")
        g.put(5, RIGHT, f"Answers moved since {view.then[0].round}", "big_label")


def _table(book: Book, g: Grid, view: Dashboard, top: int) -> None:
    """The chart's figures, below it: the share of each area's answers at each stage (the
    chart draws these; the table says them without colour)."""
    fw = book.fw
    g.put(top, 0, "Area · round" if view.then is not None else "Area", "header")
    for i, st in enumerate(fw.stages):
        g.put(top, 1 + i, st.label, f"stage_head:{st.id}")
    g.put(top, 1 + len(fw.stages), "Not assessed", "header")
    g.height(top, 32)
    rows: list[tuple[str, Shares, bool]] = []
    for i, now in enumerate(view.now):
        if view.then is not None:
            then = view.then[i]
            rows.append((f"{short(then.dimension, 26)} · {then.round}", then, False))
            rows.append((f"{short(now.dimension, 26)} · {now.round or 'now'}", now, True))
        else:
            rows.append((short(now.dimension, 40), now, True))
    for r, (label, shares, bold) in enumerate(rows, start=top + 1):
        g.put(r, 0, label, "label_bold" if bold else "label")
        for c, share in enumerate(shares.shares()):
            g.put(r, 1 + c, share, "pct_bold" if bold else "pct")


def _right(book: Book, g: Grid, view: Dashboard) -> int:
    """The lists of the right block, from row 7; returns the last row used."""
    n = len(book.fw.stages)
    r = 7
    g.put(r, RIGHT, "Furthest behind", "heading")
    r += 1
    _head(g, r, ("Criterion", f"Average stage (of {n})", "Not assessed"))
    r += 1
    for c in view.behind:
        g.put(r, RIGHT, f"{c.label} — {short(c.text, TEXT_MAX)}", "text")
        g.put(r, RIGHT + 1, c.average, "avg")
        g.put(r, RIGHT + 2, c.not_assessed, "int")
        g.height(r, 30)
        r += 1
    r += 1
    if view.then is None:
        g.put(r, RIGHT, "Progress since the previous round appears here from the", "subtitle")
        g.put(r + 1, RIGHT, "second round of a campaign (xlsxkit init).", "subtitle")
        return r + 1
    r = _movers(g, r, "Most improved criteria", view.improved_criteria, True)
    r = _movers(g, r, "Most improved organisations", view.improved_orgs, False)
    g.put(r, RIGHT, f"Regressions: {view.regressions_total} answer(s) moved down", "heading")
    r += 1
    if not view.regressions:
        g.put(r, RIGHT, "None.", "subtitle")
        return r
    _head(g, r, ("Organisation · criterion", "Was", "Now"))
    r += 1
    for x in view.regressions:
        g.put(r, RIGHT, f"{x.org_name} · {x.label}", "text")
        for col, stage_id in ((RIGHT + 1, x.previous_stage_id), (RIGHT + 2, x.stage_id)):
            _stage(book, g, r, col, stage_id)
        g.height(r, 30)
        r += 1
    more = view.regressions_total - len(view.regressions)
    if more:
        g.put(r, RIGHT, f"… and {more} more: see the Progress sheet.", "subtitle")
    return r


def _head(g: Grid, r: int, texts: Sequence[str]) -> None:
    for i, text in enumerate(texts):
        g.put(r, RIGHT + i, text, "header")
    g.height(r, 30)


def _movers(g: Grid, r: int, title: str, movers: Sequence[Mover], criteria: bool) -> int:
    g.put(r, RIGHT, title, "heading")
    r += 1
    if not movers:
        g.put(r, RIGHT, "None moved up more than down.", "subtitle")
        return r + 2
    _head(g, r, ("Criterion" if criteria else "Organisation", "Answers up", "Answers down"))
    r += 1
    for m in movers:
        text = f"{m.label} — {short(m.text, TEXT_MAX)}" if criteria else m.label
        g.put(r, RIGHT, text, "text")
        g.put(r, RIGHT + 1, m.up, "int")
        g.put(r, RIGHT + 2, m.down, "int")
        if criteria:
            g.height(r, 30)
        r += 1
    return r + 1


def _stage(book: Book, g: Grid, r: int, col: int, stage_id: str) -> None:
    if stage_id in book.stage_cells or not stage_id:
        label, _ = book.stage_cells[stage_id]
        style = f"stage:{stage_id}" if stage_id else "not_assessed"
        g.put(r, col, label, style)
    else:  # a stage of an earlier ladder
        g.put(r, col, stage_id, "text")


__all__ = ["write_dashboard"]
