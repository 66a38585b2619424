"""Schema version 3 of the campaign store: collected mail (messages and the spreadsheets
saved from them). A store of version 1 or 2 (written with their frozen DDL, in
tests/test_store.py) migrates to 3 keeping its data, ends with exactly the schema of a new
store, and records collected mail."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.test_store import FROZEN, _schema
from xlsxkit.campaign.store import SCHEMA_VERSION, CollectedFile, OrgRecord, Store
from xlsxkit.framework.model import Provenance

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def old_store(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(FROZEN[version])
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
