"""The store's record of collected mail: every message ``xlsxkit collect`` read, and every
spreadsheet it saved from one (schema version 3).

Why in the store: "which email did this file come from?" must have an answer at import
time, and after. The import looks a file up by its sha256 (:meth:`CollectedMixin.
collected_provenance`) and shows the message's Message-ID, From, Date, Subject and mailbox
in returns.csv and on the Returns sheet. A spreadsheet that came twice (the same workbook
sent again) is saved once, but both messages are kept, each with its file row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxkit.campaign.store_rounds import RoundsMixin
from xlsxkit.campaign.store_sql import Row
from xlsxkit.framework.model import Provenance


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectedFile:
    """A spreadsheet of a collected message (as given to :meth:`record_collected`)."""

    sha256: str
    saved_file: str  # where the content is, as stored (relative to the campaign folder)
    original_name: str = ""
    inside_zip: str = ""
    duplicate: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectedMessageRecord:
    id: int
    round_slug: str | None
    message_id: str
    sender: str
    date: str
    subject: str
    mailbox: str
    location: str
    outcome: str
    collected_at: dt.datetime
    files: tuple[CollectedFile, ...] = ()

    @property
    def provenance(self) -> Provenance:
        return Provenance(
            message_id=self.message_id,
            sender=self.sender,
            date=self.date,
            subject=self.subject,
            mailbox=self.mailbox,
        )


_COLUMNS = (
    "id, round_slug, message_id, sender, date, subject, mailbox, location, outcome, collected_at"
)


class CollectedMixin(RoundsMixin):
    """The collected mail of :class:`~xlsxkit.campaign.store.Store`."""

    def record_collected(
        self,
        *,
        round_slug: str | None,
        message_id: str,
        sender: str,
        date: str,
        subject: str,
        mailbox: str,
        location: str,
        outcome: str,
        at: dt.datetime,
        files: Sequence[CollectedFile] = (),
    ) -> int:
        """Record one message read by collect and its spreadsheets, in one transaction.

        The same message read again from the same place (collect run twice on a mailbox)
        is not recorded twice: its row is kept and its id returned."""
        with self.transaction():
            if round_slug is not None:
                self._require_round(round_slug)
            if message_id:
                rows = self._rows(
                    "SELECT id FROM collected_messages WHERE message_id = ? AND mailbox = ? "
                    "AND location = ? AND round_slug IS ?",
                    (message_id, mailbox, location, round_slug),
                )
                if rows:
                    return rows[0].integer(0)
            cursor = self._run(
                "INSERT INTO collected_messages (round_slug, message_id, sender, date, subject, "
                "mailbox, location, outcome, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_slug,
                    message_id,
                    sender,
                    date,
                    subject,
                    mailbox,
                    location,
                    outcome,
                    at.isoformat(),
                ),
            )
            row_id = cursor.lastrowid
            assert row_id is not None
            self._executemany(
                "INSERT INTO collected_files (message_row, sha256, saved_file, original_name, "
                "inside_zip, duplicate) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (
                        row_id,
                        f.sha256,
                        f.saved_file,
                        f.original_name,
                        f.inside_zip,
                        1 if f.duplicate else 0,
                    )
                    for f in files
                ),
            )
        return row_id

    def collected_messages(
        self, round_slug: str | None = None
    ) -> tuple[CollectedMessageRecord, ...]:
        """The messages collected (into ROUND_SLUG, or all), in the order read."""
        sql = f"SELECT {_COLUMNS} FROM collected_messages"
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY id", (round_slug,))
        files: dict[int, list[CollectedFile]] = {}
        for r in self._rows(
            "SELECT message_row, sha256, saved_file, original_name, inside_zip, duplicate "
            "FROM collected_files ORDER BY id"
        ):
            files.setdefault(r.integer(0), []).append(
                CollectedFile(
                    sha256=r.text(1),
                    saved_file=r.text(2),
                    original_name=r.text(3),
                    inside_zip=r.text(4),
                    duplicate=bool(r.integer(5)),
                )
            )
        return tuple(_message(r, tuple(files.get(r.integer(0), ()))) for r in rows)

    def collected_provenance(self) -> dict[str, Provenance]:
        """The email each collected spreadsheet came from, by sha256: the first message it
        was saved from (a later copy of the same content is a duplicate of that one)."""
        out: dict[str, Provenance] = {}
        for message in self.collected_messages():
            for f in message.files:
                out.setdefault(f.sha256, message.provenance)
        return out


def _message(r: Row, files: tuple[CollectedFile, ...]) -> CollectedMessageRecord:
    return CollectedMessageRecord(
        id=r.integer(0),
        round_slug=r.opt_text(1),
        message_id=r.text(2),
        sender=r.text(3),
        date=r.text(4),
        subject=r.text(5),
        mailbox=r.text(6),
        location=r.text(7),
        outcome=r.text(8),
        collected_at=r.time(9),
        files=files,
    )
