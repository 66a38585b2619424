"""What one read keeps as it goes: its warnings, and the text it has taken from the file.

A return is read in a worker process, but everything it carries (answers, identity,
warnings) is sent to the main process, which holds every return of a batch at once. So
what one return can cost there is bounded here: each text is cut at Excel's own limit for
a cell, and the text of a whole return is bounded, every cell counted, so one giant
shared string referenced from every cell costs its length every time and cannot multiply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from xlsxkit.codes import Code
from xlsxkit.framework.model import Framework
from xlsxkit.names import utf16_len
from xlsxkit.problems import Problem, warning
from xlsxkit.workbook import layout as L
from xlsxkit.workbook.safety import SEND_WORKBOOK, Rejection

#: Most text (UTF-16 units, as Excel counts) taken from one return: answers, identity,
#: sheet names and warnings together. An assessment return holds a few thousand; a
#: framework at the schema's limits, every field filled generously, stays far below.
MAX_RETURN_TEXT: Final = 2_000_000


def cap_text(text: str, limit: int = L.MAX_CELL_TEXT) -> str:
    """TEXT cut to LIMIT UTF-16 units (never inside a surrogate pair); fast on huge text."""
    if len(text) * 2 <= limit or utf16_len(text) <= limit:
        return text
    head = text[:limit]
    excess = utf16_len(head) - limit
    while excess > 0:
        head = head[: len(head) - (excess + 1) // 2]
        excess = utf16_len(head) - limit
    return head


@dataclass(kw_only=True)
class ReadState:
    source: str
    framework: Framework
    problems: list[Problem] = field(default_factory=list)
    #: sheet -> cells cut off beyond the reading bounds before parsing
    trimmed: dict[str, int] = field(default_factory=dict)
    #: UTF-16 units of text kept so far
    text_used: int = 0

    def charge(self, units: int) -> None:
        """Count UNITS of text kept; refuse the return once it holds too much."""
        self.text_used += units
        if self.text_used > MAX_RETURN_TEXT:
            raise Rejection(
                Code.TOO_LARGE,
                f"the workbook holds more than {MAX_RETURN_TEXT:,} characters of text in its "
                "answers (every cell counted, also where many cells repeat one text); an "
                "assessment return holds a few thousand, so it was refused as built to "
                f"overload the import; {SEND_WORKBOOK}",
            )

    def warn(
        self, code: Code, message: str, *, sheet: str | None = None, cell: str | None = None
    ) -> None:
        self.charge(len(message) + len(sheet or ""))
        self.problems.append(warning(code, message, file=self.source, sheet=sheet, cell=cell))

    def keep(self, text: str, *, what: str, sheet: str, cell: str) -> str:
        """TEXT as kept from SHEET!CELL: cut to Excel's limit for a cell (with a warning
        that says where and how much), and counted."""
        if not text:
            return text
        kept = cap_text(text)
        if kept is not text:
            self.warn(
                Code.TEXT_TRUNCATED,
                f"the {what} is {utf16_len(text):,} characters long, more than a cell can "
                f"hold in Excel; only the first {L.MAX_CELL_TEXT:,} were imported. Ask the "
                "partner for the full text",
                sheet=sheet,
                cell=cell,
            )
        self.charge(utf16_len(kept))
        return kept
