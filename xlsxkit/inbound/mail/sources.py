"""The family of mail sources: each gives messages (bytes, bounded) with where they came
from, and all are used the same way (``messages()``, ``finish()``, ``close()``), so a
collection does not care whether its mail is in a file, a folder or on a server.

:func:`open_source` picks the source for what the user typed: an ``imap://``/``imaps://``
address, a Maildir folder (it has ``cur/`` or ``new/``), another folder (its .eml, .msg
and mbox files), or one file (an mbox, a .msg or an .eml, by its content).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from xlsxkit.codes import Code
from xlsxkit.errors import UsageError
from xlsxkit.inbound.mail import files
from xlsxkit.inbound.mail.imap import ImapOptions, ImapSource, is_imap_url, parse_imap_url
from xlsxkit.inbound.mail.model import (
    MailBounds,
    Origin,
    RawMessage,
    SourceKind,
    SourceProblem,
)
from xlsxkit.problems import error


class MailSource(Protocol):
    label: str

    def messages(self) -> Iterator[RawMessage | SourceProblem]: ...

    def finish(self, collected: Sequence[Origin]) -> list[str]: ...

    def close(self) -> None: ...


class FileSource:
    """Mail on disk (a file or a folder); nothing to finish, nothing to close."""

    def __init__(self, label: str, read: Callable[[], Iterator[RawMessage | SourceProblem]]):
        self.label = label
        self._read = read

    def messages(self) -> Iterator[RawMessage | SourceProblem]:
        return self._read()

    def finish(self, collected: Sequence[Origin]) -> list[str]:
        return []

    def close(self) -> None:
        return None


class ImapMailSource:
    def __init__(self, source: ImapSource) -> None:
        self.source = source
        self.label = source.url.shown

    def messages(self) -> Iterator[RawMessage | SourceProblem]:
        return self.source.messages()

    def finish(self, collected: Sequence[Origin]) -> list[str]:
        return self.source.finish(collected)

    def close(self) -> None:
        self.source.close()


class MissingSource:
    """A path that is not there (or not readable): one problem, so the batch goes on."""

    def __init__(self, label: str, why: str) -> None:
        self.label = label
        self.why = why

    def messages(self) -> Iterator[RawMessage | SourceProblem]:
        origin = Origin(kind=SourceKind.EML, mailbox=self.label)
        yield SourceProblem(
            origin=origin, problem=error(Code.MAIL_UNREADABLE, self.why, file=self.label)
        )

    def finish(self, collected: Sequence[Origin]) -> list[str]:
        return []

    def close(self) -> None:
        return None


def open_source(spec: str, *, bounds: MailBounds, imap: ImapOptions | None) -> MailSource:
    """The source SPEC names. An IMAP address without IMAP_OPTIONS (no secret) is a usage
    error; a path that does not exist is a source that reports it."""
    if is_imap_url(spec):
        url = parse_imap_url(spec)
        if imap is None:
            raise UsageError(f"{url.shown}: no password or token was given for the mailbox")
        if imap.insecure and url.secure:
            raise UsageError(
                f"{url.shown}: --insecure is for plain imap:// test servers only; an imaps:// "
                "mailbox is always verified"
            )
        return ImapMailSource(ImapSource(url, imap, bounds))
    path = Path(spec)
    shown = os.fspath(path)
    if files.is_maildir(path):
        return FileSource(shown, lambda: files.maildir_messages(path, shown, bounds))
    if path.is_dir():
        return FileSource(shown, lambda: files.folder_messages(path, shown, bounds))
    if path.is_file():
        return FileSource(shown, lambda: files.file_messages(path, shown, bounds))
    if path.exists():
        return MissingSource(shown, "this is not a file or a folder; it was not opened")
    return MissingSource(
        shown,
        "no such file or folder; give .eml or .msg files, an mbox file, a Maildir folder, a "
        "folder of saved messages, or an imaps:// address",
    )
