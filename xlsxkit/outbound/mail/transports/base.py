"""What every transport is: it takes a composed message and says what became of it.

The outcome is one of three, because the ledger needs to know which (see
:mod:`xlsxkit.outbound.mail.ledger`): taken (``ACCEPTED``), certainly not taken
(``REFUSED``: safe to try again), or not known (``UNKNOWN``: the connection was lost while
the message itself was being handed over). A problem that stops the whole run (the server
cannot be reached, its certificate is not trusted, the password is refused) is a
:class:`TransportError` instead, raised before or between messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol

from xlsxkit.errors import XlsxkitError
from xlsxkit.outbound.mail.ledger import Entry, Outcome


class TransportError(XlsxkitError):
    """The transport cannot be used at all; the message says what to do."""


class Delivered(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True, slots=True)
class Delivery:
    status: Delivered
    detail: str  # the server's answer or the draft's path; why, when refused


class Transport(Protocol):
    #: What an accepted message is recorded as (sent, drafted).
    done: Outcome
    #: Where messages go, for the report ("drafts in DIR", "SMTP host:587").
    where: str
    #: The same, unambiguous (an absolute path), for the ledger: what ``settle`` compares.
    ident: str

    def open(self) -> None:
        """Get ready (connect, log in); raises :class:`TransportError`."""

    def close(self) -> None:
        """Never raises."""

    def deliver(self, message: EmailMessage, *, name: str) -> Delivery:
        """Hand MESSAGE over. NAME is a file-name stem for it (a draft's name). Raises
        :class:`TransportError` only when no further message can be delivered."""

    def handing_over(self) -> bool:
        """Whether a message is being handed over right now (for an interruption: was it
        perhaps taken?)."""

    def settle(self, entry: Entry) -> Outcome | None:
        """For an entry left ``sending`` or ``unconfirmed`` by an earlier run: DONE when
        this transport can tell it went out, FAILED when it can tell it did not, None when
        it cannot tell."""
