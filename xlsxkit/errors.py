"""The one exception family: a job that cannot be done raises an :class:`XlsxkitError`.

Problems with the *content* of an input are not exceptions: they are
:class:`~xlsxkit.problems.Problem`\\ s in a report or a file's verdict, so that one bad file
never stops a batch. An ``XlsxkitError`` is for when the job as a whole cannot go on (an
invalid framework, an unreadable manifest, an output folder that cannot be written). Its
message says what is wrong, where, and what to do, and it carries the exit code the CLI
exits with: the CLI maps every ``XlsxkitError`` to "message + exit code" in one place
(:mod:`xlsxkit.cli`), so a command never catches exceptions itself.

Exit codes (documented in the README and in ``xlsxkit --help``): 1 when the input is invalid
or the job could not be done; 2 for usage errors. Click reports its own usage errors (an
unknown option, a bad value) with 2 as well.

This module is part of the shared base: it imports nothing from xlsxkit.
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class XlsxkitError(Exception):
    """The job cannot be done; ``str(error)`` is the whole message for the user."""

    exit_code: ClassVar[int] = EXIT_FAILED


class UsageError(XlsxkitError):
    """The command was given something it cannot use as asked (exit 2)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class FrameworkError(XlsxkitError):
    """The framework is not valid; the message lists every problem."""


class TemplateError(XlsxkitError):
    """The instructions template cannot be used; the message says where and why."""


class ManifestError(XlsxkitError):
    """A manifest cannot be read; the message says which file and what to do."""


class InitError(XlsxkitError):
    """``xlsxkit init`` cannot set up the folder (a file is in the way, or it cannot write)."""


class LimitError(XlsxkitError):
    """A limit of the system (such as the open-files limit) is too low for the job."""


class GenerateError(XlsxkitError):
    """The workbooks cannot be written (the output folder is not usable)."""


class OutputError(XlsxkitError):
    """An output of the import (the summary or the CSVs) cannot be written."""


class DemoError(XlsxkitError):
    """The demo cannot run in the folder given."""


class StoreError(XlsxkitError):
    """The campaign store cannot be used (missing, not a store, damaged, too new)."""


class StoreBusy(StoreError):
    """Another command held the campaign store for longer than the busy timeout."""


class CampaignError(XlsxkitError):
    """The campaign folder cannot be found or used."""


class SettingsError(XlsxkitError):
    """The campaign settings file is not valid; the message lists every problem."""


class JobFailed(XlsxkitError):
    """The job ran but failed as a whole: nothing could be imported, the organisation list
    has problems, or ``--strict`` found a rejection or warning."""


class PdfError(XlsxkitError):
    """A PDF could not be made (LibreOffice failed or took too long); the xlsx outputs it
    was to be made from were written."""


class PdfUnavailable(PdfError):
    """A PDF was asked for and LibreOffice, which renders it, is not installed."""
