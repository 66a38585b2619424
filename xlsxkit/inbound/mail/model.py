"""The shapes every mail source shares: where a message came from, the raw message, the
message as parsed, and the bounds that keep a hostile message from costing more than a
normal one.

Mail is untrusted input exactly like a returned workbook: a message can be enormous, nest
MIME parts a thousand deep, carry a header of a megabyte, or name an attachment
``../../.bashrc``. So every source hands over *bytes, bounded*, with the place they came
from (a file, the n-th message of an mbox, an IMAP UID), and the parser turns them into a
:class:`Mail` whose texts are cut to a known length and whose attachment names are kept
only to be shown, never used as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from xlsxkit.problems import Problem

#: The largest message read at all (providers cap attachments at 20-35 MB; base64 adds 37%).
MAX_MESSAGE_BYTES: Final = 50 * 1024 * 1024
#: The largest attachment kept (as the largest returned file the import reads).
MAX_ATTACHMENT_BYTES: Final = 25 * 1024 * 1024
#: Attachments looked at in one message; the rest are reported, not read.
MAX_ATTACHMENTS: Final = 100
#: MIME parts in one message, and how deep they may nest.
MAX_PARTS: Final = 500
MAX_DEPTH: Final = 20
#: The header block of one message (a normal one is a few KB; Received chains stay far below).
MAX_HEADER_BYTES: Final = 256 * 1024
#: A header value as kept for provenance and messages (a subject, a sender).
MAX_HEADER_TEXT: Final = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class MailBounds:
    """The limits a collection runs under (tests lower them to reach them cheaply)."""

    max_message_bytes: int = MAX_MESSAGE_BYTES
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
    max_attachments: int = MAX_ATTACHMENTS
    max_parts: int = MAX_PARTS
    max_depth: int = MAX_DEPTH
    max_header_bytes: int = MAX_HEADER_BYTES


class SourceKind(StrEnum):
    EML = "eml"
    MSG = "msg"
    MBOX = "mbox"
    MAILDIR = "maildir"
    IMAP = "imap"


class MessageFormat(StrEnum):
    RFC822 = "rfc822"  # .eml, mbox, Maildir and IMAP all hold Internet messages
    MSG = "msg"  # an Outlook .msg (an OLE compound file of MAPI properties)


@dataclass(frozen=True, kw_only=True, slots=True)
class Origin:
    """Where a message came from: the source as the user gave it (a path, or an IMAP URL
    without any password) and the place inside it (an mbox index, a Maildir file, a UID)."""

    kind: SourceKind
    mailbox: str
    where: str = ""

    def render(self) -> str:
        return f"{self.mailbox}: {self.where}" if self.where else self.mailbox


@dataclass(frozen=True, kw_only=True, slots=True)
class RawMessage:
    """One message as a source hands it over: bytes, never more than the message bound."""

    origin: Origin
    data: bytes
    format: MessageFormat = MessageFormat.RFC822


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceProblem:
    """A message (or a whole source) that could not be read; the batch goes on."""

    origin: Origin
    problem: Problem


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    """An attached file. ``name`` is the name the sender gave (shown, never a path)."""

    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Mail:
    """A message as parsed: the headers provenance needs, whether it is an automatic reply,
    and its attachments. Texts are decoded, stripped of control characters and cut to
    :data:`MAX_HEADER_TEXT`."""

    origin: Origin
    message_id: str = ""
    sender: str = ""  # the address, lower-cased
    sender_name: str = ""
    date: str = ""  # ISO 8601 when the Date header parses, else ""
    subject: str = ""
    #: Why this is an automatic reply (the header or subject that says so), or "".
    auto_reply: str = ""
    attachments: tuple[Attachment, ...] = ()
    #: attached messages not looked into (an Outlook .msg inside a .msg)
    embedded_messages: int = 0
    #: what the bounds cut off (too many parts, an attachment too large): warnings
    problems: tuple[Problem, ...] = ()
