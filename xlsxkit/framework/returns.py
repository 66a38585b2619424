"""The partners and what comes back from them: organisations, returns and their answers.

Part of the model (:mod:`xlsxkit.framework.model`, which still exports every class here), in a
module of its own so that it is loaded on first use: creating these classes costs about 8 ms
of start-up, and validating or loading a framework needs none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xlsxkit.problems import Problem


@dataclass(frozen=True, kw_only=True, slots=True)
class Organisation:
    """A partner organisation: its id, name and contact."""

    id: str
    name: str
    contact: str = ""
    email: str = ""


# --------------------------------------------------------------------------------------
# Returns: what came back from the partners


class ReturnStatus(StrEnum):
    """Verdicts for a returned file (the values are written to returns.csv)."""

    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    BLANK = "blank"  # the workbook came back with nothing filled in: still to chase
    MISSING = "missing"


@dataclass(frozen=True, kw_only=True, slots=True)
class Answer:
    """One answered (or unanswered) item of a return.

    For a criterion: ``stage_id`` (None when unanswered or unreadable), ``comment`` and
    ``target_stage_id`` (the stage aimed for by the next round; None when blank or unreadable).
    For an action: ``done`` (None when unreadable: never guessed), ``notes``, ``lead`` and
    ``target_date`` (ISO date, empty when blank or unreadable).
    """

    item_id: str
    sheet: str
    row: int  # 1-based row in the sheet
    stage_id: str | None = None
    comment: str = ""
    done: bool | None = None
    notes: str = ""
    lead: str = ""
    target_date: str = ""
    target_stage_id: str | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Answers cross from the reading processes in the thousands; the dataclass default
        # (setstate through fields()) is ten times slower than this.
        return (
            _answer,
            (
                self.item_id,
                self.sheet,
                self.row,
                self.stage_id,
                self.comment,
                self.done,
                self.notes,
                self.lead,
                self.target_date,
                self.target_stage_id,
            ),
        )


def _answer(
    item_id: str,
    sheet: str,
    row: int,
    stage_id: str | None,
    comment: str,
    done: bool | None,
    notes: str,
    lead: str,
    target_date: str,
    target_stage_id: str | None,
) -> Answer:
    return Answer(
        item_id=item_id,
        sheet=sheet,
        row=row,
        stage_id=stage_id,
        comment=comment,
        done=done,
        notes=notes,
        lead=lead,
        target_date=target_date,
        target_stage_id=target_stage_id,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class Provenance:
    """The email a returned file came from (recorded by ``xlsxkit collect``): its
    Message-ID, sender address, Date (ISO), Subject, and the mailbox it was read from."""

    message_id: str = ""
    sender: str = ""
    date: str = ""
    subject: str = ""
    mailbox: str = ""

    def label(self) -> str:
        """ "from / date / subject", as the Returns sheet shows it."""
        return " / ".join(t for t in (self.sender, self.date[:10], self.subject) if t)

    def as_dict(self) -> dict[str, str]:
        """The agreed keys: message_id, from, date, subject, mailbox."""
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "date": self.date,
            "subject": self.subject,
            "mailbox": self.mailbox,
        }


@dataclass(frozen=True, kw_only=True)
class Return:
    """A file that came back, with its verdict and, when readable, its answers.

    ``verdict`` says why the file has its status (None for an accepted one): an error for a
    rejection, an info for superseded, duplicate and skipped files. It is a
    :class:`~xlsxkit.problems.Problem` like the warnings in ``problems``, so a verdict is
    listed, rendered and written like any other problem.
    """

    source: str  # the path as found under SOURCES
    sha256: str = ""
    status: ReturnStatus = ReturnStatus.REJECTED
    verdict: Problem | None = None
    org_id: str = ""
    org_name: str = ""
    generic: bool = False
    token: str = ""
    framework_id: str = ""
    framework_version: str = ""
    framework_hash: str = ""
    round: str = ""
    saved_at: str = ""  # ISO timestamp of the last save
    saved_at_source: str = ""  # "document" (the file's own properties) or "file" (mtime)
    file_saved_at: str = ""  # ISO timestamp of the file's modification time (the fallback)
    answers: tuple[Answer, ...] = ()
    problems: tuple[Problem, ...] = ()  # warnings about an accepted file
    provenance: Provenance | None = None  # the email it came from, when collected

    @property
    def code(self) -> str:
        """The verdict's code, e.g. "password-protected"; "" for an accepted file."""
        return str(self.verdict.code) if self.verdict is not None else ""

    @property
    def reason(self) -> str:
        """The verdict's message, as written to returns.csv; "" for an accepted file."""
        return self.verdict.message if self.verdict is not None else ""
