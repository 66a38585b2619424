"""The rows of the campaign store as the rest of xlsxkit sees them: frozen records.

Only the store speaks SQL (:mod:`xlsxkit.campaign.store` and its parts); these records are
what its read methods return and its write methods take, so a caller never sees a cursor
or a column number.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

from xlsxkit.framework.model import Answer

Json: TypeAlias = str | int | float | bool | list["Json"] | dict[str, "Json"] | None


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgRecord:
    """A partner organisation as the store keeps it."""

    id: str
    name: str
    contact: str = ""
    email: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundRecord:
    """A round of the campaign, with the framework it was generated with."""

    slug: str  # the round's folder name under rounds/
    name: str  # as the coordinator typed it, e.g. "2027 spring"
    position: int  # 1 for the first round; rounds are ordered by it
    created_at: dt.datetime
    framework_id: str
    framework_version: str
    framework_hash: str
    stage_ids: tuple[str, ...]  # the framework's ladder in this round, lowest first
    deadline: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkbookRecord:
    """A workbook generated for a round, by its token."""

    token: str
    round_slug: str
    org_id: str | None  # None for a generic workbook
    file: str  # relative to the campaign folder
    sha256: str
    generated_at: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class FileRecord:
    """A file found by an import, once per content and place."""

    id: int
    sha256: str
    location: str  # where it was found, for people (undecodable bytes shown as U+FFFD)
    location_bytes: bytes  # the exact path, to find it again
    size: int
    provenance: dict[str, Json]  # e.g. Message-ID, From, Date, Subject, mailbox
    status: str  # the verdict: accepted, rejected, superseded, ...
    code: str
    reason: str
    org_id: str | None
    round_slug: str | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    missing_since: dt.datetime | None = None

    @property
    def path(self) -> Path:
        return Path(os.fsdecode(self.location_bytes))


class ItemKind(StrEnum):
    CRITERION = "criterion"
    ACTION = "action"


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerRecord:
    """One item of an accepted return: the fields of :class:`Answer` plus the target.

    The kind is stored so that a round can be exported and compared without the framework
    it was answered against (a later framework may have dropped the item).
    """

    item_id: str
    kind: ItemKind
    sheet: str = ""
    row: int = 0
    stage_id: str | None = None
    target_stage_id: str | None = None
    comment: str = ""
    done: bool | None = None
    notes: str = ""
    lead: str = ""
    target_date: str = ""

    @classmethod
    def from_answer(cls, answer: Answer, *, kind: ItemKind) -> AnswerRecord:
        return cls(
            item_id=answer.item_id,
            kind=kind,
            sheet=answer.sheet,
            row=answer.row,
            stage_id=answer.stage_id,
            target_stage_id=answer.target_stage_id,
            comment=answer.comment,
            done=answer.done,
            notes=answer.notes,
            lead=answer.lead,
            target_date=answer.target_date,
        )

    def to_answer(self) -> Answer:
        return Answer(
            item_id=self.item_id,
            sheet=self.sheet,
            row=self.row,
            stage_id=self.stage_id,
            target_stage_id=self.target_stage_id,
            comment=self.comment,
            done=self.done,
            notes=self.notes,
            lead=self.lead,
            target_date=self.target_date,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class AcceptedReturn:
    """The answers an organisation's accepted return gave in one round."""

    round_slug: str
    org_id: str
    file_id: int | None
    accepted_at: dt.datetime
    answers: tuple[AnswerRecord, ...] = ()


class MessageKind(StrEnum):
    SEND = "send"
    REMIND = "remind"
    FEEDBACK = "feedback"


class MessageResult(StrEnum):
    SENT = "sent"
    DRAFTED = "drafted"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageRecord:
    """An email to a partner (a send, reminder or feedback) and its result."""

    id: int
    round_slug: str | None
    org_id: str | None
    kind: MessageKind
    recipient: str
    at: dt.datetime
    result: MessageResult
    file: str = ""
    message_id: str = ""
    error: str = ""
