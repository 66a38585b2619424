"""The schema of the campaign store and its migrations, in order.

Why a module of its own: the schema is the one part of the store that must never change
once released (a store made by an older xlsxkit takes exactly the path below). A new
version is a new :class:`Migration` appended to :data:`MIGRATIONS`; nothing else in the
package needs to move for it. The store applies them (:mod:`xlsxkit.campaign.store`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: ``PRAGMA application_id`` of an xlsxkit store: "xlsk" in ASCII.
APPLICATION_ID = 0x786C736B


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

_V3 = Migration(
    version=3,
    description="mail collected (messages read by collect) and the spreadsheets saved from it",
    statements=(
        """CREATE TABLE collected_messages (
            id INTEGER PRIMARY KEY,
            round_slug TEXT REFERENCES rounds(slug),
            message_id TEXT NOT NULL DEFAULT '',
            sender TEXT NOT NULL DEFAULT '',
            date TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            mailbox TEXT NOT NULL DEFAULT '',
            location TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL,
            collected_at TEXT NOT NULL
        )""",
        "CREATE INDEX collected_messages_by_round ON collected_messages(round_slug)",
        """CREATE TABLE collected_files (
            id INTEGER PRIMARY KEY,
            message_row INTEGER NOT NULL REFERENCES collected_messages(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL,
            saved_file TEXT NOT NULL,
            original_name TEXT NOT NULL DEFAULT '',
            inside_zip TEXT NOT NULL DEFAULT '',
            duplicate INTEGER NOT NULL DEFAULT 0 CHECK (duplicate IN (0, 1))
        )""",
        "CREATE INDEX collected_files_by_sha256 ON collected_files(sha256)",
    ),
)

#: Every migration, in order. Never edit a released one: add the next.
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = MIGRATIONS[-1].version
