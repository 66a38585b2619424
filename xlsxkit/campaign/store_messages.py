"""The store's log of messages sent, drafted or failed (invitations, reminders, feedback).

Why in the store: who was sent what, and when, is part of a round's state that the
coordinator asks about (status) and that a reminder must not repeat blindly.
"""

from __future__ import annotations

import datetime as dt

from xlsxkit.campaign.records import MessageKind, MessageRecord, MessageResult
from xlsxkit.campaign.store_rounds import RoundsMixin


class MessagesMixin(RoundsMixin):
    """The messages of :class:`~xlsxkit.campaign.store.Store`."""

    # messages -----------------------------------------------------------------------
    def add_message(
        self,
        *,
        kind: MessageKind,
        recipient: str,
        at: dt.datetime,
        result: MessageResult,
        round_slug: str | None = None,
        org_id: str | None = None,
        file: str = "",
        message_id: str = "",
        error: str = "",
    ) -> MessageRecord:
        with self.transaction():
            if round_slug is not None:
                self._require_round(round_slug)
            cursor = self._run(
                "INSERT INTO messages (round_slug, org_id, kind, recipient, file, message_id, "
                "at, result, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_slug,
                    org_id,
                    str(kind),
                    recipient,
                    file,
                    message_id,
                    at.isoformat(),
                    str(result),
                    error,
                ),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return next(m for m in self.messages() if m.id == new_id)

    def messages(self, round_slug: str | None = None) -> tuple[MessageRecord, ...]:
        sql = (
            "SELECT id, round_slug, org_id, kind, recipient, file, message_id, at, result, "
            "error FROM messages"
        )
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY id", (round_slug,))
        return tuple(
            MessageRecord(
                id=r.integer(0),
                round_slug=r.opt_text(1),
                org_id=r.opt_text(2),
                kind=MessageKind(r.text(3)),
                recipient=r.text(4),
                file=r.text(5),
                message_id=r.text(6),
                at=r.time(7),
                result=MessageResult(r.text(8)),
                error=r.text(9),
            )
            for r in rows
        )
