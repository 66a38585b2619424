"""``collected.csv``: the provenance of collected files outside a campaign.

In a campaign, collect records every message and saved file in the store, and the import
looks provenance up there. Outside one (``collect --out DIR``) there is no store, so the
record travels with the files: ``DIR/collected.csv``, one row per message read and per
spreadsheet saved from it (a message without one has a row with no file). ``xlsxkit
import`` reads the ``collected.csv`` of every folder it is given (and of the folder of
every file it is given) and finds each file's email by its sha256; the import itself lists
``collected.csv`` as an xlsxkit output, never as a return. The file is rewritten whole
(temporary file, then renamed) after every message, so an interrupted collect leaves it
valid and naming every file saved so far. Texts are neutralised against CSV injection.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from xlsxkit.csvsafe import unneutralise, write_csv
from xlsxkit.errors import XlsxkitError
from xlsxkit.framework.model import Provenance

LEDGER_NAME = "collected.csv"
LEDGER_COLUMNS = (
    "file",
    "sha256",
    "original_name",
    "inside_zip",
    "already_saved",
    "message_id",
    "from",
    "date",
    "subject",
    "mailbox",
    "location",
    "outcome",
)
#: A ledger is read only this far (a collect of thousands of messages stays far below).
MAX_LEDGER_BYTES = 64 * 1024 * 1024

Row = tuple[str, ...]


class LedgerError(XlsxkitError):
    """collected.csv exists but is not one xlsxkit wrote (it is never overwritten)."""


def read_rows(path: Path) -> list[Row]:
    """The rows of the ledger at PATH ([] when there is none). LedgerError when the file is
    not a ledger xlsxkit wrote."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LedgerError(f"{path}: cannot be read ({exc.strerror}); move it away") from None
    if size > MAX_LEDGER_BYTES:
        raise LedgerError(f"{path}: is too large to be xlsxkit's record of collected mail")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = [tuple(unneutralise(c) for c in row) for row in csv.reader(fh)]
    except (OSError, UnicodeDecodeError, csv.Error):
        rows = []
    if not rows or rows[0] != LEDGER_COLUMNS:
        raise LedgerError(
            f"{path}: exists and is not the record of collected mail that xlsxkit writes; "
            "xlsxkit never overwrites it. Move it away, or collect into another folder"
        )
    return [r for r in rows[1:] if len(r) == len(LEDGER_COLUMNS)]


def write_rows(path: Path, rows: Sequence[Row]) -> None:
    """Replace the ledger at PATH with ROWS (atomic: a temporary file renamed over it)."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        write_csv(temp, LEDGER_COLUMNS, rows)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def provenance_in(sources: Iterable[Path]) -> dict[str, Provenance]:
    """The provenance recorded by the ledgers of SOURCES (folders, or files whose folder
    holds one), by sha256; the first message a content came in wins. A ledger that cannot
    be read is passed over: provenance is a help, never a reason to stop an import."""
    found: dict[str, Provenance] = {}
    seen: set[Path] = set()
    for source in sources:
        folder = source if source.is_dir() else source.parent
        ledger = folder / LEDGER_NAME
        if ledger in seen:
            continue
        seen.add(ledger)
        try:
            rows = read_rows(ledger)
        except LedgerError:
            continue
        for row in rows:
            values = dict(zip(LEDGER_COLUMNS, row, strict=True))
            if not values["sha256"]:
                continue
            found.setdefault(
                values["sha256"],
                Provenance(
                    message_id=values["message_id"],
                    sender=values["from"],
                    date=values["date"],
                    subject=values["subject"],
                    mailbox=values["mailbox"],
                ),
            )
    return found
