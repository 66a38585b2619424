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
- Only this module speaks SQL. The rest of xlsxkit sees frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias, TypeVar

# Re-exported: the errors every Store method raises.
from xlsxkit.errors import StoreBusy as StoreBusy
from xlsxkit.errors import StoreError as StoreError
from xlsxkit.framework.model import Answer

#: The file name of the store inside a campaign folder.
STORE_NAME = "xlsxkit.db"

#: ``PRAGMA application_id`` of an xlsxkit store: "xlsk" in ASCII.
APPLICATION_ID = 0x786C736B

#: How long a command waits for another one writing the store before it gives up (seconds).
BUSY_TIMEOUT = 30.0

_SQLITE_HEADER = b"SQLite format 3\x00"

Json: TypeAlias = str | int | float | bool | list["Json"] | dict[str, "Json"] | None


# --------------------------------------------------------------------------------------
# The schema and its migrations


@dataclass(frozen=True, kw_only=True, slots=True)
class Migration:
    version: int  # the user_version after this migration
    description: str
    statements: tuple[str, ...]


_V1 = Migration(
    version=1,
    description="organisations, rounds, workbooks, files, accepted returns and answers",
    statements=(
        f"PRAGMA application_id = {APPLICATION_ID}",
        """CREATE TABLE organisations (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE rounds (
            slug TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE,
            position INTEGER NOT NULL UNIQUE,
            deadline TEXT,
            created_at TEXT NOT NULL,
            framework_id TEXT NOT NULL,
            framework_version TEXT NOT NULL,
            framework_hash TEXT NOT NULL,
            stage_ids TEXT NOT NULL DEFAULT '[]'
        )""",
        """CREATE TABLE workbooks (
            token TEXT PRIMARY KEY NOT NULL,
            round_slug TEXT NOT NULL REFERENCES rounds(slug),
            org_id TEXT REFERENCES organisations(id),
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            generated_at TEXT NOT NULL,
            UNIQUE (round_slug, org_id)
        )""",
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,
            location TEXT NOT NULL,
            location_bytes BLOB NOT NULL,
            size INTEGER NOT NULL,
            provenance TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL,
            code TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            org_id TEXT,
            round_slug TEXT REFERENCES rounds(slug),
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            missing_since TEXT,
            UNIQUE (sha256, location_bytes)
        )""",
        "CREATE INDEX files_by_round ON files(round_slug)",
        """CREATE TABLE accepted (
            round_slug TEXT NOT NULL REFERENCES rounds(slug),
            org_id TEXT NOT NULL REFERENCES organisations(id),
            file_id INTEGER REFERENCES files(id),
            accepted_at TEXT NOT NULL,
            PRIMARY KEY (round_slug, org_id)
        )""",
        """CREATE TABLE answers (
            round_slug TEXT NOT NULL,
            org_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('criterion', 'action')),
            sheet TEXT NOT NULL DEFAULT '',
            sheet_row INTEGER NOT NULL DEFAULT 0,
            stage_id TEXT,
            comment TEXT NOT NULL DEFAULT '',
            done INTEGER CHECK (done IN (0, 1)),
            notes TEXT NOT NULL DEFAULT '',
            lead TEXT NOT NULL DEFAULT '',
            target_date TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (round_slug, org_id, item_id),
            FOREIGN KEY (round_slug, org_id) REFERENCES accepted(round_slug, org_id)
                ON DELETE CASCADE
        )""",
    ),
)

_V2 = Migration(
    version=2,
    description="target stage per criterion; messages sent or drafted",
    statements=(
        "ALTER TABLE answers ADD COLUMN target_stage_id TEXT",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            round_slug TEXT REFERENCES rounds(slug),
            org_id TEXT REFERENCES organisations(id),
            kind TEXT NOT NULL CHECK (kind IN ('send', 'remind', 'feedback')),
            recipient TEXT NOT NULL,
            file TEXT NOT NULL DEFAULT '',
            message_id TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('sent', 'drafted', 'failed')),
            error TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX messages_by_round ON messages(round_slug, org_id)",
    ),
)

#: Every migration, in order. Never edit a released one: add the next.
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2)
SCHEMA_VERSION = MIGRATIONS[-1].version


# --------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgRecord:
    id: str
    name: str
    contact: str = ""
    email: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class RoundRecord:
    slug: str  # the round's folder name under rounds/
    name: str  # as the coordinator typed it, e.g. "2027 spring"
    position: int  # 1 for the first round; rounds are ordered by it
    created_at: dt.datetime
    framework_id: str
    framework_version: str
    framework_hash: str
    stage_ids: tuple[str, ...]  # the framework's ladder in this round, lowest first
    deadline: dt.date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkbookRecord:
    token: str
    round_slug: str
    org_id: str | None  # None for a generic workbook
    file: str  # relative to the campaign folder
    sha256: str
    generated_at: dt.datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class FileRecord:
    """A file found by an import, once per content and place."""

    id: int
    sha256: str
    location: str  # where it was found, for people (undecodable bytes shown as U+FFFD)
    location_bytes: bytes  # the exact path, to find it again
    size: int
    provenance: dict[str, Json]  # e.g. Message-ID, From, Date, Subject, mailbox
    status: str  # the verdict: accepted, rejected, superseded, ...
    code: str
    reason: str
    org_id: str | None
    round_slug: str | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    missing_since: dt.datetime | None = None

    @property
    def path(self) -> Path:
        return Path(os.fsdecode(self.location_bytes))


class ItemKind(StrEnum):
    CRITERION = "criterion"
    ACTION = "action"


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerRecord:
    """One item of an accepted return: the fields of :class:`Answer` plus the target.

    The kind is stored so that a round can be exported and compared without the framework
    it was answered against (a later framework may have dropped the item).
    """

    item_id: str
    kind: ItemKind
    sheet: str = ""
    row: int = 0
    stage_id: str | None = None
    target_stage_id: str | None = None
    comment: str = ""
    done: bool | None = None
    notes: str = ""
    lead: str = ""
    target_date: str = ""

    @classmethod
    def from_answer(cls, answer: Answer, *, kind: ItemKind) -> AnswerRecord:
        return cls(
            item_id=answer.item_id,
            kind=kind,
            sheet=answer.sheet,
            row=answer.row,
            stage_id=answer.stage_id,
            target_stage_id=answer.target_stage_id,
            comment=answer.comment,
            done=answer.done,
            notes=answer.notes,
            lead=answer.lead,
            target_date=answer.target_date,
        )

    def to_answer(self) -> Answer:
        return Answer(
            item_id=self.item_id,
            sheet=self.sheet,
            row=self.row,
            stage_id=self.stage_id,
            target_stage_id=self.target_stage_id,
            comment=self.comment,
            done=self.done,
            notes=self.notes,
            lead=self.lead,
            target_date=self.target_date,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class AcceptedReturn:
    """The answers an organisation's accepted return gave in one round."""

    round_slug: str
    org_id: str
    file_id: int | None
    accepted_at: dt.datetime
    answers: tuple[AnswerRecord, ...] = ()


class MessageKind(StrEnum):
    SEND = "send"
    REMIND = "remind"
    FEEDBACK = "feedback"


class MessageResult(StrEnum):
    SENT = "sent"
    DRAFTED = "drafted"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageRecord:
    id: int
    round_slug: str | None
    org_id: str | None
    kind: MessageKind
    recipient: str
    at: dt.datetime
    result: MessageResult
    file: str = ""
    message_id: str = ""
    error: str = ""


# --------------------------------------------------------------------------------------
# The store


class Store:
    """An open campaign store. Use :meth:`open`; close it (or use it as a context manager).

    Read methods return frozen records. Write methods run in the current
    :meth:`transaction` or, outside one, in a transaction of their own.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, timeout: float) -> None:
        self._conn = conn
        self.path = path
        self._timeout = timeout
        self._depth = 0

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

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested calls join the outer)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._run("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._conn.rollback()
            raise
        self._depth = 0
        try:
            self._run("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise

    # facts about the store ----------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self._scalar_int("PRAGMA user_version")

    def integrity_check(self) -> list[str]:
        """SQLite's own check: ``["ok"]`` when the file is sound."""
        return [r.text(0) for r in self._rows("PRAGMA integrity_check")]

    # organisations ------------------------------------------------------------------
    def put_organisation(self, org: OrgRecord) -> None:
        """Add ORG, or update the name and contact of the organisation with its id."""
        with self.transaction():
            self._run(
                "INSERT INTO organisations (id, name, contact, email) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "contact = excluded.contact, email = excluded.email",
                (org.id, org.name, org.contact, org.email),
            )

    def organisations(self) -> tuple[OrgRecord, ...]:
        """Every organisation, in the order they were first added."""
        rows = self._rows("SELECT id, name, contact, email FROM organisations ORDER BY rowid")
        return tuple(
            OrgRecord(id=r.text(0), name=r.text(1), contact=r.text(2), email=r.text(3))
            for r in rows
        )

    def organisation(self, org_id: str) -> OrgRecord | None:
        return next((o for o in self.organisations() if o.id == org_id), None)

    # rounds -------------------------------------------------------------------------
    def add_round(
        self,
        *,
        slug: str,
        name: str,
        created_at: dt.datetime,
        framework_id: str,
        framework_version: str,
        framework_hash: str,
        stage_ids: Sequence[str],
        deadline: dt.date | None = None,
    ) -> RoundRecord:
        """Add a round after the existing ones. A name or folder already used is refused."""
        with self.transaction():
            for other in self.rounds():
                if other.slug == slug or other.name == name:
                    raise StoreError(
                        f"{self.path}: there is already a round '{other.name}' (folder "
                        f"rounds/{other.slug}); choose another name for the new round"
                    )
            position = self._scalar_int("SELECT COALESCE(MAX(position), 0) + 1 FROM rounds")
            self._run(
                "INSERT INTO rounds (slug, name, position, deadline, created_at, framework_id, "
                "framework_version, framework_hash, stage_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    slug,
                    name,
                    position,
                    deadline.isoformat() if deadline else None,
                    created_at.isoformat(),
                    framework_id,
                    framework_version,
                    framework_hash,
                    json.dumps(list(stage_ids)),
                ),
            )
        found = self.round(slug)
        assert found is not None
        return found

    def set_deadline(self, slug: str, deadline: dt.date | None) -> None:
        with self.transaction():
            self._require_round(slug)
            self._run(
                "UPDATE rounds SET deadline = ? WHERE slug = ?",
                (deadline.isoformat() if deadline else None, slug),
            )

    def rounds(self) -> tuple[RoundRecord, ...]:
        """Every round, first round first."""
        rows = self._rows(
            "SELECT slug, name, position, deadline, created_at, framework_id, "
            "framework_version, framework_hash, stage_ids FROM rounds ORDER BY position"
        )
        return tuple(
            RoundRecord(
                slug=r.text(0),
                name=r.text(1),
                position=r.integer(2),
                deadline=r.date(3),
                created_at=r.time(4),
                framework_id=r.text(5),
                framework_version=r.text(6),
                framework_hash=r.text(7),
                stage_ids=r.texts(8),
            )
            for r in rows
        )

    def round(self, slug: str) -> RoundRecord | None:
        return next((r for r in self.rounds() if r.slug == slug), None)

    def round_named(self, name: str) -> RoundRecord | None:
        return next((r for r in self.rounds() if r.name == name), None)

    def latest_round(self) -> RoundRecord | None:
        rounds = self.rounds()
        return rounds[-1] if rounds else None

    # workbooks ----------------------------------------------------------------------
    def add_workbook(self, workbook: WorkbookRecord) -> None:
        """Record a generated workbook. A second one for the same round and organisation,
        or a token used before, is refused."""
        with self.transaction():
            self._require_round(workbook.round_slug)
            if workbook.org_id is not None and self.workbook_for(
                workbook.round_slug, workbook.org_id
            ):
                raise StoreError(
                    f"{self.path}: organisation '{workbook.org_id}' already has a workbook in "
                    f"round '{workbook.round_slug}'"
                )
            if self.workbook(workbook.token) is not None:
                raise StoreError(f"{self.path}: the token {workbook.token} is already used")
            self._run(
                "INSERT INTO workbooks (token, round_slug, org_id, file, sha256, generated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    workbook.token,
                    workbook.round_slug,
                    workbook.org_id,
                    workbook.file,
                    workbook.sha256,
                    workbook.generated_at.isoformat(),
                ),
            )

    _WORKBOOK_COLUMNS = "token, round_slug, org_id, file, sha256, generated_at"

    def workbooks(self, round_slug: str | None = None) -> tuple[WorkbookRecord, ...]:
        """The workbooks of ROUND_SLUG (of every round when None), in the order generated."""
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks"
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY rowid")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY rowid", (round_slug,))
        return tuple(_workbook(r) for r in rows)

    def workbook(self, token: str) -> WorkbookRecord | None:
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks WHERE token = ?"
        rows = self._rows(sql, (token,))
        return _workbook(rows[0]) if rows else None

    def workbook_for(self, round_slug: str, org_id: str) -> WorkbookRecord | None:
        sql = f"SELECT {self._WORKBOOK_COLUMNS} FROM workbooks WHERE round_slug = ? AND org_id = ?"
        rows = self._rows(sql, (round_slug, org_id))
        return _workbook(rows[0]) if rows else None

    # files --------------------------------------------------------------------------
    def record_file(
        self,
        *,
        sha256: str,
        location: str | os.PathLike[str],
        size: int,
        seen_at: dt.datetime,
        status: str,
        code: str = "",
        reason: str = "",
        org_id: str | None = None,
        round_slug: str | None = None,
        provenance: Mapping[str, Json] | None = None,
    ) -> FileRecord:
        """Record that a file with this content was found at LOCATION, with its verdict.

        Seen again (same content, same place): the verdict and last_seen are updated, the
        first sighting is kept, and it is no longer missing. PROVENANCE replaces the one
        recorded when given.
        """
        raw = os.fsencode(location)
        shown = raw.decode("utf-8", "replace")
        with self.transaction():
            if round_slug is not None:
                self._require_round(round_slug)
            self._run(
                "INSERT INTO files (sha256, location, location_bytes, size, provenance, status, "
                "code, reason, org_id, round_slug, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256, location_bytes) DO UPDATE SET "
                "size = excluded.size, status = excluded.status, code = excluded.code, "
                "reason = excluded.reason, org_id = excluded.org_id, "
                "round_slug = excluded.round_slug, last_seen = excluded.last_seen, "
                "missing_since = NULL"
                + (", provenance = excluded.provenance" if provenance is not None else ""),
                (
                    sha256,
                    shown,
                    raw,
                    size,
                    _json_text(dict(provenance or {})),
                    status,
                    code,
                    reason,
                    org_id,
                    round_slug,
                    seen_at.isoformat(),
                    seen_at.isoformat(),
                ),
            )
            rows = self._rows(
                f"SELECT {self._FILE_COLUMNS} FROM files WHERE sha256 = ? AND location_bytes = ?",
                (sha256, raw),
            )
        return _file(rows[0])

    _FILE_COLUMNS = (
        "id, sha256, location, location_bytes, size, provenance, status, code, reason, "
        "org_id, round_slug, first_seen, last_seen, missing_since"
    )

    def files(self, round_slug: str | None = None) -> tuple[FileRecord, ...]:
        """Files recorded for ROUND_SLUG (every file when None), in the order first seen."""
        sql = f"SELECT {self._FILE_COLUMNS} FROM files"
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY id", (round_slug,))
        return tuple(_file(r) for r in rows)

    def file(self, file_id: int) -> FileRecord | None:
        rows = self._rows(f"SELECT {self._FILE_COLUMNS} FROM files WHERE id = ?", (file_id,))
        return _file(rows[0]) if rows else None

    def mark_missing(
        self, round_slug: str, *, present: Iterable[int], at: dt.datetime
    ) -> tuple[FileRecord, ...]:
        """Mark the files of ROUND_SLUG not in PRESENT (ids) as missing since AT.

        Returns the files that went missing now (not those missing before)."""
        keep = set(present)
        with self.transaction():
            gone = [
                f.id for f in self.files(round_slug) if f.id not in keep and f.missing_since is None
            ]
            self._executemany(
                "UPDATE files SET missing_since = ? WHERE id = ?",
                [(at.isoformat(), i) for i in gone],
            )
        return tuple(f for f in self.files(round_slug) if f.id in set(gone))

    # accepted answers ---------------------------------------------------------------
    def set_accepted(self, accepted: AcceptedReturn) -> None:
        """Make ACCEPTED the organisation's return for its round, replacing any before."""
        with self.transaction():
            self._require_round(accepted.round_slug)
            if self.organisation(accepted.org_id) is None:
                raise StoreError(
                    f"{self.path}: there is no organisation '{accepted.org_id}' in the store"
                )
            key = (accepted.round_slug, accepted.org_id)
            self._run("DELETE FROM accepted WHERE round_slug = ? AND org_id = ?", key)
            self._run(
                "INSERT INTO accepted (round_slug, org_id, file_id, accepted_at) "
                "VALUES (?, ?, ?, ?)",
                (*key, accepted.file_id, accepted.accepted_at.isoformat()),
            )
            self._executemany(
                "INSERT INTO answers (round_slug, org_id, item_id, kind, sheet, sheet_row, "
                "stage_id, target_stage_id, comment, done, notes, lead, target_date) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        *key,
                        a.item_id,
                        str(a.kind),
                        a.sheet,
                        a.row,
                        a.stage_id,
                        a.target_stage_id,
                        a.comment,
                        None if a.done is None else int(a.done),
                        a.notes,
                        a.lead,
                        a.target_date,
                    )
                    for a in accepted.answers
                ),
            )

    def withdraw_accepted(self, round_slug: str, org_id: str) -> None:
        """Forget the organisation's accepted return in that round (its file disappeared)."""
        with self.transaction():
            self._run(
                "DELETE FROM accepted WHERE round_slug = ? AND org_id = ?", (round_slug, org_id)
            )

    def accepted(self, round_slug: str, org_id: str) -> AcceptedReturn | None:
        found = self._accepted("WHERE a.round_slug = ? AND a.org_id = ?", (round_slug, org_id))
        return found[0] if found else None

    def accepted_in_round(self, round_slug: str) -> tuple[AcceptedReturn, ...]:
        """Every accepted return of the round, in the order of the organisations."""
        return self._accepted("WHERE a.round_slug = ?", (round_slug,))

    def previous_accepted(self, round_slug: str, org_id: str) -> AcceptedReturn | None:
        """The organisation's latest accepted return in a round before ROUND_SLUG."""
        this = self._require_round(round_slug)
        earlier = [r for r in self.rounds() if r.position < this.position]
        for r in reversed(earlier):
            found = self.accepted(r.slug, org_id)
            if found is not None:
                return found
        return None

    def _accepted(self, where: str, params: tuple[str, ...]) -> tuple[AcceptedReturn, ...]:
        heads = self._rows(
            "SELECT a.round_slug, a.org_id, a.file_id, a.accepted_at FROM accepted a "
            "JOIN organisations o ON o.id = a.org_id JOIN rounds r ON r.slug = a.round_slug "
            f"{where} ORDER BY r.position, o.rowid",
            params,
        )
        out = []
        for head in heads:
            round_slug, org_id = head.text(0), head.text(1)
            rows = self._rows(
                "SELECT item_id, kind, sheet, sheet_row, stage_id, target_stage_id, comment, "
                "done, notes, lead, target_date FROM answers WHERE round_slug = ? AND org_id = ? "
                "ORDER BY rowid",
                (round_slug, org_id),
            )
            out.append(
                AcceptedReturn(
                    round_slug=round_slug,
                    org_id=org_id,
                    file_id=head.opt_integer(2),
                    accepted_at=head.time(3),
                    answers=tuple(
                        AnswerRecord(
                            item_id=r.text(0),
                            kind=ItemKind(r.text(1)),
                            sheet=r.text(2),
                            row=r.integer(3),
                            stage_id=r.opt_text(4),
                            target_stage_id=r.opt_text(5),
                            comment=r.text(6),
                            done=None if r.opt_integer(7) is None else bool(r.integer(7)),
                            notes=r.text(8),
                            lead=r.text(9),
                            target_date=r.text(10),
                        )
                        for r in rows
                    ),
                )
            )
        return tuple(out)

    # messages -----------------------------------------------------------------------
    def add_message(
        self,
        *,
        kind: MessageKind,
        recipient: str,
        at: dt.datetime,
        result: MessageResult,
        round_slug: str | None = None,
        org_id: str | None = None,
        file: str = "",
        message_id: str = "",
        error: str = "",
    ) -> MessageRecord:
        with self.transaction():
            if round_slug is not None:
                self._require_round(round_slug)
            cursor = self._run(
                "INSERT INTO messages (round_slug, org_id, kind, recipient, file, message_id, "
                "at, result, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    round_slug,
                    org_id,
                    str(kind),
                    recipient,
                    file,
                    message_id,
                    at.isoformat(),
                    str(result),
                    error,
                ),
            )
            new_id = cursor.lastrowid
        assert new_id is not None
        return next(m for m in self.messages() if m.id == new_id)

    def messages(self, round_slug: str | None = None) -> tuple[MessageRecord, ...]:
        sql = (
            "SELECT id, round_slug, org_id, kind, recipient, file, message_id, at, result, "
            "error FROM messages"
        )
        if round_slug is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = self._rows(sql + " WHERE round_slug = ? ORDER BY id", (round_slug,))
        return tuple(
            MessageRecord(
                id=r.integer(0),
                round_slug=r.opt_text(1),
                org_id=r.opt_text(2),
                kind=MessageKind(r.text(3)),
                recipient=r.text(4),
                file=r.text(5),
                message_id=r.text(6),
                at=r.time(7),
                result=MessageResult(r.text(8)),
                error=r.text(9),
            )
            for r in rows
        )

    # SQL plumbing: every statement goes through here, so every SQLite error becomes a
    # message naming the file ------------------------------------------------------------
    def _require_round(self, slug: str) -> RoundRecord:
        found = self.round(slug)
        if found is None:
            raise StoreError(f"{self.path}: there is no round '{slug}' in the store")
        return found

    def _has_tables(self) -> bool:
        return bool(self._rows("SELECT 1 FROM sqlite_master LIMIT 1"))

    def _run(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, [_bindable(v) for v in params])
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        try:
            self._conn.executemany(sql, ([_bindable(v) for v in row] for row in rows))
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[_Row]:
        try:
            found = self._conn.execute(sql, [_bindable(v) for v in params]).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return [_Row(self.path, tuple(r)) for r in found]

    def _scalar_int(self, sql: str) -> int:
        return self._rows(sql)[0].integer(0)

    def _scalar_text(self, sql: str) -> str:
        return self._rows(sql)[0].text(0)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreBusy(
                f"{self.path}: the campaign store is in use by another xlsxkit command (waited "
                f"{self._timeout:g} s); wait for it to finish, then run this command again"
            )
        if "not a database" in text:
            return StoreError(
                f"{self.path}: this file is not an xlsxkit campaign store (not an SQLite "
                "database); move it away or give the folder of an xlsxkit campaign"
            )
        if "malformed" in text:
            return StoreError(
                f"{self.path}: the campaign store is damaged ({text}); restore it from a backup"
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"{self.path}: the campaign store cannot be written (read-only file or "
                "folder); check its permissions"
            )
        if "disk is full" in text:
            return StoreError(f"{self.path}: the disk is full; free some space and try again")
        if isinstance(exc, sqlite3.IntegrityError):
            return StoreError(f"{self.path}: refused by the campaign store: {text}")
        return StoreError(f"{self.path}: the campaign store failed: {text}")


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


def _json_text(value: dict[str, Json]) -> str:
    """VALUE as JSON text; kept readable, except that text SQLite cannot hold as UTF-8 (lone
    surrogates from undecodable mail headers or file names) is written as ``\\udcxx``
    escapes, which read back exactly."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"provenance cannot be stored as JSON: {exc}") from None
    return text if _fits_utf8(text) else json.dumps(value, ensure_ascii=True, sort_keys=True)


def _fits_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bindable(value: object) -> object:
    """A text with lone surrogates (an undecodable name) cannot be bound as UTF-8: it is
    stored with U+FFFD in their place instead of failing the write."""
    if isinstance(value, str) and not _fits_utf8(value):
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
    return value


_T = TypeVar("_T")


class _Row:
    """One row as SQLite returned it, read by column with the type the schema promises.

    A value of another type means the file was edited by something else than xlsxkit: it
    is reported as a damaged store, never passed on."""

    __slots__ = ("_path", "_values")

    def __init__(self, path: Path, values: tuple[object, ...]) -> None:
        self._path = path
        self._values = values

    def _damaged(self, i: int, want: str) -> StoreError:
        return StoreError(
            f"{self._path}: the campaign store is damaged (a value that should be {want} is "
            f"{self._values[i]!r}); restore it from a backup"
        )

    def _typed(self, i: int, kind: type[_T], want: str) -> _T:
        value = self._values[i]
        if not isinstance(value, kind):
            raise self._damaged(i, want)
        return value

    def text(self, i: int) -> str:
        return self._typed(i, str, "text")

    def opt_text(self, i: int) -> str | None:
        return None if self._values[i] is None else self.text(i)

    def integer(self, i: int) -> int:
        return self._typed(i, int, "a whole number")

    def opt_integer(self, i: int) -> int | None:
        return None if self._values[i] is None else self.integer(i)

    def blob(self, i: int) -> bytes:
        return self._typed(i, bytes, "bytes")

    def time(self, i: int) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(self.text(i))
        except ValueError:
            raise self._damaged(i, "a time") from None

    def opt_time(self, i: int) -> dt.datetime | None:
        return None if self._values[i] is None else self.time(i)

    def date(self, i: int) -> dt.date | None:
        if self._values[i] is None:
            return None
        try:
            return dt.date.fromisoformat(self.text(i))
        except ValueError:
            raise self._damaged(i, "a date") from None

    def json(self, i: int) -> Json:
        try:
            value: Json = json.loads(self.text(i))
        except ValueError:
            raise self._damaged(i, "JSON") from None
        return value

    def texts(self, i: int) -> tuple[str, ...]:
        value = self.json(i)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._damaged(i, "a list of texts")
        return tuple(str(v) for v in value)


def _workbook(r: _Row) -> WorkbookRecord:
    return WorkbookRecord(
        token=r.text(0),
        round_slug=r.text(1),
        org_id=r.opt_text(2),
        file=r.text(3),
        sha256=r.text(4),
        generated_at=r.time(5),
    )


def _file(r: _Row) -> FileRecord:
    provenance = r.json(5)
    if not isinstance(provenance, dict):
        raise r._damaged(5, "a JSON object")
    return FileRecord(
        id=r.integer(0),
        sha256=r.text(1),
        location=r.text(2),
        location_bytes=r.blob(3),
        size=r.integer(4),
        provenance=provenance,
        status=r.text(6),
        code=r.text(7),
        reason=r.text(8),
        org_id=r.opt_text(9),
        round_slug=r.opt_text(10),
        first_seen=r.time(11),
        last_seen=r.time(12),
        missing_since=r.opt_time(13),
    )
