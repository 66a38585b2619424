"""The campaign store: real SQLite files under tmp_path, real processes for crashes and
concurrent writers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from xlsxkit.campaign.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    AcceptedReturn,
    AnswerRecord,
    ItemKind,
    MessageKind,
    MessageResult,
    OrgRecord,
    Store,
    StoreBusy,
    StoreError,
    WorkbookRecord,
)
from xlsxkit.framework.model import Answer

T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 11, 2, 14, 30, tzinfo=dt.UTC)
T2 = dt.datetime(2027, 5, 3, 8, 15, tzinfo=dt.UTC)
LADDER = ("foundation", "developing", "established")

#: The schema of version 1 exactly as it was released. Never edit: it is what stores made by
#: that version hold, so migrations are tested from it (not from today's migration code).
V1_DDL = """
PRAGMA application_id = 2020373355;
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
);
CREATE TABLE rounds (
    slug TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL UNIQUE,
    deadline TEXT,
    created_at TEXT NOT NULL,
    framework_id TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    framework_hash TEXT NOT NULL,
    stage_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE workbooks (
    token TEXT PRIMARY KEY NOT NULL,
    round_slug TEXT NOT NULL REFERENCES rounds(slug),
    org_id TEXT REFERENCES organisations(id),
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    UNIQUE (round_slug, org_id)
);
CREATE TABLE files (
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
);
CREATE INDEX files_by_round ON files(round_slug);
CREATE TABLE accepted (
    round_slug TEXT NOT NULL REFERENCES rounds(slug),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    file_id INTEGER REFERENCES files(id),
    accepted_at TEXT NOT NULL,
    PRIMARY KEY (round_slug, org_id)
);
CREATE TABLE answers (
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
);
PRAGMA user_version = 1;
"""

#: Data a version-1 store may hold, written with version 1's columns.
V1_DATA = """
INSERT INTO organisations VALUES ('north', 'North Trust', 'Ann', 'ann@north.example');
INSERT INTO organisations VALUES ('south', 'South Council', '', '');
INSERT INTO rounds VALUES ('2026-autumn', '2026 autumn', 1, '2026-11-20',
    '2026-10-01T09:00:00+00:00', 'ip', '1.0', 'sha256:abc',
    '["foundation","developing","established"]');
INSERT INTO workbooks VALUES ('tok-north', '2026-autumn', 'north',
    'rounds/2026-autumn/outbox/north.xlsx', 'aa', '2026-10-01T09:00:00+00:00');
INSERT INTO files VALUES (1, 'ff', 'inbox/north.xlsx', CAST('inbox/north.xlsx' AS BLOB), 1234,
    '{"Message-ID": "<1@x>"}', 'accepted', '', '', 'north', '2026-autumn',
    '2026-11-02T14:30:00+00:00', '2026-11-02T14:30:00+00:00', NULL);
INSERT INTO accepted VALUES ('2026-autumn', 'north', 1, '2026-11-02T14:30:00+00:00');
INSERT INTO answers VALUES ('2026-autumn', 'north', 'c1', 'criterion', 'People', 5, 'developing',
    'we started', NULL, '', '', '');
INSERT INTO answers VALUES ('2026-autumn', 'north', 'a1', 'action', 'People', 6, NULL, '', 1,
    'done in May', 'Ann', '2026-05-01');
"""


#: What version 2 added, exactly as it was released (never edit), and data it may hold.
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
PRAGMA user_version = 2;
"""
V2_DATA = """
UPDATE answers SET target_stage_id = 'established' WHERE item_id = 'c1';
INSERT INTO messages VALUES (1, '2026-autumn', 'north', 'send', 'ann@north.example',
    'rounds/2026-autumn/outbox/north.xlsx', '<m1@x>', '2026-10-02T08:00:00+00:00', 'sent', '');
"""

#: Every released schema version, as the script that makes a store of it with data in it.
#: A new migration adds the frozen DDL of the version before it here.
#: What version 3 added (collected mail), exactly as it was released, and data it may hold.
V3_DDL = """
CREATE TABLE collected_messages (
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
);
CREATE INDEX collected_messages_by_round ON collected_messages(round_slug);
CREATE TABLE collected_files (
    id INTEGER PRIMARY KEY,
    message_row INTEGER NOT NULL REFERENCES collected_messages(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    saved_file TEXT NOT NULL,
    original_name TEXT NOT NULL DEFAULT '',
    inside_zip TEXT NOT NULL DEFAULT '',
    duplicate INTEGER NOT NULL DEFAULT 0 CHECK (duplicate IN (0, 1))
);
CREATE INDEX collected_files_by_sha256 ON collected_files(sha256);
PRAGMA user_version = 3;
"""
V3_DATA = """
INSERT INTO collected_messages VALUES (1, '2026-autumn', '<r1@x>', 'ann@north.example',
    '2026-11-02T14:00:00+00:00', 'Re: workbook', 'imaps://c@example.org/INBOX', 'UID 7',
    'saved', '2026-11-02T14:20:00+00:00');
INSERT INTO collected_files VALUES (1, 1, 'ff', 'inbox/north.xlsx', 'North.xlsx', '', 0);
"""

FROZEN: dict[int, str] = {
    1: V1_DDL + V1_DATA,
    2: V1_DDL + V1_DATA + V2_DDL + V2_DATA,
    3: V1_DDL + V1_DATA + V2_DDL + V2_DATA + V3_DDL + V3_DATA,
}


def _open(path: Path, **kw: object) -> Store:
    return Store.open(path, create=True, **kw)  # type: ignore[arg-type]


def _round(store: Store, name: str = "2026 autumn", slug: str = "2026-autumn") -> None:
    store.add_round(
        slug=slug,
        name=name,
        created_at=T0,
        framework_id="ip",
        framework_version="1.0",
        framework_hash="sha256:abc",
        stage_ids=LADDER,
        deadline=dt.date(2026, 11, 20),
    )


def _seed(path: Path) -> None:
    with _open(path) as store:
        store.put_organisation(OrgRecord(id="north", name="North Trust"))
        _round(store)


def _schema(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every table and index with its columns, as SQLite reports them."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return [(n, conn.execute(f"PRAGMA table_xinfo('{n}')").fetchall()) for n in names] + [
            (n, conn.execute(f"PRAGMA index_xinfo('{n}')").fetchall()) for n in names
        ]
    finally:
        conn.close()


# --------------------------------------------------------------------------------------
# a new store


def test_a_new_store_has_the_current_schema_and_marks_itself(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    with _open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == MIGRATIONS[-1].version
        assert store.integrity_check() == ["ok"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrations_are_numbered_one_after_another() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    path.write_bytes(b"")
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_without_create_a_missing_store_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no campaign store here; run 'xlsxkit init'"):
        Store.open(tmp_path / "xlsxkit.db")
    assert not (tmp_path / "xlsxkit.db").exists()


@pytest.mark.parametrize(
    "folder",
    ["plain", "Campagne été ? #1 %20", os.fsdecode(b"caf\xe9")],
    ids=["plain", "odd", "latin1"],
)
def test_a_store_opens_in_a_folder_with_any_name(tmp_path: Path, folder: str) -> None:
    path = tmp_path / folder / "xlsxkit.db"
    path.parent.mkdir()
    _seed(path)
    with Store.open(path) as store:
        assert [o.id for o in store.organisations()] == ["north"]
    # Nothing was made anywhere else (a badly quoted name would open another file).
    assert os.listdir(tmp_path) == [folder]
    assert {n.split("-")[0] for n in os.listdir(path.parent)} == {"xlsxkit.db"}


def test_a_store_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nope" / "xlsxkit.db", create=True)


# --------------------------------------------------------------------------------------
# what it records


def test_organisations_keep_their_first_order_and_take_updates(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        store.put_organisation(OrgRecord(id="south", name="South"))
        store.put_organisation(OrgRecord(id="north", name="North", email="n@x.org"))
        store.put_organisation(OrgRecord(id="south", name="South Council", contact="Bo"))
        assert store.organisations() == (
            OrgRecord(id="south", name="South Council", contact="Bo"),
            OrgRecord(id="north", name="North", email="n@x.org"),
        )
        assert store.organisation("north") == OrgRecord(id="north", name="North", email="n@x.org")
        assert store.organisation("west") is None


def test_rounds_are_ordered_and_keep_their_framework_and_ladder(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        _round(store)
        spring = store.add_round(
            slug="2027-spring",
            name="2027 spring",
            created_at=T2,
            framework_id="ip",
            framework_version="1.1",
            framework_hash="sha256:def",
            stage_ids=("a", "b"),
        )
        assert spring.position == 2 and spring.deadline is None
        assert [r.name for r in store.rounds()] == ["2026 autumn", "2027 spring"]
        autumn = store.round("2026-autumn")
        assert autumn is not None
        assert autumn.stage_ids == LADDER
        assert autumn.deadline == dt.date(2026, 11, 20)
        assert autumn.created_at == T0
        store.set_deadline("2027-spring", dt.date(2027, 6, 30))
        assert store.round_named("2027 spring") == spring.__class__(
            **{
                **{f: getattr(spring, f) for f in spring.__slots__},
                "deadline": dt.date(2027, 6, 30),
            }
        )
        latest = store.latest_round()
        assert latest is not None and latest.slug == "2027-spring"


@pytest.mark.parametrize(("name", "slug"), [("2026 autumn", "other"), ("Other", "2026-autumn")])
def test_a_round_name_or_folder_is_used_once(tmp_path: Path, name: str, slug: str) -> None:
    with _open(tmp_path / "x.db") as store:
        _round(store)
        with pytest.raises(StoreError, match=r"already a round '2026 autumn' \(folder rounds/2026"):
            _round(store, name=name, slug=slug)
        assert len(store.rounds()) == 1


def test_workbooks_one_per_organisation_and_round(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        store.put_organisation(OrgRecord(id="north", name="North"))
        _round(store)
        wb = WorkbookRecord(
            token="t1",
            round_slug="2026-autumn",
            org_id="north",
            file="rounds/2026-autumn/outbox/north.xlsx",
            sha256="ab" * 32,
            generated_at=T0,
        )
        store.add_workbook(wb)
        generic = WorkbookRecord(
            token="t2",
            round_slug="2026-autumn",
            org_id=None,
            file="g.xlsx",
            sha256="c",
            generated_at=T0,
        )
        store.add_workbook(generic)
        with pytest.raises(StoreError, match="'north' already has a workbook"):
            store.add_workbook(WorkbookRecord(**{**_fields(wb), "token": "t3"}))
        with pytest.raises(StoreError, match="token t1 is already used"):
            store.add_workbook(WorkbookRecord(**{**_fields(generic), "token": "t1"}))
        with pytest.raises(StoreError, match="no round 'nope'"):
            store.add_workbook(WorkbookRecord(**{**_fields(generic), "round_slug": "nope"}))
        assert store.workbooks("2026-autumn") == (wb, generic)
        assert store.workbook("t1") == wb
        assert store.workbook_for("2026-autumn", "north") == wb
        assert store.workbook_for("2026-autumn", "south") is None


def _fields(record: object) -> dict[str, object]:
    return {f: getattr(record, f) for f in record.__slots__}  # type: ignore[attr-defined]


def test_a_file_seen_again_keeps_its_first_sighting_and_provenance(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        _round(store)
        mail = {"Message-ID": "<a@b>", "From": "Ann <ann@x.org>", "Subject": "Return", "n": 3}
        first = store.record_file(
            sha256="f" * 64,
            location=tmp_path / "inbox" / "north.xlsx",
            size=10,
            seen_at=T0,
            status="rejected",
            code="password-protected",
            reason="the file is encrypted",
            round_slug="2026-autumn",
            provenance=mail,
        )
        again = store.record_file(
            sha256="f" * 64,
            location=tmp_path / "inbox" / "north.xlsx",
            size=10,
            seen_at=T1,
            status="accepted",
            org_id="north",
            round_slug="2026-autumn",
        )
        assert again.id == first.id
        assert (again.first_seen, again.last_seen) == (T0, T1)
        assert (again.status, again.code, again.reason, again.org_id) == (
            "accepted",
            "",
            "",
            "north",
        )
        assert again.provenance == mail
        # The same bytes somewhere else are another sighting.
        copy = store.record_file(
            sha256="f" * 64, location="elsewhere.xlsx", size=10, seen_at=T1, status="duplicate"
        )
        assert copy.id != first.id
        assert [f.id for f in store.files()] == [first.id, copy.id]
        assert store.files("2026-autumn") == (again,)


def test_undecodable_file_names_and_headers_are_stored_without_failing(tmp_path: Path) -> None:
    raw = b"caf\xe9 r\xe9ponse.xlsx"  # Latin-1 bytes: not UTF-8
    name = os.fsdecode(raw)
    header = b"Re: \xff\xfe".decode("utf-8", "surrogateescape")
    with _open(tmp_path / "x.db") as store:
        rec = store.record_file(
            sha256="e" * 64,
            location=name,
            size=1,
            seen_at=T0,
            status="rejected",
            reason=f"cannot read {name}",
            provenance={"Subject": header},
        )
        again = store.file(rec.id)
    assert again is not None
    assert again.location_bytes == raw
    assert again.path == Path(name)
    assert again.location == "caf\ufffd r\ufffdponse.xlsx"
    assert again.reason == "cannot read caf\ufffd r\ufffdponse.xlsx"
    assert again.provenance == {"Subject": header}


def test_files_no_longer_found_are_marked_missing_once(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        _round(store)
        a, b, c = (
            store.record_file(
                sha256=h * 64, location=f"{h}.xlsx", size=1, seen_at=T0, status="accepted",
                round_slug="2026-autumn",
            )
            for h in "abc"
        )  # fmt: skip
        gone = store.mark_missing("2026-autumn", present=[a.id], at=T1)
        assert [f.id for f in gone] == [b.id, c.id]
        assert all(f.missing_since == T1 for f in gone)
        assert store.mark_missing("2026-autumn", present=[a.id], at=T2) == ()
        back = store.record_file(
            sha256="b" * 64, location="b.xlsx", size=1, seen_at=T2, status="accepted",
            round_slug="2026-autumn",
        )  # fmt: skip
        assert back.missing_since is None


def _answers() -> tuple[AnswerRecord, ...]:
    return (
        AnswerRecord(
            item_id="c1",
            kind=ItemKind.CRITERION,
            sheet="People",
            row=5,
            stage_id="developing",
            target_stage_id="established",
            comment="=1+1 is text here",
        ),
        AnswerRecord(
            item_id="a1",
            kind=ItemKind.ACTION,
            sheet="People",
            row=6,
            done=True,
            notes="n",
            lead="Ann",
            target_date="2027-01-31",
        ),
        AnswerRecord(item_id="a2", kind=ItemKind.ACTION, done=None),
        AnswerRecord(item_id="a3", kind=ItemKind.ACTION, done=False),
    )


def test_accepted_answers_round_trip_and_replace_the_previous_return(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        store.put_organisation(OrgRecord(id="north", name="North"))
        _round(store)
        first = AcceptedReturn(
            round_slug="2026-autumn",
            org_id="north",
            file_id=None,
            accepted_at=T0,
            answers=_answers(),
        )
        store.set_accepted(first)
        assert store.accepted("2026-autumn", "north") == first
        later = AcceptedReturn(
            round_slug="2026-autumn",
            org_id="north",
            file_id=None,
            accepted_at=T1,
            answers=(AnswerRecord(item_id="c1", kind=ItemKind.CRITERION, stage_id="foundation"),),
        )
        store.set_accepted(later)
        assert store.accepted_in_round("2026-autumn") == (later,)
        store.withdraw_accepted("2026-autumn", "north")
        assert store.accepted("2026-autumn", "north") is None


def test_answers_of_unknown_organisations_are_refused(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        _round(store)
        with pytest.raises(StoreError, match="no organisation 'west'"):
            store.set_accepted(
                AcceptedReturn(
                    round_slug="2026-autumn", org_id="west", file_id=None, accepted_at=T0
                )
            )


def test_an_answer_converts_to_and_from_the_framework_model() -> None:
    answer = Answer(item_id="a1", sheet="S", row=9, done=True, notes="x", lead="L", target_date="")
    record = AnswerRecord.from_answer(answer, kind=ItemKind.ACTION)
    assert record.to_answer() == answer
    target = Answer(item_id="c", sheet="S", row=3, stage_id="b", target_stage_id="c")
    crit = AnswerRecord.from_answer(target, kind=ItemKind.CRITERION)
    assert (crit.stage_id, crit.target_stage_id) == ("b", "c")
    assert crit.to_answer() == target


def test_previous_accepted_is_the_latest_earlier_round_with_a_return(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        store.put_organisation(OrgRecord(id="north", name="North"))
        for i, name in enumerate(["r1", "r2", "r3", "r4"]):
            _round(store, name=name, slug=name)
            if i in (0, 1, 3):
                store.set_accepted(
                    AcceptedReturn(
                        round_slug=name, org_id="north", file_id=None, accepted_at=T0,
                        answers=(AnswerRecord(item_id=name, kind=ItemKind.CRITERION),),
                    )
                )  # fmt: skip
        found = {
            r: (p.round_slug if (p := store.previous_accepted(r, "north")) else None)
            for r in ["r1", "r2", "r3", "r4"]
        }
        assert found == {"r1": None, "r2": "r1", "r3": "r2", "r4": "r2"}


def test_messages_are_recorded(tmp_path: Path) -> None:
    with _open(tmp_path / "x.db") as store:
        store.put_organisation(OrgRecord(id="north", name="North"))
        _round(store)
        sent = store.add_message(
            kind=MessageKind.SEND,
            recipient="ann@north.example",
            at=T0,
            result=MessageResult.SENT,
            round_slug="2026-autumn",
            org_id="north",
            file="rounds/2026-autumn/outbox/north.xlsx",
            message_id="<1@xlsxkit>",
        )
        failed = store.add_message(
            kind=MessageKind.REMIND,
            recipient="ann@north.example",
            at=T1,
            result=MessageResult.FAILED,
            round_slug="2026-autumn",
            org_id="north",
            error="550 mailbox unavailable",
        )
        assert store.messages("2026-autumn") == (sent, failed)
        assert store.messages() == (sent, failed)
        assert (failed.kind, failed.result, failed.error) == (
            "remind",
            "failed",
            "550 mailbox unavailable",
        )


# --------------------------------------------------------------------------------------
# migrations


def _frozen_store(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(FROZEN[version])
    conn.commit()
    conn.close()


def _v1_store(path: Path) -> None:
    _frozen_store(path, 1)


def test_a_version_1_store_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    _v1_store(path)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.integrity_check() == ["ok"]
        assert [o.id for o in store.organisations()] == ["north", "south"]
        autumn = store.round("2026-autumn")
        assert autumn is not None and autumn.stage_ids == LADDER
        assert store.workbook("tok-north") is not None
        (f,) = store.files()
        assert f.provenance == {"Message-ID": "<1@x>"} and f.location_bytes == b"inbox/north.xlsx"
        accepted = store.accepted("2026-autumn", "north")
        assert accepted is not None
        c1, a1 = accepted.answers
        assert (c1.stage_id, c1.target_stage_id, c1.comment) == ("developing", None, "we started")
        assert (a1.done, a1.notes, a1.lead, a1.target_date) == (
            True,
            "done in May",
            "Ann",
            "2026-05-01",
        )
        # What version 2 added works on the migrated store.
        store.add_message(
            kind=MessageKind.FEEDBACK, recipient="a@b.org", at=T1, result=MessageResult.DRAFTED
        )
        store.set_accepted(
            AcceptedReturn(
                round_slug="2026-autumn", org_id="south", file_id=None, accepted_at=T1,
                answers=(AnswerRecord(item_id="c1", kind=ItemKind.CRITERION, target_stage_id="x"),),
            )
        )  # fmt: skip
        south = store.accepted("2026-autumn", "south")
        assert south is not None and south.answers[0].target_stage_id == "x"


# The current version too: its frozen DDL must be exactly what a new store gets.
@pytest.mark.parametrize("version", range(SCHEMA_VERSION + 1))
def test_a_store_of_every_version_ends_with_the_schema_of_a_new_one(
    tmp_path: Path, version: int
) -> None:
    old = tmp_path / "old.db"
    if version == 0:
        old.write_bytes(b"")
    else:
        assert version in FROZEN, "add the frozen DDL of the released version to FROZEN"
        _frozen_store(old, version)
    Store.open(old).close()
    new = tmp_path / "new.db"
    Store.open(new, create=True).close()
    assert _schema(old) == _schema(new)


def test_every_released_version_is_frozen_in_these_tests() -> None:
    assert sorted(FROZEN) == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("version", sorted(FROZEN))
def test_a_store_of_every_released_version_opens_with_its_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "xlsxkit.db"
    _frozen_store(path, version)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.integrity_check() == ["ok"]
        assert [o.email for o in store.organisations()] == ["ann@north.example", ""]
        (rnd,) = store.rounds()
        assert (rnd.name, rnd.deadline, rnd.stage_ids) == (
            "2026 autumn",
            dt.date(2026, 11, 20),
            LADDER,
        )
        (wb,) = store.workbooks()
        assert (wb.token, wb.org_id, wb.file) == (
            "tok-north",
            "north",
            "rounds/2026-autumn/outbox/north.xlsx",
        )
        accepted = store.accepted("2026-autumn", "north")
        assert accepted is not None and accepted.file_id == 1
        assert [(a.item_id, a.kind, a.stage_id) for a in accepted.answers] == [
            ("c1", ItemKind.CRITERION, "developing"),
            ("a1", ItemKind.ACTION, None),
        ]
        target = accepted.answers[0].target_stage_id
        assert target == (None if version < 2 else "established")
        messages = store.messages("2026-autumn")
        assert [(m.kind, m.message_id) for m in messages] == (
            [] if version < 2 else [(MessageKind.SEND, "<m1@x>")]
        )
        collected = store.collected_provenance()
        assert [(sha, p.message_id) for sha, p in collected.items()] == (
            [] if version < 3 else [("ff", "<r1@x>")]
        )
    with Store.open(path) as store:  # opened again: nothing left to migrate, nothing changed
        assert store.schema_version == SCHEMA_VERSION
        assert len(store.accepted_in_round("2026-autumn")[0].answers) == 2


def test_a_migration_that_fails_half_way_leaves_the_old_version_and_its_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "xlsxkit.db"
    _v1_store(path)
    conn = sqlite3.connect(path)
    # A table in the way of version 2's CREATE TABLE: the migration fails after its first
    # statement (the ALTER TABLE) has run.
    conn.execute("CREATE TABLE messages (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="messages already exists"):
        Store.open(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(answers)")]
        assert "target_stage_id" not in columns  # the ALTER TABLE was rolled back
        assert conn.execute("SELECT COUNT(*) FROM answers").fetchone() == (2,)
    finally:
        conn.close()


def test_a_store_from_a_newer_xlsxkit_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=rf"newer xlsxkit \(schema version {SCHEMA_VERSION + 1};"):
        Store.open(path)
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"xlsxkit.db: this SQLite database is not an xlsxkit"):
        Store.open(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 42")
    conn.execute("DROP TABLE photos")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an xlsxkit campaign store"):
        Store.open(path)


# --------------------------------------------------------------------------------------
# bounds


@pytest.mark.parametrize(
    "content", [b"id,name\nnorth,North\n", b"PK\x03\x04" + b"\x00" * 200, b"SQLite format 3"]
)
def test_a_file_that_is_not_a_database_is_named_in_the_error(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "xlsxkit.db"
    path.write_bytes(content)
    with pytest.raises(
        StoreError, match=r"xlsxkit\.db: this file is not an xlsxkit campaign store"
    ):
        Store.open(path, create=True)
    assert path.read_bytes() == content


def test_a_damaged_database_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    with pytest.raises(StoreError, match=r"xlsxkit\.db: "):
        Store.open(path)


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(StoreError, match="not a regular file"):
        Store.open(folder, create=True)
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="not a regular file"):
        Store.open(fifo, create=True)  # would block forever if it were opened


def test_a_value_of_the_wrong_type_is_reported_as_damage(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE rounds SET position = 'first'")
    conn.commit()
    conn.close()
    with (
        Store.open(path) as store,
        pytest.raises(
            StoreError, match=r"damaged \(a value that should be a whole number is 'first'\)"
        ),
    ):
        store.rounds()


# --------------------------------------------------------------------------------------
# transactions


def test_an_exception_inside_a_transaction_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    with Store.open(path) as store:
        with pytest.raises(KeyboardInterrupt), store.transaction():
            store.put_organisation(OrgRecord(id="north", name="Renamed"))
            store.put_organisation(OrgRecord(id="south", name="South"))
            with store.transaction():  # a nested one joins the outer
                _round(store, name="2027 spring", slug="2027-spring")
            raise KeyboardInterrupt  # Ctrl-C
        assert store.organisations() == (OrgRecord(id="north", name="North Trust"),)
        assert [r.slug for r in store.rounds()] == ["2026-autumn"]
        store.put_organisation(OrgRecord(id="south", name="South"))  # still usable
        assert len(store.organisations()) == 2


@pytest.mark.parametrize("failure", ["error", "refused write"])
def test_a_failure_inside_a_transaction_undoes_every_write_before_it(
    tmp_path: Path, failure: str
) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    with Store.open(path) as store:
        before = (store.organisations(), store.rounds(), store.files(), store.messages())
        with pytest.raises((ValueError, StoreError)), store.transaction():
            store.put_organisation(OrgRecord(id="south", name="South"))
            _round(store, name="2027 spring", slug="2027-spring")
            store.record_file(
                sha256="ff", location="inbox/a.xlsx", size=1, seen_at=T1, status="accepted",
                round_slug="2027-spring",
            )  # fmt: skip
            store.add_message(
                kind=MessageKind.SEND, recipient="a@b.org", at=T1, result=MessageResult.SENT
            )
            if failure == "error":
                raise ValueError("a bug in the caller")
            store.set_accepted(  # an organisation the store does not know: refused
                AcceptedReturn(round_slug="2027-spring", org_id="nobody", file_id=None,
                               accepted_at=T1)
            )  # fmt: skip
        assert (store.organisations(), store.rounds(), store.files(), store.messages()) == before
    with Store.open(path) as store:  # and so it is on disk
        assert [r.slug for r in store.rounds()] == ["2026-autumn"]
        assert store.integrity_check() == ["ok"]


_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from xlsxkit.campaign.store import AcceptedReturn, AnswerRecord, ItemKind, OrgRecord, Store

    store = Store.open(sys.argv[1])
    answers = tuple(
        AnswerRecord(item_id=f"item-{i}", kind=ItemKind.ACTION, notes="x" * 200, done=True)
        for i in range(20_000)
    )
    t = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    with store.transaction():
        store.put_organisation(OrgRecord(id="north", name="Renamed"))
        n = 0
        while True:  # a write that never ends: it is stopped from outside
            store.put_organisation(OrgRecord(id=f"org-{n}", name="x"))
            store.set_accepted(AcceptedReturn(
                round_slug="2026-autumn", org_id=f"org-{n}", file_id=None, accepted_at=t,
                answers=answers))
            n += 1
            if n == 2:
                print("writing", flush=True)
    """
)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_a_writer_stopped_mid_transaction_leaves_the_old_store(tmp_path: Path, how: int) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "writing\n", proc.stderr.read() if proc.stderr else ""
        # More than SQLite's page cache was written, so uncommitted pages are on disk now.
        assert (tmp_path / "xlsxkit.db-wal").stat().st_size > 4 * 1024 * 1024
        proc.send_signal(how)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    with Store.open(path) as store:
        assert store.integrity_check() == ["ok"]
        assert store.organisations() == (OrgRecord(id="north", name="North Trust"),)
        assert store.accepted_in_round("2026-autumn") == ()


_HOLDER = textwrap.dedent(
    """
    import sys
    from xlsxkit.campaign.store import OrgRecord, Store

    store = Store.open(sys.argv[1])
    with store.transaction():
        store.put_organisation(OrgRecord(id="first", name="First"))
        print("locked", flush=True)
        sys.stdin.readline()  # hold the write lock until told to go on
    print("committed", flush=True)
    """
)


def test_a_second_writer_fails_with_a_clear_message_while_the_store_is_busy(
    tmp_path: Path,
) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline() == "locked\n"
        with Store.open(path, timeout=0.1) as store:
            # Reading is not blocked by the writer (WAL) and sees the committed state.
            assert [o.id for o in store.organisations()] == ["north"]
            with pytest.raises(StoreBusy, match="in use by another xlsxkit command"):
                store.put_organisation(OrgRecord(id="second", name="Second"))
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == "committed\n"
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    with Store.open(path) as store:
        assert [o.id for o in store.organisations()] == ["north", "first"]


def test_a_second_writer_waits_for_the_first_to_finish(tmp_path: Path) -> None:
    path = tmp_path / "xlsxkit.db"
    _seed(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline() == "locked\n"
        stdin = proc.stdin

        def release() -> None:
            stdin.write("go\n")
            stdin.flush()

        # The holder is told to go on while this process waits for the lock.
        timer = threading.Timer(0.5, release)
        timer.start()
        with Store.open(path, timeout=60) as store:
            store.put_organisation(OrgRecord(id="second", name="Second"))
            # The holder had the lock first, so this write came after its commit.
            assert [o.id for o in store.organisations()] == ["north", "first", "second"]
        timer.join()
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
