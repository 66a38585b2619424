"""One collection: read every message of every source, save the spreadsheets, and account
for everything else.

Each message ends with one outcome (:class:`MessageOutcome`) and every attachment is
counted once: saved, a duplicate of content already saved, or skipped as what it is (a
signature image, a calendar invite, an attached Outlook item, anything else). A message
that cannot be read is a problem with its source and place (file, mbox index, IMAP UID)
and the batch goes on. The sender is matched against the partner list only to report a
reply without a workbook; who a workbook is from is decided by the import, from the
workbook itself.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from xlsxkit.codes import Code
from xlsxkit.inbound.mail.attachments import AttachmentKind, sort_attachment
from xlsxkit.inbound.mail.model import (
    Mail,
    MailBounds,
    MessageFormat,
    Origin,
    SourceKind,
    SourceProblem,
)
from xlsxkit.inbound.mail.msg import parse_msg
from xlsxkit.inbound.mail.rfc822 import parse_rfc822
from xlsxkit.inbound.mail.save import SaveFolder, sha256
from xlsxkit.inbound.mail.sources import MailSource
from xlsxkit.problems import Location, Problem, error, warning


class MessageOutcome(StrEnum):
    SAVED = "saved"  # at least one spreadsheet saved
    DUPLICATE = "duplicate"  # only spreadsheets saved before
    AUTO_REPLY = "auto-reply"  # skipped
    NO_WORKBOOK = "no-workbook"  # no spreadsheet attached
    UNREADABLE = "unreadable"  # reported


@dataclass(frozen=True, kw_only=True, slots=True)
class SavedFile:
    """A spreadsheet of a message: where its content is now, and what it was called."""

    sha256: str
    path: Path  # for a duplicate: the file that already held this content
    original_name: str
    inside: str = ""  # the zip attachment it came out of
    duplicate: bool = False


@dataclass(frozen=True, kw_only=True)
class CollectedMessage:
    origin: Origin
    outcome: MessageOutcome
    message_id: str = ""
    sender: str = ""
    sender_name: str = ""
    date: str = ""
    subject: str = ""
    auto_reply: str = ""
    files: tuple[SavedFile, ...] = ()
    partner: str = ""  # the partner whose address sent it ("" when none matches)


@dataclass(kw_only=True)
class Collection:
    """What a collection did, message by message, with the counts the CLI prints."""

    messages: list[CollectedMessage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[AttachmentKind] = field(default_factory=Counter)
    embedded: int = 0  # Outlook items attached to a .msg, not looked into
    older: int = 0  # messages on disk dated before ``since``, passed over

    def count(self, outcome: MessageOutcome) -> int:
        return sum(1 for m in self.messages if m.outcome is outcome)

    @property
    def read(self) -> int:
        return sum(1 for m in self.messages if m.outcome is not MessageOutcome.UNREADABLE)

    @property
    def saved(self) -> int:
        return sum(1 for m in self.messages for f in m.files if not f.duplicate)

    @property
    def duplicates(self) -> int:
        return sum(1 for m in self.messages for f in m.files if f.duplicate)

    @property
    def other_skipped(self) -> int:
        return sum(self.skipped.values()) + self.embedded

    @property
    def without_workbook(self) -> int:
        """Replies from a partner's address with no workbook."""
        return sum(
            1 for m in self.messages if m.outcome is MessageOutcome.NO_WORKBOOK and m.partner
        )

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(iso: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return ""
    return f" on {when.day} {when:%b %Y}"


def collect_mail(
    sources: Sequence[MailSource],
    folder: SaveFolder,
    *,
    bounds: MailBounds | None = None,
    partners: Mapping[str, str] | None = None,
    on_message: Callable[[CollectedMessage], None] | None = None,
    since: dt.date | None = None,
) -> Collection:
    """Collect from SOURCES into FOLDER. PARTNERS maps a lower-cased email address to the
    partner's name (for the "replied without a workbook" report). Sources are finished
    (IMAP ``--move-to``) with the messages a spreadsheet was saved from, then closed.
    ON_MESSAGE is told of every message as soon as its files are saved (the caller records
    its provenance then, so that an interrupted collect has recorded what it saved).
    SINCE passes over messages on disk whose Date is earlier (a Gmail Takeout mbox holds
    years of mail); an IMAP server applies it itself, to the date it received a message."""
    bounds = bounds or MailBounds()
    out = Collection()
    known = {k.strip().lower(): v for k, v in (partners or {}).items() if k.strip()}
    for source in sources:
        mine: list[Origin] = []
        try:
            for item in source.messages():
                if isinstance(item, SourceProblem):
                    _unreadable(out, item, on_message)
                    continue
                if item.format is MessageFormat.MSG:
                    parsed = parse_msg(item, bounds)
                else:
                    parsed = parse_rfc822(item, bounds)
                if isinstance(parsed, SourceProblem):
                    _unreadable(out, parsed, on_message)
                    continue
                if since is not None and _before(parsed, since):
                    out.older += 1
                    continue
                message = _collect_one(parsed, folder, bounds, known, out)
                out.messages.append(message)
                if on_message is not None:
                    on_message(message)
                if message.outcome in (MessageOutcome.SAVED, MessageOutcome.DUPLICATE):
                    mine.append(message.origin)
            for why in source.finish(mine):
                out.problems.append(error(Code.MAIL_UNREADABLE, why, file=source.label))
        finally:
            source.close()
    return out


def _before(mail: Mail, since: dt.date) -> bool:
    """Whether a message on disk is dated before SINCE (undated ones are kept)."""
    if mail.origin.kind is SourceKind.IMAP or not mail.date:
        return False
    try:
        return dt.datetime.fromisoformat(mail.date).date() < since
    except ValueError:
        return False


def _unreadable(
    out: Collection, item: SourceProblem, on_message: Callable[[CollectedMessage], None] | None
) -> None:
    out.problems.append(item.problem)
    if item.origin.where or item.origin.kind in (SourceKind.EML, SourceKind.MSG):
        message = CollectedMessage(origin=item.origin, outcome=MessageOutcome.UNREADABLE)
        out.messages.append(message)
        if on_message is not None:
            on_message(message)


def _collect_one(
    mail: Mail,
    folder: SaveFolder,
    bounds: MailBounds,
    partners: Mapping[str, str],
    out: Collection,
) -> CollectedMessage:
    where = mail.origin.render()
    out.problems.extend(_located(p, where) for p in mail.problems)
    partner = partners.get(mail.sender, "")
    head = CollectedMessage(
        origin=mail.origin,
        outcome=MessageOutcome.NO_WORKBOOK,
        message_id=mail.message_id,
        sender=mail.sender,
        sender_name=mail.sender_name,
        date=mail.date,
        subject=mail.subject,
        partner=partner,
    )
    if mail.auto_reply:
        return replace(head, outcome=MessageOutcome.AUTO_REPLY, auto_reply=mail.auto_reply)
    out.embedded += mail.embedded_messages
    files: list[SavedFile] = []
    for attachment in mail.attachments:
        sorted_ = sort_attachment(attachment, bounds)
        out.problems.extend(_located(p, where) for p in sorted_.problems)
        if sorted_.kind is not AttachmentKind.SPREADSHEET:
            out.skipped[sorted_.kind] += 1
            continue
        for sheet in sorted_.spreadsheets:
            digest = sha256(sheet.data)
            already = folder.existing(digest)
            if already is not None:
                files.append(
                    SavedFile(
                        sha256=digest,
                        path=already,
                        original_name=sheet.original_name,
                        inside=sheet.inside,
                        duplicate=True,
                    )
                )
                continue
            try:
                path = folder.save(
                    sheet.data, original_name=sheet.original_name, suffix=sheet.suffix
                )
            except OSError as exc:
                out.problems.append(
                    error(
                        Code.MAIL_UNREADABLE,
                        f"the attachment {sheet.original_name!r} could not be saved into "
                        f"{folder.folder} ({exc.strerror or exc}); check that the folder can "
                        "be written, then run collect again",
                        file=where,
                    )
                )
                continue
            files.append(
                SavedFile(
                    sha256=digest,
                    path=path,
                    original_name=sheet.original_name,
                    inside=sheet.inside,
                )
            )
    if not files:
        if partner:
            out.problems.append(
                warning(
                    Code.REPLY_WITHOUT_WORKBOOK,
                    f"{partner} replied{_day(mail.date)} without a workbook (from "
                    f"{mail.sender}, subject {_short(mail.subject)!r}); ask them to attach "
                    "the workbook they were sent",
                    file=where,
                )
            )
        return head
    outcome = MessageOutcome.DUPLICATE if all(f.duplicate for f in files) else MessageOutcome.SAVED
    return replace(head, outcome=outcome, files=tuple(files))


def _located(problem: Problem, where: str) -> Problem:
    if problem.location.file:
        return problem
    return replace(problem, location=Location(file=where))
