"""Collecting returns from mail: sources (.eml, .msg, mbox, Maildir, IMAP), parsing within
bounds, sorting attachments, and saving the spreadsheets (see :mod:`.batch`)."""

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
