"""Write the consolidated summary workbook (XlsxWriter) from the summary model.

Every string that came from a return is written with ``write_string``: it is text, never a
formula. The workbook holds no formulas at all; every figure is computed by
:mod:`xlsxkit.consolidate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlsxkit import __version__
from xlsxkit.consolidate import NOT_ASSESSED, Summary
from xlsxkit.data import missing_reason
from xlsxkit.model import ReturnStatus
from xlsxkit.names import make_sheet_names
from xlsxkit.workbook import HEADER_FILL, stage_colours

EXCEL_MAX_ROWS = 1_048_576
NOT_ASSESSED_FILL = "#D9D9D9"
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


class _Writer:
    def __init__(self, summary: Summary, path: Path, generated_at: dt.datetime) -> None:
        self.s = summary
        self.fw = summary.framework
        self.generated_at = generated_at
        self.wb: Workbook = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": False,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.colours = stage_colours(self.fw.stages)
        self.f = self._formats()
        dim_names = make_sheet_names([d.name for d in self.fw.dimensions], reserved=SHEETS)
        self.dim_sheets = dict(zip([d.id for d in self.fw.dimensions], dim_names, strict=True))
        self.org_names = {o.org_id: o.org_name for o in summary.orgs}

    def _formats(self) -> dict[str, Format]:
        wb = self.wb
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        border = {"border": 1, "border_color": "#BFBFBF"}
        f = {
            "title": wb.add_format(
                {**base, "bold": True, "font_size": 16, "font_color": HEADER_FILL}
            ),
            "subtitle": wb.add_format({**base, "italic": True, "font_color": "#595959"}),
            "heading": wb.add_format(
                {**base, "bold": True, "font_size": 13, "font_color": HEADER_FILL}
            ),
            "header": wb.add_format(
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
            "text": wb.add_format({**base, **border, "text_wrap": True}),
            "text_plain": wb.add_format({**base, "text_wrap": True}),
            "bold": wb.add_format({**base, **border, "bold": True, "text_wrap": True}),
            "num": wb.add_format({**base, **border, "align": "center"}),
            "num_bold": wb.add_format({**base, **border, "align": "center", "bold": True}),
            "pct": wb.add_format({**base, **border, "align": "center", "num_format": "0%"}),
            "pct_bold": wb.add_format(
                {**base, **border, "align": "center", "num_format": "0%", "bold": True}
            ),
            "big": wb.add_format(
                {
                    **base,
                    "bold": True,
                    "font_size": 20,
                    "align": "center",
                    "font_color": HEADER_FILL,
                }
            ),
            "big_label": wb.add_format(
                {**base, "align": "center", "text_wrap": True, "font_color": "#595959"}
            ),
            "not_assessed": wb.add_format(
                {
                    **base,
                    **border,
                    "italic": True,
                    "bg_color": NOT_ASSESSED_FILL,
                    "align": "center",
                    "font_color": "#404040",
                    "text_wrap": True,
                }
            ),
        }
        for stage in self.fw.stages:
            f[f"stage:{stage.id}"] = wb.add_format(
                {
                    **base,
                    **border,
                    "bg_color": self.colours[stage.id],
                    "align": "center",
                    "text_wrap": True,
                    "bold": True,
                }
            )
            f[f"stage_head:{stage.id}"] = wb.add_format(
                {
                    **base,
                    **border,
                    "bg_color": self.colours[stage.id],
                    "bold": True,
                    "text_wrap": True,
                    "valign": "vcenter",
                    "align": "center",
                }
            )
        for status, colour in STATUS_FILLS.items():
            f[f"status:{status}"] = wb.add_format(
                {**base, **border, "bg_color": colour, "bold": True, "align": "center"}
            )
        return f

    # helpers -------------------------------------------------------------------------
    def _sheet(self, name: str, *, landscape: bool = True) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        if landscape:
            ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L{self.fw.title.replace('&', '&&')[:100]}&C&A&RPage &P of &N")
        return ws

    def _title(self, ws: Worksheet, title: str, subtitle: str) -> None:
        ws.write_string(0, 0, title, self.f["title"])
        ws.set_row(0, 24)
        ws.write_string(1, 0, subtitle, self.f["subtitle"])

    def _headers(self, ws: Worksheet, row: int, headers: Sequence[str], height: float = 30) -> None:
        for col, text in enumerate(headers):
            ws.write_string(row, col, text, self.f["header"])
        ws.set_row(row, height)

    def _stage_cell(self, ws: Worksheet, row: int, col: int, stage_id: str | None) -> None:
        if stage_id:
            ws.write_string(row, col, self.fw.stage(stage_id).label, self.f[f"stage:{stage_id}"])
        else:
            ws.write_string(row, col, "Not assessed", self.f["not_assessed"])

    def _capped(self, ws: Worksheet, first_row: int, n: int, what: str) -> int:
        """How many of N rows fit below FIRST_ROW; notes any that do not."""
        room = EXCEL_MAX_ROWS - first_row - 2
        if n > room:
            ws.write_string(
                first_row - 1,
                0,
                f"Only the first {room:,} of {n:,} {what} fit in Excel; see the CSV files "
                "(--data) for all of them.",
                self.f["subtitle"],
            )
            return room
        return n

    def _stats(self) -> str:
        return (
            f"{self.fw.title} · framework version {self.fw.version} · generated "
            f"{self.generated_at.strftime('%Y-%m-%d %H:%M')} UTC by xlsxkit {__version__}"
        )

    # sheets --------------------------------------------------------------------------
    def write(self) -> None:
        overview = self._sheet("Overview")
        heatmap = self._sheet("Heatmap")
        dim_ws = {d.id: self._sheet(self.dim_sheets[d.id]) for d in self.fw.dimensions}
        self._overview(overview)
        self._heatmap(heatmap)
        for d in self.fw.dimensions:
            self._dimension(dim_ws[d.id], d.id)
        self._next_steps(self._sheet("Next steps"))
        self._comments(self._sheet("Comments"))
        self._returns(self._sheet("Returns"))
        self._problems(self._sheet("Problems"))
        self._data_stages(self._sheet("Data (stages)"))
        self._data_actions(self._sheet("Data (actions)"))
        overview.activate()
        self.wb.set_properties(
            {
                "title": f"{self.fw.title}: progress summary",
                "author": "xlsxkit",
                "comments": f"Generated by xlsxkit {__version__}",
                "created": self.generated_at.replace(tzinfo=None),
            }
        )
        self.wb.close()

    def _overview(self, ws: Worksheet) -> None:
        s, f, fw = self.s, self.f, self.fw
        self._title(ws, f"{fw.title}: partnership progress", self._stats())
        ws.set_column(0, 0, 30)
        ws.set_column(1, len(fw.stages) + 3, 14)
        counts = s.counts
        tiles = [
            ("Expected", str(s.expected) if s.expected is not None else "–"),
            ("Received", str(len(s.orgs))),
            (
                "Missing",
                str(counts.get(ReturnStatus.MISSING, 0)) if s.expected is not None else "–",
            ),
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
        ws.write_string(3, 0, "Returns", f["heading"])
        for i, (label, value) in enumerate(tiles):
            ws.write_string(4, i, value, f["big"])
            ws.write_string(5, i, label, f["big_label"])
        ws.set_row(4, 30)
        ws.set_row(5, 30)
        note = (
            "Expected and missing come from the manifest (--manifest); without it they are "
            "not known."
            if s.expected is None
            else f"{len(s.orgs)} of {s.expected} organisations have returned an accepted workbook."
        )
        ws.write_string(6, 0, note, f["subtitle"])

        row = 8
        ws.write_string(row, 0, "Stages reached across the partnership", f["heading"])
        row += 1
        ws.write_string(
            row,
            0,
            "Number of success-criterion answers at each stage, over all organisations.",
            f["subtitle"],
        )
        row += 1
        headers = ["Area", *(st.label for st in fw.stages), "Not assessed", "Answers"]
        for col, text in enumerate(headers):
            fmt = (
                f[f"stage_head:{fw.stages[col - 1].id}"]
                if 1 <= col <= len(fw.stages)
                else f["header"]
            )
            ws.write_string(row, col, text, fmt)
        ws.set_row(row, 32)
        head_row = row
        row += 1
        first = row
        for d in fw.dimensions:
            counts_d = s.dimension_stages[d.id]
            ws.write_string(row, 0, d.name, f["bold"])
            for i, st in enumerate(fw.stages, start=1):
                ws.write_number(row, i, counts_d[st.id], f["num"])
            ws.write_number(row, len(fw.stages) + 1, counts_d[NOT_ASSESSED], f["num"])
            ws.write_number(row, len(fw.stages) + 2, sum(counts_d.values()), f["num_bold"])
            row += 1
        last = row - 1
        row += 1
        ws.write_string(row, 0, "Suggested actions done", f["heading"])
        row += 1
        self._headers(ws, row, ["Area", "Actions done", "Possible", "% done"], 20)
        row += 1
        n_orgs = len(s.orgs)
        for d in fw.dimensions:
            done = sum(s.action_rates[a.id].done for a in d.actions)
            possible = n_orgs * len(d.actions)
            ws.write_string(row, 0, d.name, f["bold"])
            ws.write_number(row, 1, done, f["num"])
            ws.write_number(row, 2, possible, f["num"])
            ws.write_number(row, 3, done / possible if possible else 0, f["pct"])
            row += 1
        ws.write_string(row, 0, "All areas", f["bold"])
        ws.write_number(row, 1, s.actions_done, f["num_bold"])
        ws.write_number(row, 2, s.actions_possible, f["num_bold"])
        ws.write_number(
            row, 3, s.actions_done / s.actions_possible if s.actions_possible else 0, f["pct_bold"]
        )
        row += 1
        chart = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        sheet = "Overview"
        for i, st in enumerate(fw.stages, start=1):
            chart.add_series(
                {
                    "name": [sheet, head_row, i],
                    "categories": [sheet, first, 0, last, 0],
                    "values": [sheet, first, i, last, i],
                    "fill": {"color": self.colours[st.id]},
                    "border": {"color": "#7F7F7F"},
                }
            )
        chart.add_series(
            {
                "name": [sheet, head_row, len(fw.stages) + 1],
                "categories": [sheet, first, 0, last, 0],
                "values": [sheet, first, len(fw.stages) + 1, last, len(fw.stages) + 1],
                "fill": {"color": NOT_ASSESSED_FILL},
                "border": {"color": "#7F7F7F"},
            }
        )
        chart.set_title({"name": "Stage reached, by area", "name_font": {"size": 12}})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"name": "Criterion answers", "min": 0})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 760, "height": 90 + 45 * len(fw.dimensions) + 60})
        row += 2
        ws.insert_chart(row, 0, chart)
        row += int((90 + 45 * len(fw.dimensions) + 60) / 20) + 2

    def _heatmap(self, ws: Worksheet) -> None:
        s, f, fw = self.s, self.f, self.fw
        self._title(
            ws,
            "Heatmap: stage reached by each organisation",
            "Each cell names the stage; the colour repeats it. The last columns give the share "
            "of each area's suggested actions that are done.",
        )
        criteria = [(d, i, c) for d in fw.dimensions for i, c in enumerate(d.criteria, start=1)]
        ws.merge_range(3, 0, 4, 0, "", f["header"])
        ws.write_string(3, 0, "Organisation", f["header"])
        ws.set_column(0, 0, 32)
        ws.set_column(1, len(criteria), 17)
        ws.set_column(len(criteria) + 1, len(criteria) + len(fw.dimensions), 12)
        for col, (d, i, c) in enumerate(criteria, start=1):
            ws.write_string(3, col, f"{d.name} {i}", f["header"])
            ws.write_string(4, col, c.text if len(c.text) <= 90 else c.text[:89] + "…", f["text"])
        for j, d in enumerate(fw.dimensions):
            col = len(criteria) + 1 + j
            ws.write_string(3, col, f"{d.name}: % actions done", f["header"])
            ws.write_string(4, col, "", f["text"])
        ws.set_row(3, 32)
        ws.set_row(4, 110)
        ws.freeze_panes(5, 1)
        ws.repeat_rows(3, 4)
        row = 5
        n = self._capped(ws, row, len(s.orgs), "organisations")
        for org in s.orgs[:n]:
            ws.write_string(row, 0, org.org_name, f["bold"])
            for col, (_d, _i, c) in enumerate(criteria, start=1):
                self._stage_cell(ws, row, col, org.stages[c.id])
            for j, d in enumerate(fw.dimensions):
                ws.write_number(
                    row, len(criteria) + 1 + j, s.org_dimension_done[(org.org_id, d.id)], f["pct"]
                )
            row += 1
        if s.orgs:
            first_pct = len(criteria) + 1
            ws.conditional_format(
                5,
                first_pct,
                row - 1,
                first_pct + len(fw.dimensions) - 1,
                {
                    "type": "data_bar",
                    "bar_color": "#70AD47",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            )
        else:
            ws.write_string(row, 0, "No accepted returns yet.", f["subtitle"])

    def _dimension(self, ws: Worksheet, dimension_id: str) -> None:
        s, f, fw = self.s, self.f, self.fw
        d = fw.dimension(dimension_id)
        name = self.dim_sheets[dimension_id]
        self._title(ws, f"{d.name}", f"{len(s.orgs)} organisations · {self._stats()}")
        ws.set_column(0, 0, 13)
        ws.set_column(1, 1, 60)
        ws.set_column(2, len(fw.stages) + 3, 13)
        row = 3
        ws.write_string(row, 0, "Stage reached, by success criterion", f["heading"])
        row += 1
        headers = ["", "Success criterion", *(st.label for st in fw.stages), "Not assessed"]
        for col, text in enumerate(headers):
            fmt = (
                f[f"stage_head:{fw.stages[col - 2].id}"]
                if 2 <= col < 2 + len(fw.stages)
                else f["header"]
            )
            ws.write_string(row, col, text, fmt)
        ws.set_row(row, 32)
        head_row = row
        row += 1
        first = row
        for i, c in enumerate(d.criteria, start=1):
            counts = s.criterion_stages[c.id]
            ws.write_string(row, 0, f"Criterion {i}", f["bold"])
            ws.write_string(row, 1, c.text, f["text"])
            for j, st in enumerate(fw.stages, start=2):
                ws.write_number(row, j, counts[st.id], f["num"])
            ws.write_number(row, len(fw.stages) + 2, counts[NOT_ASSESSED], f["num"])
            ws.set_row(row, 15 * max(1, -(-len(c.text) // 58)) + 3)
            row += 1
        last = row - 1
        chart = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
        series_cols = [*range(2, len(fw.stages) + 3)]
        fills = [*(self.colours[st.id] for st in fw.stages), NOT_ASSESSED_FILL]
        for col, fill in zip(series_cols, fills, strict=True):
            chart.add_series(
                {
                    "name": [name, head_row, col],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, col, last, col],
                    "fill": {"color": fill},
                    "border": {"color": "#7F7F7F"},
                }
            )
        chart.set_title(
            {"name": f"{d.name}: organisations at each stage", "name_font": {"size": 12}}
        )
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"name": "Organisations", "min": 0})
        chart.set_legend({"position": "bottom"})
        height = 110 + 40 * len(d.criteria) + 40
        chart.set_size({"width": 760, "height": height})
        row += 1
        ws.insert_chart(row, 0, chart)
        row += int(height / 20) + 2

        ws.write_string(row, 0, "Suggested actions, least done first", f["heading"])
        row += 1
        ws.write_string(
            row,
            0,
            "Share of organisations that have ticked each action; those nobody has done yet "
            "come first.",
            f["subtitle"],
        )
        row += 1
        self._headers(
            ws, row, ["Criterion", "Suggested action", "Stage", "Done by", "Of", "% done"]
        )
        row += 1
        crit_number = {c.id: i for i, c in enumerate(d.criteria, start=1)}
        rates = sorted(
            d.actions,
            key=lambda a: (s.action_rates[a.id].rate, fw.stage(a.stage_id).index, a.id),
        )
        first_rate = row
        for a in rates:
            rate = s.action_rates[a.id]
            ws.write_string(row, 0, f"Criterion {crit_number[a.criterion_id]}", f["text"])
            ws.write_string(row, 1, a.text, f["text"])
            ws.write_string(row, 2, fw.stage(a.stage_id).label, f[f"stage:{a.stage_id}"])
            ws.write_number(row, 3, rate.done, f["num"])
            ws.write_number(row, 4, rate.organisations, f["num"])
            ws.write_number(row, 5, rate.rate, f["pct"])
            ws.set_row(row, 15 * max(1, -(-len(a.text) // 58)) + 3)
            row += 1
        if rates:
            ws.conditional_format(
                first_rate,
                5,
                row - 1,
                5,
                {
                    "type": "data_bar",
                    "bar_color": "#70AD47",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            )

    def _table_sheet(
        self,
        ws: Worksheet,
        title: str,
        subtitle: str,
        headers: Sequence[str],
        widths: Sequence[float],
        rows: Sequence[Sequence[Any]],
        what: str,
        *,
        empty: str,
    ) -> int:
        """A titled list with headers, filters and frozen headings. Returns the next row."""
        self._title(ws, title, subtitle)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        self._headers(ws, 3, headers)
        ws.freeze_panes(4, 0)
        ws.repeat_rows(3)
        row = 4
        n = self._capped(ws, row, len(rows), what)
        for values in rows[:n]:
            for col, value in enumerate(values):
                self._cell(ws, row, col, value)
            row += 1
        if rows:
            ws.autofilter(3, 0, row - 1, len(headers) - 1)
        else:
            ws.write_string(row, 0, empty, self.f["subtitle"])
            row += 1
        return row

    def _cell(self, ws: Worksheet, row: int, col: int, value: Any) -> None:
        f = self.f
        if isinstance(value, tuple) and value and value[0] == "stage":
            self._stage_cell(ws, row, col, value[1])
        elif isinstance(value, tuple) and value and value[0] == "status":
            ws.write_string(row, col, value[1], f[f"status:{value[1]}"])
        elif isinstance(value, bool):
            ws.write_string(row, col, "yes" if value else "no", f["num"])
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, f["num"])
        elif value is None:
            ws.write_blank(row, col, None, f["text"])
        else:
            ws.write_string(row, col, str(value), f["text"])

    def _dim_name(self, dimension_id: str) -> str:
        return self.fw.dimension(dimension_id).name

    def _next_steps(self, ws: Worksheet) -> None:
        fw = self.fw
        rows: list[tuple[Any, ...]] = []
        for n in self.s.next_steps:
            crit = fw.criterion(n.criterion_id)
            if n.action_id:
                action = fw.action(n.action_id)
                rows.append(
                    (
                        n.org_name,
                        self._dim_name(n.dimension_id),
                        crit.text,
                        ("stage", n.current_stage_id),
                        ("stage", n.action_stage_id),
                        action.text,
                        n.notes,
                        n.lead,
                        n.target_date,
                    )
                )
            else:
                rows.append(
                    (
                        n.org_name,
                        self._dim_name(n.dimension_id),
                        crit.text,
                        ("stage", None),
                        "",
                        "Assess this criterion first: no stage was chosen",
                        "",
                        "",
                        "",
                    )
                )
        self._table_sheet(
            ws,
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
            rows,
            "next steps",
            empty="Nothing to list: no accepted returns, or every action is done.",
        )

    def _comments(self, ws: Worksheet) -> None:
        fw = self.fw
        rows = []
        for c in self.s.comments:
            text = (
                fw.criterion(c.item_id).text
                if fw.has_criterion(c.item_id)
                else fw.action(c.item_id).text
            )
            rows.append((c.org_name, self._dim_name(c.dimension_id), text, c.kind, c.text))
        self._table_sheet(
            ws,
            "Comments, evidence, notes, leads and dates",
            "Everything the partners wrote, as they wrote it (shown as text, never run).",
            ["Organisation", "Area", "Item", "Kind", "What they wrote"],
            [26, 14, 50, 12, 70],
            rows,
            "comments",
            empty="No comments yet.",
        )

    def _returns(self, ws: Worksheet) -> None:
        s = self.s
        rows = [
            (r.source, ("status", r.status), r.org_name, r.org_id, r.saved_at, r.reason, r.sha256)
            for r in s.returns
        ]
        row = self._table_sheet(
            ws,
            "Returns: every file and its verdict",
            "Each file found under the sources, once, with what happened to it and why.",
            ["File", "Status", "Organisation", "Org id", "Saved at", "Reason", "sha256"],
            [40, 12, 26, 16, 20, 60, 20],
            rows,
            "files",
            empty="No files were found.",
        )
        row += 1
        ws.write_string(row, 0, "Missing: sent a workbook, none came back", self.f["heading"])
        row += 1
        if s.expected is None:
            ws.write_string(
                row,
                0,
                "Not known: give --manifest to see who has not returned.",
                self.f["subtitle"],
            )
            return
        if not s.missing:
            ws.write_string(row, 0, "Nobody is missing.", self.f["subtitle"])
            return
        self._headers(
            ws, row, ["Organisation", "Status", "Org id", "Contact", "Email", "Reason"], 20
        )
        row += 1
        for m in s.missing:
            for col, value in enumerate(
                (
                    m.org_name,
                    ("status", ReturnStatus.MISSING),
                    m.org_id,
                    m.contact,
                    m.email,
                    missing_reason(m.contact, m.email),
                )
            ):
                self._cell(ws, row, col, value)
            row += 1

    def _problems(self, ws: Worksheet) -> None:
        rows = [
            (
                p.source,
                self.org_names.get(p.org_id, p.org_id),
                p.severity,
                p.code,
                p.sheet,
                p.cell,
                p.message,
            )
            for p in self.s.problems
        ]
        self._table_sheet(
            ws,
            "Problems: every warning and rejection",
            "Where each problem is (file, sheet, cell) and what to do about it.",
            ["File", "Organisation", "Severity", "Code", "Sheet", "Cell", "Message"],
            [36, 24, 10, 20, 14, 8, 80],
            rows,
            "problems",
            empty="No problems.",
        )

    def _excel_table(
        self, ws: Worksheet, name: str, title: str, headers: Sequence[str], rows: list[list[Any]]
    ) -> None:
        self._title(
            ws, title, "An Excel table: use the arrows in the header row to filter and sort."
        )
        for col in range(len(headers)):
            ws.set_column(col, col, 18)
        n = self._capped(ws, 4, len(rows), "rows")
        if not rows:
            ws.write_string(3, 0, "No accepted returns yet.", self.f["subtitle"])
            return
        ws.add_table(
            3,
            0,
            3 + n,
            len(headers) - 1,
            {
                "name": name,
                "columns": [{"header": h} for h in headers],
                "style": "Table Style Light 9",
                "autofilter": True,
            },
        )
        for r, values in enumerate(rows[:n], start=4):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
        ws.freeze_panes(4, 0)

    def _data_stages(self, ws: Worksheet) -> None:
        rows = [
            [
                s.org_id,
                s.org_name,
                s.dimension_id,
                s.criterion_id,
                s.stage_id,
                s.stage_label,
                s.stage_index,
                s.comment,
            ]
            for s in self.s.stage_rows
        ]
        self._excel_table(
            ws,
            "Stages",
            "Data: one row per organisation and success criterion",
            [
                "org_id",
                "org_name",
                "dimension_id",
                "criterion_id",
                "stage_id",
                "stage_label",
                "stage_index",
                "comment",
            ],
            rows,
        )

    def _data_actions(self, ws: Worksheet) -> None:
        rows = [
            [
                a.org_id,
                a.org_name,
                a.dimension_id,
                a.criterion_id,
                a.stage_id,
                a.action_id,
                "true" if a.done else "false",
                a.notes,
                a.lead,
                a.target_date,
            ]
            for a in self.s.action_rows
        ]
        self._excel_table(
            ws,
            "Actions",
            "Data: one row per organisation and suggested action",
            [
                "org_id",
                "org_name",
                "dimension_id",
                "criterion_id",
                "stage_id",
                "action_id",
                "done",
                "notes",
                "lead",
                "target_date",
            ],
            rows,
        )


def write_summary(summary: Summary, path: Path, *, generated_at: dt.datetime | None = None) -> None:
    """Write the summary workbook to PATH."""
    _Writer(summary, path, generated_at or dt.datetime.now(dt.UTC)).write()
