"""Never twice: the record of every message sent, drafted or failed, and what it means for
the next run.

Each attempt leaves entries in a ledger (the campaign store's ``messages`` table, or,
outside a campaign, a CSV log): one *before* the message is handed to the transport
(``sending``) and one after (``sent``, ``drafted``, ``failed`` or ``unconfirmed``). The
ledger is only ever appended to. What a partner's message stands at is its latest entry
for the round, organisation and kind:

- ``sent`` or ``drafted``: it has gone out; a new run skips it (``--resend ORG`` is the
  explicit exception);
- ``failed``: the transport refused it before taking it (a 4xx/5xx answer, the connection
  lost before the message was sent); a new run tries it again;
- ``sending`` (the run stopped, was killed or the machine died before the answer was
  recorded) or ``unconfirmed`` (the connection was lost while the message itself was being
  sent, so the server may have accepted it): nobody knows whether the partner got it. A
  new run does not guess: it skips it and reports it, and the coordinator checks (the Sent
  folder, or asks the partner) and sends it again with ``--resend ORG`` if need be.
  Sending twice is the worse failure: it confuses a partner and doubles the returns.
  A draft is an exception the transport can settle: drafts are written atomically, so an
  unfinished draft either is in the folder (it is recorded as drafted) or was never
  written (it is drafted again).

Entries of a test run redirected with ``--to`` are recorded too, with the partner's
address they were meant for, but they never count as gone out to the partner.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from xlsxkit.csvsafe import neutralise, unneutralise
from xlsxkit.errors import XlsxkitError
from xlsxkit.inputs import InputFileError, read_bounded
from xlsxkit.outbound.mail.templates import MailKind

#: A log is a line per attempt; this bounds it far above any campaign (100,000 lines).
MAX_LOG_BYTES = 50 * 1024 * 1024
LOG_NAME = "send-log.csv"
LOG_COLUMNS = (
    "at",
    "round",
    "org_id",
    "kind",
    "outcome",
    "recipient",
    "redirected_from",
    "file",
    "message_id",
    "detail",
)


class Outcome(StrEnum):
    SENDING = "sending"  # recorded before the message is handed over
    SENT = "sent"
    DRAFTED = "drafted"
    FAILED = "failed"  # refused before it was taken: safe to try again
    UNCONFIRMED = "unconfirmed"  # the server may have accepted it


class Standing(StrEnum):
    """Where a partner's message stands before a run."""

    NEW = "new"  # nothing recorded
    DONE = "done"  # sent or drafted
    FAILED = "failed"  # to try again
    UNKNOWN = "unknown"  # sending or unconfirmed: needs --resend after a check


class LedgerError(XlsxkitError):
    """The ledger cannot be read or written; the message names the file."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    round: str  # the round's slug in a campaign; the manifest's round label outside
    org_id: str
    kind: MailKind
    outcome: Outcome
    at: dt.datetime
    recipient: str  # the address the message went to
    file: str = ""  # what was attached, as the coordinator knows it (the outbox workbook)
    message_id: str = ""
    detail: str = ""  # the server's answer, the draft's path, or why it failed
    redirected_from: str = ""  # a test run (--to): the partner's address it was meant for

    @property
    def key(self) -> tuple[str, str, MailKind]:
        return (self.round, self.org_id, self.kind)


def latest(entries: Iterable[Entry]) -> dict[tuple[str, str, MailKind], Entry]:
    """The latest entry per (round, organisation, kind), test runs left out."""
    out: dict[tuple[str, str, MailKind], Entry] = {}
    for entry in entries:
        if not entry.redirected_from:
            out[entry.key] = entry
    return out


def standing(entry: Entry | None) -> Standing:
    if entry is None:
        return Standing.NEW
    if entry.outcome in (Outcome.SENT, Outcome.DRAFTED):
        return Standing.DONE
    if entry.outcome is Outcome.FAILED:
        return Standing.FAILED
    return Standing.UNKNOWN


def last_done(entries: Iterable[Entry]) -> dict[tuple[str, str, MailKind], Entry]:
    """The latest sent or drafted entry per key (test runs left out): when it went out."""
    out: dict[tuple[str, str, MailKind], Entry] = {}
    for entry in entries:
        if not entry.redirected_from and entry.outcome in (Outcome.SENT, Outcome.DRAFTED):
            out[entry.key] = entry
    return out


class Ledger(Protocol):
    """Where entries are kept. ``record`` must be durable when it returns."""

    where: str  # for messages: the store or the log file

    def entries(self) -> Sequence[Entry]: ...

    def record(self, entry: Entry) -> None: ...


class MemoryLedger:
    """A ledger that keeps nothing beyond the run: for ``--dry-run``."""

    where = "(dry run: nothing recorded)"

    def __init__(self, entries: Sequence[Entry] = ()) -> None:
        self._entries = list(entries)

    def entries(self) -> Sequence[Entry]:
        return tuple(self._entries)

    def record(self, entry: Entry) -> None:
        self._entries.append(entry)


class CsvLedger:
    """The ledger outside a campaign: a CSV log, one line appended per entry and flushed to
    disk before the run goes on, so a crash loses at most the line being written (a torn
    last line is ignored when the log is read back). Cells are neutralised like every CSV
    xlsxkit writes, so the log opens safely in a spreadsheet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def entries(self) -> Sequence[Entry]:
        if not self.path.exists():
            return ()
        try:
            raw = read_bounded(self.path, MAX_LOG_BYTES, "send log")
        except InputFileError as exc:
            raise LedgerError(str(exc)) from None
        text = raw.decode("utf-8-sig", "replace")
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if header is None:
            return ()
        if tuple(header) != LOG_COLUMNS:
            raise LedgerError(
                f"{self.path}: this is not a send log written by xlsxkit (its first line is "
                "not the log's header); give another --log file, or move this one away"
            )
        out = []
        try:
            for row in reader:
                entry = _entry(row)
                if entry is not None:
                    out.append(entry)
        except csv.Error:  # a torn last line (an unterminated quote)
            pass
        return tuple(out)

    def record(self, entry: Entry) -> None:
        new = not self.path.exists() or self.path.stat().st_size == 0
        buf = io.StringIO()
        writer = csv.writer(buf)
        if new:
            buf.write("\ufeff")
            writer.writerow(LOG_COLUMNS)
        writer.writerow(neutralise(v) for v in _row(entry).values())
        try:
            torn = not new and _ends_without_newline(self.path)
            with self.path.open("a", encoding="utf-8", newline="") as fh:
                # A line torn by a crash is ended first, so that it never swallows this one.
                fh.write(("\r\n" if torn else "") + buf.getvalue())
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise LedgerError(
                f"{self.path}: cannot write the send log ({exc.strerror or exc}); the run "
                "stopped so that nothing is sent without a record. Free the disk or give "
                "another --log, then run the command again"
            ) from None


def _ends_without_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) not in (b"\n", b"\r")


def _row(entry: Entry) -> Mapping[str, str]:
    return {
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "round": entry.round,
        "org_id": entry.org_id,
        "kind": entry.kind.value,
        "outcome": entry.outcome.value,
        "recipient": entry.recipient,
        "redirected_from": entry.redirected_from,
        "file": entry.file,
        "message_id": entry.message_id,
        "detail": entry.detail,
    }


def _entry(row: Sequence[str]) -> Entry | None:
    if len(row) != len(LOG_COLUMNS):
        return None  # a torn line
    values = dict(zip(LOG_COLUMNS, (unneutralise(v) for v in row), strict=True))
    try:
        return Entry(
            at=dt.datetime.fromisoformat(values["at"]),
            round=values["round"],
            org_id=values["org_id"],
            kind=MailKind(values["kind"]),
            outcome=Outcome(values["outcome"]),
            recipient=values["recipient"],
            redirected_from=values["redirected_from"],
            file=values["file"],
            message_id=values["message_id"],
            detail=values["detail"],
        )
    except ValueError:
        return None


__all__ = [
    "LOG_COLUMNS",
    "LOG_NAME",
    "CsvLedger",
    "Entry",
    "Ledger",
    "LedgerError",
    "MemoryLedger",
    "Outcome",
    "Standing",
    "last_done",
    "latest",
    "standing",
]
