"""``xlsxkit status``: one line per partner of a round, from the store only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.test_campaign_cli import PARTNERS, add_partners, run
from xlsxkit.campaign.store import AcceptedReturn, MessageKind, MessageResult, Store

SEEN = dt.datetime(2027, 5, 2, 9, 30, tzinfo=dt.UTC)


def make_round(tmp_path: Path, *deadline: str) -> Path:
    folder = tmp_path / "c"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    add_partners(folder, PARTNERS)
    args = ["--deadline", *deadline] if deadline else []
    result = run("generate", "--round", "2027 spring", *args, cwd=folder)
    assert result.exit_code == 0, result.output
    return folder


def record_returns(folder: Path) -> None:
    """North accepted, south blank, east rejected, west nothing (and a file of west's that
    has disappeared since, which no longer counts)."""
    with Store.open(folder / "xlsxkit.db") as store:
        ok = store.record_file(
            sha256="a" * 64,
            location=folder / "rounds/2027-spring/inbox/north final.xlsx",
            size=10,
            seen_at=SEEN,
            status="accepted",
            org_id="north",
            round_slug="2027-spring",
        )
        store.record_file(
            sha256="b" * 64,
            location=folder / "rounds/2027-spring/inbox/south.xlsx",
            size=10,
            seen_at=SEEN,
            status="blank",
            org_id="south",
            round_slug="2027-spring",
        )
        store.record_file(
            sha256="c" * 64,
            location=folder / "rounds/2027-spring/inbox/east.xlsx",
            size=10,
            seen_at=SEEN,
            status="rejected",
            reason="this is the 2026 autumn workbook; ask for the 2027 spring one",
            org_id="east",
            round_slug="2027-spring",
        )
        gone = store.record_file(
            sha256="d" * 64,
            location=folder / "rounds/2027-spring/inbox/west.xlsx",
            size=10,
            seen_at=SEEN,
            status="blank",
            org_id="west",
            round_slug="2027-spring",
        )
        present = [f.id for f in store.files("2027-spring") if f.id != gone.id]
        store.mark_missing("2027-spring", present=present, at=SEEN)
        assert [f.id for f in store.files("2027-spring") if f.missing_since] == [gone.id]
        store.set_accepted(
            AcceptedReturn(
                round_slug="2027-spring", org_id="north", file_id=ok.id, accepted_at=SEEN
            )
        )


def test_status_before_any_return_lists_every_partner_missing(tmp_path: Path) -> None:
    folder = make_round(tmp_path, "2099-06-30")
    result = run("status", cwd=folder)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Round '2027 spring', due 2099-06-30: 4 partners (times in UTC)"
    assert [line.split()[0] for line in lines[1:5]] == ["North", "South", "East", "West"]
    assert all(" missing " in line and " not emailed yet" in line for line in lines[1:5])
    assert lines[-1] == "0 accepted, 0 blank, 0 rejected, 4 missing, 0 overdue."


def test_status_shows_each_verdict_with_its_file_and_reason(tmp_path: Path) -> None:
    folder = make_round(tmp_path, "2099-06-30")
    record_returns(folder)
    result = run("status", "--round", "2027 spring", cwd=folder)
    assert result.exit_code == 0, result.output
    by_name = {line.split("  ")[1]: line for line in result.output.splitlines()[1:5]}
    assert " accepted " in by_name["North Trust"]
    assert "returned 2027-05-02 09:30" in by_name["North Trust"]
    assert "north final.xlsx" in by_name["North Trust"]
    assert " blank " in by_name["South Trust"] and "south.xlsx" in by_name["South Trust"]
    assert " rejected " in by_name["East"] and "ask for the 2027 spring one" in by_name["East"]
    assert " missing " in by_name["West"] and "returned" not in by_name["West"]
    assert result.output.splitlines()[-1] == (
        "1 accepted, 1 blank, 1 rejected, 1 missing, 0 overdue."
    )


def test_status_json_and_overdue_after_the_deadline(tmp_path: Path) -> None:
    folder = make_round(tmp_path, "2020-01-31")
    record_returns(folder)
    result = run("status", "--json", cwd=folder)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["round"] == {"name": "2027 spring", "slug": "2027-spring", "deadline": "2020-01-31"}
    statuses = {p["org_id"]: p["status"] for p in doc["partners"]}
    assert statuses == {
        "north": "accepted",
        "south": "blank",
        "east": "rejected",
        "west": "overdue",
    }
    assert doc["counts"] == {
        "accepted": 1,
        "blank": 1,
        "rejected": 1,
        "missing": 0,
        "overdue": 1,
    }
    [north] = [p for p in doc["partners"] if p["org_id"] == "north"]
    assert north["file"] == "rounds/2027-spring/outbox/north-trust.xlsx"
    assert north["returned_file"].endswith("north final.xlsx")


def test_status_of_an_unknown_round_names_the_rounds_there_are(tmp_path: Path) -> None:
    folder = make_round(tmp_path)
    result = run("status", "--round", "2027 autum", cwd=folder)
    assert result.exit_code == 1
    assert "no round '2027 autum'" in result.output and "'2027 spring'" in result.output


def test_status_in_a_campaign_without_rounds_says_how_to_make_one(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    assert run("init", folder, cwd=tmp_path).exit_code == 0
    result = run("status", cwd=folder)
    assert result.exit_code == 1 and "no round yet" in result.output


def test_status_says_when_each_workbook_was_emailed_drafted_and_chased(tmp_path: Path) -> None:
    """From the messages 'xlsxkit send' recorded: a failed attempt is not counted as sent."""
    folder = make_round(tmp_path, "2099-06-30")
    at = dt.datetime(2027, 4, 1, 8, 0, tzinfo=dt.UTC)
    with Store.open(folder / "xlsxkit.db") as store:

        def add(org: str, kind: MessageKind, result: MessageResult, hours: int) -> None:
            store.add_message(
                kind=kind,
                recipient=f"{org}@example.org",
                at=at + dt.timedelta(hours=hours),
                result=result,
                round_slug="2027-spring",
                org_id=org,
            )

        add("north", MessageKind.SEND, MessageResult.SENT, 0)
        add("north", MessageKind.REMIND, MessageResult.SENT, 24)
        add("north", MessageKind.REMIND, MessageResult.SENT, 48)
        add("south", MessageKind.SEND, MessageResult.DRAFTED, 1)
        add("east", MessageKind.SEND, MessageResult.FAILED, 2)
    result = run("status", cwd=folder)
    assert result.exit_code == 0, result.output
    by_name = {line.split("  ")[1]: line for line in result.output.splitlines()[1:5]}
    assert "emailed 2027-04-01 08:00, 2 reminders (last 2027-04-03 08:00)" in by_name["North Trust"]
    assert "drafted 2027-04-01 09:00" in by_name["South Trust"]
    assert "not emailed yet" in by_name["East"] and "not emailed yet" in by_name["West"]
    doc = json.loads(run("status", "--json", cwd=folder).output)
    [north] = [p for p in doc["partners"] if p["org_id"] == "north"]
    assert north["sent"] == {"at": "2027-04-01T08:00:00+00:00", "result": "sent", "count": 1}
    assert north["reminded"]["count"] == 2
    assert [p["sent"] for p in doc["partners"] if p["org_id"] == "east"] == [None]
