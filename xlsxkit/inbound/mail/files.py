"""Mail on disk: ``.eml`` and ``.msg`` files, mbox files and Maildir folders.

Every one of these is read-only and bounded, and none is read through :mod:`mailbox`:

- *mbox* (Thunderbird's folders, Gmail Takeout): the standard library's ``mailbox.mbox``
  opens the file for writing (``rb+``), reads it whole to index it, and hands back each
  message unbounded. A Takeout file can be gigabytes. So the file is opened ``rb`` and read
  line by line, split at the ``From`` lines that start each message (mboxrd's ``>From``
  quoting undone), each message cut off at the message bound and reported. Nothing is
  locked; nothing is written.
- *Maildir*: ``mailbox.Maildir`` does not move ``new/`` to ``cur/`` when reading (only a
  write does), but it reads each file whole. So the ``cur/`` and ``new/`` files are listed
  and read here, each after checking its size; ``tmp/`` (messages being delivered) is left
  alone, and no file is renamed, so no flag (not even "seen") changes.
- *.eml / .msg*: one message a file, its size checked before it is read. A file given by
  name is taken for what its content is (an Outlook file renamed .eml is still read as the
  .msg it is); in a folder, only files named as mail are looked at.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from xlsxkit.codes import Code
from xlsxkit.inbound.mail.model import (
    MailBounds,
    MessageFormat,
    Origin,
    RawMessage,
    SourceKind,
    SourceProblem,
)
from xlsxkit.problems import error, warning
from xlsxkit.workbook.safety import OLE_MAGIC

#: Files in a folder taken as mail: saved messages, and mbox files as mail programs name them.
MAIL_SUFFIXES = (".eml", ".msg", ".mbox", ".mbx")
#: How many files of a folder are looked at (a folder of dragged-out messages is far smaller).
MAX_FOLDER_FILES = 100_000

_FROM_LINE = re.compile(rb"^>+From ")

Item = RawMessage | SourceProblem


def _unreadable(origin: Origin, what: str) -> SourceProblem:
    return SourceProblem(
        origin=origin,
        problem=error(Code.MAIL_UNREADABLE, what, file=origin.render()),
    )


def _too_large(origin: Origin, size: int, bounds: MailBounds) -> SourceProblem:
    return SourceProblem(
        origin=origin,
        problem=warning(
            Code.MAIL_TOO_LARGE,
            f"the message is {size:,} bytes (the limit is {bounds.max_message_bytes:,}); it "
            "was not read. Save its attachment by hand if it is a return",
            file=origin.render(),
        ),
    )


def read_file_message(path: Path, origin: Origin, bounds: MailBounds) -> Item:
    """One saved message (.eml or .msg, by its content), its size checked first."""
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return _unreadable(origin, "this is not a regular file; it was not opened")
            if info.st_size > bounds.max_message_bytes:
                return _too_large(origin, info.st_size, bounds)
            data = fh.read(bounds.max_message_bytes + 1)
    except OSError as exc:
        return _unreadable(origin, f"the file cannot be read ({exc.strerror or exc})")
    if len(data) > bounds.max_message_bytes:
        return _too_large(origin, len(data), bounds)
    fmt = MessageFormat.MSG if data.startswith(OLE_MAGIC) else MessageFormat.RFC822
    kind = SourceKind.MSG if fmt is MessageFormat.MSG else SourceKind.EML
    return RawMessage(
        origin=Origin(kind=kind, mailbox=origin.mailbox, where=origin.where), data=data, format=fmt
    )


def is_mbox(path: Path) -> bool:
    """Whether the file starts like an mbox (a ``From`` separator line)."""
    try:
        with path.open("rb") as fh:
            return fh.read(5) == b"From "
    except OSError:
        return False


def is_maildir(path: Path) -> bool:
    return path.is_dir() and ((path / "cur").is_dir() or (path / "new").is_dir())


def mbox_messages(path: Path, shown: str, bounds: MailBounds) -> Iterator[Item]:
    """The messages of an mbox file, in order, each bounded (read-only, streaming)."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        origin = Origin(kind=SourceKind.MBOX, mailbox=shown)
        yield _unreadable(origin, f"the mbox file cannot be read ({exc.strerror or exc})")
        return
    with fh:
        yield from _split_mbox(fh, shown, bounds)


def _split_mbox(fh: BinaryIO, shown: str, bounds: MailBounds) -> Iterator[Item]:
    index = 0
    lines: list[bytes] = []
    size = 0
    over = False
    previous_blank = True

    def finish() -> Item | None:
        origin = Origin(kind=SourceKind.MBOX, mailbox=shown, where=f"message {index}")
        if over:
            return _too_large(origin, size, bounds)
        if not lines:
            return None
        body = b"".join(lines)
        if body.endswith(b"\n"):  # the blank line before the next separator belongs to it
            body = body[:-1]
        return RawMessage(origin=origin, data=body)

    started = False
    while True:
        try:
            line = fh.readline(1024 * 1024)
        except OSError as exc:
            origin = Origin(kind=SourceKind.MBOX, mailbox=shown, where=f"message {index}")
            yield _unreadable(origin, f"the mbox file cannot be read ({exc.strerror or exc})")
            return
        if not line:
            break
        if line.startswith(b"From ") and previous_blank:
            if started:
                item = finish()
                if item is not None:
                    yield item
            started = True
            index += 1
            lines, size, over = [], 0, False
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if not started:
            continue  # text before the first separator is not a message
        size += len(line)
        if size > bounds.max_message_bytes:
            over, lines = True, []
            continue
        if not over:
            lines.append(line[1:] if _FROM_LINE.match(line) else line)
    if started:
        item = finish()
        if item is not None:
            yield item


def maildir_messages(folder: Path, shown: str, bounds: MailBounds) -> Iterator[Item]:
    """The messages of a Maildir folder (cur/ and new/), in name order, read-only."""
    for sub in ("cur", "new"):
        try:
            names = sorted(os.listdir(folder / sub))
        except FileNotFoundError:
            continue
        except OSError as exc:
            origin = Origin(kind=SourceKind.MAILDIR, mailbox=shown, where=sub)
            yield _unreadable(origin, f"the folder cannot be read ({exc.strerror or exc})")
            continue
        for name in names[:MAX_FOLDER_FILES]:
            if name.startswith("."):
                continue
            origin = Origin(kind=SourceKind.MAILDIR, mailbox=shown, where=f"{sub}/{name}")
            item = read_file_message(folder / sub / name, origin, bounds)
            if isinstance(item, RawMessage):
                item = RawMessage(origin=origin, data=item.data, format=MessageFormat.RFC822)
            yield item


def file_messages(path: Path, shown: str, bounds: MailBounds) -> Iterator[Item]:
    """The messages of one file given as a source: an mbox, a .msg or an .eml."""
    origin = Origin(kind=SourceKind.EML, mailbox=shown)
    if is_mbox(path):
        yield from mbox_messages(path, shown, bounds)
    else:
        yield read_file_message(path, origin, bounds)


def folder_messages(folder: Path, shown: str, bounds: MailBounds) -> Iterator[Item]:
    """The mail files of a folder (not a Maildir), recursively, in name order: files named
    .eml/.msg/.mbox/.mbx, and files without a suffix that start like an mbox (Thunderbird's
    folder files). Hidden files and folders are left alone."""
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            suffix = path.suffix.lower()
            if suffix not in MAIL_SUFFIXES and not (suffix == "" and is_mbox(path)):
                continue
            count += 1
            if count > MAX_FOLDER_FILES:
                return
            shown_path = os.path.join(shown, os.path.relpath(path, folder))
            yield from file_messages(path, shown_path, bounds)
