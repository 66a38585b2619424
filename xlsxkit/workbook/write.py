"""Write one assessment workbook with XlsxWriter, following :mod:`xlsxkit.workbook.layout`.

The workbook a partner fills in: a Start sheet with instructions and a live progress table,
one protected sheet per dimension with a stage dropdown per criterion and a native
checkbox per action, and a very hidden identity sheet that ties the file back to the
framework, the organisation and the round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlsxkit import __version__
from xlsxkit.framework.model import Criterion, Framework, Organisation, Stage
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.instructions import InstructionsTemplate, Paragraph

#: A value to put in an input cell before the workbook is sent (demo and tests).
CellValue = str | bool | int | float | dt.date | dt.datetime | None

# Looks ------------------------------------------------------------------------------
INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#1F4E78"
CRITERION_FILL = "#DDEBF7"
DONE_FILL = "#E2EFDA"
DONE_FONT = "#375623"
BORDER_COLOUR = "#BFBFBF"
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'
DATE_FORMAT = "yyyy-mm-dd"

#: Stage fills from lowest to highest, sampled to the number of stages.
STAGE_PALETTE = ("#F4B6B6", "#F8CBAD", "#FAD7A0", "#FFD966", "#D9EAD3", "#C6E0B4", "#A9D08E")

# Column widths of a dimension sheet (in characters).
DIMENSION_WIDTHS = {
    L.COL_TEXT: 64,
    L.COL_INPUT: 20,
    L.COL_NOTE: 34,
    L.COL_LEAD: 18,
    L.COL_DATE: 13,
    L.COL_INFO: 30,
}
LINE_HEIGHT = 15.0

#: Bounds on input: a target date must fall in this window.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


def stage_colours(stages: Sequence[Stage]) -> dict[str, str]:
    """Stage id -> fill colour: the framework's own, else sampled from the palette."""
    n = len(stages)
    out = {}
    for i, stage in enumerate(stages):
        pos = round(i * (len(STAGE_PALETTE) - 1) / max(n - 1, 1))
        out[stage.id] = stage.colour or STAGE_PALETTE[pos]
    return out


@dataclass(frozen=True, kw_only=True)
class WorkbookSpec:
    """Everything one workbook needs. ``organisation`` None makes a generic workbook in
    which the partner types the organisation's name."""

    framework: Framework
    organisation: Organisation | None
    instructions: InstructionsTemplate
    token: str
    round: str = ""
    deadline: dt.date | None = None
    return_to: str = ""
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    password: str | None = None
    #: (item id, field) -> value; fields are those of layout.CRITERION_FIELDS and
    #: layout.ACTION_FIELDS, plus (layout.START_ORG_ROW_ID, "org_name").
    prefill: Mapping[tuple[str, str], CellValue] = field(default_factory=dict)

    @property
    def generic(self) -> bool:
        return self.organisation is None

    @property
    def org_display(self) -> str:
        return self.organisation.name if self.organisation else ""


def estimate_lines(text: str, width: float) -> int:
    """How many lines TEXT wraps to in a column WIDTH characters wide.

    Wraps word by word, as spreadsheet apps do, at one character per unit of column width:
    right for the wider fonts LibreOffice substitutes for Calibri, a little generous in
    Excel. Row heights are set from this because apps do not grow rows of wrapped text
    consistently.
    """
    capacity = max(int(width), 1)
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0, 1
        for word in paragraph.split(" "):
            size = len(word)
            if used == 0:
                used = size
            elif used + 1 + size <= capacity:
                used += 1 + size
            else:
                count += 1
                used = size
            while used > capacity:
                count += 1
                used -= capacity
        lines += count
    return lines


def _height(*cells: tuple[str, float], minimum: int = 1) -> float:
    lines = max([minimum, *(estimate_lines(t, w) for t, w in cells if t)])
    return LINE_HEIGHT * lines + 3


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


class _Writer:
    def __init__(self, spec: WorkbookSpec, target: str | Path | BytesIO) -> None:
        self.spec = spec
        self.fw = spec.framework
        self.wb = xlsxwriter.Workbook(
            target if isinstance(target, BytesIO) else str(target),
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.sheet_names = L.sheet_names_for(self.fw)
        self.colours = stage_colours(self.fw.stages)
        self.f = self._formats()
        n = len(self.fw.stages)
        first = L.LIST_FIRST_ROW + 1
        self.stage_range = (
            f"{L.quote_sheet(L.IDENTITY_SHEET)}!${L.col_letter(L.LIST_STAGE_COL)}${first}:"
            f"${L.col_letter(L.LIST_STAGE_COL)}${first + n - 1}"
        )
        self.org_cell = (
            f"{L.quote_sheet(L.START_SHEET)}!${L.col_letter(L.START_VALUE_COL)}$"
            f"{self._start_org_row + 1}"
        )
        # Where each dimension's rows are, for the Start sheet's formulas: filled as the
        # dimension sheets are written.
        self.dimension_rows: dict[str, tuple[int, int]] = {}

    _start_org_row = 4  # 0-based row of the organisation on the Start sheet

    # formats -------------------------------------------------------------------------
    def _formats(self) -> dict[str, Format]:
        wb = self.wb
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        border = {"border": 1, "border_color": BORDER_COLOUR}
        f = {
            "title": wb.add_format(
                {
                    **base,
                    "bold": True,
                    "font_size": 16,
                    "font_color": HEADER_FILL,
                    "text_wrap": True,
                }
            ),
            "subtitle": wb.add_format(
                {**base, "italic": True, "font_color": "#595959", "text_wrap": True}
            ),
            "heading": wb.add_format(
                {
                    **base,
                    "bold": True,
                    "font_size": 13,
                    "font_color": HEADER_FILL,
                    "text_wrap": True,
                }
            ),
            "label": wb.add_format({**base, "bold": True, "text_wrap": True}),
            "value": wb.add_format({**base, "text_wrap": True}),
            "para": wb.add_format({**base, "text_wrap": True}),
            "bullet": wb.add_format({**base, "text_wrap": True, "indent": 1}),
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
            "band": wb.add_format(
                {**base, "bold": True, "font_size": 9, "font_color": "#595959", "valign": "bottom"}
            ),
            "criterion": wb.add_format(
                {**base, **border, "bold": True, "text_wrap": True, "bg_color": CRITERION_FILL}
            ),
            "action": wb.add_format({**base, **border, "text_wrap": True, "indent": 1}),
            "info": wb.add_format(
                {
                    **base,
                    **border,
                    "italic": True,
                    "font_size": 9,
                    "font_color": "#404040",
                    "text_wrap": True,
                }
            ),
            "indicator": wb.add_format(
                {**base, **border, "font_size": 9, "text_wrap": True, "bg_color": CRITERION_FILL}
            ),
            "input": wb.add_format(
                {**base, **border, "locked": False, "text_wrap": True, "bg_color": INPUT_FILL}
            ),
            "input_stage": wb.add_format(
                {
                    **base,
                    **border,
                    "locked": False,
                    "bold": True,
                    "text_wrap": True,
                    "bg_color": INPUT_FILL,
                    "align": "center",
                    "valign": "vcenter",
                }
            ),
            "checkbox": wb.add_format(
                {
                    **base,
                    **border,
                    "locked": False,
                    "align": "center",
                    "valign": "vcenter",
                    "num_format": BOOLEAN_FORMAT,
                    "bg_color": INPUT_FILL,
                }
            ),
            "date": wb.add_format(
                {
                    **base,
                    **border,
                    "locked": False,
                    "align": "center",
                    "num_format": DATE_FORMAT,
                    "bg_color": INPUT_FILL,
                }
            ),
            "org_input": wb.add_format(
                {**base, **border, "locked": False, "bold": True, "bg_color": INPUT_FILL}
            ),
            "num": wb.add_format({**base, **border, "align": "center"}),
            "num_bold": wb.add_format({**base, **border, "align": "center", "bold": True}),
            "pct": wb.add_format({**base, **border, "align": "center", "num_format": "0%"}),
            "pct_bold": wb.add_format(
                {**base, **border, "align": "center", "num_format": "0%", "bold": True}
            ),
            "cell": wb.add_format({**base, **border, "text_wrap": True}),
            "cell_bold": wb.add_format({**base, **border, "text_wrap": True, "bold": True}),
            "done": wb.add_format({"bg_color": DONE_FILL, "font_color": DONE_FONT}),
            "hidden": wb.add_format({"font_size": 8, "font_color": "#808080"}),
        }
        for stage in self.fw.stages:
            colour = self.colours[stage.id]
            f[f"stage:{stage.id}"] = wb.add_format(
                {**base, **border, "bold": True, "bg_color": colour, "text_wrap": True}
            )
            f[f"stage_cf:{stage.id}"] = wb.add_format({"bg_color": colour})
        return f

    # helpers -------------------------------------------------------------------------
    def _value(self, ws: Worksheet, row: int, col: int, value: CellValue, fmt: Format) -> None:
        """Write a prefilled value with the method for its type; text is always text."""
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        elif isinstance(value, dt.datetime | dt.date):
            when = (
                value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            )
            ws.write_datetime(row, col, when, fmt)
        else:
            ws.write_string(row, col, value, fmt)

    def _prefill(self, item_id: str, field_name: str) -> CellValue:
        return self.spec.prefill.get((item_id, field_name))

    def _print_setup(self, ws: Worksheet, repeat_to: int) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, repeat_to)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        org = self.spec.org_display or "Organisation: see the Start sheet"
        parts = [org, self.spec.round]
        left = _truncate(" – ".join(p for p in parts if p), 120)
        ws.set_footer(f"&L{_footer_text(left)}&C&A&RPage &P of &N")

    def _protect(self, ws: Worksheet) -> None:
        ws.protect(
            self.spec.password or "",
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "format_rows": True,
                "autofilter": True,
            },
        )

    # sheets --------------------------------------------------------------------------
    def write(self) -> None:
        start = self.wb.add_worksheet(L.START_SHEET)
        dim_sheets = [
            (d, self.wb.add_worksheet(self.sheet_names[d.id])) for d in self.fw.dimensions
        ]
        identity = self.wb.add_worksheet(L.IDENTITY_SHEET)
        for dimension, ws in dim_sheets:
            self._dimension_sheet(ws, dimension.id)
        self._start_sheet(start)
        self._identity_sheet(identity)
        self._defined_names()
        start.activate()
        self.wb.set_properties(
            {
                "title": f"{self.fw.title}: self-assessment",
                "subject": self.spec.org_display or "Self-assessment",
                "author": "xlsxkit",
                "company": "",
                "comments": f"Generated by xlsxkit {__version__}",
                "created": self.spec.generated_at.replace(tzinfo=None),
            }
        )
        self.wb.close()

    def _dimension_sheet(self, ws: Worksheet, dimension_id: str) -> None:
        f = self.f
        dimension = self.fw.dimension(dimension_id)
        ws.hide_gridlines(2)
        for col in L.HIDDEN_COLS:
            ws.set_column(col, col, 10, f["hidden"], {"hidden": True})
        for col, width in DIMENSION_WIDTHS.items():
            ws.set_column(col, col, width)
        ws.set_tab_color(HEADER_FILL)

        # Title, guidance and column headings: frozen and repeated on every printed page.
        # The title spans D:G and the organisation H:I, so neither runs into the other.
        title = f"{dimension.name}: {self.fw.title}"
        ws.merge_range(0, L.COL_TEXT, 0, L.COL_LEAD, "", f["title"])
        ws.write_string(0, L.COL_TEXT, title, f["title"])
        ws.merge_range(0, L.COL_DATE, 0, L.COL_INFO, "", f["heading"])
        org_width = DIMENSION_WIDTHS[L.COL_DATE] + DIMENSION_WIDTHS[L.COL_INFO]
        if self.spec.generic:
            ws.write_formula(
                0,
                L.COL_DATE,
                f'=IF({self.org_cell}="","(organisation not named yet: see Start)",'
                f"{self.org_cell})",
                f["heading"],
                "(organisation not named yet: see Start)",
            )
            org_text = "(organisation not named yet: see Start)"
        else:
            ws.write_string(0, L.COL_DATE, self.spec.org_display, f["heading"])
            org_text = self.spec.org_display
        title_width = sum(DIMENSION_WIDTHS[c] for c in range(L.COL_TEXT, L.COL_LEAD + 1))
        ws.set_row(
            0,
            max(
                24.0,
                22.0 * estimate_lines(title, title_width * 0.7),
                17.0 * estimate_lines(org_text, org_width * 0.85),
            ),
        )
        guide = dimension.description or (
            "For each success criterion, pick the stage reached in the yellow Stage cell and "
            "give your evidence. Then tick each suggested action you have done."
        )
        ws.merge_range(1, L.COL_TEXT, 1, L.LAST_COL, "", f["subtitle"])
        ws.write_string(1, L.COL_TEXT, guide, f["subtitle"])
        ws.set_row(1, _height((guide, 170)))
        headings = {
            L.COL_TEXT: "Success criterion / suggested action",
            L.COL_INPUT: "Stage reached / Done?",
            L.COL_NOTE: "Evidence, comments and notes",
            L.COL_LEAD: "Lead / owner",
            L.COL_DATE: "Target date",
            L.COL_INFO: "Progress / cross-references",
        }
        for col, text in headings.items():
            ws.write_string(2, col, text, f["header"])
        ws.set_row(2, 32)
        ws.freeze_panes(L.HEADER_ROWS, 0)

        row = L.HEADER_ROWS
        first_row = row
        stage_cells: list[str] = []
        n = len(dimension.criteria)
        for number, criterion in enumerate(dimension.criteria, start=1):
            row = self._criterion_block(ws, criterion, number, n, row, stage_cells)
        last_row = row - 1
        self.dimension_rows[dimension_id] = (first_row, last_row)

        for stage in self.fw.stages:
            literal = '"' + stage.label.replace('"', '""') + '"'
            ws.conditional_format(
                stage_cells[0],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": literal,
                    "format": f[f"stage_cf:{stage.id}"],
                    "multi_range": " ".join(stage_cells),
                },
            )
        top = L.cell_ref(first_row, L.COL_TEXT)
        bottom = L.cell_ref(last_row, L.COL_INFO)
        kind = f"${L.col_letter(L.COL_KIND)}{first_row + 1}"
        box = f"${L.col_letter(L.COL_INPUT)}{first_row + 1}"
        ws.conditional_format(
            f"{top}:{bottom}",
            {
                "type": "formula",
                "criteria": f'=AND({kind}="{L.KIND_ACTION}",OR({box}=TRUE,{box}="TRUE"))',
                "format": f["done"],
            },
        )
        self._print_setup(ws, L.HEADER_ROWS - 1)
        self._protect(ws)

    def _criterion_block(
        self,
        ws: Worksheet,
        criterion: Criterion,
        number: int,
        total: int,
        row: int,
        stage_cells: list[str],
    ) -> int:
        f = self.f
        fw = self.fw
        # Band: "SUCCESS CRITERION 1 OF 2"
        ws.write_string(row, L.COL_TEXT, f"SUCCESS CRITERION {number} OF {total}", f["band"])
        ws.write_string(row, L.COL_INPUT, "Stage reached", f["band"])
        ws.write_string(row, L.COL_NOTE, "Evidence / comments", f["band"])
        ws.write_string(row, L.COL_INFO, "Actions done up to this stage", f["band"])
        ws.set_row(row, 18)
        row += 1

        # The criterion row: text, stage dropdown, evidence, live indicator.
        crow = row
        text = criterion.text
        if criterion.guidance:
            text += f"\n\nGuidance: {criterion.guidance}"
        ws.write_string(crow, L.COL_ID, criterion.id)
        ws.write_string(crow, L.COL_KIND, L.KIND_CRITERION)
        ws.write_string(crow, L.COL_TEXT, text, f["criterion"])
        self._value(ws, crow, L.COL_INPUT, self._prefill(criterion.id, "stage"), f["input_stage"])
        stage_cells.append(L.cell_ref(crow, L.COL_INPUT))
        ws.merge_range(crow, L.COL_NOTE, crow, L.COL_DATE, "", f["input"])
        comment = self._prefill(criterion.id, "comment")
        if comment is not None:
            self._value(ws, crow, L.COL_NOTE, comment, f["input"])
        labels = ", ".join(s.label for s in fw.stages)
        ws.data_validation(
            crow,
            L.COL_INPUT,
            crow,
            L.COL_INPUT,
            {
                "validate": "list",
                "source": "=" + self.stage_range,
                "ignore_blank": True,
                "input_title": "Stage reached",
                "input_message": _truncate(
                    f"Pick the stage reached for this criterion: {labels}. "
                    "Leave it blank if not assessed yet.",
                    255,
                ),
                "error_title": "Not one of the stages",
                "error_message": _truncate(
                    f"Pick a stage from the list ({labels}), or delete the cell's content "
                    "if it is not assessed yet.",
                    255,
                ),
                "error_type": "stop",
            },
        )
        ws.set_row(
            crow,
            max(
                _height((text, DIMENSION_WIDTHS[L.COL_TEXT])),
                _height(("x" * 60, DIMENSION_WIDTHS[L.COL_INFO])),
            ),
        )
        row += 1

        first_action_row = row
        for stage in fw.stages:
            actions = criterion.actions_at(stage.id)
            if not actions:
                continue
            heading = f"Suggested actions at stage: {stage.label}"
            ws.write_string(row, L.COL_TEXT, heading, f[f"stage:{stage.id}"])
            ws.write_string(row, L.COL_INPUT, "Done?", f[f"stage:{stage.id}"])
            ws.write_string(row, L.COL_NOTE, "Notes", f[f"stage:{stage.id}"])
            ws.write_string(row, L.COL_LEAD, "Lead / owner", f[f"stage:{stage.id}"])
            ws.write_string(row, L.COL_DATE, "Target date", f[f"stage:{stage.id}"])
            ws.write_string(row, L.COL_INFO, "See also", f[f"stage:{stage.id}"])
            ws.set_row(row, _height((heading, DIMENSION_WIDTHS[L.COL_TEXT])))
            row += 1
            for action in actions:
                self._action_row(ws, action.id, row)
                row += 1
        last_action_row = row - 1
        self._indicator(ws, crow, first_action_row, last_action_row, criterion)
        # A spacer row between criteria.
        ws.set_row(row, 10)
        return row + 1

    def _action_row(self, ws: Worksheet, action_id: str, row: int) -> None:
        f = self.f
        fw = self.fw
        action = fw.action(action_id)
        text = action.text
        if action.details:
            text += "".join(f"\n• {d}" for d in action.details)
        if action.guidance:
            text += f"\nGuidance: {action.guidance}"
        ws.write_string(row, L.COL_ID, action.id)
        ws.write_string(row, L.COL_KIND, L.KIND_ACTION)
        ws.write_number(row, L.COL_STAGE_INDEX, fw.stage(action.stage_id).index)
        ws.write_string(row, L.COL_TEXT, text, f["action"])
        done = self._prefill(action.id, "done")
        if done is None or isinstance(done, bool):
            ws.insert_checkbox(row, L.COL_INPUT, bool(done), f["checkbox"])
        else:
            self._value(ws, row, L.COL_INPUT, done, f["checkbox"])
        ws.data_validation(
            row,
            L.COL_INPUT,
            row,
            L.COL_INPUT,
            {
                "validate": "list",
                "source": ["TRUE", "FALSE"],
                "ignore_blank": True,
                "error_title": "Tick the box or pick TRUE/FALSE",
                "error_message": "Tick the box when the action is done. If your app shows "
                "TRUE/FALSE instead, pick TRUE for done and FALSE for not done.",
                "error_type": "stop",
            },
        )
        self._value(ws, row, L.COL_NOTE, self._prefill(action.id, "notes"), f["input"])
        self._value(ws, row, L.COL_LEAD, self._prefill(action.id, "lead"), f["input"])
        self._value(ws, row, L.COL_DATE, self._prefill(action.id, "target_date"), f["date"])
        ws.data_validation(
            row,
            L.COL_DATE,
            row,
            L.COL_DATE,
            {
                "validate": "date",
                "criteria": "between",
                "minimum": dt.datetime.combine(DATE_MIN, dt.time()),
                "maximum": dt.datetime.combine(DATE_MAX, dt.time()),
                "ignore_blank": True,
                "input_title": "Target date",
                "input_message": "Type a date, e.g. 2027-03-31.",
                "error_title": "Not a date",
                "error_message": "Type the target date as a date, e.g. 2027-03-31, "
                "between 2000 and 2100.",
                "error_type": "stop",
            },
        )
        info = self._cross_reference(action_id)
        ws.write_string(row, L.COL_INFO, info, f["info"])
        ws.set_row(
            row,
            _height(
                (text, DIMENSION_WIDTHS[L.COL_TEXT]),
                (info, DIMENSION_WIDTHS[L.COL_INFO] * 1.2),
            ),
        )

    def _cross_reference(self, action_id: str) -> str:
        fw = self.fw
        action = fw.action(action_id)
        parts = []
        if action.same_as:
            other = fw.action(action.same_as)
            sheet = self.sheet_names[other.dimension_id]
            parts.append(
                f"Also a {fw.dimension(other.dimension_id).name} action: "
                f"“{_truncate(other.text, 70)}” (sheet {sheet})"
            )
        for ref in action.see_also:
            other = fw.action(ref)
            sheet = self.sheet_names[other.dimension_id]
            parts.append(
                f"See {fw.dimension(other.dimension_id).name}: “{_truncate(other.text, 70)}” "
                f"(sheet {sheet})"
            )
        return "\n".join(parts)

    def _indicator(
        self, ws: Worksheet, crow: int, first: int, last: int, criterion: Criterion
    ) -> None:
        f = self.f
        if last < first or not criterion.actions:
            ws.write_string(crow, L.COL_INFO, "No suggested actions", f["indicator"])
            return
        stage_cell = f"${L.col_letter(L.COL_INPUT)}${crow + 1}"
        idx = _abs_range(L.COL_STAGE_INDEX, first, last)
        box = _abs_range(L.COL_INPUT, first, last)
        k = f"MATCH({stage_cell},{self.stage_range},0)"
        formula = (
            f'=IF({stage_cell}="","Pick a stage to see how many of its actions are done",'
            f'IFERROR(SUMPRODUCT(({idx}<={k})*((({box}=TRUE)+({box}="TRUE"))>0))'
            f'&" of "&COUNTIF({idx},"<="&{k})&" actions done at or below this stage",'
            f'"Not one of the stages: pick from the list"))'
        )
        ws.write_formula(
            crow, L.COL_INFO, formula, f["indicator"], self._indicator_value(criterion)
        )

    def _indicator_value(self, criterion: Criterion) -> str:
        """The indicator's value for the prefilled answers (cached for apps that do not
        recalculate on load)."""
        stage = self._prefill(criterion.id, "stage")
        if stage is None or stage == "":
            return "Pick a stage to see how many of its actions are done"
        matched = next(
            (
                s
                for s in self.fw.stages
                if isinstance(stage, str) and s.label.casefold() == stage.casefold()
            ),
            None,
        )
        if matched is None:
            return "Not one of the stages: pick from the list"
        upto = [a for a in criterion.actions if self.fw.stage(a.stage_id).index <= matched.index]
        done = sum(1 for a in upto if _is_ticked(self._prefill(a.id, "done")))
        return f"{done} of {len(upto)} actions done at or below this stage"

    def _start_sheet(self, ws: Worksheet) -> None:
        f = self.f
        fw = self.fw
        spec = self.spec
        stages = fw.stages
        # Columns: A-C hidden; D labels / dimension names; E.. numbers.
        n_cols = 1 + 2 + len(stages) + 3
        last_col = L.START_LABEL_COL + n_cols - 1
        ws.hide_gridlines(2)
        for col in L.HIDDEN_COLS:
            ws.set_column(col, col, 10, f["hidden"], {"hidden": True})
        ws.set_column(L.START_LABEL_COL, L.START_LABEL_COL, 30)
        ws.set_column(L.START_LABEL_COL + 1, last_col, 13)
        total_width = 30 + 13 * (n_cols - 1)

        def wide(
            row: int, text: str, fmt: Format, *, first: int = L.START_LABEL_COL, label: str = ""
        ) -> None:
            ws.merge_range(row, first, row, last_col, "", fmt)
            ws.write_string(row, first, text, fmt)
            width = total_width - (30 if first > L.START_LABEL_COL else 0)
            ws.set_row(row, _height((text, width * 0.95), (label, 28)))

        wide(0, fw.title, f["title"])
        ws.set_row(0, max(26.0, 22.0 * estimate_lines(fw.title, total_width * 0.7)))
        sub = f"Self-assessment workbook · framework version {fw.version}"
        if fw.source:
            sub += f" · {fw.source}"
        wide(1, sub, f["subtitle"])
        if fw.description:
            wide(2, fw.description, f["para"])

        row = self._start_org_row
        ws.write_string(row, L.START_LABEL_COL, "Organisation", f["label"])
        ws.write_string(row, L.COL_ID, L.START_ORG_ROW_ID)
        ws.write_string(row, L.COL_KIND, L.KIND_ORG_NAME)
        if spec.generic:
            ws.merge_range(row, L.START_VALUE_COL, row, last_col, "", f["org_input"])
            org_value = self._prefill(L.START_ORG_ROW_ID, "org_name")
            if org_value is not None:
                self._value(ws, row, L.START_VALUE_COL, org_value, f["org_input"])
            ws.data_validation(
                row,
                L.START_VALUE_COL,
                row,
                L.START_VALUE_COL,
                {
                    "validate": "length",
                    "criteria": "between",
                    "minimum": 1,
                    "maximum": 200,
                    "input_title": "Your organisation",
                    "input_message": "Type the full name of your organisation here.",
                    "error_title": "Organisation name",
                    "error_message": "Type your organisation's name (at most 200 characters).",
                    "error_type": "stop",
                },
            )
            ws.write_string(
                row + 1,
                L.START_VALUE_COL,
                "Type the full name of your organisation in the yellow cell above.",
                f["subtitle"],
            )
        else:
            wide(row, spec.org_display, f["label"], first=L.START_VALUE_COL)
        info = [
            ("Round", spec.round or "(not set)"),
            (
                "Please return by",
                spec.deadline.isoformat() if spec.deadline else "(no deadline set)",
            ),
            ("Send it back to", spec.return_to or "the programme coordinator"),
        ]
        row += 2
        for label, value in info:
            ws.write_string(row, L.START_LABEL_COL, label, f["label"])
            wide(row, value, f["value"], first=L.START_VALUE_COL)
            row += 1

        row += 1
        ws.write_string(row, L.START_LABEL_COL, "How to fill it in", f["heading"])
        ws.set_row(row, 20)
        row += 1
        for paragraph in self._instructions():
            text = f"•  {paragraph.text}" if paragraph.bullet else paragraph.text
            wide(row, text, f["bullet"] if paragraph.bullet else f["para"])
            row += 1

        row += 1
        ws.write_string(row, L.START_LABEL_COL, "Your progress", f["heading"])
        ws.set_row(row, 20)
        row += 1
        row = self._progress_table(ws, row)

        row += 1
        ws.write_string(row, L.START_LABEL_COL, "The stages", f["heading"])
        ws.set_row(row, 20)
        row += 1
        for stage in stages:
            ws.write_string(row, L.START_LABEL_COL, stage.label, f[f"stage:{stage.id}"])
            desc = stage.description or f"Stage {stage.index} of {len(stages)}"
            wide(row, desc, f["value"], first=L.START_VALUE_COL, label=stage.label)
            row += 1
        self._print_setup(ws, 0)
        ws.set_footer(f"&L{_footer_text(_truncate(self.spec.org_display, 120))}&RPage &P of &N")
        self._protect(ws)

    def _instructions(self) -> list[Paragraph]:
        fw = self.fw
        spec = self.spec
        counts = fw.counts
        values = {
            "organisation": spec.org_display or "your organisation",
            "framework_title": fw.title,
            "framework_version": fw.version,
            "round": spec.round or "this round",
            "deadline": spec.deadline.strftime("%d %B %Y").lstrip("0")
            if spec.deadline
            else "the date you were given",
            "return_to": spec.return_to or "the programme coordinator",
            "stages": ", ".join(s.label for s in fw.stages),
            "dimensions": ", ".join(d.name for d in fw.dimensions),
            "dimension_count": str(counts["dimensions"]),
            "criteria_count": str(counts["criteria"]),
            "action_count": str(counts["actions"]),
        }
        return spec.instructions.render(values)

    def _progress_table(self, ws: Worksheet, row: int) -> int:
        f = self.f
        fw = self.fw
        stages = fw.stages
        col = L.START_LABEL_COL
        headers = [
            "Area",
            "Criteria assessed",
            "Criteria in all",
            *(s.label for s in stages),
            "Actions done",
            "Actions in all",
            "% of actions done",
        ]
        for i, text in enumerate(headers):
            fmt = f["header"]
            if 3 <= i < 3 + len(stages):
                fmt = f[f"stage:{stages[i - 3].id}"]
            ws.write_string(row, col + i, text, fmt)
        ws.set_row(row, _height((headers[0], 28), *((h, 12) for h in headers[1:]), minimum=2))
        row += 1
        first_data = row
        for dimension in fw.dimensions:
            sheet = L.quote_sheet(self.sheet_names[dimension.id])
            r1, r2 = self.dimension_rows[dimension.id]

            def rng(c: int, sheet: str = sheet, r1: int = r1, r2: int = r2) -> str:
                letter = L.col_letter(c)
                return f"{sheet}!${letter}${r1 + 1}:${letter}${r2 + 1}"

            kind, box = rng(L.COL_KIND), rng(L.COL_INPUT)
            counts = self._prefill_stage_counts(dimension.id)
            ws.write_string(row, col, dimension.name, f["cell_bold"])
            ws.set_row(row, _height((dimension.name, 28)))
            stage_cols = []
            for i, stage in enumerate(stages):
                c = col + 3 + i
                stage_cols.append(c)
                label_ref = (
                    f"{L.quote_sheet(L.IDENTITY_SHEET)}!${L.col_letter(L.LIST_STAGE_COL)}$"
                    f"{L.LIST_FIRST_ROW + 1 + i}"
                )
                ws.write_formula(
                    row,
                    c,
                    f'=SUMPRODUCT(({kind}="{L.KIND_CRITERION}")*({box}={label_ref}))',
                    f["num"],
                    counts[stage.id],
                )
            first_s, last_s = L.cell_ref(row, stage_cols[0]), L.cell_ref(row, stage_cols[-1])
            ws.write_formula(
                row, col + 1, f"=SUM({first_s}:{last_s})", f["num"], sum(counts.values())
            )
            ws.write_number(row, col + 2, len(dimension.criteria), f["num"])
            ticked = self._prefill_ticked(dimension.id)
            ws.write_formula(
                row,
                col + 3 + len(stages),
                f'=SUMPRODUCT(({kind}="{L.KIND_ACTION}")*((({box}=TRUE)+({box}="TRUE"))>0))',
                f["num"],
                ticked,
            )
            n_actions = len(dimension.actions)
            ws.write_number(row, col + 4 + len(stages), n_actions, f["num"])
            done_ref = L.cell_ref(row, col + 3 + len(stages))
            of_ref = L.cell_ref(row, col + 4 + len(stages))
            ws.write_formula(
                row,
                col + 5 + len(stages),
                f"=IF({of_ref}=0,0,{done_ref}/{of_ref})",
                f["pct"],
                ticked / n_actions if n_actions else 0,
            )
            row += 1
        last_data = row - 1
        ws.write_string(row, col, "All areas", f["cell_bold"])
        for c in range(col + 1, col + 5 + len(stages)):
            top, bottom = L.cell_ref(first_data, c), L.cell_ref(last_data, c)
            ws.write_formula(
                row, c, f"=SUM({top}:{bottom})", f["num_bold"], self._total_cached(c - col)
            )
        done_ref = L.cell_ref(row, col + 3 + len(stages))
        of_ref = L.cell_ref(row, col + 4 + len(stages))
        total_actions = len(fw.actions)
        ws.write_formula(
            row,
            col + 5 + len(stages),
            f"=IF({of_ref}=0,0,{done_ref}/{of_ref})",
            f["pct_bold"],
            self._total_ticked() / total_actions if total_actions else 0,
        )
        return row + 1

    # cached values for formulas, from the prefilled answers ------------------------------
    def _prefill_stage_counts(self, dimension_id: str) -> dict[str, int]:
        counts = {s.id: 0 for s in self.fw.stages}
        for criterion in self.fw.dimension(dimension_id).criteria:
            value = self._prefill(criterion.id, "stage")
            if not isinstance(value, str):
                continue
            for s in self.fw.stages:
                if s.label.casefold() == value.casefold():
                    counts[s.id] += 1
        return counts

    def _prefill_ticked(self, dimension_id: str) -> int:
        return sum(
            1
            for a in self.fw.dimension(dimension_id).actions
            if _is_ticked(self._prefill(a.id, "done"))
        )

    def _total_ticked(self) -> int:
        return sum(self._prefill_ticked(d.id) for d in self.fw.dimensions)

    def _total_cached(self, offset: int) -> int:
        stages = self.fw.stages
        per_dim = []
        for d in self.fw.dimensions:
            counts = self._prefill_stage_counts(d.id)
            row = [
                sum(counts.values()),
                len(d.criteria),
                *(counts[s.id] for s in stages),
                self._prefill_ticked(d.id),
                len(d.actions),
            ]
            per_dim.append(row)
        return sum(r[offset - 1] for r in per_dim)

    def _identity_sheet(self, ws: Worksheet) -> None:
        fw = self.fw
        spec = self.spec
        f = self.f
        org = spec.organisation
        pairs: list[tuple[str, str]] = [
            (L.KEY_LAYOUT_VERSION, L.LAYOUT_VERSION),
            (L.KEY_FRAMEWORK_ID, fw.id),
            (L.KEY_FRAMEWORK_VERSION, fw.version),
            (L.KEY_FRAMEWORK_HASH, fw.content_hash),
            (L.KEY_FRAMEWORK_TITLE, fw.title),
            (L.KEY_ORG_ID, org.id if org else ""),
            (L.KEY_ORG_NAME, org.name if org else ""),
            (L.KEY_GENERIC, "true" if spec.generic else "false"),
            (L.KEY_ROUND, spec.round),
            (L.KEY_DEADLINE, spec.deadline.isoformat() if spec.deadline else ""),
            (L.KEY_RETURN_TO, spec.return_to),
            (L.KEY_GENERATED_AT, spec.generated_at.isoformat(timespec="seconds")),
            (L.KEY_XLSXKIT_VERSION, __version__),
            (L.KEY_TOKEN, spec.token),
        ]
        pairs += [(f"{L.SHEET_KEY_PREFIX}{d.id}", self.sheet_names[d.id]) for d in fw.dimensions]
        ws.write_string(0, L.IDENTITY_KEY_COL, L.IDENTITY_MARKER)
        ws.write_string(
            0,
            L.IDENTITY_VALUE_COL,
            "Do not edit this sheet: xlsxkit reads your answers back with it.",
        )
        for i, (key, value) in enumerate(pairs):
            ws.write_string(L.IDENTITY_FIRST_ROW + i, L.IDENTITY_KEY_COL, key)
            ws.write_string(L.IDENTITY_FIRST_ROW + i, L.IDENTITY_VALUE_COL, value)
        ws.write_string(0, L.LIST_STAGE_COL, "stage_label")
        ws.write_string(0, L.LIST_STAGE_ID_COL, "stage_id")
        for i, stage in enumerate(fw.stages):
            ws.write_string(L.LIST_FIRST_ROW + i, L.LIST_STAGE_COL, stage.label)
            ws.write_string(L.LIST_FIRST_ROW + i, L.LIST_STAGE_ID_COL, stage.id)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 70, f["value"])
        ws.set_column(L.LIST_STAGE_COL, L.LIST_STAGE_ID_COL, 24)
        self._identity_hash_row = L.IDENTITY_FIRST_ROW + 3
        ws.very_hidden()
        self._protect(ws)

    def _defined_names(self) -> None:
        self.wb.define_name(L.NAME_STAGES, "=" + self.stage_range)
        self.wb.define_name(L.NAME_ORG_NAME, "=" + self.org_cell)
        self.wb.define_name(
            L.NAME_FRAMEWORK_HASH,
            f"={L.quote_sheet(L.IDENTITY_SHEET)}!${L.col_letter(L.IDENTITY_VALUE_COL)}$"
            f"{self._identity_hash_row + 1}",
        )


def _abs_range(col: int, first: int, last: int) -> str:
    letter = L.col_letter(col)
    return f"${letter}${first + 1}:${letter}${last + 1}"


def _is_ticked(value: CellValue) -> bool:
    return value is True or (isinstance(value, str) and value.upper() == "TRUE")


def write_workbook(spec: WorkbookSpec, target: str | Path | BytesIO) -> None:
    """Write the workbook described by SPEC to TARGET (a path or a BytesIO)."""
    _Writer(spec, target).write()
