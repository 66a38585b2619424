"""Internet messages (.eml, mbox, Maildir, IMAP) parsed into a :class:`~.model.Mail`.

The standard library's parser does the MIME work; this module bounds it. The header block
is measured before anything is parsed; parts are walked with a count and a depth (a
message nesting multiparts thousands deep is refused, and so is one the parser itself
cannot finish); an attachment's encoded size is checked before it is decoded. Bodies are
never looked at beyond their type: no HTML is rendered, no link or image fetched.
"""

from __future__ import annotations

import email.message
import email.policy
from collections.abc import Iterator
from email.parser import BytesParser

from xlsxkit.codes import Code
from xlsxkit.inbound.mail.attachments import too_large_attachment
from xlsxkit.inbound.mail.headers import (
    address,
    auto_reply_reason,
    clean,
    decode_bytes,
    iso_date,
)
from xlsxkit.inbound.mail.model import Attachment, Mail, MailBounds, RawMessage, SourceProblem
from xlsxkit.problems import Problem, error, warning

_PARSER = BytesParser(policy=email.policy.default)


def header_block_size(data: bytes, bounds: MailBounds) -> int | None:
    """The size of DATA's header block, or None when it runs past the header bound."""
    window = data[: bounds.max_header_bytes + 4]
    ends = [i for i in (window.find(b"\r\n\r\n"), window.find(b"\n\n")) if i >= 0]
    if ends:
        return min(ends)
    return len(data) if len(data) <= bounds.max_header_bytes else None


def _header(msg: email.message.Message, name: str) -> str:
    """A header's text, "" when absent. Raw 8-bit bytes (old clients send Latin-1 or UTF-8
    unencoded) are decoded as UTF-8 when they are, else Windows-1252; a header the policy
    cannot parse falls back to its raw text (never an exception)."""
    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return decode_bytes(raw.encode("utf-8", "surrogateescape"))
    try:
        value = msg.get(name)
        return raw if value is None else str(value)
    except Exception:  # the policy's header parsers raise on some malformed values
        return raw


def parse_rfc822(raw: RawMessage, bounds: MailBounds) -> Mail | SourceProblem:
    """RAW as a Mail, or the problem that stops it being read."""
    where = raw.origin.render()

    def malformed(why: str) -> SourceProblem:
        return SourceProblem(
            origin=raw.origin,
            problem=error(
                Code.MAIL_MALFORMED,
                f"{why}; it was skipped. Save the message again from the mail program, or "
                "save its attachment by hand",
                file=where,
            ),
        )

    if header_block_size(raw.data, bounds) is None:
        return malformed(
            f"the message's headers are longer than {bounds.max_header_bytes:,} bytes "
            "(possibly hostile)"
        )
    try:
        msg = _PARSER.parsebytes(raw.data)
    except RecursionError:
        return malformed("the message nests its parts too deeply to be read (possibly hostile)")
    except Exception as exc:  # the parser is lenient; anything it raises is a damaged message
        return malformed(f"the message cannot be parsed ({type(exc).__name__})")
    if not any(_header(msg, h) for h in ("From", "Date", "Subject", "Message-ID")):
        return malformed("this is not an email message (it has no From, Date or Subject)")

    subject = clean(_header(msg, "Subject"))
    name, sender = address(_header(msg, "From"))
    problems: list[Problem] = []
    attachments: list[Attachment] = []
    try:
        for part in _leaves(msg, bounds, problems, where):
            found = _attachment(part, bounds, problems, where)
            if found is None:
                continue
            if len(attachments) >= bounds.max_attachments:
                problems.append(
                    warning(
                        Code.MAIL_TOO_COMPLEX,
                        f"the message has more than {bounds.max_attachments} attachments; "
                        "the rest were not looked at. Save them by hand if one is a return",
                        file=where,
                    )
                )
                break
            attachments.append(found)
    except RecursionError:
        return malformed("the message nests its parts too deeply to be read (possibly hostile)")
    return Mail(
        origin=raw.origin,
        message_id=clean(_header(msg, "Message-ID"), 300),
        sender=sender,
        sender_name=name,
        date=iso_date(_header(msg, "Date")),
        subject=subject,
        auto_reply=auto_reply_reason(lambda h: _header(msg, h), subject),
        attachments=tuple(attachments),
        problems=tuple(problems),
    )


def _leaves(
    msg: email.message.Message, bounds: MailBounds, problems: list[Problem], where: str
) -> Iterator[email.message.Message]:
    """The non-multipart parts of MSG, depth first, within the part and depth bounds (an
    attached message/rfc822 is walked into: a forwarded reply carries the workbook)."""
    stack: list[tuple[email.message.Message, int]] = [(msg, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > bounds.max_parts or depth > bounds.max_depth:
            why = (
                f"more than {bounds.max_parts} parts"
                if seen > bounds.max_parts
                else f"parts nested more than {bounds.max_depth} deep"
            )
            problems.append(
                warning(
                    Code.MAIL_TOO_COMPLEX,
                    f"the message has {why}; the rest was not looked at. Save its "
                    "attachments by hand if one is a return",
                    file=where,
                )
            )
            return
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (c, depth + 1)
                    for c in reversed(children)
                    if isinstance(c, email.message.Message)
                )
            continue
        yield part


def _attachment(
    part: email.message.Message, bounds: MailBounds, problems: list[Problem], where: str
) -> Attachment | None:
    """PART as an attachment, or None for a message body (text or HTML: never rendered)."""
    try:
        content_type = part.get_content_type()
        filename = part.get_filename() or ""
        disposition = part.get_content_disposition() or ""
    except Exception:  # a malformed Content-Type or -Disposition: treat as a nameless part
        content_type, filename, disposition = "application/octet-stream", "", ""
    maintype = content_type.partition("/")[0]
    body = not filename and disposition != "attachment" and content_type != "text/calendar"
    if body and maintype in ("text", "multipart", "message"):
        return None  # a body: plain text or HTML, never rendered
    encoded = part.get_payload()
    encoded_size = len(encoded) if isinstance(encoded, str | bytes) else 0
    if encoded_size * 3 // 4 > bounds.max_attachment_bytes:
        problems.append(
            too_large_attachment(filename, encoded_size * 3 // 4, bounds.max_attachment_bytes)
        )
        return None
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        data = b""
    if len(data) > bounds.max_attachment_bytes:
        problems.append(too_large_attachment(filename, len(data), bounds.max_attachment_bytes))
        return None
    return Attachment(
        name=filename,
        content_type=content_type,
        data=data,
        inline=disposition == "inline",
    )
