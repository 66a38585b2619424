"""The campaign store's ``messages`` table as the ledger of :mod:`xlsxkit.outbound.mail`.

The table (schema 2) records a result of sent, drafted or failed, and an error text. The
ledger's other states live in that text, as tags written and read only here:
``[sending] <where>`` and ``[unconfirmed] <why>`` are failed rows that do not mean "safe to
try again", and ``[test for <address>]`` marks a test run redirected with ``--to``. A plain
failed row is a failure to retry; a sent or drafted row has gone out. Keeping to the
existing columns needs no migration of anyone's store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xlsxkit.app.campaign import shown_path
from xlsxkit.campaign.store import MessageKind, MessageRecord, MessageResult, Store
from xlsxkit.outbound.mail.ledger import Entry, Outcome
from xlsxkit.outbound.mail.templates import MailKind


class StoreLedger:
    """The campaign store's ``messages`` table as the ledger (see the module's doc)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.where = str(shown_path(store.path))

    def entries(self) -> Sequence[Entry]:
        return tuple(_entry(m) for m in self.store.messages())

    def record(self, entry: Entry) -> None:
        tags = f"[test for {entry.redirected_from}] " if entry.redirected_from else ""
        if entry.outcome in (Outcome.SENDING, Outcome.UNCONFIRMED):
            tags += f"[{entry.outcome.value}] "
        result = {
            Outcome.SENT: MessageResult.SENT,
            Outcome.DRAFTED: MessageResult.DRAFTED,
        }.get(entry.outcome, MessageResult.FAILED)
        detail = "" if result is not MessageResult.FAILED else entry.detail
        self.store.add_message(
            kind=MessageKind(entry.kind.value),
            recipient=entry.recipient,
            at=entry.at,
            result=result,
            round_slug=entry.round or None,
            org_id=entry.org_id or None,
            file=entry.file,
            message_id=entry.message_id,
            error=(tags + detail).strip(),
        )


_TAG = re.compile(r"\[(test for [^\]]*|sending|unconfirmed)\] ?")


def _entry(m: MessageRecord) -> Entry:
    text = m.error
    redirected = ""
    outcome = Outcome(m.result.value)
    while match := _TAG.match(text):
        tag = match.group(1)
        if tag.startswith("test for "):
            redirected = tag.removeprefix("test for ") or "?"
        elif m.result is MessageResult.FAILED:
            outcome = Outcome(tag)
        text = text[match.end() :]
    return Entry(
        round=m.round_slug or "",
        org_id=m.org_id or "",
        kind=MailKind(m.kind.value),
        outcome=outcome,
        at=m.at,
        recipient=m.recipient,
        file=m.file,
        message_id=m.message_id,
        detail=text,
        redirected_from=redirected,
    )


__all__ = ["StoreLedger"]
