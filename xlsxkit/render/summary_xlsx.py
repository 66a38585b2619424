"""Write the consolidated summary workbook (XlsxWriter) from the summary model.

Every string that came from a return is written with ``write_string``: it is text, never a
formula. The workbook holds no formulas at all; every figure is computed by
:mod:`xlsxkit.results.consolidate`.

The workbook is written in XlsxWriter's constant-memory mode, row by row, so that a large
partnership's summary streams to disk instead of being held in memory. Every sheet is
therefore written strictly top to bottom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlsxkit import __version__
from xlsxkit.framework.model import ReturnStatus
from xlsxkit.names import make_sheet_names
from xlsxkit.outfiles import MARKER_PROPERTY
from xlsxkit.render.data_csv import ACTIONS_COLUMNS, STAGES_COLUMNS, missing_reason
from xlsxkit.results.consolidate import NOT_ASSESSED, Summary
from xlsxkit.workbook.write import HEADER_FILL, estimate_lines, stage_colours

EXCEL_MAX_ROWS = 1_048_576
NOT_ASSESSED_FILL = "#D9D9D9"
DATA_BAR = {
    "type": "data_bar",
    "bar_color": "#70AD47",
    "bar_solid": True,
    "min_type": "num",
    "min_value": 0,
    "max_type": "num",
    "max_value": 1,
}
SHEETS = (
    "Overview",
    "Heatmap",
    "Next steps",
    "Comments",
    "Returns",
    "Problems",
    "Data (stages)",
    "Data (actions)",
)
STATUS_FILLS = {
    ReturnStatus.ACCEPTED: "#C6EFCE",
    ReturnStatus.SUPERSEDED: "#EDEDED",
    ReturnStatus.DUPLICATE: "#EDEDED",
    ReturnStatus.REJECTED: "#F8CBAD",
    ReturnStatus.SKIPPED: "#EDEDED",
    ReturnStatus.MISSING: "#FFE699",
}

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

#: A cell to write: plain text/number, or (kind, value) for a styled stage/status cell.
Cell = Any


class _NoIndex(dict[Any, Any]):
    """A dict that keeps nothing (see :class:`_StreamingWorksheet`)."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class _StreamingWorksheet(Worksheet):  # type: ignore[misc]
    """A constant-memory worksheet that can still hold an Excel table.

    XlsxWriter refuses ``add_table`` in constant-memory mode only because the call may
    write the table's cells itself. Here the caller registers the table before writing its
    header row and then writes every cell (header included) in row order, which replaces
    the header cells the call stored; so the table is registered with constant-memory mode
    briefly off. ``test_summary`` checks the resulting table and its cells, and
    ``benchmarks/bench_import.py`` the memory.
    """

    def add_table(self, *args: Any, **kwargs: Any) -> Any:
        # XlsxWriter indexes every cell of a table so as to refuse overlapping merges and
        # tables added later: about 100 MB per million cells. A data sheet holds one table
        # and nothing else, so the index is not kept.
        self.table_cells = _NoIndex()
        self.constant_memory = False
        try:
            return super().add_table(*args, **kwargs)
        finally:
            self.constant_memory = True


class _Sheet:
    """A worksheet written strictly top to bottom."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0

    def skip(self, n: int = 1) -> None:
        self.row += n


class _Writer:
    def __init__(
        self, summary: Summary, path: Path, generated_at: dt.datetime, tmpdir: Path | None
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
        self.colours = stage_colours(self.fw.stages)
        self.f = self._formats()
        dim_names = make_sheet_names([d.name for d in self.fw.dimensions], reserved=SHEETS)
        self.dim_sheets = dict(zip([d.id for d in self.fw.dimensions], dim_names, strict=True))
        self.org_names = {o.org_id: o.org_name for o in summary.orgs}
        self.text_format = self.f["text"]
        #: stage id ("" for none) -> (label, format) of a stage cell
        self.stage_cells = {st.id: (st.label, self.f[f"stage:{st.id}"]) for st in self.fw.stages}
        self.stage_cells[""] = ("Not assessed", self.f["not_assessed"])

    def _formats(self) -> dict[str, Format]:
        add = self.wb.add_format
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
            "bold": add({**base, **border, "bold": True, "text_wrap": True}),
            "num": add(centre),
            "num_bold": add({**centre, "bold": True}),
            "pct": add({**centre, "num_format": "0%"}),
            "pct_bold": add({**centre, "num_format": "0%", "bold": True}),
            "big": add(
                {
                    **base,
                    "bold": True,
                    "font_size": 20,
                    "align": "center",
                    "font_color": HEADER_FILL,
                }
            ),
            "big_label": add(
                {**base, "align": "center", "text_wrap": True, "font_color": "#595959"}
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
        for stage in self.fw.stages:
            colour = self.colours[stage.id]
            f[f"stage:{stage.id}"] = add(
                {**centre, "bg_color": colour, "text_wrap": True, "bold": True}
            )
            f[f"stage_head:{stage.id}"] = add(
                {**centre, "bg_color": colour, "bold": True, "text_wrap": True, "valign": "vcenter"}
            )
        for status, colour in STATUS_FILLS.items():
            f[f"status:{status}"] = add({**centre, "bg_color": colour, "bold": True})
        return f

    # helpers -------------------------------------------------------------------------
    def _sheet(self, name: str) -> _Sheet:
        ws = self.wb.add_worksheet(name, worksheet_class=_StreamingWorksheet)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L{self.fw.title.replace('&', '&&')[:100]}&C&A&RPage &P of &N")
        return _Sheet(ws)

    def _title(self, sh: _Sheet, title: str, subtitle: str) -> None:
        sh.ws.set_row(0, 24)
        sh.ws.write_string(0, 0, title, self.f["title"])
        sh.ws.write_string(1, 0, subtitle, self.f["subtitle"])
        sh.row = 3

    def _line(self, sh: _Sheet, cells: Sequence[Cell], *, height: float | None = None) -> None:
        """Write one row of CELLS at the cursor and move down."""
        ws, row, cell = sh.ws, sh.row, self._cell
        if height is not None:
            ws.set_row(row, height)
        for col, value in enumerate(cells):
            cell(ws, row, col, value)
        sh.row = row + 1

    def _text_line(self, sh: _Sheet, text: str, fmt: str) -> None:
        sh.ws.write_string(sh.row, 0, text, self.f[fmt])
        sh.row += 1

    def _headers(self, sh: _Sheet, headers: Sequence[Cell], height: float = 30) -> None:
        sh.ws.set_row(sh.row, height)
        for col, text in enumerate(headers):
            if isinstance(text, tuple):
                sh.ws.write_string(sh.row, col, text[1], self.f[text[0]])
            else:
                sh.ws.write_string(sh.row, col, text, self.f["header"])
        sh.row += 1

    def _cell(self, ws: Worksheet, row: int, col: int, value: Cell) -> None:
        if type(value) is str:  # the common case first: most cells are text
            if value:
                ws.write_string(row, col, value, self.text_format)
            else:
                ws.write_blank(row, col, None, self.text_format)
            return
        f = self.f
        if isinstance(value, tuple):
            kind, v = value
            if kind == "stage":
                label, fmt = self.stage_cells[v or ""]
                ws.write_string(row, col, label, fmt)
            elif kind == "status":
                ws.write_string(row, col, v, f[f"status:{v}"])
            elif isinstance(v, int | float):
                ws.write_number(row, col, v, f[kind])
            else:
                ws.write_string(row, col, str(v), f[kind])
        elif isinstance(value, bool):
            ws.write_string(row, col, "yes" if value else "no", f["num"])
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, f["num"])
        elif value is None:
            ws.write_blank(row, col, None, self.text_format)
        else:
            ws.write_string(row, col, str(value), self.text_format)

    def _room(self, sh: _Sheet, n: int) -> int:
        """How many of N rows fit below the cursor, leaving a row for a note."""
        return min(n, EXCEL_MAX_ROWS - sh.row - 2)

    def _truncation_note(self, sh: _Sheet, shown: int, total: int, what: str) -> None:
        if shown < total:
            self._text_line(
                sh,
                f"Only the first {shown:,} of {total:,} {what} fit in a sheet; the CSV files "
                "(--data) hold all of them.",
                "subtitle",
            )

    def _stats(self) -> str:
        return (
            f"{self.fw.title} · framework version {self.fw.version} · generated "
            f"{self.generated_at.strftime('%Y-%m-%d %H:%M')} UTC by xlsxkit {__version__}"
        )

    # sheets --------------------------------------------------------------------------
    def write(self) -> None:
        overview = self._sheet("Overview")
        self._overview(overview)
        self._heatmap(self._sheet("Heatmap"))
        for d in self.fw.dimensions:
            self._dimension(self._sheet(self.dim_sheets[d.id]), d.id)
        self._next_steps(self._sheet("Next steps"))
        self._comments(self._sheet("Comments"))
        self._returns(self._sheet("Returns"))
        self._problems(self._sheet("Problems"))
        self._data_stages(self._sheet("Data (stages)"))
        self._data_actions(self._sheet("Data (actions)"))
        overview.ws.activate()
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

    def _stage_chart(
        self,
        sheet: str,
        head_row: int,
        first: int,
        last: int,
        first_col: int,
        title: str,
        axis: str,
    ) -> tuple[Any, int]:
        """A stacked bar chart of the stage counts in columns FIRST_COL.. (stages, then
        'Not assessed'), one bar per row FIRST..LAST, categories in column 0."""
        chart = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        fills = [*(self.colours[st.id] for st in self.fw.stages), NOT_ASSESSED_FILL]
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

    def _overview(self, sh: _Sheet) -> None:
        s, fw = self.s, self.fw
        self._title(sh, f"{fw.title}: partnership progress", self._stats())
        sh.ws.set_column(0, 0, 30)
        sh.ws.set_column(1, len(fw.stages) + 3, 14)
        counts = s.counts
        known = s.expected is not None
        tiles = [
            ("Expected", str(s.expected) if known else "–"),
            ("Received", str(len(s.orgs))),
            ("Missing", str(counts.get(ReturnStatus.MISSING, 0)) if known else "–"),
            ("Rejected files", str(counts.get(ReturnStatus.REJECTED, 0))),
            (
                "Superseded / duplicate",
                str(counts.get(ReturnStatus.SUPERSEDED, 0) + counts.get(ReturnStatus.DUPLICATE, 0)),
            ),
            (
                "Actions done",
                f"{s.actions_done / s.actions_possible:.0%}" if s.actions_possible else "–",
            ),
        ]
        self._text_line(sh, "Returns", "heading")
        self._line(sh, [("big", v) for _, v in tiles], height=30)
        self._line(sh, [("big_label", label) for label, _ in tiles], height=30)
        self._text_line(
            sh,
            f"{len(s.orgs)} of {s.expected} organisations have returned an accepted workbook."
            if known
            else "Expected and missing come from the manifest (--manifest); without it they "
            "are not known.",
            "subtitle",
        )
        sh.skip()
        self._text_line(sh, "Stages reached across the partnership", "heading")
        self._text_line(
            sh,
            "Number of success-criterion answers at each stage, over all organisations.",
            "subtitle",
        )
        head_row = sh.row
        self._headers(
            sh,
            [
                "Area",
                *((f"stage_head:{st.id}", st.label) for st in fw.stages),
                "Not assessed",
                "Answers",
            ],
            32,
        )
        first = sh.row
        for d in fw.dimensions:
            c = s.dimension_stages[d.id]
            self._line(
                sh,
                [
                    ("bold", d.name),
                    *(c[st.id] for st in fw.stages),
                    c[NOT_ASSESSED],
                    ("num_bold", sum(c.values())),
                ],
            )
        last = sh.row - 1
        sh.skip()
        self._text_line(sh, "Suggested actions done", "heading")
        self._headers(sh, ["Area", "Actions done", "Possible", "% done"], 20)
        n_orgs = len(s.orgs)
        for d in fw.dimensions:
            done = sum(s.action_rates[a.id].done for a in d.actions)
            possible = n_orgs * len(d.actions)
            self._line(
                sh, [("bold", d.name), done, possible, ("pct", done / possible if possible else 0)]
            )
        total = s.actions_done / s.actions_possible if s.actions_possible else 0
        self._line(sh, [("bold", "All areas"), s.actions_done, s.actions_possible, ("pct", total)])
        sh.skip()
        chart, _ = self._stage_chart(
            "Overview", head_row, first, last, 1, "Stage reached, by area", "Criterion answers"
        )
        sh.ws.insert_chart(sh.row, 0, chart)

    def _heatmap(self, sh: _Sheet) -> None:
        s, fw = self.s, self.fw
        self._title(
            sh,
            "Heatmap: stage reached by each organisation",
            "Each cell names the stage; the colour repeats it. The last columns give the share "
            "of each area's suggested actions that are done.",
        )
        criteria = [(d, i, c) for d in fw.dimensions for i, c in enumerate(d.criteria, start=1)]
        ws = sh.ws
        ws.set_column(0, 0, 32)
        ws.set_column(1, len(criteria), 17)
        ws.set_column(len(criteria) + 1, len(criteria) + len(fw.dimensions), 12)
        head = sh.row
        self._headers(
            sh,
            [
                "Organisation",
                *(f"{d.name} {i}" for d, i, _ in criteria),
                *(f"{d.name}: % actions done" for d in fw.dimensions),
            ],
            32,
        )
        texts = [
            "",
            *((c.text if len(c.text) <= 90 else c.text[:89] + "…") for _, _, c in criteria),
        ]
        self._line(sh, [*texts, *([""] * len(fw.dimensions))], height=110)
        ws.freeze_panes(sh.row, 1)
        ws.repeat_rows(head, sh.row - 1)
        first = sh.row
        n = self._room(sh, len(s.orgs))
        for org in s.orgs[:n]:
            lines = estimate_lines(org.org_name, 30)
            self._line(
                sh,
                [
                    ("bold", org.org_name),
                    *(("stage", org.stages[c.id]) for _, _, c in criteria),
                    *(("pct", s.org_dimension_done[(org.org_id, d.id)]) for d in fw.dimensions),
                ],
                height=15.0 * lines + 2 if lines > 1 else None,
            )
        if s.orgs:
            col = len(criteria) + 1
            ws.conditional_format(first, col, sh.row - 1, col + len(fw.dimensions) - 1, DATA_BAR)
        else:
            self._text_line(sh, "No accepted returns yet.", "subtitle")
        self._truncation_note(sh, n, len(s.orgs), "organisations")

    def _dimension(self, sh: _Sheet, dimension_id: str) -> None:
        s, fw = self.s, self.fw
        d = fw.dimension(dimension_id)
        name = self.dim_sheets[dimension_id]
        self._title(sh, d.name, f"{len(s.orgs)} organisations · {self._stats()}")
        ws = sh.ws
        ws.set_column(0, 0, 13)
        ws.set_column(1, 1, 60)
        ws.set_column(2, len(fw.stages) + 3, 13)
        self._text_line(sh, "Stage reached, by success criterion", "heading")
        head_row = sh.row
        self._headers(
            sh,
            [
                "",
                "Success criterion",
                *((f"stage_head:{st.id}", st.label) for st in fw.stages),
                "Not assessed",
            ],
            32,
        )
        first = sh.row
        for i, c in enumerate(d.criteria, start=1):
            counts = s.criterion_stages[c.id]
            self._line(
                sh,
                [
                    ("bold", f"Criterion {i}"),
                    c.text,
                    *(counts[st.id] for st in fw.stages),
                    counts[NOT_ASSESSED],
                ],
                height=15 * max(1, -(-len(c.text) // 58)) + 3,
            )
        last = sh.row - 1
        sh.skip()
        chart, height = self._stage_chart(
            name,
            head_row,
            first,
            last,
            2,
            f"{d.name}: organisations at each stage",
            "Organisations",
        )
        ws.insert_chart(sh.row, 0, chart)
        sh.skip(int(height / 20) + 2)

        self._text_line(sh, "Suggested actions, least done first", "heading")
        self._text_line(
            sh,
            "Share of organisations that have ticked each action; those nobody has done yet "
            "come first.",
            "subtitle",
        )
        self._headers(sh, ["Criterion", "Suggested action", "Stage", "Done by", "Of", "% done"])
        number = {c.id: i for i, c in enumerate(d.criteria, start=1)}
        rates = sorted(
            d.actions,
            key=lambda a: (s.action_rates[a.id].rate, fw.stage(a.stage_id).index, a.id),
        )
        first_rate = sh.row
        for a in rates:
            rate = s.action_rates[a.id]
            self._line(
                sh,
                [
                    f"Criterion {number[a.criterion_id]}",
                    a.text,
                    ("stage", a.stage_id),
                    rate.done,
                    rate.organisations,
                    ("pct", rate.rate),
                ],
                height=15 * max(1, -(-len(a.text) // 58)) + 3,
            )
        if rates:
            ws.conditional_format(first_rate, 5, sh.row - 1, 5, DATA_BAR)

    def _list_sheet(
        self,
        sh: _Sheet,
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
        self._title(sh, title, subtitle)
        for col, width in enumerate(widths):
            sh.ws.set_column(col, col, width)
        head = sh.row
        self._headers(sh, headers)
        sh.ws.freeze_panes(sh.row, 0)
        sh.ws.repeat_rows(head)
        room = EXCEL_MAX_ROWS - sh.row - 2
        shown = total = 0
        ws, cell, fmt = sh.ws, self._cell, self.f["list"]
        nowrap = self.f["list_nowrap"]
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
                ws.set_row(row, 15.0 * min(lines, 26) + 2)
            sh.row = row + 1
            shown += 1
        if shown:
            sh.ws.autofilter(head, 0, sh.row - 1, len(headers) - 1)
        else:
            self._text_line(sh, empty, "subtitle")
        self._truncation_note(sh, shown, total, what)

    def _dim_name(self, dimension_id: str) -> str:
        return self.fw.dimension(dimension_id).name

    def _next_steps(self, sh: _Sheet) -> None:
        fw = self.fw

        def rows() -> Iterable[Sequence[Cell]]:
            for n in self.s.next_steps():
                crit = fw.criterion(n.criterion_id).text
                if n.action_id:
                    yield (
                        n.org_name,
                        self._dim_name(n.dimension_id),
                        crit,
                        ("stage", n.current_stage_id),
                        ("stage", n.action_stage_id),
                        fw.action(n.action_id).text,
                        n.notes,
                        n.lead,
                        n.target_date,
                    )
                else:
                    yield (
                        n.org_name,
                        self._dim_name(n.dimension_id),
                        crit,
                        ("stage", None),
                        "",
                        "Assess this criterion first: no stage was chosen",
                        "",
                        "",
                        "",
                    )

        self._list_sheet(
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

    def _comments(self, sh: _Sheet) -> None:
        fw = self.fw

        def item_text(item_id: str) -> str:
            if fw.has_criterion(item_id):
                return fw.criterion(item_id).text
            return fw.action(item_id).text

        self._list_sheet(
            sh,
            "Comments, evidence, notes, leads and dates",
            "Everything the partners wrote, as they wrote it (shown as text, never run).",
            ["Organisation", "Area", "Item", "Kind", "What they wrote"],
            [26, 14, 50, 12, 70],
            (
                (c.org_name, self._dim_name(c.dimension_id), item_text(c.item_id), c.kind, c.text)
                for c in self.s.comments()
            ),
            "comments",
            empty="No comments yet.",
        )

    def _returns(self, sh: _Sheet) -> None:
        s = self.s
        self._list_sheet(
            sh,
            "Returns: every file and its verdict",
            "Each file found under the sources, once, with what happened to it and why.",
            ["File", "Status", "Organisation", "Org id", "Saved at", "Reason", "sha256"],
            [40, 12, 26, 16, 26, 60, 66],
            (
                (
                    r.source,
                    ("status", r.status),
                    r.org_name,
                    r.org_id,
                    r.saved_at,
                    r.reason,
                    r.sha256,
                )
                for r in s.returns
            ),
            "files",
            empty="No files were found.",
            no_wrap=frozenset({4, 6}),
        )
        sh.skip()
        self._text_line(sh, "Missing: sent a workbook, none came back", "heading")
        if s.expected is None:
            self._text_line(
                sh, "Not known: give --manifest to see who has not returned.", "subtitle"
            )
            return
        if not s.missing:
            self._text_line(sh, "Nobody is missing.", "subtitle")
            return
        self._headers(sh, ["Organisation", "Status", "Org id", "Contact", "Email", "Reason"], 20)
        for m in s.missing:
            self._line(
                sh,
                (
                    m.org_name,
                    ("status", ReturnStatus.MISSING),
                    m.org_id,
                    m.contact,
                    m.email,
                    missing_reason(m.contact, m.email),
                ),
            )

    def _problems(self, sh: _Sheet) -> None:
        problems = self.s.problems
        self._list_sheet(
            sh,
            "Problems: every warning and rejection",
            "Where each problem is (file, sheet, cell) and what to do about it.",
            ["File", "Organisation", "Severity", "Code", "Sheet", "Cell", "Message"],
            [36, 24, 10, 20, 14, 8, 80],
            (
                (
                    p.source,
                    self.org_names.get(p.org_id, p.org_id),
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

    def _excel_table(
        self,
        sh: _Sheet,
        name: str,
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[str | int | bool | None]],
        total: int,
    ) -> None:
        """An Excel table with filters, its cells written row by row as plain values."""
        self._title(
            sh, title, "An Excel table: use the arrows in the header row to filter and sort."
        )
        ws = sh.ws
        for col, header in enumerate(headers):
            ws.set_column(col, col, DATA_WIDTHS.get(header, 18))
        n = self._room(sh, total)
        if n == 0:
            self._text_line(sh, "No accepted returns yet.", "subtitle")
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
        boolean = self.f["boolean"]  # TRUE/FALSE in every app (LibreOffice shows 1/0 bare)
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
        self._truncation_note(sh, n, total, "rows")

    def _data_stages(self, sh: _Sheet) -> None:
        self._excel_table(
            sh,
            "Stages",
            "Data: one row per organisation and success criterion",
            STAGES_COLUMNS,
            (
                (
                    r.org_id,
                    r.org_name,
                    r.dimension_id,
                    r.criterion_id,
                    r.stage_id,
                    r.stage_label,
                    r.stage_index,
                    r.comment,
                )
                for r in self.s.stage_rows()
            ),
            self.s.n_stage_rows,
        )

    def _data_actions(self, sh: _Sheet) -> None:
        self._excel_table(
            sh,
            "Actions",
            "Data: one row per organisation and suggested action",
            ACTIONS_COLUMNS,
            (
                (
                    r.org_id,
                    r.org_name,
                    r.dimension_id,
                    r.criterion_id,
                    r.stage_id,
                    r.action_id,
                    r.done,
                    r.notes,
                    r.lead,
                    r.target_date,
                )
                for r in self.s.action_rows()
            ),
            self.s.n_action_rows,
        )


def write_summary(
    summary: Summary,
    path: Path,
    *,
    generated_at: dt.datetime | None = None,
    tmpdir: Path | None = None,
) -> None:
    """Write the summary workbook to PATH (XlsxWriter's temporary files in TMPDIR)."""
    _Writer(summary, path, generated_at or dt.datetime.now(dt.UTC), tmpdir).write()
