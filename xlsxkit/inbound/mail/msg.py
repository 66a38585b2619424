"""Outlook ``.msg`` files read with :mod:`olefile` (BSD), MAPI properties read here.

A .msg is an OLE compound file ([MS-OXMSG]): each property of the message is a stream named
``__substg1.0_PPPPTTTT`` (property id, type: ``001F`` UTF-16 text, ``001E`` 8-bit text,
``0102`` binary), fixed-size ones sit in ``__properties_version1.0``, and each attachment
is a storage ``__attach_version1.0_#NNNNNNNN`` holding its own properties (``3701`` the
data, ``3707``/``3704`` the long/short name, ``370E`` the MIME type). extract-msg does this
too but is GPL-3, so it is done here with the few properties collecting needs.

A .msg is untrusted: every stream's size is checked (``get_size``, from the directory)
before it is read, the number of attachments is bounded, and anything olefile raises on a
damaged file makes the message a reported, skipped one. Embedded messages (an Outlook item
attached to the message, whose data is a storage, not a stream) are skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import struct
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

import olefile

from xlsxkit.codes import Code
from xlsxkit.inbound.mail.attachments import too_large_attachment
from xlsxkit.inbound.mail.headers import address, auto_reply_reason, clean, iso_date
from xlsxkit.inbound.mail.model import (
    MAX_HEADER_TEXT,
    Attachment,
    Mail,
    MailBounds,
    RawMessage,
    SourceProblem,
)
from xlsxkit.problems import Problem, error, warning

_ATTACH = "__attach_version1.0_#"
_PROPS = "__properties_version1.0"
_TEXT_BYTES = 1024 * 1024  # a text property read for its header: far above any normal one
_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


class _Msg:
    """Bounded reads of one .msg's property streams (at the top or under a storage)."""

    def __init__(self, ole: olefile.OleFileIO, bounds: MailBounds) -> None:
        self.ole = ole
        self.bounds = bounds
        self.codepage = "cp1252"

    def stream(self, path: str, limit: int) -> bytes | None:
        if not self.ole.exists(path) or self.ole.get_type(path) != olefile.STGTY_STREAM:
            return None
        if self.ole.get_size(path) > limit:
            return None
        with self.ole.openstream(path) as fh:
            data: bytes = fh.read(limit + 1)
        return data[:limit]

    def text(self, prefix: str, prop: str, limit: int = _TEXT_BYTES) -> str:
        base = f"{prefix}__substg1.0_{prop}"
        unicode = self.stream(base + "001F", limit)
        if unicode is not None:
            return unicode.decode("utf-16-le", "replace").rstrip("\x00")
        ansi = self.stream(base + "001E", limit)
        if ansi is not None:
            return ansi.decode(self.codepage, "replace").rstrip("\x00")
        return ""

    def fixed(self, prefix: str, header: int) -> dict[int, tuple[int, bytes]]:
        """The fixed-size properties: property id -> (type, 8 value bytes)."""
        data = self.stream(prefix + _PROPS, 64 * 1024) or b""
        out: dict[int, tuple[int, bytes]] = {}
        for offset in range(header, len(data) - 15, 16):
            tag = struct.unpack_from("<I", data, offset)[0]
            out[tag >> 16] = (tag & 0xFFFF, data[offset + 8 : offset + 16])
        return out


def _filetime(value: bytes) -> str:
    ticks = struct.unpack("<Q", value)[0]
    try:
        return (_FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)).isoformat()
    except OverflowError:
        return ""


def _damaged(raw: RawMessage, where: str, exc: Exception) -> SourceProblem:
    return SourceProblem(
        origin=raw.origin,
        problem=error(
            Code.MAIL_MALFORMED,
            f"this Outlook message (.msg) is damaged and cannot be read "
            f"({type(exc).__name__}); it was skipped. Save it again from Outlook, or save "
            "its attachment by hand",
            file=where,
        ),
    )


def parse_msg(raw: RawMessage, bounds: MailBounds) -> Mail | SourceProblem:
    """RAW (the bytes of a .msg) as a Mail, or the problem that stops it being read."""
    where = raw.origin.render()
    try:
        ole = olefile.OleFileIO(raw.data)
    except Exception as exc:  # olefile raises many kinds on a damaged file
        return _damaged(raw, where, exc)
    try:
        return _read(_Msg(ole, bounds), raw, where)
    except Exception as exc:
        return _damaged(raw, where, exc)
    finally:
        ole.close()


def _read(m: _Msg, raw: RawMessage, where: str) -> Mail:
    props = m.fixed("", 32)
    codepage = props.get(0x3FFD)
    if codepage is not None and codepage[0] == 0x0003:
        m.codepage = f"cp{struct.unpack_from('<I', codepage[1])[0]}"
        try:
            b"".decode(m.codepage)
        except LookupError:
            m.codepage = "cp1252"
    transport = m.text("", "007D")
    headers = BytesHeaderParser(policy=default_policy).parsebytes(
        transport.encode("utf-8", "replace")
    )

    def header(name: str) -> str:
        try:
            value = headers.get(name)
        except Exception:
            return ""
        return "" if value is None else str(value)

    subject = clean(m.text("", "0037") or header("Subject"))
    sender_name, sender = address(header("From"))
    if not sender:
        for prop in ("5D01", "0C1F", "0065"):
            _, sender = address(m.text("", prop, 4096))
            if sender:
                break
        sender_name = clean(m.text("", "0C1A", 4096), 200) or sender_name
    date = iso_date(header("Date"))
    if not date:
        for prop_id in (0x0039, 0x0E06):  # client submit time, delivery time
            found = props.get(prop_id)
            if found is not None and found[0] == 0x0040:
                date = _filetime(found[1])
                break
    message_class = m.text("", "001A", 4096)
    auto = auto_reply_reason(header, subject)
    if not auto and ".oof" in message_class.lower():
        auto = f"Outlook message class {clean(message_class, 60)}"
    message_id = clean(header("Message-ID") or m.text("", "1035", 4096), 300)

    problems: list[Problem] = []
    attachments: list[Attachment] = []
    embedded = 0
    storages = sorted(
        {e[0] for e in m.ole.listdir(streams=True, storages=True) if e[0].startswith(_ATTACH)}
    )
    if len(storages) > m.bounds.max_attachments:
        problems.append(
            warning(
                Code.MAIL_TOO_COMPLEX,
                f"the message has {len(storages)} attachments (the limit is "
                f"{m.bounds.max_attachments}); the rest were not looked at",
                file=where,
            )
        )
        storages = storages[: m.bounds.max_attachments]
    for storage in storages:
        prefix = storage + "/"
        data_path = prefix + "__substg1.0_37010102"
        if m.ole.exists(prefix + "__substg1.0_3701000D"):
            embedded += 1  # an Outlook item attached: not looked into
            continue
        name = m.text(prefix, "3707", 4096) or m.text(prefix, "3704", 4096)
        mime = clean(m.text(prefix, "370E", 4096), 200).lower()
        if not m.ole.exists(data_path):
            continue  # an attachment by reference (a link): nothing to save
        size = m.ole.get_size(data_path)
        if size > m.bounds.max_attachment_bytes:
            problems.append(too_large_attachment(name, size, m.bounds.max_attachment_bytes))
            continue
        data = m.stream(data_path, m.bounds.max_attachment_bytes) or b""
        attachments.append(Attachment(name=name[:MAX_HEADER_TEXT], content_type=mime, data=data))
    return Mail(
        origin=raw.origin,
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        date=date,
        subject=subject,
        auto_reply=auto,
        attachments=tuple(attachments),
        embedded_messages=embedded,
        problems=tuple(problems),
    )
