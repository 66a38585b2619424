"""The verdict a safety check gives, shared by every module of this package and by the reader.

A check that finds a file must not be read raises :class:`Rejection`; its ``problem`` is the
verdict in the one :class:`~xlsxkit.problems.Problem` shape, so the reader only adds the file.
"""

from __future__ import annotations

from typing import Final

from xlsxkit.codes import Code
from xlsxkit.problems import Problem, error
from xlsxkit.problems import info as info_problem

MAX_FILE_BYTES: Final = 25 * 1024 * 1024  # email attachments rarely exceed this

SEND_WORKBOOK = (
    "ask the partner to send back the workbook they were sent (.xlsx, .xlsm, .xls or .ods)"
)


class Rejection(Exception):
    """The file is not read: ``problem`` is the verdict (an error with a catalogue code and a
    message that says what is wrong and what to do; the reader adds the file)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = error(code, message)


class NotAReturn(Rejection):
    """The file is not read because it is plainly not a return (an email signature image,
    an output of xlsxkit itself): it is listed as skipped, not counted as rejected, and its
    ``problem`` is an info."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code, message)
        self.problem = info_problem(code, message)
