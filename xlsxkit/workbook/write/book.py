"""What one workbook is made of (the spec), and what every sheet writer shares while it is
written (the open book: its plan, formats and input values)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlsxkit.framework.model import Answer, Framework, Organisation
from xlsxkit.workbook import layout as L
from xlsxkit.workbook import styles
from xlsxkit.workbook.instructions import InstructionsTemplate
from xlsxkit.workbook.plan import WorkbookPlan
from xlsxkit.workbook.write.checked import CheckedWorksheet
from xlsxkit.workbook.write.inputs import CellKey, CellValue, InputCells


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
    #: Answers to show in the workbook, as the reader returns them (e.g. the last round's).
    prefill: Sequence[Answer] = ()
    #: The round the prefill came from, e.g. "2026 autumn". When set, a locked cell beside
    #: each criterion's inputs shows the stage that round recorded, so the partner confirms
    #: or changes it rather than retyping it. None: no such cells (a first round).
    previous_round: str | None = None
    #: Raw cell values as a partner's app leaves them, by (item id, field): the demo's and
    #: the tests' returns. Win over prefill. The organisation name of a generic workbook is
    #: (layout.START_ORG_ROW_ID, FieldName.ORG_NAME).
    typed: Mapping[CellKey, CellValue] = field(default_factory=dict)

    @property
    def generic(self) -> bool:
        return self.organisation is None

    @property
    def org_display(self) -> str:
        return self.organisation.name if self.organisation else ""


@dataclass(frozen=True, kw_only=True)
class Book:
    """The open workbook and what its sheet writers share."""

    wb: Workbook
    spec: WorkbookSpec
    plan: WorkbookPlan
    formats: dict[str, Format]
    inputs: InputCells

    @property
    def fw(self) -> Framework:
        return self.spec.framework

    def add_sheet(self, name: str) -> Worksheet:
        return self.wb.add_worksheet(name, worksheet_class=CheckedWorksheet)

    def value(self, ws: Worksheet, row: int, col: int, value: CellValue, fmt: Format) -> None:
        """Write an input value with the method for its type; text is always text."""
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

    def print_setup(self, ws: Worksheet, repeat_to: int, *, fit_width: bool = True) -> None:
        """A4 landscape, headings REPEAT_TO repeated, the footer; FIT_WIDTH: one page wide
        (False: the caller sets the scale, see :mod:`.pages`)."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        if fit_width:
            ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, repeat_to)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        org = self.spec.org_display or "Organisation: see the Start sheet"
        left = " – ".join(p for p in (org, self.spec.round) if p)
        ws.set_footer(styles.footer(left, "&C&A&RPage &P of &N"))

    def protect(self, ws: Worksheet) -> None:
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

    def hide_id_columns(self, ws: Worksheet) -> None:
        for col in L.HIDDEN_COLS:
            ws.set_column(col, col, 10, self.formats["hidden"], {"hidden": True})
