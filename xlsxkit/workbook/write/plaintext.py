"""Every text written as the text it is: XlsxWriter's one string that is not escaped.

XlsxWriter writes a string that starts with ``<r>`` and ends with ``</r>`` into the file as
it stands, unescaped: it takes it for a rich string it built itself. A partner's comment,
an organisation's name or a framework's text shaped like that would go into the workbook's
XML verbatim, so a typed ``<r>…</r></is></c><c r="B1"><f>…</f></c>…</r>`` would add a
formula cell to the summary (or break the file). Here such a string is written as a rich
string of three plain runs instead: every run escaped, the cell's text unchanged and read
back as typed (apps join the runs), in the cell's own format.

Every worksheet xlsxkit writes derives from :class:`PlainTextWorksheet`. It overrides
XlsxWriter's private ``_write_string``, which ``write_string``, ``write`` and
``merge_range`` all go through; ``tests/test_plaintext.py`` checks that, and a summary,
a partner workbook and a feedback workbook with such texts.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet


def looks_rich(text: str) -> bool:
    """Whether XlsxWriter would write TEXT unescaped (see the module's docstring)."""
    return text.startswith("<r>") and text.endswith("</r>")


class PlainTextWorksheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose every string is written escaped, as text."""

    def _write_string(
        self, row: int, col: int, string: str, cell_format: Format | None = None
    ) -> Any:
        if not looks_rich(string):
            return super()._write_string(row, col, string, cell_format)
        # Three non-empty runs ("<", "r>", the rest: at least "</r>"), each in the cell's
        # format so the text looks as it would in one run.
        runs: list[Any] = []
        for part in (string[:1], string[1:3], string[3:]):
            if cell_format is not None:
                runs.append(cell_format)
            runs.append(part)
        if cell_format is not None:
            runs.append(cell_format)
        return self._write_rich_string(row, col, *runs)
