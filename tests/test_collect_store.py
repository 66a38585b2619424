"""Schema version 3 of the campaign store: collected mail (messages and the spreadsheets
saved from them). A store of version 1 or 2 (written with their frozen DDL) migrates to 3
keeping its data, ends with exactly the schema of a new store, and records collected mail."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.test_store import V1_DATA, V1_DDL, _schema
from xlsxkit.campaign.store import SCHEMA_VERSION, CollectedFile, OrgRecord, Store
from xlsxkit.framework.model import Provenance

#: Version 2's statements, frozen as released (never edit: a v2 store on disk has exactly this).
V2_DDL = """
ALTER TABLE answers ADD COLUMN target_stage_id TEXT;
CREATE TABLE messages (
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
);
CREATE INDEX messages_by_round ON messages(round_slug, org_id);
INSERT INTO messages VALUES (1, '2026-autumn', 'north', 'send', 'ann@north.example',
    'north.xlsx', '<sent-1@x>', '2026-10-02T09:00:00+00:00', 'sent', '');
PRAGMA user_version = 2;
"""
T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def old_store(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL + V1_DATA + (V2_DDL if version == 2 else ""))
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_migrates_to_v3_keeping_its_data_with_the_new_schema(
    tmp_path: Path, version: int
) -> None:
    old = tmp_path / "old.db"
    old_store(old, version)
    with Store.open(old) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        assert store.integrity_check() == ["ok"]
        assert [o.id for o in store.organisations()] == ["north", "south"]
        assert len(store.messages()) == (1 if version == 2 else 0)
        assert store.collected_messages() == ()
        store.record_collected(
            round_slug="2026-autumn",
            message_id="<r@x>",
            sender="ann@north.example",
            date="2026-12-03T10:00:00+00:00",
            subject="Re: workbook",
            mailbox="imaps://c@example.org/INBOX",
            location="UID 4",
            outcome="saved",
            at=T0,
            files=[CollectedFile(sha256="ff", saved_file="rounds/2026-autumn/inbox/north.xlsx")],
        )
    new = tmp_path / "new.db"
    Store.open(new, create=True).close()
    assert _schema(old) == _schema(new)


def test_collected_mail_is_recorded_once_and_gives_each_file_its_first_message(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "x.db", create=True) as store:
        store.put_organisation(OrgRecord(id="north", name="North Trust"))
        kw = {"round_slug": None, "sender": "ann@north.example", "date": "2026-12-03",
              "mailbox": "inbox.mbox", "outcome": "saved", "at": T0}  # fmt: skip
        first = store.record_collected(
            message_id="<1@x>", subject="first", location="message 1",
            files=[CollectedFile(sha256="aa", saved_file="in/north.xlsx", original_name="N.xlsx")],
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        second = store.record_collected(
            message_id="<2@x>", subject="again", location="message 2",
            files=[CollectedFile(sha256="aa", saved_file="in/north.xlsx", duplicate=True)],
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        again = store.record_collected(
            message_id="<1@x>", subject="first", location="message 1", files=[], **kw,  # type: ignore[arg-type]
        )  # fmt: skip
        assert again == first != second
        one, two = store.collected_messages()
        assert (one.subject, [f.original_name for f in one.files]) == ("first", ["N.xlsx"])
        assert two.files[0].duplicate is True
        assert store.collected_provenance() == {
            "aa": Provenance(
                message_id="<1@x>", sender="ann@north.example", date="2026-12-03",
                subject="first", mailbox="inbox.mbox",
            )
        }  # fmt: skip
