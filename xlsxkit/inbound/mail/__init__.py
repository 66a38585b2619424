"""Collecting returns from mail: sources (.eml, .msg, mbox, Maildir, IMAP), parsing within
bounds, sorting attachments, and saving the spreadsheets (see :mod:`.batch`).

The names below are loaded on first use: ``xlsxkit import`` reads ``collected.csv``
(:mod:`.ledger`) without loading the IMAP client or the OLE reader."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxkit.inbound.mail.batch import (
        CollectedMessage,
        Collection,
        MessageOutcome,
        SavedFile,
        collect_mail,
    )
    from xlsxkit.inbound.mail.imap import Auth, ImapOptions, ImapUrl, parse_imap_url
    from xlsxkit.inbound.mail.model import MailBounds, Origin, SourceKind
    from xlsxkit.inbound.mail.save import SaveFolder
    from xlsxkit.inbound.mail.sources import MailSource, open_source

_WHERE = {
    "CollectedMessage": "batch",
    "Collection": "batch",
    "MessageOutcome": "batch",
    "SavedFile": "batch",
    "collect_mail": "batch",
    "Auth": "imap",
    "ImapOptions": "imap",
    "ImapUrl": "imap",
    "parse_imap_url": "imap",
    "MailBounds": "model",
    "Origin": "model",
    "SourceKind": "model",
    "SaveFolder": "save",
    "MailSource": "sources",
    "open_source": "sources",
}

__all__ = [
    "Auth",
    "CollectedMessage",
    "Collection",
    "ImapOptions",
    "ImapUrl",
    "MailBounds",
    "MailSource",
    "MessageOutcome",
    "Origin",
    "SaveFolder",
    "SavedFile",
    "SourceKind",
    "collect_mail",
    "open_source",
    "parse_imap_url",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
