"""The campaign store: the state of a campaign in one SQLite file, ``xlsxkit.db``.

Why SQLite, and why like this:

- The standard library's :mod:`sqlite3`: no server and nothing to install; the coordinator
  never opens the file (manifest.csv, the summary and the CSVs are exports of it).
- Every write is a transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, ``ROLLBACK`` on any
  exception, Ctrl-C included). SQLite's journal makes a crash or a killed process leave the
  store exactly as it was before the transaction.
- WAL mode, so a command reading the store never blocks one writing it, and a busy timeout,
  so a second command writing at the same time waits for the first and, if it waits too
  long, stops with a message saying so (:class:`StoreBusy`) instead of failing half-way.
- The schema has a version (``PRAGMA user_version``) and an ordered list of migrations. A
  new store runs every migration from the first, so the path an old store takes is the path
  every store takes. A store written by a newer xlsxkit is refused, never downgraded.
- ``PRAGMA application_id`` marks the file as an xlsxkit store, so another program's SQLite
  database given by mistake is refused rather than "migrated".
- Only the store speaks SQL. The rest of xlsxkit sees frozen dataclasses
  (:mod:`~xlsxkit.campaign.records`).

The store is in parts, each a small module: the schema and its migrations
(:mod:`~xlsxkit.campaign.schema`), the connection and its SQL plumbing
(:mod:`~xlsxkit.campaign.store_sql`), organisations/rounds/workbooks
(:mod:`~xlsxkit.campaign.store_rounds`), files (``store_files``), accepted returns
(``store_answers``), messages (``store_messages``) and collected mail
(``store_collected``). :class:`Store` puts them together and
opens and migrates the file; every name callers use is importable from here.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

# Re-exported: the records, the schema and the errors, importable from here as before.
from xlsxkit.campaign.locate import STORE_NAME as STORE_NAME  # the store's file name
from xlsxkit.campaign.records import AcceptedReturn as AcceptedReturn
from xlsxkit.campaign.records import AnswerRecord as AnswerRecord
from xlsxkit.campaign.records import FileRecord as FileRecord
from xlsxkit.campaign.records import ItemKind as ItemKind
from xlsxkit.campaign.records import Json as Json
from xlsxkit.campaign.records import MessageKind as MessageKind
from xlsxkit.campaign.records import MessageRecord as MessageRecord
from xlsxkit.campaign.records import MessageResult as MessageResult
from xlsxkit.campaign.records import OrgRecord as OrgRecord
from xlsxkit.campaign.records import RoundRecord as RoundRecord
from xlsxkit.campaign.records import WorkbookRecord as WorkbookRecord
from xlsxkit.campaign.schema import APPLICATION_ID as APPLICATION_ID
from xlsxkit.campaign.schema import MIGRATIONS as MIGRATIONS
from xlsxkit.campaign.schema import SCHEMA_VERSION as SCHEMA_VERSION
from xlsxkit.campaign.schema import Migration as Migration
from xlsxkit.campaign.store_answers import AnswersMixin
from xlsxkit.campaign.store_collected import CollectedFile as CollectedFile
from xlsxkit.campaign.store_collected import CollectedMessageRecord as CollectedMessageRecord
from xlsxkit.campaign.store_collected import CollectedMixin
from xlsxkit.campaign.store_files import FilesMixin
from xlsxkit.campaign.store_messages import MessagesMixin
from xlsxkit.errors import StoreBusy as StoreBusy
from xlsxkit.errors import StoreError as StoreError

#: How long a command waits for another one writing the store before it gives up (seconds).
BUSY_TIMEOUT = 30.0

_SQLITE_HEADER = b"SQLite format 3\x00"


class Store(FilesMixin, AnswersMixin, MessagesMixin, CollectedMixin):
    """An open campaign store. Use :meth:`open`; close it (or use it as a context manager).

    Read methods return frozen records. Write methods run in the current
    :meth:`transaction` or, outside one, in a transaction of their own.
    """

    # opening --------------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, create: bool = False, timeout: float = BUSY_TIMEOUT
    ) -> Store:
        """Open the store at PATH, migrating it to the current schema.

        With CREATE, a missing file is made (its folder must exist). Raises
        :class:`StoreError` for anything that is not a usable store: a folder, a FIFO, a
        file that is not an SQLite database, another program's database, a store from a
        newer xlsxkit.
        """
        p = Path(path)
        _check_file(p, create=create)
        mode = "rwc" if create else "rw"
        try:
            uri = p.absolute().as_uri() + f"?mode={mode}"
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        except (sqlite3.Error, ValueError) as exc:
            raise StoreError(f"{p}: cannot open the campaign store ({exc})") from None
        store = cls(conn, p, timeout)
        try:
            store._setup()
        except BaseException:
            conn.close()
            raise
        return store

    def _setup(self) -> None:
        version = self._scalar_int("PRAGMA user_version")
        app_id = self._scalar_int("PRAGMA application_id")
        if app_id not in (0, APPLICATION_ID) or (version == 0 and self._has_tables()):
            raise StoreError(
                f"{self.path}: this SQLite database is not an xlsxkit campaign store; "
                f"move it away or give the folder of an xlsxkit campaign"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: this campaign store was written by a newer xlsxkit (schema "
                f"version {version}; this xlsxkit knows up to {SCHEMA_VERSION}): upgrade "
                f"xlsxkit to use it"
            )
        self._run("PRAGMA foreign_keys = ON")
        mode = self._scalar_text("PRAGMA journal_mode = WAL")
        if mode.lower() != "wal":  # pragma: no cover - e.g. a file system without shared memory
            self._run("PRAGMA journal_mode = DELETE")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            # Read again under the write lock: another command may have migrated meanwhile.
            version = self._scalar_int("PRAGMA user_version")
            for migration in MIGRATIONS:
                if migration.version <= version:
                    continue
                for statement in migration.statements:
                    self._run(statement)
                self._run(f"PRAGMA user_version = {migration.version}")


# --------------------------------------------------------------------------------------
# helpers


def _check_file(path: Path, *, create: bool) -> None:
    """Open only a regular file that starts like an SQLite database (or a new one)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if not create:
            raise StoreError(
                f"{path}: there is no campaign store here; run 'xlsxkit init' to make a "
                "campaign folder, or give the right folder with --campaign"
            ) from None
        if not path.parent.is_dir():
            raise StoreError(f"{path}: the folder {path.parent} does not exist") from None
        return
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the campaign store: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"{path}: this is not a regular file, so it cannot be a campaign store; move it "
            "away or give the folder of an xlsxkit campaign"
        )
    if info.st_size == 0:
        return  # an empty file is an empty database: it becomes a new store
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the campaign store: {exc.strerror}") from None
    if head != _SQLITE_HEADER:
        raise StoreError(
            f"{path}: this file is not an xlsxkit campaign store (not an SQLite database); "
            "move it away or give the folder of an xlsxkit campaign"
        )
