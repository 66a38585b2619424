"""One message, composed with the standard library's :class:`email.message.EmailMessage`.

A message is plain text with a simple HTML alternative made from the same text (escaped,
never interpreted: a partner's name cannot become markup), and the files attached with the
MIME type their extension stands for, so a mail program offers to open a workbook in Excel
rather than save an unknown file. The Message-ID is made on the From address's domain,
where replies are threaded, never on this machine's host name.

Addresses are parsed by the email package's header registry; an address it cannot use is
a :class:`ComposeError` for that one message, never a crash of the batch.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from xlsxkit.errors import XlsxkitError
from xlsxkit.inputs import InputFileError, describe_size, read_bounded

#: The largest file attached. Microsoft 365 and Gmail refuse messages over 25 MB, and a
#: base64 attachment is a third bigger than its file; a workbook xlsxkit writes is far
#: smaller (tens of KB).
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024

#: The MIME type of each file a message may carry.
MIME_TYPES: dict[str, tuple[str, str]] = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
    ".xls": ("application", "vnd.ms-excel"),
    ".pdf": ("application", "pdf"),
}

#: CRLF line ends, and 7-bit content (quoted-printable or base64 for anything else), so
#: that any server can carry the message, 8BITMIME or not.
POLICY = email.policy.SMTP.clone(cte_type="7bit")

#: Drafts: Outlook opens an .eml carrying this header as an unsent draft to edit and send.
UNSENT_HEADER = "X-Unsent"


class ComposeError(XlsxkitError):
    """This message cannot be composed (an address or an attachment it cannot use)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Sender:
    """From and Reply-To, as written in the settings ("Programme team <ip@example.org>")."""

    from_: str
    reply_to: str = ""

    @property
    def address(self) -> str:
        """The bare address of From: the envelope sender."""
        return parseaddr(self.from_)[1]

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True, kw_only=True, slots=True)
class Attachment:
    name: str  # the file name the partner sees
    content: bytes

    @classmethod
    def read(cls, path: Path) -> Attachment:
        """PATH's bytes, bounded. Raises :class:`ComposeError` saying what to do."""
        if path.suffix.lower() not in MIME_TYPES:
            raise ComposeError(f"{path}: xlsxkit attaches only " + ", ".join(MIME_TYPES))
        try:
            content = read_bounded(path, MAX_ATTACHMENT_BYTES, "attachment")
        except InputFileError as exc:
            raise ComposeError(str(exc)) from None
        return cls(name=path.name, content=content)


@dataclass(frozen=True, kw_only=True, slots=True)
class Letter:
    """What one message says, before it is composed."""

    to_name: str
    to_address: str
    subject: str
    body: str  # plain text, lines separated by \n
    attachments: tuple[Attachment, ...] = ()


def new_message_id(sender: Sender) -> str:
    return make_msgid(domain=sender.domain or None)


def html_alternative(text: str) -> str:
    """The plain text as simple HTML: escaped, a paragraph per blank-line-separated block,
    line breaks kept."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    paragraphs = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in block.strip("\n").split("\n")) + "</p>"
        for block in blocks
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: sans-serif;">\n{paragraphs}\n</body></html>\n'
    )


def _address(name: str, address: str, what: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise ComposeError(
            f"{what} {address!r} is not an address xlsxkit can use ({exc})"
        ) from None


def compose(
    letter: Letter,
    *,
    sender: Sender,
    message_id: str,
    now: dt.datetime,
    headers: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    """The message for LETTER. Raises :class:`ComposeError`."""
    msg = EmailMessage(policy=POLICY)
    try:
        msg["From"] = sender.from_
        if sender.reply_to:
            msg["Reply-To"] = sender.reply_to
        msg["To"] = _address(letter.to_name, letter.to_address, "the address")
        msg["Subject"] = letter.subject
        msg["Date"] = format_datetime(now.astimezone(dt.UTC))
        msg["Message-ID"] = message_id
        for name, value in headers:
            msg[name] = value
    except (ValueError, HeaderParseError) as exc:
        raise ComposeError(f"a header of the message cannot be written ({exc})") from None
    msg.set_content(letter.body)
    msg.add_alternative(html_alternative(letter.body), subtype="html")
    for attachment in letter.attachments:
        suffix = Path(attachment.name).suffix.lower()
        maintype, subtype = MIME_TYPES.get(suffix, ("application", "octet-stream"))
        msg.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.name
        )
    try:
        msg.as_bytes()  # what every transport does with it: fail here, for this message only
    except (ValueError, UnicodeError, HeaderParseError) as exc:
        raise ComposeError(f"the message cannot be written ({exc})") from None
    return msg


def message_size(msg: EmailMessage) -> str:
    return describe_size(len(msg.as_bytes()))


__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "MIME_TYPES",
    "UNSENT_HEADER",
    "Attachment",
    "ComposeError",
    "Letter",
    "Sender",
    "compose",
    "html_alternative",
    "new_message_id",
]
