"""Messages for the collect tests, built with the standard library's email package, and
small real spreadsheets to attach."""

from __future__ import annotations

import email.utils
import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl

_counter = [0]


def xlsx_bytes(text: str = "hello") -> bytes:
    """A real (tiny) .xlsx whose content differs with TEXT."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def message(
    *,
    sender: str = "North Trust <north@example.org>",
    to: str = "coordinator@example.org",
    subject: str = "Re: your assessment workbook",
    body: str = "Please find our workbook attached.",
    attachments: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
    date: str = "Thu, 03 Dec 2026 10:15:00 +0000",
    html: bool = False,
) -> EmailMessage:
    """A reply; ATTACHMENTS are (file name, bytes, MIME type)."""
    _counter[0] += 1
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<reply-{_counter[0]}@example.org>"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(
            f'<p>{body}</p><img src="https://tracker.example.org/pixel.gif">', subtype="html"
        )
    for name, data, mime in attachments or []:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_eml(folder: Path, name: str, msg: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(bytes(msg))
    return path


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    """An mbox (mboxrd quoting of body lines starting with 'From ')."""
    chunks = []
    for msg in messages:
        raw = bytes(msg).replace(b"\r\n", b"\n")
        lines = [
            b">" + line if line.lstrip(b">").startswith(b"From ") else line
            for line in raw.split(b"\n")
        ]
        stamp = email.utils.formatdate(usegmt=True).encode()
        chunks.append(b"From MAILER-DAEMON " + stamp + b"\n" + b"\n".join(lines) + b"\n\n")
    path.write_bytes(b"".join(chunks))
    return path


def write_maildir(folder: Path, messages: list[EmailMessage], *, new: int = 0) -> Path:
    """A Maildir with the first NEW messages in new/ and the rest in cur/ (seen)."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for i, msg in enumerate(messages):
        if i < new:
            (folder / "new" / f"100{i}.M1P1.test").write_bytes(bytes(msg))
        else:
            (folder / "cur" / f"100{i}.M1P1.test:2,S").write_bytes(bytes(msg))
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below FOLDER (relative path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
